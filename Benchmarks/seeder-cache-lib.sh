# The seeders' blocks in the page cache, or not, before a measurement, for the benchmark scripts (sourced).
#
# This VM runs DAMON with a reclaim scheme (/sys/kernel/mm/damon/admin/kdamonds/0: action "pageout" of file pages
# not accessed for 12 aggregation intervals of 5 s, at most 128 MiB per second), so a file nobody read for about a
# minute leaves the page cache, often sooner (a 64 MiB file read once: 58 of 64 MiB resident after 30 s, session
# 13). A seeder whose blocks were added a few fetches ago then serves them from the disk, and a 1 -> 1 fetch of a
# long benchmark run waits on reads that its first run did not make (docs/BENCHMARKS.md, "Paged-out file pages and disk stalls"). A machine
# without DAMON keeps them cached as long as memory allows.
#
# SEEDER_CACHE picks the state before each measurement (prepare_seeder_cache); every state prints how much of the
# seeders' blocks is resident, as fincore(1) counts it, just before the fetch:
# - unset: as it comes;
# - warm: read every block file of the seeders' repositories, so the fetch is served from memory;
# - cold: drop them from the page cache (POSIX_FADV_DONTNEED through dd's nocache flag), so every block is read
#   from the disk.

# The block files of the repositories under DATA_DIR... (one a line).
seeder_block_files() {
    local data
    for data in "$@"; do
        [ -d "$data/repo/blocks" ] && find "$data/repo/blocks" -name '*.data' -type f
    done
}

# Prints "RESIDENT of TOTAL MiB (PCT %)" for the block files of the repositories under DATA_DIR...
seeder_cache_residency() {
    seeder_block_files "$@" | xargs -r fincore --bytes --noheadings --output RES,SIZE 2>/dev/null |
        awk '{ r += $1; s += $2 } END { printf "%.0f of %.0f MiB (%.0f %%)", r / 1048576, s / 1048576, s ? 100 * r / s : 0 }'
}

# Puts the seeders' blocks (repositories under DATA_DIR...) in the state SEEDER_CACHE asks for; prints one line
# with INDENT first.
prepare_seeder_cache() {
    local indent=$1
    shift
    case "${SEEDER_CACHE:-}" in
    "") ;;
    warm) seeder_block_files "$@" | xargs -r cat >/dev/null ;;
    cold) seeder_block_files "$@" | xargs -r -I{} dd if={} iflag=nocache count=0 status=none ;;
    *)
        echo "SEEDER_CACHE must be warm or cold, not ${SEEDER_CACHE}" >&2
        return 2
        ;;
    esac
    echo "${indent}seeders' blocks in the page cache${SEEDER_CACHE:+ (${SEEDER_CACHE})}: $(seeder_cache_residency "$@")"
}
