#!/usr/bin/python3
"""RDB snapshots of Larder vs redis-server on many small keys.

For each server: --keys keys ("key:" + 12 digits, as redis-benchmark -r
names them; --value-size byte values) are loaded with pipelined SETs, then

  * GET p99 (redis-benchmark -t get -r KEYS, --clients clients, --requests
    requests) without a save running: the baseline;
  * the same benchmark again with a BGSAVE started 0.2 s into it; the peak
    RSS while the save runs is sampled every 10 ms. For Redis the fork's
    copy-on-write memory (INFO rdb_last_cow_size) is added to the parent's
    RSS: that memory exists only in the child;
  * the file's size (both saved under --policy, whose IDLE or FREQ figures
    the files carry);
  * load speed: the server restarted on that file, timed from exec until
    INFO persistence says loading:0.

Ratios are Larder / Redis. Larder's goals (issue 17): GET p99 during BGSAVE
<= 1.5x its baseline, peak RSS during BGSAVE <= 1.1x before it, file size
<= Redis's, load at least as fast as Redis.
"""

import argparse
import os
import subprocess
import threading
import time

import benchlib
from benchlib import BenchError, Conn, Server, fmt, log, parse_info, ratio


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=benchlib.ENV_HELP)
    ap.add_argument("--keys", type=int, default=1000000, help="keys (default 1000000)")
    ap.add_argument("--value-size", type=int, default=16, help="value bytes (default 16)")
    ap.add_argument("--requests", type=int, default=300000, help="GETs per benchmark run (default 300000)")
    ap.add_argument("--clients", type=int, default=20, help="redis-benchmark clients (default 20)")
    ap.add_argument("--larder-threads", type=int, default=None, metavar="N")
    ap.add_argument("--policy", default="allkeys-lfu",
                    help="maxmemory-policy both servers save under (default allkeys-lfu: "
                         "both files then carry each key's LFU counter)")
    return ap.parse_args()


def info(port, section="persistence"):
    with Conn(port) as c:
        return parse_info(c.cmd("INFO", section))


def get_p99(port, args):
    """redis-benchmark GET over the loaded keys: p99 latency in ms."""
    out = subprocess.run([benchlib.REDIS_BENCHMARK, "-p", str(port), "-t", "get", "-r", str(args.keys),
                          "-n", str(args.requests), "-c", str(args.clients), "--csv"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600, check=True).stdout.decode()
    lines = [l.replace('"', "").split(",") for l in out.strip().splitlines()]
    header, row = lines[0], lines[-1]
    return float(row[header.index("p99_latency_ms")])


def measure(kind, args):
    srv = Server(kind, larder_threads=args.larder_threads).start()
    try:
        with Conn(srv.port) as c:
            c.cmd("CONFIG", "SET", "maxmemory-policy", args.policy)
        log("%s: loading %d keys" % (srv.name, args.keys))
        value = b"v" * args.value_size
        benchlib.pipelined_set(srv.port, args.keys, lambda i: b"key:%012d" % i, lambda i: value,
                               timeout=600)
        time.sleep(0.5)
        rss_before = srv.rss_kb()
        base_p99 = get_p99(srv.port, args)

        # The same benchmark with a BGSAVE started 0.2 s into it.
        result = {}
        bench = threading.Thread(target=lambda: result.setdefault("p99", get_p99(srv.port, args)))
        bench.start()
        time.sleep(0.2)
        with Conn(srv.port) as c:
            reply = c.cmd("BGSAVE")
        if reply != "Background saving started":
            raise BenchError("%s: BGSAVE replied %r" % (srv.name, reply))
        t0 = time.monotonic()
        peak = rss_before
        while True:
            peak = max(peak, srv.rss_kb())
            if info(srv.port).get("rdb_bgsave_in_progress") == "0":
                break
            time.sleep(0.01)
        save_s = time.monotonic() - t0
        bench.join()
        persistence = info(srv.port)
        if persistence.get("rdb_last_bgsave_status") != "ok":
            raise BenchError("%s: BGSAVE failed" % srv.name)
        cow_kb = int(persistence.get("rdb_last_cow_size", "0")) // 1024
        path = os.path.join(srv.workdir, "dump.rdb")
        size = os.path.getsize(path)

        # Load speed: a fresh process on the same file (same working dir).
        workdir = srv.workdir
        srv.workdir = None  # keep the directory for the restart
        srv.stop()
        srv.workdir = workdir
        load_s = restart_and_time_load(srv, workdir)
        return {
            "rss_before_mb": rss_before / 1024.0,
            "rss_peak_mb": (peak + cow_kb) / 1024.0,
            "base_p99": base_p99,
            "save_p99": result.get("p99"),
            "save_s": save_s,
            "size_mb": size / 1e6,
            "load_s": load_s,
        }
    finally:
        srv.stop()


def restart_and_time_load(srv, workdir):
    """Restarts `srv` in `workdir` (its dump.rdb loads) and times the load."""
    port = benchlib.free_port()
    argv = srv._argv(port)
    logf = open(os.path.join(workdir, "server-load.log"), "wb")
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, cwd=workdir, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=benchlib._set_pdeathsig)
    logf.close()
    srv.proc, srv.port = proc, port
    benchlib._servers.append(srv)
    deadline = t0 + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError("%s exited while loading (rc=%s)" % (srv.name, proc.returncode))
        try:
            if info(port).get("loading") == "0":
                return time.monotonic() - t0
        except (OSError, BenchError):
            pass
        time.sleep(0.005)
    raise BenchError("%s still loading after 600 s" % srv.name)


def main():
    args = parse_args()
    results = {kind: measure(kind, args) for kind in ("redis", "larder")}
    r, l = results["redis"], results["larder"]
    rows = [
        ("load time (s)", fmt(r["load_s"]), fmt(l["load_s"]), fmt(ratio(l["load_s"], r["load_s"]))),
        ("keys loaded per s (M)", fmt(args.keys / r["load_s"] / 1e6), fmt(args.keys / l["load_s"] / 1e6),
         fmt(ratio(r["load_s"], l["load_s"]))),
        ("GET p99 baseline (ms)", fmt(r["base_p99"], "{:.3f}"), fmt(l["base_p99"], "{:.3f}"),
         fmt(ratio(l["base_p99"], r["base_p99"]))),
        ("GET p99 during BGSAVE (ms)", fmt(r["save_p99"], "{:.3f}"), fmt(l["save_p99"], "{:.3f}"),
         fmt(ratio(l["save_p99"], r["save_p99"]))),
        ("  p99 during / baseline", fmt(ratio(r["save_p99"], r["base_p99"])),
         fmt(ratio(l["save_p99"], l["base_p99"])), ""),
        ("RSS before BGSAVE (MB)", fmt(r["rss_before_mb"], "{:.1f}"), fmt(l["rss_before_mb"], "{:.1f}"),
         fmt(ratio(l["rss_before_mb"], r["rss_before_mb"]))),
        ("peak RSS during BGSAVE (MB)", fmt(r["rss_peak_mb"], "{:.1f}"), fmt(l["rss_peak_mb"], "{:.1f}"),
         fmt(ratio(l["rss_peak_mb"], r["rss_peak_mb"]))),
        ("  peak / before", fmt(ratio(r["rss_peak_mb"], r["rss_before_mb"])),
         fmt(ratio(l["rss_peak_mb"], l["rss_before_mb"])), ""),
        ("BGSAVE time (s)", fmt(r["save_s"]), fmt(l["save_s"]), fmt(ratio(l["save_s"], r["save_s"]))),
        ("file size (MB)", fmt(r["size_mb"]), fmt(l["size_mb"]), fmt(ratio(l["size_mb"], r["size_mb"]))),
    ]
    print("%d keys, %d-byte values, GET with %d clients x %d requests, maxmemory-policy %s; load average %s" %
          (args.keys, args.value_size, args.clients, args.requests, args.policy,
           open("/proc/loadavg").read().split()[0]))
    print(benchlib.md_table(["", "Redis", "Larder", "Larder/Redis"], rows))
    return 0


if __name__ == "__main__":
    benchlib.run_main(main)
