#!/usr/bin/env bash
# The block import benchmark of docs/BENCHMARKS.md ("Blocks: add and cat, against `openssl dgst`").
#
# Builds dhtnode in release mode (scratch path .build-cli), makes a 1 GiB file of random bytes under /tmp (or
# $BENCH_DIR), warms the page cache, then in the same run times:
#   openssl dgst -sha256 FILE           the hashing limit
#   dhtnode add FILE --only-hash        chunk + hash + DAG, nothing written
#   dhtnode add FILE                    the same into a fresh repository (blocks written, fsynced, pinned)
#   dhtnode cat CID > /dev/null         read back, every block rehashed
# each under /usr/bin/time, and prints the ratios against the goals.
# Usage: Benchmarks/add.sh [SIZE]   (SIZE for head -c, default 1G; the goals are stated for 1G)
#        BENCH_DIR=DIR Benchmarks/add.sh   works in DIR (e.g. on the journaled ext4 of Benchmarks/scratch-ext4.sh)
#        DHTNODE=PATH Benchmarks/add.sh   uses that dhtnode instead of building one
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1G}
if [ -n "${DHTNODE:-}" ]; then
    bin=$DHTNODE    # a dhtnode built elsewhere (e.g. by `make test`: .build-test/release/dhtnode)
else
    swift build -c release --product dhtnode --scratch-path .build-cli > /dev/null
    bin=$PWD/.build-cli/release/dhtnode
fi
dir=${BENCH_DIR:-/tmp/dhtnode-bench}
mkdir -p "$dir"
file=$dir/random-$size
repo=$dir/repo
if [ ! -f "$file" ]; then head -c "$size" /dev/urandom > "$file.tmp" && mv "$file.tmp" "$file"; fi
rm -rf "$repo"
bytes=$(stat -c %s "$file")

# Warm the page cache: the benchmark measures hashing and the store, not the disk the input sits on.
cat "$file" > /dev/null
cat "$file" > /dev/null
sync  # no dirty pages from making the file left to compete with the import's writes

exec 3>&1  # the report, while a timed command's stdout may go to a file
timed() { # timed NAME COMMAND...: runs it, keeps "seconds KiB" in $dir/NAME.time, prints what ran
  local name=$1; shift
  echo "\$ $*" | sed "s|$bin|dhtnode|g; s|$dir|\$DIR|g" >&3
  /usr/bin/time -f "%e s %M KiB" -o "$dir/$name.time" "$@"
  echo "  $(cat "$dir/$name.time")" >&3
}

echo "file: $bytes bytes of /dev/urandom; $(nproc) cores; $(uname -sr)"
Benchmarks/fs-note.sh "$dir"
timed sha256 openssl dgst -sha256 "$file" > /dev/null
timed only "$bin" add --repo "$repo" -q --only-hash "$file" > "$dir/only.cid"
timed add "$bin" add --repo "$repo" -q "$file" > "$dir/add.cid"
cid=$(cat "$dir/add.cid")
[ "$cid" = "$(cat "$dir/only.cid")" ] || { echo "CID mismatch: $cid vs $(cat "$dir/only.cid")" >&2; exit 1; }
timed cat "$bin" cat --repo "$repo" "$cid" > /dev/null
echo "root: $cid"

seconds() { cut -d' ' -f1 "$dir/$1.time"; }
kib() { cut -d' ' -f3 "$dir/$1.time"; }
awk -v sha="$(seconds sha256)" -v only="$(seconds only)" -v add="$(seconds add)" -v cat="$(seconds cat)" \
    -v bytes="$bytes" -v rss_only="$(kib only)" -v rss_add="$(kib add)" -v rss_cat="$(kib cat)" '
function mark(ok) { return ok ? "met" : "MISSED" }
BEGIN {
  r_only = sha / only; r_add = sha / add; gbs = bytes / cat / 1e9
  printf "sha256 %.2f GB/s\n", bytes / sha / 1e9
  printf "only-hash ratio (sha256 time / add time)  %.2f  goal >= 0.85  %s\n", r_only, mark(r_only >= 0.85)
  printf "add ratio, blocks written                 %.2f  goal >= 0.60  %s\n", r_add, mark(r_add >= 0.60)
  printf "cat                                       %.2f GB/s  goal >= 1 GB/s  %s\n", gbs, mark(gbs >= 1)
  printf "peak RSS add / only-hash / cat            %.1f / %.1f / %.1f MiB  goal <= 64 MiB (add)  %s\n", \
    rss_add / 1024, rss_only / 1024, rss_cat / 1024, mark(rss_add <= 65536)
}'
rm -rf "$repo"
