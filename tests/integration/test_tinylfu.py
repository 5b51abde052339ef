#!/usr/bin/python3
"""allkeys-tinylfu, the default policy: a server filled past maxmemory stays
near its limit, its popular keys survive a stream of keys written once, the
new INFO counters move, keys turned away and written again shorten the
sketch's reset period, a key just written reads back, and OBJECT answers as
Redis does for a policy that is not LFU. Without a limit it keeps no sketch.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import (ServerTestCase, encode_command, info_fields, larder_is_redis, rss_bytes,  # noqa: E402
                            under_sanitizer)

LIMIT = 10 * 1024 * 1024
VALUE = "v" * 200
KEYS = 150000          # about 40 MB of data: four times the limit
HOT = 2000             # read between every batch of new keys
BATCH = 5000
LFU_NOT_SELECTED = (b"-ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                    b"Please note that when switching between policies at runtime LRU and LFU data "
                    b"will take some time to adjust.\r\n")


@unittest.skipIf(larder_is_redis(), "Larder's own eviction policy and INFO fields")
class TinyLfuTest(ServerTestCase):
    def test_filled_past_maxmemory(self):
        srv = self.start_larder("--maxmemory", str(LIMIT))  # the default policy
        base = rss_bytes(srv.proc.pid)
        c = self.client(srv)
        self.assertEqual(c.cmd("CONFIG", "GET", "maxmemory-policy"),
                         b"*2\r\n$16\r\nmaxmemory-policy\r\n$15\r\nallkeys-tinylfu\r\n")
        c.send(b"".join(encode_command("SET", "hot:%d" % i, VALUE) for i in range(HOT)))
        self.assertEqual(set(c.read_replies(HOT)), {b"+OK\r\n"})
        for start in range(0, KEYS, BATCH):
            c.send(b"".join(encode_command("SET", "once:%d" % i, VALUE) for i in range(start, start + BATCH)))
            self.assertEqual(set(c.read_replies(BATCH)), {b"+OK\r\n"})
            c.send(b"".join(encode_command("GET", "hot:%d" % i) for i in range(HOT)))
            c.read_replies(HOT)
        stats = info_fields(c.cmd("INFO", "stats"))
        self.assertGreater(int(stats["evicted_keys"]), 0)
        for field in ("larder_evicted_window_keys", "larder_window_rejected_keys",
                      "larder_window_promoted_keys"):
            self.assertGreater(int(stats[field]), 0, field)
        self.assertEqual(int(stats["evicted_keys"]),
                         int(stats["larder_evicted_window_keys"]) + int(stats["larder_evicted_main_keys"]))
        # The keys read again and again were kept; most keys written once went.
        c.send(b"".join(encode_command("EXISTS", "hot:%d" % i) for i in range(HOT)))
        kept = sum(r == b":1\r\n" for r in c.read_replies(HOT))
        self.assertGreater(kept, HOT * 9 // 10)
        dbsize = int(c.cmd("DBSIZE")[1:-2])
        self.assertLess(dbsize, KEYS // 2)
        # Keys the filter turned away lately, written again (a cache-aside
        # fill after a miss), say its counts were stale: the sketch's reset
        # period (30 accesses per key at first) shortens.
        before = float(stats["larder_sketch_reset_period"])
        again = range(KEYS - 12000, KEYS - 10000)  # older than the window (20% of the keys)
        c.send(b"".join(encode_command("SET", "once:%d" % i, VALUE) for i in again))
        self.assertEqual(set(c.read_replies(len(again))), {b"+OK\r\n"})
        period = info_fields(c.cmd("INFO", "stats"))["larder_sketch_reset_period"]
        self.assertRegex(period, r"^\d+\.\d\d$")
        self.assertLess(float(period), before)
        self.assertGreaterEqual(float(period), 3.0)
        # A key just written reads back, in the same pipeline.
        c.send(encode_command("SET", "session", VALUE) + encode_command("GET", "session"))
        self.assertEqual(c.read_replies(2), [b"+OK\r\n", b"$200\r\n" + VALUE.encode() + b"\r\n"])
        # Not an LFU policy: IDLETIME answers, FREQ is refused (Redis's rule).
        # (Whole seconds: 1 if the clock ticked since the GET.)
        self.assertIn(c.cmd("OBJECT", "IDLETIME", "session"), (b":0\r\n", b":1\r\n"))
        self.assertEqual(c.cmd("OBJECT", "FREQ", "session"), LFU_NOT_SELECTED)
        if under_sanitizer():
            return
        rss = rss_bytes(srv.proc.pid)
        self.assertLessEqual(rss, LIMIT * 1.10 + base + 8 * 1024 * 1024,
                             "RSS %d with limit %d and base %d" % (rss, LIMIT, base))

    def test_counts_only_under_a_limit(self):
        # Without maxmemory the policy keeps no sketch (2 KiB per shard, 512
        # KiB for 256 shards): a thousand keys, spread over every shard, cost
        # their own memory only. Once a limit is set, writes count again.
        # (INFO's used_memory is the allocator's figure, which the sanitizers'
        # allocators do not give.)
        if under_sanitizer():
            self.skipTest("used_memory comes from glibc's mallinfo2")
        srv = self.start_larder()
        c = self.client(srv)

        def used_memory():
            return int(info_fields(c.cmd("INFO", "memory"))["used_memory"])

        def write(prefix):
            c.send(b"".join(encode_command("SET", "%s:%d" % (prefix, i), "v") for i in range(1000)))
            self.assertEqual(set(c.read_replies(1000)), {b"+OK\r\n"})

        before = used_memory()
        write("unlimited")
        self.assertLess(used_memory() - before, 256 * 1024)
        self.assertEqual(c.cmd("CONFIG", "SET", "maxmemory", str(LIMIT)), b"+OK\r\n")
        before = used_memory()
        write("limited")
        self.assertGreater(used_memory() - before, 512 * 1024)


if __name__ == "__main__":
    unittest.main()
