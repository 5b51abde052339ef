#!/usr/bin/python3
"""Out of memory (issue 14, defect 1): under an address-space limit
(prlimit --as), requests that cannot be allocated answer -OOM to the client
that sent them, or close it when its request cannot even be read, and the
server keeps serving every other client, on every event loop, and still stops
cleanly on SIGTERM. Before the fix std::bad_alloc escaped the event loop: the
process stayed up, answered nothing and ignored SIGTERM."""
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ConnectionClosed, ServerTestCase, encode_command, under_sanitizer  # noqa: E402

LIMIT = ("prlimit", "--as=600000000")
ARGS = ("--maxmemory", "0", "--proto-max-bulk-len", "1gb")
OOM = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
MB = 1 << 20


def send_until_refused(client, make_command, limit):
    """Sends commands one at a time until one is refused; returns its reply
    (None if the server closed the connection instead)."""
    for i in range(limit):
        try:
            reply = client.cmd(*make_command(i))
        except (ConnectionClosed, OSError):  # closed while we were still sending
            return None
        if reply.startswith(b"-"):
            return reply
    raise AssertionError("nothing was refused after %d commands" % limit)


@unittest.skipIf(shutil.which("prlimit") is None, "prlimit (util-linux) is not installed")
@unittest.skipIf(under_sanitizer(), "sanitizers reserve terabytes of address space")
class OutOfMemoryTest(ServerTestCase):
    def assert_serving(self, srv):
        with srv.client() as other:
            self.assertEqual(other.cmd("PING"), b"+PONG\r\n")
            self.assertEqual(other.cmd("FLUSHALL", "SYNC"), b"+OK\r\n")
            self.assertEqual(other.cmd("SET", "after", "x" * 1000), b"+OK\r\n")
            self.assertEqual(other.call("STRLEN", "after"), 1000)

    def test_many_big_sets(self):
        srv = self.start_larder(*ARGS, wrapper=LIMIT)
        value = b"v" * (8 * MB)
        with srv.client() as c:
            reply = send_until_refused(c, lambda i: ("SET", "big:%d" % i, value), 100)
            self.assertIn(reply, (OOM, None))
        self.assert_serving(srv)
        self.stop_and_check(srv)

    def test_appends(self):
        srv = self.start_larder(*ARGS, wrapper=LIMIT)
        chunk = b"a" * MB
        with srv.client() as c:
            reply = send_until_refused(c, lambda i: ("APPEND", "grow", chunk), 1000)
            self.assertIn(reply, (OOM, None))
        self.assert_serving(srv)
        self.stop_and_check(srv)

    def test_one_huge_set(self):
        srv = self.start_larder(*ARGS, wrapper=LIMIT)
        with srv.client() as c:
            try:
                c.send(encode_command("SET", "huge", b"h" * (500 * MB)))
                reply = c.read_reply()
            except (ConnectionClosed, OSError):
                reply = None
            self.assertIn(reply, (OOM, None))
        self.assert_serving(srv)
        self.stop_and_check(srv)

    def test_every_loop_keeps_serving(self):
        srv = self.start_larder(*ARGS, threads=2, wrapper=LIMIT)
        value = b"v" * (8 * MB)
        clients = [srv.client() for _ in range(2)]  # one per event loop
        try:
            for n, c in enumerate(clients):
                reply = send_until_refused(c, lambda i: ("SET", "big:%d:%d" % (n, i), value), 100)
                self.assertIn(reply, (OOM, None))
                with srv.client() as other:
                    self.assertEqual(other.cmd("FLUSHALL", "SYNC"), b"+OK\r\n")
        finally:
            for c in clients:
                c.close()
        for _ in range(4):  # connections go round the loops
            self.assert_serving(srv)
        self.stop_and_check(srv)


if __name__ == "__main__":
    unittest.main()
