#!/usr/bin/env bash
# DCDN's Table 2 (../shared/background/002_*: its four configurations, basic, HTTP pre-fetch, HTTP "HEAD-start" and
# mixed HTTP and P2P) on one machine: five peers seed a 3.2 MB image, a client fetches it with `dhtnode cat CID
# --origin URL --origin-policy P` (fallback is DCDN's basic system: peers only unless they fail), beside the origin
# alone (nginx, curl) and peers alone (`dhtnode cat CID`, no origin). Columns as DCDN's: time to first byte, time to
# last byte, percent served over P2P, effective bandwidth (size / (last byte − first byte), MB/s).
#
# Network: every process in its own namespace behind Benchmarks/delaynet.py (user-space delay switch), DELAY_MS each
# way (default 20: RTT 40 ms; DCDN ran on localhost, where HTTP's first byte came after 7 ms and its peers' after
# hundreds of ms of WebRTC set-up; a round trip makes the order of requests visible), links capped by the switch:
#   <P>-1     10.77.0.1    dhtnode run --bootstrap-node                    uncapped
#   <P>-2..6  10.77.0.2-6  five peers (--swarm dcdn), each pins the file   PEER_UP Mbit/s up (default 6)
#   <P>-7     10.77.0.7    nginx: the origin                               ORIGIN_UP Mbit/s up (default 25)
#   <P>-8     10.77.0.8    the client (--swarm dcdn: connected to the      CLIENT_DOWN Mbit/s down (default 100)
#                          peers through the rendezvous before it fetches)
# Each fetch is timed by Benchmarks/timed-fetch.py around the CLI process (first and last byte on its stdout), after
# `dhtnode gc` on the client; the daemon's statistics (GET /v1/fetches/CID) give the share served by peers. The
# origin alone is curl's time_starttransfer and time_total, on a new connection and on a kept-alive one (the daemon
# keeps its connections to an origin between fetches). SAMPLES rounds (default 10, DCDN's 10 trials), each fetching
# once in every configuration, one second apart.
#
# Usage (as root): Benchmarks/dcdn.sh [PATH/TO/dhtnode] [--json]   (default: `make release`, then
# .build/release/dhtnode). Environment: SAMPLES, DELAY_MS, SIZE (bytes, default 3200000), PEER_UP, ORIGIN_UP,
# CLIENT_DOWN (Mbit/s), BUFFER_MS (default 50), KEEP=1 keeps the temporary folder (logs, results.jsonl). Needs ip,
# curl, jq, python3, nginx. Stops every process it started by PID, and the switch deletes its namespaces.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=delaynet-lib.sh
source "$HERE/delaynet-lib.sh"
# shellcheck source=origins-lib.sh
source "$HERE/origins-lib.sh"
origins_prologue "$@"

SAMPLES=${SAMPLES:-10}
DELAY_MS=${DELAY_MS:-20}
SIZE=${SIZE:-3200000}
PEER_UP=${PEER_UP:-6}
ORIGIN_UP=${ORIGIN_UP:-25}
CLIENT_DOWN=${CLIENT_DOWN:-100}
BUFFER_MS=${BUFFER_MS:-50}
CLIENT=8
origins_workspace dcdn dc

say "dcdn: $SIZE bytes, RTT $((2 * DELAY_MS)) ms, 5 peers at $PEER_UP Mbit/s up, origin $ORIGIN_UP up, client" \
    "$CLIENT_DOWN down; $SAMPLES rounds; $(nproc) cores; $(uname -sr); load $(cut -d' ' -f1-3 /proc/loadavg)"
links=()
for k in 2 3 4 5 6; do links+=(--link "$k=$PEER_UP/"); done
delaynet_start 8 "$P" --delay-ms "$DELAY_MS" --buffer-ms "$BUFFER_MS" "${links[@]}" --link "7=$ORIGIN_UP/" \
    --link "$CLIENT=/$CLIENT_DOWN" || exit 1

mkdir -p "$DIR/www"
head -c "$SIZE" /dev/urandom >"$DIR/www/image.jpg"
chmod 644 "$DIR/www/image.jpg"
node_start 1 --bootstrap-node
MEMBER=(--bootstrap "10.77.0.1:$PORT" --swarm dcdn --session-window 5 --no-rate-limits)
for k in 2 3 4 5 6; do
    node_start "$k" "${MEMBER[@]}"
    CID=$(node_cli "$k" add "$DIR/www/image.jpg" --quiet) || fail "add on node $k"
done
node_start "$CLIENT" "${MEMBER[@]}"
delaynet_nginx "$(node_ns 7)" 10.77.0.7:8080 "$DIR/www" origin
URL=http://10.77.0.7:8080/image.jpg
for _ in $(seq 100); do
    ip netns exec "$(node_ns $CLIENT)" curl -s -o /dev/null --max-time 2 "$URL" && break
    sleep 0.1
done
say "waiting for the client to be connected to the five peers through the rendezvous"
wait_members "$CLIENT" 5

: >"$DIR/results.jsonl"
record() { jq -c --arg r "$1" '{row: $r} + .' <<<"$2" >>"$DIR/results.jsonl"; }
record_curl() { record "$1" "$(curl_json "$2")"; }
for round in $(seq "$SAMPLES"); do
    say "round $round of $SAMPLES"
    # After the last fetch of the round before, whose bytes may still drain from the origin's capped uplink.
    sleep 1
    record_curl origin-new "$(curl_new $CLIENT "$URL" "$DIR/www/image.jpg")"
    sleep 1
    record peers "$(timed_cat $CLIENT "$CID" "$DIR/www/image.jpg")"
    for policy in fallback prefetch head-start mixed; do
        sleep 1
        record "$policy" "$(timed_cat $CLIENT "$CID" "$DIR/www/image.jpg" --origin "$URL" --origin-policy "$policy")"
    done
done
while read -r line; do record_curl origin-kept "$line"; done < <(curl_kept $CLIENT "$URL" "$SAMPLES")

python3 - "$DIR/results.jsonl" "$JSON" "$SIZE" "$((2 * DELAY_MS))" <<'EOF'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
as_json, size, rtt = sys.argv[2] == "1", int(sys.argv[3]), int(sys.argv[4])
labels = [("origin-new", "origin alone, new connection (curl)"), ("origin-kept", "origin alone, kept alive (curl)"),
          ("peers", "peers alone (no origin)"), ("fallback", "basic (fallback)"), ("prefetch", "HTTP pre-fetch"),
          ("head-start", "HTTP HEAD-start"), ("mixed", "mixed HTTP and P2P")]
table = {}
for key, _ in labels:
    mine = [r for r in rows if r["row"] == key]
    if not mine:
        continue
    ttfb = statistics.mean(r["ttfb_ms"] for r in mine)
    ttlb = statistics.mean(r["ttlb_ms"] for r in mine)
    shares = [r["fetch"]["peerShare"] for r in mine if isinstance(r.get("fetch"), dict) and r["fetch"].get("peerShare") is not None]
    if key.startswith("origin"):
        share = 0.0
    else:
        share = statistics.mean(shares) if shares else None
    table[key] = {"ttfb_ms": ttfb, "ttlb_ms": ttlb, "peer_share": share, "samples": len(mine),
                  "effective_MBps": size / 1e6 / ((ttlb - ttfb) / 1000) if ttlb > ttfb else None,
                  "ttfb_p50_ms": statistics.median(r["ttfb_ms"] for r in mine),
                  "ttlb_p50_ms": statistics.median(r["ttlb_ms"] for r in mine)}
if as_json:
    print(json.dumps({"size": size, "rtt_ms": rtt, "rows": table}))
    sys.exit(0)
print(f"{size} bytes, RTT {rtt} ms; means of {max(t['samples'] for t in table.values())} samples")
print(f"{'':38} {'TTFB ms':>8} {'TTLB ms':>8} {'% P2P':>6} {'eff. MB/s':>9} {'TTFB p50':>9} {'TTLB p50':>9}")
for key, label in labels:
    t = table.get(key)
    if not t:
        continue
    share = "—" if t["peer_share"] is None else f"{t['peer_share'] * 100:.1f}"
    eff = "—" if t["effective_MBps"] is None else f"{t['effective_MBps']:.2f}"
    print(f"{label:38} {t['ttfb_ms']:8.1f} {t['ttlb_ms']:8.1f} {share:>6} {eff:>9} {t['ttfb_p50_ms']:9.1f} {t['ttlb_p50_ms']:9.1f}")
h, o, p = table.get("head-start"), table.get("origin-kept"), table.get("peers")
if h and o and p:
    print(f"head-start: TTFB {h['ttfb_ms'] / o['ttfb_ms']:.2f}x the origin alone kept alive "
          f"({h['ttfb_ms'] / table['origin-new']['ttfb_ms']:.2f}x on a new connection; goal within 1.10x); "
          f"TTLB {h['ttlb_ms'] / o['ttlb_ms']:.2f}x the origin alone kept alive, "
          f"{h['ttlb_ms'] / table['origin-new']['ttlb_ms']:.2f}x new, {h['ttlb_ms'] / p['ttlb_ms']:.2f}x peers alone "
          "(goal below 1 for both)")
EOF
