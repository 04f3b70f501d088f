#!/usr/bin/env bash
# CLI test of a node's record stores and amplification limit under a flood, against real `dhtnode run` processes
# on loopback: 257 source addresses flood STOREs and 1,028 more flood ADD_PROVIDERs (256 records each, random keys,
# a fresh node ID per request; Linux lets a UDP socket bind any 127.0.0.0/8 address), 16 addresses of one /24 try
# to pass the per-network cap, then an honest daemon stores a value and a provider record for a key near the
# flooded node, which must both be accepted; the flooded node's RSS must stay under 256 MB, state saves
# included. Last, requests from fresh keys at a fresh address must draw back at most 3x their bytes, verification
# pings included.
#
# Usage: Tests/cli/records.sh PATH/TO/dhtnode
# Needs bash, jq, curl, python3. The last line is "N passed, M failed"; exits non-zero if any check fails.
set -u

for tool in curl python3; do
    command -v "$tool" >/dev/null || { echo "$0 needs $tool" >&2; exit 2; }
done
# shellcheck source=swarm-test-lib.sh
source "$(dirname "$0")/swarm-test-lib.sh" records "$@"
FLOOD=$HERE/dht_flood.py

rss_mb() { awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
# The value of metric $2 (a full name with labels, as Prometheus prints it) on node $1, or 0.
metric() {
    curl -s "$(swarm_api "$1")/metrics" | awk -v name="$2" '$1 == name { printf "%d", $2; found = 1 } END { if (!found) print 0 }'
}
# Writes N loopback addresses to FILE: 127.A.B.1 with A.B counting from START (each its own /24).
addresses() {
    local file=$1 start=$2 count=$3
    python3 -c "
import sys
start, count = int(sys.argv[1]), int(sys.argv[2])
for i in range(start, start + count):
    print('127.%d.%d.1' % (1 + i // 256, i % 256))
" "$start" "$count" >"$file"
}

if ! swarm_start target --save-interval 5 --gateway off; then fail "flooded node starts"; finish; fi
TARGET=$(swarm_udp target)
PID=$(swarm_pid target)
rss_start=$(rss_mb "$PID")
pass "flooded node listens on $TARGET (RSS $rss_start MB)"

# --- the flood ------------------------------------------------------------------------------------------------
addresses "$SWARM_DIR/store-sources" 0 257
addresses "$SWARM_DIR/provider-sources" 257 1028
out=$(python3 "$FLOOD" records "$TARGET" --kind store --sources "@$SWARM_DIR/store-sources" --per-source 256)
echo "     STORE flood: $out"
json_is "$out" '.tokens == 257' && pass "257 flood addresses got write tokens" || fail "STORE flood tokens" "$out"
out=$(python3 "$FLOOD" records "$TARGET" --kind provider --sources "@$SWARM_DIR/provider-sources" --per-source 256)
echo "     ADD_PROVIDER flood: $out"
json_is "$out" '.tokens == 1028' && pass "1,028 more flood addresses got write tokens" ||
    fail "ADD_PROVIDER flood tokens" "$out"
# 16 addresses of one /24 against the per-network cap (1,024 records).
python3 -c "print('\n'.join('127.250.0.%d' % i for i in range(1, 17)))" >"$SWARM_DIR/network-sources"
out=$(python3 "$FLOOD" records "$TARGET" --kind provider --sources "@$SWARM_DIR/network-sources" --per-source 256)
echo "     one /24: $out"
sleep 2

values=$(metric target dht_values_held)
providers=$(metric target dht_provider_records_held)
echo "     held: $values values, $providers provider records"
[ "$values" -le 65536 ] && [ "$values" -ge 60000 ] && pass "values held: $values (cap 65,536)" ||
    fail "values held within the cap and near it" "$values"
[ "$providers" -le 262144 ] && [ "$providers" -ge 250000 ] && pass "provider records held: $providers (cap 262,144)" ||
    fail "provider records held within the cap and near it" "$providers"
evicted=$(metric target 'dht_records_evicted_total{record="provider",reason="farthest"}')
evicted_values=$(metric target 'dht_records_evicted_total{record="value",reason="farthest"}')
[ "$evicted" -gt 0 ] && pass "a full provider store evicts farthest-first ($evicted provider, $evicted_values value records)" ||
    fail "provider evictions counted" "$evicted"
network_full=$(metric target 'dht_records_refused_total{record="provider",reason="network_full"}')
[ "$network_full" -gt 0 ] && pass "the /24 of 16 addresses is refused past its cap ($network_full network_full)" ||
    fail "network_full refusals counted" "$network_full"
source_full=$(metric target 'dht_records_refused_total{record="provider",reason="source_full"}')
echo "     refusals: $source_full source_full, $network_full network_full; $(curl -s "$(swarm_api target)/metrics" |
    grep -E '^dht_records_refused_total' | awk '$2 > 0' | tr '\n' ' ')"

# --- honest records for a key near the flooded node -----------------------------------------------------------
if ! swarm_start honest --bootstrap "$TARGET" --gateway off; then fail "honest node starts"; finish; fi
swarm_wait_peers honest 1 && pass "honest node joined the flooded node" || fail "honest node joined" "$(dn honest peers 2>&1)"
target_id=$(swarm_id target)
# The flooded node's ID with its last byte changed: a key it is closest to.
near_key=${target_id:0:62}$(printf '%02x' $(( (16#${target_id:62:2} + 1) % 256 )))
out=$(dn honest dht put "$near_key" "honest value" 2>&1)
[[ $out == "stored under"*"on 1 of 1 nodes asked"* ]] && pass "an honest STORE for a near key is accepted" ||
    fail "honest STORE accepted" "$out"
out=$(dn target dht get "$near_key" 2>&1)
[ "$out" = "honest value" ] && pass "the flooded node holds the honest value" || fail "honest value held" "$out"
out=$(dn honest dht provide "$near_key" 2>&1)
[[ $out == *"stored on 1 of 1 nodes asked"* ]] && pass "an honest ADD_PROVIDER for a near key is accepted" ||
    fail "honest ADD_PROVIDER accepted" "$out"
# Asked through the honest node: its GET_PROVIDERS reaches the flooded node, which answers from its store. (The
# flooded node's own lookup may find no contact yet: its 64 verification slots were held by the flood's fresh IDs
# until seconds ago.)
out=$(dn honest dht providers "$near_key" --json 2>&1)
[[ $(jq -r '.providers[].id' <<<"$out" 2>/dev/null) == *"$(swarm_id honest)"* ]] &&
    pass "the flooded node answers with the honest provider" || fail "honest provider held" "$out"
providers_after=$(metric target dht_provider_records_held)
[ "$providers_after" -le 262144 ] && pass "the provider store is still within its cap ($providers_after)" ||
    fail "provider cap after the honest record" "$providers_after"

# --- memory, after at least one state save of the full stores --------------------------------------------------
sleep 7
rss=$(rss_mb "$PID")
records=$(( $(metric target dht_values_held) + $(metric target dht_provider_records_held) ))
echo "     RSS $rss_start MB at start, $rss MB with $records records held"
[ "$rss" -lt 256 ] && pass "RSS stays under 256 MB ($rss MB)" || fail "RSS under 256 MB" "$rss MB"
[ -s "$SWARM_DIR/target/state.json" ] && pass "state.json saved with full stores" || fail "state.json saved"

# --- amplification: requests from fresh keys at a fresh address ------------------------------------------------
out=$(python3 "$FLOOD" amplify "$TARGET" --source 127.251.0.1 --requests 90 --wait 8)
echo "     amplification: $out"
json_is "$out" '.receivedBytes <= 3 * .sentBytes' && pass "bytes back to an unproven address <= 3x bytes sent" ||
    fail "amplification within 3x" "$out"
json_is "$out" '(.received.PING // 0) > 0' && pass "verification pings went out within that budget" ||
    fail "verification pings seen" "$out"
withheld=$(metric target 'dht_datagrams_withheld_total{reason="amplification"}')
echo "     flooded node's peers now: $(dn target peers --json | jq '.peers | length')"
echo "     withheld for amplification: $withheld; verifications skipped per network: $(metric target 'dht_verifications_skipped_total{reason="network_cap"}')"

finish
