#!/usr/bin/python3
"""Differential: with requirepass set, a client that has not authenticated may
send at most 10 arguments and bulks of at most 16384 bytes; past that the
server replies with Redis's protocol error and closes the connection. Same
bytes as redis-server, raw streams."""
import os
import re
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import (ClassServersMixin, ServerTestCase, encode_command,  # noqa: E402
                            start_larder, start_redis)

PASSWORD = "s3cret"
END = encode_command("AUTH", PASSWORD) + encode_command("ECHO", "end-of-stream")
END_REPLY = b"+OK\r\n$13\r\nend-of-stream\r\n"
_ID = re.compile(rb"\$2\r\nid\r\n:\d+\r\n")  # HELLO's connection id differs


class UnauthenticatedLimitsTest(ClassServersMixin, ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.redis = cls.start_class_server(start_redis("--requirepass", PASSWORD))
        try:
            cls.larder = cls.start_class_server(start_larder("--requirepass", PASSWORD))
        except BaseException:
            cls.stop_class_servers()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stop_class_servers()
        super().tearDownClass()

    def session(self, srv, stream, expect_close):
        """Sends `stream`, returns (bytes received, closed by the server)."""
        with srv.client() as c:
            c.send(stream)
            if expect_close:
                closed = c.is_closed(timeout=5.0)
                return bytes(c.buf), closed
            # Still open: commands after the stream prove it and delimit the replies.
            c.send(END)
            data = b""
            while not data.endswith(END_REPLY) and not c.eof:
                data += c.read_available(wait=0.05)
            return _ID.sub(b"<id>", data), c.eof

    def same(self, stream, expect_close):
        expected = self.session(self.redis, stream, expect_close)
        actual = self.session(self.larder, stream, expect_close)
        self.assertEqual(expected[1], expect_close, "redis-server: closed")
        self.assertEqual(actual, expected)

    def test_too_many_arguments_before_auth(self):
        self.same(b"*11\r\n", expect_close=True)
        self.same(encode_command("PING") + b"*11\r\n$3\r\nSET\r\n", expect_close=True)
        self.same(b"*-1\r\n*0\r\n*11\r\n", expect_close=True)

    def test_long_bulk_before_auth(self):
        self.same(b"*2\r\n$16385\r\n", expect_close=True)
        self.same(b"*1\r\n$536870912\r\n", expect_close=True)
        # proto-max-bulk-len is checked first: "invalid bulk length".
        self.same(b"*1\r\n$536870913\r\n", expect_close=True)

    def test_at_the_limits_before_auth(self):
        self.same(encode_command(*(["x"] * 10)), expect_close=False)
        self.same(encode_command("ECHO", "v" * 16384), expect_close=False)

    def unread_flood_closed(self, srv):
        """Sends 200k PINGs without AUTH on a socket that reads nothing;
        True when the server closed it."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", srv.port))
        s.settimeout(3)
        try:
            for _ in range(20):
                s.sendall(encode_command("PING") * 10000)
        except (socket.timeout, BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading, or closed
        time.sleep(0.5)
        s.settimeout(0.5)
        try:
            while True:
                if s.recv(1 << 16) == b"":
                    return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False
        finally:
            s.close()

    def test_unread_replies_before_auth(self):
        # Replies left unread past the 16 KiB reply buffer close a client
        # that has not authenticated (Redis's fix of CVE-2025-21605: over
        # 1 KiB of reply blocks, and the first takes 16 KiB), whatever
        # client-output-buffer-limit says.
        self.assertTrue(self.unread_flood_closed(self.redis), "redis-server kept the client")
        self.assertTrue(self.unread_flood_closed(self.larder), "larder kept the client")

    def test_limits_lifted_by_auth(self):
        big = encode_command("SET", "k", "v" * 20000) + encode_command(*(["MSET"] + ["k", "v"] * 8))
        self.same(encode_command("AUTH", PASSWORD) + big, expect_close=False)
        self.same(encode_command("AUTH", "default", PASSWORD) + big, expect_close=False)
        self.same(encode_command("HELLO", "2", "AUTH", "default", PASSWORD) + big, expect_close=False)
        # A wrong password keeps the limits.
        self.same(encode_command("AUTH", "nope") + b"*11\r\n", expect_close=True)


if __name__ == "__main__":
    unittest.main()
