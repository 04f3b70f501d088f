#!/usr/bin/env bash
# A scratch ext4 file system with a journal (mkfs.ext4 defaults) on a loop device, for the storage-bound
# benchmarks (add.sh, exchange.sh) on machines whose own disk would measure something else.
#
# Why: this project's test VMs format their root disk as ext4 *without* a journal. There, creating a file scans
# past every inode of its block group freed in the last 60 s (360 s while the inode table is dirty): ext4's
# `recently_deleted()` check, which only runs without a journal. After a few thousand files were deleted nearby
# (a previous run's repository, a build), each block file costs milliseconds instead of microseconds:
# docs/BENCHMARKS.md, "Block files and recently freed inodes". A journaled ext4 (the default of mkfs.ext4 and of
# every distribution installer) never runs that check.
#
# The loop device uses direct I/O (`losetup --direct-io=on`), so the page cache holds each byte once and an
# fsync/syncfs of the scratch file system reaches the real disk, as on a real one.
#
# Usage (as root):
#   Benchmarks/scratch-ext4.sh up [MOUNTPOINT] [SIZE]   # default /mnt/dhtnode-scratch, 8G; prints MOUNTPOINT
#   Benchmarks/scratch-ext4.sh down [MOUNTPOINT]        # unmounts, detaches, removes the image
# Then e.g. BENCH_DIR=/mnt/dhtnode-scratch/add Benchmarks/add.sh, TMPDIR=/mnt/dhtnode-scratch Benchmarks/exchange.sh.
set -euo pipefail
action=${1:-}
mountpoint=${2:-/mnt/dhtnode-scratch}
size=${3:-8G}
image=/var/tmp/dhtnode-scratch-$(basename "$mountpoint").img
[ "$(id -u)" = 0 ] || { echo "$0: needs root (mkfs, losetup, mount)" >&2; exit 2; }
case "$action" in
up)
    if mountpoint -q "$mountpoint"; then echo "$mountpoint"; exit 0; fi
    truncate -s "$size" "$image"
    mkfs.ext4 -q -F "$image"
    device=$(losetup --find --show --direct-io=on "$image")
    mkdir -p "$mountpoint"
    mount "$device" "$mountpoint"
    echo "$mountpoint"
    ;;
down)
    if mountpoint -q "$mountpoint"; then
        device=$(findmnt -n -o SOURCE "$mountpoint")
        umount "$mountpoint"
        losetup -d "$device"
    fi
    rm -f "$image"
    ;;
*)
    echo "usage: $0 up|down [MOUNTPOINT] [SIZE]" >&2
    exit 2
    ;;
esac
