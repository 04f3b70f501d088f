#!/usr/bin/env bash
# CLI tests of the exchange's limits against slow peers, on `dhtnode run` processes on 127.0.0.1, with the
# hostile peers of `dhtnode bench hostile-peers`:
# - 256 connections that each send one byte of a handshake, opened at 26 per second: at least 33 of 34 honest
#   handshakes made meanwhile succeed, and a fetch by a node not yet connected completes;
# - 24 authenticated peers ask a seeder for every block of a 64 MiB file with a 4 KiB receive buffer and never
#   read: an honest fetch of that file still completes within 3x the time it takes unloaded, and the seeder cuts
#   the slow peers (exchange_peers_disconnected_total{reason="slow-reader"});
# - 100 peers each send all but the last bytes of a 2 MiB frame, then a byte every 12 s: the seeder closes every one
#   within the frame rate's window (10 s + 1 s per 64 KiB that arrived: 42 s), and its RSS comes back to within
#   10 MB of what it was before.
#
# Usage: Tests/cli/slowpeers.sh PATH/TO/dhtnode
# Needs bash, jq, curl, cmp. Works in a temporary folder that it removes at the end; every process it starts is
# killed by PID on exit. The last line is "N passed, M failed"; exits non-zero if any check fails.
set -u

# shellcheck source=swarm-test-lib.sh
source "$(dirname "$0")/swarm-test-lib.sh" slowpeers "$@"
start() { local name=$1; shift; swarm_start "$name" --bootstrap "$(swarm_udp boot)" --log-level info "$@"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$(swarm_pid "$1")/status"; }
metric() { curl -sf "$(swarm_api "$1")/metrics" | awk -v name="$2" 'index($0, name) == 1 { sum += $NF } END { print sum + 0 }'; }
now() { date +%s.%N; }
# Seconds that `get CID -o FILE` takes on node $1 ($3: the output file).
timed_get() {
    local start end
    start=$(now)
    dn "$1" get "$2" -o "$3" --quiet || return 1
    end=$(now)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

swarm_start boot --log-level warning || { fail "bootstrap node starts"; finish; }
start seed || { fail "seeder starts"; finish; }
for name in warm quiet loaded late; do start "$name" || fail "$name starts"; done
for name in seed warm quiet loaded late; do swarm_wait_peers "$name" 1; done

head -c $((64 * 1024 * 1024)) /dev/urandom >"$SWARM_DIR/file.bin"
cid=$(dr seed add "$SWARM_DIR/file.bin" --quiet)
check "the seeder adds a 64 MiB file" test -n "$cid"
check "the fetchers find the seeder" swarm_wait_providers loaded "$cid" 1

# --- a flood of one-byte connections ---
"$DHTNODE" bench hostile-peers --target "$(swarm_udp seed)" --kind one-byte --peers 256 --rate 26 --seconds 12 \
    >"$SWARM_DIR/flood.out" 2>&1 &
flood=$!
sleep 1
"$DHTNODE" bench hostile-peers --target "$(swarm_udp seed)" --kind honest --peers 34 --rate 3.4 --seconds 12 --json \
    >"$SWARM_DIR/honest.json" 2>&1 &
honest=$!
sleep 2
dn late get "$cid" -o "$SWARM_DIR/late.out" --quiet
check "during a flood of 256 one-byte connections at 26/s, a fetch by a node not yet connected completes" \
    cmp -s "$SWARM_DIR/file.bin" "$SWARM_DIR/late.out"
wait "$honest"
check "... and at least 33 of 34 honest handshakes succeed ($(jq -r .handshakes "$SWARM_DIR/honest.json" 2>/dev/null))" \
    json_is "$(cat "$SWARM_DIR/honest.json")" '.handshakes >= 33'
kill "$flood" 2>/dev/null
wait "$flood" 2>/dev/null
echo "     refused or displaced by the budget: $(metric seed 'dht_connections_refused_total{listener="exchange"')"

# --- 24 slow readers ---
# A first fetch warms the seeder's page cache, so the unloaded and loaded fetches compare the same work.
timed_get warm "$cid" "$SWARM_DIR/warm.out" >/dev/null
unloaded=$(timed_get quiet "$cid" "$SWARM_DIR/quiet.out")
check "an unloaded fetch of the 64 MiB file completes" cmp -s "$SWARM_DIR/file.bin" "$SWARM_DIR/quiet.out"

"$DHTNODE" bench hostile-peers --target "$(swarm_udp seed)" --kind slow-reader --peers 24 \
    --file "$SWARM_DIR/file.bin" --seconds 60 >"$SWARM_DIR/slow.out" 2>&1 &
hostile=$!
sleep 2
rss_loaded=$(rss_kib seed)
loaded=$(timed_get loaded "$cid" "$SWARM_DIR/loaded.out")
check "with 24 slow readers asking for everything, an honest fetch gets the file byte for byte" \
    cmp -s "$SWARM_DIR/file.bin" "$SWARM_DIR/loaded.out"
check "... within 3x its unloaded time (unloaded ${unloaded} s, loaded ${loaded:-none} s)" \
    awk -v u="$unloaded" -v l="${loaded:-999}" 'BEGIN { exit !(l <= 3 * u) }'
cut=0
for _ in $(seq 1 40); do
    cut=$(metric seed 'exchange_peers_disconnected_total{reason="slow-reader"}')
    [ "$cut" -ge 24 ] && break
    sleep 0.5
done
check "the seeder cuts the 24 slow readers within 20 s ($cut cut)" test "$cut" -ge 24
echo "     seeder RSS with the slow readers: $((rss_loaded / 1024)) MiB"
kill "$hostile" 2>/dev/null
wait "$hostile" 2>/dev/null

# --- 100 trickled frames ---
sleep 3
rss_before=$(rss_kib seed)
binds=()
for i in 2 3 4 5; do binds+=(--bind "127.0.0.$i"); done
"$DHTNODE" bench hostile-peers --target "$(swarm_udp seed)" --kind trickle --peers 100 --interval 12 \
    "${binds[@]}" --seconds 70 --json >"$SWARM_DIR/trickle.json" 2>"$SWARM_DIR/trickle.err" &
hostile=$!
sleep 8
rss_held=$(rss_kib seed)
wait "$hostile"
result=$(cat "$SWARM_DIR/trickle.json")
check "all 100 trickled frames are closed by the seeder" json_is "$result" '.closedByTarget == 100' \
    || echo "     $result $(head -c 300 "$SWARM_DIR/trickle.err")"
check "... within the frame rate's window (10 s + 32 s for 2 MiB, and a tick)" \
    json_is "$result" '(.closedAfterSeconds | max) <= 46'
echo "     closed after $(jq -r '.closedAfterSeconds | [min, max] | map(. * 10 | floor / 10) | join(" to ")' <<<"$result") s"
sleep 3
rss_after=$(rss_kib seed)
echo "     seeder RSS: $((rss_before / 1024)) MiB before, $((rss_held / 1024)) MiB holding the frames, $((rss_after / 1024)) MiB after"
check "the seeder held the frames' bytes while they came (RSS up by more than 100 MB)" \
    test $((rss_held - rss_before)) -gt 100000
check "the seeder's RSS comes back to within 10 MB of before" test $((rss_after - rss_before)) -lt 10240

finish
