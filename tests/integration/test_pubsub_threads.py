#!/usr/bin/python3
"""Integration: Pub/Sub and MONITOR across event loops (--threads 2 unless
LARDER_THREADS says otherwise; scripts/test also runs it against the
ThreadSanitizer build).

- publishers on different loops reach subscribers on every loop; each PUBLISH
  reply counts every receiver; each subscriber gets every message, and each
  publisher's messages in the order they were published;
- pattern and channel subscribers mixed, subscribing and unsubscribing while
  messages flow, and disconnecting subscribers lose nothing for the others;
- a MONITOR on one loop sees the commands of clients on the other.
"""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, decode, encode_command  # noqa: E402

THREADS = int(os.environ.get("LARDER_THREADS", "2") or "2")


def subscribe(c, *channels, cmd="SUBSCRIBE"):
    c.send(encode_command(cmd, *channels))
    c.read_replies(len(channels))


class PubSubThreadsTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder(threads=max(THREADS, 2))

    def test_fan_out_counts_and_order(self):
        srv = self.srv
        subs = [srv.client() for _ in range(6)]  # accepted round-robin: both loops
        try:
            for i, s in enumerate(subs):
                if i % 3 == 2:
                    subscribe(s, "ch*", cmd="PSUBSCRIBE")
                else:
                    subscribe(s, "ch")
            per_publisher = 500
            errors = []

            def publish(tag):
                try:
                    with srv.client() as p:
                        for start in range(0, per_publisher, 50):
                            p.send(b"".join(encode_command("PUBLISH", "ch", "%s:%d" % (tag, i))
                                            for i in range(start, start + 50)))
                            for r in p.read_replies(50):
                                if r != b":%d\r\n" % len(subs):
                                    errors.append(r)
                except Exception as e:  # noqa: BLE001
                    errors.append(repr(e))

            threads = [threading.Thread(target=publish, args=(t,)) for t in ("a", "b")]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
            for i, s in enumerate(subs):
                got = [decode(r) for r in s.read_replies(2 * per_publisher)]
                nxt = {b"a": 0, b"b": 0}
                for m in got:
                    payload = m[-1]
                    tag, n = payload.split(b":")
                    self.assertEqual(int(n), nxt[tag], "subscriber %d: out of order" % i)
                    nxt[tag] += 1
                    self.assertEqual(m[0], b"pmessage" if i % 3 == 2 else b"message")
                self.assertEqual(nxt, {b"a": per_publisher, b"b": per_publisher})
                self.assertEqual(s.read_available(0.05), b"")
        finally:
            for s in subs:
                s.close()

    def test_churn_while_publishing(self):
        srv = self.srv
        stop = threading.Event()
        errors = []

        def churn():
            try:
                while not stop.is_set():
                    with srv.client() as c:
                        subscribe(c, "hot")
                        c.send(encode_command("UNSUBSCRIBE", "hot"))
                        subscribe(c, "hot", "cold")
                    # closed while subscribed
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

        steady = srv.client()
        subscribe(steady, "hot")
        churners = [threading.Thread(target=churn) for _ in range(3)]
        for t in churners:
            t.start()
        try:
            with srv.client() as p:
                for i in range(2000):
                    n = p.call("PUBLISH", "hot", str(i))
                    self.assertGreaterEqual(n, 1)
        finally:
            stop.set()
            for t in churners:
                t.join()
        got = [decode(r)[2] for r in steady.read_replies(2000)]
        self.assertEqual(got, [str(i).encode() for i in range(2000)])
        self.assertEqual(errors, [])
        with srv.client() as c:
            deadline = time.monotonic() + 5
            while c.call("PUBSUB", "NUMSUB", "hot")[1] != 1 and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertEqual(c.call("PUBSUB", "NUMSUB", "hot", "cold"), [b"hot", 1, b"cold", 0])
        steady.close()

    def test_pipelined_flood_is_delivered_whole(self):
        # Far more deliveries than a loop's queue may hold: the publisher is
        # held back until they are delivered, and nothing is lost.
        srv = self.srv
        subs = [srv.client() for _ in range(3)]
        try:
            for s in subs:
                subscribe(s, "flood")
            n = 100000
            frame = len(b"*3\r\n$7\r\nmessage\r\n$5\r\nflood\r\n$6\r\n000000\r\n")
            counts = [0] * len(subs)

            def drain(i):
                s = subs[i]
                while counts[i] < n * frame:
                    counts[i] += len(s.sock.recv(1 << 20))

            readers = [threading.Thread(target=drain, args=(i,)) for i in range(len(subs))]
            for t in readers:
                t.start()
            with srv.client() as p:
                p.send(b"".join(encode_command("PUBLISH", "flood", "%06d" % i) for i in range(n)))
                replies = p.read_replies(n)
            for t in readers:
                t.join(60)
            self.assertEqual(set(replies), {b":3\r\n"})
            self.assertEqual(counts, [n * frame] * len(subs))
        finally:
            for s in subs:
                s.close()

    def test_monitor_across_loops(self):
        srv = self.srv
        with srv.client() as m, srv.client() as a, srv.client() as b:
            self.assertEqual(m.cmd("MONITOR"), b"+OK\r\n")
            for i in range(100):
                a.call("SET", "k%d" % i, "v")
                b.call("GET", "k%d" % i)
            lines = [r.rstrip(b"\r\n") for r in m.read_replies(200)]
            for i in range(100):
                self.assertTrue(lines[2 * i].endswith(b'"SET" "k%d" "v"' % i), lines[2 * i])
                self.assertTrue(lines[2 * i + 1].endswith(b'"GET" "k%d"' % i), lines[2 * i + 1])


if __name__ == "__main__":
    unittest.main()
