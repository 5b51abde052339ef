#!/usr/bin/python3
"""KEYS works in short steps on the event loop: other clients' commands are
answered while it runs, commands pipelined behind it wait for its reply, it
still runs at once inside MULTI/EXEC, CLIENT REPLY applies to it, a client
closing mid-KEYS harms nothing, and concurrent writers on other threads never
make it return a key twice."""
import os
import socket
import struct
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command  # noqa: E402

KEYS = 200000
MSET_BATCH = 1000


def load(c, n=KEYS, prefix="key:"):
    commands = []
    for start in range(0, n, MSET_BATCH):
        args = ["MSET"]
        for i in range(start, min(start + MSET_BATCH, n)):
            args += ["%s%d" % (prefix, i), "v"]
        commands.append(encode_command(*args))
    c.send(b"".join(commands))
    replies = c.read_replies(len(commands))
    assert all(r == b"+OK\r\n" for r in replies), replies[:3]


def read_keys(c):
    """Reads one KEYS reply (an array of bulk strings), however large, without
    rescanning it from the start for every chunk; returns the keys."""
    buf = c.buf
    pos = 0

    def line():
        nonlocal pos
        while True:
            end = buf.find(b"\r\n", pos)
            if end >= 0:
                text = bytes(buf[pos:end])
                pos = end + 2
                return text
            c._recv_more()

    header = line()
    assert header.startswith(b"*"), header[:80]
    keys = []
    for _ in range(int(header[1:])):
        n = int(line()[1:])
        while len(buf) < pos + n + 2:
            c._recv_more()
        keys.append(bytes(buf[pos:pos + n]))
        pos += n + 2
    del buf[:pos]
    return keys


def expected(prefix_filter):
    return {b"key:%d" % i for i in range(KEYS) if (b"key:%d" % i).startswith(prefix_filter)}


class KeysIncrementalTest(ServerTestCase):
    def loaded_server(self, threads=1):
        srv = self.start_larder(threads=threads)
        with srv.client() as c:
            load(c)
            self.assertEqual(c.call("DBSIZE"), KEYS)
        return srv

    def test_other_clients_are_served_while_keys_runs(self):
        # One event loop: without steps, KEYS would hold it until its reply.
        srv = self.loaded_server()
        keys_client = self.client(srv)
        other = self.client(srv)
        sent = threading.Event()
        result = {}

        def run_keys():
            keys_client.send(encode_command("KEYS", "*"))
            result["sent"] = time.monotonic()
            sent.set()
            while not keys_client.buf:
                keys_client._recv_more()
            result["first_byte"] = time.monotonic()
            result["keys"] = read_keys(keys_client)

        t = threading.Thread(target=run_keys)
        t.start()
        sent.wait(10)
        answered = []  # when each GET's reply arrived
        i = 0
        while "first_byte" not in result and i < 100000:
            self.assertEqual(other.cmd("GET", "key:%d" % i), b"$1\r\nv\r\n")
            answered.append(time.monotonic())
            i += 1
        t.join(60)
        self.assertFalse(t.is_alive(), "KEYS reply never completed")
        during = [a for a in answered if result["sent"] < a < result["first_byte"]]
        sys.stderr.write("KEYS * on %d keys: first reply byte after %.1f ms; %d GETs answered "
                         "meanwhile\n" % (KEYS, (result["first_byte"] - result["sent"]) * 1000,
                                          len(during)))
        # Another client's command may slip in before KEYS starts; several
        # can only be answered between its steps.
        self.assertGreaterEqual(len(during), 3)
        keys = result["keys"]
        self.assertEqual(len(keys), KEYS)
        self.assertEqual(set(keys), expected(b""))
        self.assertEqual(other.cmd("PING"), b"+PONG\r\n")

    def test_half_closed_client_gets_its_reply(self):
        srv = self.loaded_server()
        c = self.client(srv)
        c.send(encode_command("KEYS", "key:1999*") + encode_command("PING"))
        c.sock.shutdown(socket.SHUT_WR)
        self.assertEqual(set(read_keys(c)), expected(b"key:1999"))
        self.assertEqual(c.read_reply(), b"+PONG\r\n")
        self.assertTrue(c.is_closed(10))

    def test_pipelined_commands_wait_for_the_keys_reply(self):
        srv = self.loaded_server()
        c = self.client(srv)
        c.send(encode_command("SET", "x", "before") + encode_command("KEYS", "key:1999*") +
               encode_command("GET", "x") + encode_command("SET", "x", "after") +
               encode_command("KEYS", "x") + encode_command("GET", "x"))
        self.assertEqual(c.read_reply(), b"+OK\r\n")
        self.assertEqual(set(read_keys(c)), expected(b"key:1999"))
        self.assertEqual(c.read_reply(), b"$6\r\nbefore\r\n")
        self.assertEqual(c.read_reply(), b"+OK\r\n")
        self.assertEqual(c.read_reply(), b"*1\r\n$1\r\nx\r\n")
        self.assertEqual(c.read_reply(), b"$5\r\nafter\r\n")
        self.assertEqual(c.cmd("PING"), b"+PONG\r\n")

    def test_keys_inside_multi_exec(self):
        srv = self.loaded_server()
        c = self.client(srv)
        self.assertEqual(c.cmd("MULTI"), b"+OK\r\n")
        self.assertEqual(c.cmd("KEYS", "key:1999*"), b"+QUEUED\r\n")
        self.assertEqual(c.cmd("SET", "x", "1"), b"+QUEUED\r\n")
        self.assertEqual(c.cmd("KEYS", "x"), b"+QUEUED\r\n")
        keys, ok, xs = c.call("EXEC")
        self.assertEqual(set(keys), expected(b"key:1999"))
        self.assertEqual(len(keys), len(expected(b"key:1999")))
        self.assertEqual(ok, "OK")
        self.assertEqual(xs, [b"x"])

    def test_client_reply_skip_and_off_drop_the_keys_reply(self):
        srv = self.loaded_server()
        c = self.client(srv)
        c.send(encode_command("CLIENT", "REPLY", "SKIP") + encode_command("KEYS", "*") +
               encode_command("PING"))
        self.assertEqual(c.read_reply(), b"+PONG\r\n")
        c.send(encode_command("CLIENT", "REPLY", "OFF") + encode_command("KEYS", "*") +
               encode_command("CLIENT", "REPLY", "ON"))
        self.assertEqual(c.read_reply(), b"+OK\r\n")
        self.assertEqual(c.cmd("PING"), b"+PONG\r\n")
        self.assertEqual(c.read_available(0.2), b"")
        self.assertIn(b"cmdstat_keys:calls=2,", c.cmd("INFO", "commandstats"))

    def test_closing_mid_keys(self):
        srv = self.loaded_server()
        c = self.client(srv)
        for _ in range(10):
            s = socket.create_connection(("127.0.0.1", srv.port))
            s.sendall(encode_command("KEYS", "*"))
            time.sleep(0.002)
            # A reset: the server's write of the reply fails.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        for _ in range(10):
            victim = self.client(srv)
            victim_id = victim.call("CLIENT", "ID")
            victim.send(encode_command("KEYS", "*"))
            self.assertEqual(c.call("CLIENT", "KILL", "ID", victim_id), 1)
            self.assertTrue(victim.is_closed(10))
        self.assertEqual(c.cmd("PING"), b"+PONG\r\n")
        self.assertEqual(c.call("DBSIZE"), KEYS)
        # Shrinking was given back: deleting most keys shrinks the tables.
        c.send(b"".join(encode_command("DEL", *["key:%d" % j for j in range(i, i + 1000)])
                        for i in range(0, KEYS - 1000, 1000)))
        c.read_replies(KEYS // 1000 - 1)
        self.assertEqual(c.call("DBSIZE"), 1000)
        self.assertEqual(len(read_keys_of(c, "*")), 1000)

    def test_concurrent_writers_on_other_threads_never_cause_duplicates(self):
        srv = self.loaded_server(threads=2)
        stop = threading.Event()
        errors = []
        rounds = [0]

        def churn():
            try:
                with srv.client() as w:
                    n = 0
                    while not stop.is_set():
                        batch = ["churn:%d:%d" % (n, i) for i in range(5000)]
                        w.send(b"".join(encode_command("SET", k, "x") for k in batch))
                        w.read_replies(len(batch))
                        w.send(b"".join(encode_command("DEL", k) for k in batch))
                        w.read_replies(len(batch))
                        n += 1
                        rounds[0] = n
            except Exception as e:  # reported below
                errors.append(e)

        t = threading.Thread(target=churn)
        t.start()
        try:
            c = self.client(srv)
            for _ in range(5):
                keys = read_keys_of(c, "key:*")
                self.assertEqual(len(keys), KEYS, "a key returned twice or missed")
                self.assertEqual(set(keys), expected(b""))
        finally:
            stop.set()
            t.join(60)
        self.assertFalse(t.is_alive())
        self.assertEqual(errors, [])
        self.assertGreater(rounds[0], 0)


def read_keys_of(c, pattern):
    c.send(encode_command("KEYS", pattern))
    return read_keys(c)


if __name__ == "__main__":
    unittest.main()
