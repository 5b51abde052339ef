#!/usr/bin/python3
"""RSS of Larder vs redis-server when the value sizes of a full cache change.

Each server (fresh, on a free loopback port, `maxmemory` --maxmemory under
Larder's default policy and Redis's allkeys-lfu) is written --keys new keys
of each size in --sizes in turn, pipelined. Every phase evicts most of the
keys of the one before, whose sizes no new key has: an allocator that keeps
blocks in size classes (jemalloc, Larder's slab heap) holds their pages
until the keys still in them leave or are moved. VmRSS and INFO's
used_memory are read --settle seconds after each phase.
"""

import argparse
import os
import time

import benchlib
from benchlib import BenchError, Conn, Server, log


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=benchlib.ENV_HELP)
    ap.add_argument("--maxmemory", default="20mb")
    ap.add_argument("--keys", type=int, default=400000, help="keys written per phase (default 400000)")
    ap.add_argument("--sizes", default="100,300,60,700", help="value size of each phase (default 100,300,60,700)")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds before each reading (default 2)")
    return ap.parse_args()


def run(kind, args, sizes):
    srv = Server(kind).start()
    try:
        with Conn(srv.port) as c:
            c.cmd("CONFIG", "SET", "maxmemory", args.maxmemory)
            if kind == "redis":
                c.cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
        first = 0
        readings = []
        for size in sizes:
            def key(i, first=first):
                return b"k:%d" % (first + i)

            def value(i, size=size):
                return os.urandom(size // 2 + 1).hex().encode()[:size]

            if benchlib.pipelined_set(srv.port, args.keys, key, value, batch=1000) != args.keys:
                raise BenchError("%s: a SET did not answer +OK" % srv.name)
            first += args.keys
            time.sleep(args.settle)
            with Conn(srv.port) as c:
                used = benchlib.parse_info(c.cmd("INFO", "memory")).get("used_memory", "0")
            readings.append((srv.rss_kb() / 1024.0, int(used) / 1048576.0))
            log("%s after %d B values: RSS %.1f MB, used_memory %.1f MB"
                % (srv.name, size, readings[-1][0], readings[-1][1]))
        return readings
    finally:
        srv.stop()


def main():
    args = parse_args()
    benchlib.install_cleanup()
    sizes = [int(s) for s in args.sizes.split(",")]
    table = {kind: run(kind, args, sizes) for kind in ("redis", "larder")}
    print("\nRSS MB after each phase (maxmemory %s, %d keys a phase)\n" % (args.maxmemory, args.keys))
    print("| server | " + " | ".join("%d B" % s for s in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for kind, name in (("redis", "Redis allkeys-lfu"), ("larder", "Larder (default policy)")):
        print("| %s | " % name + " | ".join("%.1f" % r for r, _ in table[kind]) + " |")


if __name__ == "__main__":
    main()
