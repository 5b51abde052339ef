"""TLS helpers for the test suites.

Certs() makes a throwaway CA, a server certificate for localhost/127.0.0.1
and a client certificate with `openssl` (Debian's openssl package) in a temp
directory. start_tls_larder()/start_tls_redis() start a server that listens
on a TLS port only (`--port 0 --tls-port P`). TlsClient is the harness's
RawClient over a TLS socket.
"""

import atexit
import shutil
import socket
import ssl
import subprocess
import tempfile

import larder_harness as h


class Certs:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="larder-tls-")
        atexit.register(shutil.rmtree, self.dir, True)
        self.ca = self._path("ca.crt")
        self.ca_key = self._path("ca.key")
        self.server_cert = self._path("server.crt")
        self.server_key = self._path("server.key")
        self.client_cert = self._path("client.crt")
        self.client_key = self._path("client.key")
        self._openssl("req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-days", "2",
                      "-subj", "/CN=Larder test CA", "-keyout", self.ca_key, "-out", self.ca)
        ext = self._path("server.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        self._sign("server", "/CN=localhost", self.server_key, self.server_cert, ext)
        self._sign("client", "/CN=client", self.client_key, self.client_cert, None)

    def _path(self, name):
        return self.dir + "/" + name

    def _openssl(self, *args):
        subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def _sign(self, name, subject, key, cert, ext):
        csr = self._path(name + ".csr")
        self._openssl("req", "-new", "-nodes", "-newkey", "rsa:2048", "-subj", subject,
                      "-keyout", key, "-out", csr)
        args = ["x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key,
                "-CAcreateserial", "-days", "2", "-out", cert]
        if ext:
            args += ["-extfile", ext]
        self._openssl(*args)

    def server_args(self, auth_clients="yes", **overrides):
        """Flags for these certificates; overrides: tls_cert_file="..." and the like
        replace a flag (a flag may be given only once)."""
        flags = {"tls-cert-file": self.server_cert, "tls-key-file": self.server_key,
                 "tls-ca-cert-file": self.ca, "tls-auth-clients": auth_clients}
        flags.update({k.replace("_", "-"): v for k, v in overrides.items()})
        out = []
        for name, value in flags.items():
            out += ["--" + name, str(value)]
        return out

    def client_context(self, with_cert=True):
        ctx = ssl.create_default_context(cafile=self.ca)
        if with_cert:
            ctx.load_cert_chain(self.client_cert, self.client_key)
        return ctx


def start_tls_larder(certs, *extra, auth_clients="yes", plain_port=0, **overrides):
    """Larder on a TLS port (and `plain_port`, 0: none); redis-server with
    LARDER_AS_REDIS=1."""
    extra = [str(a) for a in extra]
    if h.larder_is_redis():
        return h._start("larder(as redis-server)", lambda p: [
            h.redis_server_bin(), "--port", str(plain_port), "--tls-port", str(p), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"]
            + certs.server_args(auth_clients, **overrides) + h._translate_for_redis(extra))
    return h._start("larder", lambda p: [h.larder_bin(), "--port", str(plain_port), "--tls-port", str(p),
                                         "--bind", "127.0.0.1", "--loglevel", "warning"]
                    + certs.server_args(auth_clients, **overrides) + extra)


def start_tls_redis(certs, *extra, auth_clients="yes"):
    extra = [str(a) for a in extra]
    return h._start("redis-server", lambda p: [h.redis_server_bin(), "--port", "0", "--tls-port", str(p),
                                               "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                               "--daemonize", "no", "--loglevel", "warning"]
                    + certs.server_args(auth_clients) + extra)


class _TlsSocket:
    """An SSL socket whose recv() returns b"" when the peer closes without a
    TLS close_notify (both Redis and Larder just close), like a TCP socket."""

    def __init__(self, sock):
        self._sock = sock

    def recv(self, n):
        try:
            return self._sock.recv(n)
        except (ssl.SSLEOFError, ssl.SSLZeroReturnError):
            return b""

    def __getattr__(self, name):
        return getattr(self._sock, name)


class TlsClient(h.RawClient):
    """RawClient over TLS. The handshake happens here; with TLS 1.3 a server
    that refuses the client's certificate says so on the first read."""

    def __init__(self, port, context, timeout=h.SOCKET_TIMEOUT):
        raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = context.wrap_socket(raw, server_hostname="localhost")
        except BaseException:
            raw.close()
            raise
        self.port = port
        self.sock = _TlsSocket(tls)
        self.sock.settimeout(timeout)
        self.timeout = timeout
        self.buf = bytearray()
        self.eof = False
