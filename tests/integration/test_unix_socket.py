#!/usr/bin/python3
"""unixsocket: the server also listens on a Unix-domain socket (a stale file
at the path is replaced; unixsocketperm sets its mode), serves it as a TCP
client (CLIENT LIST names it "path:0" with flag U, as Redis), with port 0
only there, and removes the file when it exits. Also passes against
redis-server (LARDER_AS_REDIS=1), but for the port 0 case."""
import os
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command, larder_bin, larder_is_redis  # noqa: E402


def unix_cmd(path, *args):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(path)
        s.sendall(encode_command(*args))
        data = b""
        while not data.endswith(b"\r\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


class UnixSocketTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        work = tempfile.TemporaryDirectory()
        self.addCleanup(work.cleanup)
        self.path = os.path.join(work.name, "larder.sock")

    def test_serves_unix_and_tcp_clients_and_removes_the_file(self):
        with open(self.path, "w") as stale:
            stale.write("left by an earlier run")
        srv = self.start_larder("--unixsocket", self.path, "--unixsocketperm", "700")
        self.assertTrue(stat.S_ISSOCK(os.stat(self.path).st_mode))
        self.assertEqual(stat.S_IMODE(os.stat(self.path).st_mode), 0o700)
        self.assertEqual(unix_cmd(self.path, "SET", "k", "v"), b"+OK\r\n")
        self.assertEqual(self.client(srv).cmd("GET", "k"), b"$1\r\nv\r\n")
        info = unix_cmd(self.path, "CLIENT", "INFO").decode()
        self.assertIn(" addr=%s:0 laddr=%s:0 " % (self.path, self.path), info)
        self.assertIn(" flags=U ", info)
        self.assertEqual(self.client(srv).cmd("CONFIG", "GET", "unixsocket"),
                         b"*2\r\n$10\r\nunixsocket\r\n$%d\r\n%s\r\n" % (len(self.path), self.path.encode()))
        # A pipeline larger than one read, and a reply larger than one write.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(self.path)
            s.sendall(b"".join(encode_command("SET", "p%d" % i, "x" * 100) for i in range(2000)) +
                      encode_command("KEYS", "p*"))
            data = b""
            while data.count(b"\r\n") < 2000 + 1 + 2000 * 2:
                data += s.recv(1 << 20)
            self.assertEqual(data.count(b"+OK\r\n"), 2000)
            self.assertIn(b"*2000\r\n", data)
        self.assertEqual(srv.stop(), 0)
        self.assertFalse(os.path.exists(self.path))

    def test_unix_clients_are_local_and_monitor_names_them_as_redis(self):
        srv = self.start_larder("--unixsocket", self.path, "--enable-debug-command", "local",
                                "--enable-protected-configs", "local")
        self.assertEqual(unix_cmd(self.path, "DEBUG", "SLEEP", "0"), b"+OK\r\n")
        monitor = self.client(srv)
        self.assertEqual(monitor.cmd("MONITOR"), b"+OK\r\n")
        self.assertEqual(unix_cmd(self.path, "SET", "mk", "1"), b"+OK\r\n")
        line = monitor.read_reply()
        self.assertIn(b' [0 unix:%s] "SET" "mk" "1"\r\n' % self.path.encode(), line)

    @unittest.skipIf(larder_is_redis(), "Larder's own start-up error")
    def test_a_path_too_long_is_refused(self):
        long_path = os.path.join(os.path.dirname(self.path), "s" * 120)
        p = subprocess.run([larder_bin(), "--port", "0", "--unixsocket", long_path],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn(b"Failed opening Unix socket: unix socket path too long (%d), must be under 108"
                      % len(long_path), p.stdout)

    @unittest.skipIf(larder_is_redis(), "starts the Larder binary itself")
    def test_port_0_serves_the_socket_alone(self):
        proc = subprocess.Popen([larder_bin(), "--port", "0", "--unixsocket", self.path, "--loglevel", "warning"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while not os.path.exists(self.path) and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertEqual(unix_cmd(self.path, "PING"), b"+PONG\r\n")
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=10), 0)
        self.assertFalse(os.path.exists(self.path))

    @unittest.skipIf(larder_is_redis(), "Larder's own start-up error")
    def test_a_path_that_cannot_be_bound_stops_the_server(self):
        p = subprocess.run([larder_bin(), "--port", "0", "--unixsocket", os.path.join(self.path, "no", "dir")],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"Failed opening Unix socket", p.stdout)


if __name__ == "__main__":
    unittest.main()
