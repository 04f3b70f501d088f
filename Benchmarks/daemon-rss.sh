#!/usr/bin/env bash
# The idle daemon's memory (docs/BENCHMARKS.md, "Daemon: idle RSS"; goal: at most 30 MiB).
#
# Starts a bootstrap node and PEERS more `dhtnode run` processes on loopback, lets them join, waits SETTLE seconds
# (default 10), and reads VmRSS and VmHWM from /proc/PID/status of every node, with the split of VmRSS into
# anonymous memory (RssAnon: heap, stacks) and file-backed pages (RssFile: the executable and shared libraries)
# and the thread count. Stops every process it started.
# Usage: Benchmarks/daemon-rss.sh [PATH/TO/dhtnode]   (default: `make release`, then .build/release/dhtnode)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
    DHTNODE=$1
else
    make -C "$ROOT" --no-print-directory release >/dev/null   # the flags of `make release`
    DHTNODE=$ROOT/.build/release/dhtnode
fi
PEERS=${PEERS:-4}
SETTLE=${SETTLE:-10}
SWARM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-rss.XXXXXX")
# shellcheck source=../scripts/swarm-lib.sh
source "$ROOT/scripts/swarm-lib.sh"
# set +e: under errexit the first `wait` on a killed node (status 137) would end the trap and leave the rest running.
trap 'set +e; swarm_cleanup; rm -rf "$SWARM_DIR"' EXIT
trap 'exit 130' INT TERM

mib() { awk -v k="$1" 'BEGIN { print k / 1024 }'; }
kib() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }

swarm_start boot --log-level warning
for i in $(seq 1 "$PEERS"); do swarm_start "peer$i" --bootstrap "$(swarm_udp boot)" --log-level warning; done
for i in $(seq 1 "$PEERS"); do swarm_wait_peers "peer$i" 2; done
# Some traffic before idling: a put, a get, a lookup.
"$DHTNODE" dht put bench-key bench-value --data "$SWARM_DIR/peer1" >/dev/null
"$DHTNODE" dht get bench-key --data "$SWARM_DIR/peer$PEERS" >/dev/null
"$DHTNODE" dht find-node "$(swarm_id boot)" --data "$SWARM_DIR/peer1" >/dev/null
sleep "$SETTLE"

printf '%-6s %8s %10s %10s %9s %9s %8s %8s\n' node pid "RSS MiB" "peak MiB" "anon MiB" "file MiB" threads peers
max=0
for name in boot $(seq -f 'peer%g' 1 "$PEERS"); do
    pid=$(swarm_pid "$name")
    rss=$(kib "$pid" VmRSS)
    hwm=$(kib "$pid" VmHWM)
    anon=$(kib "$pid" RssAnon)
    file=$(kib "$pid" RssFile)
    threads=$(awk '$1 == "Threads:" { print $2 }' "/proc/$pid/status")
    peers=$("$DHTNODE" peers --json --data "$SWARM_DIR/$name" | jq '.peers | length')
    printf '%-6s %8s %10.1f %10.1f %9.1f %9.1f %8s %8s\n' "$name" "$pid" "$(mib "$rss")" "$(mib "$hwm")" \
        "$(mib "$anon")" "$(mib "$file")" "$threads" "$peers"
    [ "$rss" -gt "$max" ] && max=$rss
done
printf 'largest idle RSS: %.1f MiB (goal: at most 30 MiB)\n' "$(mib "$max")"
