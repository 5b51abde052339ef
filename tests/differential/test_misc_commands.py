#!/usr/bin/python3
"""Differential: PING, ECHO, GET, DEL, EXISTS, DBSIZE, FLUSHDB, FLUSHALL,
unknown commands, wrong arity, case-insensitive names, empty strings; MISCONF
after a failed BGSAVE."""
import os
import shutil
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase  # noqa: E402


class MiscCommandsTest(DifferentialTestCase):
    def test_ping_echo(self):
        self.check([
            ("PING",), ("PING", "hello"), ("PING", ""), ("PING", "a", "b"), ("PING", "a", "b", "c"),
            ("ping",), ("PiNg", "x"),
            ("ECHO", "hello"), ("ECHO", ""), ("ECHO",), ("ECHO", "a", "b"),
            ("echo", "x y"), ("ECHO", b"\x00\r\n\xff"),
        ])

    def test_get_del_exists(self):
        self.check([
            ("GET", "nope"), ("SET", "a", "1"), ("GET", "a"),
            ("GET",), ("GET", "a", "b"),
            ("EXISTS", "a"), ("EXISTS", "a", "a", "a"), ("EXISTS", "a", "b", "nope"),
            ("EXISTS",),
            ("SET", "b", "2"), ("SET", "c", "3"),
            ("DEL", "a", "b", "c", "d"), ("DEL", "a"), ("DEL",),
            ("SET", "x", "1"), ("DEL", "x", "x", "x"),
            ("DBSIZE",),
        ])

    def test_dbsize_flush(self):
        self.check([
            ("DBSIZE",), ("SET", "a", "1"), ("SET", "b", "2", "EX", "100"), ("DBSIZE",),
            ("DBSIZE", "extra"),
            ("FLUSHDB",), ("DBSIZE",), ("GET", "a"),
            ("SET", "a", "1"), ("FLUSHALL",), ("DBSIZE",),
            ("SET", "a", "1"), ("FLUSHDB", "SYNC"), ("DBSIZE",),
            ("SET", "a", "1"), ("FLUSHDB", "ASYNC"), ("DBSIZE",),
            ("SET", "a", "1"), ("FLUSHALL", "SYNC"), ("DBSIZE",),
            ("SET", "a", "1"), ("FLUSHALL", "async"), ("DBSIZE",),
            ("SET", "a", "1"), ("FLUSHDB", "bogus"), ("FLUSHALL", "bogus"), ("DBSIZE",),
            ("FLUSHDB", "SYNC", "ASYNC"), ("flushdb",), ("FlushAll",), ("DBSIZE",),
        ])

    def test_unknown_commands(self):
        self.check([
            ("FOO",), ("foo", "a", "b"), ("FOO", "a", "b", "c"), ("NOSUCHCOMMAND", ""),
            ("foo", "a b", "c'd", 'e"f'),
            ("foo", "x" * 200),
            ("foo", "a" * 60, "b" * 60, "c" * 60),
            ("x" * 200,),
            ("foo", "line\r\nbreak"), ("bar\r\nbaz", "q"),
            ("",), ("", "a"),
            (" ping",), ("PING ",),
            ("GETT", "a"), ("SETT", "a", "b"),
            ("foo", b"\x00\xff"),
        ])

    def test_wrong_arity(self):
        self.check([
            ("GET",), ("GeT",), ("get", "a", "b"),
            ("SET",), ("SET", "a"), ("sEt", "a"),
            ("SETEX", "a"), ("PSETEX", "a", "1"), ("SETNX", "a"),
            ("DEL",), ("EXISTS",), ("KEYS",), ("TTL",), ("PTTL",),
            ("EXPIRE", "a"), ("PEXPIRE",), ("PERSIST",),
            ("DBSIZE", "x"), ("ECHO",), ("PING", "a", "b"),
        ])

    def test_case_insensitive_names(self):
        self.check([
            ("set", "a", "1"), ("SeT", "b", "2"), ("SET", "c", "3"),
            ("get", "a"), ("GeT", "b"), ("gEt", "c"),
            ("exists", "a", "b", "c"), ("ExIsTs", "a"),
            ("dbsize",), ("DbSiZe",),
            ("keys", "*"), ("KeYs", "?"),
            ("setex", "d", "100", "v"), ("ttl", "d"), ("pttl", "a"),
            ("setnx", "e", "v"), ("psetex", "f", "100000", "v"), ("TtL", "f"),
            ("expire", "a", "100"), ("pexpire", "b", "100000"), ("persist", "a"),
            ("del", "a", "b", "c"), ("DeL", "d", "e", "f"),
        ])

    def test_wait_without_replicas(self):
        # No replica ever acknowledges: 0, at once or when the timeout passes.
        self.check([
            ("WAIT", "0", "0"), ("WAIT", "-1", "5"), ("WAIT", "1", "20"), ("WAIT", "x", "0"),
            ("WAIT", "1", "x"), ("WAIT", "1", "-1"), ("WAIT", "1", "1.5"), ("WAIT", "99999999999999999999", "1"),
            ("WAIT", "0"), ("MULTI",), ("WAIT", "5", "0"), ("EXEC",),
            ("EVAL", "return redis.call('wait', 1, 0)", "0"), ("INFO", "nosuchsection"),
        ])

    def test_empty_keys_and_values(self):
        self.check([
            ("SET", "", ""), ("GET", ""), ("EXISTS", ""), ("DBSIZE",),
            ("SET", "k", ""), ("GET", "k"),
            ("SET", "", "v", "XX", "GET"), ("GET", ""),
            ("KEYS", "*"), ("EXPIRE", "", "100"), ("TTL", ""), ("PERSIST", ""),
            ("DEL", ""), ("EXISTS", ""), ("GET", ""), ("DEL", "", "k"),
        ])


class MisconfTest(DifferentialTestCase):
    # CONFIG SET dir is a protected config.
    LARDER_ARGS = REDIS_ARGS = ("--enable-protected-configs", "yes")

    def failed_bgsave(self, c):
        """Points c's server at a dir where BGSAVE fails (dump.rdb is a
        non-empty directory), with a save point, and runs one."""
        d = tempfile.mkdtemp(prefix="larder-misconf-")
        self.addCleanup(shutil.rmtree, d, True)
        os.makedirs(os.path.join(d, "dump.rdb", "x"))
        c.cmd("CONFIG", "SET", "dir", d)
        c.cmd("CONFIG", "SET", "save", "3600 1")
        c.cmd("BGSAVE")
        deadline = time.monotonic() + 10
        while b"rdb_last_bgsave_status:err" not in c.call("INFO", "persistence"):
            self.assertLess(time.monotonic(), deadline, "BGSAVE did not fail")
            time.sleep(0.02)
        return d

    def test_misconf_after_a_failed_bgsave(self):
        # stop-writes-on-bgsave-error: writes (and PING, and EXEC of a write)
        # are refused until a save succeeds; a script's first write too.
        script = [
            ("SET", "k", "v"), ("PING",), ("GET", "k"), ("DEL", "k"), ("MULTI",), ("SET", "k", "v"), ("EXEC",),
            ("MULTI",), ("GET", "k"), ("EXEC",),
            ("EVAL", "return redis.call('set','k','v')", "0"), ("EVAL", "return redis.pcall('set','k','v')", "0"),
            ("EVAL", "return redis.call('get','k')", "0"),
            ("CONFIG", "SET", "stop-writes-on-bgsave-error", "no"), ("SET", "k", "v2"),
            ("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"), ("INCR", "n"),
        ]
        replies = []
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                original = c.call("CONFIG", "GET", "dir")[1]
                c.cmd("FLUSHALL")
                c.cmd("SET", "k", "v1")
                try:
                    d = self.failed_bgsave(c)
                    replies.append([c.cmd(*e) for e in script])
                    shutil.rmtree(os.path.join(d, "dump.rdb"))
                    replies[-1] += [c.cmd("SAVE"), c.cmd("INCR", "n"),
                                    c.cmd("CONFIG", "GET", "stop-writes-on-bgsave-error")]
                finally:
                    c.cmd("CONFIG", "SET", "save", "")
                    c.cmd("CONFIG", "SET", "dir", original)
        self.assertEqual(replies[1], replies[0])


if __name__ == "__main__":
    unittest.main()
