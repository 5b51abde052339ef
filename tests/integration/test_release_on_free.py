#!/usr/bin/python3
"""Big values give their pages back as they are freed while the keyspace
shrinks (INFO memory's larder_mem_released_on_free), not while it churns at
one size. Before, the freed pages waited for a malloc_trim that madvised
every freed value under the allocator's lock while the event loop waited
for it: 538 ms without a reply once, 50,000 values of 20 KB expiring
together (bench/collection_growth.py --expiring)."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import (ServerTestCase, encode_command, info_fields, larder_is_redis,  # noqa: E402
                            rss_bytes, under_sanitizer)

VALUE = b"v" * (64 * 1024)
KEYS = 2000  # 128 MB of values
BATCH = 100
# Long enough for ten 100 ms crons without a fall, also when a sanitizer
# slows the server down.
STEADY = 3.0 if under_sanitizer() else 1.5


def released(c):
    return int(info_fields(c.cmd("INFO", "memory"))["larder_mem_released_on_free"])


@unittest.skipIf(larder_is_redis(), "a Larder INFO field")
class ReleaseOnFreeTest(ServerTestCase):
    def set_keys(self, c, start, end):
        for at in range(start, end, BATCH):
            n = min(BATCH, end - at)
            c.send(b"".join(encode_command("SET", "big:%d" % i, VALUE) for i in range(at, at + n)))
            self.assertEqual(set(c.read_replies(n)), {b"+OK\r\n"})

    def test_shrinking_keyspace_releases_steady_one_does_not(self):
        srv = self.start_larder()
        c = self.client(srv)
        self.assertEqual(released(c), 0)

        # Overwriting every value keeps the keyspace's size: the freed
        # blocks are reused, so their pages stay.
        self.set_keys(c, 0, KEYS)
        time.sleep(STEADY)  # ten crons without a new low
        self.set_keys(c, 0, KEYS)
        time.sleep(0.3)
        self.assertEqual(released(c), 0)

        loaded = rss_bytes(srv.proc.pid)
        # Deleted a batch each 150 ms: the cron (every 100 ms) sees the
        # keyspace a sixteenth below its mark after two batches, and the
        # values deleted after that go back as they are freed.
        for at in range(0, KEYS, BATCH):
            c.send(b"".join(encode_command("DEL", "big:%d" % i) for i in range(at, at + BATCH)))
            self.assertEqual(c.read_replies(BATCH), [b":1\r\n"] * BATCH)
            time.sleep(0.15)
        self.assertEqual(c.cmd("DBSIZE"), b":0\r\n")
        data = KEYS * len(VALUE)
        self.assertGreater(released(c), data // 2)
        if not under_sanitizer():  # shadow memory and quarantine dominate RSS there
            self.assertLess(rss_bytes(srv.proc.pid), loaded - data // 2)

        # Once it has stopped shrinking, freed values keep their pages again.
        time.sleep(STEADY)
        before = released(c)
        self.set_keys(c, 0, 200)
        time.sleep(STEADY)
        self.set_keys(c, 0, 200)
        time.sleep(0.3)
        self.assertEqual(released(c), before)


if __name__ == "__main__":
    unittest.main()
