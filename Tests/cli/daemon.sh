#!/usr/bin/env bash
# CLI tests for the dhtnode daemon and its control commands: a bootstrap node and five more
# `dhtnode run` processes on 127.0.0.1 (UDP and API on port 0), put/get, provide/providers and find-node through
# the CLI, a refused token, no daemon, SIGTERM and a restart that answers from its persisted table alone; then the
# block repository through a daemon (add, add -r, cat, get, pins, gc, repo stat) against the direct commands.
#
# Usage: Tests/cli/daemon.sh PATH/TO/dhtnode
# Needs bash, jq, curl, openssl. Works in a temporary folder that it removes at the end; every process it starts is
# killed by PID on exit. The last line is "N passed, M failed"; exits non-zero if any check fails.
set -u

for tool in curl openssl; do
    command -v "$tool" >/dev/null || { echo "$0 needs $tool (apt-get install $tool)" >&2; exit 2; }
done
# shellcheck source=swarm-test-lib.sh
source "$(dirname "$0")/swarm-test-lib.sh" daemon "$@"

# --- a swarm: a bootstrap node and five peers, each its own process -------------------------------------------
if ! swarm_start boot; then fail "bootstrap node starts"; finish; fi
BOOT=$(swarm_udp boot)
[[ $BOOT == 127.0.0.1:* ]] && pass "bootstrap node listens on $BOOT" || fail "bootstrap node address" "$BOOT"
for n in 1 2 3 4 5; do
    if ! swarm_start "n$n" --bootstrap "$BOOT" --save-interval 2; then fail "node n$n starts"; finish; fi
done
pass "5 more nodes started"
joined=1
for n in 1 2 3 4 5; do swarm_wait_peers "n$n" 4 || joined=0; done
[ $joined = 1 ] && pass "every node has at least 4 peers" || fail "every node has at least 4 peers" "$(dn n1 peers 2>&1)"

# --- id and peers ---------------------------------------------------------------------------------------------
id_json=$(dn n1 id --json)
[ "$(jq -r .id <<<"$id_json")" = "$(swarm_id n1)" ] && pass "id --json matches api.json" ||
    fail "id --json matches api.json" "$id_json"
[ "$(jq -r '.listen[0]' <<<"$id_json")" = "$(swarm_udp n1)" ] && pass "id --json lists the UDP address" ||
    fail "id --json lists the UDP address" "$id_json"
out=$(dn n1 id)
[[ $out == *"$(swarm_id n1)"* && $out == *"routing table"* ]] && pass "id prints a table" || fail "id prints a table" "$out"
out=$(dn n2 peers)
[[ $out == *"$(swarm_id boot)"* && $out == *peers ]] && pass "peers lists the bootstrap node" || fail "peers" "$out"

# --- put / get ------------------------------------------------------------------------------------------------
out=$(dn n1 dht put greeting "hello from n1" 2>&1) && [[ $out == stored* ]] && pass "put on n1" || fail "put on n1" "$out"
out=$(dn n4 dht get greeting 2>&1)
[ "$out" = "hello from n1" ] && pass "get on n4 returns n1's value" || fail "get on n4 returns n1's value" "$out"
out=$(dn n5 dht get greeting --json | jq -r '.values[0].publisher')
[ "$out" = "$(swarm_id n1)" ] && pass "get --json names n1 as publisher" || fail "get --json publisher" "$out"
key=$(printf '%s' greeting | sha256sum | cut -d' ' -f1)
out=$(dn n3 dht get "$key" 2>&1)
[ "$out" = "hello from n1" ] && pass "a 64-hex-digit key is the key itself" || fail "get by hex key" "$out"
out=$(dn n2 dht get no-such-key 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"no value found"* ]] && pass "get of a missing key fails clearly" ||
    fail "get of a missing key" "rc=$rc $out"
long=$(head -c 3000 /dev/zero | tr '\0' x)
out=$(dn n2 dht put big "$long" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"413"* ]] && pass "a value too large is refused (413)" || fail "value too large" "rc=$rc $out"

# --- provide / providers --------------------------------------------------------------------------------------
out=$(dn n2 dht provide movie.mp4 2>&1) && pass "provide on n2" || fail "provide on n2" "$out"
out=$(dn n5 dht providers movie.mp4 --json | jq -r '.providers[].id')
[[ $out == *"$(swarm_id n2)"* ]] && pass "providers on n5 finds n2" || fail "providers on n5 finds n2" "$out"
out=$(dn n3 dht providers movie.mp4)
[[ $out == *"$(swarm_udp n2)"* ]] && pass "providers prints n2's address" || fail "providers table" "$out"

# --- find-node ------------------------------------------------------------------------------------------------
target=$(swarm_id n4)
out=$(dn n1 dht find-node "$target" --json | jq -r '.closest[0].id')
[ "$out" = "$target" ] && pass "find-node from n1 finds n4 first" || fail "find-node finds n4" "$out"
out=$(dn n1 dht find-node not-an-id 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"64 hex digits"* ]] && pass "find-node refuses a bad ID" || fail "find-node bad ID" "$out"

# --- the API refuses what it should ---------------------------------------------------------------------------
api=$(swarm_api n1)
code=$(curl -s -o /dev/null -w '%{http_code}' "$api/v1/id")
[ "$code" = 401 ] && pass "API without a token: 401" || fail "API without a token" "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(openssl rand -hex 32)" "$api/v1/id")
[ "$code" = 401 ] && pass "API with a wrong token: 401" || fail "API with a wrong token" "$code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$SWARM_DIR/n1/api-token")" "$api/v1/id")
[ "$code" = 200 ] && pass "API with the token: 200" || fail "API with the token" "$code"
[ "$(stat -c %a "$SWARM_DIR/n1/api-token")" = 600 ] && pass "api-token has mode 600" || fail "api-token mode"
cp "$SWARM_DIR/n1/api-token" "$SWARM_DIR/token.saved"
openssl rand -hex 32 >"$SWARM_DIR/n1/api-token"
out=$(dn n1 id 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"refused the API token"* ]] && pass "CLI with a wrong token: refused, clearly" ||
    fail "CLI with a wrong token" "rc=$rc $out"
cp "$SWARM_DIR/token.saved" "$SWARM_DIR/n1/api-token"
metrics=$(curl -s "$api/metrics")
[[ $metrics == *dht_datagrams_in_total* ]] && pass "/metrics serves Prometheus text" || fail "/metrics" "${metrics:0:300}"

# --- no daemon ------------------------------------------------------------------------------------------------
mkdir -p "$SWARM_DIR/empty"
out=$(dn empty id 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"no dhtnode daemon is running for data dir"* ]] && pass "no daemon: clear error" ||
    fail "no daemon" "rc=$rc $out"
mkdir -p "$SWARM_DIR/stale"
jq '.pid = 999999999' "$SWARM_DIR/n1/api.json" >"$SWARM_DIR/stale/api.json"
out=$(dn stale peers 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"has exited"* ]] && pass "stale api.json: clear error" || fail "stale api.json" "rc=$rc $out"
out=$("$DHTNODE" run --data "$SWARM_DIR/n1" --listen 127.0.0.1:0 --api 127.0.0.1:0 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"another dhtnode daemon"* ]] && pass "a second daemon on the same data dir is refused" ||
    fail "second daemon on the same data dir" "rc=$rc $out"

# --- SIGTERM, then a restart from the persisted table ---------------------------------------------------------
N3_UDP=$(swarm_udp n3)
swarm_stop n3 TERM; rc=$?
[ $rc -eq 0 ] && pass "n3 exits 0 on SIGTERM" || fail "n3 exits 0 on SIGTERM" "status $rc; $(tail -n 5 "$SWARM_DIR/n3.log")"
[ ! -e "$SWARM_DIR/n3/api.json" ] && pass "n3 removed api.json" || fail "n3 removed api.json"
contacts=$(jq '.contacts | length' "$SWARM_DIR/n3/state.json" 2>/dev/null)
[ "${contacts:-0}" -ge 4 ] && pass "n3 wrote state.json with $contacts contacts" || fail "n3 state.json" "$contacts"
grep -q "shutting down" "$SWARM_DIR/n3.log" && pass "n3 logged a graceful shutdown" || fail "n3 graceful shutdown log"
swarm_stop boot KILL 2>/dev/null
pass "bootstrap node killed"

if swarm_start n3 --listen "$N3_UDP"; then pass "n3 restarts without --bootstrap"; else fail "n3 restarts"; finish; fi
out=$(dn n3 dht get greeting 2>&1)
[ "$out" = "hello from n1" ] && pass "restarted n3 gets the value at once" || fail "restarted n3 get" "$out"
out=$(dn n3 dht find-node "$target" --json | jq -r '.closest[0].id')
[ "$out" = "$target" ] && pass "restarted n3 finds n4 at once" || fail "restarted n3 find-node" "$out"
grep -q "restored [0-9]* contacts from state.json" "$SWARM_DIR/n3.log" && pass "n3 logged the restored contacts" ||
    fail "n3 restore log" "$(grep -i restor "$SWARM_DIR/n3.log")"
n=$(grep -c "no persisted contacts: bootstrapping" "$SWARM_DIR/n3.log")
[ "$n" -eq 1 ] && pass "n3 bootstrapped only on its first start" || fail "n3 bootstrap count" "$n"

# --- a corrupt state file is moved aside, never fatal ---------------------------------------------------------
swarm_stop n5 TERM
echo '{"version": 1, "contacts": [' >"$SWARM_DIR/n5/state.json"
if swarm_start n5 --bootstrap "$(swarm_udp n1)"; then pass "n5 starts with a corrupt state.json"; else fail "n5 with corrupt state"; fi
ls "$SWARM_DIR/n5"/state.json.corrupt-* >/dev/null 2>&1 && pass "the corrupt file was moved aside" ||
    fail "corrupt state moved aside" "$(ls "$SWARM_DIR/n5")"
grep -q "state file is unreadable" "$SWARM_DIR/n5.log" && pass "the corrupt file was reported in the log" ||
    fail "corrupt state logged"

# --- the block repository through the daemon -------------------------------------------------------------
# `bk` finds the daemon through $DHTNODE_DATA, as a user would; `direct` works on another repository (--repo).
bk() { DHTNODE_DATA="$SWARM_DIR/blk" "$DHTNODE" "$@"; }
direct() { "$DHTNODE" "$@" --repo "$SWARM_DIR/direct-repo"; }
BIG=$SWARM_DIR/big.bin
head -c $((5 * 1048576 + 4321)) /dev/urandom >"$BIG"
mkdir -p "$SWARM_DIR/tree/sub" "$SWARM_DIR/tree/empty"
printf 'alpha\n' >"$SWARM_DIR/tree/a.txt"
head -c 300000 /dev/urandom >"$SWARM_DIR/tree/sub/b.bin"
ln -s a.txt "$SWARM_DIR/tree/link"
if swarm_start blk --fetch-timeout 2; then pass "a daemon for the repository starts"; else fail "repository daemon starts"; finish; fi
BLK_PID=$(swarm_pid blk)

want=$(direct add "$BIG" 2>&1)
out=$(bk add "$BIG" 2>"$SWARM_DIR/add.err")
[ "$out" = "$want" ] && pass "add through the daemon prints what the direct add prints ($out)" ||
    fail "add through the daemon" "daemon: $out; direct: $want"
grep -q "not announced yet" "$SWARM_DIR/add.err" && pass "  and says on stderr that the root waits for peers to be announced" ||
    fail "add through the daemon: the announcement note" "$(cat "$SWARM_DIR/add.err")"
CID=$(bk add -q "$BIG")
# The daemon reads a regular file itself and keeps its leaves in one packed file; a pipe is streamed to it.
CIDV1=$(jq -r .cid <<<"$(bk add --json "$BIG")")
[ -s "$SWARM_DIR/blk/repo/files/$CIDV1.pack" ] && [ "$(stat -c %s "$SWARM_DIR/blk/repo/files/$CIDV1.pack")" = "$(stat -c %s "$BIG")" ] &&
    pass "  the daemon read the file by its path into one packed file of its size" ||
    fail "add through the daemon: packed file" "$(ls -la "$SWARM_DIR/blk/repo/files" 2>&1)"
out=$(cat "$BIG" | bk add -q /dev/stdin) && [ "$out" = "$CID" ] && pass "  a pipe is streamed to the daemon: the same CID" ||
    fail "add of a pipe through the daemon" "$out"
out=$(bk add -q /dev/stdin <"$BIG") && [ "$out" = "$CID" ] && pass "  /dev/stdin redirected from a file: the daemon reads that file" ||
    fail "add of a redirected /dev/stdin through the daemon" "$out"
cp "$BIG" "$SWARM_DIR/copy.bin"
out=$(bk add -q "$SWARM_DIR/copy.bin") && rm "$SWARM_DIR/copy.bin" && [ "$(bk cat "$CID" | cmp - "$BIG" && echo same)" = same ] &&
    pass "  an added file's copy serves it after the user's file is deleted" || fail "add: the copy" "$out"
head -c 700000 /dev/urandom >"$SWARM_DIR/inplace.bin"
NOCOPY=$(bk add -q --nocopy "$SWARM_DIR/inplace.bin") && [ ! -e "$SWARM_DIR/blk/repo/files/$NOCOPY.pack" ] &&
    bk repo stat --json | jq -e '.referencedBlocks >= 3' >/dev/null &&
    [ "$(bk cat "$NOCOPY" | cmp - "$SWARM_DIR/inplace.bin" && echo same)" = same ] &&
    pass "add --nocopy keeps the file where it is and serves it from there" ||
    fail "add --nocopy" "$NOCOPY $(bk repo stat --json)"
printf 'X' | dd of="$SWARM_DIR/inplace.bin" bs=1 seek=10 conv=notrunc status=none
out=$(bk repo verify 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *inplace.bin* ]] && pass "  after the file changed, repo verify names it" || fail "add --nocopy: verify" "rc=$rc $out"
out=$(bk add --nocopy /dev/stdin </dev/null 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"not one"* ]] && pass "  --nocopy refuses a pipe in one line" || fail "add --nocopy of a pipe" "rc=$rc $out"
bk pin rm "$NOCOPY" >/dev/null
want=$(direct add --json --chunk-size 65536 --pin=false "$BIG")
out=$(bk add --json --chunk-size 65536 --pin=false "$BIG")
# The daemon adds whether it announced the root (direct adds announce nothing).
[ "$(jq -c 'del(.announcement)' <<<"$out")" = "$want" ] && jq -e '.announcement == "queued"' <<<"$out" >/dev/null &&
    pass "add --json --chunk-size --pin=false: the same JSON, and the announcement" || fail "add --json" "$out vs $want"
want=$(cd "$SWARM_DIR" && direct add -r tree 2>&1)
out=$(cd "$SWARM_DIR" && bk add -r tree 2>/dev/null)
[ "$out" = "$want" ] && [ "$(wc -l <<<"$out")" -ge 5 ] && pass "add -r through the daemon: the same entries and CIDs" ||
    fail "add -r through the daemon" "daemon: $out; direct: $want"
[ "$(cd "$SWARM_DIR" && bk add -r --json tree | jq -c 'del(.announcement)')" = \
    "$(cd "$SWARM_DIR" && direct add -r --json tree | jq -c .)" ] &&
    pass "add -r --json: the same lines" || fail "add -r --json"
DIR_CID=$(bk add -r -q "$SWARM_DIR/tree")
[ -n "$(ls "$SWARM_DIR/blk/repo/blocks" 2>/dev/null)" ] && pass "the blocks are in the daemon's repository" ||
    fail "blocks in the daemon's repository"

bk cat "$CID" | cmp -s - "$BIG" && pass "cat through the daemon: byte for byte" || fail "cat through the daemon"
bk cat "$CID" --range 1000-2000000 | cmp -s - <(tail -c +1001 "$BIG" | head -c 1999000) &&
    pass "cat --range A-B through the daemon" || fail "cat --range A-B"
bk cat "$CID" --range 5000000- | cmp -s - <(tail -c +5000001 "$BIG") && pass "cat --range A- through the daemon" ||
    fail "cat --range A-"
want=$(direct cat "$CID" --range 0-99999999 2>&1)
out=$(bk cat "$CID" --range 0-99999999 2>&1); rc=$?
[ $rc -ne 0 ] && [ "$out" = "$want" ] && pass "a range outside the file: the same error ($out)" ||
    fail "range outside the file" "rc=$rc daemon: $out; direct: $want"
want=$(direct cat "$DIR_CID" 2>&1)
out=$(bk cat "$DIR_CID" 2>&1); rc=$?
[ $rc -ne 0 ] && [ "$out" = "$want" ] && pass "cat of a directory: the same error" || fail "cat of a directory" "$out vs $want"
bk get "$CID" -o "$SWARM_DIR/got.bin" && cmp -s "$SWARM_DIR/got.bin" "$BIG" && pass "get -o of a file through the daemon" ||
    fail "get -o of a file"
bk get "$DIR_CID" -o "$SWARM_DIR/got-tree" && diff -r --no-dereference "$SWARM_DIR/tree" "$SWARM_DIR/got-tree" >/dev/null &&
    pass "get -o of a directory through the daemon" || fail "get -o of a directory" "$(diff -r --no-dereference "$SWARM_DIR/tree" "$SWARM_DIR/got-tree" 2>&1 | head -5)"

out=$(bk pin ls)
[[ $out == *"$CID"* && $out == *"$DIR_CID"* ]] && pass "pin ls through the daemon lists both roots" || fail "pin ls" "$out"
out=$(bk pin rm "$CID") && [ "$out" = "unpinned $CID" ] && pass "pin rm through the daemon" || fail "pin rm" "$out"
out=$(bk pin rm "$CID" 2>&1); rc=$?
[ $rc -ne 0 ] && [ "$out" = "Error: $CID is not pinned" ] && pass "pin rm of an unpinned root: the direct command's error" ||
    fail "pin rm twice" "rc=$rc $out"
out=$(bk gc) && [[ $out == "removed "[1-9]*" blocks"* ]] && pass "gc through the daemon removes the unpinned file ($out)" ||
    fail "gc through the daemon" "$out"
[ -z "$(ls -A "$SWARM_DIR/blk/repo/files")" ] && pass "  and its packed file, and the references into a file added with --nocopy" ||
    fail "gc: packed files" "$(ls -la "$SWARM_DIR/blk/repo/files")"
out=$(bk cat "$CID" 2>&1); rc=$?
# The daemon then asks its peers and the DHT, and gives up after its --fetch-timeout (2 s here).
[ $rc -ne 0 ] && [[ $out == *"no peer sent"* ]] && pass "the collected file is gone (nobody sends it: $out)" ||
    fail "collected file" "rc=$rc $out"
out=$(bk repo stat)
[[ $out == *"pins             1"* && $out == *"$SWARM_DIR/blk/repo"* ]] && pass "repo stat through the daemon" ||
    fail "repo stat" "$out"
out=$(bk pin add "$DIR_CID") && [ "$out" = "pinned $DIR_CID" ] && pass "pin add through the daemon" || fail "pin add" "$out"

BLOCK_CID=$(bk block put "$SWARM_DIR/tree/a.txt" 2>&1)
[ "$BLOCK_CID" = "$("$DHTNODE" block put --repo "$SWARM_DIR/other-repo" "$SWARM_DIR/tree/a.txt")" ] &&
    pass "block put through the daemon: the CID a direct put gives" || fail "block put through the daemon" "$BLOCK_CID"
out=$(bk block rm "$BLOCK_CID" --json) && jq -e '.removed[0].removed == true' <<<"$out" >/dev/null &&
    pass "block rm through the daemon" || fail "block rm through the daemon" "$out"
out=$(bk block rm "$DIR_CID" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"pinned root"* ]] && pass "block rm refuses a pinned root" || fail "block rm of a pin" "$out"
out=$("$DHTNODE" block put --repo "$SWARM_DIR/blk/repo" "$SWARM_DIR/tree/a.txt" 2>&1); rc=$?
[ $rc -ne 0 ] && [[ $out == *"daemon (PID $BLK_PID) holds the repository"* ]] && [ "$(wc -l <<<"$out")" -eq 1 ] &&
    pass "block put --repo of the daemon's repository: one line naming its PID" ||
    fail "block put --repo next to the daemon" "rc=$rc $out"
out=$(bk repo verify --json 2>&1) && jq -e '.corruptFiles == []' <<<"$out" >/dev/null &&
    pass "repo verify --json through the daemon" || fail "repo verify" "$out"
direct car export "$CID" -o "$SWARM_DIR/big.car" >/dev/null
out=$(bk car import "$SWARM_DIR/big.car" --json) && jq -e --arg c "$CID" '.roots == [$c] and .pinned == [$c]' \
    <<<"$out" >/dev/null && pass "car import through the daemon" || fail "car import through the daemon" "$out"

swarm_stop blk TERM && pass "the repository daemon exits 0 on SIGTERM" || fail "repository daemon SIGTERM"
out=$(bk add -q "$BIG" 2>&1) && [ "$out" = "$CID" ] && pass "without the daemon, add works on the repository directly" ||
    fail "add after the daemon stopped" "$out"
bk cat "$CID" | cmp -s - "$BIG" && pass "without the daemon, cat reads the repository directly" || fail "cat after the daemon"
out=$(bk block put "$SWARM_DIR/tree/a.txt" 2>&1) && pass "without the daemon, block put works again" || fail "block put after" "$out"
out=$(bk gc) && pass "without the daemon, gc works ($out)" || fail "gc after the daemon" "$out"

# --- everyone stops cleanly -----------------------------------------------------------------------------------
clean=1
for name in n1 n2 n3 n4 n5; do swarm_stop "$name" TERM || clean=0; done
[ $clean = 1 ] && pass "every node exits 0 on SIGTERM" || fail "every node exits 0 on SIGTERM"

finish
