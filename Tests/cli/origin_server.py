#!/usr/bin/env python3
"""An HTTP origin for tests: serves the files of a folder with single byte ranges (206), as a web seed would; with
--flip OFFSET it flips the byte at that offset of every file in every answer that covers it, with --flip-all the
first byte of every answer (Tests/cli/origins.sh).

  origin_server.py FOLDER PORT_FILE [--flip OFFSET | --flip-all]
      listens on 127.0.0.1 (a free port, written to PORT_FILE) until killed; counts requests in FOLDER/.requests
"""
import argparse
import http.server
import os
import re
import threading


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("port_file")
    parser.add_argument("--flip", type=int)
    parser.add_argument("--flip-all", action="store_true")
    args = parser.parse_args()
    lock = threading.Lock()
    counts = {"range": 0, "whole": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

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
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            if status == 206:
                self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, len(data)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file, "w") as handle:
        handle.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
