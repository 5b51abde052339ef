#!/usr/bin/python3
"""bench/collection_growth.py: the longest single command while a big set or
hash grows, and right after it is deleted, Larder vs redis-server.

Starts build/larder-server and Debian's redis-server and, on each in turn,
grows one set (SADD) and then one hash (HSET) to --members members, --batch
members per command, timing every command; then DELs it and times single
SADDs to small keys for --after seconds while the server frees it (Redis
with lazyfree-lazy-user-del, as Larder always frees big values off the
event loop). A table that doubled all at once would stall the server for
the whole rehash in one growing command (a 6.29M-member set once stalled
Larder 816 ms); a free that holds the allocator's lock would stall the
commands after the DEL (214 ms, before glibc's fastbins were turned off).
Prints, per server and type, the median and worst command time of both
phases (the goal: no stall, Larder's worst about Redis's or below).

With --keys N it also grows the keyspace itself to N keys by MSET, --batch
keys a call, and prints the median, 99.9th percentile and worst MSET: a
shard's table that doubled all at once held the loop 8 ms at 16.8M keys.

  bench/collection_growth.py [--members 8000000] [--batch 1000] [--after 3]
                             [--keys 0] [--only-keys]
"""
import argparse
import time

import benchlib
from benchlib import Conn, Server, log, median, run_main


def grow(port, command, members, batch):
    """Times each command that adds `batch` members; returns the times (s)."""
    times = []
    with Conn(port, timeout=600) as c:
        for start in range(0, members, batch):
            args = []
            for i in range(start, min(start + batch, members)):
                args.append("member:%d" % i)
                if command == "HSET":
                    args.append("v")
            t0 = time.perf_counter()
            c.cmd(command, "big", *args)
            times.append(time.perf_counter() - t0)
    return times


def grow_keyspace(port, keys, batch):
    """Times each MSET of `batch` new keys; returns the times (s)."""
    times = []
    with Conn(port, timeout=600) as c:
        for start in range(0, keys, batch):
            args = []
            for i in range(start, min(start + batch, keys)):
                args += ("key:%d" % i, "v")
            t0 = time.perf_counter()
            c.cmd("MSET", *args)
            times.append(time.perf_counter() - t0)
        c.cmd("FLUSHALL")
    return times


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def after_delete(port, seconds):
    """DELs the grown key, then times single small SADDs for `seconds`."""
    times = []
    with Conn(port, timeout=600) as c:
        c.cmd("DEL", "big")
        end = time.perf_counter() + seconds
        i = 0
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            c.cmd("SADD", "small:%d" % (i % 100), "m%d" % i)
            times.append(time.perf_counter() - t0)
            i += 1
        c.cmd("FLUSHALL")
        # Let the server finish freeing before the next phase.
        while "lazyfree_pending_objects:0" not in c.cmd("INFO", "memory"):
            time.sleep(0.1)
        time.sleep(1)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", type=int, default=8000000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--after", type=float, default=3.0)
    ap.add_argument("--keys", type=int, default=0)
    ap.add_argument("--only-keys", action="store_true", help="skip the set and hash phases")
    opts = ap.parse_args()
    servers = [Server("redis").start(), Server("larder").start()]
    with Conn(servers[0].port) as c:
        c.cmd("CONFIG", "SET", "lazyfree-lazy-user-del", "yes")
    rows = []
    worst = {}
    key_rows = []
    if opts.keys > 0:
        for s in servers:
            log("%s: MSET of %d keys, %d a call" % (s.name, opts.keys, opts.batch))
            times = grow_keyspace(s.port, opts.keys, opts.batch)
            worst[(s.name, "MSET")] = max(times)
            key_rows.append([s.name, "%.2f" % (median(times) * 1000), "%.1f" % (percentile(times, 0.999) * 1000),
                             "%.1f" % (max(times) * 1000)])
    commands = () if opts.only_keys else ("SADD", "HSET")
    for command in commands:
        for s in servers:
            log("%s: %s of %d members into one key, then DEL" % (s.name, command, opts.members))
            row = [command, s.name]
            for phase, times in (("grow", grow(s.port, command, opts.members, opts.batch)),
                                 ("after DEL", after_delete(s.port, opts.after))):
                med, top = median(times) * 1000, max(times) * 1000
                worst[(s.name, command, phase)] = top
                row += ["%.2f" % med, "%.1f" % top]
            rows.append(row)
    for s in servers:
        s.stop()
    if key_rows:
        print(benchlib.md_table(["keyspace grown by MSET (%d keys a call)" % opts.batch, "median ms",
                                 "p99.9 ms", "worst ms"], key_rows, n_left=1))
        print("MSET: worst command Larder / Redis %.2f" % (worst[("Larder", "MSET")] / worst[("Redis", "MSET")]))
    if not rows:
        return 0
    print(benchlib.md_table(["grown by (%d members a call)" % opts.batch, "server", "growing: median ms",
                             "worst ms", "after DEL: median ms", "worst ms"], rows, n_left=2))
    for command in commands:
        for phase in ("grow", "after DEL"):
            print("%s, %s: worst command Larder / Redis %.2f" % (
                command, phase, worst[("Larder", command, phase)] / worst[("Redis", command, phase)]))
    return 0


if __name__ == "__main__":
    run_main(main)
