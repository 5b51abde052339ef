#!/usr/bin/python3
"""Differential: TLS. redis-server and Larder both listen on a TLS port only
(`--port 0 --tls-port P`, certificates made at test time); replies over TLS
are compared byte for byte in RESP2 and RESP3, and so are the tls-* settings
(CONFIG GET / SET and their errors) and what tls-auth-clients yes, optional
and no let through."""
import os
import ssl
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ConnectionClosed, DifferentialTestCase, encode_command  # noqa: E402
from tls_support import Certs, TlsClient, start_tls_larder, start_tls_redis  # noqa: E402

BIG = b"x" * 300_000  # spans many TLS records
SCRIPT = [
    ("PING",),
    ("SET", "k", "v"),
    ("GET", "k"),
    ("GET", "missing"),
    ("INCR", "n"),
    ("INCRBY", "n", "41"),
    ("MSET", "a", "1", "b", "2"),
    ("MGET", "a", "b", "missing"),
    ("HSET", "h", "f1", "v1", "f2", "v2"),
    ("HGETALL", "h"),
    ("ZADD", "z", "1.5", "m1", "2", "m2"),
    ("ZRANGE", "z", "0", "-1", "WITHSCORES"),
    ("ZSCORE", "z", "m1"),
    ("SADD", "s", "only"),
    ("SMEMBERS", "s"),
    ("SET", "big", BIG),
    ("GET", "big"),
    ("STRLEN", "big"),
    ("NOSUCHCOMMAND", "x"),
    ("GET",),
    ("LPUSH", "h", "x"),
    ("DEL", "k", "n", "a", "b", "h", "z", "s", "big"),
    ("DBSIZE",),
]
# Settings that do not name a path or a port, so they read the same.
COMPARABLE = ["tls-auth-clients", "tls-protocols", "tls-ciphers", "tls-ciphersuites",
              "tls-prefer-server-ciphers", "tls-session-caching", "tls-session-cache-size",
              "tls-session-cache-timeout", "tls-key-file-pass", "tls-replication", "tls-cluster"]


def outcome(srv, context):
    """What a client with `context` gets: PING's reply, or "refused". (With
    TLS 1.3 the refusal comes after the client's handshake: an alert or just
    a close, depending on timing.)"""
    try:
        with TlsClient(srv.port, context) as c:
            return c.cmd("PING")
    except (ssl.SSLError, ConnectionClosed, ConnectionResetError, BrokenPipeError):
        return "refused"


class TlsDifferentialTest(DifferentialTestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = Certs()
        super().setUpClass()

    @classmethod
    def start_reference(cls):
        return start_tls_redis(cls.certs)

    @classmethod
    def start_subject(cls):
        return start_tls_larder(cls.certs)

    def both(self):
        return [(s, TlsClient(s.port, self.certs.client_context())) for s in (self.redis, self.larder)]

    def same(self, commands, resp3=False):
        replies = []
        for srv, c in self.both():
            with c:
                if resp3:
                    self.assertTrue(c.call("HELLO", "3")[b"proto"] == 3)
                replies.append([c.cmd(*args) for args in commands])
        for args, expected, actual in zip(commands, replies[0], replies[1]):
            self.assertEqual(actual, expected, "reply to %r" % (args[:3],))

    def set_both(self, name, value):
        for srv, c in self.both():
            with c:
                self.assertEqual(c.call("CONFIG", "SET", name, value), "OK", srv.name)

    def test_commands_resp2(self):
        self.same(SCRIPT)

    def test_commands_resp3(self):
        self.same(SCRIPT, resp3=True)

    def test_pipeline(self):
        batch = b"".join(encode_command("SET", "p%d" % i, "v" * (i % 50)) + encode_command("GET", "p%d" % i)
                         for i in range(500))
        replies = []
        for srv, c in self.both():
            with c:
                c.send(batch)
                replies.append(c.read_replies(1000))
                c.cmd("FLUSHALL")
        self.assertEqual(replies[1], replies[0])

    def test_info_and_client_list_show_the_tls_port(self):
        for srv, c in self.both():
            with c:
                info = c.call("INFO", "server").decode()
                self.assertIn("tcp_port:%d\r\n" % srv.port, info, srv.name)
                clients = c.call("CLIENT", "LIST").decode()
                self.assertRegex(clients, r"laddr=127\.0\.0\.1:%d " % srv.port, srv.name)

    def test_config_get(self):
        self.same([("CONFIG", "GET", name) for name in COMPARABLE])

    def test_config_set_errors(self):
        self.same([
            ("CONFIG", "SET", "tls-auth-clients", "maybe"),
            ("CONFIG", "SET", "tls-prefer-server-ciphers", "maybe"),
            ("CONFIG", "SET", "tls-port", "70000"),
            ("CONFIG", "SET", "tls-port", "abc"),
            ("CONFIG", "SET", "tls-protocols", "TLSv9"),
            ("CONFIG", "SET", "tls-protocols", "TLSv1.2  TLSv1.3"),
            ("CONFIG", "SET", "tls-ciphers", "nonsense"),
            ("CONFIG", "SET", "tls-ciphersuites", "nonsense"),
            ("CONFIG", "SET", "tls-cert-file", "/nonexistent.crt"),
            ("CONFIG", "SET", "tls-key-file", "/nonexistent.key"),
            ("CONFIG", "SET", "tls-ca-cert-file", "/nonexistent.crt"),
            ("CONFIG", "SET", "tls-session-cache-size", "-1"),
            ("CONFIG", "GET", "tls-protocols"),
            ("CONFIG", "GET", "tls-cert-file"),
        ])
        # Still serving with the settings they had.
        self.same([("PING",)])

    def test_protocols(self):
        """tls-protocols set at runtime applies to new connections."""
        try:
            self.set_both("tls-protocols", "TLSv1.2")
            for srv, c in self.both():
                with c:
                    self.assertEqual(c.sock.version(), "TLSv1.2", srv.name)
                    self.assertEqual(c.cmd("PING"), b"+PONG\r\n")
            self.same([("CONFIG", "GET", "tls-protocols")])
        finally:
            self.set_both("tls-protocols", "")
        for srv, c in self.both():
            with c:
                self.assertEqual(c.sock.version(), "TLSv1.3", srv.name)

    def test_auth_clients(self):
        with_cert = self.certs.client_context()
        without_cert = self.certs.client_context(with_cert=False)
        try:
            for mode, expect_without in [("yes", None), ("optional", b"+PONG\r\n"), ("no", b"+PONG\r\n")]:
                if mode != "yes":
                    self.set_both("tls-auth-clients", mode)
                for context, expect in [(with_cert, b"+PONG\r\n"), (without_cert, expect_without)]:
                    expected = outcome(self.redis, context)
                    actual = outcome(self.larder, context)
                    self.assertEqual(actual, expected, "tls-auth-clients %s" % mode)
                    if expect is not None:
                        self.assertEqual(expected, expect, "tls-auth-clients %s" % mode)
                    else:
                        self.assertEqual(expected, "refused", "tls-auth-clients %s" % mode)
        finally:
            self.set_both("tls-auth-clients", "yes")

    def test_plain_text_on_the_tls_port(self):
        """A client that does not speak TLS is dropped; the server goes on."""
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                c.send(encode_command("PING"))
                self.assertTrue(c.is_closed(timeout=5.0), srv.name)
        self.same([("PING",)])


if __name__ == "__main__":
    unittest.main()
