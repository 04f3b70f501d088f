#!/usr/bin/env bash
# The bootstrap node under many clients (docs/BENCHMARKS.md, "Bootstrap node"; goal: at least 10,000 contacts,
# lookups from 1,000 nodes answered, RSS under 256 MiB).
#
# Starts `dhtnode run --bootstrap-node`, then `dhtnode bench bootstrap`: CLIENTS client nodes in one process, each on
# its own loopback address (127.1.x.y), ping it a batch at a time so that it verifies them and takes them into its
# table; then LOOKUP_NODES of them start a FIND_NODE lookup each at the same moment. Prints the bootstrap node's
# contacts, the requests it answered, the lookups' success and latency, and its resident memory (now and peak) and
# CPU time, read from /proc. Stops the node it started.
# Usage: Benchmarks/bootstrap-node.sh [PATH/TO/dhtnode] [--json]   (default: `make release`, .build/release/dhtnode)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ] && [ "$1" != --json ]; then
    DHTNODE=$1
    shift
else
    make -C "$ROOT" --no-print-directory release >/dev/null   # the flags of `make release`
    DHTNODE=$ROOT/.build/release/dhtnode
fi
CLIENTS=${CLIENTS:-10000}
LOOKUP_NODES=${LOOKUP_NODES:-1000}
BATCH=${BATCH:-50}
SWARM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-bootstrap.XXXXXX")
# shellcheck source=../scripts/swarm-lib.sh
source "$ROOT/scripts/swarm-lib.sh"
trap 'set +e; swarm_cleanup; rm -rf "$SWARM_DIR"' EXIT
trap 'exit 130' INT TERM

ulimit -n "$(ulimit -Hn)"
swarm_start bootstrap --bootstrap-node --log-level warning
echo "bootstrap node $(swarm_id bootstrap) at $(swarm_udp bootstrap) (pid $(swarm_pid bootstrap));" \
    "$CLIENTS clients, lookups from $LOOKUP_NODES" >&2
"$DHTNODE" bench bootstrap --target "$(swarm_udp bootstrap)" --target-data "$SWARM_DIR/bootstrap" \
    --clients "$CLIENTS" --lookup-nodes "$LOOKUP_NODES" --batch "$BATCH" "$@"
