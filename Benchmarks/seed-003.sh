#!/usr/bin/env bash
# The MIT P2P CDN study's Tests 1–3 (../shared/background/003_*, its Tables 1–5) on one machine: hosts pin a 22 KB
# image and a 134 MB video, a client fetches them through the CLI from the hosts (peers only, and with
# `--origin-policy mixed`: the origin as one more source) and from the origin alone (nginx, timed with curl), at the
# same RTT. Prints the tables' columns: origin ms, P2P ms with all hosts and with residential hosts only, ratio
# (origin / P2P, as the study's: above 1 means P2P is faster).
#
# Network: every process in its own namespace behind Benchmarks/delaynet.py (user-space delay switch), DELAY_MS each
# way on every packet (default 20: RTT 40 ms between any two namespaces), links capped by the switch (--link):
#   <P>-1  10.77.0.1  dhtnode run --bootstrap-node                                  uncapped
#   <P>-2  10.77.0.2  campus host (--swarm s003), pins both files                   uncapped ("bidirectional gigabit")
#   <P>-3  10.77.0.3  campus host                                                   uncapped
#   <P>-4  10.77.0.4  residential host                                              RES_UP / RES_DOWN Mbit/s (6/25)
#   <P>-5  10.77.0.5  residential host                                              RES_UP / RES_DOWN
#   <P>-6  10.77.0.6  nginx: the origin (the CDN)                                   uncapped
#   <P>-7  10.77.0.7  nginx: a slow origin, the same files                          SLOW_ORIGIN Mbit/s up (10)
#   <P>-8  10.77.0.8  the client (--swarm s003: connected to every host through     CLIENT_UP / CLIENT_DOWN (6/25)
#                     the session rendezvous before it fetches, as the study's
#                     session-based discovery keeps it)
# "Uncapped" is the switch's own limit: one Python process, about 400 Mbit/s in all on this VM.
#
# Each P2P fetch is `dhtnode get CID -o FILE` (Benchmarks/timed-fetch.py: wall time of the CLI process, as the
# study's `time ipfs get`), after `dhtnode gc` on the client so that every block comes over the network; and, as the
# study's browser extension sent a page's images to the local node, SAMPLES distinct images of the same size through
# the client's gateway (curl's time_total per image over one kept-alive connection, after a gc; row "gateway"); the
# daemon's statistics of the fetch (GET /v1/fetches/CID) give the share served by peers. The origin is `curl`'s own
# time_total (as the study's): the image on a new connection each time and over one kept-alive connection, the video
# on a new connection. The image: SAMPLES fetches of each kind (default 10, as the study), one second apart (a
# connection idles between a user's requests); the video: RUNS (default 1; the study's 3). Then the campus hosts
# stop (Test 3: residential hosts only) and the client's fetches run again.
#
# Usage (as root): Benchmarks/seed-003.sh [PATH/TO/dhtnode] [--json]   (default: `make release`, then
# .build/release/dhtnode). Environment: PART (image, video or both; default both), SAMPLES, RUNS, DELAY_MS,
# IMAGE_BYTES (22000), VIDEO_BYTES (134400000), RES_UP, RES_DOWN, CLIENT_UP, CLIENT_DOWN, SLOW_ORIGIN (Mbit/s),
# BUFFER_MS (the capped links' queue, default 50), KEEP=1 keeps the temporary folder (logs, every measurement in
# results.jsonl). Needs ip, curl, jq, python3, nginx. Stops every process it started by PID, and the switch deletes
# its namespaces.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=delaynet-lib.sh
source "$HERE/delaynet-lib.sh"
# shellcheck source=origins-lib.sh
source "$HERE/origins-lib.sh"
origins_prologue "$@"

PART=${PART:-both}
SAMPLES=${SAMPLES:-10}
RUNS=${RUNS:-1}
DELAY_MS=${DELAY_MS:-20}
IMAGE_BYTES=${IMAGE_BYTES:-22000}
VIDEO_BYTES=${VIDEO_BYTES:-134400000}
RES_UP=${RES_UP:-6}
RES_DOWN=${RES_DOWN:-25}
CLIENT_UP=${CLIENT_UP:-6}
CLIENT_DOWN=${CLIENT_DOWN:-25}
SLOW_ORIGIN=${SLOW_ORIGIN:-10}
BUFFER_MS=${BUFFER_MS:-50}
case $PART in image | video | both) ;; *) echo "PART is image, video or both" >&2; exit 2 ;; esac
CLIENT=8
origins_workspace seed003 s3

say "seed-003: PART=$PART, RTT $((2 * DELAY_MS)) ms, residential hosts $RES_UP/$RES_DOWN Mbit/s, client" \
    "$CLIENT_UP/$CLIENT_DOWN, slow origin $SLOW_ORIGIN up; $SAMPLES image samples, $RUNS video runs; $(nproc) cores;" \
    "$(uname -sr); load $(cut -d' ' -f1-3 /proc/loadavg)"
delaynet_start 8 "$P" --delay-ms "$DELAY_MS" --buffer-ms "$BUFFER_MS" \
    --link "4=$RES_UP/$RES_DOWN" --link "5=$RES_UP/$RES_DOWN" --link "7=$SLOW_ORIGIN/" \
    --link "$CLIENT=$CLIENT_UP/$CLIENT_DOWN" || exit 1

# --- the files, the hosts, the origins ---
mkdir -p "$DIR/www"
head -c "$IMAGE_BYTES" /dev/urandom >"$DIR/www/image.jpg"
[ "$PART" = image ] || head -c "$VIDEO_BYTES" /dev/urandom >"$DIR/www/video.mp4"
chmod 644 "$DIR"/www/*
node_start 1 --bootstrap-node
MEMBER=(--bootstrap "10.77.0.1:$PORT" --swarm s003 --session-window 5 --no-rate-limits)
for k in 2 3 4 5; do node_start "$k" "${MEMBER[@]}"; done
NODE_GATEWAY=127.0.0.1:8080 node_start "$CLIENT" "${MEMBER[@]}"
# SAMPLES more images for the gateway row, distinct so that one kept-alive curl fetches each over the network.
GATEWAY_IMAGES=()
if [ "$PART" != video ]; then
    for i in $(seq "$SAMPLES"); do head -c "$IMAGE_BYTES" /dev/urandom >"$DIR/www/image-$i.jpg"; done
fi
for k in 2 3 4 5; do
    IMAGE=$(node_cli "$k" add "$DIR/www/image.jpg" --quiet) || fail "add the image on node $k"
    if [ "$PART" != video ]; then
        GATEWAY_IMAGES=()
        for i in $(seq "$SAMPLES"); do
            GATEWAY_IMAGES+=("$(node_cli "$k" add "$DIR/www/image-$i.jpg" --quiet)") || fail "add image $i on node $k"
        done
    fi
    [ "$PART" = image ] || VIDEO=$(node_cli "$k" add "$DIR/www/video.mp4" --quiet) || fail "add the video on node $k"
done
delaynet_nginx "$(node_ns 6)" 10.77.0.6:8080 "$DIR/www" origin
delaynet_nginx "$(node_ns 7)" 10.77.0.7:8080 "$DIR/www" slow-origin
ORIGIN=http://10.77.0.6:8080
SLOW=http://10.77.0.7:8080
for url in $ORIGIN $SLOW; do
    for _ in $(seq 100); do
        ip netns exec "$(node_ns $CLIENT)" curl -s -o /dev/null --max-time 2 "$url/image.jpg" && break
        sleep 0.1
    done
done
say "waiting for the client to be connected to the four hosts through the rendezvous"
wait_members "$CLIENT" 4
: >"$DIR/results.jsonl"
# record TOPOLOGY FILE ROW JSON: one measurement.
record() { jq -c --arg t "$1" --arg f "$2" --arg r "$3" '{topology: $t, file: $f, row: $r} + .' <<<"$4" >>"$DIR/results.jsonl"; }
# record_curl TOPOLOGY FILE ROW "TTFB TTLB"
record_curl() { record "$1" "$2" "$3" "$(curl_json "$4")"; }

measure_origins() {
    if [ "$PART" != video ]; then
        say "origin: the image, $SAMPLES new connections and $SAMPLES over one kept-alive connection"
        for _ in $(seq "$SAMPLES"); do
            record_curl - image origin-new "$(curl_new $CLIENT "$ORIGIN/image.jpg" "$DIR/www/image.jpg")"
        done
        while read -r line; do record_curl - image origin-kept "$line"; done \
            < <(curl_kept $CLIENT "$ORIGIN/image.jpg" "$SAMPLES")
    fi
    if [ "$PART" != image ]; then
        for _ in $(seq "$RUNS"); do
            say "origin: the video from the origin, then from the slow origin"
            record_curl - video origin "$(curl_new $CLIENT "$ORIGIN/video.mp4" "$DIR/www/video.mp4")"
            record_curl - video slow-origin "$(curl_new $CLIENT "$SLOW/video.mp4" "$DIR/www/video.mp4")"
        done
    fi
}

measure_peers() {
    local topology=$1
    if [ "$PART" != video ]; then
        say "$topology: the image, $SAMPLES fetches peers only and $SAMPLES with mixed, alternating"
        for _ in $(seq "$SAMPLES"); do
            sleep 1
            record "$topology" image peers "$(timed_get $CLIENT "$IMAGE" "$DIR/www/image.jpg")"
            sleep 1
            record "$topology" image mixed "$(timed_get $CLIENT "$IMAGE" "$DIR/www/image.jpg" \
                --origin "$ORIGIN/image.jpg" --origin-policy mixed)"
        done
        say "$topology: $SAMPLES images through the client's gateway over one kept-alive connection (as a browser)"
        node_cli "$CLIENT" gc >/dev/null || fail "gc on the client"
        local urls=() line i=0
        for cid in "${GATEWAY_IMAGES[@]}"; do urls+=("http://127.0.0.1:8080/ipfs/$cid"); done
        while read -r line; do
            i=$((i + 1))
            cmp -s "$DIR/each-$i" "$DIR/www/image-$i.jpg" || fail "the gateway's image $i: other bytes"
            record_curl "$topology" image gateway "$line"
        done < <(curl_kept_each "$CLIENT" "${urls[@]}" || fail "curl through the gateway")
        [ "$i" = "$SAMPLES" ] || fail "the gateway answered $i of $SAMPLES images"
    fi
    if [ "$PART" != image ]; then
        for _ in $(seq "$RUNS"); do
            say "$topology: the video peers only, mixed with the origin, mixed with the slow origin"
            record "$topology" video peers "$(timed_get $CLIENT "$VIDEO" "$DIR/www/video.mp4")"
            record "$topology" video mixed "$(timed_get $CLIENT "$VIDEO" "$DIR/www/video.mp4" \
                --origin "$ORIGIN/video.mp4" --origin-policy mixed)"
            record "$topology" video mixed-slow "$(timed_get $CLIENT "$VIDEO" "$DIR/www/video.mp4" \
                --origin "$SLOW/video.mp4" --origin-policy mixed)"
        done
    fi
}

measure_origins
measure_peers all
say "stopping the campus hosts (Test 3: residential hosts only)"
delaynet_kill node2
delaynet_kill node3
sleep 1
measure_peers residential

python3 - "$DIR/results.jsonl" "$JSON" "$((2 * DELAY_MS))" <<'EOF'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
as_json, rtt = sys.argv[2] == "1", int(sys.argv[3])

def pick(topology, file, row, key="ttlb_ms"):
    return [r[key] for r in rows if r["topology"] == topology and r["file"] == file and r["row"] == row]

def share(topology, file, row):
    values = [r["fetch"]["peerShare"] for r in rows if r["topology"] == topology and r["file"] == file
              and r["row"] == row and isinstance(r.get("fetch"), dict) and r["fetch"].get("peerShare") is not None]
    return statistics.mean(values) if values else None

summary = {"rtt_ms": rtt, "image": {}, "video": {}}
mean = lambda v: statistics.mean(v) if v else None
for row in ("origin-new", "origin-kept"):
    summary["image"][row] = mean(pick("-", "image", row))
for row in ("origin", "slow-origin"):
    summary["video"][row] = mean(pick("-", "video", row))
for topology in ("all", "residential"):
    for file in ("image", "video"):
        for row in ("peers", "mixed", "mixed-slow", "gateway"):
            values = pick(topology, file, row)
            if values:
                summary[file][f"{topology}/{row}"] = {"ms": mean(values), "p50_ms": statistics.median(values),
                                                     "samples": len(values), "peer_share": share(topology, file, row)}
if as_json:
    print(json.dumps(summary))
    sys.exit(0)

def fmt(v, scale=1.0, digits=1):
    return "—" if v is None else f"{v / scale:.{digits}f}"

def ratio(a, b):
    return "—" if a is None or b is None else f"{a / b:.2f}"

def cell(file, key):
    entry = summary[file].get(key)
    return (entry["ms"], entry["peer_share"]) if entry else (None, None)

image = summary["image"]
if image.get("origin-kept") is not None:
    print(f"Image (ms, mean of the samples; RTT {rtt} ms). Ratio = origin / P2P (above 1: P2P faster).")
    print(f"{'':14} {'origin kept-alive':>17} {'origin new conn':>15} {'P2P (all)':>10} {'ratio kept':>10} "
          f"{'ratio new':>9} {'P2P (res)':>10} {'ratio kept':>10} {'ratio new':>9} {'peers % all/res':>16}")
    for row in ("peers", "mixed", "gateway"):
        a, sa = cell("image", f"all/{row}")
        r, sr = cell("image", f"residential/{row}")
        kept, new = image["origin-kept"], image["origin-new"]
        print(f"{row:14} {fmt(kept):>17} {fmt(new):>15} {fmt(a):>10} {ratio(kept, a):>10} {ratio(new, a):>9} "
              f"{fmt(r):>10} {ratio(kept, r):>10} {ratio(new, r):>9} "
              f"{fmt(sa, 0.01, 0) + '/' + fmt(sr, 0.01, 0):>16}")
video = summary["video"]
if video.get("origin") is not None:
    print(f"Video (s; RTT {rtt} ms). Ratio = origin alone / P2P (above 1: P2P faster).")
    print(f"{'':22} {'origin':>8} {'P2P (all)':>10} {'ratio':>6} {'P2P (res)':>10} {'ratio':>6} {'peers % all/res':>16}")
    for label, key, origin in (("peers only", "peers", "origin"), ("mixed, origin", "mixed", "origin"),
                               ("peers only", "peers", "slow-origin"), ("mixed, slow origin", "mixed-slow", "slow-origin")):
        a, sa = cell("video", f"all/{key}")
        r, sr = cell("video", f"residential/{key}")
        o = video[origin]
        name = label + (" (vs slow)" if origin == "slow-origin" and key == "peers" else "")
        print(f"{name:22} {fmt(o, 1000, 2):>8} {fmt(a, 1000, 2):>10} {ratio(o, a):>6} {fmt(r, 1000, 2):>10} "
              f"{ratio(o, r):>6} {fmt(sa, 0.01, 0) + '/' + fmt(sr, 0.01, 0):>16}")
EOF
