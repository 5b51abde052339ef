#!/usr/bin/python3
"""Differential: KEYS glob patterns (replies compared after sorting)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase  # noqa: E402

KEYS = [
    "hello", "hallo", "hxllo", "hllo", "heeello", "hillo", "hbllo", "h-llo", "h]llo", "h^llo",
    "h*llo", "h?llo", "h[a]llo", "h\\llo", "a\\b", "key:1", "key:2", "key:10", "key:",
    "foo.bar", "foo bar", "x]y", "[", "]", "^", "-", "*", "?", "\\", "abc", "aXc", "ABC",
    "user:1:name", "user:22:name", "user:x:mail", "\x00nul", "\xff", "ünï", "",
]

PATTERNS = [
    "*", "**", "***o", "?", "??", "???", "h?llo", "h*llo", "h*", "*llo", "*l*l*o*",
    "h[ae]llo", "h[^e]llo", "h[^ae]llo", "h[a-b]llo", "h[b-a]llo", "h[a-z]llo", "h[A-Z]llo",
    "h[-a]llo", "h[a-]llo", "h[]]llo", "h[\\]]llo", "h[\\-]llo", "h[!a]llo",
    "h\\*llo", "h\\?llo", "h\\[a\\]llo", "h\\\\llo", "a\\\\b", "a\\b", "\\*", "\\?", "\\[",
    "\\", "*\\", "x\\", "[", "h[", "h[a", "h[a-", "h[^", "[^", "[]", "[]]", "[[]",
    "key:?", "key:*", "key:[0-9]", "key:[0-9]*", "key:[^0-9]*", "key:[12]",
    "*:*", "user:*:name", "user:?:*", "user:[0-9]*:name", "", "x]y", "*]*", "]", "^", "-",
    "abc", "ABC", "a?c", "[aA][bBX][cC]", "\x00*", "?nul", "\xff", "ü*", "*ï",
    "foo?bar", "foo*bar", "*.*", "no-such-key", "[a-", "[a-c", "[z-a]*",
]


class KeysGlobTest(DifferentialTestCase):
    def test_patterns(self):
        script = [("SET", k.encode("latin-1") if k in ("\x00nul", "\xff") else k, "v")
                  for k in KEYS]
        script.append(("DBSIZE",))
        for p in PATTERNS:
            script.append(("KEYS", p.encode("latin-1") if ("\x00" in p or p == "\xff") else p))
        self.check(script)

    def test_keys_empty_db_and_arity(self):
        self.check([
            ("KEYS", "*"), ("KEYS", ""), ("KEYS",), ("KEYS", "a", "b"), ("keys", "*"),
        ])

    def test_keys_skips_expired(self):
        self.check([
            ("SET", "live", "v"), ("SET", "dead", "v", "PXAT", "1"),
            ("SET", "dying", "v", "EX", "100"), ("EXPIRE", "dying", "0"),
            ("KEYS", "*"), ("KEYS", "d*"),
        ])

    def test_keys_many(self):
        script = [("SET", "many:%d" % i, str(i)) for i in range(500)]
        script += [("KEYS", "many:*"), ("KEYS", "many:1??"), ("KEYS", "many:[1-3]"),
                   ("KEYS", "many:*9"), ("DBSIZE",)]
        self.check(script)


if __name__ == "__main__":
    unittest.main()
