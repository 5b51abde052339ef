#!/usr/bin/python3
"""Active rehashing: a table resizes a few buckets per insert or removal, so
one that stops changing halfway keeps both bucket arrays; with
`activerehashing yes` (the default) a background timer finishes it, which
MEMORY STATS shows as overhead.hashtable.main going down."""
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command, under_sanitizer  # noqa: E402

# About 540 keys in each of the 256 shards' tables: most of them are then
# between 512 (when a table of 256 buckets starts doubling) and 576 (when
# four buckets per insert would have finished it).
N_KEYS = 138240
DEADLINE = 20.0 if under_sanitizer() else 5.0


def bucket_bytes(c):
    reply = c.cmd("MEMORY", "STATS")
    m = re.search(rb"overhead\.hashtable\.main\r\n:(\d+)\r\n", reply)
    assert m is not None, reply[:200]
    return int(m.group(1))


class ActiveRehashingTest(ServerTestCase):
    def _fill(self, c):
        for start in range(0, N_KEYS, 10000):
            n = min(10000, N_KEYS - start)
            c.send(b"".join(encode_command("SET", "key:%d" % i, "v") for i in range(start, start + n)))
            self.assertEqual(set(c.read_replies(n)), {b"+OK\r\n"})

    def test_resizes_left_halfway_are_finished_only_when_on(self):
        srv = self.start_larder("--hz", "100", "--activerehashing", "no")
        c = self.client(srv)
        self.assertEqual(c.cmd("CONFIG", "GET", "activerehashing"),
                         b"*2\r\n$15\r\nactiverehashing\r\n$2\r\nno\r\n")
        self._fill(c)
        halfway = bucket_bytes(c)
        time.sleep(0.5)
        self.assertEqual(bucket_bytes(c), halfway, "resizes moved on with activerehashing no")
        self.assertEqual(c.cmd("CONFIG", "SET", "activerehashing", "yes"), b"+OK\r\n")
        start = time.monotonic()
        finished = halfway
        while time.monotonic() - start < DEADLINE:
            finished = bucket_bytes(c)
            if finished < halfway * 0.9:
                break
            time.sleep(0.1)
        self.assertLess(finished, halfway * 0.9, "old bucket arrays still allocated")
        self.assertEqual(c.cmd("DBSIZE"), b":%d\r\n" % N_KEYS)
        for i in range(0, N_KEYS, 997):
            self.assertEqual(c.cmd("GET", "key:%d" % i), b"$1\r\nv\r\n")


if __name__ == "__main__":
    unittest.main()
