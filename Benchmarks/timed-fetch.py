#!/usr/bin/env python3
# Times one fetch as its user sees it: runs COMMAND (a `dhtnode cat` writing the file to stdout, or a `dhtnode get
# -o FILE` writing nothing) and prints one JSON line: time to first byte on its stdout (ms, from just before the
# process is started; null when it wrote nothing), time to last byte (ms: its stdout closed and the process ended),
# the bytes it wrote, its exit status, and whether the bytes (or FILE after `get`) are those of --expect.
#
# Usage: Benchmarks/timed-fetch.py [--expect PATH] [--output FILE] -- COMMAND [ARGS...]
#   --expect PATH   the file the fetch must give: its SHA-256 is compared with what came out (stdout, or --output)
#   --output FILE   where COMMAND writes the file (`get -o FILE`), for --expect
# Used by Benchmarks/seed-003.sh and Benchmarks/dcdn.sh. Python 3 standard library only.
import argparse
import hashlib
import json
import os
import subprocess
import sys
import time


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for piece in iter(lambda: f.read(1 << 20), b""):
            h.update(piece)
    return h.hexdigest()


def main():
    parser = argparse.ArgumentParser(description="time a fetch command: first and last byte on its stdout")
    parser.add_argument("--expect")
    parser.add_argument("--output")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")
    h = hashlib.sha256()
    count = 0
    first = None
    started = time.monotonic_ns()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    stdout = process.stdout.fileno()
    while True:
        piece = os.read(stdout, 1 << 20)
        if not piece:
            break
        if first is None:
            first = time.monotonic_ns()
        count += len(piece)
        h.update(piece)
    status = process.wait()
    ended = time.monotonic_ns()
    error = process.stderr.read().decode(errors="replace").strip()
    result = {
        "ttfb_ms": None if first is None else round((first - started) / 1e6, 2),
        "ttlb_ms": round((ended - started) / 1e6, 2),
        "bytes": count,
        "status": status,
    }
    if args.expect:
        expected = digest(args.expect)
        if args.output:
            result["ok"] = status == 0 and os.path.exists(args.output) and digest(args.output) == expected
        else:
            result["ok"] = status == 0 and h.hexdigest() == expected
    if status != 0 and error:
        result["error"] = error.splitlines()[-1][:300]
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
