#!/usr/bin/env bash
# CLI tests of a user's journeys across `dhtnode run` processes on 127.0.0.1, end to end through the command line:
# a directory added on one daemon and fetched as a tree by another; a file added while the daemon has no peers,
# announced once a peer appears; a broken pipe ending quietly; the errors a user meets at the first step (a port
# in use, a host name for --bootstrap, a one-letter repository path, --version).
#
# Usage: Tests/cli/journeys.sh PATH/TO/dhtnode
# Needs bash, jq, cmp, diff. Works in a temporary folder that it removes at the end; every process it starts is
# killed by PID on exit. The last line is "N passed, M failed"; exits non-zero if any check fails.
set -u

# shellcheck source=swarm-test-lib.sh
source "$(dirname "$0")/swarm-test-lib.sh" journeys "$@"
start() { local name=$1; shift; swarm_start "$name" --bootstrap "$(swarm_udp boot)" --log-level info "$@"; }
random_file() { head -c "$2" /dev/urandom >"$1"; }

# --- First steps: --version, a port in use, a host name for --bootstrap, a one-letter repository path ---
version=$("$DHTNODE" --version 2>&1)
check "dhtnode --version prints a version" grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+' <<<"$version"
check "run --help names the log level's default once" \
    test "$("$DHTNODE" run --help 2>&1 | grep -o 'default: info' | wc -l)" -eq 1

swarm_start boot --log-level info || { fail "bootstrap node starts"; finish; }
taken=$(swarm_udp boot)
out=$("$DHTNODE" run --data "$SWARM_DIR/clash" --listen "$taken" --api 127.0.0.1:0 2>&1)
status=$?
check "a UDP port in use: the daemon exits non-zero" test "$status" -ne 0
check "  with one line naming the transport, the address and the reason" \
    grep -q "cannot listen on UDP $taken: address already in use" <<<"$out"
grep -q "bind(descriptor" <<<"$out" && fail "  and no SwiftNIO wording" "$out"

boot_port=${taken##*:}
start byname --bootstrap "localhost:$boot_port" || fail "run --bootstrap localhost:PORT starts"
check "--bootstrap takes a host name: the node joins through it" swarm_wait_peers byname 1
out=$("$DHTNODE" run --data "$SWARM_DIR/badname" --bootstrap "no-such-host.invalid:4001" 2>&1)
check "an unresolvable --bootstrap host is one clear error" grep -q "cannot resolve 'no-such-host.invalid:4001'" <<<"$out"
swarm_stop byname

random_file "$SWARM_DIR/small.bin" 1000
( cd "$SWARM_DIR" && "$DHTNODE" add --repo r small.bin --quiet >"$SWARM_DIR/r.cid" 2>"$SWARM_DIR/r.err" )
check "a one-letter repository path works (add --repo r)" test -s "$SWARM_DIR/r.cid" -a -d "$SWARM_DIR/r/blocks"

# --- A broken pipe ends quietly, with the status of a writer killed by SIGPIPE ---
random_file "$SWARM_DIR/pipe.bin" $((8 * 1024 * 1024))
pcid=$("$DHTNODE" add --repo "$SWARM_DIR/pipe-repo" "$SWARM_DIR/pipe.bin" --quiet)
"$DHTNODE" cat --repo "$SWARM_DIR/pipe-repo" "$pcid" 2>"$SWARM_DIR/pipe.err" | head -c 10 >/dev/null
status=${PIPESTATUS[0]}
check "cat CID | head: no error message" test ! -s "$SWARM_DIR/pipe.err"
check "  and the status of SIGPIPE (141)" test "$status" -eq 141

# --- A file added while the daemon has no peers is announced once a peer appears ---
swarm_start alone --log-level info || fail "a node without peers starts"
random_file "$SWARM_DIR/alone.bin" 300000
added=$(dr alone add "$SWARM_DIR/alone.bin" --json 2>"$SWARM_DIR/alone.err")
acid=$(jq -r .cid <<<"$added")
check "add --json says the root is queued for announcement (no peers)" json_is "$added" '.announcement == "queued"'
check "  and add says so on stderr in text mode" \
    grep -q "not announced yet" <(dr alone add "$SWARM_DIR/alone.bin" 2>&1 >/dev/null)
# The lonely node learns of a peer when one joins through it.
swarm_start finder --bootstrap "$(swarm_udp alone)" --log-level info || fail "a second node starts"
swarm_wait_peers alone 1 || fail "the lonely node gains a peer"
check "the root added alone is found as provided once the node has a peer" swarm_wait_providers finder "$acid" 1
check "  and fetched from it byte for byte" cmp -s <(dr finder cat "$acid") "$SWARM_DIR/alone.bin"

# --- A directory added with add -r on one daemon is fetched as a tree by another ---
start dseed || fail "directory seeder starts"
start dfetch || fail "directory fetcher starts"
swarm_wait_peers dseed 1 && swarm_wait_peers dfetch 1
tree=$SWARM_DIR/site
mkdir -p "$tree/img/icons" "$tree/empty"
echo '<html>hello</html>' >"$tree/index.html"
random_file "$tree/img/photo.jpg" 700000
random_file "$tree/img/icons/a.png" 3000
random_file "$tree/video.mp4" 3000000
ln -s img/photo.jpg "$tree/latest.jpg"
added=$(dr dseed add -r "$tree" --json)
dcid=$(tail -n 1 <<<"$added" | jq -r .cid)
check "add -r through the daemon announces the root" json_is "$(tail -n 1 <<<"$added")" '.announcement == "announced"'
check "the directory's root is found as provided" swarm_wait_providers dfetch "$dcid" 1
stats=$(dn dfetch get "$dcid" -o "$SWARM_DIR/site.out" --quiet --stats --json 2>"$SWARM_DIR/dget.err")
check "get -o of a directory from another daemon writes the tree" diff -r "$tree" "$SWARM_DIR/site.out"
check "  with the symbolic link as a link" test "$(readlink "$SWARM_DIR/site.out/latest.jpg")" = "img/photo.jpg"
check "  and --stats counts the whole tree's bytes from the seeder" \
    json_is "$stats" '.peers[0].bytes >= 3703000'
check "ls of the fetched directory lists its entries" \
    test "$(dr dfetch ls "$dcid" 2>/dev/null | wc -l)" -eq 5
check "cat CID/path reads a file inside the fetched tree" \
    cmp -s <(dr dfetch cat "$dcid/img/icons/a.png") "$tree/img/icons/a.png"

# --- get -o writes while it fetches; Ctrl-C cancels the daemon's fetch; SIGTERM stops a daemon within a second ---
start slow --upload-limit 4M || fail "a seeder capped at 4 MB/s starts"
start sfetch || fail "a fetcher starts"
swarm_wait_peers slow 1 && swarm_wait_peers sfetch 1
random_file "$SWARM_DIR/slow.bin" $((20 * 1024 * 1024))
scid=$(dr slow add "$SWARM_DIR/slow.bin" --quiet)
swarm_wait_providers sfetch "$scid" 1 || fail "the capped seeder is found as a provider"
dn sfetch get "$scid" -o "$SWARM_DIR/slow.out" --quiet >"$SWARM_DIR/slow.get" 2>&1 &
getter=$!
sleep 2
partial=$(ls "$SWARM_DIR"/slow.out.*.partial 2>/dev/null | head -n 1)
grown=$(stat -c %s "$partial" 2>/dev/null || echo 0)
check "get -o: the output grows while the fetch runs (a partial file of $grown bytes after 2 s)" \
    test "$grown" -gt 0 -a "$grown" -lt $((20 * 1024 * 1024)) -a ! -e "$SWARM_DIR/slow.out"
check "  and the get is still running then" kill -0 "$getter"
wait "$getter"
check "  and the file is whole at the end" cmp -s "$SWARM_DIR/slow.bin" "$SWARM_DIR/slow.out"
# The daemon wrote the file itself and keeps its leaves as references into it, not as block files.
stat_json=$(dn sfetch repo stat --json)
check "  and the fetcher's repository keeps its leaves as references into it (80 of 256 KiB)" \
    json_is "$stat_json" '.referencedBlocks == 80 and .referencedBytes == 20971520 and .blocks <= 2'
dn sfetch repo verify >"$SWARM_DIR/verify.out" 2>&1
check "  which repo verify checks" grep -q "all match their hashes" "$SWARM_DIR/verify.out"
# The seeder paused: what the fetcher's daemon reads comes from its references.
kill -STOP "$(swarm_pid slow)"
timeout 30 "$DHTNODE" cat "$scid" --data "$SWARM_DIR/sfetch" >"$SWARM_DIR/again.out" 2>"$SWARM_DIR/again.err"
kill -CONT "$(swarm_pid slow)"
check "  and the daemon reads the file back through them" cmp -s "$SWARM_DIR/again.out" "$SWARM_DIR/slow.bin"
printf 'changed' | dd of="$SWARM_DIR/slow.out" bs=1 seek=1000 conv=notrunc status=none
dn sfetch repo verify >"$SWARM_DIR/verify.out" 2>&1
status=$?
check "a changed output file: repo verify fails (status $status) naming the block that no longer matches" \
    test "$status" -ne 0 -a "$(grep -c 'no longer holds' "$SWARM_DIR/verify.out")" -eq 1
check "  and cat still reads the file whole, fetching its blocks again" \
    cmp -s <(timeout 60 "$DHTNODE" cat "$scid" --data "$SWARM_DIR/sfetch") "$SWARM_DIR/slow.bin"

# A second file only the capped seeder has (the first fetcher would serve the first one at full speed).
random_file "$SWARM_DIR/slow2.bin" $((20 * 1024 * 1024))
scid=$(dr slow add "$SWARM_DIR/slow2.bin" --quiet)
start cfetch || fail "a second fetcher starts"
swarm_wait_peers cfetch 1
swarm_wait_providers cfetch "$scid" 1
# Block bytes the daemon received so far (the fetched leaves go to the output file, not to repo/blocks).
repo_bytes() { curl -s "$(swarm_api "$1")/metrics" | awk '$1 == "exchange_block_bytes_total{direction=\"received\"}" { print $2 }'; }
dn cfetch get "$scid" -o "$SWARM_DIR/cancel.out" --quiet >"$SWARM_DIR/cancel.get" 2>&1 &
getter=$!
sleep 1.5
# What a terminal's Ctrl-C does: SIGINT to the command (the job's shell runs dhtnode as its child).
pkill -INT -P "$getter"
wait "$getter"
status=$?
check "Ctrl-C ends get with status 130 (got $status)" test "$status" -eq 130
check "  and removes its partial output" test -z "$(ls "$SWARM_DIR"/cancel.out* 2>/dev/null)"
sleep 0.5
before=$(repo_bytes cfetch)
sleep 2
after=$(repo_bytes cfetch)
check "  and the daemon's fetch stops: it receives no more blocks ($before -> $after bytes)" \
    test "$after" -le $((before + 1024 * 1024)) -a "$before" -lt $((20 * 1024 * 1024))

missing=bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy
dn cfetch get "$missing" -o "$SWARM_DIR/never.out" --quiet >/dev/null 2>&1 &
waiter=$!
dn cfetch get "$scid" -o "$SWARM_DIR/term.out" --quiet >/dev/null 2>&1 &
sleep 1
started=$(date +%s%N)
swarm_stop cfetch TERM
stopped=$(date +%s%N)
ms=$(((stopped - started) / 1000000))
check "SIGTERM stops a daemon with a fetch pending within a second (${ms} ms)" test "$ms" -lt 1000
wait "$waiter"
check "  and the pending get fails instead of hanging" test $? -ne 0

# --- One tool: every command takes --json, and every command that talks to a node or a repository --data ---
# The command tree is read from `--help`, so a command added later cannot miss them. Exempt from --data: the
# commands that use no data folder (the simulator, making a swarm key, the benchmarks, which start their own nodes,
# checking an IPNS record file).
leaves() {
    local path=$1 subs
    subs=$("$DHTNODE" $path --help 2>&1 | awk '/^SUBCOMMANDS:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^[A-Z]/ { on = 0 }')
    subs=$(grep -v '^help$' <<<"$subs")
    if [ -z "$subs" ]; then echo "$path"; return; fi
    for sub in $subs; do leaves "${path:+$path }$sub"; done
}
missing_json=""
missing_data=""
count=0
while read -r command; do
    [ -n "$command" ] || continue
    count=$((count + 1))
    help=$("$DHTNODE" $command --help 2>&1)
    grep -q -- "--json" <<<"$help" || missing_json="$missing_json [$command]"
    case "$command" in
    simulate | "swarm-key "* | "bench "* | "name inspect") ;;
    *) grep -q -- "--data" <<<"$help" || missing_data="$missing_data [$command]" ;;
    esac
done < <(leaves "")
check "the command tree has its commands ($count leaves)" test "$count" -ge 25
check "every command takes --json${missing_json:+ (missing:$missing_json)}" test -z "$missing_json"
check "every command on a node or a repository takes --data${missing_data:+ (missing:$missing_data)}" \
    test -z "$missing_data"
out=$("$DHTNODE" cat --json bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy 2>&1)
check "cat --json says why it does not apply" grep -q "does not apply" <<<"$out"
out=$("$DHTNODE" dht get "$dcid" --data "$SWARM_DIR/dfetch" 2>&1)
check "a CID given as a DHT key is answered with a hint" grep -q "is a CID, not a DHT key" <<<"$out"
out=$(dn dfetch get greeting 2>&1)
check "a key given as a CID is answered with a hint" grep -q "dhtnode dht get KEY" <<<"$out"
mkdir -p "$SWARM_DIR/here"
icon=$(dn dfetch ls "$dcid/img/icons" --json | jq -r '.entries[0].cid')
(cd "$SWARM_DIR/here" && dn dfetch get "$icon" --quiet && dn dfetch get "/ipfs/$dcid/img/photo.jpg" --quiet)
check "get CID without -o writes ./CID" cmp -s "$SWARM_DIR/here/$icon" "$tree/img/icons/a.png"
check "get /ipfs/CID/path without -o writes ./NAME" cmp -s "$SWARM_DIR/here/photo.jpg" "$tree/img/photo.jpg"
out=$(dn dfetch pin ls --json) && check "pin ls --json" json_is "$out" '.pins | type == "array"'
out=$(dn dfetch repo stat --json) && check "repo stat --json" json_is "$out" '.blocks > 0'
out=$(dn dfetch gc --json) && check "gc --json" json_is "$out" '.keptBlocks >= 0'

# --- /metrics: the exchange, fetches, connections, the repository, announcements ---
metric() { curl -sf "$(swarm_api "$1")/metrics" | awk -v name="$2" 'index($0, name) == 1 { sum += $NF } END { print sum + 0 }'; }
check "/metrics: bytes received by the fetcher ($(metric sfetch 'exchange_block_bytes_total{direction="received"}'))" \
    test "$(metric sfetch 'exchange_block_bytes_total{direction="received"}' | cut -d. -f1)" -ge $((20 * 1024 * 1024))
check "/metrics: bytes sent by the seeder" \
    test "$(metric slow 'exchange_block_bytes_total{direction="sent"}' | cut -d. -f1)" -ge $((20 * 1024 * 1024))
check "/metrics: fetches completed, and their time to first byte" \
    test "$(metric sfetch 'exchange_fetches_total{outcome="completed"}' | cut -d. -f1)" -ge 1 -a \
    "$(metric sfetch 'exchange_fetch_time_to_first_byte_seconds_count' | cut -d. -f1)" -ge 1
check "/metrics: open exchange connections" test "$(metric sfetch 'exchange_connections' | cut -d. -f1)" -ge 1
check "/metrics: the repository's blocks and the announced records" \
    test "$(metric slow 'repository_blocks' | cut -d. -f1)" -ge 80 -a "$(metric slow 'dht_own_records' | cut -d. -f1)" -ge 2

# One JSON style: camelCase keys everywhere, the simulator's report included.
report=$("$DHTNODE" simulate --nodes 60 --lookups 5 --json 2>/dev/null)
check "simulate --json: camelCase keys, units in the names" \
    json_is "$report" '([paths(scalars) | map(strings) | .[]] | all(test("^[a-z][A-Za-z0-9]*$"))) and has("timeRTTsP50") and (.names | has("timeMsP50"))'

finish
