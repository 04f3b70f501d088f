#!/usr/bin/env bash
# Shows that the user-space delay switch (Benchmarks/delaynet.py) works: starts it with 3 namespaces
# (dc<PID>-1..3 = 10.77.0.1..3, DELAY_MS each way, default 20) and checks
#   - ICMP: `ping -c 20` from namespace 1 to 2 (RTT about 2 x DELAY_MS; prints min/avg/max/mdev) and 3 to 1;
#     a ping to 10.77.0.99 (no namespace) gets no answer,
#   - TCP: curl in namespace 1 fetches a SIZE MiB (default 4) random file from `python3 -m http.server` in
#     namespace 2 (byte-for-byte; prints connect time, about one RTT, and throughput),
#   - UDP: 2 s of UDP_RATE datagrams a second (default 2000) from namespace 1 to 3, each carrying its CLOCK_MONOTONIC send time (the clock
#     is shared by all namespaces), so the receiver measures each one's one-way delay: all arrive, in order,
#     min/p50/p99/max of the one-way delay (minus DELAY_MS: the delay the switch and the two hosts add),
# then stops the switch by PID (which deletes its namespaces) and prints its own counters, how late it sent
# packets after their deadline, and its CPU time. Exits 1 when a check fails.
#
# Usage (as root): nice Benchmarks/delaynet-check.sh
# Environment: DELAY_MS, SIZE (MiB), UDP_RATE, SWITCH_OPTS (extra `delaynet.py up` options, default --rt; see
# Benchmarks/delaynet-lib.sh), KEEP=1 keeps the temporary folder.
# Needs ip, ping, curl, python3. At exit it stops every process it started (by PID) and deletes the namespaces,
# also when a check fails or the script is interrupted.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
for tool in ip ping curl python3 cmp; do command -v $tool >/dev/null || { echo "$0 needs $tool" >&2; exit 2; }; done
[ "$(id -u)" = 0 ] || { echo "$0 needs root (network namespaces)" >&2; exit 2; }
DELAY_MS=${DELAY_MS:-20}
SIZE=${SIZE:-4}
UDP_RATE=${UDP_RATE:-2000}
UDP_COUNT=$((2 * UDP_RATE))
DELAYNET_DIR=$(mktemp -d "${TMPDIR:-/tmp}/delaynet-check.XXXXXX")
DIR=$DELAYNET_DIR
P=dc$$
# shellcheck source=delaynet-lib.sh
source "$HERE/delaynet-lib.sh"
cleanup() {
    delaynet_cleanup
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

FAILED=0
problem() { FAILED=$((FAILED + 1)); echo "PROBLEM: $*"; }
RTT=$(awk -v d="$DELAY_MS" 'BEGIN { print 2 * d }')
# within [lo, hi] (numbers with decimals)
between() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'; }

echo "delay switch: 3 namespaces, $DELAY_MS ms each way (RTT $RTT ms); $(nproc) cores; $(uname -sr); load $(cut -d' ' -f1-3 /proc/loadavg)"
delaynet_start 3 "$P" --delay-ms "$DELAY_MS" || exit 1
sed 's/^/  /' "$DIR/switch.out"

# --- ICMP ---
out=$(ip netns exec "$P-1" ping -c 20 -i 0.2 -W 2 10.77.0.2)
line=$(grep -E '^(rtt|round-trip)' <<<"$out")
echo "ping 10.77.0.1 -> 10.77.0.2: $(grep 'packets transmitted' <<<"$out")"
echo "  $line"
IFS=/ read -r pmin pavg pmax pmdev < <(sed -E 's/.*= ([0-9.\/]+) ms.*/\1/' <<<"$line")
grep -q ' 0% packet loss' <<<"$out" || problem "ping lost packets"
between "${pmin:-0}" "$RTT" "$((RTT + 5))" || problem "ping min RTT ${pmin:-none} ms, expected $RTT"
between "${pavg:-0}" "$RTT" "$((RTT + 5))" || problem "ping avg RTT ${pavg:-none} ms, expected $RTT"
out=$(ip netns exec "$P-3" ping -c 3 -i 0.2 -W 2 10.77.0.1)
echo "ping 10.77.0.3 -> 10.77.0.1: $(grep -E '^(rtt|round-trip)' <<<"$out")"
grep -q ' 0% packet loss' <<<"$out" || problem "ping from namespace 3 to 1 lost packets"
if ip netns exec "$P-1" ping -c 2 -i 0.2 -W 1 10.77.0.99 >/dev/null 2>&1; then
    problem "10.77.0.99 (no namespace) answered"
else
    echo "ping 10.77.0.99 (no such namespace): no answer, as expected"
fi

# --- TCP ---
mkdir -p "$DIR/www"
head -c $((SIZE * 1048576)) /dev/urandom >"$DIR/www/blob"
delaynet_bg httpd "$P-2" python3 -m http.server --bind 10.77.0.2 --directory "$DIR/www" 8000
for _ in $(seq 50); do grep -q 'Serving HTTP' "$DIR/httpd.log" 2>/dev/null && break; sleep 0.1; done
out=$(ip netns exec "$P-1" curl -sS --max-time 120 -o "$DIR/fetched" \
    -w '%{time_connect} %{time_total} %{size_download}' http://10.77.0.2:8000/blob)
read -r tconnect ttotal tsize <<<"$out"
if cmp -s "$DIR/www/blob" "$DIR/fetched"; then
    echo "TCP (HTTP GET of $SIZE MiB, 10.77.0.2 -> 10.77.0.1): identical; connect $(awk -v t="${tconnect:-0}" \
        'BEGIN { printf "%.1f", t * 1000 }') ms, total $ttotal s, $(awk -v s="${tsize:-0}" -v t="${ttotal:-1}" \
        'BEGIN { printf "%.1f", s / t / 1048576 * 8 }') Mbit/s"
    between "$(awk -v t="${tconnect:-0}" 'BEGIN { print t * 1000 }')" "$RTT" "$((RTT + 10))" ||
        problem "TCP connect took $tconnect s, expected one RTT"
else
    problem "TCP transfer failed or differs (curl: ${out:-nothing})"
fi
delaynet_kill httpd

# --- UDP ---
cat >"$DIR/udp-probe.py" <<'EOF'
# recv ADDR PORT COUNT: prints one-way delays (ms) stats; send ADDR PORT COUNT RATE: datagrams with seq + send time.
import socket, struct, sys, time
mode, addr, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if mode == "recv":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind((addr, port))
    s.settimeout(5)
    print("listening", flush=True)
    delays, last, reordered = [], -1, 0
    try:
        while len(delays) < count:
            data = s.recv(2048)
            now = time.monotonic_ns()
            seq, sent = struct.unpack("!QQ", data[:16])
            delays.append((now - sent) / 1e6)
            reordered += seq < last
            last = seq
    except socket.timeout:
        pass
    delays.sort()
    n = len(delays)
    q = lambda p: delays[min(n - 1, int(p * n))] if n else -1
    print(f"{n} {reordered} {q(0):.3f} {q(.5):.3f} {q(.99):.3f} {(delays[-1] if n else -1):.3f}")
else:
    rate = float(sys.argv[5])
    start, pad = time.monotonic(), bytes(184)
    for i in range(count):
        wait = start + i / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        s.sendto(struct.pack("!QQ", i, time.monotonic_ns()) + pad, (addr, port))
EOF
delaynet_bg udprecv "$P-3" python3 "$DIR/udp-probe.py" recv 10.77.0.3 9000 "$UDP_COUNT"
for _ in $(seq 50); do grep -q listening "$DIR/udprecv.log" 2>/dev/null && break; sleep 0.1; done
ip netns exec "$P-1" python3 "$DIR/udp-probe.py" send 10.77.0.3 9000 "$UDP_COUNT" "$UDP_RATE"
wait "${DELAYNET_PIDS[udprecv]}" 2>/dev/null
unset "DELAYNET_PIDS[udprecv]"
read -r ucount ureordered umin up50 up99 umax < <(tail -n 1 "$DIR/udprecv.log")
echo "UDP ($UDP_COUNT x 200 bytes at $UDP_RATE/s, 10.77.0.1 -> 10.77.0.3): ${ucount:-0} received, ${ureordered:-?} out of order;" \
    "one-way ms min ${umin:-?} p50 ${up50:-?} p99 ${up99:-?} max ${umax:-?}"
[ "${ucount:-0}" = "$UDP_COUNT" ] || problem "UDP: ${ucount:-0} of $UDP_COUNT datagrams arrived"
[ "${ureordered:-1}" = 0 ] || problem "UDP: ${ureordered:-?} datagrams out of order"
between "${umin:-0}" "$DELAY_MS" "$((DELAY_MS + 2))" || problem "UDP min one-way delay ${umin:-?} ms, expected $DELAY_MS"

# --- Stop ---
delaynet_stop || problem "the switch exited with status $?"
grep -v '^delaynet: [0-9]* namespaces' "$DIR/switch.err" | sed 's/^/switch: /'
left=$(ip netns list | grep -cE "^$P-[0-9]+( |$)")
[ "$left" = 0 ] || problem "$left namespaces left behind"
[ "$left" = 0 ] && echo "namespaces after stop: none left"
if [ $FAILED = 0 ]; then echo "delaynet-check: OK"; else echo "delaynet-check: $FAILED problem(s)"; exit 1; fi
