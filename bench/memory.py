#!/usr/bin/python3
"""Resident memory per key of Larder vs redis-server.

For each mode (plain `SET k v`, and `SET k v EX 3600`) and each server, a
fresh server is started on a free loopback port, VmRSS is read from
/proc/PID/status after a PING (baseline), --keys keys are loaded with a
pipelined raw-socket RESP writer (--batch commands per sendall(), then all
replies are read and must all be +OK), and VmRSS is read again:

    bytes/key = (VmRSS_after - VmRSS_before) / keys

Keys are exactly 12 bytes ("k:" + 10 digits), values exactly --value-size
bytes (default 32, distinct per key).  Redis's own INFO memory `used_memory`
delta per key is printed for reference (also for Larder if it answers
INFO memory with a used_memory field).
"""

import argparse
import datetime
import json
import os
import time

import benchlib
from benchlib import BenchError, Conn, RespError, Server, fmt, log, ratio

MODES = {
    "plain": ("SET k v", ()),
    "ttl": ("SET k v EX 3600", (b"EX", b"3600")),
}


def parse_args():
    ap = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=benchlib.ENV_HELP)
    ap.add_argument("--keys", type=int, default=1000000,
                    help="keys to load per server and mode (default 1000000)")
    ap.add_argument("--value-size", type=int, default=32,
                    help="value size in bytes (default 32)")
    ap.add_argument("--batch", type=int, default=10000,
                    help="commands per pipelined sendall() (default 10000)")
    ap.add_argument("--modes", default="plain,ttl",
                    help="comma list of modes: plain, ttl (default plain,ttl)")
    ap.add_argument("--larder-threads", type=int, default=None, metavar="N",
                    help="pass --threads N to larder-server")
    ap.add_argument("--settle", type=float, default=0.5,
                    help="seconds to wait before each RSS reading (default 0.5)")
    ap.add_argument("--out", default=None,
                    help="JSON output path (default bench/out/memory-<timestamp>.json)")
    ap.add_argument("--no-json", action="store_true", help="do not write the JSON file")
    a = ap.parse_args()
    a.modes = [m.strip() for m in a.modes.split(",") if m.strip()]
    for m in a.modes:
        if m not in MODES:
            ap.error("unknown mode %r (choose from %s)" % (m, ", ".join(MODES)))
    if a.keys < 1 or a.batch < 1 or a.value_size < 1 or not a.modes:
        ap.error("--keys, --batch, --value-size must be positive")
    if a.keys > 10 ** 10:
        ap.error("--keys must fit in 10 digits")
    return a


def used_memory(srv):
    """INFO memory used_memory in bytes, or None if the server has no such field."""
    c = Conn(srv.port)
    try:
        r = c.cmd("INFO", "memory")
    finally:
        c.close()
    if isinstance(r, RespError) or not isinstance(r, str):
        return None
    v = benchlib.parse_info(r).get("used_memory")
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def dbsize(srv):
    c = Conn(srv.port)
    try:
        r = c.cmd("DBSIZE")
    finally:
        c.close()
    return r if isinstance(r, int) else None


def spot_check(srv, mode, key, value, n):
    """GET (and TTL, in ttl mode) a few loaded keys: the data must really be there."""
    c = Conn(srv.port)
    try:
        for i in sorted({0, n // 2, n - 1}):
            got = c.cmd("GET", key(i))
            if got != value(i).decode():
                raise BenchError("%s: GET %s returned %r, expected %r"
                                 % (srv.name, key(i).decode(), got, value(i).decode()))
            if mode == "ttl":
                ttl = c.cmd("TTL", key(i))
                if not isinstance(ttl, int) or not 0 < ttl <= 3600:
                    raise BenchError("%s: TTL %s returned %r, expected 1..3600"
                                     % (srv.name, key(i).decode(), ttl))
    finally:
        c.close()


def rss_growth(srv, load, check, settle):
    """VmRSS (and INFO used_memory) of the freshly started srv before and after
    load(); check() must then find the data really there (raises BenchError).
    Returns a dict: rss_before_kb, rss_after_kb, used_memory_before/after, load_s."""
    c = Conn(srv.port)
    try:
        if c.cmd("PING") != "PONG":
            raise BenchError("%s: PING failed" % srv.name)
    finally:
        c.close()
    time.sleep(settle)
    rss0 = srv.rss_kb()
    um0 = used_memory(srv)
    t0 = time.monotonic()
    load()
    load_s = time.monotonic() - t0
    srv.check_alive("after loading")
    check()
    time.sleep(settle)
    return {"rss_before_kb": rss0, "rss_after_kb": srv.rss_kb(),
            "used_memory_before": um0, "used_memory_after": used_memory(srv),
            "load_s": round(load_s, 2), "server_cmd": srv.describe()}


def measure(kind, mode, args):
    srv = Server(kind, larder_threads=args.larder_threads)
    srv.start()
    try:
        vsz = args.value_size
        pad = b"v" * vsz

        def key(i):
            return b"k:%010d" % i                      # exactly 12 bytes

        def value(i):
            return (b"%010d" % i + pad)[:vsz]          # exactly vsz bytes, distinct

        def load():
            n_ok = benchlib.pipelined_set(srv.port, args.keys, key, value,
                                          extra=MODES[mode][1], batch=args.batch)
            if n_ok != args.keys:
                raise BenchError("%s: %d +OK replies, expected %d"
                                 % (srv.name, n_ok, args.keys))

        n_db = []

        def check():
            n_db.append(dbsize(srv))
            if n_db[0] is not None and n_db[0] != args.keys:
                raise BenchError("%s: DBSIZE %d after loading %d keys"
                                 % (srv.name, n_db[0], args.keys))
            spot_check(srv, mode, key, value, args.keys)

        g = rss_growth(srv, load, check, args.settle)
        rss0, rss1, um0, um1 = (g["rss_before_kb"], g["rss_after_kb"],
                                g["used_memory_before"], g["used_memory_after"])
        res = {
            "server": srv.name, "mode": mode, "keys": args.keys,
            "rss_before_kb": rss0, "rss_after_kb": rss1,
            "rss_bytes_per_key": (rss1 - rss0) * 1024.0 / args.keys,
            "used_memory_before": um0, "used_memory_after": um1,
            "used_memory_bytes_per_key":
                (um1 - um0) / args.keys if um0 is not None and um1 is not None else None,
            "dbsize": n_db[0], "load_s": g["load_s"],
            "server_cmd": g["server_cmd"],
        }
        log("  %-5s %-6s RSS %7.1f -> %7.1f MiB  = %6.1f B/key   used_memory %s B/key"
            "   (load %.1fs, %.0f keys/s)"
            % (mode, srv.name, rss0 / 1024.0, rss1 / 1024.0, res["rss_bytes_per_key"],
               fmt(res["used_memory_bytes_per_key"], "{:.1f}"), g["load_s"],
               args.keys / max(g["load_s"], 1e-3)))
        return res
    finally:
        srv.stop()


def main():
    args = parse_args()
    started = datetime.datetime.now()
    log("memory: keys=%d key=12B value=%dB modes=%s batch=%d"
        % (args.keys, args.value_size, ",".join(args.modes), args.batch))
    for kind in ("redis", "larder"):
        Server(kind).preflight()
    results = []
    for mode in args.modes:
        for kind in ("redis", "larder"):
            results.append(measure(kind, mode, args))

    rows, summary = [], []
    for mode in args.modes:
        R = next(r for r in results if r["mode"] == mode and r["server"] == "Redis")
        L = next(r for r in results if r["mode"] == mode and r["server"] == "Larder")
        rr = ratio(L["rss_bytes_per_key"], R["rss_bytes_per_key"])
        summary.append({"mode": mode, "redis_bytes_per_key": R["rss_bytes_per_key"],
                        "larder_bytes_per_key": L["rss_bytes_per_key"], "ratio": rr,
                        "redis_used_memory_bytes_per_key": R["used_memory_bytes_per_key"],
                        "larder_used_memory_bytes_per_key": L["used_memory_bytes_per_key"]})
        rows.append([MODES[mode][0], fmt(R["rss_bytes_per_key"], "{:.1f}"),
                     fmt(L["rss_bytes_per_key"], "{:.1f}"), fmt(rr, "{:.2f}x")])

    print()
    print("RSS growth per key: %d keys, 12-byte keys, %d-byte values "
          "(ratio = Larder / Redis, lower is better)%s"
          % (args.keys, args.value_size,
             "  [LARDER_AS_REDIS=1: 'Larder' is redis-server]"
             if os.environ.get("LARDER_AS_REDIS", "") not in ("", "0") else ""))
    print()
    print(benchlib.md_table(["mode", "Redis B/key", "Larder B/key", "L/R"], rows, n_left=1))
    print()
    print("Reference, INFO memory used_memory delta per key (allocator-requested bytes, "
          "not RSS):")
    for s in summary:
        print("  %-16s Redis %s B/key, Larder %s"
              % (MODES[s["mode"]][0], fmt(s["redis_used_memory_bytes_per_key"], "{:.1f}"),
                 fmt(s["larder_used_memory_bytes_per_key"], "{:.1f} B/key")
                 if s["larder_used_memory_bytes_per_key"] is not None
                 else "n/a (no INFO memory used_memory)"))

    if not args.no_json:
        path = args.out or os.path.join(
            benchlib.OUT_DIR, "memory-%s.json" % started.strftime("%Y%m%d-%H%M%S"))
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as f:
            json.dump({"benchmark": "memory", "started": started.isoformat(timespec="seconds"),
                       "config": {k: v for k, v in vars(args).items()
                                  if k not in ("out", "no_json")},
                       "larder_as_redis":
                           os.environ.get("LARDER_AS_REDIS", "") not in ("", "0"),
                       "summary": summary, "runs": results}, f, indent=2)
        print("JSON: %s" % os.path.relpath(path))
    return 0


if __name__ == "__main__":
    benchlib.run_main(main)
