#!/usr/bin/env bash
# Small-file latency over a 40 ms RTT (docs/BENCHMARKS.md, "Small-file latency"; issue 6's goals: a 22 KB file from
# a member already connected through the rendezvous in at most 1.5 RTT at p50, with no connected provider in at
# most 6 RTT), against nginx + curl behind the same delay, in the same run.
#
# Every process runs in its own network namespace behind Benchmarks/delaynet.py, the user-space delay switch (no
# kernel netem here): DELAY_MS each way (default 20) on every packet, UDP and TCP, handshakes included.
#   lt<PID>-1  10.77.0.1  dhtnode run --bootstrap-node
#   lt<PID>-2  10.77.0.2  member (--swarm lat): adds SAMPLES files of SIZE random bytes (default 30 x 22,000);
#                         nginx serves one of them on 10.77.0.2:8080
#   lt<PID>-3  10.77.0.3  member (--swarm lat): the warm fetcher, connected to 2 through the rendezvous
#   lt<PID>-4, -5         two more members
#   lt<PID>-6  10.77.0.6  no --swarm: the cold fetcher, restarted before each fetch (it keeps its routing table,
#                         which it saves at stop, and has no connection)
# Each fetch is `curl` of GET /v1/cat/CID on the fetcher's local control API (loopback in its namespace, not
# delayed), time_total: what an application asking its daemon for a file waits. Every file is fetched once (a
# fetched file is stored, and would then be local), so each sample is a network fetch. Between warm fetches the
# connection idles for a second, as it would between a user's requests.
# The nginx rows: curl in namespace 3 of the file on namespace 2, one process per fetch (a new connection each
# time), then one process fetching it SAMPLES + 1 times over one kept-alive connection (the first dropped).
#
# TUNED=1 applies the same TCP settings to every namespace (dhtnode and nginx alike): initcwnd 32 on the route,
# and net.ipv4.tcp_slow_start_after_idle=0, so that neither a fresh connection nor one idle for a while starts a
# 22 KB response with a 10-segment window (an extra round trip). Without it the kernel defaults stand.
#
# Usage (as root): Benchmarks/latency.sh [PATH/TO/dhtnode] [--json]   (default: `make release`, then
# .build/release/dhtnode). Environment: SAMPLES, SIZE, DELAY_MS, TUNED, SESSION_WINDOW (default 10 s), KEEP=1 keeps
# the temporary folder (logs, timings). Needs ip, curl, jq, python3, nginx (installed with apt-get when missing).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HERE=$ROOT/Benchmarks
JSON=0
DHTNODE=
for arg in "$@"; do
    case $arg in
        --json) JSON=1 ;;
        -*) echo "usage: $0 [PATH/TO/dhtnode] [--json]" >&2; exit 2 ;;
        *) DHTNODE=$(realpath "$arg") ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "$0 needs root (network namespaces)" >&2; exit 2; }
if [ -z "$DHTNODE" ]; then
    make -C "$ROOT" --no-print-directory release >/dev/null || exit 1
    DHTNODE=$ROOT/.build/release/dhtnode
fi
if ! command -v nginx >/dev/null; then
    echo "installing nginx" >&2
    { apt-get install -y nginx-light || { apt-get update && apt-get install -y nginx-light; }; } >&2 ||
        { echo "could not install nginx" >&2; exit 2; }
fi
for tool in ip curl jq python3 nginx; do command -v $tool >/dev/null || { echo "$0 needs $tool" >&2; exit 2; }; done

SAMPLES=${SAMPLES:-30}
SIZE=${SIZE:-22000}
DELAY_MS=${DELAY_MS:-20}
SESSION_WINDOW=${SESSION_WINDOW:-10}
RTT=$(awk -v d="$DELAY_MS" 'BEGIN { print 2 * d }')
DELAYNET_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-latency.XXXXXX")
DIR=$DELAYNET_DIR
P=lt$$
PORT=4001
# shellcheck source=delaynet-lib.sh
source "$HERE/delaynet-lib.sh"
cleanup() {
    delaynet_cleanup
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $DIR" >&2; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "$@" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# node K: namespace, data folder, the dhtnode CLI inside its namespace, its API's URL and token.
ns() { echo "$P-$1"; }
data() { echo "$DIR/node$1"; }
cli() { local k=$1; shift; ip netns exec "$(ns "$k")" env DHTNODE_DATA="$(data "$k")" "$DHTNODE" "$@"; }
api_url() { jq -r .url "$(data "$1")/api.json"; }
api_token() { cat "$(data "$1")/api-token"; }

# Starts node K (`dhtnode run` in its namespace on 10.77.0.K) with extra options; waits for its API.
start_node() {
    local k=$1
    shift
    mkdir -p "$(data "$k")"
    rm -f "$(data "$k")/api.json"
    delaynet_bg "node$k" "$(ns "$k")" "$DHTNODE" run --data "$(data "$k")" --listen "10.77.0.$k:$PORT" \
        --api 127.0.0.1:0 --log-level warning "$@"
    local waited=0
    until [ -s "$(data "$k")/api.json" ]; do
        kill -0 "${DELAYNET_PIDS[node$k]}" 2>/dev/null || { cat "$DIR/node$k.log" >&2; fail "node $k exited at start"; }
        sleep 0.05
        waited=$((waited + 1))
        [ $waited -lt 600 ] || fail "node $k wrote no api.json within 30 s"
    done
}

# Prints curl's time_total (seconds) for GET /v1/cat/CID on node K's API; checks the bytes against FILE.
cat_time() {
    local k=$1 cid=$2 file=$3 out
    out=$(ip netns exec "$(ns "$k")" curl -s --max-time 30 -H "Authorization: Bearer $(api_token "$k")" \
        -o "$DIR/got" -w '%{http_code} %{time_total}' "$(api_url "$k")/v1/cat/$cid") || fail "curl of $cid on node $k"
    [ "${out%% *}" = 200 ] || fail "node $k answered ${out%% *} for $cid: $(head -c 300 "$DIR/got")"
    cmp -s "$DIR/got" "$file" || fail "node $k returned other bytes for $cid"
    echo "${out#* }"
}

say "latency: $SAMPLES files of $SIZE bytes, $DELAY_MS ms each way (RTT $RTT ms), TUNED=${TUNED:-0}; $(nproc) cores;" \
    "$(uname -sr); load $(cut -d' ' -f1-3 /proc/loadavg)"
delaynet_start 6 "$P" --delay-ms "$DELAY_MS" || exit 1
if [ "${TUNED:-0}" = 1 ]; then
    for k in 1 2 3 4 5 6; do
        ip -n "$(ns "$k")" route change 10.77.0.0/16 dev dn0 proto kernel scope link src "10.77.0.$k" initcwnd 32 ||
            fail "cannot set initcwnd in $(ns "$k")"
        ip netns exec "$(ns "$k")" sysctl -qw net.ipv4.tcp_slow_start_after_idle=0 ||
            fail "cannot set tcp_slow_start_after_idle in $(ns "$k")"
    done
fi

# --- the swarm ---
start_node 1 --bootstrap-node
MEMBER=(--bootstrap "10.77.0.1:$PORT" --swarm lat --session-window "$SESSION_WINDOW")
for k in 2 3 4 5; do start_node "$k" "${MEMBER[@]}"; done
start_node 6 --bootstrap "10.77.0.1:$PORT"
PROVIDER_ID=$(jq -r .nodeID "$(data 2)/api.json")

say "adding $SAMPLES files on node 2"
mkdir -p "$DIR/files"
CIDS=()
for i in $(seq "$SAMPLES"); do
    head -c "$SIZE" /dev/urandom >"$DIR/files/$i"
    CIDS+=("$(cli 2 add "$DIR/files/$i" --quiet)") || fail "add $i"
done
# Announced in the background: wait until the last one is found from the cold node's side.
for _ in $(seq 150); do
    cli 6 dht providers "${CIDS[-1]}" --json 2>/dev/null | jq -e --arg id "$PROVIDER_ID" \
        '.providers | map(.id) | index($id)' >/dev/null && break
    sleep 0.2
done
cli 6 dht providers "${CIDS[-1]}" --json | jq -e --arg id "$PROVIDER_ID" '.providers | map(.id) | index($id)' \
    >/dev/null || fail "the files' provider records did not appear"

say "waiting for node 3 to connect to node 2 through the rendezvous"
for _ in $(seq $((SESSION_WINDOW * 30))); do
    cli 3 peers --json 2>/dev/null | jq -e --arg id "$PROVIDER_ID" \
        '.peers | map(select(.id == $id and .rendezvous)) | length > 0' >/dev/null && break
    sleep 0.1
done
cli 3 peers --json | jq -e --arg id "$PROVIDER_ID" '.peers | map(select(.id == $id and .rendezvous)) | length > 0' \
    >/dev/null || fail "node 3 did not connect to node 2 through the rendezvous within $((SESSION_WINDOW * 3)) s"

say "warm: node 3 fetches each file once (a connected rendezvous member has it)"
for i in $(seq "$SAMPLES"); do
    sleep 1
    cat_time 3 "${CIDS[$((i - 1))]}" "$DIR/files/$i" >>"$DIR/warm.txt"
done

say "cold: node 6 (no swarm) restarted before each fetch: DHT lookup, connect, handshake, fetch"
for i in $(seq "$SAMPLES"); do
    delaynet_kill node6
    start_node 6 --bootstrap "10.77.0.1:$PORT"
    sleep 0.5
    cat_time 6 "${CIDS[$((i - 1))]}" "$DIR/files/$i" >>"$DIR/cold.txt"
done

# --- nginx on node 2's namespace, curl from node 3's ---
mkdir -p "$DIR/www"
cp "$DIR/files/1" "$DIR/www/file" && chmod 644 "$DIR/www/file"
delaynet_nginx "$(ns 2)" 10.77.0.2:8080 "$DIR/www"
URL=http://10.77.0.2:8080/file
for _ in $(seq 100); do
    ip netns exec "$(ns 3)" curl -s -o "$DIR/got" --max-time 2 "$URL" && break
    sleep 0.1
done
cmp -s "$DIR/got" "$DIR/www/file" || fail "nginx did not serve the file"
say "nginx: $SAMPLES new connections, then one kept-alive connection"
for _ in $(seq "$SAMPLES"); do
    ip netns exec "$(ns 3)" curl -s -o /dev/null --max-time 10 -w '%{time_total}\n' "$URL" >>"$DIR/nginx-new.txt"
done
args=()
for _ in $(seq $((SAMPLES + 1))); do args+=(-o /dev/null "$URL"); done
ip netns exec "$(ns 3)" curl -s --max-time 120 -w '%{time_total}\n' "${args[@]}" | tail -n +2 >"$DIR/nginx-kept.txt"

python3 - "$DIR" "$RTT" "$JSON" "$SAMPLES" "$SIZE" "${TUNED:-0}" <<'EOF'
import json, os, sys
folder, rtt, as_json, samples, size, tuned = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1", int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] == "1"

def summary(name):
    with open(os.path.join(folder, name)) as f:
        values = sorted(float(line) * 1000 for line in f if line.strip())
    pick = lambda p: values[min(len(values) - 1, max(0, -(-len(values) * p // 100) - 1))]  # nearest rank
    ms = {"p50": pick(50), "p90": pick(90), "max": values[-1]}
    return {"samples": len(values), "ms": {k: round(v, 1) for k, v in ms.items()},
            "rtt": {k: round(v / rtt, 2) for k, v in ms.items()}}

rows = [("dhtnode, rendezvous member connected", "warm", "warm.txt", 1.5),
        ("dhtnode, cold (lookup + connect)", "cold", "cold.txt", 6.0),
        ("nginx + curl, new connection", "nginx_new", "nginx-new.txt", None),
        ("nginx + curl, kept alive", "nginx_kept_alive", "nginx-kept.txt", None)]
result = {"rtt_ms": rtt, "size": size, "samples": samples, "tuned": tuned}
for _, key, name, goal in rows:
    result[key] = summary(name)
    if goal is not None:
        result[key]["goal_rtt_p50"] = goal
        result[key]["met"] = result[key]["rtt"]["p50"] <= goal
if as_json:
    print(json.dumps(result))
else:
    print(f"{'':38} {'p50 ms':>7} {'p90 ms':>7} {'max ms':>7} {'p50 RTT':>8} {'p90 RTT':>8}  goal")
    for label, key, _, goal in rows:
        r = result[key]
        verdict = "" if goal is None else f"p50 <= {goal:g} RTT: {'met' if r['met'] else 'MISSED'}"
        print(f"{label:38} {r['ms']['p50']:7.1f} {r['ms']['p90']:7.1f} {r['ms']['max']:7.1f} "
              f"{r['rtt']['p50']:8.2f} {r['rtt']['p90']:8.2f}  {verdict}")
    print(f"(RTT {rtt:g} ms; {samples} files of {size} bytes; "
          + ("TUNED: initcwnd 32, tcp_slow_start_after_idle=0" if tuned else "kernel TCP defaults") + ")")
EOF
