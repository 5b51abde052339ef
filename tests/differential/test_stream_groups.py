#!/usr/bin/python3
"""Differential: stream consumer groups (XGROUP, XREADGROUP, XACK, XPENDING,
XCLAIM, XAUTOCLAIM, XINFO GROUPS / CONSUMERS / STREAM FULL with entries-read
and lag) and blocking XREAD / XREADGROUP with several connections, against
redis-server 7.0, in RESP2 and RESP3, compared byte for byte.

Idle and delivery times are masked (they differ by the test's own timing);
a reader that "crashes" is a consumer that read and never acknowledged:
its entries are then found with XPENDING and taken over with XCLAIM and
XAUTOCLAIM, as a recovering worker does.
"""
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from larder_harness import decode  # noqa: E402
from sessions import Sleep, compare_sessions  # noqa: E402
from stream_diff import (Masked, StreamDiffBase, mask_consumers, mask_full,  # noqa: E402
                         mask_pending, mask_rax_nodes)
from test_blocking import blocked, client_id, recv, send, unblock  # noqa: E402


def fill(key, n, first=1):
    return [("XADD", key, "%d-1" % i, "f", str(i)) for i in range(first, first + n)]


class GroupsDiffCase(StreamDiffBase):

    def test_xgroup(self):
        self.check(fill("s", 3) + [
            ("XGROUP", "CREATE", "s", "g", "0"), ("XGROUP", "CREATE", "s", "g", "0"),
            ("XGROUP", "CREATE", "s", "g2", "$"), ("XGROUP", "CREATE", "s", "g3", "2-1", "ENTRIESREAD", "2"),
            ("XGROUP", "CREATE", "s", "g4", "2-1", "ENTRIESREAD", "-1"),
            ("XGROUP", "CREATE", "s", "g5", "2-1", "ENTRIESREAD", "-2"),
            ("XGROUP", "CREATE", "s", "g5", "2-1", "ENTRIESREAD", "x"),
            ("XGROUP", "CREATE", "s", "g5", "2-1", "ENTRIESREAD"), ("XGROUP", "CREATE", "s", "g5", "x"),
            ("XGROUP", "CREATE", "s", "g5", "-"), ("XGROUP", "CREATE", "s", "g5", "+"),
            ("XGROUP", "CREATE", "s", "g5", "5", "FOO"), ("XGROUP", "CREATE", "s", "g6", "5", "MKSTREAM"),
            ("XGROUP", "CREATE", "nokey", "g", "$"), ("XGROUP", "CREATE", "nokey", "g", "x", "MKSTREAM"),
            ("EXISTS", "nokey"), ("XGROUP", "CREATE", "nokey", "g", "$", "MKSTREAM"), ("TYPE", "nokey"),
            ("XLEN", "nokey"), ("SET", "str", "v"), ("XGROUP", "CREATE", "str", "g", "$"),
            ("XGROUP", "CREATE", "str", "g", "$", "MKSTREAM"),
            ("XGROUP", "CREATE", "s", "g7", "0", "MKSTREAM", "ENTRIESREAD", "1", "MKSTREAM"),
            ("XINFO", "GROUPS", "s"),
            ("XGROUP", "SETID", "s", "g", "2-1"), ("XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "3"),
            ("XGROUP", "SETID", "s", "g2", "0", "ENTRIESREAD", "-2"), ("XGROUP", "SETID", "s", "g2", "-"),
            ("XGROUP", "SETID", "s", "g3", "+"), ("XGROUP", "SETID", "s", "g3", "x"),
            ("XGROUP", "SETID", "s", "g3", "1", "FOO", "1"), ("XGROUP", "SETID", "s", "g3", "1", "ENTRIESREAD"),
            ("XGROUP", "SETID", "s", "nogroup", "1"), ("XGROUP", "SETID", "nokey2", "g", "1"),
            ("XINFO", "GROUPS", "s"),
            ("XGROUP", "CREATECONSUMER", "s", "g", "alice"), ("XGROUP", "CREATECONSUMER", "s", "g", "alice"),
            ("XGROUP", "CREATECONSUMER", "s", "nogroup", "alice"), ("XGROUP", "CREATECONSUMER", "nokey2", "g", "a"),
            ("XGROUP", "DELCONSUMER", "s", "g", "bob"), ("XGROUP", "DELCONSUMER", "s", "g", "alice"),
            ("XGROUP", "DELCONSUMER", "s", "nogroup", "alice"),
            ("XGROUP", "DESTROY", "s", "g2"), ("XGROUP", "DESTROY", "s", "g2"), ("XGROUP", "DESTROY", "nokey2", "g"),
            ("XGROUP", "DESTROY", "str", "g"), ("XINFO", "GROUPS", "s"),
            ("XGROUP", "HELP"), ("XGROUP", "FOO"), ("XGROUP", "CREATE", "s"), ("XGROUP", "DESTROY", "s", "g", "x"),
            ("XGROUP",), ("XGROUP", "HELP", "x"),
        ])

    def test_option_errors_before_lookups(self):
        # XGROUP SETID reads its options before the key and group, XINFO
        # STREAM the key before its options.
        self.check(fill("s", 2) + [
            ("SET", "str", "v"), ("XGROUP", "CREATE", "s", "g", "0"),
            ("XGROUP", "SETID", "nokey", "g", "$", "x"), ("XGROUP", "SETID", "nokey", "g", "0", "ENTRIESREAD", "-5"),
            ("XGROUP", "SETID", "nokey", "g", "0", "ENTRIESREAD", "x"), ("XGROUP", "SETID", "str", "g", "0", "FOO", "1"),
            ("XGROUP", "SETID", "s", "nog", "$", "x"), ("XGROUP", "SETID", "s", "g", "bad", "ENTRIESREAD", "x"),
            ("XGROUP", "SETID", "s", "g", "0", "MKSTREAM"),
            ("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "1", "ENTRIESREAD", "2"),
            ("XGROUP", "SETID", "nokey", "g", "0", "ENTRIESREAD", "1", "ENTRIESREAD", "2"),
            ("XINFO", "STREAM", "nokey", "x"), ("XINFO", "STREAM", "str", "x"),
            ("XINFO", "STREAM", "str", "FULL", "COUNT", "x"), ("XINFO", "STREAM", "s", "FULL", "COUNT", "x"),
            ("XINFO", "STREAM", "s", "x"),
        ])

    def test_xreadgroup_new_history_and_ack(self):
        self.check(fill("s", 10) + fill("t", 3) + [
            ("XGROUP", "CREATE", "s", "g", "0"), ("XGROUP", "CREATE", "t", "g", "$"),
            ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">"),
            ("XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", "t", ">", ">"),
            ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"),
            ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", "1-1"),
            ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "t", "0", "0"),
            ("XREADGROUP", "GROUP", "g", "carol", "NOACK", "COUNT", "2", "STREAMS", "s", ">"),
            ("XPENDING", "s", "g"), ("XACK", "s", "g", "1-1", "2-1", "99-1"), ("XACK", "s", "g", "1-1"),
            ("XACK", "s", "g", "x"), ("XACK", "s", "g", "3-1", "x"), ("XACK", "s", "nogroup", "3-1"),
            ("XACK", "nokey", "g", "x"), ("SET", "str", "v"), ("XACK", "str", "g", "1-1"), ("XPENDING", "s", "g"),
            ("XDEL", "s", "4-1"), ("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0"),
            ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"),
            ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"),
            ("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "10", "STREAMS", "s", "0"),
            ("XINFO", "GROUPS", "s"), Masked(mask_consumers, "XINFO", "CONSUMERS", "s", "g"),
            ("XINFO", "CONSUMERS", "s", "nogroup"), ("XINFO", "CONSUMERS", "nokey", "g"),
            ("XINFO", "GROUPS", "nokey"), ("XINFO", "GROUPS", "str"),
            Masked(mask_full, "XINFO", "STREAM", "s", "FULL"), Masked(mask_full, "XINFO", "STREAM", "s", "FULL", "COUNT", "2"),
            ("XGROUP", "SETID", "s", "g", "0"), ("XREADGROUP", "GROUP", "g", "dave", "COUNT", "2", "STREAMS", "s", ">"),
            Masked(mask_pending, "XPENDING", "s", "g", "-", "+", "100"), ("XGROUP", "DELCONSUMER", "s", "g", "dave"),
            ("XPENDING", "s", "g"),
        ])

    def test_xreadgroup_errors(self):
        self.check(fill("s", 3) + [
            ("XGROUP", "CREATE", "s", "g", "0"), ("SET", "str", "v"),
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"), ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s"),
            ("XREADGROUP", "GROUP", "nogroup", "c", "STREAMS", "s", ">"),
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "nokey", ">"),
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"),
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "x"),
            ("XREADGROUP", "COUNT", "1", "STREAMS", "s", ">"), ("XREADGROUP", "GROUP", "g", "STREAMS", "s", ">"),
            ("XREADGROUP", "GROUP", "g", "c", "COUNT", "x", "STREAMS", "s", ">"),
            ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "-1", "STREAMS", "s", ">"),
            ("XREADGROUP", "GROUP", "g", "c", "FOO", "STREAMS", "s", ">"),
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "s", ">", ">"),
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "-"),
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "18446744073709551615-18446744073709551615"),
            ("XINFO", "GROUPS", "s"),
        ])

    def test_xpending_forms(self):
        self.check(fill("s", 8) + [
            ("XGROUP", "CREATE", "s", "g", "0"), ("XPENDING", "s", "g"),
            ("XPENDING", "s", "g", "-", "+", "10"),
            ("XREADGROUP", "GROUP", "g", "a", "COUNT", "3", "STREAMS", "s", ">"),
            ("XREADGROUP", "GROUP", "g", "b", "COUNT", "3", "STREAMS", "s", ">"),
            ("XPENDING", "s", "g"),
            Masked(mask_pending, "XPENDING", "s", "g", "-", "+", "10"),
            Masked(mask_pending, "XPENDING", "s", "g", "-", "+", "2"),
            Masked(mask_pending, "XPENDING", "s", "g", "(2-1", "(5-1", "10"),
            Masked(mask_pending, "XPENDING", "s", "g", "3", "4", "10", "b"),
            Masked(mask_pending, "XPENDING", "s", "g", "-", "+", "10", "nobody"),
            Masked(mask_pending, "XPENDING", "s", "g", "IDLE", "0", "-", "+", "10"),
            Masked(mask_pending, "XPENDING", "s", "g", "IDLE", "100000", "-", "+", "10"),
            Masked(mask_pending, "XPENDING", "s", "g", "IDLE", "100000", "-", "+", "10", "a"),
            Masked(mask_pending, "XPENDING", "s", "g", "-", "+", "0"),
            Masked(mask_pending, "XPENDING", "s", "g", "-", "+", "-1"),
            ("XPENDING", "s", "g", "-", "+"), ("XPENDING", "s", "g", "-"), ("XPENDING", "s", "g", "x", "+", "1"),
            ("XPENDING", "s", "g", "-", "x", "1"), ("XPENDING", "s", "g", "-", "+", "x"),
            ("XPENDING", "s", "g", "IDLE", "x", "-", "+", "1"), ("XPENDING", "s", "g", "IDLE", "1", "-", "+"),
            ("XPENDING", "s", "g", "IDLE", "1", "-", "+", "1", "a", "b"),
            ("XPENDING", "s", "g", "(" + "18446744073709551615-18446744073709551615", "+", "1"),
            ("XPENDING", "s", "g", "-", "(0-0", "1"), ("XPENDING", "s", "nogroup"),
            ("XPENDING", "nokey", "g"), ("XPENDING", "nokey", "g", "x", "+", "1"), ("SET", "str", "v"),
            ("XPENDING", "str", "g"),
        ])

    def test_crashed_reader_recovered_with_xclaim(self):
        self.check(fill("s", 6) + [
            ("XGROUP", "CREATE", "s", "g", "0"),
            ("XREADGROUP", "GROUP", "g", "crashed", "COUNT", "4", "STREAMS", "s", ">"),
            ("XPENDING", "s", "g"),
            ("XCLAIM", "s", "g", "rescuer", "3600000", "1-1", "2-1"),
            ("XCLAIM", "s", "g", "rescuer", "0", "1-1", "2-1"), ("XPENDING", "s", "g"),
            Masked(mask_pending, "XPENDING", "s", "g", "-", "+", "10"),
            ("XCLAIM", "s", "g", "other", "0", "3-1", "JUSTID"),
            Masked(mask_pending, "XPENDING", "s", "g", "-", "+", "10"),
            ("XCLAIM", "s", "g", "other", "0", "4-1", "RETRYCOUNT", "7", "IDLE", "5000"),
            Masked(mask_pending, "XPENDING", "s", "g", "-", "+", "10"),
            Masked(mask_pending, "XPENDING", "s", "g", "IDLE", "4000", "-", "+", "10"),
            ("XCLAIM", "s", "g", "other", "0", "5-1"), ("XCLAIM", "s", "g", "other", "0", "5-1", "FORCE"),
            ("XCLAIM", "s", "g", "other", "0", "6-1", "FORCE", "JUSTID"),
            Masked(mask_pending, "XPENDING", "s", "g", "-", "+", "10"),
            ("XCLAIM", "s", "g", "other", "0", "99-1", "FORCE"),
            ("XDEL", "s", "1-1"), ("XCLAIM", "s", "g", "other", "0", "1-1", "2-1"), ("XPENDING", "s", "g"),
            ("XCLAIM", "s", "g", "other", "0", "2-1", "TIME", "1000"),
            ("XCLAIM", "s", "g", "other", "0", "2-1", "LASTID", "50-1"), ("XINFO", "GROUPS", "s"),
            ("XCLAIM", "s", "g", "other", "0", "2-1", "LASTID", "1-1"), ("XINFO", "GROUPS", "s"),
            ("XCLAIM", "s", "g", "other", "x", "2-1"), ("XCLAIM", "s", "g", "other", "0", "2-1", "IDLE", "x"),
            ("XCLAIM", "s", "g", "other", "0", "2-1", "TIME", "x"),
            ("XCLAIM", "s", "g", "other", "0", "2-1", "RETRYCOUNT", "x"),
            ("XCLAIM", "s", "g", "other", "0", "2-1", "LASTID", "x"),
            ("XCLAIM", "s", "g", "other", "0", "2-1", "FOO"), ("XCLAIM", "s", "g", "other", "0", "x"),
            ("XCLAIM", "s", "g", "other", "0", "2-1", "JUSTID", "3-1"), ("XCLAIM", "s", "g", "other", "0", "2-1", "IDLE"),
            ("XCLAIM", "s", "nogroup", "other", "0", "2-1"), ("XCLAIM", "nokey", "g", "other", "0", "2-1"),
            ("XCLAIM", "nokey", "g", "other", "x", "2-1"), ("SET", "str", "v"), ("XCLAIM", "str", "g", "c", "0", "1-1"),
            ("XCLAIM", "s", "g", "other", "-5", "3-1", "JUSTID"),
            Masked(mask_consumers, "XINFO", "CONSUMERS", "s", "g"), Masked(mask_full, "XINFO", "STREAM", "s", "FULL"),
        ])

    def test_crashed_reader_recovered_with_xautoclaim(self):
        self.check(fill("s", 30) + [
            ("XGROUP", "CREATE", "s", "g", "0"),
            ("XREADGROUP", "GROUP", "g", "crashed", "STREAMS", "s", ">"),
            ("XDEL", "s", "3-1", "4-1", "10-1"),
            ("XAUTOCLAIM", "s", "g", "rescuer", "3600000", "0"),
            ("XAUTOCLAIM", "s", "g", "rescuer", "0", "0", "COUNT", "5"),
            ("XAUTOCLAIM", "s", "g", "rescuer", "0", "0", "COUNT", "5", "JUSTID"),
            ("XAUTOCLAIM", "s", "g", "rescuer", "0", "(8-1", "COUNT", "3"),
            ("XAUTOCLAIM", "s", "g", "other", "0", "-", "COUNT", "2", "JUSTID"),
            ("XAUTOCLAIM", "s", "g", "other", "0", "25-1"), ("XAUTOCLAIM", "s", "g", "other", "0", "99-1"),
            ("XPENDING", "s", "g"), Masked(mask_pending, "XPENDING", "s", "g", "-", "+", "100"),
            ("XAUTOCLAIM", "s", "g", "other", "0", "0", "COUNT", "0"),
            ("XAUTOCLAIM", "s", "g", "other", "0", "0", "COUNT", "-1"),
            ("XAUTOCLAIM", "s", "g", "other", "0", "0", "COUNT", "x"),
            ("XAUTOCLAIM", "s", "g", "other", "0", "0", "COUNT", "9223372036854775807"),
            ("XAUTOCLAIM", "s", "g", "other", "0", "0", "COUNT"), ("XAUTOCLAIM", "s", "g", "other", "0", "0", "FOO"),
            ("XAUTOCLAIM", "s", "g", "other", "x", "0"), ("XAUTOCLAIM", "s", "g", "other", "0", "x"),
            ("XAUTOCLAIM", "s", "g", "other", "0", "(+"),
            ("XAUTOCLAIM", "s", "nogroup", "other", "0", "0"), ("XAUTOCLAIM", "nokey", "g", "other", "0", "0"),
            ("XAUTOCLAIM", "nokey", "g", "other", "0", "0", "FOO"), ("SET", "str", "v"),
            ("XAUTOCLAIM", "str", "g", "c", "0", "0"),
            ("XADD", "big", "1-1", "a", "b"), ("XGROUP", "CREATE", "big", "g", "0"),
        ] + fill("big", 40, 2) + [
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "big", ">"),
            ("XDEL", "big", *("%d-1" % i for i in range(1, 30))),
            ("XAUTOCLAIM", "big", "g", "d", "0", "0", "COUNT", "2"),
            ("XAUTOCLAIM", "big", "g", "d", "0", "0", "COUNT", "1"),
        ])

    def test_entries_read_and_lag(self):
        self.check(fill("s", 5) + [
            ("XGROUP", "CREATE", "s", "g1", "0"), ("XGROUP", "CREATE", "s", "g2", "$"),
            ("XGROUP", "CREATE", "s", "g3", "3-1"), ("XGROUP", "CREATE", "s", "g4", "0", "ENTRIESREAD", "2"),
            ("XINFO", "GROUPS", "s"),
            ("XREADGROUP", "GROUP", "g1", "c", "COUNT", "2", "STREAMS", "s", ">"),
            ("XREADGROUP", "GROUP", "g3", "c", "COUNT", "1", "STREAMS", "s", ">"),
            ("XREADGROUP", "GROUP", "g4", "c", "COUNT", "1", "STREAMS", "s", ">"), ("XINFO", "GROUPS", "s"),
            ("XDEL", "s", "4-1"), ("XINFO", "GROUPS", "s"),
            ("XREADGROUP", "GROUP", "g1", "c", "STREAMS", "s", ">"), ("XINFO", "GROUPS", "s"),
            ("XADD", "s", "6-1", "f", "v"), ("XINFO", "GROUPS", "s"),
            ("XDEL", "s", "1-1"), ("XINFO", "GROUPS", "s"),
            ("XREADGROUP", "GROUP", "g2", "c", "STREAMS", "s", ">"), ("XINFO", "GROUPS", "s"),
            ("XTRIM", "s", "MAXLEN", "1"), ("XINFO", "GROUPS", "s"),
            ("XGROUP", "SETID", "s", "g3", "0"), ("XINFO", "GROUPS", "s"),
            ("XGROUP", "SETID", "s", "g3", "6-1"), ("XINFO", "GROUPS", "s"),
            ("XSETID", "s", "6-1", "ENTRIESADDED", "50", "MAXDELETEDID", "2-1"), ("XINFO", "GROUPS", "s"),
            ("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"), ("XINFO", "GROUPS", "e"),
            ("XADD", "e", "1-1", "a", "b"), ("XINFO", "GROUPS", "e"), ("XDEL", "e", "1-1"), ("XINFO", "GROUPS", "e"),
            Masked(mask_full, "XINFO", "STREAM", "s", "FULL"), Masked(mask_rax_nodes, "XINFO", "STREAM", "s"),
        ])


    def test_random_operations(self):
        # Seeded random scripts over one stream and two groups: appends with
        # gaps and changing fields (new nodes, same/different master fields),
        # deletions, every trim form, reads by group and acknowledgements,
        # with the counters (XLEN, XINFO, lag, entries-read) checked after
        # each step. Time-free replies only (JUSTID, summaries).
        for seed in range(10):
            rng = random.Random(seed)
            script = [("XGROUP", "CREATE", "s", "g1", "0", "MKSTREAM"), ("XGROUP", "CREATE", "s", "g2", "$")]
            ms, ids = 1, []
            for _ in range(400):
                op = rng.random()
                if op < 0.55:
                    ms += rng.choice([0, 0, 1, 2, 50])
                    fields = rng.choice([["a", "1", "b", "x"], ["a", str(rng.randrange(10 ** 6)), "b", "y"],
                                         ["c", "z" * rng.randrange(1, 300)], ["a", "-5", "b", "007", "d", ""]])
                    script.append(("XADD", "s", "%d-*" % ms, *fields))
                    ids.append(ms)
                elif op < 0.65 and ids:
                    script.append(("XDEL", "s", *("%d-%d" % (rng.choice(ids), rng.randrange(3))
                                                  for _ in range(rng.randrange(1, 4)))))
                elif op < 0.7:
                    kind = rng.choice(["MAXLEN", "MINID"])
                    arg = str(rng.randrange(0, 300)) if kind == "MAXLEN" else "%d-0" % rng.randrange(1, ms + 2)
                    approx = rng.choice([["~"], ["="], []])
                    limit = ["LIMIT", str(rng.randrange(0, 300))] if approx == ["~"] and rng.random() < 0.5 else []
                    script.append(("XTRIM", "s", kind, *approx, arg, *limit))
                elif op < 0.82:
                    g = rng.choice(["g1", "g2"])
                    script.append(("XREADGROUP", "GROUP", g, rng.choice(["c1", "c2"]), "COUNT",
                                   str(rng.randrange(1, 30)), "STREAMS", "s", ">"))
                elif op < 0.88 and ids:
                    script.append(("XACK", "s", rng.choice(["g1", "g2"]),
                                   *("%d-%d" % (rng.choice(ids), rng.randrange(3)) for _ in range(5))))
                elif op < 0.91:
                    script.append(("XAUTOCLAIM", "s", rng.choice(["g1", "g2"]), "c3", "0", "0", "COUNT",
                                   str(rng.randrange(1, 20)), "JUSTID"))
                elif op < 0.93 and ids:
                    script.append(("XGROUP", "SETID", "s", rng.choice(["g1", "g2"]),
                                   "%d-0" % rng.choice(ids)))
                else:
                    a, b = sorted(rng.randrange(0, ms + 2) for _ in range(2))
                    script.append((rng.choice(["XRANGE", "XREVRANGE"]), "s",
                                   *(("%d" % a, "(%d-1" % b) if rng.random() < 0.5 else ("-", "+")),
                                   "COUNT", str(rng.randrange(1, 40))))
                script += [("XLEN", "s"), ("XINFO", "GROUPS", "s"), ("XPENDING", "s", "g1")]
            script += [Masked(mask_rax_nodes, "XINFO", "STREAM", "s"), ("XRANGE", "s", "-", "+")]
            self.check(script)


class GroupsResp2(GroupsDiffCase):
    PROTOCOL = 2


class GroupsResp3(GroupsDiffCase):
    PROTOCOL = 3


class BlockingStreamsDiff(StreamDiffBase):
    RESP3 = False

    def run_script(self, script, clients=3):
        compare_sessions(self, script, clients=clients, resp3=self.RESP3)

    def test_xread_wakeups(self):
        self.run_script([
            (0, "XADD", "a", "1-1", "f", "v"),
            send(1, "XREAD", "BLOCK", "0", "STREAMS", "a", "b", "$", "$"),
            blocked(1),
            send(2, "XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "b", "0"),
            blocked(2),
            (0, "XADD", "b", "5-1", "g", "1"),
            recv(1), recv(2),
            send(1, "XREAD", "BLOCK", "0", "STREAMS", "a", "1-1"),
            blocked(1),
            (0, "MULTI"), (0, "XADD", "a", "2-1", "f", "x"), (0, "XADD", "a", "3-1", "f", "y"), (0, "EXEC"),
            recv(1),
            send(1, "XREAD", "BLOCK", "0", "STREAMS", "a", "$"),
            blocked(1),
            (0, "DEL", "a"), (0, "SET", "a", "x"), (0, "DEL", "a"),
            (0, "XADD", "a", "1-1", "f", "too small"), (0, "XADD", "a", "9-1", "f", "again"),
            recv(1),
            send(1, "XREAD", "BLOCK", "0", "STREAMS", "a", "$"),
            send(2, "XREAD", "BLOCK", "0", "STREAMS", "a", "$"),
            blocked(2),
            (0, "XADD", "a", "10-2", "f", "both"),
            recv(1), recv(2),
            send(1, "XREAD", "BLOCK", "0", "STREAMS", "a", "15-0"),
            blocked(1),
            (0, "XADD", "a", "14-1", "f", "too early"),
            (0, "XADD", "a", "15-1", "f", "now"),
            recv(1),
            send(1, "XREAD", "BLOCK", "50", "STREAMS", "a", "$"), recv(1),
            (1, "MULTI"), (1, "XREAD", "BLOCK", "0", "STREAMS", "a", "$"), (1, "EXEC"),
            (0, "XADD", "w", "1-1", "f", "v"),
            send(1, "XREAD", "BLOCK", "0", "STREAMS", "w", "$"),
            blocked(1),
            (0, "XDEL", "w", "1-1"), (0, "XSETID", "w", "7-7"), (0, "XADD", "w", "8-1", "f", "v"),
            recv(1),
        ])

    def test_xreadgroup_wakeups_and_errors(self):
        self.run_script([
            (0, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
            send(1, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"),
            blocked(1),
            send(2, "XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">"),
            blocked(2),
            (0, "XADD", "s", "1-1", "f", "1"),
            recv(1),
            (0, "XADD", "s", "2-1", "f", "2"), (0, "XADD", "s", "3-1", "f", "3"),
            recv(2),
            (0, "XPENDING", "s", "g"),
            (0, "XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", ">"),
            send(1, "XREADGROUP", "GROUP", "g", "alice", "NOACK", "BLOCK", "0", "STREAMS", "s", ">"),
            blocked(1),
            (0, "XADD", "s", "4-1", "f", "4"),
            recv(1),
            (0, "XPENDING", "s", "g"),
            send(1, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"),
            blocked(1),
            (0, "XGROUP", "DESTROY", "s", "g"),
            recv(1),
            (0, "XGROUP", "CREATE", "s", "g", "$"),
            send(1, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"),
            blocked(1),
            (0, "DEL", "s"),
            recv(1),
            (0, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
            send(1, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"),
            blocked(1),
            (0, "SET", "s", "string now"),
            recv(1),
            (0, "DEL", "s"), (0, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
            send(1, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"),
            blocked(1),
            (0, "MULTI"), (0, "DEL", "s"), (0, "XADD", "s", "9-9", "f", "v"), (0, "EXEC"),
            recv(1),
            (0, "XGROUP", "CREATE", "s", "g", "$"),
            send(1, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "50", "STREAMS", "s", ">"), recv(1),
            (1, "MULTI"), (1, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"), (1, "EXEC"),
            send(1, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"),
            blocked(1),
            (0, "XGROUP", "SETID", "s", "g", "0"),
            (0, "XADD", "s", "10-1", "f", "v"),
            recv(1),
            send(1, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"),
            blocked(1),
            (0, "FLUSHDB"),
            recv(1),
            (0, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
            send(1, "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"),
            blocked(1),
            (0, "FLUSHALL"),
            recv(1),
        ])

    def test_unblock_and_timeouts(self):
        ids = {}
        self.run_script([
            client_id(1, ids), client_id(2, ids),
            send(1, "XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
            blocked(1),
            unblock(0, 1, ids), recv(1),
            (0, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"),
            send(2, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"),
            blocked(1),
            unblock(0, 2, ids, "ERROR"), recv(2),
            send(1, "XREAD", "BLOCK", "30", "STREAMS", "s", "$"),
            Sleep(0.1), recv(1),
            blocked(0),
            (0, "XADD", "s", "1-1", "f", "v"),
            (0, "XLEN", "s"),
        ])


class BlockingStreamsDiffResp3(BlockingStreamsDiff):
    RESP3 = True


del GroupsDiffCase

if __name__ == "__main__":
    unittest.main()
