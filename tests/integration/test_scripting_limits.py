#!/usr/bin/python3
"""Integration: a script that asks cjson for an encoding past what Debian's
build can size (lua_safe_libs.cc) gets a script error, where that build
would have spun forever, and the server goes on serving."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, decode  # noqa: E402


class ScriptingLimitsTest(ServerTestCase):
    def test_huge_cjson_encode_is_an_error(self):
        srv = self.start_larder()
        c = self.client(srv)
        # 179 MiB: cjson would reserve six bytes for each, past 1 GiB.
        reply = c.cmd("EVAL", "return #cjson.encode({s = string.rep('a', 179 * 1024 * 1024)})", "0")
        self.assertTrue(reply.startswith(b"-ERR user_script:1: Cannot serialise: the encoding could exceed 1 GiB"),
                        reply[:200])
        self.assertEqual(c.call("PING"), "PONG")
        reply = c.cmd("EVAL", "return #cjson.new().encode(string.rep('a', 179 * 1024 * 1024))", "0")
        self.assertTrue(reply.startswith(b"-ERR user_script:1: Cannot serialise"), reply[:200])
        # Below it, encoding goes on as before.
        self.assertEqual(c.call("EVAL", "return #cjson.encode(string.rep('a', 1024 * 1024))", "0"), 1024 * 1024 + 2)


if __name__ == "__main__":
    unittest.main()
