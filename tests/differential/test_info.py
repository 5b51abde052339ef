#!/usr/bin/python3
"""Differential: INFO sections. For each section Larder's field names must be
a subset of Redis 7.0's, in the same relative order (fields starting with
larder_ excepted); section titles, line format and the keyspace line format
must match."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase  # noqa: E402

SECTIONS = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules",
            "commandstats", "errorstats", "cluster", "keyspace"]


# Fields Larder shows as Redis 7.2 does (7.0.15 has no such field).
NEWER_THAN_REFERENCE = {"client_output_buffer_limit_disconnections"}

# Sections only Larder has (listed by INFO all after Redis's).
LARDER_SECTIONS = {"Keyspace_prefixes"}


def parse(text):
    """{title: [field names]} in order, checking the line format."""
    out = {}
    title = None
    for line in text.split("\r\n"):
        if line == "":
            continue
        if line.startswith("# "):
            title = line[2:]
            out[title] = []
            continue
        if title is None or ":" not in line or "\n" in line:
            raise AssertionError("bad INFO line %r" % line)
        out[title].append(line.split(":", 1)[0])
    return out


def info(client, *args):
    reply = client.call("INFO", *args)
    if not isinstance(reply, bytes):
        raise AssertionError("INFO reply is not a bulk string: %r" % (reply,))
    text = reply.decode()
    if text and not text.endswith("\r\n"):
        raise AssertionError("INFO does not end with CRLF: %r" % text[-20:])
    return text


def is_subsequence(small, big):
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


class InfoTest(DifferentialTestCase):
    def setUp(self):
        super().setUp()
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                c.cmd("FLUSHALL")
                c.cmd("SET", "a", "1")
                c.cmd("SET", "b", "2", "EX", "1000")
                c.cmd("GET", "a")
                c.cmd("GET", "nope")
                c.cmd("NOSUCHCMD")
                c.cmd("SELECT", "3")
                c.cmd("SET", "c", "3")

    def test_each_section_fields_subset_in_order(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            for name in SECTIONS:
                r = parse(info(rc, name))
                lg = parse(info(lc, name))
                self.assertEqual(list(lg), list(r), "section titles of INFO %s" % name)
                for title in r:
                    mine = [f for f in lg[title]
                            if not f.startswith("larder_") and f not in NEWER_THAN_REFERENCE]
                    if title in ("Commandstats", "Errorstats", "Keyspace"):
                        continue  # dynamic field names, checked below
                    missing = [f for f in mine if f not in r[title]]
                    self.assertEqual(missing, [], "INFO %s: fields Redis does not have" % name)
                    self.assertTrue(is_subsequence(mine, r[title]),
                                    "INFO %s: order differs\n larder: %s\n redis : %s"
                                    % (name, mine, [f for f in r[title] if f in mine]))

    def test_default_all_everything_titles(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            for args in ((), ("default",), ("server", "keyspace"), ("server", "default"),
                         ("KEYSPACE", "Server"), ("nosuchsection",), ("server", "nosuch")):
                self.assertEqual(list(parse(info(lc, *args))), list(parse(info(rc, *args))), args)

    def test_all_and_everything_titles(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            for args in (("all",), ("everything",), ("ALL",)):
                mine = [t for t in parse(info(lc, *args)) if t not in LARDER_SECTIONS]
                self.assertEqual(mine, list(parse(info(rc, *args))), args)

    def test_unknown_section_is_empty(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            self.assertEqual(lc.cmd("INFO", "nosuchsection"), rc.cmd("INFO", "nosuchsection"))
            self.assertEqual(lc.cmd("INFO", "nosuchsection"), b"$0\r\n\r\n")

    def test_keyspace_lines(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            r = info(rc, "keyspace")
            lg = info(lc, "keyspace")
            pat = re.compile(r"^db(\d+):keys=(\d+),expires=(\d+),avg_ttl=(\d+)$")
            rl = [pat.match(x) for x in r.split("\r\n")[1:] if x]
            ll = [pat.match(x) for x in lg.split("\r\n")[1:] if x]
            self.assertTrue(all(rl) and all(ll), (r, lg))
            self.assertEqual([m.groups()[:3] for m in ll], [m.groups()[:3] for m in rl])
            self.assertEqual([m.groups()[:3] for m in ll], [("0", "2", "1"), ("3", "1", "0")])

    def test_commandstats_and_errorstats_line_format(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            for c in (rc, lc):
                c.cmd("CONFIG", "RESETSTAT")
                c.cmd("GET", "a")
                c.cmd("GET", "a", "b")
                c.cmd("NOSUCH")
                c.cmd("CONFIG", "BOGUS")  # counted on no command
                c.cmd("OBJECT", "NOPE", "x")
            r = info(rc, "commandstats")
            lg = info(lc, "commandstats")
            for name in ("cmdstat_config", "cmdstat_object"):
                self.assertEqual(name in lg, name in r, name)
            stat = re.compile(r"^cmdstat_get:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0\r$",
                              re.M)
            self.assertRegex(r, stat)
            self.assertRegex(lg, stat)
            self.assertEqual(info(lc, "errorstats"), info(rc, "errorstats"))

    def test_error_stats_of_transactions_and_scripts(self):
        # Redis counts each error reply as it is written: a transaction's
        # commands' errors count one by one and do not fail EXEC; inside a
        # script, a command's error and a refused call count where they
        # arise, and a script returning such an error does not count it again
        # (ignore_error_stats_update) but fails.
        steps = [
            ("SET", "s", "x"), ("MULTI",), ("INCR", "s"), ("INCR", "s"), ("LPUSH", "s", "a"), ("EXEC",),
            ("EVAL", "redis.pcall('incr','s') return 1", "0"), ("EVAL", "return redis.call('incr','s')", "0"),
            ("EVAL", "return redis.pcall('incr','s')", "0"), ("EVAL", "redis.pcall('get') return 1", "0"),
            ("EVAL", "return redis.pcall('nosuch')", "0"), ("EVAL", "return redis.call('nosuch')", "0"),
            ("EVAL", "return {err='x'}", "0"), ("EVAL", "return {err='MY x'}", "0"), ("EVAL", "error('boom')", "0"),
            ("EVAL", "return redis.error_reply('E2 y')", "0"), ("EVAL_RO", "return redis.call('set','a','b')", "0"),
            ("EVAL", "local t = redis.pcall('nosuch') return {t.err, tostring(t.ignore_error_stats_update)}", "0"),
            ("EVAL", "local t = redis.pcall('incr','s') t.ignore_error_stats_update = nil return t", "0"),
            ("EVAL", "return {redis.pcall('incr','s'), redis.pcall('lpush','s','a')}", "0"),
            ("EVAL", "return redis.pcall('subscribe','x')", "0"), ("EVAL", "return redis.pcall('config')", "0"),
            ("MULTI",), ("EVAL", "return redis.call('incr','s')", "0"), ("GET", "s"), ("EXEC",),
        ]
        wanted = re.compile(r"^(errorstat_\w+|total_error_replies|cmdstat_(eval|eval_ro|exec|incr|lpush|get|set|"
                            r"subscribe|config)):(.*)$")
        out = []
        with self.redis.client() as rc, self.larder.client() as lc:
            for c in (rc, lc):
                c.cmd("CONFIG", "RESETSTAT")
                for step in steps:
                    c.cmd(*step)
                lines = []
                for line in info(c, "all").split("\r\n"):
                    m = wanted.match(line)
                    if m:
                        fields = re.sub(r"usec=\d+,usec_per_call=[\d.]+,", "", m.group(3))
                        lines.append("%s:%s" % (m.group(1), fields))
                out.append(sorted(lines))
        self.assertEqual(out[1], out[0])


if __name__ == "__main__":
    unittest.main()
