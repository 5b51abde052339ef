#!/usr/bin/python3
"""Per-connection memory (issue 14, defect 9): a connection holds no input
buffer until bytes arrive, and an idle one gives its buffers back within a
couple of seconds, so 2,000 idle clients that each sent a command cost a few
KB apiece (6.3 KB before: a 16 KB read buffer per connection, kept for good).
A silent connection costs less than in Redis 7.0.15 (1.40 KB; Larder 1.37 KB
with 2,000 clients, 1.30 KB with 10,000: bench/connections.py)."""
import os
import resource
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, under_sanitizer  # noqa: E402

CLIENTS = 2000
PER_CLIENT_KB = 3.5
SILENT_PER_CLIENT_KB = 1.6  # 1.99 before the lazy client state


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@unittest.skipIf(under_sanitizer(), "a sanitizer's shadow memory dominates RSS")
class ConnectionMemoryTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard != resource.RLIM_INFINITY and hard < CLIENTS + 100:
            self.skipTest("open files limit %d is too low" % hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, CLIENTS + 100), hard))

    def idle_cost_kb(self, command):
        srv = self.start_larder("--maxclients", str(CLIENTS + 100))
        time.sleep(0.3)
        before = rss_kb(srv.proc.pid)
        socks = []
        try:
            for _ in range(CLIENTS):
                s = socket.create_connection(("127.0.0.1", srv.port))
                if command:
                    s.sendall(command)
                socks.append(s)
            if command:
                for s in socks:
                    self.assertEqual(s.recv(64), b"+PONG\r\n")
            time.sleep(2.5)  # the loop frees idle buffers once a second
            return (rss_kb(srv.proc.pid) - before) / CLIENTS
        finally:
            for s in socks:
                s.close()

    def test_silent_connections(self):
        self.assertLess(self.idle_cost_kb(None), SILENT_PER_CLIENT_KB)

    def test_connections_idle_after_a_command(self):
        self.assertLess(self.idle_cost_kb(b"*1\r\n$4\r\nPING\r\n"), PER_CLIENT_KB)

    def test_big_pipelines_still_work(self):
        srv = self.start_larder()
        with srv.client() as c:
            batch = b"".join(b"*3\r\n$3\r\nSET\r\n$6\r\nk%05d\r\n$100\r\n%s\r\n" % (i, b"v" * 100)
                             for i in range(5000))
            c.send(batch)
            replies = c.read_replies(5000)
            self.assertTrue(all(r == b"+OK\r\n" for r in replies))
            self.assertEqual(c.call("DBSIZE"), 5000)


class ReleasedBufferTest(ServerTestCase):
    """The once-a-second check cancels the read pending on an idle
    connection's empty buffer; the connection must go on reading, and a
    buffer holding part of a command must be kept."""

    def test_answers_after_its_buffer_is_released(self):
        srv = self.start_larder()
        with srv.client() as c:
            self.assertEqual(c.call("PING"), "PONG")
            time.sleep(2.2)  # two checks: the buffer is released
            self.assertEqual(c.call("SET", "k", "v"), "OK")
            time.sleep(2.2)
            self.assertEqual(c.call("GET", "k"), b"v")

    def test_keeps_a_buffer_holding_part_of_a_command(self):
        srv = self.start_larder()
        with socket.create_connection(("127.0.0.1", srv.port)) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$5\r\nhel")
            self.assertEqual(s.recv(64), b"+PONG\r\n")
            time.sleep(2.2)
            s.sendall(b"lo\r\n")
            self.assertEqual(s.recv(64), b"$5\r\nhello\r\n")


if __name__ == "__main__":
    unittest.main()
