#!/usr/bin/python3
"""Differential: HyperLogLog (PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST) against
redis-server 7.0, in RESP2 and RESP3. Beyond replies, the values themselves
are compared byte for byte (GET), so the sparse and dense serializations,
the sparse-to-dense promotion at hll-sparse-max-bytes and the cached
cardinality equal Redis's; counts are compared at 10, 10k and 1M elements,
and values taken from Redis with GET keep working on Larder after SET."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ProtocolDiffTestCase, decode, under_sanitizer  # noqa: E402


def elements(prefix, start, stop):
    return ["%s:%d" % (prefix, i) for i in range(start, stop)]


class HllDiffCase(ProtocolDiffTestCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(self.reset_config)

    def reset_config(self):
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                c.cmd("CONFIG", "SET", "hll-sparse-max-bytes", "3000")

    def test_pfadd_pfcount_and_values(self):
        self.check([
            ("PFADD", "h"), ("GET", "h"), ("PFCOUNT", "h"), ("PFADD", "h"), ("PFADD", "h", "a", "b", "c"),
            ("GET", "h"), ("PFADD", "h", "a"), ("PFCOUNT", "h"), ("GET", "h"), ("PFADD", "h", "d"), ("GET", "h"),
            ("PFCOUNT", "h"), ("PFCOUNT", "nokey"), ("PFCOUNT", "h", "nokey"), ("PFADD", "h", "", b"\x00\xff"),
            ("PFCOUNT", "h"), ("GET", "h"), ("PFDEBUG", "ENCODING", "h"), ("PFDEBUG", "DECODE", "h"),
            ("SET", "t", "x", "EX", "100"), ("PFADD", "t", "a"), ("DEL", "t"), ("PFADD", "t", "a"),
            ("EXPIRE", "t", "100"), ("PFADD", "t", "b"), ("TTL", "t"), ("PFCOUNT", "t"), ("TTL", "t"),
        ])

    def test_counts_at_10_10k_1m(self):
        script = [("PFADD", "h10") + tuple(elements("e", 0, 10)), ("PFCOUNT", "h10"), ("GET", "h10")]
        for start in range(0, 10000, 500):
            script.append(("PFADD", "h10k") + tuple(elements("e", start, start + 500)))
            script.append(("PFCOUNT", "h10k"))
        script += [("GET", "h10k"), ("PFDEBUG", "ENCODING", "h10k"), ("PFCOUNT", "h10", "h10k")]
        for start in range(0, 1000000, 2000):
            script.append(("PFADD", "h1m") + tuple(elements("m", start, start + 2000)))
        script += [("PFCOUNT", "h1m"), ("GET", "h1m"), ("PFCOUNT", "h1m", "h10k", "h10", "nokey"),
                   ("PFMERGE", "all", "h10", "h10k", "h1m"), ("PFCOUNT", "all"), ("GET", "all")]
        self.check(script)

    def test_sparse_promotion_follows_the_config(self):
        script = [("CONFIG", "GET", "hll-sparse-max-bytes")]
        for limit in ("3000", "100", "0", "20000"):
            script.append(("CONFIG", "SET", "hll-sparse-max-bytes", limit))
            for start in range(0, 3000, 50):
                script.append(("PFADD", "h" + limit) + tuple(elements("p", start, start + 50)))
                script.append(("PFDEBUG", "ENCODING", "h" + limit))
            script += [("GET", "h" + limit), ("PFCOUNT", "h" + limit)]
        script += [("CONFIG", "GET", "hll-sparse-max-bytes"), ("CONFIG", "SET", "hll-sparse-max-bytes", "-1"),
                   ("CONFIG", "SET", "hll-sparse-max-bytes", "x"), ("CONFIG", "SET", "hll-sparse-max-bytes", "1kb"),
                   ("CONFIG", "GET", "hll-sparse-max-bytes")]
        self.check(script)

    def test_pfmerge(self):
        self.check([
            ("PFADD", "a") + tuple(elements("a", 0, 100)), ("PFADD", "b") + tuple(elements("b", 0, 5000)),
            ("PFADD", "c", "x", "y"), ("PFMERGE", "d", "a", "c"), ("GET", "d"), ("PFCOUNT", "d"),
            ("PFMERGE", "d", "b"), ("GET", "d"), ("PFCOUNT", "d"), ("PFMERGE", "e", "a", "b", "c", "nokey"),
            ("GET", "e"), ("PFMERGE", "f"), ("GET", "f"), ("PFMERGE", "a"), ("GET", "a"),
            ("PFMERGE", "g", "nokey"), ("GET", "g"), ("SET", "t", "v"), ("EXPIRE", "c", "100"),
            ("PFMERGE", "c", "a"), ("TTL", "c"), ("GET", "c"), ("PFMERGE", "t", "a"), ("PFMERGE", "a", "t"),
            ("LPUSH", "l", "x"), ("PFMERGE", "l", "a"), ("PFMERGE", "a", "l"), ("PFCOUNT", "a", "l"),
            ("PFCOUNT", "a", "t"), ("PFMERGE", "d", "a", "b", "c"), ("PFCOUNT", "d", "a", "b", "c"),
        ])

    def test_errors_and_pfdebug(self):
        dense_prefix = b"HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80"
        self.check([
            ("SET", "s", "not an hll"), ("PFADD", "s", "a"), ("PFCOUNT", "s"), ("PFCOUNT", "s", "nokey"),
            ("PFDEBUG", "GETREG", "s"), ("LPUSH", "l", "a"), ("PFADD", "l", "a"), ("PFCOUNT", "l"),
            ("PFDEBUG", "ENCODING", "l"), ("SET", "short", "HYLL"), ("PFCOUNT", "short"),
            ("SET", "badenc", b"HYLL\x02" + b"\x00" * 11 + b"\x7f\xff"), ("PFCOUNT", "badenc"),
            ("SET", "baddense", dense_prefix + b"\x00" * 100), ("PFCOUNT", "baddense"),
            # Sparse bodies covering the wrong number of registers.
            ("SET", "short_sparse", b"HYLL\x01" + b"\x00" * 10 + b"\x80" + b"\x7f\xfe"),
            ("PFCOUNT", "short_sparse"), ("PFADD", "short_sparse", "a", "b", "c"),
            ("PFCOUNT", "short_sparse", "nokey"), ("PFMERGE", "m", "short_sparse"),
            ("PFDEBUG", "GETREG", "short_sparse"), ("PFDEBUG", "TODENSE", "short_sparse"),
            ("SET", "long_sparse", b"HYLL\x01" + b"\x00" * 10 + b"\x80" + b"\x7f\xff\x7f\xff"),
            ("PFCOUNT", "long_sparse"), ("PFADD", "long_sparse", "a"),
            # Registers 0-7999 only: elements before the first one past them
            # are added (in place, as Redis), then INVALIDOBJ.
            ("SET", "half", b"HYLL\x01" + b"\x00" * 11 + b"\x5f\x3f"),
            ("PFADD", "half", "a", "b", "c", "d", "e", "f", "g", "h"), ("GET", "half"),
            ("PFADD", "half", "x1", "x2", "x3"), ("GET", "half"),
            ("PFADD", "h", "a", "b"), ("PFDEBUG", "ENCODING", "h"), ("PFDEBUG", "DECODE", "h"),
            ("PFDEBUG", "TODENSE", "h"), ("PFDEBUG", "TODENSE", "h"), ("PFDEBUG", "ENCODING", "h"),
            ("PFDEBUG", "DECODE", "h"), ("GET", "h"), ("PFCOUNT", "h"), ("PFDEBUG", "NOPE", "h"),
            ("PFDEBUG", "GETREG", "nokey"), ("PFADD", "g", "x", "y"), ("PFDEBUG", "GETREG", "g"),
            ("PFDEBUG", "ENCODING", "g"), ("PFDEBUG", "getreg", "g"),
            ("PFADD",), ("PFCOUNT",), ("PFMERGE",), ("PFDEBUG", "GETREG"), ("PFSELFTEST", "x"),
        ])

    # PFSELFTEST adds 10M elements: seconds in a Release build, minutes under
    # ThreadSanitizer, where it would hold the shared servers past every timeout.
    @unittest.skipIf(under_sanitizer(), "PFSELFTEST is too slow under a sanitizer")
    def test_pfselftest(self):
        self.check([("PFSELFTEST",)])

    def test_values_from_redis_keep_working_here(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            self.prelude(rc)
            self.prelude(lc)
            for c in (rc, lc):
                c.cmd("FLUSHALL")
            for name, n in (("small", 50), ("dense", 20000)):
                for start in range(0, n, 1000):
                    rc.cmd("PFADD", name, *elements(name, start, min(n, start + 1000)))
                raw = decode(rc.cmd("GET", name))
                self.assertEqual(lc.cmd("SET", name, raw), b"+OK\r\n")
                for c in (rc, lc):
                    c.cmd("PFADD", name, *elements("more", 0, 300))
                for cmd in (("PFCOUNT", name), ("GET", name), ("PFCOUNT", name, "small"), ("PFDEBUG", "ENCODING", name)):
                    self.assertEqual(lc.cmd(*cmd), rc.cmd(*cmd), cmd)
                # And back: Larder's value on Redis.
                rc.cmd("SET", name + "2", decode(lc.cmd("GET", name)))
                self.assertEqual(rc.cmd("PFCOUNT", name + "2"), lc.cmd("PFCOUNT", name))


class HyperLogLogResp2(HllDiffCase):
    PROTOCOL = 2


class HyperLogLogResp3(HllDiffCase):
    PROTOCOL = 3


del HllDiffCase

if __name__ == "__main__":
    unittest.main()
