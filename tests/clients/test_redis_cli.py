#!/usr/bin/python3
"""redis-cli against Larder, compared with the same invocations against redis-server."""
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ClassServersMixin, ServerTestCase, start_larder, start_redis, \
    redis_cli_bin  # noqa: E402

ONE_SHOT = [
    ["PING"],
    ["PING", "hello world"],
    ["SET", "k", "v"],
    ["GET", "k"],
    ["GET", "missing"],
    ["SET", "k2", "v2", "EX", "100"],
    ["TTL", "k2"],
    ["TTL", "k"],
    ["TTL", "missing"],
    ["PTTL", "missing"],
    ["SETEX", "k3", "100", "v3"],
    ["TTL", "k3"],
    ["SETNX", "k3", "x"],
    ["PSETEX", "k4", "100000", "v4"],
    ["EXISTS", "k", "k2", "k3", "missing"],
    ["KEYS", "k[3]"],   # single match: multi-key order differs between servers
    ["KEYS", "nothing*"],
    ["DBSIZE"],
    ["EXPIRE", "k", "100"],
    ["PERSIST", "k"],
    ["SET", "k", "v", "NX"],
    ["SET", "k", "new", "XX", "GET"],
    ["SET", "k", "v", "EX", "0"],
    ["SET", "k", "v", "NX", "XX"],
    ["GET"],
    ["NOSUCHCOMMAND", "a", "b"],
    ["ECHO", "multi\nline"],
    ["SET", "bin", "a\tb"],
    ["GET", "bin"],
    ["SET", "", "empty-key"],
    ["GET", ""],
    ["DEL", "k", "k2", "k3", "k4", "missing"],
    ["DBSIZE"],
    ["FLUSHDB"],
    ["DBSIZE"],
]


def ttls_close(a, b):
    """Two non-negative TTLs printed the same way, at most a second apart:
    each server is asked after its own SET, a redis-cli start or two later,
    which on a loaded machine can cross a rounding boundary."""
    ma, mb = re.fullmatch(rb"([^\d-]*)(\d+)\n", a), re.fullmatch(rb"([^\d-]*)(\d+)\n", b)
    return bool(ma and mb) and ma.group(1) == mb.group(1) and abs(int(ma.group(2)) - int(mb.group(2))) <= 1


def cli(port, args, mode_args=(), stdin=None):
    p = subprocess.run([redis_cli_bin(), "-h", "127.0.0.1", "-p", str(port)] + list(mode_args)
                       + list(args), input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=10)
    return p.returncode, p.stdout, p.stderr


class RedisCliTest(ClassServersMixin, ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = cls.start_class_server(start_redis())
        cls.larder = cls.start_class_server(start_larder())

    @classmethod
    def tearDownClass(cls):
        cls.stop_class_servers()

    def compare(self, runs):
        mismatches = []
        for mode_args, args, stdin in runs:
            r = cli(self.redis.port, args, mode_args, stdin)
            l = cli(self.larder.port, args, mode_args, stdin)
            if r[:2] != l[:2] and not (args and args[0] == "TTL" and ttls_close(r[1], l[1])):
                mismatches.append("  redis-cli %s %s (stdin %r)\n      redis : rc=%d %r\n"
                                  "      larder: rc=%d %r %r"
                                  % (" ".join(mode_args), args, stdin, r[0], r[1], l[0], l[1], l[2]))
        if mismatches:
            self.fail("redis-cli output differs:\n" + "\n".join(mismatches))

    def _flush(self):
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                self.assertEqual(c.cmd("FLUSHALL"), b"+OK\r\n")

    def test_one_shot_raw(self):
        # stdout is a pipe: redis-cli prints raw replies.
        self._flush()
        self.compare([((), a, None) for a in ONE_SHOT])

    def test_one_shot_no_raw(self):
        # --no-raw: the "(integer) 1" / "(nil)" / "(error) ..." formatting.
        self._flush()
        self.compare([(("--no-raw",), a, None) for a in ONE_SHOT])

    def test_resp3(self):
        # redis-cli -3 opens with HELLO 3 (fatal if it fails) and prints RESP3
        # types its own way: maps, doubles, nulls.
        self._flush()
        resp3 = ONE_SHOT + [
            ["CONFIG", "GET", "hz"],
            ["MSET", "a", "1", "b", "2"],
            ["MGET", "a", "missing", "b"],
            ["INCRBYFLOAT", "f", "1.5"],
            ["LCS", "a", "b", "IDX"],
        ]
        for mode in (("-3",), ("-3", "--no-raw")):
            self.compare([(mode, a, None) for a in resp3])
        rc, out, err = cli(self.larder.port, ["HELLO", "3"], ("-3", "--no-raw"))
        self.assertEqual(rc, 0, err)
        self.assertIn(b'"proto"', out)
        self.assertIn(b"(integer) 3", out)

    def test_simple_reply_text(self):
        self._flush()
        rc, out, err = cli(self.larder.port, ["SET", "k", "v"])
        self.assertEqual((rc, out), (0, b"OK\n"), err)
        rc, out, err = cli(self.larder.port, ["GET", "k"])
        self.assertEqual((rc, out), (0, b"v\n"), err)
        rc, out, err = cli(self.larder.port, ["--no-raw", "EXISTS", "k", "nope"])
        self.assertEqual((rc, out), (0, b"(integer) 1\n"), err)

    def test_commands_from_stdin(self):
        self._flush()
        script = b"SET a 1\nSET b 2 EX 100\nGET a\nTTL b\nKEYS a*\nDEL a b\nDBSIZE\n"
        self.compare([((), [], script), (("--no-raw",), [], script)])

    def test_keys_multiple_matches_sorted(self):
        self._flush()
        for srv in (self.redis, self.larder):
            for k in ("user:1", "user:2", "user:10", "other"):
                rc, out, err = cli(srv.port, ["SET", k, "x"])
                self.assertEqual((rc, out), (0, b"OK\n"), err)
        r = cli(self.redis.port, ["KEYS", "user:*"])
        l = cli(self.larder.port, ["KEYS", "user:*"])
        self.assertEqual(r[0], l[0])
        self.assertEqual(sorted(r[1].splitlines()), sorted(l[1].splitlines()))
        self.assertEqual(sorted(l[1].splitlines()), [b"user:1", b"user:10", b"user:2"])

    def test_pipe_mode(self):
        # --pipe sends raw protocol then an ECHO with a random marker.
        self._flush()
        proto = b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nv\r\n" % (len(b"p%d" % i), b"p%d" % i)
                         for i in range(1000))
        for srv in (self.larder,):
            rc, out, err = cli(srv.port, [], ("--pipe",), proto)
            self.assertEqual(rc, 0, (out, err))
            self.assertIn(b"errors: 0, replies: 1000", out)
            with srv.client() as c:
                self.assertEqual(c.cmd("DBSIZE"), b":1000\r\n")

    def test_x_arg_from_stdin(self):
        self._flush()
        self.compare([((), ["-x", "SET", "fromstdin"], b"value\x00with nul\n"),
                      ((), ["GET", "fromstdin"], None),
                      ((), ["--no-raw", "GET", "fromstdin"], None)])


if __name__ == "__main__":
    unittest.main()
