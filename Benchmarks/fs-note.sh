#!/usr/bin/env bash
# Prints one line naming the file system under DIR and, for ext4, whether it has a journal: on ext4 without one,
# creating files right after many were deleted nearby is slow (see Benchmarks/scratch-ext4.sh), which the
# storage-bound benchmarks print next to their figures. Usage: Benchmarks/fs-note.sh DIR
dir=${1:-.}
source=$(findmnt -n -o SOURCE --target "$dir" 2>/dev/null | head -1)
fstype=$(findmnt -n -o FSTYPE --target "$dir" 2>/dev/null | head -1)
note="file system of $dir: ${fstype:-unknown} on ${source:-unknown}"
if [ "$fstype" = ext4 ] && [ -n "$source" ]; then
    device=$(basename "$(readlink -f "$source")")
    if compgen -G "/proc/fs/jbd2/$device-*" >/dev/null; then
        note="$note, with a journal"
    else
        note="$note, WITHOUT a journal (file creation slows after deletions nearby: see Benchmarks/scratch-ext4.sh)"
    fi
fi
echo "$note"
