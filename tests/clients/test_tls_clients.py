#!/usr/bin/python3
"""Clients over TLS: `redis-cli --tls` and redis-py with ssl=True connect to a
Larder that listens on a TLS port only, and run commands.

Run with /usr/bin/python3 (Debian's python3-redis is only importable there)."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ClassServersMixin, ServerTestCase, redis_cli_bin  # noqa: E402
from tls_support import Certs, start_tls_larder  # noqa: E402

import redis  # noqa: E402  (python3-redis)


class TlsClientsTest(ClassServersMixin, ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.certs = Certs()
        cls.larder = cls.start_class_server(start_tls_larder(cls.certs, auth_clients="optional"))

    @classmethod
    def tearDownClass(cls):
        cls.stop_class_servers()
        super().tearDownClass()

    def cli(self, *args, client_cert=False):
        argv = [redis_cli_bin(), "-p", str(self.larder.port), "--tls", "--cacert", self.certs.ca]
        if client_cert:
            argv += ["--cert", self.certs.client_cert, "--key", self.certs.client_key]
        done = subprocess.run(argv + list(args), capture_output=True, timeout=20)
        return done.stdout.decode().rstrip("\n"), done.returncode

    def test_redis_cli(self):
        self.assertEqual(self.cli("PING"), ("PONG", 0))
        self.assertEqual(self.cli("SET", "cli:k", "hello", client_cert=True), ("OK", 0))
        self.assertEqual(self.cli("GET", "cli:k"), ("hello", 0))
        self.assertEqual(self.cli("-3", "HGETALL", "nothing"), ("", 0))
        self.assertEqual(self.cli("DEL", "cli:k"), ("1", 0))

    def test_redis_cli_without_tls_is_dropped(self):
        argv = [redis_cli_bin(), "-p", str(self.larder.port), "PING"]
        done = subprocess.run(argv, capture_output=True, timeout=20)
        self.assertNotIn(b"PONG", done.stdout)

    def test_redis_py(self):
        for cert in (False, True):
            extra = {"ssl_certfile": self.certs.client_cert, "ssl_keyfile": self.certs.client_key} if cert else {}
            r = redis.Redis(host="localhost", port=self.larder.port, ssl=True, ssl_ca_certs=self.certs.ca,
                            socket_timeout=10, **extra)
            try:
                self.assertTrue(r.ping())
                r.set("py:k", "v" * 100_000, ex=60)
                self.assertEqual(r.get("py:k"), b"v" * 100_000)
                self.assertLessEqual(r.ttl("py:k"), 60)
                pipe = r.pipeline(transaction=True)
                for i in range(100):
                    pipe.incr("py:n")
                self.assertEqual(pipe.execute()[-1], 100)
                self.assertEqual(r.delete("py:k", "py:n"), 2)
            finally:
                r.close()


if __name__ == "__main__":
    unittest.main()
