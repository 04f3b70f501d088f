#!/usr/bin/env bash
# The simulator benchmarks of docs/BENCHMARKS.md: builds dhtnode in release mode and runs each configuration,
# printing its command and its JSON report. Usage: Benchmarks/simulate.sh [all|quick]
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory release >/dev/null   # the flags of `make release`
bin=.build/release/dhtnode
run() {
  echo "\$ dhtnode simulate $*"
  /usr/bin/env time -f 'wall %e s, max RSS %M KiB' "$bin" simulate "$@" --json
}
case "${1:-all}" in
  quick)
    run --nodes 2000 --lookups 200
    ;;
  all)
    run --nodes 10000 --lookups 1000
    run --nodes 10000 --lookups 1000 --loss 0.1
    run --nodes 10000 --lookups 1000 --churn 0.3
    run --nodes 10000 --lookups 1000 --private 0.6
    run --nodes 100000 --lookups 1000
    ;;
  *)
    echo "usage: $0 [all|quick]" >&2
    exit 2
    ;;
esac
