#!/usr/bin/env bash
# CLI tests of IPNS names on the DHT between `dhtnode run` processes on 127.0.0.1: a name published on one node
# resolves on another; publishing again moves it; a node that was away while the name moved holds the old record
# and is corrected by the next resolve; records that are forged, expired, too large or older than the one held are
# refused by the storing node and counted in its metrics; the owner keeps a name alive past its record's lifetime;
# a restarted owner publishes its names again.
#
# Usage: Tests/cli/ipns.sh PATH/TO/dhtnode
# Needs bash, jq, curl, python3. Works in a temporary folder that it removes at the end; every process it starts is
# killed by PID on exit. The last line is "N passed, M failed"; exits non-zero if any check fails.
set -u

# shellcheck source=swarm-test-lib.sh
source "$(dirname "$0")/swarm-test-lib.sh" ipns "$@"
start() { local name=$1; shift; swarm_start "$name" --bootstrap "$(swarm_udp boot)" --log-level info "$@"; }
metric() { curl -s "$(swarm_api "$1")/metrics" | awk -v m="$2" '$1 == m { print $2 }'; }
cid_of() { dr "$1" add "$2" --quiet; }

swarm_start boot --log-level warning || { fail "bootstrap node starts"; finish; }
start owner || { fail "owner starts"; finish; }
start reader --gateway 127.0.0.1:0 || { fail "reader starts"; finish; }
start holder || { fail "holder starts"; finish; }
holder_udp=$(swarm_udp holder)
swarm_wait_peers owner 3 && swarm_wait_peers reader 3 && swarm_wait_peers holder 3 || fail "nodes join"

echo "first version" >"$SWARM_DIR/v1.txt"
echo "second version" >"$SWARM_DIR/v2.txt"
echo "third version" >"$SWARM_DIR/v3.txt"
v1=$(cid_of owner "$SWARM_DIR/v1.txt")
v2=$(cid_of owner "$SWARM_DIR/v2.txt")
v3=$(cid_of owner "$SWARM_DIR/v3.txt")

# --- Publish on one node, resolve on another ---
name=$(dn owner name publish "$v1" --ttl 1s --quiet)
check "publish prints the node's k51 name" test "${name:0:3}" = k51
resolved=$(dn reader name resolve "/ipns/$name" --json)
check "resolve --json: value, sequence 0, found on the network by several nodes" \
    json_is "$resolved" ".record.value == \"/ipfs/$v1\" and .record.sequence == 0 and .source == \"network\" and .validAnswers >= 2"
check "resolve prints the path (from the cache within the TTL)" test "$(dn reader name resolve "$name")" = "/ipfs/$v1"
published=$(dn owner name publish "$v2" --ttl 1s --json)
check "publish --json: sequence 1, stored on the other nodes" \
    json_is "$published" ".record.name == \"$name\" and .record.sequence == 1 and .accepted >= 3"
sleep 1.2
check "after the TTL the reader resolves the new path" test "$(dn reader name resolve "$name")" = "/ipfs/$v2"

# --- The gateway serves names ---
gw=$(swarm_gateway reader)
headers=$(curl -s -D - -o "$SWARM_DIR/gw.out" "$gw/ipns/$name")
check "GET /ipns/{name} serves the file the name points at" cmp -s "$SWARM_DIR/gw.out" "$SWARM_DIR/v2.txt"
check "… with Cache-Control from the record's TTL, not immutable" grep -qi "^cache-control: public, max-age=1\s*$" <<<"$headers"
check "… and X-Ipfs-Path of the name" grep -qi "^x-ipfs-path: /ipns/$name\s*$" <<<"$headers"
headers=$(curl -s -D - -o "$SWARM_DIR/gw.ipns" "$gw/ipns/$name?format=ipns-record")
check "?format=ipns-record: the record, as application/vnd.ipfs.ipns-record" \
    grep -qi "^content-type: application/vnd.ipfs.ipns-record" <<<"$headers"
check "… which validates for the name (sequence 1)" \
    json_is "$("$DHTNODE" name inspect "$SWARM_DIR/gw.ipns" --name "$name" --json)" '.valid and .sequence == 1'
check "Accept: application/vnd.ipfs.ipns-record gets the record too" \
    test "$(curl -s -H 'Accept: application/vnd.ipfs.ipns-record' "$gw/ipns/$name" | cmp -s - "$SWARM_DIR/gw.ipns" && echo same)" = same
mkdir -p "$SWARM_DIR/site/css"
echo "<h1>home</h1>" >"$SWARM_DIR/site/index.html"
echo "body {}" >"$SWARM_DIR/site/css/main.css"
site_cid=$(dr owner add -r "$SWARM_DIR/site" --quiet)
dn owner key gen site >/dev/null
site=$(dn owner name publish "$site_cid" --key site --ttl 1s --quiet)
check "/ipns/{site} redirects to the name with a slash" \
    test "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$gw/ipns/$site")" = "301 $gw/ipns/$site/"
check "/ipns/{site}/ serves the site's index.html" \
    test "$(curl -s "$gw/ipns/$site/")" = "<h1>home</h1>"
check "/ipns/{site}/css/main.css serves a file below the name" \
    test "$(curl -s "$gw/ipns/$site/css/main.css")" = "body {}"
check "a name nobody published: 404" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "$gw/ipns/$(dn owner key gen ghost --json | jq -r .ipns)")" = 404
check "a DNSLink or malformed name: 400" test "$(curl -s -o /dev/null -w '%{http_code}' "$gw/ipns/example.com")" = 400
check "format=ipns-record below a name: 400" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "$gw/ipns/$site/index.html?format=ipns-record")" = 400

# --- A node that was away holds the old record, and the next resolve corrects it ---
swarm_stop holder || fail "holder stops"
dn owner name publish "$v3" --ttl 1s --quiet >/dev/null
SWARM_LISTEN=$holder_udp start holder || fail "holder restarts on its port with its saved records"
sleep 1.2
resolved=$(dn reader name resolve "$name" --json)
check "the reader resolves the newest record (sequence 2)" json_is "$resolved" '.record.sequence == 2'
check "the holder, which answered sequence 1, was sent sequence 2" json_is "$resolved" '.corrected >= 1'
swarm_stop holder || fail "holder stops"
held_sequence=none
for record in $(jq -r '.records.records[].record' "$SWARM_DIR/holder/state.json"); do
    base64 -d <<<"$record" >"$SWARM_DIR/held.ipns"
    inspected=$("$DHTNODE" name inspect "$SWARM_DIR/held.ipns" --name "$name" --json 2>/dev/null) &&
        held_sequence=$(jq .sequence <<<"$inspected")
done
check "the holder's store (saved in state.json) now holds sequence 2" test "$held_sequence" = 2

# --- Refusals, counted by reason ---
target=$(swarm_udp reader)
dn owner key gen other >/dev/null
put() { python3 "$HERE/dht_flood.py" put-record "$target" --name "$name" --record "$1" | jq -r .outcome; }
dn owner name record "$v1" --key other -o "$SWARM_DIR/forged.ipns" >/dev/null
check "a record signed by another key is refused" test "$(put "$SWARM_DIR/forged.ipns")" = invalidRecord
dn owner name record "$v1" --lifetime 1s --sequence 50 -o "$SWARM_DIR/expired.ipns" >/dev/null
sleep 1.5
check "an expired record is refused" test "$(put "$SWARM_DIR/expired.ipns")" = invalidRecord
# Over the 1,024-byte limit, yet small enough for one datagram: the value is in the record twice (V1 and V2).
for length in $(seq 290 2 420); do
    dn owner name record "/ipfs/$v1/$(head -c "$length" /dev/zero | tr '\0' x)" --sequence 60 \
        -o "$SWARM_DIR/large.ipns" >/dev/null
    size=$(stat -c %s "$SWARM_DIR/large.ipns")
    [ "$size" -gt 1024 ] && break
done
check "a record of $size bytes (over 1,024) is refused" test "$(put "$SWARM_DIR/large.ipns")" = valueTooLarge
current=$(dn reader name resolve "$name" --json | jq .record.sequence)
dn owner name record "$v1" --sequence 0 -o "$SWARM_DIR/old.ipns" >/dev/null
check "a record below the sequence held ($current) is refused" test "$(put "$SWARM_DIR/old.ipns")" = outdatedRecord
dn owner name record "$v1" --sequence 100 --ttl 1s -o "$SWARM_DIR/newer.ipns" >/dev/null
check "a valid newer record sent by anyone is taken" test "$(put "$SWARM_DIR/newer.ipns")" = replaced
sleep 1.5
check "metrics count the forged record" \
    test "$(metric reader 'dht_records_refused_total{record="ipns",reason="bad_signature_v2"}')" = 1
check "metrics count the expired record" \
    test "$(metric reader 'dht_records_refused_total{record="ipns",reason="expired"}')" = 1
check "metrics count the oversized record" \
    test "$(metric reader 'dht_records_refused_total{record="ipns",reason="value_too_large"}')" = 1
check "metrics count the older record" \
    test "$(metric reader 'dht_records_refused_total{record="ipns",reason="outdated_record"}')" = 1

# --- The owner keeps a name alive past its record's lifetime ---
short=$(dn owner name publish "$v2" --key other --lifetime 4s --ttl 1s --quiet)
sleep 9
resolved=$(dn reader name resolve "$short" --json)
check "a 4 s record still resolves after 9 s, renewed by its owner" \
    json_is "$resolved" ".record.value == \"/ipfs/$v2\" and .record.sequence >= 2"

# --- A restarted owner publishes its names again ---
swarm_stop owner
start owner || fail "owner restarts"
for _ in $(seq 1 30); do
    resolved=$(dn reader name resolve "$name" --json)
    json_is "$resolved" '.record.sequence > 100' && break
    sleep 1
done
check "after a restart the owner published the name again (sequence above 100)" \
    json_is "$resolved" ".record.sequence > 100 and .record.value == \"/ipfs/$v3\""
check "names.json keeps the owner's three names" test "$(jq 'length' "$SWARM_DIR/owner/names.json")" = 3

# --- Errors name what failed ---
nobody=$(dn owner key gen nobody --json | jq -r .ipns)
out=$(dn reader name resolve "$nobody" 2>&1)
status=$?
check "a name nobody published: exit 1 and one line naming it" \
    test "$status" = 1 -a "$(wc -l <<<"$out")" = 1 -a -n "$(grep "no node holds a valid record of /ipns/$nobody" <<<"$out")"
out=$(dn reader name resolve not-a-name 2>&1)
check "a malformed name is refused before any lookup" grep -q "invalid name" <<<"$out"
out=$(dn owner name publish "$v1" --key missing 2>&1)
check "an unknown key is named" grep -q "missing" <<<"$out"

finish
