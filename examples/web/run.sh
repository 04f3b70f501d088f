#!/usr/bin/env bash
# The speed test of examples/web: the same page (20 images of 22 KB and a 16 MiB file standing in for a video)
# served by an HTTP origin (nginx, or Python's http.server when nginx is missing) and by a dhtnode gateway that
# fetches it from another daemon, both timed by the browser with the Resource Timing API.
#
# Usage: examples/web/run.sh PATH/TO/dhtnode [--headless]
#   without --headless: prints the page's address and waits (Ctrl-C stops everything it started);
#   with --headless: loads the page in headless Chromium, prints the figures and the ratio, and stops.
# Everything runs on 127.0.0.1 in a temporary folder, removed at the end.
set -euo pipefail
DHTNODE=$(realpath "${1:?usage: $0 PATH/TO/dhtnode [--headless]}")
HEADLESS=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
SWARM_DIR=$(mktemp -d)
# shellcheck source=../../scripts/swarm-lib.sh
source "$here/../../scripts/swarm-lib.sh"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    swarm_cleanup
    wait 2>/dev/null || true
    rm -rf "$SWARM_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The site: the frame page and its script, 20 small images (24-bit BMP, 22 KB each), the stand-in video and a
# manifest naming them. nginx's workers may run as another user: everything must be readable.
www=$SWARM_DIR/www
mkdir -p "$www/site/img"
cp "$here/speedtest.html" "$www/"
cp "$here/site/index.html" "$here/site/speedtest-frame.js" "$www/site/"
python3 - "$www/site" <<'PY'
import json, os, random, struct, sys
site = sys.argv[1]
width = height = 85                      # 85 x 85 x 3 bytes, rows padded to 4: 22,100 bytes of pixels
row = (width * 3 + 3) & ~3
names = []
for index in range(20):
    rng = random.Random(index)
    pixels = bytearray()
    for _ in range(height):
        line = bytes(rng.randrange(256) for _ in range(width * 3))
        pixels += line + b"\0" * (row - width * 3)
    header = b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    name = f"img/{index:02d}.bmp"
    with open(os.path.join(site, name), "wb") as out:
        out.write(header + info + pixels)
    names.append(name)
with open(os.path.join(site, "video.bin"), "wb") as out:
    out.write(random.Random(99).randbytes(16 * 1024 * 1024))
with open(os.path.join(site, "manifest.json"), "w") as out:
    json.dump({"images": names, "video": "video.bin"}, out)
PY
chmod -R a+rX "$SWARM_DIR"

# Two daemons: the seeder holds the site, the edge's gateway fetches it from the seeder.
swarm_start seed --gateway off --log-level warning
swarm_start edge --bootstrap "$(swarm_udp seed)" --gateway 127.0.0.1:0 --log-level warning
cid=$("$DHTNODE" add -r "$www/site" --data "$SWARM_DIR/seed" --quiet)
swarm_wait_providers edge "$cid" 1 || { echo "the edge does not find the seeder" >&2; exit 1; }
gateway=$(swarm_gateway edge)

# The origin.
if command -v nginx >/dev/null; then
    # shellcheck source=../../scripts/nginx-lib.sh
    source "$here/../../scripts/nginx-lib.sh"
    nginx_start "$www" "$SWARM_DIR/nginx"
    pids+=("$NGINX_PID")
    port=$NGINX_PORT
    origin_name=nginx
else
    port=$((20000 + RANDOM % 20000))
    python3 -m http.server "$port" --bind 127.0.0.1 --directory "$www" >/dev/null 2>&1 &
    pids+=($!)
    origin_name="Python's http.server"
    for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/speedtest.html" && break; sleep 0.1; done
fi

url="http://127.0.0.1:$port/speedtest.html?gateway=$gateway&cid=$cid"
if [ "$HEADLESS" != "--headless" ]; then
    echo "origin ($origin_name): http://127.0.0.1:$port/site/   gateway: $gateway/ipfs/$cid/"
    echo "open this page in a browser (each load is a fresh run); Ctrl-C stops the daemons and the origin:"
    echo "  $url"
    wait "${pids[0]}"
    exit 0
fi

# Headless: the page posts its figures to a one-shot collector.
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "--headless needs Chromium (apt-get install chromium)" >&2; exit 2; }
report_port=$((port + 1))
python3 - "$report_port" "$SWARM_DIR/report.json" <<'PY' &
import http.server, sys
class Collector(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[2], "wb") as out:
            out.write(body)
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Collector).handle_request()
PY
pids+=($!)
"$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="$SWARM_DIR/chromium" \
    "$url&report=http://127.0.0.1:$report_port/" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 600); do [ -s "$SWARM_DIR/report.json" ] && break; sleep 0.1; done
[ -s "$SWARM_DIR/report.json" ] || { echo "the page reported nothing within 60 s" >&2; exit 1; }
jq -r --arg origin "$origin_name" '
    def ms: if . == null then "-" else (. | round | tostring) + " ms" end;
    def ratio(key): if .origin[key] and .gateway[key] then (.origin[key] / .gateway[key] * 100 | round / 100 | tostring) else "-" end;
    "origin: \($origin); gateway: dhtnode, fetching from a second daemon on loopback",
    "              origin      gateway     origin / gateway",
    (. as $r | ["everything", "totalMs"], ["images", "imagesMs"], ["video", "videoMs"], ["first byte", "firstByteMs"]
        | . as [$name, $key]
        | "\($name + "            " | .[0:13]) \($r.origin[$key] | ms | . + "          " | .[0:11]) \($r.gateway[$key] | ms | . + "          " | .[0:11]) \($r | ratio($key))"),
    "complete: \(.complete) (\(.gateway.images)/\(.gateway.imagesExpected) images and the video through the gateway)"
' "$SWARM_DIR/report.json"
