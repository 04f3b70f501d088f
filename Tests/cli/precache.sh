#!/usr/bin/env bash
# CLI tests of the cache of a CDN node, between `dhtnode run` processes on 127.0.0.1:
# - a page's assets (a dozen images, a script, the page) precached in the background by an edge node load through
#   its gateway, as a browser would (curl of each asset, six at a time), with no block fetched from the network,
#   byte for byte, in about the time the same assets take from a node that added them itself;
# - an edge with an 8 MiB cache fetches three times its budget (gets, gateway loads and precaches): the block files
#   on disk and the cache_bytes metric stay within the budget the whole time (sampled every 50 ms), evictions are
#   counted, pinned blocks stay, and after a restart the cache takes the blocks on disk back;
# - precache's options and its control API route; bad --cache-size values are refused in one line.
#
# Usage: Tests/cli/precache.sh PATH/TO/dhtnode
# Needs bash, jq, curl, head, cmp, awk. Works in a temporary folder that it removes at the end; every process it
# starts is killed by PID on exit. The last line is "N passed, M failed"; exits non-zero if any check fails.
set -u

# shellcheck source=swarm-test-lib.sh
source "$(dirname "$0")/swarm-test-lib.sh" precache "$@"
command -v curl >/dev/null || { echo "$0 needs curl" >&2; exit 2; }
SAMPLER_PID=
stop_sampler() { [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null; SAMPLER_PID=; }
trap 'stop_sampler; cleanup' EXIT
random_kib() { head -c "$(($2 * 1024))" /dev/urandom >"$1"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
metric() { curl -s "$(swarm_api "$1")/metrics" | awk -v name="$2" '$1 == name { print int($2) }'; }
received_bytes() {
    curl -s "$(swarm_api "$1")/metrics" | awk '$1 ~ /^exchange_block_bytes_total/ && $1 ~ /received/ { print int($2) }'
}
# Loads every asset of the page under ROOT through the gateway of NODE into folder OUT, six at a time, as a browser
# does; prints the milliseconds it took.
load_page() {
    local node=$1 root=$2 out=$3 gateway args=() name start
    gateway=$(swarm_gateway "$node")
    mkdir -p "$out"
    for name in $ASSETS; do args+=(-o "$out/$name" "$gateway/ipfs/$root/$name"); done
    start=$(now_ms)
    curl -sf --no-progress-meter --parallel --parallel-max 6 "${args[@]}" || return 1
    echo $(($(now_ms) - start))
}
same_page() { local name; for name in $ASSETS; do cmp -s "$SWARM_DIR/page/$name" "$1/$name" || return 1; done; }

# --- The page: twelve images, a script, the page itself ---
mkdir -p "$SWARM_DIR/page"
ASSETS="index.html app.js"
for n in 01 02 03 04 05 06 07 08 09 10 11 12; do
    random_kib "$SWARM_DIR/page/img$n.jpg" $((100 + 25 * 10#$n))
    ASSETS="$ASSETS img$n.jpg"
done
random_kib "$SWARM_DIR/page/app.js" 96
echo "<html><body><script src=app.js></script></body></html>" >"$SWARM_DIR/page/index.html"

swarm_start seed --gateway off --log-level warning || { fail "the seed starts"; finish; }
page=$(dr seed add -r "$SWARM_DIR/page" --quiet)
check "the page is added on the seed" test -n "$page"

# The same assets added locally on a node of their own: the baseline.
swarm_start local --gateway 127.0.0.1:0 --log-level warning || fail "the local node starts"
dr local add -r "$SWARM_DIR/page" --quiet >/dev/null
swarm_start edge --bootstrap "$(swarm_udp seed)" --gateway 127.0.0.1:0 --cache-size 64MiB --fetch-timeout 10 \
    --log-level info || fail "the edge starts with --cache-size 64MiB"
swarm_wait_providers edge "$page" 1 || fail "the edge finds the seed as the page's provider"

out=$(dr edge precache "$page" --json)
check "precache queues the page and answers at once (--json)" json_is "$out" \
    "(.items | length) == 1 and .items[0].cid == \"$page\" and (.items[0].state | IN(\"waiting\", \"running\", \"done\"))"
out=$(dr edge precache "$page" --wait --json)
# The first request may have ended already: then this one finds the DAG whole and fetches nothing.
check "precache --wait returns once the page's DAG is in the repository" json_is "$out" '.items[0].state == "done"'
status=$(dr edge precache --status --json)
check "precache --status lists the page's fetch done, and the cache holds its bytes within its budget" \
    json_is "$status" 'any(.items[]; .state == "done" and .bytes > 3000000) and .cache.budgetBytes == 67108864 and .cache.bytes > 3000000 and .cache.bytes <= .cache.budgetBytes'
check "the precached blocks are not pinned" test "$(dr edge pin ls --json | jq '.pins | length')" = 0
check "precache --quiet prints nothing" test -z "$(dr edge precache "$page" --quiet)"

before=$(received_bytes edge)
precached_ms=$(load_page edge "$page" "$SWARM_DIR/edge.out") || fail "the edge's gateway serves the page"
after=$(received_bytes edge)
local_ms=$(load_page local "$page" "$SWARM_DIR/local.out") || fail "the local node's gateway serves the page"
check "the precached page loads through the gateway, every asset byte for byte" same_page "$SWARM_DIR/edge.out"
check "… with no block fetched from the network while it loads ($before → $after bytes received)" \
    test "$before" = "$after"
check "… as fast as from a node that added it ($precached_ms ms precached, $local_ms ms local; ≤ 2× + 100 ms)" \
    test "$precached_ms" -le $((2 * local_ms + 100))

swarm_start cold --bootstrap "$(swarm_udp seed)" --gateway 127.0.0.1:0 --fetch-timeout 10 --log-level warning ||
    fail "a node without the precache starts"
swarm_wait_providers cold "$page" 1 || fail "the cold node finds the seed"
cold_ms=$(load_page cold "$page" "$SWARM_DIR/cold.out") || fail "the cold node's gateway serves the page"
check "without the precache the same load fetches from the network ($cold_ms ms, $(received_bytes cold) bytes received)" \
    test "$(received_bytes cold)" -gt 3000000
echo "page load: precached ${precached_ms} ms, local ${local_ms} ms, not precached ${cold_ms} ms"
swarm_stop cold
swarm_stop local

# --- Three times the budget through an 8 MiB cache ---
budget=$((8 * 1024 * 1024))
for n in 1 2 3 4 5 6; do random_kib "$SWARM_DIR/big$n.bin" 4096; done
for n in 1 2 3 4 5 6; do big[n]=$(dr seed add "$SWARM_DIR/big$n.bin" --quiet); done
random_kib "$SWARM_DIR/kept.bin" 1024
swarm_start small --bootstrap "$(swarm_udp seed)" --gateway 127.0.0.1:0 --cache-size 8MiB --fetch-timeout 10 \
    --log-level info || fail "a node starts with --cache-size 8MiB"
kept=$(dr small add "$SWARM_DIR/kept.bin" --quiet)
swarm_wait_providers small "${big[6]}" 1 || fail "the small node finds the seed"
# Samples the block files' bytes on disk and the cache_bytes metric every 50 ms; keeps the largest of each.
repo_blocks=$SWARM_DIR/small/repo/blocks
pinned_bytes=$(find "$repo_blocks" -type f ! -name '*.tmp' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
(
    most_disk=0 most_metric=0
    while :; do
        disk=$(find "$repo_blocks" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
        metric_now=$(metric small cache_bytes)
        [ "$disk" -gt "$most_disk" ] && most_disk=$disk
        [ "${metric_now:-0}" -gt "$most_metric" ] && most_metric=${metric_now:-0}
        echo "$most_disk $most_metric" >"$SWARM_DIR/sampled"
        sleep 0.05
    done
) &
SAMPLER_PID=$!
ok=1
dr small cat "${big[1]}" | cmp -s - "$SWARM_DIR/big1.bin" || ok=0
dr small cat "${big[2]}" | cmp -s - "$SWARM_DIR/big2.bin" || ok=0
curl -sf "$(swarm_gateway small)/ipfs/${big[3]}" | cmp -s - "$SWARM_DIR/big3.bin" || ok=0
dr small precache "${big[4]}" "${big[5]}" "${big[6]}" --wait --quiet || ok=0
sleep 0.2
stop_sampler
read -r most_disk most_metric <"$SWARM_DIR/sampled"
# `cat`, not `get -o`: a file fetched to a path keeps its leaves as references into that file, outside the cache.
check "24 MiB fetched through an 8 MiB cache (cat, gateway, precache), every file byte for byte" test "$ok" = 1
# One block of slack: `find` walks the folders while blocks are renamed into place, and a file renamed during the
# walk can be counted under both names.
check "… the unpinned block files on disk never exceeded the budget (at most $((most_disk - pinned_bytes)) of $budget bytes)" \
    test $((most_disk - pinned_bytes)) -le $((budget + 262144))
check "… nor did the cache_bytes metric (at most $most_metric)" test "$most_metric" -gt 0 -a "$most_metric" -le "$budget"
evicted=$(metric small cache_evictions_total)
check "… evicting least recently used blocks as they arrived ($evicted evictions counted)" test "${evicted:-0}" -gt 40
cat_is() { dr "$1" cat "$2" | cmp -s - "$3"; }
check "… and the pinned file stayed whole (the seed does not have it)" cat_is small "$kept" "$SWARM_DIR/kept.bin"
cached=$(dr small precache --status --json | jq '.cache.bytes')
swarm_stop small
swarm_start small --bootstrap "$(swarm_udp seed)" --gateway off --cache-size 8MiB --log-level warning ||
    fail "the small node starts again"
for _ in $(seq 1 50); do
    again=$(dr small precache --status --json | jq '.cache.bytes')
    [ "$again" -gt 0 ] && break
    sleep 0.1
done
check "after a restart the cache takes back the blocks on disk ($cached bytes before, $again after)" \
    test "$again" = "$cached"
swarm_stop small
swarm_start tiny --gateway off --cache-size 16MiB --log-level warning || fail "a node starts with a larger budget"
swarm_stop tiny

# --- Options and the API ---
out=$(dr edge precache 2>&1)
check "precache without a CID or --status is refused" grep -q "at least one CID" <<<"$out"
out=$(dr edge precache not-a-cid 2>&1)
check "precache of a text that is not a CID: one line naming it" test "$(wc -l <<<"$out")" = 1
out=$("$DHTNODE" run --data "$SWARM_DIR/bad" --cache-size 1MiB 2>&1)
check "run --cache-size 1MiB is refused in one line naming the option" grep -q -- "--cache-size: '1MiB' is not a cache size" <<<"$out"
out=$("$DHTNODE" run --data "$SWARM_DIR/bad" --cache-size lots 2>&1)
check "run --cache-size lots is refused" grep -q "is not a cache size" <<<"$out"
token=$(cat "$SWARM_DIR/edge/api-token")
out=$(curl -s -X POST -H "Authorization: Bearer $token" "$(swarm_api edge)/v1/precache/$page?wait=true")
check "POST /v1/precache/{cid}?wait=true answers with the request done" json_is "$out" '.state == "done"'
check "GET /v1/precache needs the token" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "$(swarm_api edge)/v1/precache")" = 401
swarm_stop edge
out=$(dr edge precache --status 2>&1)
check "precache --status without a daemon: one line saying so" test "$(wc -l <<<"$out")" = 1
finish
