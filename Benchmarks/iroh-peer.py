#!/usr/bin/env python3
"""One iroh-blobs peer for Benchmarks/cli-transfer.sh (the `iroh` 0.35.0 bindings from PyPI), with node discovery
off. Run it in a network namespace with only `lo` up: iroh also tries its default relays, which must fail at once.

  iroh-peer.py provide FILE STORE_DIR READY
      adds FILE to a persistent iroh node in STORE_DIR (copied into the store and hashed: not timed), then writes
      {"hash", "nodeId", "addresses"} as JSON to READY and serves until killed.
  iroh-peer.py fetch READY STORE_DIR OUT
      downloads the blob READY names into a persistent node in STORE_DIR from the provider's direct addresses, then
      exports it to OUT (a copy) and fsyncs OUT; prints one line of JSON: {"seconds": from the download's start to
      OUT synced, "downloadSeconds": to the blob complete in the store, "bytes"}. iroh-blobs verifies every chunk group against its BLAKE3 outboard as it arrives.
"""
import asyncio
import json
import os
import sys
import time

import iroh
import iroh.iroh_ffi


def options():
    return iroh.NodeOptions(
        gc_interval_millis=0,
        node_discovery=iroh.NodeDiscoveryConfig.NONE,
        ipv4_addr="127.0.0.1:0",
    )


class Progress:
    """Collects a progress stream's events and wakes the waiter at the end (`ALL_DONE` or `ABORT`)."""

    def __init__(self, done_type, abort_type):
        self.done = asyncio.get_running_loop().create_future()
        self.done_type = done_type
        self.abort_type = abort_type

    async def progress(self, event):
        kind = event.type()
        if kind == self.done_type and not self.done.done():
            self.done.set_result(event.as_all_done())
        elif kind == self.abort_type and not self.done.done():
            self.done.set_exception(RuntimeError(f"iroh: aborted: {event.as_abort().error}"))


async def provide(path, store_dir, ready_path):
    iroh.iroh_ffi.uniffi_set_event_loop(asyncio.get_running_loop())
    node = await iroh.Iroh.persistent_with_options(store_dir, options())
    added = Progress(iroh.AddProgressType.ALL_DONE, iroh.AddProgressType.ABORT)
    await node.blobs().add_from_path(
        os.path.abspath(path), False, iroh.SetTagOption.auto(), iroh.WrapOption.no_wrap(), added)
    outcome = await added.done
    address = await node.net().node_addr()
    ready = {
        "hash": outcome.hash.to_hex(),
        "nodeId": await node.net().node_id(),
        "addresses": [a for a in address.direct_addresses() if a.startswith("127.")],
    }
    with open(ready_path + ".tmp", "w") as out:
        json.dump(ready, out)
    os.rename(ready_path + ".tmp", ready_path)
    while True:
        await asyncio.sleep(3600)


async def fetch(ready_path, store_dir, out_path):
    iroh.iroh_ffi.uniffi_set_event_loop(asyncio.get_running_loop())
    with open(ready_path) as source:
        ready = json.load(source)
    node = await iroh.Iroh.persistent_with_options(store_dir, options())
    blob = iroh.Hash.from_string(ready["hash"])
    provider = iroh.NodeAddr(iroh.PublicKey.from_string(ready["nodeId"]), None, ready["addresses"])
    start = time.monotonic()
    fetched = Progress(iroh.DownloadProgressType.ALL_DONE, iroh.DownloadProgressType.ABORT)
    await node.blobs().download(
        blob, iroh.BlobDownloadOptions(iroh.BlobFormat.RAW, [provider], iroh.SetTagOption.auto()), fetched)
    await fetched.done
    downloaded = time.monotonic() - start
    await node.blobs().export(blob, os.path.abspath(out_path), iroh.BlobExportFormat.BLOB, iroh.BlobExportMode.COPY)
    fd = os.open(out_path, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    seconds = time.monotonic() - start
    print(json.dumps({"seconds": seconds, "downloadSeconds": downloaded, "bytes": os.path.getsize(out_path)}), flush=True)
    await node.node().shutdown()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "provide":
        asyncio.run(provide(*sys.argv[2:]))
    elif len(sys.argv) == 5 and sys.argv[1] == "fetch":
        asyncio.run(fetch(*sys.argv[2:]))
    else:
        sys.exit(__doc__)
