#!/usr/bin/python3
"""Integration: hash and set commands across event-loop threads (--threads 4):
HINCRBY counts stay exact, and multi-key set commands see their keys (on
different shards) atomically: a set moved member by member between two keys
always unions to the same size, and SINTERSTORE / SDIFFSTORE results are
consistent with it."""
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

MEMBERS = 200
MOVES = 3000
INCR_CLIENTS = 4
INCRS = 300


class CollectionsThreadsTest(ServerTestCase):
    def test_hincrby_is_exact(self):
        srv = self.start_larder(threads=4)

        def incr():
            with srv.client() as c:
                for i in range(INCRS):
                    c.call("HINCRBY", "counters", "f%d" % (i % 3), "1")

        self.run_threads([incr] * INCR_CLIENTS)
        with srv.client() as c:
            total = sum(int(c.call("HGET", "counters", "f%d" % i)) for i in range(3))
            self.assertEqual(total, INCR_CLIENTS * INCRS)

    def test_multi_key_set_commands_are_atomic(self):
        srv = self.start_larder(threads=4)
        # "{a}" and "{b}" hash to different shards in practice; the test does
        # not rely on which.
        a, b = "set:left", "set:right"
        with srv.client() as c:
            c.call("SADD", a, *["m%d" % i for i in range(MEMBERS)])
        done = threading.Event()
        checks = [0]

        def mover():
            with srv.client() as c:
                for i in range(MOVES):
                    m = "m%d" % (i % MEMBERS)
                    if c.call("SMOVE", a, b, m) == 0:
                        c.call("SMOVE", b, a, m)
            done.set()

        def checker():
            with srv.client() as c:
                while not done.is_set():
                    self.assertEqual(c.call("SUNIONSTORE", "u", a, b), MEMBERS)
                    self.assertEqual(c.call("SINTERSTORE", "i", a, b), 0)
                    left = c.call("SDIFFSTORE", "d", a, b)
                    self.assertLessEqual(left, MEMBERS)
                    self.assertEqual(c.call("SINTERCARD", "2", a, b), 0)
                    checks[0] += 1

        self.run_threads([mover, checker, checker])
        self.assertGreater(checks[0], 0)
        with srv.client() as c:
            self.assertEqual(c.call("SCARD", a) + c.call("SCARD", b), MEMBERS)


if __name__ == "__main__":
    unittest.main()
