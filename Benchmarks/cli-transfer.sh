#!/usr/bin/env bash
# The CLI transfer benchmark of docs/BENCHMARKS.md ("A file between two daemons through the CLI, against libtorrent and
# iroh-blobs"): one file of random bytes per size and run, moved on loopback by
#   (a) dhtnode as a user runs it: two `dhtnode run` daemons (the fetcher bootstrapped from the seeder), `dhtnode
#       add FILE` on the seeder, timed beside `openssl dgst -sha256 FILE` (which of the two runs first alternates),
#       then `dhtnode get CID -o OUT` on the fetcher, timed as the wall time of that command; then `dd conv=fsync`
#       of FILE (what a durable copy of its bytes costs on this disk) and `dhtnode add --nocopy FILE`;
#   (b) libtorrent 2.1.1 over TCP (uTP off): Benchmarks/libtorrent-peer.py seeds FILE, a second process downloads it (time from adding
#       the torrent to the file complete, every piece checked, flushed);
#   (c) iroh 0.35.0 (iroh-blobs): Benchmarks/iroh-peer.py provides FILE, a second process downloads it into its
#       store and exports it to OUT (time from the download's start to the export's end), both in a network
#       namespace with only `lo`, since iroh also tries its default relays;
# the three in an order that rotates from run to run, each fetched file compared with the original (`cmp`), and
# `sync` before each timed step so no tool's writes are left to the next. Every file, store and repository is in a
# folder of the default temporary folder ($TMPDIR or /tmp), kept until exit (deleting many files just before a
# timed step slows file creation on ext4 without a journal). Prints a line per step and a table of medians and
# ratios against the goals.
#
# Usage: Benchmarks/cli-transfer.sh               (as root, for the namespace; on a machine with nothing else running)
# Environment: RUNS (default 3), SIZES (MiB, default "64 256"), DHTNODE (a dhtnode to use instead of `make release`'s
# .build/release/dhtnode), VENV (the Python venv for the peers, default ~/.cache/swift-dht-bench-venv: made when
# missing, with libtorrent==2.1.1 and iroh==0.35.0 from PyPI; the iroh bindings in it are patched so that
# `_UniffiRustBufferBuilder.write` copies bytes into Rust with one memmove instead of a Python loop per byte),
# KEEP=1 keeps the work folder. Needs jq, openssl, ip (iproute2), python3 with venv.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
SIZES=${SIZES:-64 256}
VENV=${VENV:-$HOME/.cache/swift-dht-bench-venv}
if [ -n "${DHTNODE:-}" ]; then
    DHTNODE=$(cd "$(dirname "$DHTNODE")" && pwd)/$(basename "$DHTNODE")
else
    (cd "$ROOT" && make release >/dev/null) || exit 1
    DHTNODE=$ROOT/.build/release/dhtnode
fi
[ -x "$DHTNODE" ] || { echo "no dhtnode at $DHTNODE" >&2; exit 2; }
for tool in jq openssl ip python3; do command -v $tool >/dev/null || { echo "$0 needs $tool" >&2; exit 2; }; done
[ "$(id -u)" = 0 ] || { echo "$0 needs root (a network namespace for iroh)" >&2; exit 2; }

# The peers' venv: made once; pip leaves matching versions alone.
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV" || exit 1; fi
"$VENV/bin/pip" install -q --disable-pip-version-check libtorrent==2.1.1 iroh==0.35.0 || exit 1
PY=$VENV/bin/python
IROH_FFI=$("$PY" -c 'import os, iroh; print(os.path.join(os.path.dirname(iroh.__file__), "iroh_ffi.py"))') || exit 1
"$PY" - "$IROH_FFI" <<'EOF' || exit 1
import sys
path = sys.argv[1]
text = open(path).read()
old = """    def write(self, value):
        with self._reserve(len(value)):
            for i, byte in enumerate(value):
                self.rbuf.data[self.rbuf.len + i] = byte
"""
new = """    def write(self, value):
        # Patched by swift-dht's Benchmarks/cli-transfer.sh: one memmove instead of a Python loop per byte.
        with self._reserve(len(value)):
            if len(value):
                ctypes.memmove(ctypes.addressof(self.rbuf.data.contents) + self.rbuf.len, bytes(value), len(value))
"""
if "ctypes.memmove(ctypes.addressof(self.rbuf.data.contents)" not in text:
    if old not in text:
        sys.exit(f"{path}: _UniffiRustBufferBuilder.write is not the expected loop; not patched")
    open(path, "w").write(text.replace(old, new, 1))
EOF

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-clibench.XXXXXX")
SWARM_DIR=$WORK
NS=dhtcli$$
PEER_PIDS=()
# shellcheck source=../scripts/swarm-lib.sh
source "$ROOT/scripts/swarm-lib.sh"
cleanup() {
    local pid
    for pid in "${PEER_PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    swarm_cleanup
    ip netns del "$NS" 2>/dev/null
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export DHTNODE_DATA=$WORK/unused-default
ip netns add "$NS" && ip -n "$NS" link set lo up || exit 1

now_ns() { date +%s%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", (b - a) / 1e9 }'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
FAILED=0
problem() { FAILED=$((FAILED + 1)); echo "PROBLEM: $*"; }
# Waits until FILE exists and is not empty, or PID exits, or 120 s pass.
wait_file() {
    local file=$1 pid=$2 waited=0
    while [ ! -s "$file" ]; do
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
        waited=$((waited + 1))
        [ $waited -ge 1200 ] && return 1
    done
    return 0
}
RESULTS=$WORK/results   # lines: SIZE TOOL SECONDS (TOOL: dhtnode, libtorrent, iroh, irohstore, add, openssl, ddsync, nocopy)
record() { echo "$1 $2 $3" >>"$RESULTS"; }

echo "dhtnode: $DHTNODE ($("$DHTNODE" --version 2>/dev/null)); git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+changes')"
echo "$(nproc) cores; $(uname -sr); $("$PY" -c 'import libtorrent; print("libtorrent", libtorrent.__version__)'); $("$VENV/bin/pip" show iroh 2>/dev/null | awk '/^Version/ { print "iroh", $2 }')"
"$ROOT/Benchmarks/fs-note.sh" "$WORK"

swarm_start seed --log-level warning || exit 1
swarm_start fetch --bootstrap "$(swarm_udp seed)" --log-level warning || exit 1
swarm_wait_peers fetch 1 || problem "the fetcher has no peer"
swarm_wait_peers seed 1 || problem "the seeder has no peer"

run_dhtnode() {
    local size=$1 file=$2 run=$3 t0 t1 cid out=$WORK/dht-$size-$run.out
    local hash_first=$((run % 2))
    sync
    if [ $hash_first = 1 ]; then
        t0=$(now_ns); openssl dgst -sha256 "$file" >/dev/null; t1=$(now_ns); record "$size" openssl "$(elapsed "$t0" "$t1")"
    fi
    t0=$(now_ns)
    cid=$("$DHTNODE" add -q --data "$WORK/seed" "$file") || { problem "dhtnode add failed"; return; }
    t1=$(now_ns)
    record "$size" add "$(elapsed "$t0" "$t1")"
    if [ $hash_first = 0 ]; then
        t0=$(now_ns); openssl dgst -sha256 "$file" >/dev/null; t1=$(now_ns); record "$size" openssl "$(elapsed "$t0" "$t1")"
    fi
    sync
    t0=$(now_ns)
    "$DHTNODE" get -q --data "$WORK/fetch" "$cid" -o "$out" || { problem "dhtnode get failed"; return; }
    t1=$(now_ns)
    cmp -s "$file" "$out" || problem "dhtnode: $out differs from $file"
    record "$size" dhtnode "$(elapsed "$t0" "$t1")"
    echo "  dhtnode    add $(tail -n 3 "$RESULTS" | awk '$2 == "add" { print $3 }') s (openssl dgst $(tail -n 3 "$RESULTS" | awk '$2 == "openssl" { print $3 }') s); get -o $(elapsed "$t0" "$t1") s, $(mbps $((size << 20)) "$(elapsed "$t0" "$t1")") MB/s"
    # What copying the bytes durably costs on this disk, whoever does it (the bound of an add that keeps a copy),
    # and an add that keeps none (--nocopy: the leaves stay in FILE).
    sync
    t0=$(now_ns); dd if="$file" of="$WORK/dd-$size-$run.bin" bs=4M conv=fsync status=none; t1=$(now_ns)
    record "$size" ddsync "$(elapsed "$t0" "$t1")"
    sync
    t0=$(now_ns)
    "$DHTNODE" add -q --nocopy --data "$WORK/seed" "$file" >/dev/null || { problem "dhtnode add --nocopy failed"; return; }
    t1=$(now_ns)
    record "$size" nocopy "$(elapsed "$t0" "$t1")"
    echo "  dd conv=fsync $(tail -n 2 "$RESULTS" | awk '$2 == "ddsync" { print $3 }') s; add --nocopy $(elapsed "$t0" "$t1") s"
}

run_libtorrent() {
    local size=$1 file=$2 run=$3 dir=$WORK/lt-$size-$run seeder result seconds
    mkdir -p "$dir/get"
    "$PY" "$ROOT/Benchmarks/libtorrent-peer.py" seed "$file" "$dir/file.torrent" "$dir/ready" >"$dir/seed.log" 2>&1 &
    seeder=$!
    PEER_PIDS+=("$seeder")
    wait_file "$dir/ready" "$seeder" || { problem "libtorrent: the seeder did not start: $(tail -n 3 "$dir/seed.log")"; return; }
    sync
    result=$("$PY" "$ROOT/Benchmarks/libtorrent-peer.py" fetch "$dir/file.torrent" "$dir/get" "$(cat "$dir/ready")" 2>"$dir/get.log") ||
        { problem "libtorrent: the download failed: $(tail -n 3 "$dir/get.log")"; kill "$seeder"; return; }
    kill "$seeder"; wait "$seeder" 2>/dev/null
    cmp -s "$file" "$dir/get/$(basename "$file")" || problem "libtorrent: the downloaded file differs from $file"
    seconds=$(jq -r '.seconds' <<<"$result")
    record "$size" libtorrent "$seconds"
    echo "  libtorrent $(printf '%.4f' "$seconds") s, $(mbps $((size << 20)) "$seconds") MB/s"
}

run_iroh() {
    local size=$1 file=$2 run=$3 dir=$WORK/iroh-$size-$run provider result seconds
    mkdir -p "$dir"
    ip netns exec "$NS" "$PY" "$ROOT/Benchmarks/iroh-peer.py" provide "$file" "$dir/provider" "$dir/ready" >"$dir/provide.log" 2>&1 &
    provider=$!
    PEER_PIDS+=("$provider")
    wait_file "$dir/ready" "$provider" || { problem "iroh: the provider did not start: $(tail -n 3 "$dir/provide.log")"; return; }
    sync
    result=$(ip netns exec "$NS" "$PY" "$ROOT/Benchmarks/iroh-peer.py" fetch "$dir/ready" "$dir/fetcher" "$dir/out" 2>"$dir/fetch.log") ||
        { problem "iroh: the download failed: $(tail -n 3 "$dir/fetch.log")"; kill "$provider"; return; }
    kill "$provider"; wait "$provider" 2>/dev/null
    cmp -s "$file" "$dir/out" || problem "iroh: the exported file differs from $file"
    seconds=$(jq -r '.seconds' <<<"$result")
    record "$size" iroh "$seconds"
    record "$size" irohstore "$(jq -r '.downloadSeconds' <<<"$result")"
    echo "  iroh       $(printf '%.4f' "$seconds") s, $(mbps $((size << 20)) "$seconds") MB/s (in its store after $(jq -r '.downloadSeconds * 1000 | floor' <<<"$result") ms)"
}

TOOLS=(dhtnode libtorrent iroh)
for run in $(seq 1 "$RUNS"); do
    for size in $SIZES; do
        file=$WORK/file-$size-$run.bin
        head -c $((size << 20)) /dev/urandom >"$file"
        cat "$file" >/dev/null
        echo "run $run, $size MiB ($(uptime | sed 's/.*load average: /load /'))"
        for k in 0 1 2; do
            tool=${TOOLS[$(((run + k) % 3))]}
            "run_$tool" "$size" "$file" "$run"
        done
    done
done

echo
echo "medians of $RUNS runs (MB/s = 10^6 bytes per second; ratios of medians):"
for size in $SIZES; do
    bytes=$((size << 20))
    for tool in dhtnode libtorrent iroh irohstore add openssl ddsync nocopy; do
        printf -v "m_$tool" '%s' "$(awk -v s="$size" -v t="$tool" '$1 == s && $2 == t { print $3 }' "$RESULTS" | median)"
    done
    # shellcheck disable=SC2154 # set by printf -v above
    awk -v size="$size" -v b="$bytes" -v d="$m_dhtnode" -v l="$m_libtorrent" -v i="$m_iroh" -v s="$m_irohstore" -v a="$m_add" -v o="$m_openssl" -v w="$m_ddsync" -v n="$m_nocopy" '
    function mark(ok) { return (d == "nan" || l == "nan" || i == "nan" || a == "nan") ? "not measured" : ok ? "met" : "MISSED" }
    BEGIN {
        printf "%s MiB: get -o %.1f MB/s (%.3f s); libtorrent %.1f MB/s (%.3f s); iroh-blobs %.1f MB/s (%.3f s)\n", size, b / d / 1e6, d, b / l / 1e6, l, b / i / 1e6, i
        printf "  get -o / libtorrent %.2f, get -o / iroh-blobs %.2f (iroh-blobs into its store only, no export: %.1f MB/s, ratio %.2f)\n", l / d, i / d, b / s / 1e6, s / d
        printf "  add %.3f s against openssl dgst %.3f s: ratio %.2f; against dd conv=fsync %.3f s: ratio %.2f\n", a, o, o / a, w, w / a
        printf "  add --nocopy %.3f s against openssl dgst: ratio %.2f\n", n, o / n
        if (size == 256) printf "  goals: >= 400 MB/s %s; >= 2.5x libtorrent %s; add >= 0.6x openssl %s\n", mark(b / d / 1e6 >= 400), mark(l / d >= 2.5), mark(o / a >= 0.6)
        if (size == 64) printf "  goals: >= 2x iroh-blobs %s; add >= 0.6x openssl %s\n", mark(i / d >= 2), mark(o / a >= 0.6)
    }'
done
[ $FAILED = 0 ] || { echo "$FAILED problem(s)"; exit 1; }
