#!/usr/bin/python3
"""Differential: ACL users declared in the config file (`user <name> <rules>`
lines), against redis-server 7.0.

Both servers start from the same file: ACL LIST, AUTH and commands of those
users; a `user default` line over requirepass; CONFIG REWRITE writing every
user back as `user` lines (the file's own lines replaced in place), and a
restart from the rewritten file; bad lines refused at start with Redis's
texts; `user` lines together with an aclfile refused.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import (ServerTestCase, _start, free_port, larder_bin, larder_is_redis,  # noqa: E402
                            redis_server_bin, show)

_SINGLE_RUN = re.compile(rb"(?<![^ (\n])[+-][a-z0-9_|\-]+(?: [+-][a-z0-9_|\-]+)*")


def norm_rules(raw):
    """Sorts each run of single-command rules (the order Redis leaves to its hash table)."""
    return _SINGLE_RUN.sub(lambda m: b" ".join(sorted(m.group(0).split(b" "))), raw)


USERS = ("user alice on >alicepw ~app:* &news.* +@read +set -keys\n"
         "user bob off >bobpw ~* +@all\n"
         "user carol on nopass (~x:* +get) resetchannels\n")


@unittest.skipIf(larder_is_redis(), "starts redis-server itself, with the config file first")
class AclConfigUsersTest(ServerTestCase):
    def config_file(self, text):
        d = tempfile.mkdtemp(prefix="larder-aclconf-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "server.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    def start_pair(self, text, larder_text=None):
        """Redis and Larder, each from its own copy of `text` (Larder: `larder_text` if
        given); returns (servers, paths)."""
        paths = [self.config_file(text), self.config_file(larder_text or text)]
        redis = _start("redis-server", lambda p: [
            redis_server_bin(), paths[0], "--port", str(p), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"])
        self._track(redis)
        larder = self.start_larder(paths[1])
        return (redis, larder), paths

    def same(self, servers, *commands):
        for cmd in commands:
            replies = []
            for srv in servers:
                with srv.client() as c:
                    replies.append(norm_rules(c.cmd(*cmd)))
            self.assertEqual(replies[1], replies[0], "%s: Larder %s, Redis %s"
                             % (" ".join(map(str, cmd)), show(replies[1]), show(replies[0])))

    def same_session(self, servers, script):
        """Runs `script` on one connection per server and compares every reply."""
        clients = [srv.client() for srv in servers]
        try:
            for cmd in script:
                r, l = (c.cmd(*cmd) for c in clients)
                self.assertEqual(l, r, "%s: Larder %s, Redis %s" % (" ".join(map(str, cmd)), show(l), show(r)))
        finally:
            for c in clients:
                c.close()

    def user_lines(self, path):
        with open(path) as f:
            return [norm_rules(line.encode()).decode() for line in f.read().splitlines()
                    if line.startswith("user ")]

    def test_users_from_the_config_file(self):
        servers, _ = self.start_pair(USERS)
        self.same(servers, ("ACL", "LIST"), ("ACL", "USERS"), ("ACL", "GETUSER", "carol"))
        self.same_session(servers, [
            ("AUTH", "bob", "bobpw"),
            ("AUTH", "alice", "wrong"),
            ("AUTH", "alice", "alicepw"),
            ("SET", "app:1", "v"),
            ("GET", "app:1"),
            ("GET", "other"),
            ("KEYS", "*"),
            ("PUBLISH", "news.x", "m"),
            ("PUBLISH", "sports", "m"),
            ("AUTH", "carol", "anything"),
            ("GET", "x:1"),
            ("SET", "x:1", "v"),
        ])

    def test_default_user_line_replaces_requirepass(self):
        servers, _ = self.start_pair("requirepass frompass\nuser default on >fromline ~* &* +@all -flushall\n")
        self.same(servers, ("ACL", "LIST"))
        self.same_session(servers, [("PING",), ("AUTH", "frompass"), ("AUTH", "fromline"), ("FLUSHALL",),
                                    ("DBSIZE",)])

    def test_config_rewrite_writes_the_users(self):
        text = "# users\nuser alice on >alicepw ~app:* +get\nhz 10\nuser bob off\n"
        servers, paths = self.start_pair(text)
        self.same_session(servers, [
            ("ACL", "SETUSER", "carol", "on", ">c", "~c:*", "(+set ~w:*)", "&chan"),
            ("ACL", "DELUSER", "bob"),
            ("ACL", "SETUSER", "alice", "+set"),
            ("CONFIG", "REWRITE"),
        ])
        lines = [self.user_lines(p) for p in paths]
        self.assertEqual(lines[1], lines[0])
        self.assertEqual(len(lines[0]), 3, lines[0])  # alice, carol and default
        with open(paths[1]) as f:
            rewritten = f.read().splitlines()
        # The first user line took alice's place, after the comment.
        self.assertTrue(rewritten[1].startswith("user "), rewritten)
        with open(paths[0]) as r, open(paths[1]) as l:
            servers2, _ = self.start_pair(r.read(), l.read())
        self.same(servers2, ("ACL", "LIST"))
        self.same_session(servers2, [("AUTH", "carol", "c"), ("SET", "w:1", "v"), ("GET", "c:1"), ("GET", "w:1")])

    def start_failure(self, argv_of, text):
        """Starts a server from `text`, which must fail; returns its output."""
        path = self.config_file(text)
        p = subprocess.run(argv_of(path), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=10)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 1, out)
        return out

    def test_bad_user_lines_stop_the_server(self):
        aclfile = self.config_file("user x on\n")
        cases = [
            ("user alice on bogus\n", "Error in user declaration 'alice': Syntax error"),
            ("user alice on ~x ~* %R~y\n",
             "Error in user declaration '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is "
             "not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"),
            ("user alice on #abc\n",
             "Error in user declaration 'alice': The password hash must be exactly 64 characters and contain "
             "only lowercase hexadecimal characters"),
            ("user alice on\nuser alice off\n",
             "Error in user declaration 'alice': Duplicate user found. A user can only be defined once in "
             "config files"),
            ("user alice on >pw (~x +get\n",
             "Error in user declaration 'on': Unknown command or category name in ACL"),
            ("user alice on +nosuch\n",
             "Error loading ACL rule '+nosuch' for the user named 'alice': Unknown command or category name in ACL"),
            ("aclfile %s\nuser alice on\n" % aclfile,
             "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is "
             "invalid."),
        ]
        for text, needle in cases:
            port = str(free_port())
            for name, argv_of in (("Redis", lambda p: [redis_server_bin(), p, "--port", port, "--save", ""]),
                                  ("Larder", lambda p: [larder_bin(), p, "--port", port])):
                out = self.start_failure(argv_of, text)
                self.assertIn(needle, out, "%s, %r: %s" % (name, text, out))
            if "declaration" in needle:  # Larder names the directive and the line too
                self.assertIn("'user'", out)
                self.assertIn(":%d:" % text.count("\n"), out)


if __name__ == "__main__":
    unittest.main()
