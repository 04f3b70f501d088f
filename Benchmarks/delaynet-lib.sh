# Shared by Benchmarks/delaynet-check.sh and Benchmarks/http-baseline.sh: run the user-space delay switch
# (Benchmarks/delaynet.py) in the background and the processes of a benchmark inside its namespaces, and stop
# exactly the processes started here (by PID).
#
# Source it after setting DELAYNET_DIR (a folder for the switch's output). Then:
#   delaynet_start N PREFIX [delaynet.py up options...]   starts the switch with namespaces PREFIX-1..PREFIX-N
#                       (PREFIX-k has 10.77.0.k unless --subnet says otherwise), waits (at most 30 s) for "ready"
#   delaynet_bg NAME NS COMMAND...   runs COMMAND in namespace NS in the background (output: $DELAYNET_DIR/NAME.log)
#   delaynet_kill NAME               stops that process (TERM, KILL after 5 s) and waits for it
#   delaynet_stop                    stops the switch (TERM: it deletes its namespaces and writes
#                                    $DELAYNET_DIR/switch-stats.json); returns its exit status
#   delaynet_cleanup                 kills every process started here, then the switch, then deletes any namespace
#                                    PREFIX-<number> still there; use it in an EXIT trap
#   delaynet_nginx NS ADDR:PORT ROOT [NAME]  runs nginx (process name NAME, default `nginx`) in namespace NS,
#                                    serving folder ROOT at ADDR:PORT with keep-alive; its config and logs in
#                                    $DELAYNET_DIR/NAME
# Environment: SWITCH_OPTS (default --rt: the switch at SCHED_FIFO priority 10, so that other work on the machine
# delays its packets less; SWITCH_OPTS= turns that off) is added to every `delaynet.py up`.

DELAYNET_PY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/delaynet.py
declare -gA DELAYNET_PIDS=()
DELAYNET_SWITCH=
DELAYNET_PREFIX=

delaynet_start() {
    local count=$1 prefix=$2
    shift 2
    DELAYNET_PREFIX=$prefix
    rm -f "$DELAYNET_DIR/switch.out"
    # shellcheck disable=SC2086  # SWITCH_OPTS is a list of options
    python3 "$DELAYNET_PY" up --namespaces "$count" --prefix "$prefix" ${SWITCH_OPTS---rt} \
        --stats-json "$DELAYNET_DIR/switch-stats.json" "$@" \
        >"$DELAYNET_DIR/switch.out" 2>"$DELAYNET_DIR/switch.err" &
    DELAYNET_SWITCH=$!
    local waited=0
    until grep -qx ready "$DELAYNET_DIR/switch.out" 2>/dev/null; do
        if ! kill -0 "$DELAYNET_SWITCH" 2>/dev/null; then
            echo "the delay switch exited at start:" >&2
            cat "$DELAYNET_DIR/switch.err" >&2
            wait "$DELAYNET_SWITCH" 2>/dev/null
            DELAYNET_SWITCH=
            return 1
        fi
        sleep 0.1
        waited=$((waited + 1))
        [ $waited -lt 300 ] || { echo "the delay switch was not ready within 30 s" >&2; return 1; }
    done
}

delaynet_bg() {
    local name=$1 ns=$2
    shift 2
    # `ip netns exec` execs COMMAND, so $! is COMMAND's own PID.
    ip netns exec "$ns" "$@" >"$DELAYNET_DIR/$name.log" 2>&1 &
    DELAYNET_PIDS[$name]=$!
}

# Stops PID (a child of this shell) with TERM, with KILL after SECONDS (default 5); returns its exit status.
delaynet_terminate() {
    local pid=$1 limit=$((${2:-5} * 10)) waited=0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        sleep 0.1
        waited=$((waited + 1))
        if [ $waited -ge $limit ]; then kill -KILL "$pid" 2>/dev/null || true; break; fi
    done
    wait "$pid" 2>/dev/null
}

delaynet_kill() {
    local pid=${DELAYNET_PIDS[$1]:-}
    [ -n "$pid" ] || return 0
    delaynet_terminate "$pid" || true
    unset "DELAYNET_PIDS[$1]"
}

delaynet_stop() {
    local pid=$DELAYNET_SWITCH status=0
    [ -n "$pid" ] || return 0
    DELAYNET_SWITCH=
    delaynet_terminate "$pid" 30 || status=$?
    return $status
}

delaynet_cleanup() {
    local name
    for name in "${!DELAYNET_PIDS[@]}"; do delaynet_kill "$name"; done
    if [ -n "$DELAYNET_SWITCH" ]; then
        delaynet_terminate "$DELAYNET_SWITCH" || true
        DELAYNET_SWITCH=
    fi
    # After a switch that had to be killed: its namespaces are still there.
    if [ -n "$DELAYNET_PREFIX" ]; then python3 "$DELAYNET_PY" down --prefix "$DELAYNET_PREFIX" 2>/dev/null || true; fi
}

delaynet_nginx() {
    local ns=$1 listen=$2 root=$3 name=${4:-nginx}
    local dir=$DELAYNET_DIR/$name
    mkdir -p "$dir"
    chmod 755 "$DELAYNET_DIR" "$root"   # the worker runs as nobody
    cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    default_type application/octet-stream;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 60s;
    keepalive_requests 100000;
    server { listen $listen; root $root; }
}
EOF
    delaynet_bg "$name" "$ns" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
}
