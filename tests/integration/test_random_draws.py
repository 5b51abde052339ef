#!/usr/bin/python3
"""SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with a negative count draw with
repetition. Past a thousand draws the reply is made in steps while it is
written, so a count such as -2^62 streams for as long as the client reads,
in bounded memory, with other clients served and SIGTERM obeyed (Redis 7.0
builds the whole reply first and runs out of memory)."""
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, decode, encode_command, rss_bytes, under_sanitizer  # noqa: E402

HUGE = b"-4611686018427387904"
MEMBERS = [b"%d" % i for i in range(10)] + [b"x"]


class RandomDrawsTest(ServerTestCase):
    def fill(self, c):
        c.cmd("SADD", "s", *MEMBERS)
        c.cmd("HSET", "h", "a", "1", "b", "2")
        c.cmd("ZADD", "z", "1.5", "a", "2", "b")

    def test_many_draws_are_members(self):
        srv = self.start_larder()
        with srv.client() as c:
            self.fill(c)
            for resp in (2, 3):
                if resp == 3:
                    c.cmd("HELLO", "3")
                drawn = decode(c.cmd("SRANDMEMBER", "s", "-5000"))
                self.assertEqual(len(drawn), 5000)
                self.assertTrue(set(drawn) <= set(MEMBERS))
                self.assertEqual(len(set(drawn)), len(MEMBERS))  # 5000 draws of 11 miss none
                fields = decode(c.cmd("HRANDFIELD", "h", "-3000", "WITHVALUES"))
                pairs = fields if resp == 3 else list(zip(fields[::2], fields[1::2]))
                self.assertEqual(len(pairs), 3000)
                self.assertTrue({tuple(p) for p in pairs} <= {(b"a", b"1"), (b"b", b"2")})
                self.assertEqual(set(decode(c.cmd("HRANDFIELD", "h", "-3000"))), {b"a", b"b"})
                scored = decode(c.cmd("ZRANDMEMBER", "z", "-2000", "WITHSCORES"))
                if resp == 3:
                    self.assertEqual(len(scored), 2000)
                    self.assertTrue({tuple(p) for p in scored} <= {(b"a", 1.5), (b"b", 2.0)})
                else:
                    self.assertEqual(len(scored), 4000)
                    self.assertTrue(set(zip(scored[::2], scored[1::2])) <= {(b"a", b"1.5"), (b"b", b"2")})
            # Inside MULTI the draws are made at once.
            c.cmd("MULTI")
            c.cmd("SRANDMEMBER", "s", "-2000")
            replies = decode(c.cmd("EXEC"))
            self.assertEqual(len(replies[0]), 2000)
            # The connection goes on in order after a streamed reply.
            c.send(encode_command("SRANDMEMBER", "s", "-3000") + encode_command("PING"))
            self.assertEqual(len(decode(c.read_reply())), 3000)
            self.assertEqual(c.read_reply(), b"+PONG\r\n")

    def test_huge_count_streams_in_bounded_memory(self):
        srv = self.start_larder()
        with srv.client() as c:
            self.fill(c)
        rss_before = rss_bytes(srv.proc.pid)
        reader = socket.create_connection(("127.0.0.1", srv.port))
        idle = socket.create_connection(("127.0.0.1", srv.port))
        try:
            reader.sendall(encode_command(b"SRANDMEMBER", b"s", HUGE))
            idle.sendall(encode_command(b"HRANDFIELD", b"h", HUGE))  # never read
            head = b""
            while len(head) < 64:
                head += reader.recv(64)
            self.assertTrue(head.startswith(b"*4611686018427387904\r\n$"), head)
            got = len(head)
            while got < 32 * 1024 * 1024:
                got += len(reader.recv(1 << 20))
            with srv.client() as c:
                self.assertEqual(c.cmd("PING"), b"+PONG\r\n")
                self.assertEqual(c.cmd("DBSIZE"), b":3\r\n")
            if not under_sanitizer():
                self.assertLess(rss_bytes(srv.proc.pid) - rss_before, 16 * 1024 * 1024)
        finally:
            idle.close()
        # Stopped in the middle of the stream: SIGTERM is obeyed, exit code 0
        # (checked by the cleanup).
        srv.stop()
        reader.close()


if __name__ == "__main__":
    unittest.main()
