#!/usr/bin/env bash
# Reachability behind real NATs (docs/PROTOCOL.md, "Reachability and client mode"; docs/PRIVATE-SWARM.md, "Behind a
# NAT"): network namespaces joined by a bridge stand in for the Internet; four public daemons (one of them the
# bootstrap node) have addresses on it, and two hosts sit behind routers of their own that masquerade with conntrack:
# one endpoint-independent NAT (iptables MASQUERADE keeps the source port: one mapping for every destination) and one
# symmetric NAT (MASQUERADE --random-fully: a new port for every destination). Both filter what nobody inside asked
# for, as home routers do.
#
#   Tests/cli/nat.sh PATH/TO/dhtnode
#
# Checks that the public daemons say `public` and the NATed ones `private` within 30 s of their start, with their
# routers' addresses as observed addresses; that a private node is in no public node's routing table; and that it
# still puts and gets values. Needs root (namespaces, iptables), jq and iptables (apt-get install -y iptables).
# Every namespace and process is removed on exit (KEEP=1 keeps the logs).

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

make_ns() { ip netns add "$1" && NAMESPACES+=("$1") && ip -n "$1" link set lo up; }

# A namespace on the Internet bridge with ADDRESS/8 on its interface IFACE.
on_internet() {
    local ns=$1 address=$2 iface=$3 port=v${#NAMESPACES[@]}
    ip -n "$NET" link add "$port" type veth peer name "$iface" netns "$ns"
    ip -n "$NET" link set "$port" master br0 up
    ip -n "$ns" addr add "$address/8" dev "$iface"
    ip -n "$ns" link set "$iface" up
}

# A router namespace with WAN address WAN on the Internet and LAN 192.168.N.1/24, a host namespace behind it at
# 192.168.N.2, and masquerading with the given extra options.
behind_nat() {
    local router=$1 host=$2 wan=$3 n=$4
    shift 4
    make_ns "$router" && make_ns "$host" || return 1
    on_internet "$router" "$wan" wan
    ip -n "$router" link add lan type veth peer name eth0 netns "$host"
    ip -n "$router" addr add "192.168.$n.1/24" dev lan
    ip -n "$router" link set lan up
    ip -n "$host" addr add "192.168.$n.2/24" dev eth0
    ip -n "$host" link set eth0 up
    ip -n "$host" route add default via "192.168.$n.1"
    ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$router" iptables -t nat -A POSTROUTING -o wan -j MASQUERADE "$@"
}

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
make_ns "$NET" || { echo "cannot make network namespaces"; exit 1; }
ip -n "$NET" link add br0 type bridge
ip -n "$NET" link set br0 up
PUBLIC=(boot pub1 pub2 pub3)
for i in 0 1 2 3; do
    make_ns "${P}${PUBLIC[$i]}"
    on_internet "${P}${PUBLIC[$i]}" "10.$((i + 1)).0.1" eth0
done
behind_nat "${P}r1" "${P}cone" 10.11.0.1 1 || { echo "cannot set up the first NAT"; exit 1; }
behind_nat "${P}r2" "${P}sym" 10.12.0.1 2 --random-fully || { echo "cannot set up the second NAT"; exit 1; }
# --- the nodes -------------------------------------------------------------------------------------------------
ns_start "${P}boot" boot 10.1.0.1:4001 --bootstrap-node || { fail "the bootstrap node starts"; finish; }
STARTED[boot]=$(date +%s)
for i in 1 2 3; do
    ns_start "${P}pub$i" "pub$i" "10.$((i + 1)).0.1:4001" --bootstrap 10.1.0.1:4001 || { fail "pub$i starts"; finish; }
    STARTED[pub$i]=$(date +%s)
done
for name in cone sym; do
    n=1
    [ "$name" = sym ] && n=2
    ns_start "${P}$name" "$name" "192.168.$n.2:4001" --bootstrap 10.1.0.1:4001 || { fail "$name starts"; finish; }
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
for name in cone sym; do
    out=$(wait_reachability "$name" private) && pass "$name (behind a NAT) says private (after ${out} s)" \
        || fail "$name says private within 30 s" "after $out s: $(nx "$name" id --json 2>&1 | tr '\n' ' ')"
done

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

finish
