#!/usr/bin/python3
"""Integration: TLS. `port 0` leaves only the TLS port; a certificate, key or
setting that cannot be used stops the server at start with an error naming
the directive (exit code 1); CONFIG SET of the tls-* files and of tls-port
applies to new connections while open ones go on; an unfinished or broken
handshake holds no one up; plain and TLS ports serve the same keyspace."""
import os
import socket
import ssl
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import RawClient, ServerTestCase, free_port, larder_bin  # noqa: E402
from tls_support import Certs, TlsClient, start_tls_larder  # noqa: E402


class TlsIntegrationTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.certs = Certs()

    def start(self, *extra, **kw):
        srv = start_tls_larder(self.certs, *extra, **kw)
        self._track(srv)
        return srv

    def tls(self, port, certs=None):
        c = TlsClient(port, (certs or self.certs).client_context())
        self.addCleanup(c.close)
        return c

    def refused_start(self, *args):
        """Runs the server with `args`; returns its output after it exits."""
        done = subprocess.run([larder_bin(), "--bind", "127.0.0.1"] + [str(a) for a in args],
                              capture_output=True, timeout=20)
        out = (done.stdout + done.stderr).decode()
        self.assertEqual(done.returncode, 1, out)
        return out

    def test_tls_port_only(self):
        srv = self.start()
        c = self.tls(srv.port)
        self.assertEqual(c.call("SET", "k", "v"), "OK")
        self.assertEqual(c.call("GET", "k"), b"v")
        self.assertIn(b"tcp_port:%d\r\n" % srv.port, c.call("INFO", "server"))
        self.assertEqual(c.call("CONFIG", "GET", "port"), [b"port", b"0"])

    def test_bad_files_and_settings_stop_the_start(self):
        base = ["--port", "0", "--tls-port", free_port()]
        for overrides, directive, detail in [
            ({"tls_cert_file": "/nonexistent/server.crt"}, "tls-cert-file", "/nonexistent/server.crt"),
            ({"tls_key_file": "/nonexistent/server.key"}, "tls-key-file", "/nonexistent/server.key"),
            ({"tls_key_file": self.certs.client_key}, "tls-key-file", "key values mismatch"),
            ({"tls_ca_cert_file": "/nonexistent/ca.crt"}, "tls-ca-cert-file", "CA certificate"),
            ({"tls_protocols": "TLSv1.4"}, "tls-protocols", "Invalid tls-protocols"),
            ({"tls_ciphers": "NO-SUCH-CIPHER"}, "tls-ciphers", "Failed to configure ciphers"),
            ({"tls_ciphersuites": "NO_SUCH_SUITE"}, "tls-ciphersuites", "ciphersuites"),
            ({"tls_auth_clients": "maybe"}, "tls-auth-clients", "must be one of"),
        ]:
            out = self.refused_start(*(base + self.certs.server_args(**overrides)))
            self.assertIn("'%s'" % directive, out)
            self.assertIn(detail, out)
        out = self.refused_start(*base)
        self.assertIn("No tls-cert-file configured", out)
        out = self.refused_start("--port", "0")
        self.assertIn("not listen anywhere", out)

    def test_encrypted_key(self):
        key = os.path.join(self.certs.dir, "encrypted.key")
        subprocess.run(["openssl", "pkey", "-in", self.certs.server_key, "-aes256", "-passout",
                        "pass:s3cret", "-out", key], check=True, capture_output=True)
        out = self.refused_start("--port", "0", "--tls-port", free_port(), *self.certs.server_args(tls_key_file=key))
        self.assertIn("'tls-key-file'", out)
        srv = start_tls_larder(self.certs, "--tls-key-file-pass", "s3cret", tls_key_file=key)
        self._track(srv)
        self.assertEqual(self.tls(srv.port).cmd("PING"), b"+PONG\r\n")

    def test_config_set_new_certificates(self):
        srv = self.start()
        old = self.tls(srv.port)
        other = Certs()
        self.assertEqual(old.call("CONFIG", "SET", "tls-cert-file", other.server_cert,
                                  "tls-key-file", other.server_key, "tls-ca-cert-file", other.ca), "OK")
        # New connections get the new certificate; the open one goes on.
        self.assertEqual(self.tls(srv.port, other).cmd("PING"), b"+PONG\r\n")
        with self.assertRaises(ssl.SSLCertVerificationError):
            TlsClient(srv.port, self.certs.client_context())
        self.assertEqual(old.cmd("PING"), b"+PONG\r\n")
        # A file that cannot be read changes nothing.
        self.assertEqual(old.call("CONFIG", "SET", "tls-cert-file", "/nonexistent").message,
                         "ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - "
                         "Unable to update TLS configuration. Check server logs.")
        self.assertEqual(old.call("CONFIG", "GET", "tls-cert-file"), [b"tls-cert-file", other.server_cert.encode()])
        self.assertEqual(self.tls(srv.port, other).cmd("PING"), b"+PONG\r\n")

    def test_config_set_tls_port(self):
        srv = self.start()
        c = self.tls(srv.port)
        new_port = free_port()
        self.assertEqual(c.call("CONFIG", "SET", "tls-port", str(new_port)), "OK")
        self.assertEqual(self.tls(new_port).cmd("PING"), b"+PONG\r\n")
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
        self.assertEqual(c.cmd("PING"), b"+PONG\r\n")
        # A port that is taken is refused, and the listener stays where it is.
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            reply = c.call("CONFIG", "SET", "tls-port", str(taken.getsockname()[1]))
        self.assertEqual(reply.message, "ERR CONFIG SET failed (possibly related to argument 'tls-port') - "
                                        "Unable to listen on this port. Check server logs.")
        self.assertEqual(self.tls(new_port).cmd("PING"), b"+PONG\r\n")
        srv.port = new_port  # for the harness

    def test_unfinished_and_broken_handshakes(self):
        srv = self.start("--threads", "2")
        silent = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(4)]
        partial = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        partial.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # a ClientHello cut short
        for garbage in (b"\x16\x03\x01\x00\x05hello", b"GET / HTTP/1.0\r\n\r\n", b"\x00" * 1000):
            with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
                s.sendall(garbage)
                s.settimeout(5)
                try:
                    while s.recv(4096):
                        pass
                except ConnectionResetError:
                    pass
        for i in range(4):  # both loops
            c = self.tls(srv.port)
            self.assertEqual(c.call("SET", "k%d" % i, "v"), "OK")
        for s in silent + [partial]:
            s.close()

    def test_plain_and_tls_ports_together(self):
        plain_port = free_port()
        srv = self.start(auth_clients="no", plain_port=plain_port)
        with TlsClient(srv.port, ssl.create_default_context(cafile=self.certs.ca)) as c:
            self.assertEqual(c.call("SET", "shared", "yes"), "OK")
        with RawClient(plain_port) as p:
            self.assertEqual(p.call("GET", "shared"), b"yes")
            self.assertIn(b"tcp_port:%d\r\n" % plain_port, p.call("INFO", "server"))


if __name__ == "__main__":
    unittest.main()
