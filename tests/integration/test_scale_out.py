#!/usr/bin/python3
"""Scale-out behind twemproxy (Debian's nutcracker): three Larder instances
behind one proxy with ketama over fnv1a_64. 10,000 keys written through the
proxy land each on exactly one instance, read back through it, split
roughly evenly; with one instance stopped the proxy still serves the keys of
the other two and fails (or misses) only the stopped one's."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import (ConnectionClosed, RawClient, RespError, ServerTestCase,  # noqa: E402
                            decode, encode_command, free_port)

NUTCRACKER = shutil.which("nutcracker") or "/usr/sbin/nutcracker"
KEYS = 10000
BATCH = 500
PROXY_START_TIMEOUT = 10.0


def key(i):
    return "user:%d" % i


def val(i):
    return "value-%d" % i


class Proxy:
    """A nutcracker process with its config and log in a temporary directory."""

    def __init__(self, servers):
        self.dir = tempfile.mkdtemp(prefix="larder-twemproxy-")
        self.port = free_port()
        self.stats_port = free_port()
        self.conf = os.path.join(self.dir, "nutcracker.yml")
        self.log = os.path.join(self.dir, "nutcracker.log")
        lines = ["larder:",
                 "  listen: 127.0.0.1:%d" % self.port,
                 "  hash: fnv1a_64",
                 "  distribution: ketama",
                 "  redis: true",
                 "  auto_eject_hosts: false",
                 "  timeout: 2000",
                 "  servers:"]
        for i, srv in enumerate(servers):
            lines.append("    - 127.0.0.1:%d:1 larder-%d" % (srv.port, i))
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        check = subprocess.run([NUTCRACKER, "-t", "-c", self.conf], capture_output=True, timeout=10)
        if check.returncode != 0:
            raise AssertionError("nutcracker rejects the config:\n%s" % (check.stdout + check.stderr).decode())
        self.proc = subprocess.Popen([NUTCRACKER, "-c", self.conf, "-s", str(self.stats_port),
                                      "-a", "127.0.0.1", "-o", self.log],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

    def wait_ready(self):
        deadline = time.monotonic() + PROXY_START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("nutcracker exited with %s\n%s" % (self.proc.returncode, self.log_text()))
            try:
                with RawClient(self.port, timeout=2) as c:
                    if c.cmd("PING") == b"+PONG\r\n":
                        return
            except (OSError, ConnectionClosed) as e:
                last = e
            time.sleep(0.05)
        raise AssertionError("nutcracker did not answer PING within %.0fs (%r)\n%s"
                             % (PROXY_START_TIMEOUT, last, self.log_text()))

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-5000:]
        except OSError as e:
            return "(no log: %s)" % e

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        shutil.rmtree(self.dir, ignore_errors=True)


def pipeline(client, commands):
    """Send the commands in one write; return the decoded replies."""
    client.send(b"".join(encode_command(*c) for c in commands))
    return [decode(r) for r in client.read_replies(len(commands))]


@unittest.skipUnless(os.path.exists(NUTCRACKER), "nutcracker (twemproxy) is not installed")
class ScaleOutTest(ServerTestCase):
    def test_three_instances_behind_twemproxy(self):
        servers = [self.start_larder() for _ in range(3)]
        proxy = Proxy(servers)
        try:
            proxy.wait_ready()
            self._check(servers, proxy)
        except BaseException:
            sys.stderr.write("\n===== nutcracker log =====\n%s\n" % proxy.log_text())
            raise
        finally:
            proxy.stop()

    def _check(self, servers, proxy):
        # Write every key through the proxy, pipelined.
        with RawClient(proxy.port, timeout=10) as c:
            for start in range(0, KEYS, BATCH):
                replies = pipeline(c, [("SET", key(i), val(i)) for i in range(start, min(KEYS, start + BATCH))])
                self.assertEqual(replies, ["OK"] * len(replies))

        # Each key is on exactly one instance, with its value.
        owner = {}
        counts = []
        for n, srv in enumerate(servers):
            with srv.client(timeout=10) as c:
                held = 0
                for start in range(0, KEYS, BATCH):
                    ids = range(start, min(KEYS, start + BATCH))
                    values = c.call("MGET", *[key(i) for i in ids])
                    exists = pipeline(c, [("EXISTS", key(i)) for i in ids])
                    for i, v, e in zip(ids, values, exists):
                        self.assertEqual(e, 1 if v is not None else 0, key(i))
                        if v is None:
                            continue
                        self.assertEqual(v, val(i).encode(), key(i))
                        self.assertNotIn(i, owner, "%s on instances %s and %d" % (key(i), owner.get(i), n))
                        owner[i] = n
                        held += 1
                self.assertEqual(c.call("DBSIZE"), held, "instance %d holds keys not written" % n)
                counts.append(held)
        self.assertEqual(len(owner), KEYS, "keys on no instance: %d" % (KEYS - len(owner)))
        for n, held in enumerate(counts):
            share = held / KEYS
            self.assertTrue(0.15 <= share <= 0.55, "instance %d holds %.1f%% of the keys (split %s)"
                            % (n, 100 * share, counts))
        sys.stderr.write("\nkeys per instance: %s\n" % counts)

        # Everything reads back through the proxy: MGET (split by the proxy)
        # and pipelined GETs.
        with RawClient(proxy.port, timeout=10) as c:
            for start in range(0, KEYS, 100):
                ids = range(start, min(KEYS, start + 100))
                self.assertEqual(c.call("MGET", *[key(i) for i in ids]), [val(i).encode() for i in ids])
            sample = range(0, KEYS, 7)
            self.assertEqual(pipeline(c, [("GET", key(i)) for i in sample]), [val(i).encode() for i in sample])

        # Stop one instance: its keys fail or miss, the others' still work.
        stopped = 1
        self.assertEqual(servers[stopped].stop(), 0)
        served = failed = 0
        deadline = time.monotonic() + 60
        for start in range(0, KEYS, 10):
            self.assertLess(time.monotonic(), deadline, "reads through the proxy are too slow")
            ids = list(range(start, min(KEYS, start + 10)))
            try:
                with RawClient(proxy.port, timeout=5) as c:
                    replies = pipeline(c, [("GET", key(i)) for i in ids])
            except ConnectionClosed:
                # The proxy may drop a client whose server went away; only
                # acceptable when the batch had a key of the stopped one.
                self.assertTrue(any(owner[i] == stopped for i in ids), "connection closed for live keys")
                failed += sum(1 for i in ids if owner[i] == stopped)
                replies = []
                with RawClient(proxy.port, timeout=5) as c:
                    for i in ids:
                        if owner[i] != stopped:
                            replies.append((i, c.call("GET", key(i))))
                for i, r in replies:
                    self.assertEqual(r, val(i).encode(), key(i))
                    served += 1
                continue
            for i, r in zip(ids, replies):
                if owner[i] == stopped:
                    self.assertTrue(r is None or isinstance(r, RespError),
                                    "%s of the stopped instance answered %r" % (key(i), r))
                    failed += 1
                else:
                    self.assertEqual(r, val(i).encode(), "%s of a live instance" % key(i))
                    served += 1
        self.assertEqual(failed, counts[stopped])
        self.assertEqual(served, KEYS - counts[stopped])
        # Writes of live instances' keys still go through as well.
        with RawClient(proxy.port, timeout=5) as c:
            live = next(i for i in range(KEYS) if owner[i] != stopped)
            self.assertEqual(c.call("SET", key(live), "new"), "OK")
            self.assertEqual(c.call("GET", key(live)), b"new")


if __name__ == "__main__":
    unittest.main(verbosity=2)
