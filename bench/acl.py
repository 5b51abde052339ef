#!/usr/bin/python3
"""SET/GET throughput with ACL checks (issue "Hardening and security", ACL users):

    bench/acl.py [--requests 2000000] [--clients 50] [--pipeline 16] [--rounds 3]

redis-benchmark -t set,get -P 16 against Redis and Larder, each as the default
user (every permission: Larder's check is one flag test) and as a restricted
user (`+@all -@dangerous ~key:*`: a command bit and a key pattern per
command), fresh servers each round, alternating; the report gives the medians
and the Larder/Redis ratios, and the server's CPU time per request (utime + stime
over the SET and GET requests), which a busy machine disturbs less than
throughput. With LARDER_BASELINE_BIN=<an older larder-server>
that binary runs too, as the default user, for a before/after comparison.
"""

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import BenchError, Conn, Server, log  # noqa: E402

USER, PASSWORD = "bench", "bench-pw"


def run_benchmark(port, args, user):
    argv = [benchlib.REDIS_BENCHMARK, "-p", str(port), "-t", "set,get", "-n", str(args.requests),
            "-c", str(args.clients), "-P", str(args.pipeline), "--csv"]
    if user:
        argv += ["--user", USER, "-a", PASSWORD]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise BenchError("redis-benchmark failed: %s" % out.stderr[-500:])
    rps = {}
    for row in csv.reader(io.StringIO(out.stdout)):
        if row and row[0] in ("SET", "GET"):
            rps[row[0]] = float(row[1])
    if set(rps) != {"SET", "GET"}:
        raise BenchError("unexpected redis-benchmark output: %r" % out.stdout[-500:])
    return rps


def one_round(kind, args, user, binary=None):
    old = os.environ.get("LARDER_BIN")
    if binary:
        os.environ["LARDER_BIN"] = binary
    try:
        srv = Server(kind).start()
    finally:
        if binary:
            if old is None:
                del os.environ["LARDER_BIN"]
            else:
                os.environ["LARDER_BIN"] = old
    try:
        if user:
            with Conn(srv.port) as c:
                r = c.cmd("ACL", "SETUSER", USER, "on", ">" + PASSWORD, "+@all", "-@dangerous", "~key:*")
                if r != "OK":
                    raise BenchError("ACL SETUSER: %r" % (r,))
        cpu_before = srv.cpu_seconds()
        rps = run_benchmark(srv.port, args, user)
        rps["cpu_us"] = (srv.cpu_seconds() - cpu_before) * 1e6 / (2 * args.requests)
        return rps
    finally:
        srv.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=benchlib.ENV_HELP)
    p.add_argument("--requests", type=int, default=2000000)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--pipeline", type=int, default=16)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    baseline = os.environ.get("LARDER_BASELINE_BIN")
    cases = [("Redis, default user", "redis", False, None), ("Larder, default user", "larder", False, None),
             ("Redis, restricted user", "redis", True, None), ("Larder, restricted user", "larder", True, None)]
    if baseline:
        cases.insert(2, ("Larder baseline, default user", "larder", False, baseline))
    results = {name: {"SET": [], "GET": [], "cpu_us": []} for name, *_ in cases}
    for rnd in range(args.rounds):
        for name, kind, user, binary in cases:
            rps = one_round(kind, args, user, binary)
            log("round %d %-30s SET %10.0f  GET %10.0f  CPU %.2f us/request"
                % (rnd + 1, name, rps["SET"], rps["GET"], rps["cpu_us"]))
            for t in ("SET", "GET", "cpu_us"):
                results[name][t].append(rps[t])
    med = {name: {t: statistics.median(v) for t, v in r.items()} for name, r in results.items()}
    rows = []
    for name, *_ in cases:
        redis_name = "Redis, restricted user" if "restricted" in name else "Redis, default user"
        rows.append([name] + ["%.0f" % med[name][t] for t in ("SET", "GET")] +
                    [benchlib.fmt(benchlib.ratio(med[name][t], med[redis_name][t])) for t in ("SET", "GET")] +
                    ["%.2f" % med[name]["cpu_us"]])
    print("redis-benchmark -t set,get -n %d -c %d -P %d, median of %d rounds\n"
          % (args.requests, args.clients, args.pipeline, args.rounds))
    print(benchlib.md_table(["server, user", "SET/s", "GET/s", "SET vs Redis", "GET vs Redis",
                             "server CPU us/request"], rows))
    return 0


if __name__ == "__main__":
    benchlib.run_main(main)
