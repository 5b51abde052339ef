#!/usr/bin/python3
"""maxmemory: a filled server evicts and its RSS stays near the limit;
under noeviction writes get Redis's OOM error while reads go on."""
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command, larder_is_redis, rss_bytes, under_sanitizer  # noqa: E402

LIMIT = 20 * 1024 * 1024
VALUE = "v" * 200
KEYS = 300000          # about 70 MB of data: more than three times the limit
BATCH = 5000
OOM = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"


def info_field(reply, name):
    for line in reply.decode().split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    raise AssertionError("%s missing from INFO" % name)


class MaxmemoryTest(ServerTestCase):
    def fill(self, c, first, count):
        """SETs keys first..first+count; returns the replies that were not +OK."""
        odd = []
        for start in range(first, first + count, BATCH):
            n = min(BATCH, first + count - start)
            c.send(b"".join(encode_command("SET", "obj:%d" % i, VALUE) for i in range(start, start + n)))
            odd += [r for r in c.read_replies(n) if r != b"+OK\r\n"]
        return odd

    @unittest.skipIf(larder_is_redis(), "checks Larder's memory accounting")
    def test_databases_never_written_cost_nothing(self):
        # Only database 0's tables exist at start; reads and walks of another
        # database allocate nothing (a shard allocates its tables for the
        # other databases at its first key in one: tests/storage/shard_test.cc).
        work = tempfile.TemporaryDirectory()
        self.addCleanup(work.cleanup)
        srv = self.start_larder("--dir", work.name)  # SAVE writes there
        c = self.client(srv)

        def used():
            return int(info_field(c.cmd("INFO", "memory"), "used_memory"))

        self.assertEqual(c.cmd("SELECT", "7"), b"+OK\r\n")
        before = used()
        for cmd, reply in [(("DBSIZE",), b":0\r\n"), (("KEYS", "*"), b"*0\r\n"),
                           (("SCAN", "0"), b"*2\r\n$1\r\n0\r\n*0\r\n"), (("RANDOMKEY",), b"$-1\r\n"),
                           (("GET", "k"), b"$-1\r\n"), (("EXPIRE", "k", "10"), b":0\r\n"),
                           (("TTL", "k"), b":-2\r\n"), (("FLUSHDB",), b"+OK\r\n"),
                           (("FLUSHALL",), b"+OK\r\n"), (("SAVE",), b"+OK\r\n")]:
            self.assertEqual(c.cmd(*cmd), reply, cmd)
        self.assertNotIn(b"db7", c.cmd("INFO", "keyspace"))
        self.assertLess(used() - before, 16 * 1024)
        self.assertEqual(c.cmd("SET", "k", "v"), b"+OK\r\n")
        self.assertEqual(c.cmd("SWAPDB", "7", "0"), b"+OK\r\n")
        self.assertEqual(c.cmd("SELECT", "0"), b"+OK\r\n")
        self.assertEqual(c.cmd("GET", "k"), b"$1\r\nv\r\n")
        self.assertEqual(c.cmd("DBSIZE"), b":1\r\n")

    @unittest.skipIf(larder_is_redis(), "checks Larder's memory accounting and default policy")
    def test_filled_server_evicts_and_rss_stays_near_the_limit(self):
        srv = self.start_larder("--maxmemory", str(LIMIT))
        base = rss_bytes(srv.proc.pid)
        c = self.client(srv)
        self.assertEqual(self.fill(c, 0, KEYS), [])
        stats = c.cmd("INFO", "stats")
        self.assertGreater(int(info_field(stats, "evicted_keys")), 0)
        dbsize = int(c.cmd("DBSIZE")[1:-2])
        self.assertLess(dbsize, KEYS)
        self.assertGreater(dbsize, KEYS // 10)
        # The limit plus 10%, plus what the process held before any data and
        # a fixed allowance for buffers and allocator slack. (Under
        # a sanitizer, whose shadow memory grows with the heap, RSS says
        # nothing about Larder.)
        rss = rss_bytes(srv.proc.pid)
        if under_sanitizer():
            return
        self.assertLessEqual(rss, LIMIT * 1.10 + base + 8 * 1024 * 1024,
                             "RSS %d with limit %d and base %d" % (rss, LIMIT, base))
        self.assertEqual(c.cmd("GET", "obj:%d" % (KEYS - 1)), b"$200\r\n" + VALUE.encode() + b"\r\n")

    @unittest.skipIf(larder_is_redis(), "checks Larder's memory accounting and default policy")
    def test_rss_stays_near_the_limit_when_value_sizes_change(self):
        # Each phase evicts most of the keys of the one before, whose sizes
        # no new key has: their slabs empty only as the defragmenter packs them.
        srv = self.start_larder("--maxmemory", str(LIMIT))
        base = rss_bytes(srv.proc.pid)
        c = self.client(srv)
        first = 0
        for size, count in ((100, 250000), (300, 120000), (60, 300000)):
            value = ("%d" % size) * (size // len("%d" % size))
            for start in range(first, first + count, BATCH):
                n = min(BATCH, first + count - start)
                c.send(b"".join(encode_command("SET", "k:%d" % i, value) for i in range(start, start + n)))
                self.assertEqual(set(c.read_replies(n)), {b"+OK\r\n"})
            first += count
            self.assertEqual(c.cmd("GET", "k:%d" % (first - 1)), b"$%d\r\n%s\r\n" % (len(value), value.encode()))
            if under_sanitizer():
                continue
            bound = LIMIT * 1.10 + base + 8 * 1024 * 1024
            deadline = time.monotonic() + 20
            while rss_bytes(srv.proc.pid) > bound and time.monotonic() < deadline:
                time.sleep(0.1)
            rss = rss_bytes(srv.proc.pid)
            self.assertLessEqual(rss, bound, "RSS %d after %d-byte values, limit %d, base %d" % (rss, size, LIMIT, base))

    def test_noeviction_refuses_writes_and_serves_reads(self):
        # Writes stop just over the limit (by one key's bytes), and a table
        # resize the last accepted SET began would, once the background
        # rehash ends it, free the old bucket array and let the next write
        # in (in Redis too): no rehash but the inserts' own.
        srv = self.start_larder("--maxmemory", "5mb", "--maxmemory-policy", "noeviction",
                                "--activerehashing", "no")
        c = self.client(srv)
        odd = self.fill(c, 0, 60000)
        self.assertTrue(odd, "no OOM while writing 12 MB into a 5 MB limit")
        self.assertEqual(set(odd), {OOM})
        self.assertEqual(c.cmd("GET", "obj:0"), b"$200\r\n" + VALUE.encode() + b"\r\n")
        self.assertEqual(c.cmd("INCR", "counter"), OOM)
        self.assertEqual(c.cmd("DEL", "obj:0"), b":1\r\n")
        self.assertEqual(c.cmd("EXISTS", "obj:1"), b":1\r\n")


if __name__ == "__main__":
    unittest.main()
