#!/usr/bin/python3
"""bench/streams.py: streams, Larder against redis-server (issue #16).

  memory      RSS growth of one stream of --entries entries (1M) with two
              small fields each ("n" <i>, "v" <8 bytes>), loaded by pipelined
              XADD with explicit IDs on a fresh server each; the data is
              checked after (XLEN, XRANGE of a few entries). Goal: Larder's
              growth <= Redis's.
  throughput  redis-benchmark -c 50 -P 16 with custom command lines:
                XADD bench:add * f v            (the stream emptied before)
                XREAD COUNT 10 STREAMS bench:read __rand_int__
                                                (-r --entries, on a stream of
                                                 --entries entries "i-1")
              rps and server CPU seconds per million requests, alternating
              Redis and Larder for --rounds rounds; medians and Larder/Redis
              ratios. Goal: rps >= 1.3x. redis-benchmark shares the machine,
              so on 2 cores the client caps both servers' rps and the CPU
              figure shows the servers' own cost.

Prints one Markdown table; --json writes the runs. The machine is shared and
noisy: only ratios from the same run mean anything.
"""

import argparse
import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import memory  # noqa: E402
import throughput  # noqa: E402
from benchlib import BenchError, Conn, Server, log  # noqa: E402

GOAL_MEMORY = 1.0       # Larder RSS growth / Redis's, at most
GOAL_THROUGHPUT = 1.3   # Larder rps / Redis's, at least


def entry_args(key, i):
    return [b"XADD", key, b"%d-1" % i, b"n", b"%d" % i, b"v", b"val%05d" % (i % 100000)]


def stream_payload(key, n):
    return [(cnt, data, b"".join(b"$%d\r\n%d-1\r\n" % (len(b"%d-1" % i), i)
                                 for i in range(start, start + cnt)))
            for start, (cnt, data) in
            zip(range(1, n + 1, 1000), benchlib.command_payload(n, lambda i: entry_args(key, i + 1), 1000))]


def load(port, payload, timeout=120.0):
    """Sends stream_payload() batches; each batch's replies must be its IDs
    (bulk strings, so benchlib.send_payload's one-line replies do not fit)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        for _cnt, data, want in payload:
            sock.sendall(data)
            got = b""
            while len(got) < len(want):
                chunk = sock.recv(1 << 20)
                if not chunk:
                    raise BenchError("server closed the connection during the load")
                got += chunk
            if got != want:
                raise BenchError("unexpected XADD replies during the load: %r" % got[:200])
    finally:
        sock.close()


def check_stream(srv, key, n):
    with Conn(srv.port) as c:
        got = c.cmd("XLEN", key)
        if got != n:
            raise BenchError("%s: XLEN %s returned %r, expected %d" % (srv.name, key.decode(), got, n))
        for i in sorted({1, n // 2, n}):
            got = c.cmd("XRANGE", key, "%d-1" % i, "%d-1" % i)
            want = [["%d-1" % i, ["n", str(i), "v", "val%05d" % (i % 100000)]]]
            if got != want:
                raise BenchError("%s: XRANGE %s %d-1 returned %r, expected %r"
                                 % (srv.name, key.decode(), i, got, want))


def memory_case(kind, payload, n):
    srv = Server(kind)
    srv.start()
    try:
        g = memory.rss_growth(srv, lambda: load(srv.port, payload),
                              lambda: check_stream(srv, b"mem", n), 0.5)
    finally:
        srv.stop()
    g["growth_kb"] = g["rss_after_kb"] - g["rss_before_kb"]
    g["bytes_per_entry"] = g["growth_kb"] * 1024.0 / n
    log("  memory %-6s RSS %6.1f -> %6.1f MiB = %5.1f B/entry (load %.1fs)"
        % (srv.name, g["rss_before_kb"] / 1024.0, g["rss_after_kb"] / 1024.0, g["bytes_per_entry"], g["load_s"]))
    return g


class Args:
    """What throughput.run_one reads."""

    def __init__(self, a, keyspace):
        self.clients, self.data_size, self.keyspace = 50, 3, keyspace
        self.timeout, self.benchmark_threads = a.timeout, None


def run(a):
    n = a.entries
    log("streams: %d entries, %d rounds" % (n, a.rounds))
    payload = stream_payload(b"mem", n)
    mem = {kind: [memory_case(kind, payload, n) for _ in range(a.mem_rounds)] for kind in ("redis", "larder")}
    del payload

    servers = [Server("redis").start(), Server("larder").start()]
    tp = {("XADD", s.name): [] for s in servers}
    tp.update({("XREAD", s.name): [] for s in servers})
    cpu = {key: [] for key in tp}  # server CPU seconds per million requests
    try:
        read_payload = stream_payload(b"bench:read", n)
        for s in servers:
            load(s.port, read_payload)
            check_stream(s, b"bench:read", n)
        del read_payload
        targs = Args(a, n)
        for rnd in range(a.rounds):
            for s in servers:
                with Conn(s.port) as c:
                    c.cmd("DEL", "bench:add")
                r = throughput.run_one(s, "xadd", 16, a.requests, targs,
                                       command=["XADD", "bench:add", "*", "f", "v"])
                with Conn(s.port) as c:
                    added = c.cmd("XLEN", "bench:add")
                if not isinstance(added, int) or added < a.requests:
                    raise BenchError("%s: XLEN bench:add after %d XADDs is %r" % (s.name, a.requests, added))
                tp["XADD", s.name].append(r["rps"])
                cpu["XADD", s.name].append(r["cpu_s_per_mreq"])
                r = throughput.run_one(s, "xread", 16, a.requests, targs,
                                       command=["XREAD", "COUNT", "10", "STREAMS", "bench:read", "__rand_int__"])
                tp["XREAD", s.name].append(r["rps"])
                cpu["XREAD", s.name].append(r["cpu_s_per_mreq"])
                log("  round %d %-6s XADD %9.0f rps  XREAD %9.0f rps"
                    % (rnd + 1, s.name, tp["XADD", s.name][-1], tp["XREAD", s.name][-1]))
            check_stream(s, b"bench:read", n)
    finally:
        for s in servers:
            s.stop()

    med = benchlib.median
    rm = med([g["growth_kb"] for g in mem["redis"]])
    lm = med([g["growth_kb"] for g in mem["larder"]])
    rows = [["RSS growth, 1 stream of %dk entries (2 fields)" % (n // 1000), "%.1f MiB" % (rm / 1024.0),
             "%.1f MiB" % (lm / 1024.0), "%.2f" % (lm / rm), "<= %.1f" % GOAL_MEMORY,
             "met" if lm <= rm * GOAL_MEMORY else "missed"]]
    for test in ("XADD", "XREAD"):
        r, l = med(tp[test, "Redis"]), med(tp[test, "Larder"])
        label = {"XADD": "XADD s * f v, -P 16 -c 50 (rps)",
                 "XREAD": "XREAD COUNT 10 STREAMS s <random id>, -P 16 -c 50 (rps)"}[test]
        rows.append([label, "%.0f" % r, "%.0f" % l, "%.2f" % (l / r), ">= %.1f" % GOAL_THROUGHPUT,
                     "met" if l >= r * GOAL_THROUGHPUT else "missed"])
        rc, lc = med(cpu[test, "Redis"]), med(cpu[test, "Larder"])
        rows.append(["%s server CPU s per 1M requests" % test, "%.2f" % rc, "%.2f" % lc, "%.2f" % (lc / rc), "", ""])
    print(benchlib.md_table(["streams", "Redis", "Larder", "Larder/Redis", "goal", ""], rows))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"memory": mem, "throughput": {"%s %s" % k: v for k, v in tp.items()},
                       "cpu_s_per_mreq": {"%s %s" % k: v for k, v in cpu.items()}}, f, indent=1)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=1000000)
    ap.add_argument("--requests", type=int, default=1000000, help="redis-benchmark -n per run")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mem-rounds", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--json", help="write the runs here")
    a = ap.parse_args()
    benchlib.run_main(lambda: run(a))


if __name__ == "__main__":
    main()
