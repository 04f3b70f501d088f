#!/usr/bin/env bash
# CLI tests of HTTP sources beside peers, between `dhtnode run` processes on 127.0.0.1: a node with no peer at all
# fetches a file from a trustless gateway (another daemon's gateway) with the right bytes; a gateway that flips a
# byte in every block it sends is banned, and the fetch completes from an honest peer; the daemon's
# --trustless-gateway default serves `get` without options; bad options are refused in one line.
#
# Usage: Tests/cli/origins.sh PATH/TO/dhtnode
# Needs bash, jq, head, cmp, python3. Works in a temporary folder that it removes at the end; every process it
# starts is killed by PID on exit. The last line is "N passed, M failed"; exits non-zero if any check fails.
set -u

# shellcheck source=swarm-test-lib.sh
source "$(dirname "$0")/swarm-test-lib.sh" origins "$@"
random_file() { head -c "$(($2 * 1024 * 1024))" /dev/urandom >"$1"; }
LIAR_PID=
stop_liar() { [ -n "$LIAR_PID" ] && kill "$LIAR_PID" 2>/dev/null; wait "$LIAR_PID" 2>/dev/null; LIAR_PID=; }
trap 'stop_liar; cleanup' EXIT

# --- A node with no peer, and a trustless gateway ---
swarm_start seed --gateway 127.0.0.1:0 --log-level warning || { fail "seed starts with a gateway"; finish; }
gateway=$(swarm_gateway seed)
random_file "$SWARM_DIR/file.bin" 6
cid=$(dr seed add "$SWARM_DIR/file.bin" --quiet)
swarm_start alone --fetch-timeout 5 --gateway off --log-level info || { fail "a node without peers starts"; finish; }
stats=$(dr alone get "$cid" -o "$SWARM_DIR/alone.out" --trustless-gateway "$gateway" --quiet --stats --json)
check "a node with no peer fetches a 6 MiB file from the trustless gateway, byte for byte" \
    cmp -s "$SWARM_DIR/file.bin" "$SWARM_DIR/alone.out"
check "… every byte from the one HTTP source: --stats names it, and 0 % served by peers" \
    json_is "$stats" ".local == false and .bytes == 6291456 and (.peers | length) == 1 and .peers[0].source == \"$gateway\" and .peerShare == 0"
out=$(dr alone cat "$cid" --trustless-gateway "$gateway/" | cmp - "$SWARM_DIR/file.bin" 2>&1)
check "cat through the gateway (a trailing slash on its URL is fine)" test -z "$out"
mkdir -p "$SWARM_DIR/tree/sub"
random_file "$SWARM_DIR/tree/a.bin" 1
random_file "$SWARM_DIR/tree/sub/b.bin" 2
echo "hello" >"$SWARM_DIR/tree/sub/c.txt"
tree=$(dr seed add -r "$SWARM_DIR/tree" --quiet)
dr alone get "$tree" -o "$SWARM_DIR/tree.out" --trustless-gateway "$gateway" --quiet
check "a directory through the gateway: the whole tree, byte for byte" diff -r "$SWARM_DIR/tree" "$SWARM_DIR/tree.out"
random_file "$SWARM_DIR/other.bin" 1
other=$(dr seed add "$SWARM_DIR/other.bin" --quiet)
started=$(date +%s)
out=$(dr alone get "$other" -o "$SWARM_DIR/none.out" --quiet 2>&1)
status=$?
check "without the gateway, a node with no peer gives up after its fetch timeout" \
    test "$status" -ne 0 -a "$(($(date +%s) - started))" -le 12
swarm_stop alone

# --- The daemon's default sources ---
swarm_start defaulted --fetch-timeout 5 --gateway off --trustless-gateway "$gateway" --origin-policy fallback \
    --log-level warning || fail "a daemon starts with --trustless-gateway"
dr defaulted get "$other" -o "$SWARM_DIR/defaulted.out" --quiet
check "run --trustless-gateway: get needs no option" cmp -s "$SWARM_DIR/other.bin" "$SWARM_DIR/defaulted.out"
swarm_stop defaulted

# --- A lying gateway beside an honest peer ---
python3 "$HERE/http_test_servers.py" lying-gateway "$gateway" "$SWARM_DIR/liar.port" --every 1 2>/dev/null &
LIAR_PID=$!
for _ in $(seq 1 50); do [ -s "$SWARM_DIR/liar.port" ] && break; sleep 0.1; done
liar="http://127.0.0.1:$(cat "$SWARM_DIR/liar.port")"
# The honest peer sends at 2 MB/s, so the gateway's answers (from the seed's repository) come first.
random_file "$SWARM_DIR/third.bin" 8
swarm_start honest --upload-limit 2M --gateway off --log-level warning || fail "an honest, slow peer starts"
third=$(dr honest add "$SWARM_DIR/third.bin" --quiet)
dr seed add "$SWARM_DIR/third.bin" --quiet >/dev/null
swarm_start fetcher --bootstrap "$(swarm_udp honest)" --fetch-timeout 10 --gateway off --log-level info ||
    fail "fetcher starts"
swarm_wait_providers fetcher "$third" 1 || fail "the fetcher finds the honest peer as a provider"
stats=$(dr fetcher get "$third" -o "$SWARM_DIR/third.out" --trustless-gateway "$liar" --origin-policy mixed --quiet \
    --stats --json)
check "with a lying gateway and an honest peer, the fetch completes with the right bytes" \
    cmp -s "$SWARM_DIR/third.bin" "$SWARM_DIR/third.out"
check "… every verified byte from the peer (--stats: 100 % served by peers)" json_is "$stats" '.peerShare == 1'
check "the lying gateway was banned for a block that did not hash to its CID" \
    grep -q "reason=invalid-block.*peer banned" "$SWARM_DIR/fetcher.log"
stop_liar

# --- An origin: the file's bytes by Range, its DAG's nodes from a gateway ---
ORIGIN_PID=
start_origin() {
    rm -f "$SWARM_DIR/origin.port"
    python3 "$HERE/http_test_servers.py" origin "$SWARM_DIR/www" "$SWARM_DIR/origin.port" "$@" 2>/dev/null &
    ORIGIN_PID=$!
    for _ in $(seq 1 50); do [ -s "$SWARM_DIR/origin.port" ] && break; sleep 0.1; done
    origin="http://127.0.0.1:$(cat "$SWARM_DIR/origin.port")"
}
stop_origin() { [ -n "$ORIGIN_PID" ] && kill "$ORIGIN_PID" 2>/dev/null; wait "$ORIGIN_PID" 2>/dev/null; ORIGIN_PID=; }
trap 'stop_origin; stop_liar; cleanup' EXIT
mkdir -p "$SWARM_DIR/www"
random_file "$SWARM_DIR/www/video.bin" 12
video=$(dr seed add "$SWARM_DIR/www/video.bin" --quiet)
start_origin
swarm_start viewer --fetch-timeout 10 --gateway off --log-level info || fail "a node without peers starts"
stats=$(dr viewer get "$video" -o "$SWARM_DIR/video.out" --trustless-gateway "$gateway" --origin "$origin/video.bin" \
    --origin-policy mixed --quiet --stats --json)
check "gateway and origin together: the right bytes" cmp -s "$SWARM_DIR/www/video.bin" "$SWARM_DIR/video.out"
check "… with leaves read from the origin by Range, named in --stats" \
    json_is "$stats" "[.peers[] | select(.source == \"$origin/video.bin\") | .bytes] | add > 0"
check "… the origin only ever got range requests" test "$(cut -d' ' -f2 "$SWARM_DIR/www/.requests")" = 0
stop_origin
swarm_stop viewer
start_origin
swarm_start lonely --fetch-timeout 10 --gateway off --log-level info || fail "a node without peers starts"
dr lonely get "$video" -o "$SWARM_DIR/lonely.out" --origin "$origin/video.bin" --quiet
check "an origin alone, no peer, no gateway: read whole, chunked, checked against the root, the right bytes" \
    cmp -s "$SWARM_DIR/www/video.bin" "$SWARM_DIR/lonely.out"
out=$(dr lonely get "$other" -o "$SWARM_DIR/wrong.out" --origin "$origin/video.bin" --quiet 2>&1)
check "an origin whose bytes are another file: nothing written, the fetch fails" \
    test ! -e "$SWARM_DIR/wrong.out" -a -n "$out"
check "… and the daemon says why it did not use the origin" grep -q "are not the file the CID names" "$SWARM_DIR/lonely.log"
stop_origin
swarm_stop lonely
start_origin --flip-all
swarm_start viewer2 --fetch-timeout 10 --gateway off --log-level info || fail "another node without peers starts"
dr viewer2 get "$video" -o "$SWARM_DIR/video2.out" --trustless-gateway "$gateway" --origin "$origin/video.bin" \
    --origin-policy mixed --quiet
check "an origin that sends a wrong byte in every leaf: the fetch completes with the right bytes" \
    cmp -s "$SWARM_DIR/www/video.bin" "$SWARM_DIR/video2.out"
check "… and the origin is banned for the leaf that failed its hash" \
    grep -q "reason=invalid-block.*peer banned" "$SWARM_DIR/viewer2.log"
stop_origin

# --- Bad options ---
out=$(dr seed get "$cid" -o "$SWARM_DIR/x" --origin-policy sometimes 2>&1)
check "an unknown --origin-policy is refused, naming the choices" grep -q "fallback, prefetch, head-start, mixed" <<<"$out"
out=$(dr seed get "$cid" -o "$SWARM_DIR/x" --trustless-gateway ftp://example.com 2>&1)
check "a gateway URL that is not http(s) is refused" grep -q "is not an http:// or https:// gateway URL" <<<"$out"

finish
