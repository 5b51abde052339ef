#!/usr/bin/python3
"""SET/GET with client-side caching (CLIENT TRACKING) on every client, Larder
vs redis-server (issue "Pub/Sub, keyspace notifications, client-side caching
and MONITOR"):

    bench/tracking.py [--requests 1000000] [--clients 50] [--keyspace 10000]
                      [--rounds 3] [--threads N]

redis-benchmark -3 --enable-tracking -P 16: every connection speaks RESP3 and
sends CLIENT TRACKING ON first, so each GET remembers its key for its client
and each SET of a key read before sends `invalidate` push frames to every
client that read it. Each round runs GET (fills the tracking table), SET
(invalidates), GET again on a fresh pair of servers, Redis then Larder; the
figure per test is the median requests/s over the rounds, and the report gives
Larder/Redis per test and for the whole (goal >= 1.2x). After each run the
server's INFO must show tracking_clients 0 and a non-empty tracking table (the
workload really tracked).
"""

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import BenchError, Conn, Server, log  # noqa: E402

GOAL = 1.2  # Larder / Redis requests per second


def benchmark(port, test, requests, clients, keyspace):
    argv = ["redis-benchmark", "-p", str(port), "-3", "--enable-tracking", "-P", "16",
            "-c", str(clients), "-n", str(requests), "-r", str(keyspace), "-t", test, "--csv"]
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if p.returncode != 0:
        raise BenchError("%s failed: %s" % (" ".join(argv), p.stderr.decode(errors="replace")[-500:]))
    for line in p.stdout.decode().splitlines():
        cells = [c.strip('"') for c in line.split(",")]
        if cells and cells[0] == test.upper():
            return float(cells[1])
    raise BenchError("no %s line in redis-benchmark output: %r" % (test, p.stdout[-300:]))


def tracking_info(port):
    with Conn(port) as c:
        info = benchlib.parse_info(c.cmd("INFO", "everything"))
    return int(info["tracking_total_keys"]), int(info["tracking_clients"])


def one_round(server, requests, clients, keyspace):
    out = {}
    for phase, test in (("get", "get"), ("set", "set"), ("get2", "get")):
        out[phase] = benchmark(server.port, test, requests, clients, keyspace)
        if phase == "get":
            keys, now_tracking = tracking_info(server.port)
            if keys == 0 or now_tracking != 0:
                raise BenchError("%s: after GET, tracking_total_keys=%d tracking_clients=%d"
                                 % (server.name, keys, now_tracking))
    return out


def run(requests=1000000, clients=50, keyspace=10000, rounds=3, threads=None):
    runs = {"redis": [], "larder": []}
    desc = {}
    for r in range(rounds):
        for kind in ("redis", "larder"):
            s = Server(kind, larder_threads=threads).start()
            try:
                desc[kind] = s.describe()
                res = one_round(s, requests, clients, keyspace)
                runs[kind].append(res)
                log("  round %d %-6s GET %.0f/s  SET %.0f/s  GET again %.0f/s"
                    % (r + 1, kind, res["get"], res["set"], res["get2"]))
            finally:
                s.stop()
    summary = {"servers": desc, "runs": runs, "ratios": {}}
    for phase in ("get", "set", "get2"):
        R = benchlib.median([x[phase] for x in runs["redis"]])
        L = benchlib.median([x[phase] for x in runs["larder"]])
        summary[phase] = (R, L)
        summary["ratios"][phase] = benchlib.ratio(L, R)
    # The whole: requests of the three phases over their time.
    def total(kind):
        return benchlib.median([3.0 / sum(1.0 / x[p] for p in ("get", "set", "get2")) for x in runs[kind]])
    summary["ratio"] = benchlib.ratio(total("larder"), total("redis"))
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=1000000, help="requests per redis-benchmark run")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--keyspace", type=int, default=10000, help="redis-benchmark -r")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None, help="Larder --threads")
    a = ap.parse_args()
    res = run(a.requests, a.clients, a.keyspace, a.rounds, a.threads)
    print("| test (-P 16, -c %d, -r %d, tracking on) | Redis req/s | Larder req/s | Larder/Redis |"
          % (a.clients, a.keyspace))
    print("|---|---|---|---|")
    for phase, name in (("get", "GET (tracks)"), ("set", "SET (invalidates)"), ("get2", "GET again")):
        R, L = res[phase]
        print("| %s | %.0f | %.0f | %.2fx |" % (name, R, L, res["ratios"][phase]))
    print("whole: Larder/Redis %.2fx (goal >= %.1fx: %s)"
          % (res["ratio"], GOAL, "met" if res["ratio"] >= GOAL else "missed"))
    return 0 if res["ratio"] >= GOAL else 2


if __name__ == "__main__":
    benchlib.run_main(main)
