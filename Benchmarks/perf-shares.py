#!/usr/bin/env python3
"""Where a daemon's CPU goes during a block transfer, from a `perf record -g` file.

Usage: Benchmarks/perf-shares.py FILE.data PID[,PID...]

Prints, for the samples of the given processes (e.g. the fetcher, or all seeders together), the share of each
cost: SHA-256, AES-GCM, writing block files, socket reads and writes, the block copy between a frame and an array,
and everything else. `Benchmarks/exchange.sh PERF=PREFIX PERF_FREQ=4999` records one file per fetch; the PIDs are
in its temporary folder (KEEP=1) or in `perf report --sort pid`.

Each sample is put in the first category that matches, in the order below, looking at its whole call chain:
- OpenSSL's assembly has no frame pointers, so its samples have no callers: they are told apart by address. The
  SHA-256 routines of libcrypto.so.3 lie between the exported `SHA1_Init` and `SHA224_Init` (so in Debian 12's
  build, looked up with `nm -D`); every other unnamed libcrypto address during a transfer is AES-GCM.
- "block file write": `WriteSession`, `StagedSessionWriter`, `BlockWriteQueue` and the file system calls they make
  (mkdir, rename, syncfs, sync_file_range), including the kernel's copy into the page cache.
- "socket": the kernel's socket read and write paths (including, on loopback, the receiving side's TCP work,
  which runs in the sender's system call).
- "block file read": the seeder's `FileBlockStore` reads.
- "block copy": `memmove` as the innermost frame (the block copied into a frame, or out of one).
"""
import bisect
import collections
import re
import subprocess
import sys


def sha_range(libcrypto):
    """The address range of the SHA-1/SHA-2 code in `libcrypto` (offsets within the file)."""
    try:
        out = subprocess.run(["nm", "-D", "--defined-only", libcrypto], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return None
    symbols = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            symbols[parts[2].split("@")[0]] = int(parts[0], 16)
    if "SHA1_Init" in symbols and "SHA224_Init" in symbols:
        return symbols["SHA1_Init"], symbols["SHA224_Init"]
    return None


RULES = [
    ("block file write", re.compile(
        r"WriteSession|StagedSessionWriter|BlockWriteQueue|sys_mkdir|sys_rename|sys_syncfs|sync_file_range")),
    ("socket send/receive", re.compile(
        r"sock_read_iter|sock_write_iter|sock_sendmsg|sock_recvmsg|tcp_sendmsg|tcp_recvmsg|sys_writev|sys_readv")),
    ("block file read", re.compile(r"FileBlockStore|BlockRepository|RepositoryContentStore|filemap_read")),
]
ORDER = ["SHA-256", "AES-GCM"] + [name for name, _ in RULES] + ["block copy (memmove)", "everything else"]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data, pids = sys.argv[1], set(sys.argv[2].split(","))
    out = subprocess.run(["perf", "script", "-i", data, "-F", "pid,tid,comm,ip,sym,dso"],
                         capture_output=True, text=True).stdout
    ranges = {}
    counts = collections.Counter()
    total = 0
    for block in out.split("\n\n"):
        lines = [line for line in block.split("\n") if line.strip()]
        if len(lines) < 2 or lines[0].split()[1].split("/")[0] not in pids:
            continue
        total += 1
        frames = [re.sub(r"^\s*[0-9a-f]+ ", "", line) for line in lines[1:]]
        names = [frame.split(" (")[0] for frame in frames]
        leaf = lines[1].strip().split(" ", 1)
        category = None
        if names[0].startswith("[unknown]") and "libcrypto" in frames[0]:
            library = frames[0].rsplit("(", 1)[-1].rstrip(")")
            if library not in ranges:
                ranges[library] = sha_range(library)
            address = int(leaf[0], 16)
            sha = ranges[library]
            category = "SHA-256" if sha and sha[0] <= address < sha[1] else "AES-GCM"
        if category is None:
            category = next((name for name, rule in RULES if any(rule.search(n) for n in names)), None)
        if category is None and "memmove" in names[0]:
            category = "block copy (memmove)"
        counts[category or "everything else"] += 1
    if total == 0:
        sys.exit(f"no samples of {sorted(pids)} in {data}")
    for name in ORDER:
        print(f"{name:28} {100 * counts[name] / total:5.1f} %")
    print(f"{'samples':28} {total}")


if __name__ == "__main__":
    main()
