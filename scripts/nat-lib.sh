# Network namespaces that stand in for the Internet and for home routers, shared by Tests/cli/nat.sh and
# Benchmarks/relay.sh. Set NET (the namespace that will hold the bridge `br0`) and NAMESPACES=() before calling;
# every namespace made here is appended to NAMESPACES, for the caller to delete at exit. A caller that defines
# `nat_link NS IFACE` has it called for both ends of every link to the Internet (to cap their rate, say).

# A namespace named $1 with its loopback up.
make_ns() { ip netns add "$1" && NAMESPACES+=("$1") && ip -n "$1" link set lo up; }

# The "Internet": namespace NET with a bridge and nothing else.
make_internet() {
    make_ns "$NET" || return 1
    ip -n "$NET" link add br0 type bridge
    ip -n "$NET" link set br0 up
}

# Namespace NS on the Internet bridge, with ADDRESS/8 on its interface IFACE.
on_internet() {
    local ns=$1 address=$2 iface=$3 port=v${#NAMESPACES[@]}
    ip -n "$NET" link add "$port" type veth peer name "$iface" netns "$ns"
    ip -n "$NET" link set "$port" master br0 up
    ip -n "$ns" addr add "$address/8" dev "$iface"
    ip -n "$ns" link set "$iface" up
    if declare -F nat_link >/dev/null; then
        nat_link "$NET" "$port"
        nat_link "$ns" "$iface"
    fi
}

# A router namespace ROUTER with WAN address WAN on the Internet and LAN 192.168.N.1/24, a host namespace HOST
# behind it at 192.168.N.2, masquerading with the given extra options (`--random-fully` makes it symmetric). What
# nobody inside asked for reaches the router itself, where a SYN is dropped rather than answered with a reset, as
# home routers do (RFC 5382, REQ-4).
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
    ip netns exec "$router" iptables -A INPUT -i wan -p tcp --syn -j DROP
}
