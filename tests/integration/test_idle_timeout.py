#!/usr/bin/python3
"""`timeout` closes clients idle for longer than it, as Redis does (issue 14,
defect 6): a client that sends nothing is closed, one that keeps sending and
one blocked in BLPOP are not, and CONFIG SET changes it while serving.
`tcp-keepalive` arms the kernel's keepalive timer on client sockets."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command  # noqa: E402


def keepalive_timer_armed(server_port, client_port):
    """The server side of the connection, from /proc/net/tcp: its timer field
    ("tr:when") is 02 while a keepalive timer is pending."""
    local = ":%04X" % server_port
    remote = ":%04X" % client_port
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1].endswith(local) and fields[2].endswith(remote) and fields[3] == "01":
                return fields[5].split(":")[0] == "02"
    raise AssertionError("no established server socket %s <- %s" % (local, remote))


class IdleTimeoutTest(ServerTestCase):
    def test_idle_clients_are_closed_and_busy_ones_are_not(self):
        srv = self.start_larder("--timeout", "2")
        idle = srv.client()
        busy = srv.client()
        blocked = srv.client()
        self.assertEqual(idle.cmd("PING"), b"+PONG\r\n")
        blocked.send(encode_command("BLPOP", "nothing", "0"))
        subscriber = srv.client()
        subscriber.send(encode_command("SUBSCRIBE", "news"))
        self.assertEqual(subscriber.read_reply(), b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n")
        start = time.monotonic()
        while time.monotonic() - start < 4.5:
            self.assertEqual(busy.cmd("PING"), b"+PONG\r\n")
            time.sleep(0.3)
        self.assertTrue(idle.is_closed(timeout=0.5))
        self.assertFalse(blocked.is_closed(timeout=0.2))
        self.assertFalse(subscriber.is_closed(timeout=0.2))
        with srv.client() as other:
            self.assertEqual(other.call("RPUSH", "nothing", "x"), 1)
        self.assertEqual(blocked.read_reply(), b"*2\r\n$7\r\nnothing\r\n$1\r\nx\r\n")
        for c in (idle, busy, blocked, subscriber):
            c.close()

    def test_config_set_timeout_applies_while_serving(self):
        srv = self.start_larder()
        with srv.client() as admin, srv.client() as idle:
            self.assertEqual(idle.cmd("PING"), b"+PONG\r\n")
            time.sleep(1.5)
            self.assertEqual(admin.cmd("CONFIG", "SET", "timeout", "1"), b"+OK\r\n")
            self.assertTrue(idle.is_closed(timeout=3.0))
            self.assertEqual(admin.cmd("CONFIG", "SET", "timeout", "0"), b"+OK\r\n")
            with srv.client() as later:
                time.sleep(2.5)
                self.assertEqual(later.cmd("PING"), b"+PONG\r\n")

    def test_tcp_keepalive_arms_the_socket_timer(self):
        on = self.start_larder()  # default 300
        off = self.start_larder("--tcp-keepalive", "0")
        for srv, expected in ((on, True), (off, False)):
            with srv.client() as c:
                self.assertEqual(c.cmd("PING"), b"+PONG\r\n")
                time.sleep(0.1)
                client_port = c.sock.getsockname()[1]
                self.assertEqual(keepalive_timer_armed(srv.port, client_port), expected)


if __name__ == "__main__":
    unittest.main()
