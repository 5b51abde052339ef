#!/usr/bin/python3
"""Differential: DUMP / RESTORE payloads and RDB files cross between
redis-server 7.0 and Larder in both directions.

A dataset with every type and encoding (int, raw and LZF strings; listpack
and quicklist lists; intset and hashtable sets; listpack and skiplist sorted
sets; listpack and hashtable hashes; streams with deleted entries, consumer
groups, PELs and an empty one) is made on one server, DUMPed key by key and
RESTOREd (ABSTTL with PEXPIRETIME) into the other; then every key is read
back on both sides (full contents, OBJECT ENCODING, PEXPIRETIME, XINFO STREAM
FULL) and compared. RDB files go through tests/tools/rdb_tool.cc
(build/tests/larder-rdb-tool): a dump.rdb that redis-server SAVEs is parsed
completely, and a file RdbWriter writes passes redis-check-rdb and loads
into redis-server. Error replies for bad payloads are compared byte for byte.
"""
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, Near, decode, larder_bin, start_redis  # noqa: E402
from stream_diff import mask_rax_nodes  # noqa: E402


def rdb_tool():
    return os.path.join(os.path.dirname(larder_bin()), "tests", "larder-rdb-tool")


def populate(c, salt=""):
    """Every type and encoding under keys that name them."""
    rnd = random.Random(17)
    cmds = [
        ("SET", "s:int", "12345"), ("SET", "s:neg", "-7"), ("SET", "s:i64", "-9223372036854775808"),
        ("SET", "s:lead0", "007"), ("SET", "s:text", "hello world" + salt), ("SET", "s:empty", ""),
        ("SET", "s:lzf", "abc" * 2000), ("SET", "s:huge", "z" * 100000),
        ("SET", "s:noise", bytes(rnd.randrange(256) for _ in range(700))),
        ("SET", "s:ttl", "v", "PX", "3600000"),
        ("RPUSH", "l:small", "a", "1", "-2", "300", "70000", "5000000000", "x" * 70),
        ("RPUSH", "l:bigitem", "y" * 10000, "small"),
        ("SADD", "set:int", "1", "-5", "70000", "5000000000"),
        ("SADD", "set:str", "a", "b", "12", "c" * 100),
        ("ZADD", "z:small", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "-3", "e", "1e300", "f",
         "0.1", "g", "-0", "h", "4503599627370496", "i"),
        ("ZADD", "z:long", "1", "m" * 100),
        ("HSET", "h:small", "f1", "v1", "n", "22", "neg", "-1", "bin", b"\x00\xff"),
        ("HSET", "h:long", "f", "v" * 100),
        ("EXPIRE", "h:long", "100000"),
        ("XGROUP", "CREATE", "x:empty", "g", "$", "MKSTREAM"),
        ("XADD", "x:gone", "1-1", "a", "1"), ("XDEL", "x:gone", "1-1"),
        ("XGROUP", "CREATE", "x:gone", "g", "0"),
    ]
    for i in range(300):
        cmds.append(("RPUSH", "l:big", str(i), "q" * (i % 90)))
    for i in range(600):
        cmds.append(("SADD", "set:manyint", str(i * 3)))
    for i in range(200):
        cmds.append(("ZADD", "z:big", str(i * 0.25), "m%d" % i))
        cmds.append(("HSET", "h:big", "f%d" % i, str(i)))
        cmds.append(("SADD", "set:big", "member-%d" % i))
    for i in range(1, 251):
        cmds.append(("XADD", "x", "%d-1" % i, "field", str(i), "other", "v" * (i % 7)))
    cmds += [
        ("XADD", "x", "300-0", "different", "fields", "n", "3"),
        ("XDEL", "x", "1-1", "5-1", "6-1", "150-1"),
        ("XGROUP", "CREATE", "x", "g1", "0"),
        ("XGROUP", "CREATE", "x", "g2", "$"),
        ("XGROUP", "CREATE", "x", "g3", "100-1", "ENTRIESREAD", "90"),
        ("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "x", ">"),
        ("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "x", ">"),
        ("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "x", "0"),
        ("XACK", "x", "g1", "3-1"),
        ("XGROUP", "CREATECONSUMER", "x", "g2", "carol"),
        ("XADD", "x:small", "5-5", "a", "1"),
        ("XSETID", "x:small", "9-9", "ENTRIESADDED", "7", "MAXDELETEDID", "4-4"),
    ]
    for cmd in cmds:
        r = c.cmd(*cmd)
        assert not r.startswith(b"-"), (cmd[:3], r)


def pairs(flat):
    return sorted(zip(flat[::2], flat[1::2]))


def snapshot(c):
    """Everything about every key of the selected database."""
    keys = sorted(decode(c.cmd("KEYS", "*")))
    out = {}
    for k in keys:
        t = decode(c.cmd("TYPE", k))
        if t == "string":
            v = decode(c.cmd("GET", k))
        elif t == "list":
            v = decode(c.cmd("LRANGE", k, "0", "-1"))
        elif t == "set":
            v = sorted(decode(c.cmd("SMEMBERS", k)))
        elif t == "zset":
            v = decode(c.cmd("ZRANGE", k, "0", "-1", "WITHSCORES"))
        elif t == "hash":
            v = pairs(decode(c.cmd("HGETALL", k)))
        else:
            # Node counts differ: Redis keeps deleted entries in its nodes.
            full = mask_rax_nodes(decode(c.cmd("XINFO", "STREAM", k, "FULL")))
            v = (decode(c.cmd("XRANGE", k, "-", "+")), drop_key(full, b"radix-tree-keys"))
        out[k] = (t, v, decode(c.cmd("OBJECT", "ENCODING", k)), decode(c.cmd("PEXPIRETIME", k)))
    return out


def drop_key(flat, name):
    out = []
    for k, v in zip(flat[::2], flat[1::2]):
        if k != name:
            out += [k, v]
    return out


def dump_all(c):
    """[(key, payload, pexpiretime)] of the selected database."""
    out = []
    for k in sorted(decode(c.cmd("KEYS", "*"))):
        out.append((k, decode(c.cmd("DUMP", k)), decode(c.cmd("PEXPIRETIME", k))))
    return out


def restore_all(c, dumps):
    for k, payload, when in dumps:
        args = ["RESTORE", k, str(max(when, 0)), payload] + (["ABSTTL"] if when > 0 else [])
        r = c.cmd(*args)
        assert r == b"+OK\r\n", (k, r)


class DumpRestoreDiff(DifferentialTestCase):
    def assert_same(self, a, b):
        self.assertEqual(sorted(a), sorted(b))
        for k in a:
            self.assertEqual(a[k], b[k], "key %r" % k)

    def cross(self, source, target):
        """populate() on `source`, every key DUMPed there and RESTOREd on `target`."""
        with source.client() as sc, target.client() as tc:
            sc.cmd("FLUSHALL")
            tc.cmd("FLUSHALL")
            populate(sc)
            restore_all(tc, dump_all(sc))
            self.assert_same(snapshot(sc), snapshot(tc))

    def test_redis_payloads_restore_into_larder(self):
        self.cross(self.redis, self.larder)

    def test_larder_payloads_restore_into_redis(self):
        # Redis checks every listpack, intset and stream entry of the
        # payloads deeply (sanitize-dump-payload yes).
        self.addCleanup(self.set_config, "sanitize-dump-payload", "no")
        with self.redis.client() as rc:
            rc.cmd("CONFIG", "SET", "sanitize-dump-payload", "yes")
        self.cross(self.larder, self.redis)

    def test_lowered_limits_pick_the_same_encodings(self):
        # Loaded listpacks past the limits become hashtables / skiplists, as
        # Redis converts them; Larder writes what its limits say.
        limits = {"hash-max-listpack-entries": ("2", "128"), "zset-max-listpack-entries": ("2", "128"),
                  "set-max-intset-entries": ("2", "512"), "list-max-listpack-size": ("2", "-2"),
                  "hash-max-listpack-value": ("8", "64"), "zset-max-listpack-value": ("8", "64")}
        for name, (_, default) in limits.items():
            self.addCleanup(self.set_config, name, default)
        with self.redis.client() as rc, self.larder.client() as lc:
            rc.cmd("FLUSHALL")
            populate(rc)
            dumps = dump_all(rc)
            for name, (low, _) in limits.items():
                self.set_config(name, low)
            for c in (rc, lc):
                c.cmd("FLUSHALL")
                restore_all(c, dumps)
            self.assert_same(snapshot(rc), snapshot(lc))
            # And Larder's payloads of the converted values back into Redis.
            dumps = dump_all(lc)
            rc.cmd("FLUSHALL")
            restore_all(rc, dumps)
            self.assert_same(snapshot(rc), snapshot(lc))

    def test_a_skiplist_minus_zero_converts_to_zero(self):
        # A listpack holds -0 as the integer 0: a skiplist's -0 keeps its
        # sign until the set converts on RESTORE or load.
        long = "x" * 65
        self.check([("ZADD", "z", "1", long), ("ZADD", "z", "-0.0", "a"), ("ZREM", "z", long),
                    ("ZRANGE", "z", "0", "-1", "WITHSCORES"), ("OBJECT", "ENCODING", "z"),
                    ("EVAL", "return redis.call('RESTORE', 'y', 0, redis.call('DUMP', 'z'))", "0"),
                    ("ZRANGE", "y", "0", "-1", "WITHSCORES"), ("ZSCORE", "y", "a"), ("OBJECT", "ENCODING", "y")])

    def test_redis_stream_nodes_restore_as_they_are(self):
        # Boundaries, tombstone counts and listpack sizes of Redis's nodes
        # decide where later entries go: the same on both after RESTORE.
        for name, default in (("stream-node-max-entries", "100"), ("stream-node-max-bytes", "4096")):
            self.addCleanup(self.set_config, name, default)
        for entries, size in (("10", "4096"), ("0", "300"), ("7", "120")):
            self.set_config("stream-node-max-entries", entries)
            self.set_config("stream-node-max-bytes", size)
            with self.redis.client() as rc:
                rc.cmd("DEL", "s")
                for i in range(1, 26):
                    rc.cmd("XADD", "s", "%d-0" % i, "f", "v" * (i % 5))
                rc.cmd("XDEL", "s", "3-0", "4-0", "21-0", "22-0", "25-0")
                payload = decode(rc.cmd("DUMP", "s"))
            script = [("DEL", "r"), ("RESTORE", "r", "0", payload)]
            for i in range(26, 60):
                script += [("XADD", "r", "%d-0" % i, "f", "v" * (i % 7)),
                           ("EVAL", "return redis.call('xinfo', 'stream', KEYS[1])[4]", "1", "r")]
            script += [("XTRIM", "r", "MAXLEN", "~", "20"), ("XLEN", "r")]
            self.check(script, sort_commands=())

    def test_restored_intsets_keep_their_width(self):
        self.check([("DEL", "s", "s2"), ("SADD", "s", "1", "5", "9223372036854775807"),
                    ("SREM", "s", "9223372036854775807"), ("DUMP", "s"),
                    ("EVAL", "return redis.call('restore', 's2', 0, redis.call('dump', 's'))", "0"),
                    ("DUMP", "s2"), ("SADD", "s2", "7"), ("DUMP", "s2")], sort_commands=())

    def test_loaded_listpacks_convert_on_count_only(self):
        # Redis converts a loaded listpack hash or sorted set on its count
        # alone, however long its elements.
        for name, default in (("hash-max-listpack-value", "64"), ("zset-max-listpack-value", "64")):
            self.addCleanup(self.set_config, name, default)
        script = [("FLUSHALL",), ("HSET", "h", "f", "abcd"), ("ZADD", "z", "1", "abcd"),
                  ("CONFIG", "SET", "hash-max-listpack-value", "3"), ("CONFIG", "SET", "zset-max-listpack-value", "3"),
                  ("EVAL", "for _, k in ipairs(KEYS) do redis.call('restore', k .. '2', 0, redis.call('dump', k)) end"
                   " return {redis.call('object', 'encoding', 'h2'), redis.call('object', 'encoding', 'z2')}", "2",
                   "h", "z"),
                  ("HSET", "h2", "g", "x"), ("OBJECT", "ENCODING", "h2"), ("HSET", "h2", "long", "x"),
                  ("OBJECT", "ENCODING", "h2"), ("ZADD", "z2", "2", "abcde"), ("OBJECT", "ENCODING", "z2")]
        self.check(script, sort_commands=())

    def set_config(self, name, value):
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                c.cmd("CONFIG", "SET", name, value)

    def test_small_values_dump_to_redis_bytes(self):
        # Same encodings, same bytes: strings (int, raw, LZF), listpacks, intsets.
        with self.redis.client() as rc, self.larder.client() as lc:
            for c in (rc, lc):
                c.cmd("FLUSHALL")
                populate(c)
            for k in ("s:int", "s:neg", "s:text", "s:lzf", "s:huge", "s:noise", "l:small", "set:int",
                      "z:small", "h:small"):
                self.assertEqual(rc.cmd("DUMP", k), lc.cmd("DUMP", k), k)

    def test_restore_errors(self):
        with self.redis.client() as rc:
            rc.cmd("SET", "k", "v")
            good = decode(rc.cmd("DUMP", "k"))
        bad_crc = bytearray(good)
        bad_crc[1] ^= 1
        newer = bytearray(good)
        newer[-10] = 11
        self.addCleanup(self.set_config, "maxmemory-policy", "noeviction")
        self.check([
            ("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"),
            ("SET", "k", "v"),
            ("DUMP", "missing"),
            ("RESTORE", "k", "0", good),
            ("RESTORE", "n", "-1", good),
            ("RESTORE", "n", "abc", good),
            ("RESTORE", "n", "0", bytes(bad_crc)),
            ("RESTORE", "n", "0", bytes(newer)),
            ("RESTORE", "n", "0", b"short"),
            ("RESTORE", "n", "0", b""),
            ("RESTORE", "n", "0", good, "IDLETIME", "-1"),
            ("RESTORE", "n", "0", good, "FREQ", "256"),
            ("RESTORE", "n", "0", good, "FREQ", "1", "IDLETIME", "1"),
            ("RESTORE", "n", "0", good, "IDLETIME"),
            ("RESTORE", "n", "0", good, "NOPE"),
            ("RESTORE", "k", "0", good, "REPLACE", "IDLETIME", "100"),
            Near("OBJECT", "IDLETIME", "k", tol=1),
            ("RESTORE", "k", "1", good, "REPLACE", "ABSTTL"),
            ("EXISTS", "k"),
            ("RESTORE", "n", "0", good, "ABSTTL"),
            ("PTTL", "n"),
            ("RESTORE",),
            ("DUMP",),
            ("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"),
            # The LFU counter decays by one if a minute boundary passes.
            ("RESTORE", "f", "0", good, "FREQ", "100"),
            Near("OBJECT", "FREQ", "f", tol=1),
            ("RESTORE", "f2", "0", good, "IDLETIME", "100"),
            Near("OBJECT", "FREQ", "f2", tol=1),
        ])




_CRC64_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x95AC9329AC4BC9B5 if _c & 1 else _c >> 1
    _CRC64_TABLE.append(_c)


def seal(body, version=10):
    """A DUMP payload of `body`: RDB version and the CRC64 (Jones) Redis checks."""
    data = body + struct.pack("<H", version)
    crc = 0
    for b in data:
        crc = _CRC64_TABLE[(crc ^ b) & 0xff] ^ (crc >> 8)
    return data + struct.pack("<Q", crc)


def rdb_string(prefix, s):
    """`prefix` then `s` as an RDB string (lengths below 16384)."""
    n = len(s)
    return prefix + (bytes([n]) if n < 64 else bytes([0x40 | (n >> 8), n & 0xff])) + s


LIB_A = "#!lua name=liba\nredis.register_function('fa', function(keys, args) return 'a' end)"
LIB_B = ("#!lua name=libb\nredis.register_function{function_name='fb', callback=function(keys, args) return 1 end,"
         " flags={'no-writes'}, description='b'}")
LIB_A2 = "#!lua name=liba\nredis.register_function('fa2', function(keys, args) return 'a2' end)"
LIB_C = "#!lua name=libc\nredis.register_function('fa', function(keys, args) return 'c' end)"


class FunctionDumpRestoreDiff(DifferentialTestCase):
    def payloads(self, srv):
        with srv.client() as c:
            c.cmd("FUNCTION", "FLUSH")
            out = {}
            for name, libs in (("a", [LIB_A]), ("ab", [LIB_A, LIB_B]), ("a2", [LIB_A2]), ("c", [LIB_C]),
                               ("none", [])):
                c.cmd("FUNCTION", "FLUSH")
                for lib in libs:
                    assert c.cmd("FUNCTION", "LOAD", lib).startswith(b"$"), lib
                out[name] = decode(c.cmd("FUNCTION", "DUMP"))
            c.cmd("FUNCTION", "FLUSH")
            return out

    def script(self, p):
        bad = bytearray(p["a"])
        bad[-1] ^= 1
        return [
            ("FUNCTION", "FLUSH"),
            ("FUNCTION", "RESTORE", p["ab"]),
            ("FUNCTION", "LIST", "LIBRARYNAME", "libb", "WITHCODE"),
            ("FCALL", "fa", "0"),
            ("FCALL_RO", "fb", "0"),
            ("FUNCTION", "RESTORE", p["a"]),
            ("FUNCTION", "RESTORE", p["a"], "APPEND"),
            ("FUNCTION", "RESTORE", p["c"]),
            ("FUNCTION", "RESTORE", p["c"], "REPLACE"),
            ("FUNCTION", "RESTORE", p["a2"], "REPLACE"),
            ("FUNCTION", "LIST", "LIBRARYNAME", "liba", "WITHCODE"),
            ("FCALL", "fa2", "0"),
            ("FUNCTION", "RESTORE", p["c"], "FLUSH"),
            ("FUNCTION", "LIST", "WITHCODE"),
            ("FUNCTION", "RESTORE", p["none"], "FLUSH"),
            ("FUNCTION", "LIST"),
            ("FUNCTION", "RESTORE", bytes(bad)),
            ("FUNCTION", "RESTORE", b"short"),
            ("FUNCTION", "RESTORE", p["a"], "NOPE"),
            ("FUNCTION", "RESTORE", p["a"], "FLUSH", "x"),
            ("FUNCTION", "RESTORE"),
            ("FUNCTION", "DUMP", "x"),
            ("FUNCTION", "FLUSH"),
        ]

    def test_corrupt_payloads(self):
        # Each passes the checksum (seal()). A length far beyond the payload
        # once killed Larder, or stalled it allocating the length.
        lib = b"#!lua name=ok\nredis.register_function('f', function() return 1 end)"
        self.check([
            ("FUNCTION", "FLUSH"),
            ("FUNCTION", "RESTORE", seal(b"\xf5\x81" + b"\xff" * 8)),
            ("FUNCTION", "RESTORE", seal(b"\xf5\x80\x7f\xff\xff\xff")),
            ("FUNCTION", "RESTORE", seal(b"\xf5\x81\x40" + b"\x00" * 7)),
            ("FUNCTION", "RESTORE", seal(b"\xf5\xc3\x01\x01\x00")),  # LZF that does not decompress
            ("FUNCTION", "RESTORE", seal(b"\x00\x01a")),
            # A library that does not compile is reported before a later unreadable one.
            ("FUNCTION", "RESTORE", seal(rdb_string(b"\xf5", b"#!lua name=a\nx(") + b"\xf5\x81" + b"\xff" * 8)),
            ("FUNCTION", "RESTORE", seal(rdb_string(b"\xf5", lib) + b"\x07")),
            # Redis 7.0's release candidates wrote name, engine, description, body.
            ("FUNCTION", "RESTORE", seal(rdb_string(b"\xf6", b"rc") + rdb_string(b"", b"LUA") + b"\x01" +
                                          rdb_string(b"", b"desc") +
                                          rdb_string(b"", b"redis.register_function('g', function() return 2 end)"))),
            ("FUNCTION", "RESTORE", seal(rdb_string(b"\xf6", b"rc2") + rdb_string(b"", b"LUA") + b"\x00")),
            ("FUNCTION", "LIST", "WITHCODE"),
            ("FCALL", "g", "0"),
            ("FUNCTION", "FLUSH"),
            ("RESTORE", "k", "0", seal(b"\x00\x81" + b"\xff" * 8)),
            ("RESTORE", "k", "0", seal(b"\x00\x80\x7f\xff\xff\xff")),
            ("RESTORE", "k", "0", seal(b"\x00\xc3\x02\x81\x00\x00\x00\x10\x00\x00\x00\x00ab")),
            ("RESTORE", "k", "0", seal(b"\x00\xc3\x02\x80\x7f\xff\xff\xffab")),
            ("PING",),
        ], sort_commands=())

    def test_payloads_cross_both_ways(self):
        redis_p, larder_p = self.payloads(self.redis), self.payloads(self.larder)
        self.check(self.script(redis_p), sort_commands=())
        self.check(self.script(larder_p), sort_commands=())
        # One library: the same bytes.
        self.assertEqual(redis_p["a"], larder_p["a"])


class RdbFileDiff(DifferentialTestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="larder-rdb-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.assertTrue(os.path.exists(rdb_tool()), "build larder-rdb-tool: %s" % rdb_tool())

    def tool(self, *args, stdin=None):
        return subprocess.run([rdb_tool()] + list(args), input=stdin, capture_output=True, timeout=60)

    def test_redis_dump_rdb_parses_completely(self):
        srv = self.start_redis("--dir", self.tmp, "--dbfilename", "dump.rdb")
        with srv.client() as rc:
            populate(rc)
            rc.cmd("SELECT", "2")
            rc.cmd("SET", "in2", "x", "EX", "1000")
            rc.cmd("HSET", "h2", "a", "b")
            self.assertEqual(rc.cmd("SAVE"), b"+OK\r\n")
        out = self.tool("read", os.path.join(self.tmp, "dump.rdb"))
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = [l.split(b" ") for l in out.stdout.splitlines()]
        by_db = {}
        for db, when, key, payload in lines:
            by_db.setdefault(int(db), []).append((bytes.fromhex(key.decode()), bytes.fromhex(payload.decode()),
                                                  int(when)))
        self.assertEqual(sorted(by_db), [0, 2])
        with srv.client() as rc, self.larder.client() as lc:
            lc.cmd("FLUSHALL")
            for db, dumps in by_db.items():
                lc.cmd("SELECT", str(db))
                restore_all(lc, dumps)
                rc.cmd("SELECT", str(db))
                self.assertEqual(len(dumps), decode(rc.cmd("DBSIZE")))
                self.assert_same(snapshot(rc), snapshot(lc))

    def test_larder_rdb_passes_redis_check_rdb_and_loads(self):
        path = os.path.join(self.tmp, "larder.rdb")
        with self.larder.client() as lc:
            lc.cmd("FLUSHALL")
            populate(lc, salt="!")
            lines = []
            for db in (0, 5):
                lc.cmd("SELECT", str(db))
                if db == 5:
                    lc.cmd("SET", "five", "5", "EX", "1000")
                for k, payload, when in dump_all(lc):
                    lines.append(b"%d %d %s %s" % (db, when if when > 0 else -1, k.hex().encode(),
                                                   payload.hex().encode()))
            out = self.tool("write", path, stdin=b"\n".join(lines) + b"\n")
            self.assertEqual(out.returncode, 0, out.stderr)
            check = subprocess.run(["redis-check-rdb", path], capture_output=True, timeout=60)
            self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
            self.assertIn(b"RDB looks OK", check.stdout)
            srv = self.start_redis("--dir", self.tmp, "--dbfilename", "larder.rdb")
            with srv.client() as rc:
                for db in (0, 5):
                    rc.cmd("SELECT", str(db))
                    lc.cmd("SELECT", str(db))
                    self.assert_same(snapshot(lc), snapshot(rc))
            lc.cmd("FLUSHALL")
        # And back through the reader.
        out = self.tool("read", path)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(len(out.stdout.splitlines()), len(lines))

    def test_corrupt_files_are_refused_with_a_reason(self):
        srv = self.start_redis("--dir", self.tmp, "--dbfilename", "dump.rdb")
        with srv.client() as rc:
            rc.cmd("SET", "k", "v" * 100)
            rc.cmd("SAVE")
        data = open(os.path.join(self.tmp, "dump.rdb"), "rb").read()
        cases = {
            "truncated": (data[:-20], b"truncated"),
            "checksum": (data[:-1] + bytes([data[-1] ^ 1]), b"checksum"),
            "version": (b"REDIS0011" + data[9:], b"version 11"),
        }
        for name, (blob, reason) in cases.items():
            p = os.path.join(self.tmp, name + ".rdb")
            with open(p, "wb") as f:
                f.write(blob)
            out = self.tool("read", p)
            self.assertEqual(out.returncode, 1, name)
            self.assertIn(reason, out.stderr, name)

    assert_same = DumpRestoreDiff.assert_same


if __name__ == "__main__":
    unittest.main()
