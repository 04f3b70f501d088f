# Shared by Benchmarks/seed-003.sh and Benchmarks/dcdn.sh: daemons, nginx origins and one client in namespaces of
# the delay switch (Benchmarks/delaynet-lib.sh, with capped links), and fetches timed through the CLI.
#
# Source it after delaynet-lib.sh; then `origins_prologue "$@"` reads the script's arguments ([PATH/TO/dhtnode]
# [--json]: sets DHTNODE, building it with `make release` when not given, and JSON), checks for root and the tools,
# and `origins_workspace NAME PREFIX` makes the temporary folder DIR (also DELAYNET_DIR), the namespace prefix P
# (PREFIX and the PID) and the exit trap (delaynet_cleanup; DIR removed unless KEEP=1). PORT is the daemons' port.
# Namespace K has address 10.77.0.K. Then:
#   node_start K [dhtnode run options...]   starts `dhtnode run` in namespace K (data in $DIR/nodeK), waits for its API
#   node_cli K ARGS...                      runs the dhtnode CLI in namespace K against node K's daemon
#   node_id K                               prints node K's ID
#   wait_members K N                        waits (60 s at most) until node K is connected to N rendezvous members
#   timed_get K CID EXPECT [OPTIONS...]     `dhtnode get CID -o FILE --quiet OPTIONS` on node K after `dhtnode gc`
#                                           (so every block comes over the network); prints Benchmarks/timed-fetch.py's
#                                           JSON line with the daemon's `/v1/fetches/CID` document added as "fetch"
#   timed_cat K CID EXPECT [OPTIONS...]     the same with `dhtnode cat CID OPTIONS` (time to first byte on its stdout)
#   curl_new K URL EXPECT                   curl in namespace K of URL on a new connection; prints "TTFB TTLB" in ms
#   curl_kept K URL COUNT                   one curl in namespace K fetching URL COUNT + 1 times over one kept-alive
#                                           connection; prints "TTFB TTLB" in ms of each but the first, one a line
# Every failure ends the script with "FAILED: ..." on stderr.

origins_prologue() {
    ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    JSON=0
    DHTNODE=
    local arg tool
    for arg in "$@"; do
        case $arg in
            --json) JSON=1 ;;
            -*) echo "usage: $0 [PATH/TO/dhtnode] [--json]" >&2; exit 2 ;;
            *) DHTNODE=$(realpath "$arg") ;;
        esac
    done
    [ "$(id -u)" = 0 ] || { echo "$0 needs root (network namespaces)" >&2; exit 2; }
    if [ -z "$DHTNODE" ]; then
        make -C "$ROOT" --no-print-directory release >/dev/null || exit 1
        DHTNODE=$ROOT/.build/release/dhtnode
    fi
    for tool in ip curl jq python3 nginx; do command -v $tool >/dev/null || { echo "$0 needs $tool" >&2; exit 2; }; done
}

origins_workspace() {
    DIR=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-$1.XXXXXX")
    DELAYNET_DIR=$DIR
    P=$2$$
    PORT=4001
    trap origins_cleanup EXIT
    trap 'exit 130' INT TERM
}

origins_cleanup() {
    delaynet_cleanup
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $DIR" >&2; else rm -rf "$DIR"; fi
}

# curl_json "TTFB TTLB" (ms, as curl_new and curl_kept print them): the same as a JSON object.
curl_json() { awk '{ printf "{\"ttfb_ms\": %s, \"ttlb_ms\": %s}", $1, $2 }' <<<"$1"; }

say() { echo "$@" >&2; }
fail() { say "FAILED: $*"; exit 1; }
node_ns() { echo "$P-$1"; }
node_data() { echo "$DIR/node$1"; }
node_cli() { local k=$1; shift; ip netns exec "$(node_ns "$k")" env DHTNODE_DATA="$(node_data "$k")" "$DHTNODE" "$@"; }
node_id() { jq -r .nodeID "$(node_data "$1")/api.json"; }
TIMED_FETCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/timed-fetch.py

node_start() {
    local k=$1
    shift
    mkdir -p "$(node_data "$k")"
    rm -f "$(node_data "$k")/api.json"
    delaynet_bg "node$k" "$(node_ns "$k")" "$DHTNODE" run --data "$(node_data "$k")" --listen "10.77.0.$k:$PORT" \
        --api 127.0.0.1:0 --gateway "${NODE_GATEWAY:-off}" --log-level "${LOG_LEVEL:-warning}" "$@"
    local waited=0
    until [ -s "$(node_data "$k")/api.json" ]; do
        kill -0 "${DELAYNET_PIDS[node$k]}" 2>/dev/null || { cat "$DIR/node$k.log" >&2; fail "node $k exited at start"; }
        sleep 0.05
        waited=$((waited + 1))
        [ $waited -lt 600 ] || fail "node $k wrote no api.json within 30 s"
    done
}

wait_members() {
    local k=$1 count=$2
    for _ in $(seq 600); do
        node_cli "$k" peers --json 2>/dev/null |
            jq -e --argjson n "$count" '[.peers[] | select(.rendezvous)] | length >= $n' >/dev/null && return 0
        sleep 0.1
    done
    node_cli "$k" peers --json >&2
    fail "node $k was not connected to $count rendezvous members within 60 s"
}

# timed_fetch KIND K CID EXPECT OPTIONS...: the body of timed_get and timed_cat.
timed_fetch() {
    local kind=$1 k=$2 cid=$3 expect=$4 line document
    shift 4
    node_cli "$k" gc >/dev/null || fail "gc on node $k"
    rm -f "$DIR/got"
    if [ "$kind" = get ]; then
        line=$(python3 "$TIMED_FETCH" --expect "$expect" --output "$DIR/got" -- ip netns exec "$(node_ns "$k")" \
            env DHTNODE_DATA="$(node_data "$k")" "$DHTNODE" get "$cid" -o "$DIR/got" --quiet "$@")
    else
        line=$(python3 "$TIMED_FETCH" --expect "$expect" -- ip netns exec "$(node_ns "$k")" \
            env DHTNODE_DATA="$(node_data "$k")" "$DHTNODE" cat "$cid" "$@")
    fi
    jq -e .ok <<<"$line" >/dev/null || fail "$kind $cid on node $k $*: $line"
    document=$(ip netns exec "$(node_ns "$k")" curl -s --max-time 10 \
        -H "Authorization: Bearer $(cat "$(node_data "$k")/api-token")" \
        "$(jq -r .url "$(node_data "$k")/api.json")/v1/fetches/$cid") || document=null
    jq -c --argjson fetch "${document:-null}" '. + {fetch: $fetch}' <<<"$line" 2>/dev/null || echo "$line"
}
timed_get() { timed_fetch get "$@"; }
timed_cat() { timed_fetch cat "$@"; }

curl_new() {
    local k=$1 url=$2 expect=$3 out
    out=$(ip netns exec "$(node_ns "$k")" curl -s --max-time 600 -o "$DIR/got" \
        -w '%{http_code} %{time_starttransfer} %{time_total}' "$url") || fail "curl $url"
    [ "${out%% *}" = 200 ] || fail "curl $url: ${out%% *}"
    cmp -s "$DIR/got" "$expect" || fail "curl $url: other bytes"
    awk '{ printf "%.2f %.2f\n", $2 * 1000, $3 * 1000 }' <<<"$out"
}

# curl_kept_each K URL...: fetches a warm-up URL first (the gateway's probe, an identity CID), then every URL over
# the same kept-alive connection; prints "TTFB TTLB" in ms per URL, and writes the bodies to $DIR/each-1, -2, ...
curl_kept_each() {
    local k=$1 i=0 args=()
    shift
    args+=(-o /dev/null "${1%%/ipfs/*}/ipfs/bafkqaaa")
    for url in "$@"; do i=$((i + 1)); args+=(-o "$DIR/each-$i" "$url"); done
    ip netns exec "$(node_ns "$k")" curl -s --max-time 600 -w '%{http_code} %{time_starttransfer} %{time_total}\n' "${args[@]}" |
        tail -n +2 | awk '$1 != 200 { print "status " $1 > "/dev/stderr"; exit 1 } { printf "%.2f %.2f\n", $2 * 1000, $3 * 1000 }'
}

curl_kept() {
    local k=$1 url=$2 count=$3 args=()
    for _ in $(seq $((count + 1))); do args+=(-o /dev/null "$url"); done
    ip netns exec "$(node_ns "$k")" curl -s --max-time 600 -w '%{time_starttransfer} %{time_total}\n' "${args[@]}" |
        tail -n +2 | awk '{ printf "%.2f %.2f\n", $1 * 1000, $2 * 1000 }'
}
