#!/usr/bin/env bash
# One node's FIND_NODE replies per second on one core, with the load from a second process on the other core
# (docs/BENCHMARKS.md, "UDP node: replies per second"; goal: at least 50,000).
#
# Starts `dhtnode run --no-rate-limits` pinned to CPU 0, then `dhtnode bench load` pinned to CPU 1: helper nodes
# join the target (so its table holds contacts and each reply is a full NODES list), then SOCKETS sockets offer
# RATE padded FIND_NODE requests per second (open loop) for SECONDS, counting replies, and reads the target's CPU
# time from /proc: it prints replies per second and the target's CPU microseconds per reply (with the replies per
# second that one fully used core gives at that cost: steadier than replies/s on a shared machine). Stops the node
# it started.
# Usage: Benchmarks/replies.sh [PATH/TO/dhtnode]   (default: `make release`, then .build/release/dhtnode)
# LOAD_DHTNODE=PATH runs the load with another binary (to compare targets built from other commits).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
    DHTNODE=$1
else
    make -C "$ROOT" --no-print-directory release >/dev/null   # the flags of `make release`
    DHTNODE=$ROOT/.build/release/dhtnode
fi
SECONDS_TO_RUN=${SECONDS_TO_RUN:-10}
SOCKETS=${SOCKETS:-4}
RATE=${RATE:-100000}
SWARM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-replies.XXXXXX")
# shellcheck source=../scripts/swarm-lib.sh
source "$ROOT/scripts/swarm-lib.sh"
# set +e: under errexit the first `wait` on a killed node (status 137) would end the trap and leave the rest running.
trap 'set +e; swarm_cleanup; rm -rf "$SWARM_DIR"' EXIT
trap 'exit 130' INT TERM

swarm_start target --no-rate-limits --log-level warning
taskset -a -cp 0 "$(swarm_pid target)" >/dev/null
target=$(swarm_udp target)
echo "target node $(swarm_id target) at $target (pid $(swarm_pid target), CPU 0); load on CPU 1"
taskset -c 1 "${LOAD_DHTNODE:-$DHTNODE}" bench load --target "$target" --seconds "$SECONDS_TO_RUN" --sockets "$SOCKETS" \
    --rate "$RATE" --target-pid "$(swarm_pid target)"
