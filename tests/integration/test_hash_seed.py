#!/usr/bin/python3
"""Keys are placed by a hash with a random per-process key (issue 14, defect
12): two servers loaded with the same keys walk them in different orders, so
a client cannot precompute keys that share a bucket or a shard. A fixed hash
(libstdc++'s unseeded std::hash) gave both servers the same order."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command  # noqa: E402

KEYS = ["user:%d" % i for i in range(2000)]
MEMBERS = ["m%d" % i for i in range(600)]


def load(client):
    client.send(b"".join(encode_command("SET", k, "v") for k in KEYS))
    assert all(r == b"+OK\r\n" for r in client.read_replies(len(KEYS)))
    # Big enough to leave the compact encodings: a hash table of members.
    client.send(encode_command("SADD", "set", *MEMBERS))
    client.read_reply()
    client.send(encode_command("HSET", "hash", *[x for m in MEMBERS for x in (m, "1")]))
    client.read_reply()


def scan_order(client, command, *args):
    order = []
    cursor = b"0"
    while True:
        cursor, items = client.call(command, *args, cursor, "COUNT", "100")
        order.extend(items)
        if cursor == b"0":
            return order


class HashSeedTest(ServerTestCase):
    def test_two_processes_place_the_same_keys_differently(self):
        orders = []
        for _ in range(2):
            srv = self.start_larder()
            with srv.client() as c:
                load(c)
                orders.append((scan_order(c, "SCAN"), c.call("KEYS", "*"),
                               scan_order(c, "SSCAN", "set"), scan_order(c, "HSCAN", "hash")[::2]))
        (scan_a, keys_a, sset_a, hash_a), (scan_b, keys_b, sset_b, hash_b) = orders
        # Same contents...
        self.assertEqual(sorted(scan_a), sorted(scan_b))
        self.assertEqual(len(scan_a), len(KEYS) + 2)
        self.assertEqual(sorted(sset_a), sorted(sset_b))
        self.assertEqual(sorted(hash_a), sorted(hash_b))
        # ... placed differently: shard and bucket order, set members, hash fields.
        self.assertNotEqual(scan_a, scan_b)
        self.assertNotEqual(keys_a, keys_b)
        self.assertNotEqual(sset_a, sset_b)
        self.assertNotEqual(hash_a, hash_b)


if __name__ == "__main__":
    unittest.main()
