#!/usr/bin/python3
"""Differential: TIME, LASTSAVE, ROLE, SLOWLOG, LATENCY, MEMORY, DEBUG against
redis-server. Byte-exact where the reply is deterministic (errors, HELP texts,
ROLE, empty latency data); decoded and normalized otherwise (times, durations,
client ports, byte counts, histogram buckets)."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import (DifferentialTestCase, RawClient, RespError,  # noqa: E402
                            start_larder, start_redis)


class DiagnosticsTest(DifferentialTestCase):
    @classmethod
    def setUpClass(cls):
        # Both refuse DEBUG unless enable-debug-command allows it.
        super(DifferentialTestCase, cls).setUpClass()
        cls.redis = cls.start_class_server(start_redis("--enable-debug-command", "yes"))
        try:
            cls.larder = cls.start_class_server(start_larder("--enable-debug-command", "yes"))
        except BaseException:
            cls.stop_class_servers()
            raise

    def both(self, *args):
        """Decoded replies of one command from (redis, larder), fresh connections."""
        out = []
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                out.append(RawClient.decode(c.cmd(*args)))
        return out

    def test_help_texts(self):
        self.check([
            ("SLOWLOG", "HELP"), ("slowlog", "help"),
            ("LATENCY", "HELP"), ("MEMORY", "HELP"),
        ])

    def test_arity_and_unknown_subcommands(self):
        self.check([
            ("TIME", "x"), ("LASTSAVE", "x"), ("ROLE", "x"),
            ("SLOWLOG",), ("SLOWLOG", "FOO"), ("slowlog", "foo", "bar"),
            ("SLOWLOG", "LEN", "x"), ("SLOWLOG", "RESET", "x"), ("SLOWLOG", "HELP", "x"),
            ("SLOWLOG", "GET", "1", "2"), ("SLOWLOG", "get", "-2"), ("SLOWLOG", "GET", "x"),
            ("SLOWLOG", "GET", ""), ("SLOWLOG", "GET", "1.5"),
            ("SLOWLOG", "GET", "0"),
            ("LATENCY",), ("LATENCY", "FOO"), ("LATENCY", "LATEST", "x"),
            ("LATENCY", "HELP", "x"), ("LATENCY", "HISTORY"), ("LATENCY", "GRAPH"),
            ("MEMORY",), ("MEMORY", "FOO"), ("MEMORY", "USAGE"),
            ("MEMORY", "STATS", "x"), ("MEMORY", "DOCTOR", "x"), ("MEMORY", "HELP", "x"),
            ("DEBUG",), ("DEBUG", "FOO"), ("debug", "sleep"), ("DEBUG", "SLEEP", "0", "x"),
            ("DEBUG", "SET-ACTIVE-EXPIRE"), ("DEBUG", "set-active-expire", "0", "1"),
            ("DEBUG", "HELP", "x"),
        ])

    def test_role_and_latency_without_monitor(self):
        self.check([
            ("ROLE",), ("role",),
            ("LATENCY", "LATEST"), ("LATENCY", "RESET"), ("LATENCY", "RESET", "command", "x"),
            ("LATENCY", "HISTORY", "command"), ("LATENCY", "GRAPH", "command"),
            ("LATENCY", "GRAPH", "fast-command"),
            ("LATENCY", "HISTOGRAM", "nosuchcommand"),
            ("LATENCY", "HISTOGRAM", "client|nosuch", "a|b|c"),
        ])

    def test_memory_usage_errors(self):
        self.check([
            ("MEMORY", "USAGE", "nokey"),
            ("SET", "k", "v"),
            ("MEMORY", "USAGE", "nokey", "SAMPLES", "5"),
            ("MEMORY", "USAGE", "k", "SAMPLES"),
            ("MEMORY", "USAGE", "k", "SAMPLES", "x"),
            ("MEMORY", "USAGE", "k", "SAMPLES", "-1"),
            ("MEMORY", "USAGE", "k", "samples", "1", "foo"),
            ("MEMORY", "USAGE", "k", "foo"),
            ("SET", "gone", "v", "PX", "1"),
        ])
        time.sleep(0.01)
        # Redis 7.0 sizes a logically expired key still in its dict (dictFind
        # skips the expiry check); Larder never returns an expired key.
        with self.larder.client() as c:
            self.assertEqual(c.cmd("MEMORY", "USAGE", "gone"), b"$-1\r\n")

    def test_debug(self):
        self.check([
            ("DEBUG", "SLEEP", "0"), ("DEBUG", "SLEEP", "0.01"), ("DEBUG", "sleep", "x"),
            ("DEBUG", "SLEEP", "-1"),
            ("DEBUG", "SET-ACTIVE-EXPIRE", "0"), ("DEBUG", "SET-ACTIVE-EXPIRE", "1"),
            ("DEBUG", "set-active-expire", "2"),
        ])
        # Larder's DEBUG HELP lists only what it implements, in Redis's words.
        r, l = self.both("DEBUG", "HELP")
        self.assertEqual(r[0], l[0])
        for line in l[1:]:
            self.assertIn(line, r)
        # DEBUG SLEEP blocks the loop.
        with self.larder.client() as c:
            start = time.monotonic()
            self.assertEqual(c.cmd("DEBUG", "SLEEP", "0.2"), b"+OK\r\n")
            self.assertGreaterEqual(time.monotonic() - start, 0.19)

    def test_debug_set_active_expire_stops_the_sweeper(self):
        with self.larder.client() as c:
            self.assertEqual(c.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"), b"+OK\r\n")
            try:
                c.cmd("FLUSHALL")
                for i in range(100):
                    c.cmd("SET", "k%d" % i, "v", "PX", "10")
                time.sleep(0.5)
                # Nobody read them: still in the table (DBSIZE counts them).
                self.assertEqual(c.cmd("DBSIZE"), b":100\r\n")
                self.assertEqual(c.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1"), b"+OK\r\n")
                deadline = time.monotonic() + 5
                while c.cmd("DBSIZE") != b":0\r\n" and time.monotonic() < deadline:
                    time.sleep(0.05)
                self.assertEqual(c.cmd("DBSIZE"), b":0\r\n")
            finally:
                c.cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1")

    def test_time_and_lastsave(self):
        now = time.time()
        for reply in self.both("TIME"):
            self.assertEqual(len(reply), 2)
            secs, usecs = int(reply[0]), int(reply[1])
            self.assertLess(abs(secs - now), 5)
            self.assertTrue(0 <= usecs < 1000000)
        for reply in self.both("LASTSAVE"):
            self.assertIsInstance(reply, int)
            self.assertLessEqual(reply, now + 1)
            self.assertGreater(reply, now - 600)

    def _slowlog_entries(self, srv):
        with srv.client() as c:
            self.assertEqual(c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "0"), b"+OK\r\n")
            try:
                c.cmd("SLOWLOG", "RESET")
                c.cmd("CLIENT", "SETNAME", "diag")
                c.cmd("SET", "key", "x" * 200)
                c.cmd("GET", "key")
                c.cmd("MGET", *["k%d" % i for i in range(40)])
                # Passwords are redacted (as MONITOR), EXEC is skip_slowlog.
                c.cmd("AUTH", "alice", "s3cret")
                c.cmd("CONFIG", "SET", "requirepass", "")
                c.cmd("CONFIG", "SET", "masteruser", "bob", "masterauth", "pw")
                c.cmd("CONFIG", "SET", "masteruser", "", "masterauth", "")
                c.cmd("MULTI")
                c.cmd("PING")
                c.cmd("EXEC")
                # A script's commands come from its fake client.
                c.cmd("EVAL", "return redis.call('ping')", "0")
                length = RawClient.decode(c.cmd("SLOWLOG", "LEN"))
                got = RawClient.decode(c.cmd("SLOWLOG", "GET", "-1"))
                two = RawClient.decode(c.cmd("SLOWLOG", "GET", "2"))
                default = RawClient.decode(c.cmd("SLOWLOG", "GET"))
            finally:
                c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "10000")
                c.cmd("SLOWLOG", "RESET")
            port = c.sock.getsockname()[1]
        norm = []
        ids = []
        for e in got:
            self.assertEqual(len(e), 6)
            ids.append(e[0])
            self.assertLess(abs(e[1] - time.time()), 10)
            self.assertGreaterEqual(e[2], 0)
            self.assertIn(e[4], (b"127.0.0.1:%d" % port, b"?:0"))
            norm.append((e[3], e[4] if e[4] == b"?:0" else b"self", e[5]))
        self.assertEqual(ids, sorted(ids, reverse=True))
        self.assertEqual(len(two), 2)
        return length, norm, len(default)

    def test_slowlog(self):
        r = self._slowlog_entries(self.redis)
        l = self._slowlog_entries(self.larder)
        self.assertEqual(r, l)

    def test_latency_histogram(self):
        def run(srv):
            with srv.client() as c:
                self.assertEqual(c.cmd("CONFIG", "RESETSTAT"), b"+OK\r\n")
                for _ in range(3):
                    c.cmd("SET", "a", "1")
                c.cmd("GET", "a")
                c.cmd("GET", "a")
                c.cmd("CLIENT", "ID")
                named = RawClient.decode(c.cmd("LATENCY", "HISTOGRAM", "set", "GET", "nosuch",
                                               "client", "client|list"))
                everything = RawClient.decode(c.cmd("LATENCY", "HISTOGRAM"))
            return named, everything

        def shape(hist):
            # RESP2: [name, [b"calls", n, b"histogram_usec", [bound, cum, ...]], ...]
            out = []
            for i in range(0, len(hist), 2):
                name, body = hist[i], hist[i + 1]
                self.assertEqual(body[0], b"calls")
                self.assertEqual(body[2], b"histogram_usec")
                pairs = body[3]
                bounds, cums = pairs[0::2], pairs[1::2]
                self.assertTrue(all(isinstance(x, int) for x in pairs))
                self.assertEqual(bounds, sorted(bounds))
                self.assertEqual(cums, sorted(cums))
                self.assertEqual(cums[-1], body[1])
                out.append((name, body[1]))
            return out

        rn, ra = run(self.redis)
        ln, la = run(self.larder)
        self.assertEqual(shape(rn), shape(ln))
        # Redis's "everything" is in hash order.
        self.assertEqual(sorted(shape(ra)), sorted(shape(la)))

    def test_memory(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            for c in (rc, lc):
                c.cmd("FLUSHALL")
                c.cmd("SET", "a", "1")
                c.cmd("SET", "b", "x" * 100, "EX", "100")
                c.cmd("SELECT", "2")
                c.cmd("SET", "c", "1")
                c.cmd("SELECT", "0")
            for key in ("a", "b"):
                r = RawClient.decode(rc.cmd("MEMORY", "USAGE", key))
                l = RawClient.decode(lc.cmd("MEMORY", "USAGE", key))
                self.assertIsInstance(l, int)
                self.assertGreater(l, 0)
                self.assertLessEqual(l, r * 2)
            rs = RawClient.decode(rc.cmd("MEMORY", "STATS"))
            ls = RawClient.decode(lc.cmd("MEMORY", "STATS"))
            rmap = dict(zip(rs[0::2], rs[1::2]))
            lmap = dict(zip(ls[0::2], ls[1::2]))
            # Larder's fields are Redis's (plus rss.bytes), in Redis's order.
            lkeys = [k for k in ls[0::2] if k != b"rss.bytes"]
            self.assertEqual(lkeys, [k for k in rs[0::2] if k in lkeys])
            for k in (b"peak.allocated", b"total.allocated", b"overhead.total", b"keys.count",
                      b"db.0", b"db.2", b"fragmentation", b"fragmentation.bytes",
                      b"peak.percentage"):
                self.assertIn(k, lmap)
            self.assertEqual(lmap[b"keys.count"], rmap[b"keys.count"])
            self.assertEqual(lmap[b"db.0"][0::2], rmap[b"db.0"][0::2])
            self.assertNotIn(b"db.1", lmap)
            float(lmap[b"fragmentation"])
            # Both servers are nearly empty.
            self.assertEqual(rc.cmd("MEMORY", "DOCTOR"), lc.cmd("MEMORY", "DOCTOR"))
            self.assertEqual(lc.cmd("MEMORY", "PURGE"), b"+OK\r\n")

    def test_resp3(self):
        script = [
            ("MEMORY", "USAGE", "nokey"), ("ROLE",), ("LATENCY", "LATEST"),
            ("LATENCY", "HISTOGRAM", "nosuch"), ("SLOWLOG", "HELP"), ("SLOWLOG", "GET", "0"),
            ("LATENCY", "DOCTOR"),
        ]
        with self.redis.client() as rc, self.larder.client() as lc:
            rc.cmd("HELLO", "3")
            lc.cmd("HELLO", "3")
            for args in script:
                r, l = rc.cmd(*args), lc.cmd(*args)
                if args[-1] == "DOCTOR":
                    # Verbatim text; Larder's says it has no latency monitor.
                    self.assertTrue(r.startswith(b"=") and l.startswith(b"="), (r, l))
                    self.assertIn(b"txt:I'm sorry, Dave, I can't do that.", l)
                else:
                    self.assertEqual(r, l, args)
            rc.cmd("SET", "k", "v")
            lc.cmd("SET", "k", "v")
            r = RawClient.decode(rc.cmd("LATENCY", "HISTOGRAM", "set"))
            l = RawClient.decode(lc.cmd("LATENCY", "HISTOGRAM", "set"))
            self.assertEqual(list(r), list(l))
            self.assertEqual(list(r[b"set"]), list(l[b"set"]))


class DebugRefusedTest(DifferentialTestCase):
    """enable-debug-command no (the default): DEBUG is refused with Redis's
    text, before NOAUTH and instead of being queued; the directive cannot be
    changed at runtime."""

    def test_refused_by_default(self):
        self.check([
            ("DEBUG", "SLEEP", "0"), ("debug", "help"), ("DEBUG", "SET-ACTIVE-EXPIRE", "0"),
            ("DEBUG",), ("DEBUG", "FOO"),
            ("MULTI",), ("DEBUG", "SLEEP", "0"), ("PING",), ("EXEC",),
            ("CONFIG", "GET", "enable-debug-command"),
            ("CONFIG", "SET", "enable-debug-command", "yes"),
            ("CONFIG", "SET", "enable-debug-command", "maybe"),
            ("DEBUG", "SLEEP", "0"),
        ])


class DebugLocalTest(DifferentialTestCase):
    """enable-debug-command local: the test connects over 127.0.0.1."""

    @classmethod
    def setUpClass(cls):
        super(DifferentialTestCase, cls).setUpClass()
        cls.redis = cls.start_class_server(start_redis("--enable-debug-command", "local",
                                                       "--requirepass", "pw"))
        try:
            cls.larder = cls.start_class_server(start_larder("--enable-debug-command", "local",
                                                             "--requirepass", "pw"))
        except BaseException:
            cls.stop_class_servers()
            raise

    def test_local_connection_may_debug(self):
        self.check([
            ("DEBUG", "SLEEP", "0"),  # allowed, so NOAUTH
            ("AUTH", "pw"), ("DEBUG", "SLEEP", "0"),
            ("CONFIG", "GET", "enable-debug-command"),
        ], flush=False)


if __name__ == "__main__":
    unittest.main()
