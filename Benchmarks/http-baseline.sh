#!/usr/bin/env bash
# The HTTP baseline of the latency benchmark: what a plain web server and client take for one small file over a
# link with DELAY_MS each way (default 20, RTT 40 ms), emulated in user space by Benchmarks/delaynet.py (no
# kernel netem here). nginx (installed with apt-get when missing) runs in namespace hb<PID>-1 (10.77.0.1:8080,
# its own config in a temporary folder, `daemon off`) and serves a SIZE-byte random file (default 22000); curl in
# namespace hb<PID>-2 (10.77.0.2) fetches it SAMPLES times (default 50), after one untimed warm-up fetch that is
# compared with the file:
#   new connection   one curl per fetch: TCP handshake + request + response (time_total)
#   keep-alive       one curl fetching the URL SAMPLES + 1 times over one connection; the first fetch (which
#                    opens the connection) is dropped
# and prints p50 / p90 / max in ms and in RTTs. A request takes one RTT and a new connection one more, so the
# ideal is 2 RTT and 1 RTT. Two kernel defaults add to that, and apply to dhtnode's TCP connections just the same,
# so they are kept unless asked: a response larger than the server's initial congestion window (10 segments,
# 14,480 bytes at MSS 1448) takes one more RTT on a new connection (22,000 bytes: 3 RTT; INITCWND=20 sets the
# server's route's initcwnd), and BBR (this machine's default congestion control) paces a response out over
# part of an RTT even on a warm connection (keep-alive about 1.4 RTT; TCP_CC=cubic sets congctl on both routes).
#
# Usage (as root): nice Benchmarks/http-baseline.sh [--json]
#   --json   prints one JSON object (on stdout; the progress goes to stderr) instead of the table
# Environment: SAMPLES, SIZE (bytes), DELAY_MS, INITCWND, TCP_CC, SWITCH_OPTS (extra `delaynet.py up` options, default
# --rt; see Benchmarks/delaynet-lib.sh), KEEP=1 keeps the temporary folder (nginx's logs, curl's timings).
# Needs ip, curl, python3, nginx (apt-get install -y nginx-light). At exit it stops nginx and the switch (by PID);
# the switch deletes its namespaces (and any left over are deleted too).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
JSON=0
for arg in "$@"; do
    case $arg in
        --json) JSON=1 ;;
        *) echo "usage: $0 [--json]" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "$0 needs root (network namespaces)" >&2; exit 2; }
if ! command -v nginx >/dev/null; then
    echo "installing nginx" >&2
    { apt-get install -y nginx-light || { apt-get update && apt-get install -y nginx-light; } ||
        apt-get install -y nginx; } >&2 || { echo "could not install nginx" >&2; exit 2; }
fi
for tool in ip curl python3 nginx cmp; do command -v $tool >/dev/null || { echo "$0 needs $tool" >&2; exit 2; }; done
SAMPLES=${SAMPLES:-50}
SIZE=${SIZE:-22000}
DELAY_MS=${DELAY_MS:-20}
RTT=$(awk -v d="$DELAY_MS" 'BEGIN { print 2 * d }')
DELAYNET_DIR=$(mktemp -d "${TMPDIR:-/tmp}/http-baseline.XXXXXX")
DIR=$DELAYNET_DIR
P=hb$$
# shellcheck source=delaynet-lib.sh
source "$HERE/delaynet-lib.sh"
cleanup() {
    delaynet_cleanup
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $DIR" >&2; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "$@" >&2; }

say "http baseline: $SAMPLES samples of a $SIZE-byte file, $DELAY_MS ms each way (RTT $RTT ms); $(nproc) cores;" \
    "$(uname -sr); load $(cut -d' ' -f1-3 /proc/loadavg); $(nginx -v 2>&1 | sed 's/.*: //'), $(curl -V | head -n 1 |
        cut -d' ' -f1-2)"
delaynet_start 2 "$P" --delay-ms "$DELAY_MS" || exit 1
# Per-route TCP settings (a namespace may not set its own default congestion control).
for k in 1 2; do
    route=()
    [ -n "${TCP_CC:-}" ] && route+=(congctl "$TCP_CC")
    [ -n "${INITCWND:-}" ] && [ $k = 1 ] && route+=(initcwnd "$INITCWND")
    [ ${#route[@]} = 0 ] ||
        ip -n "$P-$k" route change 10.77.0.0/16 dev dn0 proto kernel scope link src "10.77.0.$k" "${route[@]}" || exit 1
done

# --- nginx in namespace 1 ---
mkdir -p "$DIR/www"
head -c "$SIZE" /dev/urandom >"$DIR/www/file"
chmod 644 "$DIR/www/file"
delaynet_nginx "$P-1" 10.77.0.1:8080 "$DIR/www"
URL=http://10.77.0.1:8080/file
up=0
for _ in $(seq 100); do
    if ip netns exec "$P-2" curl -s -o "$DIR/warmup" --max-time 2 "$URL"; then up=1; break; fi
    kill -0 "${DELAYNET_PIDS[nginx]}" 2>/dev/null || break
    sleep 0.1
done
if [ $up = 0 ] || ! cmp -s "$DIR/www/file" "$DIR/warmup"; then
    say "nginx did not serve the file; its log:"
    cat "$DIR/nginx.log" "$DIR/nginx/error.log" >&2 2>/dev/null
    exit 1
fi

# --- curl in namespace 2 ---
say "new connection: $SAMPLES curl processes"
FORMAT='%{time_connect} %{time_starttransfer} %{time_total} %{num_connects} %{size_download}\n'
for _ in $(seq "$SAMPLES"); do
    ip netns exec "$P-2" curl -s -o /dev/null --max-time 10 -w "$FORMAT" "$URL" >>"$DIR/new.txt"
done
say "keep-alive: one curl, $((SAMPLES + 1)) fetches"
args=()
for _ in $(seq $((SAMPLES + 1))); do args+=(-o /dev/null "$URL"); done
ip netns exec "$P-2" curl -s --max-time 120 -w "$FORMAT" "${args[@]}" >"$DIR/keepalive.txt"

delaynet_kill nginx
delaynet_stop || say "the switch exited with status $?"
grep -v '^delaynet: [0-9]* namespaces' "$DIR/switch.err" | sed 's/^/switch: /' >&2

python3 - "$DIR" "$SAMPLES" "$SIZE" "$RTT" "$JSON" "${INITCWND:-}" <<'EOF'
import json, os, sys
folder, samples, size, rtt, as_json, initcwnd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5] == "1", sys.argv[6]

def rows(name):
    with open(os.path.join(folder, name)) as f:
        return [[float(x) for x in line.split()] for line in f if line.strip()]

new, kept = rows("new.txt"), rows("keepalive.txt")[1:]  # the first keep-alive fetch opens the connection
problems = []
for label, data, connects in (("new connection", new, 1), ("keep-alive", kept, 0)):
    if len(data) != samples:
        problems.append(f"{label}: {len(data)} of {samples} fetches")
    if any(r[4] != size for r in data):
        problems.append(f"{label}: a fetch got another size than {size}")
    if any(r[3] != connects for r in data):
        problems.append(f"{label}: num_connects is not {connects} in every fetch")

def summary(values):
    values = sorted(v * 1000 for v in values)
    pick = lambda p: values[min(len(values) - 1, max(0, -(-len(values) * p // 100) - 1))]  # nearest rank
    ms = {"p50": pick(50), "p90": pick(90), "max": values[-1]} if values else {}
    return {"ms": {k: round(v, 2) for k, v in ms.items()}, "rtt": {k: round(v / rtt, 2) for k, v in ms.items()}}

result = {
    "samples": samples, "size": size, "rtt_ms": rtt, "initcwnd": int(initcwnd) if initcwnd else None,
    "new_connection": summary([r[2] for r in new]),
    "new_connection_connect": summary([r[0] for r in new]),
    "keep_alive": summary([r[2] for r in kept]),
    "problems": problems,
}
try:
    with open(os.path.join(folder, "switch-stats.json")) as f:
        result["switch"] = json.load(f)
except OSError:
    pass
if as_json:
    print(json.dumps(result))
else:
    print(f"{'':22} {'p50 ms':>8} {'p90 ms':>8} {'max ms':>8} {'p50 RTT':>8} {'p90 RTT':>8} {'max RTT':>8}")
    for label, key in (("new connection", "new_connection"), ("  of which connect", "new_connection_connect"),
                       ("keep-alive", "keep_alive")):
        ms, rt = result[key]["ms"], result[key]["rtt"]
        if ms:
            print(f"{label:22} {ms['p50']:8.1f} {ms['p90']:8.1f} {ms['max']:8.1f} "
                  f"{rt['p50']:8.2f} {rt['p90']:8.2f} {rt['max']:8.2f}")
    print(f"(RTT = {rtt:g} ms; {samples} samples of {size} bytes each"
          + (f"; server initcwnd {initcwnd}" if initcwnd else "") + ")")
    for p in problems:
        print("PROBLEM:", p)
sys.exit(1 if problems else 0)
EOF
