#!/usr/bin/env bash
# `make demo`: the whole mission on loopback, each node its own `dhtnode run` process. Makes a swarm key, starts a
# private swarm's bootstrap node (--bootstrap-node) and PEERS members (default 5) with the key and the session
# rendezvous, shows the members discovering each other, a lookup, put/get, a file added on one member and fetched
# from another with its statistics, an outsider without the key seeing nothing, and stops every process it
# started (by PID, also on Ctrl-C or an error).
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

KEY=$SWARM_DIR/swarm.key
say "a private swarm: its key (readable by its owner only)"
printf '$ dhtnode swarm-key generate > swarm.key\n'
(umask 077 && "$DHTNODE" swarm-key generate >"$KEY")

say "starting its bootstrap node and $PEERS members (UDP, TCP and API on 127.0.0.1, ports picked by the system)"
swarm_start boot --bootstrap-node --swarm-key "$KEY"
BOOT=$(swarm_udp boot)
echo "boot   pid $(swarm_pid boot)  udp $BOOT  api $(swarm_api boot)  (--bootstrap-node: routing only)"
for i in $(seq 1 "$PEERS"); do
    swarm_start "peer$i" --bootstrap "$BOOT" --swarm-key "$KEY" --swarm demo --session-window 5
    echo "peer$i  pid $(swarm_pid "peer$i")  udp $(swarm_udp "peer$i")  api $(swarm_api "peer$i")"
done
for i in $(seq 1 "$PEERS"); do swarm_wait_peers "peer$i" 2; done

say "the members find each other through the session rendezvous (a 5 s window here; 60 s by default)"
for _ in $(seq 1 40); do
    members=$("$DHTNODE" peers --data "$SWARM_DIR/peer1" --json | jq '[.peers[] | select(.rendezvous)] | length')
    [ "$members" -ge 2 ] && break
    sleep 0.5
done
on peer1 id
on peer1 peers

LAST=peer$PEERS
say "lookup: the nodes closest to $LAST's ID, asked from peer1"
on peer1 dht find-node "$(swarm_id "$LAST")"

say "put on peer1, get from $LAST"
on peer1 dht put greeting "hello from peer1"
on "$LAST" dht get greeting

say "a file added on peer2, fetched by $LAST (every block verified), with the fetch's statistics"
head -c $((8 * 1024 * 1024)) /dev/urandom >"$SWARM_DIR/video.bin"
printf '[peer2] $ dhtnode add video.bin\n'
CID=$(DHTNODE_DATA="$SWARM_DIR/peer2" "$DHTNODE" add "$SWARM_DIR/video.bin" --quiet)
echo "$CID"
on "$LAST" dht providers "$CID"
on "$LAST" get "$CID" -o "$SWARM_DIR/video.copy" --quiet --stats
cmp "$SWARM_DIR/video.bin" "$SWARM_DIR/video.copy" && echo "the copy is byte for byte the same"

say "an outsider without the key, bootstrapping from the same node, sees nobody"
swarm_start outsider --bootstrap "$BOOT" --log-level warning
sleep 2
on outsider peers

say "metrics of peer1 (Prometheus text at $(swarm_api peer1)/metrics)"
curl -s "$(swarm_api peer1)/metrics" | grep -E '^dht_(datagrams|lookups|routing)' | head -n 8 || true
printf 'bootstrap node: '
curl -s "$(swarm_api boot)/metrics" | grep 'reason="wrong-swarm"' || true

say "stopping every node (SIGTERM: each saves state.json and exits)"
for name in "${!SWARM_PIDS[@]}"; do
    if swarm_stop "$name" TERM; then echo "$name stopped"; else echo "$name: exit status $?"; fi
done
