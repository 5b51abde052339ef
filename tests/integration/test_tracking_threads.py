#!/usr/bin/python3
"""Integration: client-side caching across event loops (--threads 2 unless
LARDER_THREADS says otherwise; scripts/test also runs it against the
ThreadSanitizer build).

- a write acknowledged to a client on one loop has its invalidation ahead of
  any later reply to a tracking client on the other loop (so a cache that
  waits for the write cannot serve the old value), for several pairs of
  clients at once;
- BCAST clients on both loops get every key written under their prefix;
- REDIRECT to a RESP2 subscriber on the other loop.
"""
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, decode, encode_command  # noqa: E402

THREADS = int(os.environ.get("LARDER_THREADS", "2") or "2")
ROUNDS = 200


def invalidation(key):
    return b">2\r\n$10\r\ninvalidate\r\n*1\r\n$%d\r\n%s\r\n" % (len(key), key.encode())


class TrackingThreadsTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder(threads=max(THREADS, 2))

    def test_invalidation_before_later_replies(self):
        errors = []

        def pair(tag):
            try:
                with self.srv.client() as reader, self.srv.client() as writer:  # one per loop
                    reader.cmd("HELLO", "3")
                    reader.cmd("CLIENT", "TRACKING", "ON")
                    for i in range(ROUNDS):
                        key = "%s:%d" % (tag, i % 10)
                        reader.cmd("GET", key)
                        if writer.cmd("SET", key, str(i)) != b"+OK\r\n":
                            errors.append("SET failed")
                        reader.send(encode_command("PING"))
                        got = reader.read_reply()
                        if got != invalidation(key) or reader.read_reply() != b"+PONG\r\n":
                            errors.append("%s round %d: %r" % (tag, i, got))
                            return
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        self.run_threads([lambda t=t: pair(t) for t in ("a", "b", "c", "d")])
        self.assertEqual(errors, [])
        with self.srv.client() as c:
            info = decode(c.cmd("INFO", "clients")).decode()
            self.assertIn("tracking_clients:0", info)

    def test_bcast_on_every_loop(self):
        readers = [self.srv.client() for _ in range(4)]
        try:
            for r in readers:
                r.cmd("HELLO", "3")
                r.cmd("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "p:")
            keys = ["p:%d" % i for i in range(100)]

            def write(part):
                with self.srv.client() as w:
                    w.send(b"".join(encode_command("SET", k, "v") for k in part))
                    w.read_replies(len(part))
                    w.send(encode_command("SET", "other", "v"))
                    w.read_reply()

            self.run_threads([lambda p=keys[:50]: write(p), lambda p=keys[50:]: write(p)])
            for r in readers:
                seen = set()
                while len(seen) < len(keys):
                    msg = decode(r.read_reply())
                    self.assertEqual(msg[0], b"invalidate")
                    seen.update(k.decode() for k in msg[1])
                self.assertEqual(seen, set(keys))
                self.assertEqual(r.read_available(0.2), b"")
        finally:
            for r in readers:
                r.close()

    def test_redirect_to_a_subscriber_on_the_other_loop(self):
        with self.srv.client() as sub, self.srv.client() as c, self.srv.client() as w:
            sub_id = decode(sub.cmd("CLIENT", "ID"))
            sub.send(encode_command("SUBSCRIBE", "__redis__:invalidate"))
            sub.read_reply()
            self.assertEqual(c.cmd("CLIENT", "TRACKING", "ON", "REDIRECT", str(sub_id)), b"+OK\r\n")
            for i in range(50):
                c.cmd("GET", "k%d" % i)
            w.send(b"".join(encode_command("SET", "k%d" % i, "v") for i in range(50)))
            w.read_replies(50)
            for i in range(50):
                self.assertEqual(sub.read_reply(),
                                 b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$%d\r\nk%d\r\n"
                                 % (len("k%d" % i), i))


if __name__ == "__main__":
    unittest.main()
