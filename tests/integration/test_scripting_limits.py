#!/usr/bin/python3
"""Integration: a script that asks cjson for an encoding past what Debian's
build can size (lua_safe_libs.cc) gets a script error, where that build
would have spun forever, and the server goes on serving; a slow script that
serves its loop's other clients from inside it leaves the loop running."""
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, decode, encode_command  # noqa: E402


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

    def test_loop_serves_on_after_a_slow_script_feeding_a_stalled_monitor(self):
        # Past busy-reply-threshold the script polls its loop, which runs the
        # MONITOR feed its own calls queued; that nested poll used to stop the
        # loop's io_context, and the loop thread ended when the script did.
        srv = self.start_larder("--busy-reply-threshold", "100", threads=1)
        monitor = socket.create_connection(("127.0.0.1", srv.port))
        self.addCleanup(monitor.close)
        monitor.sendall(b"*1\r\n$7\r\nMONITOR\r\n")  # never read again
        time.sleep(0.2)
        c = self.client(srv)
        script = ("local n = 0 while n < 300000 do redis.call('time') n = n + 1 end return n")
        self.assertEqual(c.call("EVAL", script, "0"), 300000)
        fresh = self.client(srv)
        self.assertEqual(fresh.call("PING"), "PONG")
        self.assertEqual(c.call("PING"), "PONG")

    def test_script_flush_frees_compiled_scripts_without_another_script(self):
        # The compiled scripts live in the loop's Lua state; SCRIPT FLUSH used
        # to leave them there until that loop ran its next script.
        srv = self.start_larder()
        c = self.client(srv)

        def lua_memory():
            info = c.cmd("INFO", "memory")
            return int(info.split(b"used_memory_lua:")[1].split()[0])

        start = lua_memory()
        for i in range(3000):
            c.send(encode_command("SCRIPT", "LOAD", "return {%d, 'a fairly long constant string %d'}" % (i, i)))
        c.read_replies(3000)
        loaded = lua_memory()
        self.assertGreater(loaded, start + 500 * 1024, "compiled scripts not counted in used_memory_lua")
        self.assertEqual(c.cmd("SCRIPT", "FLUSH"), b"+OK\r\n")
        deadline = time.monotonic() + 5
        while lua_memory() > start + 64 * 1024 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertLess(lua_memory(), start + 64 * 1024)


if __name__ == "__main__":
    unittest.main()
