#!/usr/bin/python3
"""Differential: keys that hold hashes and sets seen by the rest of the server.

WRONGTYPE from every string command against a hash key and a set key (MGET
returns nil instead, SET/MSET/SETEX overwrite, SETNX/SET NX/MSETNX do not),
TYPE, OBJECT ENCODING, RENAME, RENAMENX, COPY (deep copies, other database,
REPLACE), MOVE, SWAPDB, SCAN TYPE, EXPIRE/TTL/PERSIST and lazy expiry,
DEL/UNLINK/EXISTS and MULTI/EXEC - compared with redis-server 7.0 in RESP2
and again after HELLO 3. MEMORY USAGE cannot be compared byte for byte: a
separate Larder-only test checks it is a positive integer that grows with the
collection.

Helpers (Unordered, ProtocolDiffCase, ...) come from test_hashes.py.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from larder_harness import Near, decode, show  # noqa: E402
from test_hashes import BIN, ProtocolDiffCase, Unordered  # noqa: E402

FAR_S = "4102444800"        # 2100-01-01


def make_keys():
    """A small hash, a small set, an intset and a string."""
    return [("HSET", "h", "f1", "v1", "f2", "v2"), ("SADD", "s", "a", "b"),
            ("SADD", "i", "1", "2", "3"), ("SET", "str", "value")]


def string_commands_on(key):
    return [
        ("GET", key), ("GETSET", key, "x"), ("GETDEL", key), ("GETEX", key),
        ("GETEX", key, "EX", "100"), ("GETEX", key, "PERSIST"), ("GETEX", key, "PX", "abc"),
        ("APPEND", key, "x"), ("APPEND", key, ""), ("STRLEN", key),
        ("INCR", key), ("INCRBY", key, "5"), ("INCRBY", key, "abc"), ("DECR", key),
        ("DECRBY", key, "5"), ("INCRBYFLOAT", key, "1.5"), ("INCRBYFLOAT", key, "abc"),
        ("GETRANGE", key, "0", "-1"), ("GETRANGE", key, "abc", "1"), ("SUBSTR", key, "0", "1"),
        ("SETRANGE", key, "0", "x"), ("SETRANGE", key, "0", ""), ("SETRANGE", key, "100", ""),
        ("SETRANGE", key, "-1", "x"),
        ("LCS", key, "str"), ("LCS", "str", key), ("LCS", key, "missing"), ("LCS", "missing", key),
        ("LCS", key, key, "LEN"), ("LCS", "str", key, "IDX"),
        ("SET", key, "x", "GET"), ("SET", key, "x", "NX", "GET"), ("SET", key, "x", "XX", "GET"),
        ("SET", key, "x", "GET", "EX", "10"), ("SET", key, "x", "NX"),
        ("SETNX", key, "x"), ("MSETNX", key, "x"), ("MSETNX", "fresh", "1", key, "x"),
        ("EXISTS", "fresh"),
        ("MGET", key), ("MGET", "str", key, "missing", key),
        ("TYPE", key), ("OBJECT", "ENCODING", key),
    ]


def wrongtype_script():
    s = make_keys() + [("EXPIRE", "h", "100"), ("EXPIRE", "s", "100")]
    for key in ("h", "s", "i"):
        s += string_commands_on(key)
    s += [("HGETALL", "h"), Unordered("SMEMBERS", "s"), ("SMEMBERS", "i"),
          Near("TTL", "h", tol=1), Near("TTL", "s", tol=1), ("TTL", "i"), ("DBSIZE",)]
    return s


def overwrite_script():
    s = []
    for key, create in (("h", ("HSET", "h", "f", "v")), ("s", ("SADD", "s", "m")),
                        ("i", ("SADD", "i", "7"))):
        s += [create, ("SET", key, "plain"), ("TYPE", key), ("GET", key), ("TTL", key),
              ("DEL", key), create, ("EXPIRE", key, "100"), ("SET", key, "kept", "KEEPTTL"),
              ("TYPE", key), Near("TTL", key, tol=1), ("GET", key),
              ("DEL", key), create, ("EXPIRE", key, "100"), ("SET", key, "dropped"), ("TTL", key),
              ("DEL", key), create, ("SET", key, "xx", "XX"), ("TYPE", key), ("GET", key),
              ("DEL", key), create, ("SET", key, "ex", "EX", "100"), ("TYPE", key), Near("TTL", key, tol=1),
              ("DEL", key), create, ("SETEX", key, "100", "setex"), ("TYPE", key), ("GET", key),
              ("DEL", key), create, ("PSETEX", key, "100000", "psetex"), ("TYPE", key),
              ("DEL", key), create, ("MSET", key, "mset", "other", "1"), ("TYPE", key), ("GET", key),
              ("DEL", key), create, ("SET", key, "nx", "NX"), ("TYPE", key),
              ("SET", key, "nx", "NX", "GET"), ("TYPE", key),
              ("DEL", key), create, ("HSET", key, "f", "v"), ("SADD", key, "m"), ("TYPE", key)]
    s += [("HSET", "h", "f", "v"), ("SET", "h", "x", "XX", "GET"), ("TYPE", "h"), ("HGETALL", "h"),
          ("DBSIZE",)]
    return s


def type_and_encoding_script():
    s = make_keys() + [
        ("TYPE", "h"), ("TYPE", "s"), ("TYPE", "i"), ("TYPE", "str"), ("TYPE", "missing"),
        ("OBJECT", "ENCODING", "h"), ("OBJECT", "ENCODING", "s"), ("OBJECT", "ENCODING", "i"),
        ("OBJECT", "ENCODING", "str"), ("OBJECT", "ENCODING", "missing"),
        ("HSET", "hbig", "f", "x" * 100), ("OBJECT", "ENCODING", "hbig"), ("TYPE", "hbig"),
        ("SADD", "sbig", *[str(i) for i in range(600)]), ("OBJECT", "ENCODING", "sbig"),
        ("TYPE", "sbig"), ("OBJECT", "REFCOUNT", "h"), ("OBJECT", "REFCOUNT", "s"),
        ("type", "h"), ("object", "encoding", "s"),
        ("HSET", BIN, "f", "v"), ("TYPE", BIN), ("SADD", "", ""), ("TYPE", ""),
        ("OBJECT", "ENCODING", ""),
        ("KEYS", "*"), ("DBSIZE",), ("EXISTS", "h", "s", "i", "str", "x"),
    ]
    # KEYS order is hash-dependent
    s = [Unordered(*e) if isinstance(e, tuple) and e[0] == "KEYS" else e for e in s]
    return s


def rename_script():
    return make_keys() + [
        ("EXPIRE", "h", "100"),
        ("RENAME", "h", "h2"), ("EXISTS", "h"), ("TYPE", "h2"), ("HGETALL", "h2"), Near("TTL", "h2", tol=1),
        ("OBJECT", "ENCODING", "h2"),
        ("RENAME", "s", "s2"), ("TYPE", "s2"), Unordered("SMEMBERS", "s2"), ("TTL", "s2"),
        ("RENAME", "h2", "h2"), ("HGETALL", "h2"), ("RENAMENX", "h2", "h2"),
        ("RENAME", "h2", "s2"), ("TYPE", "s2"), ("HGETALL", "s2"), Near("TTL", "s2", tol=1),
        ("RENAMENX", "i", "s2"), ("TYPE", "i"), ("TYPE", "s2"),
        ("RENAMENX", "i", "i2"), ("SMEMBERS", "i2"), ("OBJECT", "ENCODING", "i2"),
        ("RENAME", "str", "i2"), ("TYPE", "i2"), ("GET", "i2"),
        ("HSET", "hbig", "f", "x" * 100, "g", "1"), ("RENAME", "hbig", "hb"),
        ("OBJECT", "ENCODING", "hb"), Unordered("HGETALL", "hb", pairs=True),
        ("HSET", "after", "f", "v"), ("RENAME", "after", "renamed"), ("HSET", "after", "new", "1"),
        ("HGETALL", "after"), ("HGETALL", "renamed"),
        ("DBSIZE",),
    ]


def copy_script():
    return make_keys() + [
        ("EXPIRE", "h", "100"),
        ("COPY", "h", "hc"), ("HGETALL", "hc"), Near("TTL", "hc", tol=1), ("TYPE", "hc"),
        ("HSET", "hc", "f1", "changed", "f3", "new"), ("HDEL", "hc", "f2"),
        ("HGETALL", "h"), ("HGETALL", "hc"), ("HINCRBY", "h", "n", "1"), ("HGET", "hc", "n"),
        ("COPY", "s", "sc"), ("SADD", "sc", "c"), ("SREM", "sc", "a"), Unordered("SMEMBERS", "s"),
        Unordered("SMEMBERS", "sc"), ("SCARD", "s"),
        ("COPY", "i", "ic"), ("OBJECT", "ENCODING", "ic"), ("SADD", "ic", "x"),
        ("OBJECT", "ENCODING", "ic"), ("OBJECT", "ENCODING", "i"), ("SMEMBERS", "i"),
        ("COPY", "h", "sc"), ("TYPE", "sc"), ("COPY", "h", "sc", "REPLACE"), ("TYPE", "sc"),
        ("HGETALL", "sc"), ("COPY", "s", "str", "REPLACE"), ("TYPE", "str"),
        ("COPY", "h", "h"), ("COPY", "h", "h", "REPLACE"), ("COPY", "missing", "h", "REPLACE"),
        ("HGETALL", "h"),
        ("HSET", "hbig", "f", "x" * 100, "g", "1"), ("COPY", "hbig", "hbc"),
        ("OBJECT", "ENCODING", "hbc"), Unordered("HGETALL", "hbc", pairs=True),
        ("HSET", "hbc", "g", "2"), ("HGET", "hbig", "g"),
        ("SADD", "sbig", *[str(i) for i in range(600)]), ("COPY", "sbig", "sbc"),
        ("OBJECT", "ENCODING", "sbc"), ("SCARD", "sbc"), ("SREM", "sbc", "1"), ("SCARD", "sbig"),
        ("COPY", "h", "other", "DB", "1"), ("COPY", "h", "other", "DB", "1"),
        ("COPY", "h", "other", "DB", "1", "REPLACE"), ("COPY", "s", "h", "DB", "1"),
        ("COPY", "i", "i", "DB", "2"), ("EXISTS", "other"),
        ("DBSIZE",),
    ]


def move_script():
    return make_keys() + [
        ("EXPIRE", "h", "100"),
        ("MOVE", "h", "1"), ("EXISTS", "h"), ("MOVE", "s", "1"), ("MOVE", "i", "1"),
        ("COPY", "h", "h", "DB", "1"),
        ("HSET", "h", "again", "1"), ("MOVE", "h", "1"), ("HGETALL", "h"),
        ("MOVE", "missing", "1"), ("MOVE", "s", "1"),
        ("DBSIZE",),
    ]


def scan_type_script():
    return make_keys() + [
        ("HSET", "h2", "a", "b"), ("SADD", "s2", "x"), ("SET", "str2", "v"),
        Unordered("SCAN", "0", "TYPE", "hash", scan=True), Unordered("SCAN", "0", "TYPE", "set", scan=True),
        Unordered("SCAN", "0", "TYPE", "string", scan=True),
        Unordered("SCAN", "0", "TYPE", "HASH", scan=True),
        Unordered("SCAN", "0", "TYPE", "Set", scan=True), Unordered("SCAN", "0", "TYPE", "list", scan=True),
        Unordered("SCAN", "0", "TYPE", "zset", scan=True), Unordered("SCAN", "0", "TYPE", "bogus", scan=True),
        Unordered("SCAN", "0", "TYPE", "hash", "MATCH", "h*", scan=True),
        Unordered("SCAN", "0", "MATCH", "s*", "TYPE", "set", "COUNT", "100", scan=True),
        Unordered("SCAN", "0", "COUNT", "1000", scan=True),
        Unordered("KEYS", "*"), Unordered("KEYS", "h*"),
        ("SCAN", "0", "TYPE"), ("SCAN", "0", "TYPE", "hash", "TYPE"),
    ]


def expire_script():
    return make_keys() + [
        ("EXPIRE", "h", "100"), Near("TTL", "h", tol=1), ("PERSIST", "h"), ("TTL", "h"), ("PERSIST", "h"),
        ("PEXPIRE", "s", "100000"), Near("PTTL", "s", tol=1500), ("PERSIST", "s"), ("PTTL", "s"),
        ("EXPIREAT", "i", FAR_S), ("EXPIRETIME", "i"), ("PERSIST", "i"),
        ("EXPIRE", "h", "100", "NX"), ("EXPIRE", "h", "200", "GT"), Near("TTL", "h", tol=1),
        ("HSET", "h", "f9", "v9"), Near("TTL", "h", tol=1), ("HDEL", "h", "f9"), Near("TTL", "h", tol=1),
        ("SADD", "s", "z"), ("SREM", "s", "z"), ("TTL", "s"),
        ("EXPIRE", "h", "0"), ("EXISTS", "h"), ("HGETALL", "h"), ("HLEN", "h"),
        ("EXPIRE", "s", "-1"), ("EXISTS", "s"), ("SMEMBERS", "s"), ("SCARD", "s"),
        ("PEXPIRE", "i", "0"), ("EXISTS", "i"), ("TTL", "i"),
        ("HSET", "h", "f", "v"), ("TTL", "h"), ("SADD", "s", "m"), ("TTL", "s"),
        ("DBSIZE",),
    ]


def del_exists_script():
    return make_keys() + [
        ("EXISTS", "h", "s", "i", "str", "missing", "h"), ("DEL", "h", "missing"), ("EXISTS", "h"),
        ("UNLINK", "s", "i"), ("EXISTS", "s", "i"), ("DEL", "str", "str"), ("DBSIZE",),
        ("HSET", "big", *[x for i in range(700) for x in ("f%d" % i, "v")]),
        ("SADD", "bigs", *[str(i) for i in range(700)]),
        ("UNLINK", "big", "bigs"), ("EXISTS", "big", "bigs"), ("HLEN", "big"),
        ("TOUCH", "h", "big"), ("DBSIZE",),
    ]


def multi_script():
    return [
        ("MULTI",), ("HSET", "h", "f", "v"), ("SADD", "s", "m"), ("GET", "h"), ("HGET", "h", "f"),
        ("SMEMBERS", "s"), ("HGET", "s", "f"), ("INCR", "s"), ("EXEC",),
        ("MULTI",), ("HSET", "h", "f"), ("EXEC",), ("HGETALL", "h"),
        ("MULTI",), ("HINCRBY", "h", "f", "1"), ("HINCRBY", "h", "n", "1"), ("EXEC",),
        ("HGETALL", "h"),
    ]


def db_script():
    """Needs SELECT / SWAPDB."""
    return make_keys() + [
        ("EXPIRE", "h", "100"),
        ("COPY", "h", "hc", "DB", "1"), ("COPY", "s", "sc", "DB", "1"), ("MOVE", "i", "1"),
        ("SELECT", "1"), ("HGETALL", "hc"), Near("TTL", "hc", tol=1), Unordered("SMEMBERS", "sc"),
        ("SMEMBERS", "i"), ("OBJECT", "ENCODING", "i"), ("HSET", "hc", "f1", "db1"), ("DBSIZE",),
        ("SELECT", "0"), ("HGET", "h", "f1"), ("EXISTS", "i"),
        ("COPY", "s", "hc", "DB", "1"), ("COPY", "s", "hc", "DB", "1", "REPLACE"),
        ("SELECT", "1"), ("TYPE", "hc"), Unordered("SMEMBERS", "hc"),
        ("SELECT", "0"), ("HSET", "swap", "x", "y"), ("SWAPDB", "0", "1"),
        ("TYPE", "swap"), ("TYPE", "hc"), Unordered("SMEMBERS", "hc"), ("SMEMBERS", "i"), ("DBSIZE",),
        ("SELECT", "1"), ("HGETALL", "swap"), ("HGETALL", "h"), Near("TTL", "h", tol=1), ("DBSIZE",),
        ("SWAPDB", "1", "0"), ("HGETALL", "h"), ("SELECT", "0"), ("HGETALL", "swap"),
        ("SWAPDB", "0", "0"), ("HGETALL", "swap"), ("SWAPDB", "0", "16"), ("SWAPDB", "0"),
        ("FLUSHDB",), ("SELECT", "1"), ("HGETALL", "h"), ("DBSIZE",), ("SELECT", "0"),
    ]


class TypedKeysBase(ProtocolDiffCase):

    def _needs_select(self):
        with self.larder.client() as lc:
            reply = lc.cmd("SELECT", "0")
        if reply != b"+OK\r\n":
            self.skipTest("Larder does not accept SELECT yet: %s" % show(reply))

    def test_string_commands_wrongtype(self):
        self.check(wrongtype_script())

    def test_overwrite_by_set_family(self):
        self.check(overwrite_script())

    def test_type_and_encoding(self):
        self.check(type_and_encoding_script())

    def test_rename(self):
        self.check(rename_script())

    def test_copy(self):
        self.check(copy_script())

    def test_move(self):
        self.check(move_script())

    def test_scan_type(self):
        self.check(scan_type_script())

    def test_expire_persist(self):
        self.check(expire_script())

    def test_lazy_expiry(self):
        self.check(make_keys() + [("PEXPIRE", "h", "1"), ("PEXPIRE", "s", "1"), ("PEXPIRE", "i", "1")])
        time.sleep(0.02)
        self.check([
            ("HGETALL", "h"), ("HLEN", "h"), ("HGET", "h", "f1"), ("SMEMBERS", "s"), ("SCARD", "s"),
            ("SISMEMBER", "i", "1"), ("EXISTS", "h", "s", "i"), ("TYPE", "h"), ("DBSIZE",),
            ("HSET", "h", "new", "1"), ("TTL", "h"), ("HGETALL", "h"),
            ("SADD", "s", "x"), ("TTL", "s"), ("SMEMBERS", "s"),
        ], flush=False)
        self.check(make_keys() + [("PEXPIRE", "h", "1"), ("PEXPIRE", "s", "1")])
        time.sleep(0.02)
        self.check([Unordered("SCAN", "0", "TYPE", "hash", scan=True),
                    Unordered("SCAN", "0", "TYPE", "set", scan=True),
                    Unordered("KEYS", "*"), ("RENAME", "h", "x"), ("COPY", "s", "y"),
                    ("MOVE", "h", "1"), ("SINTER", "s", "i"), ("SUNIONSTORE", "d", "s"),
                    ("DBSIZE",)], flush=False)

    def test_del_unlink_exists(self):
        self.check(del_exists_script())

    def test_multi_exec(self):
        self.check(multi_script())

    def test_select_swapdb(self):
        self._needs_select()
        self.check(db_script())

    def test_memory_usage_larder_only(self):
        # Not differential: sizes differ between implementations. Only the reply
        # types are compared with redis-server.
        for srv, who in ((self.redis, "redis"), (self.larder, "larder")):
            c = self.connect(srv)
            self.assertEqual(c.cmd("FLUSHALL"), b"+OK\r\n")
            self.assertIn(c.cmd("MEMORY", "USAGE", "missing"), (b"$-1\r\n", b"_\r\n"), who)
            for kind in ("hash", "set", "intset"):
                sizes = []
                for n in (1, 10, 100, 1000, 5000):
                    key = "%s%d" % (kind, n)
                    if kind == "hash":
                        c.cmd("HSET", key, *[x for i in range(n) for x in ("field%d" % i, "value%d" % i)])
                    elif kind == "set":
                        c.cmd("SADD", key, *["member%d" % i for i in range(n)])
                    else:
                        c.cmd("SADD", key, *[str(i) for i in range(n)])
                    for args in (("MEMORY", "USAGE", key), ("MEMORY", "USAGE", key, "SAMPLES", "0")):
                        raw = c.cmd(*args)
                        self.assertTrue(raw.startswith(b":"), "%s: %s -> %s" % (who, args, show(raw)))
                        self.assertGreater(decode(raw), 0, "%s: %s" % (who, args))
                    sizes.append(decode(c.cmd("MEMORY", "USAGE", key, "SAMPLES", "0")))
                self.assertEqual(sizes, sorted(sizes),
                                 "%s: MEMORY USAGE of a %s does not grow with it: %r" % (who, kind, sizes))
                self.assertGreater(sizes[-1], sizes[0] * 10,
                                   "%s: MEMORY USAGE of a 5000-element %s vs 1: %r" % (who, kind, sizes))
                # growing one collection in place
                key = kind + "-grow"
                before = None
                for step in range(4):
                    if kind == "hash":
                        c.cmd("HSET", key, *[x for i in range(500) for x in ("f%d-%d" % (step, i), "v" * 20)])
                    elif kind == "set":
                        c.cmd("SADD", key, *["m%d-%d" % (step, i) for i in range(500)])
                    else:
                        c.cmd("SADD", key, *[str(step * 1000 + i) for i in range(500)])
                    now = decode(c.cmd("MEMORY", "USAGE", key, "SAMPLES", "0"))
                    if before is not None:
                        self.assertGreater(now, before, "%s: MEMORY USAGE %s after growth" % (who, key))
                    before = now


class TypedKeysResp2(TypedKeysBase):
    PROTOCOL = 2


class TypedKeysResp3(TypedKeysBase):
    PROTOCOL = 3


del TypedKeysBase  # only its two protocol variants run

if __name__ == "__main__":
    unittest.main()
