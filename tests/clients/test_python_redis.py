#!/usr/bin/python3
"""Cache-aside scenarios with Debian's python3-redis (4.3.4) against Larder.

Run with /usr/bin/python3 (the Debian package is only importable there).
No MULTI/EXEC: pipelines are created with transaction=False.
"""
import os
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

import redis  # noqa: E402  (python3-redis)


class FakeDatabase:
    """The slow backing store the cache sits in front of."""

    def __init__(self):
        self.rows = {"user:%d" % i: "name-%d" % i for i in range(200)}
        self.reads = 0
        self.lock = threading.Lock()

    def load(self, key):
        with self.lock:
            self.reads += 1
        time.sleep(0.001)
        return self.rows.get(key)


class CacheAside:
    def __init__(self, r, db, ttl=60):
        self.r = r
        self.db = db
        self.ttl = ttl

    def get(self, key):
        cached = self.r.get("cache:" + key)
        if cached is not None:
            return cached.decode()
        value = self.db.load(key)
        if value is not None:
            self.r.setex("cache:" + key, self.ttl, value)
        return value

    def update(self, key, value):
        self.db.rows[key] = value
        self.r.delete("cache:" + key)


class PythonRedisTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder(threads=2)
        self.r = redis.Redis(host="127.0.0.1", port=self.srv.port, socket_timeout=5,
                             socket_connect_timeout=5)
        self.addCleanup(self.r.close)
        self.db = FakeDatabase()

    def test_miss_then_hit(self):
        cache = CacheAside(self.r, self.db)
        self.assertIsNone(self.r.get("cache:user:1"))
        self.assertEqual(cache.get("user:1"), "name-1")       # miss -> SETEX
        self.assertEqual(self.db.reads, 1)
        self.assertEqual(self.r.get("cache:user:1"), b"name-1")
        self.assertEqual(cache.get("user:1"), "name-1")       # hit
        self.assertEqual(self.db.reads, 1)
        ttl = self.r.ttl("cache:user:1")
        self.assertTrue(58 <= ttl <= 60, ttl)
        self.assertIsNone(cache.get("user:9999"))            # not in db: nothing cached
        self.assertEqual(self.r.exists("cache:user:9999"), 0)

    def test_delete_on_update(self):
        cache = CacheAside(self.r, self.db)
        self.assertEqual(cache.get("user:2"), "name-2")
        cache.update("user:2", "renamed")
        self.assertEqual(self.r.exists("cache:user:2"), 0)
        self.assertEqual(cache.get("user:2"), "renamed")
        self.assertEqual(self.db.reads, 2)
        self.assertEqual(self.r.get("cache:user:2"), b"renamed")

    def test_pattern_invalidation(self):
        for i in range(30):
            self.r.setex("cache:user:%d" % i, 300, "u%d" % i)
            self.r.setex("cache:post:%d" % i, 300, "p%d" % i)
        self.r.set("config:flag", "on")
        keys = self.r.keys("cache:user:*")
        self.assertEqual(len(keys), 30)
        self.assertEqual(self.r.delete(*keys), 30)
        self.assertEqual(self.r.keys("cache:user:*"), [])
        self.assertEqual(len(self.r.keys("cache:post:*")), 30)
        self.assertEqual(self.r.dbsize(), 31)
        self.assertEqual(sorted(self.r.keys("cache:post:1?")),
                         sorted(b"cache:post:%d" % i for i in range(10, 20)))
        self.assertEqual(self.r.keys("config:*"), [b"config:flag"])

    def test_cache_warming_pipeline(self):
        pipe = self.r.pipeline(transaction=False)
        for i in range(2000):
            pipe.setex("warm:%d" % i, 600, "value-%d" % i)
        results = pipe.execute()
        self.assertEqual(len(results), 2000)
        self.assertTrue(all(x is True for x in results), set(map(repr, results)))
        self.assertEqual(self.r.dbsize(), 2000)
        pipe = self.r.pipeline(transaction=False)
        for i in range(0, 2000, 7):
            pipe.get("warm:%d" % i)
            pipe.ttl("warm:%d" % i)
        out = pipe.execute()
        for n, i in enumerate(range(0, 2000, 7)):
            self.assertEqual(out[2 * n], b"value-%d" % i)
            self.assertTrue(598 <= out[2 * n + 1] <= 600, out[2 * n + 1])

    def test_stampede_lock(self):
        """Only one of many concurrent requests rebuilds a missing entry."""
        rebuilds = []
        errors = []
        barrier = threading.Barrier(8, timeout=10)

        def request(tid):
            try:
                r = redis.Redis(host="127.0.0.1", port=self.srv.port, socket_timeout=5)
                try:
                    barrier.wait()
                    for _ in range(200):
                        v = r.get("cache:report")
                        if v is not None:
                            return v
                        if r.set("lock:report", "t%d" % tid, nx=True, px=5000):
                            # Double-check: another holder may have rebuilt it
                            # between our GET miss and our lock acquisition.
                            v = r.get("cache:report")
                            if v is not None:
                                r.delete("lock:report")
                                return v
                            rebuilds.append(tid)
                            time.sleep(0.05)   # expensive rebuild
                            r.setex("cache:report", 60, "report-by-%d" % tid)
                            r.delete("lock:report")
                            return
                        time.sleep(0.01)
                    errors.append("thread %d gave up" % tid)
                finally:
                    r.close()
            except Exception as e:
                errors.append("thread %d: %r" % (tid, e))

        threads = [threading.Thread(target=request, args=(t,), daemon=True) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(15)
        self.assertEqual(errors, [])
        self.assertEqual(len(rebuilds), 1, rebuilds)
        self.assertEqual(self.r.get("cache:report"), b"report-by-%d" % rebuilds[0])
        self.assertEqual(self.r.exists("lock:report"), 0)

    def test_lock_semantics(self):
        self.assertTrue(self.r.set("lock:x", "a", nx=True, px=500))
        self.assertIsNone(self.r.set("lock:x", "b", nx=True, px=500))
        pttl = self.r.pttl("lock:x")
        self.assertTrue(0 < pttl <= 500, pttl)
        time.sleep(0.6)
        self.assertIsNone(self.r.get("lock:x"))
        self.assertTrue(self.r.set("lock:x", "c", nx=True, px=5000))
        self.assertEqual(self.r.get("lock:x"), b"c")
        self.assertEqual(self.r.set("lock:x", "d", xx=True, get=True), b"c")

    def test_ttl_checks(self):
        self.r.set("plain", "v")
        self.assertEqual(self.r.ttl("plain"), -1)
        self.assertEqual(self.r.ttl("missing"), -2)
        self.assertEqual(self.r.pttl("missing"), -2)
        self.r.setex("s", 100, "v")
        self.assertEqual(self.r.ttl("s"), 100)
        self.r.psetex("ps", 100000, "v")
        self.assertTrue(99000 < self.r.pttl("ps") <= 100000)
        self.assertTrue(self.r.expire("plain", 50))
        self.assertEqual(self.r.ttl("plain"), 50)
        self.assertTrue(self.r.persist("plain"))
        self.assertEqual(self.r.ttl("plain"), -1)
        self.assertFalse(self.r.expire("missing", 10))
        self.assertTrue(self.r.pexpire("plain", 300000))
        self.assertEqual(self.r.ttl("plain"), 300)
        self.assertTrue(self.r.setnx("nx", "1"))
        self.assertFalse(self.r.setnx("nx", "2"))
        self.assertTrue(self.r.set("ex", "v", ex=100, keepttl=False))
        self.assertEqual(self.r.ttl("ex"), 100)
        self.assertTrue(self.r.set("ex", "w", keepttl=True))
        self.assertEqual(self.r.ttl("ex"), 100)

    def test_errors_surface_as_exceptions(self):
        with self.assertRaises(redis.ResponseError) as cm:
            self.r.execute_command("NOSUCHCOMMAND", "x")
        self.assertIn("unknown command", str(cm.exception))
        with self.assertRaises(redis.ResponseError):
            self.r.setex("k", 0, "v")
        self.assertTrue(self.r.ping())
        self.assertEqual(self.r.echo("hi"), b"hi")

    def test_flush_and_dbsize(self):
        for i in range(10):
            self.r.set("f%d" % i, i)
        self.assertEqual(self.r.dbsize(), 10)
        self.assertTrue(self.r.flushdb())
        self.assertEqual(self.r.dbsize(), 0)
        self.r.set("a", 1)
        self.assertTrue(self.r.flushall())
        self.assertEqual(self.r.dbsize(), 0)


class PythonRedisUnixSocketTest(ServerTestCase):
    def test_cache_aside_over_the_unix_socket(self):
        work = tempfile.TemporaryDirectory()
        self.addCleanup(work.cleanup)
        path = os.path.join(work.name, "larder.sock")
        self.start_larder("--unixsocket", path, threads=2)
        r = redis.Redis(unix_socket_path=path, socket_timeout=5)
        self.addCleanup(r.close)
        db = FakeDatabase()
        cache = CacheAside(r, db)
        self.assertEqual(cache.get("user:7"), "name-7")
        self.assertEqual(cache.get("user:7"), "name-7")
        self.assertEqual(db.reads, 1)
        pipe = r.pipeline(transaction=False)
        for i in range(500):
            pipe.set("warm:%d" % i, i)
        self.assertEqual(pipe.execute(), [True] * 500)
        self.assertEqual(r.client_info()["addr"], path + ":0")


if __name__ == "__main__":
    unittest.main()
