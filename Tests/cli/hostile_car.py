#!/usr/bin/env python3
"""Writes a CAR v1 file of hostile UnixFS DAGs for Tests/cli/hostile.sh, with plain protobuf and CBOR bytes and
hashlib (no code shared with swift-dht; the protobuf writers are unixfs_dir_model.py's), and prints their CIDs and names as one JSON object.

Roots (all CIDv1, dag-pb directories and files, raw leaves):
- hostile: a directory whose entry names hold terminal escape sequences (an OSC that sets the window title, a CSI
  that clears the screen, a bare CSI in C1), a carriage return, a tab, DEL, a bidi override, a zero-width space, a
  quote and a backslash, next to ordinary non-ASCII names (café, 日本); one entry is a subdirectory with a hostile
  name, one a symbolic link whose target holds an escape sequence;
- deep: a file whose first leaf (1 MiB) is followed by a chain of 70 file nodes, deeper than a reader goes (64),
  so a read fails after its first megabyte;
- deepdir: a directory holding `deep` under a hostile name;
- dup: a directory with two entries of the same hostile name, which the reader refuses.

Usage: hostile_car.py OUT.car   prints {"hostile": CID, "deep": CID, "deepdir": CID, "dup": CID, "names": [...],
                                "link_target": ..., "deep_name": ..., "dup_name": ...}
"""
import base64
import hashlib
import json
import sys


# The protobuf and UnixFS writers of the directory model (a Python model of kubo's layout, not swift-dht's code).
from unixfs_dir_model import field_bytes, field_varint, pbnode, unixfs, varint


def cid_v1(codec, block):
    return b"\x01" + bytes([codec]) + b"\x12\x20" + hashlib.sha256(block).digest()


def cid_text(cid):
    return "b" + base64.b32encode(cid).decode().lower().rstrip("=")


blocks = []  # (cid bytes, block bytes), in the order written


def put(codec, block):
    cid = cid_v1(codec, block)
    blocks.append((cid, block))
    return cid


def raw_leaf(data):
    return put(0x55, data), len(data)


def directory(entries):
    """entries: (name str, cid, tsize); links sorted by name bytes, as kubo writes them."""
    links = sorted(((cid, name.encode(), tsize) for name, cid, tsize in entries), key=lambda link: link[1])
    block = pbnode(links, unixfs(1))
    return put(0x70, block), len(block) + sum(tsize for _, _, tsize in links)


def file_node(children):
    """children: (cid, tsize, file bytes)."""
    filesize = sum(size for _, _, size in children)
    block = pbnode([(cid, b"", tsize) for cid, tsize, _ in children], unixfs(2, filesize=filesize,
                                                                          blocksizes=[s for _, _, s in children]))
    return put(0x70, block), len(block) + sum(tsize for _, tsize, _ in children), filesize


def symlink(target):
    block = pbnode([], unixfs(4, data=target.encode()))
    return put(0x70, block), len(block)


TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J\x1b[H"
NAMES = [
    TITLE + "title.txt",
    CLEAR + "clear.txt",
    "\x9b31mred.txt",
    "cr\rhidden.txt",
    "tab\there.txt",
    "del\x7f.txt",
    "invoice\u202efdp.exe",
    "zero\u200bwidth.txt",
    'quote" level=error msg="forged.txt',
    "back\\slash.txt",
    "café.txt",
    "日本.txt",
]
SUBDIR = "\x1b[31msub"
LINK = "link\x1b[5m"
LINK_TARGET = "\x1b]0;link\x07target"
DEEP_NAME = "\x1b[1mdeep.bin"
DUP_NAME = "\x1b[7mtwice"


def main():
    out = sys.argv[1]
    entries = []
    for i, name in enumerate(NAMES):
        cid, size = raw_leaf(("file %d: %s\n" % (i, name)).encode())
        entries.append((name, cid, size))
    inner_cid, inner_size = raw_leaf(b"inside the hostile subdirectory\n")
    sub_cid, sub_size = directory([(CLEAR + "inner.txt", inner_cid, inner_size)])
    entries.append((SUBDIR, sub_cid, sub_size))
    link_cid, link_size = symlink(LINK_TARGET)
    entries.append((LINK, link_cid, link_size))
    hostile, _ = directory(entries)

    first_cid, first_size = raw_leaf(bytes(i % 251 for i in range(1 << 20)))
    chain_cid, chain_tsize = raw_leaf(b"the bottom of a DAG too deep to read\n")
    chain_size = chain_tsize
    for _ in range(70):
        chain_cid, chain_tsize, chain_size = file_node([(chain_cid, chain_tsize, chain_size)])
    deep, deep_tsize, _ = file_node([(first_cid, first_size, first_size), (chain_cid, chain_tsize, chain_size)])
    deepdir, _ = directory([(DEEP_NAME, deep, deep_tsize), ("fine.txt",) + raw_leaf(b"fine\n")])

    dup_leaf, dup_size = raw_leaf(b"twice\n")
    dup_block = pbnode([(dup_leaf, DUP_NAME.encode(), dup_size)] * 2, unixfs(1))
    dup = put(0x70, dup_block)

    roots = [hostile, deep, deepdir, dup]
    header = b"\xa2" + b"\x65roots" + bytes([0x80 | len(roots)])
    for root in roots:
        header += b"\xd8\x2a" + b"\x58" + bytes([len(root) + 1]) + b"\x00" + root
    header += b"\x67version\x01"
    seen = set()
    with open(out, "wb") as car:
        car.write(varint(len(header)) + header)
        for cid, block in blocks:
            if cid in seen:
                continue
            seen.add(cid)
            car.write(varint(len(cid) + len(block)) + cid + block)
    print(json.dumps({
        "hostile": cid_text(hostile), "deep": cid_text(deep), "deepdir": cid_text(deepdir), "dup": cid_text(dup),
        "names": NAMES, "subdir": SUBDIR, "link": LINK, "link_target": LINK_TARGET, "deep_name": DEEP_NAME,
        "dup_name": DUP_NAME,
    }))


main()
