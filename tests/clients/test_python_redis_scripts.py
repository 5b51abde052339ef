#!/usr/bin/python3
"""Lua scripts through Debian's python3-redis (4.3.4) against Larder:
register_script (EVALSHA, with SCRIPT LOAD after NOSCRIPT) and redis-py's
Lock (SET NX PX + Lua release/extend/reacquire): acquire, contention,
timeout, extend, release. Run with /usr/bin/python3.
"""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

import redis  # noqa: E402  (python3-redis)
from redis.exceptions import LockError, LockNotOwnedError, NoScriptError, ResponseError  # noqa: E402

GET_OR_SET = """
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return ARGV[1]
"""


class PythonRedisScriptsTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder(threads=2)
        self.r = redis.Redis(host="127.0.0.1", port=self.srv.port, socket_timeout=5, socket_connect_timeout=5)
        self.addCleanup(self.r.close)

    def test_register_script(self):
        get_or_set = self.r.register_script(GET_OR_SET)
        self.assertEqual(get_or_set(keys=["page:1"], args=["rendered", 60]), b"rendered")
        self.assertEqual(get_or_set(keys=["page:1"], args=["other", 60]), b"rendered")
        self.assertTrue(55 <= self.r.ttl("page:1") <= 60)
        self.assertEqual(self.r.script_exists(get_or_set.sha), [True])
        self.r.script_flush()
        self.assertEqual(self.r.script_exists(get_or_set.sha), [False])
        # NOSCRIPT: register_script loads it again and retries.
        self.assertEqual(get_or_set(keys=["page:2"], args=["two", 60]), b"two")
        with self.assertRaises(NoScriptError):
            self.r.evalsha("0" * 40, 0)
        with self.assertRaises(ResponseError):
            self.r.eval("return redis.call('INCR', KEYS[1])", 1, "page:1")
        pipe = self.r.pipeline(transaction=False)
        get_or_set(keys=["page:3"], args=["three", 60], client=pipe)
        pipe.get("page:3")
        self.assertEqual(pipe.execute(), [b"three", b"three"])
        self.assertEqual(self.r.eval("return {KEYS[1], ARGV[1], 7}", 1, "k", "a"), [b"k", b"a", 7])

    def test_lock_acquire_release_extend(self):
        lock = self.r.lock("resource", timeout=5)
        self.assertTrue(lock.acquire(blocking=False))
        self.assertTrue(lock.locked())
        self.assertTrue(lock.owned())
        self.assertTrue(4000 <= self.r.pttl("resource") <= 5000)
        self.assertTrue(lock.extend(10))
        self.assertTrue(14000 <= self.r.pttl("resource") <= 15000)
        self.assertTrue(lock.extend(3, replace_ttl=True))
        self.assertTrue(2000 <= self.r.pttl("resource") <= 3000)
        self.assertTrue(lock.reacquire())
        self.assertTrue(4000 <= self.r.pttl("resource") <= 5000)
        lock.release()
        self.assertFalse(self.r.exists("resource"))
        with self.assertRaises(LockError):
            lock.release()

    def test_lock_contention_and_timeout(self):
        holder = self.r.lock("busy", timeout=10)
        self.assertTrue(holder.acquire())
        other = self.r.lock("busy", timeout=10, blocking_timeout=0.2, sleep=0.02)
        start = time.monotonic()
        self.assertFalse(other.acquire())
        self.assertGreaterEqual(time.monotonic() - start, 0.15)
        # Another client's token cannot release or extend the lock.
        self.r.set("busy", "someone-else")
        with self.assertRaises(LockNotOwnedError):
            holder.extend(5)
        with self.assertRaises(LockNotOwnedError):
            holder.release()
        self.r.delete("busy")
        # A lock whose timeout passes is free again.
        short = self.r.lock("short", timeout=0.2)
        self.assertTrue(short.acquire())
        waiter = self.r.lock("short", timeout=5, blocking_timeout=2, sleep=0.02)
        self.assertTrue(waiter.acquire())
        with self.assertRaises(LockNotOwnedError):
            short.release()
        waiter.release()

    def test_lock_mutual_exclusion_across_threads(self):
        counter = {"value": 0, "inside": 0, "max_inside": 0}
        guard = threading.Lock()

        def worker():
            r = redis.Redis(host="127.0.0.1", port=self.srv.port, socket_timeout=5)
            try:
                for _ in range(20):
                    with r.lock("mutex", timeout=5, blocking_timeout=10, sleep=0.001):
                        with guard:
                            counter["inside"] += 1
                            counter["max_inside"] = max(counter["max_inside"], counter["inside"])
                        value = int(r.get("shared") or 0)
                        r.set("shared", value + 1)
                        with guard:
                            counter["inside"] -= 1
            finally:
                r.close()

        self.run_threads([worker] * 4)
        self.assertEqual(int(self.r.get("shared")), 80)
        self.assertEqual(counter["max_inside"], 1)


if __name__ == "__main__":
    unittest.main()
