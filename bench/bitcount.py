#!/usr/bin/python3
"""bench/bitcount.py: BITCOUNT over a 64 MB string, Larder vs redis-server.

Starts build/larder-server and Debian's redis-server, stores the same 64 MB of
pseudo-random bytes in both (SETRANGE in 1 MB pieces), checks that both count
the same bits, then times BITCOUNT of the whole value and of a BIT range
(--runs times each, servers alternating) and prints the medians and the
speed ratio Redis time / Larder time (the goal: >= 1.0).

  bench/bitcount.py [--runs 15] [--mb 64]
"""
import argparse
import random
import time

import benchlib
from benchlib import Conn, Server, log, median, run_main

MB = 1024 * 1024


def load(port, mb):
    rng = random.Random(64)
    with Conn(port, timeout=120) as c:
        c.cmd("DEL", "bits")
        for i in range(mb):
            piece = bytes(rng.getrandbits(8) for _ in range(4096)) * (MB // 4096)
            r = c.cmd("SETRANGE", "bits", i * MB, piece)
            if r != (i + 1) * MB:
                raise benchlib.BenchError("SETRANGE replied %r" % (r,))


def timed(port, *args):
    with Conn(port, timeout=120) as c:
        start = time.perf_counter()
        reply = c.cmd(*args)
        return time.perf_counter() - start, reply


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--mb", type=int, default=64)
    opts = ap.parse_args()
    servers = [Server("redis").start(), Server("larder").start()]
    for s in servers:
        log("loading %d MB into %s" % (opts.mb, s.name))
        load(s.port, opts.mb)
    cases = [("whole", ("BITCOUNT", "bits")),
             ("bit range", ("BITCOUNT", "bits", "13", str(opts.mb * MB * 8 - 20), "BIT"))]
    rows = []
    for label, args in cases:
        times = {s.name: [] for s in servers}
        replies = set()
        for _ in range(opts.runs):
            for s in servers:
                t, reply = timed(s.port, *args)
                times[s.name].append(t)
                replies.add(reply)
        if len(replies) != 1:
            raise benchlib.BenchError("the servers disagree on %s: %r" % (" ".join(args), replies))
        redis_ms = median(times["Redis"]) * 1000
        larder_ms = median(times["Larder"]) * 1000
        ratio = redis_ms / larder_ms
        rows.append([label, "%.2f" % redis_ms, "%.2f" % larder_ms, "%.2f" % ratio,
                     "met" if ratio >= 1.0 else "**missed**"])
    print(benchlib.md_table(["BITCOUNT of %d MB" % opts.mb, "Redis ms", "Larder ms",
                             "speed ratio (Redis/Larder)", "goal >= 1.0"], rows))
    for s in servers:
        s.stop()
    return 0


if __name__ == "__main__":
    run_main(main)
