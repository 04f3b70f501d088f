#!/usr/bin/env python3
"""Floods a dhtnode's UDP port with STORE or ADD_PROVIDER requests from many loopback source addresses, or counts
the bytes a node sends back to a fresh, unproven address (Tests/cli/records.sh).

Datagrams follow docs/PROTOCOL.md ("DHT: datagram layout"): a 43-byte header (version 1, type, flags, transaction
ID, sender key) and the body. Sender keys are random 32-byte strings: requests are not signed, and a node derives
the sender's ID as SHA-256 of the key. A STORE or ADD_PROVIDER needs the write token of the (IP, port) it comes
from, so each source socket first sends a padded FIND_NODE and reads the token from the NODES reply.

  dht_flood.py records HOST:PORT --kind store|provider --sources A.B.C.D[,...]|@FILE --per-source N [--rate R]
      prints one JSON object: {"sent": n, "answered": n, "outcomes": {"stored": n, ...}, "tokens": n}
  dht_flood.py put-record HOST:PORT --name k51... --record FILE [--source A.B.C.D]
      sends one PUT_RECORD of the IPNS record in FILE under the name's routing key; prints {"outcome": "stored"}
      (or "replaced", "invalidRecord", "outdatedRecord", "valueTooLarge", ..., "noAnswer")
  dht_flood.py amplify HOST:PORT --source A.B.C.D --requests N [--wait S]
      sends N small requests (PING, FIND_NODE, FIND_VALUE in turn), each from a fresh sender key, then listens for
      S seconds; prints {"sentBytes": n, "receivedBytes": n, "received": {"PONG": n, "PING": n, ...}}
"""
import argparse
import json
import os
import select
import socket
import struct
import sys
import time

VERSION = 1
PING, FIND_NODE, FIND_VALUE, GET_PROVIDERS, STORE, ADD_PROVIDER = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06
PUT_RECORD = 0x07
NAMES = {0x01: "PING", 0x02: "FIND_NODE", 0x03: "FIND_VALUE", 0x04: "GET_PROVIDERS", 0x05: "STORE",
         0x06: "ADD_PROVIDER", 0x81: "PONG", 0x82: "NODES", 0x83: "VALUES", 0x84: "PROVIDERS", 0x85: "STORED"}
OUTCOMES = {0x00: "stored", 0x01: "replaced", 0x10: "valueTooLarge", 0x11: "keyFull", 0x12: "storeFull",
            0x13: "invalidTTL", 0x14: "sourceFull", 0x15: "notClosest", 0x16: "networkFull", 0x17: "invalidRecord",
            0x18: "outdatedRecord", 0x19: "busy"}
PADDED_LOOKUP_BYTES = (1280 + 2) // 3


def header(kind, tx, key, flags=0):
    return struct.pack(">BBBQ", VERSION, kind, flags, tx) + key


def padded(datagram):
    """Sets the PADDED flag and pads with zeros to the size that lets a node send a full reply."""
    body = bytearray(datagram)
    body[2] |= 0x01
    return bytes(body) + bytes(max(1, PADDED_LOOKUP_BYTES - len(body)))


def find_node(tx, key, target):
    return padded(header(FIND_NODE, tx, key) + target)


def store(tx, key, record_key, token, value, ttl=3600):
    return header(STORE, tx, key) + record_key + bytes([len(token)]) + token + struct.pack(">IH", ttl, len(value)) + value


def add_provider(tx, key, record_key, token):
    # The relay count (0: the provider is reachable at the address the request comes from).
    return header(ADD_PROVIDER, tx, key) + record_key + bytes([len(token)]) + token + bytes([0])


def put_record(tx, key, routing_key, token, record):
    return (header(PUT_RECORD, tx, key) + bytes([len(routing_key)]) + routing_key + bytes([len(token)]) + token
            + struct.pack(">H", len(record)) + record)


def routing_key_of(name):
    """`/ipns/` and the multihash of a k51... name (a base36 CIDv1 of a libp2p key: 0x01, 0x72, multihash)."""
    value = int(name[1:], 36)
    cid = value.to_bytes((value.bit_length() + 7) // 8, "big")
    if cid[:2] != b"\x01\x72":
        raise SystemExit("not a libp2p-key CIDv1: " + name)
    return b"/ipns/" + cid[2:]


def put_record_command(args):
    target = parse_target(args.target)
    with open(args.record, "rb") as handle:
        record = handle.read()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.source, 0))
    key = os.urandom(32)
    token = fetch_token(sock, target, key)
    if token is None:
        print(json.dumps({"outcome": "noToken"}))
        return 1
    for _ in range(3):
        sock.sendto(put_record(int.from_bytes(os.urandom(8), "big"), key, routing_key_of(args.name), token, record),
                    target)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            ready, _, _ = select.select([sock], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                break
            data, _ = sock.recvfrom(2048)
            if len(data) >= 44 and data[1] == 0x85:
                print(json.dumps({"outcome": OUTCOMES.get(data[43], "unknown")}))
                return 0
    print(json.dumps({"outcome": "noAnswer"}))
    return 1


def parse_target(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def read_sources(text):
    if text.startswith("@"):
        with open(text[1:]) as handle:
            return [line.strip() for line in handle if line.strip()]
    return [part for part in text.split(",") if part]


def token_from(datagram):
    """The write token of a NODES or PROVIDERS reply, or None."""
    if len(datagram) < 44 or datagram[1] not in (0x82, 0x84):
        return None
    length = datagram[43]
    return datagram[44:44 + length]


def fetch_token(sock, target, key):
    """Asks for a write token from this socket's address; retries a few times (the node may be busy)."""
    for attempt in range(5):
        tx = int.from_bytes(os.urandom(8), "big")
        sock.sendto(find_node(tx, key, os.urandom(32)), target)
        deadline = time.monotonic() + 0.5 * (attempt + 1)
        while time.monotonic() < deadline:
            ready, _, _ = select.select([sock], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                break
            data, _ = sock.recvfrom(2048)
            token = token_from(data)
            if token is not None:
                return token
    return None


def drain(socks, outcomes):
    """Reads every waiting reply; counts STORED outcomes."""
    answered = 0
    for sock in socks:
        while True:
            try:
                data = sock.recv(2048)
            except BlockingIOError:
                break
            if len(data) >= 44 and data[1] == 0x85:
                name = OUTCOMES.get(data[43], "unknown")
                outcomes[name] = outcomes.get(name, 0) + 1
                answered += 1
    return answered


def records(args):
    target = parse_target(args.target)
    sources = read_sources(args.sources)
    socks = []
    tokens = 0
    outcomes = {}
    sent = 0
    answered = 0
    interval = 1.0 / args.rate if args.rate > 0 else 0
    started = time.monotonic()
    for index, source in enumerate(sources):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.bind((source, 0))
        key = os.urandom(32)
        token = fetch_token(sock, target, key)
        if token is None:
            sock.close()
            continue
        tokens += 1
        sock.setblocking(False)
        socks.append(sock)
        for _ in range(args.per_source):
            tx = int.from_bytes(os.urandom(8), "big")
            # A fresh sender key per request: every record is another "node", as IDs are free to make.
            sender = os.urandom(32)
            record_key = os.urandom(32)
            if args.kind == "store":
                datagram = store(tx, sender, record_key, token, os.urandom(args.value_bytes))
            else:
                datagram = add_provider(tx, sender, record_key, token)
            try:
                sock.sendto(datagram, target)
                sent += 1
            except BlockingIOError:
                pass
            if interval:
                due = started + sent * interval
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
        answered += drain(socks[-1:], outcomes)
        # Keep the number of open sockets bounded: drain and close the oldest ones.
        if len(socks) > 64:
            answered += drain(socks[:1], outcomes)
            socks.pop(0).close()
    time.sleep(1.0)
    answered += drain(socks, outcomes)
    for sock in socks:
        sock.close()
    print(json.dumps({"sent": sent, "answered": answered, "outcomes": outcomes, "tokens": tokens,
                      "seconds": round(time.monotonic() - started, 1)}))


def amplify(args):
    target = parse_target(args.target)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.source, 0))
    sent_bytes = 0
    kinds = [PING, FIND_NODE, FIND_VALUE]
    for index in range(args.requests):
        tx = int.from_bytes(os.urandom(8), "big")
        kind = kinds[index % len(kinds)]
        datagram = header(kind, tx, os.urandom(32)) + (b"" if kind == PING else os.urandom(32))
        sock.sendto(datagram, target)
        sent_bytes += len(datagram)
        time.sleep(args.spacing)
    received_bytes = 0
    received = {}
    deadline = time.monotonic() + args.wait
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], max(0, deadline - time.monotonic()))
        if not ready:
            break
        data, _ = sock.recvfrom(2048)
        received_bytes += len(data)
        name = NAMES.get(data[1], "0x%02x" % data[1]) if len(data) > 1 else "short"
        received[name] = received.get(name, 0) + 1
    print(json.dumps({"sentBytes": sent_bytes, "receivedBytes": received_bytes, "received": received}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    flood = commands.add_parser("records")
    flood.add_argument("target")
    flood.add_argument("--kind", choices=["store", "provider"], required=True)
    flood.add_argument("--sources", required=True)
    flood.add_argument("--per-source", type=int, default=256)
    flood.add_argument("--value-bytes", type=int, default=32)
    flood.add_argument("--rate", type=float, default=20000, help="datagrams per second in all (0: no pacing)")
    put = commands.add_parser("put-record")
    put.add_argument("target")
    put.add_argument("--name", required=True)
    put.add_argument("--record", required=True)
    put.add_argument("--source", default="127.0.0.1")
    amp = commands.add_parser("amplify")
    amp.add_argument("target")
    amp.add_argument("--source", required=True)
    amp.add_argument("--requests", type=int, default=30)
    amp.add_argument("--spacing", type=float, default=0.01)
    amp.add_argument("--wait", type=float, default=8.0)
    args = parser.parse_args()
    if args.command == "records":
        records(args)
    elif args.command == "put-record":
        return put_record_command(args)
    else:
        amplify(args)


if __name__ == "__main__":
    sys.exit(main())
