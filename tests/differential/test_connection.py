#!/usr/bin/python3
"""Differential: HELLO, AUTH, SELECT, RESET, PING/ECHO in RESP2 and RESP3.

The connection id in HELLO's reply differs between servers; only that field
is normalised."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, start_larder, start_redis  # noqa: E402
from sessions import compare_sessions  # noqa: E402

_ID = re.compile(rb"\$2\r\nid\r\n:\d+\r\n")


def normalise_id(args, reply):
    if str(args[0]).lower() == "hello":
        return _ID.sub(b"$2\r\nid\r\n:<id>\r\n", reply)
    return reply


class ConnectionTest(DifferentialTestCase):
    def both(self, script, clients=1):
        compare_sessions(self, script, clients=clients, resp3=False, normalise=normalise_id)
        compare_sessions(self, script, clients=clients, resp3=True, normalise=normalise_id)

    def test_normaliser_touches_only_id(self):
        r = b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$2\r\nid\r\n:12\r\n$4\r\nmode\r\n"
        self.assertEqual(normalise_id(("HELLO",), r),
                         b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$2\r\nid\r\n:<id>\r\n$4\r\nmode\r\n")
        self.assertEqual(normalise_id(("GET",), r), r)

    def test_hello_variants(self):
        self.both([
            (0, "HELLO"), (0, "HELLO", "2"), (0, "HELLO", "3"), (0, "HELLO"), (0, "HELLO", "2"),
            (0, "HELLO", "1"), (0, "HELLO", "4"), (0, "HELLO", "0"), (0, "HELLO", "-1"),
            (0, "HELLO", "x"), (0, "HELLO", "3.0"), (0, "HELLO", ""), (0, "HELLO", "99999999999999999999"),
            (0, "HELLO", "3", "SETNAME"), (0, "HELLO", "3", "FOO"), (0, "HELLO", "3", "AUTH", "default"),
            (0, "HELLO", "3", "SETNAME", "a b"), (0, "HELLO", "3", "SETNAME", "a\nb"),
            (0, "HELLO", "3", "SETNAME", "myname"), (0, "CLIENT", "GETNAME"),
            (0, "HELLO", "2", "setname", "n1", "setname", "n2"), (0, "CLIENT", "GETNAME"),
            (0, "HELLO", "3", "AUTH", "default", "anything"),
            (0, "HELLO", "3", "AUTH", "nouser", "pw"),
            (0, "HELLO", "3", "AUTH", "default", "pw", "SETNAME", "z"), (0, "CLIENT", "GETNAME"),
            (0, "hello", "2", "auth", "default", "pw", "setname", "q", "extra"),
            (0, "HELLO", "2"), (0, "PING"),
        ])

    def test_auth_without_requirepass(self):
        self.both([
            (0, "AUTH"), (0, "AUTH", "pw"), (0, "AUTH", "default", "pw"), (0, "AUTH", "nouser", "pw"),
            (0, "AUTH", "a", "b", "c"), (0, "AUTH", ""), (0, "auth", "default", ""), (0, "PING"),
        ])

    def test_select(self):
        self.both([
            (0, "SELECT", "0"), (0, "SELECT", "15"), (0, "SET", "k", "15"), (0, "SELECT", "16"),
            (0, "GET", "k"), (0, "SELECT", "-1"), (0, "SELECT", "x"), (0, "SELECT", ""),
            (0, "SELECT", "1.5"), (0, "SELECT", "99999999999"), (0, "SELECT", "-99999999999"),
            (0, "SELECT", "2147483648"), (0, "SELECT", "99999999999999999999"),
            (0, "SELECT"), (0, "SELECT", "1", "2"), (0, "GET", "k"), (0, "SELECT", "0"), (0, "GET", "k"),
            (0, "SELECT", " 1"), (0, "SELECT", "01"), (0, "GET", "k"),
        ])

    def test_reset(self):
        self.both([
            (0, "SELECT", "3"), (0, "SET", "k", "v"), (0, "CLIENT", "SETNAME", "nm"),
            (0, "MULTI"), (0, "SET", "x", "y"), (0, "RESET"), (0, "GET", "k"), (0, "CLIENT", "GETNAME"),
            (0, "EXEC"), (0, "GET", "x"), (0, "SELECT", "3"), (0, "GET", "k"),
            (0, "RESET", "x"), (0, "reset"), (0, "HELLO", "3"), (0, "RESET"), (0, "PING"), (0, "GET", "nope"),
        ])

    def test_ping_echo(self):
        self.both([
            (0, "PING"), (0, "PING", "hi"), (0, "PING", ""), (0, "PING", "a", "b"),
            (0, "ECHO", "x"), (0, "ECHO", ""), (0, "ECHO"), (0, "ECHO", b"\x00\r\n"),
            (0, "GET", "nope"), (0, "SET", "n", "1"), (0, "INCR", "n"), (0, "QUIT"),
        ])


class RequirePassTest(DifferentialTestCase):
    """Both servers started with --requirepass s3cret."""

    @classmethod
    def setUpClass(cls):
        cls.redis = cls.start_class_server(start_redis("--requirepass", "s3cret"))
        try:
            cls.larder = cls.start_class_server(start_larder("--requirepass", "s3cret"))
        except BaseException:
            cls.stop_class_servers()
            raise

    def both(self, script):
        compare_sessions(self, script, clients=2, flush=False, normalise=normalise_id)

    def test_noauth_gating(self):
        self.both([
            (0, "PING"), (0, "GET", "k"), (0, "SET", "k", "v"), (0, "SELECT", "1"),
            (0, "CLIENT", "ID"), (0, "CONFIG", "GET", "port"), (0, "MULTI"), (0, "EXEC"),
            (0, "NOSUCH"), (0, "GET"), (0, "ECHO", "x"),
            (0, "HELLO", "3"), (0, "HELLO"), (0, "HELLO", "2", "SETNAME", "x"),
            (0, "HELLO", "9"),
            (0, "AUTH", "wrong"), (0, "AUTH", "default", "wrong"), (0, "AUTH", "other", "s3cret"),
            (0, "AUTH", "a", "b", "c"), (0, "PING"),
            (0, "AUTH", "s3cret"), (0, "PING"), (0, "SET", "k", "v"), (0, "GET", "k"),
            (1, "GET", "k"), (1, "AUTH", "default", "s3cret"), (1, "GET", "k"),
            (1, "RESET"), (1, "GET", "k"), (1, "HELLO", "2", "AUTH", "default", "bad"),
            (1, "GET", "k"), (1, "HELLO", "2", "AUTH", "default", "s3cret"), (1, "GET", "k"),
            (0, "AUTH", "wrong"), (0, "GET", "k"), (0, "DEL", "k"), (0, "QUIT"),
        ])

    def test_hello_options_take_effect_in_order(self):
        # Each option applies as HELLO reads it: a bad option later does not
        # undo an AUTH or SETNAME before it.
        self.both([
            (0, "HELLO", "2", "SETNAME", "early", "BADOPT"), (0, "PING"),
            (0, "HELLO", "2", "AUTH", "default", "s3cret", "BADOPT"), (0, "PING"), (0, "CLIENT", "GETNAME"),
            (0, "HELLO", "2", "AUTH", "x", "default", "str"), (0, "PING"),
            (0, "HELLO", "2", "SETNAME", "a b", "AUTH", "default", "s3cret"),
            (1, "HELLO", "2", "AUTH", "default", "bad", "SETNAME", "late"), (1, "AUTH", "s3cret"),
            (1, "CLIENT", "GETNAME"), (1, "CLIENT", "LIST", "TYPE", "normal", "x"),
            (1, "CLIENT", "LIST", "TYPE", "bogus", "x"), (1, "CLIENT", "LIST", "TYPE", "normal", "TYPE", "pubsub"),
            (1, "CLIENT", "LIST", "TYPE", "normal", "ID", "1"), (1, "CLIENT", "LIST", "ID", "1", "TYPE", "normal"),
        ])

    def test_multi_before_auth(self):
        self.both([
            (0, "MULTI"), (0, "AUTH", "s3cret"), (0, "MULTI"), (0, "SET", "a", "1"), (0, "EXEC"),
            (0, "DEL", "a"),
        ])


if __name__ == "__main__":
    unittest.main()
