#!/usr/bin/python3
"""Differential: SORT and SORT_RO against redis-server 7.0, in RESP2 and
RESP3, on lists, sets (intset and hashtable) and sorted sets: numeric and
ALPHA orders, BY patterns (string keys and hash fields, nosort), LIMIT, GET
("#", patterns, hash fields), STORE and the errors. Sets in hash order
(BY nosort without STORE) are not compared: Redis's order is its hash
table's."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ProtocolDiffTestCase  # noqa: E402


class SortDiffCase(ProtocolDiffTestCase):

    def data(self):
        return [
            ("RPUSH", "l", "3", "1", "2", "10", "-5", "2.5", "1e2"),
            ("RPUSH", "words", "pear", "apple", "fig", "banana", "Apple", ""),
            ("SADD", "si", "5", "3", "9", "-1", "100"), ("SADD", "sw", "b", "a", "d", "c"),
            ("ZADD", "z", "3", "c", "1", "a", "2", "b", "5", "e", "4", "d"),
            ("MSET", "w_3", "30", "w_1", "10", "w_2", "25", "w_10", "5", "w_-5", "7", "w_2.5", "1", "w_1e2", "99"),
            ("MSET", "n_3", "three", "n_1", "one", "n_2", "two", "n_10", "ten"),
            ("HSET", "h_a", "w", "5", "name", "A"), ("HSET", "h_b", "w", "3", "name", "B"),
            ("HSET", "h_c", "w", "9"), ("HSET", "h_d", "w", "1", "name", "D"), ("SET", "h_e", "str"),
        ]

    def test_orders(self):
        self.check(self.data() + [
            ("SORT", "l"), ("SORT", "l", "DESC"), ("SORT", "l", "ASC"), ("SORT", "l", "ALPHA"),
            ("SORT", "l", "ALPHA", "DESC"), ("SORT", "words", "ALPHA"), ("SORT", "words"), ("SORT", "words", "ALPHA", "desc"),
            ("SORT", "si"), ("SORT", "si", "DESC"), ("SORT", "si", "ALPHA"), ("SORT", "sw", "ALPHA"), ("SORT", "sw"),
            ("SORT", "z"), ("SORT", "z", "ALPHA", "DESC"), ("SORT", "nokey"), ("SORT", "nokey", "ALPHA"),
            ("SORT_RO", "l"), ("SORT_RO", "z", "ALPHA"), ("SORT", "l", "LIMIT", "1", "3"), ("SORT", "l", "LIMIT", "-1", "2"),
            ("SORT", "l", "LIMIT", "2", "-1"), ("SORT", "l", "LIMIT", "100", "2"), ("SORT", "l", "LIMIT", "0", "0"),
            ("SORT", "l", "LIMIT", "6", "5"), ("SORT", "z", "LIMIT", "1", "2", "DESC", "ALPHA"),
            ("SORT", "l", "LIMIT", "2", "9223372036854775807"), ("SORT", "l", "LIMIT", "9223372036854775807", "1"),
            ("SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"),
            ("SORT", "l", "LIMIT", "-9223372036854775808", "-9223372036854775808"),
            ("SORT", "l", "BY", "nosort", "LIMIT", "2", "9223372036854775807"),
            ("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "9223372036854775807"),
            ("SORT", "l", "BY", "w_*", "LIMIT", "3", "9223372036854775806"),
        ])

    def test_by_and_get(self):
        self.check(self.data() + [
            ("SORT", "l", "BY", "w_*"), ("SORT", "l", "BY", "w_*", "DESC"), ("SORT", "l", "BY", "w_*", "GET", "n_*"),
            ("SORT", "l", "BY", "w_*", "GET", "#", "GET", "n_*", "GET", "w_*"), ("SORT", "l", "BY", "n_*", "ALPHA"),
            ("SORT", "l", "BY", "n_*", "ALPHA", "DESC", "GET", "#"), ("SORT", "l", "BY", "missing_*"),
            ("SORT", "l", "BY", "nosort"), ("SORT", "l", "BY", "nosort", "DESC"), ("SORT", "l", "BY", "nosort", "LIMIT", "2", "3"),
            ("SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"), ("SORT", "z", "BY", "nosort"),
            ("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "3"), ("SORT", "z", "BY", "nosort", "LIMIT", "3", "10"),
            ("SORT", "sw", "BY", "h_*->w"), ("SORT", "sw", "BY", "h_*->w", "GET", "h_*->name", "GET", "#"),
            ("SORT", "sw", "BY", "h_*->w", "DESC", "GET", "h_*->missing"), ("SORT", "sw", "BY", "h_*->name", "ALPHA"),
            ("SORT", "sw", "BY", "h_*->w", "LIMIT", "1", "2"), ("SORT", "z", "BY", "h_*->w", "GET", "h_*"),
            ("SORT", "z", "BY", "w_*", "GET", "nostar"), ("SORT", "z", "GET", "h_*->"), ("SORT", "z", "BY", "h_*->"),
            ("SORT", "l", "GET", "w_*", "LIMIT", "0", "3"), ("SORT", "si", "BY", "nosort", "STORE", "dst"),
            ("LRANGE", "dst", "0", "-1"), ("SORT", "sw", "BY", "nosort", "GET", "h_*->w", "STORE", "dst"),
            ("LRANGE", "dst", "0", "-1"),
        ])

    def test_limit_among_equal_alpha_weights(self):
        # With BY and a LIMIT short of the whole Redis sorts with pqsort:
        # which of the equal weights come first shows (7 elements and more).
        script = [("RPUSH", "l7", *"abcdefg"), ("MSET", *[x for c in "abcdefg" for x in ("e_" + c, "1")])]
        script += [("RPUSH", "l50", *("m%02d" % i for i in range(50)))]
        script += [("SET", "e_m%02d" % i, "w%d" % (i % 3)) for i in range(0, 50, 2)]
        for key in ("l7", "l50"):
            for by in ("nokey_*", "e_*"):
                for limit in (("0", "1"), ("1", "3"), ("2", "20"), ("0", "-1"), ("5", "0")):
                    script.append(("SORT", key, "BY", by, "ALPHA", "LIMIT", *limit))
                    script.append(("SORT", key, "BY", by, "ALPHA", "DESC", "LIMIT", *limit))
            script += [("SORT", key, "BY", "e_*", "ALPHA", "LIMIT", "1", "4", "STORE", "dst"),
                       ("LRANGE", "dst", "0", "-1")]
        # A BY without '*' keeps the value's order, whatever BY follows.
        script += [("SORT", "l7", "BY", "nosort", "BY", "e_*"), ("SORT", "l7", "BY", "e_*", "BY", "nosort")]
        self.check(self.data() + script)

    def test_store_and_errors(self):
        self.check(self.data() + [
            ("SORT", "l", "STORE", "dst"), ("LRANGE", "dst", "0", "-1"), ("TYPE", "dst"),
            ("SORT", "l", "BY", "w_*", "GET", "n_*", "STORE", "dst"), ("LRANGE", "dst", "0", "-1"),
            ("SET", "strdst", "x", "EX", "100"), ("SORT", "z", "STORE", "strdst"), ("TYPE", "strdst"), ("TTL", "strdst"),
            ("SORT", "nokey", "STORE", "dst"), ("EXISTS", "dst"), ("SORT", "l", "LIMIT", "0", "0", "STORE", "dst"),
            ("SORT", "l", "STORE", "l"), ("LRANGE", "l", "0", "-1"), ("SORT", "l", "STORE", "a", "STORE", "b"),
            ("EXISTS", "a", "b"), ("SORT_RO", "l", "STORE", "x"), ("SORT", "words"), ("SORT", "l", "BY", "n_*"),
            ("SORT", "l", "LIMIT", "1"), ("SORT", "l", "LIMIT", "x", "1"), ("SORT", "l", "LIMIT", "1", "y"),
            ("SORT", "l", "FOO"), ("SORT", "l", "BY"), ("SORT", "l", "GET"), ("SORT", "l", "STORE"),
            # Before any ERANGE: Redis tests errno after strtod() without
            # clearing it, so an earlier overflow leaks into later sorts.
            ("RPUSH", "emptystr", "", "3"), ("SORT", "emptystr"), ("RPUSH", "hex", "0x10", "1", "inf"), ("SORT", "hex"),
            ("SORT", "h_e"), ("SORT", "h_a"), ("SORT", "h_e", "FOO"), ("RPUSH", "bad", "1", "nan"), ("SORT", "bad"),
            ("RPUSH", "big", "1e400", "1"), ("SORT", "big"), ("RPUSH", "ws", " 5", "4 "), ("SORT", "ws"),
            ("SORT",), ("SORT_RO",),
            ("COMMAND", "GETKEYS", "SORT", "l", "BY", "x", "STORE", "d", "LIMIT", "0", "1", "STORE", "e"),
            ("COMMAND", "GETKEYSANDFLAGS", "SORT", "l", "STORE", "d"), ("COMMAND", "GETKEYSANDFLAGS", "SORT_RO", "l", "GET", "x"),
            ("COMMAND", "GETKEYSANDFLAGS", "BITFIELD", "k", "GET", "u8", "0"),
            ("COMMAND", "GETKEYSANDFLAGS", "BITFIELD", "k", "GET", "u8", "0", "INCRBY", "u8", "0", "1"),
        ])

    def test_sets_in_scripts(self):
        # A script sees a set sorted by its elements where it asked for no sort.
        body = "return redis.call('SORT', KEYS[1], unpack(ARGV))"
        self.check([("SADD", "s", "5", "-12", "11", "4", "16"), ("SADD", "w", "b", "a", "c"),
                    ("EVAL", body, "1", "s", "BY", "nosort"), ("EVAL", body, "1", "s", "BY", "nosort", "DESC"),
                    ("EVAL", body, "1", "s", "BY", "nokey", "LIMIT", "0", "2"), ("EVAL", body, "1", "w", "BY", "nosort"),
                    ("EVAL", "return redis.call('SORT_RO', KEYS[1], 'BY', 'nosort')", "1", "s"),
                    ("EVAL", body, "1", "s", "BY", "nosort", "STORE", "d"), ("LRANGE", "d", "0", "-1")])


class SortResp2(SortDiffCase):
    PROTOCOL = 2


class SortResp3(SortDiffCase):
    PROTOCOL = 3


del SortDiffCase

if __name__ == "__main__":
    unittest.main()
