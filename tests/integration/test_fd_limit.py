#!/usr/bin/python3
"""Integration: a low open files limit (prlimit --nofile=64). At start the
server lowers maxclients to limit - 32 (as Redis) and says so in its log;
clients past maxclients get "-ERR max number of clients reached"; when
descriptors run out anyway (16 event loops use many of the 32 kept back),
failed accepts are retried after a pause and logged at most once a second,
and the server keeps serving; CONFIG SET maxclients past the limit is
refused, as by Redis."""
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

NOFILE = 64
LIMIT = ("prlimit", "--nofile=%d" % NOFILE)
FULL = b"-ERR max number of clients reached\r\n"


@unittest.skipIf(shutil.which("prlimit") is None, "prlimit (util-linux) is not installed")
class FdLimitTest(ServerTestCase):
    def open_clients(self, srv, n):
        clients = []
        for _ in range(n):
            clients.append(self.client(srv))
        return clients

    def test_maxclients_fitted_to_the_limit(self):
        srv = self.start_larder(wrapper=LIMIT)
        admin = self.client(srv)
        self.assertEqual(admin.cmd("CONFIG", "GET", "maxclients"),
                         b"*2\r\n$10\r\nmaxclients\r\n$2\r\n32\r\n")
        log = srv.log_text()
        self.assertIn("You requested maxclients of 10000 requiring at least 10032 max file "
                      "descriptors.", log)
        self.assertIn("Server can't set maximum open files to 10032 because of OS error:", log)
        self.assertIn("Current maximum open files is 64. maxclients has been reduced to 32 to "
                      "compensate for low ulimit. If you need higher maxclients increase "
                      "'ulimit -n'.", log)
        # admin is one of the 32; 31 more fit, the next ones are turned away.
        ok = self.open_clients(srv, 31)
        for c in ok:
            self.assertEqual(c.cmd("PING"), b"+PONG\r\n")
        extra = self.open_clients(srv, 5)
        for c in extra:
            self.assertEqual(c.read_reply(), FULL)
            self.assertTrue(c.is_closed())
        self.assertEqual(admin.cmd("PING"), b"+PONG\r\n")

    def test_config_set_maxclients_past_the_limit_is_refused(self):
        # As Redis's updateMaxclients: the limit cannot rise, so the change
        # is refused with the number that would fit.
        srv = self.start_larder(wrapper=LIMIT)
        admin = self.client(srv)
        self.assertEqual(admin.cmd("CONFIG", "SET", "maxclients", "100"),
                         b"-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating "
                         b"system is not able to handle the specified number of clients, try with 32\r\n")
        self.assertEqual(admin.cmd("CONFIG", "GET", "maxclients"), b"*2\r\n$10\r\nmaxclients\r\n$2\r\n32\r\n")
        self.assertEqual(admin.cmd("CONFIG", "SET", "maxclients", "20"), b"+OK\r\n")
        self.assertEqual(admin.cmd("CONFIG", "SET", "maxclients", "32"), b"+OK\r\n")

    def test_out_of_descriptors_backs_off(self):
        srv = self.start_larder("--threads", "16", wrapper=LIMIT)
        admin = self.client(srv)
        # More connections than descriptors left: the last ones wait in the
        # listen queue while accept fails with EMFILE.
        waiting = self.open_clients(srv, 40)
        self.assertEqual(admin.cmd("SET", "k", "v"), b"+OK\r\n")
        for _ in range(20):
            self.assertEqual(admin.cmd("GET", "k"), b"$1\r\nv\r\n")
        log = srv.log_text(tail=100000)
        failures = [l for l in log.splitlines() if "accept failed" in l]
        self.assertGreaterEqual(len(failures), 1, "descriptors did not run out: test is void")
        self.assertLess(len(failures), 20, "accept failures flood the log")
        self.assertIn("Too many open files", failures[0])
        # Once clients leave, the queued ones are accepted and served.
        for c in waiting[:-1]:
            c.close()
        self.assertEqual(waiting[-1].cmd("PING"), b"+PONG\r\n")
        self.assertEqual(admin.cmd("PING"), b"+PONG\r\n")


if __name__ == "__main__":
    unittest.main()
