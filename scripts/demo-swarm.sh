#!/usr/bin/env bash
# `make demo`: a small DHT swarm on loopback, each node its own `dhtnode run` process. Starts a bootstrap node
# and PEERS more (default 5), then shows a lookup, put/get and provide/providers through the CLI, and stops
# every process it started (by PID, also on Ctrl-C or an error).
#
# Usage: scripts/demo-swarm.sh [PATH/TO/dhtnode]   (default: .build/release/dhtnode)
# Needs jq. Data dirs and logs go to a temporary folder, removed at the end (KEEP=1 keeps it).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DHTNODE=${1:-$ROOT/.build/release/dhtnode}
PEERS=${PEERS:-5}
[ -x "$DHTNODE" ] || { echo "no dhtnode at $DHTNODE (run: swift build -c release --product dhtnode)" >&2; exit 2; }
command -v jq >/dev/null || { echo "the demo needs jq (apt-get install jq)" >&2; exit 2; }
SWARM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-demo.XXXXXX")
# shellcheck source=swarm-lib.sh
source "$ROOT/scripts/swarm-lib.sh"
cleanup() {
    swarm_cleanup
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $SWARM_DIR"; else rm -rf "$SWARM_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ dhtnode'; printf ' %q' "$@"; printf '\n'; "$DHTNODE" "$@"; }
on() { local node=$1; shift; printf '[%s] ' "$node"; run "$@" --data "$SWARM_DIR/$node"; }

say "starting a bootstrap node and $PEERS peers (UDP and API on 127.0.0.1, ports picked by the system)"
swarm_start boot
BOOT=$(swarm_udp boot)
echo "boot   pid $(swarm_pid boot)  udp $BOOT  api $(swarm_api boot)"
for i in $(seq 1 "$PEERS"); do
    swarm_start "peer$i" --bootstrap "$BOOT"
    echo "peer$i  pid $(swarm_pid "peer$i")  udp $(swarm_udp "peer$i")  api $(swarm_api "peer$i")"
done
for i in $(seq 1 "$PEERS"); do swarm_wait_peers "peer$i" 2; done

say "who is peer1, and whom does it know?"
on peer1 id
on peer1 peers

LAST=peer$PEERS
say "lookup: the nodes closest to $LAST's ID, asked from peer1"
on peer1 find-node "$(swarm_id "$LAST")"

say "put on peer1, get from $LAST"
on peer1 put greeting "hello from peer1"
on "$LAST" get greeting

say "provide on peer2, find the providers from $LAST"
on peer2 provide my-video.mp4
on "$LAST" providers my-video.mp4

say "metrics of peer1 (Prometheus text at $(swarm_api peer1)/metrics)"
curl -s "$(swarm_api peer1)/metrics" | grep -E '^dht_(datagrams|lookups|routing)' | head -n 8 || true

say "stopping every node (SIGTERM: each saves state.json and exits)"
for name in "${!SWARM_PIDS[@]}"; do
    if swarm_stop "$name" TERM; then echo "$name stopped"; else echo "$name: exit status $?"; fi
done
