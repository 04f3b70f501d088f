# Shared by the CLI tests that run swarms of `dhtnode run` processes (Tests/cli/daemon.sh, exchange.sh,
# journeys.sh): checks the argument, makes a temporary folder for the nodes (removed at the end unless KEEP=1),
# kills every node it started on exit, and gives the check helpers.
#
# Source it with the test's name and "$@":   source "$(dirname "$0")/swarm-test-lib.sh" exchange "$@"
# Then:  pass NAME / fail NAME [DETAIL] / check NAME COMMAND... / json_is JSON JQ_EXPRESSION
#        dn NODE ARGS...  (a command with --data of NODE)  /  dr NODE ARGS...  (with DHTNODE_DATA of NODE)
#        finish           (prints "N passed, M failed" and exits non-zero if any check failed)
# Needs jq.

SWARM_TEST_NAME=$1
shift
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH/TO/dhtnode" >&2
    exit 2
fi
command -v jq >/dev/null || { echo "$0 needs jq (apt-get install jq)" >&2; exit 2; }
DHTNODE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SWARM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-$SWARM_TEST_NAME.XXXXXX")
# shellcheck source=../../scripts/swarm-lib.sh
source "$HERE/../../scripts/swarm-lib.sh"
cleanup() {
    swarm_cleanup
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $SWARM_DIR"; else rm -rf "$SWARM_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export DHTNODE_DATA=$SWARM_DIR/unused-default   # every command passes --data or DHTNODE_DATA

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ $# -gt 1 ] && echo "     $2"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
# Whether the JSON document $1 satisfies the jq expression $2.
json_is() { jq -e "$2" <<<"$1" >/dev/null 2>&1; }
dn() { local node=$1; shift; "$DHTNODE" "$@" --data "$SWARM_DIR/$node"; }
# Repository commands (add, cat) find the daemon through DHTNODE_DATA.
dr() { local node=$1; shift; DHTNODE_DATA="$SWARM_DIR/$node" "$DHTNODE" "$@"; }
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    exit
}
