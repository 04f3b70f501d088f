#!/usr/bin/env python3
# A user-space "delay switch" for latency benchmarks on machines without kernel netem (sch_netem): network
# namespaces PREFIX-1 .. PREFIX-N, each with `lo` up and one TUN device `dn0` (IFF_TUN | IFF_NO_PI, MTU 1500)
# holding PREFIX-k's address 10.77.0.k/16 (with --subnet S: the k-th address of S, same prefix length). The
# switch is one single-threaded process holding every TUN's file descriptor: each IPv4 packet read from a TUN
# is queued and written, DELAY ms later (default 20: an RTT of 40 ms between any two namespaces), to the TUN of
# the namespace that owns its destination address. Packets to other addresses, and non-IPv4 packets, are
# dropped. Packets wait in one queue, a heap by departure (without --link every departure is arrival + delay,
# so it is first in, first out, and every flow keeps its order); an epoll loop wakes on readable TUNs and on a timerfd armed (absolute, CLOCK_MONOTONIC, ns) for the
# head of the queue, so a packet leaves within tens of microseconds of its deadline on an idle machine (the exit
# report gives the measured lateness).
#
# Each TUN is created inside its namespace (setns(2) into /run/netns/NAME, open /dev/net/tun, TUNSETIFF, setns
# back): the kernel binds a TUN to the namespace of the process that opened it. `--tun-mode move` instead
# creates it in the root namespace and moves it with `ip link set DEV netns NAME`; both keep the fd working
# (tested on Linux 6.18), setns is the default since it never puts a device in the root namespace.
#
# Usage (as root):
#   Benchmarks/delaynet.py up --namespaces N [--prefix NAME] [--delay-ms MS] [--subnet 10.77.0.0/16]
#                            [--mtu 1500] [--loss P --seed S] [--rt] [--stats-json FILE]
#       creates the namespaces, prints one line "ns NAME ADDRESS" per namespace, then "ready" on stdout, and
#       forwards until SIGTERM / SIGINT / SIGHUP; then it closes the TUNs, deletes its namespaces and prints its
#       counters and lateness (to stderr, and as JSON to --stats-json FILE). Run programs in it with
#       `ip netns exec NAME-k PROGRAM`. It refuses to start when a namespace NAME-k already exists.
#       --loss P drops each packet with probability P (Python's random, seeded by --seed, default 1).
#       --rt runs the switch at SCHED_FIFO priority 10 (less added delay while other work keeps the CPUs busy).
#       --link K=UP/DOWN caps namespace K's link (its k-th TUN) at UP Mbit/s from it and DOWN Mbit/s to it (either
#       may be empty: uncapped; repeatable): each packet waits its turn on the sender's uplink, crosses the delay,
#       then waits its turn on the receiver's downlink, each at its rate (a packet's time on the wire there is its
#       size at that rate), so the links behave like a home line's modem queue. A packet that would wait more
#       than --buffer-ms (default 50) in a link's queue is dropped (drop-tail), which TCP reads as congestion.
#   Benchmarks/delaynet.py down --prefix NAME
#       deletes every namespace NAME-<number> (after a switch was killed with SIGKILL).
# A script starts it in the background, waits for "ready", and stops it by PID with SIGTERM (see
# Benchmarks/delaynet-check.sh). Python 3.11 standard library only; setns, timerfd and prctl through ctypes.
import argparse
import collections
import ctypes
import ctypes.util
import fcntl
import gc
import heapq
import ipaddress
import json
import os
import random
import re
import resource
import select
import signal
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLOCK_MONOTONIC = 1
TFD_NONBLOCK = os.O_NONBLOCK
TFD_CLOEXEC = os.O_CLOEXEC
TFD_TIMER_ABSTIME = 1
PR_SET_TIMERSLACK = 29
TUN_NAME = "dn0"

libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
libc.timerfd_create.argtypes = [ctypes.c_int, ctypes.c_int]
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", Timespec), ("it_value", Timespec)]


libc.timerfd_settime.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.POINTER(Itimerspec), ctypes.c_void_p]


def check(result, what):
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def log(message):
    print(f"delaynet: {message}", file=sys.stderr, flush=True)


def ip(*args):
    """Runs `ip ARGS`; raises with ip's message when it fails."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def existing_namespaces():
    return {line.split()[0] for line in ip("netns", "list").splitlines() if line.strip()}


def open_tun(name):
    """Opens /dev/net/tun and attaches it to a new TUN device NAME in the calling thread's network namespace."""
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), IFF_TUN | IFF_NO_PI))
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_tun_in(namespace, name):
    """setns into /run/netns/NAMESPACE, create the TUN there, setns back (this process is single-threaded)."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    target = os.open(f"/run/netns/{namespace}", os.O_RDONLY | os.O_CLOEXEC)
    try:
        check(libc.setns(target, CLONE_NEWNET), f"setns {namespace}")
        try:
            return open_tun(name)
        finally:
            check(libc.setns(home, CLONE_NEWNET), "setns back")
    finally:
        os.close(target)
        os.close(home)


class Switch:
    def __init__(self, args):
        self.args = args
        self.created = []  # namespaces this process created (and deletes)
        self.tuns = {}  # fd -> namespace
        self.route = {}  # destination address (4 bytes) -> fd
        # Capped links (--link): namespace index -> bits per ns, and when each link is free again (ns).
        self.up_rate, self.down_rate = parse_links(args.link, args.namespaces)
        self.up_free = collections.defaultdict(int)
        self.down_free = collections.defaultdict(int)
        self.index = {}  # fd -> namespace index (1-based)
        self.delay_ns = int(round(args.delay_ms * 1e6))
        self.counts = collections.Counter()
        self.lateness = []  # ns past the deadline, per forwarded packet (kept bounded)
        self.timer = -1
        self.armed = None
        self.spec = Itimerspec()
        self.spec_ref = ctypes.byref(self.spec)

    # --- Setup and teardown ---

    def setup(self):
        a = self.args
        net = ipaddress.ip_network(a.subnet, strict=False)
        if net.version != 4 or net.num_addresses < a.namespaces + 2:
            raise SystemExit(f"delaynet: --subnet {a.subnet} is not an IPv4 network with {a.namespaces} hosts")
        names = [f"{a.prefix}-{k}" for k in range(1, a.namespaces + 1)]
        taken = existing_namespaces().intersection(names)
        if taken:
            raise SystemExit(f"delaynet: namespaces exist already: {' '.join(sorted(taken))} "
                             f"(delete them with: {sys.argv[0]} down --prefix {a.prefix})")
        lines = []
        for k, ns in enumerate(names, start=1):
            address = net.network_address + k
            ip("netns", "add", ns)
            self.created.append(ns)
            ip("-n", ns, "link", "set", "lo", "up")
            if a.tun_mode == "setns":
                fd = open_tun_in(ns, TUN_NAME)
            else:
                temporary = f"dn{os.getpid() % 100000}-{k}"[:15]
                fd = open_tun(temporary)
                self.tuns[fd] = ns
                ip("link", "set", "dev", temporary, "netns", ns)
                ip("-n", ns, "link", "set", "dev", temporary, "name", TUN_NAME)
            self.tuns[fd] = ns
            self.index[fd] = k
            # No IPv6 link-local address: nothing but what the benchmark sends crosses the switch.
            ip("-n", ns, "link", "set", "dev", TUN_NAME, "addrgenmode", "none")
            ip("-n", ns, "link", "set", "dev", TUN_NAME, "mtu", str(a.mtu))
            ip("-n", ns, "addr", "add", f"{address}/{net.prefixlen}", "dev", TUN_NAME)
            ip("-n", ns, "link", "set", "dev", TUN_NAME, "up")
            self.route[address.packed] = fd
            lines.append(f"ns {ns} {address}")
        if a.rt:
            try:
                os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
            except OSError as error:
                log(f"--rt: no SCHED_FIFO ({error}); running at normal priority")
        libc.prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0)  # 1 ns instead of the default 50 us of timer slack
        self.timer = check(libc.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), "timerfd_create")
        return lines

    def teardown(self):
        for fd in list(self.tuns):
            try:
                os.close(fd)
            except OSError:
                pass
        self.tuns.clear()
        if self.timer >= 0:
            os.close(self.timer)
            self.timer = -1
        for ns in reversed(self.created):
            try:
                ip("netns", "del", ns)
            except RuntimeError as error:
                log(str(error))
        self.created.clear()

    # --- Forwarding ---

    def arm(self, deadline):
        """Arms the timerfd for DEADLINE (CLOCK_MONOTONIC ns; 0 disarms)."""
        if deadline == self.armed:
            return
        spec = self.spec
        spec.it_value.tv_sec, spec.it_value.tv_nsec = divmod(deadline, 1_000_000_000) if deadline else (0, 0)
        check(libc.timerfd_settime(self.timer, TFD_TIMER_ABSTIME, self.spec_ref, None), "timerfd_settime")
        self.armed = deadline

    def run(self):
        """Forwards until a signal: a packet's departure is its arrival plus the delay and, on capped links
        (--link), its waits and times on the wire of the sender's uplink and the receiver's downlink; the queue is
        a heap by departure (a flow's packets keep their order: the delay is the same for all and both its links
        are FIFO)."""
        a = self.args
        rng = random.Random(a.seed)
        loss = a.loss
        limit = a.queue_limit
        route, counts, lateness, index = self.route, self.counts, self.lateness, self.index
        up_rate, down_rate, up_free, down_free = self.up_rate, self.down_rate, self.up_free, self.down_free
        buffer_ns = int(a.buffer_ms * 1e6)
        heap = []
        push, pop = heapq.heappush, heapq.heappop
        sequence = 0
        delay = self.delay_ns
        now_ns = time.monotonic_ns
        read, write = os.read, os.write
        epoll = select.epoll()
        for fd in self.tuns:
            epoll.register(fd, select.EPOLLIN)
        epoll.register(self.timer, select.EPOLLIN)
        timer = self.timer
        try:
            while True:
                for fd, _ in epoll.poll():
                    if fd == timer:
                        try:
                            read(timer, 8)
                        except BlockingIOError:
                            pass
                        continue
                    source = index[fd]
                    for _ in range(64):
                        try:
                            packet = read(fd, 65536)
                        except BlockingIOError:
                            break
                        arrived = now_ns()
                        if len(packet) < 20 or packet[0] >> 4 != 4:
                            counts["not_ipv4"] += 1
                            continue
                        target = route.get(packet[16:20])
                        if target is None:
                            counts["unknown_destination"] += 1
                            continue
                        if loss and rng.random() < loss:
                            counts["lost"] += 1
                            continue
                        if len(heap) >= limit:
                            counts["queue_full"] += 1
                            continue
                        bits = len(packet) * 8
                        t = arrived
                        rate = up_rate.get(source)
                        if rate:
                            t = cross_link(up_free, source, t, bits / rate, buffer_ns)
                            if t is None:
                                counts["uplink_full"] += 1
                                continue
                        t += delay
                        destination = index[target]
                        rate = down_rate.get(destination)
                        if rate:
                            t = cross_link(down_free, destination, t, bits / rate, buffer_ns)
                            if t is None:
                                counts["downlink_full"] += 1
                                continue
                        counts["queued"] += 1
                        sequence += 1
                        push(heap, (t, sequence, target, packet))
                now = now_ns()
                while heap and heap[0][0] <= now:
                    deadline, _, target, packet = pop(heap)
                    try:
                        write(target, packet)
                        counts["forwarded"] += 1
                    except OSError:
                        counts["write_failed"] += 1
                    if len(lateness) < 1_000_000:
                        lateness.append(now - deadline)
                    now = now_ns()
                self.arm(heap[0][0] if heap else 0)
        finally:
            epoll.close()

    def report(self):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        late = sorted(self.lateness)

        def pct(p):
            return round(late[min(len(late) - 1, int(p / 100 * len(late)))] / 1000, 1) if late else None

        stats = {
            "delay_ms": self.args.delay_ms,
            "counts": dict(self.counts),
            "late_us": {"p50": pct(50), "p90": pct(90), "p99": pct(99),
                        "max": round(late[-1] / 1000, 1) if late else None},
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        }
        counts = " ".join(f"{k}={v}" for k, v in sorted(self.counts.items())) or "no packets"
        if late:
            lu = stats["late_us"]
            counts += f"; sent after the deadline by (us) p50 {lu['p50']} p90 {lu['p90']} p99 {lu['p99']} max {lu['max']}"
        log(f"{counts}; cpu {stats['cpu_s']} s")
        if self.args.stats_json:
            with open(self.args.stats_json, "w") as out:
                json.dump(stats, out)
                out.write("\n")


def cross_link(free, key, t, wire_ns, buffer_ns):
    """A packet reaching link KEY (free again at free[KEY]) at T waits its turn, then takes WIRE_NS on it; returns
    when it is through, or None when it would wait longer than BUFFER_NS (dropped, nothing changes)."""
    start = max(t, free[key])
    if start - t > buffer_ns:
        return None
    free[key] = start + int(wire_ns)
    return free[key]


def parse_links(specs, namespaces):
    """--link K=UP/DOWN (Mbit/s, either empty) -> ({k: up bits per ns}, {k: down bits per ns})."""
    up, down = {}, {}
    for spec in specs or []:
        match = re.fullmatch(r"([0-9]+)=([0-9.]*)/([0-9.]*)", spec)
        if not match or not 1 <= int(match[1]) <= namespaces:
            raise SystemExit(f"delaynet: --link {spec}: expected K=UP/DOWN with K in 1..{namespaces}, Mbit/s")
        k = int(match[1])
        for rates, value in ((up, match[2]), (down, match[3])):
            if value:
                if float(value) <= 0:
                    raise SystemExit(f"delaynet: --link {spec}: a rate must be positive")
                rates[k] = float(value) * 1e6 / 1e9
    return up, down


class Stop(Exception):
    pass


def stop(signum, _frame):
    raise Stop(signum)


def up(args):
    if os.geteuid() != 0:
        raise SystemExit("delaynet: needs root (network namespaces, /dev/net/tun)")
    switch = Switch(args)
    # Installed before setup, so that a signal during setup also deletes what was created.
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop)
    status = 0
    try:
        try:
            lines = switch.setup()
        except (OSError, RuntimeError) as error:
            log(f"setup failed: {error}")
            return 1
        gc.collect()
        gc.freeze()
        gc.disable()  # no collector pauses while forwarding (the loop creates no reference cycles)
        try:
            for line in lines:
                print(line)
            print("ready", flush=True)
        except BrokenPipeError:
            pass
        log(f"{len(lines)} namespaces, {args.delay_ms} ms each way"
            + (f", links {' '.join(args.link)}, buffer {args.buffer_ms} ms" if args.link else "")
            + (f", loss {args.loss}" if args.loss else ""))
        switch.run()
    except Stop:
        pass
    except Exception as error:  # report, then still tear down
        log(f"error: {error!r}")
        status = 1
    finally:
        # Ignore further signals while tearing down, so that a second TERM cannot leave namespaces behind.
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        switch.teardown()
        switch.report()
    return status


def down(args):
    pattern = re.compile(re.escape(args.prefix) + r"-[0-9]+")
    for ns in sorted(existing_namespaces()):
        if pattern.fullmatch(ns):
            ip("netns", "del", ns)
            log(f"deleted {ns}")
    return 0


def main():
    parser = argparse.ArgumentParser(description="User-space delay switch between network namespaces (TUN).")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("up", help="create namespaces and forward with a delay until SIGTERM")
    p.add_argument("--namespaces", "-n", type=int, required=True)
    p.add_argument("--prefix", default="dn")
    p.add_argument("--delay-ms", type=float, default=20.0, help="one-way delay (default 20)")
    p.add_argument("--subnet", default="10.77.0.0/16", help="namespace k gets the k-th address (default 10.77.0.0/16)")
    p.add_argument("--mtu", type=int, default=1500)
    p.add_argument("--loss", type=float, default=0.0, help="per-packet drop probability (default 0)")
    p.add_argument("--seed", type=int, default=1, help="seed of the loss draws")
    p.add_argument("--queue-limit", type=int, default=200_000, help="packets in flight at most (default 200000)")
    p.add_argument("--tun-mode", choices=("setns", "move"), default="setns")
    p.add_argument("--rt", action="store_true", help="SCHED_FIFO priority 10")
    p.add_argument("--link", action="append", metavar="K=UP/DOWN",
                   help="cap namespace K's uplink and downlink, Mbit/s (either may be empty); repeatable")
    p.add_argument("--buffer-ms", type=float, default=50.0,
                   help="a capped link drops a packet that would wait longer than this in its queue (default 50)")
    p.add_argument("--stats-json", help="write the counters and lateness to this file at exit")
    d = sub.add_parser("down", help="delete the namespaces PREFIX-<number> a killed switch left behind")
    d.add_argument("--prefix", default="dn")
    args = parser.parse_args()
    if args.command == "up":
        if args.namespaces < 1 or not re.fullmatch(r"[A-Za-z0-9_.]+", args.prefix) or not 0 <= args.loss < 1:
            parser.error("need --namespaces >= 1, a --prefix of [A-Za-z0-9_.] and 0 <= --loss < 1")
        return up(args)
    return down(args)


if __name__ == "__main__":
    sys.exit(main())
