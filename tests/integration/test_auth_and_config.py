#!/usr/bin/python3
"""Integration: requirepass (file, flag, CONFIG SET), CONFIG REWRITE, bad
config files, CLIENT KILL, CLIENT PAUSE WRITE, SHUTDOWN."""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, larder_bin, larder_is_redis, free_port  # noqa: E402

NOAUTH = b"-NOAUTH Authentication required.\r\n"


class AuthAndConfigTest(ServerTestCase):
    def config_file(self, text):
        fd, path = tempfile.mkstemp(prefix="larder-test-", suffix=".conf")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def check_password_gate(self, srv, password):
        c = self.client(srv)
        self.assertEqual(c.cmd("GET", "k"), NOAUTH)
        self.assertEqual(c.cmd("AUTH", "wrong"),
                         b"-WRONGPASS invalid username-password pair or user is disabled.\r\n")
        self.assertEqual(c.cmd("AUTH", password), b"+OK\r\n")
        self.assertEqual(c.cmd("SET", "k", "v"), b"+OK\r\n")
        d = self.client(srv)
        self.assertEqual(d.cmd("PING"), NOAUTH)
        self.assertEqual(d.cmd("AUTH", "default", password), b"+OK\r\n")
        self.assertEqual(d.cmd("GET", "k"), b"$1\r\nv\r\n")

    @unittest.skipIf(larder_is_redis(), "redis-server wants the config file as its first argument")
    def test_requirepass_from_config_file(self):
        path = self.config_file("# test config\nrequirepass \"from file\"\n")
        srv = self.start_larder(path)
        self.check_password_gate(srv, "from file")

    def test_requirepass_flag(self):
        srv = self.start_larder("--requirepass", "fl4g")
        self.check_password_gate(srv, "fl4g")

    def test_config_set_requirepass_at_runtime(self):
        srv = self.start_larder()
        old = self.client(srv)
        self.assertEqual(old.cmd("SET", "k", "1"), b"+OK\r\n")
        self.assertEqual(old.cmd("CONFIG", "SET", "requirepass", "newpw"), b"+OK\r\n")
        # The existing connection keeps working.
        self.assertEqual(old.cmd("GET", "k"), b"$1\r\n1\r\n")
        self.check_password_gate(srv, "newpw")
        self.assertEqual(old.cmd("CONFIG", "SET", "requirepass", ""), b"+OK\r\n")
        self.assertEqual(self.client(srv).cmd("GET", "k"), b"$1\r\nv\r\n")

    @unittest.skipIf(larder_is_redis(), "Redis rewrites config files differently")
    def test_config_rewrite_keeps_comments(self):
        original = ("# Larder test configuration\n"
                    "\n"
                    "# background frequency\n"
                    "hz 10\n"
                    "   # indented comment\n"
                    "slowlog-max-len 64\n")
        path = self.config_file(original)
        srv = self.start_larder(path)
        c = self.client(srv)
        self.assertEqual(c.cmd("CONFIG", "SET", "hz", "25", "maxclients", "500"), b"+OK\r\n")
        self.assertEqual(c.cmd("CONFIG", "REWRITE"), b"+OK\r\n")
        with open(path) as f:
            text = f.read()
        lines = text.splitlines()
        for comment in ("# Larder test configuration", "# background frequency", "   # indented comment"):
            self.assertIn(comment, lines, text)
        self.assertIn("hz 25", lines, text)
        self.assertNotIn("hz 10", lines, text)
        self.assertIn("slowlog-max-len 64", lines, text)
        self.assertIn("maxclients 500", lines, text)
        # The edited line stays where it was: right after its comment.
        self.assertEqual(lines[lines.index("# background frequency") + 1], "hz 25", text)
        # And the file still starts the server with the new values.
        srv2 = self.start_larder(path)
        self.assertEqual(self.client(srv2).call("CONFIG", "GET", "hz"), [b"hz", b"25"])

    @unittest.skipIf(larder_is_redis(), "redis-server wants its config file first")
    def test_replicaof_no_one_is_dropped_by_rewrite_and_aliases_are_flags(self):
        # Redis writes no replicaof line without a master (a `replicaof ""`
        # line would not load), and takes every alias as a flag too.
        path = self.config_file("hz 10\nslaveof no one\n")
        srv = self.start_larder(path, "--min-slaves-to-write", "0", "--repl-ping-slave-period", "3",
                                "--slave-announce-ip", "10.1.2.3")
        c = self.client(srv)
        self.assertEqual(c.call("CONFIG", "GET", "repl-ping-replica-period"), [b"repl-ping-replica-period", b"3"])
        self.assertEqual(c.call("CONFIG", "GET", "replica-announce-ip"), [b"replica-announce-ip", b"10.1.2.3"])
        self.assertEqual(c.cmd("CONFIG", "REWRITE"), b"+OK\r\n")
        with open(path) as f:
            text = f.read()
        self.assertNotIn("slaveof", text)
        self.assertNotIn("replicaof", text)
        self.assertEqual(self.client(self.start_larder(path)).call("CONFIG", "GET", "replicaof"), [b"replicaof", b""])

    @unittest.skipIf(larder_is_redis(), "Larder-only settings (metrics-bind) and start-up flags")
    def test_config_rewrite_hostile_values_round_trip(self):
        # Each value tries to end its line and start directives of its own.
        # `dir` must be an existing directory (kept as an absolute path).
        base = tempfile.mkdtemp(prefix="larder-hostile-")
        self.addCleanup(shutil.rmtree, base, True)
        hostile_dir = base.encode() + b"/\x01\x02\x1b[0m\x7f\xff \t tab\vend\\x41"
        os.mkdir(hostile_dir)
        hostile = {
            "requirepass": b"pw\nbind 127.0.0.2\nlogfile /tmp/x\nrequirepass injected",
            "dbfilename": b"d\r\nhz 400\r\n\"q\" 'single' \\back\\slash\\",
            "dir": hostile_dir,
            "proc-title-template": b"\"\nmaxclients 3\n\"",
            "tls-ciphers": b"'\nport 1\n'",
        }
        path = self.config_file("# hostile values\nhz 10\n")
        srv = self.start_larder(path, "--enable-protected-configs", "yes")  # dir, dbfilename
        c = self.client(srv)
        for name, value in hostile.items():
            self.assertEqual(c.cmd("CONFIG", "SET", name, value), b"+OK\r\n", name)
        self.assertEqual(
            c.cmd("CONFIG", "SET", "save", "3600 1\nbind 127.0.0.2\nlogfile /tmp/x\nrequirepass injected"),
            b"-ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters\r\n")
        self.assertEqual(c.cmd("CONFIG", "SET", "save", "60 5 300 10"), b"+OK\r\n")
        before = dict(zip(*[iter(c.call("CONFIG", "GET", "*"))] * 2))
        self.assertEqual(c.cmd("CONFIG", "REWRITE"), b"+OK\r\n")
        with open(path, "rb") as f:
            text = f.read()
        self.assertTrue(text.startswith(b"# hostile values\nhz 10\n"), text)
        # One line per directive written: the settings given, port and loglevel
        # (harness flags), the default user (as Redis writes users without an
        # aclfile) and nothing the values tried to add.
        names = [line.split(b" ", 1)[0] for line in text.split(b"\n") if line and not line.startswith(b"#")]
        self.assertEqual(sorted(names), sorted([b"hz", b"port", b"loglevel", b"save", b"enable-protected-configs",
                                                b"user"] + [n.encode() for n in hostile]), text)

        srv2 = self.start_larder(path)
        d = self.client(srv2)
        self.assertEqual(d.cmd("AUTH", hostile["requirepass"]), b"+OK\r\n")
        after = dict(zip(*[iter(d.call("CONFIG", "GET", "*"))] * 2))
        self.assertEqual(after.pop(b"port"), str(srv2.port).encode())
        before.pop(b"port")
        self.assertEqual(after, before)
        for name, value in hostile.items():
            self.assertEqual(after[name.encode()], value, name)
        self.assertEqual(after[b"save"], b"60 5 300 10")
        self.assertEqual(after[b"logfile"], b"")
        self.assertEqual(after[b"hz"], b"10")
        self.assertEqual(after[b"maxclients"], b"10000")

    def assert_refused_at_start(self, cases):
        """Each (flags, needles): the server exits 1 with every needle in its output."""
        for args, needles in cases:
            p = subprocess.run([larder_bin(), "--port", str(free_port())] + args, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
            out = p.stdout.decode("utf-8", "replace")
            self.assertEqual(p.returncode, 1, out)
            for n in needles:
                self.assertIn(n, out, "%r not named in %r" % (n, out))

    @unittest.skipIf(larder_is_redis(), "Larder's own start-up error format")
    def test_invalid_save_refused_at_start_naming_directive(self):
        cases = [
            (["--save", "3600 x"], ["'save': Invalid save parameters"]),
            (["--save", "3600"], ["'save': Invalid save parameters"]),
            ([self.config_file('save "3600 1\\nbind 127.0.0.2"\n')], ["'save': Invalid save parameters", ":1"]),
            ([self.config_file("hz 10\nsave 3600 1 300\n")], ["'save': Invalid save parameters", ":2"]),
        ]
        self.assert_refused_at_start(cases)

    @unittest.skipIf(larder_is_redis(), "Larder's own start-up error format")
    def test_bad_config_file_exits_1_naming_directive_and_line(self):
        cases = [
            ("hz 10\nport 6379\nnosuchdirective 5\n", ["nosuchdirective", ":3"]),
            ("# comment\nhz fast\n", ["hz", ":2"]),
            ("bind 127.0.0.1\nthreads abc\n", ["threads", ":2"]),
        ]
        for text, needles in cases:
            path = self.config_file(text)
            p = subprocess.run([larder_bin(), path, "--port", str(free_port())], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
            out = p.stdout.decode("utf-8", "replace")
            self.assertEqual(p.returncode, 1, out)
            for n in needles:
                self.assertIn(n, out, "%r not named in %r" % (n, out))
            self.assertIn(path, out)

    @unittest.skipIf(larder_is_redis(), "Larder's own start-up error format")
    def test_what_larder_cannot_do_is_refused_at_start(self):
        # Accepted and ignored, these would leave a replica empty and a
        # cluster client without slots.
        cases = [
            (["--replicaof", "10.0.0.1 6379"], ["'replicaof'", "no replication"]),
            ([self.config_file("slaveof 10.0.0.1 6379\n")], ["'slaveof'", ":1"]),
            (["--replicaof", "10.0.0.1 x"], ["'replicaof': Invalid master port"]),
            (["--cluster-enabled", "yes"], ["'cluster-enabled'", "no cluster mode"]),
            (["--io-threads", "0"], ["'io-threads': argument must be between 1 and 128 inclusive"]),
            (["--unixsocketperm", "778"], ["'unixsocketperm': argument couldn't be parsed as an octal number"]),
        ]
        self.assert_refused_at_start(cases)

    @unittest.skipIf(larder_is_redis(), "redis-server wants its config file first (the values are 7.0.15's)")
    def test_every_redis_7_directive_loads_from_a_config_file(self):
        # A redis.conf using the directives Larder has no use for still loads;
        # CONFIG GET reads them back as Redis prints them.
        text = ("io-threads 4\nio-threads-do-reads yes\nlatency-tracking no\nmaxmemory-clients 10%\n"
                "activedefrag no\nsupervised auto\nshutdown-on-sigterm now nosave\nreplicaof no one\n"
                "repl-backlog-size 64mb\nmin-slaves-max-lag 5\nsyslog-enabled no\nsyslog-facility local3\n"
                "unixsocketperm 0700\ncluster-enabled no\ncluster-config-file nodes-6379.conf\n"
                "sanitize-dump-payload clients\nlatency-tracking-info-percentiles 50 99 99.99\n"
                "masterauth secret\nactive-expire-effort 3\ncluster-announce-hostname cache-1.internal\n")
        srv = self.start_larder(self.config_file(text))
        c = self.client(srv)
        expect = {"io-threads": b"4", "io-threads-do-reads": b"yes", "latency-tracking": b"no",
                  "maxmemory-clients": b"10%", "supervised": b"auto", "shutdown-on-sigterm": b"nosave now",
                  "replicaof": b"", "slaveof": b"", "repl-backlog-size": b"67108864", "min-replicas-max-lag": b"5",
                  "syslog-facility": b"local3", "unixsocketperm": b"700", "cluster-config-file": b"nodes-6379.conf",
                  "sanitize-dump-payload": b"clients", "latency-tracking-info-percentiles": b"50 99 99.99",
                  "masterauth": b"secret", "active-expire-effort": b"3",
                  "cluster-announce-hostname": b"cache-1.internal"}
        for name, value in expect.items():
            self.assertEqual(c.cmd("CONFIG", "GET", name),
                             b"*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(name), name.encode(), len(value), value),
                             name)

    def test_client_kill_closes_other_connection(self):
        srv = self.start_larder()
        killer = self.client(srv)
        victim = self.client(srv)
        self.assertEqual(victim.cmd("CLIENT", "SETNAME", "victim"), b"+OK\r\n")
        vid = victim.call("CLIENT", "ID")
        self.assertEqual(killer.cmd("CLIENT", "KILL", "ID", vid), b":1\r\n")
        self.assertTrue(victim.is_closed(2.0), "killed connection still open")
        self.assertNotIn(b"name=victim", killer.call("CLIENT", "LIST"))
        # By address (old form) too.
        v2 = self.client(srv)
        self.assertEqual(v2.cmd("PING"), b"+PONG\r\n")  # accepted and registered by now
        addr = v2.sock.getsockname()
        self.assertEqual(killer.cmd("CLIENT", "KILL", "%s:%d" % addr), b"+OK\r\n")
        self.assertTrue(v2.is_closed(2.0))
        self.assertEqual(killer.cmd("PING"), b"+PONG\r\n")

    def test_client_pause_write_delays_writes_only(self):
        srv = self.start_larder()
        admin = self.client(srv)
        writer = self.client(srv)
        reader = self.client(srv)
        admin.cmd("SET", "k", "old")
        # A pause long enough that a slow (sanitizer) server still answers
        # the GET well inside it.
        self.assertEqual(admin.cmd("CLIENT", "PAUSE", "1000", "WRITE"), b"+OK\r\n")
        t0 = time.monotonic()
        result = {}

        def do_set():
            result["reply"] = writer.cmd("SET", "k", "new")
            result["t"] = time.monotonic() - t0

        th = threading.Thread(target=do_set)
        th.start()
        time.sleep(0.02)
        t1 = time.monotonic()
        self.assertEqual(reader.cmd("GET", "k"), b"$3\r\nold\r\n")
        get_time = time.monotonic() - t1
        th.join(5)
        self.assertFalse(th.is_alive())
        self.assertEqual(result["reply"], b"+OK\r\n")
        self.assertLess(get_time, 0.5, "GET waited during a WRITE pause")
        self.assertGreaterEqual(result["t"], 0.8, "SET was not held back by CLIENT PAUSE WRITE")
        self.assertEqual(reader.cmd("GET", "k"), b"$3\r\nnew\r\n")

    def test_client_pause_drops_the_command_of_a_client_that_leaves(self):
        srv = self.start_larder()
        admin, writer, reader = (self.client(srv) for _ in range(3))
        admin.cmd("SET", "k", "old")
        self.assertEqual(admin.cmd("CLIENT", "PAUSE", "500", "WRITE"), b"+OK\r\n")
        writer.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nnew\r\n")
        time.sleep(0.1)
        writer.close()
        time.sleep(0.1)
        self.assertEqual(admin.cmd("CLIENT", "UNPAUSE"), b"+OK\r\n")
        time.sleep(0.1)
        self.assertEqual(reader.cmd("GET", "k"), b"$3\r\nold\r\n")

    def test_client_pause_write_holds_what_redis_replicates(self):
        # PUBLISH (a may-replicate command) and the EXEC of a transaction
        # holding a write wait too, as in Redis.
        srv = self.start_larder()
        admin, publisher, tx, reader = (self.client(srv) for _ in range(4))
        self.assertEqual(tx.cmd("MULTI"), b"+OK\r\n")
        self.assertEqual(tx.cmd("SET", "k2", "v"), b"+QUEUED\r\n")
        self.assertEqual(admin.cmd("CLIENT", "PAUSE", "1000", "WRITE"), b"+OK\r\n")
        t0 = time.monotonic()
        times = {}

        def run(name, client, *args):
            times[name] = (client.cmd(*args), time.monotonic() - t0)

        threads = [threading.Thread(target=run, args=("publish", publisher, "PUBLISH", "c", "m")),
                   threading.Thread(target=run, args=("exec", tx, "EXEC"))]
        for th in threads:
            th.start()
        time.sleep(0.02)
        t1 = time.monotonic()
        self.assertEqual(reader.cmd("GET", "k2"), b"$-1\r\n")
        self.assertLess(time.monotonic() - t1, 0.5, "GET waited during a WRITE pause")
        for th in threads:
            th.join(5)
            self.assertFalse(th.is_alive())
        self.assertEqual(times["publish"][0], b":0\r\n")
        self.assertEqual(times["exec"][0], b"*1\r\n+OK\r\n")
        for name, (_, waited) in times.items():
            self.assertGreaterEqual(waited, 0.8, "%s was not held back by CLIENT PAUSE WRITE" % name)

    def test_shutdown_nosave_exits_0(self):
        srv = self.start_larder()
        c = self.client(srv)
        c.send(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
        self.assertTrue(c.is_closed(5.0))
        self.assertEqual(srv.wait(timeout=5), 0)

    @unittest.skipIf(larder_is_redis(), "redis-server can save")
    def test_shutdown_save_that_fails_without_force_is_refused(self):
        base = tempfile.mkdtemp(prefix="larder-gone-")
        srv = self.start_larder("--dir", base)
        os.rmdir(base)  # the save cannot create its file
        c = self.client(srv)
        self.assertEqual(c.cmd("SHUTDOWN", "SAVE"), b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n")
        time.sleep(0.2)
        self.assertTrue(srv.alive())
        self.assertEqual(c.cmd("PING"), b"+PONG\r\n")
        self.assertEqual(self.client(srv).cmd("PING"), b"+PONG\r\n")


if __name__ == "__main__":
    unittest.main()
