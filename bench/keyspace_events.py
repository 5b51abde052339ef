#!/usr/bin/python3
"""What keyspace notifications cost SET/GET (issue "Pub/Sub, keyspace
notifications, client-side caching and MONITOR": disabled, they must cost
nothing measurable). redis-benchmark -t set,get -P 16 against, in alternating
rounds: Larder with notify-keyspace-events off (the default), a Larder built
without notifications (--before BIN, e.g. a build of the commit before them)
and redis-server; then Larder with "KEA" (no subscriber) for scale. Prints
medians and the ratios after/before and Larder/Redis.

    bench/keyspace_events.py --before /tmp/larder-before [--rounds 5]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import throughput  # noqa: E402
from benchlib import Conn, Server, fmt, log, median, ratio  # noqa: E402


class Larder(Server):
    """A larder-server of a given binary."""

    def __init__(self, binary, name):
        super().__init__("larder", name=name)
        self.binary = binary

    def _argv(self, port):
        return [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--loglevel", "warning"]


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", default=None, help="larder-server binary without keyspace notifications")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=1000000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--data-size", type=int, default=32)
    ap.add_argument("--keyspace", type=int, default=100000)
    ap.add_argument("--timeout", type=float, default=120.0)
    a = ap.parse_args()
    a.benchmark_threads = None
    return a


def main():
    args = parse_args()
    current = os.environ.get("LARDER_BIN", benchlib.DEFAULT_LARDER_BIN)
    servers = [Larder(current, "Larder (off)")]
    if args.before:
        servers.append(Larder(args.before, "Larder before"))
    servers.append(Server("redis"))
    kea = Larder(current, "Larder (KEA)")
    servers.append(kea)
    for s in servers:
        s.start()
        throughput.preload(s, args)
    with Conn(kea.port) as c:
        c.cmd("CONFIG", "SET", "notify-keyspace-events", "KEA")
    rps = {(s.name, t): [] for s in servers for t in ("set", "get")}
    for r in range(args.rounds):
        for test in ("set", "get"):
            for s in servers:
                res = throughput.run_one(s, test, 16, args.requests, args)
                rps[(s.name, test)].append(res["rps"])
                log("round %d %s %s: %.0f rps" % (r + 1, s.name, test.upper(), res["rps"]))
    rows = []
    for test in ("set", "get"):
        m = {s.name: median(rps[(s.name, test)]) for s in servers}
        row = [test.upper() + " -P 16"] + [fmt(m[s.name], "{:,.0f}") for s in servers]
        row.append(fmt(ratio(m["Larder (off)"], m["Larder before"]), "{:.3f}") if args.before else "-")
        row.append(fmt(ratio(m["Larder (off)"], m["Redis"]), "{:.2f}"))
        rows.append(row)
    headers = ["test"] + [s.name + " rps" for s in servers] + ["off/before", "off/Redis"]
    print(benchlib.md_table(headers, rows))
    print("\nmedians of %d alternating rounds, %d requests each, -c %d, -d %d"
          % (args.rounds, args.requests, args.clients, args.data_size))


if __name__ == "__main__":
    benchlib.run_main(main)
