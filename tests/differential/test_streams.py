#!/usr/bin/python3
"""Differential: the stream family without consumer groups (XADD, XLEN,
XRANGE, XREVRANGE, XDEL, XTRIM, XSETID, XREAD, XINFO STREAM, the key
commands on streams) against redis-server 7.0, in RESP2 and again after
HELLO 3 on both connections.

Entries carry explicit IDs wherever the reply shows them, so replies are
compared byte for byte; `*` and `ms-*` IDs are checked for their form and
order. XINFO STREAM's radix-tree-nodes (the count of Redis's rax nodes) is
masked: Larder keeps its nodes in another structure.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import decode  # noqa: E402
from stream_diff import Masked, StreamDiffBase, mask_rax_nodes  # noqa: E402

MAX = "18446744073709551615"


class StreamDiffCase(StreamDiffBase):
    # -- XADD -----------------------------------------------------------------

    def test_xadd_ids_and_errors(self):
        self.check([
            ("XADD", "s", "1-1", "a", "1"), ("XADD", "s", "1-1", "a", "1"), ("XADD", "s", "1-0", "a", "1"),
            ("XADD", "s", "1", "b", "2"), ("XADD", "s", "1-*", "c", "3"), ("XADD", "s", "2-*", "d", "4"),
            ("XADD", "s", "2-*", "d", "4"), ("XADD", "s", "1-*", "x", "y"), ("XADD", "s", "0-0", "a", "b"),
            ("XADD", "new", "0-0", "a", "b"), ("EXISTS", "new"), ("XADD", "new", "0-*", "a", "b"),
            ("XADD", "new", "0-1", "a", "b"), ("XADD", "new", "-", "a", "b"), ("XADD", "new", "+", "a", "b"),
            ("XADD", "new", "1-x", "a", "b"), ("XADD", "new", "x-1", "a", "b"), ("XADD", "new", "-1", "a", "b"),
            ("XADD", "new", "1--1", "a", "b"), ("XADD", "new", "18446744073709551616", "a", "b"),
            ("XADD", "new", "+5", "a", "b"), ("XADD", "new", "5-+6", "a", "b"), ("XADD", "new", " 7", "a", "b"),
            ("XADD", "new", "8-*-", "a", "b"), ("XADD", "new", "9-**", "a", "b"), ("XADD", "new", "", "a", "b"),
            ("XADD", "s", "3-1", "a"), ("XADD", "s", "3-1", "a", "b", "c"), ("XADD", "s", "3-1"),
            ("XADD", "s", "MAXLEN", "3-1", "a", "b"), ("XADD", "s"),
            ("XADD", "max", MAX + "-*", "a", "b"), ("XADD", "max", MAX + "-*", "a", "b"),
            ("XADD", "max2", MAX + "-" + MAX, "a", "b"), ("XADD", "max2", "*", "a", "b"),
            ("XADD", "max2", MAX + "-" + MAX, "a", "b"),
            ("XADD", "seq", "5-" + MAX, "a", "b"), ("XADD", "seq", "5-*", "a", "b"), ("XADD", "seq", "6-*", "a", "b"),
            ("XADD", "nomk", "NOMKSTREAM", "1-1", "a", "b"), ("EXISTS", "nomk"),
            ("XADD", "s", "NOMKSTREAM", "9-1", "a", "b"), ("XADD", "s", "nomkstream", "9-2", "a", "b"),
            ("SET", "str", "x"), ("XADD", "str", "1-1", "a", "b"), ("XADD", "str", "NOMKSTREAM", "1-1", "a", "b"),
            ("XRANGE", "s", "-", "+"), ("XLEN", "s"), ("XLEN", "nokey"), ("XLEN", "str"),
            ("TYPE", "s"), ("OBJECT", "ENCODING", "s"), ("XRANGE", "max", "-", "+"), ("XRANGE", "seq", "-", "+"),
            ("XADD", "bin", "1-1", "\x00\xff", "\r\n", "", ""), ("XRANGE", "bin", "-", "+"),
            ("XADD", "ints", "1-1", "1", "-1", "9223372036854775807", "-9223372036854775808", "007", "-0",
             "4611686018427387904", "-4611686018427387905", "12345678901234567890", "+1"),
            ("XADD", "ints", "1-2", "1", "-1", "9223372036854775807", "-9223372036854775808", "007", "-0",
             "4611686018427387904", "-4611686018427387905", "12345678901234567890", "+1"),
            ("XADD", "ints", "1-3", "1", "2"), ("XRANGE", "ints", "-", "+"),
        ])

    def test_xadd_auto_ids(self):
        # `*` takes the clock's ms, or last ms with seq + 1 when the clock is behind.
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                self.prelude(c)
                c.cmd("FLUSHALL")
                ids = [decode(c.cmd("XADD", "s", "*", "f", "v")) for _ in range(50)]
                parsed = [tuple(map(int, i.split(b"-"))) for i in ids]
                self.assertEqual(parsed, sorted(set(parsed)), srv)
                self.assertTrue(all(re.fullmatch(rb"\d{13}-\d+", i) for i in ids), (srv, ids))
                future = "%d-5" % (parsed[-1][0] + 100000)
                self.assertEqual(decode(c.cmd("XADD", "s", future, "f", "v")), future.encode())
                nxt = decode(c.cmd("XADD", "s", "*", "f", "v"))
                self.assertEqual(nxt, ("%d-6" % (parsed[-1][0] + 100000)).encode(), srv)

    def test_xadd_trimming(self):
        script = [("XADD", "s", "%d-1" % i, "f", str(i)) for i in range(1, 351)]
        script += [
            ("XLEN", "s"), ("XADD", "s", "MAXLEN", "~", "250", "400-1", "f", "v"), ("XLEN", "s"),
            ("XADD", "s", "MAXLEN", "=", "240", "401-1", "f", "v"), ("XLEN", "s"), ("XRANGE", "s", "-", "+", "COUNT", "3"),
            ("XADD", "s", "MAXLEN", "~", "10", "LIMIT", "100", "402-1", "f", "v"), ("XLEN", "s"),
            ("XADD", "s", "MAXLEN", "~", "10", "LIMIT", "99", "403-1", "f", "v"), ("XLEN", "s"),
            ("XADD", "s", "MINID", "~", "300", "404-1", "f", "v"), ("XLEN", "s"),
            ("XADD", "s", "MINID", "300-1", "405-1", "f", "v"), ("XLEN", "s"), ("XRANGE", "s", "-", "+", "COUNT", "2"),
            ("XADD", "s", "MINID", "=", "310", "406-1", "f", "v"), ("XLEN", "s"),
            ("XADD", "s", "MAXLEN", "0", "407-1", "f", "v"), ("XLEN", "s"), ("EXISTS", "s"),
            Masked(mask_rax_nodes, "XINFO", "STREAM", "s"),
            ("XADD", "s", "MAXLEN", "-1", "408-1", "f", "v"), ("XADD", "s", "MAXLEN", "x", "408-1", "f", "v"),
            ("XADD", "s", "MAXLEN", "1", "MINID", "1", "408-1", "f", "v"),
            ("XADD", "s", "MINID", "1", "MAXLEN", "1", "408-1", "f", "v"),
            ("XADD", "s", "MAXLEN", "1", "LIMIT", "5", "408-1", "f", "v"),
            ("XADD", "s", "LIMIT", "5", "408-1", "f", "v"), ("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "-1", "408-1", "f", "v"),
            ("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "x", "408-1", "f", "v"),
            ("XADD", "s", "MINID", "x", "408-1", "f", "v"), ("XADD", "s", "MINID", "-", "408-1", "f", "v"),
            ("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "0", "408-1", "f", "v"), ("XLEN", "s"),
            ("XADD", "s", "MAXLEN", "~", "~", "408-1", "f", "v"), ("XADD", "s", "MAXLEN", "=", "408-1", "f", "v"),
            ("XADD", "s", "MAXLEN"), ("XADD", "s", "MAXLEN", "1"),
        ]
        self.check(script)

    def test_node_boundaries_follow_redis(self):
        # Big values close nodes by bytes, many small ones by count; `~`
        # trimming removes whole nodes, so its results show the boundaries.
        script = []
        for i in range(1, 301):
            size = [1, 10, 60, 200, 900][i % 5]
            fields = ["f", "x" * size] if i % 7 else ["g", str(i), "h", "12345"]
            script.append(("XADD", "s", "%d-%d" % (i // 3, i), *fields))
        for n in (290, 250, 200, 120, 60, 5):
            script += [("XTRIM", "s", "MAXLEN", "~", str(n)), ("XLEN", "s"),
                       Masked(mask_rax_nodes, "XINFO", "STREAM", "s")]
        script += [("XDEL", "s", *("%d-%d" % (i // 3, i) for i in range(250, 280))),
                   Masked(mask_rax_nodes, "XINFO", "STREAM", "s")]
        script += [("XADD", "s", "%d-%d" % (200 + i, i), "f", "v" * i) for i in range(1, 60)]
        script += [("XTRIM", "s", "MINID", "~", "230"), ("XLEN", "s"), ("XRANGE", "s", "-", "+", "COUNT", "3"),
                   Masked(mask_rax_nodes, "XINFO", "STREAM", "s")]
        self.check(script)

    def test_restored_streams_keep_their_nodes(self):
        # Redis keeps a saved node as it is (deleted entries, boundaries made
        # under other limits): a restored stream trims `~` as the original.
        roundtrip = "return redis.call('restore', KEYS[2], 0, redis.call('dump', KEYS[1]))"
        script = [("XADD", "s", "%d-0" % i, "f", "v") for i in range(1, 151)]
        script += [("XDEL", "s", *("%d-0" % i for i in range(1, 61))),
                   ("EVAL", roundtrip, "2", "s", "r"),
                   Masked(mask_rax_nodes, "XINFO", "STREAM", "r"),
                   ("XTRIM", "r", "MAXLEN", "~", "50"), ("XLEN", "r"), ("XRANGE", "r", "-", "+", "COUNT", "1"),
                   ("CONFIG", "SET", "stream-node-max-entries", "2")]
        script += [("XADD", "t", "%d-0" % i, "f", "v") for i in range(1, 7)]
        script += [("CONFIG", "SET", "stream-node-max-entries", "100"),
                   ("EVAL", roundtrip, "2", "t", "u"),
                   Masked(mask_rax_nodes, "XINFO", "STREAM", "u"),
                   ("XTRIM", "u", "MAXLEN", "~", "2"), ("XLEN", "u"),
                   ("XADD", "u", "7-0", "f", "v"), Masked(mask_rax_nodes, "XINFO", "STREAM", "u")]
        self.check(script)

    def test_node_limits_follow_the_config(self):
        # stream-node-max-entries / -bytes close nodes (0: no limit), and `~`
        # trims at most 100 nodes' worth of entries without LIMIT.
        script = []
        for entries, size in (("2", "4096"), ("0", "200"), ("7", "0"), ("100", "4096")):
            script += [("DEL", "s"), ("CONFIG", "SET", "stream-node-max-entries", entries),
                       ("CONFIG", "SET", "stream-node-max-bytes", size)]
            script += [("XADD", "s", "%d-1" % i, "f", "v" * (i % 50)) for i in range(1, 80)]
            for n in ("70", "41", "9", "1"):
                script += [("XTRIM", "s", "MAXLEN", "~", n), ("XLEN", "s")]
            script += [("XADD", "s", "MAXLEN", "~", "0", "999-1", "f", "v"), ("XLEN", "s")]
        script += [("CONFIG", "SET", "stream-node-max-entries", "1"), ("DEL", "s")]
        script += [("XADD", "s", "%d-1" % i, "f", "v") for i in range(1, 230)]
        script += [("XTRIM", "s", "MAXLEN", "~", "0"), ("XLEN", "s")]
        # Over 127 entries a node's live and deleted counts take a byte more
        # in Redis's listpack, which moves the byte limit's split.
        for entries, size, value, n, deletes in (("0", "1441", "v", 130, False), ("0", "4096", "xxxx", 281, False),
                                                  ("300", "1441", "v", 130, True), ("0", "1500", "v", 150, True)):
            script += [("DEL", "s"), ("CONFIG", "SET", "stream-node-max-entries", entries),
                       ("CONFIG", "SET", "stream-node-max-bytes", size)]
            script += [("XADD", "s", "%d-1" % i, "f", value) for i in range(1, n // 2)]
            if deletes:
                script.append(("XDEL", "s", *("%d-1" % i for i in range(2, n // 2, 2))))
            script += [("XADD", "s", "%d-1" % i, "f", value) for i in range(n // 2, n + 1)]
            script += [Masked(mask_rax_nodes, "XINFO", "STREAM", "s"), ("XTRIM", "s", "MAXLEN", "~", "1"),
                       ("XLEN", "s")]
        script += [("CONFIG", "SET", "stream-node-max-entries", "100"),
                   ("CONFIG", "SET", "stream-node-max-bytes", "4096")]
        self.check(script)

    # -- XRANGE, XREVRANGE, XDEL, XTRIM ---------------------------------------------

    def test_limit_zero_and_nul_tokens(self):
        # Redis tests LIMIT's value before its presence; it reads $ and > as
        # C strings, so a NUL after them is ignored.
        self.check([
            ("XADD", "s", "LIMIT", "0", "1-1", "f", "v"), ("XTRIM", "s", "LIMIT", "0"),
            ("XADD", "s", "LIMIT", "1", "1-1", "f", "v"), ("XTRIM", "s", "LIMIT", "2"),
            ("XADD", "s", "1-1", "f", "v"), ("XGROUP", "CREATE", "s", "g", "$\x00"),
            ("XGROUP", "CREATE", "s", "g2", "0"), ("XGROUP", "SETID", "s", "g2", "$\x00x"),
            ("XINFO", "GROUPS", "s"), ("XREAD", "STREAMS", "s", "$\x00"), ("XREAD", "STREAMS", "s", ">\x00"),
            ("XGROUP", "CREATE", "s", "g3", "0"), ("XREADGROUP", "GROUP", "g3", "c", "STREAMS", "s", ">\x00"),
        ])

    def test_xrange_xrevrange(self):
        script = [("XADD", "s", "%d-%d" % (i // 4, i % 4), "f", str(i), "g", "x" * i) for i in range(1, 40)]
        for a, b in [("-", "+"), ("2", "5"), ("2-1", "5-2"), ("(2-1", "(5-2"), ("(2", "5"), ("-", "(3-0"),
                     ("(-", "+"), ("-", "(+"), ("(0-0", "+"), ("0", MAX), ("(" + MAX + "-" + MAX, "+"),
                     ("-", "(0-0"), ("5", "2"), ("x", "+"), ("-", "y"), ("(", "+"), ("((1", "+"), ("1-", "+"),
                     ("-1", "+"), (MAX + "1", "+"), ("3-18446744073709551616", "+")]:
            script += [("XRANGE", "s", a, b), ("XREVRANGE", "s", b, a)]
        script += [
            ("XRANGE", "s", "-", "+", "COUNT", "3"), ("XREVRANGE", "s", "+", "-", "COUNT", "3"),
            ("XRANGE", "s", "-", "+", "COUNT", "0"), ("XRANGE", "s", "-", "+", "COUNT", "-5"),
            ("XRANGE", "s", "-", "+", "COUNT", "x"), ("XRANGE", "s", "-", "+", "COUNT"),
            ("XRANGE", "s", "-", "+", "LIMIT", "1"), ("XRANGE", "s", "-", "+", "count", "2", "COUNT", "1"),
            ("XRANGE", "nokey", "-", "+"), ("XRANGE", "nokey", "-", "+", "COUNT", "0"),
            ("XRANGE", "nokey", "x", "+"), ("XREVRANGE", "nokey", "+", "-"),
            ("SET", "str", "v"), ("XRANGE", "str", "-", "+"), ("XRANGE", "str", "x", "+"), ("XREVRANGE", "str", "+", "-"),
            ("XRANGE", "s", "-"),
        ]
        self.check(script)

    def test_xdel_and_xtrim(self):
        script = [("XADD", "s", "%d-1" % i, "f", str(i)) for i in range(1, 251)]
        script += [
            ("XDEL", "s", "1-1", "2-1", "2-1", "999-1"), ("XLEN", "s"), ("XDEL", "s", "x"), ("XDEL", "s", "3-1", "x"),
            ("XLEN", "s"), ("XDEL", "s", "-"), ("XDEL", "s", "+"), ("XDEL", "s", "5"), ("XLEN", "s"),
            ("XDEL", "nokey", "1-1"), ("XDEL", "nokey", "x"), ("SET", "str", "v"), ("XDEL", "str", "1-1"),
            ("XDEL", "s", *("%d-1" % i for i in range(10, 110))), ("XLEN", "s"),
            ("XRANGE", "s", "-", "+", "COUNT", "5"), ("XREVRANGE", "s", "+", "-", "COUNT", "5"),
            Masked(mask_rax_nodes, "XINFO", "STREAM", "s"),
            ("XTRIM", "s", "MAXLEN", "100"), ("XLEN", "s"), ("XTRIM", "s", "MAXLEN", "~", "10"), ("XLEN", "s"),
            ("XTRIM", "s", "MINID", "200"), ("XLEN", "s"), ("XTRIM", "s", "MINID", "~", "240"), ("XLEN", "s"),
            ("XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "3"), ("XTRIM", "s", "MAXLEN", "=", "20"),
            ("XTRIM", "s", "MAXLEN", "20", "LIMIT", "3"), ("XTRIM", "s"), ("XTRIM", "s", "LIMIT", "3"),
            ("XTRIM", "s", "NOMKSTREAM", "MAXLEN", "1"), ("XTRIM", "s", "MAXLEN", "1", "extra"),
            ("XTRIM", "s", "MAXLEN", "-1"), ("XTRIM", "nokey", "MAXLEN", "1"), ("XTRIM", "str", "MAXLEN", "1"),
            ("XTRIM", "nokey", "MAXLEN", "x"), ("XTRIM", "s", "MINID", "+"), ("XTRIM", "s", "MAXLEN", "0"),
            ("XLEN", "s"), ("EXISTS", "s"), Masked(mask_rax_nodes, "XINFO", "STREAM", "s"),
            ("XDEL", "s", "1-1"), ("XADD", "s", "1-1", "a", "b"),
            ("XADD", "e", "5-5", "a", "1"), ("XDEL", "e", "5-5"), Masked(mask_rax_nodes, "XINFO", "STREAM", "e"),
            ("XADD", "e", "6-6", "a", "1"), ("XADD", "e", "7-7", "a", "1"), ("XDEL", "e", "7-7"),
            Masked(mask_rax_nodes, "XINFO", "STREAM", "e"), ("XDEL", "e", "6-6"),
            Masked(mask_rax_nodes, "XINFO", "STREAM", "e"),
        ]
        self.check(script)

    def test_xsetid(self):
        self.check([
            ("XADD", "s", "5-5", "a", "1"), ("XADD", "s", "6-6", "a", "1"), ("XSETID", "s", "6-5"),
            ("XSETID", "s", "6-6"), ("XSETID", "s", "10-1"), ("XADD", "s", "10-1", "a", "b"),
            ("XADD", "s", "10-*", "a", "b"), ("XSETID", "s", "x"), ("XSETID", "s", "-"), ("XSETID", "nokey", "1-1"),
            ("XSETID", "nokey", "x"), ("SET", "str", "v"), ("XSETID", "str", "1-1"),
            ("XSETID", "s", "20-0", "ENTRIESADDED", "1"), ("XSETID", "s", "20-0", "ENTRIESADDED", "-1"),
            ("XSETID", "s", "20-0", "ENTRIESADDED", "x"), ("XSETID", "s", "20-0", "ENTRIESADDED", "100"),
            ("XSETID", "s", "20-0", "MAXDELETEDID", "30-0"), ("XSETID", "s", "20-0", "MAXDELETEDID", "x"),
            ("XSETID", "s", "20-0", "MAXDELETEDID", "15-0"), ("XSETID", "s", "14-0"),
            ("XSETID", "s", "20-0", "ENTRIESADDED"), ("XSETID", "s", "20-0", "FOO", "1"),
            Masked(mask_rax_nodes, "XINFO", "STREAM", "s"),
            ("XDEL", "s", "5-5", "6-6", "10-1", "10-2"), ("XSETID", "s", "1-1"), ("XSETID", "s", "15-0"),
            ("XSETID", "s", "0-0"), Masked(mask_rax_nodes, "XINFO", "STREAM", "s"),
            ("XADD", "z", "MAXLEN", "0", "1-1", "a", "b"), ("XSETID", "z", "0-1"), ("XSETID", "z", "0-0"),
        ])

    # -- XREAD (non-blocking) ----------------------------------------------------

    def test_xread(self):
        script = [("XADD", "a", "%d-1" % i, "f", str(i)) for i in range(1, 6)]
        script += [("XADD", "b", "%d-2" % i, "g", str(i)) for i in range(3, 9)]
        script += [
            ("XREAD", "STREAMS", "a", "0"), ("XREAD", "STREAMS", "a", "b", "0", "0"),
            ("XREAD", "COUNT", "2", "STREAMS", "a", "b", "2", "5-2"), ("XREAD", "STREAMS", "a", "b", "5-1", "8-2"),
            ("XREAD", "STREAMS", "a", "b", "$", "$"), ("XREAD", "STREAMS", "a", "nokey", "3", "0"),
            ("XREAD", "STREAMS", "nokey", "$"), ("XREAD", "COUNT", "0", "STREAMS", "a", "4"),
            ("XREAD", "COUNT", "-3", "STREAMS", "a", "4"), ("XREAD", "COUNT", "x", "STREAMS", "a", "4"),
            ("XREAD", "STREAMS", "a"), ("XREAD", "STREAMS", "a", "b", "0"), ("XREAD", "STREAMS", "a", "x"),
            ("XREAD", "STREAMS", "a", "-"), ("XREAD", "STREAMS", "a", "+"), ("XREAD", "STREAMS", "a", ">"),
            ("XREAD", "GROUP", "g", "c", "STREAMS", "a", "0"), ("XREAD", "NOACK", "STREAMS", "a", "0"),
            ("XREAD", "COUNT", "1"), ("XREAD", "FOO", "STREAMS", "a", "0"), ("XREAD", "BLOCK", "x", "STREAMS", "a", "0"),
            ("XREAD", "BLOCK", "-1", "STREAMS", "a", "0"), ("XREAD", "BLOCK", "1.5", "STREAMS", "a", "0"),
            ("XREAD", "BLOCK", "0", "STREAMS", "a", "0"), ("XREAD", "BLOCK", "10", "STREAMS", "a", "$"),
            ("XREAD", "BLOCK", "10", "STREAMS", "nokey", "0"),
            ("SET", "str", "v"), ("XREAD", "STREAMS", "a", "str", "0", "0"), ("XREAD", "STREAMS", "str", "a", "x", "0"),
            ("XREAD", "STREAMS", "a", "0-" + MAX), ("XREAD", "STREAMS", "a", MAX + "-" + MAX),
            ("MULTI",), ("XREAD", "BLOCK", "0", "STREAMS", "a", "$"), ("XREAD", "BLOCK", "0", "STREAMS", "a", "0"),
            ("EXEC",),
            ("XDEL", "a", "5-1"), ("XREAD", "STREAMS", "a", "4-1"),
        ]
        self.check(script)

    # -- keys holding streams -------------------------------------------------

    def test_key_commands_on_streams(self):
        self.check([
            ("XADD", "s", "1-1", "a", "1"), ("XADD", "s", "2-1", "b", "2"), ("XGROUP", "CREATE", "s", "g", "0"),
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"),
            ("TYPE", "s"), ("OBJECT", "ENCODING", "s"), ("SCAN", "0", "TYPE", "stream"), ("SET", "str", "x"),
            ("SCAN", "0", "TYPE", "string"), ("COPY", "s", "t"), ("XRANGE", "t", "-", "+"),
            ("XINFO", "GROUPS", "t"), ("XPENDING", "t", "g"), ("XADD", "t", "3-1", "c", "3"), ("XLEN", "s"),
            ("XLEN", "t"), ("RENAME", "t", "u"), ("XRANGE", "u", "-", "+"), ("EXISTS", "t"),
            ("MOVE", "u", "1"), ("EXISTS", "u"), ("SELECT", "1"), ("XRANGE", "u", "-", "+"), ("SELECT", "0"),
            ("XDEL", "s", "1-1", "2-1"), ("EXISTS", "s"), ("XLEN", "s"), ("TYPE", "s"),
            ("DEL", "s"), ("EXISTS", "s"), ("LPUSH", "str2", "x"), ("XADD", "str2", "1-1", "a", "b"),
            ("XLEN", "str2"), ("XRANGE", "str2", "-", "+"), ("XINFO", "STREAM", "str2"),
        ])

    def test_memory_usage_grows_with_the_stream(self):
        with self.larder.client() as c:
            c.cmd("FLUSHALL")
            c.cmd("XADD", "s", "1-1", "f", "v")
            small = decode(c.cmd("MEMORY", "USAGE", "s"))
            for i in range(2, 2000):
                c.cmd("XADD", "s", "%d-1" % i, "f", "v%d" % i)
            big = decode(c.cmd("MEMORY", "USAGE", "s"))
            self.assertGreater(big, small + 2000 * 4)
            c.cmd("XTRIM", "s", "MAXLEN", "10")
            self.assertLess(decode(c.cmd("MEMORY", "USAGE", "s")), big // 10)

    def test_xinfo_stream(self):
        script = [("XADD", "s", "%d-1" % i, "f", str(i), "g", "v") for i in range(1, 30)]
        script += [
            Masked(mask_rax_nodes, "XINFO", "STREAM", "s"), Masked(mask_rax_nodes, "XINFO", "STREAM", "s", "FULL"),
            Masked(mask_rax_nodes, "XINFO", "STREAM", "s", "FULL", "COUNT", "3"),
            Masked(mask_rax_nodes, "XINFO", "STREAM", "s", "FULL", "COUNT", "0"),
            Masked(mask_rax_nodes, "XINFO", "STREAM", "s", "FULL", "COUNT", "-1"),
            ("XINFO", "STREAM", "s", "FULL", "COUNT", "x"), ("XINFO", "STREAM", "s", "FULL", "COUNT"),
            ("XINFO", "STREAM", "s", "FULL", "FOO", "1"), ("XINFO", "STREAM", "s", "PARTIAL"),
            ("XINFO", "STREAM", "nokey"), ("SET", "str", "v"), ("XINFO", "STREAM", "str"),
            ("XINFO", "STREAM"), ("XINFO", "HELP"), ("XINFO", "FOO"), ("XINFO",),
            ("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"), Masked(mask_rax_nodes, "XINFO", "STREAM", "e"),
            Masked(mask_rax_nodes, "XINFO", "STREAM", "e", "FULL"),
        ]
        self.check(script)


class StreamsResp2(StreamDiffCase):
    PROTOCOL = 2


class StreamsResp3(StreamDiffCase):
    PROTOCOL = 3


del StreamDiffCase

if __name__ == "__main__":
    unittest.main()
