#!/usr/bin/python3
"""Integration: the multi-key bitmap, HyperLogLog, geo and SORT commands
(BITOP, PFMERGE / PFCOUNT of several keys, GEOSEARCHSTORE, SORT ... STORE)
across event-loop threads (--threads 4), with writers changing their source
keys meanwhile: every result is a consistent snapshot, and the final results
equal what the sources hold. The ThreadSanitizer run of scripts/test runs
this too."""
import os
import random
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

WRITES = 400


class BitsThreadsTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder(threads=4)

    def test_bitop_and_bitcount_see_whole_writes(self):
        done = threading.Event()
        expected = [set(), set()]

        def writer(side):
            rng = random.Random(side)
            with self.srv.client() as c:
                for _ in range(WRITES):
                    bit = rng.randrange(4000)
                    c.call("SETBIT", "bits:%d" % side, str(bit), "1")
                    expected[side].add(bit)

        def checker():
            last = 0
            with self.srv.client() as c:
                while not done.is_set():
                    length = c.call("BITOP", "OR", "bits:or", "bits:0", "bits:1")
                    count = c.call("BITCOUNT", "bits:or")
                    self.assertLessEqual(length, 500)
                    self.assertGreaterEqual(count, last)  # bits are only ever set
                    last = count

        writers = [threading.Thread(target=writer, args=(s,)) for s in (0, 1)]
        check = threading.Thread(target=checker)
        check.start()
        for w in writers:
            w.start()
        for w in writers:
            w.join(60)
        done.set()
        check.join(60)
        with self.srv.client() as c:
            c.call("BITOP", "OR", "bits:or", "bits:0", "bits:1")
            self.assertEqual(c.call("BITCOUNT", "bits:or"), len(expected[0] | expected[1]))

    def test_pfmerge_and_union_counts_agree(self):
        def adder(side):
            def run():
                with self.srv.client() as c:
                    for i in range(WRITES):
                        c.call("PFADD", "hll:%d" % side, "e%d:%d" % (side, i), "shared%d" % (i % 50))
            return run

        def merger():
            with self.srv.client() as c:
                for _ in range(100):
                    self.assertEqual(c.call("PFMERGE", "hll:m", "hll:0", "hll:1"), "OK")
                    c.call("PFCOUNT", "hll:0", "hll:1")

        self.run_threads([adder(0), adder(1), merger])
        with self.srv.client() as c:
            c.call("PFMERGE", "hll:m", "hll:0", "hll:1")
            union = c.call("PFCOUNT", "hll:0", "hll:1")
            self.assertEqual(c.call("PFCOUNT", "hll:m"), union)
            self.assertLess(abs(union - (2 * WRITES + 50)), 30)

    def test_geosearchstore_and_sort_store_store_snapshots(self):
        done = threading.Event()

        def writer():
            with self.srv.client() as c:
                for i in range(WRITES):
                    c.call("GEOADD", "geo:pts", "%.5f" % (2 + (i % 100) / 1000.0), "48.85", "p%d" % i)
                    c.call("RPUSH", "sort:src", str((i * 7919) % 1000))
            done.set()

        def checker(me):
            def run():
                with self.srv.client() as c:
                    while not done.is_set():
                        n = c.call("GEOSEARCHSTORE", "geo:dst" + me, "geo:pts", "FROMLONLAT", "2.05", "48.85",
                                   "BYRADIUS", "100", "km")
                        self.assertEqual(c.call("ZCARD", "geo:dst" + me), n)
                        stored = c.call("SORT", "sort:src", "STORE", "sort:dst" + me)
                        values = [int(v) for v in c.call("LRANGE", "sort:dst" + me, "0", "-1")]
                        self.assertEqual(len(values), stored)
                        self.assertEqual(values, sorted(values))
            return run

        self.run_threads([writer, checker("a"), checker("b")])
        with self.srv.client() as c:
            self.assertEqual(c.call("GEOSEARCHSTORE", "geo:dst", "geo:pts", "FROMLONLAT", "2.05", "48.85",
                                    "BYRADIUS", "100", "km"), WRITES)
            self.assertEqual(c.call("SORT", "sort:src", "STORE", "sort:dst"), WRITES)


if __name__ == "__main__":
    unittest.main()
