#!/usr/bin/env bash
# The relay and hole-punching benchmark of docs/BENCHMARKS.md ("Behind NATs: relayed, hole-punched and direct"):
# a SIZE MiB file (default 64) of random bytes, added on a daemon behind one NAT and fetched with
# `dhtnode get CID -o FILE` by a daemon behind another, three ways over the same links:
#   direct    the seeder's router forwards its port 4001 (the seeder is public, its records name its own address);
#   relayed   no forward, `--hole-punching off` on both: every byte goes through a relay;
#   punched   no forward, hole punching on (the default): the fetch starts relayed and moves to a direct connection.
# Each figure is the wall time of the `get` command (the user's path), as a ratio to `direct` in the same run.
#
# Network (as Tests/cli/nat.sh): a bridge stands in for the Internet; a bootstrap node and two relays have
# addresses on it; seeder and fetcher each sit behind a router namespace that masquerades (iptables MASQUERADE,
# endpoint-independent) and drops unsolicited SYNs. Every interface on the bridge side is capped at RATE (default
# 200mbit, tc tbf), each way, so the relays' links are as fast as the hosts'. Runs go in turn (direct, relayed,
# punched; RUNS rounds, default 3), each with a fresh fetcher (empty repository), a seeder restarted in that mode
# and a file of its own.
#
# Usage (as root): Benchmarks/relay.sh [PATH/TO/dhtnode]   (default: make release, .build/release/dhtnode)
# Environment: SIZE (MiB), RUNS, RATE (tc syntax, or `off`), MODES (default "direct relayed punched"; the ratios
# need direct), RELAY_OPTS (more `dhtnode run` options for the relays, such as `--relay-bandwidth off`), LOG_LEVEL (the daemons', default warning), KEEP=1 keeps the folder (with every daemon's log).
# Needs ip, tc, iptables, conntrack, jq, cmp, bc. Kills every daemon it started (by PID) and deletes its namespaces at exit.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
    DHTNODE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
    (cd "$ROOT" && make -s release >/dev/null) || exit 1
    DHTNODE=$ROOT/.build/release/dhtnode
fi
[ -x "$DHTNODE" ] || { echo "no dhtnode at $DHTNODE" >&2; exit 2; }
for tool in ip tc iptables conntrack jq cmp bc; do command -v $tool >/dev/null || { echo "$0 needs $tool" >&2; exit 2; }; done
[ "$(id -u)" = 0 ] || { echo "$0 needs root (network namespaces)" >&2; exit 2; }
SIZE=${SIZE:-64}
RUNS=${RUNS:-3}
RATE=${RATE:-200mbit}
MODES=${MODES:-direct relayed punched}
LOG_LEVEL=${LOG_LEVEL:-warning}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-relay.XXXXXX")
P=rb$$
declare -A PIDS=()
NAMESPACES=()
cleanup() {
    local name
    for name in "${!PIDS[@]}"; do kill -KILL "${PIDS[$name]}" 2>/dev/null; wait "${PIDS[$name]}" 2>/dev/null; done
    for name in "${NAMESPACES[@]}"; do ip netns del "$name" 2>/dev/null; done
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export DHTNODE_DATA=$DIR/unused-default

# shellcheck source=../scripts/nat-lib.sh
source "$ROOT/scripts/nat-lib.sh"
nat_link() {  # caps egress of interface $2 in namespace $1 at RATE
    [ "$RATE" = off ] || tc -n "$1" qdisc add dev "$2" root tbf rate "$RATE" burst 256kb latency 50ms
}
start() {  # start NAME NAMESPACE ADDRESS [options...]
    local name=$1 ns=$2 address=$3
    shift 3
    mkdir -p "$DIR/$name"
    rm -f "$DIR/$name/api.json"
    ip netns exec "$ns" "$DHTNODE" run --data "$DIR/$name" --listen "$address" --api 127.0.0.1:0 --gateway off \
        --log-level "$LOG_LEVEL" "$@" >>"$DIR/$name.log" 2>&1 &
    PIDS[$name]=$!
    local waited=0
    until [ -s "$DIR/$name/api.json" ]; do
        kill -0 "${PIDS[$name]}" 2>/dev/null || { tail -n 20 "$DIR/$name.log" >&2; return 1; }
        sleep 0.1
        waited=$((waited + 1))
        [ $waited -lt 300 ] || return 1
    done
}
stop() {
    local name=$1
    [ -n "${PIDS[$name]:-}" ] || return 0
    kill -TERM "${PIDS[$name]}" 2>/dev/null
    wait "${PIDS[$name]}" 2>/dev/null
    unset "PIDS[$name]"
}
declare -A NS=()
nx() { local name=$1; shift; ip netns exec "${NS[$name]}" "$DHTNODE" "$@" --data "$DIR/$name"; }
wait_for() {  # wait_for NAME JQ-EXPRESSION (on `id --json`), at most 60 s
    local waited=0
    until nx "$1" id --json 2>/dev/null | jq -e "$2" >/dev/null; do
        sleep 0.25
        waited=$((waited + 1))
        [ $waited -lt 240 ] || { echo "timed out: $1 $2: $(nx "$1" id --json 2>&1 | tr -d '\n')" >&2; return 1; }
    done
}

NET=${P}net
make_internet || exit 1
for i in 1 2 3; do make_ns "${P}pub$i"; on_internet "${P}pub$i" "10.$i.0.1" eth0; done
behind_nat "${P}r1" "${P}seeder" 10.11.0.1 1 || exit 1
behind_nat "${P}r2" "${P}fetcher" 10.12.0.1 2 || exit 1
NS=([pub1]=${P}pub1 [pub2]=${P}pub2 [pub3]=${P}pub3 [seeder]=${P}seeder [fetcher]=${P}fetcher)
start pub1 "${P}pub1" 10.1.0.1:4001 --bootstrap-node || exit 1
# shellcheck disable=SC2086  # RELAY_OPTS is a list of options
for i in 2 3; do start "pub$i" "${P}pub$i" "10.$i.0.1:4001" --bootstrap 10.1.0.1:4001 ${RELAY_OPTS:-} || exit 1; done

forward() {  # forward on|off: the seeder's router forwards TCP and UDP port 4001 to it
    local op=-D
    [ "$1" = on ] && op=-A
    for proto in tcp udp; do
        ip netns exec "${P}r1" iptables -t nat $op PREROUTING -i wan -p $proto --dport 4001 \
            -j DNAT --to-destination 192.168.1.2:4001 2>/dev/null
    done
    # Mappings the forward made would outlive it.
    ip netns exec "${P}r1" conntrack -F >/dev/null 2>&1
}

echo "dhtnode: $DHTNODE; $(nproc) cores; $(uname -sr); $SIZE MiB; links capped at $RATE each way; $RUNS rounds"
echo "temporary folder: $DIR ($(df -PT "$DIR" | awk 'NR == 2 { print $2 }'))"
printf '%-8s %5s %10s %10s %12s %12s\n' mode round seconds MB/s directBytes relayedBytes
declare -A TIMES=()
for round in $(seq 1 "$RUNS"); do
    for mode in $MODES; do
        stop seeder
        stop fetcher
        forward off
        punch=on
        [ "$mode" = relayed ] && punch=off
        [ "$mode" = direct ] && forward on
        start seeder "${P}seeder" 192.168.1.2:4001 --bootstrap 10.1.0.1:4001 --hole-punching $punch || exit 1
        if [ "$mode" = direct ]; then
            wait_for seeder '.reachability == "public"' || exit 1
        else
            wait_for seeder '.reachability == "private" and (.relays | length) >= 1' || exit 1
        fi
        # A new file each run: provider records of an earlier mode (relayed or direct) never mix in.
        head -c $((SIZE * 1024 * 1024)) /dev/urandom >"$DIR/file.bin"
        cid=$(nx seeder add "$DIR/file.bin" --quiet) || exit 1
        rm -rf "$DIR/fetcher" "$DIR/out.bin"
        start fetcher "${P}fetcher" 192.168.2.2:4001 --bootstrap 10.1.0.1:4001 --hole-punching $punch || exit 1
        wait_for fetcher '.reachability == "private" and (.observedAddresses | length) >= 1' || exit 1
        begin=$(date +%s.%N)
        stats=$(ip netns exec "${P}fetcher" "$DHTNODE" get "$cid" -o "$DIR/out.bin" --quiet --stats --json \
            --data "$DIR/fetcher" 2>&1)
        end=$(date +%s.%N)
        cmp -s "$DIR/file.bin" "$DIR/out.bin" || { echo "$mode: the fetched file differs: $stats" >&2; exit 1; }
        seconds=$(echo "$end - $begin" | bc -l)
        TIMES[$mode]="${TIMES[$mode]:-} $seconds"
        printf '%-8s %5d %10.2f %10.1f %12s %12s\n' "$mode" "$round" "$seconds" \
            "$(echo "$SIZE * 1.048576 / $seconds" | bc -l)" "$(jq .directBytes <<<"$stats")" \
            "$(jq .relayedBytes <<<"$stats")"
    done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
direct=$(median <<<"${TIMES[direct]:-}")
echo
printf '%-8s %12s %14s\n' mode "median s" "time / direct"
for mode in $MODES; do
    m=$(median <<<"${TIMES[$mode]}")
    ratio=—
    [ -n "${TIMES[direct]:-}" ] && ratio=$(printf '%.2f' "$(echo "$m / $direct" | bc -l)")
    printf '%-8s %12.2f %14s\n' "$mode" "$m" "$ratio"
done
