#!/usr/bin/env bash
# Precache against a local add (docs/BENCHMARKS.md, "Precache: a page's next load"; Edgemesh's idea: the assets of the
# next page fetched in the background make its load as fast as a load from the local repository).
#
# Four `dhtnode run` processes on 127.0.0.1 (`make release` build): `seed` holds the pages; `local` added each page
# itself (the baseline); `edge` precaches each page from the seed (`dhtnode precache CID --wait`, with
# --cache-size 256MiB); `cold` has nothing and fetches on demand. A page is twelve images (125–400 KiB), a 96 KiB
# script and the HTML, ~3.3 MiB of random bytes; each round makes a new page, so every cold load is a network fetch.
# A load is what a browser does: every asset through the node's gateway, six connections at once
# (`curl --parallel --parallel-max 6`), timed from the first request to the last byte. Each round loads the page
# from `local`, `edge` and `cold`, in turn; the table gives the medians and the ratios to `local` in the same run.
#
# Usage: Benchmarks/precache.sh [PATH/TO/dhtnode]   (default: `make release`, then .build/release/dhtnode)
#        ROUNDS=N (default 7), KEEP=1 keeps the temporary folder. Needs jq, curl. Run it under /work/bin/bench.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
    DHTNODE=$(realpath "$1")
else
    make -C "$ROOT" release >/dev/null || exit 1
    DHTNODE=$ROOT/.build/release/dhtnode
fi
ROUNDS=${ROUNDS:-7}
SWARM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-precache-bench.XXXXXX")
# shellcheck source=../scripts/swarm-lib.sh
source "$ROOT/scripts/swarm-lib.sh"
cleanup() { swarm_cleanup; if [ "${KEEP:-0}" = 1 ]; then echo "kept $SWARM_DIR"; else rm -rf "$SWARM_DIR"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM
dr() { local node=$1; shift; DHTNODE_DATA="$SWARM_DIR/$node" "$DHTNODE" "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
ASSETS="index.html app.js"
for n in 01 02 03 04 05 06 07 08 09 10 11 12; do ASSETS="$ASSETS img$n.jpg"; done
make_page() {
    local dir=$1 n
    mkdir -p "$dir"
    for n in 01 02 03 04 05 06 07 08 09 10 11 12; do head -c $(((100 + 25 * 10#$n) * 1024)) /dev/urandom >"$dir/img$n.jpg"; done
    head -c $((96 * 1024)) /dev/urandom >"$dir/app.js"
    echo "<html><body><script src=app.js></script></body></html>" >"$dir/index.html"
}
# Prints the milliseconds a load of every asset of ROOT through NODE's gateway took; fails on a wrong byte.
load_page() {
    local node=$1 root=$2 page=$3 out=$SWARM_DIR/out-$1 gateway args=() name start end
    gateway=$(swarm_gateway "$node")
    rm -rf "$out" && mkdir -p "$out"
    for name in $ASSETS; do args+=(-o "$out/$name" "$gateway/ipfs/$root/$name"); done
    start=$(now_ms)
    curl -sf --no-progress-meter --parallel --parallel-max 6 "${args[@]}" || return 1
    end=$(now_ms)
    for name in $ASSETS; do cmp -s "$page/$name" "$out/$name" || return 1; done
    echo $((end - start))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

swarm_start seed --gateway off --log-level warning || exit 1
swarm_start local --gateway 127.0.0.1:0 --log-level warning || exit 1
swarm_start edge --bootstrap "$(swarm_udp seed)" --gateway 127.0.0.1:0 --cache-size 256MiB --log-level warning || exit 1
swarm_start cold --bootstrap "$(swarm_udp seed)" --gateway 127.0.0.1:0 --log-level warning || exit 1
: >"$SWARM_DIR/local.ms" && : >"$SWARM_DIR/edge.ms" && : >"$SWARM_DIR/cold.ms" && : >"$SWARM_DIR/precache.ms"
for round in $(seq 1 "$ROUNDS"); do
    page=$SWARM_DIR/page$round
    make_page "$page"
    root=$(dr seed add -r "$page" --quiet)
    dr local add -r "$page" --quiet >/dev/null
    swarm_wait_providers edge "$root" 1 || { echo "round $round: the edge does not find the seed" >&2; exit 1; }
    start=$(now_ms)
    dr edge precache "$root" --wait --quiet || { echo "round $round: precache failed" >&2; exit 1; }
    echo $(($(now_ms) - start)) >>"$SWARM_DIR/precache.ms"
    sync
    load_page local "$root" "$page" >>"$SWARM_DIR/local.ms" || { echo "round $round: local load failed" >&2; exit 1; }
    load_page edge "$root" "$page" >>"$SWARM_DIR/edge.ms" || { echo "round $round: precached load failed" >&2; exit 1; }
    load_page cold "$root" "$page" >>"$SWARM_DIR/cold.ms" || { echo "round $round: cold load failed" >&2; exit 1; }
done
local_ms=$(median <"$SWARM_DIR/local.ms")
edge_ms=$(median <"$SWARM_DIR/edge.ms")
cold_ms=$(median <"$SWARM_DIR/cold.ms")
precache_ms=$(median <"$SWARM_DIR/precache.ms")
list() { paste -sd, "$1" | sed 's/,/, /g'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "page: 14 assets, $(du -cb "$SWARM_DIR/page1"/* | tail -1 | cut -f1) bytes; $ROUNDS rounds (medians; every round in brackets)"
echo "| load of the page's assets through the gateway | median (rounds) | ratio to local |"
echo "|---|---|---|"
echo "| local: the node added the assets itself (baseline) | $local_ms ms ($(list "$SWARM_DIR/local.ms")) | 1.00 |"
echo "| precached: \`dhtnode precache\` beforehand | **$edge_ms ms** ($(list "$SWARM_DIR/edge.ms")) | **$(ratio "$edge_ms" "$local_ms")** |"
echo "| not precached: fetched from the seed on demand | $cold_ms ms ($(list "$SWARM_DIR/cold.ms")) | $(ratio "$cold_ms" "$local_ms") |"
echo "| (the precache itself, \`--wait\`, in the background) | $precache_ms ms ($(list "$SWARM_DIR/precache.ms")) | |"
