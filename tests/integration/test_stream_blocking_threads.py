#!/usr/bin/python3
"""Integration: blocked XREAD and XREADGROUP across event loops (--threads 2
unless LARDER_THREADS says otherwise).

- one XADD on one loop wakes every XREAD blocked on the stream from the
  other loops, each getting the entry;
- consumers of one group blocked on several loops while producers add
  concurrently: every entry is delivered to exactly one consumer, none is
  lost, and the group's PEL holds exactly the unacknowledged ones;
- XGROUP DESTROY and DEL wake the group's waiters on other loops with
  Redis's errors; timeouts end waits that nothing served.
"""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, decode, encode_command  # noqa: E402

THREADS = int(os.environ.get("LARDER_THREADS", "2") or "2")


def wait_blocked(c, n, limit=10.0):
    deadline = time.monotonic() + limit
    while True:
        info = decode(c.cmd("INFO", "clients")).decode()
        line = [x for x in info.split("\r\n") if x.startswith("blocked_clients:")][0]
        if int(line.split(":")[1]) == n:
            return
        if time.monotonic() > deadline:
            raise AssertionError("blocked_clients never reached %d: %s" % (n, line))
        time.sleep(0.002)


class StreamBlockingThreadsTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder(threads=max(THREADS, 2))

    def clients(self, n):
        cs = [self.srv.client() for _ in range(n)]
        for c in cs:
            self.addCleanup(c.close)
        return cs

    def test_one_xadd_wakes_readers_on_every_loop(self):
        readers = self.clients(6)
        with self.srv.client() as c:
            for i, r in enumerate(readers):
                r.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "other%d" % i, "s", "$", "$"))
                wait_blocked(c, i + 1)
            self.assertEqual(decode(c.cmd("XADD", "s", "5-1", "f", "v")), b"5-1")
            for r in readers:
                self.assertEqual(decode(r.read_reply()), [[b"s", [[b"5-1", [b"f", b"v"]]]]])
            wait_blocked(c, 0)

    def test_group_delivers_each_entry_once_across_loops(self):
        consumers = self.clients(4)
        producers = 3
        per_producer = 300
        with self.srv.client() as c:
            c.cmd("XGROUP", "CREATE", "jobs", "g", "$", "MKSTREAM")
        got = {i: [] for i in range(len(consumers))}
        stop = threading.Event()

        def consume(i):
            r = consumers[i]
            while not stop.is_set():
                reply = decode(r.cmd("XREADGROUP", "GROUP", "g", "w%d" % i, "COUNT", "7", "BLOCK", "100",
                                     "STREAMS", "jobs", ">"))
                if reply is None:
                    continue
                for _key, entries in reply:
                    for entry_id, fields in entries:
                        got[i].append((entry_id, fields[1]))
                        if int(fields[1]) % 2 == 0:
                            r.cmd("XACK", "jobs", "g", entry_id)

        def produce(p):
            with self.srv.client() as c:
                for k in range(per_producer):
                    c.cmd("XADD", "jobs", "*", "n", str(p * per_producer + k))

        threads = [threading.Thread(target=consume, args=(i,)) for i in range(len(consumers))]
        threads += [threading.Thread(target=produce, args=(p,)) for p in range(producers)]
        for t in threads:
            t.start()
        total = producers * per_producer
        deadline = time.monotonic() + 60
        while sum(len(v) for v in got.values()) < total and time.monotonic() < deadline:
            time.sleep(0.01)
        stop.set()
        for t in threads:
            t.join(30)
        delivered = [n for v in got.values() for _, n in v]
        self.assertEqual(len(delivered), total)
        self.assertEqual(sorted(int(n) for n in delivered), list(range(total)))
        with self.srv.client() as c:
            summary = decode(c.cmd("XPENDING", "jobs", "g"))
            self.assertEqual(summary[0], total // 2)
            self.assertEqual(decode(c.cmd("XLEN", "jobs")), total)
            groups = decode(c.cmd("XINFO", "GROUPS", "jobs"))[0]
            info = dict(zip(groups[::2], groups[1::2]))
            self.assertEqual(info[b"entries-read"], total)
            self.assertEqual(info[b"lag"], 0)

    def test_destroy_and_del_wake_group_waiters_on_other_loops(self):
        waiters = self.clients(4)
        with self.srv.client() as c:
            c.cmd("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
            for i, w in enumerate(waiters[:2]):
                w.send(encode_command("XREADGROUP", "GROUP", "g", "c%d" % i, "BLOCK", "0", "STREAMS", "s", ">"))
                wait_blocked(c, i + 1)
            self.assertEqual(decode(c.cmd("XGROUP", "DESTROY", "s", "g")), 1)
            for w in waiters[:2]:
                self.assertTrue(w.read_reply().startswith(b"-NOGROUP the consumer group this client"))
            wait_blocked(c, 0)
            c.cmd("XGROUP", "CREATE", "s", "g", "$")
            for i, w in enumerate(waiters[2:]):
                w.send(encode_command("XREADGROUP", "GROUP", "g", "c%d" % i, "BLOCK", "0", "STREAMS", "s", ">"))
                wait_blocked(c, i + 1)
            waiters[0].send(encode_command("XREAD", "BLOCK", "300", "STREAMS", "s", "$"))
            wait_blocked(c, 3)
            self.assertEqual(decode(c.cmd("DEL", "s")), 1)
            for w in waiters[2:]:
                self.assertEqual(w.read_reply(), b"-UNBLOCKED the stream key no longer exists\r\n")
            # The XREAD waits on and times out.
            self.assertEqual(waiters[0].read_reply(), b"*-1\r\n")
            wait_blocked(c, 0)


if __name__ == "__main__":
    unittest.main()
