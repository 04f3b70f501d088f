#!/usr/bin/env python3
"""Independent check of an IPNS record file, written from ipfs/specs `ipns/ipns-record` without swift-dht's code.

Usage: ipns_check.py RECORD_FILE IPNS_NAME [--expect-value PATH] [--expect-sequence N] [--expect-ttl-ns N]
                     [--now UNIX_SECONDS]

Parses the IpnsEntry protobuf by hand, decodes the name (base36 CIDv1, libp2p-key, identity multihash of an
Ed25519 PublicKey protobuf), verifies signatureV2 over b"ipns-signature:" + data with the `cryptography` package,
decodes data with `cbor2` and checks that it is canonical (cbor2's canonical encoder writes the same bytes), that
the five fields have their types, that any V1 copies equal them and the V1 signature verifies, and that the
validity (RFC 3339) is in the future. Prints one line per check; exits 1 on the first failure.
"""
import argparse
import datetime
import re
import sys

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def fail(message):
    print("FAIL " + message)
    sys.exit(1)


def ok(message):
    print("ok   " + message)


def read_varint(data, pos):
    value, shift = 0, 0
    while True:
        if pos >= len(data):
            fail("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            fail("varint too long")


def parse_protobuf(data):
    """Returns {field number: value} (the last of a repeated field), skipping unknown fields."""
    fields, pos = {}, 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 2:
            length, pos = read_varint(data, pos)
            if pos + length > len(data):
                fail("truncated length-delimited field %d" % field)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            fail("wire type %d" % wire)
        fields[field] = value
    return fields


def decode_name(name):
    """The Ed25519 key (32 bytes) inside a base36 IPNS name."""
    if not name.startswith("k"):
        fail("name %s is not base36 (k...)" % name)
    number = 0
    for character in name[1:].lower():
        number = number * 36 + BASE36.index(character)
    cid = number.to_bytes((number.bit_length() + 7) // 8, "big")
    # CIDv1, libp2p-key (0x72), identity multihash (0x00) of 36 bytes, PublicKey{Type: Ed25519, Data: 32 bytes}
    prefix = bytes([0x01, 0x72, 0x00, 0x24, 0x08, 0x01, 0x12, 0x20])
    if len(cid) != 40 or not cid.startswith(prefix):
        fail("name %s is not an Ed25519 libp2p-key CID: %s" % (name, cid.hex()))
    return cid[8:]


def parse_rfc3339(text):
    match = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z", text)
    if not match:
        fail("Validity %r is not RFC 3339 UTC" % text)
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    moment = datetime.datetime(year, month, day, hour, minute, second, tzinfo=datetime.timezone.utc)
    return moment.timestamp() + int((match.group(7) or "0").ljust(9, "0")) / 1e9


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("record")
    parser.add_argument("name")
    parser.add_argument("--expect-value")
    parser.add_argument("--expect-sequence", type=int)
    parser.add_argument("--expect-ttl-ns", type=int)
    parser.add_argument("--now", type=float)
    args = parser.parse_args()

    raw = open(args.record, "rb").read()
    if len(raw) > 10240:
        fail("record is %d bytes, over 10 KiB" % len(raw))
    ok("size %d bytes <= 10240" % len(raw))
    fields = parse_protobuf(raw)
    signature, data = fields.get(8), fields.get(9)
    if not signature or not data:
        fail("signatureV2 or data missing")
    ok("protobuf: fields %s" % sorted(fields))
    if 7 in fields:
        fail("pubKey present: an Ed25519 record should leave it out")

    key = Ed25519PublicKey.from_public_bytes(decode_name(args.name))
    try:
        key.verify(signature, b"ipns-signature:" + data)
    except InvalidSignature:
        fail("signatureV2 does not verify")
    ok("signatureV2 verifies with the key from the name")

    document = cbor2.loads(data)
    if cbor2.dumps(document, canonical=True) != data:
        fail("data is not canonical CBOR: %s" % data.hex())
    ok("data is canonical CBOR")
    expected_types = {"Value": bytes, "Validity": bytes, "ValidityType": int, "Sequence": int, "TTL": int}
    for field, kind in expected_types.items():
        if not isinstance(document.get(field), kind):
            fail("data[%s] is not %s: %r" % (field, kind.__name__, document.get(field)))
    if document["ValidityType"] != 0:
        fail("ValidityType is %d" % document["ValidityType"])
    ok("data fields: Value=%s Sequence=%d TTL=%d Validity=%s" % (
        document["Value"].decode(), document["Sequence"], document["TTL"], document["Validity"].decode()))

    if args.expect_value is not None and document["Value"] != args.expect_value.encode():
        fail("Value is %r, expected %r" % (document["Value"], args.expect_value))
    if args.expect_sequence is not None and document["Sequence"] != args.expect_sequence:
        fail("Sequence is %d, expected %d" % (document["Sequence"], args.expect_sequence))
    if args.expect_ttl_ns is not None and document["TTL"] != args.expect_ttl_ns:
        fail("TTL is %d, expected %d" % (document["TTL"], args.expect_ttl_ns))
    ok("fields as expected")

    if 1 in fields or 2 in fields:
        v1 = {"Value": fields.get(1, b""), "Validity": fields.get(4, b""), "ValidityType": fields.get(3, 0),
              "Sequence": fields.get(5, 0), "TTL": fields.get(6, 0)}
        for field, value in v1.items():
            if value != document[field]:
                fail("V1 %s %r differs from data %r" % (field, value, document[field]))
        try:
            key.verify(fields[2], fields[1] + fields[4] + b"EOL")
        except (InvalidSignature, KeyError):
            fail("signatureV1 does not verify over value + validity + 'EOL'")
        ok("V1 fields equal the data, signatureV1 verifies")

    now = args.now if args.now is not None else datetime.datetime.now(datetime.timezone.utc).timestamp()
    expiry = parse_rfc3339(document["Validity"].decode())
    if expiry <= now:
        fail("expired at %s" % document["Validity"].decode())
    ok("valid for %.0f more seconds" % (expiry - now))


if __name__ == "__main__":
    main()
