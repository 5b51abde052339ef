#!/usr/bin/python3
"""Django's cache API through django-redis (Debian python3-django 3.2,
python3-django-redis 5.2, python3-redis 4.3) against Larder, as an application
uses it: DefaultClient with pickle, a zlib+JSON backend, the Lua INCR path,
versions, patterns (SCAN/KEYS), locks and clear().

Run with /usr/bin/python3 (the Debian packages are only importable there).
A missing package is a test failure, not a skip.
"""
import datetime
import os
import sys
import unittest
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

_IMPORT_ERROR = None
try:
    import django
    from django.conf import settings
    if not settings.configured:
        settings.configure(USE_TZ=True, CACHES={})
        django.setup()
    import redis
    from django_redis.cache import RedisCache
except ImportError as e:  # reported by every test (not a skip)
    _IMPORT_ERROR = e


def make_cache(port, db=1, **options):
    params = {"TIMEOUT": 300, "KEY_PREFIX": "app", "VERSION": 1,
              "OPTIONS": dict({"CLIENT_CLASS": "django_redis.client.DefaultClient",
                               "SOCKET_TIMEOUT": 5, "SOCKET_CONNECT_TIMEOUT": 5}, **options)}
    return RedisCache("redis://127.0.0.1:%d/%d" % (port, db), params)


class DjangoRedisTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        if _IMPORT_ERROR is not None:
            self.fail("django / django-redis / redis-py not importable (apt-get install "
                      "python3-django python3-django-redis): %s" % _IMPORT_ERROR)
        self.srv = self.start_larder(threads=2)
        self.cache = make_cache(self.srv.port)
        self.addCleanup(self.cache.close)
        self.raw = redis.Redis(host="127.0.0.1", port=self.srv.port, db=1, socket_timeout=5)
        self.addCleanup(self.raw.close)

    def test_set_get_add_delete(self):
        c = self.cache
        self.assertIs(c.set("a", {"x": 1}), True)
        self.assertEqual(c.get("a"), {"x": 1})
        self.assertEqual(c.get("missing", "dflt"), "dflt")
        self.assertIs(c.add("a", 2), False)
        self.assertEqual(c.get("a"), {"x": 1})
        self.assertIs(c.add("b", 2), True)
        self.assertIs(c.has_key("b"), True)
        self.assertIs(c.has_key("nob"), False)
        self.assertIn("a", c)
        self.assertEqual(sorted(self.raw.keys("*")), [b"app:1:a", b"app:1:b"])
        self.assertTrue(299 <= self.raw.ttl("app:1:a") <= 300)
        self.assertIs(c.delete("a"), True)
        self.assertIs(c.delete("a"), False)
        self.assertEqual(c.get_or_set("gos", lambda: "computed", 60), "computed")
        self.assertEqual(c.get_or_set("gos", lambda: "other", 60), "computed")
        self.assertTrue(59 <= self.raw.ttl("app:1:gos") <= 60)
        # ints are stored as plain decimal strings (so INCRBY works on them)
        c.set("n", 42)
        self.assertEqual(self.raw.get("app:1:n"), b"42")

    def test_timeouts(self):
        c = self.cache
        self.assertIs(c.set("forever", 1, timeout=None), True)
        self.assertIsNone(c.ttl("forever"))
        self.assertEqual(self.raw.ttl("app:1:forever"), -1)
        # timeout 0 and negative: nothing stored, set() is False
        self.assertIs(c.set("zero", 1, timeout=0), False)
        self.assertIs(c.set("neg", 1, timeout=-5), False)
        self.assertEqual(self.raw.exists("app:1:zero", "app:1:neg"), 0)
        self.assertIs(c.set("fl", 1, timeout=2.5), True)      # SET ... PX 2500
        self.assertTrue(1500 < self.raw.pttl("app:1:fl") <= 2500)
        c.set("a", 1)
        self.assertIs(c.touch("a", 50), True)
        self.assertTrue(49 <= c.ttl("a") <= 50)
        self.assertIs(c.touch("a", None), True)
        self.assertIsNone(c.ttl("a"))
        self.assertIs(c.touch("missing", 5), False)
        self.assertIs(c.expire("a", 77), True)
        self.assertTrue(76 <= c.ttl("a") <= 77)
        self.assertTrue(75000 < c.pttl("a") <= 77000)
        self.assertIs(c.persist("a"), True)
        self.assertIsNone(c.ttl("a"))
        self.assertEqual(c.ttl("missing"), 0)
        when = datetime.datetime.now() + datetime.timedelta(seconds=100)
        self.assertIs(c.expire_at("a", when), True)
        self.assertTrue(98 <= c.ttl("a") <= 100)

    def test_many(self):
        c = self.cache
        self.assertEqual(c.set_many({"m1": 1, "m2": "two", "m3": [3]}, timeout=100), None)
        self.assertEqual(dict(c.get_many(["m1", "m2", "m3", "m4"])),
                         {"m1": 1, "m2": "two", "m3": [3]})
        self.assertTrue(99 <= self.raw.ttl("app:1:m2") <= 100)
        self.assertEqual(c.delete_many(["m1", "m2", "zz"]), 2)
        self.assertEqual(self.raw.keys("*"), [b"app:1:m3"])

    def test_incr_decr_lua(self):
        c = self.cache
        with self.assertRaisesRegex(ValueError, "not found"):
            c.incr("ctr")                         # Lua: EXISTS then INCRBY
        self.assertEqual(self.raw.exists("app:1:ctr"), 0)
        c.set("ctr", 10)
        self.assertEqual(c.incr("ctr"), 11)
        self.assertEqual(c.incr("ctr", 5), 16)
        self.assertEqual(c.decr("ctr", 3), 13)
        self.assertEqual(c.get("ctr"), 13)
        self.assertEqual(self.raw.get("app:1:ctr"), b"13")
        self.assertTrue(299 <= self.raw.ttl("app:1:ctr") <= 300)   # INCRBY keeps the TTL
        # Near 2^63: the script returns INCRBY's reply through a Lua number, so
        # 2^63-1 comes back as -2^63 (Redis 7.0 converts the double that way);
        # the next INCRBY overflows and django-redis falls back to GET + SET.
        c.set("big", 2 ** 63 - 2)
        self.assertEqual(c.incr("big", 1), -(2 ** 63))
        self.assertEqual(self.raw.get("app:1:big"), b"9223372036854775807")
        self.assertEqual(c.incr("big", 1), 2 ** 63)
        self.assertEqual(self.raw.get("app:1:big"), b"9223372036854775808")
        c.set("s", "hello")
        with self.assertRaises(TypeError):        # INCRBY error -> GET + str + int
            c.incr("s")
        self.assertEqual(c.get("s"), "hello")

    def test_lua_incr_error_reply(self):
        """The exact error django-redis's script gets back on overflow."""
        self.raw.set("o", 2 ** 63 - 1)
        script = ("local exists = redis.call('EXISTS', KEYS[1]) if (exists == 1) then "
                  "return redis.call('INCRBY', KEYS[1], ARGV[1]) else return false end")
        with self.assertRaises(redis.ResponseError) as cm:
            self.raw.eval(script, 1, "o", 1)
        self.assertTrue(str(cm.exception).startswith("increment or decrement would overflow"),
                        str(cm.exception))
        self.assertIsNone(self.raw.eval(script, 1, "nokey", 1))

    def test_versions(self):
        c = self.cache
        self.assertIs(c.set("v", "v2", version=2), True)
        self.assertIsNone(c.get("v"))
        self.assertEqual(c.get("v", version=2), "v2")
        self.assertEqual(c.incr_version("v", version=2), 3)
        self.assertEqual(c.get("v", version=3), "v2")
        self.assertIsNone(c.get("v", version=2))
        self.assertEqual(self.raw.keys("*"), [b"app:3:v"])

    def test_patterns(self):
        c = self.cache
        for i in range(40):
            c.set("pat:%d" % i, i)
        self.raw.set("other", "x")                   # no prefix: never matched
        expect1 = ["pat:1"] + ["pat:1%d" % i for i in range(10)]
        self.assertEqual(sorted(c.keys("pat:1*")), sorted(expect1))
        self.assertEqual(sorted(c.iter_keys("pat:2*", itersize=3)),
                         sorted(["pat:2"] + ["pat:2%d" % i for i in range(10)]))
        self.assertEqual(c.delete_pattern("pat:3*", itersize=2), 11)
        self.assertEqual(len(c.keys("pat:*")), 29)
        self.assertEqual(c.delete_pattern("nomatch*"), 0)
        self.assertEqual(self.raw.dbsize(), 30)

    def test_lock(self):
        c = self.cache
        lock1 = c.lock("mylock", timeout=10)
        self.assertIs(lock1.acquire(blocking=False), True)
        self.assertEqual(self.raw.keys("*"), [b"app:1:mylock"])    # the lock key is versioned too
        self.assertTrue(9000 < self.raw.pttl("app:1:mylock") <= 10000)
        lock2 = c.lock("mylock", timeout=10)
        self.assertIs(lock2.acquire(blocking=False), False)
        self.assertIs(lock1.locked(), True)
        self.assertIs(lock1.owned(), True)
        self.assertIs(lock2.owned(), False)
        self.assertIs(lock1.extend(5), True)                          # Lua PEXPIRE + ms
        self.assertTrue(13000 < self.raw.pttl("app:1:mylock") <= 15000)
        lock1.release()
        self.assertEqual(self.raw.exists("app:1:mylock"), 0)
        self.assertIs(lock2.acquire(blocking=False), True)
        lock2.release()
        with self.assertRaises(redis.exceptions.LockError):
            lock2.release()
        with c.lock("ctx", timeout=5, blocking_timeout=2):
            self.assertEqual(self.raw.exists("app:1:ctx"), 1)
        self.assertEqual(self.raw.exists("app:1:ctx"), 0)

    def test_zlib_json_backend(self):
        z = make_cache(self.srv.port, db=2,
                       COMPRESSOR="django_redis.compressors.zlib.ZlibCompressor",
                       SERIALIZER="django_redis.serializers.json.JSONSerializer")
        self.addCleanup(z.close)
        raw2 = redis.Redis(host="127.0.0.1", port=self.srv.port, db=2, socket_timeout=5)
        self.addCleanup(raw2.close)
        value = {"big": "x" * 2000, "n": [1, 2.5, None]}
        self.assertIs(z.set("k", value), True)
        self.assertEqual(z.get("k"), value)
        stored = raw2.get("app:1:k")
        self.assertLess(len(stored), 200)
        self.assertEqual(zlib.decompress(stored), b'{"big": "' + b"x" * 2000 + b'", "n": [1, 2.5, null]}')
        z.set_many({"p": 1, "q": [1, 2]})
        self.assertEqual(dict(z.get_many(["p", "q", "r"])), {"p": 1, "q": [1, 2]})
        self.assertEqual(z.incr("p", 2), 3)
        self.assertEqual(raw2.get("app:1:p"), b"3")

    def test_clear_flushes_only_its_db(self):
        c = self.cache
        c.set("a", 1)
        other = make_cache(self.srv.port, db=3)
        self.addCleanup(other.close)
        other.set("b", 2)
        self.assertIsNone(c.clear())
        self.assertEqual(self.raw.dbsize(), 0)
        self.assertEqual(other.get("b"), 2)


if __name__ == "__main__":
    unittest.main()
