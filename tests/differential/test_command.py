#!/usr/bin/python3
"""Differential: COMMAND and its subcommands against redis-server.

COMMAND COUNT and the full lists differ (Larder implements fewer commands, and
Redis lists its commands in hash-table order), so this compares, for every
command Larder has: COMMAND INFO byte for byte (containers field by field, their
subcommands one by one), COMMAND DOCS as decoded structures, COMMAND GETKEYS /
GETKEYSANDFLAGS byte for byte, and the argument hints redis-cli shows on a
terminal.
"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, RespError, redis_cli_bin  # noqa: E402


# Subcommands added after Redis 7.0.15 that Larder accepts as Redis 7.2 does.
NEWER_THAN_REFERENCE = {"client|setinfo", "client|no-touch"}


def larder_commands(client):
    """Every full name Larder lists (subcommands included), as str."""
    return sorted(n.decode() for n in client.call("COMMAND", "LIST"))


def strip_subcommands(info):
    """A decoded COMMAND INFO entry without its subcommand list."""
    return info[:9] + [None]


class CommandTest(DifferentialTestCase):
    def only_known(self, script):
        """Drops the entries about commands Larder does not have yet (other
        families are still being added). An entry is (command, needed name)."""
        with self.larder.client() as lc:
            ours = set(larder_commands(lc))
        return [entry for entry, needs in script if needs is None or needs in ours]

    def test_info_matches_redis(self):
        diffs = []
        compared = 0
        with self.redis.client() as rc, self.larder.client() as lc:
            for name in larder_commands(lc):
                expected = rc.cmd("COMMAND", "INFO", name)
                if expected == b"*1\r\n$-1\r\n":
                    continue  # newer than the reference redis-server (CLIENT SETINFO...)
                actual = lc.cmd("COMMAND", "INFO", name)
                compared += 1
                if expected == actual:
                    continue
                e, a = rc.decode(expected)[0], lc.decode(actual)[0]
                if e[9] or a[9]:
                    # A container: Redis has more subcommands, in hash order.
                    if strip_subcommands(e) != strip_subcommands(a):
                        diffs.append("%s: %r != %r" % (name, strip_subcommands(a),
                                                       strip_subcommands(e)))
                    continue
                diffs.append("%s:\n  larder %r\n  redis  %r" % (name, a, e))
        self.assertGreater(compared, 5)
        if diffs:
            self.fail("COMMAND INFO differs for %d of %d commands:\n%s"
                      % (len(diffs), compared, "\n".join(diffs)))

    def test_docs_match_redis(self):
        diffs = []
        compared = 0
        with self.redis.client() as rc, self.larder.client() as lc:
            for name in larder_commands(lc):
                e = rc.call("COMMAND", "DOCS", name)
                if not e:
                    continue
                a = lc.call("COMMAND", "DOCS", name)
                compared += 1
                # RESP2 maps are flat arrays: [name, [k, v, k, v...]].
                ed, ad = dict(zip(e[1][::2], e[1][1::2])), dict(zip(a[1][::2], a[1][1::2]))
                ed.pop(b"subcommands", None)
                ad.pop(b"subcommands", None)
                if ed != ad:
                    keys = sorted(set(ed) | set(ad))
                    detail = ["    %s: larder %r / redis %r" % (k.decode(), ad.get(k), ed.get(k))
                              for k in keys if ad.get(k) != ed.get(k)]
                    diffs.append("%s:\n%s" % (name, "\n".join(detail)))
        self.assertGreater(compared, 5)
        if diffs:
            self.fail("COMMAND DOCS differs for %d of %d commands:\n%s"
                      % (len(diffs), compared, "\n".join(diffs)))

    def test_docs_bytes_for_simple_commands(self):
        # Commands without subcommands: the whole reply, byte for byte.
        names = ["get", "set", "getex", "mset", "client|list", "client|kill", "hello", "getset",
                 "copy", "scan", "lcs", "flushall", "expire", "shutdown", "config|set"]
        script = [(("COMMAND", "DOCS", n), n) for n in names]
        script += [(("COMMAND", "INFO", n), n) for n in names]
        script += [(("COMMAND", "DOCS", "get", "nosuch", "set", "get|x"), "set"),
                   (("COMMAND", "INFO", "get", "nosuch", "set", "get|x"), "set")]
        self.check(self.only_known(script), flush=False)

    def test_getkeys(self):
        # (command line, the Larder row it needs; None for error cases).
        self.check(self.only_known([
            (("COMMAND", "GETKEYS", "SET", "k", "v"), "set"),
            (("COMMAND", "GETKEYS", "set", "k", "v", "EX", "10", "GET"), "set"),
            (("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"), "mset"),
            (("COMMAND", "GETKEYS", "mset", "a", "1", "b"), "mset"),
            (("COMMAND", "GETKEYS", "DEL", "a", "b", "c"), "del"),
            (("COMMAND", "GETKEYS", "get", "k"), "get"),
            (("COMMAND", "GETKEYS", "copy", "a", "b", "DB", "1"), "copy"),
            (("COMMAND", "GETKEYS", "rename", "a", "b"), "rename"),
            (("COMMAND", "GETKEYS", "lcs", "a", "b", "LEN"), "lcs"),
            (("COMMAND", "GETKEYS", "object", "encoding", "k"), "object|encoding"),
            (("COMMAND", "GETKEYS", "memory", "usage", "k", "SAMPLES", "5"), "memory|usage"),
            (("COMMAND", "GETKEYS", "expire", "k", "10", "NX"), "expire"),
            (("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"), "set"),
            (("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "get"), "set"),
            (("COMMAND", "GETKEYSANDFLAGS", "copy", "a", "b"), "copy"),
            (("COMMAND", "GETKEYSANDFLAGS", "getdel", "a"), "getdel"),
            (("COMMAND", "GETKEYSANDFLAGS", "mset", "a", "1", "b", "2"), "mset"),
            (("COMMAND", "GETKEYSANDFLAGS", "rename", "a", "b"), "rename"),
            # Errors
            (("COMMAND", "GETKEYS", "nosuch", "a"), None),
            (("COMMAND", "GETKEYS", "ping", "x"), "ping"),
            (("COMMAND", "GETKEYS", "client", "list"), "client|list"),
            (("COMMAND", "GETKEYS", "command", "nosuch"), None),
            (("COMMAND", "GETKEYS", "command", "count"), None),
            (("COMMAND", "GETKEYS", "object", "nosuch"), "object"),
            (("COMMAND", "GETKEYS", "object", "encoding"), "object|encoding"),
            (("COMMAND", "GETKEYS", "set", "k"), "set"),
            (("COMMAND", "GETKEYS", "get", "a", "b"), "get"),
            (("COMMAND", "GETKEYS", "get"), None),
            (("COMMAND", "GETKEYS"), None),
            (("COMMAND", "GETKEYSANDFLAGS", "get"), None),
            (("COMMAND", "GETKEYS", "client|list", "x"), None),
        ]), flush=False)

    def test_list_help_errors(self):
        self.check([
            ("COMMAND", "HELP"), ("command", "help", "x"),
            ("COMMAND", "NOSUCH"), ("COMMAND", "COUNT", "x"),
            ("COMMAND", "LIST", "FILTERBY", "MODULE", "x"),
            ("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"),
            ("COMMAND", "LIST", "FILTERBY", "PATTERN", "getex"),
            ("COMMAND", "LIST", "FILTERBY", "PATTERN", "command|getkeysand*"),
            ("COMMAND", "LIST", "FILTERBY", "x", "y"),
            ("COMMAND", "LIST", "FILTERBY", "PATTERN"),
            ("COMMAND", "LIST", "x"),
            ("COMMAND", "DOCS", "nosuch"),
            ("COMMAND", "INFO", "nosuch"),
        ], flush=False)

    def test_list_is_subset_of_redis(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            redis_names = set(n.decode() for n in rc.call("COMMAND", "LIST"))
            ours = larder_commands(lc)
            count = lc.call("COMMAND", "COUNT")
            self.assertEqual(count, len([n for n in ours if "|" not in n]))
            self.assertEqual(len(lc.call("COMMAND")), count)
            self.assertEqual(len(lc.call("COMMAND", "INFO")), count)
            self.assertEqual(len(lc.call("COMMAND", "DOCS")), 2 * count)
            extra = [n for n in ours if n not in redis_names]
            # Only commands newer than the reference server may be missing from it.
            self.assertTrue(set(extra) <= NEWER_THAN_REFERENCE, extra)
            for cat in ("string", "keyspace", "connection"):
                mine = set(n.decode() for n in lc.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", cat))
                theirs = set(n.decode() for n in rc.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", cat))
                self.assertEqual(mine - NEWER_THAN_REFERENCE, theirs & set(ours), cat)


ANSI_HINT = re.compile(rb"\x1b\[[0-9;]*m([^\x1b]*)\x1b\[0m")


def cli_hint(port, typed, timeout=5.0):
    """Type `typed` into an interactive redis-cli on a pseudo-terminal and
    return the hint it shows after the last keystroke ("" for none)."""
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, TERM="xterm", REDISCLI_HISTFILE="/dev/null")
        try:
            os.execve(redis_cli_bin(), [redis_cli_bin(), "-p", str(port)], env)
        finally:
            os._exit(127)
    # linenoise asks the terminal for its width; a pty without one gets none.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 400, 0, 0))
    out = b""

    def read_until(pred):
        nonlocal out
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not pred():
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk

    try:
        prompt = ("127.0.0.1:%d> " % port).encode()
        read_until(lambda: prompt in out)
        out = b""
        for ch in typed:
            os.write(fd, ch.encode())
            time.sleep(0.02)
        settle = time.monotonic() + 0.5
        read_until(lambda: time.monotonic() > settle)
        # Each refresh clears the line ("\x1b[0K") and redraws prompt, input, hint.
        last = out.rsplit(b"\x1b[0K", 1)[-1]
        hints = ANSI_HINT.findall(last)
        return hints[-1].decode() if hints else ""
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)


class RedisCliHintsTest(DifferentialTestCase):
    INPUTS = ["SET ", "SET k v ", "set k v EX 10 ", "GETEX k ", "MSET ", "HELLO ",
              "CLIENT LIST ", "CLIENT KILL ", "CLIENT PAUSE ", "COMMAND LIST ",
              "COMMAND INFO ", "COPY ", "SCAN 0 ", "LCS ", "EXPIRE k 10 ", "FLUSHALL ",
              "CONFIG SET ", "SHUTDOWN ", "OBJECT ENCODING ", "MEMORY USAGE ",
              "LATENCY HISTOGRAM ", "SLOWLOG GET "]

    def test_hints_match_redis(self):
        if not os.path.exists(redis_cli_bin()):
            self.skipTest("no redis-cli")
        with self.larder.client() as lc:
            ours = set(n.decode() for n in lc.call("COMMAND", "LIST"))
        # Sanity: redis-cli shows a hint against Redis at all here.
        if cli_hint(self.redis.port, "SET ") == "":
            self.skipTest("redis-cli shows no hints on this pseudo-terminal")
        diffs = []
        for typed in self.INPUTS:
            words = typed.lower().split()
            if words[0] not in ours and "|".join(words[:2]) not in ours:
                continue
            expected = cli_hint(self.redis.port, typed)
            actual = cli_hint(self.larder.port, typed)
            if expected != actual:
                diffs.append("%r: larder %r, redis %r" % (typed, actual, expected))
        if diffs:
            self.fail("redis-cli hints differ:\n" + "\n".join(diffs))


if __name__ == "__main__":
    unittest.main()
