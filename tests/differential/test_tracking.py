#!/usr/bin/python3
"""Differential: client-side caching (CLIENT TRACKING) against redis-server,
with several connections.

A script is a list of steps run on both servers; each step's raw bytes are
compared, client ids replaced by "ID<n>" (the n-th connection's id):
  Cmd(i, n, *args)   client i sends args and reads n replies (an invalidation
                     of its own command comes after its reply); Id(j) in args
                     is connection j's id
  Pipe(i, n, *cmds)  client i sends several commands at once, reads n replies
  Read(i, n)         client i reads n more replies (invalidations)
  Quiet(i)           client i has received nothing more (0.2 s)
  Flags(i, j)        client i's CLIENT LIST line of client j: flags and redir
  Close(i)           client i disconnects
  Sleep(s)
Covers default, BCAST, OPTIN, OPTOUT and NOLOOP modes, REDIRECT (RESP2 Pub/Sub
and RESP3), FLUSHDB / FLUSHALL, expiry, MULTI and scripts, the INFO counters,
tracking-table-max-keys, CLIENT LIST flags and every error text.
"""
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import (DifferentialTestCase, decode, encode_command, show,  # noqa: E402
                            start_larder, start_redis)
from sessions import Cmd, Quiet, Read, step_mismatches  # noqa: E402


class Id:
    """Connection j's client id, in a Cmd's arguments."""
    def __init__(self, j):
        self.j = j

    def __str__(self):
        return "Id(%d)" % self.j


class Pipe:
    def __init__(self, i, n, *cmds):
        self.i, self.n, self.cmds = i, n, cmds

    def __repr__(self):
        return "c%d pipelines %r" % (self.i, self.cmds)


class Flags:
    def __init__(self, i, j):
        self.i, self.j = i, j

    def __repr__(self):
        return "c%d: flags of c%d" % (self.i, self.j)


class Close:
    def __init__(self, i):
        self.i = i

    def __repr__(self):
        return "c%d closes" % self.i


class Sleep:
    def __init__(self, s):
        self.s = s

    def __repr__(self):
        return "sleep %.2f" % self.s


INFO_FIELDS = (b"tracking_clients", b"tracking_total_keys", b"tracking_total_items", b"tracking_total_prefixes")


def info_counters(c):
    """The tracking fields of INFO, compared as a step."""
    text = c.cmd("INFO", "everything")
    return b" ".join(re.findall(rb"(?:%s):\d+" % b"|".join(INFO_FIELDS), text))


class Info:
    def __init__(self, i):
        self.i = i

    def __repr__(self):
        return "c%d: INFO tracking counters" % self.i


def run(srv, script, clients, resp3):
    conns = [srv.client() for _ in range(clients)]
    try:
        conns[0].cmd("FLUSHALL")
        ids = [int(decode(c.cmd("CLIENT", "ID"))) for c in conns]
        for j in resp3:
            conns[j].cmd("HELLO", "3")

        def mask(data):
            def sub(m):
                n = int(m.group(1))
                return b":ID%d\r\n" % ids.index(n) if n in ids else m.group(0)
            return re.sub(rb"(?:(?<=\n)|^):(\d+)\r\n", sub, data)

        def arg(a):
            return str(ids[a.j]) if isinstance(a, Id) else a

        def run_step(step):
            if isinstance(step, Sleep):
                time.sleep(step.s)
                return b""
            c = conns[step.i]
            if isinstance(step, Cmd):
                c.send(encode_command(*[arg(a) for a in step.args]))
                return mask(b"".join(c.read_replies(step.n)))
            if isinstance(step, Pipe):
                c.send(b"".join(encode_command(*cmd) for cmd in step.cmds))
                return mask(b"".join(c.read_replies(step.n)))
            if isinstance(step, Read):
                return mask(b"".join(c.read_replies(step.n)))
            if isinstance(step, Quiet):
                return c.read_available(0.2)
            if isinstance(step, Flags):
                line = decode(c.cmd("CLIENT", "LIST", "ID", str(ids[step.j]))).decode()
                fields = dict(kv.split("=", 1) for kv in line.strip().split(" "))
                redir = int(fields["redir"])
                return "flags=%s redir=%s" % (fields["flags"], "ID%d" % ids.index(redir) if redir in ids else redir)
            if isinstance(step, Info):
                return info_counters(c)
            c.close()  # Close
            # Until the server has dropped it (a fixed wait was too short
            # for a slow server).
            with srv.client() as probe:
                deadline = time.monotonic() + 10
                while decode(probe.cmd("CLIENT", "LIST", "ID", str(ids[step.i]))) != b"":
                    if time.monotonic() > deadline:
                        raise AssertionError("closed client %d still listed" % step.i)
                    time.sleep(0.01)
            return b""

        out = []
        for n, step in enumerate(script):
            try:
                out.append(run_step(step))
            except Exception as e:
                raise AssertionError("%s: step #%d %r failed: %r" % (srv.name, n, step, e))
        return out
    finally:
        for c in conns:
            c.close()


class TrackingTest(DifferentialTestCase):
    @classmethod
    def setUpClass(cls):
        super(DifferentialTestCase, cls).setUpClass()
        # DEBUG SET-ACTIVE-EXPIRE holds the sweep back in the expiry test.
        cls.redis = cls.start_class_server(start_redis("--enable-debug-command", "yes"))
        try:
            cls.larder = cls.start_class_server(start_larder("--enable-debug-command", "yes"))
        except BaseException:
            cls.stop_class_servers()
            raise

    def compare(self, script, clients=3, resp3=(0,)):
        expected = run(self.redis, script, clients, resp3)
        actual = run(self.larder, script, clients, resp3)
        bad = step_mismatches(script, expected, actual)
        if bad:
            self.fail("%d of %d steps differ:\n%s" % (len(bad), len(script), "\n".join(bad)))

    def test_default_mode_resp3(self):
        self.compare([
            Cmd(0, 1, "CLIENT", "TRACKING", "ON"),
            Cmd(1, 1, "SET", "k", "v1"),
            Cmd(0, 1, "GET", "k"),
            Cmd(0, 1, "GET", "missing"),
            Info(2),
            Cmd(1, 1, "SET", "k", "v2"),
            Read(0),
            Cmd(1, 1, "SET", "k", "v3"),  # forgotten after one invalidation
            Quiet(0),
            Cmd(0, 1, "GET", "k"),
            Cmd(0, 2, "SET", "k", "own"),  # its reply, then its invalidation
            Cmd(0, 1, "MGET", "a", "b", "c"),
            Cmd(1, 1, "MSET", "a", "1", "c", "3"),
            Read(0, 2),
            Cmd(0, 1, "HSET", "h", "f", "v"),
            Cmd(0, 1, "HGET", "h", "f"),
            Cmd(1, 1, "HDEL", "h", "f"),  # deletes the key
            Read(0),
            Cmd(0, 1, "SADD", "s", "x"),
            Cmd(0, 1, "SMEMBERS", "s"),
            Cmd(1, 1, "SADD", "s", "x"),  # no change: no invalidation
            Quiet(0),
            Cmd(1, 1, "SADD", "s", "y"),
            Read(0),
            Cmd(0, 1, "GET", "k"),
            Cmd(1, 1, "DEL", "k"),
            Read(0),
            Cmd(0, 1, "GET", "k"),
            Cmd(1, 1, "SELECT", "3"),
            Cmd(1, 1, "SET", "k", "other db"),  # keys are tracked by name, in every db
            Read(0),
            Cmd(0, 1, "GET", "k"),
            Cmd(1, 1, "SWAPDB", "0", "3"),  # Redis 7.0 sends nothing for SWAPDB
            Quiet(0),
            Cmd(0, 1, "CLIENT", "TRACKING", "OFF"),
            Cmd(1, 1, "SET", "k", "x"),  # keys read before OFF are still sent... to nobody
            Quiet(0),
            Info(2),
        ])

    def test_multi_and_scripts(self):
        self.compare([
            Cmd(0, 1, "CLIENT", "TRACKING", "ON"),
            Cmd(0, 1, "MULTI"),
            Cmd(0, 1, "GET", "a"),
            Cmd(0, 1, "GET", "b"),
            Cmd(0, 1, "EXEC"),
            Cmd(1, 1, "SET", "a", "1"),
            Read(0),
            Cmd(0, 1, "MULTI"),
            Cmd(0, 1, "SET", "b", "1"),
            Cmd(0, 1, "GET", "c"),
            Cmd(0, 1, "SET", "c", "2"),
            Cmd(0, 3, "EXEC"),  # the EXEC reply, then both invalidations
            Cmd(0, 1, "EVAL", "return redis.call('get', KEYS[1])", "1", "s1"),
            Cmd(0, 1, "EVAL_RO", "return redis.call('get', KEYS[1])", "1", "s2"),
            Cmd(1, 1, "MSET", "s1", "x", "s2", "y"),
            Read(0, 2),
            Cmd(0, 1, "GET", "e"),
            Cmd(1, 1, "EVAL", "return redis.call('set', KEYS[1], 'v')", "1", "e"),
            Read(0),
            Cmd(0, 1, "GET", "e"),
            Cmd(0, 2, "EVAL", "return redis.call('incr', 'n') and redis.call('del', KEYS[1])", "1", "e"),
        ])

    def test_noloop(self):
        self.compare([
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "NOLOOP"),
            Cmd(0, 1, "GET", "k"),
            Cmd(0, 1, "SET", "k", "mine"),  # no invalidation for its own write
            Quiet(0),
            Cmd(0, 1, "GET", "k"),
            Cmd(1, 1, "SET", "k", "theirs"),
            Read(0),
            Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
        ])

    def test_optin_optout(self):
        self.compare([
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "OPTIN"),
            Cmd(0, 1, "GET", "a"),  # not tracked
            Cmd(0, 1, "CLIENT", "CACHING", "YES"),
            Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
            Cmd(0, 1, "GET", "b"),  # tracked
            Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
            Cmd(0, 1, "GET", "c"),  # CACHING lasted one command
            Cmd(1, 1, "MSET", "a", "1", "b", "2", "c", "3"),
            Read(0),
            Quiet(0),
            Cmd(0, 1, "CLIENT", "CACHING", "YES"),
            Cmd(0, 1, "MULTI"),
            Cmd(0, 1, "GET", "a"),
            Cmd(0, 1, "GET", "c"),
            Cmd(0, 1, "EXEC"),  # the whole transaction is tracked
            Cmd(1, 1, "MSET", "a", "1", "c", "3"),
            Read(0, 2),
            Cmd(0, 1, "CLIENT", "CACHING", "NO"),
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "OPTOUT"),
            Cmd(0, 1, "CLIENT", "TRACKING", "OFF"),
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "OPTOUT"),
            Cmd(0, 1, "CLIENT", "CACHING", "YES"),
            Cmd(0, 1, "CLIENT", "CACHING", "NO"),
            Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
            Cmd(0, 1, "GET", "x"),  # not tracked
            Cmd(0, 1, "GET", "y"),  # tracked
            Cmd(1, 1, "MSET", "x", "1", "y", "2"),
            Read(0),
            Quiet(0),
        ])

    def test_bcast(self):
        self.compare([
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "item:"),
            Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
            Cmd(2, 1, "CLIENT", "TRACKING", "ON", "BCAST"),
            Info(1),
            Cmd(1, 1, "SET", "user:1", "a"),
            Read(0), Read(2),
            Pipe(1, 4, ("SET", "user:2", "b"), ("SET", "item:9", "c"), ("SET", "other", "d"),
                 ("SET", "user:2", "e")),
            Read(0, 2), Read(2),  # one message per prefix, keys in order, once each
            Quiet(0),
            Cmd(0, 1, "SET", "user:3", "own"),
            Read(0), Read(2),  # client 2 tracks every key: read its push before it sends a command
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "sess:"),
            Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:x"),
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a", "PREFIX", "ab"),
            Cmd(0, 2, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "b", "PREFIX", "c", "PREFIX", "cd"),
            Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
            Cmd(0, 1, "CLIENT", "TRACKING", "ON"),
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"),
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP"),
            Cmd(0, 1, "SET", "user:4", "own"),  # NOLOOP now
            Quiet(0),
            Read(2),
            Cmd(2, 1, "CLIENT", "TRACKING", "OFF"),
            Info(1),
            Cmd(1, 1, "SET", "user:5", "x"),
            Read(0),
            Quiet(2),
        ], resp3=(0, 2))

    def test_redirect_resp2(self):
        self.compare([
            Cmd(1, 1, "SUBSCRIBE", "__redis__:invalidate"),
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "REDIRECT", Id(1)),
            Cmd(0, 1, "CLIENT", "GETREDIR"),
            Flags(2, 0),
            Cmd(0, 1, "GET", "k"),
            Cmd(2, 1, "SET", "k", "v"),
            Read(1),
            Quiet(0),
            Cmd(0, 1, "GET", "k"),
            Cmd(0, 1, "SET", "k", "own"),
            Read(1),
            Cmd(0, 1, "GET", "k"),
            Cmd(2, 1, "FLUSHDB"),
            Read(1),
            Cmd(0, 1, "FLUSHALL"),
            Read(1),
            Cmd(0, 1, "GET", "k"),
            Close(1),
            Cmd(2, 1, "SET", "k", "v"),
            Quiet(0),  # RESP2: nowhere to say the redirect broke
            Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
            Flags(2, 0),
        ], resp3=())

    def test_redirect_resp3(self):
        self.compare([
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "REDIRECT", Id(1)),
            Cmd(0, 1, "GET", "k"),
            Cmd(2, 1, "SET", "k", "v"),
            Read(1),
            Cmd(0, 1, "GET", "k"),
            Cmd(1, 1, "CLIENT", "TRACKING", "ON", "BCAST", "REDIRECT", Id(2)),
            Cmd(2, 1, "SUBSCRIBE", "__redis__:invalidate"),
            Cmd(0, 1, "SET", "k", "w"),
            Read(1),  # c0's invalidation, RESP3 push on c1
            Read(2),  # c1's BCAST, a Pub/Sub message on c2
            Close(1),
            Cmd(2, 1, "UNSUBSCRIBE"),
            Cmd(0, 1, "GET", "k"),
            Cmd(2, 1, "SET", "k", "x"),
            Read(0),  # tracking-redir-broken
            Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
            Flags(2, 0),
        ], resp3=(0, 1))

    def test_resp2_without_redirect(self):
        self.compare([
            Cmd(0, 1, "CLIENT", "TRACKING", "ON"),
            Cmd(0, 1, "GET", "k"),
            Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
            Info(1),
            Cmd(1, 1, "SET", "k", "v"),
            Quiet(0),
            Info(1),
            Flags(1, 0),
            Cmd(0, 1, "RESET"),
            Flags(1, 0),
            Cmd(0, 1, "CLIENT", "GETREDIR"),
            Info(1),
        ], resp3=())

    def test_flush(self):
        self.compare([
            Cmd(0, 1, "CLIENT", "TRACKING", "ON"),
            Cmd(1, 1, "CLIENT", "TRACKING", "ON", "BCAST"),
            Cmd(0, 1, "GET", "k"),
            Cmd(2, 1, "FLUSHDB"),
            Read(0), Read(1),
            Info(2),
            Cmd(0, 2, "FLUSHALL"),
            Read(1),
            Cmd(0, 1, "GET", "k"),
            Cmd(2, 1, "SELECT", "5"),
            Cmd(2, 1, "FLUSHDB", "ASYNC"),
            Read(0), Read(1),
            Info(2),
        ], resp3=(0, 1))

    def test_expiry(self):
        self.compare([
            Cmd(0, 1, "CLIENT", "TRACKING", "ON"),
            # The sweep held back before the keys exist, and TTLs long enough
            # for the MGET (and the GET of "swept") to come first on a slow
            # server too.
            Cmd(1, 1, "DEBUG", "SET-ACTIVE-EXPIRE", "0"),
            Cmd(1, 1, "SET", "lazy", "v", "PX", "1000"),
            Cmd(1, 1, "SET", "active", "v", "PX", "1000"),
            Cmd(1, 1, "SET", "gone", "v", "PX", "1000"),
            Cmd(0, 1, "MGET", "lazy", "active"),
            Sleep(1.2),
            Cmd(0, 2, "GET", "lazy"),  # expires in its own read: reply, then invalidation
            Cmd(1, 1, "EXISTS", "active"),  # expired by another client's lookup
            Read(0),
            Cmd(1, 1, "DEBUG", "SET-ACTIVE-EXPIRE", "1"),
            Cmd(1, 1, "SET", "swept", "v", "PX", "500"),
            Cmd(0, 1, "GET", "swept"),
            Read(0),  # the background sweep
            Cmd(0, 1, "GET", "gone"),
            Quiet(0),
        ])

    def test_errors(self):
        for resp3 in ((), (0,)):
            self.compare([
                Cmd(0, 1, "CLIENT", "TRACKING"),
                Cmd(0, 1, "CLIENT", "TRACKING", "maybe"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "FOO"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "PREFIX"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "x"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "0"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "-3"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", "999999"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "REDIRECT", Id(1), "REDIRECT", Id(1)),
                Cmd(0, 1, "CLIENT", "TRACKING", "maybe", "REDIRECT", "999999"),
                Cmd(0, 1, "CLIENT", "TRACKING", "off", "PREFIX", "x"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "PREFIX", "x"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "OPTIN"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "OPTOUT"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "a"),
                Cmd(0, 1, "CLIENT", "CACHING", "YES"),
                Cmd(0, 1, "CLIENT", "CACHING"),
                Cmd(0, 1, "CLIENT", "CACHING", "YES", "NO"),
                Cmd(0, 1, "CLIENT", "GETREDIR"),
                Cmd(0, 1, "CLIENT", "GETREDIR", "x"),
                Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
                Cmd(0, 1, "CLIENT", "TRACKINGINFO", "x"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "optin", "noloop", "REDIRECT", Id(1)),
                Cmd(0, 1, "CLIENT", "CACHING", "maybe"),
                Cmd(0, 1, "CLIENT", "CACHING", "no"),
                Cmd(0, 1, "CLIENT", "CACHING", "yes"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "OPTOUT"),
                Cmd(0, 1, "CLIENT", "TRACKING", "on", "BCAST"),
                Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
                Cmd(0, 1, "CLIENT", "GETREDIR"),
                Flags(1, 0),
                Cmd(0, 1, "CLIENT", "TRACKING", "off"),
                Cmd(0, 1, "CLIENT", "TRACKING", "off"),
                Cmd(0, 1, "CLIENT", "TRACKINGINFO"),
                Cmd(0, 1, "CONFIG", "SET", "tracking-table-max-keys", "-1"),
                Cmd(0, 1, "CONFIG", "SET", "tracking-table-max-keys", "1k"),
                Cmd(0, 1, "CONFIG", "GET", "tracking-table-max-keys"),
            ], resp3=resp3)

    def compare_limit(self, body):
        """Runs body(c, w, out) on each server (c a RESP3 client, w another)
        and compares what it appended to out; the limit is reset after."""
        expected, actual = [], []
        for srv, out in ((self.redis, expected), (self.larder, actual)):
            with srv.client() as c, srv.client() as w:
                w.cmd("FLUSHALL")
                c.cmd("HELLO", "3")
                body(c, w, out)
                w.cmd("CONFIG", "SET", "tracking-table-max-keys", "1000000")
        self.assertEqual([show(x) for x in actual], [show(x) for x in expected])

    def test_table_max_keys(self):
        # Which keys go is random in both servers: only how many is compared.
        def shape(data):
            return re.sub(rb"\*1\r\n\$1\r\n[abc]\r\n", b"*1\r\n$1\r\n?\r\n", data)

        def body(c, w, out):
            out.append(c.cmd("CONFIG", "SET", "tracking-table-max-keys", "2"))
            out.append(c.cmd("CLIENT", "TRACKING", "ON"))
            for k in ("a", "b", "c"):
                out.append(c.cmd("GET", k))
            c.send(encode_command("PING"))
            out.append(shape(c.read_reply() + c.read_reply()))  # one key goes first, then PONG
            out.append(info_counters(w))
            out.append(c.cmd("CONFIG", "SET", "tracking-table-max-keys", "0"))
            out.append(c.read_available(0.2))
        self.compare_limit(body)

    def test_limit_comes_after_refusals(self):
        # Redis trims the table in processCommand after the unknown-command
        # and arity refusals: in one pipeline (no cron between), the refused
        # commands' errors come before the invalidations.
        def shape(data):
            return re.sub(rb"\*1\r\n\$2\r\nk\d\r\n", b"*1\r\n$2\r\nk?\r\n", data)

        def body(c, w, out):
            w.cmd("CONFIG", "SET", "tracking-table-max-keys", "3")
            c.cmd("CLIENT", "TRACKING", "ON")
            keys = ["k%d" % i for i in range(8)]
            c.send(encode_command("MGET", *keys) + encode_command("NOSUCHCMD") + encode_command("GET") +
                   encode_command("PING"))
            out.append(shape(b"".join(c.read_replies(9))))  # MGET, two errors, five keys go, PONG
            # Idle, the cron keeps the limit: five go without a command.
            out.append(c.cmd("MGET", *keys))
            out.append(shape(b"".join(c.read_replies(5))))
        self.compare_limit(body)

    def test_scripts_track_their_declared_keys(self):
        # A script that runs a read-only command makes its client remember
        # the keys the script declares (not what it read).
        self.compare([
            Cmd(0, 1, "CLIENT", "TRACKING", "ON"),
            Cmd(0, 1, "EVAL", "return redis.call('get', KEYS[2])", "2", "x", "y"),
            Cmd(1, 1, "SET", "x", "1"),
            Read(0),
            Cmd(1, 1, "SET", "y", "1"),
            Read(0),
            Cmd(0, 1, "EVAL", "return redis.call('get', ARGV[1])", "0", "k"),
            Cmd(1, 1, "SET", "k", "1"),
            Quiet(0),
            Cmd(0, 1, "EVAL", "return 1", "1", "nothing_read"),
            Cmd(1, 1, "SET", "nothing_read", "1"),
            Quiet(0),
            Cmd(0, 1, "EVAL", "redis.call('set', 'w', 1) return 1", "1", "written"),
            Cmd(1, 1, "SET", "written", "1"),
            Quiet(0),
            Cmd(0, 1, "FCALL", "nosuch", "0"),
            Cmd(0, 1, "SORT_RO", "l"),
            Cmd(1, 1, "RPUSH", "l", "4"),
            Read(0),
            # CACHING yes survives a CLIENT subcommand, not an unknown one.
            Cmd(0, 1, "CLIENT", "TRACKING", "OFF"),
            Cmd(0, 1, "CLIENT", "TRACKING", "ON", "OPTIN"),
            Cmd(0, 1, "CLIENT", "CACHING", "yes"),
            Cmd(0, 1, "CLIENT", "NOSUCH"),
            Cmd(0, 1, "GET", "c1"),
            Cmd(1, 1, "SET", "c1", "1"),
            Quiet(0),
            Cmd(0, 1, "CLIENT", "CACHING", "yes"),
            Cmd(0, 1, "CLIENT"),
            Cmd(0, 1, "GET", "c2"),
            Cmd(1, 1, "SET", "c2", "1"),
            Quiet(0),
            Cmd(0, 1, "CLIENT", "CACHING", "yes"),
            Cmd(0, 1, "CLIENT", "GETNAME"),
            Cmd(0, 1, "GET", "c3"),
            Cmd(1, 1, "SET", "c3", "1"),
            Read(0),
        ])


if __name__ == "__main__":
    unittest.main()
