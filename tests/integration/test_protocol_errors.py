#!/usr/bin/python3
"""Protocol errors: '-ERR Protocol error: ...' then that connection (only) is closed.

Differential: the exact error bytes are compared with what redis-server sends
for the same input.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, ClassServersMixin, start_larder, start_redis, \
    show  # noqa: E402

CASES = [
    ("bad multibulk length", b"*abc\r\n"),
    ("empty multibulk length", b"*\r\n"),
    ("multibulk length with plus sign", b"*+1\r\n"),
    ("multibulk length above INT_MAX", b"*3000000000\r\n"),
    ("multibulk length INT_MAX + 1", b"*2147483648\r\n"),
    ("negative bulk length", b"*1\r\n$-5\r\n"),
    ("null bulk inside request", b"*1\r\n$-1\r\n"),
    ("non numeric bulk length", b"*1\r\n$abc\r\n"),
    ("expected $ got f", b"*1\r\nfoo\r\n"),
    ("expected $ got :", b"*2\r\n$4\r\nPING\r\n:1\r\n"),
    ("bulk length above 512 MiB", b"*1\r\n$600000000\r\n"),
    ("bulk length 512 MiB + 1", b"*1\r\n$536870913\r\n"),
    ("inline line over 64 KiB without newline", b"A" * (70 * 1024)),
    ("multibulk count line over 64 KiB", b"*" + b"1" * (70 * 1024)),
    ("bulk count line over 64 KiB", b"*1\r\n$" + b"1" * (70 * 1024)),
    ("unbalanced double quote", b"SET \"a b\r\n"),
    ("unbalanced single quote", b"SET 'a b\r\n"),
    ("closing quote followed by char", b"SET \"a\"b c\r\n"),
]

def error_and_close(srv, payload):
    """Send payload on a fresh connection; return (bytes received, closed?)."""
    with srv.client() as c:
        try:
            c.send(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        closed = c.is_closed(timeout=2.0)
        data = bytes(c.buf)
    return data, closed


class ProtocolErrorTest(ClassServersMixin, ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = cls.start_class_server(start_redis())
        cls.larder = cls.start_class_server(start_larder())

    @classmethod
    def tearDownClass(cls):
        cls.stop_class_servers()

    def check_case(self, name, payload, reference_payload=None):
        # A bystander connection, opened before the bad one, with some data.
        with self.larder.client() as bystander:
            key = "bystander:" + name
            self.assertEqual(bystander.cmd("SET", key, "intact"), b"+OK\r\n")
            expected, redis_closed = error_and_close(self.redis, reference_payload or payload)
            self.assertTrue(expected.startswith(b"-ERR Protocol error: "),
                            "test bug: redis replied %r" % expected)
            self.assertTrue(redis_closed, "test bug: redis kept the connection open")
            got, closed = error_and_close(self.larder, payload)
            self.assertEqual(got, expected,
                             "%s: input %s\n  redis : %s\n  larder: %s"
                             % (name, show(payload[:60]), show(expected), show(got)))
            self.assertTrue(closed, "%s: Larder did not close the connection after %r"
                            % (name, got))
            self.assertEqual(bystander.cmd("PING"), b"+PONG\r\n")
            self.assertEqual(bystander.cmd("GET", key), b"$6\r\nintact\r\n")
            self.assertEqual(bystander.cmd("DEL", key), b":1\r\n")

    def test_protocol_errors(self):
        for name, payload in CASES:
            with self.subTest(name):
                self.check_case(name, payload)

    def test_protocol_error_after_valid_commands(self):
        # Replies for the commands before the bad bytes arrive first.
        payload = b"*1\r\n$4\r\nPING\r\nPING\r\n*1\r\n$-5\r\n"
        expected, closed = error_and_close(self.redis, payload)
        self.assertTrue(closed)
        got, closed = error_and_close(self.larder, payload)
        self.assertEqual(got, expected)
        self.assertTrue(closed)

    def test_commands_after_error_not_executed(self):
        payload = b"*1\r\nfoo\r\n*3\r\n$3\r\nSET\r\n$5\r\nghost\r\n$1\r\n1\r\n"
        got, closed = error_and_close(self.larder, payload)
        self.assertTrue(closed)
        self.assertEqual(got, b"-ERR Protocol error: expected '$', got 'f'\r\n")
        with self.larder.client() as c:
            self.assertEqual(c.cmd("EXISTS", "ghost"), b":0\r\n")

    def test_many_bad_connections_server_survives(self):
        for i in range(50):
            got, closed = error_and_close(self.larder, b"*1\r\n$-5\r\n")
            self.assertTrue(closed)
            self.assertEqual(got, b"-ERR Protocol error: invalid bulk length\r\n")
        with self.larder.client() as c:
            self.assertEqual(c.cmd("PING"), b"+PONG\r\n")


if __name__ == "__main__":
    unittest.main()
