#!/usr/bin/python3
"""Differential: TTL, PTTL, EXPIRE, PEXPIRE (NX|XX|GT|LT), PERSIST."""
import itertools
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, Near  # noqa: E402


class ExpireTest(DifferentialTestCase):
    def test_ttl_pttl_missing_and_persistent(self):
        self.check([
            ("TTL", "missing"), ("PTTL", "missing"),
            ("SET", "k", "v"), ("TTL", "k"), ("PTTL", "k"),
            ("SET", "e", "v", "EX", "100"), ("TTL", "e"), Near("PTTL", "e", tol=1000),
            ("SET", "p", "v", "PX", "100000"), ("TTL", "p"), Near("PTTL", "p", tol=1000),
            ("ttl", "k"), ("pttl", "missing"), ("Ttl", "e"),
            ("TTL",), ("TTL", "a", "b"), ("PTTL",), ("PTTL", "a", "b"),
            ("SET", "", "v", "EX", "100"), ("TTL", ""),
        ])

    def test_expire_basic(self):
        self.check([
            ("SET", "k", "v"),
            ("EXPIRE", "k", "100"), ("TTL", "k"), Near("PTTL", "k", tol=1000),
            ("EXPIRE", "missing", "100"), ("TTL", "missing"),
            ("PEXPIRE", "k", "200000"), ("TTL", "k"),
            ("PEXPIRE", "missing", "100"),
            ("EXPIRE", "k", "300"), ("TTL", "k"),
            ("expire", "k", "400"), ("TTL", "k"),
            ("GET", "k"),
        ])

    def test_expire_zero_and_negative_deletes(self):
        script = []
        for cmd in ("EXPIRE", "PEXPIRE"):
            for t in ("0", "-1", "-100", "-9223372036854775808"):
                script += [("SET", "d", "v"), (cmd, "d", t), ("EXISTS", "d"), ("GET", "d"),
                           ("TTL", "d"), (cmd, "d", t), ("DBSIZE",)]
        self.check(script)

    def test_expire_bad_values(self):
        script = [("SET", "k", "v")]
        for cmd in ("EXPIRE", "PEXPIRE"):
            for t in ("abc", "", "1.5", "+5", " 5", "5 ", "010", "1e3",
                      "9223372036854775807", "9223372036854775806", "9223372036854775",
                      "9223372036854776", "9223372036854775808", "99999999999999999999",
                      "-9223372036854775809"):
                # PEXPIRE k 9223372036854775 (or ...776): its TTL rounds
                # down 275 ms later, not 500.
                script += [(cmd, "k", t), Near("TTL", "k", tol=1), (cmd, "missing", t)]
            script += [(cmd,), (cmd, "k"), (cmd, "k", "10", "NX", "extra-garbage"),
                       (cmd, "k", "10", "bogus"), (cmd, "missing", "10", "bogus")]
        script.append(("GET", "k"))
        self.check(script)

    def test_expire_flags_on_key_without_ttl(self):
        script = []
        for cmd, base in (("EXPIRE", 100), ("PEXPIRE", 100000)):
            for flag in ("NX", "XX", "GT", "LT", "nx", "xx", "gt", "lt"):
                script += [("SET", "k", "v"), (cmd, "k", str(base), flag), ("TTL", "k"),
                           (cmd, "missing", str(base), flag)]
        self.check(script)

    def test_expire_flags_on_key_with_ttl(self):
        script = []
        for cmd, mult in (("EXPIRE", 1), ("PEXPIRE", 1000)):
            for flag in ("NX", "XX", "GT", "LT"):
                # Not 100 itself: equal vs. later-by-a-millisecond is timing dependent.
                for t in (50, 99, 101, 200, 0, -1):
                    script += [("SET", "k", "v", "EX", "100"),
                               (cmd, "k", str(t * mult), flag),
                               ("TTL", "k"), ("EXISTS", "k")]
        self.check(script)

    def test_expire_flag_combinations(self):
        script = []
        flags = ["NX", "XX", "GT", "LT"]
        for n in (2, 3, 4):
            for combo in itertools.permutations(flags, n):
                for state in ("plain", "ttl", "missing"):
                    if state == "plain":
                        script.append(("SET", "k", "v"))
                    elif state == "ttl":
                        script.append(("SET", "k", "v", "EX", "100"))
                    else:
                        script.append(("DEL", "k"))
                    script.append(("EXPIRE", "k", "200") + combo)
                    script.append(("TTL", "k"))
        for dup in (("NX", "NX"), ("XX", "XX"), ("GT", "GT"), ("LT", "LT"), ("XX", "GT", "XX")):
            script += [("SET", "k", "v", "EX", "100"), ("EXPIRE", "k", "200") + dup, ("TTL", "k")]
        script += [("PEXPIRE", "k", "1000", "NX", "XX"), ("PEXPIRE", "k", "1000", "GT", "LT")]
        self.check(script)

    def test_persist(self):
        self.check([
            ("SET", "k", "v", "EX", "100"), ("PERSIST", "k"), ("TTL", "k"), ("PERSIST", "k"),
            ("PERSIST", "missing"),
            ("SET", "p", "v", "PX", "100000"), ("persist", "p"), ("PTTL", "p"),
            ("PERSIST",), ("PERSIST", "a", "b"),
            ("GET", "k"), ("GET", "p"),
        ])

    def test_setex_then_expire_interplay(self):
        self.check([
            ("SETEX", "s", "100", "v"), ("EXPIRE", "s", "50", "GT"), ("TTL", "s"),
            ("EXPIRE", "s", "150", "GT"), ("TTL", "s"),
            ("EXPIRE", "s", "120", "LT"), ("TTL", "s"),
            ("PERSIST", "s"), ("EXPIRE", "s", "10", "XX"), ("TTL", "s"),
            ("EXPIRE", "s", "10", "LT"), ("TTL", "s"),
            ("SET", "s", "w", "KEEPTTL"), ("TTL", "s"),
        ])


if __name__ == "__main__":
    unittest.main()
