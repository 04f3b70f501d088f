#!/usr/bin/env bash
# CLI tests of the block exchange between `dhtnode run` processes on 127.0.0.1: a file added on one
# node is fetched by another that knows only the bootstrap node, byte for byte, through `get --stats` and `cat`;
# four seeders all contribute; a seeder killed mid-transfer does not stop the fetch; a lying seeder (one that
# corrupts every third block it sends) is banned and the fetch completes from the honest ones; members of a swarm
# find each other through the session rendezvous in a private swarm that an outsider without the key cannot see.
#
# Usage: Tests/cli/exchange.sh PATH/TO/dhtnode
# Needs bash, jq, head, cmp. Works in a temporary folder that it removes at the end; every process it starts is
# killed by PID on exit. The last line is "N passed, M failed"; exits non-zero if any check fails.
set -u

# shellcheck source=swarm-test-lib.sh
source "$(dirname "$0")/swarm-test-lib.sh" exchange "$@"
# Starts node NAME joined through the bootstrap node only; extra options follow.
start() { local name=$1; shift; swarm_start "$name" --bootstrap "$(swarm_udp boot)" --log-level info "$@"; }
# A file of N MiB of random bytes.
random_file() { head -c "$(($2 * 1024 * 1024))" /dev/urandom >"$1"; }

# --- One seeder, one fetcher that knows only the bootstrap node ---
swarm_start boot --log-level warning || { fail "bootstrap node starts"; finish; }
start seed || { fail "seeder starts"; finish; }
start fetch --fetch-timeout 5 || { fail "fetcher starts"; finish; }
swarm_wait_peers seed 1 && swarm_wait_peers fetch 1 || fail "nodes join through the bootstrap node"

random_file "$SWARM_DIR/one.bin" 24
cid=$(dr seed add "$SWARM_DIR/one.bin" --quiet)
check "seeder adds a 24 MiB file" test -n "$cid"
check "the add announced the seeder as a provider of the root" swarm_wait_providers fetch "$cid" 1

stats=$(dn fetch get "$cid" -o "$SWARM_DIR/one.out" --quiet --stats --json)
check "get fetches the file from the seeder byte for byte" cmp -s "$SWARM_DIR/one.bin" "$SWARM_DIR/one.out"
check "get --stats: not local, 24 MiB delivered" \
    test "$(jq -r '[.local, .bytes] | @tsv' <<<"$stats")" = "false	25165824"
check "get --stats: all bytes from the seeder, no duplicates" \
    test "$(jq -r --arg id "$(swarm_id seed)" '[(.peers | length), .peers[0].id == $id, .duplicateBytes] | @tsv' \
        <<<"$stats")" = "1	true	0"
check "get --stats: time to first and last byte" \
    json_is "$stats" '.timeToFirstByte > 0 and .timeToLastByte >= .timeToFirstByte and .throughput > 0'
again=$(dn fetch get "$cid" -o "$SWARM_DIR/one.again" --quiet --stats)
check "a second get reads the repository: nothing fetched" grep -q "nothing fetched" <<<"$again"

start viewer || { fail "viewer starts"; finish; }
swarm_wait_peers viewer 1
check "cat streams the file from the network on a node that has none of it" \
    cmp -s <(dr viewer cat "$cid") "$SWARM_DIR/one.bin"
check "cat --range fetches only that range" \
    cmp -s <(dr viewer cat "$cid" --range 5000000-5000100) <(tail -c +5000001 "$SWARM_DIR/one.bin" | head -c 100)

missing=bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy
out=$(dn fetch get "$missing" -o "$SWARM_DIR/missing.out" --quiet 2>&1)
status=$?
check "a CID nobody provides fails with a clear message (fetch timeout)" \
    test "$status" -ne 0 -a ! -e "$SWARM_DIR/missing.out"
grep -q "no peer sent" <<<"$out" || fail "the message says no peer sent it" "$out"

# --- Four seeders, each capped at 6 MB/s: the fetch draws from all of them; one is killed mid-transfer ---
random_file "$SWARM_DIR/four.bin" 48
for i in 1 2 3 4; do
    start "s$i" --upload-limit 6M || fail "seeder s$i starts"
done
for i in 1 2 3 4; do swarm_wait_peers "s$i" 1; done
for i in 1 2 3 4; do four=$(dr "s$i" add "$SWARM_DIR/four.bin" --quiet); done
check "the four seeders are providers of the root" swarm_wait_providers fetch "$four" 4
stats=$(dn fetch get "$four" -o "$SWARM_DIR/four.out" --quiet --stats --json)
check "4 seeders: the file byte for byte" cmp -s "$SWARM_DIR/four.bin" "$SWARM_DIR/four.out"
check "4 seeders: every seeder sent blocks (per-peer bytes in --stats)" \
    json_is "$stats" '(.peers | length) == 4 and all(.peers[]; .bytes > 0)'
check "4 seeders: --stats counts duplicates and endgame requests" \
    json_is "$stats" '(.duplicateBytes | type) == "number" and (.endgameRequests | type) == "number"'
echo "     per-peer MiB: $(jq -r '[.peers[] | (.bytes / 1048576 | floor)] | join(" ")' <<<"$stats"), \
duplicates $(jq -r .duplicateBytes <<<"$stats") B, endgame requests $(jq -r .endgameRequests <<<"$stats"), $(jq -r '.throughput / 1e6 | floor' <<<"$stats") MB/s"

start late || { fail "second fetcher starts"; finish; }
swarm_wait_peers late 1
dn late get "$four" -o "$SWARM_DIR/late.out" --quiet --stats --json >"$SWARM_DIR/late.json" 2>"$SWARM_DIR/late.err" &
getter=$!
sleep 1.5
swarm_stop s2 KILL
wait "$getter"
status=$?
check "a seeder killed mid-transfer does not stop the fetch" test "$status" -eq 0
check "  and the bytes are right" cmp -s "$SWARM_DIR/four.bin" "$SWARM_DIR/late.out"
check "  and the re-requests show the killed seeder's blocks were asked again" \
    json_is "$(cat "$SWARM_DIR/late.json")" '.rerequests > 0'

# --- A lying seeder: every third block it sends is corrupt ---
random_file "$SWARM_DIR/lie.bin" 16
start liar --testing-corrupt-every 3 || fail "lying seeder starts"
swarm_wait_peers liar 1
lie=$(dr liar add "$SWARM_DIR/lie.bin" --quiet)
dr s1 add "$SWARM_DIR/lie.bin" --quiet >/dev/null
dr s3 add "$SWARM_DIR/lie.bin" --quiet >/dev/null
check "the liar and two honest seeders provide the file" swarm_wait_providers fetch "$lie" 3
start victim || { fail "victim starts"; finish; }
swarm_wait_peers victim 1
stats=$(dn victim get "$lie" -o "$SWARM_DIR/lie.out" --quiet --stats --json)
check "with a lying seeder the fetch completes with the right bytes" cmp -s "$SWARM_DIR/lie.bin" "$SWARM_DIR/lie.out"
liar_id=$(swarm_id liar)
check "the lying seeder was banned (the fetcher's log)" \
    grep -q "peer=${liar_id:0:8} reason=invalid-block .*peer banned" "$SWARM_DIR/victim.log"
check "  and it sent less than the honest seeders" \
    json_is "$stats" "[.peers[] | select(.id[0:8] == \"${liar_id:0:8}\") | .bytes] | (length == 0 or .[0] < 4000000)"
echo "     per-peer: $(jq -c '[.peers[] | {id: .id[0:8], bytes}]' <<<"$stats"), liar ${liar_id:0:8}"

# --- A private swarm: three members with a key find each other through the rendezvous; an outsider sees nobody ---
"$DHTNODE" swarm-key generate >"$SWARM_DIR/open.key"
chmod 644 "$SWARM_DIR/open.key"
out=$(timeout 10 "$DHTNODE" run --data "$SWARM_DIR/open" --swarm-key "$SWARM_DIR/open.key" 2>&1)
check "a swarm key file readable by others is refused (it says chmod 600)" grep -q "chmod 600" <<<"$out"
(umask 077 && "$DHTNODE" swarm-key generate >"$SWARM_DIR/swarm.key")
check "swarm-key generate writes the libp2p key file format" \
    test "$(head -n 2 "$SWARM_DIR/swarm.key" | tr '\n' ' ')" = "/key/swarm/psk/1.0.0/ /base16/ "
swarm_start pboot --swarm-key "$SWARM_DIR/swarm.key" --bootstrap-node --log-level warning ||
    fail "private bootstrap node starts (--bootstrap-node)"
check "a bootstrap node keeps no block repository" test ! -e "$SWARM_DIR/pboot/repo"
for i in 1 2 3; do
    swarm_start "m$i" --bootstrap "$(swarm_udp pboot)" --swarm-key "$SWARM_DIR/swarm.key" \
        --swarm cli-test --session-window 4 || fail "member m$i starts"
done
swarm_start outsider --bootstrap "$(swarm_udp pboot)" --swarm cli-test --session-window 4 --log-level warning ||
    fail "outsider starts"
members_ok=1
for i in 1 2 3; do
    waited=0
    until [ "$(dn "m$i" peers --json 2>/dev/null | jq '[.peers[] | select(.rendezvous)] | length')" -ge 2 ]; do
        sleep 0.5
        waited=$((waited + 1))
        [ $waited -ge 30 ] && { members_ok=0; break; }
    done
done
check "three members of a private swarm each list the other two as rendezvous peers within 15 s" test "$members_ok" = 1
check "peers shows the SESSION column" grep -q "rendezvous" <(dn m1 peers)
check "the outsider (no key) has no peer at all" test "$(dn outsider peers --json | jq '.peers | length')" = 0
outsider_id=$(swarm_id outsider)
listed=0
for i in 1 2 3; do dn "m$i" peers --json | grep -q "$outsider_id" && listed=1; done
check "no member lists the outsider" test "$listed" = 0
check "members counted the outsider's datagrams as wrong-swarm" \
    grep -q 'reason="wrong-swarm"} [1-9]' <(curl -s "$(swarm_api pboot)/metrics")
check "a bootstrap node refuses --swarm" bash -c "! timeout 5 '$DHTNODE' run --data '$SWARM_DIR/bad2' --bootstrap-node --swarm x 2>/dev/null"
check "--swarm rejects a name with a control character" \
    bash -c "! timeout 5 '$DHTNODE' run --data '$SWARM_DIR/bad' --swarm \$'a\\nb' 2>/dev/null"

for node in outsider m1 m2 m3 pboot victim liar late s1 s3 s4 viewer fetch seed boot; do swarm_stop "$node" || true; done
finish
