"""Hashes and sets for bench/run's `collections` scenario (issue "Typed values").

A library module (bench/run imports it): the data the scenario loads, the
checks that the data really is there (so a server that drops it cannot
"win"), the memory cases, and the state redis-benchmark's hset/sadd/spop
tests run on.  Not named collections.py: that would shadow Python's own
`collections` module for every script in bench/.

Sizes: `n` is the collection size (1M; 100k with --quick).
  hashes   n/10 hashes "h:%010d" of 10 fields: 8-byte fields "f:%06d", 16-byte
           values (one HSET per hash)
  bighash  one hash "bighash" of n fields: 16-byte fields, 16-byte values
  bigset   one set "bigset" of n 16-byte members; "bigset2" (latency part
           only) has members n/2 .. 3n/2-1, so their union has 1.5 n
"""

import benchlib
import memory
from benchlib import BenchError, Conn, Server, log

PER_CMD = 100                     # fields / members per HSET or SADD
HASH_FIELDS = 10                  # fields of each small hash


def hfield(j):
    return b"f:%06d" % j                       # 8 bytes


def hvalue(i, j):
    return b"%010dvvvvvv" % (i * HASH_FIELDS + j)   # 16 bytes, distinct


def bfield(i):
    return b"f:%014d" % i                      # 16 bytes


def bvalue(i):
    return b"v:%014d" % i                      # 16 bytes


def member(i):
    return b"m:%014d" % i                      # 16 bytes


def hashes_payload(n_hashes):
    def args(i):
        out = [b"HSET", b"h:%010d" % i]
        for j in range(HASH_FIELDS):
            out += (hfield(j), hvalue(i, j))
        return out
    return benchlib.command_payload(n_hashes, args, batch=2000)


def _per_cmd(n):
    if n % PER_CMD:
        raise BenchError("collections: %d is not a multiple of %d" % (n, PER_CMD))
    return n // PER_CMD


def grouped_payload(head, n, item, batch):
    """n/PER_CMD commands: head + item(i) for PER_CMD consecutive i each."""
    def args(c):
        out = list(head)
        for i in range(c * PER_CMD, (c + 1) * PER_CMD):
            out += item(i)
        return out
    return benchlib.command_payload(_per_cmd(n), args, batch)


def bighash_payload(key, n):
    return grouped_payload((b"HSET", key), n, lambda i: (bfield(i), bvalue(i)), 200)


def bigset_payload(key, first, n):
    return grouped_payload((b"SADD", key), n, lambda i: (member(first + i),), 400)


REPLY_PER_CMD = b":%d\r\n" % PER_CMD          # HSET/SADD adding PER_CMD new ones
REPLY_HASH = b":%d\r\n" % HASH_FIELDS


def expect(who, what, got, want):
    if got != want:
        raise BenchError("%s: %s returned %r, expected %r" % (who, what, got, want))


def check_hashes(srv, n_hashes):
    with Conn(srv.port) as c:
        expect(srv.name, "DBSIZE", c.cmd("DBSIZE"), n_hashes)
        for i in sorted({0, n_hashes // 2, n_hashes - 1}):
            key = b"h:%010d" % i
            expect(srv.name, "HLEN %s" % key.decode(), c.cmd("HLEN", key), HASH_FIELDS)
            for j in (0, HASH_FIELDS - 1):
                expect(srv.name, "HGET %s %s" % (key.decode(), hfield(j).decode()),
                       c.cmd("HGET", key, hfield(j)), hvalue(i, j).decode())


def check_bighash(srv, key, n):
    with Conn(srv.port) as c:
        expect(srv.name, "HLEN %s" % key.decode(), c.cmd("HLEN", key), n)
        for i in sorted({0, n // 3, n - 1}):
            expect(srv.name, "HGET %s %s" % (key.decode(), bfield(i).decode()),
                   c.cmd("HGET", key, bfield(i)), bvalue(i).decode())
        expect(srv.name, "HGET of a missing field", c.cmd("HGET", key, bfield(n)), None)


def check_bigset(srv, key, first, n):
    with Conn(srv.port) as c:
        expect(srv.name, "SCARD %s" % key.decode(), c.cmd("SCARD", key), n)
        for i in sorted({first, first + n // 3, first + n - 1}):
            expect(srv.name, "SISMEMBER %s %s" % (key.decode(), member(i).decode()),
                   c.cmd("SISMEMBER", key, member(i)), 1)
        expect(srv.name, "SISMEMBER of a non-member",
               c.cmd("SISMEMBER", key, member(first + n)), 0)


# --------------------------------------------------------------------------
# memory: RSS growth on a fresh server per case (memory.py's measurement)

def memory_cases(n):
    """[(case, label, units, unit name, payload, reply, check(srv), goal)]"""
    nh = n // 10
    return [
        ("hashes", "%dk hashes x %d fields (8 B / 16 B)" % (nh // 1000, HASH_FIELDS),
         nh, "hash", hashes_payload(nh), REPLY_HASH, lambda s: check_hashes(s, nh), 0.8),
        ("bighash", "1 hash of %dk fields (16 B / 16 B)" % (n // 1000), n, "field",
         bighash_payload(b"bighash", n), REPLY_PER_CMD,
         lambda s: check_bighash(s, b"bighash", n), 0.7),
        ("bigset", "1 set of %dk members (16 B)" % (n // 1000), n, "member",
         bigset_payload(b"bigset", 0, n), REPLY_PER_CMD,
         lambda s: check_bigset(s, b"bigset", 0, n), 0.5),
    ]


def memory_case(kind, case, settle=0.5):
    name, label, units, unit, payload, reply, check, _goal = case
    srv = Server(kind)
    srv.start()
    try:
        g = memory.rss_growth(srv, lambda: benchlib.send_payload(srv.port, payload,
                                                                 reply=reply),
                              lambda: check(srv), settle)
    finally:
        srv.stop()
    g.update({"server": srv.name, "case": name, "units": units,
              "growth_kb": g["rss_after_kb"] - g["rss_before_kb"]})
    g["bytes_per_unit"] = g["growth_kb"] * 1024.0 / units
    log("  memory %-7s %-6s RSS %6.1f -> %6.1f MiB = %6.1f B/%s (load %.1fs)"
        % (name, srv.name, g["rss_before_kb"] / 1024.0, g["rss_after_kb"] / 1024.0,
           g["bytes_per_unit"], unit, g["load_s"]))
    return g


# --------------------------------------------------------------------------
# redis-benchmark -t hset,sadd,spop: the state each test runs on

def element(i):
    """The fields/members redis-benchmark -r uses: element:000000000000 ..."""
    return b"element:%012d" % i


_myset = {}                        # n -> payload: SADD myset of n members


def myset_payload(n):
    if n not in _myset:
        _myset[n] = grouped_payload((b"SADD", b"myset"), n, lambda i: (element(i),), 400)
    return _myset[n]


def _del(srv, *keys):
    with Conn(srv.port) as c:
        c.cmd("DEL", *keys)


def preload_bench(srv, keyspace, data_size):
    """myhash with every field of the keyspace and myset with every member, so
    HSET always overwrites and SADD always finds (every round the same)."""
    val = b"x" * data_size
    hp = grouped_payload((b"HSET", b"myhash"), keyspace, lambda i: (element(i), val), 200)
    _del(srv, "myhash", "myset")
    benchlib.send_payload(srv.port, hp, reply=REPLY_PER_CMD)
    benchlib.send_payload(srv.port, myset_payload(keyspace), reply=REPLY_PER_CMD)
    check_bench_state(srv, keyspace, data_size)


def check_bench_state(srv, keyspace, data_size):
    """After preload_bench() and after the HSET/SADD runs (which only rewrite
    the same fields and members): still all there."""
    with Conn(srv.port) as c:
        expect(srv.name, "HLEN myhash", c.cmd("HLEN", "myhash"), keyspace)
        expect(srv.name, "SCARD myset", c.cmd("SCARD", "myset"), keyspace)
        for i in (0, keyspace - 1):
            el = element(i)
            got = c.cmd("HGET", "myhash", el)
            if not isinstance(got, str) or len(got) != data_size:
                raise BenchError("%s: HGET myhash %s returned %r, expected %d bytes"
                                 % (srv.name, el.decode(), got, data_size))
            expect(srv.name, "SISMEMBER myset %s" % el.decode(),
                   c.cmd("SISMEMBER", "myset", el), 1)


def refill_myset(srv, n):
    """Before a SPOP run of n requests: myset gets exactly n members, so every
    SPOP pops one (redis-benchmark's own SADD run leaves at most -r members)."""
    _del(srv, "myset")
    benchlib.send_payload(srv.port, myset_payload(n), reply=REPLY_PER_CMD)


def check_spopped(srv):
    """After a SPOP run of as many requests as refill_myset() added members."""
    with Conn(srv.port) as c:
        expect(srv.name, "SCARD myset after the SPOP run", c.cmd("SCARD", "myset"), 0)
