#!/usr/bin/env bash
# Resolve time of IPNS names on loopback, through the CLI as a user runs it (docs/BENCHMARKS.md, "Names: resolve
# time"), against the DHT's other lookups in the same run and swarm.
#
# NODES daemons on 127.0.0.1 (default 60: three times k = 20, so most nodes hold no copy of a record) join
# through the first. One node publishes NAMES names (each with its own key, --ttl 0s so that no resolver caches)
# and puts NAMES values. Then, for each name and each value, a random other node runs
#   dhtnode name resolve NAME --json      (GET_RECORD until 5 valid answers, corrections, IPNS validation)
#   dhtnode dht get KEY --json            (FIND_VALUE: ends at the first node that has it)   baseline 1
#   dhtnode dht find-node ID --json       (FIND_NODE to convergence on the 20 closest)       baseline 2
# timing each command's wall time (process start, the API call, the lookup) and reading the lookup's own
# elapsedSeconds and messagesSent from its JSON. Prints one table row per kind: p50 and p90.
#
# Usage: Benchmarks/ipns-resolve.sh [PATH/TO/dhtnode]   (default: `make release`, then .build/release/dhtnode)
# Environment: NODES, NAMES, KEEP=1 keeps the temporary folder. Needs jq.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
    DHTNODE=$(realpath "$1")
else
    make -C "$ROOT" --no-print-directory release >/dev/null || exit 1
    DHTNODE=$ROOT/.build/release/dhtnode
fi
NODES=${NODES:-60}
NAMES=${NAMES:-30}
SWARM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-ipns-bench.XXXXXX")
# shellcheck source=../scripts/swarm-lib.sh
source "$ROOT/scripts/swarm-lib.sh"
cleanup() {
    swarm_cleanup
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $SWARM_DIR" >&2; else rm -rf "$SWARM_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
dn() { local node=$1; shift; "$DHTNODE" "$@" --data "$SWARM_DIR/$node"; }

echo "starting $NODES daemons" >&2
swarm_start n0 --log-level warning --gateway off || exit 1
for i in $(seq 1 $((NODES - 1))); do
    swarm_start "n$i" --bootstrap "$(swarm_udp n0)" --log-level warning --gateway off || exit 1
done
swarm_wait_peers "n$((NODES - 1))" 20 || echo "warning: the last node knows fewer than 20 peers" >&2
sleep 2

echo "publishing $NAMES names and putting $NAMES values from n1" >&2
names=()
for i in $(seq 1 "$NAMES"); do
    dn n1 key gen "bench$i" >/dev/null
    names+=("$(dn n1 name publish "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi" --key "bench$i" --ttl 0s --quiet)")
    dn n1 dht put "bench-value-$i" "value $i" >/dev/null
done

# Runs a command on a random node other than n1; prints "WALL_MS LOOKUP_MS MESSAGES".
sample() {
    local node=n$(( (RANDOM % (NODES - 2)) + 2 ))
    local start end json
    start=$(date +%s%N)
    json=$(dn "$node" "$@" --json 2>/dev/null) || { echo "failed"; return; }
    end=$(date +%s%N)
    echo "$(( (end - start) / 1000000 )) $(jq -r '[(.elapsedSeconds // .lookup.elapsedSeconds) * 1000, (.messagesSent // .lookup.messagesSent // 0)] | @tsv' <<<"$json")"
}
: >"$SWARM_DIR/resolve" ; : >"$SWARM_DIR/get" ; : >"$SWARM_DIR/findnode"
for i in $(seq 1 "$NAMES"); do
    sample name resolve "${names[$((i - 1))]}" >>"$SWARM_DIR/resolve"
    sample dht get "bench-value-$i" >>"$SWARM_DIR/get"
    sample dht find-node "$(printf "bench-value-%s" "$i" | sha256sum | cut -c1-64)" >>"$SWARM_DIR/findnode"
done

# p50 and p90 of column C of FILE.
pct() { grep -v failed "$1" | awk -v c="$2" '{print $c}' | sort -n | awk '{a[NR]=$1} END {
    if (NR == 0) { print "n/a"; exit } printf "%.1f / %.1f", a[int((NR - 1) * 0.5) + 1], a[int((NR - 1) * 0.9) + 1] }'; }
failed() { grep -c failed "$1"; }
printf '%-36s %-20s %-20s %-14s %s\n' "command ($NODES daemons, $NAMES each)" "CLI wall ms p50/p90" "lookup ms p50/p90" "messages p50/p90" "failed"
printf '%-36s %-20s %-20s %-14s %s\n' "name resolve" "$(pct "$SWARM_DIR/resolve" 1)" "$(pct "$SWARM_DIR/resolve" 2)" "$(pct "$SWARM_DIR/resolve" 3)" "$(failed "$SWARM_DIR/resolve")"
printf '%-36s %-20s %-20s %-14s %s\n' "dht get (baseline 1)" "$(pct "$SWARM_DIR/get" 1)" "$(pct "$SWARM_DIR/get" 2)" "$(pct "$SWARM_DIR/get" 3)" "$(failed "$SWARM_DIR/get")"
printf '%-36s %-20s %-20s %-14s %s\n' "dht find-node (baseline 2)" "$(pct "$SWARM_DIR/findnode" 1)" "$(pct "$SWARM_DIR/findnode" 2)" "$(pct "$SWARM_DIR/findnode" 3)" "$(failed "$SWARM_DIR/findnode")"
