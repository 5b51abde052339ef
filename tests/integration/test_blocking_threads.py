#!/usr/bin/python3
"""Integration: blocked clients across event loops (--threads 2 unless
LARDER_THREADS says otherwise), disconnects, timeouts and many waiters.

- a push on one loop wakes clients blocked on the other, first come first
  served, each getting exactly one element;
- a blocked client that disconnects is forgotten: INFO blocked_clients drops
  and the next push is not lost to it;
- timeouts are honoured (never early) while other clients keep being served;
- 200 clients blocked on 200 keys, each woken by one push, all get their
  element;
- concurrent pushers and blocked poppers on several loops lose and duplicate
  nothing.
"""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, decode, encode_command  # noqa: E402

THREADS = int(os.environ.get("LARDER_THREADS", "2") or "2")


def wait_blocked(c, n, limit=10.0):
    deadline = time.monotonic() + limit
    while True:
        info = decode(c.cmd("INFO", "clients")).decode()
        line = [x for x in info.split("\r\n") if x.startswith("blocked_clients:")][0]
        if int(line.split(":")[1]) == n:
            return
        if time.monotonic() > deadline:
            raise AssertionError("blocked_clients never reached %d: %s" % (n, line))
        time.sleep(0.002)


class BlockingThreadsTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder(threads=max(THREADS, 2))

    def test_wakeups_cross_loops_in_order(self):
        srv = self.srv
        waiters = [srv.client() for _ in range(6)]
        try:
            with srv.client() as c:
                for i, w in enumerate(waiters):
                    w.send(encode_command("BZPOPMIN", "q", "0"))
                    wait_blocked(c, i + 1)
                for i in range(len(waiters)):
                    c.call("ZADD", "q", str(i), "m%d" % i)
                got = [decode(w.read_reply()) for w in waiters]
                # The first to block gets the first element pushed.
                self.assertEqual([g[1] for g in got], [b"m%d" % i for i in range(len(waiters))])
                wait_blocked(c, 0)
                self.assertEqual(c.call("EXISTS", "q"), 0)
        finally:
            for w in waiters:
                w.close()

    def test_disconnected_waiter_is_forgotten(self):
        srv = self.srv
        with srv.client() as c:
            gone = srv.client()
            gone.send(encode_command("BZPOPMIN", "k", "0"))
            wait_blocked(c, 1)
            gone.close()
            wait_blocked(c, 0)
            with srv.client() as w:
                w.send(encode_command("BZPOPMAX", "k", "0"))
                wait_blocked(c, 1)
                c.call("ZADD", "k", "1", "only")
                self.assertEqual(decode(w.read_reply()), [b"k", b"only", b"1"])
            # CLIENT LIST no longer shows a blocked client.
            self.assertNotIn(b"flags=b", decode(c.cmd("CLIENT", "LIST")))

    def test_timeout_is_never_early_and_others_keep_going(self):
        srv = self.srv
        with srv.client() as c, srv.client() as w:
            start = time.monotonic()
            w.send(encode_command("BZPOPMIN", "t", "0.3"))
            wait_blocked(c, 1)
            for i in range(50):
                self.assertEqual(c.call("SET", "x%d" % i, "v"), "OK")
            self.assertIsNone(decode(w.read_reply()))
            self.assertGreaterEqual(time.monotonic() - start, 0.29)
            wait_blocked(c, 0)

    def test_many_waiters_each_woken_by_one_push(self):
        srv = self.srv
        n = 200
        waiters = [srv.client() for _ in range(n)]
        try:
            with srv.client() as c:
                for i, w in enumerate(waiters):
                    w.send(encode_command("BZPOPMIN", "key:%d" % i, "0"))
                wait_blocked(c, n)
                for i in range(n):
                    c.call("ZADD", "key:%d" % i, "1", "v%d" % i)
                for i, w in enumerate(waiters):
                    self.assertEqual(decode(w.read_reply()), [b"key:%d" % i, b"v%d" % i, b"1"])
                wait_blocked(c, 0)
        finally:
            for w in waiters:
                w.close()

    def test_concurrent_pushers_and_poppers_lose_nothing(self):
        srv = self.srv
        per_pusher, pushers, poppers = 300, 2, 3
        total = per_pusher * pushers
        got = []
        lock = threading.Lock()

        def pop():
            with srv.client() as c:
                while True:
                    r = decode(c.cmd("BZPOPMIN", "work", "2"))
                    if r is None:
                        return
                    with lock:
                        got.append(r[1])
                        if len(got) == total:
                            return

        def push(p):
            def run():
                with srv.client() as c:
                    for i in range(per_pusher):
                        c.call("ZADD", "work", str(i), "p%d-%d" % (p, i))
            return run

        self.run_threads([pop] * poppers + [push(p) for p in range(pushers)])
        with srv.client() as c:
            left = decode(c.cmd("ZRANGE", "work", "0", "-1"))
        self.assertEqual(len(got) + len(left), total)
        self.assertEqual(len(set(got) | set(left)), total)


if __name__ == "__main__":
    unittest.main()
