#!/usr/bin/python3
"""Integration: Lua scripts are atomic across event-loop threads
(--threads 2): two connections (one per loop) run scripts on keys of
different shards at once and INCR counts stay exact; readers never see half
of a script's writes, even for keys the script did not declare; SCRIPT LOAD on
one loop serves EVALSHA on the other; FUNCTION LOAD likewise for FCALL;
a script locks only its keys' shards, so a command on another shard runs on
the other loop while the script does. A
script past busy-reply-threshold gets clients of both loops answered BUSY
(its own loop's too), SCRIPT KILL works from either, and SIGTERM stops the
server whichever loop the script runs on. A script started while memory is
over maxmemory with nothing to evict is refused or answered, never hung on
its own shard locks."""
import os
import sys
import signal
import threading
import time
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
        reading = threading.Event()
        reads = [0]

        def writer():
            try:
                with srv.client() as c:
                    reading.wait(10)  # on a loaded machine the reader could start after the last script
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
                    reading.set()

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

    def test_commands_on_other_shards_run_beside_a_script(self):
        srv = self.start_larder(threads=2)
        script, other = self.client(srv), self.client(srv)  # loops 0 and 1
        for c in (script, other):
            self.assertEqual(c.cmd("PING"), b"+PONG\r\n")
        spin = "for i = 1, 60000000 do end redis.call('set', KEYS[1], 'done') return 1"
        # Keys land in shards by a per-process random hash: a key may share
        # the script's shard (1 in 256), so try a few.
        for attempt in range(4):
            script.send(b"*4\r\n$4\r\nEVAL\r\n$%d\r\n%s\r\n$1\r\n1\r\n$1\r\ns\r\n" % (len(spin), spin.encode()))
            time.sleep(0.05)
            self.assertEqual(other.cmd("SET", "other%d" % attempt, "1"), b"+OK\r\n")
            early = script.read_available(0.01)  # the script's reply, if it came first
            self.assertEqual(early or script.read_reply(), b":1\r\n")
            if not early:
                return
        self.fail("a SET on another shard waited for a script four times")

    BUSY = b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
    LOOP_FOREVER = "local i = 0 while true do i = i + 1 end"

    def _busy_server(self):
        """A --threads 2 server, a client per loop that waits, and a client
        on loop 1 that starts an endless script (connections are dealt
        round-robin: 0, 1, 0, 1)."""
        srv = self.start_larder("--busy-reply-threshold", "100", threads=2)
        clients = [self.client(srv) for _ in range(4)]
        for c in clients:
            self.assertEqual(c.cmd("PING"), b"+PONG\r\n")  # accepted, in order
        script = clients[3]
        script.send(b"*3\r\n$4\r\nEVAL\r\n$%d\r\n%s\r\n$1\r\n0\r\n"
                    % (len(self.LOOP_FOREVER), self.LOOP_FOREVER.encode()))
        deadline = time.monotonic() + 10
        while clients[0].cmd("PING") != self.BUSY:
            self.assertLess(time.monotonic(), deadline, "no BUSY from the other loop")
            time.sleep(0.05)
        return srv, clients, script

    def test_busy_script_answers_both_loops_and_is_killed_from_its_own(self):
        srv, clients, script = self._busy_server()
        self.assertEqual(clients[1].cmd("GET", "x"), self.BUSY)  # the script's own loop
        self.assertEqual(clients[0].cmd("SET", "x", "1"), self.BUSY)
        self.assertEqual(clients[1].cmd("SCRIPT", "KILL"), b"+OK\r\n")
        self.assertTrue(script.read_reply().startswith(b"-ERR Script killed by user with SCRIPT KILL..."))
        self.assertEqual(clients[0].cmd("SET", "x", "1"), b"+OK\r\n")
        self.assertEqual(clients[1].cmd("GET", "x"), b"$1\r\n1\r\n")

    def test_sigterm_stops_a_busy_script_on_another_loop(self):
        srv, clients, script = self._busy_server()
        t0 = time.monotonic()
        srv.send_signal(signal.SIGTERM)
        code = srv.wait(timeout=10)
        self.assertEqual(code, 0, "server did not exit cleanly after SIGTERM during a busy script")
        self.assertLess(time.monotonic() - t0, 5)

    def test_scripts_over_maxmemory_with_nothing_to_evict(self):
        # volatile-lru with no TTL keys: eviction finds nothing, memory stays
        # over, and each write walks every shard for a victim. A script's OOM
        # verdict is the dispatcher's (Redis's pre_command_oom_state): it
        # evicted again, holding its key's shard, and waited for the other
        # loop's eviction, which waited for that shard.
        srv = self.start_larder("--maxmemory-policy", "volatile-lru", threads=2)

        def value(key):  # 20k of them: about 3 MB, well over the 1 MB limit under any allocator
            return b"value:" + key[2:].encode() + b"x" * 100

        with srv.client() as c:
            for base in range(0, 20000, 1000):
                c.call("MSET", *[a for i in range(base, base + 1000) for a in ("k:%d" % i, value("k:%d" % i))])
            self.assertEqual(c.call("CONFIG", "SET", "maxmemory", "1mb"), "OK")
        stop = time.monotonic() + 2

        def writer():
            with srv.client() as w:
                while time.monotonic() < stop:
                    self.assertTrue(w.cmd("SET", "w", "x").startswith(b"-OOM "))

        def scripter():
            with srv.client() as s:
                i = 0
                while time.monotonic() < stop:
                    key = "k:%d" % (i % 20000)
                    self.assertEqual(s.call("EVAL", "return redis.call('get', KEYS[1])", "1", key), value(key))
                    i += 1

        self.run_threads([writer, scripter])
        with srv.client() as c:
            for key in ("k:1", "k:2"):
                self.assertTrue(c.cmd("EVAL", "return redis.call('set', KEYS[1], 'x')", "1", key).startswith(
                    b"-OOM command not allowed when used memory > 'maxmemory'"))
                self.assertEqual(c.cmd("EVAL", "#!lua\nreturn redis.call('set', KEYS[1], 'x')", "1", key),
                                 b"-OOM command not allowed when used memory > 'maxmemory'.\r\n")
                self.assertEqual(c.call("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", key),
                                 value(key))
            self.assertEqual(c.call("DBSIZE"), 20000)

if __name__ == "__main__":
    unittest.main()
