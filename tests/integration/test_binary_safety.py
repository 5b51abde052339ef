#!/usr/bin/python3
"""Keys and values containing NUL, CR/LF, 0xff and every other byte round-trip."""
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, decode  # noqa: E402

NASTY = [
    b"\x00",
    b"a\x00b",
    b"\r\n",
    b"\r\n\r\n*1\r\n$4\r\nPING\r\n",
    b"\xff\xfe\xfd",
    b"\x00\r\n\xff",
    b"$-1\r\n",
    b"-ERR fake\r\n",
    b" spaced key ",
    b"\"quoted\"",
    b"*",
    b"\n",
    b"\r",
    bytes(range(256)),
    "ünïcödé ключ 鍵".encode("utf-8"),
]


class BinarySafetyTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder()
        self.c = self.client(self.srv)

    def bulk(self, b):
        return b"$%d\r\n%s\r\n" % (len(b), b)

    def test_values_round_trip(self):
        for i, v in enumerate(NASTY):
            k = b"val:%d" % i
            self.assertEqual(self.c.cmd(b"SET", k, v), b"+OK\r\n")
            self.assertEqual(self.c.cmd(b"GET", k), self.bulk(v), "value %r" % v)

    def test_keys_round_trip(self):
        for i, k in enumerate(NASTY):
            v = b"v\x00%d\xff" % i
            self.assertEqual(self.c.cmd(b"SET", k, v), b"+OK\r\n")
        for i, k in enumerate(NASTY):
            v = b"v\x00%d\xff" % i
            self.assertEqual(self.c.cmd(b"GET", k), self.bulk(v), "key %r" % k)
            self.assertEqual(self.c.cmd(b"EXISTS", k), b":1\r\n")
        self.assertEqual(self.c.cmd(b"DBSIZE"), b":%d\r\n" % len(NASTY))
        keys = decode(self.c.cmd(b"KEYS", b"*"))
        self.assertEqual(sorted(keys), sorted(NASTY))
        # A prefix of a key with NUL is a different key.
        self.assertEqual(self.c.cmd(b"GET", b"a"), b"$-1\r\n")
        self.assertEqual(self.c.cmd(b"EXISTS", b"a\x00"), b":0\r\n")
        self.assertEqual(self.c.cmd(b"DEL", *NASTY), b":%d\r\n" % len(NASTY))
        self.assertEqual(self.c.cmd(b"DBSIZE"), b":0\r\n")

    def test_nul_in_keys_pattern(self):
        self.c.cmd(b"SET", b"n\x00x", b"1")
        self.c.cmd(b"SET", b"n\x00y", b"2")
        self.c.cmd(b"SET", b"n", b"3")
        self.assertEqual(sorted(decode(self.c.cmd(b"KEYS", b"n\x00*"))), [b"n\x00x", b"n\x00y"])
        self.assertEqual(sorted(decode(self.c.cmd(b"KEYS", b"n\x00?"))), [b"n\x00x", b"n\x00y"])
        self.assertEqual(decode(self.c.cmd(b"KEYS", b"n")), [b"n"])

    def test_echo_and_ping_binary(self):
        v = bytes(range(256)) * 3
        self.assertEqual(self.c.cmd(b"ECHO", v), self.bulk(v))
        self.assertEqual(self.c.cmd(b"PING", v), self.bulk(v))

    def test_set_get_option_returns_binary_old_value(self):
        self.c.cmd(b"SET", b"g", b"\x00old\r\n")
        self.assertEqual(self.c.cmd(b"SET", b"g", b"\xffnew", b"GET"), self.bulk(b"\x00old\r\n"))
        self.assertEqual(self.c.cmd(b"GET", b"g"), self.bulk(b"\xffnew"))

    def test_random_binary_pairs(self):
        rnd = random.Random(1234)
        pairs = {}
        for _ in range(300):
            k = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 40)))
            v = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 300)))
            pairs[k] = v
            self.assertEqual(self.c.cmd(b"SET", k, v), b"+OK\r\n")
        for k, v in pairs.items():
            self.assertEqual(self.c.cmd(b"GET", k), self.bulk(v))
        self.assertEqual(self.c.cmd(b"DBSIZE"), b":%d\r\n" % len(pairs))


if __name__ == "__main__":
    unittest.main()
