#!/usr/bin/python3
"""Differential: UNLINK, TYPE, RENAME, RENAMENX, COPY, EXPIREAT, PEXPIREAT,
EXPIRETIME, PEXPIRETIME, RANDOMKEY, TOUCH, MOVE, OBJECT and SCAN, byte for
byte against redis-server, in RESP2 and again after HELLO 3 (RESP3).

SCAN cursors are hash-dependent: a SCAN reply is compared byte for byte only
when it is an error or completes the iteration in one call (cursor 0, keys
compared sorted); full iterations are compared as key sets.
"""
import os
import random
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import (DifferentialTestCase, Near, compare_replies, decode,  # noqa: E402
                            run_script, scan_reply, show, sort_array_reply)

# Absolute times far in the future (seconds / milliseconds).
FUTURE_S = 99999999999
FUTURE_MS = 99999999999500


def normalize_scan(reply):
    """A one-call SCAN reply with its key array sorted; other replies unchanged."""
    if not reply.startswith(b"*2\r\n"):
        return reply
    cursor_end = scan_reply(reply, 4)
    if reply[4:cursor_end] != b"$1\r\n0\r\n":
        return reply
    return reply[:cursor_end] + sort_array_reply(reply[cursor_end:])


def scan_all(client, *options):
    """Runs a full SCAN iteration; returns (set of keys, number of calls)."""
    keys = set()
    cursor = b"0"
    calls = 0
    while True:
        reply = client.call("SCAN", cursor, *options)
        assert isinstance(reply, list) and len(reply) == 2, reply
        cursor, batch = reply
        keys.update(batch)
        calls += 1
        if cursor == b"0":
            return keys, calls
        assert calls < 1000000, "SCAN does not terminate"


def random_script(seed, steps=1500):
    """A seeded mix of the key commands over four keys of every type, two
    databases and TTLs at least 3 s apart (so NX/XX/GT/LT never hang on the
    millisecond each server ran in), with edits that change a key's type or
    encoding between them."""
    rnd = random.Random(seed)
    keys = ["a", "b", "c", "d"]
    when = [100]

    def secs():
        when[0] += 3 + rnd.randrange(3)
        return str(when[0])

    def small():
        return str(rnd.randrange(5))

    writes = [
        lambda k: ("SET", k, "v" + small()),
        lambda k: ("SET", k, "w", "KEEPTTL") + rnd.choice([(), ("GET",), ("NX",), ("XX",)]),
        lambda k: ("APPEND", k, "z"),
        lambda k: ("SETBIT", k, str(rnd.randrange(20)), "1"),
        lambda k: ("INCRBYFLOAT", k, "1.5"),
        lambda k: ("HSET", k, "f" + small(), "x"),
        lambda k: ("SADD", k, small()),
        lambda k: ("ZADD", k, small(), "m" + small()),
        lambda k: ("RPUSH", k, "e" + small()),
    ]
    s = []
    for _ in range(steps):
        k, k2 = rnd.choice(keys), rnd.choice(keys)
        op = rnd.randrange(24)
        if op < 5:
            s.append(rnd.choice(writes)(k))
        elif op == 5:
            s.append(("EXPIRE", k, secs()) + rnd.choice([(), ("NX",), ("XX",), ("GT",), ("LT",)]))
        elif op == 6:
            s.append(rnd.choice([("PERSIST", k), ("GETEX", k, "PERSIST"), ("GETDEL", k)]))
        elif op == 7:
            s.append(Near("TTL", k, tol=1))  # not EXPIRETIME: the servers run the script seconds apart
        elif op == 8:
            s.append((rnd.choice(["RENAME", "RENAMENX"]), k, k2))
        elif op == 9:
            s.append(("COPY", k, k2) + rnd.choice([(), ("REPLACE",), ("DB", "1"), ("DB", "1", "REPLACE")]))
        elif op == 10:
            s.append(("MOVE", k, "1"))
        elif op == 11:
            s.append(rnd.choice([("TYPE", k), ("OBJECT", "ENCODING", k), ("OBJECT", "REFCOUNT", k)]))
        elif op == 12:
            s.append(("EXISTS", k, k2, k))
        elif op == 13:
            s.append((rnd.choice(["DEL", "UNLINK", "TOUCH"]), k, k2))
        elif op == 14:
            s.append(("SELECT", rnd.choice(["0", "0", "1"])))
        elif op == 15:
            s.append(rnd.choice([("SWAPDB", "0", "1"), ("DBSIZE",), ("KEYS", "*")]))
        elif op == 16:
            s.append(("SMOVE", k, k2, small()))
        elif op == 17:
            s.append(("LMOVE", k, k2, "LEFT", "RIGHT"))
        elif op == 18:
            s.append(("SUNIONSTORE", k2, k))
        elif op == 19:
            s.append(("ZUNIONSTORE", k2, "1", k))
        elif op == 20:
            s.append(("GET", k))
        elif op == 21:
            s.append(("STRLEN", k))  # not SORT: Redis turns a listpack zset it sorts into a skiplist
        else:
            s.append(("RESTORE", k2, "0", "bad payload"))
    return s + [("SELECT", "0"), ("KEYS", "*"), ("SELECT", "1"), ("KEYS", "*"), ("SELECT", "0")]


class KeysFamilyBase(DifferentialTestCase):
    PROTOCOL = 2

    def setUp(self):
        super().setUp()
        if self.PROTOCOL == 3:
            with self.larder.client() as lc:
                reply = lc.cmd("HELLO", "3")
            if reply.startswith(b"-"):
                self.skipTest("Larder does not accept HELLO 3 yet: %s" % show(reply))

    def _prelude(self, client):
        if self.PROTOCOL == 3:
            reply = client.cmd("HELLO", "3")
            self.assertTrue(reply.startswith(b"%"), show(reply))

    def _needs_select(self):
        with self.larder.client() as lc:
            reply = lc.cmd("SELECT", "0")
        if reply != b"+OK\r\n":
            self.skipTest("Larder does not accept SELECT yet: %s" % show(reply))

    def check(self, script, sort_commands=(b"keys",), flush=True):
        """Like DifferentialTestCase.check, on RESP3 connections when PROTOCOL
        is 3, with one-call SCAN replies compared sorted."""
        if flush:
            script = [("FLUSHALL",)] + list(script)
        with self.redis.client() as rc, self.larder.client() as lc:
            self._prelude(rc)
            self._prelude(lc)
            expected = run_script(rc, script)
            actual = []
            try:
                for entry in script:
                    actual.extend(run_script(lc, [entry]))
            except Exception as e:
                raise AssertionError("Larder failed at command #%d: %r" % (len(actual), e))
        names = [s[0].lower() if isinstance(s, tuple) and s else "" for s in script]
        expected = [normalize_scan(e) if n == "scan" else e for n, e in zip(names, expected)]
        actual = [normalize_scan(a) if n == "scan" else a for n, a in zip(names, actual)]
        mismatches = compare_replies(script, expected, actual, sort_commands)
        if mismatches:
            self.fail("RESP%d: %d of %d replies differ from redis-server:\n%s"
                      % (self.PROTOCOL, len(mismatches), len(script), "\n".join(mismatches)))
        return expected

    # -- scripts ------------------------------------------------------------

    def test_unlink_and_type(self):
        self.check([
            ("SET", "a", "1"), ("SET", "b", "2"), ("SET", "", "empty"),
            ("TYPE", "a"), ("TYPE", "missing"), ("type", ""), ("TYPE", "A"),
            ("UNLINK", "a", "b", "c", "a"), ("UNLINK", "a"), ("UNLINK", ""),
            ("EXISTS", "a", "b", ""), ("TYPE", "a"),
            ("UNLINK",), ("TYPE",), ("TYPE", "a", "b"),
            ("SET", "e", "v", "EX", "100"), ("TYPE", "e"), ("Unlink", "e"), ("TYPE", "e"),
        ])

    def test_rename_and_renamenx(self):
        self.check([
            ("RENAME", "missing", "x"), ("RENAMENX", "missing", "x"),
            ("RENAME", "missing", "missing"), ("RENAMENX", "missing", "missing"),
            ("SET", "a", "va", "EX", "100"),
            ("RENAME", "a", "a"), ("TTL", "a"), ("RENAMENX", "a", "a"),
            ("RENAME", "a", "b"), ("EXISTS", "a"), ("GET", "b"), ("TTL", "b"),
            ("SET", "c", "vc"), ("RENAMENX", "b", "c"), ("GET", "b"), ("GET", "c"),
            ("RENAMENX", "b", "d"), ("GET", "d"), ("TTL", "d"), ("EXISTS", "b"),
            ("RENAME", "d", "c"), ("GET", "c"), ("TTL", "c"),
            ("SET", "p", "persistent"), ("RENAME", "p", "c"), ("TTL", "c"), ("GET", "c"),
            ("SET", "n", "12"), ("RENAME", "n", ""), ("GET", ""), ("OBJECT", "ENCODING", ""),
            ("RENAME", "", "n"), ("INCR", "n"),
            ("rename", "n", "N"), ("GET", "N"), ("renamenx", "N", "n"),
            ("RENAME",), ("RENAME", "a"), ("RENAME", "a", "b", "c"),
            ("RENAMENX", "a"), ("RENAMENX", "a", "b", "c"),
            ("DBSIZE",),
        ])

    def test_copy(self):
        self.check([
            ("SET", "k", "v", "EX", "100"),
            ("COPY", "k", "k"), ("COPY", "missing", "missing"), ("COPY", "k", "k", "DB", "0"),
            ("COPY", "k", "x", "DB", "16"), ("COPY", "k", "x", "DB", "-1"),
            ("COPY", "k", "x", "DB", "abc"), ("COPY", "k", "x", "DB", "99999999999"),
            ("COPY", "k", "x", "DB", "-99999999999"), ("COPY", "k", "x", "DB", ""),
            ("COPY", "k", "x", "DB", "1.0"), ("COPY", "missing", "x", "DB", "99"),
            ("COPY", "k", "x", "DB"), ("COPY", "k", "x", "bogus"), ("COPY", "k", "x", "REPLACE", "x"),
            ("COPY", "k", "x", "DB", "abc", "bogus"), ("COPY", "k", "x", "bogus", "DB", "abc"),
            ("COPY", "missing", "x"), ("EXISTS", "x"),
            ("COPY", "k", "x"), ("GET", "x"), ("TTL", "x"), ("COPY", "k", "x"),
            ("SET", "k", "w"), ("COPY", "k", "x", "replace"), ("GET", "x"), ("TTL", "x"),
            ("COPY", "k", "x", "REPLACE", "REPLACE"),
            ("COPY", "k", "k", "DB", "3"), ("COPY", "k", "k", "db", "3"),
            ("COPY", "k", "k", "DB", "3", "REPLACE"),
            ("COPY", "k", "k", "DB", "0", "DB", "3"), ("COPY", "k", "k", "DB", "3", "DB", "0"),
            ("COPY", "k", "y", "DB", "15"), ("COPY", "k", "y", "DB", "15"),
            ("SET", "i", "42"), ("COPY", "i", "j"), ("OBJECT", "ENCODING", "j"), ("INCR", "j"),
            ("COPY",), ("COPY", "k"),
            ("DBSIZE",),
        ])

    def test_move(self):
        self.check([
            ("SET", "k", "v", "EX", "100"),
            ("MOVE", "k", "abc"), ("MOVE", "k", "99999999999"), ("MOVE", "k", "-99999999999"),
            ("MOVE", "k", "16"), ("MOVE", "k", "-1"), ("MOVE", "missing", "-1"),
            ("MOVE", "k", "0"), ("MOVE", "missing", "0"), ("MOVE", "k", ""), ("MOVE", "k", "01"),
            ("MOVE", "missing", "1"),
            ("MOVE", "k", "1"), ("EXISTS", "k"), ("TTL", "k"),
            ("SET", "k", "again"), ("MOVE", "k", "1"), ("GET", "k"),
            ("COPY", "k", "k", "DB", "1"),  # still there: 0
            ("MOVE", "k", "15"), ("EXISTS", "k"),
            ("move", "", "2"),
            ("MOVE",), ("MOVE", "k"), ("MOVE", "k", "1", "2"),
            ("DBSIZE",),
        ])

    def test_move_and_copy_across_databases(self):
        self._needs_select()
        self.check([
            ("SET", "k", "v", "EX", "100"), ("SET", "i", "7"),
            ("MOVE", "k", "1"), ("COPY", "i", "i", "DB", "2"),
            ("SELECT", "1"), ("GET", "k"), ("TTL", "k"), ("DBSIZE",),
            ("MOVE", "k", "0"), ("MOVE", "k", "1"), ("DBSIZE",),
            ("SELECT", "0"), ("GET", "k"), ("TTL", "k"),
            ("SELECT", "2"), ("GET", "i"), ("OBJECT", "ENCODING", "i"),
            ("COPY", "i", "i", "DB", "2"), ("COPY", "i", "j", "DB", "0"),
            ("SELECT", "0"), ("GET", "j"), ("COPY", "j", "i", "DB", "2", "REPLACE"),
            ("SELECT", "2"), ("GET", "i"), ("RENAME", "i", "r"), ("GET", "r"),
            ("SELECT", "0"), ("EXISTS", "r"), ("DBSIZE",),
        ])

    def test_expireat_and_pexpireat(self):
        script = []
        for cmd, t in (("EXPIREAT", FUTURE_S), ("PEXPIREAT", FUTURE_MS)):
            script += [
                ("SET", "k", "v"),
                (cmd, "missing", str(t)), (cmd, "k", str(t), "XX"), (cmd, "k", str(t), "GT"),
                (cmd, "k", str(t), "LT"), ("EXPIRETIME", "k"), ("PEXPIRETIME", "k"),
                (cmd, "k", str(t + 1), "NX"), (cmd, "k", str(t + 1), "GT"),
                ("PEXPIRETIME", "k"), (cmd, "k", str(t), "GT"), (cmd, "k", str(t - 1), "LT"),
                ("EXPIRETIME", "k"), ("PEXPIRETIME", "k"),
                (cmd, "k", str(t), "NX", "XX"), (cmd, "k", str(t), "GT", "LT"),
                (cmd, "k", str(t), "bogus"), (cmd, "k", "abc"), (cmd, "k", ""), (cmd, "k", "1.5"),
                (cmd, "k", "9223372036854775807"), (cmd, "k", "9223372036854776"),
                (cmd, "k", "-9223372036854776"), (cmd, "k", "-9223372036854775808"),
                ("EXISTS", "k"),
                ("SET", "k", "v"), (cmd, "k", "1"), ("EXISTS", "k"),
                ("SET", "k", "v"), (cmd, "k", "0"), ("EXISTS", "k"),
                ("SET", "k", "v"), (cmd, "k", "-1"), ("EXISTS", "k"),
                ("SET", "k", "v", "EX", "100"), (cmd, "k", str(t), "XX"), ("EXPIRETIME", "k"),
                (cmd,), (cmd, "k"),
            ]
        script += [("SET", "k", "v"), ("PEXPIREAT", "k", "9223372036854775807"),
                   ("PEXPIRETIME", "k"), ("EXPIRETIME", "k"), Near("TTL", "k", tol=1)]
        self.check(script)

    def test_expiretime_and_pexpiretime(self):
        self.check([
            ("EXPIRETIME", "missing"), ("PEXPIRETIME", "missing"),
            ("SET", "k", "v"), ("EXPIRETIME", "k"), ("PEXPIRETIME", "k"),
            ("PEXPIREAT", "k", "99999999999499"), ("EXPIRETIME", "k"), ("PEXPIRETIME", "k"),
            ("PEXPIREAT", "k", "99999999999500"), ("EXPIRETIME", "k"),
            ("PEXPIREAT", "k", "99999999999999"), ("EXPIRETIME", "k"),
            ("SET", "k", "v", "EXAT", str(FUTURE_S)), ("EXPIRETIME", "k"), ("PEXPIRETIME", "k"),
            ("SET", "k", "v", "PXAT", str(FUTURE_MS)), ("EXPIRETIME", "k"),
            ("PERSIST", "k"), ("EXPIRETIME", "k"),
            ("expiretime", "k"), ("PexpireTime", "k"),
            ("EXPIRETIME",), ("EXPIRETIME", "a", "b"), ("PEXPIRETIME",), ("PEXPIRETIME", "a", "b"),
        ])

    def test_touch(self):
        self.check([
            # Under each server's default policy (Redis noeviction, Larder
            # allkeys-tinylfu) idle times are LRU stamps.
            ("TOUCH", "missing"), ("SET", "a", "1"), ("SET", "b", "2"),
            ("TOUCH", "a"), ("TOUCH", "a", "b", "c", "a"), ("touch", ""),
            Near("OBJECT", "IDLETIME", "a", tol=1),
            ("TOUCH",),
        ])

    def test_randomkey(self):
        self.check([
            ("RANDOMKEY",), ("SET", "only", "v"), ("RANDOMKEY",), ("RANDOMKEY",),
            ("randomkey",), ("RANDOMKEY", "x"),
            ("DEL", "only"), ("RANDOMKEY",), ("SET", "", "v"), ("RANDOMKEY",),
        ])

    def test_randomkey_skips_expired_keys(self):
        self.check([("SET", "dead", "v", "PX", "1"), ("SET", "alive", "v")])
        time.sleep(0.01)
        self.check([("RANDOMKEY",), ("DEL", "alive"), ("RANDOMKEY",)], flush=False)
        self.check([("SET", "dead", "v", "PX", "1")])
        time.sleep(0.01)
        self.check([("RANDOMKEY",), ("DBSIZE",)], flush=False)

    def test_object_encoding_and_refcount(self):
        values = ["0", "1", "9999", "10000", "-1", "-0", "00", "007", "+5", " 5", "5 ", "",
                  "12345", "9223372036854775807", "-9223372036854775808",
                  "9223372036854775808", "-9223372036854775809", "1.5", "1e3", "0x10",
                  "abc", "x" * 20, "x" * 44, "x" * 45, "1" * 44, "1" * 45, "\x00", "a\r\nb"]
        script = []
        for v in values:
            script += [("SET", "k", v), ("OBJECT", "ENCODING", "k"), ("OBJECT", "REFCOUNT", "k"),
                       ("object", "encoding", "k"), ("Object", "RefCount", "k")]
        script += [("OBJECT", "ENCODING", "missing"), ("OBJECT", "REFCOUNT", "missing"),
                   ("OBJECT", "IDLETIME", "missing"), ("OBJECT", "FREQ", "missing")]
        self.check(script)

    def test_object_encoding_after_edits(self):
        # Redis turns a string it edits in place, or builds byte by byte,
        # into a raw one whatever its content; writing a fresh value, or INCR,
        # makes it int or embstr again; RENAME, COPY, MOVE and TTLs keep it.
        script = []
        for edit in [("APPEND", "k", "4"), ("APPEND", "k", ""), ("SETRANGE", "k", "0", "9"),
                     ("SETRANGE", "k", "0", ""), ("SETBIT", "k", "0", "0"), ("SETBIT", "k", "2", "1"),
                     ("BITFIELD", "k", "GET", "u4", "0"), ("BITFIELD", "k", "SET", "u4", "0", "3"),
                     ("BITFIELD", "k", "INCRBY", "u2", "0", "5", "OVERFLOW", "FAIL"),
                     ("BITFIELD_RO", "k", "GET", "u4", "0"), ("GETRANGE", "k", "0", "1"),
                     ("GETEX", "k", "EX", "100"), ("EXPIRE", "k", "100")]:
            script += [("SET", "k", "12"), edit, ("OBJECT", "ENCODING", "k")]
        script += [
            ("SETRANGE", "new1", "0", "ab"), ("OBJECT", "ENCODING", "new1"),
            ("SETBIT", "new2", "3", "1"), ("OBJECT", "ENCODING", "new2"),
            ("BITFIELD", "new3", "SET", "u8", "0", "49"), ("OBJECT", "ENCODING", "new3"),
            ("APPEND", "new4", "12"), ("OBJECT", "ENCODING", "new4"),
            ("SET", "c", "1"), ("BITOP", "OR", "d", "c"), ("OBJECT", "ENCODING", "d"),
            ("PFADD", "h1", "a"), ("OBJECT", "ENCODING", "h1"), ("PFMERGE", "h2", "h1"), ("OBJECT", "ENCODING", "h2"),
            ("SET", "h3", "x"), ("RESTORE", "h4", "0", None), ("OBJECT", "ENCODING", "h4"), ("PFCOUNT", "h4"),
            ("OBJECT", "ENCODING", "h4"), ("RESTORE", "h5", "0", None), ("PFADD", "h5"), ("OBJECT", "ENCODING", "h5"),
            ("SET", "r", "5"), ("APPEND", "r", "5"), ("RENAME", "r", "r2"), ("OBJECT", "ENCODING", "r2"),
            ("COPY", "r2", "r3"), ("OBJECT", "ENCODING", "r3"), ("MOVE", "r3", "1"), ("SELECT", "1"),
            ("OBJECT", "ENCODING", "r3"), ("SELECT", "0"), ("EXPIRE", "r2", "100"), ("PERSIST", "r2"),
            ("OBJECT", "ENCODING", "r2"), ("TYPE", "r2"), ("INCR", "r2"), ("OBJECT", "ENCODING", "r2"),
            ("APPEND", "r2", "x"), ("SET", "r2", "ab", "KEEPTTL"), ("OBJECT", "ENCODING", "r2"),
            ("APPEND", "r2", "c"), ("SET", "r2", "abcdef"), ("OBJECT", "ENCODING", "r2"),
            ("SET", "f", "1.5"), ("APPEND", "f", "0"), ("INCRBYFLOAT", "f", "1"), ("OBJECT", "ENCODING", "f"),
            ("SET", "f", "1"), ("INCRBYFLOAT", "f", "2"), ("OBJECT", "ENCODING", "f"), ("OBJECT", "REFCOUNT", "f"),
            ("RENAME", "f", "f2"), ("OBJECT", "ENCODING", "f2"), ("INCRBYFLOAT", "f2", "1e50"),
            ("OBJECT", "ENCODING", "f2"), ("INCRBYFLOAT", "f3", "20000"), ("OBJECT", "ENCODING", "f3"),
            ("INCR", "f3"), ("OBJECT", "ENCODING", "f3"), ("INCRBYFLOAT", "f3", "0"), ("SET", "f3", "7"),
            ("OBJECT", "ENCODING", "f3"), ("OBJECT", "REFCOUNT", "f3"),
            ("SET", "j", "5"), ("APPEND", "j", ""), ("OBJECT", "REFCOUNT", "j"), ("SET", "j", "5"),
            ("OBJECT", "REFCOUNT", "j"), ("BITOP", "OR", "j2", "j"), ("OBJECT", "REFCOUNT", "j2"),
            ("SET", "big", "y" * 5000), ("APPEND", "big", "z"), ("OBJECT", "ENCODING", "big"),
            ("SET", "sm", "1"), ("APPEND", "sm", "y" * 5000), ("OBJECT", "ENCODING", "sm"),
            ("SET", "sm", "1"), ("OBJECT", "ENCODING", "sm"),
        ]
        with self.redis.client() as rc:
            rc.cmd("PFADD", "hll", "a", "b")
            payload = decode(rc.cmd("DUMP", "hll"))
            rc.cmd("DEL", "hll")
        script = [tuple(payload if a is None else a for a in c) for c in script]
        self.check(script)

    def test_object_idletime_freq_help_and_errors(self):
        # Under each server's default policy, as a client's test suite sees
        # them: IDLETIME answers, FREQ says no LFU policy is selected.
        self.check([
            ("SET", "k", "v"),
            Near("OBJECT", "IDLETIME", "k", tol=1), ("OBJECT", "FREQ", "k"),
            ("OBJECT", "HELP"), ("object", "help"),
            ("OBJECT",), ("OBJECT", "ENCODING"), ("OBJECT", "ENCODING", "k", "x"),
            ("OBJECT", "REFCOUNT"), ("OBJECT", "IDLETIME"), ("OBJECT", "FREQ", "a", "b"),
            ("OBJECT", "HELP", "x"),
            ("OBJECT", "foo"), ("OBJECT", "foo", "k"), ("OBJECT", "Foo", "a", "b", "c"),
            ("OBJECT", ""), ("OBJECT", "encodingx", "k"), ("OBJECT", "z" * 200),
            ("OBJECT", "a\x00b"),
            ("TYPE", "k"), Near("OBJECT", "IDLETIME", "k", tol=1),
        ])

    def test_writes_count_as_accesses_under_lfu(self):
        # Redis's lookupKeyWrite touches the key: an LFU counter of 5 rises to
        # 6 (certainly, at 5) whether or not the write changes anything.
        self.addCleanup(self.check, [("CONFIG", "SET", "maxmemory-policy", "noeviction")], flush=False)
        script = [("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")]
        for setup, write in ((("SET", "c", "100000"), ("INCR", "c")), (("SET", "k", "v"), ("SET", "k", "w")),
                             (("SET", "e", "v"), ("EXPIRE", "e", "100")), (("SADD", "s", "a"), ("SADD", "s", "a")),
                             (("HSET", "h", "f", "v"), ("HDEL", "h", "nope")), (("RPUSH", "l", "a"), ("LPUSH", "l", "b")),
                             (("SET", "g", "v"), ("GETEX", "g", "EX", "100")), (("SET", "p", "v", "EX", "100"), ("PERSIST", "p"))):
            script += [setup, ("OBJECT", "FREQ", setup[1]), write, ("OBJECT", "FREQ", setup[1])]
        self.check(script)

    def test_lookups_count_as_accesses_under_lfu(self):
        # With lfu-log-factor 0 every access adds one. A command's own lookup
        # of a key counts even when it then writes nothing (SET NX, EXPIRE
        # NX/GT, RENAMENX, MOVE and COPY onto an existing key), and RENAME
        # keeps the counter, as Redis's renamed object. Values are not
        # integers: Redis shares one object for small ones.
        self.addCleanup(self.check, [("CONFIG", "SET", "maxmemory-policy", "noeviction"),
                                     ("CONFIG", "SET", "lfu-log-factor", "10"), ("SELECT", "0")], flush=False)
        self.check([
            ("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"), ("CONFIG", "SET", "lfu-log-factor", "0"),
            ("SET", "a", "v"), ("GET", "a"), ("GET", "a"), ("OBJECT", "FREQ", "a"),
            ("RENAME", "a", "b"), ("OBJECT", "FREQ", "b"), ("SET", "b", "w", "NX"), ("OBJECT", "FREQ", "b"),
            ("SET", "b", "w2"), ("OBJECT", "FREQ", "b"), ("SETNX", "b", "w3"), ("OBJECT", "FREQ", "b"),
            ("EXPIRE", "b", "100"), ("EXPIRE", "b", "200", "NX"), ("EXPIRE", "b", "10", "GT"),
            ("OBJECT", "FREQ", "b"), ("PERSIST", "b"), ("PERSIST", "b"), ("OBJECT", "FREQ", "b"),
            ("MOVE", "b", "1"), ("SELECT", "1"), ("OBJECT", "FREQ", "b"), ("SET", "z", "v"), ("SELECT", "0"),
            ("SET", "z", "v"), ("SET", "y", "v"), ("MOVE", "z", "1"), ("OBJECT", "FREQ", "z"),
            ("RENAMENX", "z", "y"), ("OBJECT", "FREQ", "z"), ("OBJECT", "FREQ", "y"),
            ("MSETNX", "q", "v", "y", "v"), ("OBJECT", "FREQ", "y"),
            ("COPY", "z", "y"), ("OBJECT", "FREQ", "z"), ("OBJECT", "FREQ", "y"),
            ("SELECT", "1"), ("OBJECT", "FREQ", "z"), ("SELECT", "0"),
            # Failed writes looked their key up too.
            ("RPUSH", "l", "a"), ("INCR", "l"), ("SET", "l", "x", "NX"), ("OBJECT", "FREQ", "l"),
            ("SET", "s", "abc"), ("INCR", "s"), ("INCRBYFLOAT", "s", "x"), ("INCRBYFLOAT", "s", "1"),
            ("SETRANGE", "s", "0", ""), ("HSET", "s", "f", "v"), ("LPUSH", "s", "a"), ("OBJECT", "FREQ", "s"),
        ])

    def test_random_mix(self):
        for seed in (500, 501, 502):
            with self.subTest(seed=seed):
                self.check(random_script(seed))

    def test_scan_replies(self):
        # Small keyspaces: every SCAN below completes in one call on both.
        self.check([
            ("SCAN", "0"), ("SCAN", "0", "COUNT", "1000"),
            ("SET", "a", "1"), ("SET", "b", "2"), ("SET", "", "3"), ("SET", "user:1", "4"),
            ("SCAN", "0"), ("SCAN", "0", "COUNT", "1000"), ("SCAN", "0", "MATCH", "*"),
            ("SCAN", "0", "MATCH", "user:*"), ("SCAN", "0", "MATCH", "?"),
            ("SCAN", "0", "MATCH", "[ab]", "COUNT", "100"), ("SCAN", "0", "MATCH", ""),
            ("SCAN", "0", "TYPE", "string"), ("SCAN", "0", "TYPE", "STRING"),
            ("SCAN", "0", "TYPE", "list"), ("SCAN", "0", "TYPE", "none"),
            ("SCAN", "0", "TYPE", "bogus"), ("SCAN", "0", "type", "hash", "match", "*"),
            ("SCAN", "0", "MATCH", "*", "MATCH", "a"), ("SCAN", "0", "COUNT", "1", "COUNT", "1000"),
            ("SCAN", "0", "count", "9223372036854775807"),
            ("SCAN", ""), ("SCAN", "+0"), ("SCAN", "00"), ("SCAN", "-0"),
            ("SCAN", " 0"), ("SCAN", "0 "), ("SCAN", "x"), ("SCAN", "0x10"), ("SCAN", "1.5"),
            ("SCAN", "-"), ("SCAN", "+"), ("SCAN", "18446744073709551616"),
            ("SCAN", "99999999999999999999999"), ("SCAN", "x", "COUNT", "0"),
            ("SCAN", "0", "COUNT", "0"), ("SCAN", "0", "COUNT", "-1"), ("SCAN", "0", "COUNT", "x"),
            ("SCAN", "0", "COUNT", "1.5"), ("SCAN", "0", "COUNT", "99999999999999999999"),
            ("SCAN", "0", "COUNT"), ("SCAN", "0", "MATCH"), ("SCAN", "0", "TYPE"),
            ("SCAN", "0", "bogus"), ("SCAN", "0", "bogus", "x"), ("SCAN", "0", "MATCH", "*", "x"),
            ("SCAN", "0", "COUNT", "0", "MATCH"), ("SCAN", "0", "MATCH", "a", "COUNT", "0"),
            ("SCAN",), ("scan", "0", "MATCH", "b"),
        ])

    def test_scan_skips_expired_keys(self):
        self.check([("SET", "dead", "v", "PX", "1"), ("SET", "alive", "v")])
        time.sleep(0.01)
        self.check([("SCAN", "0"), ("DBSIZE",), ("SCAN", "0", "MATCH", "dead")], flush=False)

    def test_scan_full_iteration_key_sets(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            self._prelude(rc)
            self._prelude(lc)
            for c in (rc, lc):
                self.assertEqual(c.cmd("FLUSHALL"), b"+OK\r\n")
                batch = []
                for i in range(5000):
                    prefix = ("user:", "post:", "misc")[i % 3]
                    batch.append(("SET", "%s%d" % (prefix, i), str(i)))
                batch.append(("SET", "", "empty"))
                for r in run_script(c, batch):
                    self.assertEqual(r, b"+OK\r\n")
            for options in ((), ("COUNT", "1"), ("COUNT", "7"), ("COUNT", "1000"),
                            ("MATCH", "*"), ("MATCH", "user:*"), ("MATCH", "*1?"),
                            ("MATCH", "post:[1-3]*", "COUNT", "50"), ("TYPE", "string"),
                            ("TYPE", "list"), ("MATCH", "nothing*", "COUNT", "3")):
                expected, _ = scan_all(rc, *options)
                actual, calls = scan_all(lc, *options)
                self.assertEqual(sorted(actual), sorted(expected),
                                 "SCAN %s key sets differ (larder took %d calls)"
                                 % (" ".join(options), calls))


class KeysFamilyResp2(KeysFamilyBase):
    PROTOCOL = 2


class KeysFamilyResp3(KeysFamilyBase):
    PROTOCOL = 3


del KeysFamilyBase  # only its two protocol variants run

if __name__ == "__main__":
    unittest.main()
