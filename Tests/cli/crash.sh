#!/usr/bin/env bash
# Crash safety of `dhtnode add` : kills add with SIGKILL at random moments, then checks
# that `repo verify` finds no block that fails its hash, that the pin file and the lock survive, and that adding
# again completes with the right CID and bytes.
#
# Usage: Tests/cli/crash.sh PATH/TO/dhtnode [KILLS]   (KILLS defaults to 25)
# Builds nothing. Needs bash, openssl, cmp. The last line is "N passed, M failed"; exits non-zero on a failure.
set -u

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH/TO/dhtnode [KILLS]" >&2
    exit 2
fi
DHTNODE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
KILLS=${2:-25}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-crash.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
REPO=$WORK/repo
dn() { "$DHTNODE" "$@" --repo "$REPO"; }

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ $# -gt 1 ] && echo "     $2"; }

# 192 MiB + 1 of ChaCha20 keystream: 769 leaves, 5 nodes; the import flushes several batches on the way.
head -c 201326593 /dev/zero | openssl enc -chacha20 -K "$(printf 'crash' | openssl dgst -sha256 -r | cut -c1-64)" \
    -iv 00000000000000000000000000000000 > data
WANT=$(dn add -q --only-hash data)

# How long one add takes here, to spread the kills over it.
start=$(date +%s%N)
dn add -q --pin=false data > /dev/null || fail "a first add completes"
rm -rf "$REPO"
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$took_ms" -lt 50 ] && took_ms=50
echo "one add takes ${took_ms} ms; killing $KILLS adds at random moments within it"

for i in $(seq "$KILLS"); do
    # Two rounds in three start from an empty repository (so the kill lands while blocks are being written,
    # shard folders made, the version file created); every third one continues after the previous crash.
    [ $((i % 3)) -ne 0 ] && rm -rf "$REPO"
    delay_ms=$(( RANDOM % (took_ms + took_ms / 4) ))
    "$DHTNODE" add -q data --repo "$REPO" > /dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ ! -d "$REPO" ]; then
        pass "kill $i at ${delay_ms} ms: before the repository existed"
        continue
    fi
    if out=$(dn repo verify 2>&1); then
        pass "kill $i at ${delay_ms} ms: repo verify ($(printf '%s' "$out" | tail -1))"
        out=$(dn pin ls 2>&1) || fail "kill $i: pin ls" "$out"
    else
        # A kill before the version file was renamed in leaves a folder that is not a repository yet; anything
        # else is a failure.
        if [[ $out == *"not a repository"* ]] || [[ $out == *"no repository"* ]]; then
            pass "kill $i at ${delay_ms} ms: repository not created yet ($out)"
        else
            fail "kill $i at ${delay_ms} ms: repo verify" "$out"
        fi
    fi
done

# One more kill half-way through an import into a fresh repository, to leave temporary files for gc.
rm -rf "$REPO"
"$DHTNODE" add -q data --repo "$REPO" > /dev/null 2>&1 &
pid=$!
half=$((took_ms / 2))
sleep "$(printf '%d.%03d' $((half / 1000)) $((half % 1000)))"
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
out=$(dn repo verify 2>&1) && pass "kill half-way: repo verify ($out)" || fail "kill half-way: repo verify" "$out"
echo "     left behind: $(dn repo stat 2>&1 | grep temporary)"

got=$(dn add -q data 2>&1); [ "$got" = "$WANT" ] && pass "add completes after the kills" || fail "add completes after the kills" "$got"
cmp -s <(dn cat "$WANT") data && pass "cat after the kills: same bytes" || fail "cat after the kills: same bytes"
out=$(dn gc 2>&1) && pass "gc removes leftovers ($out)" || fail "gc" "$out"
out=$(dn repo stat 2>&1)
[[ $out == *"temporary files  0"* ]] && pass "no temporary files left after gc" || fail "no temporary files left after gc" "$out"
out=$(dn repo verify 2>&1) && pass "repo verify at the end ($out)" || fail "repo verify at the end" "$out"
cmp -s <(dn cat "$WANT") data && pass "cat after gc: same bytes" || fail "cat after gc: same bytes"

# A daemon killed half-way through an add by path (the file copied into a packed file): nothing half-made is used,
# the packed file being written is a temporary file that gc removes, and the add works after a restart.
DATA=$PWD/daemon-data
start_daemon() {
    rm -f "$DATA/api.json"
    "$DHTNODE" run --data "$DATA" --listen 127.0.0.1:0 --api 127.0.0.1:0 --gateway off --log-level warning \
        >>daemon.log 2>&1 &
    DAEMON=$!
    for _ in $(seq 100); do [ -s "$DATA/api.json" ] && return 0; sleep 0.1; done
    return 1
}
bk() { DHTNODE_DATA=$DATA "$DHTNODE" "$@"; }
if start_daemon; then
    bk add -q data >/dev/null 2>&1 &
    adding=$!
    quarter=$((took_ms / 4))
    sleep "$(printf '%d.%03d' $((quarter / 1000)) $((quarter % 1000)))"
    kill -KILL "$DAEMON"
    wait "$DAEMON" "$adding" 2>/dev/null
    start_daemon || fail "the daemon restarts after SIGKILL" "$(tail -n 3 daemon.log)"
    # Killed before the end: no pin. Had the add finished first, its root is pinned and whole.
    out=$(bk repo verify 2>&1) && { [[ $(bk pin ls) != *"$WANT"* ]] || cmp -s <(bk cat "$WANT") data; } &&
        pass "daemon killed during an add by path: the repository verifies; the root is unpinned (or whole)" ||
        fail "daemon killed during an add: verify" "$out"
    echo "     left behind: $(bk repo stat 2>&1 | grep temporary); $(ls -A "$DATA/repo/files" 2>/dev/null | tr '\n' ' ')"
    out=$(bk pin rm "$WANT" 2>&1; bk gc 2>&1) && [ -z "$(ls -A "$DATA/repo/files" 2>/dev/null)" ] &&
        pass "  gc removes what the killed import left ($out)" || fail "daemon: gc after the kill" "$out $(ls -A "$DATA/repo/files")"
    got=$(bk add -q data 2>&1) && [ "$got" = "$WANT" ] && cmp -s <(bk cat "$WANT") data &&
        pass "  the add works after the restart, and reads back" || fail "daemon: add after the kill" "$got"
    kill "$DAEMON"; wait "$DAEMON" 2>/dev/null
else
    fail "a daemon starts for the kill during an add by path" "$(tail -n 3 daemon.log)"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
