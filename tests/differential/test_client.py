#!/usr/bin/python3
"""Differential: CLIENT subcommands (errors, HELP, SETNAME/GETNAME, REPLY
modes, LIST/INFO field names) in RESP2 and RESP3."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, decode, encode_command, larder_is_redis  # noqa: E402
from sessions import Raw, Sleep, compare_sessions  # noqa: E402

# Subcommands Redis 7.0 documents in CLIENT HELP that Larder does not offer,
# and the Redis 7.2 ones Larder adds.
REDIS_ONLY = set()
LARDER_ONLY = {"SETINFO", "NO-TOUCH"}


def help_blocks(reply):
    """CLIENT HELP lines grouped per subcommand: {name: [lines]} in order."""
    lines = decode(reply)
    if not isinstance(lines, list) or not lines:
        raise AssertionError("CLIENT HELP is not an array: %r" % reply[:200])
    blocks = [("<title>", [lines[0]])]
    for line in lines[1:]:
        if not line.startswith(" "):
            blocks.append((line.split()[0], [line]))
        else:
            blocks[-1][1].append(line)
    return blocks


def pipeline(*cmds):
    """Raw step: send every command at once, then PING; return all bytes up to
    and including the PONG (replies that are suppressed simply are not there)."""
    def fn(c):
        c.send(b"".join(encode_command(*cmd) for cmd in cmds) + encode_command("PING", "sentinel"))
        data = b""
        while not data.endswith(b"$8\r\nsentinel\r\n"):
            data += c.read_reply()
        return data
    return fn


def pipeline_bytes(*cmds):
    """Raw step like pipeline(), reading bytes rather than replies: a CLIENT
    REPLY OFF inside EXEC leaves Redis's array header without its elements."""
    def fn(c):
        c.send(b"".join(encode_command(*cmd) for cmd in cmds) + encode_command("PING", "sentinel"))
        data = b""
        deadline = time.monotonic() + 10
        while not data.endswith(b"$8\r\nsentinel\r\n") and time.monotonic() < deadline:
            data += c.read_available(0.05)
        return data
    return fn


class ClientTest(DifferentialTestCase):
    def both(self, script, clients=1):
        compare_sessions(self, script, clients=clients, resp3=False)
        compare_sessions(self, script, clients=clients, resp3=True)

    def test_subcommand_errors(self):
        self.both([
            (0, "CLIENT"), (0, "CLIENT", "NOSUCH"), (0, "client", "nosuch", "x"),
            (0, "CLIENT", "ID", "x"), (0, "CLIENT", "GETNAME", "x"), (0, "CLIENT", "SETNAME"),
            (0, "CLIENT", "SETNAME", "a", "b"), (0, "CLIENT", "INFO", "x"), (0, "CLIENT", "HELP", "x"),
            (0, "CLIENT", "KILL"), (0, "CLIENT", "KILL", "1.2.3.4:5"), (0, "CLIENT", "KILL", "ID", "0"),
            (0, "CLIENT", "KILL", "ID", "abc"), (0, "CLIENT", "KILL", "ID", "-3"),
            (0, "CLIENT", "KILL", "ID", "99999"),
            (0, "CLIENT", "KILL", "FOO", "bar"), (0, "CLIENT", "KILL", "SKIPME", "maybe"),
            (0, "CLIENT", "KILL", "TYPE", "bogus"), (0, "CLIENT", "KILL", "TYPE", "pubsub"),
            (0, "CLIENT", "KILL", "TYPE", "master"), (0, "CLIENT", "KILL", "USER", "bob"),
            (0, "CLIENT", "KILL", "USER", "default", "ID", "99999"),
            (0, "CLIENT", "KILL", "ADDR", "1.2.3.4:5"), (0, "CLIENT", "KILL", "LADDR", "1.2.3.4:5"),
            (0, "CLIENT", "KILL", "ADDR", "1.2.3.4:5", "SKIPME"),
            (0, "CLIENT", "REPLY"), (0, "CLIENT", "REPLY", "bogus"), (0, "CLIENT", "REPLY", "on", "x"),
            (0, "CLIENT", "NO-EVICT"), (0, "CLIENT", "NO-EVICT", "maybe"), (0, "CLIENT", "NO-EVICT", "on"),
            (0, "CLIENT", "NO-EVICT", "OFF"),
            (0, "CLIENT", "PAUSE"), (0, "CLIENT", "PAUSE", "abc"), (0, "CLIENT", "PAUSE", "-1"),
            (0, "CLIENT", "PAUSE", "10", "bogus"), (0, "CLIENT", "PAUSE", "0"),
            (0, "CLIENT", "PAUSE", "0", "WRITE"), (0, "CLIENT", "UNPAUSE"), (0, "CLIENT", "UNPAUSE", "x"),
            (0, "CLIENT", "LIST", "TYPE", "bogus"), (0, "CLIENT", "LIST", "ID", "abc"),
            (0, "CLIENT", "LIST", "ID", "1", "x"), (0, "CLIENT", "LIST", "bogus"),
            (0, "CLIENT", "LIST", "ID", "999999"), (0, "CLIENT", "LIST", "TYPE", "pubsub"),
            (0, "CLIENT", "LIST", "TYPE", "replica"), (0, "CLIENT", "LIST", "TYPE"),
        ])

    def test_kill_by_empty_address_matches_nobody(self):
        self.both([
            (1, "SUBSCRIBE", "c"), (0, "CLIENT", "KILL", "ADDR", ""), (0, "CLIENT", "KILL", "LADDR", ""),
            (0, "CLIENT", "KILL", ""), (0, "CLIENT", "KILL", "ADDR", "", "SKIPME", "no"), (1, "PING"), (0, "PING"),
        ], clients=2)

    def test_killed_client_is_gone_for_the_next_command(self):
        # Redis frees a killed client at once: PUBLISH, PUBSUB NUMSUB and the
        # client count pipelined after the kill no longer see the subscriber.
        ids = {}

        def kill_then_look(c):
            return pipeline(("CLIENT", "KILL", "ID", str(ids[1])), ("PUBLISH", "ch", "m"),
                            ("PUBSUB", "NUMSUB", "ch"), ("CLIENT", "KILL", "ID", str(ids[1])))(c)

        def remember_id(c):
            ids[1] = int(c.cmd("CLIENT", "ID")[1:].split(b"\r\n")[0])
            return b""

        self.both([
            Raw(1, remember_id), (1, "SUBSCRIBE", "ch"), Raw(0, kill_then_look),
        ], clients=2)

    def test_pause_refuses_before_it_postpones(self):
        # Refusals (arity, subscribed context, ACL) come before CLIENT PAUSE;
        # a postponed client counts as blocked (flag b, blocked_clients).
        def send(i, *args):
            return Raw(i, lambda c: c.send(encode_command(*args)) or b"", "send")

        def recv(i):
            return Raw(i, lambda c: c.read_reply(), "recv")

        def blocked_line(i):
            def fn(c):
                info = c.cmd("INFO", "clients")
                return [ln for ln in info.split(b"\r\n") if ln.startswith(b"blocked_clients:")][0]
            return Raw(i, fn, "blocked_clients")

        def flags_of(i, name):
            def fn(c):
                for ln in c.call("CLIENT", "LIST").decode().splitlines():
                    if " name=%s " % name in ln:
                        f = dict(self._fields(ln))
                        return ("%s %s" % (f["flags"], f["cmd"])).encode()
                return b"missing"
            return Raw(i, fn, "flags")

        compare_sessions(self, [
            (1, "SUBSCRIBE", "c"), (2, "CLIENT", "SETNAME", "w"),
            (0, "CLIENT", "PAUSE", "3000", "WRITE"),
            (1, "PUBLISH", "c", "x"), (2, "PUBLISH", "x"), (2, "SET", "k"),
            send(2, "SET", "k", "v"), Sleep(0.2), blocked_line(0), flags_of(0, "w"),
            (0, "GET", "k"), (0, "CLIENT", "UNPAUSE"), recv(2), (0, "GET", "k"), blocked_line(0),
        ], clients=3, resp3=False)

    def test_monitor_client_is_not_paused(self):
        # Redis treats a MONITOR client as a replica, which is never paused:
        # its PING is answered during CLIENT PAUSE ALL.
        def ping_within(i, wait):
            # The reply only: the monitor line of the PING that follows it varies.
            return Raw(i, lambda c: c.send(encode_command("PING")) or c.read_available(wait)[:7], "ping")

        compare_sessions(self, [
            (1, "MONITOR"), (0, "CLIENT", "PAUSE", "1500", "ALL"), ping_within(1, 0.7), Sleep(1.2),
        ], clients=2, resp3=False)

    def test_pause_keeps_the_dataset_still(self):
        # No eviction (and no OOM) while clients are paused: the keys are all
        # there until the pause ends (Redis's isSafeToPerformEvictions).
        self.addCleanup(compare_sessions, self, [(0, "CONFIG", "SET", "maxmemory", "0"),
                                                 (0, "CONFIG", "SET", "maxmemory-policy", "noeviction")],
                        clients=1, flush=False)
        mset = ["MSET"] + [x for i in range(200) for x in ("k%d" % i, "v" * 100)]
        compare_sessions(self, [
            (0, "CONFIG", "SET", "maxmemory-policy", "allkeys-random"), tuple([0] + mset),
            (0, "CLIENT", "PAUSE", "800", "WRITE"), (0, "CONFIG", "SET", "maxmemory", "1"),
            (0, "DBSIZE"), (0, "GET", "k1"), (0, "DBSIZE"), Sleep(1.0), (0, "DBSIZE"),
        ], clients=1)

    def test_pause_extra_argument(self):
        self.both([(0, "CLIENT", "PAUSE", "10", "WRITE", "x"), (0, "CLIENT", "UNPAUSE")])

    def test_list_id_zero_and_negative(self):
        self.both([(0, "CLIENT", "LIST", "ID", "0"), (0, "CLIENT", "LIST", "ID", "-1")])

    def test_setname_getname(self):
        self.both([
            (0, "CLIENT", "GETNAME"), (0, "CLIENT", "SETNAME", "alpha"), (0, "CLIENT", "GETNAME"),
            (0, "CLIENT", "SETNAME", "with space"), (0, "CLIENT", "SETNAME", "nl\n"),
            (0, "CLIENT", "SETNAME", b"\xc3\xa9"), (0, "CLIENT", "GETNAME"),
            (0, "client", "setname", "~!@#$%^&*()"), (0, "CLIENT", "GETNAME"),
            (0, "CLIENT", "SETNAME", ""), (0, "CLIENT", "GETNAME"),
            (1, "CLIENT", "GETNAME"), (1, "CLIENT", "SETNAME", "beta"), (0, "CLIENT", "GETNAME"),
            (1, "CLIENT", "GETNAME"),
        ], clients=2)

    def test_reply_modes(self):
        self.both([
            Raw(0, pipeline(("SET", "a", "1"), ("CLIENT", "REPLY", "OFF"), ("SET", "b", "2"), ("GET", "a"),
                            ("NOSUCH",), ("CLIENT", "REPLY", "ON"), ("GET", "b")), "off/on"),
            Raw(0, pipeline(("CLIENT", "REPLY", "SKIP"), ("GET", "a"), ("GET", "b")), "skip"),
            Raw(0, pipeline(("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "SKIP"), ("GET", "a"),
                            ("GET", "b")), "skip skip"),
            Raw(0, pipeline(("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "ON"), ("GET", "a")),
                "skip then on"),
            Raw(0, pipeline(("CLIENT", "REPLY", "OFF"), ("CLIENT", "REPLY", "SKIP"), ("GET", "a"),
                            ("CLIENT", "REPLY", "ON"), ("GET", "a")), "off, skip, on"),
            Raw(0, pipeline(("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "bogus"), ("GET", "a")),
                "skip then bad mode"),
            Raw(0, pipeline(("CLIENT", "REPLY", "SKIP"), ("RESET",), ("PING",)), "skip then reset"),
            Raw(0, pipeline(("CLIENT", "REPLY", "OFF"), ("RESET",), ("PING",)), "off then reset"),
            # Inside EXEC, whose array header is written before the queue runs.
            Raw(0, pipeline_bytes(("MULTI",), ("GET", "a"), ("CLIENT", "REPLY", "OFF"), ("GET", "b"), ("EXEC",),
                                  ("GET", "a"), ("CLIENT", "REPLY", "ON")), "off inside exec"),
            Raw(0, pipeline_bytes(("MULTI",), ("CLIENT", "REPLY", "OFF"), ("GET", "a"), ("CLIENT", "REPLY", "ON"),
                                  ("GET", "b"), ("EXEC",), ("GET", "a")), "off and on inside exec"),
            Raw(0, pipeline_bytes(("MULTI",), ("CLIENT", "REPLY", "SKIP"), ("GET", "a"), ("EXEC",), ("GET", "b"),
                                  ("GET", "a")), "skip inside exec"),
            Raw(0, pipeline_bytes(("CLIENT", "REPLY", "SKIP"), ("MULTI",), ("GET", "a"), ("EXEC",), ("GET", "b")),
                "skip before multi"),
            Raw(0, pipeline_bytes(("MULTI",), ("GET", "a"), ("CLIENT", "REPLY", "SKIP"), ("EXEC",), ("GET", "b")),
                "skip queued, next command skipped"),
            Raw(0, pipeline_bytes(("CLIENT", "REPLY", "OFF"), ("MULTI",), ("GET", "a"), ("EXEC",),
                                  ("CLIENT", "REPLY", "ON")), "off around a transaction"),
            Raw(0, pipeline_bytes(("CLIENT", "REPLY", "OFF"), ("MULTI",), ("GET", "a"), ("CLIENT", "REPLY", "ON"),
                                  ("GET", "b"), ("EXEC",), ("GET", "a")), "off before multi, on inside exec"),
            Raw(0, pipeline_bytes(("CLIENT", "REPLY", "SKIP"), ("EXEC",), ("MULTI",), ("WATCH", "a"), ("EXEC",),
                                  ("GET", "a")), "skip before exec errors"),
            Raw(0, pipeline_bytes(("MULTI",), ("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "ON"), ("EXEC",),
                                  ("GET", "a"), ("GET", "b")), "skip then on inside exec"),
            Raw(0, pipeline_bytes(("MULTI",), ("CLIENT", "REPLY", "OFF"), ("SUBSCRIBE", "ch"), ("GET", "a"),
                                  ("UNSUBSCRIBE", "ch"), ("EXEC",), ("CLIENT", "REPLY", "ON")),
                "subscribe confirmations under off inside exec"),
            Raw(0, pipeline_bytes(("CLIENT", "REPLY", "OFF"), ("MULTI",), ("SUBSCRIBE", "ch2"), ("EXEC",),
                                  ("UNSUBSCRIBE", "ch2"), ("CLIENT", "REPLY", "ON")), "off around a subscribing exec"),
        ])

    def test_reset_keeps_no_evict(self):
        self.both([(0, "CLIENT", "NO-EVICT", "on"), (0, "RESET"),
                   Raw(0, lambda c: b" flags=e " in c.cmd("CLIENT", "INFO"), "flags=e after RESET"),
                   (0, "CLIENT", "NO-EVICT", "off")])

    @unittest.skipIf(larder_is_redis(), "Larder's help differs from Redis 7.0's on purpose")
    def test_help(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            redis_blocks = help_blocks(rc.cmd("CLIENT", "HELP"))
            larder_blocks = help_blocks(lc.cmd("CLIENT", "HELP"))
            r = [b for b in redis_blocks if b[0] not in REDIS_ONLY]
            l_ = [b for b in larder_blocks if b[0] not in LARDER_ONLY]
            self.assertEqual(l_, r)
            names = [b[0] for b in larder_blocks]
            self.assertIn("SETINFO", names)
            self.assertIn("NO-TOUCH", names)
            # What the help leaves out, Larder really does not offer.
            for sub in REDIS_ONLY:
                self.assertEqual(lc.cmd("CLIENT", sub),
                                 b"-ERR unknown subcommand '%s'. Try CLIENT HELP.\r\n" % sub.encode())
            # And what it documents, it offers.
            for sub in names[1:]:
                self.assertFalse(lc.cmd("CLIENT", sub, "x", "y", "z", "w").startswith(b"-ERR unknown subcommand '"),
                                 sub)

    def _fields(self, text):
        return [kv.split("=", 1) for kv in text.strip("\n").split(" ")]

    def test_list_and_info_fields(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            for c in (rc, lc):
                c.cmd("CLIENT", "SETNAME", "lister")
                c.cmd("SELECT", "2")
            for sub in ("LIST", "INFO"):
                rf = self._fields(rc.call("CLIENT", sub, *(["ID", str(rc.call("CLIENT", "ID"))]
                                                            if sub == "LIST" else [])).decode())
                lf = self._fields(lc.call("CLIENT", sub, *(["ID", str(lc.call("CLIENT", "ID"))]
                                                            if sub == "LIST" else [])).decode())
                n = len(rf)
                self.assertEqual([k for k, _ in lf[:n]], [k for k, _ in rf], sub)
                rd, ld = dict(rf), dict(lf)
                for k in ("name", "flags", "db", "sub", "psub", "ssub", "multi", "events", "cmd", "user",
                          "redir", "resp"):
                    self.assertEqual(ld[k], rd[k], "CLIENT %s field %s" % (sub, k))
                self.assertEqual(ld["laddr"], "127.0.0.1:%d" % self.larder.port)
                self.assertEqual(ld["id"], str(lc.call("CLIENT", "ID")))

    def test_multi_state_in_list_and_info(self):
        # A client with commands queued, as another sees it; CLIENT INFO run
        # by EXEC (Redis keeps the client in MULTI while EXEC runs); the
        # client after EXEC (EXEC stays its last command).
        def listed(lister, name):
            lines = [ln for ln in lister.call("CLIENT", "LIST").decode().splitlines() if " name=%s " % name in ln]
            self.assertEqual(len(lines), 1, lines)
            return dict(self._fields(lines[0]))

        with self.redis.client() as r0, self.redis.client() as r1, \
                self.larder.client() as l0, self.larder.client() as l1:
            out = []
            for a, b in ((r0, r1), (l0, l1)):
                b.cmd("CLIENT", "SETNAME", "inmulti")
                b.cmd("MULTI")
                b.cmd("SET", "x", "1")
                b.cmd("CLIENT", "INFO")
                b.cmd("GET", "x")
                queued = listed(a, "inmulti")
                inside = dict(self._fields(decode(b.cmd("EXEC"))[1].decode()))
                after = listed(a, "inmulti")
                out.append([(d["flags"], d["multi"], d["cmd"]) for d in (queued, inside, after)])
            self.assertEqual(out[1], out[0])
            self.assertEqual(out[0], [("x", "3", "get"), ("x", "3", "exec"), ("N", "-1", "exec")])
            # A transaction bound to fail queues nothing more.
            out = []
            for a, b in ((r0, r1), (l0, l1)):
                b.cmd("MULTI")
                b.cmd("GET", "x")
                b.cmd("NOPE")
                b.cmd("GET", "y")
                failed = listed(a, "inmulti")
                b.cmd("DISCARD")
                b.cmd("WATCH", "x")
                b.cmd("MULTI")
                b.cmd("GET", "x")
                a.cmd("SET", "x", "2")
                b.cmd("GET", "y")
                dirty = listed(a, "inmulti")
                b.cmd("EXEC")
                out.append([(d["flags"], d["multi"]) for d in (failed, dirty)])
            self.assertEqual(out[1], out[0])
            self.assertEqual(out[0], [("x", "1"), ("xd", "1")])

    def test_acl_log_context_of_auth_inside_exec(self):
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                c.cmd("ACL", "LOG", "RESET")
                c.cmd("MULTI")
                c.cmd("AUTH", "nobody", "wrong")
                c.cmd("EXEC")
                entry = decode(c.cmd("ACL", "LOG"))[0]
                fields = dict(zip(entry[0::2], entry[1::2]))
                self.assertEqual((fields[b"reason"], fields[b"context"]), (b"auth", b"multi"), srv)


if __name__ == "__main__":
    unittest.main()
