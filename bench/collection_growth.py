#!/usr/bin/python3
"""bench/collection_growth.py: the longest single command while a big set or
hash grows, and right after it is deleted, Larder vs redis-server.

Starts build/larder-server and Debian's redis-server and, on each in turn,
grows one set (SADD) and then one hash (HSET) to --members members, --batch
members per command, timing every command; then DELs it and times single
SADDs to small keys for --after seconds while the server frees it (Redis
with lazyfree-lazy-user-del, as Larder always frees big values off the
event loop). A table that doubled all at once would stall the server for
the whole rehash in one growing command (a 6.29M-member set once stalled
Larder 816 ms); a free that holds the allocator's lock would stall the
commands after the DEL (214 ms, before glibc's fastbins were turned off).
Prints, per server and type, the median and worst command time of both
phases (the goal: no stall, Larder's worst about Redis's or below).

With --keys N it also grows the keyspace itself to N keys by MSET, --batch
keys a call, and prints the median, 99.9th percentile and worst MSET: a
shard's table that doubled all at once held the loop 8 ms at 16.8M keys.
Then it times single SADDs for --after seconds after FLUSHALL ASYNC: the
background thread, freeing entry blocks back to back, kept retaking the
slab heap's lock before the event loop could (277 ms at 3M keys).

With --expiring N it also SETs N values of --value-bytes bytes with one TTL
(cache warming with a single expiry; --mixed: every other one without a
TTL), --rounds times, and times single small SETs while they expire and the
server gives their memory back: a malloc_trim that madvised every freed
chunk under the allocator's lock held Larder's loop 538 ms once.

  bench/collection_growth.py [--members 8000000] [--batch 1000] [--after 3]
                             [--keys 0] [--expiring 0] [--value-bytes 20000]
                             [--rounds 3] [--mixed] [--only-keys]
"""
import argparse
import time

import benchlib
from benchlib import Conn, Server, log, median, run_main


def grow(port, command, members, batch):
    """Times each command that adds `batch` members; returns the times (s)."""
    times = []
    with Conn(port, timeout=600) as c:
        for start in range(0, members, batch):
            args = []
            for i in range(start, min(start + batch, members)):
                args.append("member:%d" % i)
                if command == "HSET":
                    args.append("v")
            t0 = time.perf_counter()
            c.cmd(command, "big", *args)
            times.append(time.perf_counter() - t0)
    return times


def grow_keyspace(port, keys, batch):
    """Times each MSET of `batch` new keys; returns the times (s)."""
    times = []
    with Conn(port, timeout=600) as c:
        for start in range(0, keys, batch):
            args = []
            for i in range(start, min(start + batch, keys)):
                args += ("key:%d" % i, "v")
            t0 = time.perf_counter()
            c.cmd("MSET", *args)
            times.append(time.perf_counter() - t0)
    return times


def expire_together(server, keys, value_bytes, mixed, ttl_ms=5000, after=2.0):
    """SETs `keys` values of `value_bytes` bytes with one relative TTL (with
    `mixed`, every other one without a TTL), as fast as they can be sent, so
    they expire over about as long as sending them took (a second or two,
    as keys written over a while with one TTL do); then times single small SETs until the
    TTL'd ones have been deleted (INFO's expired_keys) and `after` seconds
    more; returns the times (s) and the server's RSS (KB) loaded and at
    the end."""
    with Conn(server.port) as c:
        expired_before = int(benchlib.parse_info(c.cmd("INFO", "stats"))["expired_keys"])
    value = b"x" * value_bytes
    payload = []
    for start in range(0, keys, 1000):
        parts = []
        for i in range(start, min(keys, start + 1000)):
            ttl = not mixed or i % 2 == 0  # interleaved: the freed values lie between kept ones
            k = b"big:%d" % i
            parts.append(b"*%d\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
                5 if ttl else 3, len(k), k, len(value), value))
            if ttl:
                parts.append(b"$2\r\nPX\r\n$%d\r\n%d\r\n" % (len(str(ttl_ms)), ttl_ms))
        payload.append((min(1000, keys - start), b"".join(parts)))
    benchlib.send_payload(server.port, payload, timeout=600)
    loaded_rss = server.rss_kb()
    expiring = keys - keys // 2 if mixed else keys
    times = []
    with Conn(server.port, timeout=600) as c:
        i = 0
        settled = None
        while settled is None or time.perf_counter() < settled:
            t0 = time.perf_counter()
            c.cmd("SET", "probe:%d" % (i % 100), "v")
            times.append(time.perf_counter() - t0)
            i += 1
            if settled is None and i % 1000 == 0 and int(benchlib.parse_info(
                    c.cmd("INFO", "stats"))["expired_keys"]) - expired_before >= expiring:
                settled = time.perf_counter() + after
        end_rss = server.rss_kb()
        c.cmd("FLUSHALL")
    return times, loaded_rss, end_rss


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def after_delete(port, seconds, command=("DEL", "big")):
    """Sends `command` (DEL of the grown key), then times single small SADDs
    for `seconds`."""
    times = []
    with Conn(port, timeout=600) as c:
        c.cmd(*command)
        end = time.perf_counter() + seconds
        i = 0
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            c.cmd("SADD", "small:%d" % (i % 100), "m%d" % i)
            times.append(time.perf_counter() - t0)
            i += 1
        c.cmd("FLUSHALL")
        # Let the server finish freeing before the next phase.
        while "lazyfree_pending_objects:0" not in c.cmd("INFO", "memory"):
            time.sleep(0.1)
        time.sleep(1)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", type=int, default=8000000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--after", type=float, default=3.0)
    ap.add_argument("--keys", type=int, default=0)
    ap.add_argument("--expiring", type=int, default=0)
    ap.add_argument("--value-bytes", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mixed", action="store_true", help="every other expiring value has no TTL")
    ap.add_argument("--only-keys", action="store_true", help="skip the set and hash phases")
    opts = ap.parse_args()
    servers = [Server("redis").start(), Server("larder").start()]
    with Conn(servers[0].port) as c:
        c.cmd("CONFIG", "SET", "lazyfree-lazy-user-del", "yes")
    rows = []
    worst = {}
    key_rows = []
    if opts.keys > 0:
        for s in servers:
            log("%s: MSET of %d keys, %d a call" % (s.name, opts.keys, opts.batch))
            times = grow_keyspace(s.port, opts.keys, opts.batch)
            worst[(s.name, "MSET")] = max(times)
            log("%s: FLUSHALL ASYNC of %d keys" % (s.name, opts.keys))
            flushed = after_delete(s.port, opts.after, ("FLUSHALL", "ASYNC"))
            worst[(s.name, "FLUSHALL")] = max(flushed)
            key_rows.append([s.name, "%.2f" % (median(times) * 1000), "%.1f" % (percentile(times, 0.999) * 1000),
                             "%.1f" % (max(times) * 1000), "%.2f" % (median(flushed) * 1000),
                             "%.1f" % (max(flushed) * 1000)])
    expiry_rows = []
    if opts.expiring > 0:
        for r in range(opts.rounds):
            for s in servers:
                log("%s: %d values of %d bytes expiring together, round %d" % (
                    s.name, opts.expiring, opts.value_bytes, r + 1))
                times, loaded, left = expire_together(s, opts.expiring, opts.value_bytes, opts.mixed)
                worst[(s.name, "expiry", r)] = max(times)
                expiry_rows.append([s.name, str(r + 1), "%.3f" % (median(times) * 1000),
                                    "%.1f" % (percentile(times, 0.999) * 1000), "%.1f" % (max(times) * 1000),
                                    "%.0f" % (loaded / 1024), "%.0f" % (left / 1024)])
    commands = () if opts.only_keys else ("SADD", "HSET")
    for command in commands:
        for s in servers:
            log("%s: %s of %d members into one key, then DEL" % (s.name, command, opts.members))
            row = [command, s.name]
            for phase, times in (("grow", grow(s.port, command, opts.members, opts.batch)),
                                 ("after DEL", after_delete(s.port, opts.after))):
                med, top = median(times) * 1000, max(times) * 1000
                worst[(s.name, command, phase)] = top
                row += ["%.2f" % med, "%.1f" % top]
            rows.append(row)
    for s in servers:
        s.stop()
    if key_rows:
        print(benchlib.md_table(["keyspace grown by MSET (%d keys a call)" % opts.batch, "median ms",
                                 "p99.9 ms", "worst ms", "after FLUSHALL ASYNC: median ms", "worst ms"],
                                key_rows, n_left=1))
        print("MSET: worst command Larder / Redis %.2f" % (worst[("Larder", "MSET")] / worst[("Redis", "MSET")]))
        print("after FLUSHALL ASYNC: worst command Larder / Redis %.2f" % (
            worst[("Larder", "FLUSHALL")] / worst[("Redis", "FLUSHALL")]))
    if expiry_rows:
        print(benchlib.md_table(["SET while %d values of %d B expire%s" % (
            opts.expiring // 2 if opts.mixed else opts.expiring, opts.value_bytes,
            " (as many kept)" if opts.mixed else ""),
            "round", "median ms", "p99.9 ms", "worst ms", "RSS loaded MB", "RSS 2 s after MB"],
            expiry_rows, n_left=1))
        print("expiry: worst command over all rounds Larder / Redis %.2f" % (
            max(v for k, v in worst.items() if k[0] == "Larder" and k[1] == "expiry") /
            max(v for k, v in worst.items() if k[0] == "Redis" and k[1] == "expiry")))
    if not rows:
        return 0
    print(benchlib.md_table(["grown by (%d members a call)" % opts.batch, "server", "growing: median ms",
                             "worst ms", "after DEL: median ms", "worst ms"], rows, n_left=2))
    for command in commands:
        for phase in ("grow", "after DEL"):
            print("%s, %s: worst command Larder / Redis %.2f" % (
                command, phase, worst[("Larder", command, phase)] / worst[("Redis", command, phase)]))
    return 0


if __name__ == "__main__":
    run_main(main)
