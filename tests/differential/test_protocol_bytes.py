#!/usr/bin/python3
"""Differential: raw request bytes that Redis 7.0 treats in a particular way
(array sizes up to INT_MAX, over-long lines, NUL bytes hiding a line's end).
Each payload is sent at once on a fresh connection to redis-server and to
Larder; the bytes received until the server closes the connection must be
equal. Every payload ends in a way that makes Redis close the connection, so
"no reply" is checked without waiting for a timeout.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, ClassServersMixin, start_larder, start_redis, show  # noqa: E402

# Pushes a connection past Redis's 64 KiB limit for a line without its end.
OVERFLOW = b"Z" * (70 * 1024)
# A protocol error on a line Redis can see: the connection is closed.
CLOSE = b"*1\r\n$-1\r\n"


def dels(n):
    """DEL with n one-byte keys, as one array of n + 1 elements."""
    return b"*%d\r\n$3\r\nDEL\r\n" % (n + 1) + b"$1\r\nk\r\n" * n


CASES = [
    # Redis accepts up to INT_MAX elements (refuses the next with an error).
    ("array of 1048577 elements", dels(1048576) + CLOSE),
    ("array declaring INT_MAX elements", b"*2147483647\r\n$4\r\nPING\r\n:1\r\n"),
    ("array declaring INT_MAX + 1 elements", b"*2147483648\r\n"),
    # Lines whose end lies beyond what Redis reads before refusing them (a
    # first line ending within 80 KiB, or a bulk length line within 150 KB, is
    # accepted by Redis or not depending on how its reads split the bytes).
    ("100 KB inline line", b"A" * 100000 + b"\r\n"),
    ("100 KB multibulk count line", b"*" + b"1" * 100000 + b"\r\n"),
    ("300 KB bulk count line", b"*1\r\n$" + b"1" * 300000 + b"\r\n"),
    ("60 KB inline line is a command", b"ECHO " + b"x" * 60000 + b"\r\n" + CLOSE),
    # A NUL before the line end hides it: no reply until the buffer overflows.
    ("NUL in multibulk count line", b"*1\x00\r\n$4\r\nPING\r\n" + OVERFLOW),
    ("NUL in bulk count line", b"*1\r\n$3\x00\r\nGET\r\n" + OVERFLOW),
    ("NUL in inline command", b"PING\x00\r\nPING\r\n" + OVERFLOW),
    ("NUL in inline argument", b"ECHO a\x00b\r\n" + OVERFLOW),
    ("NUL line after a command", b"PING\r\n*3\x00\r\n" + OVERFLOW),
    ("NUL in bulk payload is data", b"*2\r\n$4\r\nECHO\r\n$3\r\na\x00b\r\n" + CLOSE),
    # An HTTP request (Cross Protocol Scripting): closed at POST or Host:,
    # the replies not yet sent dropped.
    ("HTTP POST request", b"POST / HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("Host: line after a command", b"PING\r\nHost: foo\r\nPING\r\n"),
    ("POST as a multibulk command", b"*1\r\n$4\r\nPOST\r\nPING\r\n"),
    ("post inside MULTI", b"MULTI\r\npost x\r\nPING\r\n"),
]


def received_until_close(srv, payload):
    with srv.client() as c:
        try:
            c.send(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        closed = c.is_closed(timeout=10.0)
        return bytes(c.buf), closed


class ProtocolBytesTest(ClassServersMixin, ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = cls.start_class_server(start_redis())
        cls.larder = cls.start_class_server(start_larder())

    @classmethod
    def tearDownClass(cls):
        cls.stop_class_servers()

    def test_same_bytes_same_replies(self):
        for name, payload in CASES:
            with self.subTest(name):
                expected, redis_closed = received_until_close(self.redis, payload)
                self.assertTrue(redis_closed, "test bug: redis kept %s open (%s)" % (name, show(expected)))
                got, closed = received_until_close(self.larder, payload)
                self.assertEqual(got, expected, "%s\n  redis : %s\n  larder: %s"
                                 % (name, show(expected[:200]), show(got[:200])))
                self.assertTrue(closed, "%s: Larder kept the connection open" % name)
        with self.larder.client() as c:
            self.assertEqual(c.cmd("PING"), b"+PONG\r\n")

    def test_client_query_buffer_limit(self):
        big = b"x" * (2 * 1024 * 1024)
        payload = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n%s\r\nPING\r\n" % (len(big), big)
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                self.assertEqual(c.cmd("CONFIG", "SET", "client-query-buffer-limit", "1mb"), b"+OK\r\n")
            self.addCleanup(self.reset_query_buffer_limit, srv)
        expected, redis_closed = received_until_close(self.redis, payload)
        self.assertTrue(redis_closed)
        self.assertEqual(received_until_close(self.larder, payload), (expected, True))

    @staticmethod
    def reset_query_buffer_limit(srv):
        with srv.client() as c:
            c.cmd("CONFIG", "SET", "client-query-buffer-limit", "1gb")


if __name__ == "__main__":
    unittest.main()
