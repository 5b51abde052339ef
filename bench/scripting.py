#!/usr/bin/python3
"""Lua scripting throughput, Larder vs redis-server (issue "Lua scripting and
functions"): EVALSHA and EVAL of a 3-line script doing GET + SET ... EX on a
random key of a preloaded keyspace, through redis-benchmark at -P 16 and
-P 1, rounds alternating Redis / Larder. EVAL sends the whole text each time
and hits the script cache. Prints medians, ratios and the goals (>= 1.2x at
-P 16, >= 1.0x at -P 1); JSON goes to bench/out/scripting-<timestamp>.json.

    bench/scripting.py            # 3 rounds, 500k requests at -P 16, 100k at -P 1
    bench/scripting.py --quick    # 1 round, a tenth of the requests
"""

import argparse
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import throughput  # noqa: E402
from benchlib import Conn, Server, fmt, log, median, ratio  # noqa: E402

SCRIPT = ("local v = redis.call('GET', KEYS[1])\n"
          "redis.call('SET', KEYS[1], ARGV[1], 'EX', 60)\n"
          "return v")
GOALS = {16: 1.2, 1: 1.0}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    throughput.add_run_options(ap)
    a = ap.parse_args()
    a.requests = {16: 500000, 1: 100000}
    if a.quick:
        a.rounds = 1
        a.requests = {16: 100000, 1: 20000}
    return a


def main():
    args = parse_args()
    servers = throughput.start_servers(args)
    shas = {}
    for s in servers:
        with Conn(s.port) as c:
            shas[s.name] = c.cmd("SCRIPT", "LOAD", SCRIPT)
            if isinstance(shas[s.name], bytes):
                shas[s.name] = shas[s.name].decode()
    if len(set(shas.values())) != 1:
        raise benchlib.BenchError("the servers disagree on the script's SHA-1: %r" % shas)
    sha = next(iter(shas.values()))
    value = "v" * args.data_size
    commands = {
        "EVALSHA": ["EVALSHA", sha, "1", "key:__rand_int__", value],
        "EVAL": ["EVAL", SCRIPT, "1", "key:__rand_int__", value],
    }
    runs = []
    for name, command in commands.items():
        for depth in (16, 1):
            for rnd in range(args.rounds):
                for s in servers:
                    res = throughput.run_one(s, name, depth, args.requests[depth], args, command=command)
                    res["round"] = rnd
                    runs.append(res)
                    log("  %-7s -P %-2d %-6s round %d: %s rps, p99 %s ms" %
                        (name, depth, s.name, rnd + 1, fmt(res["rps"], "{:,.0f}"), res.get("p99_ms")))
    for s in servers:
        s.stop()

    rows = []
    met = 0
    for name in commands:
        for depth in (16, 1):
            def med(server, key):
                return median([r[key] for r in runs if r["server"] == server and r["test"] == name and
                               r["depth"] == depth and r.get(key) is not None])
            rr, lr = med("Redis", "rps"), med("Larder", "rps")
            q = ratio(lr, rr)
            ok = q is not None and q >= GOALS[depth]
            met += ok
            rows.append([name, "-P %d" % depth, fmt(rr, "{:,.0f}"), fmt(lr, "{:,.0f}"), fmt(q) + "x",
                         "≥ %.1fx" % GOALS[depth], "met" if ok else "**missed**",
                         fmt(med("Redis", "cpu_s_per_mreq")), fmt(med("Larder", "cpu_s_per_mreq")),
                         fmt(med("Redis", "p99_ms"), "{:.3f}"), fmt(med("Larder", "p99_ms"), "{:.3f}")])
    print()
    print("Medians of %d alternating round(s); %d clients, keyspace %d, %d-byte values." %
          (args.rounds, args.clients, args.keyspace, args.data_size))
    print(benchlib.md_table(["command", "depth", "Redis rps", "Larder rps", "L/R", "goal", "status",
                             "Redis CPU s/Mreq", "Larder CPU s/Mreq", "Redis p99 ms", "Larder p99 ms"], rows))
    print("\nGoals met: %d of %d" % (met, len(rows)))
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "scripting-%s.json" % datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    with open(path, "w") as f:
        json.dump({"runs": runs, "script": SCRIPT}, f, indent=1)
    log("raw numbers: %s" % path)
    return 0


if __name__ == "__main__":
    benchlib.run_main(main)
