#!/usr/bin/env bash
# A full disk during `dhtnode add` (directly, then through a daemon): on an 8 MiB tmpfs, adding 20 MB must fail with a clear
# one-line "disk full" error, leave no block file that fails its hash and no temporary file, and the repository
# must keep working once there is room.
#
# Usage: Tests/cli/diskfull.sh PATH/TO/dhtnode
# Needs permission to mount a tmpfs (root with CAP_SYS_ADMIN); prints "skipped" and exits 0 where it cannot.
# Builds nothing. The last line is "N passed, M failed"; exits non-zero on a failure.
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH/TO/dhtnode" >&2
    exit 2
fi
DHTNODE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-full.XXXXXX")
MOUNT=$WORK/small
mkdir -p "$MOUNT"
if ! mount -t tmpfs -o size=8m tmpfs "$MOUNT" 2> /dev/null; then
    rmdir "$MOUNT" "$WORK"
    echo "skipped: cannot mount a tmpfs here"
    exit 0
fi
trap 'umount "$MOUNT" 2>/dev/null; rm -rf "$WORK"' EXIT
REPO=$MOUNT/repo
dn() { "$DHTNODE" "$@" --repo "$REPO"; }

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ $# -gt 1 ] && echo "     $2"; }

head -c 20000000 /dev/urandom > "$WORK/big"
printf 'hello world' > "$WORK/hello"
printf 'small file that fits' > "$WORK/small-file"

SMALL=$(dn add -q "$WORK/small-file" 2>&1) && pass "a small add fits ($SMALL)" || fail "a small add fits" "$SMALL"
out=$(dn add -q "$WORK/big" 2>&1); rc=$?
lines=$(printf '%s\n' "$out" | wc -l)
[ $rc -ne 0 ] && [[ $out == *"disk full"* ]] && [ "$lines" -eq 1 ] && pass "add on a full disk: one-line error ($out)" \
    || fail "add on a full disk: one-line error" "rc=$rc $out"
out=$(dn repo verify 2>&1) && pass "repo verify after the failure ($out)" || fail "repo verify after the failure" "$out"
out=$(dn repo stat 2>&1)
[[ $out == *"temporary files  0"* ]] && pass "no temporary files left" || fail "no temporary files left" "$out"
[ -z "$(find "$REPO" -name '*.tmp')" ] && pass "no .tmp file on disk" || fail "no .tmp file on disk" "$(find "$REPO" -name '*.tmp' | head -3)"
[[ $(dn pin ls 2>&1) == "$SMALL" ]] && pass "pins unchanged" || fail "pins unchanged" "$(dn pin ls 2>&1)"
cmp -s <(dn cat "$SMALL") "$WORK/small-file" && pass "earlier file still reads" || fail "earlier file still reads"
out=$(dn gc 2>&1) && pass "gc after the failure ($out)" || fail "gc after the failure" "$out"
got=$(dn add -q "$WORK/hello" 2>&1)
[ "$got" = bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e ] && pass "add works again where there is room" \
    || fail "add works again where there is room" "$got"

# The same through a daemon, which reads the file by its path into a packed file on the full disk.
rm -rf "$REPO"
DATA=$MOUNT/data
"$DHTNODE" run --data "$DATA" --listen 127.0.0.1:0 --api 127.0.0.1:0 --gateway off --log-level warning \
    >"$WORK/daemon.log" 2>&1 &
DAEMON=$!
for _ in $(seq 100); do [ -s "$DATA/api.json" ] && break; sleep 0.1; done
bk() { DHTNODE_DATA=$DATA "$DHTNODE" "$@"; }
SMALL=$(bk add -q "$WORK/small-file" 2>&1) && pass "through a daemon: a small add fits" || fail "daemon: a small add" "$SMALL"
out=$(bk add -q "$WORK/big" 2>&1); rc=$?
lines=$(printf '%s\n' "$out" | wc -l)
[ $rc -ne 0 ] && [[ $out == *"disk full"* ]] && [ "$lines" -eq 1 ] &&
    pass "through a daemon: add on a full disk, one-line error ($out)" || fail "daemon: add on a full disk" "rc=$rc $out"
[ -z "$(find "$DATA/repo" -name '*.tmp')" ] && [ "$(ls "$DATA/repo/files" | grep -c '\.pack$')" = 1 ] &&
    pass "through a daemon: no packed or temporary file left" || fail "daemon: files left" "$(ls -la "$DATA/repo/files")"
out=$(bk repo verify 2>&1) && cmp -s <(bk cat "$SMALL") "$WORK/small-file" &&
    pass "through a daemon: the repository verifies and the earlier file reads" || fail "daemon: after the failure" "$out"
got=$(bk add -q "$WORK/hello" 2>&1)
[ "$got" = bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e ] &&
    pass "through a daemon: add works again where there is room" || fail "daemon: add again" "$got"
kill "$DAEMON"; wait "$DAEMON" 2>/dev/null

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
