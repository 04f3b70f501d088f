#!/usr/bin/env bash
# Two builds of dhtnode against each other in the same minutes: ROUNDS times (default 2), Benchmarks/exchange.sh
# on build A, then on build B, each with SIZES (default "64 256"), RUNS (default 2), no 22 KiB or RSS part. The
# machine's speed drifts (and the hypervisor's share with it, printed per run as "stolen"), so compare runs of
# similar "stolen" only. Prints the per-run lines and summaries of every exchange.sh.
#
# Usage: Benchmarks/exchange-ab.sh PATH/TO/dhtnode-A PATH/TO/dhtnode-B   (TMPDIR as for exchange.sh)
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DHTNODE_A DHTNODE_B" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for round in $(seq 1 "${ROUNDS:-2}"); do
    for build in "$1" "$2"; do
        echo "=== round $round: $build ($(date +%T))"
        RUNS=${RUNS:-2} SIZES="${SIZES:-64 256}" BIG=0 SMALL=0 "$ROOT/Benchmarks/exchange.sh" "$build" 2>&1 \
            | grep -E "^== |run [0-9]|MB/s|CPU per MiB|problem"
    done
done
