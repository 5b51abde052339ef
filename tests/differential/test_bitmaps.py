#!/usr/bin/python3
"""Differential: the bitmap family (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
BITFIELD, BITFIELD_RO) against redis-server 7.0, in RESP2 and RESP3: replies
byte for byte, including the error texts, the bit-offset limit tied to
proto-max-bulk-len and the values left behind (GET)."""
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ProtocolDiffTestCase  # noqa: E402


class BitmapDiffCase(ProtocolDiffTestCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(self.reset_config)

    def reset_config(self):
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                c.cmd("CONFIG", "SET", "proto-max-bulk-len", "536870912")

    def test_setbit_getbit(self):
        self.check([
            ("SETBIT", "k", "7", "1"), ("GET", "k"), ("SETBIT", "k", "7", "1"), ("SETBIT", "k", "7", "0"),
            ("SETBIT", "k", "100", "1"), ("STRLEN", "k"), ("GET", "k"), ("GETBIT", "k", "100"),
            ("GETBIT", "k", "101"), ("GETBIT", "k", "100000"), ("GETBIT", "nokey", "3"),
            ("SET", "s", "foobar"), ("GETBIT", "s", "1"), ("GETBIT", "s", "2"), ("SETBIT", "s", "2", "0"),
            ("GET", "s"), ("SET", "n", "12345"), ("SETBIT", "n", "0", "1"), ("GET", "n"),
            ("SETBIT", "k", "-1", "1"), ("SETBIT", "k", "x", "1"), ("SETBIT", "k", "1", "2"),
            ("SETBIT", "k", "1", "-1"), ("SETBIT", "k", "1", "x"), ("SETBIT", "k", "1", ""),
            ("SETBIT", "k", "4294967296", "1"), ("SETBIT", "k", "99999999999999999999", "1"),
            ("SETBIT", "k", " 1", "1"), ("SETBIT", "k", "01", "1"), ("GETBIT", "k", "-1"),
            ("GETBIT", "k", "4294967296"), ("GETBIT", "k", "4294967295"), ("GETBIT", "nokey", "x"),
            ("LPUSH", "l", "a"), ("SETBIT", "l", "1", "1"), ("GETBIT", "l", "1"), ("SETBIT", "l", "x", "1"),
            ("SETBIT", "k"), ("GETBIT", "k"),
        ])

    def test_offset_limit_follows_proto_max_bulk_len(self):
        self.check([
            ("CONFIG", "SET", "proto-max-bulk-len", "1048576"),
            ("SETBIT", "k", str(8 * 1048576), "1"), ("SETBIT", "k", str(8 * 1048576 - 1), "1"),
            ("STRLEN", "k"), ("GETBIT", "k", str(8 * 1048576)), ("BITCOUNT", "k"),
            ("BITFIELD", "k", "SET", "u8", "#1048576", "1"), ("BITFIELD", "k", "SET", "u8", "#1048575", "1"),
            ("BITFIELD", "k", "GET", "u8", "#131071"),
            ("BITFIELD", "k", "SET", "u8", str(8 * 1048576 - 8), "255"), ("STRLEN", "k"),
        ])

    def test_bitcount(self):
        self.check([
            ("SET", "s", "foobar"), ("BITCOUNT", "s"), ("BITCOUNT", "s", "0", "0"), ("BITCOUNT", "s", "1", "1"),
            ("BITCOUNT", "s", "1", "1", "BYTE"), ("BITCOUNT", "s", "5", "30", "BIT"), ("BITCOUNT", "s", "5", "30", "bit"),
            ("BITCOUNT", "s", "-3", "-1"), ("BITCOUNT", "s", "-1", "-3"), ("BITCOUNT", "s", "-100", "100"),
            ("BITCOUNT", "s", "3", "2"), ("BITCOUNT", "s", "0", "-1", "BIT"), ("BITCOUNT", "s", "-5", "-1", "BIT"),
            ("BITCOUNT", "s", "7", "7", "BIT"), ("BITCOUNT", "s", "9", "14", "BIT"), ("BITCOUNT", "s", "47", "1000", "BIT"),
            ("BITCOUNT", "s", "1"), ("BITCOUNT", "s", "a", "b"), ("BITCOUNT", "s", "0", "1", "foo"),
            ("BITCOUNT", "s", "0", "1", "BIT", "x"), ("BITCOUNT", "nokey"), ("BITCOUNT", "nokey", "1"),
            ("BITCOUNT", "nokey", "a", "b"), ("SET", "e", ""), ("BITCOUNT", "e"), ("BITCOUNT", "e", "0", "-1"),
            ("BITCOUNT", "e", "0", "-1", "BIT"), ("LPUSH", "l", "a"), ("BITCOUNT", "l"), ("BITCOUNT", "l", "x"),
            ("SET", "b", b"\xff" * 37 + b"\x0f\xf0" * 20), ("BITCOUNT", "b"), ("BITCOUNT", "b", "3", "60"),
            ("BITCOUNT", "b", "13", "301", "BIT"),
        ])

    def test_bitpos(self):
        self.check([
            ("SET", "s", b"\xff\xf0\x00"), ("BITPOS", "s", "0"), ("BITPOS", "s", "1"), ("BITPOS", "s", "0", "2"),
            ("BITPOS", "s", "1", "2"), ("BITPOS", "s", "0", "0", "0"), ("BITPOS", "s", "0", "0", "-1"),
            ("BITPOS", "s", "1", "1", "-1"), ("BITPOS", "s", "0", "3", "100", "BIT"), ("BITPOS", "s", "1", "3", "7", "BIT"),
            ("BITPOS", "s", "0", "7", "11", "BIT"), ("BITPOS", "s", "0", "7", "12", "BIT"), ("BITPOS", "s", "1", "13", "-1", "BIT"),
            ("BITPOS", "s", "1", "-9", "-1", "BIT"), ("BITPOS", "s", "0", "-100", "-50"), ("BITPOS", "s", "0", "5"),
            ("BITPOS", "s", "0", "0", "-1", "BYTE"), ("BITPOS", "s", "0", "2", "1", "BIT"),
            ("SET", "ones", b"\xff" * 20), ("BITPOS", "ones", "0"), ("BITPOS", "ones", "0", "0", "-1"),
            ("BITPOS", "ones", "0", "3"), ("BITPOS", "ones", "1", "5", "-1", "BIT"), ("BITPOS", "ones", "0", "0", "100", "BIT"),
            ("SET", "zeros", b"\x00" * 20), ("BITPOS", "zeros", "1"), ("BITPOS", "zeros", "0"),
            ("BITPOS", "zeros", "1", "3", "-1", "BIT"), ("SET", "e", ""), ("BITPOS", "e", "0"), ("BITPOS", "e", "1"),
            ("BITPOS", "nokey", "0"), ("BITPOS", "nokey", "1"), ("BITPOS", "nokey", "1", "x"),
            ("BITPOS", "s", "2"), ("BITPOS", "s", "x"), ("BITPOS", "s", "1", "x"), ("BITPOS", "s", "1", "0", "x"),
            ("BITPOS", "s", "1", "0", "1", "nope"), ("BITPOS", "s", "1", "0", "1", "BIT", "x"),
            ("LPUSH", "l", "a"), ("BITPOS", "l", "1"), ("BITPOS", "l", "5"),
        ])

    def test_bitop(self):
        self.check([
            ("SET", "a", b"\x0f\xf0\xaa"), ("SET", "b", b"\xff\x00"), ("SET", "c", b"\x01"),
            ("BITOP", "AND", "d", "a", "b"), ("GET", "d"), ("BITOP", "or", "d", "a", "b", "c"), ("GET", "d"),
            ("BITOP", "XOR", "d", "a", "b", "c", "nokey"), ("GET", "d"), ("BITOP", "NOT", "d", "a"), ("GET", "d"),
            ("BITOP", "AND", "d", "a", "nokey"), ("GET", "d"), ("BITOP", "AND", "d", "nokey", "nokey2"),
            ("EXISTS", "d"), ("BITOP", "NOT", "d", "a", "b"), ("BITOP", "NOT", "d", "nokey"), ("EXISTS", "d"),
            ("BITOP", "NAND", "d", "a"), ("BITOP", "ANDX", "d", "a"), ("LPUSH", "l", "x"),
            ("BITOP", "AND", "d", "a", "l"), ("BITOP", "AND", "l", "a", "b"), ("TYPE", "l"), ("GET", "l"),
            ("SET", "t", "v", "EX", "100"), ("BITOP", "OR", "t", "a"), ("TTL", "t"),
            ("BITOP", "XOR", "a", "a", "b"), ("GET", "a"), ("BITOP", "AND", "d"),
            ("SET", "big", b"\x0f" * 10000), ("BITOP", "NOT", "d", "big"), ("APPEND", "d", "y"), ("STRLEN", "d"),
            ("BITCOUNT", "d"), ("SETBIT", "d", "80100", "1"), ("BITCOUNT", "d", "-3", "-1"),
        ])

    def test_bitfield(self):
        self.check([
            ("BITFIELD", "k", "SET", "i8", "0", "100", "GET", "i8", "0", "GET", "u4", "0", "GET", "i4", "4"),
            ("GET", "k"), ("BITFIELD", "k", "INCRBY", "i8", "0", "27"), ("BITFIELD", "k", "INCRBY", "i8", "0", "1"),
            ("BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100", "INCRBY", "i8", "0", "-1000"),
            ("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "-1000", "OVERFLOW", "WRAP", "INCRBY", "u2", "100", "5"),
            ("BITFIELD", "k", "SET", "u8", "#3", "255", "GET", "u8", "#3", "GET", "u16", "#1", "GET", "i64", "0"),
            ("BITFIELD", "k", "SET", "i64", "64", "-9223372036854775808", "INCRBY", "i64", "64", "-1"),
            ("BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i64", "64", "-1", "INCRBY", "u63", "0", "9223372036854775807"),
            ("BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", "0", "256", "SET", "i8", "0", "-129", "SET", "i8", "0", "-128"),
            ("BITFIELD", "k", "OVERFLOW", "SAT", "SET", "u8", "0", "256", "SET", "i8", "0", "-129", "SET", "u3", "5", "-1"),
            ("BITFIELD", "k", "OVERFLOW", "WRAP", "SET", "u8", "0", "257", "SET", "i5", "3", "40", "GET", "u1", "1000"),
            ("BITFIELD", "k", "SET", "u1", "13", "1", "INCRBY", "u1", "13", "1", "INCRBY", "i1", "14", "1"),
            ("GET", "k"), ("BITFIELD", "k"), ("BITFIELD", "nokey", "GET", "u8", "0"), ("EXISTS", "nokey"),
            ("BITFIELD", "k", "GET", "u64", "0"), ("BITFIELD", "k", "GET", "i65", "0"), ("BITFIELD", "k", "GET", "i0", "0"),
            ("BITFIELD", "k", "GET", "x8", "0"), ("BITFIELD", "k", "GET", "u8", "-1"), ("BITFIELD", "k", "GET", "u8", "#-1"),
            ("BITFIELD", "k", "GET", "u8", "#x"), ("BITFIELD", "k", "GET", "u8", "#"), ("BITFIELD", "k", "GET", "u8"),
            ("BITFIELD", "k", "SET", "u8", "0"), ("BITFIELD", "k", "SET", "u8", "0", "x"), ("BITFIELD", "k", "OVERFLOW", "X"),
            ("BITFIELD", "k", "OVERFLOW"), ("BITFIELD", "k", "FOO", "u8", "0"), ("BITFIELD", "k", "GET", "U8", "0"),
            ("BITFIELD", "k", "get", "i8", "0", "set", "u8", "0", "1", "overflow", "fail", "incrby", "u8", "0", "255"),
            ("BITFIELD", "k", "GET", "u8", "0", "SET", "u8", "0", "x"), ("GET", "k"),
            ("BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i16", "#2"), ("BITFIELD_RO", "k", "SET", "u8", "0", "1"),
            ("BITFIELD_RO", "k", "GET", "u8", "0", "INCRBY", "u8", "0", "1"), ("BITFIELD_RO", "k"),
            ("BITFIELD_RO", "k", "OVERFLOW", "SAT"), ("BITFIELD_RO", "nokey", "GET", "i8", "100"),
            ("LPUSH", "l", "a"), ("BITFIELD", "l", "GET", "u8", "0"), ("BITFIELD", "l", "SET", "u8", "0", "1"),
            ("BITFIELD_RO", "l", "GET", "u8", "0"), ("BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u2", "8", "9"),
            ("GET", "new"), ("BITFIELD", "new2", "INCRBY", "u2", "100", "1"), ("STRLEN", "new2"),
        ])

    def test_random_bitfield_ops_match(self):
        rng = random.Random(16)
        script = [("SET", "k", bytes(rng.randrange(256) for _ in range(40)))]
        for _ in range(300):
            signed = rng.random() < 0.5
            bits = rng.randint(1, 64 if signed else 63)
            t = ("i" if signed else "u") + str(bits)
            off = str(rng.randint(0, 300))
            ow = rng.choice(["WRAP", "SAT", "FAIL"])
            value = str(rng.choice([rng.randint(-2 ** 63, 2 ** 63 - 1), rng.randint(-300, 300)]))
            op = rng.choice([("GET", t, off), ("SET", t, off, value), ("INCRBY", t, off, value)])
            script.append(("BITFIELD", "k", "OVERFLOW", ow) + op)
        script += [("GET", "k"), ("BITCOUNT", "k"), ("BITPOS", "k", "0", "3", "-2", "BIT")]
        self.check(script)

    def test_random_ranges_match(self):
        rng = random.Random(7)
        value = bytes(rng.choice([0, 255, rng.randrange(256)]) for _ in range(100))
        script = [("SET", "k", value)]
        for _ in range(200):
            a, b = str(rng.randint(-900, 900)), str(rng.randint(-900, 900))
            unit = rng.choice([(), ("BIT",), ("BYTE",)])
            script.append(("BITCOUNT", "k", a, b) + unit)
            script.append(("BITPOS", "k", rng.choice(["0", "1"]), a, b) + unit)
            script.append(("BITPOS", "k", rng.choice(["0", "1"]), a))
        self.check(script)


class BitmapsResp2(BitmapDiffCase):
    PROTOCOL = 2


class BitmapsResp3(BitmapDiffCase):
    PROTOCOL = 3


del BitmapDiffCase

if __name__ == "__main__":
    unittest.main()
