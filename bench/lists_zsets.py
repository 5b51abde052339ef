"""Lists and sorted sets for bench/run's `lists_zsets` scenario (issue "Lists
with blocking pops, and sorted sets").

A library module (bench/run imports it): the data the scenario loads, the
checks that the data really is there (so a server that drops it cannot
"win"), the memory cases, the state redis-benchmark's list and zset tests run
on, the ZRANGEBYSCORE command line, the run of redis-benchmark's default test
list, and the BRPOP wake-up measurement.

Sizes: `n` is the collection size (1M; 100k with --quick).
  bigzset  one sorted set of n 16-byte members "m:%014d" with random scores
           (uniform in [0, n), seeded, so both servers get the same set)
  biglist  one list of n 16-byte elements "e:%014d" (RPUSH, 100 per command)
"""

import bisect
import csv
import io
import random
import select
import socket
import subprocess
import time

import benchlib
import memory
import throughput
from benchlib import BenchError, Conn, Server, log

PER_CMD = 100                     # members / elements per ZADD or RPUSH
SEED = 20261203


def zmember(i):
    return b"m:%014d" % i                      # 16 bytes


def lelement(i):
    return b"e:%014d" % i                      # 16 bytes


_scores = {}                      # n -> (scores, members sorted by score, sorted scores)


def zscores(n):
    """The bigzset's scores: n seeded uniform floats in [0, n)."""
    if n not in _scores:
        rng = random.Random(SEED + n)
        scores = [rng.random() * n for _ in range(n)]
        order = sorted(range(n), key=scores.__getitem__)
        _scores[n] = (scores, order, [scores[i] for i in order])
    return _scores[n]


def score_text(x):
    return repr(float(x)).encode()             # shortest text that reads back as x


def _per_cmd(n):
    if n % PER_CMD:
        raise BenchError("lists_zsets: %d is not a multiple of %d" % (n, PER_CMD))
    return n // PER_CMD


def bigzset_payload(key, n):
    scores = zscores(n)[0]

    def args(c):
        out = [b"ZADD", key]
        for i in range(c * PER_CMD, (c + 1) * PER_CMD):
            out += (score_text(scores[i]), zmember(i))
        return out
    return benchlib.command_payload(_per_cmd(n), args, batch=200)


def push_payload(key, n, elem, cmd=b"RPUSH", batch=200):
    """RPUSH key + PER_CMD elements per command, onto a list that does not
    exist yet: batches carry their expected replies (the growing lengths)."""
    out = []
    for b in benchlib.command_payload(
            _per_cmd(n), lambda c: [cmd, key] + [elem(i) for i in range(c * PER_CMD,
                                                                        (c + 1) * PER_CMD)],
            batch):
        first = len(out) and sum(x[0] for x in out)
        out.append((b[0], b[1], b"".join(b":%d\r\n" % ((first + j + 1) * PER_CMD)
                                         for j in range(b[0]))))
    return out


REPLY_PER_CMD = b":%d\r\n" % PER_CMD


def expect(who, what, got, want):
    if got != want:
        raise BenchError("%s: %s returned %r, expected %r" % (who, what, got, want))


def zrange_expected(n, min_score, count=10):
    """Members of ZRANGEBYSCORE bigzset min_score +inf LIMIT 0 count."""
    _scores_, order, sorted_scores = zscores(n)
    i = bisect.bisect_left(sorted_scores, min_score)
    return [zmember(j).decode() for j in order[i:i + count]]


def check_bigzset(srv, key, n):
    scores = zscores(n)[0]
    with Conn(srv.port) as c:
        expect(srv.name, "ZCARD %s" % key.decode(), c.cmd("ZCARD", key), n)
        for i in sorted({0, n // 3, n - 1}):
            got = c.cmd("ZSCORE", key, zmember(i))
            try:
                ok = float(got) == scores[i]
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise BenchError("%s: ZSCORE %s %s returned %r, expected %r"
                                 % (srv.name, key.decode(), zmember(i).decode(), got,
                                    scores[i]))
        expect(srv.name, "ZSCORE of a non-member", c.cmd("ZSCORE", key, zmember(n)), None)
        # the command line the ZRANGEBYSCORE part runs: __rand_int__ is 12 digits
        for m in sorted({0, n // 2, n - 5}):
            arg = b"%012d" % m
            expect(srv.name, "ZRANGEBYSCORE %s %s +inf LIMIT 0 10" % (key.decode(),
                                                                      arg.decode()),
                   c.cmd("ZRANGEBYSCORE", key, arg, "+inf", "LIMIT", "0", "10"),
                   zrange_expected(n, float(m)))


def check_biglist(srv, key, n):
    with Conn(srv.port) as c:
        expect(srv.name, "LLEN %s" % key.decode(), c.cmd("LLEN", key), n)
        for i in sorted({0, n // 3, n - 1}):
            expect(srv.name, "LINDEX %s %d" % (key.decode(), i), c.cmd("LINDEX", key, i),
                   lelement(i).decode())
        expect(srv.name, "LINDEX %s -1" % key.decode(), c.cmd("LINDEX", key, -1),
               lelement(n - 1).decode())
        expect(srv.name, "LRANGE %s 1 3" % key.decode(), c.cmd("LRANGE", key, 1, 3),
               [lelement(i).decode() for i in (1, 2, 3)])


# --------------------------------------------------------------------------
# memory: RSS growth on a fresh server per case (typed_values.memory_case)

GOAL_ZSET_MEM, GOAL_LIST_MEM = 0.6, 1.0


def memory_cases(n, lists=True):
    """[(case, label, units, unit name, payload, reply, check(srv), goal)]"""
    k = n // 1000
    out = [("bigzset", "1 sorted set of %dk members (16 B, random scores)" % k, n, "member",
            bigzset_payload(b"bigzset", n), REPLY_PER_CMD,
            lambda s: check_bigzset(s, b"bigzset", n), GOAL_ZSET_MEM)]
    if lists:
        out.append(("biglist", "1 list of %dk elements (16 B)" % k, n, "element",
                    push_payload(b"biglist", n, lelement), None,
                    lambda s: check_biglist(s, b"biglist", n), GOAL_LIST_MEM))
    return out


# --------------------------------------------------------------------------
# does this Larder have lists yet?

def has_lists(kind="larder"):
    """True if the server answers LPUSH/BRPOP (checked on a fresh one)."""
    srv = Server(kind)
    srv.start()
    try:
        with Conn(srv.port) as c:
            r1 = c.cmd("LPUSH", "lz:probe", "x")
            r2 = c.cmd("BRPOP", "lz:probe", "1")
        return r1 == 1 and r2 == ["lz:probe", "x"]
    finally:
        srv.stop()


# --------------------------------------------------------------------------
# redis-benchmark -t lpush,rpush,lpop,rpop,zadd,zpopmin,lrange_100: the state
# each test runs on (its commands: LPUSH/RPUSH mylist <-d bytes>, LPOP/RPOP
# mylist, ZADD myzset __rand_int__ element:__rand_int__, ZPOPMIN myzset; and
# lrange_100 first runs "LPUSH (needed to benchmark LRANGE)" with the same -n,
# then LRANGE mylist 0 99)

LIST_TESTS = ("lpush", "rpush", "lpop", "rpop", "lrange_100")
ZSET_TESTS = ("zadd", "zpopmin")


def element(i):
    """The members redis-benchmark -r uses: element:000000000000 ..."""
    return b"element:%012d" % i


_fills = {}


def _fill(kind, n, data_size):
    if (kind, n) not in _fills:
        if kind == "mylist":
            val = b"x" * data_size
            _fills[kind, n] = push_payload(b"mylist", n, lambda i: val, batch=100)
        else:
            _fills[kind, n] = benchlib.command_payload(
                _per_cmd(n), lambda c: [b"ZADD", b"myzset"] + [
                    x for i in range(c * PER_CMD, (c + 1) * PER_CMD)
                    for x in (b"%d" % i, element(i))], 200)
    return _fills[kind, n]


def _del(srv, *keys):
    with Conn(srv.port) as c:
        c.cmd("DEL", *keys)


def preload_myzset(srv, keyspace):
    """myzset with every member of the -r keyspace, so ZADD always updates
    the score of an existing member, and every round sees the same state."""
    _del(srv, "myzset")
    benchlib.send_payload(srv.port, _fill("myzset", keyspace, 0), reply=REPLY_PER_CMD)
    with Conn(srv.port) as c:
        expect(srv.name, "ZCARD myzset", c.cmd("ZCARD", "myzset"), keyspace)


class BenchState:
    """before()/after() hooks for bench/run's bench_rounds: every run starts
    from the same state on both servers, and afterwards the state must show
    that the requests did what they should have (LLEN/ZCARD/EXISTS).

    redis-benchmark sends a few more requests than -n (up to about one
    pipeline per client: 5008 LPUSHes for -n 5000 -c 50 -P 1), so pushes
    must leave between nreq and nreq + slack elements, and pop runs get
    nreq + slack elements and must leave at most slack."""

    def __init__(self, keyspace, data_size, slack):
        self.keyspace, self.data_size, self.slack = keyspace, data_size, slack
        self.nreq = {}

    def before(self, srv, test, nreq):
        self.nreq[srv.name] = nreq
        if test in ("lpush", "rpush", "lrange_100"):
            _del(srv, "mylist")
        elif test in ("lpop", "rpop"):
            _del(srv, "mylist")
            benchlib.send_payload(srv.port, _fill("mylist", self._fill_n(nreq),
                                                  self.data_size))
        elif test == "zpopmin":
            _del(srv, "myzset")
            benchlib.send_payload(srv.port, _fill("myzset", self._fill_n(nreq), 0),
                                  reply=REPLY_PER_CMD)

    def _fill_n(self, nreq):
        return -(-(nreq + self.slack) // PER_CMD) * PER_CMD

    def after(self, srv, test):
        n = self.nreq[srv.name]
        with Conn(srv.port) as c:
            if test in ("lpush", "rpush", "lrange_100"):
                # every push added one element (lrange_100: its LPUSH run)
                ln = c.cmd("LLEN", "mylist")
                if not isinstance(ln, int) or not n <= ln <= n + self.slack:
                    raise BenchError("%s: LLEN mylist after the %s run of %d requests "
                                     "returned %r, expected %d to %d"
                                     % (srv.name, test.upper(), n, ln, n, n + self.slack))
                v = c.cmd("LINDEX", "mylist", 0)
                if not isinstance(v, str) or len(v) != self.data_size:
                    raise BenchError("%s: LINDEX mylist 0 returned %r, expected %d bytes"
                                     % (srv.name, v, self.data_size))
            elif test in ("lpop", "rpop", "zpopmin"):
                key, card = ("myzset", "ZCARD") if test == "zpopmin" else ("mylist", "LLEN")
                left = c.cmd(card, key)
                filled = self._fill_n(n)
                if not isinstance(left, int) or not filled - n - self.slack <= left <= \
                        filled - n:
                    raise BenchError("%s: %s %s after the %s run of %d requests on %d "
                                     "elements returned %r, expected %d to %d"
                                     % (srv.name, card, key, test.upper(), n, filled, left,
                                        max(0, filled - n - self.slack), filled - n))
            elif test == "zadd":
                expect(srv.name, "ZCARD myzset after the ZADD run",
                       c.cmd("ZCARD", "myzset"), self.keyspace)


# --------------------------------------------------------------------------
# ZRANGEBYSCORE on the big sorted set

def zrange_command(key="bigzset"):
    """redis-benchmark's custom command line (-r n: __rand_int__ is uniform
    in [0, n), like the scores, so nearly every call returns 10 members)."""
    return ["ZRANGEBYSCORE", key, "__rand_int__", "+inf", "LIMIT", "0", "10"]


# --------------------------------------------------------------------------
# redis-benchmark's default test list

DEFAULT_TESTS = ("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH",
                 "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN",
                 "LPUSH (needed to benchmark LRANGE)", "LRANGE_100 (first 100 elements)",
                 "LRANGE_300 (first 300 elements)", "LRANGE_500 (first 500 elements)",
                 "LRANGE_600 (first 600 elements)", "MSET (10 keys)")


def default_list(srv, nreq, timeout):
    """redis-benchmark -n nreq --csv with no -t: every default test must give
    a number, with no error (7.0's redis-benchmark stops at the first error
    reply, printing "Error from server: ..."), and the server must live."""
    argv = [benchlib.REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(srv.port),
            "-n", str(nreq), "--csv"]
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout, preexec_fn=benchlib._set_pdeathsig)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = None, (e.stdout or b"").decode(errors="replace"), \
            (e.stderr or b"").decode(errors="replace") + "\n(timed out after %.0f s)" % timeout
    wall = time.monotonic() - t0
    rps, problems = {}, []
    for r in csv.DictReader(io.StringIO(out)):
        name = (r.get("test") or "").strip()
        try:
            v = float(r.get("rps") or "")
        except ValueError:
            v = None
        rps[name] = v
    for line in (out + "\n" + err).splitlines():
        s = line.strip()
        if not s or s.startswith(throughput.BENIGN_STDERR) or s.startswith('"'):
            continue
        problems.append(s)
    for line in out.splitlines():
        if "ERR" in line or "rror" in line:
            problems.append(line.strip())
    if rc != 0:
        problems.append("redis-benchmark exit status %s" % rc)
    if not srv.alive():
        problems.append("%s died (rc=%s): %s" % (srv.name, srv.proc.returncode,
                                                 srv.log_tail(5)))
    missing = [t for t in DEFAULT_TESTS if not rps.get(t)]
    ok = not problems and not missing
    res = {"server": srv.name, "requests": nreq, "wall_s": round(wall, 1), "rps": rps,
           "missing": missing, "problems": sorted(set(problems)), "ok": ok,
           "argv": " ".join(argv)}
    log("  default test list %-6s %s: %d/%d tests with a number in %.0fs%s"
        % (srv.name, "clean" if ok else "**FAILED**", len(DEFAULT_TESTS) - len(missing),
           len(DEFAULT_TESTS), wall,
           "" if ok else "; missing: %s; %s" % (", ".join(missing) or "none",
                                                " | ".join(res["problems"][:5]))))
    return res


# --------------------------------------------------------------------------
# BRPOP wake-up latency

def wkey(i):
    return b"bl:%05d" % i


def wval(i, cycle):
    return b"v:%06d:%07d" % (cycle, i)             # 16 bytes


def blocked_clients(port):
    with Conn(port) as c:
        info = c.cmd("INFO", "clients")
    if not isinstance(info, str):
        raise BenchError("INFO clients replied %r" % (info,))
    v = benchlib.parse_info(info).get("blocked_clients")
    return None if v is None else int(v)


def wakeup_cycle(srv, nw, cycle, rng, wait_s=5.0):
    """nw connections each block in BRPOP bl:<i> 0 (distinct keys); once the
    server reports them all blocked, one more connection LPUSHes bl:<i> one
    at a time, in a random order, each push only after the previous push's
    reply and its waiter's reply have both arrived.  Wake-up latency: from
    just before the LPUSH is sent until epoll reports the waiter's reply.
    Returns (latencies in s, push reply latencies in s, failures [str])."""
    enc = Conn.encode
    socks, lats, push_lats, fails = [], [], [], []
    ep = select.epoll()
    pusher = None
    try:
        for i in range(nw):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            socks.append(s)
        for i, s in enumerate(socks):
            s.sendall(enc(b"BRPOP", wkey(i), b"0"))
        t_end = time.monotonic() + 10
        nb = None
        while time.monotonic() < t_end:
            nb = blocked_clients(srv.port)
            if nb is not None and nb >= nw:
                break
            time.sleep(0.01)
        if nb is None:
            # no blocked_clients in INFO: give the BRPOPs time to arrive
            time.sleep(1.0)
        elif nb < nw:
            raise BenchError("%s: only %d of %d BRPOP clients blocked after 10 s"
                             % (srv.name, nb, nw))
        fd_of = {}
        for i, s in enumerate(socks):
            s.setblocking(False)
            ep.register(s.fileno(), select.EPOLLIN)
            fd_of[s.fileno()] = i
        pusher = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        pusher.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pusher.setblocking(False)
        pfd = pusher.fileno()
        ep.register(pfd, select.EPOLLIN)
        bufs = {}
        order = list(range(nw))
        rng.shuffle(order)
        for i in order:
            cmd = enc(b"LPUSH", wkey(i), wval(i, cycle))
            want = enc(wkey(i), wval(i, cycle))            # *2 key value
            pbuf, wbuf = b"", b""
            t_push = t_wake = None
            t0 = time.perf_counter()
            pusher.sendall(cmd)
            deadline = t0 + wait_s
            while t_push is None or t_wake is None:
                left = deadline - time.perf_counter()
                events = ep.poll(max(0.0, left)) if left > 0 else []
                t = time.perf_counter()
                if not events:
                    fails.append("waiter %d: %s within %.0f s of its LPUSH"
                                 % (i, "no reply" if t_wake is None else
                                    "the pusher got no LPUSH reply", wait_s))
                    break
                for fd, _ev in events:
                    try:
                        data = (pusher if fd == pfd else socks[fd_of[fd]]).recv(65536)
                    except BlockingIOError:
                        continue
                    if fd == pfd:
                        if not data:
                            raise BenchError("%s closed the pusher's connection" % srv.name)
                        pbuf += data
                        if t_push is None and pbuf.endswith(b"\r\n"):
                            t_push = t
                            if pbuf != b":1\r\n":
                                fails.append("LPUSH %s replied %r, expected :1"
                                             % (wkey(i).decode(), pbuf[:80]))
                    elif fd_of[fd] == i:
                        wbuf += data
                        if t_wake is None and len(wbuf) >= len(want):
                            t_wake = t
                            if wbuf != want:
                                fails.append("waiter %d got %r, expected %r"
                                             % (i, wbuf[:80], want))
                        elif not data:
                            fails.append("waiter %d: connection closed" % i)
                            t_wake = t
                    else:
                        j = fd_of[fd]
                        bufs[j] = bufs.get(j, b"") + data
                        fails.append("waiter %d got %r on the push to %d"
                                     % (j, data[:80], i))
                        if not data:
                            ep.unregister(fd)
            else:
                lats.append(t_wake - t0)
                push_lats.append(t_push - t0)
                continue
            break                     # a waiter that never woke: stop this cycle
        with Conn(srv.port) as c:
            left = c.cmd("DBSIZE")
        if left != 0 and not fails:
            fails.append("DBSIZE %r after the cycle, expected 0 (a push nobody popped)"
                         % (left,))
    finally:
        ep.close()
        for s in socks + ([pusher] if pusher else []):
            try:
                s.close()
            except OSError:
                pass
    return lats, push_lats, fails


def wakeup_round(servers, nw, cycles, rnd):
    """`cycles` wake-up cycles of nw waiters per server, alternating the
    servers cycle by cycle (so a noisy second hits both alike); a dict per
    server for the round."""
    acc = {s.name: ([], [], []) for s in servers}
    rng = {s.name: random.Random(SEED + rnd) for s in servers}   # same orders for both
    for cyc in range(cycles):
        for srv in servers:
            l_, p_, f_ = wakeup_cycle(srv, nw, rnd * 100 + cyc, rng[srv.name])
            lats, push_lats, fails = acc[srv.name]
            lats += l_
            push_lats += p_
            fails += f_
            if f_:
                log("  ERROR: %s: BRPOP wake-up cycle %d: %d failure(s): %s"
                    % (srv.name, cyc, len(f_), "; ".join(f_[:5])))
            srv.check_alive("after a BRPOP wake-up cycle")
    out = []
    pct = benchlib.percentile
    for srv in servers:
        lats, push_lats, fails = acc[srv.name]
        lats.sort()
        push_lats.sort()

        def ms(xs, p):
            v = pct(xs, p)
            return None if v is None else v * 1e3
        res = {"server": srv.name, "round": rnd, "waiters": nw, "cycles": cycles,
               "woken": len(lats), "expected": nw * cycles, "failures": fails[:50],
               "n_failures": len(fails), "p50_ms": ms(lats, 50), "p90_ms": ms(lats, 90),
               "p99_ms": ms(lats, 99), "max_ms": ms(lats, 100),
               "push_p99_ms": ms(push_lats, 99)}
        log("  round %d %-6s BRPOP wake-ups %d/%d, latency p50 %s p90 %s p99 %s max %s ms "
            "(LPUSH reply p99 %s ms)%s"
            % (rnd, srv.name, res["woken"], res["expected"],
               benchlib.fmt(res["p50_ms"], "{:.3f}"), benchlib.fmt(res["p90_ms"], "{:.3f}"),
               benchlib.fmt(res["p99_ms"], "{:.3f}"), benchlib.fmt(res["max_ms"], "{:.2f}"),
               benchlib.fmt(res["push_p99_ms"], "{:.3f}"),
               "" if not fails else "  **%d FAILURES**" % len(fails)))
        out.append(res)
    return out
