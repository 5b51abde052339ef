#!/usr/bin/python3
"""SCAN against the real binary: a full iteration returns every key that exists
for the whole iteration at least once, while another client concurrently adds
and deletes other keys (so shard tables grow and shrink between calls); a
large COUNT, walked in steps, keeps the order of pipelined replies."""
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, decode, encode_command  # noqa: E402

STABLE = 50000
CHURN_BATCH = 2000


def pipeline(client, commands):
    client.send(b"".join(encode_command(*c) for c in commands))
    return client.read_replies(len(commands))


def full_scan(client, *options):
    seen = []
    cursor = b"0"
    calls = 0
    while True:
        cursor, keys = client.call("SCAN", cursor, *options)
        seen.extend(keys)
        calls += 1
        if cursor == b"0":
            return seen, calls


class ScanTest(ServerTestCase):
    def load_stable(self, c):
        for start in range(0, STABLE, 5000):
            replies = pipeline(c, [("SET", "stable:%d" % i, "v")
                                   for i in range(start, min(start + 5000, STABLE))])
            self.assertTrue(all(r == b"+OK\r\n" for r in replies))

    def churn(self, srv, stop, errors, rounds, started):
        """Adds CHURN_BATCH keys, deletes them, and again, until stopped."""
        try:
            with srv.client() as c:
                n = 0
                while not stop.is_set():
                    keys = ["churn:%d:%d" % (n, i) for i in range(CHURN_BATCH)]
                    pipeline(c, [("SET", k, "x") for k in keys])
                    pipeline(c, [("DEL", k) for k in keys[: CHURN_BATCH // 2]])
                    pipeline(c, [("UNLINK", k) for k in keys[CHURN_BATCH // 2:]])
                    n += 1
                    rounds[0] = n
                    started.set()
        except Exception as e:  # reported by the main thread
            errors.append(e)
        finally:
            started.set()

    def run_with_churn(self, srv, scan):
        stop = threading.Event()
        errors = []
        rounds = [0]
        started = threading.Event()
        t = threading.Thread(target=self.churn, args=(srv, stop, errors, rounds, started))
        t.start()
        try:
            started.wait(timeout=30)  # one round done: the churn is in full swing
            result = scan()
        finally:
            stop.set()
            t.join(timeout=30)
        self.assertFalse(t.is_alive(), "churn thread did not stop")
        self.assertEqual(errors, [])
        return result, rounds[0]

    def check_server(self, srv):
        c = self.client(srv)
        self.load_stable(c)
        expected = {("stable:%d" % i).encode() for i in range(STABLE)}

        for options in (("MATCH", "stable:*", "COUNT", "100"), ("COUNT", "10"),
                        ("MATCH", "stable:1*", "COUNT", "1000")):
            with self.subTest(options=options):
                (seen, calls), rounds = self.run_with_churn(srv, lambda: full_scan(c, *options))
                want = expected
                if options[:2] == ("MATCH", "stable:1*"):
                    want = {k for k in expected if k.startswith(b"stable:1")}
                missing = want - set(seen)
                self.assertEqual(len(missing), 0, "%d keys never returned, e.g. %r (%d calls, "
                                 "%d churn rounds)" % (len(missing), sorted(missing)[:5],
                                                       calls, rounds))
                if options[0] == "MATCH":
                    stray = [k for k in seen if k not in want]
                    self.assertEqual(stray, [], "keys outside MATCH returned")
                self.assertGreater(rounds, 0, "the churn client never completed a round")

        self.assertEqual(c.call("DBSIZE"), STABLE)
        # Without concurrent changes every key comes back exactly once.
        seen, _ = full_scan(c, "COUNT", "500")
        self.assertEqual(len(seen), STABLE)
        self.assertEqual(set(seen), expected)

    def test_scan_with_concurrent_writers(self):
        self.check_server(self.start_larder(threads=2))

    def test_large_count_in_steps_keeps_pipeline_order(self):
        # One loop: COUNT covering everything walks in steps between other
        # clients' commands; the commands behind it still answer after it.
        srv = self.start_larder(threads=1)
        c = self.client(srv)
        self.load_stable(c)
        other = self.client(srv)
        c.send(encode_command("SCAN", "0", "COUNT", "1000000") + encode_command("GET", "stable:7"))
        self.assertEqual(other.cmd("PING"), b"+PONG\r\n")
        cursor, keys = decode(c.read_reply())
        self.assertEqual(cursor, b"0")
        self.assertEqual(sorted(keys), sorted(("stable:%d" % i).encode() for i in range(STABLE)))
        self.assertEqual(c.read_reply(), b"$1\r\nv\r\n")


if __name__ == "__main__":
    unittest.main()
