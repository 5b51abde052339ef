#!/usr/bin/python3
"""Differential: the string family beyond SET/GET - MGET, MSET, MSETNX, INCR,
INCRBY, DECR, DECRBY, INCRBYFLOAT, APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE,
GETDEL, GETEX, GETSET and LCS - compared byte for byte with redis-server, in
RESP2 and again after HELLO 3 on both connections (RESP3 nulls and maps)."""
import itertools
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import (DifferentialTestCase, Near, compare_replies, run_script,  # noqa: E402
                            show, start_larder, start_redis)

INT64_MAX = "9223372036854775807"
INT64_MIN = "-9223372036854775808"
FAR_S = "4102444800"        # 2100-01-01
FAR_MS = "4102444800000"

# Strings that are not integers by Redis's string2ll() rules.
NOT_INTEGERS = ["", " 1", "1 ", "+1", "01", "-0", "1.0", "1e3", "0x10", "abc", "1a",
                "9223372036854775808", "-9223372036854775809", "99999999999999999999",
                "123456789012345678901", b"1\x00", b"\x001", "--1", "-"]

MINMATCH = "MINMATCHLEN"


def ttl_probe(key):
    return [Near("TTL", key, tol=1), ("GET", key)]


def mget_mset_script():
    return [
        ("MGET", "a"), ("MGET", "a", "b", "c"),
        ("MSET", "a", "1", "b", "2"), ("MGET", "a", "b", "c", "a"),
        ("MSET", "a", "x", "a", "y"), ("GET", "a"),
        ("MSET", "a"), ("MSET", "a", "1", "b"), ("MSET",), ("MGET",),
        ("MSET", "a", "1", "b", "2", "c"),
        ("mset", "", "", "e", ""), ("MGET", "", "e"),
        ("SET", "t", "v", "EX", "100"), ("MSET", "t", "w"), Near("TTL", "t", tol=1),
        ("GET", "t"),
        ("MSETNX", "a", "9", "new", "1"), ("GET", "new"), ("GET", "a"),
        ("MSETNX", "n1", "1", "n2", "2"), ("MGET", "n1", "n2"),
        ("MSETNX", "n3", "1", "n3", "2"), ("GET", "n3"),
        ("MSETNX", "n4"), ("MSETNX", "n4", "1", "n5"), ("MSETNX",),
        ("msetnx", "n5", "x"), ("EXISTS", "n4", "n5"),
        ("SET", "exp", "v", "PX", "100000"), ("MSETNX", "exp", "1"), ("GET", "exp"),
        ("MGET", "a", "nope", "n1", "nope2", "exp"),
        ("DBSIZE",),
    ]


def incr_script():
    s = [
        ("INCR", "i"), ("INCR", "i"), ("GET", "i"), ("DECR", "i"), ("DECR", "i"), ("DECR", "i"),
        ("GET", "i"), ("INCRBY", "i", "100"), ("INCRBY", "i", "-200"), ("DECRBY", "i", "7"),
        ("DECRBY", "i", "-7"), ("INCRBY", "i", "0"), ("GET", "i"),
        ("DECR", "d"), ("DECRBY", "d2", "5"), ("INCRBY", "d3", "-5"),
        ("SET", "m", INT64_MAX), ("INCR", "m"), ("INCRBY", "m", "1"), ("INCRBY", "m", "0"),
        ("INCRBY", "m", INT64_MIN), ("GET", "m"), ("DECR", "m"), ("INCRBY", "m", "1"),
        ("INCR", "m"), ("GET", "m"),
        ("SET", "m", INT64_MIN), ("DECR", "m"), ("DECRBY", "m", "1"), ("INCRBY", "m", "-1"),
        ("INCRBY", "m", INT64_MAX), ("GET", "m"),
        ("SET", "m", INT64_MIN), ("INCRBY", "m", INT64_MAX), ("INCR", "m"), ("GET", "m"),
        ("SET", "m", "0"), ("DECRBY", "m", INT64_MIN), ("GET", "m"),
        ("DECRBY", "m", INT64_MAX), ("DECR", "m"), ("DECR", "m"), ("GET", "m"),
        ("SET", "m", "-1"), ("DECRBY", "m", INT64_MAX), ("DECR", "m"), ("GET", "m"),
        ("SET", "m", "1"), ("INCRBY", "m", INT64_MAX), ("DECRBY", "m", "-" + INT64_MAX),
        ("GET", "m"),
        ("SET", "m", INT64_MAX), ("DECRBY", "m", "-1"), ("INCRBY", "m", "-1"),
        ("INCRBY", "z", INT64_MIN), ("DECRBY", "z2", INT64_MAX), ("GET", "z"), ("GET", "z2"),
        ("SET", "neg", "-5"), ("INCRBY", "neg", "10"), ("SET", "zero", "0"), ("INCR", "zero"),
        ("SET", "big", "123456789012345678"), ("INCR", "big"),
        ("INCR",), ("INCR", "a", "b"), ("INCRBY", "a"), ("INCRBY", "a", "1", "2"),
        ("DECR",), ("DECRBY", "a"), ("DECRBY", "a", "1", "2"),
        ("incr", "lower"), ("InCrBy", "lower", "5"), ("GET", "lower"),
    ]
    for v in NOT_INTEGERS:
        s += [("SET", "bad", v), ("INCR", "bad"), ("DECR", "bad"), ("INCRBY", "bad", "1"),
              ("DECRBY", "bad", "1"), ("GET", "bad"),
              ("INCRBY", "ok", v), ("DECRBY", "ok", v), ("EXISTS", "ok")]
    return s


def incr_ttl_script():
    return [
        ("SET", "t", "10", "EX", "100"), ("INCR", "t"), Near("TTL", "t", tol=1),
        ("INCRBY", "t", "5"), ("DECR", "t"), ("DECRBY", "t", "2"), Near("TTL", "t", tol=1),
        ("GET", "t"),
        ("INCRBYFLOAT", "t", "0.5"), Near("TTL", "t", tol=1), ("GET", "t"),
        ("APPEND", "t", "x"), Near("TTL", "t", tol=1), ("GET", "t"),
        ("SETRANGE", "t", "1", "yy"), Near("TTL", "t", tol=1), ("GET", "t"),
        ("SETRANGE", "t", "1", ""), Near("TTL", "t", tol=1),
        ("GETSET", "t", "new"), ("TTL", "t"), ("GET", "t"),
        ("SET", "t", "5", "PX", "100000"), ("GETEX", "t"), Near("TTL", "t", tol=1),
        ("GETDEL", "t"), ("TTL", "t"),
    ]


# (stored value or None, increment) pairs for INCRBYFLOAT.
FLOAT_CASES = [
    (None, "0.1"), (None, "3.0e3"), (None, "3.0e-3"), ("10.5", "0.1"), ("10.5", "-0.5"),
    ("1", "1"), (None, "1.5"), (None, "-1.5"), ("0.1", "0.2"), ("1.1", "2.2"),
    ("5.0e3", "2.0e2"), (None, "1e-17"), (None, "1e-18"), (None, "-1e-18"), (None, "0"),
    (None, "-0"), (None, "-0.0"), ("-0.5", "0.5"), (None, "+1.5"), (None, ".5"),
    (None, "5."), (None, "1e17"), (None, "1e18"), (None, "1e20"), (None, "123456789.123456789"),
    (None, "0.3333333333333333333333"), (None, "3.14159265358979323846264338327950288"),
    (None, "1e308"), ("1e308", "1e308"), (None, "1e400"), (None, "-1e400"),
    (None, "1e-300"), (None, "1e-400"), (None, "1e-4940"), (None, "1e5000"), (None, "1e-5000"),
    (None, "0x10"), (None, "0x1p-2"), (None, "0X1.8P1"), ("0x10", "1"),
    (None, "inf"), (None, "-inf"), (None, "+inf"), (None, "Infinity"), (None, "INF"),
    (None, "nan"), (None, "NaN"), (None, "-nan"), ("inf", "0"), ("nan", "0"),
    (None, ""), (None, " 1"), (None, "1 "), (None, "1.5abc"), (None, "abc"), (None, "1,5"),
    (None, b"1\x00"), (None, "e5"), (None, "1e"), (None, "--1"), (None, "9" * 400),
    (None, "9" * 5119), (None, "9" * 5120), (None, "0." + "0" * 4000 + "1"),
    ("1.5", "1"), ("abc", "1"), ("", "1"), (" 2", "1"), ("2 ", "1"), ("1e2", "1"),
    (INT64_MAX, "1"), (INT64_MIN, "-1"), ("9007199254740993", "0"), ("1.23456789012345678", "0"),
    ("100", "-100"), ("100", "-100.000000000000001"), ("0.1", "-0.1"),
    ("1.7976931348623157e308", "1.7976931348623157e308"),
]


def incrbyfloat_script():
    s = []
    for n, (stored, incr) in enumerate(FLOAT_CASES):
        key = "f%d" % n
        if stored is not None:
            s.append(("SET", key, stored))
        s += [("INCRBYFLOAT", key, incr), ("GET", key)]
    s += [
        ("SET", "acc", "0"),
    ] + [("INCRBYFLOAT", "acc", "0.1")] * 12 + [
        ("INCRBYFLOAT", "acc", "-1.2"), ("GET", "acc"),
        ("INCRBYFLOAT", "big", "1e400"), ("INCRBYFLOAT", "big", "1"), ("STRLEN", "big"),
        ("INCRBYFLOAT", "big", "-1e400"), ("GET", "big"),
        ("INCRBYFLOAT", "x"), ("INCRBYFLOAT",), ("INCRBYFLOAT", "x", "1", "2"),
        ("incrbyfloat", "x", "2.5"), ("INCR", "x"), ("INCRBYFLOAT", "y", "3"), ("INCR", "y"),
    ]
    return s


def append_strlen_script():
    return [
        ("STRLEN", "a"), ("APPEND", "a", "hello"), ("STRLEN", "a"), ("APPEND", "a", " world"),
        ("GET", "a"), ("STRLEN", "a"), ("APPEND", "a", ""), ("STRLEN", "a"),
        ("APPEND", "e", ""), ("EXISTS", "e"), ("GET", "e"), ("STRLEN", "e"),
        ("APPEND", "b", b"\x00\xff\r\n"), ("APPEND", "b", b"\x00"), ("GET", "b"), ("STRLEN", "b"),
        ("SET", "n", "12"), ("APPEND", "n", "34"), ("INCR", "n"), ("STRLEN", "n"),
        ("APPEND", "a"), ("APPEND",), ("APPEND", "a", "b", "c"), ("STRLEN",), ("STRLEN", "a", "b"),
        ("append", "a", "!"), ("strlen", "a"),
        ("SET", "big", "x" * 10000), ("APPEND", "big", "y" * 10000), ("STRLEN", "big"),
    ]


def getrange_script():
    s = [("SET", "s", "Hello World"), ("SET", "one", "x"), ("SET", "empty", "")]
    idx = ["0", "1", "3", "5", "10", "11", "12", "100", "-1", "-2", "-5", "-11", "-12", "-100",
           INT64_MAX, INT64_MIN]
    for cmd in ("GETRANGE", "SUBSTR"):
        for a, b in itertools.product(idx, idx):
            s.append((cmd, "s", a, b))
    for key in ("one", "empty", "missing"):
        for a, b in [("0", "0"), ("0", "-1"), ("-1", "-1"), ("1", "1"), ("-2", "-1"),
                     ("5", "2"), ("-1", "-5"), ("0", "100")]:
            s.append(("GETRANGE", key, a, b))
    for v in NOT_INTEGERS:
        s += [("GETRANGE", "s", v, "1"), ("GETRANGE", "s", "0", v), ("SUBSTR", "missing", v, "0")]
    s += [("GETRANGE", "s", "0"), ("GETRANGE", "s"), ("GETRANGE", "s", "0", "1", "2"),
          ("SUBSTR", "s", "0"), ("substr", "s", "1", "3"), ("getrange", "s", "-3", "-1"),
          ("SET", "bin", b"\x00a\x00b\xff"), ("GETRANGE", "bin", "0", "2"),
          ("GETRANGE", "bin", "-2", "-1")]
    return s


def setrange_script():
    return [
        ("SETRANGE", "k", "0", "abc"), ("GET", "k"), ("SETRANGE", "k", "1", "X"), ("GET", "k"),
        ("SETRANGE", "k", "5", "Z"), ("GET", "k"), ("STRLEN", "k"),
        ("SETRANGE", "k", "2", "longer text"), ("GET", "k"),
        ("SETRANGE", "k", "0", ""), ("SETRANGE", "k", "1000", ""), ("GET", "k"),
        ("SETRANGE", "p", "10", "x"), ("GET", "p"), ("STRLEN", "p"),
        ("SETRANGE", "q", "0", ""), ("EXISTS", "q"), ("SETRANGE", "q", "100", ""), ("EXISTS", "q"),
        ("SETRANGE", "r", "3", b"\x00\xff"), ("GET", "r"),
        ("SETRANGE", "k", "-1", "x"), ("SETRANGE", "k", INT64_MIN, "x"),
        ("SETRANGE", "k", "-1", ""), ("SETRANGE", "missing", "-1", ""),
        ("SETRANGE", "k", "abc", "x"), ("SETRANGE", "k", "", "x"), ("SETRANGE", "k", "1.5", "x"),
        ("SETRANGE", "k", "9223372036854775808", "x"),
        ("SETRANGE", "k", "536870912", "x"), ("SETRANGE", "k", INT64_MAX, "x"),
        ("SETRANGE", "k", "536870911", "xy"), ("SETRANGE", "new", "536870912", "x"),
        ("SETRANGE", "new", INT64_MAX, "x"), ("SETRANGE", "new", INT64_MAX, ""),
        ("EXISTS", "new"), ("GET", "k"),
        ("SET", "n", "123"), ("SETRANGE", "n", "1", "9"), ("INCR", "n"),
        ("SETRANGE", "k", "1"), ("SETRANGE", "k"), ("SETRANGE", "k", "1", "x", "y"),
        ("setrange", "k", "0", "lower"), ("GET", "k"),
        ("SETRANGE", "w", "4096", "tail"), ("STRLEN", "w"), ("GETRANGE", "w", "4090", "-1"),
    ]


def getdel_getset_script():
    return [
        ("GETDEL", "a"), ("SET", "a", "1"), ("GETDEL", "a"), ("GETDEL", "a"), ("EXISTS", "a"),
        ("SET", "a", "v", "EX", "100"), ("GETDEL", "a"), ("TTL", "a"),
        ("GETDEL",), ("GETDEL", "a", "b"), ("getdel", "x"),
        ("SET", "e", ""), ("GETDEL", "e"), ("EXISTS", "e"),
        ("GETSET", "g", "1"), ("GETSET", "g", "2"), ("GET", "g"),
        ("SET", "g", "v", "EX", "100"), ("GETSET", "g", "w"), ("TTL", "g"), ("GET", "g"),
        ("GETSET", "g"), ("GETSET",), ("GETSET", "g", "1", "2"),
        ("GETSET", "g", b"\x00\r\n"), ("getset", "g", ""), ("GET", "g"),
        ("SET", "i", "5"), ("GETSET", "i", "0"), ("INCR", "i"),
    ]


def getex_script():
    s = [
        ("GETEX", "k"), ("SET", "k", "v"), ("GETEX", "k"), ("TTL", "k"),
        ("GETEX", "k", "EX", "100"), ("TTL", "k"),
        ("GETEX", "k", "PX", "200000"), Near("TTL", "k", tol=1),
        ("GETEX", "k", "EXAT", FAR_S), Near("TTL", "k", tol=1),
        ("GETEX", "k", "PXAT", FAR_MS), Near("TTL", "k", tol=1),
        ("GETEX", "k", "PERSIST"), ("TTL", "k"), ("GETEX", "k", "PERSIST"), ("TTL", "k"),
        ("GETEX", "k", "persist", "PERSIST"), ("GETEX", "k", "ex", "50"), ("TTL", "k"),
        ("GETEX", "k", "EX", "10", "EX", "60"), ("TTL", "k"),
        ("GETEX", "k"), ("TTL", "k"),
        ("GETEX", "k", "EXAT", "1"), ("EXISTS", "k"), ("GET", "k"),
        ("SET", "k", "v"), ("GETEX", "k", "PXAT", "1000"), ("EXISTS", "k"),
        ("SET", "k", "v"),
        ("GETEX", "k", "EX"), ("GETEX", "k", "PERSIST", "EX", "10"),
        ("GETEX", "k", "EX", "10", "PERSIST"), ("GETEX", "k", "EX", "10", "PX", "10"),
        ("GETEX", "k", "EXAT", FAR_S, "PXAT", FAR_MS), ("GETEX", "k", "NX"), ("GETEX", "k", "XX"),
        ("GETEX", "k", "GET"), ("GETEX", "k", "KEEPTTL"), ("GETEX", "k", "bogus"),
        ("GETEX", "k", "EX", "10", "bogus"), ("GETEX", "missing", "bogus"),
        ("GETEX", "missing", "EX"), ("GETEX", "missing", "EX", "abc"),
        ("GETEX", "missing", "EX", "0"), ("GETEX", "missing", "PERSIST"), ("GETEX",),
        ("TTL", "k"),
    ]
    for opt in ("EX", "PX", "EXAT", "PXAT"):
        for val in ("0", "-1", "abc", "", "1.5", "+5", "010", INT64_MAX, "9223372036854775",
                    "9223372036854776", INT64_MIN, "99999999999999999999"):
            s += [("GETEX", "k", opt, val), Near("TTL", "k", tol=1), ("EXISTS", "k")]
            s += [("SET", "k", "v")]
    return s


def lcs_script():
    s = [
        ("SET", "a", "ohmytext"), ("SET", "b", "mynewtext"),
        ("LCS", "a", "b"), ("LCS", "a", "b", "LEN"), ("LCS", "a", "b", "IDX"),
        ("LCS", "a", "b", "IDX", "WITHMATCHLEN"), ("LCS", "a", "b", "IDX", MINMATCH, "4"),
        ("LCS", "a", "b", "IDX", MINMATCH, "4", "WITHMATCHLEN"),
        ("LCS", "a", "b", "IDX", MINMATCH, "0"), ("LCS", "a", "b", "IDX", MINMATCH, "-5"),
        ("LCS", "a", "b", "IDX", MINMATCH, "100"), ("LCS", "a", "b", MINMATCH, "2"),
        ("LCS", "a", "b", "WITHMATCHLEN"), ("LCS", "a", "b", "LEN", "WITHMATCHLEN"),
        ("LCS", "a", "b", "LEN", MINMATCH, "3"),
        ("LCS", "a", "b", "IDX", "LEN"), ("LCS", "a", "b", "LEN", "IDX"),
        ("LCS", "a", "b", "LEN", "LEN"), ("LCS", "a", "b", "IDX", "IDX"),
        ("LCS", "a", "b", MINMATCH), ("LCS", "a", "b", MINMATCH, "abc"),
        ("LCS", "a", "b", MINMATCH, "1.5"), ("LCS", "a", "b", "IDX", MINMATCH),
        ("LCS", "a", "b", "bogus"), ("LCS", "a", "b", "IDX", "bogus"),
        ("LCS", "a", "b", "LEN", "IDX", "bogus"), ("LCS", "a", "b", "bogus", "LEN", "IDX"),
        ("LCS", "a", "b", MINMATCH, "x", "LEN", "IDX"),
        ("LCS", "a", "missing"), ("LCS", "missing", "b", "LEN"), ("LCS", "missing", "b", "IDX"),
        ("LCS", "m1", "m2"), ("LCS", "m1", "m2", "IDX", "WITHMATCHLEN"),
        ("LCS", "a", "a"), ("LCS", "a", "a", "IDX", "WITHMATCHLEN"),
        ("LCS", "b", "a"), ("LCS", "b", "a", "IDX"),
        ("LCS", "a"), ("LCS",), ("lcs", "a", "b", "idx", "withmatchlen", "minmatchlen", "2"),
        ("SET", "e", ""), ("LCS", "e", "a"), ("LCS", "e", "a", "LEN"), ("LCS", "a", "e", "IDX"),
    ]
    pairs = [
        ("abcdef", "abcdef"), ("abc", "xyz"), ("aaaa", "aa"), ("abab", "baba"),
        ("ACCGGTCGAGTGCGCGGAAGCCGGCCGAA", "GTCGTTCGGAATGCCGTTGCTCTGTAAA"),
        ("thisisatest", "testing123testing"), ("xaxbxcx", "abc"), ("aXbXc", "abc"),
        (b"\x00\x01\x02\xff", b"\x01\xff\x00"), ("1234567890", "0987654321"),
        ("a" * 300, "a" * 200 + "b" * 100), ("abcabcabc" * 20, "cbacba" * 25),
    ]
    for n, (x, y) in enumerate(pairs):
        kx, ky = "x%d" % n, "y%d" % n
        s += [("SET", kx, x), ("SET", ky, y), ("LCS", kx, ky), ("LCS", kx, ky, "LEN"),
              ("LCS", kx, ky, "IDX"), ("LCS", kx, ky, "IDX", "WITHMATCHLEN", MINMATCH, "2"),
              ("LCS", ky, kx, "IDX", "WITHMATCHLEN")]
    return s


def misc_script():
    return [
        # Option names end at a NUL byte, as Redis's strcasecmp() reads them.
        ("SET", "k", "v"), ("GETEX", "k", b"persist\x00junk"), ("GETEX", "k", b"EX\x00", "100"),
        ("TTL", "k"), ("GETEX", "k", b"\x00EX", "100"),
        ("SET", "k", "w", b"nx\x00"), ("SET", "k", "w", b"xx\x00x"), ("GET", "k"),
        ("SET", "k2", "w", b"get\x00"), ("SET", "k2", "w", b"keepttl\x00"),
        ("SET", "a", "ab"), ("SET", "b", "b"), ("LCS", "a", "b", b"len\x00"),
        ("LCS", "a", "b", b"idx\x00x"),
        # Binary keys and values.
        ("MSET", b"\x00", b"\xff\x00", b"k\r\n", b""), ("MGET", b"\x00", b"k\r\n"),
        ("APPEND", b"\x00", b"\x00"), ("STRLEN", b"\x00"), ("GETRANGE", b"\x00", "1", "2"),
        ("GETDEL", b"k\r\n"), ("GETSET", b"\x00", "x"),
    ]


class StringsBase:
    """Test methods shared by the RESP2 and RESP3 classes."""

    def test_mget_mset_msetnx(self):
        self.check(mget_mset_script())

    def test_incr_decr(self):
        self.check(incr_script())

    def test_ttl_kept_or_dropped(self):
        self.check(incr_ttl_script())

    def test_incrbyfloat(self):
        self.check(incrbyfloat_script())

    def test_append_strlen(self):
        self.check(append_strlen_script())

    def test_getrange_substr(self):
        self.check(getrange_script())

    def test_setrange(self):
        self.check(setrange_script())

    def test_getdel_getset(self):
        self.check(getdel_getset_script())

    def test_getex(self):
        self.check(getex_script())

    def test_lcs(self):
        self.check(lcs_script())

    def test_nul_options_and_binary(self):
        self.check(misc_script())


class StringsResp2Test(StringsBase, DifferentialTestCase):
    pass


class StringsResp3Test(StringsBase, DifferentialTestCase):
    """The same scripts after HELLO 3 on both connections. HELLO's own reply
    (server name, version, id) is not compared; only that both accepted it."""

    def check(self, script, sort_commands=(b"keys",), flush=True):
        if flush:
            script = [("FLUSHALL",)] + list(script)
        with self.redis.client() as rc, self.larder.client() as lc:
            hello_redis = rc.cmd("HELLO", "3")
            hello_larder = lc.cmd("HELLO", "3")
            self.assertTrue(hello_redis.startswith(b"%"), show(hello_redis))
            if not hello_larder.startswith(b"%"):
                self.skipTest("Larder does not accept HELLO 3 yet: %s" % show(hello_larder))
            expected = run_script(rc, script)
            actual = []
            try:
                for entry in script:
                    actual.extend(run_script(lc, [entry]))
            except Exception as e:
                raise AssertionError("Larder failed at command #%d: %r" % (len(actual), e))
        mismatches = compare_replies(script, expected, actual, sort_commands)
        if mismatches:
            self.fail("%d of %d RESP3 replies differ from redis-server:\n%s"
                      % (len(mismatches), len(script), "\n".join(mismatches)))
        return expected


class StringsSizeLimitTest(DifferentialTestCase):
    """APPEND and SETRANGE against a 1 MiB proto-max-bulk-len on both servers."""

    LIMIT = 1024 * 1024

    @classmethod
    def setUpClass(cls):
        # DifferentialTestCase.setUpClass starts default servers; start both here
        # with the same limit instead.
        super(DifferentialTestCase, cls).setUpClass()
        cls.redis = cls.start_class_server(start_redis("--proto-max-bulk-len", str(cls.LIMIT)))
        try:
            cls.larder = cls.start_class_server(
                start_larder("--proto-max-bulk-len", str(cls.LIMIT)))
        except BaseException:
            cls.stop_class_servers()
            raise

    def test_limits(self):
        n = self.LIMIT
        self.check([
            ("SETRANGE", "a", str(n - 1), "x"), ("STRLEN", "a"),
            ("SETRANGE", "a", str(n), "x"), ("SETRANGE", "a", str(n - 1), "xy"),
            ("SETRANGE", "a", str(n), ""), ("SETRANGE", "b", str(n), "x"), ("EXISTS", "b"),
            ("SETRANGE", "b", str(n - 2), "xy"), ("STRLEN", "b"),
            ("APPEND", "a", "y"), ("APPEND", "a", ""), ("STRLEN", "a"),
            ("SETRANGE", "c", str(n - 10), "x"), ("APPEND", "c", "123456789"),
            ("APPEND", "c", "0"), ("STRLEN", "c"), ("GETRANGE", "c", "-10", "-1"),
            ("SET", "d", "x" * 1000), ("APPEND", "d", "y" * 1000), ("STRLEN", "d"),
        ])


if __name__ == "__main__":
    unittest.main()
