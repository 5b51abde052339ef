#!/usr/bin/python3
"""Prometheus endpoint (--metrics-port): the exposition is parsed strictly
(HELP/TYPE before samples, counters end in _total, label syntax, float
values, no duplicate series), the numbers move with the commands run, other
paths get 404 and other methods 405, and malformed, oversized or idle
requests neither crash nor block the server."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import (START_TIMEOUT, ServerTestCase, free_port, larder_bin,  # noqa: E402
                            larder_is_redis, under_sanitizer)

METRIC_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
SAMPLE_RE = re.compile(r"^(%s)(?:\{((?:%s=%s)(?:,%s=%s)*)?\})? (\S+)(?: (-?\d+))?$"
                       % (METRIC_NAME, LABEL_NAME, LABEL_VALUE, LABEL_NAME, LABEL_VALUE))
LABEL_RE = re.compile(r"(%s)=(%s)" % (LABEL_NAME, LABEL_VALUE))
HELP_RE = re.compile(r"^# HELP (%s) (.*)$" % METRIC_NAME)
TYPE_RE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % METRIC_NAME)


def unescape(v):
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), v[1:-1])


def parse_exposition(text):
    """Parse text format 0.0.4; raise AssertionError on anything malformed.

    Returns {(name, frozenset(labels.items())): value} and {name: type}.
    """
    if not text.endswith("\n"):
        raise AssertionError("exposition does not end with a newline")
    types, helps, samples = {}, {}, {}
    family_done = set()
    current = None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        where = "line %d: %r" % (n, line)
        if line == "":
            raise AssertionError("empty line in exposition, " + where)
        if line.startswith("#"):
            m = HELP_RE.match(line)
            if m:
                name = m.group(1)
                if name in helps:
                    raise AssertionError("second HELP for %s, %s" % (name, where))
                helps[name] = m.group(2)
                continue
            m = TYPE_RE.match(line)
            if m:
                name = m.group(1)
                if name in types:
                    raise AssertionError("second TYPE for %s, %s" % (name, where))
                if name in family_done or any(k[0] == name for k in samples):
                    raise AssertionError("TYPE after samples of %s, %s" % (name, where))
                types[name] = m.group(2)
                if current is not None:
                    family_done.add(current)
                current = name
                continue
            raise AssertionError("malformed comment, " + where)
        m = SAMPLE_RE.match(line)
        if not m:
            raise AssertionError("malformed sample, " + where)
        name, labels_text, value = m.group(1), m.group(2) or "", m.group(3)
        if name not in types:
            raise AssertionError("sample without a preceding TYPE, " + where)
        if name != current:
            raise AssertionError("sample of %s interleaved in family %s, %s" % (name, current, where))
        if types[name] == "counter" and not name.endswith("_total"):
            raise AssertionError("counter %s does not end in _total" % name)
        if types[name] != "counter" and name.endswith("_total"):
            raise AssertionError("%s ends in _total but is a %s" % (name, types[name]))
        if not name.startswith("larder_"):
            raise AssertionError("metric without the larder_ prefix, " + where)
        labels = {}
        for lm in LABEL_RE.finditer(labels_text):
            if lm.group(1) in labels:
                raise AssertionError("duplicate label %s, %s" % (lm.group(1), where))
            labels[lm.group(1)] = unescape(lm.group(2))
        try:
            v = float(value)
        except ValueError:
            raise AssertionError("value is not a float, " + where)
        if types[name] == "counter" and not v >= 0:
            raise AssertionError("negative or NaN counter, " + where)
        key = (name, frozenset(labels.items()))
        if key in samples:
            raise AssertionError("duplicate series, " + where)
        samples[key] = v
    for name in types:
        if name not in helps:
            raise AssertionError("no HELP for %s" % name)
    return samples, types


def value(samples, name, **labels):
    key = (name, frozenset((k, str(v)) for k, v in labels.items()))
    if key not in samples:
        raise AssertionError("no sample %s%r" % (name, labels))
    return samples[key]


def raw_http(port, data, read_timeout=8.0):
    """Send raw bytes, return everything the server sends until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        if data:
            s.sendall(data)
        out = b""
        t0 = time.monotonic()
        while time.monotonic() - t0 < read_timeout:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
        return out


@unittest.skipIf(larder_is_redis(), "redis-server has no metrics endpoint")
class MetricsTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.mport = free_port()
        self.srv = self.start_larder("--metrics-port", self.mport)
        self.redis = self.client(self.srv)

    def url(self, path="/metrics"):
        return "http://127.0.0.1:%d%s" % (self.mport, path)

    def scrape(self):
        with urllib.request.urlopen(self.url(), timeout=5) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(r.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
            self.assertEqual(r.headers["Connection"], "close")
            body = r.read()
            self.assertEqual(int(r.headers["Content-Length"]), len(body))
        return parse_exposition(body.decode("utf-8"))

    def test_exposition_and_numbers_move(self):
        # A reply proves our client was accepted, and the harness's readiness
        # probe before it (accepts are in order); the probe may still be
        # closing: wait for it below.
        self.assertEqual(self.redis.cmd("PING"), b"+PONG\r\n")
        before, types = self.scrape()
        for name, kind in [("larder_uptime_seconds", "gauge"),
                           ("larder_connected_clients", "gauge"),
                           ("larder_commands_processed_total", "counter"),
                           ("larder_keyspace_hits_total", "counter"),
                           ("larder_keyspace_misses_total", "counter"),
                           ("larder_keyspace_hit_ratio", "gauge"),
                           ("larder_expired_keys_total", "counter"),
                           ("larder_evicted_keys_total", "counter"),
                           ("larder_memory_used_bytes", "gauge"),
                           ("larder_memory_rss_bytes", "gauge"),
                           ("larder_db_keys", "gauge"),
                           ("larder_net_input_bytes_total", "counter"),
                           ("larder_net_output_bytes_total", "counter"),
                           ("larder_connections_received_total", "counter"),
                           ("larder_errors_total", "counter")]:
            self.assertEqual(types.get(name), kind, name)
        deadline = time.monotonic() + 3
        while value(before, "larder_connected_clients") != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
            before, types = self.scrape()
        self.assertEqual(value(before, "larder_connected_clients"), 1)
        # glibc's allocator statistics read 0 under a sanitizer's own allocator
        # (the ThreadSanitizer run of this suite); RSS is real in both.
        self.assertGreaterEqual(value(before, "larder_memory_used_bytes"), 0)
        self.assertGreater(value(before, "larder_memory_rss_bytes"), 0)
        self.assertEqual(value(before, "larder_db_keys", db=0), 0)
        self.assertEqual(value(before, "larder_db_keys", db=15), 0)
        self.assertEqual(value(before, "larder_commands_processed_total", cmd="set"), 0)

        c = self.redis
        for i in range(10):
            self.assertEqual(c.cmd("SET", "user:%d" % i, "v"), b"+OK\r\n")
        for i in range(10):
            c.cmd("GET", "user:%d" % i)
        for i in range(5):
            self.assertEqual(c.cmd("GET", "nope:%d" % i), b"$-1\r\n")
        c.cmd("SELECT", "2")
        c.cmd("SET", "x", "y")
        c.cmd("SELECT", "0")
        self.assertTrue(c.cmd("NOSUCHCOMMAND").startswith(b"-ERR"))
        c.cmd("SET", "short", "v", "PX", "1")
        time.sleep(0.05)
        self.assertEqual(c.cmd("GET", "short"), b"$-1\r\n")
        other = self.client(self.srv)
        other.cmd("PING")

        after, _ = self.scrape()
        self.assertEqual(value(after, "larder_commands_processed_total", cmd="set"), 12)
        self.assertEqual(value(after, "larder_commands_processed_total", cmd="get"), 16)
        self.assertEqual(value(after, "larder_commands_processed_total", cmd="select"), 2)
        self.assertEqual(value(after, "larder_keyspace_hits_total"), 10)
        self.assertEqual(value(after, "larder_keyspace_misses_total"), 6)
        self.assertAlmostEqual(value(after, "larder_keyspace_hit_ratio"), 10 / 16)
        self.assertEqual(value(after, "larder_keyspace_prefix_hit_ratio", prefix="user"), 1.0)
        self.assertEqual(value(after, "larder_keyspace_prefix_misses_total", prefix="nope"), 5)
        self.assertEqual(value(after, "larder_expired_keys_total"), 1)
        self.assertEqual(value(after, "larder_db_keys", db=0), 10)
        self.assertEqual(value(after, "larder_db_keys", db=2), 1)
        self.assertEqual(value(after, "larder_connected_clients"), 2)
        self.assertEqual(value(after, "larder_connections_received_total")
                         - value(before, "larder_connections_received_total"), 1)
        self.assertGreaterEqual(value(after, "larder_errors_total"), 1)
        self.assertGreater(value(after, "larder_net_input_bytes_total"),
                           value(before, "larder_net_input_bytes_total"))
        self.assertGreater(value(after, "larder_net_output_bytes_total"),
                           value(before, "larder_net_output_bytes_total"))
        self.assertGreaterEqual(value(after, "larder_uptime_seconds"),
                                value(before, "larder_uptime_seconds"))

    def test_not_found_and_method_not_allowed(self):
        for path in ["/", "/metric", "/metrics/x", "/favicon.ico"]:
            with self.assertRaises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(self.url(path), timeout=5)
            self.assertEqual(e.exception.code, 404, path)
        for method in ["POST", "PUT", "DELETE"]:
            req = urllib.request.Request(self.url(), data=b"x=1" if method != "DELETE" else None,
                                         method=method)
            with self.assertRaises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(req, timeout=5)
            self.assertEqual(e.exception.code, 405, method)
            self.assertEqual(e.exception.headers["Allow"], "GET, HEAD")
        req = urllib.request.Request(self.url(), method="HEAD")
        with urllib.request.urlopen(req, timeout=5) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(r.read(), b"")
        # Query strings are ignored.
        with urllib.request.urlopen(self.url("/metrics?name[]=x"), timeout=5) as r:
            self.assertEqual(r.status, 200)

    def test_garbage_oversized_and_idle_requests(self):
        idle = socket.create_connection(("127.0.0.1", self.mport), timeout=10)
        half = socket.create_connection(("127.0.0.1", self.mport), timeout=10)
        half.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")  # never finished
        try:
            out = raw_http(self.mport, b"\x00\xff\xfe garbage \x01\r\n\r\n")
            self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out[:80])
            out = raw_http(self.mport, b"GET /metrics\r\n\r\n")  # HTTP/0.9 style
            self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out[:80])
            out = raw_http(self.mport, b"GET /metrics HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
            self.assertTrue(out.startswith(b"HTTP/1.1 431 ") or out == b"", out[:80])
            out = raw_http(self.mport, b"\r\n\r\n")
            self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out[:80])
            # Lenient clients end lines with LF only.
            out = raw_http(self.mport, b"GET /metrics HTTP/1.0\n\n")
            self.assertTrue(out.startswith(b"HTTP/1.1 200 OK\r\n"), out[:80])
            # Many connections at once are capped, not fatal.
            many = [socket.create_connection(("127.0.0.1", self.mport), timeout=5) for _ in range(100)]
            for s in many:
                s.close()
            # While idle connections are open, scrapes and Redis clients go on
            # (once the server has seen the capped connections close).
            t0 = time.monotonic()
            for attempt in range(20):
                try:
                    self.scrape()
                    break
                except (ConnectionResetError, urllib.error.URLError):
                    if attempt == 19:
                        raise
                    time.sleep(0.05)
            self.assertEqual(self.redis.cmd("PING"), b"+PONG\r\n")
            self.assertLess(time.monotonic() - t0, 3.0)
            # The read timeout closes the idle and half-sent connections.
            for s in (idle, half):
                s.settimeout(10)
                t0 = time.monotonic()
                data = s.recv(100)
                self.assertEqual(data, b"", "idle metrics connection got %r" % data)
                self.assertLess(time.monotonic() - t0, 7.0)
        finally:
            idle.close()
            half.close()
        self.assertTrue(self.srv.alive())
        self.scrape()

    def test_scrape_works_under_a_flood_of_idle_connections(self):
        # Issue 14, defect 10: 64 idle connections used to fill the cap and
        # every scrape after them was dropped. Now the oldest idle one makes room.
        flood = [socket.create_connection(("127.0.0.1", self.mport), timeout=5) for _ in range(100)]
        try:
            time.sleep(0.2)
            for _ in range(3):
                self.assertTrue(self.scrape())
            # The oldest idle connections were the ones closed.
            flood[0].settimeout(2)
            self.assertEqual(flood[0].recv(100), b"")
        finally:
            for s in flood:
                s.close()

    def test_label_values_are_valid_utf8(self):
        for key in (b"\xff\xfe:1", b"caf\xc3\xa9:2", b"q\"uote\\:3", b"\xc3:4"):
            self.assertEqual(self.redis.cmd("SET", key, "v"), b"+OK\r\n")
            self.redis.cmd("GET", key)
        with urllib.request.urlopen(self.url(), timeout=5) as r:
            text = r.read()
        text.decode("utf-8")  # raises on invalid UTF-8
        self.assertIn(b'prefix="\\\\xFF\\\\xFE"', text)
        self.assertIn(b'prefix="caf\xc3\xa9"', text)
        self.assertIn(b'prefix="q\\"uote\\\\"', text)

    def test_shutdown_with_open_metrics_connection(self):
        s = socket.create_connection(("127.0.0.1", self.mport), timeout=5)
        s.sendall(b"GET /metr")
        try:
            t0 = time.monotonic()
            self.assertEqual(self.srv.stop(signal.SIGTERM), 0)
            # As in test_signals, more slack for a sanitizer build's exit.
            self.assertLess(time.monotonic() - t0, 3.0 if under_sanitizer() else 1.5)
        finally:
            s.close()


@unittest.skipIf(larder_is_redis(), "redis-server has no metrics endpoint")
class MetricsStartupTest(unittest.TestCase):
    def test_port_in_use_is_a_startup_error(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            mport = taken.getsockname()[1]
            p = subprocess.run([larder_bin(), "--port", str(free_port()), "--metrics-port", str(mport)],
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=START_TIMEOUT)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn(b"metrics", p.stdout + p.stderr)

    def test_bad_directive_values(self):
        for args in (["--metrics-port", "70000"], ["--metrics-port", "x"]):
            p = subprocess.run([larder_bin(), "--port", str(free_port())] + args,
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=START_TIMEOUT)
            self.assertEqual(p.returncode, 1, (args, p.stderr))
            self.assertIn(b"metrics-port", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
