#!/usr/bin/python3
"""Differential: MONITOR against redis-server. The same commands are sent to
both servers while a MONITOR connection listens; its lines are compared with
the timestamp and the client ports masked (the shape of both is checked)."""
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, encode_command, show, under_sanitizer  # noqa: E402

LINE = re.compile(rb"^\+(\d{10})\.(\d{6}) \[(\d+) (?:127\.0\.0\.1:(\d+)|lua)\] (.*)$")


def masked(data, ports):
    """The monitor's bytes, one entry per line, timestamps and ports replaced."""
    out = []
    for line in data.split(b"\r\n"):
        if not line:
            continue
        m = LINE.match(line)
        if m is None:
            out.append(line)  # a reply, or a malformed line: compared as it is
            continue
        if abs(int(m.group(1)) - time.time()) > 60:
            out.append(b"bad timestamp: " + line)
            continue
        who = ports.get(int(m.group(4)), b"?") if m.group(4) else b"lua"
        out.append(b"[%s %s] %s" % (m.group(3), who, m.group(5)))
    return out


class MonitorTest(DifferentialTestCase):
    def run_script(self, srv, script):
        """script: (who, args...) with who 'a' or 'b' (clients) or 'm' (the
        monitor itself); returns the replies and the monitor's lines."""
        with srv.client() as m, srv.client() as a, srv.client() as b:
            a.cmd("FLUSHALL")
            ports = {}
            for name, c in (("m", m), ("a", a), ("b", b)):
                ports[c.sock.getsockname()[1]] = name.encode()
            replies = [m.cmd("MONITOR")]
            conns = {"m": m, "a": a, "b": b}
            for who, *args in script:
                c = conns[who]
                c.send(encode_command(*args))
                if who == "m":
                    # Its reply and its own line arrive among the others'
                    # lines: read with them at the end.
                    time.sleep(0.2 if under_sanitizer() else 0.05)
                else:
                    replies.append(c.read_reply())
            time.sleep(0.2)
            lines = masked(m.read_available(0.3), ports)
            return replies, lines

    def compare(self, script):
        r_replies, r_lines = self.run_script(self.redis, script)
        l_replies, l_lines = self.run_script(self.larder, script)
        # HELLO's reply carries the client id.
        ids = lambda rs: [show(re.sub(rb"\$2\r\nid\r\n:\d+", b"id", r)) for r in rs]  # noqa: E731
        self.assertEqual(ids(l_replies), ids(r_replies))
        self.assertEqual(l_lines, r_lines)
        return r_lines

    def test_commands_and_quoting(self):
        lines = self.compare([
            ("a", "SET", "k", b"v\x00\"\\ \n\r\t\x07\x08\x7f\xc3\xa9 end"),
            ("a", "GET", "k"),
            ("b", "INCR", "n"),
            ("a", "SELECT", "3"),
            ("a", "SET", "k3", "1"),
            ("a", "DEL", "k3"),
            ("b", "PING"),
            ("b", "ECHO", ""),
        ])
        self.assertTrue(lines, "the monitor got nothing")

    def test_hidden_and_redacted(self):
        self.compare([
            ("a", "AUTH", "secret"),
            ("a", "AUTH", "user", "secret"),
            ("a", "AUTH", "a", "b", "c"),
            ("a", "HELLO", "2", "AUTH", "default", "pw", "SETNAME", "me"),
            ("a", "HELLO", "2", "SETNAME", "you"),
            ("a", "HELLO", "x", "AUTH", "default", "pw"),
            ("a", "CONFIG", "GET", "maxmemory-samples"),
            ("a", "CONFIG", "SET", "masteruser", "bob", "masterauth", "pw"),
            ("a", "CONFIG", "SET", "masteruser", "", "masterauth", ""),
            ("a", "CLIENT", "KILL", "ID", "999999"),
            ("a", "CLIENT", "GETNAME"),
            ("a", "SLOWLOG", "RESET"),
            ("a", "INFO", "nosuchsection"),
            ("a", "NOSUCHCOMMAND", "x"),
            ("a", "GET"),
            ("a", "COMMAND", "INFO", "get"),
        ])

    def test_transactions_and_blocking(self):
        self.compare([
            ("a", "MULTI"),
            ("a", "SET", "a", "1"),
            ("a", "GET", "a"),
            ("a", "EXEC"),
            ("a", "MULTI"),
            ("a", "SELECT", "2"),
            ("a", "EXEC"),
            ("a", "SELECT", "0"),
            ("b", "MULTI"),
            ("b", "MONITOR"),
            ("b", "EXEC"),
            ("a", "BLPOP", "nolist", "0.05"),
            ("b", "RPUSH", "l", "x"),
            ("a", "BLPOP", "l", "0"),
            ("a", "SUBSCRIBE", "ch"),
            ("b", "PUBLISH", "ch", "hi"),
        ])

    def test_scripts_show_before_their_commands(self):
        self.compare([
            ("a", "FUNCTION", "LOAD", "REPLACE", "#!lua name=mon\n"
             "redis.register_function('f', function(keys) return redis.call('set', keys[1], 'v') end)"),
            ("a", "EVAL", "return redis.call('set', KEYS[1], 'v')", "1", "k"),
            ("a", "EVAL_RO", "return redis.call('get', KEYS[1])", "1", "k"),
            ("a", "EVAL", "return", "0"),
            ("a", "EVAL", "return"),
            ("b", "EVALSHA", "0" * 40, "0"),
            ("b", "EVALSHA_RO", "x", "0"),
            ("b", "FCALL", "f", "1", "k2"),
            ("b", "FCALL_RO", "nosuch", "0"),
            ("b", "MULTI"),
            ("b", "EVAL", "return redis.call('incr', 'n')", "0"),
            ("b", "EXEC"),
            ("a", "FUNCTION", "DELETE", "mon"),
        ])

    def test_monitor_client_itself(self):
        self.compare([
            ("m", "PING"),
            ("m", "GET", "k"),
            ("m", "SET", "k", "v"),
            ("m", "ECHO", "me"),
            ("a", "SET", "k", "v"),
            ("m", "RESET"),
            ("a", "GET", "k"),
        ])


if __name__ == "__main__":
    unittest.main()
