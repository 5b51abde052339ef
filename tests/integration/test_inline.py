#!/usr/bin/python3
"""Inline commands as telnet / redis-cli send them."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, ClassServersMixin, start_larder, start_redis, \
    encode_command, show  # noqa: E402

SENTINEL = encode_command("ECHO", "--sentinel--")
SENTINEL_REPLY = b"$12\r\n--sentinel--\r\n"


def replies_until_sentinel(c, max_replies=100):
    """Read replies until the sentinel ECHO reply; return those before it."""
    out = []
    for _ in range(max_replies):
        r = c.read_reply()
        if r == SENTINEL_REPLY:
            return out
        out.append(r)
    raise AssertionError("sentinel reply not seen after %d replies: %r" % (max_replies, out))


class InlineTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder()
        self.c = self.client(self.srv)

    def test_ping(self):
        self.c.send(b"PING\r\n")
        self.assertEqual(self.c.read_reply(), b"+PONG\r\n")
        self.c.send(b"ping hello\r\n")
        self.assertEqual(self.c.read_reply(), b"$5\r\nhello\r\n")

    def test_set_get(self):
        self.c.send(b"SET a b\r\n")
        self.assertEqual(self.c.read_reply(), b"+OK\r\n")
        self.c.send(b"GET a\r\n")
        self.assertEqual(self.c.read_reply(), b"$1\r\nb\r\n")
        # Value visible through the RESP protocol too.
        self.assertEqual(self.c.cmd("GET", "a"), b"$1\r\nb\r\n")

    def test_quoted_args(self):
        self.c.send(b"SET \"a b\" 'c d'\r\n")
        self.assertEqual(self.c.read_reply(), b"+OK\r\n")
        self.assertEqual(self.c.cmd("GET", "a b"), b"$3\r\nc d\r\n")
        self.c.send(b"GET \"a b\"\r\n")
        self.assertEqual(self.c.read_reply(), b"$3\r\nc d\r\n")
        self.assertEqual(self.c.cmd("EXISTS", "a", "b", "c", "d", "'c", "\"a"), b":0\r\n")

    def test_double_quote_escapes(self):
        self.c.send(b'SET k "x\\x41\\n\\t\\"\\\\y"\r\n')
        self.assertEqual(self.c.read_reply(), b"+OK\r\n")
        self.assertEqual(self.c.cmd("GET", "k"), b"$7\r\nxA\n\t\"\\y\r\n")

    def test_blank_lines_ignored(self):
        self.c.send(b"\r\n\r\n\n\r\nPING\r\n\r\n")
        self.c.send(SENTINEL)
        self.assertEqual(replies_until_sentinel(self.c), [b"+PONG\r\n"])

    def test_lf_only_lines(self):
        self.c.send(b"SET x y\nGET x\nPING\n")
        self.c.send(SENTINEL)
        self.assertEqual(replies_until_sentinel(self.c),
                         [b"+OK\r\n", b"$1\r\ny\r\n", b"+PONG\r\n"])

    def test_extra_whitespace(self):
        self.c.send(b"  SET   sp    val  \r\n\tGET\tsp\r\n")
        self.c.send(SENTINEL)
        self.assertEqual(replies_until_sentinel(self.c), [b"+OK\r\n", b"$3\r\nval\r\n"])

    def test_inline_split_across_writes(self):
        for ch in b"SET split 123\r\n":
            self.c.send(bytes([ch]))
        self.assertEqual(self.c.read_reply(), b"+OK\r\n")
        self.assertEqual(self.c.cmd("GET", "split"), b"$3\r\n123\r\n")

    def test_inline_and_multibulk_mixed(self):
        self.c.send(b"SET m1 v1\r\n" + encode_command("GET", "m1") + b"GET m1\n" +
                    encode_command("PING"))
        self.c.send(SENTINEL)
        self.assertEqual(replies_until_sentinel(self.c),
                         [b"+OK\r\n", b"$2\r\nv1\r\n", b"$2\r\nv1\r\n", b"+PONG\r\n"])


class InlineDifferentialTest(ClassServersMixin, ServerTestCase):
    """The same inline byte streams against redis-server and Larder."""

    CASES = [
        b"PING\r\n",
        b"PING\n",
        b"ping\r\n",
        b"\r\n",
        b"\n\n\n",
        b"   \r\n",
        b"SET a b\r\nGET a\r\n",
        b"SET \"a b\" 'c d'\r\nGET \"a b\"\r\n",
        b"SET e \"\"\r\nGET e\r\nGET ''\r\n",
        b"ECHO \"\\x00\\xff\\r\\n\\a\\b\"\r\n",
        b"ECHO 'it\\'s'\r\n",
        b"ECHO \"tab\\there\"\r\n",
        b"GET a b c\r\n",
        b"NOSUCH x y\r\n",
        b"SET k v EX 100\r\nTTL k\r\n",
        b"*0\r\nPING\r\n",
        b"*-1\r\nPING\r\n",
        b"DEL a \"a b\" e k\r\n",
        b"DBSIZE\r\n",
        # Lines that look like RESP but are not '*' requests are inline commands.
        b"$4\r\nPING\r\n",
        b"+PING\r\n",
        b":1\r\n",
        # A lone CR is not a terminator; CR before CRLF is stripped.
        b"PING\rPING\r\n",
        b"PING\r\r\n",
        b"\"PING\"\r\n",
        b"'PING'\r\n",
        # Escapes that are not valid hex/escapes are kept literally.
        b"ECHO \"\\xzz\"\r\n",
        b"ECHO \"\\x4\"\r\n",
        b"ECHO \"a\\\\b\"\r\n",
        b"ECHO 'a\\\\b'\r\n",
        # Multibulk edge cases that are not errors.
        b"*1\r\n$4\r\nPINGxx",
        b"*1\r\n$0\r\n\r\n",
        b"*-2\r\n",
    ]

    @classmethod
    def setUpClass(cls):
        cls.redis = cls.start_class_server(start_redis())
        cls.larder = cls.start_class_server(start_larder())

    @classmethod
    def tearDownClass(cls):
        cls.stop_class_servers()

    def test_inline_cases(self):
        mismatches = []
        with self.redis.client() as rc, self.larder.client() as lc:
            for case in self.CASES:
                rc.send(case + SENTINEL)
                lc.send(case + SENTINEL)
                r = replies_until_sentinel(rc)
                l = replies_until_sentinel(lc)
                if r != l:
                    mismatches.append("  input %s\n      redis : %s\n      larder: %s"
                                      % (show(case), r, l))
        if mismatches:
            self.fail("inline replies differ:\n" + "\n".join(mismatches))


if __name__ == "__main__":
    unittest.main()
