#!/usr/bin/python3
"""supervised systemd / auto: the server tells $NOTIFY_SOCKET READY=1 once it
serves and STOPPING=1 when it shuts down (a socket path or, with '@', the
abstract namespace); without the variable it runs unsupervised. Also passes
against redis-server (LARDER_AS_REDIS=1), which sends the same two."""
import os
import socket
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402


class SupervisedTest(ServerTestCase):
    def notify_socket(self, abstract):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        if abstract:
            name = "larder-notify-%d-%d" % (os.getpid(), id(sock))
            sock.bind("\0" + name)
            address = "@" + name
        else:
            work = tempfile.TemporaryDirectory()
            self.addCleanup(work.cleanup)
            address = os.path.join(work.name, "notify")
            sock.bind(address)
        sock.settimeout(5)
        return sock, address

    def messages_until(self, sock, wanted):
        """The datagrams received up to and including `wanted`, STATUS lines dropped."""
        seen = []
        while wanted not in seen:
            seen.append(sock.recv(4096).decode())
        return [m for m in seen if not m.startswith("STATUS=")]

    def check_ready_then_stopping(self, mode, abstract):
        sock, address = self.notify_socket(abstract)
        srv = self.start_larder("--supervised", mode, wrapper=("env", "NOTIFY_SOCKET=" + address))
        self.assertEqual(self.messages_until(sock, "READY=1\n"), ["READY=1\n"])
        self.assertEqual(self.client(srv).cmd("PING"), b"+PONG\r\n")
        # `auto` reads back as the mode it found.
        self.assertEqual(self.client(srv).cmd("CONFIG", "GET", "supervised"),
                         b"*2\r\n$10\r\nsupervised\r\n$7\r\nsystemd\r\n")
        self.assertEqual(srv.stop(), 0)
        self.assertEqual(self.messages_until(sock, "STOPPING=1\n"), ["STOPPING=1\n"])

    def test_systemd_socket_path(self):
        self.check_ready_then_stopping("systemd", abstract=False)

    def test_auto_abstract_socket(self):
        self.check_ready_then_stopping("auto", abstract=True)

    def test_systemd_without_notify_socket_runs_unsupervised(self):
        srv = self.start_larder("--supervised", "systemd", wrapper=("env", "-u", "NOTIFY_SOCKET"))
        self.assertEqual(self.client(srv).cmd("CONFIG", "GET", "supervised"),
                         b"*2\r\n$10\r\nsupervised\r\n$7\r\nsystemd\r\n")
        self.assertEqual(srv.stop(), 0)


if __name__ == "__main__":
    unittest.main()
