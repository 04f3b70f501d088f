#!/usr/bin/env bash
# The block exchange benchmark of docs/BENCHMARKS.md ("Block exchange between daemons", issue 5), on loopback,
# every node a separate `dhtnode run` process (UDP DHT and TCP exchange on one port, API on port 0):
#   (a) 1 seeder -> 1 fetcher, a file of random bytes of each size in SIZES (MiB) added on seed1 only:
#       throughput and time to first byte, as `dhtnode get --stats --json` reports them (daemon side);
#   (b) 4 seeders -> 1 fetcher, another file of the same size added on all 4: throughput, per-peer bytes (all must
#       be > 0), duplicate ratio, and the ratio of the 4->1 median to the 1->1 median. Runs of (a) and (b)
#       alternate, so that drift in the machine's speed falls on both;
#   (c) SMALL distinct 22 KiB files from an already connected seeder (the fetcher first fetches a 1 MiB file from
#       it): the daemon's timeToLastByte and the CLI's wall time of `get -o` (median, min, max);
#   (d) a BIG MiB file 1 -> 1 with fresh seeder and fetcher: VmHWM (peak RSS) of both daemons; the seeder's
#       peak is reset (`echo 5 > /proc/PID/clear_refs`) after its `add`, so it covers serving only; VmRSS is also
#       sampled every 0.1 s during the fetch.
# Every run of (a), (b) and (d) uses a freshly started fetcher with an empty repository (same identity and port).
# Each fetched file is compared byte for byte with the original. The load (`uptime`, and the CPU pressure from
# /proc/pressure/cpu) is printed before each measurement; after it, the CPU time per MiB of the fetcher and of the
# seeders (/proc/PID/stat), the machine's busy share during the fetch (/proc/stat) and context switches per MiB.
# Disk: the seeders keep both files of each size, the fetcher's repository of every run is kept until exit, so
# RUNS=5 with the default sizes and BIG needs about 10 GiB (Benchmarks/scratch-ext4.sh up /mnt/dhtnode-scratch 16G).
#
# Usage: Benchmarks/exchange.sh [PATH/TO/dhtnode]   (default: builds and uses .build/release/dhtnode)
# Environment: RUNS (runs per size and seeder count, default 3), SIZES (MiB, default "64 256"), SMALL (22 KiB
# fetches, default 20; 0 skips), BIG (MiB for the RSS run, default 1024; 0 skips), KEEP=1 keeps the temporary
# folder. QUIET=PCT starts each fetch of (a), (b) and (d) only after a probe of a few seconds found at most PCT %
# stolen by the hypervisor (Benchmarks/quiet-lib.sh; QUIET_WAIT, default 900 s, bounds the wait). HOST_MEMORY=warm
# or cold puts the VM's memory in a known state before each of those fetches (Benchmarks/host-memory-lib.sh: the
# host takes back free memory, and a fetch that fills the page cache with it runs slower by about a quarter).
# SEEDER_CACHE=warm or cold reads the seeders' blocks into the page cache before each of them, or drops them from
# it (Benchmarks/seeder-cache-lib.sh: this VM evicts file pages unread for about a minute); every fetch prints how
# much of its seeders' blocks was cached.
# PERF=PREFIX records each fetch of (a) and (b) with `perf record -a -g -F ${PERF_FREQ:-999}` (the whole
# machine: the daemons, and the kernel threads that write their files back), in files PREFIX-one-SIZE-RUN.data and
# PREFIX-four-SIZE-RUN.data; PERF_EVENTS replaces -F with other events ("-e cpu-clock/freq=999/
# -e sched:sched_switch -c 1" records every switch too: who waits, and where).
# Needs bash, jq, cmp, awk. Works in a temporary folder ($TMPDIR or /tmp) that it removes at exit; every process it
# starts is killed by PID at exit.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
    DHTNODE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
    (cd "$ROOT" && swift build -c release --product dhtnode >/dev/null) || exit 1
    DHTNODE=$ROOT/.build/release/dhtnode
fi
[ -x "$DHTNODE" ] || { echo "no dhtnode at $DHTNODE" >&2; exit 2; }
command -v jq >/dev/null || { echo "$0 needs jq" >&2; exit 2; }
RUNS=${RUNS:-3}
SIZES=${SIZES:-64 256}
SMALL=${SMALL:-20}
BIG=${BIG:-1024}
SWARM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-xbench.XXXXXX")
# shellcheck source=../scripts/swarm-lib.sh
source "$ROOT/scripts/swarm-lib.sh"
# shellcheck source=quiet-lib.sh
source "$ROOT/Benchmarks/quiet-lib.sh"
# shellcheck source=host-memory-lib.sh
source "$ROOT/Benchmarks/host-memory-lib.sh"
# shellcheck source=seeder-cache-lib.sh
source "$ROOT/Benchmarks/seeder-cache-lib.sh"
SAMPLER=
cleanup() {
    [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
    swarm_cleanup
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $SWARM_DIR"; else rm -rf "$SWARM_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export DHTNODE_DATA=$SWARM_DIR/unused-default   # every command below passes --data or sets DHTNODE_DATA

dn() { local node=$1; shift; "$DHTNODE" "$@" --data "$SWARM_DIR/$node"; }
dr() { local node=$1; shift; DHTNODE_DATA="$SWARM_DIR/$node" "$DHTNODE" "$@"; }
# A daemon started with --listen 127.0.0.1:0 gets a free UDP port and then binds TCP on the same number, which
# fails now and then ("Address already in use": the number is a TCP port in use); start again when it does.
start_node() {
    local name=$1 attempt
    for attempt in 1 2 3; do
        swarm_start "$name" "${@:2}" && return 0
        grep -q "Address already in use" "$SWARM_DIR/$name.log" || return 1
        echo "     ($name: the TCP port was taken; starting again)"
    done
    return 1
}
start() { local name=$1; shift; start_node "$name" --bootstrap "$(swarm_udp boot)" --log-level warning "$@"; }
# Stops node NAME and removes its data dir (a fetcher's repository holds the whole file).
drop() { swarm_stop "$1" || true; rm -rf "${SWARM_DIR:?}/$1"; }
wait_providers() {
    local name=$1 key=$2 want=$3 count waited=0
    while :; do
        count=$(dn "$name" dht providers "$key" --json 2>/dev/null | jq '.providers | length' 2>/dev/null)
        [ "${count:-0}" -ge "$want" ] && return 0
        sleep 0.3
        waited=$((waited + 1))
        [ $waited -ge 100 ] && return 1
    done
}
random_file() { head -c "$2" /dev/urandom >"$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now_ns() { date +%s%N; }
load() {
    echo "     load: $(uptime | sed 's/.*load average: //')$([ -r /proc/pressure/cpu ] &&
        awk '/^some/ { sub("avg10=", "", $2); printf "; CPU pressure (10 s): %s%%", $2 }' /proc/pressure/cpu)"
}
# User + system CPU seconds a process has used so far, from /proc/PID/stat (fields 14 and 15, in clock ticks).
cpu_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$1/stat"
}
# Context switches (voluntary and not) of all of a process's threads so far, from /proc/PID/task/*/status.
switches() {
    cat /proc/"$1"/task/*/status 2>/dev/null |
        awk '$1 == "voluntary_ctxt_switches:" || $1 == "nonvoluntary_ctxt_switches:" { n += $2 } END { print n + 0 }'
}
# machine_jiffies (busy, stolen and total jiffies so far) comes from Benchmarks/quiet-lib.sh.
# CPU seconds and context switches so far of the named nodes together ("cpu switches").
usage() {
    local node cpu=0 count=0
    for node in "$@"; do
        cpu=$(awk -v a="$cpu" -v b="$(cpu_seconds "$(swarm_pid "$node")")" 'BEGIN { print a + b }')
        count=$((count + $(switches "$(swarm_pid "$node")")))
    done
    echo "$cpu $count"
}
# How much field N of the space-separated numbers BEFORE grew by AFTER; with M, as a fraction of field M's growth.
growth() {
    awk -v a="$1" -v b="$2" -v n="$3" -v m="${4:-0}" \
        'BEGIN { split(a, x, " "); split(b, y, " "); d = y[n] - x[n]; if (m) d /= y[m] - x[m]; print d }'
}
kib() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
FAILED=0
problem() { FAILED=$((FAILED + 1)); echo "PROBLEM: $*"; }

# The fetcher: a fresh `dhtnode run` process with an empty repository for every run, but the same identity and
# address (the port its first start got), so the other nodes' routing tables hold no dead contact that a later
# provider lookup would wait on (a fresh identity per run leaves one behind each time: see BENCHMARKS.md).
FETCH_LISTEN=
start_fetcher() {
    local data=$SWARM_DIR/fetch attempt waited
    swarm_stop fetch || true
    # The previous run's repository is moved aside, not deleted: on ext4 without a journal (this VM's disk),
    # creating a file scans past every inode freed in the last 60-360 s of its block group (`recently_deleted`
    # in ext4's inode allocator), so deleting 1,000+ block files here would slow the next fetch's writes by a
    # factor (docs/BENCHMARKS.md, "Block files and recently freed inodes"). Everything goes at exit.
    if [ -d "$data/repo" ]; then
        mkdir -p "$SWARM_DIR/old"
        mv "$data/repo" "$(mktemp -d "$SWARM_DIR/old/repo.XXXXXX")/repo"
    fi
    mkdir -p "$data"
    for attempt in 1 2 3; do
        rm -f "$data/api.json"
        "$DHTNODE" run --data "$data" --listen "${FETCH_LISTEN:-127.0.0.1:0}" --api 127.0.0.1:0 \
            --bootstrap "$(swarm_udp boot)" --log-level warning >>"$SWARM_DIR/fetch.log" 2>&1 &
        SWARM_PIDS[fetch]=$!
        waited=0
        while [ ! -s "$data/api.json" ] && kill -0 "${SWARM_PIDS[fetch]}" 2>/dev/null && [ $waited -lt 300 ]; do
            sleep 0.1
            waited=$((waited + 1))
        done
        [ -s "$data/api.json" ] && break
        swarm_stop fetch KILL
        tail -n 5 "$SWARM_DIR/fetch.log" >&2
        [ "$attempt" = 3 ] && return 1
    done
    FETCH_LISTEN=$(swarm_udp fetch)
    swarm_wait_peers fetch 1 || problem "the fetcher has no peers"
}

# Fetches CID (the bytes of file SRC, from the providers among SEEDERS, WANT of them) on a freshly started
# fetcher; prints one line and appends the stats JSON (plus wall time and CPU seconds) to the file COLLECT.
# The fetch is the daemon's `POST /v1/fetch/CID` (what `dhtnode get -o` asks for first, and what its --stats
# report), so the CPU seconds of the fetcher and of the seeders cover the fetch alone; `dhtnode get -o` then
# writes the file out of the fetcher's repository for `cmp`.
fetch_fresh() {
    local cid=$1 src=$2 want=$3 collect=$4 seeders=$5
    start_fetcher || { problem "the fetcher does not start"; return 1; }
    wait_providers fetch "$cid" "$want" || problem "the fetcher sees fewer than $want providers"
    wait_quiet "     "
    local seeder_dirs=() name
    for name in $seeders; do seeder_dirs+=("$SWARM_DIR/$name"); done
    prepare_seeder_cache "     " "${seeder_dirs[@]}" || return 1
    load
    local t0 t1 stats fetch0 fetch1 seed0 seed1 busy0 busy1 warmed
    fetch0=$(usage fetch)
    # shellcheck disable=SC2086 # SEEDERS is a list of node names
    seed0=$(usage $seeders)
    # Last before the fetch: the host takes back memory that has been free for about 2 s (free page reporting),
    # and the steps above take longer than that for 4 seeders (reading 1.25 GiB of their blocks takes 1.2 s), so
    # warming before them gave the 4 -> 1 fetches colder memory than the 1 -> 1 ones.
    prepare_host_memory $(($(stat -c %s "$src") / 1048576)) "$SWARM_DIR" "     " || return 1
    warmed=$(now_ns)
    local perf_pid=
    if [ -n "${PERF:-}" ]; then
        # shellcheck disable=SC2086 # PERF_EVENTS is a list of perf options
        perf record -q -a -g ${PERF_EVENTS:--F ${PERF_FREQ:-999}} -o "$PERF-$(basename "$collect" .jsonl)-$(cat "$collect" 2>/dev/null | wc -l).data" \
            >/dev/null 2>&1 &
        perf_pid=$!
        sleep 0.5
    fi
    busy0=$(machine_jiffies)
    t0=$(now_ns)
    stats=$(curl -sf -X POST -H "Authorization: Bearer $(cat "$SWARM_DIR/fetch/api-token")" \
        "$(swarm_api fetch)/v1/fetch/$cid") || problem "the fetch failed"
    t1=$(now_ns)
    busy1=$(machine_jiffies)
    [ -n "${HOST_MEMORY:-}" ] && echo "     fetch started $(((t0 - warmed) / 1000000)) ms after the memory was warmed or probed"
    if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null; fi
    fetch1=$(usage fetch)
    # shellcheck disable=SC2086
    seed1=$(usage $seeders)
    dn fetch get "$cid" -o "$SWARM_DIR/fetch.out" --quiet || problem "get -o failed"
    cmp -s "$src" "$SWARM_DIR/fetch.out" || problem "fetched bytes differ"
    stats=$(jq -c --argjson wall "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e9 }')" \
        --argjson fetcherCPU "$(growth "$fetch0" "$fetch1" 1)" --argjson seederCPU "$(growth "$seed0" "$seed1" 1)" \
        --argjson fetcherSwitches "$(growth "$fetch0" "$fetch1" 2)" \
        --argjson seederSwitches "$(growth "$seed0" "$seed1" 2)" \
        --argjson machineBusy "$(growth "$busy0" "$busy1" 1 3)" --argjson machineSteal "$(growth "$busy0" "$busy1" 2 3)" \
        '. + {wall: $wall, fetcherCPU: $fetcherCPU, seederCPU: $seederCPU, machineBusy: $machineBusy, machineSteal: $machineSteal,
              fetcherSwitches: $fetcherSwitches, seederSwitches: $seederSwitches}' <<<"$stats")
    echo "$stats" >>"$collect"
    jq -r '"     \(.throughput / 1e6 * 10 | round / 10) MB/s, TTFB \(.timeToFirstByte * 1000 | round) ms, "
        + "TTLB \(.timeToLastByte * 1000 | round) ms, dup \(.duplicateRatio * 1000 | round / 10)%, "
        + "rerequests \(.rerequests), endgame \(.endgameRequests // "-"), peers (MiB): \([.peers[] | "\(.id[0:6])=\(.bytes / 1048576 | round)"] | join(" "))\n"
        + "       CPU per MiB: fetcher \(.fetcherCPU / (.bytes / 1048576) * 1e4 | round / 10) ms, "
        + "seeders \(.seederCPU / (.bytes / 1048576) * 1e4 | round / 10) ms; machine busy \(.machineBusy * 100 | round)%, stolen \(.machineSteal * 100 | round)%; context switches per MiB: "
        + "fetcher \(.fetcherSwitches / (.bytes / 1048576) | round), seeders \(.seederSwitches / (.bytes / 1048576) | round)"' <<<"$stats"
    rm -f "$SWARM_DIR/fetch.out"
}
# Median of jq expression EXPR over the collection file.
med() { jq -r "$2" "$1" | median; }

echo "dhtnode: $DHTNODE; $(nproc) cores; $(uname -sr); runs: $RUNS"
"$ROOT/Benchmarks/fs-note.sh" "$SWARM_DIR"
start_node boot --log-level warning || exit 1
for i in 1 2 3 4; do start "seed$i" || exit 1; done
for i in 1 2 3 4; do swarm_wait_peers "seed$i" 1 || problem "seed$i has no peers"; done

declare -A ONE FOUR
for size in $SIZES; do
    # Two files of random bytes of the same size: ONE is added on seed1 only, FOUR on all four seeders. Runs
    # alternate (1 -> 1, then 4 -> 1, RUNS times), so that a change in the machine's speed during the script (this
    # VM's vary by 15 % and more from minute to minute) falls on both alike.
    one_src=$SWARM_DIR/one-$size.bin
    four_src=$SWARM_DIR/four-$size.bin
    random_file "$one_src" $((size * 1024 * 1024))
    random_file "$four_src" $((size * 1024 * 1024))
    one_cid=$(dr seed1 add "$one_src" --quiet) || { problem "seed1 cannot add $size MiB"; continue; }
    four_cid=
    for i in 1 2 3 4; do
        four_cid=$(dr "seed$i" add "$four_src" --quiet) || { problem "seed$i cannot add $size MiB"; continue 2; }
    done
    echo "== $size MiB, alternately 1 seeder -> 1 fetcher ($one_cid) and 4 seeders -> 1 fetcher ($four_cid)"
    for run in $(seq 1 "$RUNS"); do
        echo "   run $run, 1 -> 1:"
        fetch_fresh "$one_cid" "$one_src" 1 "$SWARM_DIR/one-$size.jsonl" seed1
        echo "   run $run, 4 -> 1:"
        fetch_fresh "$four_cid" "$four_src" 4 "$SWARM_DIR/four-$size.jsonl" "seed1 seed2 seed3 seed4"
    done
    jq -s -e 'all(.[]; (.peers | length) == 4 and all(.peers[]; .bytes > 0))' "$SWARM_DIR/four-$size.jsonl" >/dev/null ||
        problem "$size MiB, 4 seeders: a run where not all 4 seeders sent bytes"
    jq -s -e 'all(.[]; (.peers | length) == 1)' "$SWARM_DIR/one-$size.jsonl" >/dev/null ||
        problem "$size MiB, 1 seeder: a run with bytes from more than one peer"
    ONE[$size]=$(med "$SWARM_DIR/one-$size.jsonl" '.throughput / 1e6')
    FOUR[$size]=$(med "$SWARM_DIR/four-$size.jsonl" '.throughput / 1e6')
    rm -f "$one_src" "$four_src"   # the seeders' repositories keep their blocks
done

if [ "$SMALL" -gt 0 ]; then
    echo "== $SMALL x 22 KiB from an already connected seeder"
    start_fetcher || problem "the fetcher does not start"
    random_file "$SWARM_DIR/warm.bin" $((1024 * 1024))
    warm=$(dr seed1 add "$SWARM_DIR/warm.bin" --quiet)
    wait_providers fetch "$warm" 1 || problem "the fetcher sees no provider of the warm-up file"
    dn fetch get "$warm" -o "$SWARM_DIR/warm.out" --quiet >/dev/null || problem "warm-up fetch failed"
    load
    for n in $(seq 1 "$SMALL"); do
        random_file "$SWARM_DIR/small.bin" 22528
        c=$(dr seed1 add "$SWARM_DIR/small.bin" --quiet)
        rm -f "$SWARM_DIR/small.out"
        t0=$(now_ns)
        stats=$(dn fetch get "$c" -o "$SWARM_DIR/small.out" --quiet --stats --json) || problem "22 KiB get $n failed"
        t1=$(now_ns)
        cmp -s "$SWARM_DIR/small.bin" "$SWARM_DIR/small.out" || problem "22 KiB file $n differs"
        jq -c --argjson wall "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e9 }')" '. + {wall: $wall}' \
            <<<"$stats" >>"$SWARM_DIR/small.jsonl"
    done
    jq -r '"\(.timeToLastByte * 1000 * 100 | round / 100)"' "$SWARM_DIR/small.jsonl" | tr '\n' ' ' |
        sed 's/^/     TTLB ms: /; s/$/\n/'
    jq -r '"\(.wall * 1000 | round)"' "$SWARM_DIR/small.jsonl" | tr '\n' ' ' | sed 's/^/     CLI wall ms: /; s/$/\n/'
    swarm_stop fetch || true
fi

if [ "$BIG" -gt 0 ]; then
    echo "== $BIG MiB, 1 -> 1, peak RSS (fresh seeder and fetcher)"
    src=$SWARM_DIR/big.bin
    random_file "$src" $((BIG * 1024 * 1024))
    start bigseed || problem "bigseed does not start"
    swarm_wait_peers bigseed 1
    start_fetcher || problem "the fetcher does not start"
    big=$(dr bigseed add "$src" --quiet) || problem "bigseed cannot add $BIG MiB"
    seedpid=$(swarm_pid bigseed)
    fetchpid=$(swarm_pid fetch)
    seed_after_add=$(kib "$seedpid" VmHWM)
    echo 5 >"/proc/$seedpid/clear_refs" 2>/dev/null || echo "     (cannot reset the seeder's VmHWM: it includes the add)"
    wait_providers fetch "$big" 1 || problem "bigfetch sees no provider"
    ( while :; do
        echo "$(kib "$seedpid" VmRSS) $(kib "$fetchpid" VmRSS)"
        sleep 0.1
    done ) >"$SWARM_DIR/rss.samples" 2>/dev/null &
    SAMPLER=$!
    load
    stats=$(dn fetch get "$big" -o "$SWARM_DIR/big.out" --quiet --stats --json) || problem "$BIG MiB get failed"
    kill "$SAMPLER" 2>/dev/null
    wait "$SAMPLER" 2>/dev/null
    SAMPLER=
    seed_hwm=$(kib "$seedpid" VmHWM)
    fetch_hwm=$(kib "$fetchpid" VmHWM)
    cmp -s "$src" "$SWARM_DIR/big.out" || problem "$BIG MiB: fetched bytes differ"
    jq -r '"     \(.throughput / 1e6 * 10 | round / 10) MB/s, TTFB \(.timeToFirstByte * 1000 | round) ms, dup \(.duplicateRatio * 1000 | round / 10)%"' <<<"$stats"
    read -r seed_max fetch_max < <(awk '$1 > s { s = $1 } $2 > f { f = $2 } END { print s + 0, f + 0 }' "$SWARM_DIR/rss.samples")
    echo "     seeder:  VmHWM during the fetch $(mib "$seed_hwm") MiB (after its add: $(mib "$seed_after_add") MiB), largest sampled VmRSS $(mib "$seed_max") MiB"
    echo "     fetcher: VmHWM $(mib "$fetch_hwm") MiB, largest sampled VmRSS $(mib "$fetch_max") MiB"
    rm -f "$src" "$SWARM_DIR/big.out"
    swarm_stop fetch || true
    drop bigseed
fi

echo "== summary (medians of $RUNS runs; MB = 10^6 bytes)"
for size in $SIZES; do
    [ -n "${ONE[$size]:-}" ] || continue
    printf '%4s MiB  1->1 %7.1f MB/s (TTFB %s ms)   4->1 %7.1f MB/s (TTFB %s ms, dup %s%%)   4->1 / 1->1 %.2f\n' \
        "$size" "${ONE[$size]}" "$(med "$SWARM_DIR/one-$size.jsonl" '.timeToFirstByte * 1000' | xargs printf '%.0f')" \
        "${FOUR[$size]}" "$(med "$SWARM_DIR/four-$size.jsonl" '.timeToFirstByte * 1000' | xargs printf '%.0f')" \
        "$(med "$SWARM_DIR/four-$size.jsonl" '.duplicateRatio * 100' | xargs printf '%.2f')" \
        "$(awk -v a="${FOUR[$size]}" -v b="${ONE[$size]}" 'BEGIN { print a / b }')"
done
if [ -s "$SWARM_DIR/small.jsonl" ]; then
    printf '22 KiB from a connected peer: TTLB median %.2f ms (min %.2f, max %.2f); CLI wall median %.0f ms (min %.0f, max %.0f)\n' \
        "$(med "$SWARM_DIR/small.jsonl" '.timeToLastByte * 1000')" \
        "$(jq -r '.timeToLastByte * 1000' "$SWARM_DIR/small.jsonl" | sort -g | head -1)" \
        "$(jq -r '.timeToLastByte * 1000' "$SWARM_DIR/small.jsonl" | sort -g | tail -1)" \
        "$(med "$SWARM_DIR/small.jsonl" '.wall * 1000')" \
        "$(jq -r '.wall * 1000' "$SWARM_DIR/small.jsonl" | sort -g | head -1)" \
        "$(jq -r '.wall * 1000' "$SWARM_DIR/small.jsonl" | sort -g | tail -1)"
fi
[ "$BIG" -gt 0 ] && [ -n "${seed_hwm:-}" ] &&
    printf '%s MiB 1->1 peak RSS: seeder %s MiB, fetcher %s MiB (goal <= 128 MiB each)\n' "$BIG" "$(mib "$seed_hwm")" "$(mib "$fetch_hwm")"
echo "$FAILED problems"
[ "$FAILED" -eq 0 ]
