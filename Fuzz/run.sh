#!/usr/bin/env bash
# Builds every libFuzzer harness in Fuzz/Sources and runs each for SECONDS (default 60).
# Exits non-zero if a harness fails to build or any input crashes one; crashing inputs are kept in
# Fuzz/.build/artifacts/ and can be replayed with `Fuzz/.build/debug/HARNESS PATH-TO-INPUT`.
#
#   Fuzz/run.sh [SECONDS] [HARNESS...]      e.g. Fuzz/run.sh 10, or Fuzz/run.sh 300 FuzzIdentityFile
#
# Seeds come from Fuzz/Corpus/HARNESS/ (committed); inputs libFuzzer finds go to Fuzz/.build/corpus/HARNESS/ and
# are reused by the next run. Fuzz/Dictionaries/HARNESS.dict is passed with -dict= when it exists, and
# Fuzz/Options/HARNESS.options may list more libFuzzer flags, one a line (# starts a comment).
set -euo pipefail

seconds="${1:-60}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
    echo "usage: $0 [SECONDS] [HARNESS...]   (SECONDS is a positive whole number, default 60)" >&2
    exit 2
fi

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
swift="${SWIFT:-swift}"
scratch="$fuzz_dir/.build"

if [ "$#" -gt 0 ]; then
    harnesses=("$@")
else
    harnesses=()
    for dir in "$fuzz_dir"/Sources/*/; do harnesses+=("$(basename "$dir")"); done
fi

build_flags=(--package-path "$fuzz_dir" -c debug --scratch-path "$scratch"
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
# The toolchain's lld links ASan binaries without the flood of warnings ld.gold prints.
toolchain_bin="$(dirname "$(readlink -f "$(command -v "$swift")")")"
[ -x "$toolchain_bin/ld.lld" ] && build_flags+=(-Xswiftc -use-ld=lld)

echo "== building ${harnesses[*]} with -sanitize=fuzzer,address"
for harness in "${harnesses[@]}"; do
    "$swift" build "${build_flags[@]}" --product "$harness"
done
bin_dir="$("$swift" build "${build_flags[@]}" --show-bin-path)"

# Swift's crash backtracer reads the crashed stack in ways ASan reports as a bug of its own, hiding the real
# failure; libFuzzer prints its own stack trace instead.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

mkdir -p "$scratch/artifacts" "$scratch/logs"
failed=()
summary=()
for harness in "${harnesses[@]}"; do
    corpus="$scratch/corpus/$harness"
    seeds="$fuzz_dir/Corpus/$harness"
    mkdir -p "$corpus"
    args=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$scratch/artifacts/$harness-")
    [ -f "$fuzz_dir/Dictionaries/$harness.dict" ] && args+=(-dict="$fuzz_dir/Dictionaries/$harness.dict")
    if [ -f "$fuzz_dir/Options/$harness.options" ]; then
        while read -r option; do
            [[ -z "$option" || "$option" == \#* ]] || args+=("$option")
        done <"$fuzz_dir/Options/$harness.options"
    fi
    dirs=("$corpus")
    [ -d "$seeds" ] && dirs+=("$seeds")
    log="$scratch/logs/$harness.log"

    echo "== fuzzing $harness for ${seconds}s (log: $log)"
    status=0
    "$bin_dir/$harness" "${args[@]}" "${dirs[@]}" >"$log" 2>&1 || status=$?
    executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    if [ "$status" -ne 0 ]; then
        failed+=("$harness")
        summary+=("$harness: FAILED (exit $status) after ${executions:-?} executions")
        grep -E '(^==[0-9]+==ERROR|^SUMMARY|Fatal error|Precondition failed|Test unit written)' "$log" \
            | head -n 20 || true
        tail -n 30 "$log"
    else
        summary+=("$harness: ok, ${executions:-?} executions in ${seconds}s")
    fi
done

echo "== summary"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "crashing inputs are in $scratch/artifacts/" >&2
    exit 1
fi
