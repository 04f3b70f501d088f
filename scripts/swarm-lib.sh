# Shared by Tests/cli/daemon.sh, scripts/demo-swarm.sh and Benchmarks/daemon-rss.sh: start `dhtnode run`
# processes on loopback (UDP and API on port 0) and stop exactly the processes started here.
#
# Source it after setting DHTNODE (the binary) and SWARM_DIR (a folder for data dirs and logs). Then:
#   swarm_start NAME [dhtnode run options...]   starts a node with data dir $SWARM_DIR/NAME, waits for api.json
#                                               (UDP on $SWARM_LISTEN when set, else 127.0.0.1:0)
#   swarm_pid NAME / swarm_udp NAME / swarm_id NAME / swarm_api NAME / swarm_gateway NAME   read from api.json
#   swarm_stop NAME [SIGNAL]                     signals the node (default TERM) and waits; returns its status
#   swarm_cleanup                               kills (by PID) every node still running; use it in a trap
#   swarm_wait_peers NAME N / swarm_wait_providers NAME CID N   wait (at most 30 s) until NAME sees N of them
# Needs jq.

declare -gA SWARM_PIDS=()

swarm_start() {
    local name=$1
    shift
    local data=$SWARM_DIR/$name
    mkdir -p "$data"
    rm -f "$data/api.json"
    "$DHTNODE" run --data "$data" --listen "${SWARM_LISTEN:-127.0.0.1:0}" --api 127.0.0.1:0 "$@" \
        >>"$SWARM_DIR/$name.log" 2>&1 &
    SWARM_PIDS[$name]=$!
    local waited=0
    while [ ! -s "$data/api.json" ]; do
        if ! kill -0 "${SWARM_PIDS[$name]}" 2>/dev/null; then
            echo "node $name exited at start; its log:" >&2
            tail -n 20 "$SWARM_DIR/$name.log" >&2
            unset "SWARM_PIDS[$name]"
            return 1
        fi
        sleep 0.1
        waited=$((waited + 1))
        if [ $waited -ge 300 ]; then
            echo "node $name wrote no api.json within 30 s" >&2
            return 1
        fi
    done
}

swarm_field() { jq -r "$2" "$SWARM_DIR/$1/api.json"; }
swarm_pid() { echo "${SWARM_PIDS[$1]}"; }
swarm_udp() { swarm_field "$1" '.listen[0]'; }
swarm_id() { swarm_field "$1" '.nodeID'; }
swarm_api() { swarm_field "$1" '.url'; }
swarm_gateway() { swarm_field "$1" '.gateway // empty'; }

# Sends SIGNAL (default TERM) to node NAME and waits for it; returns its exit status (or 124 after 30 s, when it
# is killed).
swarm_stop() {
    local name=$1 signal=${2:-TERM}
    local pid=${SWARM_PIDS[$name]:-}
    [ -n "$pid" ] || return 0
    kill "-$signal" "$pid" 2>/dev/null
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
        sleep 0.1
        waited=$((waited + 1))
        if [ $waited -ge 300 ]; then
            kill -KILL "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            unset "SWARM_PIDS[$name]"
            return 124
        fi
    done
    local status=0
    wait "$pid" 2>/dev/null || status=$?
    unset "SWARM_PIDS[$name]"
    return $status
}

swarm_cleanup() {
    local name
    # `|| true`: under `set -e` a node that already exited must not end the loop before the others are killed.
    for name in "${!SWARM_PIDS[@]}"; do
        kill -KILL "${SWARM_PIDS[$name]}" 2>/dev/null || true
        wait "${SWARM_PIDS[$name]}" 2>/dev/null || true
    done
    SWARM_PIDS=()
}

# Waits until node NAME has at least N peers (at most 30 s); returns non-zero when it never does.
swarm_wait_peers() {
    local name=$1 want=$2 count waited=0
    while :; do
        count=$("$DHTNODE" peers --data "$SWARM_DIR/$name" --json 2>/dev/null | jq '.peers | length' 2>/dev/null)
        [ "${count:-0}" -ge "$want" ] && return 0
        sleep 0.2
        waited=$((waited + 1))
        [ $waited -ge 150 ] && return 1
    done
}

# Waits until CID has at least N providers in the DHT, as node NAME sees them (at most 30 s); returns non-zero when
# it never does.
swarm_wait_providers() {
    local name=$1 key=$2 want=$3 count waited=0
    while :; do
        count=$("$DHTNODE" dht providers "$key" --data "$SWARM_DIR/$name" --json 2>/dev/null |
            jq '.providers | length' 2>/dev/null)
        [ "${count:-0}" -ge "$want" ] && return 0
        sleep 0.3
        waited=$((waited + 1))
        [ $waited -ge 100 ] && return 1
    done
}
