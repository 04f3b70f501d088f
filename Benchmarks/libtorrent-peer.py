#!/usr/bin/env python3
"""One libtorrent peer for Benchmarks/cli-transfer.sh, on loopback, with every discovery service off.

  libtorrent-peer.py seed FILE TORRENT READY
      makes TORRENT for FILE (hashing it: not timed), seeds FILE from its folder on 127.0.0.1 (a free port), and
      writes the port to READY once the torrent is checked and seeding; runs until killed.
  libtorrent-peer.py fetch TORRENT SAVE_DIR SEEDER_PORT
      downloads TORRENT into SAVE_DIR from the seeder at 127.0.0.1:SEEDER_PORT and prints one line of JSON:
      {"seconds": time from adding the torrent to the last piece checked and written, "bytes": the file's size}.
      Pieces are hashed by libtorrent as they arrive (SHA-1), and the file is flushed before the clock stops.
"""
import json
import os
import sys
import time
import warnings

import libtorrent as lt

# The file_storage-based calls are deprecated in 2.x but still the simplest way to make a one-file torrent.
warnings.filterwarnings("ignore", category=DeprecationWarning)


def session():
    return lt.session({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "alert_mask": lt.alert_category.status | lt.alert_category.error | lt.alert_category.storage,
        # Loopback peers are "local": no rate limits apply to them by default; allow the single connection.
        "allow_multiple_connections_per_ip": True,
        # TCP, as the other two use: libtorrent prefers uTP (LEDBAT over UDP) for outgoing connections, which on
        # loopback backs off to a few MB/s.
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "out_enc_policy": lt.enc_policy.disabled,
        "in_enc_policy": lt.enc_policy.disabled,
    })


def wait_for(ses, handle, done, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ses.wait_for_alert(100)
        for alert in ses.pop_alerts():
            if isinstance(alert, (lt.torrent_error_alert, lt.file_error_alert)):
                sys.exit(f"libtorrent: {alert.message()}")
        status = handle.status()
        if os.environ.get("LT_DEBUG"):
            print(f"{time.monotonic():.2f} {status.state} {status.total_wanted_done} peers={status.num_peers}", file=sys.stderr)
        if done(status):
            return True
    return False


def seed(path, torrent_path, ready_path):
    storage = lt.file_storage()
    lt.add_files(storage, path)
    torrent = lt.create_torrent(storage)
    lt.set_piece_hashes(torrent, os.path.dirname(os.path.abspath(path)))
    with open(torrent_path, "wb") as out:
        out.write(lt.bencode(torrent.generate()))
    ses = session()
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent_path)
    params.save_path = os.path.dirname(os.path.abspath(path))
    handle = ses.add_torrent(params)
    if not wait_for(ses, handle, lambda s: s.is_seeding, 300):
        sys.exit("libtorrent: the seeder did not finish checking its file")
    with open(ready_path + ".tmp", "w") as out:
        out.write(str(ses.listen_port()))
    os.rename(ready_path + ".tmp", ready_path)
    while True:
        ses.wait_for_alert(1000)
        ses.pop_alerts()


def fetch(torrent_path, save_dir, seeder_port):
    ses = session()
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent_path)
    params.save_path = save_dir
    start = time.monotonic()
    handle = ses.add_torrent(params)
    handle.connect_peer(("127.0.0.1", int(seeder_port)))
    if not wait_for(ses, handle, lambda s: s.is_seeding, 600):
        sys.exit("libtorrent: the download did not finish within 600 s")
    # The file is complete and every piece checked; write it out of libtorrent's cache as the others do.
    handle.flush_cache()
    files = params.ti.files()
    target = os.path.join(save_dir, files.file_path(0))
    fd = os.open(target, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    seconds = time.monotonic() - start
    print(json.dumps({"seconds": seconds, "bytes": params.ti.total_size(), "path": target}))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "seed":
        seed(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "fetch":
        fetch(*sys.argv[2:])
    else:
        sys.exit(__doc__)
