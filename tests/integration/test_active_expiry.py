#!/usr/bin/python3
"""Active expiry: keys with a TTL disappear without being accessed."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command, under_sanitizer  # noqa: E402

N_TTL = 2000
N_PERSISTENT = 300
# A sanitizer build sweeps several times slower.
DEADLINE = 10.0 if under_sanitizer() else 2.5


class ActiveExpiryTest(ServerTestCase):
    def _fill(self, c):
        payload = [encode_command("SET", "ttl:%d" % i, "x" * 16, "PX", "100") for i in range(N_TTL)]
        payload += [encode_command("SET", "keep:%d" % i, "y") for i in range(N_PERSISTENT)]
        c.send(b"".join(payload))
        replies = c.read_replies(N_TTL + N_PERSISTENT)
        self.assertEqual(set(replies), {b"+OK\r\n"})

    def _wait_dbsize(self, c, want, start):
        dbsize = None
        while time.monotonic() - start < DEADLINE:
            dbsize = c.cmd("DBSIZE")
            if dbsize == b":%d\r\n" % want:
                return
            time.sleep(0.1)
        dbsize = c.cmd("DBSIZE")
        self.assertEqual(dbsize, b":%d\r\n" % want,
                         "keys with PX 100 not actively expired %.1fs later" % DEADLINE)

    def test_active_expiry_hz10(self):
        srv = self.start_larder("--hz", "10")
        c = self.client(srv)
        self._fill(c)
        start = time.monotonic()
        self._wait_dbsize(c, N_PERSISTENT, start)
        # Persistent keys untouched.
        self.assertEqual(c.cmd("GET", "keep:0"), b"$1\r\ny\r\n")
        self.assertEqual(c.cmd("EXISTS", "keep:%d" % (N_PERSISTENT - 1)), b":1\r\n")

    def test_active_expiry_multithreaded(self):
        srv = self.start_larder("--hz", "10", threads=4)
        c = self.client(srv)
        self._fill(c)
        start = time.monotonic()
        self._wait_dbsize(c, N_PERSISTENT, start)

    def test_lazy_expiry_visible_immediately(self):
        srv = self.start_larder("--hz", "1")
        c = self.client(srv)
        # Long enough for the first GET to come in time on a slow server;
        # with hz 1 the sweep most likely has not run when the second comes.
        self.assertEqual(c.cmd("SET", "short", "v", "PX", "500"), b"+OK\r\n")
        self.assertEqual(c.cmd("GET", "short"), b"$1\r\nv\r\n")
        time.sleep(0.6)
        self.assertEqual(c.cmd("GET", "short"), b"$-1\r\n")
        self.assertEqual(c.cmd("EXISTS", "short"), b":0\r\n")
        self.assertEqual(c.cmd("TTL", "short"), b":-2\r\n")


if __name__ == "__main__":
    unittest.main()
