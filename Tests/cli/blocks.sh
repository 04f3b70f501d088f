#!/usr/bin/env bash
# CLI tests for the block commands of dhtnode.
#
# Usage: Tests/cli/blocks.sh PATH/TO/dhtnode
# Builds nothing: pass a built binary (swift build --scratch-path .build-cli --product dhtnode).
# Needs bash, python3, openssl, cmp. Works in a temporary folder that it removes at the end.
# Exits non-zero if any check fails; the last line is "N passed, M failed".
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH/TO/dhtnode" >&2
    exit 2
fi
DHTNODE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
VECTORS=${VECTORS:-$HERE/../Fixtures/vectors/cids.json}
if [ ! -f "$VECTORS" ]; then
    echo "cids.json not found: set VECTORS=PATH/TO/cids.json" >&2
    exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-cli.XXXXXX")
HOLDER_PID=
cleanup() {
    if [ -n "$HOLDER_PID" ]; then kill "$HOLDER_PID" 2>/dev/null; wait "$HOLDER_PID" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK" || exit 2

REPO=$WORK/repo
export DHTNODE_DATA=$WORK/unused-data   # every command below passes --repo; nothing may land here
dn() { "$DHTNODE" "$@" --repo "$REPO"; }

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ $# -gt 1 ] && echo "     $2"; }
check() { # check NAME COMMAND...: passes when the command succeeds
    local name=$1; shift
    if "$@" > /dev/null 2> "$WORK/check.err"; then pass "$name"; else fail "$name" "$(head -c 500 "$WORK/check.err")"; fi
}

# --- test data -----------------------------------------------------------------------------------------
printf '' > empty
printf 'hello world' > hello
printf 'hello world\n' > hello-nl
python3 -c 'import sys; n=1048577; sys.stdout.buffer.write(bytes(i % 251 for i in range(n)))' > pattern251
chacha() { # chacha SEED SIZE: the ChaCha20 keystream, key = sha256(seed), zero nonce, counter 0
    head -c "$2" /dev/zero | openssl enc -chacha20 -K "$(printf '%s' "$1" | openssl dgst -sha256 -r | cut -c1-64)" \
        -iv 00000000000000000000000000000000
}

# --- every vector in cids.json, both profiles -------------------------------------------------------------
python3 - "$VECTORS" > vectors.tsv <<'PY'
import json, sys
for v in json.load(open(sys.argv[1])):
    print("\t".join([v["generator"], v["content"], str(v["size"]), v["profile"], v["cid"]]))
PY
while IFS=$'\t' read -r generator content size profile cid; do
    case $generator in
        literal)
            case $size in 0) file=empty ;; 11) file=hello ;; 12) file=hello-nl ;; *) fail "vector $content: unknown literal"; continue ;; esac ;;
        pattern251) file=pattern251 ;;
        chacha20:*)
            file=chacha-${generator#chacha20:}-$size
            [ -f "$file" ] || chacha "${generator#chacha20:}" "$size" > "$file" ;;
        *) fail "vector $generator: unknown generator"; continue ;;
    esac
    case $profile in unixfs-v1-2025) flag=unixfs-v1-2025 ;; *) flag=unixfs-v0-2015 ;; esac
    got=$(dn add -q --only-hash --profile "$flag" "$file" 2>&1)
    if [ "$got" = "$cid" ]; then pass "vector $generator $size $profile"; else fail "vector $generator $size $profile" "want $cid, got $got"; fi
done < vectors.tsv
[ "$(wc -l < vectors.tsv)" -ge 10 ] && pass "vectors read ($(wc -l < vectors.tsv))" || fail "vectors read" "$(wc -l < vectors.tsv) lines"
[ -e "$REPO" ] && fail "--only-hash created the repository" || pass "--only-hash writes nothing (no repository created)"

# --- add, cat, ranges ---------------------------------------------------------------------------------------
P251_CID=bafybeig7rd7v2ygpkiiyu3kzsojmrj3ujtinivk7fxid5p33t6kdewzvsm
HELLO_CID=bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e
got=$(dn add -q pattern251 2>&1); [ "$got" = "$P251_CID" ] && pass "add pattern251" || fail "add pattern251" "$got"
got=$(dn add -q hello 2>&1); [ "$got" = "$HELLO_CID" ] && pass "add hello world" || fail "add hello world" "$got"
got=$(dn add --json hello 2>&1)
case $got in *"\"cid\":\"$HELLO_CID\""*'"size":11'*) pass "add --json" ;; *) fail "add --json" "$got" ;; esac
got=$(dn add hello 2>&1 >/dev/null); [ -z "$got" ] && pass "add piped: nothing on stderr" || fail "add piped: nothing on stderr" "$got"
chacha five-mib 5242881 > five
FIVE=$(dn add -q five 2>&1)
got=$(dn add -q --only-hash /dev/stdin < five 2>&1); [ "$got" = "$FIVE" ] && pass "add from /dev/stdin redirected" || fail "add from /dev/stdin redirected" "$got"
got=$(chacha five-mib 5242881 | dn add -q --only-hash /dev/stdin 2>&1); [ "$got" = "$FIVE" ] && pass "add from a pipe" || fail "add from a pipe" "$got"
check "cat pattern251 round trip" cmp -s <(dn cat "$P251_CID") pattern251
check "cat hello round trip" cmp -s <(dn cat "$HELLO_CID") hello
check "cat 5 MiB+1 round trip" cmp -s <(dn cat "$FIVE") five
check "cat --range 1000-1010" cmp -s <(dn cat "$P251_CID" --range 1000-1010) <(tail -c +1001 pattern251 | head -c 10)
check "cat --range across leaves" cmp -s <(dn cat "$FIVE" --range 262000-800000) <(tail -c +262001 five | head -c 538000)
check "cat --range A- to the end" cmp -s <(dn cat "$FIVE" --range 5000000-) <(tail -c +5000001 five)
check "cat --range empty" cmp -s <(dn cat "$FIVE" --range 7-7) /dev/null
out=$(dn cat "$P251_CID" --range 0-1048578 2>&1 >/dev/null); rc=$?
[ $rc -ne 0 ] && [[ $out == *outside* ]] && pass "cat --range past the end fails" || fail "cat --range past the end fails" "rc=$rc $out"
out=$(dn cat "$P251_CID" --range 9-2 2>&1 >/dev/null); rc=$?
[ $rc -ne 0 ] && [[ $out == *range* ]] && pass "cat --range reversed fails" || fail "cat --range reversed fails" "rc=$rc $out"
check "get -o writes the file" bash -c "'$DHTNODE' get '$FIVE' -o got-five --repo '$REPO' && cmp -s got-five five"
out=$(dn get "$FIVE" -o got-five2 2>&1); [ -z "$out" ] && pass "get piped: nothing on stderr" || fail "get piped: nothing on stderr" "$out"

# --- --only-hash writes no block ----------------------------------------------------------------------------
before=$(find "$REPO/blocks" -type f | wc -l)
chacha only-hash 700000 > only
ONLY=$(dn add -q --only-hash only 2>&1)
after=$(find "$REPO/blocks" -type f | wc -l)
[ "$before" = "$after" ] && pass "--only-hash writes no block ($before files)" || fail "--only-hash writes no block" "$before -> $after"
out=$(dn cat "$ONLY" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"$ONLY"*"not found"* ]] && pass "cat of an --only-hash CID: not found" || fail "cat of an --only-hash CID: not found" "rc=$rc $out"

# --- profiles and chunk size ----------------------------------------------------------------------------
got=$(dn add -q --only-hash --chunk-size 0 hello 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *chunk* ]] && pass "--chunk-size 0 refused" || fail "--chunk-size 0 refused" "rc=$rc $got"
got=$(dn add -q --only-hash --chunk-size 2000000 hello 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *chunk* ]] && pass "--chunk-size 2000000 refused" || fail "--chunk-size 2000000 refused" "rc=$rc $got"
SMALL=$(dn add -q --chunk-size 1000 pattern251 2>&1)
check "--chunk-size 1000 round trip" cmp -s <(dn cat "$SMALL") pattern251
got=$(dn add -q --profile bogus hello 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *profile* ]] && pass "unknown --profile refused" || fail "unknown --profile refused" "rc=$rc $got"
mkdir adir
got=$(dn add adir 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *"is a directory, use the '-r' flag"* ]] && pass "add of a directory needs -r" || fail "add of a directory needs -r" "rc=$rc $got"
got=$(dn add -r -q --only-hash adir 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$got" = bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354 ] && pass "add -r of an empty directory: kubo's empty directory" || fail "add -r of an empty directory" "rc=$rc $got"
got=$(dn add no-such-file 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *no-such-file* ]] && pass "add of a missing file fails naming it" || fail "add of a missing file" "rc=$rc $got"

# --- bad CIDs ------------------------------------------------------------------------------------------------
for bad in bafyfoo Qm123 xyz "" bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5 zzzzzzzz; do
    got=$(dn cat "$bad" 2>&1 >/dev/null); rc=$?
    lines=$(printf '%s\n' "$got" | wc -l)
    if [ $rc -ne 0 ] && [[ $got == *"invalid CID"* ]] && [ "$lines" -eq 1 ]; then pass "bad CID '$bad': one-line error"; else fail "bad CID '$bad'" "rc=$rc $got"; fi
done
got=$(dn block stat nope 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *"invalid CID"* ]] && pass "block stat bad CID" || fail "block stat bad CID" "rc=$rc $got"
got=$(dn pin add nope 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *"invalid CID"* ]] && pass "pin add bad CID" || fail "pin add bad CID" "rc=$rc $got"
got=$("$DHTNODE" cat "$HELLO_CID" --repo "$WORK/no-repo" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *"no repository"* ]] && pass "cat on a missing repository" || fail "cat on a missing repository" "rc=$rc $got"

# --- block get/put/stat --------------------------------------------------------------------------------------
BLK=$(printf 'a raw block' | dn block put 2>&1)
check "block get returns the bytes" cmp -s <(dn block get "$BLK") <(printf 'a raw block')
got=$(dn block stat "$BLK" 2>&1); [ "$got" = "$BLK 11" ] && pass "block stat" || fail "block stat" "$got"
got=$(printf 'not protobuf \377\377' | dn block put --codec dag-pb 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *dag-pb* ]] && pass "block put --codec dag-pb rejects junk" || fail "block put --codec dag-pb rejects junk" "rc=$rc $got"
got=$(dn block get bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *"not found"* ]] && pass "block get missing: not found" || fail "block get missing" "rc=$rc $got"

# --- pins and gc ----------------------------------------------------------------------------------------------
UNPINNED=$(dn add -q --pin=false only 2>&1)
pins=$(dn pin ls 2>&1)
[[ $pins == *"$P251_CID"* ]] && [[ $pins != *"$UNPINNED"* ]] && pass "pin ls: add pins, --pin=false does not" || fail "pin ls" "$pins"
dn gc > gc.out 2>&1; rc=$?
[ $rc -eq 0 ] && pass "gc runs ($(cat gc.out))" || fail "gc runs" "$(cat gc.out)"
check "gc keeps pinned: cat pattern251" cmp -s <(dn cat "$P251_CID") pattern251
check "gc keeps pinned: cat 5 MiB" cmp -s <(dn cat "$FIVE") five
got=$(dn cat "$UNPINNED" 2>&1 >/dev/null); rc=$?
[ $rc -ne 0 ] && [[ $got == *"not found"* ]] && pass "gc deleted the unpinned file" || fail "gc deleted the unpinned file" "rc=$rc $got"
got=$(dn block get "$BLK" 2>&1 >/dev/null); rc=$?
[ $rc -ne 0 ] && pass "gc deleted the unpinned block" || fail "gc deleted the unpinned block" "$got"
check "pin rm" dn pin rm "$FIVE"
got=$(dn pin rm "$FIVE" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *"not pinned"* ]] && pass "pin rm twice: not pinned" || fail "pin rm twice" "rc=$rc $got"
got=$(dn pin add "$UNPINNED" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *missing* || $got == *"not found"* ]] && pass "pin add of a missing DAG fails" || fail "pin add of a missing DAG" "rc=$rc $got"

# --- car export / import --------------------------------------------------------------------------------------
check "car export" dn car export "$FIVE" -o five.car
dn gc > /dev/null 2>&1
got=$(dn cat "$FIVE" 2>&1 >/dev/null); rc=$?
[ $rc -ne 0 ] && pass "unpinned DAG gone after gc" || fail "unpinned DAG gone after gc" "$got"
check "car import" dn car import five.car
check "car round trip: cat" cmp -s <(dn cat "$FIVE") five
[[ $(dn pin ls) == *"$FIVE"* ]] && pass "car import pins the root" || fail "car import pins the root"
head -c 3000000 five.car > truncated.car
dn pin rm "$FIVE" > /dev/null; dn gc > /dev/null
before=$(find "$REPO/blocks" -type f | wc -l)
got=$(dn car import truncated.car 2>&1); rc=$?
after=$(find "$REPO/blocks" -type f | wc -l)
[ $rc -ne 0 ] && [[ $got == *truncated* ]] && [[ $got == *byte* ]] && [ "$before" = "$after" ] \
    && pass "truncated CAR rejected, nothing kept" || fail "truncated CAR rejected" "rc=$rc $before->$after $got"
cp five.car flipped.car
printf 'Z' | dd of=flipped.car bs=1 seek=2000000 conv=notrunc 2>/dev/null
got=$(dn car import flipped.car 2>&1); rc=$?
after=$(find "$REPO/blocks" -type f | wc -l)
[ $rc -ne 0 ] && [[ $got == *"does not match"* ]] && [ "$before" = "$after" ] \
    && pass "corrupt CAR rejected, nothing kept" || fail "corrupt CAR rejected" "rc=$rc $before->$after $got"
check "car import again after rejects" dn car import five.car

# --- a corrupt block on disk ----------------------------------------------------------------------------------
# The third leaf of pattern251 (bytes 524288..786431): a raw block, so its file holds exactly those bytes.
LEAF=$(tail -c +524289 pattern251 | head -c 262144 | dn add -q --only-hash /dev/stdin 2>&1)
LEAF_FILE=
for f in "$REPO"/blocks/*/*.data; do
    if [ "$(stat -c %s "$f")" = 262144 ] && cmp -s "$f" <(tail -c +524289 pattern251 | head -c 262144); then LEAF_FILE=$f; fi
done
if [ -z "$LEAF_FILE" ]; then
    fail "found the leaf file to corrupt"
else
    printf 'X' | dd of="$LEAF_FILE" bs=1 seek=1000 conv=notrunc 2>/dev/null
    dn cat "$P251_CID" > corrupt.out 2> corrupt.err; rc=$?
    err=$(cat corrupt.err)
    [ $rc -ne 0 ] && [[ $err == *"$LEAF"* ]] && [[ $err == *corrupt* ]] && pass "cat of a corrupt block fails naming its CID" \
        || fail "cat of a corrupt block fails naming its CID" "rc=$rc $err (leaf $LEAF)"
    [ "$(wc -l < corrupt.err)" -eq 1 ] && pass "corrupt block: one-line error" || fail "corrupt block: one-line error" "$err"
    # Whatever reached stdout is a prefix of the file and stops before the corrupt leaf.
    size=$(stat -c %s corrupt.out)
    [ "$size" -le 524288 ] && cmp -s corrupt.out <(head -c "$size" pattern251) && pass "corrupt block: no wrong byte on stdout ($size good bytes)" \
        || fail "corrupt block: no wrong byte on stdout" "$size bytes"
    dn cat "$P251_CID" --range 0-1000 > /dev/null 2>&1 && pass "range before the corrupt leaf still reads" || fail "range before the corrupt leaf still reads"
    got=$(dn cat "$P251_CID" --range 600000-600010 2>&1 >/dev/null); rc=$?
    [ $rc -ne 0 ] && [[ $got == *"$LEAF"* ]] && pass "range in the corrupt leaf fails" || fail "range in the corrupt leaf fails" "$got"
    got=$(dn get "$P251_CID" -o corrupt-get 2>&1); rc=$?
    [ $rc -ne 0 ] && [ ! -e corrupt-get ] && [ -z "$(ls corrupt-get.* 2>/dev/null)" ] && pass "get of a corrupt DAG leaves no file" || fail "get of a corrupt DAG leaves no file" "rc=$rc $got"
    dn repo verify > verify.out 2>&1; rc=$?
    [ $rc -ne 0 ] && grep -q "$LEAF" verify.out && pass "repo verify lists the corrupt block" || fail "repo verify lists the corrupt block" "$(cat verify.out)"
    dn add -q pattern251 > /dev/null 2>&1
    rm -f "$LEAF_FILE"
    dn add -q pattern251 > /dev/null 2>&1
    check "re-adding restores the block" cmp -s <(dn cat "$P251_CID") pattern251
fi
dn repo verify > verify.out 2>&1 && pass "repo verify healthy" || fail "repo verify healthy" "$(cat verify.out)"
got=$(dn repo stat 2>&1); [[ $got == *blocks* ]] && [[ $got == *pins* ]] && pass "repo stat" || fail "repo stat" "$got"

# --- a second writer --------------------------------------------------------------------------------------------
python3 - "$REPO/repo.lock" "$WORK/locked" <<'PY' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.ftruncate(fd, 0); os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
open(sys.argv[2], "w").close()
time.sleep(60)
PY
HOLDER_PID=$!
for _ in $(seq 100); do [ -e "$WORK/locked" ] && break; sleep 0.1; done
got=$(dn add hello 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *"locked by process $HOLDER_PID"* ]] && pass "second writer fails naming the holder PID" || fail "second writer fails naming the holder PID" "rc=$rc $got"
got=$(dn gc 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *"$HOLDER_PID"* ]] && pass "gc while locked fails naming the holder" || fail "gc while locked" "rc=$rc $got"
check "readers run next to a writer" cmp -s <(dn cat "$HELLO_CID") hello
kill "$HOLDER_PID" 2>/dev/null; wait "$HOLDER_PID" 2>/dev/null; HOLDER_PID=
check "writer works after the lock is released" dn add -q hello

# --- progress bar on a terminal only ------------------------------------------------------------------------
if command -v script > /dev/null 2>&1; then
    script -qec "'$DHTNODE' add --repo '$REPO' five" /dev/null > tty.out 2>&1
    grep -q 'add \[' tty.out && grep -q "added $FIVE" tty.out && pass "add on a terminal shows a progress bar" \
        || fail "add on a terminal shows a progress bar" "$(cat -v tty.out)"
    script -qec "'$DHTNODE' get --repo '$REPO' '$FIVE' -o tty-get" /dev/null > tty.out 2>&1
    grep -q 'get \[' tty.out && cmp -s tty-get five && pass "get on a terminal shows a progress bar" \
        || fail "get on a terminal shows a progress bar" "$(cat -v tty.out)"
    script -qec "'$DHTNODE' add -q --repo '$REPO' five" /dev/null > tty.out 2>&1
    [ "$(tr -d '\r' < tty.out)" = "$FIVE" ] && pass "add -q on a terminal prints the CID only" || fail "add -q on a terminal" "$(cat -v tty.out)"
else
    echo "skip progress bar checks: no script(1)"
fi

# --- directories: add -r, get -o, cat, pins and gc ---------------------------------------------------------
# Expected CIDs: Tests/cli/unixfs_dir_model.py (an independent model checked against kubo 0.22 and kubo's own CIDv1
# directory fixture); the empty directory and the empty file are kubo's (given).
mkdir -p tree/emptydir tree/sub/deeper
printf 'hello world' > tree/hello; : > tree/empty; printf a > tree/B; printf b > tree/a; printf c > "tree/$(printf '\303\251')"
printf d > tree/_u; printf e > tree/.hidden; printf x > tree/sub/x; printf 'deep\n' > tree/sub/deeper/file.txt
python3 -c 'import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range(300000)))' > tree/sub/big
ln -s hello tree/link; ln -s ../nowhere tree/sub/dangling
TREE_V0=bafybeias5mvw2wsyztyq6jviso4ypox4g5ozt4sa2injxsws3ivfp7xa6y
TREE_V1=bafybeihsgszgshqvvigxz7vjk5rjthjgyi3lv23ympeejb3v463ej7r2ke
TREE_HIDDEN=bafybeihq2a7b4eppnbyogcyk6f745j3escnxmunlx2sxhpqlwxwvgalr7q
EMPTY_DIR=bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354
got=$(dn add tree 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *"is a directory"*"-r"* ]] && pass "add of a directory without -r fails" || fail "add of a directory without -r fails" "rc=$rc $got"
got=$(dn add -r -q --only-hash tree 2>&1); [ "$got" = "$TREE_V0" ] && pass "add -r tree: root CID (unixfs-v0-2015)" || fail "add -r tree: root CID (unixfs-v0-2015)" "want $TREE_V0, got $got"
got=$(dn add -r -q --only-hash --profile unixfs-v1-2025 tree 2>&1); [ "$got" = "$TREE_V1" ] && pass "add -r tree: root CID (unixfs-v1-2025)" || fail "add -r tree: root CID (unixfs-v1-2025)" "want $TREE_V1, got $got"
got=$(dn add -r -q --only-hash --hidden tree 2>&1); [ "$got" = "$TREE_HIDDEN" ] && pass "add -r --hidden includes dotfiles" || fail "add -r --hidden includes dotfiles" "want $TREE_HIDDEN, got $got"
mkdir -p lonely; got=$(dn add -r -q --only-hash lonely 2>&1); [ "$got" = "$EMPTY_DIR" ] && pass "add -r of an empty directory" || fail "add -r of an empty directory" "got $got"
dn add -r tree > add-r.out 2>&1; rc=$?
[ $rc -eq 0 ] && [ "$(tail -n 1 add-r.out)" = "added $TREE_V0 tree" ] && [ "$(wc -l < add-r.out)" -eq 15 ] \
    && grep -qx "added bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku tree/empty" add-r.out \
    && grep -qx "added $EMPTY_DIR tree/emptydir" add-r.out \
    && pass "add -r prints 'added CID path' per entry, the root last" || fail "add -r prints 'added CID path' per entry" "$(cat add-r.out)"
dn pin ls 2>/dev/null | grep -q "$TREE_V0" && pass "add -r pins the root" || fail "add -r pins the root" "$(dn pin ls 2>&1)"
got=$(dn add -r --json tree 2>&1 | tail -n 1)
[[ $got == *"\"cid\":\"$TREE_V0\""* ]] && [[ $got == *'"pinned":true'* ]] && [[ $got == *'"type":"directory"'* ]] && pass "add -r --json" || fail "add -r --json" "$got"
got=$(dn cat "$TREE_V0" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *"is a directory"* ]] && pass "cat of a directory says it is a directory" || fail "cat of a directory says it is a directory" "rc=$rc $got"
dn add -r -q --hidden tree > /dev/null 2>&1
dn pin rm "$TREE_V0" > /dev/null 2>&1
dn gc > /dev/null 2>&1 && pass "gc with a pinned directory" || fail "gc with a pinned directory"
rm -rf tree-out; dn get "$TREE_HIDDEN" -o tree-out > get-r.out 2>&1; rc=$?
[ $rc -eq 0 ] && diff -r --no-dereference tree tree-out > diff.out 2>&1 && pass "get -o writes the tree back byte for byte (diff -r, after gc)" \
    || fail "get -o writes the tree back byte for byte" "rc=$rc $(cat get-r.out diff.out | head -c 400)"
[ "$(readlink tree-out/sub/dangling)" = "../nowhere" ] && pass "get -o restores symbolic links" || fail "get -o restores symbolic links"
got=$(dn get "$TREE_V0" -o tree-out 2>&1); rc=$?
[ $rc -ne 0 ] && [ -z "$(ls -d tree-out.*.partial 2>/dev/null)" ] && pass "get -o onto a non-empty folder fails and leaves no partial tree" || fail "get -o onto a non-empty folder" "rc=$rc $got"
mkdir -p flat/big && python3 - flat/big <<'PY'
import os, sys
# 4096 names of 28 bytes + 36-byte CIDv1 = 262144 (basic in kubo); the last name one byte longer = 262145 (HAMT).
for i in range(4096):
    stem = str(i); length = 29 if i == 4095 else 28
    open(os.path.join(sys.argv[1], stem + "n" * (length - len(stem))), "w").close()
PY
got=$(dn add -r -q --only-hash flat 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *"flat/big"*"4096 entries"*"sharded"* ]] && pass "add -r past the sharding limit fails naming the directory and its entries" \
    || fail "add -r past the sharding limit fails naming the directory" "rc=$rc $got"

# The frame benchmark: both paths round-trip every block (it fails otherwise) and report per cipher.
got=$("$DHTNODE" bench frames --mebibytes 2 --rounds 1 --read-size 7000 2>&1); rc=$?
[ $rc -eq 0 ] && [[ $got == *"chacha20-poly1305: gathered"*"in place / gathered throughput"* ]] && pass "bench frames runs both paths" \
    || fail "bench frames runs both paths" "rc=$rc $got"
got=$("$DHTNODE" bench frames --read-size 0 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $got == *"--read-size must be at least 1"* ]] && pass "bench frames rejects --read-size 0" \
    || fail "bench frames rejects --read-size 0" "rc=$rc $got"

[ -e "$DHTNODE_DATA" ] && fail "--repo was ignored somewhere ($DHTNODE_DATA exists)" || pass "--repo honoured everywhere"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
