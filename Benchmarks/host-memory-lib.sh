# Putting the host's memory in a known state before a measurement, for the benchmark scripts (sourced).
#
# This VM gives its free memory back to the host (virtio-balloon free page reporting): a page that stayed free for
# a few seconds is handed back, and the next time the guest touches it the host has to find it a page again. The
# guest does not see that as a page fault; it sees a slow instruction. A fetch writes every block into the page
# cache, so each fetched MiB needs 256 fresh pages: filling the page cache runs at about 0.7 GB/s with memory the
# host took back and at about 3 GB/s with memory it did not (dd of 1 GiB), and a 256 MiB fetch costs
# the fetcher 4.0-4.4 ms of CPU per MiB against 2.6-3.0 (docs/BENCHMARKS.md, "The host takes back free memory"). A machine of its own
# has no such cost; a run that happens to follow a free of a few hundred MiB (a file just removed) gets warm
# memory, one that follows a pause gets cold memory, and the two differ by a quarter.
#
# HOST_MEMORY picks the state before each measurement (prepare_host_memory):
# - unset: as it comes;
# - warm: write a file of the measurement's size plus 64 MiB into DIR and remove it, so the page cache the
#   measurement fills comes from pages the host has just backed; prints the fill rate;
# - cold: wait HOST_MEMORY_COLD_WAIT seconds (default 15) with nothing freed, so the free memory has been handed
#   back to the host, as after any idle minute; prints a fill rate measured on a small file.

# Prepares the host's memory for a measurement that will fill MIB MiB of page cache, with a scratch file in DIR;
# prints one line, with INDENT first, unless HOST_MEMORY is unset.
prepare_host_memory() {
    local mib=$1 dir=$2 indent=${3:-}
    case "${HOST_MEMORY:-}" in
    "") return 0 ;;
    warm)
        echo "${indent}host memory warmed: $(fill_rate "$dir" $((mib + 64))) (page cache fill, MiB and GB/s)"
        ;;
    cold)
        sleep "${HOST_MEMORY_COLD_WAIT:-15}"
        # A small fill shows the memory is cold without warming much of it.
        echo "${indent}host memory cold after ${HOST_MEMORY_COLD_WAIT:-15} s idle: $(fill_rate "$dir" 32) (page cache fill, MiB and GB/s)"
        ;;
    *)
        echo "HOST_MEMORY must be warm or cold, not ${HOST_MEMORY}" >&2
        return 2
        ;;
    esac
}

# Writes MIB MiB of zeros into a new file in DIR (the page cache only: no sync), removes it, prints "MIB MiB at
# RATE GB/s".
fill_rate() {
    local dir=$1 mib=$2 file t0 t1
    file=$(mktemp "$dir/host-memory.XXXXXX")
    t0=$(date +%s%N)
    dd if=/dev/zero of="$file" bs=1M count="$mib" status=none
    t1=$(date +%s%N)
    rm -f "$file"
    awk -v mib="$mib" -v ns=$((t1 - t0)) 'BEGIN { printf "%d MiB at %.2f GB/s", mib, mib * 1048576 / ns }'
}
