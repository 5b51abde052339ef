#!/usr/bin/python3
"""Debian's python3-redis (4.3.4, RESP2 only) beyond plain GET/SET: transactional
pipelines, WATCH retry loops, Django-style set_many, redis-py's Lock, client
names, SELECT, INFO, CONFIG GET, SCAN and the string/key commands a cache uses.

Run with /usr/bin/python3 (the Debian package is only importable there).

redis-py's Lock.release()/extend()/reacquire() run Lua (EVALSHA), which Larder
does not implement; only the Lua-free parts (acquire = SET NX PX, locked(),
owned() = GET, expiry by the lock timeout) are used here.
"""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

import redis  # noqa: E402  (python3-redis)
from redis.exceptions import ResponseError, WatchError  # noqa: E402


class PythonRedisTransactionsTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder(threads=2)
        self.r = self.redis()

    def redis(self, **kw):
        kw.setdefault("socket_timeout", 5)
        kw.setdefault("socket_connect_timeout", 5)
        c = redis.Redis(host="127.0.0.1", port=self.srv.port, **kw)
        self.addCleanup(c.close)
        return c

    # -- transactions ------------------------------------------------------

    def test_transaction_pipeline(self):
        """pipeline() defaults to transaction=True: MULTI ... EXEC."""
        pipe = self.r.pipeline()
        self.assertTrue(pipe.transaction)
        pipe.set("tx:a", "1").incrby("tx:a", 41).get("tx:a").expire("tx:a", 100).ttl("tx:a")
        pipe.delete("tx:nothing")
        self.assertEqual(pipe.execute(), [True, 42, b"42", True, 100, 0])
        # the pipeline is reset after execute() and can be reused
        pipe.mset({"tx:b": "x", "tx:c": "y"}).mget("tx:b", "tx:c", "tx:missing")
        self.assertEqual(pipe.execute(), [True, [b"x", b"y", None]])
        with self.r.pipeline() as p:
            self.assertEqual(p.execute(), [])   # nothing queued: nothing sent

    def test_transaction_replies_queued(self):
        """MULTI answers +OK, each command +QUEUED, EXEC the array of replies."""
        c = self.redis(single_connection_client=True)
        conn = c.connection   # raw replies, without redis-py's response callbacks

        def raw(*args):
            conn.send_command(*args)
            return conn.read_response()

        self.assertEqual(raw("MULTI"), b"OK")
        self.assertEqual(raw("SET", "q", "1"), b"QUEUED")
        self.assertEqual(raw("INCR", "q"), b"QUEUED")
        self.assertEqual(raw("GET", "q"), b"QUEUED")
        self.assertEqual(raw("EXEC"), [b"OK", 2, b"2"])
        self.assertEqual(raw("MULTI"), b"OK")
        self.assertEqual(raw("SET", "q", "discarded"), b"QUEUED")
        self.assertEqual(raw("DISCARD"), b"OK")
        self.assertEqual(c.get("q"), b"2")
        with self.assertRaises(ResponseError) as cm:
            raw("EXEC")
        self.assertEqual(str(cm.exception), "EXEC without MULTI")
        self.assertEqual(raw("MULTI"), b"OK")
        with self.assertRaises(ResponseError) as cm:
            raw("MULTI")
        self.assertEqual(str(cm.exception), "MULTI calls can not be nested")
        self.assertEqual(raw("DISCARD"), b"OK")

    def test_transaction_errors(self):
        # a runtime error inside EXEC: the other commands still run
        self.r.set("tx:s", "not-a-number")
        pipe = self.r.pipeline()
        pipe.incr("tx:s").set("tx:after", "ran")
        with self.assertRaises(ResponseError) as cm:
            pipe.execute()
        self.assertIn("not an integer", str(cm.exception))
        self.assertEqual(self.r.get("tx:after"), b"ran")
        pipe.incr("tx:s").set("tx:after2", "ran")
        out = pipe.execute(raise_on_error=False)
        self.assertIsInstance(out[0], ResponseError)
        self.assertEqual(out[1], True)
        # a queue-time error (unknown command) aborts the whole transaction
        pipe.set("tx:never", "x").execute_command("NOSUCHCOMMAND", "a")
        with self.assertRaises(ResponseError) as cm:
            pipe.execute()
        self.assertIn("unknown command", str(cm.exception))
        self.assertEqual(self.r.exists("tx:never"), 0)
        # the pooled connection is still usable afterwards
        self.assertTrue(self.r.ping())
        self.assertEqual(self.r.pipeline().incr("tx:n").execute(), [1])

    def test_watch_retry_loop(self):
        """Optimistic locking: a concurrent write on the first attempt aborts EXEC
        (WatchError), the retry succeeds."""
        self.r.set("stock", 10)
        other = self.redis()
        attempts = 0
        aborted = 0
        while True:
            attempts += 1
            self.assertLessEqual(attempts, 5, "WATCH loop did not converge")
            with self.r.pipeline() as p:
                try:
                    p.watch("stock")
                    stock = int(p.get("stock"))     # immediate mode after WATCH
                    if attempts == 1:
                        self.assertEqual(other.decrby("stock", 3), 7)   # concurrent buyer
                    p.multi()
                    p.set("stock", stock - 1)
                    p.incr("orders")
                    result = p.execute()
                    break
                except WatchError:
                    aborted += 1
                    continue
        self.assertEqual((attempts, aborted), (2, 1))
        self.assertEqual(result, [True, 1])
        self.assertEqual(self.r.get("stock"), b"6")
        self.assertEqual(self.r.get("orders"), b"1")

    def test_watch_transaction_helper(self):
        """Redis.transaction() runs the same WATCH/MULTI/EXEC loop."""
        self.r.set("balance", 100)
        other = self.redis()
        calls = []

        def debit(pipe):
            calls.append(1)
            balance = int(pipe.get("balance"))
            if len(calls) == 1:
                other.incrby("balance", 50)    # lands between WATCH and EXEC
            pipe.multi()
            pipe.set("balance", balance - 30)

        out = self.r.transaction(debit, "balance")
        self.assertEqual(out, [True])
        self.assertEqual(len(calls), 2)
        self.assertEqual(self.r.get("balance"), b"120")

    def test_watch_unrelated_and_unwatch(self):
        other = self.redis()
        self.r.set("w:1", "a")
        with self.r.pipeline() as p:
            p.watch("w:1")
            other.set("w:unrelated", "x")      # not watched: EXEC runs
            p.multi()
            p.set("w:1", "b")
            self.assertEqual(p.execute(), [True])
        with self.r.pipeline() as p:
            p.watch("w:1")
            p.unwatch()
            other.set("w:1", "c")               # after UNWATCH: EXEC runs
            p.multi()
            p.set("w:1", "d")
            self.assertEqual(p.execute(), [True])
        self.assertEqual(self.r.get("w:1"), b"d")
        with self.r.pipeline() as p:
            p.watch("w:gone")
            other.set("w:gone", "1")
            other.delete("w:gone")              # modified even if it ends absent
            p.multi()
            p.set("w:x", "1")
            with self.assertRaises(WatchError):
                p.execute()
        self.assertEqual(self.r.exists("w:x"), 0)

    def test_django_style_set_many(self):
        """django.core.cache.backends.redis: set_many = MULTI, MSET, EXPIRE..., EXEC;
        get_many = MGET; delete_many = DEL."""
        data = {"django:1:k%d" % i: "v%d" % i for i in range(20)}
        pipe = self.r.pipeline()
        pipe.mset(data)
        for key in data:
            pipe.expire(key, 300)
        out = pipe.execute()
        self.assertEqual(out, [True] + [True] * 20)
        keys = list(data)
        self.assertEqual(self.r.mget(keys), [v.encode() for v in data.values()])
        for key in keys[:3]:
            ttl = self.r.ttl(key)
            self.assertTrue(299 <= ttl <= 300, ttl)
        self.assertEqual(self.r.delete(*keys[:10]), 10)
        self.assertEqual(self.r.mget(keys[:12]), [None] * 10 + [b"v10", b"v11"])
        # incr() as Django does it: EXISTS then INCRBY
        self.r.set("django:1:hits", 5)
        self.assertTrue(self.r.exists("django:1:hits"))
        self.assertEqual(self.r.incr("django:1:hits", 2), 7)

    # -- Lock ---------------------------------------------------------------

    def test_lock_without_lua(self):
        # Held long enough for the rival's two failed tries below.
        lock = self.r.lock("lock:job", timeout=1.5, blocking_timeout=0.2)
        self.assertTrue(lock.acquire(blocking=False))
        self.assertTrue(lock.locked())
        self.assertTrue(lock.owned())
        pttl = self.r.pttl("lock:job")
        self.assertTrue(0 < pttl <= 1500, pttl)
        rival = self.redis().lock("lock:job", timeout=5, sleep=0.05)
        self.assertFalse(rival.acquire(blocking=False))
        t0 = time.monotonic()
        self.assertFalse(rival.acquire(blocking=True, blocking_timeout=0.2))
        self.assertLess(time.monotonic() - t0, 2)
        self.assertFalse(rival.owned())
        # the lock expires by its timeout; then the rival gets it (polling SET NX PX)
        self.assertTrue(rival.acquire(blocking=True, blocking_timeout=3))
        self.assertTrue(rival.owned())
        self.assertFalse(lock.owned())
        self.assertTrue(self.r.ttl("lock:job") in (4, 5))

    # -- connection state -----------------------------------------------------

    def test_client_name(self):
        self.assertIsNone(self.r.client_getname())
        self.assertTrue(self.r.client_setname("cache-worker-1"))
        self.assertEqual(self.r.client_getname(), "cache-worker-1")
        named = self.redis(client_name="named-at-connect")
        self.assertEqual(named.client_getname(), "named-at-connect")
        with self.assertRaises(ResponseError):
            self.r.client_setname("has space")

    def test_select_db(self):
        db1 = self.redis(db=1)
        self.assertEqual(db1.dbsize(), 0)
        db1.set("k", "in-db1")
        self.r.set("k", "in-db0")
        self.assertEqual(db1.get("k"), b"in-db1")
        self.assertEqual(self.r.get("k"), b"in-db0")
        self.assertEqual(self.redis(db=15).get("k"), None)
        self.assertEqual(db1.dbsize(), 1)
        db1.flushdb()
        self.assertEqual(db1.dbsize(), 0)
        self.assertEqual(self.r.get("k"), b"in-db0")
        with self.assertRaises(ResponseError) as cm:
            self.redis(db=16).ping()
        self.assertIn("DB index is out of range", str(cm.exception))

    def test_info(self):
        self.r.set("a", 1)
        self.r.setex("b", 100, 2)
        self.redis(db=3).set("c", 3)
        info = self.r.info()
        self.assertIn("redis_version", info)
        self.assertIn("uptime_in_seconds", info)
        self.assertEqual(info["db0"]["keys"], 2)
        self.assertEqual(info["db0"]["expires"], 1)
        self.assertEqual(info["db3"]["keys"], 1)
        ks = self.r.info("keyspace")
        self.assertEqual(set(ks), {"db0", "db3"})
        self.assertEqual(ks["db0"]["keys"], 2)
        server = self.r.info("server")
        self.assertIn("redis_version", server)
        self.assertNotIn("db0", server)

    def test_config_get(self):
        self.assertEqual(self.r.config_get("maxmemory"), {"maxmemory": "0"})
        self.assertEqual(self.r.config_get("no-such-parameter"), {})

    # -- keys and strings -----------------------------------------------------

    def test_scan_iter(self):
        for i in range(300):
            self.r.set("cache:user:%d" % i, i)
        for i in range(50):
            self.r.set("cache:post:%d" % i, i)
        found = list(self.r.scan_iter(match="cache:user:*", count=40))
        self.assertEqual(len(found), len(set(found)), "SCAN returned duplicates")
        self.assertEqual(set(found), {b"cache:user:%d" % i for i in range(300)})
        self.assertEqual(sorted(self.r.scan_iter(match="cache:post:4?", count=1000)),
                         sorted(b"cache:post:%d" % i for i in range(40, 50)))
        self.assertEqual(list(self.r.scan_iter(match="nothing:*")), [])
        cursor, keys = self.r.scan(0, match="*", count=10)
        self.assertIsInstance(cursor, int)
        self.assertLessEqual(len(keys), 40)
        # invalidate by pattern
        self.assertEqual(self.r.unlink(*self.r.scan_iter(match="cache:post:*")), 50)
        self.assertEqual(self.r.dbsize(), 300)

    def test_mget_mset(self):
        self.assertTrue(self.r.mset({"a": 1, "b": "two", "c": b"\x00\xff"}))
        self.assertEqual(self.r.mget("a", "b", "c", "missing"), [b"1", b"two", b"\x00\xff", None])
        self.assertEqual(self.r.mget(["b"]), [b"two"])
        self.assertTrue(self.r.msetnx({"new1": 1, "new2": 2}))
        self.assertFalse(self.r.msetnx({"new2": 9, "new3": 3}))
        self.assertEqual(self.r.mget("new2", "new3"), [b"2", None])

    def test_incr_family(self):
        self.assertEqual(self.r.incr("n"), 1)
        self.assertEqual(self.r.incr("n", 9), 10)
        self.assertEqual(self.r.incrby("n", -3), 7)
        self.assertEqual(self.r.decr("n"), 6)
        self.assertEqual(self.r.decrby("n", 2), 4)
        self.assertEqual(self.r.incrbyfloat("n", 0.5), 4.5)
        self.assertEqual(self.r.incrbyfloat("f", "1e2"), 100.0)
        self.assertEqual(self.r.get("f"), b"100")
        self.r.set("s", "abc")
        with self.assertRaises(ResponseError) as cm:
            self.r.incr("s")
        self.assertEqual(str(cm.exception), "value is not an integer or out of range")
        self.r.setex("ttl-kept", 100, 1)
        self.assertEqual(self.r.incr("ttl-kept"), 2)
        self.assertTrue(99 <= self.r.ttl("ttl-kept") <= 100)

    def test_getex(self):
        self.r.set("g", "v")
        self.assertEqual(self.r.getex("g", ex=100), b"v")
        self.assertTrue(99 <= self.r.ttl("g") <= 100)
        self.assertEqual(self.r.getex("g", px=50000), b"v")
        self.assertTrue(49000 <= self.r.pttl("g") <= 50000)
        self.assertEqual(self.r.getex("g", persist=True), b"v")
        self.assertEqual(self.r.ttl("g"), -1)
        self.assertEqual(self.r.getex("g", exat=int(time.time()) + 200), b"v")
        self.assertTrue(198 <= self.r.ttl("g") <= 200)
        self.assertEqual(self.r.getex("g"), b"v")
        self.assertTrue(198 <= self.r.ttl("g") <= 200)
        self.assertIsNone(self.r.getex("missing", ex=10))
        self.assertEqual(self.r.exists("missing"), 0)

    def test_unlink(self):
        self.r.mset({"u1": 1, "u2": 2, "u3": 3})
        self.assertEqual(self.r.unlink("u1", "u2", "missing"), 2)
        self.assertEqual(self.r.mget("u1", "u2", "u3"), [None, None, b"3"])
        self.assertEqual(self.r.unlink("missing"), 0)

    def test_concurrent_transactions(self):
        """Several clients incrementing through MULTI/EXEC lose no update."""
        errors = []

        def worker():
            try:
                c = redis.Redis(host="127.0.0.1", port=self.srv.port, socket_timeout=5)
                try:
                    for _ in range(100):
                        c.pipeline().incr("shared").incr("per-tx").decr("per-tx").execute()
                finally:
                    c.close()
            except Exception as e:   # noqa: BLE001
                errors.append(repr(e))

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        self.assertEqual(errors, [])
        self.assertEqual(self.r.get("shared"), b"400")
        self.assertEqual(self.r.get("per-tx"), b"0")


if __name__ == "__main__":
    unittest.main()
