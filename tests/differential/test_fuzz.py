#!/usr/bin/python3
"""Differential fuzz: seeded random scripts over the in-scope commands.

Every expire time used in one script is distinct and at least 3 s (3000 ms)
away from every other, so GT/LT/NX/XX decisions never depend on which
millisecond each server executed a command in. TTL is compared within 1 s,
PTTL within 1000 ms.
"""
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, Near  # noqa: E402

KEYS = ["a", "b", "c", "user:1", "user:2", "", "x*y", "k\x00", "long" * 10]
VALUES = ["v", "", "value with spaces", "\r\n", "0", "-1", "x" * 300]
BAD_NUMBERS = ["abc", "", "1.5", "+5", "010", " 7", "9223372036854775807",
               "-9223372036854775808", "99999999999999999999"]
PATTERNS = ["*", "?", "user:*", "[abc]", "[^a]*", "x\\*y", "*\x00", "k?", "[a-c]", "", "long*"]


class Gen:
    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.next_s = 100

    def secs(self):
        self.next_s += 3 + self.rnd.randrange(3)
        return self.next_s

    def key(self):
        return self.rnd.choice(KEYS)

    def keys(self):
        return [self.key() for _ in range(self.rnd.randrange(1, 5))]

    def value(self):
        return self.rnd.choice(VALUES) + str(self.rnd.randrange(100))

    def expire_arg(self):
        r = self.rnd.random()
        if r < 0.08:
            return self.rnd.choice(BAD_NUMBERS)
        if r < 0.14:
            return self.rnd.choice(["0", "-1", "-100"])
        return None

    def set_options(self):
        opts = []
        for _ in range(self.rnd.choice([0, 1, 1, 2, 2, 3])):
            o = self.rnd.choice(["NX", "XX", "GET", "EX", "PX", "EXAT", "PXAT", "KEEPTTL",
                                 "bogus", "nx", "ex"])
            if o.upper() in ("EX", "PX", "EXAT", "PXAT"):
                bad = self.expire_arg()
                if bad is not None:
                    opts += [o, bad]
                    continue
                s = self.secs()
                val = {"EX": s, "PX": s * 1000, "EXAT": 4102444800 + s,
                       "PXAT": (4102444800 + s) * 1000}[o.upper()]
                if self.rnd.random() < 0.03:
                    opts += [o]        # missing value
                else:
                    opts += [o, str(val)]
            else:
                opts.append(o)
        return opts

    def command(self):
        r = self.rnd.random()
        k = self.key()
        if r < 0.25:
            return ("SET", k, self.value(), *self.set_options())
        if r < 0.38:
            return ("GET", k)
        if r < 0.44:
            return ("DEL", *self.keys())
        if r < 0.50:
            return ("EXISTS", *self.keys())
        if r < 0.56:
            return Near("TTL", k, tol=1)
        if r < 0.60:
            return Near("PTTL", k, tol=1000)
        if r < 0.70:
            cmd = self.rnd.choice(["EXPIRE", "PEXPIRE"])
            bad = self.expire_arg()
            t = bad if bad is not None else str(self.secs() * (1000 if cmd == "PEXPIRE" else 1))
            flags = [self.rnd.choice(["NX", "XX", "GT", "LT", "gt", "bogus"])
                     for _ in range(self.rnd.choice([0, 0, 1, 1, 2]))]
            return (cmd, k, t, *flags)
        if r < 0.74:
            return ("PERSIST", k)
        if r < 0.78:
            cmd = self.rnd.choice(["SETEX", "PSETEX"])
            bad = self.expire_arg()
            t = bad if bad is not None else str(self.secs() * (1000 if cmd == "PSETEX" else 1))
            return (cmd, k, t, self.value())
        if r < 0.82:
            return ("SETNX", k, self.value())
        if r < 0.86:
            return ("KEYS", self.rnd.choice(PATTERNS))
        if r < 0.89:
            return ("DBSIZE",)
        if r < 0.90:
            return (self.rnd.choice(["FLUSHDB", "FLUSHALL"]),)
        if r < 0.93:
            return self.rnd.choice([("PING",), ("PING", self.value()), ("ECHO", self.value())])
        if r < 0.96:
            # wrong arity
            return self.rnd.choice([("GET",), ("SET", k), ("EXPIRE", k), ("TTL",), ("DEL",),
                                    ("SETEX", k, "10"), ("ECHO",), ("PING", "a", "b"),
                                    ("PERSIST", k, k), ("DBSIZE", k)])
        # unknown command / odd casing (NUL-free args: the NUL truncation in the
        # unknown-command message is covered once by test_misc_commands)
        k = k.replace("\x00", "0")
        return self.rnd.choice([("NOPE", k), ("sEt", k, "mixed"), ("gEt", k), ("KeYs", "*"),
                                ("FOO",), ("incrbyfloatx", k, "1")])

    def script(self, n):
        cmds = []
        for _ in range(n):
            c = self.command()
            if not isinstance(c, Near):
                c = tuple(x.encode("latin-1") if isinstance(x, str) else x for x in c)
            cmds.append(c)
        return cmds


class FuzzTest(DifferentialTestCase):
    N = 1500

    def _seed(self, seed):
        self.check(Gen(seed).script(self.N))

    def test_seed_1(self):
        self._seed(1)

    def test_seed_2(self):
        self._seed(2)

    def test_seed_3(self):
        self._seed(3)

    def test_seed_4(self):
        self._seed(4)

    def test_env_seed(self):
        """Extra seed from LARDER_FUZZ_SEED (default 5), for ad-hoc exploration."""
        self._seed(int(os.environ.get("LARDER_FUZZ_SEED", "5")))


if __name__ == "__main__":
    unittest.main()
