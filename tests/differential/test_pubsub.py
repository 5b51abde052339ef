#!/usr/bin/python3
"""Differential: Pub/Sub against redis-server, with several connections.

A script is a list of steps run on both servers; each step's raw bytes are
compared:
  Cmd(i, n, *args)   client i sends args and reads n replies (a (un)subscribe
                     gets one per channel, a publish to itself gets the
                     message first under RESP3)
  Read(i, n)         client i reads n more replies (published messages);
                     sort=True compares them sorted (one per matching
                     pattern, in Redis's dict order)
  Quiet(i)           client i has received nothing more (0.2 s)
  Sorted(i, n, ...)  as Cmd, the channels compared in any order and the counts
                     in order (Redis walks its channel dict in hash order)
Covers subscribe replies and counts, RESP2 subscribed-mode errors, RESP3 push
frames, pattern messages, PUBSUB subcommands, sharded variants, RESET and the
pub/sub fields of CLIENT LIST and INFO.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, encode_command  # noqa: E402
from sessions import Cmd, Quiet, Read, step_mismatches  # noqa: E402


class Sorted(Cmd):
    pass


def run(srv, script, clients, resp3):
    conns = [srv.client() for _ in range(clients)]
    try:
        conns[0].cmd("FLUSHALL")
        if resp3:
            for c in conns:
                c.cmd("HELLO", "3")
        out = []
        for step in script:
            c = conns[step.i]
            if isinstance(step, Cmd):
                c.send(encode_command(*step.args))
                replies = c.read_replies(step.n)
                if isinstance(step, Sorted):
                    # The names in any order; the counts, which fall, in order.
                    parts = [r.split(b"\r\n") for r in replies]
                    out.append((sorted(p[:-2] for p in parts), [p[-2] for p in parts]))
                else:
                    out.append(b"".join(replies))
            elif isinstance(step, Read):
                replies = c.read_replies(step.n)
                out.append(sorted(replies) if step.sort else b"".join(replies))
            else:
                out.append(c.read_available(0.2))
        return out
    finally:
        for c in conns:
            c.close()


class PubSubTest(DifferentialTestCase):
    def compare(self, script, clients=3, resp3=False):
        expected = run(self.redis, script, clients, resp3)
        actual = run(self.larder, script, clients, resp3)
        bad = step_mismatches(script, expected, actual)
        if bad:
            self.fail("%d of %d steps differ (%s):\n%s"
                      % (len(bad), len(script), "RESP3" if resp3 else "RESP2", "\n".join(bad)))

    def test_subscribe_publish_counts(self):
        for resp3 in (False, True):
            self.compare([
                Cmd(0, 1, "UNSUBSCRIBE"), Cmd(0, 1, "PUNSUBSCRIBE"), Cmd(0, 1, "SUNSUBSCRIBE"),
                Cmd(0, 3, "SUBSCRIBE", "c1", "c2", "c1"),
                Cmd(1, 1, "SUBSCRIBE", "c1"),
                Cmd(2, 1, "PUBLISH", "c1", "hello"),
                Read(0, 1), Read(1, 1),
                Cmd(2, 1, "PUBLISH", "c2", "x" * 200),
                Read(0, 1), Quiet(1),
                Cmd(2, 1, "PUBLISH", "nobody", "x"),
                Cmd(2, 1, "PUBSUB", "NUMSUB", "c1", "c2", "zz"),
                Cmd(2, 1, "PUBSUB", "NUMSUB"),
                Cmd(2, 1, "PUBSUB", "CHANNELS", "c2"),
                Cmd(2, 1, "PUBSUB", "CHANNELS", "x*"),
                Cmd(0, 1, "UNSUBSCRIBE", "c1"),
                Cmd(2, 1, "PUBLISH", "c1", "again"),
                Read(1, 1), Quiet(0),
                Cmd(0, 2, "UNSUBSCRIBE", "c2", "nope"),
                Cmd(1, 1, "UNSUBSCRIBE"),
                Cmd(2, 1, "PUBSUB", "CHANNELS"),
                Cmd(0, 1, "SUBSCRIBE", ""),
                Cmd(2, 1, "PUBSUB", "CHANNELS", "*"),
                Cmd(2, 1, "PUBSUB", "CHANNELS", ""),
                Cmd(2, 1, "PUBLISH", "", "empty"),
                Read(0, 1),
            ], resp3=resp3)

    def test_unsubscribe_all_of_several(self):
        for resp3 in (False, True):
            self.compare([
                Cmd(0, 3, "SUBSCRIBE", "a", "b", "c"),
                Sorted(0, 3, "UNSUBSCRIBE"),
                Cmd(0, 3, "PSUBSCRIBE", "p1*", "p2*", "p3*"),
                Cmd(0, 3, "PUNSUBSCRIBE"),
                Cmd(0, 2, "SSUBSCRIBE", "s1", "s2"),
                Sorted(0, 2, "SUNSUBSCRIBE"),
                Cmd(0, 1, "GET", "x"),
            ], resp3=resp3)

    def test_resp2_subscribed_mode(self):
        self.compare([
            Cmd(0, 1, "SUBSCRIBE", "c"),
            Cmd(0, 1, "GET", "x"),
            Cmd(0, 1, "SET", "x", "1"),
            Cmd(0, 1, "CLIENT", "INFO"),
            Cmd(0, 1, "PUBLISH", "c", "m"),
            Cmd(0, 1, "PUBSUB", "NUMSUB", "c"),
            Cmd(0, 1, "MULTI"),
            Cmd(0, 1, "NOSUCHCOMMAND"),
            Cmd(0, 1, "GET"),
            Cmd(0, 1, "PING"),
            Cmd(0, 1, "PING", "hello"),
            Cmd(0, 1, "PSUBSCRIBE", "p*"),
            Cmd(0, 1, "SSUBSCRIBE", "s"),
            Cmd(0, 1, "UNSUBSCRIBE"),
            Cmd(0, 1, "PUNSUBSCRIBE"),
            Cmd(0, 1, "GET", "x"),  # still subscribed to a shard channel
            Cmd(0, 1, "SUNSUBSCRIBE"),
            Cmd(0, 1, "GET", "x"),
            Cmd(0, 1, "PING"),
            Cmd(0, 1, "SUBSCRIBE", "c"),
            Cmd(0, 1, "RESET"),
            Cmd(0, 1, "GET", "x"),
            Cmd(1, 1, "PUBLISH", "c", "m"),
            Quiet(0),
            Cmd(0, 1, "SUBSCRIBE", "c"),
            Cmd(0, 1, "QUIT"),
        ])

    def test_resp3_push_frames_and_any_command(self):
        self.compare([
            Cmd(0, 1, "SUBSCRIBE", "c"),
            Cmd(0, 1, "SET", "k", "v"),
            Cmd(0, 1, "GET", "k"),
            Cmd(0, 1, "PING"),
            Cmd(1, 1, "PUBLISH", "c", "m1"),
            Read(0, 1),
            Cmd(0, 2, "PUBLISH", "c", "to-self"),
            Cmd(0, 1, "PSUBSCRIBE", "*"),
            Cmd(0, 3, "PUBLISH", "c", "twice"),
            Cmd(1, 1, "PUBLISH", "other", "pattern only"),
            Read(0, 1),
            Cmd(0, 1, "PUBSUB", "NUMPAT"),
            Cmd(0, 1, "MULTI"),
            Cmd(0, 1, "SUBSCRIBE", "d"),
            Cmd(0, 1, "EXEC"),
            Cmd(0, 1, "RESET"),
            Cmd(1, 1, "PUBLISH", "c", "after reset"),
            Quiet(0),
        ], resp3=True)

    def test_resp3_script_publishing_to_its_caller(self):
        # The messages come before the script's reply, as from PUBLISH.
        self.compare([
            Cmd(0, 1, "SUBSCRIBE", "c"),
            Cmd(0, 2, "EVAL", "return redis.call('publish', 'c', 'x')", "0"),
            Cmd(0, 3, "EVAL", "redis.call('publish', 'c', 'a') redis.call('publish', 'c', 'b')"
                " return redis.error_reply('E')", "0"),
            Cmd(0, 1, "MULTI"),
            Cmd(0, 1, "EVAL", "return redis.call('publish', 'c', 'y')", "0"),
            Cmd(0, 1, "RESET"),
            Quiet(0),
        ], resp3=True)

    def test_patterns(self):
        self.compare([
            Cmd(0, 4, "PSUBSCRIBE", "news.*", "news.*", "n?ws.[a-c]*", "\\*lit"),
            Cmd(1, 1, "PSUBSCRIBE", "*"),
            Cmd(2, 1, "PUBSUB", "NUMPAT"),
            Cmd(2, 1, "PUBLISH", "news.art", "x"),
            Read(0, 2, sort=True), Read(1, 1),
            Cmd(2, 1, "PUBLISH", "news.zoo", "y"),
            Read(0, 1), Read(1, 1),
            Cmd(2, 1, "PUBLISH", "*lit", "z"),
            Read(0, 1), Read(1, 1),
            Cmd(2, 1, "PUBLISH", "", "empty"),
            Quiet(0), Quiet(1),
            Cmd(0, 2, "PUNSUBSCRIBE", "news.*", "zz"),
            Cmd(2, 1, "PUBLISH", "news.b", "w"),
            Read(0, 1), Read(1, 1),
            Cmd(0, 2, "PUNSUBSCRIBE"),
            Cmd(1, 1, "PUNSUBSCRIBE"),
            Cmd(2, 1, "PUBSUB", "NUMPAT"),
        ])

    def test_sharded(self):
        for resp3 in (False, True):
            self.compare([
                Cmd(0, 1, "SUBSCRIBE", "c"),
                Cmd(0, 3, "SSUBSCRIBE", "c", "s", "c"),
                Cmd(1, 1, "SSUBSCRIBE", "s"),
                Cmd(2, 1, "SPUBLISH", "c", "m"),
                Read(0, 1),
                Cmd(2, 1, "PUBLISH", "s", "not shard"),
                Cmd(2, 1, "SPUBLISH", "s", "shard"),
                Read(0, 1), Read(1, 1),
                Cmd(2, 1, "PUBSUB", "SHARDNUMSUB", "s", "c", "zz"),
                Cmd(2, 1, "PUBSUB", "SHARDCHANNELS", "s*"),
                Cmd(2, 1, "PUBSUB", "NUMSUB", "s", "c"),
                Cmd(0, 2, "SUNSUBSCRIBE", "c", "zz"),
                Cmd(2, 1, "MULTI"), Cmd(2, 1, "SSUBSCRIBE", "x"), Cmd(2, 1, "EXEC"),
                Cmd(2, 1, "MULTI"), Cmd(2, 1, "SUBSCRIBE", "x"), Cmd(2, 1, "EXEC"),
            ], resp3=resp3)

    def test_pubsub_subcommand_errors_and_help(self):
        self.compare([
            Cmd(0, 1, "PUBSUB", "HELP"),
            Cmd(0, 1, "PUBSUB", "help"),
            Cmd(0, 1, "PUBSUB", "FOO"),
            Cmd(0, 1, "PUBSUB"),
            Cmd(0, 1, "PUBSUB", "NUMPAT", "x"),
            Cmd(0, 1, "PUBSUB", "CHANNELS", "a", "b"),
            Cmd(0, 1, "PUBSUB", "SHARDCHANNELS", "a", "b"),
            Cmd(0, 1, "PUBLISH", "c"),
            Cmd(0, 1, "SUBSCRIBE"),
            Cmd(0, 1, "PSUBSCRIBE"),
            Cmd(0, 1, "SSUBSCRIBE"),
            Cmd(0, 1, "SPUBLISH", "a", "b", "c"),
        ])

    def test_confirmations_under_client_reply_off(self):
        # (Un)subscribe confirmations are pushes: CLIENT REPLY OFF and SKIP
        # keep them, and drop the other replies. (In RESP2 subscribed mode
        # CLIENT REPLY itself is refused, so the modes are set before.)
        for resp3 in (False, True):
            self.compare([
                Cmd(0, 0, "CLIENT", "REPLY", "SKIP"),
                Cmd(0, 2, "SUBSCRIBE", "a", "b"),
                Sorted(0, 2, "UNSUBSCRIBE"),
                Cmd(0, 1, "PING"),
                Cmd(0, 0, "CLIENT", "REPLY", "OFF"),
                Cmd(0, 1, "PSUBSCRIBE", "p*"),
                Cmd(0, 1, "SSUBSCRIBE", "s"),
                Cmd(0, 0, "SUBSCRIBE"),
                Cmd(1, 1, "PUBLISH", "pa", "m"),
                Read(0, 1),
                Cmd(0, 1, "PUNSUBSCRIBE"),
                Cmd(0, 1, "SUNSUBSCRIBE", "s"),
                Cmd(0, 0, "PING"),
                Cmd(0, 1, "CLIENT", "REPLY", "ON"),
                Cmd(0, 1, "PING"),
            ], resp3=resp3)

    def test_own_message_under_client_reply_off(self):
        # A RESP3 subscriber publishing to itself under OFF or SKIP gets the
        # message; only PUBLISH's count is dropped.
        self.compare([
            Cmd(0, 1, "SUBSCRIBE", "ch"),
            Cmd(0, 0, "CLIENT", "REPLY", "OFF"),
            Cmd(0, 1, "PUBLISH", "ch", "hi"),
            Cmd(0, 0, "CLIENT", "REPLY", "SKIP"),
            Cmd(0, 1, "PUBLISH", "ch", "ho"),
            Quiet(0),
            Cmd(0, 1, "CLIENT", "REPLY", "ON"),
            Cmd(0, 2, "PUBLISH", "ch", "on"),
        ], resp3=True)

    def test_client_list_names_refused_commands(self):
        # cmd= is the last command looked up, refused or not, and NULL after
        # an unknown command or subcommand.
        def cmd_field(text):
            return [f for f in text.decode().split(" ") if f.startswith("cmd=")]

        results = []
        for srv in (self.redis, self.larder):
            with srv.client() as a, srv.client() as b:
                a.send(encode_command("CLIENT", "SETNAME", "watched"))
                a.read_replies(1)
                seen = []
                for args in (("SUBSCRIBE", "c"), ("GET", "x"), ("PING",), ("NOSUCH",), ("GET",), ("CLIENT", "NOSUCH"),
                             ("CLIENT",), ("UNSUBSCRIBE",), ("SET", "k", "v"), ("CONFIG", "SET", "maxmemory", "1"),
                             ("CONFIG", "SET", "maxmemory", "0")):
                    a.send(encode_command(*args))
                    a.read_replies(1)
                    line = [ln for ln in b.call("CLIENT", "LIST").decode().splitlines() if "name=watched" in ln]
                    seen.append((args, cmd_field(line[0].encode()) if line else None))
                results.append(seen)
        self.assertEqual(results[1], results[0])

    def test_client_list_and_info_fields(self):
        def fields(text):
            kept = ("flags", "sub", "psub", "ssub", "cmd")
            # Sorted: with --threads ids need not follow the connection order.
            return sorted(" ".join(f for f in line.split(" ") if f.split("=")[0] in kept)
                          for line in text.decode().splitlines() if line)

        def info_counts(c):
            text = c.call("INFO", "stats").decode()
            return re.findall(r"^(pubsub\w*:\d+)", text, re.M)

        results = []
        for srv in (self.redis, self.larder):
            with srv.client() as a, srv.client() as b:
                a.send(encode_command("SUBSCRIBE", "x", "y"))
                a.read_replies(2)
                a.cmd("PSUBSCRIBE", "p*")
                a.cmd("SSUBSCRIBE", "s")
                b.cmd("SUBSCRIBE", "x")
                with srv.client() as c:
                    results.append((fields(c.call("CLIENT", "LIST", "TYPE", "pubsub")),
                                    fields(c.call("CLIENT", "LIST", "TYPE", "normal")),
                                    info_counts(c)))
        self.assertEqual(results[1], results[0])


if __name__ == "__main__":
    unittest.main()
