#!/usr/bin/python3
"""10,000 pipelined commands sent in one sendall(): all replies arrive, correct, in order;
a pipeline written whole before its replies are read does not stall."""
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command  # noqa: E402


def build_pipeline(n, nkeys=97):
    """Mixed SET/GET/DEL/EXISTS; returns (payload, expected replies)."""
    model = {}
    payload = []
    expected = []
    for i in range(n):
        key = b"pk:%d" % (i % nkeys)
        op = i % 7
        if op in (0, 3, 5):
            val = b"v%d" % i * (1 + i % 5)
            payload.append(encode_command(b"SET", key, val))
            model[key] = val
            expected.append(b"+OK\r\n")
        elif op == 6 and i % 3 == 0:
            payload.append(encode_command(b"DEL", key))
            expected.append(b":1\r\n" if model.pop(key, None) is not None else b":0\r\n")
        elif op == 6:
            payload.append(encode_command(b"EXISTS", key))
            expected.append(b":1\r\n" if key in model else b":0\r\n")
        else:
            payload.append(encode_command(b"GET", key))
            v = model.get(key)
            expected.append(b"$-1\r\n" if v is None else b"$%d\r\n%s\r\n" % (len(v), v))
    return b"".join(payload), expected, model


class PipelineTest(ServerTestCase):
    def _run_pipeline(self, c, payload, expected):
        errors = []

        def writer():
            try:
                c.send(payload)  # one sendall() of the whole pipeline
            except OSError as e:
                errors.append(e)

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        replies = c.read_replies(len(expected))
        t.join(10)
        self.assertFalse(t.is_alive(), "writer thread stuck")
        self.assertEqual(errors, [])
        self.assertEqual(len(replies), len(expected))
        for i, (got, exp) in enumerate(zip(replies, expected)):
            if got != exp:
                self.fail("reply #%d: expected %r, got %r" % (i, exp, got))
        # Nothing extra after the last reply.
        self.assertEqual(c.cmd("PING"), b"+PONG\r\n")

    def test_whole_pipeline_written_before_any_reply_is_read(self):
        # redis-py's execute() sends every command before it reads a reply.
        # 12 MB of ECHOs answered by 10 MB fill both directions' socket
        # buffers: the server must go on reading while its replies wait.
        srv = self.start_larder()
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
        self.addCleanup(s.close)
        value = b"x" * 200
        n = 50000
        s.sendall(encode_command(b"ECHO", value) * n)
        want = len(b"$200\r\n" + value + b"\r\n") * n
        got = 0
        while got < want:
            chunk = s.recv(1 << 20)
            self.assertTrue(chunk, "connection closed after %d of %d bytes" % (got, want))
            got += len(chunk)
        self.assertEqual(got, want)

    def test_10000_mixed_set_get_one_sendall(self):
        srv = self.start_larder()
        c = self.client(srv)
        payload, expected, model = build_pipeline(10000)
        self.assertEqual(len(expected), 10000)
        self._run_pipeline(c, payload, expected)
        self.assertEqual(c.cmd("DBSIZE"), b":%d\r\n" % len(model))

    def test_10000_set_then_get_in_order(self):
        srv = self.start_larder()
        c = self.client(srv)
        payload = b"".join(encode_command("SET", "key:%d" % i, "value:%d" % i) for i in range(5000))
        payload += b"".join(encode_command("GET", "key:%d" % i) for i in range(5000))
        expected = [b"+OK\r\n"] * 5000 + [b"$%d\r\nvalue:%d\r\n" % (len(b"value:%d" % i), i)
                                          for i in range(5000)]
        self._run_pipeline(c, payload, expected)
        self.assertEqual(c.cmd("DBSIZE"), b":5000\r\n")

    def test_pipeline_on_two_connections_interleaved(self):
        srv = self.start_larder(threads=2)
        a = self.client(srv)
        b = self.client(srv)
        pa = b"".join(encode_command("SET", "a:%d" % i, "x" * (i % 50)) for i in range(3000))
        pb = b"".join(encode_command("GET", "missing:%d" % i) for i in range(3000))
        a.send(pa)
        b.send(pb)
        ra = a.read_replies(3000)
        rb = b.read_replies(3000)
        self.assertEqual(set(ra), {b"+OK\r\n"})
        self.assertEqual(set(rb), {b"$-1\r\n"})

    def test_many_connections_served_in_one_round(self):
        # Replies of the connections served in one round of the loop are
        # written together after it (EventLoop::defer_write): every
        # connection gets all of its replies, in order, including those whose
        # reply is larger than the socket takes at once. DEBUG SLEEP holds
        # the loop while every pipeline arrives, so rounds are full.
        big = b"b" * (256 << 10)  # past the 64 KiB a write call takes
        for threads in (1, 2):
            with self.subTest(threads=threads):
                srv = self.start_larder("--enable-debug-command", "yes", threads=threads)
                c = self.client(srv)
                self.assertEqual(c.cmd("SET", "big", big), b"+OK\r\n")
                conns = [self.client(srv) for _ in range(24)]
                for rnd in range(5):
                    c.send(encode_command("DEBUG", "SLEEP", "0.2"))
                    time.sleep(0.05)
                    self._one_round_of_pipelines(conns, rnd, big)
                    self.assertEqual(c.read_reply(), b"+OK\r\n")

    def _one_round_of_pipelines(self, conns, rnd, big):
        expected = []
        for i, conn in enumerate(conns):
            payload = []
            replies = []
            for n in range(100 * rnd + 1, 100 * rnd + 101):
                payload.append(encode_command("INCR", "ctr:%d" % i))
                replies.append(b":%d\r\n" % n)
                if i % 2 and n % 50 == 0:
                    payload.append(encode_command("GET", "big"))
                    replies.append(b"$%d\r\n%s\r\n" % (len(big), big))
            conn.send(b"".join(payload))
            expected.append(replies)
        for i, conn in enumerate(conns):
            got = conn.read_replies(len(expected[i]))
            self.assertEqual(len(got), len(expected[i]))
            for n, (g, e) in enumerate(zip(got, expected[i])):
                if g != e:
                    self.fail("round %d, connection %d, reply #%d: expected %r, got %r"
                              % (rnd, i, n, e[:40], g[:40]))


if __name__ == "__main__":
    unittest.main()
