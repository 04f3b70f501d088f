# Shared by Benchmarks/gateway.sh and examples/web/run.sh: nginx serving a folder on 127.0.0.1, as the HTTP origin
# the gateway is compared with.
#
#   nginx_start ROOT WORK   serves ROOT on a free port; its config, pid and logs go in WORK. Sets NGINX_PORT and
#                           NGINX_PID (stop it by that PID) and returns once it answers.
# nginx's workers run as another user when it starts as root: ROOT and its files must be readable by everyone.

nginx_start() {
    local root=$1 work=$2
    mkdir -p "$work/logs"
    NGINX_PORT=$((20000 + RANDOM % 20000))
    cat >"$work/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types { text/html html; application/javascript js; application/json json; image/bmp bmp; }
    default_type application/octet-stream;
    server { listen 127.0.0.1:$NGINX_PORT; root $root; }
}
CONF
    nginx -p "$work" -c "$work/nginx.conf" &
    NGINX_PID=$!
    for _ in $(seq 50); do
        curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && return 0
        sleep 0.1
    done
    echo "nginx did not answer on 127.0.0.1:$NGINX_PORT; its log:" >&2
    tail -n 5 "$work/logs/error.log" >&2
    return 1
}
