#!/usr/bin/python3
"""Integration: MULTI/EXEC atomicity and WATCH optimistic locking across
event-loop threads (--threads 4)."""
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command  # noqa: E402

WRITERS = 4
ROUNDS = 300
READERS = 2
WATCHERS = 6
WATCH_INCREMENTS = 60


class TransactionThreadsTest(ServerTestCase):
    def test_multi_exec_is_atomic_for_readers(self):
        srv = self.start_larder(threads=4)
        done = threading.Event()
        reads = [0]
        block = (encode_command("MULTI") + encode_command("INCR", "a") + encode_command("INCR", "b") +
                 encode_command("EXEC"))

        def writer():
            with srv.client() as c:
                for _ in range(ROUNDS):
                    c.send(block)
                    replies = c.read_replies(4)
                    self.assertEqual(replies[:3], [b"+OK\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n"])
                    self.assertTrue(replies[3].startswith(b"*2\r\n:"), replies[3])

        def reader():
            with srv.client() as c:
                while not done.is_set():
                    a, b = c.call("MGET", "a", "b")
                    self.assertEqual(a, b, "MGET saw a half-applied transaction")
                    reads[0] += 1

        def writers_then_done():
            try:
                self.run_threads([writer] * WRITERS)
            finally:
                done.set()

        self.run_threads([writers_then_done] + [reader] * READERS)
        self.assertGreater(reads[0], 10, "readers barely ran")
        with srv.client() as c:
            self.assertEqual(c.call("MGET", "a", "b"), [b"%d" % (WRITERS * ROUNDS)] * 2)

    def test_watch_optimistic_increments(self):
        srv = self.start_larder(threads=4)
        retries = [0]
        lock = threading.Lock()

        def incrementer():
            with srv.client() as c:
                for _ in range(WATCH_INCREMENTS):
                    while True:
                        self.assertEqual(c.cmd("WATCH", "k"), b"+OK\r\n")
                        v = c.call("GET", "k")
                        n = int(v) if v is not None else 0
                        c.send(encode_command("MULTI") + encode_command("SET", "k", n + 1) + encode_command("EXEC"))
                        multi, queued, res = c.read_replies(3)
                        self.assertEqual((multi, queued), (b"+OK\r\n", b"+QUEUED\r\n"))
                        if res == b"*1\r\n+OK\r\n":
                            break
                        self.assertEqual(res, b"*-1\r\n")
                        with lock:
                            retries[0] += 1

        self.run_threads([incrementer] * WATCHERS)
        with srv.client() as c:
            self.assertEqual(c.call("GET", "k"), b"%d" % (WATCHERS * WATCH_INCREMENTS))
        # Not asserted (scheduling dependent), but shown for the curious.
        sys.stderr.write("WATCH retries: %d\n" % retries[0])


if __name__ == "__main__":
    unittest.main()
