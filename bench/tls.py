#!/usr/bin/python3
"""SET/GET over TLS: Larder's TLS port against redis-server's, side by side.

Both servers get a plain port (for the preload) and a TLS port with the same
certificate (a throwaway CA made with `openssl` in a temp directory by
tests/support/tls_support.py; tls-auth-clients no); then `redis-benchmark --tls --cacert CA -t set|get -P D`
runs against each TLS port in alternating rounds (R, L, R, L, ...). Prints
medians of requests/s, server CPU s per million requests and p99 latency,
with the Larder/Redis ratio against the goal (>= 1.2x at -P 16).

  bench/tls.py [--rounds 3] [--pipelines 16,1] [--quick] [--larder-threads N]
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support"))
import benchlib  # noqa: E402
import throughput  # noqa: E402
from benchlib import Server, fmt, log, median, ratio  # noqa: E402
from tls_support import Certs  # noqa: E402  (the tests' throwaway CA)

GOAL = 1.2  # at -P 16


class TlsServer(Server):
    """A benchlib Server that also listens on a TLS port."""

    def __init__(self, kind, cert, key, ca, **kw):
        super().__init__(kind, **kw)
        self.tls_args = ["--tls-cert-file", cert, "--tls-key-file", key, "--tls-ca-cert-file", ca,
                         "--tls-auth-clients", "no"]
        self.tls_port = None

    def _start_once(self):
        self.tls_port = benchlib.free_port()
        super()._start_once()

    def _argv(self, port):
        return super()._argv(port) + ["--tls-port", str(self.tls_port or 0)] + self.tls_args


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=benchlib.ENV_HELP)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pipelines", default="16,1")
    ap.add_argument("--quick", action="store_true", help="1 round, fewer requests")
    ap.add_argument("-n", "--requests", type=int, default=None,
                    help="requests per run at -P > 1 (default 1000000; --quick 300000)")
    throughput.add_run_options(ap)
    a = ap.parse_args()
    a.depths = [int(d) for d in a.pipelines.split(",")]
    a.requests_pipelined = a.requests or (300000 if a.quick else 1000000)
    a.requests = {1: 100000}
    if a.quick:
        a.rounds = 1
        a.requests = {1: 20000}
    return a


def main():
    args = parse_args()
    certs = Certs()
    ca, cert, key = certs.ca, certs.server_cert, certs.server_key
    servers = [TlsServer("redis", cert, key, ca),
               TlsServer("larder", cert, key, ca, larder_threads=args.larder_threads)]
    for s in servers:
        s.start()
        log("  started %s pid %d port %d tls-port %d: %s" % (s.name, s.pid, s.port, s.tls_port, s.describe()))
        throughput.preload(s, args)
    client = ["--tls", "--cacert", ca]
    runs = []
    for depth in args.depths:
        nreq = args.requests.get(depth, args.requests_pipelined)
        for test in ("set", "get"):
            for rnd in range(args.rounds):
                for s in servers:
                    res = throughput.run_one(s, test, depth, nreq, args, port=s.tls_port, client_args=client)
                    runs.append(res)
                    log("  %-3s -P %-2d %-6s round %d: %s rps" % (test, depth, s.name, rnd + 1,
                                                                 fmt(res["rps"], "{:,.0f}")))
    for s in servers:
        s.stop()

    rows = []
    for depth in args.depths:
        for test in ("SET", "GET"):
            def med(server, k):
                return median([r[k] for r in runs if r["server"] == server and r["test"] == test and
                               r["depth"] == depth and r.get(k) is not None])
            q = ratio(med("Larder", "rps"), med("Redis", "rps"))
            goal = "≥ %.1fx %s" % (GOAL, "met" if q is not None and q >= GOAL else "**missed**") \
                if depth == 16 else ""
            rows.append([test, "-P %d" % depth, fmt(med("Redis", "rps"), "{:,.0f}"),
                         fmt(med("Larder", "rps"), "{:,.0f}"), fmt(q) + "x", goal,
                         fmt(med("Redis", "cpu_s_per_mreq")), fmt(med("Larder", "cpu_s_per_mreq")),
                         fmt(med("Redis", "p99_ms"), "{:.3f}"), fmt(med("Larder", "p99_ms"), "{:.3f}")])
    print()
    print("TLS (redis-benchmark --tls): medians of %d alternating round(s); %d clients, keyspace %d, "
          "%d-byte values, nproc %d." % (args.rounds, args.clients, args.keyspace, args.data_size,
                                         os.cpu_count()))
    print(benchlib.md_table(["test", "depth", "Redis rps", "Larder rps", "L/R", "goal", "Redis CPU s/Mreq",
                             "Larder CPU s/Mreq", "Redis p99 ms", "Larder p99 ms"], rows))
    return 0


if __name__ == "__main__":
    benchlib.run_main(main)
