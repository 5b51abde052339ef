#!/usr/bin/python3
"""Differential: keyspace notifications against redis-server.

On each server a subscriber connection PSUBSCRIBEs '__key*__:*' (and
SUBSCRIBEs an end marker), a writer connection sets notify-keyspace-events
and runs a command script, then publishes the end marker; the subscriber's
messages up to it are compared byte for byte, RESP2 and RESP3, as are the
writer's replies. One script per event class (and all of them at once),
expiry by lookup and by the active sweep, eviction, new keys and key misses.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, encode_command, info_fields, show, under_sanitizer  # noqa: E402

END = b"keyspace-events-test-end"


# Time for the active sweeps of both servers to reach every expired key;
# a sanitizer build runs its sweep several times slower.
SWEEP_WAIT = 3.0 if under_sanitizer() else 0.6


class Sleep:
    """Waits on both servers (expiry)."""

    def __init__(self, seconds):
        self.seconds = seconds


class Blocked:
    """A third connection sends `args` and blocks; the writer goes on once the
    server counts it blocked. Its reply is read at the end of the script."""

    def __init__(self, *args):
        self.args = args


STRINGS = [
    ("SET", "s1", "v"), ("SET", "s1", "w", "EX", "100"), ("SETNX", "s2", "x"), ("SETNX", "s2", "y"),
    ("SETEX", "s3", "100", "v"), ("PSETEX", "s4", "100000", "v"), ("GETSET", "s1", "z"),
    ("MSET", "m1", "1", "m2", "2"), ("MSETNX", "m3", "3", "m1", "x"), ("MSETNX", "m4", "4", "m5", "5"),
    ("INCR", "n"), ("DECRBY", "n", "5"), ("INCRBYFLOAT", "n", "1.5"), ("APPEND", "a", "x"), ("APPEND", "a", "y"),
    ("SETRANGE", "r", "3", "abc"), ("SETRANGE", "r", "0", ""), ("GETEX", "s1", "EX", "50"),
    ("GETEX", "s1", "PERSIST"), ("GETEX", "s1", "PERSIST"), ("GETEX", "s2", "PXAT", "1"), ("GETDEL", "m1"),
    ("GETDEL", "m1"), ("SETBIT", "b", "7", "1"), ("SETBIT", "b", "7", "1"),
    ("BITFIELD", "bf", "SET", "u8", "0", "255", "GET", "u8", "0"), ("BITFIELD", "bf", "GET", "u8", "0"),
    ("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "10"),
    ("BITOP", "OR", "bo", "b", "bf"), ("BITOP", "AND", "bo", "nothing1", "nothing2"),
    ("PFADD", "h1", "a", "b"), ("PFADD", "h1", "a"), ("PFADD", "h2", "c"), ("PFMERGE", "h3", "h1", "h2"),
    ("SET", "big", "x" * 100), ("APPEND", "big", "y"),
]

GENERIC = [
    ("SET", "k1", "v"), ("SET", "k2", "v"), ("SET", "k3", "v"), ("DEL", "k1", "nokey", "k2"), ("UNLINK", "k3"),
    ("SET", "e", "v"), ("EXPIRE", "e", "100"), ("PEXPIRE", "e", "100000"), ("EXPIRE", "e", "100", "NX"),
    ("PERSIST", "e"), ("PERSIST", "e"), ("EXPIREAT", "e", "1"), ("SET", "e", "v"), ("PEXPIRE", "e", "-5"),
    ("SET", "r1", "v"), ("RENAME", "r1", "r2"), ("SET", "r3", "v"), ("RENAME", "r2", "r3"),
    ("RENAMENX", "r3", "r3"), ("RENAME", "r3", "r3"), ("SET", "r4", "v"), ("RENAMENX", "r3", "r4"),
    ("RENAMENX", "r3", "r5"), ("COPY", "r5", "c1"), ("COPY", "r5", "c1"), ("COPY", "r5", "c1", "REPLACE"),
    ("COPY", "r5", "c1", "DB", "1"), ("MOVE", "c1", "2"), ("MOVE", "r4", "1"), ("SWAPDB", "0", "1"),
    ("SWAPDB", "0", "1"), ("FLUSHDB",), ("SET", "x", "v"),
]

LISTS = [
    ("LPUSH", "l", "a", "b", "c"), ("RPUSH", "l", "d"), ("LPUSHX", "l", "e"), ("RPUSHX", "nol", "e"),
    ("LPOP", "l"), ("RPOP", "l", "2"), ("LSET", "l", "0", "x"), ("LINSERT", "l", "BEFORE", "x", "y"),
    ("LINSERT", "l", "BEFORE", "zz", "y"), ("LREM", "l", "0", "nothing"), ("LREM", "l", "1", "y"),
    ("RPUSH", "l", "1", "2", "3"), ("LTRIM", "l", "0", "1"), ("LTRIM", "l", "5", "10"),
    ("RPUSH", "src", "a", "b"), ("LMOVE", "src", "dst", "LEFT", "RIGHT"), ("RPOPLPUSH", "src", "dst"),
    ("LMOVE", "dst", "dst", "LEFT", "LEFT"), ("LMPOP", "2", "nol", "dst", "LEFT", "COUNT", "5"),
    ("RPUSH", "bl", "a"), ("BLPOP", "bl", "0"), ("RPUSH", "bm", "a"), ("BLMOVE", "bm", "bm2", "RIGHT", "LEFT", "0"),
    ("BLMPOP", "0", "1", "bm2", "RIGHT"), ("RPUSH", "srt", "3", "1", "2"), ("SORT", "srt", "STORE", "sorted"),
    ("SORT", "srt", "STORE", "sorted"), ("SORT", "nol", "STORE", "sorted"), ("SORT", "nol", "STORE", "sorted"),
    Blocked("BLPOP", "wait", "0"), ("LPUSH", "wait", "v"),
    Blocked("BLMOVE", "wait2", "moved", "LEFT", "RIGHT", "0"), ("RPUSH", "wait2", "v", "w"),
]

SETS = [
    ("SADD", "s", "a", "b", "c", "1"), ("SADD", "s", "a"), ("SREM", "s", "zz"), ("SREM", "s", "a"),
    ("SMOVE", "s", "t", "b"), ("SMOVE", "s", "t", "zz"), ("SADD", "one", "x"), ("SMOVE", "one", "t", "x"),
    ("SADD", "t", "b"), ("SMOVE", "s", "t", "c"), ("EVAL", "return #redis.call('spop', KEYS[1], 3)", "1", "t"), ("SADD", "p", "1", "2", "3", "4"),
    ("EVAL", "return #redis.call('spop', KEYS[1], 1)", "1", "p"),
    ("EVAL", "return #redis.call('spop', KEYS[1], 2)", "1", "p"), ("SPOP", "p", "0"), ("SADD", "p1", "x"),
    ("SPOP", "p1"), ("SADD", "p2", "1", "2", "3"), ("EVAL", "return redis.call('spop', KEYS[1]) ~= nil", "1", "p2"),
    ("EVAL", "return #redis.call('spop', KEYS[1], 10)", "1", "p"), ("SADD", "i1", "a", "b"), ("SADD", "i2", "b", "c"),
    ("SINTERSTORE", "d", "i1", "i2"), ("SUNIONSTORE", "d", "i1", "i2"), ("SDIFFSTORE", "d", "i1", "i1"),
    ("SDIFFSTORE", "d", "i1", "i1"), ("SINTERSTORE", "d2", "i1", "missing"), ("SADD", "d2", "q"),
    ("SINTERSTORE", "d2", "i1", "missing"),
]

HASHES = [
    ("HSET", "h", "f1", "v1", "f2", "v2"), ("HMSET", "h", "f3", "v3"), ("HSETNX", "h", "f1", "x"),
    ("HSETNX", "h", "f4", "x"), ("HINCRBY", "h", "n", "5"), ("HINCRBYFLOAT", "h", "fl", "1.5"),
    ("HDEL", "h", "nope"), ("HDEL", "h", "f1", "f2"), ("HDEL", "h", "f3", "f4", "n", "fl"),
]

ZSETS = [
    ("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"), ("ZADD", "z", "1", "a"), ("ZADD", "z", "XX", "5", "a"),
    ("ZADD", "z", "INCR", "1", "a"), ("ZINCRBY", "z", "1", "b"), ("ZADD", "nz", "XX", "1", "a"),
    ("ZREM", "z", "nope"), ("ZREM", "z", "a"), ("ZADD", "z", "6", "e", "7", "f", "8", "g"),
    ("ZREMRANGEBYSCORE", "z", "100", "200"), ("ZREMRANGEBYSCORE", "z", "2", "3"), ("ZREMRANGEBYRANK", "z", "0", "0"),
    ("ZADD", "lex", "0", "a", "0", "b"), ("ZREMRANGEBYLEX", "lex", "-", "+"), ("ZPOPMIN", "z"),
    ("ZPOPMAX", "z", "1"), ("ZPOPMIN", "nz"), ("ZADD", "z2", "1", "x", "2", "y"),
    ("ZMPOP", "2", "nz", "z2", "MAX", "COUNT", "1"), ("BZPOPMIN", "z2", "0"), ("ZADD", "z3", "1", "x"),
    ("BZMPOP", "0", "1", "z3", "MIN"), ("ZADD", "u1", "1", "a", "2", "b"), ("ZADD", "u2", "3", "b"),
    ("ZRANGESTORE", "rs", "u1", "0", "-1"), ("ZRANGESTORE", "rs", "u1", "5", "6"), ("ZRANGESTORE", "rs", "u1", "5", "6"),
    ("ZUNIONSTORE", "us", "2", "u1", "u2"), ("ZINTERSTORE", "us", "2", "u1", "u2"), ("ZDIFFSTORE", "us", "1", "u1"),
    ("ZDIFFSTORE", "us", "2", "u1", "u1"), ("GEOADD", "g", "13.361389", "38.115556", "Palermo"),
    ("GEOADD", "g", "15.087269", "37.502669", "Catania"), ("GEOADD", "g", "NX", "15", "37", "Catania"),
    ("GEOSEARCHSTORE", "gs", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"),
    ("GEOSEARCHSTORE", "gs", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km", "ASC"),
    ("GEORADIUS", "g", "15", "37", "200", "km", "STORE", "gr"), ("GEORADIUS", "nog", "15", "37", "200", "km", "STORE", "gr"),
    Blocked("BZPOPMAX", "zwait", "0"), ("ZADD", "zwait", "1", "m"),
]

STREAMS = [
    ("XADD", "x", "1-1", "f", "v"), ("XADD", "x", "2-1", "f", "v"), ("XADD", "x", "MAXLEN", "1", "3-1", "f", "v"),
    ("XADD", "nox", "NOMKSTREAM", "*", "f", "v"), ("XTRIM", "x", "MAXLEN", "5"), ("XADD", "x", "4-1", "f", "v"),
    ("XTRIM", "x", "MAXLEN", "1"), ("XDEL", "x", "1-1"), ("XDEL", "x", "4-1"), ("XSETID", "x", "10-0"),
    ("XGROUP", "CREATE", "x", "g", "0"), ("XGROUP", "CREATE", "x", "g", "0"), ("XGROUP", "CREATE", "y", "g", "$", "MKSTREAM"),
    ("XGROUP", "CREATECONSUMER", "x", "g", "c1"), ("XGROUP", "CREATECONSUMER", "x", "g", "c1"),
    ("XADD", "x", "11-0", "f", "v"), ("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "x", ">"),
    ("XCLAIM", "x", "g", "c3", "0", "11-0"), ("XAUTOCLAIM", "x", "g", "c4", "0", "0"),
    ("XACK", "x", "g", "11-0"), ("XGROUP", "SETID", "x", "g", "0"), ("XGROUP", "DELCONSUMER", "x", "g", "c1"),
    ("XGROUP", "DELCONSUMER", "x", "g", "zz"), ("XGROUP", "DESTROY", "x", "g"), ("XGROUP", "DESTROY", "x", "g"),
]

SCRIPTS = [
    ("EVAL", "redis.call('set', KEYS[1], 'v'); redis.call('lpush', KEYS[2], 'a'); return redis.call('del', KEYS[1])",
     "2", "sk", "sl"),
    ("MULTI",), ("SET", "mk", "v"), ("INCR", "mc"), ("EXEC",),
]

EVERYTHING = STRINGS + GENERIC + LISTS + SETS + HASHES + ZSETS + STREAMS + SCRIPTS


def wait_blocked(conn):
    for _ in range(500):
        info = conn.cmd("INFO", "clients")
        if b"blocked_clients:1\r\n" in info:
            return
        time.sleep(0.01)
    raise AssertionError("the blocked client never blocked")


def run(srv, flags, script, resp3, setup=()):
    """Returns (writer replies, messages received) on `srv`."""
    sub, w, blk = srv.client(), srv.client(), srv.client()
    try:
        if resp3:
            for c in (sub, w, blk):
                c.cmd("HELLO", "3")
        w.cmd("FLUSHALL")
        for args in setup:
            w.cmd(*args)
        sub.send(encode_command("PSUBSCRIBE", "__key*__:*"))
        sub.read_reply()
        sub.send(encode_command("SUBSCRIBE", END))
        sub.read_reply()
        assert w.cmd("CONFIG", "SET", "notify-keyspace-events", flags) == b"+OK\r\n"
        replies, blocked = [], 0
        for step in script:
            if isinstance(step, Sleep):
                time.sleep(step.seconds)
            elif isinstance(step, Blocked):
                blk.send(encode_command(*step.args))
                wait_blocked(w)
                blocked += 1
            else:
                replies.append(w.cmd(*step))
        replies.extend(blk.read_replies(blocked))
        w.cmd("CONFIG", "SET", "notify-keyspace-events", "")
        w.cmd("PUBLISH", END, "x")
        messages = []
        while True:
            m = sub.read_reply()
            if END in m:
                break
            messages.append(m)
        return replies, messages
    finally:
        w.cmd("CONFIG", "SET", "notify-keyspace-events", "")
        for c in (sub, w, blk):
            c.close()


class KeyspaceEventsTest(DifferentialTestCase):
    # DEBUG SET-ACTIVE-EXPIRE holds the sweeper back for lazy expiry.
    LARDER_ARGS = REDIS_ARGS = ("--enable-debug-command", "yes")

    def compare(self, flags, script, setup=(), sort_messages=False):
        for resp3 in (False, True):
            proto = "RESP3" if resp3 else "RESP2"
            r_replies, r_msgs = run(self.redis, flags, script, resp3, setup)
            l_replies, l_msgs = run(self.larder, flags, script, resp3, setup)
            steps = [s for s in script if not isinstance(s, (Sleep, Blocked))]
            steps += [s for s in script if isinstance(s, Blocked)]
            bad = ["  #%d %r\n      redis : %s\n      larder: %s" % (i, s, show(a), show(b))
                   for i, (s, a, b) in enumerate(zip(steps, r_replies, l_replies)) if a != b]
            if bad:
                self.fail("%s, flags %r: %d replies differ:\n%s" % (proto, flags, len(bad), "\n".join(bad)))
            if sort_messages:
                r_msgs, l_msgs = sorted(r_msgs), sorted(l_msgs)
            if r_msgs != l_msgs:
                n = next((i for i, (a, b) in enumerate(zip(r_msgs, l_msgs)) if a != b), min(len(r_msgs), len(l_msgs)))
                self.fail("%s, flags %r: messages differ from #%d (redis %d, larder %d)\n  redis : %s\n  larder: %s"
                          % (proto, flags, n, len(r_msgs), len(l_msgs),
                             "\n          ".join(show(m) for m in r_msgs[n:n + 6]),
                             "\n          ".join(show(m) for m in l_msgs[n:n + 6])))
            channels = "K" in flags or "E" in flags
            self.assertEqual(bool(r_msgs), channels and any(c in flags for c in "A$glshzxetnm"),
                             "messages published with flags %r" % flags)

    def test_strings(self):
        self.compare("K$", STRINGS)

    def test_generic(self):
        self.compare("Eg", GENERIC)

    def test_lists(self):
        self.compare("KEl", LISTS)

    def test_sets(self):
        self.compare("Ks", SETS)

    def test_hashes(self):
        self.compare("Eh", HASHES)

    def test_zsets(self):
        self.compare("Kz", ZSETS)

    def test_streams(self):
        self.compare("Et", STREAMS)

    def test_every_class_with_new_and_keymiss(self):
        self.compare("KEA", EVERYTHING)
        self.compare("KEnm", EVERYTHING + [("GET", "missing"), ("MGET", "s1", "nope"), ("EXISTS", "nope")])
        self.compare("KEAnm", EVERYTHING)
        # Sorted-set algebra looks its sources up as reads, STORE forms too.
        self.compare("Em", [("ZADD", "z", "1", "a"), ("ZINTERSTORE", "d", "2", "z", "nosrc"),
                            ("ZUNIONSTORE", "d", "1", "nosrc"), ("ZDIFFSTORE", "d", "2", "nosrc", "z"),
                            ("ZUNION", "2", "z", "nosrc")])

    def test_restore_sort_store_set_get_and_a_served_consumer(self):
        with self.redis.client() as c:
            c.cmd("SET", "dumped", "v")
            payload = c.call("DUMP", "dumped")
            c.cmd("DEL", "dumped")
        self.compare("KEAnm", [
            ("RESTORE", "r1", "0", payload), ("RESTORE", "r1", "0", payload, "REPLACE"),
            ("RESTORE", "r1", "1", payload, "REPLACE", "ABSTTL"), ("RESTORE", "r2", "1", payload, "ABSTTL"),
            ("RPUSH", "l", "3", "1", "2"), ("SET", "dst", "x"), ("SORT", "l", "STORE", "dst"),
            ("SORT", "l", "STORE", "dst"), ("SORT", "l", "STORE", "dst2"),
            ("SET", "a", "v", "GET"), ("SET", "b", "v", "NX", "GET"), ("SET", "a", "w", "GET"),
            ("XGROUP", "CREATE", "xs", "g", "$", "MKSTREAM"),
            Blocked("XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "xs", ">"),
            ("XADD", "xs", "1-1", "f", "v"),
        ])

    def test_lookups_of_stream_commands_and_object(self):
        # Redis's XACK, XCLAIM and XAUTOCLAIM look their key up as a read,
        # XREAD and XREADGROUP each key twice (a hit or a miss, and keymiss,
        # each time); OBJECT counts a miss without the keymiss event.
        script = [("XACK", "nx", "g", "1-1"), ("XCLAIM", "nx", "g", "c", "0", "1-1"),
                  ("XAUTOCLAIM", "nx", "g", "c", "0", "0"), ("XREAD", "STREAMS", "nx", "0"),
                  ("XREAD", "STREAMS", "nx", "nx2", "0", "0"), ("OBJECT", "ENCODING", "nx"),
                  ("OBJECT", "IDLETIME", "nx"), ("OBJECT", "REFCOUNT", "nx")]
        self.compare("KEm", script)
        present = [("XADD", "s", "1-1", "f", "v"), ("XGROUP", "CREATE", "s", "g", "0"),
                   ("XREAD", "STREAMS", "s", "0"), ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"),
                   ("XACK", "s", "g", "1-1"), ("XCLAIM", "s", "g", "c", "0", "1-1"),
                   ("XAUTOCLAIM", "s", "g", "c", "0", "0"), ("OBJECT", "ENCODING", "s")]
        counts = []
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                c.cmd("FLUSHALL")
                c.cmd("CONFIG", "RESETSTAT")
                for args in script + present:
                    c.cmd(*args)
                stats = info_fields(c.cmd("INFO", "stats"))
                counts.append((stats["keyspace_hits"], stats["keyspace_misses"]))
        self.assertEqual(counts[0], counts[1])

    def test_classes_without_channel_flags_publish_nothing(self):
        self.compare("A", EVERYTHING[:20])
        self.compare("K", EVERYTHING[:20])

    def test_expired_by_lookup(self):
        self.compare("KEx", [
            ("DEBUG", "SET-ACTIVE-EXPIRE", "0"), ("SET", "a", "v", "PX", "20"), ("SET", "b", "v", "PX", "20"),
            ("SET", "c", "v", "PX", "20"), ("SET", "keep", "v"), Sleep(0.1), ("GET", "a"), ("EXISTS", "b"),
            ("SET", "c", "w"), ("GET", "keep"), ("DEBUG", "SET-ACTIVE-EXPIRE", "1"),
        ], setup=[("DEBUG", "SET-ACTIVE-EXPIRE", "0")])
        self.compare("KEA", [
            ("DEBUG", "SET-ACTIVE-EXPIRE", "0"), ("RPUSH", "l", "a"), ("PEXPIRE", "l", "20"), Sleep(0.1),
            ("LPUSH", "l", "b"), ("DEBUG", "SET-ACTIVE-EXPIRE", "1"),
        ])

    def test_expired_by_active_sweep(self):
        self.compare("Ex", [("SET", "a", "v", "PX", "10"), ("HSET", "h", "f", "v"), ("PEXPIRE", "h", "10"),
                            Sleep(SWEEP_WAIT), ("DBSIZE",)], sort_messages=True)

    def test_evicted(self):
        self.compare("KEe", [
            ("CONFIG", "SET", "maxmemory-policy", "allkeys-random"), ("SET", "a", "v"), ("SET", "b", "v"),
            ("LPUSH", "c", "v"), ("SELECT", "3"), ("SET", "d", "v"), ("CONFIG", "SET", "maxmemory", "1"),
            ("GET", "a"), ("CONFIG", "SET", "maxmemory", "0"), ("SELECT", "0"), ("DBSIZE",),
        ], sort_messages=True)

    def test_config_flags(self):
        script = []
        for flags in ["KEA", "AKE", "Ex", "g$lshzxetd", "g$lshzxetdKE", "Kx$", "AKEmn", "n", "KEn", "m",
                      "Ag$lshzxeKEtmdn", "", "KKK", "Q", "KEA ", "a"]:
            script += [("CONFIG", "SET", "notify-keyspace-events", flags),
                       ("CONFIG", "GET", "notify-keyspace-events")]
        with self.redis.client() as rc, self.larder.client() as lc:
            for args in script + [("CONFIG", "SET", "notify-keyspace-events", "")]:
                self.assertEqual(lc.cmd(*args), rc.cmd(*args), args)


if __name__ == "__main__":
    unittest.main()
