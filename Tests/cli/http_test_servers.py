#!/usr/bin/env python3
"""HTTP servers for Tests/cli/origins.sh, each listening on 127.0.0.1 at a free port written to PORT_FILE, until
killed:

  http_test_servers.py lying-gateway UPSTREAM_URL PORT_FILE [--every N]
      a trustless gateway that lies: forwards every request to a real gateway and flips the last byte of every Nth
      raw block it returns
  http_test_servers.py origin FOLDER PORT_FILE [--flip OFFSET | --flip-all]
      an origin (a web seed): serves the files of FOLDER with single byte ranges (206); --flip flips the byte at
      OFFSET of every answer that covers it, --flip-all the first byte of every answer; counts range and whole-file
      requests in FOLDER/.requests
"""
import argparse
import http.server
import os
import re
import threading
import urllib.error
import urllib.request


class QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *_):
        pass

    def answer(self, status, body, headers, with_body=True):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass


def lying_gateway(args):
    lock = threading.Lock()
    served = [0]

    class Handler(QuietHandler):
        def forward(self, with_body):
            request = urllib.request.Request(args.upstream + self.path, method=self.command,
                                             headers={"Accept": self.headers.get("Accept", "*/*")})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, body, kind = response.status, response.read(), response.headers.get("Content-Type")
            except urllib.error.HTTPError as error:
                status, body, kind = error.code, error.read(), error.headers.get("Content-Type")
            if status == 200 and with_body and "format=raw" in self.path and body:
                with lock:
                    served[0] += 1
                    lie = served[0] % args.every == 0
                if lie:
                    body = body[:-1] + bytes([body[-1] ^ 0xFF])
            self.answer(status, body, {"Content-Type": kind or "application/octet-stream"}, with_body)

        def do_GET(self):
            self.forward(True)

        def do_HEAD(self):
            self.forward(False)

    return Handler


def origin(args):
    lock = threading.Lock()
    counts = {"range": 0, "whole": 0}

    class Handler(QuietHandler):
        def do_GET(self):
            path = os.path.join(args.folder, os.path.basename(self.path.split("?")[0]))
            if not os.path.isfile(path):
                self.send_error(404)
                return
            with open(path, "rb") as handle:
                data = handle.read()
            start, end, status = 0, len(data) - 1, 200
            match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
            if match:
                start = int(match.group(1))
                end = min(int(match.group(2)) if match.group(2) else len(data) - 1, len(data) - 1)
                if start > end:
                    self.send_error(416)
                    return
                status = 206
            body = bytearray(data[start:end + 1])
            if args.flip is not None and start <= args.flip <= end:
                body[args.flip - start] ^= 0xFF
            if args.flip_all and body:
                body[0] ^= 0xFF
            with lock:
                counts["range" if status == 206 else "whole"] += 1
                with open(os.path.join(args.folder, ".requests"), "w") as handle:
                    handle.write("%d %d\n" % (counts["range"], counts["whole"]))
            headers = {"Content-Type": "application/octet-stream"}
            if status == 206:
                headers["Content-Range"] = "bytes %d-%d/%d" % (start, end, len(data))
            self.answer(status, bytes(body), headers)

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    liar = commands.add_parser("lying-gateway")
    liar.add_argument("upstream")
    liar.add_argument("port_file")
    liar.add_argument("--every", type=int, default=3)
    web = commands.add_parser("origin")
    web.add_argument("folder")
    web.add_argument("port_file")
    web.add_argument("--flip", type=int)
    web.add_argument("--flip-all", action="store_true")
    args = parser.parse_args()
    handler = lying_gateway(args) if args.command == "lying-gateway" else origin(args)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with open(args.port_file, "w") as handle:
        handle.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
