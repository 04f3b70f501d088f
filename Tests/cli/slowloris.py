#!/usr/bin/env python3
"""Slow and idle HTTP clients against a gateway, and honest requests beside them.

usage: slowloris.py GATEWAY_URL PATH DAEMON_PID [CONNECTIONS]

Keeps CONNECTIONS (default 1,000) connections open from 127.0.0.1, reopening each one the server closes: half
send nothing, half send a request head one byte a second. While they try to hold on, it asks for PATH from 127.0.0.1 and from 127.0.1.1 (another /24) and
samples the daemon's open file descriptors and resident memory. Prints one JSON object:
  honest_ok / honest_total     requests answered 200 with the whole body
  honest_max_ms                the slowest of them
  attacker_connections_opened  connections the attackers opened in all (each close is answered with a new one)
  fds_before / fds_max / rss_before_kib / rss_max_kib / fds_after
"""
import http.client
import json
import os
import resource
import selectors
import socket
import sys
import time


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def honest_request(host, port, path, source):
    start = time.monotonic()
    try:
        connection = http.client.HTTPConnection(host, port, timeout=10, source_address=(source, 0))
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        length = int(response.getheader("Content-Length") or -1)
        connection.close()
        ok = response.status == 200 and len(body) == length
    except OSError:
        ok = False
    return ok, (time.monotonic() - start) * 1000


def main():
    url, path, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    host, port = url.removeprefix("http://").rsplit(":", 1)
    port = int(port)
    fds_before, rss_before = fd_count(pid), rss_kib(pid)

    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    selector = selectors.DefaultSelector()
    head = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Padding: {'a' * 200}\r\n\r\n".encode()
    attackers = {}
    opened = 0

    def open_attacker(slow):
        nonlocal opened
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex((host, port))
        attackers[sock] = {"slow": slow, "sent": 0}
        selector.register(sock, selectors.EVENT_READ)
        opened += 1

    for index in range(count):
        open_attacker(index % 2 == 1)

    honest = []
    fds_max, rss_max = fds_before, rss_before
    started = time.monotonic()
    next_trickle = started
    next_honest = started + 1.0
    while time.monotonic() - started < 25:
        for key, _ in selector.select(timeout=0.05):
            sock = key.fileobj
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if not data:
                selector.unregister(sock)
                sock.close()
                state = attackers.pop(sock)
                if time.monotonic() - started < 20:
                    open_attacker(state["slow"])
        now = time.monotonic()
        if now >= next_trickle:
            next_trickle = now + 1.0
            for sock, state in attackers.items():
                if state["slow"] and state["sent"] < len(head) - 1:
                    try:
                        sock.send(head[state["sent"]:state["sent"] + 1])
                        state["sent"] += 1
                    except OSError:
                        pass
        if now >= next_honest and len(honest) < 40:
            next_honest = now + 0.5
            source = "127.0.0.1" if len(honest) % 2 == 0 else "127.0.1.1"
            honest.append(honest_request(host, port, path, source))
        fds_max, rss_max = max(fds_max, fd_count(pid)), max(rss_max, rss_kib(pid))

    for sock in attackers:
        selector.unregister(sock)
        sock.close()
    time.sleep(1.0)
    print(json.dumps({
        "honest_ok": sum(1 for ok, _ in honest if ok),
        "honest_total": len(honest),
        "honest_max_ms": round(max(ms for _, ms in honest), 1),
        "attacker_connections_opened": opened,
        "fds_before": fds_before,
        "fds_max": fds_max,
        "fds_after": fd_count(pid),
        "rss_before_kib": rss_before,
        "rss_max_kib": rss_max,
    }))


if __name__ == "__main__":
    main()
