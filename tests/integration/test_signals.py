#!/usr/bin/python3
"""SIGTERM / SIGINT: the server exits with code 0 within 1 second, even with
idle and half-sent client connections; shutdown-on-sigterm / -sigint decide
whether it saves first, and a failed save keeps it serving unless they say
force."""
import os
import shutil
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command, larder_is_redis, under_sanitizer  # noqa: E402

# Writes w1, runs for 2 s, then writes w2.
SLOW_SCRIPT = ("redis.call('set', 'w1', '1') local t = redis.call('time')[1] + 0 "
               "while redis.call('time')[1] + 0 < t + 2 do end redis.call('set', 'w2', '1') return 'done'")

# Sanitizer builds run several times slower (the same checks, more slack).
LIMIT = 3.0 if under_sanitizer() else 1.0


class SignalTest(ServerTestCase):
    def _shutdown_with(self, signum, threads=None, nclients=8):
        srv = self.start_larder(threads=threads)
        clients = [self.client(srv) for _ in range(nclients)]
        for i, c in enumerate(clients):
            self.assertEqual(c.cmd("SET", "k%d" % i, "v"), b"+OK\r\n")
        # One client in the middle of a command, one in the middle of an inline line.
        clients[0].send(b"*3\r\n$3\r\nSET\r\n$1\r\n")
        clients[1].send(b"GET k")
        time.sleep(0.05)
        t0 = time.monotonic()
        srv.send_signal(signum)
        code = srv.wait(timeout=5)
        elapsed = time.monotonic() - t0
        self.assertIsNotNone(code, "server still running 5s after signal %d" % signum)
        self.assertEqual(code, 0, "exit code after signal %d" % signum)
        self.assertLess(elapsed, LIMIT, "exit took %.3fs after signal %d" % (elapsed, signum))
        # Clients see the connection closed.
        for c in clients[2:]:
            self.assertTrue(c.is_closed(timeout=1.0))

    def test_sigterm_idle_connections(self):
        self._shutdown_with(signal.SIGTERM)

    def test_sigint_idle_connections(self):
        self._shutdown_with(signal.SIGINT)

    def test_sigterm_multithreaded(self):
        self._shutdown_with(signal.SIGTERM, threads=4)

    def test_sigterm_no_connections(self):
        srv = self.start_larder()
        t0 = time.monotonic()
        self.assertEqual(srv.stop(), 0)
        self.assertLess(time.monotonic() - t0, LIMIT)

    def test_sigterm_while_clients_busy(self):
        srv = self.start_larder(threads=2)
        busy = self.client(srv)
        payload = b"".join(b"*3\r\n$3\r\nSET\r\n$2\r\nbk\r\n$%d\r\n%s\r\n" % (len(b"%d" % i), b"%d" % i)
                           for i in range(20000))
        try:
            busy.send(payload[:len(payload) // 2])
        except OSError:
            pass
        t0 = time.monotonic()
        srv.send_signal(signal.SIGTERM)
        code = srv.wait(timeout=5)
        self.assertEqual(code, 0)
        self.assertLess(time.monotonic() - t0, LIMIT)

    def test_shutdown_on_signal_flags_decide_the_save(self):
        work = tempfile.mkdtemp(prefix="larder-signal-")
        self.addCleanup(shutil.rmtree, work, True)
        dump = os.path.join(work, "dump.rdb")
        for args, signum, saved in [
                ((), signal.SIGTERM, False),
                (("--save", "3600 1"), signal.SIGTERM, True),
                (("--shutdown-on-sigterm", "save"), signal.SIGTERM, True),
                (("--save", "3600 1", "--shutdown-on-sigterm", "nosave now"), signal.SIGTERM, False),
                (("--save", "3600 1", "--shutdown-on-sigterm", "nosave"), signal.SIGINT, True),
                (("--shutdown-on-sigint", "save force"), signal.SIGINT, True),
                (("--shutdown-on-sigint", "save"), signal.SIGTERM, False)]:
            srv = self.start_larder("--dir", work, *args)
            self.assertEqual(self.client(srv).cmd("SET", "k", "v"), b"+OK\r\n")
            self.assertEqual(srv.stop(signum), 0, args)
            self.assertEqual(os.path.exists(dump), saved, args)
            if saved:
                os.remove(dump)

    @unittest.skipIf(larder_is_redis(), "redis-server saves into the directory it left")
    def test_signal_whose_save_fails_keeps_serving_unless_force(self):
        base = tempfile.mkdtemp(prefix="larder-gone-")
        srv = self.start_larder("--dir", base, "--save", "3600 1")
        os.rmdir(base)  # the save cannot create its file
        c = self.client(srv)
        srv.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        self.assertTrue(srv.alive())
        self.assertEqual(c.cmd("PING"), b"+PONG\r\n")
        self.assertEqual(c.cmd("EVAL", "return 1", "0"), b":1\r\n")  # scripts run again
        srv.send_signal(signal.SIGTERM)  # the wait for signals is armed again
        time.sleep(0.3)
        self.assertTrue(srv.alive())
        self.assertEqual(c.cmd("CONFIG", "SET", "shutdown-on-sigterm", "force"), b"+OK\r\n")
        srv.send_signal(signal.SIGTERM)
        self.assertEqual(srv.wait(timeout=5), 0)

    @unittest.skipIf(larder_is_redis(), "redis-server saves into the directory it left")
    def test_a_signal_whose_save_fails_lets_a_running_script_finish(self):
        # The save may fail and leave the server serving: the script is not
        # cut short (its writes all land, as in Redis).
        base = tempfile.mkdtemp(prefix="larder-gone-")
        srv = self.start_larder("--dir", base, "--save", "3600 1")
        os.rmdir(base)
        c = self.client(srv)
        c.send(encode_command("EVAL", SLOW_SCRIPT, "0"))
        time.sleep(0.5)
        srv.send_signal(signal.SIGTERM)
        self.assertEqual(c.read_reply(), b"$4\r\ndone\r\n")
        time.sleep(0.3)
        self.assertTrue(srv.alive())
        self.assertEqual(self.client(srv).cmd("MGET", "w1", "w2"), b"*2\r\n$1\r\n1\r\n$1\r\n1\r\n")
        self.assertEqual(c.cmd("CONFIG", "SET", "shutdown-on-sigterm", "nosave"), b"+OK\r\n")
        self.assertEqual(srv.stop(), 0)

    def test_a_saving_signal_saves_a_running_script_whole(self):
        # Past busy-reply-threshold the script's hook serves loop 0, where
        # the signal's shutdown runs: the save waits for the script's end,
        # as Redis's, and holds both its writes.
        work = tempfile.mkdtemp(prefix="larder-signal-")
        self.addCleanup(shutil.rmtree, work, True)
        srv = self.start_larder("--dir", work, "--save", "3600 1", "--busy-reply-threshold", "100")
        c = self.client(srv)
        c.send(encode_command("EVAL", SLOW_SCRIPT, "0"))
        time.sleep(0.5)
        srv.send_signal(signal.SIGTERM)
        self.assertEqual(srv.wait(timeout=10), 0)
        again = self.start_larder("--dir", work)
        self.assertEqual(self.client(again).cmd("MGET", "w1", "w2"), b"*2\r\n$1\r\n1\r\n$1\r\n1\r\n")

if __name__ == "__main__":
    unittest.main()
