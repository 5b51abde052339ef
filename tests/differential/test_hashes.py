#!/usr/bin/python3
"""Differential: the hash family - HSET, HSETNX, HGET, HMGET, HMSET, HGETALL,
HDEL, HLEN, HSTRLEN, HEXISTS, HKEYS, HVALS, HINCRBY, HINCRBYFLOAT, HRANDFIELD
and HSCAN - against redis-server 7.0, in RESP2 and again after HELLO 3 on both
connections (RESP3 maps, nulls, arrays of pairs).

Small hashes (listpack in Redis) have a deterministic order and are compared
byte for byte. Replies about hashtable-encoded hashes (more than
hash-max-listpack-entries fields, or a field/value longer than
hash-max-listpack-value bytes) are compared with their elements, or their
field/value pairs, sorted (Unordered entries); full HSCAN iterations of big
hashes are compared as sets of pairs. HRANDFIELD is random: deterministic
corner cases are compared byte for byte, the rest is checked by property
tests (sizes, membership, distinctness, pairing, and the reply's RESP type
shape compared with Redis's).
"""
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import (DifferentialTestCase, Near, decode, fmt_cmd,  # noqa: E402
                            scan_reply, several, show, weighted)

INT64_MAX = "9223372036854775807"
INT64_MIN = "-9223372036854775808"
LONG_MAX_HALF = "4611686018427387903"       # LONG_MAX/2: HRANDFIELD WITHVALUES limit

# Strings that are not integers by Redis's string2ll() rules.
NOT_INTEGERS = ["", " 1", "1 ", "+1", "01", "-0", "1.0", "1e3", "0x10", "abc", "1a",
                "9223372036854775808", "-9223372036854775809", "99999999999999999999",
                b"1\x00", "--1", "-"]

BIN = b"\x00\xff\r\n\x01"

# Restored after every test to the values each server started with (not to
# Redis's defaults: a wrong default in Larder must keep showing up).
CONFIG_NAMES = ["hash-max-listpack-entries", "hash-max-listpack-value", "set-max-intset-entries"]


# ---------------------------------------------------------------------------
# Helpers (shared in spirit with test_sets.py / test_typed_keys.py)
# ---------------------------------------------------------------------------

class Unordered:
    """Script entry whose aggregate reply is compared with its elements sorted.

    pairs=True keeps field/value pairs together (flat RESP2 arrays, RESP3 maps
    and RESP3 arrays of 2-element arrays). scan=True: the reply is
    [cursor, elements]; the cursor is compared exactly, the elements sorted.
    Header (type byte and length) and every element stay byte-exact."""

    def __init__(self, *args, pairs=False, scan=False):
        self.args = args
        self.pairs = pairs
        self.scan = scan

    def canon(self, reply):
        if self.scan:
            return sort_scan(reply, self.pairs)
        return sort_elements(reply, self.pairs)

    def __repr__(self):
        return "Unordered(%s%s%s)" % (fmt_cmd(self.args), ", pairs" if self.pairs else "",
                                      ", scan" if self.scan else "")


def split_aggregate(reply):
    """(header, [raw elements], tail) of an array/set/map reply, else None."""
    if reply[:1] not in (b"*", b"~", b"%"):
        return None
    hdr_end = reply.index(b"\r\n") + 2
    n = int(reply[1:hdr_end - 2])
    if n < 0:
        return None
    if reply[:1] == b"%":
        n *= 2
    elems = []
    pos = hdr_end
    for _ in range(n):
        end = scan_reply(reply, pos)
        elems.append(reply[pos:end])
        pos = end
    return reply[:hdr_end], elems, reply[pos:]


def sort_elements(reply, pairs=False):
    parts = split_aggregate(reply)
    if parts is None:
        return reply
    hdr, elems, tail = parts
    nested = hdr.startswith(b"*") and elems and elems[0].startswith(b"*")
    if pairs and not nested:
        if len(elems) % 2:
            return reply
        groups = [elems[i] + elems[i + 1] for i in range(0, len(elems), 2)]
    else:
        groups = elems
    return hdr + b"".join(sorted(groups)) + tail


def sort_scan(reply, pairs=False):
    if not reply.startswith(b"*2\r\n"):
        return reply
    cursor_end = scan_reply(reply, 4)
    return reply[:cursor_end] + sort_elements(reply[cursor_end:], pairs)


def shape(reply):
    """RESP type bytes of a reply and of its direct children."""
    parts = split_aggregate(reply)
    if parts is None:
        return reply[:1]
    hdr, elems, _ = parts
    return hdr[:1] + b"[" + b"".join(sorted(set(e[:1] for e in elems))) + b"]"


def entry_args(entry):
    if isinstance(entry, (Unordered, Near)):
        return entry.args
    return entry


def entry_text(entry):
    if isinstance(entry, (Unordered, Near)):
        return repr(entry)
    return fmt_cmd(entry)


class ProtocolDiffCase(DifferentialTestCase):
    """DifferentialTestCase whose connections speak RESP2 or, after HELLO 3,
    RESP3 (PROTOCOL), with Unordered/Near script entries."""

    PROTOCOL = 2

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.initial_config = {}
        for srv in (cls.redis, cls.larder):
            values = []
            with srv.client() as c:
                for name in CONFIG_NAMES:
                    reply = decode(c.cmd("CONFIG", "GET", name))
                    if isinstance(reply, dict):
                        reply = [x for kv in reply.items() for x in kv]
                    if isinstance(reply, list) and len(reply) == 2:
                        values.append((name, reply[1]))
            cls.initial_config[srv.port] = values

    def setUp(self):
        super().setUp()
        if self.PROTOCOL == 3:
            with self.larder.client() as lc:
                reply = lc.cmd("HELLO", "3")
            if not reply.startswith(b"%"):
                self.skipTest("Larder does not accept HELLO 3 yet: %s" % show(reply))
        self.addCleanup(self.reset_config)

    def reset_config(self):
        for srv in (self.redis, self.larder):
            try:
                with srv.client() as c:
                    for name, value in self.initial_config.get(srv.port, []):
                        c.cmd("CONFIG", "SET", name, value)
            except Exception:
                pass

    def prelude(self, client):
        if self.PROTOCOL == 3:
            reply = client.cmd("HELLO", "3")
            self.assertTrue(reply.startswith(b"%"), show(reply))

    def connect(self, srv):
        c = srv.client()
        self.addCleanup(c.close)
        self.prelude(c)
        return c

    def check(self, script, flush=True):
        if flush:
            script = [("FLUSHALL",)] + list(script)
        with self.redis.client() as rc, self.larder.client() as lc:
            self.prelude(rc)
            self.prelude(lc)
            expected = [rc.cmd(*entry_args(e)) for e in script]
            actual = []
            try:
                for e in script:
                    actual.append(lc.cmd(*entry_args(e)))
            except Exception as ex:
                done = len(actual)
                raise AssertionError("Larder failed at command #%d %s: %r (redis replied %s)"
                                     % (done, entry_text(script[done]), ex,
                                        show(expected[done])))
        mismatches = []
        for i, (entry, e, a) in enumerate(zip(script, expected, actual)):
            if isinstance(entry, Near):
                if entry.matches(e, a):
                    continue
            elif isinstance(entry, Unordered):
                if entry.canon(e) == entry.canon(a):
                    continue
            elif e == a:
                continue
            mismatches.append("  #%d %s\n      redis : %s\n      larder: %s"
                              % (i, entry_text(entry), show(e)[:600], show(a)[:600]))
        if mismatches:
            self.fail("RESP%d: %d of %d replies differ from redis-server:\n%s"
                      % (self.PROTOCOL, len(mismatches), len(script), "\n".join(mismatches)))
        return expected


# ---------------------------------------------------------------------------
# Scripts
# ---------------------------------------------------------------------------

def basic_script():
    return [
        ("HSET", "h", "f1", "v1"), ("HSET", "h", "f2", "v2", "f3", "v3"),
        ("HSET", "h", "f1", "new", "f4", "v4"), ("HSET", "h", "f5", "x", "f5", "y"),
        ("HSET", "h", "f1", "same"), ("HSET", "h", "f1", "same"),
        ("HGET", "h", "f1"), ("HGET", "h", "f5"), ("HGET", "h", "nope"), ("HGET", "missing", "f"),
        ("HLEN", "h"), ("HLEN", "missing"), ("HGETALL", "h"), ("HGETALL", "missing"),
        ("HKEYS", "h"), ("HVALS", "h"), ("HKEYS", "missing"), ("HVALS", "missing"),
        ("HEXISTS", "h", "f1"), ("HEXISTS", "h", "zz"), ("HEXISTS", "missing", "f"),
        ("HSTRLEN", "h", "f1"), ("HSTRLEN", "h", "zz"), ("HSTRLEN", "missing", "f"),
        ("HMGET", "h", "f1", "zz", "f2", "f1"), ("HMGET", "missing", "a", "b"), ("HMGET", "h", "f3"),
        ("HMSET", "h", "a", "1", "b", "2"), ("HMSET", "h", "a", "3"), ("HMSET", "h", "a", "4", "a", "5"),
        ("HGETALL", "h"), ("HMSET", "hm", "x", "y"), ("TYPE", "hm"),
        ("HSETNX", "h", "a", "9"), ("HSETNX", "h", "c", "9"), ("HSETNX", "n", "x", "y"),
        ("HGETALL", "n"), ("HSETNX", "n", "x", "z"), ("HGET", "n", "x"),
        ("TYPE", "h"), ("OBJECT", "ENCODING", "h"), ("EXISTS", "h"),
        ("hset", "h", "lower", "1"), ("HgEt", "h", "lower"), ("hmget", "h", "lower", "a"),
        ("HSET", "h", "F1", "upper"), ("HGET", "h", "F1"), ("HGET", "h", "f1"),
        ("HSET", "h", "", "empty-field"), ("HSET", "h", "empty-value", ""),
        ("HGET", "h", ""), ("HGET", "h", "empty-value"), ("HSTRLEN", "h", ""),
        ("HSTRLEN", "h", "empty-value"), ("HEXISTS", "h", ""), ("HEXISTS", "h", "empty-value"),
        ("HSET", "e", "", ""), ("HGETALL", "e"), ("HLEN", "e"), ("HKEYS", "e"), ("HVALS", "e"),
        ("HSET", "b", BIN, BIN + BIN), ("HSET", "b", b"f\x00", b"\x00"),
        ("HGET", "b", BIN), ("HGET", "b", b"f\x00"), ("HGET", "b", b"f"), ("HSTRLEN", "b", BIN),
        ("HGETALL", "b"), ("HMGET", "b", b"f\x00", BIN, b"f"), ("HEXISTS", "b", b"f\x00"),
        ("HSET", BIN, "k", "v"), ("HGETALL", BIN), ("TYPE", BIN),
        ("HGETALL", "h"), ("HKEYS", "h"), ("HVALS", "h"), ("HLEN", "h"),
        ("DBSIZE",),
    ]


INT_LIKE = ["0", "1", "-1", "123", "-123", "-0", "007", "+1", " 1", "1 ", "1.5", "1e3", "0x10",
            INT64_MAX, INT64_MIN, "9223372036854775808", "-9223372036854775809",
            "12345678901234567890", "4294967296", "-2147483649", "65535", "127", "-128"]


def int_like_script():
    s = []
    for n, v in enumerate(INT_LIKE):
        s += [("HSET", "hv", "f%d" % n, v), ("HGET", "hv", "f%d" % n), ("HSTRLEN", "hv", "f%d" % n),
              ("HSET", "hf", v, "x%d" % n), ("HGET", "hf", v), ("HEXISTS", "hf", v)]
    s += [("HGETALL", "hv"), ("HVALS", "hv"), ("HKEYS", "hf"), ("HGETALL", "hf"),
          ("HMGET", "hv", "f0", "f5", "f13"), ("HLEN", "hf"),
          ("OBJECT", "ENCODING", "hv"), ("OBJECT", "ENCODING", "hf"),
          ("HDEL", "hf", "0", "-0", "007", "1"), ("HKEYS", "hf"),
          ("HSET", "hf", "1", "one", "01", "zero-one"), ("HGET", "hf", "1"), ("HGET", "hf", "01"),
          ("HSCAN", "hf", "0")]
    return s


def hdel_script():
    s = [
        ("HDEL", "missing", "f"), ("HDEL", "missing", "a", "b"),
        ("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"),
        ("HDEL", "h", "a"), ("HDEL", "h", "a"), ("HDEL", "h", "b", "b", "zz"), ("HLEN", "h"),
        ("HGETALL", "h"), ("HDEL", "h", "c", "d", "c"), ("EXISTS", "h"), ("TYPE", "h"),
        ("HLEN", "h"), ("HGETALL", "h"), ("HGET", "h", "c"), ("OBJECT", "ENCODING", "h"),
        ("HSET", "h", "a", "1"), ("HDEL", "h", "a", "a"), ("EXISTS", "h"),
        ("HSET", "h", "", ""), ("HDEL", "h", ""), ("EXISTS", "h"),
        ("HSET", "t", "a", "1", "b", "2"), ("EXPIRE", "t", "100"), ("HSET", "t", "c", "3"),
        Near("TTL", "t", tol=1), ("HDEL", "t", "a"), Near("TTL", "t", tol=1),
        ("HINCRBY", "t", "n", "1"), Near("TTL", "t", tol=1),
        ("HDEL", "t", "b", "c", "n"), ("TTL", "t"), ("EXISTS", "t"),
        ("HSET", "t", "a", "1"), ("TTL", "t"),
        ("hdel", "t", "a"), ("DBSIZE",),
    ]
    # A hashtable-encoded hash shrinking to nothing.
    fields = []
    for i in range(600):
        fields += ["field:%d" % i, "value:%d" % i]
    s += [("HSET", "big", *fields), ("OBJECT", "ENCODING", "big"), ("HLEN", "big"),
          ("HDEL", "big", *["field:%d" % i for i in range(0, 599)]), ("HLEN", "big"),
          ("OBJECT", "ENCODING", "big"), ("HGETALL", "big"), ("HDEL", "big", "field:599", "x"),
          ("EXISTS", "big"), ("HLEN", "big"), ("DBSIZE",)]
    return s


# Valid argument counts: name -> (too-few variants, too-many variants)
ARITY = [
    ("HSET", [("HSET",), ("HSET", "h"), ("HSET", "h", "f"), ("HSET", "h", "f", "v", "g"),
              ("HSET", "h", "f", "v", "g", "w", "x")]),
    ("HSETNX", [("HSETNX",), ("HSETNX", "h"), ("HSETNX", "h", "f"), ("HSETNX", "h", "f", "v", "x")]),
    ("HGET", [("HGET",), ("HGET", "h"), ("HGET", "h", "f", "g")]),
    ("HMGET", [("HMGET",), ("HMGET", "h")]),
    ("HMSET", [("HMSET",), ("HMSET", "h"), ("HMSET", "h", "f"), ("HMSET", "h", "f", "v", "g")]),
    ("HGETALL", [("HGETALL",), ("HGETALL", "h", "x")]),
    ("HDEL", [("HDEL",), ("HDEL", "h")]),
    ("HLEN", [("HLEN",), ("HLEN", "h", "x")]),
    ("HSTRLEN", [("HSTRLEN",), ("HSTRLEN", "h"), ("HSTRLEN", "h", "f", "x")]),
    ("HEXISTS", [("HEXISTS",), ("HEXISTS", "h"), ("HEXISTS", "h", "f", "x")]),
    ("HKEYS", [("HKEYS",), ("HKEYS", "h", "x")]),
    ("HVALS", [("HVALS",), ("HVALS", "h", "x")]),
    ("HINCRBY", [("HINCRBY",), ("HINCRBY", "h"), ("HINCRBY", "h", "f"),
                 ("HINCRBY", "h", "f", "1", "2")]),
    ("HINCRBYFLOAT", [("HINCRBYFLOAT",), ("HINCRBYFLOAT", "h"), ("HINCRBYFLOAT", "h", "f"),
                      ("HINCRBYFLOAT", "h", "f", "1", "2")]),
    ("HRANDFIELD", [("HRANDFIELD",)]),
    ("HSCAN", [("HSCAN",), ("HSCAN", "h")]),
]


def arity_script():
    s = [("HSET", "h", "f", "v")]
    for _, variants in ARITY:
        for v in variants:
            s.append(v)
            # lower case and on a missing key as well
            s.append(tuple([v[0].lower()] + ["missing" if a == "h" else a for a in v[1:]]))
    s += [("HGETALL", "h"), ("DBSIZE",)]
    return s


def hash_commands_on(key):
    return [
        ("HSET", key, "f", "v"), ("HSETNX", key, "f", "v"), ("HGET", key, "f"),
        ("HMGET", key, "f", "g"), ("HMSET", key, "f", "v"), ("HGETALL", key), ("HDEL", key, "f"),
        ("HLEN", key), ("HSTRLEN", key, "f"), ("HEXISTS", key, "f"), ("HKEYS", key),
        ("HVALS", key), ("HINCRBY", key, "f", "1"), ("HINCRBYFLOAT", key, "f", "1.5"),
        ("HRANDFIELD", key), ("HRANDFIELD", key, "2"), ("HRANDFIELD", key, "-2", "WITHVALUES"),
        ("HRANDFIELD", key, "0"), ("HSCAN", key, "0"), ("HSCAN", key, "0", "MATCH", "*"),
        # which error wins: argument errors or the type check
        ("HINCRBY", key, "f", "abc"), ("HINCRBYFLOAT", key, "f", "abc"),
        ("HRANDFIELD", key, "abc"), ("HRANDFIELD", key, "1", "bogus"), ("HSCAN", key, "x"),
        ("HSCAN", key, "0", "COUNT", "0"), ("HSCAN", key, "0", "bogus"),
        ("HSET", key, "f"), ("HMSET", key, "f", "v", "g"),
    ]


def wrongtype_script():
    s = [("SET", "str", "value"), ("SADD", "set", "m1", "m2"), ("HSET", "h", "f", "v")]
    for key in ("str", "set"):
        s += hash_commands_on(key)
    s += [("GET", "str"), Unordered("SMEMBERS", "set"), ("TYPE", "str"), ("TYPE", "set")]
    # string and set commands against a hash
    s += [
        ("GET", "h"), ("APPEND", "h", "x"), ("INCR", "h"), ("INCRBYFLOAT", "h", "1"),
        ("STRLEN", "h"), ("GETRANGE", "h", "0", "1"), ("SETRANGE", "h", "0", "x"),
        ("GETDEL", "h"), ("GETEX", "h"), ("GETSET", "h", "x"), ("SET", "h", "x", "GET"),
        ("MGET", "h", "str"), ("SADD", "h", "m"), ("SMEMBERS", "h"), ("SCARD", "h"),
        ("SISMEMBER", "h", "f"), ("HGETALL", "h"), ("TYPE", "h"),
        ("SET", "h", "now-a-string"), ("TYPE", "h"), ("HGET", "h", "f"), ("GET", "h"),
    ]
    return s


def hincrby_script():
    s = [
        ("HINCRBY", "h", "n", "1"), ("HINCRBY", "h", "n", "1"), ("HINCRBY", "h", "n", "-5"),
        ("HINCRBY", "h", "n", "0"), ("HGET", "h", "n"), ("HSTRLEN", "h", "n"),
        ("HINCRBY", "h", "m", "-7"), ("HINCRBY", "new", "f", "10"), ("HGETALL", "new"),
        ("HINCRBY", "h", "n", INT64_MAX), ("HINCRBY", "h", "n", INT64_MIN),
        ("HSET", "h", "max", INT64_MAX), ("HINCRBY", "h", "max", "1"), ("HINCRBY", "h", "max", "0"),
        ("HINCRBY", "h", "max", "-1"), ("HINCRBY", "h", "max", "1"), ("HINCRBY", "h", "max", "1"),
        ("HINCRBY", "h", "max", INT64_MIN), ("HGET", "h", "max"),
        ("HSET", "h", "min", INT64_MIN), ("HINCRBY", "h", "min", "-1"),
        ("HINCRBY", "h", "min", INT64_MAX), ("HINCRBY", "h", "min", INT64_MAX),
        ("HGET", "h", "min"),
        ("HSET", "h", "min", INT64_MIN), ("HINCRBY", "h", "min", INT64_MIN), ("HGET", "h", "min"),
        ("HSET", "h", "z", "0"), ("HINCRBY", "h", "z", INT64_MIN), ("HINCRBY", "h", "z", "-1"),
        ("HINCRBY", "h", "z2", INT64_MAX), ("HINCRBY", "h", "z2", INT64_MAX),
        ("HSET", "h", "neg", "-1"), ("HINCRBY", "h", "neg", INT64_MIN),
        ("HINCRBY", "h", "neg", INT64_MAX), ("HGET", "h", "neg"),
        ("hincrby", "h", "lower", "3"), ("HGETALL", "h"),
    ]
    for v in NOT_INTEGERS:
        # as the increment, and as the stored value
        s += [("HINCRBY", "h", "n", v), ("HINCRBY", "missing", "f", v),
              ("HSET", "bad", "f", v), ("HINCRBY", "bad", "f", "1"), ("HGET", "bad", "f")]
    s += [("HSET", "bad", "f", "1.5"), ("HINCRBY", "bad", "f", "1"),
          ("HSET", "bad", "f", "1.0"), ("HINCRBY", "bad", "f", "0"),
          ("HSET", "bad", "f", "abc"), ("HINCRBY", "bad", "f", "abc"),
          ("HSET", "bad", "f", ""), ("HINCRBY", "bad", "f", "1"),
          ("HSET", "bad", "f", "x" * 100), ("HINCRBY", "bad", "f", "1"),
          ("HSET", "bad", "i", "41"), ("HINCRBY", "bad", "i", "1"), ("OBJECT", "ENCODING", "bad"),
          ("EXISTS", "missing"), ("DBSIZE",)]
    # The same on a hashtable-encoded hash.
    s += [("HSET", "ht", "long", "v" * 100), ("HINCRBY", "ht", "c", "5"),
          ("HINCRBY", "ht", "c", INT64_MAX), ("HINCRBY", "ht", "long", "1"),
          ("HSET", "ht", "m", INT64_MAX), ("HINCRBY", "ht", "m", "1"), ("HINCRBY", "ht", "m", "-1"),
          ("HINCRBY", "ht", "c", "x"), ("HGET", "ht", "c"), ("HGET", "ht", "m"),
          ("OBJECT", "ENCODING", "ht")]
    return s


# (stored value or None, increment)
FLOAT_CASES = [
    (None, "0.1"), (None, "3.0e3"), (None, "3.0e-3"), ("10.5", "0.1"), ("10.5", "-0.5"),
    ("1", "1"), (None, "-1.5"), ("0.1", "0.2"), ("1.1", "2.2"), ("5.0e3", "2.0e2"),
    (None, "1e-17"), (None, "0"), (None, "-0"), (None, "-0.0"), ("-0.5", "0.5"),
    (None, "+1.5"), (None, ".5"), (None, "5."), (None, "1e17"), (None, "1e20"),
    (None, "123456789.123456789"), (None, "3.14159265358979323846264338327950288"),
    (None, "1e70"), (None, "1e308"), ("1e308", "1e308"), (None, "1e400"), (None, "-1e400"),
    (None, "1e-400"), ("1e4932", "1e4932"), (None, "1e5000"), (None, "1e-5000"),
    (None, "0x10"), (None, "0x1p-2"), ("0x10", "1"),
    (None, "inf"), (None, "-inf"), (None, "+inf"), (None, "Infinity"), (None, "nan"),
    (None, "-nan"), ("inf", "0"), ("nan", "0"), ("1", "inf"),
    (None, ""), (None, " 1"), (None, "  1"), (None, "1 "), (None, "1.5abc"), (None, "abc"),
    (None, "1,5"), (None, b"1\x00"), (None, "e5"), (None, "1e"), (None, "--1"),
    (None, "9" * 400), (None, "9" * 5119), (None, "9" * 5120),
    ("1.5", "1"), ("abc", "1"), ("", "1"), (" 2", "1"), ("  1", "1"), ("2 ", "1"),
    ("1  ", "1"), ("1e2", "1"), ("0x10", "0"), (b"1\x00", "1"), ("x" * 100, "1"),
    (INT64_MAX, "1"), (INT64_MIN, "-1"), ("9007199254740993", "0"),
    ("100", "-100"), ("0.1", "-0.1"), ("1.7976931348623157e308", "1.7976931348623157e308"),
]


def hincrbyfloat_script():
    s = []
    for n, (stored, incr) in enumerate(FLOAT_CASES):
        field = "f%d" % n
        if stored is not None:
            s.append(("HSET", "h", field, stored))
        s += [("HINCRBYFLOAT", "h", field, incr), ("HGET", "h", field),
              ("HINCRBYFLOAT", "m%d" % n, "x", incr), ("EXISTS", "m%d" % n)]
    s += [("HSET", "acc", "v", "0")] + [("HINCRBYFLOAT", "acc", "v", "0.1")] * 12 + [
        ("HINCRBYFLOAT", "acc", "v", "-1.2"), ("HGET", "acc", "v"),
        ("HINCRBYFLOAT", "acc", "i", "3"), ("HINCRBY", "acc", "i", "1"),
        ("HINCRBYFLOAT", "acc", "i", "0.5"), ("HINCRBY", "acc", "i", "1"),
        ("HINCRBYFLOAT", "acc", "big", "1e400"), ("HSTRLEN", "acc", "big"),
        ("HINCRBYFLOAT", "acc", "big", "-1e400"), ("HGET", "acc", "big"),
        ("hincrbyfloat", "acc", "lower", "2.5"), Unordered("HGETALL", "h", pairs=True),
        ("HLEN", "h"), ("OBJECT", "ENCODING", "h"), Unordered("HGETALL", "acc", pairs=True),
        ("OBJECT", "ENCODING", "acc"),
        # long results in a small hash: does the encoding change?
        ("HINCRBYFLOAT", "enc", "f", "1e70"), ("HSTRLEN", "enc", "f"),
        ("OBJECT", "ENCODING", "enc"),
        ("HINCRBYFLOAT", "enc2", "f", "0.1234567890123456789"),
        ("HINCRBYFLOAT", "enc2", "f", "1e60"), ("HGET", "enc2", "f"), ("OBJECT", "ENCODING", "enc2"),
        ("HSET", "enc2", "g", "y" * 65), ("OBJECT", "ENCODING", "enc2"),
        ("HINCRBYFLOAT", "enc2", "f", "1"), ("HGET", "enc2", "f"),
        ("DBSIZE",),
    ]
    return s


def encoding_script():
    s = [
        ("HSET", "v64", "f", "x" * 64), ("OBJECT", "ENCODING", "v64"),
        ("HSET", "v64", "g", "x" * 65), ("OBJECT", "ENCODING", "v64"),
        Unordered("HGETALL", "v64", pairs=True),
        ("HSET", "k64", "k" * 64, "v"), ("OBJECT", "ENCODING", "k64"),
        ("HSET", "k64", "k" * 65, "v"), ("OBJECT", "ENCODING", "k64"),
        ("HSET", "u", "f", "x"), ("HSET", "u", "f", "y" * 65), ("OBJECT", "ENCODING", "u"),
        ("HSET", "u", "f", "z"), ("OBJECT", "ENCODING", "u"), Unordered("HGETALL", "u", pairs=True),
        ("HSETNX", "nx", "a", "1"), ("HSETNX", "nx", "a", "x" * 65), ("OBJECT", "ENCODING", "nx"),
        ("HSETNX", "nx", "b", "x" * 65), ("OBJECT", "ENCODING", "nx"),
        Unordered("HGETALL", "nx", pairs=True),
        ("HMSET", "hm", "a", "1", "b", "x" * 65), ("OBJECT", "ENCODING", "hm"),
        ("HSET", "bin", "f", b"\x00" * 64), ("OBJECT", "ENCODING", "bin"),
        ("HSET", "bin", "g", b"\xff" * 65), ("OBJECT", "ENCODING", "bin"),
        ("HSET", "huge", "f", "h" * 100000), ("HSTRLEN", "huge", "f"), ("HGET", "huge", "f"),
        ("OBJECT", "ENCODING", "huge"),
        ("HINCRBY", "hi", "f", "1"), ("OBJECT", "ENCODING", "hi"),
        ("HINCRBYFLOAT", "hf", "f", "1.5"), ("OBJECT", "ENCODING", "hf"),
    ]
    # Redis 7.0's default hash-max-listpack-entries is 512 (128 is the zset limit).
    s += [("CONFIG", "GET", "hash-max-listpack-entries")]
    s += entry_limit_script(512)
    s += [("CONFIG", "SET", "hash-max-listpack-entries", "128")]
    s += entry_limit_script(128)
    return s


def entry_limit_script(n):
    """A hash of n fields (the configured hash-max-listpack-entries) is listpack;
    the (n+1)th field, however it is added, converts it to a hashtable."""
    k = "e%d" % n
    fields = []
    for i in range(n):
        fields += ["f%d" % i, "v%d" % i]
    s = [("HSET", k, *fields), ("OBJECT", "ENCODING", k), ("HLEN", k),
         ("HGETALL", k), ("HKEYS", k), ("HVALS", k), ("HSCAN", k, "0"),
         ("HRANDFIELD", k, str(n + 1)),
         ("HSET", k, "f0", "again"), ("OBJECT", "ENCODING", k),
         ("HSETNX", k, "f0", "x"), ("OBJECT", "ENCODING", k),
         ("HSET", k, "f%d" % n, "v%d" % n), ("OBJECT", "ENCODING", k), ("HLEN", k),
         Unordered("HGETALL", k, pairs=True), Unordered("HKEYS", k),
         Unordered("HVALS", k), ("HMGET", k, "f0", "f%d" % n, "nope", "f64"),
         ("HDEL", k, *["f%d" % i for i in range(1, n + 1)]), ("HLEN", k),
         ("OBJECT", "ENCODING", k), ("HGETALL", k)]
    # n+1 pairs in a single HSET / HMSET; n pairs plus a repeated field
    more = fields + ["f%d" % n, "v%d" % n]
    s += [("HSET", k + "one-shot", *more), ("OBJECT", "ENCODING", k + "one-shot"),
          ("HMSET", k + "one-shot-m", *more), ("OBJECT", "ENCODING", k + "one-shot-m"),
          ("HSET", k + "dup", *(fields + ["f0", "dup"])), ("OBJECT", "ENCODING", k + "dup"),
          ("HLEN", k + "dup"), ("HGET", k + "dup", "f0")]
    # the (n+1)th field through HSETNX / HINCRBY / HINCRBYFLOAT
    for cmd, val in (("HSETNX", "v"), ("HINCRBY", "1"), ("HINCRBYFLOAT", "1.5")):
        key = k + "via-" + cmd
        s += [("HSET", key, *fields), ("OBJECT", "ENCODING", key), (cmd, key, "extra", val),
              ("OBJECT", "ENCODING", key), ("HLEN", key), ("HGET", key, "extra")]
    return s


def config_script():
    s = [
        ("CONFIG", "GET", "hash-max-listpack-entries"), ("CONFIG", "GET", "hash-max-ziplist-entries"),
        ("CONFIG", "GET", "hash-max-listpack-value"), ("CONFIG", "GET", "hash-max-ziplist-value"),
        Unordered("CONFIG", "GET", "hash-max-*", pairs=True),
        Unordered("CONFIG", "GET", "hash-max-listpack-*", pairs=True),
        ("CONFIG", "SET", "hash-max-listpack-entries", "4"),
        ("CONFIG", "GET", "hash-max-listpack-entries"), ("CONFIG", "GET", "hash-max-ziplist-entries"),
        ("HSET", "c", "a", "1", "b", "2", "c", "3", "d", "4"), ("OBJECT", "ENCODING", "c"),
        ("HSET", "c", "e", "5"), ("OBJECT", "ENCODING", "c"),
        ("HSET", "c4", "a", "1", "b", "2", "c", "3", "d", "4"),
        ("CONFIG", "SET", "hash-max-ziplist-entries", "2"),
        ("CONFIG", "GET", "hash-max-listpack-entries"), ("CONFIG", "GET", "hash-max-ziplist-entries"),
        ("OBJECT", "ENCODING", "c4"), ("HGET", "c4", "a"), ("OBJECT", "ENCODING", "c4"),
        ("HSET", "c4", "a", "updated"), ("OBJECT", "ENCODING", "c4"),
        ("HSET", "d", "a", "1", "b", "2"), ("OBJECT", "ENCODING", "d"),
        ("HSET", "d", "c", "3"), ("OBJECT", "ENCODING", "d"),
        ("CONFIG", "SET", "hash-max-listpack-value", "3"),
        ("CONFIG", "GET", "hash-max-ziplist-value"),
        ("HSET", "v", "a", "abc"), ("OBJECT", "ENCODING", "v"),
        ("HSET", "v", "b", "abcd"), ("OBJECT", "ENCODING", "v"),
        ("HSET", "v2", "abcd", "1"), ("OBJECT", "ENCODING", "v2"),
        ("CONFIG", "SET", "hash-max-ziplist-value", "10"),
        ("CONFIG", "GET", "hash-max-listpack-value"), ("CONFIG", "GET", "hash-max-ziplist-value"),
        ("HSET", "v3", "a", "x" * 10), ("OBJECT", "ENCODING", "v3"),
        ("HSET", "v3", "b", "x" * 11), ("OBJECT", "ENCODING", "v3"),
        ("CONFIG", "SET", "hash-max-listpack-entries", "0"),
        ("HSET", "z", "a", "1"), ("OBJECT", "ENCODING", "z"),
        ("HINCRBY", "z2", "a", "1"), ("OBJECT", "ENCODING", "z2"),
        ("CONFIG", "SET", "hash-max-listpack-value", "0"),
        ("CONFIG", "SET", "hash-max-listpack-entries", "8"),
        ("HSET", "z3", "a", ""), ("OBJECT", "ENCODING", "z3"),
        ("HSET", "z4", "", "b"), ("OBJECT", "ENCODING", "z4"),
        ("HSET", "z5", "", ""), ("OBJECT", "ENCODING", "z5"),
    ]
    # "" is left out of the memory-value cases: Redis reads it as 0, Larder
    # refuses an empty memory value on purpose (util::parse_memory_size).
    for bad in ("-1", "abc", "", "1.5", "1k", "1kb", "9223372036854775808", INT64_MAX, " 5", "0x10"):
        s += [("CONFIG", "SET", "hash-max-listpack-entries", bad),
              ("CONFIG", "GET", "hash-max-listpack-entries")]
        if bad != "":
            s += [("CONFIG", "SET", "hash-max-ziplist-value", bad),
                  ("CONFIG", "GET", "hash-max-listpack-value")]
    s += [
        ("CONFIG", "SET", "hash-max-listpack-entries", "128", "hash-max-listpack-value", "64"),
        ("CONFIG", "SET", "hash-max-listpack-entries", "1", "hash-max-ziplist-entries", "2"),
        ("CONFIG", "GET", "hash-max-listpack-entries"),
        ("CONFIG", "SET", "HASH-MAX-LISTPACK-ENTRIES", "128"), ("CONFIG", "GET", "Hash-Max-Listpack-Entries"),
        ("CONFIG", "SET", "hash-max-listpack-value", "64"),
        ("CONFIG", "GET", "hash-max-listpack-entries"), ("CONFIG", "GET", "hash-max-listpack-value"),
    ]
    return s


def hrandfield_script():
    s = [
        ("HRANDFIELD", "missing"), ("HRANDFIELD", "missing", "5"), ("HRANDFIELD", "missing", "-5"),
        ("HRANDFIELD", "missing", "0"), ("HRANDFIELD", "missing", "5", "WITHVALUES"),
        ("HRANDFIELD", "missing", "-5", "withvalues"), ("HRANDFIELD", "missing", "abc"),
        ("HRANDFIELD", "missing", "1", "bogus"), ("HRANDFIELD", "missing", INT64_MIN),
        ("HRANDFIELD", "missing", "-" + INT64_MAX), ("HRANDFIELD", "missing", INT64_MAX),
        ("HRANDFIELD", "missing", "-" + LONG_MAX_HALF, "WITHVALUES"),
        ("HRANDFIELD", "missing", "-4611686018427387904", "WITHVALUES"),
        ("EXISTS", "missing"),
        ("HSET", "one", "f", "v"),
        ("HRANDFIELD", "one"), ("HRANDFIELD", "one", "1"), ("HRANDFIELD", "one", "5"),
        ("HRANDFIELD", "one", "-1"), ("HRANDFIELD", "one", "-3"), ("HRANDFIELD", "one", "0"),
        ("HRANDFIELD", "one", "1", "WITHVALUES"), ("HRANDFIELD", "one", "5", "WITHVALUES"),
        ("HRANDFIELD", "one", "-3", "WITHVALUES"), ("HRANDFIELD", "one", "0", "WITHVALUES"),
        ("HRANDFIELD", "one", "-1", "withvalues"), ("hrandfield", "one", "2", "WithValues"),
        ("HRANDFIELD", "one", INT64_MAX), ("HRANDFIELD", "one", INT64_MIN),
        ("HRANDFIELD", "one", INT64_MAX, "WITHVALUES"), ("HRANDFIELD", "one", INT64_MIN, "WITHVALUES"),
        ("HRANDFIELD", "one", LONG_MAX_HALF, "WITHVALUES"),
        ("HRANDFIELD", "one", "4611686018427387904", "WITHVALUES"),
        ("HRANDFIELD", "one", "-4611686018427387904", "WITHVALUES"),
        ("HRANDFIELD", "one", "-" + INT64_MAX, "WITHVALUES"),
        ("HRANDFIELD", "one", "1", "WITHVALUES", "x"), ("HRANDFIELD", "one", "1", "bogus"),
        ("HRANDFIELD", "one", "1", "WITHVALUES", "WITHVALUES"),
        ("HRANDFIELD", "one", "WITHVALUES"), ("HRANDFIELD", "one", "abc", "WITHVALUES"),
        ("HRANDFIELD", "one", "-1", b"withvalues\x00"),
        ("HSET", "small", "a", "1", "b", "2", "c", "3"),
        ("HRANDFIELD", "small", "3"), ("HRANDFIELD", "small", "10"), ("HRANDFIELD", "small", INT64_MAX),
        ("HRANDFIELD", "small", "3", "WITHVALUES"), ("HRANDFIELD", "small", "100", "WITHVALUES"),
        ("HRANDFIELD", "small", LONG_MAX_HALF, "WITHVALUES"),
        ("HSET", "bin", BIN, "", "", BIN),
        ("HRANDFIELD", "bin", "2", "WITHVALUES"), ("HRANDFIELD", "bin", "5"),
        ("HSET", "long", "f", "x" * 100, "g", "y"),
        Unordered("HRANDFIELD", "long", "2"), Unordered("HRANDFIELD", "long", "9", "WITHVALUES", pairs=True),
        ("HRANDFIELD", "long", "0", "WITHVALUES"),
        ("HGETALL", "small"), ("HLEN", "one"),
    ]
    for v in NOT_INTEGERS:
        s += [("HRANDFIELD", "one", v), ("HRANDFIELD", "one", v, "WITHVALUES")]
    return s


def hscan_script():
    s = [
        ("HSCAN", "missing", "0"), ("HSCAN", "missing", "0", "MATCH", "*", "COUNT", "10"),
        ("HSCAN", "missing", "5"), ("HSCAN", "missing", "x"),
        ("HSET", "h", "a", "1", "b", "2", "ab", "3", "", "empty", "10", "int", "k:1", "x", "k:2", "y"),
        ("HSCAN", "h", "0"), ("HSCAN", "h", "0", "COUNT", "1"), ("HSCAN", "h", "0", "COUNT", "1000"),
        ("HSCAN", "h", "0", "MATCH", "a*"), ("HSCAN", "h", "0", "MATCH", ""),
        ("HSCAN", "h", "0", "MATCH", "*"), ("HSCAN", "h", "0", "MATCH", "1*"),
        ("HSCAN", "h", "0", "MATCH", "?"), ("HSCAN", "h", "0", "MATCH", "[a]*", "COUNT", "1"),
        ("HSCAN", "h", "0", "MATCH", "k:*"), ("HSCAN", "h", "0", "MATCH", "k:[^1]"),
        ("HSCAN", "h", "0", "match", "nothing"), ("HSCAN", "h", "0", "MATCH", "1"),
        ("HSCAN", "h", "0", "MATCH", "a", "MATCH", "b"), ("HSCAN", "h", "0", "COUNT", "1", "COUNT", "5"),
        ("HSCAN", "h", "0", "COUNT", "2", "MATCH", "*"), ("hscan", "h", "0", "count", "3"),
        ("HSCAN", "h", "1"), ("HSCAN", "h", "123456"), ("HSCAN", "h", "18446744073709551615"),
        ("HSCAN", "h", "9223372036854775808"), ("HSCAN", "h", "00"),
    ]
    for cur in ("", "x", "-1", "1.5", " 0", "0 ", "+0", "0x10", "18446744073709551616",
                "99999999999999999999999", "-"):
        s.append(("HSCAN", "h", cur))
    for opts in (("COUNT", "0"), ("COUNT", "-1"), ("COUNT", "abc"), ("COUNT", ""), ("COUNT", "1.5"),
                 ("COUNT", "99999999999999999999"), ("COUNT", INT64_MAX), ("COUNT",), ("MATCH",),
                 ("bogus",), ("bogus", "x"), ("MATCH", "*", "x"), ("NOVALUES",), ("novalues",),
                 ("MATCH", "*", "NOVALUES"), ("NOVALUES", "COUNT", "10"), ("TYPE", "hash"),
                 ("TYPE", "string"), ("COUNT", "0", "MATCH"), ("WITHVALUES",)):
        s.append(("HSCAN", "h", "0") + opts)
        s.append(("HSCAN", "missing", "0") + opts)
    s += [("HSCAN", "h", "x", "COUNT", "0"), ("HSCAN", "h", "0", "COUNT", "0", "MATCH", "*"),
          ("HSET", "bin", BIN, BIN, "f", ""), ("HSCAN", "bin", "0"),
          ("HSCAN", "bin", "0", "MATCH", b"\x00*"),
          # hashtable-encoded but small: one call returns everything
          ("HSET", "ht", "a", "x" * 65, "b", "1", "c", "2"), ("OBJECT", "ENCODING", "ht"),
          Unordered("HSCAN", "ht", "0", pairs=True, scan=True),
          Unordered("HSCAN", "ht", "0", "MATCH", "[ab]", pairs=True, scan=True),
          Unordered("HSCAN", "ht", "0", "COUNT", "100", pairs=True, scan=True),
          ("HSCAN", "ht", "0", "COUNT", "0"), ("HSCAN", "ht", "0", "NOVALUES")]
    return s


def big_hash_script():
    pairs = []
    for i in range(600):      # more than the default hash-max-listpack-entries (512)
        pairs += ["field:%d" % i, "value-%d" % (i * 7)]
    return [
        ("HSET", "big", *pairs), ("HLEN", "big"), ("OBJECT", "ENCODING", "big"),
        Unordered("HGETALL", "big", pairs=True), Unordered("HKEYS", "big"), Unordered("HVALS", "big"),
        ("HMGET", "big", "field:0", "field:599", "field:600", "field:150"),
        ("HGET", "big", "field:17"), ("HEXISTS", "big", "field:599"), ("HSTRLEN", "big", "field:100"),
        ("HINCRBY", "big", "counter", "5"), ("HINCRBYFLOAT", "big", "float", "2.5"),
        ("HSETNX", "big", "field:1", "x"), ("HSETNX", "big", "new", "x"),
        ("HDEL", "big", "field:0", "field:1", "nope"), ("HLEN", "big"),
        ("HRANDFIELD", "big", "0"), ("HRANDFIELD", "big", "0", "WITHVALUES"),
        Unordered("HRANDFIELD", "big", "1000"),
        Unordered("HRANDFIELD", "big", "1000", "WITHVALUES", pairs=True),
        ("HSCAN", "big", "0", "COUNT", "0"), ("HSCAN", "big", "x"),
    ]


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

def decode_pairs(value):
    """HGETALL/HRANDFIELD WITHVALUES reply (flat list, map or list of pairs) -> list of pairs."""
    if isinstance(value, dict):
        return list(value.items())
    if value and isinstance(value[0], list):
        assert all(len(p) == 2 for p in value), value
        return [tuple(p) for p in value]
    assert len(value) % 2 == 0, value
    return [(value[i], value[i + 1]) for i in range(0, len(value), 2)]


def hscan_all(client, key, *options):
    """Full HSCAN iteration -> (set of (field, value) pairs, number of calls)."""
    pairs = set()
    cursor = b"0"
    calls = 0
    while True:
        reply = decode(client.cmd("HSCAN", key, cursor, *options))
        assert isinstance(reply, list) and len(reply) == 2, reply
        cursor, batch = reply
        pairs.update(decode_pairs(batch))
        calls += 1
        if cursor == b"0":
            return pairs, calls
        assert calls < 100000, "HSCAN does not terminate"


def random_script(seed, entries, max_value, steps=1500):
    """A seeded mix of the family over three keys, RENAME and COPY between
    them, under the given listpack limits. Whole-hash replies are compared
    with their pairs sorted (a key may be a hashtable)."""
    rnd = random.Random(seed)
    keys = ["h1", "h2", "h3"]
    odd_values = ["1.5", "-0", "1e3", "3.0", "0x10", INT64_MAX, INT64_MIN, " 1", "inf", "abc", ""]

    def field():
        return weighted(rnd, (0.7, lambda: "f%d" % rnd.randrange(30)), (0.15, lambda: str(rnd.randrange(-5, 5))),
                        (0.15, lambda: "g" * rnd.randrange(0, 120)))

    def fields(most):
        return several(rnd, field, most)

    def value():
        return weighted(rnd, (0.4, lambda: str(rnd.randrange(-10, 10))), (0.1, lambda: rnd.choice(odd_values)),
                        (0.4, lambda: "v%d" % rnd.randrange(10)), (0.1, lambda: "x" * rnd.randrange(50, 200)))

    s = [("CONFIG", "SET", "hash-max-listpack-entries", entries), ("CONFIG", "SET", "hash-max-listpack-value", max_value)]
    for _ in range(steps):
        k = rnd.choice(keys)
        op = rnd.randrange(17)
        if op < 5:
            pairs = []
            for _ in range(rnd.randrange(1, 6)):
                pairs += [field(), value()]
            if rnd.random() < 0.05:
                pairs.append(field())  # odd arity: an error
            s.append((rnd.choice(["HSET", "HMSET"]), k) + tuple(pairs))
        elif op == 5:
            s.append(("HSETNX", k, field(), value()))
        elif op == 6:
            s.append(("HDEL", k) + fields(4))
        elif op == 7:
            s.append(rnd.choice([("HGET", k, field()), ("HSTRLEN", k, field()), ("HEXISTS", k, field())]))
        elif op == 8:
            s.append(("HMGET", k) + fields(4))
        elif op == 9:
            s.append(("HINCRBY", k, field(), rnd.choice(["1", "-1", "5", "0", "100", INT64_MAX, INT64_MIN,
                                                         "x", "1.5", ""])))
        elif op == 10:
            s.append(("HINCRBYFLOAT", k, field(), rnd.choice(["1", "-1", "0.1", "1e308", "-1e308", "inf", "nan",
                                                              "x", "", "2.5e-3", "-0", "3"])))
        elif op == 11:
            s.append(rnd.choice([("HLEN", k), ("OBJECT", "ENCODING", k), ("HRANDFIELD", k, "0")]))
        elif op == 12:
            s.append(Unordered(rnd.choice(["HKEYS", "HVALS"]), k))
        elif op == 13:
            s.append(("COPY", k, rnd.choice(keys), "REPLACE"))
        elif op == 14:
            s.append(("RENAME", k, rnd.choice(keys)))
        elif op == 15:
            s.append(Unordered("HSCAN", k, "0", "COUNT", "1000", pairs=True, scan=True))
        else:
            s.append(Unordered("HGETALL", k, pairs=True))
    s += [Unordered("HGETALL", k, pairs=True) for k in keys]
    return s


class HashesBase(ProtocolDiffCase):

    def test_basic(self):
        self.check(basic_script())

    def test_integer_like_fields_and_values(self):
        self.check(int_like_script())

    def test_hdel_and_key_removal(self):
        self.check(hdel_script())

    def test_arity(self):
        self.check(arity_script())

    def test_wrong_type(self):
        self.check(wrongtype_script())

    def test_hincrby(self):
        self.check(hincrby_script())

    def test_hincrbyfloat(self):
        self.check(hincrbyfloat_script())

    def test_encoding_transitions(self):
        self.check(encoding_script())

    def test_config_listpack_limits(self):
        self.check(config_script())

    def test_hrandfield_deterministic(self):
        self.check(hrandfield_script())

    def test_hscan_replies(self):
        self.check(hscan_script())

    def test_big_hash(self):
        self.check(big_hash_script())

    def test_hscan_full_iteration(self):
        rc, lc = self.connect(self.redis), self.connect(self.larder)
        fields = {}
        for i in range(1000):
            fields[b"f%d" % i] = b"v%d" % (i * 3)
        fields[b""] = b"empty"
        fields[BIN] = BIN
        flat = []
        for f, v in fields.items():
            flat += [f, v]
        for c in (rc, lc):
            self.assertEqual(c.cmd("FLUSHALL"), b"+OK\r\n")
            self.assertEqual(c.cmd("HSET", "big", *flat), b":%d\r\n" % len(fields))
            self.assertEqual(c.cmd("HSET", "small", "a", "1", "b", "2"), b":2\r\n")
        everything = set(fields.items())
        for key, options in (("big", ()), ("big", ("COUNT", "1")), ("big", ("COUNT", "7")),
                             ("big", ("COUNT", "1000")), ("big", ("MATCH", "*")),
                             ("big", ("MATCH", "f1*")), ("big", ("MATCH", "*9", "COUNT", "50")),
                             ("big", ("MATCH", "nothing*", "COUNT", "3")), ("small", ("COUNT", "1"))):
            expected, _ = hscan_all(rc, key, *options)
            actual, calls = hscan_all(lc, key, *options)
            self.assertEqual(sorted(actual), sorted(expected),
                             "HSCAN %s %s pair sets differ (larder took %d calls)"
                             % (key, " ".join(options), calls))
            if key == "big" and not options:
                self.assertEqual(actual, everything)

    def test_hrandfield_properties(self):
        rc, lc = self.connect(self.redis), self.connect(self.larder)
        hashes = {
            "h5": {b"f%d" % i: b"v%d" % i for i in range(5)},
            "h200": {b"field%d" % i: b"value%d" % i for i in range(200)},
            "h600": {b"field%d" % i: b"value%d" % i for i in range(600)},
            "hlong": {b"a": b"x" * 100, b"b": b"y", b"c": b"z"},
        }
        for c in (rc, lc):
            self.assertEqual(c.cmd("FLUSHALL"), b"+OK\r\n")
            for key, content in hashes.items():
                flat = []
                for f, v in content.items():
                    flat += [f, v]
                c.cmd("HSET", key, *flat)
        for key, content in hashes.items():
            size = len(content)
            counts = [None, 1, 2, 3, size - 1, size, size + 5, -1, -2, -size, -3 * size]
            for count in counts:
                for withvalues in (False, True):
                    if count is None and withvalues:
                        continue
                    args = ["HRANDFIELD", key]
                    if count is not None:
                        args.append(str(count))
                    if withvalues:
                        args.append("WITHVALUES")
                    for attempt in range(3):
                        r_raw, l_raw = rc.cmd(*args), lc.cmd(*args)
                        what = "RESP%d %s" % (self.PROTOCOL, " ".join(args))
                        self.assertEqual(shape(l_raw), shape(r_raw),
                                         "%s: reply type shape: redis %s larder %s"
                                         % (what, show(r_raw)[:200], show(l_raw)[:200]))
                        for raw, who in ((r_raw, "redis"), (l_raw, "larder")):
                            self._check_hrandfield(decode(raw), content, count, withvalues,
                                                   "%s (%s)" % (what, who))
        # Randomness: many single draws from a 5-field hash see more than one field,
        # and a negative count larger than the hash must repeat fields.
        for c, who in ((rc, "redis"), (lc, "larder")):
            seen = set(decode(c.cmd("HRANDFIELD", "h5")) for _ in range(100))
            self.assertGreater(len(seen), 1, "%s: HRANDFIELD h5 always returns %r" % (who, seen))
            many = decode(c.cmd("HRANDFIELD", "h200", "-1000"))
            self.assertEqual(len(many), 1000)
            self.assertLess(len(set(many)), 1000)
            self.assertGreater(len(set(many)), 100, "%s: HRANDFIELD h200 -1000 not random" % who)
            sub = decode(c.cmd("HRANDFIELD", "h200", "10"))
            self.assertEqual(len(set(sub)), 10)
            subs = set(tuple(decode(c.cmd("HRANDFIELD", "h200", "10"))) for _ in range(5))
            self.assertGreater(len(subs), 1, "%s: HRANDFIELD h200 10 is not random" % who)

    def _check_hrandfield(self, value, content, count, withvalues, what):
        size = len(content)
        if count is None:
            self.assertIn(value, content, what)
            return
        if withvalues:
            pairs = decode_pairs(value)
            if self.PROTOCOL == 3:
                self.assertTrue(all(isinstance(p, list) and len(p) == 2 for p in value),
                                "%s: RESP3 WITHVALUES must be an array of 2-element arrays: %r"
                                % (what, value))
            else:
                self.assertTrue(all(isinstance(x, bytes) for x in value), what)
        else:
            pairs = [(f, None) for f in value]
        fields = [f for f, _ in pairs]
        expected_len = min(count, size) if count >= 0 else -count
        self.assertEqual(len(fields), expected_len, "%s: %r" % (what, value))
        for f, v in pairs:
            self.assertIn(f, content, what)
            if withvalues:
                self.assertEqual(v, content[f], "%s: value paired with %r" % (what, f))
        if count > 0:
            self.assertEqual(len(set(fields)), len(fields), "%s: duplicates %r" % (what, fields))


    def test_random_mix(self):
        for n, (entries, value) in enumerate([("128", "64"), ("4", "64"), ("128", "3")]):
            with self.subTest(entries=entries, value=value):
                self.check(random_script(300 + n, entries, value))


class HashesResp2(HashesBase):
    PROTOCOL = 2


class HashesResp3(HashesBase):
    PROTOCOL = 3


del HashesBase  # only its two protocol variants run

if __name__ == "__main__":
    unittest.main()
