#!/usr/bin/python3
"""Differential: the set family - SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER,
SCARD, SPOP, SRANDMEMBER, SMOVE, SINTER, SINTERCARD, SINTERSTORE, SUNION,
SUNIONSTORE, SDIFF, SDIFFSTORE and SSCAN - against redis-server 7.0, in RESP2
and again after HELLO 3 on both connections (RESP3 set replies).

Intset sets (only integer members, at most set-max-intset-entries of them)
iterate in ascending order in Redis and are compared byte for byte; replies
about hashtable sets are compared with their elements sorted (Unordered
entries), full SSCAN iterations of big sets as sets of members. SPOP and
SRANDMEMBER are random: deterministic corner cases are compared byte for
byte, the rest is checked by property tests.

Helpers (Unordered, ProtocolDiffCase, ...) come from test_hashes.py.
"""
import os
import random
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from larder_harness import Near, decode, several, show, weighted  # noqa: E402
from test_hashes import (BIN, INT64_MAX, INT64_MIN, INT_LIKE, NOT_INTEGERS,  # noqa: E402
                         ProtocolDiffCase, Unordered, shape)

_INT_RE = re.compile(r"^(0|-?[1-9][0-9]*)$")


def is_intset_int(v):
    """True if Redis stores v in an intset (string2ll-valid, fits in int64)."""
    if isinstance(v, bytes):
        try:
            v = v.decode("ascii")
        except UnicodeDecodeError:
            return False
    return bool(_INT_RE.match(v)) and -2 ** 63 <= int(v) < 2 ** 63


def members_cmd(key, ints):
    """SMEMBERS compared byte for byte for intsets, sorted otherwise."""
    return ("SMEMBERS", key) if ints else Unordered("SMEMBERS", key)


# ---------------------------------------------------------------------------
# Scripts
# ---------------------------------------------------------------------------

def basic_script():
    return [
        ("SADD", "s", "a", "b", "c"), ("SADD", "s", "a", "d"), ("SADD", "s", "a", "a", "a"),
        ("SADD", "s", "e", "e"), ("SCARD", "s"), ("SCARD", "missing"),
        ("SISMEMBER", "s", "a"), ("SISMEMBER", "s", "z"), ("SISMEMBER", "missing", "a"),
        ("SISMEMBER", "s", "A"),
        ("SMISMEMBER", "s", "a", "z", "b", "a"), ("SMISMEMBER", "missing", "a", "b"),
        ("SMISMEMBER", "s", "a"), ("SMISMEMBER", "s", ""),
        Unordered("SMEMBERS", "s"), ("SMEMBERS", "missing"),
        ("SREM", "s", "a", "z"), ("SREM", "s", "a"), ("SREM", "missing", "a"), ("SREM", "s", "b", "b"),
        Unordered("SMEMBERS", "s"), ("SCARD", "s"),
        ("SREM", "s", "c", "d", "e", "x"), ("EXISTS", "s"), ("TYPE", "s"), ("SCARD", "s"),
        ("SMEMBERS", "s"), ("SISMEMBER", "s", "c"), ("OBJECT", "ENCODING", "s"),
        ("SADD", "e", ""), ("SISMEMBER", "e", ""), ("SMEMBERS", "e"), ("SCARD", "e"),
        ("SREM", "e", ""), ("EXISTS", "e"),
        ("SADD", "b", BIN, b"\x00", b"m\x00x"), ("SISMEMBER", "b", b"\x00"), ("SISMEMBER", "b", b"m"),
        ("SMISMEMBER", "b", BIN, b"m\x00x", b"m\x00"), Unordered("SMEMBERS", "b"), ("SCARD", "b"),
        ("SADD", BIN, "v"), ("SMEMBERS", BIN), ("TYPE", BIN),
        ("sadd", "lower", "x"), ("SmeMBers", "lower"), ("scard", "lower"),
        ("SADD", "i", "3", "1", "2"), ("SMEMBERS", "i"), ("OBJECT", "ENCODING", "i"),
        ("SADD", "i", "-5", "100", INT64_MAX, INT64_MIN, "0", "2"), ("SMEMBERS", "i"),
        ("OBJECT", "ENCODING", "i"), ("SCARD", "i"),
        ("SISMEMBER", "i", "01"), ("SISMEMBER", "i", "+1"), ("SISMEMBER", "i", "-0"),
        ("SISMEMBER", "i", " 1"), ("SISMEMBER", "i", "1.0"), ("SISMEMBER", "i", "1"),
        ("SISMEMBER", "i", "9223372036854775808"), ("SMISMEMBER", "i", "1", "01", "100", "x"),
        ("SREM", "i", "01", "+1", "1.0"), ("SREM", "i", "100"), ("SMEMBERS", "i"),
        ("SADD", "i", "01"), ("OBJECT", "ENCODING", "i"), Unordered("SMEMBERS", "i"),
        ("SISMEMBER", "i", "01"), ("SISMEMBER", "i", "1"), ("SREM", "i", "01"),
        ("OBJECT", "ENCODING", "i"), Unordered("SMEMBERS", "i"),
        ("SADD", "t", "a", "b"), ("EXPIRE", "t", "100"), ("SADD", "t", "c"), Near("TTL", "t", tol=1),
        ("SREM", "t", "a"), Near("TTL", "t", tol=1), ("SREM", "t", "b", "c"), ("TTL", "t"),
        ("EXISTS", "t"), ("SADD", "t", "a"), ("TTL", "t"),
        ("DBSIZE",),
    ]


def int_like_script():
    s = []
    for n, v in enumerate(INT_LIKE):
        key = "k%d" % n
        ints = is_intset_int(v)
        s += [("SADD", key, "5", v), ("OBJECT", "ENCODING", key), members_cmd(key, ints),
              ("SISMEMBER", key, v), ("SADD", "all", v)]
    s += [Unordered("SMEMBERS", "all"), ("OBJECT", "ENCODING", "all"), ("SCARD", "all")]
    ints = [v for v in INT_LIKE if is_intset_int(v)]
    s += [("SADD", "ints", *ints), ("OBJECT", "ENCODING", "ints"), ("SMEMBERS", "ints"),
          ("SSCAN", "ints", "0"), ("SRANDMEMBER", "ints", "1000"),
          ("SMISMEMBER", "ints", *INT_LIKE)]
    return s


ARITY = [
    ("SADD",), ("SADD", "s"), ("SREM",), ("SREM", "s"), ("SMEMBERS",), ("SMEMBERS", "s", "x"),
    ("SISMEMBER",), ("SISMEMBER", "s"), ("SISMEMBER", "s", "a", "b"),
    ("SMISMEMBER",), ("SMISMEMBER", "s"), ("SCARD",), ("SCARD", "s", "x"),
    ("SPOP",), ("SPOP", "s", "1", "2"), ("SRANDMEMBER",), ("SRANDMEMBER", "s", "1", "2"),
    ("SRANDMEMBER", "s", "1", "WITHVALUES"),
    ("SMOVE",), ("SMOVE", "s"), ("SMOVE", "s", "d"), ("SMOVE", "s", "d", "a", "b"),
    ("SINTER",), ("SUNION",), ("SDIFF",), ("SINTERSTORE",), ("SINTERSTORE", "d"),
    ("SUNIONSTORE",), ("SUNIONSTORE", "d"), ("SDIFFSTORE",), ("SDIFFSTORE", "d"),
    ("SINTERCARD",), ("SINTERCARD", "1"), ("SSCAN",), ("SSCAN", "s"),
]


def arity_script():
    s = [("SADD", "s", "a")]
    for v in ARITY:
        s.append(v)
        s.append(tuple([v[0].lower()] + ["missing" if a == "s" else a for a in v[1:]]))
    s += [("SMEMBERS", "s"), ("DBSIZE",)]
    return s


def set_commands_on(key):
    return [
        ("SADD", key, "m"), ("SREM", key, "m"), ("SMEMBERS", key), ("SISMEMBER", key, "m"),
        ("SMISMEMBER", key, "m", "n"), ("SCARD", key), ("SPOP", key), ("SPOP", key, "2"),
        ("SPOP", key, "0"), ("SPOP", key, "-1"), ("SPOP", key, "abc"),
        ("SRANDMEMBER", key), ("SRANDMEMBER", key, "2"), ("SRANDMEMBER", key, "0"),
        ("SRANDMEMBER", key, "-2"), ("SRANDMEMBER", key, "abc"),
        ("SMOVE", key, "dst", "m"), ("SMOVE", "iset", key, "1"), ("SMOVE", "iset", key, "nope"),
        ("SMOVE", key, key, "m"), ("SMOVE", "missing", key, "m"), ("SMOVE", key, "missing", "m"),
        ("SINTER", key), ("SINTER", "iset", key), ("SINTER", key, "iset"),
        ("SINTER", "missing", key), ("SINTER", key, "missing"), ("SINTER", "iset", "missing", key),
        ("SUNION", key), ("SUNION", "iset", key), ("SUNION", key, "iset"), ("SUNION", "missing", key),
        ("SDIFF", key), ("SDIFF", "iset", key), ("SDIFF", key, "iset"), ("SDIFF", "missing", key),
        ("SDIFF", "iset", "missing", key),
        ("SINTERSTORE", "dst", key), ("SINTERSTORE", "dst", "iset", key),
        ("SINTERSTORE", "dst", "missing", key), ("SINTERSTORE", "dst", key, "missing"),
        ("SUNIONSTORE", "dst", key), ("SUNIONSTORE", "dst", "iset", key),
        ("SDIFFSTORE", "dst", key), ("SDIFFSTORE", "dst", "iset", key),
        ("SDIFFSTORE", "dst", "missing", key),
        ("SINTERCARD", "1", key), ("SINTERCARD", "2", "iset", key), ("SINTERCARD", "2", key, "iset"),
        ("SINTERCARD", "2", "missing", key), ("SINTERCARD", "2", key, "missing"),
        ("SINTERCARD", "1", key, "LIMIT", "-1"),
        ("SSCAN", key, "0"), ("SSCAN", key, "x"), ("SSCAN", key, "0", "COUNT", "0"),
        ("EXISTS", "dst"), ("SMEMBERS", "iset"),
    ]


def wrongtype_script():
    s = [("SET", "str", "value"), ("HSET", "hash", "f", "v"), ("SADD", "iset", "1", "2", "3"),
         ("SADD", "dst", "1")]
    for key in ("str", "hash"):
        s += set_commands_on(key)
        s += [("SADD", "dst", "1")]
    # The destination of a STORE command may have any type: it is replaced.
    s += [("SINTERSTORE", "str", "iset"), ("TYPE", "str"), ("SMEMBERS", "str"),
          ("SUNIONSTORE", "hash", "iset"), ("TYPE", "hash"),
          ("SET", "str2", "v"), ("SDIFFSTORE", "str2", "iset", "missing"), ("TYPE", "str2"),
          ("SET", "str3", "v"), ("SINTERSTORE", "str3", "missing"), ("EXISTS", "str3")]
    # string and hash commands against a set
    s += [("GET", "iset"), ("APPEND", "iset", "x"), ("INCR", "iset"), ("STRLEN", "iset"),
          ("GETRANGE", "iset", "0", "1"), ("SETRANGE", "iset", "0", "x"), ("GETDEL", "iset"),
          ("GETSET", "iset", "x"), ("MGET", "iset"), ("HSET", "iset", "f", "v"),
          ("HGET", "iset", "f"), ("HGETALL", "iset"),
          ("SMEMBERS", "iset"), ("TYPE", "iset"),
          ("SET", "iset", "now-a-string"), ("TYPE", "iset"), ("SMEMBERS", "iset")]
    return s


def smove_script():
    return [
        ("SMOVE", "missing", "dst", "a"), ("EXISTS", "dst"),
        ("SADD", "src", "a", "b", "1", "2"), ("SMOVE", "src", "dst", "a"), ("SMOVE", "src", "dst", "a"),
        ("SMEMBERS", "dst"), ("OBJECT", "ENCODING", "dst"), ("SISMEMBER", "src", "a"),
        ("SMOVE", "src", "src", "b"), ("SMOVE", "src", "src", "zz"), ("SCARD", "src"),
        ("SMOVE", "src", "dst", "1"), Unordered("SMEMBERS", "dst"),
        ("SADD", "idst", "5", "6"), ("SMOVE", "src", "idst", "2"), ("OBJECT", "ENCODING", "idst"),
        ("SMEMBERS", "idst"), ("SMOVE", "src", "idst", "b"), ("OBJECT", "ENCODING", "idst"),
        Unordered("SMEMBERS", "idst"), ("EXISTS", "src"), ("TYPE", "src"),
        ("SADD", "n", "7"), ("SMOVE", "n", "fresh", "7"), ("OBJECT", "ENCODING", "fresh"),
        ("SMEMBERS", "fresh"), ("EXISTS", "n"),
        ("SADD", "n", "x"), ("SMOVE", "n", "fresh2", "x"), ("OBJECT", "ENCODING", "fresh2"),
        ("SADD", "n", "1"), ("SADD", "dup", "1"), ("SMOVE", "n", "dup", "1"), ("SMEMBERS", "dup"),
        ("EXISTS", "n"),
        ("SADD", "one", "only"), ("SMOVE", "one", "one", "only"), ("EXISTS", "one"),
        ("SADD", "t", "a", "b"), ("EXPIRE", "t", "100"), ("SADD", "u", "z"), ("EXPIRE", "u", "200"),
        ("SMOVE", "t", "u", "a"), Near("TTL", "t", tol=1), Near("TTL", "u", tol=1),
        ("SMOVE", "t", "nottl", "b"), ("EXISTS", "t"), ("TTL", "nottl"),
        ("SET", "str", "v"), ("HSET", "h", "f", "v"), ("SADD", "s", "a", "b"),
        ("SMOVE", "str", "s", "a"), ("SMOVE", "s", "str", "a"), ("SMOVE", "s", "str", "zz"),
        ("SMOVE", "missing", "str", "a"), ("SMOVE", "s", "h", "a"), ("SMOVE", "h", "s", "f"),
        ("SMOVE", "str", "str", "a"), ("SMOVE", "s", "s", "zz"),
        Unordered("SMEMBERS", "s"), ("GET", "str"),
        ("SMOVE", "s", "", "a"), ("SMEMBERS", ""), ("SMOVE", "s", "b2", ""), ("SMOVE", "s", "b2", BIN),
        ("smove", "s", "lower", "b"), ("SMEMBERS", "lower"), ("EXISTS", "s"),
        ("DBSIZE",),
    ]


def algebra_script():
    s = [
        ("SADD", "i1", "1", "2", "3", "4", "5"), ("SADD", "i2", "3", "4", "5", "6"),
        ("SADD", "i3", "5", "-1", "100"), ("SADD", "s1", "a", "b", "c", "1", "2"),
        ("SADD", "s2", "b", "c", "d"), ("SET", "str", "v"), ("HSET", "h", "f", "v"),
        ("SINTER", "i1", "i2"), ("SINTER", "i2", "i1"), ("SINTER", "i1", "i2", "i3"),
        ("SINTER", "i1"), ("SINTER", "i1", "i1"), ("SINTER", "i1", "missing"),
        ("SINTER", "missing", "i1"), ("SINTER", "missing"), ("SINTER", "i1", "i2", "missing"),
        Unordered("SINTER", "s1", "s2"), Unordered("SINTER", "i1", "s1"),
        Unordered("SINTER", "s1", "i1"), Unordered("SINTER", "s1"), ("SINTER", "s2", "i1"),
        ("SUNION", "i1", "i2"), ("SUNION", "i2", "i1", "i3"), ("SUNION", "i1"),
        ("SUNION", "i1", "missing"), ("SUNION", "missing", "i1"), ("SUNION", "missing"),
        ("SUNION", "missing", "missing2"), Unordered("SUNION", "i1", "s1"),
        Unordered("SUNION", "s1", "s2"), Unordered("SUNION", "s2", "missing", "i3"),
        ("SDIFF", "i1", "i2"), ("SDIFF", "i2", "i1"), ("SDIFF", "i1", "i2", "i3"), ("SDIFF", "i1"),
        ("SDIFF", "i1", "missing"), ("SDIFF", "missing", "i1"), ("SDIFF", "i1", "i1"),
        ("SDIFF", "missing"), Unordered("SDIFF", "s1", "s2"), Unordered("SDIFF", "s1", "i1"),
        ("SDIFF", "i1", "s1"), Unordered("SDIFF", "s2", "s1"), ("SDIFF", "s1", "s1", "s2"),
        ("sinter", "i1", "i2"), ("sunion", "i1"), ("sdiff", "i1", "i2"),
        ("SADD", "e", ""), ("SINTER", "e", "s1"), Unordered("SUNION", "e", "i1"), ("SDIFF", "e", "i1"),
        ("SADD", "b1", BIN, "x"), ("SADD", "b2", BIN), ("SINTER", "b1", "b2"), ("SDIFF", "b1", "b2"),
    ]
    for cmd in ("SINTER", "SUNION", "SDIFF"):
        s += [(cmd, "str"), (cmd, "i1", "str"), (cmd, "str", "i1"), (cmd, "missing", "str"),
              (cmd, "str", "missing"), (cmd, "i1", "missing", "str"), (cmd, "h"),
              (cmd, "i1", "h", "str"), (cmd, "missing", "i1", "h")]
    return s


def store_script():
    s = [
        ("SADD", "i1", "1", "2", "3", "4", "5"), ("SADD", "i2", "3", "4", "5", "6"),
        ("SADD", "s1", "a", "b", "c", "1", "2"), ("SADD", "s2", "b", "c", "d"),
        ("SET", "str", "v"), ("HSET", "h", "f", "v"),
        ("SINTERSTORE", "d", "i1", "i2"), ("SMEMBERS", "d"), ("OBJECT", "ENCODING", "d"), ("TTL", "d"),
        ("SET", "d", "string"), ("SINTERSTORE", "d", "i1", "i2"), ("TYPE", "d"), ("SMEMBERS", "d"),
        ("SINTERSTORE", "d", "i1", "missing"), ("EXISTS", "d"),
        ("SINTERSTORE", "d", "missing", "i1"), ("EXISTS", "d"),
        ("SADD", "d", "x"), ("EXPIRE", "d", "100"), ("SUNIONSTORE", "d", "i1"), ("TTL", "d"),
        ("SMEMBERS", "d"), ("OBJECT", "ENCODING", "d"),
        ("SADD", "d", "x"), ("EXPIRE", "d", "100"), ("SDIFFSTORE", "d", "i1", "i1"), ("TTL", "d"),
        ("EXISTS", "d"),
        ("SUNIONSTORE", "d", "missing"), ("EXISTS", "d"), ("SUNIONSTORE", "d", "missing", "m2"),
        ("SDIFFSTORE", "d", "missing", "i1"), ("EXISTS", "d"),
        ("SUNIONSTORE", "d", "s1", "s2"), Unordered("SMEMBERS", "d"), ("OBJECT", "ENCODING", "d"),
        ("SUNIONSTORE", "d", "i1", "s1"), ("OBJECT", "ENCODING", "d"), ("SCARD", "d"),
        ("SINTERSTORE", "d", "s1", "i1"), ("OBJECT", "ENCODING", "d"), ("SMEMBERS", "d"),
        ("SDIFFSTORE", "d", "s1", "s2"), ("OBJECT", "ENCODING", "d"), Unordered("SMEMBERS", "d"),
        ("SDIFFSTORE", "d", "s1", "i1"), ("OBJECT", "ENCODING", "d"), Unordered("SMEMBERS", "d"),
        ("SDIFFSTORE", "d", "i1", "i2"), ("SMEMBERS", "d"), ("OBJECT", "ENCODING", "d"),
        # destination == source
        ("SADD", "self", "1", "2", "3"), ("SINTERSTORE", "self", "self", "i2"), ("SMEMBERS", "self"),
        ("SUNIONSTORE", "self", "self", "i1"), ("SMEMBERS", "self"),
        ("SDIFFSTORE", "self", "self", "i1"), ("EXISTS", "self"),
        ("SADD", "self", "a"), ("SUNIONSTORE", "self", "self"), ("SMEMBERS", "self"),
        ("SDIFFSTORE", "self", "self"), ("SMEMBERS", "self"),
        ("SINTERSTORE", "self", "self", "self"), ("SMEMBERS", "self"),
        ("SDIFFSTORE", "self", "self", "self"), ("EXISTS", "self"),
        # wrong types among the sources: error, destination untouched
        ("SADD", "keep", "k"),
        ("SINTERSTORE", "keep", "str"), ("SINTERSTORE", "keep", "i1", "str"),
        ("SINTERSTORE", "keep", "missing", "str"), ("SINTERSTORE", "keep", "str", "missing"),
        ("SMEMBERS", "keep"),
        ("SUNIONSTORE", "keep", "str"), ("SUNIONSTORE", "keep", "i1", "h"),
        ("SUNIONSTORE", "keep", "missing", "str"), ("SMEMBERS", "keep"),
        ("SDIFFSTORE", "keep", "i1", "str"), ("SDIFFSTORE", "keep", "h"),
        ("SDIFFSTORE", "keep", "missing", "str"), ("SMEMBERS", "keep"),
        ("SUNIONSTORE", "h", "i1"), ("TYPE", "h"), ("SMEMBERS", "h"),
        ("sinterstore", "lower", "i1", "i2"), ("sunionstore", "lower", "i1"),
        ("sdiffstore", "lower", "i1", "i2"), ("SMEMBERS", "lower"),
        ("SUNIONSTORE", "", "i1"), ("SMEMBERS", ""), ("SUNIONSTORE", BIN, "s2"),
        Unordered("SMEMBERS", BIN),
        ("DBSIZE",),
    ]
    return s


def sintercard_script():
    s = [
        ("SADD", "i1", "1", "2", "3", "4", "5"), ("SADD", "i2", "3", "4", "5", "6"),
        ("SADD", "s1", "a", "b", "c", "1", "2"), ("SET", "str", "v"),
        ("SINTERCARD", "2", "i1", "i2"), ("SINTERCARD", "1", "i1"), ("SINTERCARD", "1", "s1"),
        ("SINTERCARD", "2", "i1", "s1"), ("SINTERCARD", "3", "i1", "i2", "s1"),
        ("SINTERCARD", "2", "i1", "i1"), ("SINTERCARD", "2", "i1", "missing"),
        ("SINTERCARD", "1", "missing"), ("SINTERCARD", "2", "missing", "i1"),
        ("SINTERCARD", "2", "i1", "i2", "LIMIT", "2"), ("SINTERCARD", "2", "i1", "i2", "LIMIT", "0"),
        ("SINTERCARD", "2", "i1", "i2", "LIMIT", "3"), ("SINTERCARD", "2", "i1", "i2", "LIMIT", "100"),
        ("SINTERCARD", "1", "i1", "LIMIT", "1"), ("SINTERCARD", "1", "i1", "limit", "4"),
        ("SINTERCARD", "2", "i1", "i2", "LIMIT", "1", "LIMIT", "3"),
        ("SINTERCARD", "2", "i1", "i2", "LIMIT", INT64_MAX),
        ("SINTERCARD", "1", "missing", "LIMIT", "5"),
        ("sintercard", "2", "i1", "i2"),
        ("SINTERCARD", "0", "i1"), ("SINTERCARD", "-1", "i1"), ("SINTERCARD", "abc", "i1"),
        ("SINTERCARD", "", "i1"), ("SINTERCARD", "1.5", "i1"), ("SINTERCARD", INT64_MAX, "i1"),
        ("SINTERCARD", INT64_MIN, "i1"), ("SINTERCARD", "99999999999999999999", "i1"),
        ("SINTERCARD", "2", "i1"), ("SINTERCARD", "3", "i1", "i2"), ("SINTERCARD", "1", "i1", "i2"),
        ("SINTERCARD", "2", "i1", "LIMIT"), ("SINTERCARD", "2", "i1", "i2", "LIMIT"),
        ("SINTERCARD", "2", "i1", "i2", "LIMIT", "-1"), ("SINTERCARD", "2", "i1", "i2", "LIMIT", "abc"),
        ("SINTERCARD", "2", "i1", "i2", "LIMIT", ""), ("SINTERCARD", "2", "i1", "i2", "LIMIT", "1.5"),
        ("SINTERCARD", "2", "i1", "i2", "LIMIT", INT64_MIN),
        ("SINTERCARD", "2", "i1", "i2", "LIMIT", "99999999999999999999"),
        ("SINTERCARD", "2", "i1", "i2", "bogus"), ("SINTERCARD", "2", "i1", "i2", "bogus", "1"),
        ("SINTERCARD", "2", "i1", "i2", "LIMIT", "1", "bogus"),
        ("SINTERCARD", "1", "str"), ("SINTERCARD", "2", "i1", "str"), ("SINTERCARD", "2", "str", "i1"),
        ("SINTERCARD", "2", "missing", "str"), ("SINTERCARD", "2", "str", "i1", "LIMIT", "-1"),
        ("SINTERCARD", "0", "str"), ("SINTERCARD", "1", "str", "LIMIT", "x"),
    ]
    return s


def spop_srandmember_script():
    s = [
        ("SPOP", "missing"), ("SPOP", "missing", "3"), ("SPOP", "missing", "0"),
        ("SPOP", "missing", "-1"), ("SPOP", "missing", "abc"), ("EXISTS", "missing"),
        ("SADD", "one", "x"), ("SPOP", "one"), ("EXISTS", "one"), ("SPOP", "one"),
        ("SADD", "one", "x"), ("SPOP", "one", "1"), ("EXISTS", "one"),
        ("SADD", "one", "x"), ("SPOP", "one", "0"), ("SCARD", "one"), ("SPOP", "one", "5"),
        ("EXISTS", "one"),
        ("SADD", "i", "3", "1", "2"), ("SPOP", "i", "3"), ("EXISTS", "i"),
        ("SADD", "i", "3", "1", "2"), ("SPOP", "i", "10"), ("EXISTS", "i"),
        ("SADD", "i", "3", "1", "2"), ("SPOP", "i", INT64_MAX), ("EXISTS", "i"),
        ("SADD", "i", "3", "1", "2"), ("SPOP", "i", "0"), ("SPOP", "i", "-1"), ("SPOP", "i", INT64_MIN),
        ("SPOP", "i", "abc"), ("SPOP", "i", ""), ("SPOP", "i", "1.5"), ("SPOP", "i", "1", "2"),
        ("SPOP", "i", "99999999999999999999"), ("SCARD", "i"),
        ("SADD", "s", "a", "b", "c"), Unordered("SPOP", "s", "5"), ("EXISTS", "s"),
        ("SADD", "s", "a", "b", "c"), Unordered("SPOP", "s", "3"), ("EXISTS", "s"),
        ("SADD", "t", "a", "b"), ("EXPIRE", "t", "100"), ("SPOP", "t", "0"),
        ("SREM", "t", "a"), ("SPOP", "t"), ("EXISTS", "t"), ("TTL", "t"),
        ("SADD", "t", "a"), ("EXPIRE", "t", "100"), ("SPOP", "t", "1"), ("TTL", "t"),
        ("spop", "missing"),
        ("SRANDMEMBER", "missing"), ("SRANDMEMBER", "missing", "5"), ("SRANDMEMBER", "missing", "-5"),
        ("SRANDMEMBER", "missing", "0"), ("SRANDMEMBER", "missing", "abc"),
        ("SRANDMEMBER", "missing", INT64_MIN), ("SRANDMEMBER", "missing", "-" + INT64_MAX),
        ("SRANDMEMBER", "missing", INT64_MAX), ("EXISTS", "missing"),
        ("SADD", "one", "x"), ("SRANDMEMBER", "one"), ("SRANDMEMBER", "one", "1"),
        ("SRANDMEMBER", "one", "5"), ("SRANDMEMBER", "one", "-1"), ("SRANDMEMBER", "one", "-3"),
        ("SRANDMEMBER", "one", "0"), ("SRANDMEMBER", "one", INT64_MAX),
        ("SRANDMEMBER", "one", INT64_MIN), ("SRANDMEMBER", "one", "1", "2"),
        ("SRANDMEMBER", "one", "1", "WITHVALUES"), ("SCARD", "one"),
        ("SADD", "i3", "30", "-1", "2"), ("SRANDMEMBER", "i3", "3"), ("SRANDMEMBER", "i3", "10"),
        ("SRANDMEMBER", "i3", INT64_MAX), ("SRANDMEMBER", "i3", "0"),
        ("SADD", "s", "a", "b", "c"), Unordered("SRANDMEMBER", "s", "3"),
        Unordered("SRANDMEMBER", "s", "30"), ("SRANDMEMBER", "s", "0"), ("SCARD", "s"),
        ("srandmember", "one"),
        ("SADD", "bin", BIN), ("SRANDMEMBER", "bin"), ("SRANDMEMBER", "bin", "-2"), ("SPOP", "bin"),
    ]
    for v in NOT_INTEGERS:
        s += [("SRANDMEMBER", "one", v), ("SPOP", "one", v)]
    s += [("SCARD", "one")]
    return s


def sscan_script():
    s = [
        ("SSCAN", "missing", "0"), ("SSCAN", "missing", "0", "MATCH", "*", "COUNT", "10"),
        ("SSCAN", "missing", "5"), ("SSCAN", "missing", "x"),
        ("SADD", "i", "1", "2", "10", "11", "100", "-5", "0"),
        ("SSCAN", "i", "0"), ("SSCAN", "i", "0", "COUNT", "1"), ("SSCAN", "i", "0", "COUNT", "1000"),
        ("SSCAN", "i", "0", "MATCH", "1*"), ("SSCAN", "i", "0", "MATCH", "-*"),
        ("SSCAN", "i", "0", "MATCH", "?"), ("SSCAN", "i", "0", "MATCH", ""),
        ("SSCAN", "i", "0", "MATCH", "[0-1]", "COUNT", "1"), ("SSCAN", "i", "0", "match", "x"),
        ("SSCAN", "i", "0", "MATCH", "1", "MATCH", "2"), ("sscan", "i", "0"),
        ("SSCAN", "i", "1"), ("SSCAN", "i", "123456"), ("SSCAN", "i", "18446744073709551615"),
        ("SSCAN", "i", "00"),
        ("SADD", "s", "a", "b", "ab", "", "k:1", "k:2"), ("OBJECT", "ENCODING", "s"),
        Unordered("SSCAN", "s", "0", scan=True), Unordered("SSCAN", "s", "0", "MATCH", "a*", scan=True),
        Unordered("SSCAN", "s", "0", "MATCH", "k:*", "COUNT", "100", scan=True),
        Unordered("SSCAN", "s", "0", "MATCH", "", scan=True),
        ("SSCAN", "s", "0", "MATCH", "nothing"),
    ]
    for cur in ("", "x", "-1", "1.5", " 0", "0 ", "+0", "0x10", "18446744073709551616",
                "99999999999999999999999", "-"):
        s.append(("SSCAN", "i", cur))
        if cur != "-1":     # strtoul() takes "-1" as a non-zero cursor: hash-dependent
            s.append(Unordered("SSCAN", "s", cur, scan=True))
    for opts in (("COUNT", "0"), ("COUNT", "-1"), ("COUNT", "abc"), ("COUNT", ""), ("COUNT", "1.5"),
                 ("COUNT", "99999999999999999999"), ("COUNT", INT64_MAX), ("COUNT",), ("MATCH",),
                 ("bogus",), ("bogus", "x"), ("MATCH", "*", "x"), ("NOVALUES",), ("novalues",),
                 ("TYPE", "set"), ("TYPE", "string"), ("COUNT", "0", "MATCH"), ("WITHVALUES",)):
        s += [("SSCAN", "i", "0") + opts, ("SSCAN", "missing", "0") + opts]
    s += [("SSCAN", "i", "x", "COUNT", "0"), ("SSCAN", "i", "0", "COUNT", "0", "MATCH", "*"),
          ("SADD", "bin", BIN), ("SSCAN", "bin", "0"), ("SSCAN", "bin", "0", "MATCH", b"\x00*")]
    return s


def encoding_script():
    s = [("CONFIG", "GET", "set-max-intset-entries"),
         ("SADD", "e", "1"), ("OBJECT", "ENCODING", "e"), ("SADD", "e", "a"), ("OBJECT", "ENCODING", "e"),
         ("SREM", "e", "a"), ("OBJECT", "ENCODING", "e"), ("SMEMBERS", "e"),
         ("SADD", "x", "a"), ("OBJECT", "ENCODING", "x"), ("SADD", "x", "1"), ("OBJECT", "ENCODING", "x"),
         ("SADD", "big64", INT64_MAX, INT64_MIN), ("OBJECT", "ENCODING", "big64"), ("SMEMBERS", "big64"),
         ("SADD", "f", "1.5"), ("OBJECT", "ENCODING", "f"),
         ("SADD", "neg0", "-0"), ("OBJECT", "ENCODING", "neg0"),
         ("SADD", "long", "9" * 20), ("OBJECT", "ENCODING", "long")]
    s += entry_limit_script(512)
    s += [("CONFIG", "SET", "set-max-intset-entries", "4")]
    s += entry_limit_script(4)
    s += [("SADD", "src4", "1", "2", "3"), ("SADD", "src4b", "4", "5", "6"),
          ("SUNIONSTORE", "u4", "src4", "src4b"), ("OBJECT", "ENCODING", "u4"), Unordered("SMEMBERS", "u4"),
          ("SINTERSTORE", "n4", "src4", "src4"), ("OBJECT", "ENCODING", "n4"),
          ("SADD", "m4", "10", "11", "12", "13"), ("SMOVE", "src4", "m4", "1"), ("OBJECT", "ENCODING", "m4")]
    return s


def entry_limit_script(n):
    k = "i%d" % n
    members = [str(i * 3 - 7) for i in range(n)]
    extra = str(10 ** 6)
    s = [("SADD", k, *members), ("OBJECT", "ENCODING", k), ("SCARD", k), ("SMEMBERS", k),
         ("SSCAN", k, "0"), ("SRANDMEMBER", k, str(n + 1)), ("SADD", k, members[0]),
         ("OBJECT", "ENCODING", k),
         ("SADD", k, extra), ("OBJECT", "ENCODING", k), ("SCARD", k), Unordered("SMEMBERS", k),
         ("SISMEMBER", k, extra), ("SREM", k, *members[1:]), ("OBJECT", "ENCODING", k),
         Unordered("SMEMBERS", k),
         ("SADD", k + "one-shot", *(members + [extra])), ("OBJECT", "ENCODING", k + "one-shot"),
         ("SADD", k + "dup", *(members + [members[0]])), ("OBJECT", "ENCODING", k + "dup"),
         ("SADD", k + "src", *members), ("SADD", k + "other", extra),
         ("SUNIONSTORE", k + "u", k + "src", k + "other"), ("OBJECT", "ENCODING", k + "u"),
         ("SUNIONSTORE", k + "u2", k + "src"), ("OBJECT", "ENCODING", k + "u2"),
         ("SMOVE", k + "other", k + "src", extra), ("OBJECT", "ENCODING", k + "src")]
    return s


def config_script():
    s = [("CONFIG", "GET", "set-max-intset-entries"), Unordered("CONFIG", "GET", "set-max-*", pairs=True),
         ("CONFIG", "SET", "set-max-intset-entries", "2"), ("CONFIG", "GET", "set-max-intset-entries"),
         ("SADD", "a", "1", "2"), ("OBJECT", "ENCODING", "a"), ("SADD", "a", "3"),
         ("OBJECT", "ENCODING", "a"),
         ("SADD", "b", "1", "2", "3"), ("OBJECT", "ENCODING", "b"),
         ("CONFIG", "SET", "set-max-intset-entries", "0"), ("SADD", "z", "1"), ("OBJECT", "ENCODING", "z"),
         ("CONFIG", "SET", "set-max-intset-entries", "1"), ("SADD", "o", "1"), ("OBJECT", "ENCODING", "o"),
         ("SADD", "o", "2"), ("OBJECT", "ENCODING", "o")]
    for bad in ("-1", "abc", "", "1.5", "1k", "9223372036854775808", INT64_MAX, " 5", "0x10"):
        s += [("CONFIG", "SET", "set-max-intset-entries", bad), ("CONFIG", "GET", "set-max-intset-entries")]
    s += [("CONFIG", "SET", "SET-MAX-INTSET-ENTRIES", "512"), ("CONFIG", "GET", "set-max-intset-entries")]
    return s


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

def sscan_all(client, key, *options):
    members = set()
    cursor = b"0"
    calls = 0
    while True:
        reply = decode(client.cmd("SSCAN", key, cursor, *options))
        assert isinstance(reply, list) and len(reply) == 2, reply
        cursor, batch = reply
        members.update(batch)
        calls += 1
        if cursor == b"0":
            return members, calls
        assert calls < 100000, "SSCAN does not terminate"


SETS = {
    "ints5": [b"%d" % i for i in (1, 5, 9, -3, 40)],
    "strs5": [b"m%d" % i for i in range(5)],
    "ints300": [b"%d" % (i * 11) for i in range(300)],
    "ints600": [b"%d" % (i * 11) for i in range(600)],
    "strs1000": [b"member:%d" % i for i in range(1000)],
}


def random_script(seed, intset_entries, steps=1500):
    """A seeded mix of the family over three keys (SPOP and SRANDMEMBER with
    a count aside: random) under the given intset limit. Replies listing a
    set are compared with their members sorted (a key may be a hashtable)."""
    rnd = random.Random(seed)
    keys = ["s1", "s2", "s3"]
    odd_members = [INT64_MAX, INT64_MIN, "9223372036854775808", "01", "-0", "+1", " 1", "1.0"]

    def member():
        return weighted(rnd, (0.45, lambda: str(rnd.randrange(-20, 40))), (0.05, lambda: rnd.choice(odd_members)),
                        (0.4, lambda: "m%d" % rnd.randrange(30)), (0.1, lambda: "w" * rnd.randrange(0, 100)))

    def members(most):
        return several(rnd, member, most)

    def sources():
        return tuple(rnd.choice(keys + ["h"]) for _ in range(rnd.randrange(1, 4)))

    s = [("CONFIG", "SET", "set-max-intset-entries", intset_entries), ("HSET", "h", "a", "b")]
    for _ in range(steps):
        k = rnd.choice(keys)
        op = rnd.randrange(14)
        if op < 5:
            s.append(("SADD", k) + members(8))
        elif op == 5:
            s.append(("SREM", k) + members(4))
        elif op == 6:
            s.append(("SISMEMBER", k, member()))
        elif op == 7:
            s.append(("SMISMEMBER", k) + members(4))
        elif op == 8:
            s.append(rnd.choice([("SCARD", k), ("OBJECT", "ENCODING", k), ("SRANDMEMBER", k, "0")]))
        elif op == 9:
            s.append(Unordered(rnd.choice(["SINTER", "SUNION", "SDIFF"]), *sources()))
        elif op == 10:
            s.append((rnd.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), rnd.choice(keys)) + sources())
        elif op == 11:
            s.append(("SMOVE", k, rnd.choice(keys), member()))
        elif op == 12:
            s.append(("SINTERCARD", "2", k, rnd.choice(keys)) +
                     (("LIMIT", str(rnd.randrange(0, 4))) if rnd.random() < 0.4 else ()))
        elif rnd.random() < 0.5:
            s.append(("COPY", k, rnd.choice(keys), "REPLACE"))
        else:
            s.append(Unordered("SSCAN", k, "0", "COUNT", "1000", scan=True))
        if rnd.random() < 0.05:
            s.append(Unordered("SMEMBERS", k))
    s += [Unordered("SMEMBERS", k) for k in keys]
    return s


class SetsBase(ProtocolDiffCase):

    def test_basic(self):
        self.check(basic_script())

    def test_integer_like_members(self):
        self.check(int_like_script())

    def test_arity(self):
        self.check(arity_script())

    def test_wrong_type(self):
        self.check(wrongtype_script())

    def test_smove(self):
        self.check(smove_script())

    def test_sinter_sunion_sdiff(self):
        self.check(algebra_script())

    def test_store_commands(self):
        self.check(store_script())

    def test_sintercard(self):
        self.check(sintercard_script())

    def test_spop_srandmember_deterministic(self):
        self.check(spop_srandmember_script())

    def test_sscan_replies(self):
        self.check(sscan_script())

    def test_encoding_transitions(self):
        self.check(encoding_script())

    def test_config_intset_limit(self):
        self.check(config_script())

    def test_big_sets(self):
        a = [str(i) for i in range(0, 1200, 2)]        # 600 ints: hashtable
        b = [str(i) for i in range(0, 1200, 3)]        # 400 ints: intset
        c = ["m%d" % i for i in range(700)]
        self.check([
            ("SADD", "a", *a), ("SADD", "b", *b), ("SADD", "c", *c), ("SADD", "c", *a[:100]),
            ("OBJECT", "ENCODING", "a"), ("OBJECT", "ENCODING", "b"), ("OBJECT", "ENCODING", "c"),
            ("SCARD", "a"), ("SCARD", "b"), ("SCARD", "c"),
            Unordered("SMEMBERS", "a"), ("SMEMBERS", "b"), Unordered("SMEMBERS", "c"),
            Unordered("SINTER", "a", "b"), Unordered("SINTER", "b", "a"), Unordered("SINTER", "a", "c"),
            Unordered("SUNION", "a", "b"), Unordered("SUNION", "a", "b", "c"),
            Unordered("SDIFF", "a", "b"), Unordered("SDIFF", "b", "a"), Unordered("SDIFF", "c", "a"),
            ("SINTERCARD", "2", "a", "b"), ("SINTERCARD", "3", "a", "b", "c"),
            ("SINTERCARD", "2", "a", "b", "LIMIT", "10"),
            ("SINTERSTORE", "d1", "a", "b"), ("OBJECT", "ENCODING", "d1"), Unordered("SMEMBERS", "d1"),
            ("SUNIONSTORE", "d2", "a", "b"), ("OBJECT", "ENCODING", "d2"), ("SCARD", "d2"),
            ("SDIFFSTORE", "d3", "b", "a"), ("OBJECT", "ENCODING", "d3"), Unordered("SMEMBERS", "d3"),
            ("SMISMEMBER", "a", "0", "1", "2", "1198", "1200", "m1"),
            ("SMOVE", "a", "b", "2"), ("SMOVE", "a", "b", "4"), ("OBJECT", "ENCODING", "b"),
            ("SCARD", "a"), ("SCARD", "b"), ("SREM", "a", *a[:599]), ("OBJECT", "ENCODING", "a"),
            ("SMEMBERS", "a"), ("SRANDMEMBER", "a", "0"), Unordered("SRANDMEMBER", "c", "5000"),
            ("SSCAN", "a", "0", "COUNT", "0"), ("SSCAN", "c", "x"),
        ])

    def test_sscan_full_iteration(self):
        rc, lc = self.connect(self.redis), self.connect(self.larder)
        for c in (rc, lc):
            self.assertEqual(c.cmd("FLUSHALL"), b"+OK\r\n")
            for key, members in SETS.items():
                self.assertEqual(c.cmd("SADD", key, *members), b":%d\r\n" % len(members))
        for key, options in (("strs1000", ()), ("strs1000", ("COUNT", "1")),
                             ("strs1000", ("COUNT", "7")), ("strs1000", ("COUNT", "1000")),
                             ("strs1000", ("MATCH", "member:1*")),
                             ("strs1000", ("MATCH", "*9", "COUNT", "50")),
                             ("strs1000", ("MATCH", "nothing*", "COUNT", "3")),
                             ("ints600", ()), ("ints600", ("MATCH", "1*", "COUNT", "20")),
                             ("ints300", ("COUNT", "1")), ("strs5", ("COUNT", "1"))):
            expected, _ = sscan_all(rc, key, *options)
            actual, calls = sscan_all(lc, key, *options)
            self.assertEqual(sorted(actual), sorted(expected),
                             "SSCAN %s %s member sets differ (larder took %d calls)"
                             % (key, " ".join(options), calls))
            if not options:
                self.assertEqual(actual, set(SETS[key]))

    def _setup_sets(self, clients):
        for c in clients:
            self.assertEqual(c.cmd("FLUSHALL"), b"+OK\r\n")
            for key, members in SETS.items():
                c.cmd("SADD", key, *members)

    def test_srandmember_properties(self):
        rc, lc = self.connect(self.redis), self.connect(self.larder)
        self._setup_sets((rc, lc))
        for key, members in SETS.items():
            size = len(members)
            content = set(members)
            for count in (None, 1, 2, 3, size - 1, size, size + 5, -1, -2, -size, -3 * size):
                args = ["SRANDMEMBER", key] + ([] if count is None else [str(count)])
                for attempt in range(2):
                    r_raw, l_raw = rc.cmd(*args), lc.cmd(*args)
                    what = "RESP%d %s" % (self.PROTOCOL, " ".join(args))
                    self.assertEqual(shape(l_raw), shape(r_raw), "%s: reply type shape: redis %s larder %s"
                                     % (what, show(r_raw)[:200], show(l_raw)[:200]))
                    for raw, who in ((r_raw, "redis"), (l_raw, "larder")):
                        value = decode(raw)
                        if count is None:
                            self.assertIn(value, content, "%s (%s)" % (what, who))
                            continue
                        expected_len = min(count, size) if count >= 0 else -count
                        self.assertEqual(len(value), expected_len, "%s (%s)" % (what, who))
                        self.assertTrue(set(value) <= content, "%s (%s)" % (what, who))
                        if count > 0:
                            self.assertEqual(len(set(value)), len(value),
                                             "%s (%s): duplicates" % (what, who))
            for c in (rc, lc):
                self.assertEqual(decode(c.cmd("SCARD", key)), size)
        for c, who in ((rc, "redis"), (lc, "larder")):
            seen = set(decode(c.cmd("SRANDMEMBER", "strs5")) for _ in range(100))
            self.assertGreater(len(seen), 1, "%s: SRANDMEMBER always returns %r" % (who, seen))
            seen = set(decode(c.cmd("SRANDMEMBER", "ints5")) for _ in range(100))
            self.assertGreater(len(seen), 1, "%s: SRANDMEMBER (intset) always returns %r" % (who, seen))
            many = decode(c.cmd("SRANDMEMBER", "strs1000", "-3000"))
            self.assertEqual(len(many), 3000)
            self.assertGreater(len(set(many)), 500, "%s: SRANDMEMBER -3000 not random" % who)
            subs = set(tuple(sorted(decode(c.cmd("SRANDMEMBER", "ints300", "10")))) for _ in range(5))
            self.assertGreater(len(subs), 1, "%s: SRANDMEMBER ints300 10 not random" % who)

    def test_spop_properties(self):
        rc, lc = self.connect(self.redis), self.connect(self.larder)
        for key, members in SETS.items():
            size = len(members)
            content = set(members)
            for count in (None, 1, 2, 3, size // 2, size - 1, size, size + 5):
                args = ["SPOP", key] + ([] if count is None else [str(count)])
                what = "RESP%d %s" % (self.PROTOCOL, " ".join(args))
                replies = []
                for c in (rc, lc):
                    c.cmd("DEL", key)
                    c.cmd("SADD", key, *members)
                    replies.append(c.cmd(*args))
                r_raw, l_raw = replies
                self.assertEqual(shape(l_raw), shape(r_raw), "%s: reply type shape: redis %s larder %s"
                                 % (what, show(r_raw)[:200], show(l_raw)[:200]))
                for c, raw, who in ((rc, r_raw, "redis"), (lc, l_raw, "larder")):
                    value = decode(raw)
                    popped = [value] if count is None else value
                    expected_len = 1 if count is None else min(count, size)
                    self.assertEqual(len(popped), expected_len, "%s (%s)" % (what, who))
                    self.assertEqual(len(set(popped)), len(popped), "%s (%s): duplicates" % (what, who))
                    self.assertTrue(set(popped) <= content, "%s (%s)" % (what, who))
                    rest = decode(c.cmd("SMEMBERS", key))
                    self.assertEqual(set(rest) | set(popped), content, "%s (%s)" % (what, who))
                    self.assertFalse(set(rest) & set(popped), "%s (%s)" % (what, who))
                    self.assertEqual(decode(c.cmd("EXISTS", key)), 1 if rest else 0)
        for c, who in ((rc, "redis"), (lc, "larder")):
            seen = set()
            for _ in range(40):
                c.cmd("DEL", "r")
                c.cmd("SADD", "r", "a", "b", "c", "d", "e")
                seen.add(decode(c.cmd("SPOP", "r")))
                c.cmd("DEL", "r")
                c.cmd("SADD", "r", "1", "2", "3", "4", "5")
                seen.add(decode(c.cmd("SPOP", "r")))
            self.assertGreater(len(seen), 4, "%s: SPOP not random: %r" % (who, seen))


    def test_random_mix(self):
        for n, entries in enumerate(["512", "4", "0"]):
            with self.subTest(intset_entries=entries):
                self.check(random_script(400 + n, entries))


class SetsResp2(SetsBase):
    PROTOCOL = 2


class SetsResp3(SetsBase):
    PROTOCOL = 3


del SetsBase  # only its two protocol variants run

if __name__ == "__main__":
    unittest.main()
