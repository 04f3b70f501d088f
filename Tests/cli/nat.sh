#!/usr/bin/env bash
# Reachability behind real NATs (docs/PROTOCOL.md, "Reachability and client mode"; docs/PRIVATE-SWARM.md, "Behind a
# NAT"): network namespaces joined by a bridge stand in for the Internet; four public daemons (one of them the
# bootstrap node) have addresses on it, and three hosts sit behind routers of their own that masquerade with
# conntrack: two endpoint-independent NATs (iptables MASQUERADE keeps the source port: one mapping for every
# destination) and one symmetric NAT (MASQUERADE --random-fully: a new port for every destination). All filter what
# nobody inside asked for, as home routers do: an unsolicited SYN is dropped, not answered with a reset (RFC 5382,
# REQ-4).
#
#   Tests/cli/nat.sh PATH/TO/dhtnode
#
# Checks that the public daemons say `public` and the NATed ones `private` within 30 s of their start, with their
# routers' addresses as observed addresses; that a private node is in no public node's routing table; and that it
# still puts and gets values. Then relays (docs/PROTOCOL.md, "Relays"): each NATed node reserves two of the public
# daemons; a file added behind the symmetric NAT is announced at its relays and fetched from behind the other NAT
# through a relay, byte for byte, while tcpdump in every relay's namespace shows the file's text never crossing it;
# and a fetch larger than the relays' byte cap per connection (8 MB here) is cut and counted. Then hole punching
# (docs/PROTOCOL.md, "Hole punching"): between the two endpoint-independent NATs a relayed fetch moves to a direct
# connection (a 24 MiB file, three times the relays' cap, arrives whole, most of it direct), and of 20 fresh
# relayed connections (the fetching daemon restarted before each) at least 19 punch through; behind the symmetric
# NAT the punch fails and the fetch stays relayed. Needs root
# (namespaces, iptables), jq, iptables and tcpdump (apt-get install -y iptables tcpdump; without tcpdump the
# capture check is skipped and said so).
# Every namespace and process is removed on exit (KEEP=1 keeps the logs; NAT_LOG_LEVEL=debug makes the two NATed
# daemons log their relay reservations in detail).

HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then
    echo "nat.sh: skipped: it needs root to make network namespaces and NAT rules"
    echo "0 passed, 0 failed"
    exit 0
fi
if ! command -v iptables >/dev/null; then
    echo "nat.sh: skipped: iptables is missing (apt-get install -y iptables)"
    echo "0 passed, 0 failed"
    exit 0
fi
# shellcheck source=swarm-test-lib.sh
source "$HERE/swarm-test-lib.sh" nat "$@"

P=dn$$                    # namespace and interface prefix, unique per run
NET=${P}net               # the "Internet": a bridge, and nothing else
NAMESPACES=()
ns_cleanup() {
    swarm_cleanup
    local ns
    for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap 'ns_cleanup; cleanup' EXIT

# shellcheck source=../../scripts/nat-lib.sh
source "$HERE/../../scripts/nat-lib.sh"

# Starts `dhtnode run` inside namespace NS as node NAME listening on ADDRESS (its API on the namespace's loopback).
ns_start() {
    local ns=$1 name=$2 address=$3
    shift 3
    local data=$SWARM_DIR/$name
    mkdir -p "$data"
    ip netns exec "$ns" "$DHTNODE" run --data "$data" --listen "$address" --api 127.0.0.1:0 --gateway off "$@" \
        >>"$SWARM_DIR/$name.log" 2>&1 &
    SWARM_PIDS[$name]=$!
    NODE_NS[$name]=$ns
    local waited=0
    until [ -s "$data/api.json" ]; do
        kill -0 "${SWARM_PIDS[$name]}" 2>/dev/null || { tail -n 20 "$SWARM_DIR/$name.log" >&2; return 1; }
        sleep 0.1
        waited=$((waited + 1))
        [ $waited -lt 300 ] || return 1
    done
}
declare -A NODE_NS=()
declare -A STARTED=()
# A CLI command against node NAME, run inside its namespace (its API listens on that namespace's loopback).
nx() { local node=$1; shift; ip netns exec "${NODE_NS[$node]}" "$DHTNODE" "$@" --data "$SWARM_DIR/$node"; }

# Waits until node NAME reports reachability WANT, at most 30 s after it started; prints the seconds it took.
wait_reachability() {
    local name=$1 want=$2 status
    while :; do
        status=$(nx "$name" id --json 2>/dev/null | jq -r '.reachability // "unknown"')
        local elapsed=$(($(date +%s) - STARTED[$name]))
        if [ "$status" = "$want" ]; then
            echo "$elapsed"
            return 0
        fi
        [ "$elapsed" -lt 30 ] || { echo "$elapsed (still $status)"; return 1; }
        sleep 0.5
    done
}

# --- the networks ----------------------------------------------------------------------------------------------
make_internet || { echo "cannot make network namespaces"; exit 1; }
PUBLIC=(boot pub1 pub2 pub3)
for i in 0 1 2 3; do
    make_ns "${P}${PUBLIC[$i]}"
    on_internet "${P}${PUBLIC[$i]}" "10.$((i + 1)).0.1" eth0
done
behind_nat "${P}r1" "${P}cone" 10.11.0.1 1 || { echo "cannot set up the first NAT"; exit 1; }
behind_nat "${P}r2" "${P}sym" 10.12.0.1 2 --random-fully || { echo "cannot set up the second NAT"; exit 1; }
behind_nat "${P}r3" "${P}cone2" 10.13.0.1 3 || { echo "cannot set up the third NAT"; exit 1; }
# A host on the Internet whose firewall lets datagrams in but drops connections: its DHT port answers, its exchange
# cannot be reached, so it must say private.
make_ns "${P}fw" && on_internet "${P}fw" 10.5.0.1 eth0 || { echo "cannot set up the firewalled host"; exit 1; }
ip netns exec "${P}fw" iptables -A INPUT -p tcp --dport 4001 --syn -j DROP
# --- the nodes -------------------------------------------------------------------------------------------------
ns_start "${P}boot" boot 10.1.0.1:4001 --bootstrap-node || { fail "the bootstrap node starts"; finish; }
STARTED[boot]=$(date +%s)
for i in 1 2 3; do
    # A small byte cap per relayed connection, so that a larger fetch shows the cut.
    ns_start "${P}pub$i" "pub$i" "10.$((i + 1)).0.1:4001" --bootstrap 10.1.0.1:4001 --relay-circuit-bytes 8M \
        || { fail "pub$i starts"; finish; }
    STARTED[pub$i]=$(date +%s)
done
ns_start "${P}fw" fw 10.5.0.1:4001 --bootstrap 10.1.0.1:4001 || { fail "fw starts"; finish; }
STARTED[fw]=$(date +%s)
declare -A NAT_NUMBER=([cone]=1 [sym]=2 [cone2]=3)
for name in cone sym cone2; do
    n=${NAT_NUMBER[$name]}
    ns_start "${P}$name" "$name" "192.168.$n.2:4001" --bootstrap 10.1.0.1:4001 ${NAT_LOG_LEVEL:+--log-level "$NAT_LOG_LEVEL"} \
        || { fail "$name starts"; finish; }
    STARTED[$name]=$(date +%s)
done

# A TCP connection (the exchange listens on TCP at the UDP address) as the NATs see it.
tcp_connects() { ip netns exec "$1" timeout 3 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; }
check "a host behind the first NAT connects out to a public node" tcp_connects "${P}cone" 10.2.0.1 4001
check "a host behind the second NAT connects out to a public node" tcp_connects "${P}sym" 10.2.0.1 4001
check "nothing reaches a host behind a NAT through its router unasked" \
    bash -c "! { $(declare -f tcp_connects); P=$P; tcp_connects ${P}pub1 10.11.0.1 4001 || tcp_connects ${P}pub1 10.12.0.1 4001; }"

# --- reachability ----------------------------------------------------------------------------------------------
for name in boot pub1 pub2 pub3; do
    out=$(wait_reachability "$name" public) && pass "$name says public (after ${out} s)" \
        || fail "$name says public within 30 s" "after $out s: $(nx "$name" id --json 2>&1 | tr '\n' ' ')"
done
for name in cone sym cone2; do
    out=$(wait_reachability "$name" private) && pass "$name (behind a NAT) says private (after ${out} s)" \
        || fail "$name says private within 30 s" "after $out s: $(nx "$name" id --json 2>&1 | tr '\n' ' ')"
done

out=$(wait_reachability fw private) \
    && pass "a host whose firewall drops TCP but not UDP says private (after $out s): dial-backs probe both" \
    || fail "a host whose firewall drops TCP says private within 30 s" "after $out s: $(nx fw id --json 2>&1 | tr '\n' ' ')"

info=$(nx cone id --json)
json_is "$info" '.client == true' && pass "the node behind the NAT runs as a DHT client" \
    || fail "the node behind the NAT runs as a DHT client" "$info"
json_is "$info" '.observedAddresses | index("10.11.0.1:4001") != null' \
    && pass "behind the endpoint-independent NAT, peers see the router's address and the same port" \
    || fail "observed address behind the endpoint-independent NAT" "$info"
info=$(nx sym id --json)
json_is "$info" '[.observedAddresses[] | select(startswith("10.12.0.1:"))] | length >= 2' \
    && pass "behind the symmetric NAT, peers see the router's address, with another port for each peer" \
    || fail "observed address behind the symmetric NAT" "$info"
info=$(nx pub1 id --json)
json_is "$info" '.observedAddresses | index("10.2.0.1:4001") != null' \
    && pass "a public node's observed address is its own" || fail "a public node's observed address" "$info"
out=$(nx sym id)
grep -q "^reachability *private (DHT client)" <<<"$out" && grep -q "^observed *10.12.0.1:" <<<"$out" \
    && pass "dhtnode id shows reachability and observed addresses" || fail "dhtnode id text" "$out"

# --- client mode -----------------------------------------------------------------------------------------------
cone_id=$(swarm_id cone)
sym_id=$(swarm_id sym)
sleep 2   # the farewell pings of a node that just became a client
listed=""
for name in boot pub1 pub2 pub3; do
    peers=$(nx "$name" peers --json)
    grep -q "$cone_id" <<<"$peers" && listed="$listed $name:cone"
    grep -q "$sym_id" <<<"$peers" && listed="$listed $name:sym"
done
[ -z "$listed" ] && pass "no public node holds a private node in its routing table" \
    || fail "no public node holds a private node in its routing table" "held:$listed"
count=$(nx cone peers --json | jq '.peers | length')
[ "${count:-0}" -ge 3 ] && pass "the private node itself knows the public nodes ($count peers)" \
    || fail "the private node knows the public nodes" "$count peers"

out=$(nx cone dht put behind-a-nat "hello from behind a NAT" 2>&1) && [[ $out == stored* ]] \
    && pass "a private node puts a value" || fail "a private node puts a value" "$out"
out=$(nx pub2 dht get behind-a-nat 2>&1)
[ "$out" = "hello from behind a NAT" ] && pass "a public node gets it" || fail "a public node gets it" "$out"
out=$(nx sym dht get behind-a-nat 2>&1)
[ "$out" = "hello from behind a NAT" ] && pass "the node behind the symmetric NAT gets it" \
    || fail "the node behind the symmetric NAT gets it" "$out"
out=$(nx pub3 dht put from-outside "hello from the Internet" 2>&1) && [[ $out == stored* ]] \
    && out=$(nx cone dht get from-outside 2>&1)
[ "$out" = "hello from the Internet" ] && pass "a private node gets a public node's value" \
    || fail "a private node gets a public node's value" "$out"

metrics=$(ip netns exec "${P}cone" curl -s "$(swarm_api cone)/metrics" 2>/dev/null || true)
if [ -n "$metrics" ]; then
    grep -q '^dht_reachability{status="private"} 1' <<<"$metrics" \
        && pass "/metrics: dht_reachability{status=\"private\"} 1" || fail "/metrics reachability gauge" \
        "$(grep dht_reachability <<<"$metrics" | tr '\n' ' ')"
fi

node_metric() {  # the sum of a metric (over its labels) on node NAME
    ip netns exec "${NODE_NS[$1]}" curl -s "$(swarm_api "$1")/metrics" 2>/dev/null \
        | awk -v m="$2" '$1 == m || index($1, m "{") == 1 { sum += $2 } END { printf "%d", sum }'
}
# Waits until METRIC on node NAME is at least COUNT (at most SECONDS s); prints its value.
wait_metric() {
    local name=$1 metric=$2 count=$3 seconds=$4 value waited=0
    while :; do
        value=$(node_metric "$name" "$metric")
        [ "${value:-0}" -ge "$count" ] && { echo "$value"; return 0; }
        [ $waited -lt $((seconds * 2)) ] || { echo "${value:-0}"; return 1; }
        sleep 0.5
        waited=$((waited + 1))
    done
}

# --- relays ----------------------------------------------------------------------------------------------------
# Waits until node NAME holds COUNT relay reservations (at most 30 s); prints them.
wait_relays() {
    local name=$1 count=$2 relays waited=0
    while :; do
        relays=$(nx "$name" id --json 2>/dev/null | jq -c '.relays // []')
        [ "$(jq length <<<"$relays")" -ge "$count" ] && { echo "$relays"; return 0; }
        [ $waited -lt 60 ] || { echo "$relays"; return 1; }
        sleep 0.5
        waited=$((waited + 1))
    done
}
for name in cone sym cone2; do
    relays=$(wait_relays "$name" 2) && pass "$name holds two relay reservations: $(jq -r 'join(", ")' <<<"$relays")" \
        || fail "$name holds two relay reservations" "$relays"
done
out=$(nx sym id)
grep -q "^relays *[0-9a-f]*@10\.[234]\.0\.1:4001" <<<"$out" && pass "dhtnode id lists the relays" \
    || fail "dhtnode id lists the relays" "$out"
metric_sum() {  # the sum of a metric over the public daemons
    local name total=0 value
    for name in pub1 pub2 pub3; do
        value=$(ip netns exec "${NODE_NS[$name]}" curl -s "$(swarm_api "$name")/metrics" \
            | awk -v m="$1" '$1 == m { sum += $2 } END { printf "%d", sum }')
        total=$((total + ${value:-0}))
    done
    echo "$total"
}
check "the relays count the reservations they hold (relay_reservations)" test "$(metric_sum relay_reservations)" -ge 4

# A text file: every line carries a marker that a capture of the relays' traffic must not contain.
marker="swift-dht-plaintext-$P-"
seq -f "$marker%09g" 1 90000 >"$SWARM_DIR/text.txt"
CAPTURES=()
if command -v tcpdump >/dev/null; then
    for name in pub1 pub2 pub3; do
        ip netns exec "${NODE_NS[$name]}" tcpdump -i eth0 -U -s 0 -w "$SWARM_DIR/$name.pcap" tcp port 4001 \
            >/dev/null 2>&1 &
        CAPTURES+=($!)
    done
    sleep 1
fi
cid=$(nx sym add "$SWARM_DIR/text.txt" --quiet)
check "the node behind the symmetric NAT adds a file" test -n "$cid"
providers=$(nx pub1 dht providers "$cid" --json 2>&1)
jq -e --arg id "$sym_id" '[.providers[] | select(.id == $id)] as $p
    | ($p | length) >= 1 and all($p[]; .relayed == true and (.address | startswith("10.12.") | not))' \
    <<<"$providers" >/dev/null 2>&1 \
    && pass "its provider records name its relays, not its router" \
    || fail "its provider records name its relays, not its router" "$providers"
stats=$(nx cone get "$cid" -o "$SWARM_DIR/text.out" --quiet --stats --json 2>&1)
check "the node behind the other NAT fetches it through a relay, byte for byte" \
    cmp -s "$SWARM_DIR/text.txt" "$SWARM_DIR/text.out"
relayed=$(metric_sum relay_bytes_total)
size=$(stat -c %s "$SWARM_DIR/text.txt")
if [ "$relayed" -gt "$size" ]; then
    pass "the relays carried it ($relayed bytes for a $size-byte file)"
else
    fail "the relays carried the fetch" "relay_bytes_total $relayed, file $size bytes; stats: $stats"
    for name in cone sym; do echo "     --- $name.log"; tail -n 15 "$SWARM_DIR/$name.log" | sed 's/^/     /'; done
fi
json_is "$stats" '.relayedBytes > 0 and .directBytes == 0' \
    && pass "get --stats: $(jq .relayedBytes <<<"$stats") bytes relayed, none direct (a symmetric NAT defeats the punch)" \
    || fail "get --stats shows the bytes relayed" "$stats"
if [ ${#CAPTURES[@]} -gt 0 ]; then
    sleep 1
    for pid in "${CAPTURES[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${CAPTURES[@]}"; do wait "$pid" 2>/dev/null; done
    captured=$(cat "$SWARM_DIR"/pub*.pcap | wc -c)
    seen=$(cat "$SWARM_DIR"/pub*.pcap | grep -a -c -- "$marker" || true)
    in_file=$(grep -c -- "$marker" "$SWARM_DIR/text.txt")
    [ "$captured" -gt "$size" ] && [ "$seen" -eq 0 ] \
        && pass "captures on the relays ($captured bytes) hold none of the file's $in_file marked lines: ciphertext only" \
        || fail "the relays see ciphertext only" "captured $captured bytes, marker seen $seen times"
else
    echo "skip the capture check on the relays: tcpdump is missing (apt-get install -y tcpdump)"
fi

# That relayed connection stays open, and its punch cannot work: the port the symmetric NAT picks for each
# destination is not the one peers observed. Three attempts, then it stays relayed.
out=$(wait_metric sym holepunch_relayed_total 1 40) \
    && pass "behind the symmetric NAT the punch fails and the connection stays relayed ($out)" \
    || fail "behind the symmetric NAT the punch fails and says so" "holepunch_relayed_total $out, direct $(node_metric sym holepunch_direct_total)"

head -c $((20 * 1024 * 1024)) /dev/urandom >"$SWARM_DIR/big.bin"
cid=$(nx sym add "$SWARM_DIR/big.bin" --quiet)
cuts_before=$(metric_sum 'relay_circuits_cut_total{reason="bytes"}')
ip netns exec "${NODE_NS[cone]}" timeout 60 "$DHTNODE" get "$cid" -o "$SWARM_DIR/big.out" --quiet \
    --data "$SWARM_DIR/cone" >/dev/null 2>&1
cuts=$(metric_sum 'relay_circuits_cut_total{reason="bytes"}')
[ "$cuts" -gt "$cuts_before" ] && pass "a relayed fetch past the 8 MB cap is cut and counted ($cuts cuts)" \
    || fail "a relayed fetch past the byte cap is cut and counted" "relay_circuits_cut_total{reason=\"bytes\"} $cuts"
grep -q "relayed connection cut" "$SWARM_DIR"/pub*.log && pass "the relay logs the cut" \
    || fail "the relay logs the cut"

# --- hole punching ---------------------------------------------------------------------------------------------
# Restarts node NAME with the arguments it was started with, and waits until peers have told it its address.
restart_behind_nat() {
    local name=$1 n=${NAT_NUMBER[$1]} waited=0
    swarm_stop "$name"
    rm -f "$SWARM_DIR/$name/api.json"
    ns_start "${P}$name" "$name" "192.168.$n.2:4001" --bootstrap 10.1.0.1:4001 \
        ${NAT_LOG_LEVEL:+--log-level "$NAT_LOG_LEVEL"} || return 1
    until nx "$name" id --json 2>/dev/null | jq -e --arg a "10.1$n.0.1:4001" '.observedAddresses | index($a) != null' \
        >/dev/null; do
        sleep 0.2
        waited=$((waited + 1))
        [ $waited -lt 150 ] || return 1
    done
}
# cone and cone2 sit behind endpoint-independent NATs. A 24 MiB file, three times the relays' cap per connection,
# arrives whole only if the fetch left the relay for a direct connection.
head -c $((24 * 1024 * 1024)) /dev/urandom >"$SWARM_DIR/punched.bin"
cid=$(nx cone2 add "$SWARM_DIR/punched.bin" --quiet)
restart_behind_nat cone || fail "cone restarts and learns its address"
stats=$(ip netns exec "${NODE_NS[cone]}" timeout 120 "$DHTNODE" get "$cid" -o "$SWARM_DIR/punched.out" --quiet \
    --stats --json --data "$SWARM_DIR/cone" 2>&1)
check "between two endpoint-independent NATs a 24 MiB fetch arrives whole, past the relays' 8 MB cap" \
    cmp -s "$SWARM_DIR/punched.bin" "$SWARM_DIR/punched.out"
json_is "$stats" '.directBytes > 16000000' \
    && pass "get --stats: $(jq .directBytes <<<"$stats") bytes direct after the punch, $(jq .relayedBytes <<<"$stats") relayed" \
    || fail "get --stats shows most bytes direct" "$stats"
[ "$(node_metric cone holepunch_direct_total)" -ge 1 ] && [ "$(node_metric cone2 holepunch_direct_total)" -ge 1 ] \
    && pass "both ends count the punch (holepunch_direct_total)" \
    || fail "both ends count the punch" "cone $(node_metric cone holepunch_direct_total), cone2 $(node_metric cone2 holepunch_direct_total)"
grep -q "hole punch succeeded" "$SWARM_DIR/cone.log" && pass "the daemon logs the punch" \
    || fail "the daemon logs the punch"

# 20 attempts: each a fresh relayed connection (the fetching daemon restarted), each fetching a file of its own.
punched=0
failures=""
for i in $(seq 1 20); do
    head -c 200000 /dev/urandom >"$SWARM_DIR/attempt$i.bin"
    cid=$(nx cone2 add "$SWARM_DIR/attempt$i.bin" --quiet)
    if ! restart_behind_nat cone; then
        failures="$failures $i:restart"
        continue
    fi
    ip netns exec "${NODE_NS[cone]}" timeout 60 "$DHTNODE" get "$cid" -o "$SWARM_DIR/attempt$i.out" --quiet \
        --data "$SWARM_DIR/cone" >/dev/null 2>&1
    if ! cmp -s "$SWARM_DIR/attempt$i.bin" "$SWARM_DIR/attempt$i.out"; then
        failures="$failures $i:fetch"
    elif wait_metric cone holepunch_direct_total 1 20 >/dev/null; then
        punched=$((punched + 1))
    else
        failures="$failures $i:relayed($(node_metric cone holepunch_relayed_total))"
    fi
done
if [ "$punched" -ge 19 ]; then
    pass "hole punching between endpoint-independent NATs: $punched of 20 attempts direct"
else
    fail "hole punching succeeds in at least 19 of 20 attempts" "$punched of 20;$failures"
    # What the two ends said of their punches and fetches, for whoever reads a failed run's output.
    for name in cone cone2; do
        echo "     --- $name.log"
        grep -E "hole punch|gave up|cannot connect|relayed connection failed" "$SWARM_DIR/$name.log" | tail -n 12 \
            | sed 's/^/     /'
    done
fi

finish
