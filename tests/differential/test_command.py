#!/usr/bin/python3
"""Differential: COMMAND and its subcommands against redis-server.

COMMAND COUNT and the full lists differ (Larder implements fewer commands, and
Redis lists its commands and subcommands in hash-table order), so this
compares, for every command and subcommand Larder registers: COMMAND INFO byte
for byte (a container's subcommands as the ones Larder has, sorted), COMMAND
DOCS as decoded structures, the whole COMMAND, COMMAND INFO and COMMAND DOCS
lists entry by entry, COMMAND GETKEYS / GETKEYSANDFLAGS byte for byte on
command lines built from each command's documented arguments, and the
argument hints redis-cli shows on a terminal.
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


def comparable(client):
    """A predicate: is this full name one Larder has and the reference has too?"""
    ours = set(larder_commands(client))
    return lambda name: name in ours and name not in NEWER_THAN_REFERENCE


def normal_info(entry, keep):
    """A decoded COMMAND INFO entry with its subcommands restricted to the
    names `keep` accepts and sorted by name (Redis's order is its hash's)."""
    entry = list(entry)
    entry[9] = sorted((normal_info(sub, keep) for sub in entry[9] if keep(sub[0].decode())),
                      key=lambda sub: sub[0])
    return entry


def normal_docs(flat, keep):
    """A decoded COMMAND DOCS entry (a flat RESP2 map) as a dict, its
    subcommands restricted to the names `keep` accepts."""
    doc = dict(zip(flat[::2], flat[1::2]))
    if b"subcommands" in doc:
        subs = doc[b"subcommands"]
        doc[b"subcommands"] = {name: normal_docs(sub, keep)
                               for name, sub in zip(subs[::2], subs[1::2]) if keep(name.decode())}
    return doc


def sample_args(arguments, full):
    """Arguments for a command line from its COMMAND DOCS argument tree: the
    required ones only, or (full) every optional one too, multiples twice and
    the first branch of each choice. Keys are k1, k2...; numkeys counts them."""
    keys = iter("k%d" % i for i in range(1, 100))

    def value(arg):
        kind = arg[b"type"].decode()
        if kind == "key":
            return [next(keys)]
        if kind == "pure-token":
            return [arg[b"token"].decode()]
        if kind == "oneof":
            return one(dict_of(arg[b"arguments"][0]))
        if kind == "block":
            return walk(arg[b"arguments"])
        if arg[b"name"] == b"numkeys":
            return ["2" if full else "1"]
        return {"integer": ["1"], "double": ["1.5"], "unix-time": ["1"], "pattern": ["*"]}.get(kind, ["s"])

    def one(arg):
        flags = arg.get(b"flags", [])
        times = 2 if full and "multiple" in flags else 1
        token = [arg[b"token"].decode()] if b"token" in arg and arg[b"type"] != b"pure-token" else []
        if "multiple_token" in flags:
            return [a for _ in range(times) for a in token + value(arg)]
        return token + [a for _ in range(times) for a in value(arg)]

    def walk(tree):
        words = []
        for raw in tree:
            arg = dict_of(raw)
            if full or "optional" not in arg.get(b"flags", []):
                words += one(arg)
        return words

    return walk(arguments)


def dict_of(flat):
    return dict(zip(flat[::2], flat[1::2]))


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
            keep = comparable(lc)
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
                    e, a = normal_info(e, keep), normal_info(a, keep)
                    if e == a:
                        continue
                diffs.append("%s:\n  larder %r\n  redis  %r" % (name, a, e))
        self.assertGreater(compared, 100)
        if diffs:
            self.fail("COMMAND INFO differs for %d of %d commands:\n%s"
                      % (len(diffs), compared, "\n".join(diffs)))

    def test_info_in_resp3(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            rc.cmd("HELLO", "3")
            lc.cmd("HELLO", "3")
            for name in ("get", "set", "eval", "xreadgroup"):
                self.assertEqual(lc.cmd("COMMAND", "INFO", name), rc.cmd("COMMAND", "INFO", name), name)
            # A container's subcommands are an array (Redis lists more of
            # them, in hash order): the reply up to their count matches.
            head = re.compile(rb"^(.*?~0\r\n~0\r\n[*~])", re.S)
            expected = head.match(rc.cmd("COMMAND", "INFO", "config")).group(1)
            self.assertTrue(expected.endswith(b"*"))
            self.assertEqual(head.match(lc.cmd("COMMAND", "INFO", "config")).group(1), expected)

    def test_docs_match_redis(self):
        diffs = []
        compared = 0
        with self.redis.client() as rc, self.larder.client() as lc:
            keep = comparable(lc)
            for name in larder_commands(lc):
                e = rc.call("COMMAND", "DOCS", name)
                if not e:
                    continue
                a = lc.call("COMMAND", "DOCS", name)
                compared += 1
                # RESP2 maps are flat arrays: [name, [k, v, k, v...]].
                ed, ad = normal_docs(e[1], keep), normal_docs(a[1], keep)
                if ed != ad:
                    keys = sorted(set(ed) | set(ad))
                    detail = ["    %s: larder %r / redis %r" % (k.decode(), ad.get(k), ed.get(k))
                              for k in keys if ad.get(k) != ed.get(k)]
                    diffs.append("%s:\n%s" % (name, "\n".join(detail)))
        self.assertGreater(compared, 100)
        if diffs:
            self.fail("COMMAND DOCS differs for %d of %d commands:\n%s"
                      % (len(diffs), compared, "\n".join(diffs)))

    def test_whole_lists_match_redis(self):
        # COMMAND, COMMAND INFO and COMMAND DOCS without names: Larder's
        # entries are Redis's entries for the same commands.
        with self.redis.client() as rc, self.larder.client() as lc:
            keep = comparable(lc)
            for request in (("COMMAND",), ("COMMAND", "INFO")):
                ours = {e[0]: normal_info(e, keep) for e in lc.call(*request)}
                theirs = {e[0]: normal_info(e, keep) for e in rc.call(*request) if e[0] in ours}
                self.assertEqual(sorted(ours), sorted(theirs), request)
                differ = [n.decode() for n in ours if ours[n] != theirs[n]]
                self.assertEqual(differ, [], request)
            flat = lc.call("COMMAND", "DOCS")
            ours = {n: normal_docs(d, keep) for n, d in zip(flat[::2], flat[1::2])}
            flat = rc.call("COMMAND", "DOCS")
            theirs = {n: normal_docs(d, keep) for n, d in zip(flat[::2], flat[1::2]) if n in ours}
            self.assertEqual(sorted(ours), sorted(theirs))
            self.assertEqual([n.decode() for n in ours if ours[n] != theirs[n]], [])

    def test_getkeys_for_every_command(self):
        # Each command with key specs, on lines built from its documented
        # arguments (required only, then everything), and with bad numkeys.
        script = []
        with self.larder.client() as lc:
            for name in larder_commands(lc):
                if name in NEWER_THAN_REFERENCE:
                    continue
                info = lc.call("COMMAND", "INFO", name)[0]
                if not info[8]:
                    continue
                docs = dict_of(lc.call("COMMAND", "DOCS", name)[1])
                arguments = docs.get(b"arguments", [])
                head = ["COMMAND", "GETKEYSANDFLAGS"] + name.split("|")
                for full in (False, True):
                    line = sample_args(arguments, full)
                    script.append(tuple(head + line))
                    script.append(tuple(["COMMAND", "GETKEYS"] + head[2:] + line))
                line = sample_args(arguments, False)
                names = [dict_of(a)[b"name"] for a in arguments]
                if b"numkeys" in names:
                    at = len(sample_args(arguments[:names.index(b"numkeys")], False))
                    for bad in ("0", "-1", "x", "1x", " 1", "01", "5", "99999999999"):
                        script.append(tuple(head + line[:at] + [bad] + line[at + 1:]))
        self.assertGreater(len(script), 80)
        self.check(script, flush=False)

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
            # A loaded machine can leave a redraw unread within the settle
            # time: a difference counts only if it is there three times.
            for _ in range(3):
                expected = cli_hint(self.redis.port, typed)
                actual = cli_hint(self.larder.port, typed)
                if expected == actual:
                    break
            if expected != actual:
                diffs.append("%r: larder %r, redis %r" % (typed, actual, expected))
        if diffs:
            self.fail("redis-cli hints differ:\n" + "\n".join(diffs))


if __name__ == "__main__":
    unittest.main()
