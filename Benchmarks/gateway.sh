#!/usr/bin/env bash
# The HTTP gateway against nginx serving the same bytes from disk, in the same run (docs/BENCHMARKS.md, "HTTP
# gateway against nginx"):
#   1. a 22 KB file under 100 concurrent keep-alive connections (wrk, 2 threads): requests per second, p99 latency,
#      and the daemon's peak RSS under that load;
#   2. a 1 GiB stored file over one connection (curl): MB/s.
# Each measurement alternates nginx and the gateway, ROUNDS times (default 3), and prints the medians and ratios.
#
# Usage: Benchmarks/gateway.sh PATH/TO/dhtnode        (needs nginx, wrk, curl, jq; as root or a user nginx can run as)
# SECONDS_TO_RUN (wrk duration, default 10), ROUNDS, BIG_MIB (default 1024), TMPDIR (default /tmp).
set -euo pipefail
[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: $0 PATH/TO/dhtnode" >&2; exit 2; }
for tool in nginx wrk curl jq; do command -v $tool >/dev/null || { echo "$0 needs $tool" >&2; exit 2; }; done
DHTNODE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROUNDS=${ROUNDS:-3}
DURATION=${SECONDS_TO_RUN:-10}
BIG_MIB=${BIG_MIB:-1024}
work=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-gateway-bench.XXXXXX")
pids=()
# shellcheck source=../scripts/nginx-lib.sh
source "$(dirname "$0")/../scripts/nginx-lib.sh"
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The files, in the folder nginx serves and added to the daemon's repository. nginx's workers run as another user
# when it starts as root: they must be able to read them.
mkdir -p "$work/www"
chmod 755 "$work" "$work/www"
head -c 22528 /dev/urandom >"$work/www/small.bin"
head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom >"$work/www/big.bin"
chmod 644 "$work/www/"*.bin

"$DHTNODE" run --data "$work/node" --listen 127.0.0.1:0 --api 127.0.0.1:0 --gateway 127.0.0.1:0 \
    --log-level warning >"$work/node.log" 2>&1 &
pids+=($!)
daemon=$!
for _ in $(seq 100); do [ -s "$work/node/api.json" ] && break; sleep 0.1; done
gateway=$(jq -r .gateway "$work/node/api.json")
small=$("$DHTNODE" add "$work/www/small.bin" --data "$work/node" --quiet)
big=$("$DHTNODE" add "$work/www/big.bin" --data "$work/node" --quiet)

nginx_start "$work/www" "$work/nginx"
pids+=("$NGINX_PID")
port=$NGINX_PORT

nginx_small=http://127.0.0.1:$port/small.bin
gateway_small=$gateway/ipfs/$small
cmp -s <(curl -s "$gateway_small") "$work/www/small.bin" || { echo "the gateway's bytes differ" >&2; exit 1; }
cmp -s <(curl -s "$nginx_small") "$work/www/small.bin" || { echo "nginx's bytes differ" >&2; exit 1; }

# wrk's requests per second and p99 latency (ms).
load() {
    wrk -t2 -c100 -d"${DURATION}s" --latency "$1" | awk '
        /Requests\/sec/ { rps = $2 }
        $1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } p99 = v }
        END { printf "%.0f %.2f\n", rps, p99 }'
}
# MB/s of one download.
stream() { curl -s -o /dev/null -w '%{speed_download}\n' "$1" | awk '{ printf "%.1f\n", $1 / 1e6 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "22 KB file, 100 connections, ${DURATION} s each, $ROUNDS rounds (nginx, gateway alternating)"
: >"$work/small.txt"
for round in $(seq "$ROUNDS"); do
    read -r n_rps n_p99 < <(load "$nginx_small")
    read -r g_rps g_p99 < <(load "$gateway_small")
    echo "  round $round: nginx $n_rps req/s (p99 $n_p99 ms), gateway $g_rps req/s (p99 $g_p99 ms)"
    echo "$n_rps $n_p99 $g_rps $g_p99" >>"$work/small.txt"
done
peak=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$daemon/status")

echo "$BIG_MIB MiB stored file, one connection, $ROUNDS rounds"
: >"$work/big.txt"
for round in $(seq "$ROUNDS"); do
    n=$(stream "http://127.0.0.1:$port/big.bin")
    g=$(stream "$gateway/ipfs/$big")
    echo "  round $round: nginx $n MB/s, gateway $g MB/s"
    echo "$n $g" >>"$work/big.txt"
done

n_rps=$(cut -d' ' -f1 "$work/small.txt" | median); g_rps=$(cut -d' ' -f3 "$work/small.txt" | median)
n_p99=$(cut -d' ' -f2 "$work/small.txt" | median); g_p99=$(cut -d' ' -f4 "$work/small.txt" | median)
n_big=$(cut -d' ' -f1 "$work/big.txt" | median); g_big=$(cut -d' ' -f2 "$work/big.txt" | median)
echo
echo "medians:"
echo "  22 KB: gateway $g_rps req/s, nginx $n_rps req/s, ratio $(awk -v a="$g_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }'); p99 gateway $g_p99 ms, nginx $n_p99 ms"
echo "  daemon peak RSS (VmHWM) under the 22 KB load: $peak MiB"
echo "  $BIG_MIB MiB: gateway $g_big MB/s, nginx $n_big MB/s, ratio $(awk -v a="$g_big" -v b="$n_big" 'BEGIN { printf "%.2f", a / b }')"
echo "  file system of $work: $(stat -f -c %T "$work")"
