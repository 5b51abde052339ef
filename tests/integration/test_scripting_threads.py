#!/usr/bin/python3
"""Integration: Lua scripts are atomic across event-loop threads
(--threads 2): two connections (one per loop) run scripts on keys of
different shards at once and INCR counts stay exact; readers never see half
of a script's writes, even for keys the script did not declare; SCRIPT LOAD on
one loop serves EVALSHA on the other; FUNCTION LOAD likewise for FCALL."""
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

ROUNDS = 400
INCR_TWO = "redis.call('incr', KEYS[1]) redis.call('incr', KEYS[2]) return redis.call('get', KEYS[1])"
# Declares nothing: touches 'u1' and 'u2' by name.
UNDECLARED = "redis.call('incr', 'u1') local i = 0 while i < 2000 do i = i + 1 end return redis.call('incr', 'u2')"


class ScriptingThreadsTest(ServerTestCase):
    def test_scripts_on_two_loops_keep_counts_exact(self):
        srv = self.start_larder(threads=2)
        with srv.client() as c:
            sha = c.call("SCRIPT", "LOAD", INCR_TWO).decode()

        def runner(keys):
            def run():
                with srv.client() as c:
                    for i in range(ROUNDS):
                        if i % 2:
                            c.call("EVALSHA", sha, "2", *keys)
                        else:
                            c.call("EVAL", INCR_TWO, "2", *keys)
                        c.call("EVAL", UNDECLARED, "0")
            return run

        # Keys that live in different shards: {a}/{b} style names hash apart.
        self.run_threads([runner(("a1", "a2")), runner(("b1", "b2")), runner(("a1", "b2"))])
        with srv.client() as c:
            self.assertEqual(c.call("MGET", "a1", "a2", "b1", "b2"),
                             [b"%d" % (2 * ROUNDS), b"%d" % ROUNDS, b"%d" % ROUNDS, b"%d" % (2 * ROUNDS)])
            self.assertEqual(c.call("MGET", "u1", "u2"), [b"%d" % (3 * ROUNDS)] * 2)

    def test_readers_never_see_half_a_script(self):
        srv = self.start_larder(threads=2)
        done = threading.Event()
        reads = [0]

        def writer():
            try:
                with srv.client() as c:
                    for _ in range(ROUNDS):
                        c.call("EVAL", UNDECLARED, "0")
            finally:
                done.set()

        def reader():
            with srv.client() as c:
                while not done.is_set():
                    u1, u2 = c.call("MGET", "u1", "u2")
                    self.assertEqual(u1, u2, "MGET saw half of a script")
                    reads[0] += 1

        self.run_threads([writer, reader])
        self.assertGreater(reads[0], 10, "the reader barely ran")

    def test_script_cache_and_functions_are_shared_by_loops(self):
        srv = self.start_larder(threads=2)
        # Connections are dealt round-robin: c0 and c1 live on different loops.
        with srv.client() as c0, srv.client() as c1:
            sha = c0.call("SCRIPT", "LOAD", "return 'loaded'").decode()
            self.assertEqual(c1.call("EVALSHA", sha, "0"), b"loaded")
            self.assertEqual(c1.call("SCRIPT", "EXISTS", sha), [1])
            self.assertEqual(c0.call("FUNCTION", "LOAD",
                                     "#!lua name=l\nredis.register_function('f', function() return 1 end)"), b"l")
            self.assertEqual(c1.call("FCALL", "f", "0"), 1)
            c0.call("FUNCTION", "LOAD", "REPLACE", "#!lua name=l\nredis.register_function('f', function() return 2 end)")
            self.assertEqual(c1.call("FCALL", "f", "0"), 2)
            c1.call("SCRIPT", "FLUSH")
            self.assertEqual(c0.cmd("EVALSHA", sha, "0"), b"-NOSCRIPT No matching script. Please use EVAL.\r\n")


if __name__ == "__main__":
    unittest.main()
