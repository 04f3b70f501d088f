#!/usr/bin/env bash
# CLI tests of untrusted text against a real `dhtnode run` on 127.0.0.1: a CAR built here (hostile_car.py) holds
# directories whose entry names carry terminal escape sequences (a window-title OSC, a clear-screen CSI, C1 CSI),
# CR, tab, DEL, a bidi override and a zero-width space, a symbolic link whose target carries one, two entries of one
# name, and a file deeper than the reader goes. `ls`, `ls --json`, `get`, the errors of `cat`/`ls`/`get`, the
# gateway's listing and errors, `dht get` of a value holding escapes, and the daemon's log must show all of it as
# visible escapes, with no raw ESC (0x1b) or other control byte; ordinary names (café, 日本) stay readable. A read
# of the too-deep file through the API fails after its 200: the daemon logs one warning naming the route, the CID
# and the reason, and the CLI prints that reason.
#
# Usage: Tests/cli/hostile.sh PATH/TO/dhtnode
# Needs bash, jq, curl, python3. Works in a temporary folder that it removes at the end; every process it starts is
# killed by PID on exit. The last line is "N passed, M failed"; exits non-zero if any check fails.
set -u

# shellcheck source=swarm-test-lib.sh
source "$(dirname "$0")/swarm-test-lib.sh" hostile "$@"
command -v curl >/dev/null || { echo "$0 needs curl" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$0 needs python3" >&2; exit 2; }

# Whether the files hold no byte that acts on a terminal: C0 controls but the newline, DEL, C1 (as UTF-8), line and
# paragraph separators, format characters (bidi controls, zero-width spaces; not ZWJ/ZWNJ), or bytes that are not
# UTF-8. Names the first offender on stderr.
no_controls() {
    python3 - "$@" <<'EOF'
import sys, unicodedata
bad = 0
for path in sys.argv[1:]:
    text = open(path, "rb").read().decode("utf-8", "surrogateescape")
    for i, c in enumerate(text):
        o = ord(c)
        if (o < 0x20 and c != "\n") or 0x7F <= o <= 0x9F or o in (0x2028, 0x2029) or 0xDC80 <= o <= 0xDCFF \
                or (unicodedata.category(c) == "Cf" and o not in (0x200C, 0x200D)):
            print("%s: U+%04X at %d: %r" % (path, o, i, text[max(0, i - 30):i + 30]), file=sys.stderr)
            bad += 1
            break
sys.exit(1 if bad else 0)
EOF
}
# Whether FILE holds STRING, as a fixed string.
holds() { grep -qF -- "$2" "$1"; }

meta=$(python3 "$HERE/hostile_car.py" "$SWARM_DIR/hostile.car") || { fail "the hostile CAR is built"; finish; }
field() { jq -r "$1" <<<"$meta"; }
H=$(field .hostile) DEEP=$(field .deep) DEEPDIR=$(field .deepdir) DUP=$(field .dup)
LINK=$(field .link)
TITLE_NAME=$(field '.names[0]')
O=$SWARM_DIR/out
mkdir -p "$O"

swarm_start h --gateway 127.0.0.1:0 --log-level info || { fail "the daemon starts"; finish; }
LOG=$SWARM_DIR/h.log
dr h car import "$SWARM_DIR/hostile.car" >"$O/import.out" 2>&1
check "car import takes the hostile DAGs through the daemon" test $? -eq 0

# --- ls: every name shown, the ones that act as escapes ---
dr h ls "$H" >"$O/ls.out" 2>"$O/ls.err"
check "ls of the hostile directory succeeds" test $? -eq 0
check "  and lists its 14 entries" test "$(wc -l <"$O/ls.out")" -eq 14
check "  with no control byte on stdout or stderr" no_controls "$O/ls.out" "$O/ls.err"
check "  the window-title sequence shown as an escape" holds "$O/ls.out" '\u{1B}]0;pwned\u{07}title.txt'
check "  the clear-screen sequence too" holds "$O/ls.out" '\u{1B}[2J\u{1B}[Hclear.txt'
check "  C1 CSI, CR, tab and DEL as escapes" bash -c \
    'grep -qF "\\u{9B}31mred.txt" "$1" && grep -qF "cr\\rhidden.txt" "$1" && grep -qF "tab\\there.txt" "$1" &&
     grep -qF "del\\u{7F}.txt" "$1"' _ "$O/ls.out"
check "  a bidi override and a zero-width space as escapes" bash -c \
    'grep -qF "invoice\\u{202E}fdp.exe" "$1" && grep -qF "zero\\u{200B}width.txt" "$1"' _ "$O/ls.out"
check "  a backslash doubled, so an escape stands for one character" holds "$O/ls.out" 'back\\slash.txt'
check "  ordinary non-ASCII names readable (café, 日本)" bash -c 'grep -qF "café.txt" "$1" && grep -qF "日本.txt" "$1"' \
    _ "$O/ls.out"
check "  the subdirectory's name escaped, with its slash" holds "$O/ls.out" '\u{1B}[31msub/'

# --- ls --json: for machines, exact names, still nothing that acts ---
dr h ls --json "$H" >"$O/ls.json" 2>"$O/ls.json.err"
check "ls --json prints no control byte (C0 by JSON, DEL, C1 and bidi as \\u escapes)" no_controls "$O/ls.json"
check "  and its names decode to the DAG's names exactly" python3 - "$O/ls.json" "$meta" <<'EOF'
import json, sys
listed = sorted(e["name"] for e in json.load(open(sys.argv[1]))["entries"])
meta = json.loads(sys.argv[2])
sys.exit(0 if listed == sorted(meta["names"] + [meta["subdir"], meta["link"]]) else 1)
EOF
check "  ESC as \\u001b and the bidi override as \\u202e" bash -c \
    'grep -qF "\\u001b]0;pwned\\u0007title.txt" "$1" && grep -qF "invoice\\u202efdp.exe" "$1"' _ "$O/ls.json"

# --- get: the tree is written with the DAG's names; nothing acts on the terminal ---
dr h get "$H" -o "$O/tree" >"$O/get.out" 2>"$O/get.err"
check "get of the hostile directory writes it" test $? -eq 0
check "  with every entry under its own name on disk" python3 - "$O/tree" "$meta" <<'EOF'
import json, os, sys
meta = json.loads(sys.argv[2])
sys.exit(0 if sorted(os.listdir(sys.argv[1])) == sorted(meta["names"] + [meta["subdir"], meta["link"]]) else 1)
EOF
check "  and prints no control byte" no_controls "$O/get.out" "$O/get.err"

# --- Errors that name entries and paths of the DAG ---
dr h cat "$H/$(printf '\e[2Jmissing')" >"$O/cat-missing.out" 2>"$O/cat-missing.err"
check "cat CID/path of a hostile name that is not there fails" test $? -ne 0
check "  naming it escaped and quoted" holds "$O/cat-missing.err" 'no entry "\u{1B}[2Jmissing"'
check "  with no control byte" no_controls "$O/cat-missing.err"
dr h cat "$H/$LINK" >"$O/cat-link.out" 2>"$O/cat-link.err"
check "cat of a symbolic link names its hostile target escaped" \
    holds "$O/cat-link.err" 'is a symbolic link to "\u{1B}]0;link\u{07}target"'
check "  with no control byte" no_controls "$O/cat-link.err"
dr h ls "$H/$TITLE_NAME" >"$O/ls-file.out" 2>"$O/ls-file.err"
check "ls CID/path of a file says so with the path escaped" holds "$O/ls-file.err" '/\u{1B}]0;pwned\u{07}title.txt is not a directory'
check "  with no control byte" no_controls "$O/ls-file.err"
dr h ls "$DUP" >"$O/ls-dup.out" 2>"$O/ls-dup.err"
check "ls of a directory with a hostile name twice is refused" holds "$O/ls-dup.err" 'two entries named "\u{1B}[7mtwice"'
check "  with no control byte" no_controls "$O/ls-dup.out" "$O/ls-dup.err"
dr h get "$DUP" -o "$O/dup" >"$O/get-dup.out" 2>"$O/get-dup.err"
check "get of it fails the same way" holds "$O/get-dup.err" 'two entries named "\u{1B}[7mtwice"'
check "  with no control byte" no_controls "$O/get-dup.out" "$O/get-dup.err"

# --- A DAG deeper than the reader goes, read through the API: the 200 went out before the failure ---
dr h cat "$DEEP" >"$O/deep.out" 2>"$O/deep.err"
status=$?
check "cat of a file deeper than 64 levels fails" test "$status" -ne 0
# The status and the length (1 MiB + 37 bytes) went out; bytes may have too, up to the first MiB.
check "  after the daemon sent its status and length" holds "$O/deep.err" "stopped sending $DEEP after"
check "  (of 1048613 bytes)" bash -c 'grep -qF "of 1048613 bytes:" "$1" && test "$(stat -c %s "$2")" -le 1048576' \
    _ "$O/deep.err" "$O/deep.out"
check "  with the daemon's reason on stderr" holds "$O/deep.err" "is deeper than 64 levels"
check "  and not only \"see the daemon's log\"" bash -c '! grep -qF "see the daemon" "$1"' _ "$O/deep.err"
warned=$(grep -F "streamed answer stopped after its status was sent" "$LOG" | grep -F "route=GET /v1/cat/{cid}")
check "  the daemon logged one warning for it" test "$(grep -c . <<<"$warned")" -eq 1
check "  naming the route, the CID and the reason" bash -c \
    'grep -q "warning" <<<"$1" && grep -qF "target=\"$2\"" <<<"$1" && grep -qF "deeper than 64 levels" <<<"$1"' \
    _ "$warned" "$DEEP"
echo "     $warned"
dr h get "$DEEPDIR" -o "$O/deepdir" >"$O/deepdir.out" 2>"$O/deepdir.err"
check "get of a directory holding it fails with the reason" bash -c \
    'grep -qF "deeper than 64 levels" "$1" && ! test -e "$2"' _ "$O/deepdir.err" "$O/deepdir"
check "  and prints no control byte" no_controls "$O/deepdir.out" "$O/deepdir.err"

# --- The gateway: the listing is HTML, errors are text; neither carries a control byte ---
gw=$(swarm_gateway h)
curl -s "$gw/ipfs/$H/" -o "$O/listing.html"
check "the gateway's listing of the hostile directory has no control byte" no_controls "$O/listing.html"
check "  and shows the names escaped" holds "$O/listing.html" '\u{1B}]0;pwned\u{07}title.txt'
check "  with links to the names as they are, percent-encoded" holds "$O/listing.html" 'href="/ipfs/'"$H"'/%1B%5D0;pwned%07title.txt"'
curl -s "$gw/ipfs/$H/%1B%5B2Jnope" -o "$O/gw-404.txt" -w '%{http_code}' >"$O/gw-404.code"
check "a gateway 404 for a hostile name quotes it escaped" bash -c \
    'test "$(cat "$1")" = 404 && grep -qF "no \"\\u{1B}[2Jnope\"" "$2"' _ "$O/gw-404.code" "$O/gw-404.txt"
check "  with no control byte" no_controls "$O/gw-404.txt"
curl -s "$gw/ipfs/$DEEPDIR/%1B%5B1mdeep.bin" -o "$O/gw-deep.bin" -w '%{http_code}' >"$O/gw-deep.code"
check "the gateway answers 200 for the too-deep file, then stops early" bash -c \
    'test "$(cat "$1")" = 200 && test "$(stat -c %s "$2")" -lt 1048600' _ "$O/gw-deep.code" "$O/gw-deep.bin"
sleep 0.2
gwarned=$(grep -F "streamed answer stopped after its status was sent" "$LOG" | grep -F "route=GET /ipfs/{cid}/{path}")
check "  and the daemon logged one warning naming the route, the path (escaped) and the reason" bash -c \
    'test "$(grep -c . <<<"$1")" -eq 1 && grep -qF "\\u{1B}[1mdeep.bin" <<<"$1" && grep -qF "deeper than 64 levels" <<<"$1"' \
    _ "$gwarned"
echo "     $gwarned"

# --- A DHT value holding escapes, published by another node ---
swarm_start p --bootstrap "$(swarm_udp h)" --log-level info --gateway off || fail "a second node starts"
swarm_wait_peers p 1 || fail "  and joins through the first"
value=$(printf 'value \e]0;dht\a \e[2J \xe2\x80\xae end')
dn p dht put hostile-key "$value" >"$O/put.out" 2>&1
check "dht put of a value holding escapes is stored" test $? -eq 0
dn h dht get hostile-key >"$O/dhtget.out" 2>"$O/dhtget.err"
check "dht get prints it with the escapes shown" holds "$O/dhtget.out" 'value \u{1B}]0;dht\u{07} \u{1B}[2J \u{202E} end'
check "  and no control byte" no_controls "$O/dhtget.out" "$O/dhtget.err"
dn h dht get hostile-key --json >"$O/dhtget.json" 2>&1
check "dht get --json has no control byte" no_controls "$O/dhtget.json"
check "  and its text decodes to the value exactly" test "$(jq -r '.values[0].text' "$O/dhtget.json")" = "$value"

# --- The daemon's log as a whole ---
check "the daemon's log holds no control byte" no_controls "$LOG"

finish
