#!/usr/bin/python3
"""Differential: SET options and conflicts, SETEX, PSETEX, SETNX."""
import itertools
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, Near  # noqa: E402

FAR_S = "4102444800"        # 2100-01-01
FAR_MS = "4102444800000"

OPTIONS = {
    "NX": ["NX"],
    "XX": ["XX"],
    "GET": ["GET"],
    "EX": ["EX", "100"],
    "PX": ["PX", "100000"],
    "EXAT": ["EXAT", FAR_S],
    "PXAT": ["PXAT", FAR_MS],
    "KEEPTTL": ["KEEPTTL"],
}

STATES = {
    "missing": [],
    "plain": [["SET", "{k}", "old"]],
    "ttl": [["SET", "{k}", "old", "EX", "500"]],
}


def fill(cmd, key):
    return tuple(key if a == "{k}" else a for a in cmd)


def combo_script(combos, states=STATES):
    script = []
    n = 0
    for combo in combos:
        for order in (combo, tuple(reversed(combo))) if len(combo) > 1 else (combo,):
            args = [a for name in order for a in OPTIONS[name]]
            for state, setup in states.items():
                key = "c:%d" % n
                n += 1
                script += [fill(c, key) for c in setup]
                script.append(("SET", key, "new") + tuple(args))
                script.append(("GET", key))
                # EXAT/PXAT far future: TTL can differ by a second boundary.
                script.append(Near("TTL", key, tol=1))
                script.append(("EXISTS", key))
    return script


class SetOptionsTest(DifferentialTestCase):
    def test_single_options(self):
        self.check(combo_script([(o,) for o in OPTIONS]))

    def test_option_pairs(self):
        self.check(combo_script(list(itertools.combinations(OPTIONS, 2))))

    def test_option_triples(self):
        self.check(combo_script(list(itertools.combinations(OPTIONS, 3))))

    def test_lowercase_and_mixed_case_options(self):
        self.check([
            ("set", "a", "1", "nx"), ("GET", "a"),
            ("set", "a", "2", "xx", "ex", "100"), ("TTL", "a"),
            ("SeT", "a", "3", "Keepttl"), ("TTL", "a"), ("GET", "a"),
            ("set", "a", "4", "get", "px", "100000"), ("TTL", "a"),
            ("set", "a", "5", "nX", "Xx"),
            ("set", "a", "5", "eX", "10", "Px", "100"),
        ])

    def test_duplicate_options(self):
        self.check([
            ("SET", "d", "1", "NX", "NX"), ("GET", "d"),
            ("SET", "d", "2", "XX", "XX"), ("GET", "d"),
            ("SET", "d", "3", "GET", "GET"), ("GET", "d"),
            ("SET", "d", "4", "EX", "10", "EX", "100"), ("TTL", "d"),
            ("SET", "d", "5", "PX", "10000", "PX", "100000"), ("TTL", "d"),
            ("SET", "d", "6", "KEEPTTL", "KEEPTTL"), ("TTL", "d"), ("GET", "d"),
        ])

    def test_bad_expire_values(self):
        script = []
        for opt in ("EX", "PX", "EXAT", "PXAT"):
            for val in ("0", "-1", "-100", "abc", "", "10.5", " 10", "10 ", "+10", "010",
                        "1e3", "0x10", "9223372036854775807", "9223372036854775808",
                        "-9223372036854775808", "9223372036854775", "9223372036854776",
                        "99999999999999999999", "1", "2"):
                if opt == "PX" and val in ("1", "2"):
                    val = "5000"   # a 1-2 ms TTL races the EXISTS that follows
                script.append(("SET", "bad", "v", opt, val))
                script.append(("EXISTS", "bad"))
                script.append(("DEL", "bad"))
            script.append(("SET", "bad", "v", opt))          # missing value
            script.append(("SET", "bad", "v", opt, "10", "NX", "XX"))
        self.check(script)

    def test_expire_in_the_past(self):
        self.check([
            ("SET", "p", "old"),
            ("SET", "p", "v", "EXAT", "1"), ("GET", "p"), ("EXISTS", "p"), ("DBSIZE",),
            ("SET", "p", "v", "PXAT", "1"), ("GET", "p"), ("EXISTS", "p"),
            ("SET", "p", "v2"),
            ("SET", "p", "v3", "EXAT", "1", "GET"), ("GET", "p"),
            ("SET", "p", "v4", "PXAT", "1000", "GET"), ("GET", "p"),
            ("SET", "p", "v5", "EXAT", "1", "XX"), ("GET", "p"),
            ("SET", "p", "v6", "EXAT", "1", "NX"), ("GET", "p"),
            ("DBSIZE",),
        ])

    def test_get_option(self):
        self.check([
            ("SET", "g", "v", "GET"),          # missing -> nil
            ("GET", "g"),
            ("SET", "g", "w", "GET"),          # -> "v"
            ("SET", "g", "x", "NX", "GET"),    # exists: not set, returns old
            ("GET", "g"),
            ("SET", "g2", "x", "XX", "GET"),   # missing: not set, nil
            ("EXISTS", "g2"),
            ("SET", "g", "", "GET"),
            ("SET", "g", "y", "GET"),
            ("SET", "g", "z", "GET", "EX", "100"), ("TTL", "g"),
            ("SET", "g", "q", "GET", "KEEPTTL"), ("TTL", "g"), ("GET", "g"),
        ])

    def test_syntax_errors_and_arity(self):
        self.check([
            ("SET",), ("SET", "k"), ("SET", "k", "v", "bogus"), ("SET", "k", "v", "EX"),
            ("SET", "k", "v", "10"), ("SET", "k", "v", "NX", "bogus"),
            ("SET", "k", "v", "KEEPTTL", "EX", "10"), ("SET", "k", "v", "EX", "10", "KEEPTTL"),
            ("SET", "k", "v", "PX", "10", "KEEPTTL"), ("SET", "k", "v", "EXAT", FAR_S, "EX", "10"),
            ("SET", "k", "v", "PXAT", FAR_MS, "EXAT", FAR_S),
            ("SET", "k", "v", "GET", "bogus"),
            ("EXISTS", "k"),
        ])

    def test_set_overwrites_and_clears_ttl(self):
        self.check([
            ("SET", "o", "1", "EX", "100"), ("TTL", "o"),
            ("SET", "o", "2"), ("TTL", "o"), ("GET", "o"),
            ("SET", "o", "3", "PX", "100000"), ("TTL", "o"),
            ("SET", "o", "4", "XX"), ("TTL", "o"),
            ("SET", "o", "5", "EX", "100"),
            ("SET", "o", "6", "NX"), ("TTL", "o"), ("GET", "o"),
        ])

    def test_setex_psetex(self):
        script = [
            ("SETEX", "s", "100", "v"), ("GET", "s"), ("TTL", "s"),
            ("PSETEX", "p", "100000", "v"), ("GET", "p"), ("TTL", "p"),
            ("SETEX", "s", "200", "w"), ("GET", "s"), ("TTL", "s"),
            ("SETEX", "s"), ("SETEX", "s", "10"), ("SETEX", "s", "10", "v", "extra"),
            ("PSETEX", "p"), ("PSETEX", "p", "10"), ("PSETEX", "p", "10", "v", "extra"),
            ("setex", "lower", "100", "v"), ("TTL", "lower"),
        ]
        for cmd in ("SETEX", "PSETEX"):
            for t in ("0", "-1", "-100", "abc", "", "1.5", "+5", "9223372036854775807",
                      "9223372036854775", "9223372036854776", "-9223372036854775808",
                      "99999999999999999999"):
                script += [(cmd, "bad", t, "v"), ("EXISTS", "bad"), ("DEL", "bad")]
            # An existing key is left alone when the time is invalid.
            script += [("SET", "keep", "old"), (cmd, "keep", "0", "new"), ("GET", "keep"),
                       ("TTL", "keep")]
        self.check(script)

    def test_setnx(self):
        self.check([
            ("SETNX", "n", "1"), ("SETNX", "n", "2"), ("GET", "n"), ("TTL", "n"),
            ("SET", "t", "1", "EX", "100"), ("SETNX", "t", "2"), ("TTL", "t"), ("GET", "t"),
            ("SETNX", "n"), ("SETNX",), ("SETNX", "n", "1", "2"),
            ("setnx", "", ""), ("GET", ""), ("SETNX", "", "x"),
        ])


if __name__ == "__main__":
    unittest.main()
