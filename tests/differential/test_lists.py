#!/usr/bin/python3
"""Differential: the non-blocking list family - LPUSH, RPUSH, LPUSHX, RPUSHX,
LPOP, RPOP, LLEN, LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LMOVE,
RPOPLPUSH and LMPOP - against redis-server 7.0, in RESP2 and again after
HELLO 3 on both connections (RESP3 nulls and null arrays).

Lists are ordered, so every reply is compared byte for byte: argument errors
in Redis's order, wrong types, missing keys, index arithmetic at the edges,
and big lists that cross Larder's inline/quicklist boundary and its node
limits under several list-max-listpack-size values (set on both servers with
CONFIG SET), including a seeded random mix of every command.
"""
import os
import random
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, decode, fmt_cmd, show, weighted  # noqa: E402

INT64_MAX = "9223372036854775807"
INT64_MIN = "-9223372036854775808"
BIN = b"\x00\xff\r\n\x01"

# Restored after every test to the values each server started with.
CONFIG_NAMES = ["list-max-listpack-size"]

# Node limits exercised: byte sizes (-1 4 KiB ... -5 64 KiB) and counts.
FILLS = ["-2", "-1", "-5", "1", "2", "5", "128"]


class ProtocolDiffCase(DifferentialTestCase):
    """DifferentialTestCase whose connections speak RESP2 or, after HELLO 3,
    RESP3 (PROTOCOL)."""

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
                    values.append((name, reply[1]))
            cls.initial_config[srv.port] = values

    def setUp(self):
        super().setUp()
        self.addCleanup(self.reset_config)

    def reset_config(self):
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                for name, value in self.initial_config[srv.port]:
                    c.cmd("CONFIG", "SET", name, value)

    def prelude(self, client):
        if self.PROTOCOL == 3:
            reply = client.cmd("HELLO", "3")
            self.assertTrue(reply.startswith(b"%"), show(reply))

    def check(self, script, flush=True):
        if flush:
            script = [("FLUSHALL",)] + list(script)
        with self.redis.client() as rc, self.larder.client() as lc:
            self.prelude(rc)
            self.prelude(lc)
            expected = [rc.cmd(*e) for e in script]
            actual = []
            try:
                for e in script:
                    actual.append(lc.cmd(*e))
            except Exception as ex:
                done = len(actual)
                raise AssertionError("Larder failed at command #%d %s: %r (redis replied %s)"
                                     % (done, fmt_cmd(script[done]), ex, show(expected[done])))
        mismatches = ["  #%d %s\n      redis : %s\n      larder: %s"
                      % (i, fmt_cmd(entry), show(e)[:600], show(a)[:600])
                      for i, (entry, e, a) in enumerate(zip(script, expected, actual)) if e != a]
        if mismatches:
            self.fail("RESP%d: %d of %d replies differ from redis-server:\n%s"
                      % (self.PROTOCOL, len(mismatches), len(script), "\n".join(mismatches[:20])))
        return expected


# ---------------------------------------------------------------------------
# Scripts
# ---------------------------------------------------------------------------

def basic_script():
    return [
        ("RPUSH", "l", "a", "b", "c"), ("LPUSH", "l", "x", "y"), ("LRANGE", "l", "0", "-1"),
        ("LLEN", "l"), ("LLEN", "missing"), ("TYPE", "l"), ("OBJECT", "ENCODING", "l"),
        ("LPUSHX", "l", "p1", "p2"), ("RPUSHX", "l", "r1"), ("LPUSHX", "missing", "a"),
        ("RPUSHX", "missing", "a", "b"), ("EXISTS", "missing"), ("LRANGE", "l", "0", "-1"),
        ("LPOP", "l"), ("RPOP", "l"), ("LPOP", "l", "2"), ("RPOP", "l", "2"), ("LPOP", "l", "0"),
        ("RPOP", "l", "0"), ("LRANGE", "l", "0", "-1"), ("LPOP", "l", "100"), ("EXISTS", "l"),
        ("LPOP", "l"), ("RPOP", "l"), ("LPOP", "l", "3"), ("RPOP", "l", "0"), ("LPOP", "missing", "0"),
        ("RPUSH", "e", ""), ("LRANGE", "e", "0", "-1"), ("LINDEX", "e", "0"), ("LPOP", "e"),
        ("EXISTS", "e"),
        ("RPUSH", "b", BIN, b"a\x00b", BIN + BIN), ("LRANGE", "b", "0", "-1"), ("LPOS", "b", BIN),
        ("LREM", "b", "0", BIN), ("LRANGE", "b", "0", "-1"),
        ("RPUSH", "n", "1", "-1", "0", INT64_MAX, INT64_MIN, "1.5", "007"), ("LRANGE", "n", "0", "-1"),
        ("LPOS", "n", INT64_MAX), ("LREM", "n", "0", "1"), ("LRANGE", "n", "0", "-1"),
        ("lpush", "lc", "a"), ("RpUsH", "lc", "b"), ("lrange", "lc", "0", "-1"),
        ("DBSIZE",),
    ]


def range_index_script():
    s = [("RPUSH", "l") + tuple("e%d" % i for i in range(10))]
    bounds = ["0", "1", "5", "9", "10", "11", "-1", "-2", "-10", "-11", "-100", "100",
              INT64_MAX, INT64_MIN]
    for a in bounds:
        s.append(("LINDEX", "l", a))
        for b in bounds:
            s.append(("LRANGE", "l", a, b))
    for bad in ["", "x", "1.0", " 1", "9223372036854775808"]:
        s += [("LINDEX", "l", bad), ("LINDEX", "missing", bad), ("LRANGE", "l", bad, "1"),
              ("LRANGE", "l", "1", bad), ("LRANGE", "missing", bad, "1")]
    s += [("LRANGE", "missing", "0", "-1"), ("LINDEX", "missing", "0")]
    return s


def ltrim_script():
    s = []
    bounds = ["0", "1", "3", "4", "5", "-1", "-2", "-5", "-6", "100", "-100", INT64_MIN, INT64_MAX]
    for a in bounds:
        for b in bounds:
            s += [("DEL", "l"), ("RPUSH", "l", "a", "b", "c", "d", "e"), ("LTRIM", "l", a, b),
                  ("LRANGE", "l", "0", "-1"), ("EXISTS", "l")]
    s += [("LTRIM", "missing", "0", "1"), ("LTRIM", "l", "x", "1"), ("LTRIM", "l", "1", "x"),
          ("LTRIM", "missing", "x", "1")]
    return s


def lset_linsert_lrem_script():
    return [
        ("LSET", "missing", "0", "x"), ("LSET", "missing", "x", "x"), ("RPUSH", "l", "a", "b", "c"),
        ("LSET", "l", "0", "A"), ("LSET", "l", "-1", "C"), ("LSET", "l", "3", "x"), ("LSET", "l", "-4", "x"),
        ("LSET", "l", "x", "x"), ("LSET", "l", "1", "a much longer value than before" * 3),
        ("LSET", "l", "1", ""), ("LRANGE", "l", "0", "-1"),
        ("LINSERT", "l", "BEFORE", "A", "first"), ("LINSERT", "l", "after", "C", "last"),
        ("LINSERT", "l", "AFTER", "", "mid"), ("LINSERT", "l", "before", "nope", "x"),
        ("LINSERT", "l", "MIDDLE", "A", "x"), ("LINSERT", "missing", "BEFORE", "a", "x"),
        ("LINSERT", "missing", "bad", "a", "x"), ("EXISTS", "missing"), ("LRANGE", "l", "0", "-1"),
        ("DEL", "r"), ("RPUSH", "r", "x", "a", "x", "b", "x", "c", "x", "x"),
        ("LREM", "r", "2", "x"), ("LRANGE", "r", "0", "-1"), ("LREM", "r", "-1", "x"),
        ("LRANGE", "r", "0", "-1"), ("LREM", "r", "0", "nope"), ("LREM", "r", "0", "x"),
        ("LRANGE", "r", "0", "-1"), ("LREM", "r", INT64_MIN, "a"), ("LREM", "r", INT64_MAX, "b"),
        ("LRANGE", "r", "0", "-1"), ("LREM", "r", "0", "c"), ("EXISTS", "r"),
        ("LREM", "missing", "0", "a"), ("LREM", "missing", "x", "a"), ("LREM", "r", "1.5", "a"),
    ]


def lpos_script():
    s = [("RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c", "a")]
    for opts in [(), ("RANK", "1"), ("RANK", "2"), ("RANK", "3"), ("RANK", "4"), ("RANK", "-1"),
                 ("RANK", "-3"), ("RANK", "-4"), ("RANK", INT64_MAX), ("RANK", INT64_MIN),
                 ("COUNT", "0"), ("COUNT", "1"), ("COUNT", "2"), ("COUNT", "10"),
                 ("RANK", "2", "COUNT", "0"), ("RANK", "-2", "COUNT", "1"), ("MAXLEN", "0"),
                 ("MAXLEN", "3"), ("MAXLEN", "7"), ("MAXLEN", "1", "RANK", "-1"),
                 ("RANK", INT64_MIN, "COUNT", "1"), ("RANK", INT64_MIN, "COUNT", "0"),
                 ("COUNT", "0", "MAXLEN", "8"), ("rank", "1", "count", "1", "maxlen", "100"),
                 ("RANK", "1", "RANK", "2"),
                 ("RANK", "0"), ("RANK", "x"), ("COUNT", "-1"), ("COUNT", "x"), ("MAXLEN", "-1"),
                 ("MAXLEN", "x"), ("RANK",), ("COUNT",), ("BOGUS", "1"), ("RANK", "0", "COUNT", "-1"),
                 ("COUNT", "-1", "RANK", "0")]:
        for elem in ["a", "c", "zz"]:
            s.append(("LPOS", "l", elem) + opts)
            s.append(("LPOS", "missing", elem) + opts)
    return s


def move_script():
    s = []
    for src_end in ["LEFT", "RIGHT"]:
        for dst_end in ["LEFT", "RIGHT"]:
            s += [("DEL", "s", "d"), ("RPUSH", "s", "1", "2", "3"), ("RPUSH", "d", "x"),
                  ("LMOVE", "s", "d", src_end, dst_end), ("LMOVE", "s", "s", src_end, dst_end),
                  ("LRANGE", "s", "0", "-1"), ("LRANGE", "d", "0", "-1"),
                  ("LMOVE", "s", "new", src_end, dst_end), ("LMOVE", "s", "new", src_end, dst_end),
                  ("EXISTS", "s"), ("LRANGE", "new", "0", "-1"), ("LMOVE", "s", "d", src_end, dst_end)]
    s += [("DEL", "one"), ("RPUSH", "one", "only"), ("LMOVE", "one", "one", "LEFT", "RIGHT"),
          ("LRANGE", "one", "0", "-1"), ("RPOPLPUSH", "one", "one"), ("LRANGE", "one", "0", "-1"),
          ("RPUSH", "s", "a", "b"), ("RPOPLPUSH", "s", "d2"), ("RPOPLPUSH", "s", "d2"),
          ("RPOPLPUSH", "s", "d2"), ("LRANGE", "d2", "0", "-1"), ("EXISTS", "s"),
          ("LMOVE", "s", "d", "UP", "LEFT"), ("LMOVE", "s", "d", "LEFT", "DOWN"),
          ("LMOVE", "missing", "d", "left", "right"),
          ("SET", "str", "v"), ("RPUSH", "s", "a"), ("LMOVE", "s", "str", "LEFT", "LEFT"),
          ("LRANGE", "s", "0", "-1"), ("LMOVE", "str", "s", "LEFT", "LEFT"),
          ("LMOVE", "missing", "str", "LEFT", "LEFT"), ("RPOPLPUSH", "s", "str"),
          ("RPOPLPUSH", "str", "s"), ("RPOPLPUSH", "missing", "str"), ("GET", "str")]
    return s


def lmpop_script():
    return [
        ("RPUSH", "a", "1", "2", "3", "4"), ("RPUSH", "b", "x", "y"),
        ("LMPOP", "2", "missing", "a", "LEFT"), ("LMPOP", "2", "a", "b", "RIGHT", "COUNT", "2"),
        ("LMPOP", "1", "a", "left", "count", "10"), ("EXISTS", "a"), ("LMPOP", "3", "a", "q", "b", "RIGHT"),
        ("LMPOP", "2", "a", "q", "LEFT"), ("LMPOP", "1", "b", "LEFT", "COUNT", "1"),
        ("LMPOP", "1", "b", "LEFT"),
        ("LMPOP", "0", "a", "LEFT"), ("LMPOP", "-1", "a", "LEFT"), ("LMPOP", "x", "a", "LEFT"),
        ("LMPOP", "2", "a", "LEFT"), ("LMPOP", "3", "a", "b", "LEFT"), ("LMPOP", INT64_MAX, "a", "LEFT"),
        ("LMPOP", "9223372036854775808", "a", "LEFT"), ("LMPOP", "1", "a", "UP"),
        ("LMPOP", "1", "a", "LEFT", "COUNT"), ("LMPOP", "1", "a", "LEFT", "COUNT", "0"),
        ("LMPOP", "1", "a", "LEFT", "COUNT", "-1"), ("LMPOP", "1", "a", "LEFT", "COUNT", "x"),
        ("LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"), ("LMPOP", "1", "a", "LEFT", "BOGUS"),
        ("SET", "str", "v"), ("RPUSH", "c", "1"), ("LMPOP", "2", "str", "c", "LEFT"),
        ("LMPOP", "2", "missing", "str", "LEFT"), ("LMPOP", "2", "c", "str", "LEFT"),
        ("LMPOP", "2", "c", "str", "LEFT"),
    ]


COMMANDS = [("LPUSH", 3, -1), ("RPUSH", 3, -1), ("LPUSHX", 3, -1), ("RPUSHX", 3, -1),
            ("LPOP", 2, 3), ("RPOP", 2, 3), ("LLEN", 2, 2), ("LRANGE", 4, 4), ("LINDEX", 3, 3),
            ("LSET", 4, 4), ("LINSERT", 5, 5), ("LREM", 4, 4), ("LTRIM", 4, 4), ("LPOS", 3, -1),
            ("LMOVE", 5, 5), ("RPOPLPUSH", 3, 3), ("LMPOP", 4, -1)]


def arity_script():
    s = []
    for name, least, most in COMMANDS:
        for n in range(1, 7):
            if n < least or (most != -1 and n > most):
                s.append((name,) + ("l",) * (n - 1))
    return s


def wrongtype_script():
    s = [("SET", "str", "v"), ("HSET", "h", "f", "v"), ("SADD", "set", "m")]
    for key in ["str", "h", "set"]:
        s += [("LPUSH", key, "a"), ("RPUSH", key, "a"), ("LPUSHX", key, "a"), ("RPUSHX", key, "a"),
              ("LPOP", key), ("RPOP", key), ("LPOP", key, "0"), ("LPOP", key, "2"), ("RPOP", key, "x"),
              ("LLEN", key), ("LRANGE", key, "0", "-1"), ("LRANGE", key, "x", "-1"),
              ("LINDEX", key, "0"), ("LINDEX", key, "x"), ("LSET", key, "0", "a"), ("LSET", key, "x", "a"),
              ("LINSERT", key, "BEFORE", "a", "b"), ("LINSERT", key, "bad", "a", "b"),
              ("LREM", key, "0", "a"), ("LREM", key, "x", "a"), ("LTRIM", key, "0", "1"),
              ("LTRIM", key, "x", "1"), ("LPOS", key, "a"), ("LPOS", key, "a", "RANK", "0"),
              ("LMOVE", key, "l", "LEFT", "LEFT"), ("RPOPLPUSH", key, "l"), ("LMPOP", "1", key, "LEFT")]
    s += [("GET", "str"), ("HGETALL", "h"), ("SMEMBERS", "set"), ("DBSIZE",)]
    return s


def keyspace_script():
    return [
        ("RPUSH", "l", "a", "b", "c"), ("TYPE", "l"), ("OBJECT", "ENCODING", "l"),
        ("RENAME", "l", "l2"), ("LRANGE", "l2", "0", "-1"), ("EXISTS", "l"),
        ("COPY", "l2", "l3"), ("RPUSH", "l3", "d"), ("LRANGE", "l2", "0", "-1"),
        ("LRANGE", "l3", "0", "-1"), ("COPY", "l2", "l3"), ("COPY", "l2", "l3", "REPLACE"),
        ("LRANGE", "l3", "0", "-1"), ("MOVE", "l3", "1"), ("EXISTS", "l3"), ("SELECT", "1"),
        ("LRANGE", "l3", "0", "-1"), ("TYPE", "l3"), ("SELECT", "0"),
        ("EXPIRE", "l2", "100"), ("TTL", "l2"), ("RPUSH", "l2", "z"), ("TTL", "l2"),
        ("LPOP", "l2", "10"), ("TTL", "l2"), ("EXISTS", "l2"),
        ("RPUSH", "px", "1", "2"), ("PEXPIRE", "px", "20"), ("RPUSH", "sc", "1"), ("SCAN", "0", "TYPE", "list", "MATCH", "sc"),
        ("DEL", "sc"), ("EXISTS", "sc"),
    ]


def big_script(fill, n=3000, seed=1):
    """Lists far past one node: pushes at both ends, every read, edits in the
    middle, trims, all under node limit `fill`."""
    rnd = random.Random(seed)
    s = [("CONFIG", "SET", "list-max-listpack-size", fill)]
    for i in range(0, n, 100):
        s.append(("RPUSH", "big") + tuple("r%d-%s" % (j, "x" * (j % 23)) for j in range(i, i + 100)))
        s.append(("LPUSH", "big") + tuple("l%d" % j for j in range(i, i + 100, 2)))
    s += [("LLEN", "big"), ("OBJECT", "ENCODING", "big"), ("LRANGE", "big", "0", "-1")]
    for _ in range(40):
        i = str(rnd.randrange(-2 * n, 2 * n))
        s += [("LINDEX", "big", i), ("LRANGE", "big", i, str(int(i) + rnd.randrange(0, 300)))]
    for _ in range(30):
        i = str(rnd.randrange(-n, n))
        s += [("LSET", "big", i, "set" * rnd.randrange(0, 40)),
              ("LINSERT", "big", rnd.choice(["BEFORE", "AFTER"]), "r%d-%s" % (int(i) % n, "x" * ((int(i) % n) % 23)),
               "ins" + "y" * rnd.randrange(0, 200))]
    s += [("LRANGE", "big", "0", "-1"), ("LPOS", "big", "ins", "COUNT", "0"),
          ("LPOS", "big", "l100", "RANK", "-1"), ("LREM", "big", "3", "l50"),
          ("LREM", "big", "-2", "l60"), ("LREM", "big", "0", "r7-xxxxxxx"), ("LLEN", "big"),
          ("LRANGE", "big", "1000", "1100"), ("LPOP", "big", "700"), ("RPOP", "big", "900"),
          ("LTRIM", "big", "100", "-100"), ("LLEN", "big"), ("LRANGE", "big", "0", "-1"),
          ("LMPOP", "1", "big", "RIGHT", "COUNT", "250"), ("LMOVE", "big", "other", "LEFT", "RIGHT"),
          ("COPY", "big", "bigcopy"), ("RPUSH", "bigcopy", "tail"), ("LRANGE", "bigcopy", "-3", "-1"),
          ("LRANGE", "big", "-3", "-1"), ("LTRIM", "big", "5", "4"), ("EXISTS", "big")]
    # Elements bigger than a node.
    s += [("RPUSH", "huge", "a" * 9000, "b", "c" * 70000, "d"), ("LPUSH", "huge", "e" * 20000),
          ("LINSERT", "huge", "AFTER", "b", "f" * 10000), ("LSET", "huge", "2", "g" * 5000),
          ("LRANGE", "huge", "0", "-1"), ("LREM", "huge", "0", "d"), ("LRANGE", "huge", "0", "-1")]
    return s


def random_script(fill, seed, steps=1500):
    """A seeded mix of every command over three keys, replies compared step by step."""
    rnd = random.Random(seed)
    keys = ["k1", "k2", "k3"]

    def elem():
        return weighted(rnd, (0.6, lambda: "v%d" % rnd.randrange(20)), (0.2, lambda: str(rnd.randrange(-5, 5))),
                        (0.15, lambda: "w" * rnd.randrange(0, 300)), (0.05, lambda: "z" * rnd.randrange(2000, 9000)))

    def idx():
        return str(rnd.randrange(-60, 60))

    s = [("CONFIG", "SET", "list-max-listpack-size", fill)]
    for _ in range(steps):
        k = rnd.choice(keys)
        op = rnd.randrange(16)
        if op < 4:
            s.append((rnd.choice(["LPUSH", "RPUSH"]), k) + tuple(elem() for _ in range(rnd.randrange(1, 12))))
        elif op == 4:
            s.append((rnd.choice(["LPUSHX", "RPUSHX"]), k, elem()))
        elif op == 5:
            s.append((rnd.choice(["LPOP", "RPOP"]), k) + rnd.choice([(), (str(rnd.randrange(0, 8)),)]))
        elif op == 6:
            s.append(("LRANGE", k, idx(), idx()))
        elif op == 7:
            s.append(("LINDEX", k, idx()))
        elif op == 8:
            s.append(("LSET", k, idx(), elem()))
        elif op == 9:
            s.append(("LINSERT", k, rnd.choice(["BEFORE", "AFTER"]), elem(), elem()))
        elif op == 10:
            s.append(("LREM", k, str(rnd.randrange(-3, 4)), elem()))
        elif op == 11:
            s.append(("LTRIM", k, str(rnd.randrange(-5, 5)), str(rnd.randrange(-5, 80))))
        elif op == 12:
            s.append(("LPOS", k, elem(), "RANK", rnd.choice(["1", "-1", "2", "-3"]), "COUNT",
                      str(rnd.randrange(0, 4)), "MAXLEN", str(rnd.randrange(0, 50))))
        elif op == 13:
            s.append(("LMOVE", k, rnd.choice(keys), rnd.choice(["LEFT", "RIGHT"]), rnd.choice(["LEFT", "RIGHT"])))
        elif op == 14:
            s.append(("LMPOP", "2", k, rnd.choice(keys), rnd.choice(["LEFT", "RIGHT"]), "COUNT",
                      str(rnd.randrange(1, 6))))
        else:
            s.append(("LLEN", k))
        if rnd.random() < 0.05:
            s.append(("LRANGE", k, "0", "-1"))
    s += [("LRANGE", k, "0", "-1") for k in keys]
    return s


def config_script():
    s = [("CONFIG", "GET", "list-max-listpack-size"), ("CONFIG", "GET", "list-max-ziplist-size")]
    for v in ["-1", "-5", "-6", "0", "1", "32768", "100000", "2147483647", "-2147483648"]:
        s += [("CONFIG", "SET", "list-max-listpack-size", v), ("CONFIG", "GET", "list-max-listpack-size")]
    for v in ["x", "", "2147483648", "-2147483649", "1.5"]:
        s += [("CONFIG", "SET", "list-max-listpack-size", v), ("CONFIG", "GET", "list-max-listpack-size")]
    s += [("CONFIG", "SET", "list-max-ziplist-size", "7"), ("CONFIG", "GET", "list-max-listpack-size"),
          ("CONFIG", "GET", "list-max-ziplist-size")]
    return s


class ListsBase(ProtocolDiffCase):

    def test_basic(self):
        self.check(basic_script())

    def test_lrange_and_lindex_bounds(self):
        self.check(range_index_script())

    def test_ltrim_bounds(self):
        self.check(ltrim_script())

    def test_lset_linsert_lrem(self):
        self.check(lset_linsert_lrem_script())

    def test_lpos(self):
        self.check(lpos_script())

    def test_lmove_and_rpoplpush(self):
        self.check(move_script())

    def test_lmpop(self):
        self.check(lmpop_script())

    def test_arity(self):
        self.check(arity_script())

    def test_wrong_type(self):
        self.check(wrongtype_script())

    def test_keyspace_commands(self):
        self.check(keyspace_script())
        time.sleep(0.05)  # "px" expires
        self.check([("LLEN", "px"), ("LPOP", "px"), ("EXISTS", "px"), ("RPUSHX", "px", "a"),
                    ("DBSIZE",)], flush=False)

    def test_config(self):
        self.check(config_script())

    def test_big_lists(self):
        for fill in FILLS:
            with self.subTest(fill=fill):
                self.check(big_script(fill))

    def test_random_mix(self):
        for n, fill in enumerate(FILLS):
            with self.subTest(fill=fill):
                self.check(random_script(fill, seed=100 + n))


class ListsResp2(ListsBase):
    PROTOCOL = 2


class ListsResp3(ListsBase):
    PROTOCOL = 3


del ListsBase  # only its two protocol variants run

if __name__ == "__main__":
    unittest.main()
