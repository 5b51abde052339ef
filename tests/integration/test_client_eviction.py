#!/usr/bin/python3
"""Integration: maxmemory-clients (client eviction, as Redis 7).

- a client whose query buffer takes the clients past the limit is closed,
  counted in INFO stats evicted_clients and logged, and the others go on;
- so is one whose replies pile up unread, and one with a long MULTI queue;
- CLIENT NO-EVICT ON keeps a client; a percentage is of maxmemory; lowering
  the limit at runtime evicts a client that stopped growing;
- CLIENT LIST tot-mem and multi-mem show what a client holds.
"""
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, decode, encode_command  # noqa: E402

MB = 1024 * 1024
DECLARED = 4 * MB  # the length of the hog's SET value


def stat(c, name):
    for line in decode(c.cmd("INFO", "stats")).decode().split("\r\n"):
        if line.startswith(name + ":"):
            return int(line.split(":")[1])
    raise AssertionError("no %s in INFO stats" % name)


def hog(srv, body_bytes, first=None):
    """A client that sends `first` (a command, read back) and then the first
    `body_bytes` of a SET of a DECLARED-byte value."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    if first is not None:
        s.sendall(encode_command(*first))
        assert s.recv(100).startswith(b"+OK"), first
    s.sendall(b"*3\r\n$3\r\nSET\r\n$3\r\nhog\r\n$%d\r\n" % DECLARED)
    chunk = b"x" * (256 * 1024)
    sent = 0
    try:
        while sent < body_bytes:
            s.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # evicted while sending
    return s


def closed_within(sock, seconds):
    deadline = time.monotonic() + seconds
    sock.settimeout(0.05)
    while time.monotonic() < deadline:
        try:
            if sock.recv(1 << 16) == b"":
                return True
        except socket.timeout:
            continue
        except ConnectionResetError:
            return True
    return False


def field(line, name):
    for part in line.split():
        if part.startswith(name + "="):
            return int(part.split("=", 1)[1])
    raise AssertionError("no %s in %r" % (name, line))


class ClientEvictionTest(ServerTestCase):
    def test_big_query_buffer_is_evicted(self):
        srv = self.start_larder("--maxmemory-clients", "2mb")
        c = self.client(srv)
        self.assertEqual(c.call("CONFIG", "SET", "loglevel", "notice"), "OK")
        h = hog(srv, 3 * MB)
        self.assertTrue(closed_within(h, 5), "the client over maxmemory-clients was not closed")
        h.close()
        self.assertEqual(stat(c, "evicted_clients"), 1)
        self.assertEqual(c.call("SET", "k", "v"), "OK")
        self.assertIsNone(c.call("GET", "hog"))
        self.assertIn("Evicting client: id=", srv.log_text())
        self.assertEqual(c.call("CONFIG", "RESETSTAT"), "OK")
        self.assertEqual(stat(c, "evicted_clients"), 0)

    def test_off_by_default(self):
        srv = self.start_larder()
        h = hog(srv, 3 * MB)
        self.assertFalse(closed_within(h, 0.5))
        c = self.client(srv)
        self.assertEqual(c.call("CONFIG", "GET", "maxmemory-clients"), [b"maxmemory-clients", b"0"])
        line = [ln for ln in decode(c.cmd("CLIENT", "LIST")).decode().splitlines() if "cmd=NULL" in ln]
        self.assertEqual(len(line), 1, line)
        self.assertGreaterEqual(field(line[0], "tot-mem"), 3 * MB)
        self.assertEqual(stat(c, "evicted_clients"), 0)
        h.close()

    def test_unread_replies_are_evicted(self):
        srv = self.start_larder()
        with srv.client() as setter:  # under no limit: its query buffer held the 3 MB
            self.assertEqual(setter.call("SET", "big", "v" * (3 * MB)), "OK")
        c = self.client(srv)
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory-clients", "2mb"), "OK")
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", srv.port))
        s.sendall(encode_command("GET", "big") * 4)
        # It never reads: it is closed all the same, its replies dropped.
        deadline = time.monotonic() + 5
        while stat(c, "evicted_clients") == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(stat(c, "evicted_clients"), 1)
        while len(decode(c.cmd("CLIENT", "LIST")).splitlines()) > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        listing = decode(c.cmd("CLIENT", "LIST"))
        self.assertEqual(len(listing.splitlines()), 1, "the client with unread replies is still there: %r" % listing)
        s.close()

    def test_long_multi_queue_is_evicted(self):
        srv = self.start_larder("--maxmemory-clients", "1mb")
        q = self.client(srv)
        self.assertEqual(q.call("MULTI"), "OK")
        q.send(encode_command("SET", "k", "v" * 1024) * 100)
        self.assertEqual(q.read_replies(100), [b"+QUEUED\r\n"] * 100)
        c = self.client(srv)
        line = [ln for ln in decode(c.cmd("CLIENT", "LIST")).decode().splitlines() if "cmd=set" in ln][0]
        self.assertGreaterEqual(field(line, "multi-mem"), 100 * 1024)
        self.assertGreaterEqual(field(line, "tot-mem"), field(line, "multi-mem"))
        q.send(encode_command("SET", "k", "v" * 1024) * 2000)
        self.assertTrue(closed_within(q.sock, 5), "the client with a long MULTI queue was not closed")
        self.assertEqual(stat(c, "evicted_clients"), 1)
        self.assertIsNone(c.call("GET", "k"))

    def test_no_evict_client_is_kept(self):
        srv = self.start_larder("--maxmemory-clients", "2mb")
        h = hog(srv, 3 * MB, first=("CLIENT", "NO-EVICT", "ON"))
        self.assertFalse(closed_within(h, 0.5), "a CLIENT NO-EVICT ON client was closed")
        h.sendall(b"x" * (DECLARED - 3 * MB) + b"\r\n")
        h.settimeout(10)
        self.assertEqual(h.recv(100), b"+OK\r\n")
        h.sendall(encode_command("INFO", "stats"))
        time.sleep(0.2)
        self.assertIn(b"evicted_clients:0\r\n", h.recv(1 << 16))
        h.close()

    def test_percent_of_maxmemory_and_runtime_change(self):
        srv = self.start_larder("--maxmemory", "100mb", "--maxmemory-policy", "noeviction")
        h = hog(srv, 3 * MB)
        self.assertFalse(closed_within(h, 0.3))
        c = self.client(srv)
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory-clients", "10%"), "OK")
        self.assertEqual(c.call("CONFIG", "GET", "maxmemory-clients"), [b"maxmemory-clients", b"10%"])
        self.assertFalse(closed_within(h, 0.5), "evicted under 10% of 100mb")
        # 2% of 100mb is under what the hog holds: the cron finds it idle.
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory-clients", "2%"), "OK")
        self.assertTrue(closed_within(h, 5), "a client idle over a lowered limit was not closed")
        h.close()
        self.assertEqual(stat(c, "evicted_clients"), 1)


    def test_evicted_during_its_own_script(self):
        # The close waits for the client's busy script, then drops the reply
        # the client never reads.
        srv = self.start_larder("--busy-reply-threshold", "100")
        c = self.client(srv)
        self.assertEqual(c.call("CLIENT", "NO-EVICT", "ON"), "OK")
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory-clients", "5mb"), "OK")
        x = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        x.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        x.connect(("127.0.0.1", srv.port))
        script = ("local s = redis.call('time')[1] + 0 while redis.call('time')[1] + 0 < s + 1 do end "
                  "return string.rep('r', 20000000)")
        x.sendall(encode_command("EVAL", script, "0", "a" * 3000000))  # its read buffer: 3 MB and more
        time.sleep(0.3)
        y = hog(srv, MB)  # the clients pass 5 MB while x's script runs; x is the biggest
        deadline = time.monotonic() + 10
        listing = None
        while time.monotonic() < deadline:
            listing = decode(c.cmd("CLIENT", "LIST"))  # -BUSY while the script runs
            if isinstance(listing, bytes) and len(listing.splitlines()) <= 2:
                break
            time.sleep(0.1)
        self.assertEqual(len(listing.splitlines()), 2, "the evicted client is still there: %r" % listing)
        self.assertEqual(stat(c, "evicted_clients"), 1)
        x.close()
        y.close()


if __name__ == "__main__":
    unittest.main()
