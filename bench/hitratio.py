#!/usr/bin/python3
"""Hit ratio under memory pressure: Larder's eviction policies vs Redis's.

A cache-aside client replays one seeded Zipf(0.99) stream of reads over
--keys keys (--value-size byte values) against a server limited to
--maxmemory: GET, and on a miss SET the value (the reads of a batch are
pipelined, then the misses of that batch are filled). The first --warmup
share of the stream fills the cache and is not counted. For each server and
policy a fresh server is started; reported are the hit ratio, the keys held
at the end, RSS, the server's own used_memory and evicted_keys.

Prints a Markdown table, writes JSON to bench/out/ and, when gnuplot is
installed, a PNG bar chart next to it.
"""

import argparse
import bisect
import json
import os
import random
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")


def zipf_stream(n_keys, n_requests, s, seed):
    rng = random.Random(seed)
    cdf, total = [], 0.0
    for rank in range(1, n_keys + 1):
        total += 1.0 / rank ** s
        cdf.append(total)
    # Ranks are mapped to key ids through a seeded permutation, so popular
    # keys are spread over the keyspace rather than numbered 0, 1, 2...
    ids = list(range(n_keys))
    rng.shuffle(ids)
    return [ids[bisect.bisect_left(cdf, rng.random() * total)] for _ in range(n_requests)]


def key_of(i):
    return b"obj:%d" % i


def value_of(i, size):
    stem = b"%d|" % i
    return (stem * (size // len(stem) + 1))[:size]


def replay(port, stream, value_size, warmup, batch):
    conn = bl.Conn(port, timeout=60)
    hits = misses = 0
    counted_from = int(len(stream) * warmup)
    for start in range(0, len(stream), batch):
        ids = stream[start:start + batch]
        conn.sock.sendall(b"".join(bl.Conn.encode(b"GET", key_of(i)) for i in ids))
        missed = []
        for offset, i in enumerate(ids):
            reply = conn.read_reply()
            if isinstance(reply, bl.RespError):
                raise bl.BenchError("GET failed: %s" % reply)
            if start + offset >= counted_from:
                if reply is None:
                    misses += 1
                else:
                    hits += 1
            if reply is None:
                missed.append(i)
        if missed:
            fills = list(dict.fromkeys(missed))
            conn.sock.sendall(b"".join(bl.Conn.encode(b"SET", key_of(i), value_of(i, value_size))
                                       for i in fills))
            for _ in fills:
                reply = conn.read_reply()
                if isinstance(reply, bl.RespError):
                    raise bl.BenchError("SET failed: %s" % reply)
    info = bl.parse_info(conn.cmd("INFO", "all"))
    keys = conn.cmd("DBSIZE")
    conn.close()
    return hits, misses, keys, info


def run_one(kind, policy, stream, args):
    server = bl.Server(kind).start()
    try:
        conn = bl.Conn(server.port)
        for name, value in (("maxmemory", args.maxmemory), ("maxmemory-policy", policy)):
            reply = conn.cmd("CONFIG", "SET", name, value)
            if isinstance(reply, bl.RespError):
                raise bl.BenchError("%s: CONFIG SET %s %s: %s" % (server.name, name, value, reply))
        conn.close()
        t0 = time.time()
        hits, misses, keys, info = replay(server.port, stream, args.value_size, args.warmup, args.batch)
        server.check_alive("after the replay")
        return {
            "server": server.name, "policy": policy,
            "hit_ratio": hits / max(1, hits + misses), "keys": keys,
            "rss_mb": server.rss_kb() / 1024.0,
            "used_memory_mb": int(info.get("used_memory", 0)) / 1048576.0,
            "evicted": int(info.get("evicted_keys", 0)),
            "seconds": time.time() - t0,
        }
    finally:
        server.stop()


def chart(results, png):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        bl.log("gnuplot not found: no chart (apt-get install gnuplot-nox)")
        return None
    data = png[:-4] + ".dat"
    with open(data, "w") as f:
        for r in results:
            f.write('"%s %s" %.2f\n' % (r["server"], r["policy"], 100 * r["hit_ratio"]))
    script = """
set terminal png size 900,500
set output '%s'
set title 'Hit ratio, cache-aside Zipf(0.99) at the same maxmemory'
set ylabel 'hit ratio (%%)'
set style fill solid 0.8
set boxwidth 0.6
set xtics rotate by -30
set yrange [0:100]
set grid ytics
plot '%s' using 0:2:xtic(1) with boxes notitle, '' using 0:($2+2):(sprintf('%%.1f',$2)) with labels notitle
""" % (png, data)
    subprocess.run([gnuplot], input=script.encode(), check=True)
    return png


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keys", type=int, default=200000)
    ap.add_argument("--requests", type=int, default=3000000)
    ap.add_argument("--value-size", type=int, default=200)
    ap.add_argument("--maxmemory", default="20mb")
    ap.add_argument("--zipf", type=float, default=0.99)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--warmup", type=float, default=1 / 3,
                    help="share of the stream not counted (the cache fills and settles)")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--larder-policies", default="allkeys-lru,allkeys-lfu,allkeys-random,allkeys-sieve")
    ap.add_argument("--redis-policies", default="allkeys-lru,allkeys-lfu")
    ap.add_argument("--no-json", action="store_true")
    args = ap.parse_args()

    for s in (bl.Server("redis"), bl.Server("larder")):
        s.preflight()
    bl.log("generating %d requests, Zipf(%.2f) over %d keys, seed %d"
           % (args.requests, args.zipf, args.keys, args.seed))
    stream = zipf_stream(args.keys, args.requests, args.zipf, args.seed)
    runs = [("redis", p) for p in args.redis_policies.split(",") if p] + \
           [("larder", p) for p in args.larder_policies.split(",") if p]
    results = []
    for kind, policy in runs:
        bl.log("%s %s ..." % (kind, policy))
        results.append(run_one(kind, policy, stream, args))
        r = results[-1]
        bl.log("  hit ratio %.2f%%, %d keys, RSS %.1f MB" % (100 * r["hit_ratio"], r["keys"], r["rss_mb"]))

    print("\nCache-aside, Zipf(%.2f) over %d keys of %d bytes, maxmemory %s, %d requests (%d%% warm-up)\n"
          % (args.zipf, args.keys, args.value_size, args.maxmemory, args.requests, 100 * args.warmup))
    rows = [[r["server"], r["policy"], "%.2f%%" % (100 * r["hit_ratio"]), r["keys"],
             "%.1f" % r["rss_mb"], "%.1f" % r["used_memory_mb"], r["evicted"]] for r in results]
    print(bl.md_table(["server", "policy", "hit ratio", "keys held", "RSS MB", "used_memory MB", "evicted"],
                      rows, n_left=2))
    redis_lru = next((r for r in results if r["server"] == "Redis" and r["policy"] == "allkeys-lru"), None)
    if redis_lru:
        print("\nPoints above Redis allkeys-lru: " + ", ".join(
            "%s %+.2f" % (r["policy"], 100 * (r["hit_ratio"] - redis_lru["hit_ratio"]))
            for r in results if r["server"] == "Larder"))
    if not args.no_json:
        os.makedirs(OUT_DIR, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = os.path.join(OUT_DIR, "hitratio-%s.json" % stamp)
        with open(path, "w") as f:
            json.dump({"args": vars(args), "results": results}, f, indent=2)
        png = chart(results, os.path.join(OUT_DIR, "hitratio-%s.png" % stamp))
        bl.log("wrote %s%s" % (path, (" and " + png) if png else ""))
    return 0


if __name__ == "__main__":
    bl.run_main(main)
