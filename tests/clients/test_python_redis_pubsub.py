#!/usr/bin/python3
"""Pub/Sub with Debian's python3-redis (4.3.4) against Larder (--threads 2):
an application's L1 caches invalidated through a channel, PubSub's
subscribe / psubscribe / get_message / run_in_thread, PUBSUB introspection.

Run with /usr/bin/python3 (the Debian package is only importable there).
"""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

import redis  # noqa: E402  (python3-redis)


def next_message(p, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = p.get_message(timeout=0.1)
        if m is not None:
            return m
    raise AssertionError("no message within %.1fs" % timeout)


class L1Cache:
    """A process-local copy of hot keys, dropped on "invalidate" broadcasts."""

    def __init__(self, r):
        self.r = r
        self.local = {}
        self.pubsub = r.pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(**{"invalidate": self._on_invalidate})
        self.thread = self.pubsub.run_in_thread(sleep_time=0.01, daemon=True)

    def _on_invalidate(self, message):
        self.local.pop(message["data"].decode(), None)

    def get(self, key):
        if key not in self.local:
            self.local[key] = self.r.get(key)
        return self.local[key]

    def close(self):
        self.thread.stop()
        self.thread.join(2)
        self.pubsub.close()


class PythonRedisPubSubTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder(threads=2)
        self.r = redis.Redis(host="127.0.0.1", port=self.srv.port, socket_timeout=5,
                             socket_connect_timeout=5)
        self.addCleanup(self.r.close)

    def test_subscribe_and_patterns(self):
        p = self.r.pubsub()
        self.addCleanup(p.close)
        p.subscribe("news", "alerts")
        self.assertEqual(next_message(p)["type"], "subscribe")
        self.assertEqual(next_message(p)["data"], 2)
        p.psubscribe("news.*")
        self.assertEqual(next_message(p), {"type": "psubscribe", "pattern": None,
                                           "channel": b"news.*", "data": 3})
        self.assertEqual(self.r.publish("news", "hello"), 1)
        self.assertEqual(next_message(p), {"type": "message", "pattern": None,
                                           "channel": b"news", "data": b"hello"})
        self.assertEqual(self.r.publish("news.tech", "x"), 1)
        self.assertEqual(next_message(p), {"type": "pmessage", "pattern": b"news.*",
                                           "channel": b"news.tech", "data": b"x"})
        self.assertEqual(self.r.pubsub_numsub("news", "none"), [(b"news", 1), (b"none", 0)])
        self.assertEqual(self.r.pubsub_numpat(), 1)
        self.assertEqual(sorted(self.r.pubsub_channels()), [b"alerts", b"news"])
        p.unsubscribe("news")
        self.assertEqual(next_message(p)["type"], "unsubscribe")
        self.assertEqual(self.r.publish("news", "gone"), 0)
        p.ping()
        self.assertEqual(next_message(p)["type"], "pong")

    def test_l1_caches_invalidated_by_broadcast(self):
        self.r.set("user:1", "alice")
        caches = [L1Cache(redis.Redis(host="127.0.0.1", port=self.srv.port)) for _ in range(4)]
        try:
            deadline = time.monotonic() + 5
            while self.r.pubsub_numsub("invalidate")[0][1] != 4 and time.monotonic() < deadline:
                time.sleep(0.01)
            for c in caches:
                self.assertEqual(c.get("user:1"), b"alice")
            self.r.set("user:1", "bob")
            self.assertEqual(self.r.publish("invalidate", "user:1"), 4)
            deadline = time.monotonic() + 5
            while any("user:1" in c.local for c in caches) and time.monotonic() < deadline:
                time.sleep(0.01)
            for c in caches:
                self.assertEqual(c.get("user:1"), b"bob")
        finally:
            for c in caches:
                c.close()

    def test_many_messages_in_order(self):
        p = self.r.pubsub(ignore_subscribe_messages=True)
        self.addCleanup(p.close)
        p.subscribe("seq")
        deadline = time.monotonic() + 5  # SUBSCRIBE is not waited for
        while self.r.pubsub_numsub("seq")[0][1] != 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        pipe = self.r.pipeline(transaction=False)
        for i in range(1000):
            pipe.publish("seq", str(i))
        self.assertEqual(pipe.execute(), [1] * 1000)
        got = []
        while len(got) < 1000:
            m = next_message(p)
            got.append(int(m["data"]))
        self.assertEqual(got, list(range(1000)))


if __name__ == "__main__":
    unittest.main()
