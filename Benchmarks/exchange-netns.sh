#!/usr/bin/env bash
# The capped-seeders benchmark of docs/BENCHMARKS.md ("Block exchange between daemons", issue 5): SEEDERS seeders
# (default 8), each one's uplink capped at RATE (default 20mbit) by `tc qdisc ... tbf` on its own interface, and
# one fetcher fetch a SIZE MiB file (default 64) of random bytes; the fetch's throughput (`dhtnode get --stats
# --json`, daemon side) is compared with the seeders' summed uplink. Goal: at least 90% of it, duplicates at
# most 2%.
#
# Network: one network namespace per node (bootstrap node, fetcher, seeders) plus a hub namespace holding a
# bridge; each node's namespace has `lo` and `eth0`, a veth whose other end is on the bridge, with an address in
# 10.77.0.0/24 (bootstrap .1, fetcher .2, seeders .11 and up). Every daemon listens on ADDR:4001 (UDP DHT and
# TCP exchange) and serves its API on the namespace's own 127.0.0.1, so every CLI call runs under
# `ip netns exec`. The root namespace is not touched. RUNS (default 3) fetches, each by a freshly started
# fetcher with an empty repository (same identity and address).
#
# Usage (as root): Benchmarks/exchange-netns.sh [PATH/TO/dhtnode]   (default: builds .build/release/dhtnode)
# Environment: SEEDERS, RATE (tc syntax), SIZE (MiB), RUNS, LOG_LEVEL (the daemons', default warning), KEEP=1
# keeps the temporary folder (with every daemon's log), QUIET=PCT starts the plain TCP baseline and each fetch only
# after a probe of a few seconds found at most PCT % stolen by the hypervisor (Benchmarks/quiet-lib.sh).
# Needs ip, tc (iproute2), jq, cmp. At exit it kills every daemon it started (by PID) and deletes its namespaces
# (which deletes the veths and the bridge).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
    DHTNODE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
    (cd "$ROOT" && swift build -c release --product dhtnode >/dev/null) || exit 1
    DHTNODE=$ROOT/.build/release/dhtnode
fi
[ -x "$DHTNODE" ] || { echo "no dhtnode at $DHTNODE" >&2; exit 2; }
for tool in ip tc jq cmp; do command -v $tool >/dev/null || { echo "$0 needs $tool" >&2; exit 2; }; done
[ "$(id -u)" = 0 ] || { echo "$0 needs root (network namespaces)" >&2; exit 2; }
# shellcheck source=quiet-lib.sh
source "$ROOT/Benchmarks/quiet-lib.sh"
SEEDERS=${SEEDERS:-8}
RATE=${RATE:-20mbit}
SIZE=${SIZE:-64}
RUNS=${RUNS:-3}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-xnetns.XXXXXX")
P=xb$$             # namespace prefix, unique per run
HUB=$P-hub
declare -A PIDS=()
NAMESPACES=()

cleanup() {
    local name
    for name in "${!PIDS[@]}"; do kill -KILL "${PIDS[$name]}" 2>/dev/null; wait "${PIDS[$name]}" 2>/dev/null; done
    for name in "${NAMESPACES[@]}"; do ip netns del "$name" 2>/dev/null; done
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export DHTNODE_DATA=$DIR/unused-default

FAILED=0
problem() { FAILED=$((FAILED + 1)); echo "PROBLEM: $*"; }
in_ns() { local name=$1; shift; ip netns exec "$P-$name" "$@"; }
dn() { local name=$1; shift; in_ns "$name" "$DHTNODE" "$@" --data "$DIR/$name"; }
dr() { local name=$1; shift; DHTNODE_DATA="$DIR/$name" in_ns "$name" "$DHTNODE" "$@"; }

echo "dhtnode: $DHTNODE; $(nproc) cores; $(uname -sr); $SEEDERS seeders at $RATE each, $SIZE MiB, $RUNS runs"

# --- Network ---
ip netns add "$HUB" || exit 1
NAMESPACES+=("$HUB")
ip -n "$HUB" link add br0 type bridge
ip -n "$HUB" link set br0 up
ip -n "$HUB" link set lo up
declare -A ADDR=()
# add_ns NAME HOST: namespace $P-NAME with eth0 = 10.77.0.HOST/24 on the hub's bridge.
add_ns() {
    local name=$1 host=$2 ns=$P-$1
    ip netns add "$ns" || return 1
    NAMESPACES+=("$ns")
    ip link add eth0 netns "$ns" type veth peer name "v-$name" netns "$HUB" || return 1
    ip -n "$HUB" link set "v-$name" master br0
    ip -n "$HUB" link set "v-$name" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "10.77.0.$host/24" dev eth0
    ip -n "$ns" link set eth0 up
    ADDR[$name]=10.77.0.$host
}
add_ns boot 1 || exit 1
add_ns fetch 2 || exit 1
for i in $(seq 1 "$SEEDERS"); do
    add_ns "s$i" $((10 + i)) || exit 1
    ip netns exec "$P-s$i" tc qdisc add dev eth0 root tbf rate "$RATE" burst 32kbit latency 400ms || exit 1
done

# --- Baseline: plain TCP through the same links ---
# SEEDERS python3 senders (one per seeder namespace) each send SIZE/SEEDERS MiB to one receiver in the fetcher's
# namespace; once all are connected the receiver says go, and the rate from then to the last byte is what TCP
# itself gets through the capped links (tbf counts Ethernet, IP and TCP headers too, so it is below RATE x
# SEEDERS). Skipped without python3 or with BASELINE=0.
RAW=
if command -v python3 >/dev/null && [ "${BASELINE:-1}" = 1 ]; then
    wait_quiet
    in_ns fetch python3 -c '
import socket, sys, threading, time
n = int(sys.argv[2]); srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[1], 5999)); srv.listen(n); print("ready", flush=True)
total = [0]; lock = threading.Lock()
def drain(c):
    got = 0
    while True:
        b = c.recv(1 << 20)
        if not b: break
        got += len(b)
    with lock: total[0] += got
conns = [srv.accept()[0] for _ in range(n)]
start = time.monotonic()
for c in conns: c.sendall(b"g")
threads = [threading.Thread(target=drain, args=(c,)) for c in conns]
for t in threads: t.start()
for t in threads: t.join()
print(total[0] / (time.monotonic() - start))
' "${ADDR[fetch]}" "$SEEDERS" >"$DIR/raw.out" 2>&1 &
    RAWPID=$!
    PIDS[raw]=$RAWPID
    for _ in $(seq 1 50); do grep -q ready "$DIR/raw.out" 2>/dev/null && break; sleep 0.1; done
    for i in $(seq 1 "$SEEDERS"); do
        in_ns "s$i" python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 5999)); chunk = bytes(1 << 20)
s.recv(1)
for _ in range(int(sys.argv[2])): s.sendall(chunk)
s.close()
' "${ADDR[fetch]}" $((SIZE / SEEDERS)) &
        PIDS[raw$i]=$!
    done
    for i in $(seq 1 "$SEEDERS"); do wait "${PIDS[raw$i]}"; unset "PIDS[raw$i]"; done
    wait "$RAWPID"
    unset "PIDS[raw]"
    RAW=$(tail -n 1 "$DIR/raw.out")
    echo "plain TCP, $SEEDERS streams of $((SIZE / SEEDERS)) MiB: $(awk -v r="$RAW" 'BEGIN { printf "%.2f MB/s", r / 1e6 }')"
fi

# --- Daemons ---
# start NAME [options]: runs dhtnode in namespace NAME on ADDR:4001 and waits for its api.json.
start() {
    local name=$1 data=$DIR/$1
    shift
    mkdir -p "$data"
    rm -f "$data/api.json"
    ip netns exec "$P-$name" "$DHTNODE" run --data "$data" --listen "${ADDR[$name]}:4001" --api 127.0.0.1:0 \
        --log-level "${LOG_LEVEL:-warning}" "$@" >>"$DIR/$name.log" 2>&1 &
    PIDS[$name]=$!
    local waited=0
    while [ ! -s "$data/api.json" ]; do
        kill -0 "${PIDS[$name]}" 2>/dev/null || { echo "$name exited:" >&2; tail -n 20 "$DIR/$name.log" >&2; return 1; }
        sleep 0.1
        waited=$((waited + 1))
        [ $waited -ge 300 ] && return 1
    done
    return 0
}
stop() {
    local pid=${PIDS[$1]:-}
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ $waited -lt 300 ]; do sleep 0.1; waited=$((waited + 1)); done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    unset "PIDS[$1]"
}
wait_peers() {
    local name=$1 want=$2 count waited=0
    while :; do
        count=$(dn "$name" peers --json 2>/dev/null | jq '.peers | length' 2>/dev/null)
        [ "${count:-0}" -ge "$want" ] && return 0
        sleep 0.2
        waited=$((waited + 1))
        [ $waited -ge 150 ] && return 1
    done
}
wait_providers() {
    local name=$1 key=$2 want=$3 count waited=0
    while :; do
        count=$(dn "$name" dht providers "$key" --json 2>/dev/null | jq '.providers | length' 2>/dev/null)
        [ "${count:-0}" -ge "$want" ] && return 0
        sleep 0.3
        waited=$((waited + 1))
        [ $waited -ge 100 ] && return 1
    done
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

start boot || exit 1
for i in $(seq 1 "$SEEDERS"); do start "s$i" --bootstrap "${ADDR[boot]}:4001" || exit 1; done
for i in $(seq 1 "$SEEDERS"); do wait_peers "s$i" 1 || problem "s$i has no peers"; done
head -c $((SIZE * 1024 * 1024)) /dev/urandom >"$DIR/file.bin"
for i in $(seq 1 "$SEEDERS"); do cid=$(dr "s$i" add "$DIR/file.bin" --quiet) || problem "s$i cannot add"; done
echo "file: $cid"
echo "seeders: $(for i in $(seq 1 "$SEEDERS"); do printf 's%s=%s ' "$i" "$(jq -r '.nodeID[0:6]' "$DIR/s$i/api.json")"; done)"

# The summed uplink in bytes per second, from RATE as tc reads it (bit, kbit, mbit, gbit; 1k = 1000).
rate_bits=$(awk -v r="$RATE" 'BEGIN { n = r + 0; u = tolower(substr(r, length(n "") + 1));
    m = (u ~ /^k/) ? 1e3 : (u ~ /^m/) ? 1e6 : (u ~ /^g/) ? 1e9 : 1; print n * m }')
uplink=$(awk -v b="$rate_bits" -v n="$SEEDERS" 'BEGIN { print b * n / 8 }')

for run in $(seq 1 "$RUNS"); do
    stop fetch
    rm -rf "$DIR/fetch/repo"
    start fetch --bootstrap "${ADDR[boot]}:4001" || { problem "the fetcher does not start"; continue; }
    wait_peers fetch 1 || problem "the fetcher has no peers"
    wait_providers fetch "$cid" "$SEEDERS" || problem "run $run: the fetcher sees fewer than $SEEDERS providers"
    wait_quiet
    echo "run $run, load: $(uptime | sed 's/.*load average: //')$([ -r /proc/pressure/cpu ] &&
        awk '/^some/ { sub("avg10=", "", $2); printf "; CPU pressure (10 s): %s%%", $2 }' /proc/pressure/cpu)"
    stats=$(dn fetch get "$cid" -o "$DIR/fetch.out" --quiet --stats --json) || problem "run $run: get failed"
    cmp -s "$DIR/file.bin" "$DIR/fetch.out" || problem "run $run: fetched bytes differ"
    rm -f "$DIR/fetch.out"
    echo "$stats" | jq -c . >>"$DIR/runs.jsonl"
    jq -r --argjson up "$uplink" '"     \(.throughput / 1e6 * 100 | round / 100) MB/s = \(.throughput / $up * 1000 | round / 10)% of the summed uplink, TTFB \(.timeToFirstByte * 1000 | round) ms, TTLB \(.timeToLastByte * 100 | round / 100) s, dup \(.duplicateRatio * 10000 | round / 100)%, rerequests \(.rerequests), \(.peers | length) peers, MiB each: \([.peers[] | "\(.id[0:6])=\(.bytes / 1048576 * 10 | round / 10)"] | join(" "))\n       first-last block (s): \([.peers[] | "\(.id[0:6])=\((.firstBlock // 0) * 100 | round / 100)-\((.lastBlock // 0) * 100 | round / 100)"] | join(" "))"' <<<"$stats"
    jq -e --argjson n "$SEEDERS" '(.peers | length) == $n and all(.peers[]; .bytes > 0)' <<<"$stats" >/dev/null ||
        problem "run $run: not every seeder sent bytes"
done
stop fetch

if [ -s "$DIR/runs.jsonl" ]; then
    t=$(jq -r .throughput "$DIR/runs.jsonl" | median)
    d=$(jq -r .duplicateRatio "$DIR/runs.jsonl" | median)
    awk -v t="$t" -v d="$d" -v up="$uplink" -v n="$RUNS" -v raw="${RAW:-0}" 'BEGIN {
        f = t / up
        printf "median of %d runs: %.2f MB/s of %.2f MB/s summed uplink = %.1f%% (goal >= 90%%: %s); duplicates %.2f%% (goal <= 2%%: %s)\n",
            n, t / 1e6, up / 1e6, 100 * f, (f >= 0.9 ? "met" : "MISSED"), 100 * d, (d <= 0.02 ? "met" : "MISSED")
        if (raw > 0) printf "against plain TCP through the same links (%.2f MB/s): %.1f%%\n", raw / 1e6, 100 * t / raw }'
fi
# Packets each seeder's tbf dropped (a full queue: TCP then backs off) over all runs.
echo "tbf drops per seeder: $(for i in $(seq 1 "$SEEDERS"); do
    ip netns exec "$P-s$i" tc -s qdisc show dev eth0 | awk '/dropped/ { gsub(",", ""); printf "%s ", $7 }'
done)"
for i in $(seq 1 "$SEEDERS"); do stop "s$i"; done
stop boot
echo "$FAILED problems"
[ "$FAILED" -eq 0 ]
