#!/usr/bin/env python3
"""A trustless gateway that lies: it forwards every request to a real gateway and flips the last byte of every
Nth raw block it returns (Tests/cli/origins.sh).

  lying_gateway.py UPSTREAM_URL PORT_FILE [--every N]
      listens on 127.0.0.1 (a free port, written to PORT_FILE) until killed; prints nothing.
"""
import argparse
import http.server
import threading
import urllib.error
import urllib.request


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("upstream")
    parser.add_argument("port_file")
    parser.add_argument("--every", type=int, default=3)
    args = parser.parse_args()
    lock = threading.Lock()
    served = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

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
            self.send_response(status)
            self.send_header("Content-Type", kind or "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def do_GET(self):
            self.forward(True)

        def do_HEAD(self):
            self.forward(False)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file, "w") as handle:
        handle.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
