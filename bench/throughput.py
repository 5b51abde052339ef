#!/usr/bin/python3
"""Side-by-side SET/GET throughput of Larder vs redis-server, via redis-benchmark.

For every (test, pipeline depth) pair it runs redis-benchmark alternately
against Redis and Larder (R, L, R, L, ... `--rounds` times each), parses
requests/s and latency percentiles from redis-benchmark's --csv output, and
measures the server's CPU time (utime+stime from /proc/PID/stat) per million
requests.  Prints a Markdown table of medians and writes all raw numbers to
bench/out/throughput-<timestamp>.json.

Both servers are started once per script run on free loopback ports and kept
for all tests (use --fresh-per-test to restart them for every test/depth
pair).  Right after (re)start each server is pre-loaded with every key of the
benchmark keyspace (key:000000000000 .. key:<keyspace-1>, --data-size bytes
each) so GET always hits and SET always overwrites; SET runs before GET.
"""

import argparse
import csv
import datetime
import io
import json
import os
import platform
import subprocess
import sys
import time

import benchlib
from benchlib import BenchError, Server, fmt, log, median, ratio

# redis-benchmark stderr lines that are harmless (Larder may not implement
# CONFIG GET, which redis-benchmark only uses to print a warning).
BENIGN_STDERR = ("WARNING: Could not fetch server CONFIG",)


def parse_args():
    ap = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=benchlib.ENV_HELP)
    ap.add_argument("--rounds", type=int, default=3,
                    help="runs per server per test/depth, alternating R,L,R,L (default 3)")
    ap.add_argument("--tests", default="set,get",
                    help="comma list of redis-benchmark tests (default set,get)")
    ap.add_argument("--pipelines", default="1,16",
                    help="comma list of pipeline depths -P (default 1,16)")
    ap.add_argument("-n", "--requests", type=int, default=200000,
                    help="requests per run at -P 1 (default 200000)")
    ap.add_argument("--requests-pipelined", type=int, default=2000000,
                    help="requests per run at -P > 1 (default 2000000)")
    ap.add_argument("--warmup-requests", type=int, default=20000,
                    help="unrecorded warm-up run per server per test/depth (0 = off; default 20000)")
    ap.add_argument("-c", "--clients", type=int, default=50,
                    help="redis-benchmark -c (default 50)")
    ap.add_argument("-d", "--data-size", type=int, default=32,
                    help="value size in bytes, redis-benchmark -d (default 32)")
    ap.add_argument("-r", "--keyspace", type=int, default=100000,
                    help="redis-benchmark -r keyspace, pre-loaded before tests (default 100000)")
    ap.add_argument("--larder-threads", type=int, default=None, metavar="N",
                    help="pass --threads N to larder-server")
    ap.add_argument("--benchmark-threads", type=int, default=None, metavar="N",
                    help="pass --threads N to redis-benchmark (default: not passed, 1 thread)")
    ap.add_argument("--fresh-per-test", action="store_true",
                    help="restart (and re-preload) both servers for every test/depth pair")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="kill a single redis-benchmark run after this many seconds (default 120)")
    ap.add_argument("--out", default=None,
                    help="JSON output path (default bench/out/throughput-<timestamp>.json)")
    ap.add_argument("--no-json", action="store_true", help="do not write the JSON file")
    ap.add_argument("--maxmemory", default=None, metavar="BYTES",
                    help="run both servers under this maxmemory (e.g. 10mb), evicting")
    ap.add_argument("--maxmemory-policy", default="allkeys-lfu", metavar="POLICY",
                    help="with --maxmemory: the policy of both servers (Larder-only names "
                    "such as allkeys-tinylfu go to Larder; Redis then runs allkeys-lfu)")
    ap.add_argument("--pin", action="store_true",
                    help="run both servers on the last CPU and redis-benchmark on the others "
                    "(taskset-style), so neither competes with the client for a core")
    a = ap.parse_args()
    a.tests = [t.strip().lower() for t in a.tests.split(",") if t.strip()]
    a.pipelines = [int(p) for p in a.pipelines.split(",") if p.strip()]
    if a.rounds < 1 or not a.tests or not a.pipelines:
        ap.error("need --rounds >= 1 and at least one test and pipeline depth")
    if a.keyspace < 1 or a.requests < 1 or a.requests_pipelined < 1:
        ap.error("--keyspace/--requests must be positive")
    # GET must run after SET (SET first keeps GET results on a loaded keyspace)
    order = {"set": 0, "get": 1}
    a.tests.sort(key=lambda t: order.get(t, 2))
    a.server_cpus = a.client_cpus = None
    if a.pin:
        split = benchlib.pin_split()
        if split is None:
            ap.error("--pin needs at least two CPUs")
        a.server_cpus, a.client_cpus = split
    return a


def preload(srv, args):
    t0 = time.monotonic()
    value = b"x" * args.data_size
    n = benchlib.pipelined_set(srv.port, args.keyspace,
                               lambda i: b"key:%012d" % i, lambda i: value)
    log("  preloaded %d keys into %s in %.1fs" % (n, srv.name, time.monotonic() - t0))


def limit_memory(srv, args):
    policy = args.maxmemory_policy
    if srv.kind == "redis" and policy.endswith(("-tinylfu", "-sieve")):
        policy = "allkeys-lfu"
    conn = benchlib.Conn(srv.port)
    for name, value in (("maxmemory-policy", policy), ("maxmemory", args.maxmemory)):
        reply = conn.cmd("CONFIG", "SET", name, value)
        if reply != "OK":
            raise BenchError("%s: CONFIG SET %s %s: %r" % (srv.name, name, value, reply))
    conn.close()
    log("  %s: maxmemory %s, %s" % (srv.name, args.maxmemory, policy))


def start_servers(args):
    servers = [Server("redis", cpus=args.server_cpus),
               Server("larder", larder_threads=args.larder_threads, cpus=args.server_cpus)]
    for s in servers:
        s.start()
        log("  started %s pid %d port %d: %s" % (s.name, s.pid, s.port, s.describe()))
        if args.maxmemory:
            limit_memory(s, args)
        preload(s, args)
    return servers


def parse_csv(stdout, test):
    """The row of `test`: its name, or "NAME (...)" as in "LRANGE_100 (first
    100 elements)", or a custom command line."""
    rows = list(csv.DictReader(io.StringIO(stdout)))
    for r in rows:
        name = r.get("test", "").strip().upper()
        if name == test.upper() or name.startswith(test.upper() + " ("):
            out = {}
            for col, key in (("rps", "rps"), ("avg_latency_ms", "avg_ms"),
                             ("min_latency_ms", "min_ms"), ("p50_latency_ms", "p50_ms"),
                             ("p95_latency_ms", "p95_ms"), ("p99_latency_ms", "p99_ms"),
                             ("max_latency_ms", "max_ms")):
                v = r.get(col)
                try:
                    out[key] = float(v) if v not in (None, "") else None
                except ValueError:
                    out[key] = None
            if not out.get("rps"):
                raise BenchError("no rps in redis-benchmark CSV row: %r" % r)
            return out
    raise BenchError("redis-benchmark CSV has no %s row:\n%s" % (test.upper(), stdout))


def add_run_options(ap):
    """The options of the scripts that call preload() and run_one() but have
    no parser of their own for them (scripting.py, tls.py)."""
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--keyspace", type=int, default=100000)
    ap.add_argument("--data-size", type=int, default=32)
    ap.add_argument("--larder-threads", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--benchmark-threads", type=int, default=0)


def run_one(srv, test, depth, nreq, args, command=None, port=None, client_args=()):
    """One redis-benchmark run of -t test, or of the custom command line
    `command` (a list of arguments; `test` is then only its name here).
    port: another port of srv's (its TLS port); client_args: more
    redis-benchmark options (--tls ...)."""
    srv.check_alive("before %s -P %d" % (test, depth))
    argv = [benchlib.REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(port or srv.port)] + list(client_args)
    argv += ["-c", str(args.clients), "-d", str(args.data_size),
            "-r", str(args.keyspace), "-n", str(nreq)]
    argv += ["-t", test] if command is None else []
    argv += ["-P", str(depth), "--csv"] + list(command or [])
    if args.benchmark_threads:
        argv += ["--threads", str(args.benchmark_threads)]
    cpu0 = srv.cpu_seconds()
    t0 = time.monotonic()
    try:
        # redis-benchmark busy-loops forever if the server is unreachable,
        # so every run is bounded by a timeout.
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=args.timeout,
                           preexec_fn=benchlib.child_setup(args.client_cpus))
    except subprocess.TimeoutExpired:
        srv.check_alive("during %s -P %d" % (test, depth))
        raise BenchError("redis-benchmark timed out after %.0fs against %s: %s"
                         % (args.timeout, srv.name, " ".join(argv)))
    wall = time.monotonic() - t0
    cpu1 = srv.cpu_seconds() if srv.alive() else None
    bad, warn = [], []
    for line in p.stderr.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith(BENIGN_STDERR):
            warn.append(line)
        else:
            bad.append(line)   # any other stderr output ("Error from server: ERR ...", ...)
    if p.returncode != 0 or bad:
        if not srv.alive():
            raise BenchError("%s died during %s -P %d (rc=%s); redis-benchmark said: %s"
                             "\n--- server log ---\n%s"
                             % (srv.name, test, depth, srv.proc.returncode,
                                " | ".join(bad[:5]), srv.log_tail()))
        raise BenchError("redis-benchmark failed against %s (rc=%d): %s\n--- stderr ---\n%s"
                         "\n--- stdout ---\n%s" % (srv.name, p.returncode, " ".join(argv),
                                                   "\n".join(bad[:20]), p.stdout[-2000:]))
    srv.check_alive("after %s -P %d" % (test, depth))
    res = parse_csv(p.stdout, test if command is None else " ".join(command))
    res.update({
        "server": srv.name, "test": test.upper(), "depth": depth, "requests": nreq,
        "wall_s": round(wall, 3),
        "server_cpu_s": round(cpu1 - cpu0, 3),
        "cpu_s_per_mreq": (cpu1 - cpu0) / (nreq / 1e6),
        "warnings": warn,
    })
    return res


def summarize(runs, tests, depths):
    rows, summary = [], []
    for test in tests:
        for depth in depths:
            sel = {name: [r for r in runs if r["server"] == name and
                          r["test"] == test.upper() and r["depth"] == depth]
                   for name in ("Redis", "Larder")}
            m = {name: {k: median([r[k] for r in rs])
                        for k in ("rps", "p50_ms", "p99_ms", "max_ms", "cpu_s_per_mreq")}
                 for name, rs in sel.items()}
            R, L = m["Redis"], m["Larder"]
            entry = {"test": test.upper(), "depth": depth,
                     "redis": R, "larder": L,
                     "rps_ratio": ratio(L["rps"], R["rps"]),
                     "cpu_ratio": ratio(L["cpu_s_per_mreq"], R["cpu_s_per_mreq"]),
                     "n_runs": {k: len(v) for k, v in sel.items()}}
            summary.append(entry)
            rows.append([
                test.upper(), depth,
                fmt(R["rps"], "{:,.0f}"), fmt(L["rps"], "{:,.0f}"),
                fmt(entry["rps_ratio"], "{:.2f}x"),
                fmt(R["p99_ms"], "{:.3f}"), fmt(L["p99_ms"], "{:.3f}"),
                fmt(R["max_ms"], "{:.2f}"), fmt(L["max_ms"], "{:.2f}"),
                fmt(R["cpu_s_per_mreq"], "{:.2f}"), fmt(L["cpu_s_per_mreq"], "{:.2f}"),
                fmt(entry["cpu_ratio"], "{:.2f}x"),
            ])
    headers = ["test", "-P", "Redis rps", "Larder rps", "L/R rps",
               "Redis p99 ms", "Larder p99 ms", "Redis max ms", "Larder max ms",
               "Redis CPU s/Mreq", "Larder CPU s/Mreq", "L/R CPU"]
    return benchlib.md_table(headers, rows, n_left=1), summary


def main():
    args = parse_args()
    started = datetime.datetime.now()
    load0 = os.getloadavg()
    log("throughput: tests=%s depths=%s rounds=%d clients=%d size=%d keyspace=%d"
        % (",".join(args.tests), ",".join(map(str, args.pipelines)), args.rounds,
           args.clients, args.data_size, args.keyspace))
    for kind in ("redis", "larder"):
        Server(kind).preflight()
    runs = []
    seen_warnings = set()
    servers = None
    pairs = [(t, d) for t in args.tests for d in args.pipelines]
    try:
        for (test, depth) in pairs:
            if servers is None or args.fresh_per_test:
                for s in servers or []:
                    s.stop()
                servers = start_servers(args)
            nreq = args.requests if depth <= 1 else args.requests_pipelined
            if args.warmup_requests > 0:
                for srv in servers:
                    run_one(srv, test, depth, args.warmup_requests, args)
            for rnd in range(1, args.rounds + 1):
                for srv in servers:            # Redis, Larder, Redis, Larder, ...
                    r = run_one(srv, test, depth, nreq, args)
                    r["round"] = rnd
                    runs.append(r)
                    log("  %-3s -P %-3d round %d %-6s %12s rps  p50 %s  p99 %s  max %s ms"
                        "  cpu %.2fs/Mreq  (%.1fs)"
                        % (test.upper(), depth, rnd, srv.name, "{:,.0f}".format(r["rps"]),
                           fmt(r["p50_ms"], "{:.3f}"), fmt(r["p99_ms"], "{:.3f}"),
                           fmt(r["max_ms"], "{:.2f}"), r["cpu_s_per_mreq"], r["wall_s"]))
                    for w in r["warnings"]:
                        if (srv.name, w) not in seen_warnings:   # show each once
                            seen_warnings.add((srv.name, w))
                            log("    (redis-benchmark vs %s: %s; harmless, shown once)"
                                % (srv.name, w))
        server_desc = {s.name: s.describe() for s in servers}
    finally:
        for s in servers or []:
            s.stop()

    table, summary = summarize(runs, args.tests, args.pipelines)
    load1 = os.getloadavg()
    print()
    print("Medians of %d alternating runs per server (ratio = Larder / Redis; "
          "rps: higher is better, CPU: lower is better)." % args.rounds)
    pinned = ("; servers on CPU %s, redis-benchmark on %s"
              % (",".join(map(str, sorted(args.server_cpus))), ",".join(map(str, sorted(args.client_cpus))))
              if args.pin else "")
    print("clients=%d, value=%dB, keyspace=%d, requests/run: %d at -P 1, %d pipelined; "
          "larder threads: %s%s%s"
          % (args.clients, args.data_size, args.keyspace, args.requests,
             args.requests_pipelined, args.larder_threads or "default", pinned,
             "  [LARDER_AS_REDIS=1: 'Larder' is redis-server]"
             if os.environ.get("LARDER_AS_REDIS", "") not in ("", "0") else ""))
    print()
    print(table)
    print()
    print("loadavg before %.2f, after %.2f (2 shared cores: treat ratios within ~10%% as noise)"
          % (load0[0], load1[0]))

    if not args.no_json:
        path = args.out or os.path.join(
            benchlib.OUT_DIR, "throughput-%s.json" % started.strftime("%Y%m%d-%H%M%S"))
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        doc = {
            "benchmark": "throughput", "started": started.isoformat(timespec="seconds"),
            "config": {k: v for k, v in vars(args).items() if k not in ("out", "no_json")},
            "servers": server_desc,
            "larder_as_redis": os.environ.get("LARDER_AS_REDIS", "") not in ("", "0"),
            "host": {"nproc": os.cpu_count(), "kernel": platform.release(),
                     "loadavg_before": load0, "loadavg_after": load1},
            "redis_benchmark": benchlib.REDIS_BENCHMARK,
            "summary": summary, "runs": runs,
        }
        with open(path, "w") as f:
            json.dump(doc, f, indent=2)
        print("JSON: %s" % os.path.relpath(path))
    return 0


if __name__ == "__main__":
    benchlib.run_main(main)
