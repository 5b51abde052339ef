#!/usr/bin/python3
"""Differential fuzz: seeded random scripts of the bitmap, HyperLogLog, geo
and SORT commands with odd arguments, over keys that change type and
content (an HLL edited by SETBIT, a bitmap read as an HLL...), against
redis-server 7.0. After every command the reply and every key's type and
string value are compared, so a difference in a value shows where it
starts. Sets are never sorted BY nosort (Redis's order is its hash
table's), and geo searches use no ties in distance that matter."""
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, show  # noqa: E402

KEYS = ["s", "b", "h", "l", "z", "g", "nokey", "d"]
INTS = ["0", "1", "-1", "7", "8", "-8", "100", "-100", "63", "64", "x", "", "9223372036854775807",
        "-9223372036854775808", "#3", "#-1", "1.5", "#1000"]
COMMANDS = 3000


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def i(self):
        return self.rng.choice(INTS)

    def k(self):
        return self.rng.choice(KEYS)

    def member(self, n=12):
        return "m%d" % self.rng.randrange(n)

    def command(self):
        r = self.rng
        c = r.randrange(14)
        if c == 0:
            return ("SETBIT", self.k(), r.choice(INTS[:8]), r.choice(["0", "1", "2", "x"]))
        if c == 1:
            return ("GETBIT", self.k(), self.i())
        if c == 2:
            return ("BITCOUNT", self.k()) + r.choice([(), (self.i(), self.i()), (self.i(),),
                                                      (self.i(), self.i(), r.choice(["BIT", "BYTE", "bit", "x"]))])
        if c == 3:
            return ("BITPOS", self.k(), r.choice(["0", "1", "2"])) + r.choice(
                [(), (self.i(),), (self.i(), self.i()), (self.i(), self.i(), r.choice(["BIT", "BYTE"]))])
        if c == 4:
            return ("BITOP", r.choice(["AND", "OR", "XOR", "NOT", "x"]), self.k()) + tuple(
                self.k() for _ in range(r.randint(1, 3)))
        if c == 5:
            ops = []
            for _ in range(r.randint(0, 4)):
                t = r.choice(["u8", "i8", "u1", "i64", "u63", "i5", "u64", "x3"])
                ops += r.choice([("GET", t, self.i()), ("SET", t, self.i(), self.i()),
                                 ("INCRBY", t, self.i(), self.i()), ("OVERFLOW", r.choice(["WRAP", "SAT", "FAIL", "x"]))])
            return (r.choice(["BITFIELD", "BITFIELD_RO"]), self.k()) + tuple(ops)
        if c == 6:
            return ("PFADD", self.k()) + tuple("e%d" % r.randrange(50) for _ in range(r.randint(0, 5)))
        if c == 7:
            return ("PFCOUNT",) + tuple(self.k() for _ in range(r.randint(1, 3)))
        if c == 8:
            return ("PFMERGE",) + tuple(self.k() for _ in range(r.randint(1, 3)))
        if c == 9:
            return ("GEOADD", self.k()) + r.choice([(), ("NX",), ("XX",), ("CH",)]) + (
                "%.5f" % r.uniform(-181, 181), "%.5f" % r.uniform(-86, 86), self.member(10))
        if c == 10:
            return ("GEODIST", self.k(), self.member(), self.member()) + r.choice([(), ("km",), ("x",)])
        if c == 11:
            return (r.choice(["GEOPOS", "GEOHASH"]), self.k()) + tuple(self.member() for _ in range(r.randint(0, 3)))
        if c == 12:
            frm = r.choice([("FROMMEMBER", self.member()),
                            ("FROMLONLAT", "%.4f" % r.uniform(-180, 180), "%.4f" % r.uniform(-85, 85))])
            by = r.choice([("BYRADIUS", str(r.choice([1, 100, 5000, 20000])), "km"), ("BYBOX", "3000", "2000", "km")])
            return (("GEOSEARCH", self.k()) + frm + by + r.choice([("ASC",), ("DESC",)]) +
                    r.choice([(), ("COUNT", "2"), ("WITHDIST",), ("WITHCOORD", "WITHHASH")]))
        return (("SORT", r.choice(["l", "z", "nokey", "s"])) +
                r.choice([(), ("ALPHA",), ("DESC",), ("LIMIT", self.i(), self.i()), ("BY", "nosort"),
                          ("GET", "#", "GET", "x*")]) + r.choice([(), ("STORE", self.k())]))


class BitsFuzz(DifferentialTestCase):
    def run_seed(self, seed):
        gen = Gen(seed)
        setup = [("FLUSHALL",), ("RPUSH", "l", "3", "1", "2"), ("ZADD", "z", "1", "a", "2", "b"),
                 ("SET", "s", "foobar"), ("HSET", "h", "f", "v")]
        with self.redis.client() as rc, self.larder.client() as lc:
            for c in setup:
                self.assertEqual(rc.cmd(*c), lc.cmd(*c))
            for n in range(COMMANDS):
                cmd = gen.command()
                a, b = rc.cmd(*cmd), lc.cmd(*cmd)
                self.assertEqual(a, b, "seed %d #%d %r\n  redis : %s\n  larder: %s" % (seed, n, cmd, show(a)[:300],
                                                                                     show(b)[:300]))
                for key in KEYS:
                    ta, tb = rc.cmd("TYPE", key), lc.cmd("TYPE", key)
                    va = rc.cmd("GET", key) if ta == b"+string\r\n" else ta
                    vb = lc.cmd("GET", key) if tb == b"+string\r\n" else tb
                    self.assertEqual(va, vb, "seed %d: %r differs after #%d %r\n  redis : %s\n  larder: %s"
                                     % (seed, key, n, cmd, show(va)[:300], show(vb)[:300]))

    def test_seed_11(self):
        self.run_seed(11)

    def test_seed_16(self):
        self.run_seed(16)

    def test_seed_2026(self):
        self.run_seed(2026)

    def test_seed_5(self):
        self.run_seed(5)


if __name__ == "__main__":
    unittest.main()
