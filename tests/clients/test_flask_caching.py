#!/usr/bin/python3
"""Flask-Caching 2.0 (CACHE_TYPE RedisCache) and cachelib 0.9's RedisCache
(Debian python3-flask-caching, python3-cachelib, python3-redis 4.3) against
Larder: set/get/add/delete/delete_many/get_many/set_many/inc/dec/has/clear,
key_prefix, default_timeout, memoize.

Run with /usr/bin/python3. A missing package is a test failure, not a skip.
"""
import os
import pickle
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

_IMPORT_ERROR = None
try:
    import redis
    from flask import Flask
    from flask_caching import Cache
    from cachelib.redis import RedisCache
except ImportError as e:
    _IMPORT_ERROR = e


def unpickled(raw):
    """cachelib stores b'!' + pickle, and plain ASCII digits for ints it INCRs."""
    if raw is None:
        return None
    assert raw[:1] == b"!", raw
    return pickle.loads(raw[1:])


class FlaskCachingTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        if _IMPORT_ERROR is not None:
            self.fail("flask / flask-caching / cachelib / redis-py not importable (apt-get install "
                      "python3-flask-caching python3-cachelib): %s" % _IMPORT_ERROR)
        self.srv = self.start_larder(threads=2)
        self.raw = redis.Redis(host="127.0.0.1", port=self.srv.port, socket_timeout=5)
        self.addCleanup(self.raw.close)

    def flask_cache(self):
        app = Flask("larder-test")
        cache = Cache(app, config={"CACHE_TYPE": "RedisCache", "CACHE_REDIS_HOST": "127.0.0.1",
                                   "CACHE_REDIS_PORT": self.srv.port, "CACHE_KEY_PREFIX": "fl_",
                                   "CACHE_DEFAULT_TIMEOUT": 120})
        ctx = app.app_context()
        ctx.push()
        self.addCleanup(ctx.pop)
        return cache

    def test_flask_cache_api(self):
        cache = self.flask_cache()
        self.assertIs(cache.set("a", {"x": [1, 2]}), True)
        self.assertEqual(cache.get("a"), {"x": [1, 2]})
        self.assertIsNone(cache.get("zz"))
        self.assertIs(cache.add("a", 1), False)
        self.assertIs(cache.add("b", 1, timeout=30), True)
        self.assertEqual(cache.set_many({"m1": 1, "m2": "s", "m3": None}), ["m1", "m2", "m3"])
        self.assertEqual(cache.get_many("m1", "m2", "m3", "m4"), [1, "s", None, None])
        self.assertEqual(cache.get_dict("m1", "m2"), {"m1": 1, "m2": "s"})
        self.assertIs(cache.delete("m1"), True)
        self.assertIs(cache.delete("m1"), False)
        self.assertEqual(cache.delete_many("m2", "m3", "m9"), ["m2", "m3"])
        self.assertTrue(119 <= self.raw.ttl("fl_a") <= 120)
        self.assertTrue(29 <= self.raw.ttl("fl_b") <= 30)
        self.assertEqual(unpickled(self.raw.get("fl_a")), {"x": [1, 2]})
        # timeout 0 and negative: stored without a TTL
        self.assertIs(cache.set("t0", 1, timeout=0), True)
        self.assertIs(cache.set("neg", 1, timeout=-1), True)
        self.assertEqual(cache.get("neg"), 1)
        self.assertEqual((self.raw.ttl("fl_t0"), self.raw.ttl("fl_neg")), (-1, -1))
        self.assertIs(cache.has("a"), True)
        self.assertIs(cache.has("nope"), False)

    def test_flask_inc_dec(self):
        cache = self.flask_cache()
        backend = cache.cache
        self.assertEqual(backend.inc("ctr"), 1)
        self.assertEqual(backend.inc("ctr", 5), 6)
        self.assertEqual(backend.dec("ctr", 2), 4)
        self.assertEqual(cache.get("ctr"), 4)
        self.assertEqual(self.raw.get("fl_ctr"), b"4")
        self.assertEqual(self.raw.ttl("fl_ctr"), -1)
        cache.set("i", 42)                            # pickled: INCRBY refuses it
        with self.assertRaisesRegex(redis.ResponseError, "^value is not an integer or out of range$"):
            backend.inc("i")
        self.assertEqual(cache.get("i"), 42)

    def test_flask_memoize_and_clear(self):
        cache = self.flask_cache()
        calls = []

        @cache.memoize(60)
        def double(x):
            calls.append(x)
            return x * 2

        self.assertEqual((double(2), double(2), double(3)), (4, 4, 6))
        self.assertEqual(calls, [2, 3])
        memo_keys = self.raw.keys("fl_*")
        self.assertEqual(len(memo_keys), 3, memo_keys)  # memver + 2 results
        for k in memo_keys:
            self.assertTrue(59 <= self.raw.ttl(k) <= 60, (k, self.raw.ttl(k)))
        cache.delete_memoized(double, 2)
        self.assertEqual(double(2), 4)
        self.assertEqual(calls, [2, 3, 2])
        cache.set("x", 1)
        self.raw.set("other", "keep")                 # no prefix: clear() keeps it
        self.assertIs(cache.clear(), True)
        self.assertEqual(self.raw.keys("*"), [b"other"])

    def test_cachelib_redis_cache(self):
        rc = RedisCache(host="127.0.0.1", port=self.srv.port, db=3, key_prefix="cl:",
                        default_timeout=10)
        r3 = redis.Redis(host="127.0.0.1", port=self.srv.port, db=3, socket_timeout=5)
        self.addCleanup(r3.close)
        self.assertIs(rc.set("k", b"bytes"), True)
        self.assertEqual(rc.get("k"), b"bytes")
        self.assertTrue(9 <= r3.ttl("cl:k") <= 10)
        self.assertEqual(rc.set_many({"a": 1, "b": 2}, timeout=0), ["a", "b"])
        self.assertEqual(r3.ttl("cl:a"), -1)
        self.assertEqual(rc.get_many("a", "b", "c"), [1, 2, None])
        self.assertIs(rc.add("a", 9), False)
        self.assertIs(rc.add("c", 9), True)
        self.assertTrue(9 <= r3.ttl("cl:c") <= 10)
        self.assertEqual(rc.inc("n", 10), 10)
        self.assertEqual(rc.dec("n"), 9)
        self.assertEqual(r3.get("cl:n"), b"9")
        self.assertIs(rc.has("a"), True)
        self.assertIs(rc.has("zz"), False)
        self.assertEqual(rc.delete_many("a", "b", "x"), ["cl:a", "cl:b", "cl:x"])
        self.assertEqual(sorted(r3.keys("*")), [b"cl:c", b"cl:k", b"cl:n"])
        r3.set("nopfx", 1)
        self.assertIs(rc.clear(), True)               # KEYS cl:* + DEL
        self.assertEqual(r3.keys("*"), [b"nopfx"])
        whole = RedisCache(host="127.0.0.1", port=self.srv.port, db=3, key_prefix=None)
        self.assertIs(whole.clear(), True)            # no prefix: FLUSHDB
        self.assertEqual(r3.dbsize(), 0)
        self.assertEqual(self.raw.dbsize(), 0)        # db 0 untouched (empty anyway)


if __name__ == "__main__":
    unittest.main()
