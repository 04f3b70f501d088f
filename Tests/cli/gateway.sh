#!/usr/bin/env bash
# CLI tests of the HTTP gateway of `dhtnode run` processes on 127.0.0.1: a file and a site added on one node are
# served by another node's gateway, fetched from the first while they stream (time to first byte against a stored
# file); a directory through the path and the subdomain forms; the default address taken by another daemon turns
# the gateway off with a notice, an explicit one is an error; the gateway reaches no control route. With Chromium
# (`chromium`, skipped with a note when absent) a page whose image and script come from the gateway is loaded
# headless, through the path form and the subdomain form, and the DOM shows that the image decoded and the
# script ran.
#
# Usage: Tests/cli/gateway.sh PATH/TO/dhtnode
# Needs bash, jq, curl, python3. Works in a temporary folder that it removes at the end; every process it starts
# is killed by PID on exit. The last line is "N passed, M failed"; exits non-zero if any check fails.
set -u

# shellcheck source=swarm-test-lib.sh
source "$(dirname "$0")/swarm-test-lib.sh" gateway "$@"
command -v curl >/dev/null || { echo "$0 needs curl" >&2; exit 2; }
start() { local name=$1; shift; swarm_start "$name" --bootstrap "$(swarm_udp boot)" --log-level info "$@"; }

swarm_start boot --log-level warning --gateway off || { fail "bootstrap node starts"; finish; }
start seed --gateway 127.0.0.1:0 || { fail "seeder starts"; finish; }
start edge --gateway 127.0.0.1:0 --fetch-timeout 5 || { fail "edge node starts"; finish; }
swarm_wait_peers seed 1 && swarm_wait_peers edge 1 || fail "nodes join through the bootstrap node"
seed_gw=$(swarm_gateway seed)
edge_gw=$(swarm_gateway edge)
check "api.json names each gateway" test -n "$seed_gw" -a -n "$edge_gw"
check "dhtnode id shows the gateway" test "$(dn edge id --json | jq -r .gateway)" = "$edge_gw"

# --- A file added on the seeder, served by the edge's gateway while it is fetched from the seeder ---
head -c $((8 * 1024 * 1024)) /dev/urandom >"$SWARM_DIR/file.bin"
cid=$(dr seed add "$SWARM_DIR/file.bin" --quiet)
check "the seeder's gateway serves its stored file" \
    cmp -s <(curl -sf "$seed_gw/ipfs/$cid") "$SWARM_DIR/file.bin"
swarm_wait_providers edge "$cid" 1 || fail "the edge finds the seeder as a provider"
headers=$(curl -s -D - -o "$SWARM_DIR/file.out" "$edge_gw/ipfs/$cid")
check "the edge's gateway streams the file from the seeder, byte for byte" cmp -s "$SWARM_DIR/file.out" "$SWARM_DIR/file.bin"
check "with Content-Length, ETag and the immutable Cache-Control" bash -c \
    'grep -qi "^content-length: 8388608" <<<"$1" && grep -qi "^etag: \"$2\"" <<<"$1" && grep -qi "immutable" <<<"$1"' \
    _ "$headers" "$cid"
check "a range of a file the edge has not stored" cmp -s \
    <(curl -sf -H "Range: bytes=1000-1999" "$edge_gw/ipfs/$(dr seed add <(head -c 300000 "$SWARM_DIR/file.bin") --quiet)") \
    <(tail -c +1001 "$SWARM_DIR/file.bin" | head -c 1000)

# Time to first byte: a file fetched from the seeder through the edge (the connection to the seeder open) against
# the same size stored on the edge, 5 of each, medians.
ttfb() { curl -s -o /dev/null -w '%{time_starttransfer}\n' "$1"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
remote=() local_=()
for i in 1 2 3 4 5; do
    head -c 1048576 /dev/urandom >"$SWARM_DIR/r$i.bin"
    remote+=("$(dr seed add "$SWARM_DIR/r$i.bin" --quiet)")
    head -c 1048576 /dev/urandom >"$SWARM_DIR/l$i.bin"
    local_+=("$(dr edge add "$SWARM_DIR/l$i.bin" --quiet)")
done
remote_ms=$(for c in "${remote[@]}"; do ttfb "$edge_gw/ipfs/$c"; done | median)
local_ms=$(for c in "${local_[@]}"; do ttfb "$edge_gw/ipfs/$c"; done | median)
echo "     time to first byte: from the seeder ${remote_ms}s, stored ${local_ms}s (medians of 5)"
check "time to first byte from a connected peer within 5 ms of a stored file" \
    awk -v r="$remote_ms" -v l="$local_ms" 'BEGIN { exit !(r - l < 0.005) }'

# --- Slow and idle clients: 1,000 connections from 127.0.0.1 that send nothing or a byte a second, each reopened
# as soon as the gateway closes it; honest requests from the same address and from another /24 still succeed, and
# file descriptors and memory stay bounded (docs/PROTOCOL.md, "Connection budgets") ---
small=$(dr edge add <(head -c 22000 "$SWARM_DIR/file.bin") --quiet)
loris=$(python3 "$(dirname "$0")/slowloris.py" "$edge_gw" "/ipfs/$small" "$(swarm_pid edge)" 1000)
echo "     slow clients: $loris"
holds() { jq -e "$1" >/dev/null <<<"$loris"; }
check "under 1,000 slow connections every honest request is answered in full" \
    holds '.honest_total >= 30 and .honest_ok == .honest_total'
check "and within 1.5 s each" holds '.honest_max_ms < 1500'
check "the gateway's file descriptors stay bounded and return" \
    holds '.fds_max - .fds_before < 700 and .fds_after - .fds_before < 8'
check "its memory grows by less than 64 MiB" holds '.rss_max_kib - .rss_before_kib < 65536'

# --- A site: a directory with an index page, an image and a script ---
site=$SWARM_DIR/site
mkdir -p "$site/img"
python3 - "$site/img/dot.png" <<'PY'
import struct, sys, zlib
def chunk(kind, data): return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
raw = b"".join(b"\x00" + bytes([200, 30, 30]) * 4 for _ in range(4))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
cat >"$site/index.html" <<'HTML'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>gateway test</title></head>
<body><img id="dot" src="img/dot.png"><p id="status">waiting</p><p id="image">image not loaded</p>
<script src="app.js"></script></body></html>
HTML
cat >"$site/app.js" <<'JS'
document.getElementById("status").textContent = "script ran";
const image = document.getElementById("dot");
const show = () => {
  document.getElementById("image").textContent =
    image.complete && image.naturalWidth === 4 ? "image decoded 4x4" : "image failed";
};
if (image.complete) show(); else { image.onload = show; image.onerror = show; }
JS
site_cid=$(dr seed add -r "$site" --quiet)
check "the seeder adds the site" test -n "$site_cid"
swarm_wait_providers edge "$site_cid" 1 || fail "the edge finds the site's provider"
status=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$edge_gw/ipfs/$site_cid")
check "a directory without the slash redirects to it" test "$status" = "301 $edge_gw/ipfs/$site_cid/"
check "the edge serves the site's index.html from the seeder" \
    bash -c 'curl -sf "$1/ipfs/$2/" | grep -q "<title>gateway test</title>"' _ "$edge_gw" "$site_cid"
check "and its image with its type" \
    test "$(curl -s -o /dev/null -w '%{content_type}' "$edge_gw/ipfs/$site_cid/img/dot.png")" = "image/png"
check "a listing of a directory without index.html" \
    bash -c 'curl -sf "$1/ipfs/$2/img/" | grep -q ">dot.png</a>"' _ "$edge_gw" "$site_cid"
port=${edge_gw##*:}
check "localhost redirects to the subdomain form" test \
    "$(curl -s -o /dev/null -w '%{redirect_url}' "http://localhost:$port/ipfs/$site_cid/")" \
    = "http://$site_cid.ipfs.localhost:$port/"
check "the subdomain form serves the site at its root" bash -c \
    'curl -sf --resolve "$2.ipfs.localhost:$3:127.0.0.1" "http://$2.ipfs.localhost:$3/app.js" | grep -q "script ran"' \
    _ "$edge_gw" "$site_cid" "$port"
check "CAR of the site through the trustless gateway" bash -c \
    'test "$(curl -s -o /dev/null -w "%{content_type}" "$1/ipfs/$2?format=car")" = "application/vnd.ipld.car; version=1; order=dfs; dups=n"' \
    _ "$edge_gw" "$site_cid"

# --- The gateway is read-only and reaches no control route ---
check "POST is refused" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$edge_gw/ipfs/$cid")" = 405
check "no control route behind the gateway" test "$(curl -s -o /dev/null -w '%{http_code}' "$edge_gw/v1/pins")" = 404
check "an unknown CID fails with 504 after the fetch timeout" test \
    "$(curl -s -o /dev/null -w '%{http_code}' "$edge_gw/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy")" = 504
check "only-if-cached answers 412 at once" test "$(curl -s -o /dev/null -w '%{http_code}' \
    -H 'Cache-Control: only-if-cached' "$edge_gw/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy")" = 412

# --- Addresses: a taken default turns the gateway off; a taken explicit address is an error ---
taken=${seed_gw#http://}
out=$("$DHTNODE" run --data "$SWARM_DIR/clash" --listen 127.0.0.1:0 --api 127.0.0.1:0 --gateway "$taken" 2>&1)
check "an explicit gateway address that is taken stops the daemon with its address" \
    grep -q "cannot listen for the gateway on TCP $taken: address already in use" <<<"$out"
swarm_start first || fail "a daemon with the default gateway starts"
swarm_start second || fail "a second daemon with the default gateway starts"
if [ -n "$(swarm_gateway first)" ]; then
    check "the second daemon runs without a gateway and says so" grep -q "gateway off" "$SWARM_DIR/second.log"
    check "its api.json names no gateway" test -z "$(swarm_gateway second)"
else
    echo "     127.0.0.1:8080 is taken on this machine: both defaults are off"
    check "a taken default is a notice, not an error" grep -q "gateway off" "$SWARM_DIR/first.log"
fi
swarm_stop second
swarm_stop first

# --- A browser loads the page: the image decodes and the script runs, through both forms ---
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "     no Chromium here (apt-get install chromium): the browser checks are skipped"
else
    for url in "$edge_gw/ipfs/$site_cid/" "http://$site_cid.ipfs.localhost:$port/"; do
        dom=$(timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
            --user-data-dir="$SWARM_DIR/chromium" --virtual-time-budget=5000 --dump-dom "$url" 2>/dev/null)
        check "Chromium at $url: the script ran" grep -q '<p id="status">script ran</p>' <<<"$dom"
        check "Chromium at $url: the image decoded" grep -q '<p id="image">image decoded 4x4</p>' <<<"$dom"
    done
fi

finish
