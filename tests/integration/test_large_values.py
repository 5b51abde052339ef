#!/usr/bin/python3
"""Large values and values delivered in many small chunks; a client that
goes away halfway through one is closed."""
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command, info_fields  # noqa: E402

MIB = 1024 * 1024


def pattern(n, seed=0):
    block = bytes((i * 7 + seed) % 256 for i in range(251))
    return (block * (n // len(block) + 1))[:n]


class LargeValueTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder()
        self.c = self.client(self.srv)

    def test_5mib_set_get(self):
        v = pattern(5 * MIB)
        self.assertEqual(self.c.cmd("SET", "big", v), b"+OK\r\n")
        got = self.c.cmd("GET", "big")
        header = b"$%d\r\n" % len(v)
        self.assertEqual(got[:len(header)], header)
        self.assertEqual(len(got), len(header) + len(v) + 2)
        self.assertTrue(got[len(header):-2] == v, "5 MiB value corrupted")
        self.assertEqual(got[-2:], b"\r\n")
        # And the connection is still in sync.
        self.assertEqual(self.c.cmd("PING"), b"+PONG\r\n")

    def test_several_large_values_pipelined(self):
        vals = [pattern(MIB + i, seed=i) for i in range(4)]
        self.c.send(b"".join(encode_command("SET", "b%d" % i, v) for i, v in enumerate(vals)))
        self.assertEqual(self.c.read_replies(4), [b"+OK\r\n"] * 4)
        self.c.send(b"".join(encode_command("GET", "b%d" % i) for i in range(4)))
        for i, r in enumerate(self.c.read_replies(4)):
            self.assertTrue(r == b"$%d\r\n%s\r\n" % (len(vals[i]), vals[i]), "value b%d" % i)

    def test_chunked_delivery(self):
        v = pattern(200000, seed=3)
        cmd = encode_command("SET", "chunked", v)
        body_start = cmd.index(b"$%d\r\n" % len(v)) + len(b"$%d\r\n" % len(v))
        header, body = cmd[:body_start], cmd[body_start:]
        for i in range(len(header)):
            self.c.send(header[i:i + 1])
            time.sleep(0.002)
        for i in range(0, len(body), 1000):
            self.c.send(body[i:i + 1000])
            if i % 20000 == 0:
                time.sleep(0.002)
        self.assertEqual(self.c.read_reply(), b"+OK\r\n")
        self.assertTrue(self.c.cmd("GET", "chunked") == b"$%d\r\n%s\r\n" % (len(v), v))

    def test_client_gone_halfway_through_a_value_is_closed(self):
        # The part sent and the FIN arrive together: the read that takes the
        # part leaves the reactor waiting for an edge that never comes, so
        # the server probes such connections (within a second or two).
        for _ in range(5):
            s = socket.create_connection(("127.0.0.1", self.srv.port))
            s.sendall(b"*3\r\n$3\r\nSET\r\n$4\r\nleak\r\n$1000000\r\n" + b"x" * 100000)
            s.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if info_fields(self.c.cmd("INFO", "clients"))["connected_clients"] == "1":
                break
            time.sleep(0.1)
        self.assertEqual(info_fields(self.c.cmd("INFO", "clients"))["connected_clients"], "1")
        self.assertEqual(self.c.cmd("EXISTS", "leak"), b":0\r\n")

    def test_trailing_crlf_split(self):
        cmd = encode_command("SET", "s", "abc")
        self.c.send(cmd[:-1])
        time.sleep(0.05)
        self.c.send(cmd[-1:])
        self.assertEqual(self.c.read_reply(), b"+OK\r\n")
        self.assertEqual(self.c.cmd("GET", "s"), b"$3\r\nabc\r\n")

    def test_large_key(self):
        k = pattern(100000, seed=9)
        self.assertEqual(self.c.cmd("SET", k, "v"), b"+OK\r\n")
        self.assertEqual(self.c.cmd("GET", k), b"$1\r\nv\r\n")
        self.assertEqual(self.c.cmd("DEL", k), b":1\r\n")


if __name__ == "__main__":
    unittest.main()
