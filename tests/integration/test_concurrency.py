#!/usr/bin/python3
"""Multi-threaded consistency with --threads 1, 2 and 4."""
import os
import random
import re
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command  # noqa: E402

N_CLIENTS = 8
ROUNDS = 50
VALUE_RE = re.compile(rb"^v(\d+)-(\d+)-(\d+):(x*)$")


def make_value(tid, i, padlen):
    return b"v%d-%d-%d:%s" % (tid, i, padlen, b"x" * padlen)


def run_threads(target, n):
    errors = []

    def wrap(tid):
        try:
            target(tid)
        except BaseException as e:  # noqa: B902 - report everything
            errors.append("thread %d: %r" % (tid, e))

    threads = [threading.Thread(target=wrap, args=(t,), daemon=True) for t in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    stuck = [t for t in threads if t.is_alive()]
    if stuck:
        errors.append("%d threads still running after 20s" % len(stuck))
    return errors


class ConcurrencyMixin:
    THREADS = None

    def setUp(self):
        super().setUp()
        self.srv = self.start_larder(threads=self.THREADS)

    def test_lock_race_exactly_one_winner(self):
        srv = self.srv
        clients = [self.client(srv) for _ in range(N_CLIENTS)]
        coord = self.client(srv)
        start = threading.Barrier(N_CLIENTS + 1, timeout=10)
        done = threading.Barrier(N_CLIENTS + 1, timeout=10)
        results = [[None] * N_CLIENTS for _ in range(ROUNDS)]

        def racer(tid):
            c = clients[tid]
            for r in range(ROUNDS):
                start.wait()
                results[r][tid] = c.cmd("SET", "lock", "owner-%d-%d" % (tid, r), "NX", "PX", "10000")
                done.wait()

        errors = []
        threads = []

        def wrap(tid):
            try:
                racer(tid)
            except BaseException as e:
                errors.append("thread %d: %r" % (tid, e))
                start.abort()
                done.abort()

        for t in range(N_CLIENTS):
            th = threading.Thread(target=wrap, args=(t,), daemon=True)
            th.start()
            threads.append(th)
        finished = False
        try:
            for r in range(ROUNDS):
                start.wait()
                done.wait()
                got = results[r]
                oks = [t for t, x in enumerate(got) if x == b"+OK\r\n"]
                nulls = [t for t, x in enumerate(got) if x == b"$-1\r\n"]
                self.assertEqual(len(oks), 1, "round %d: replies %r" % (r, got))
                self.assertEqual(len(nulls), N_CLIENTS - 1, "round %d: replies %r" % (r, got))
                owner = b"owner-%d-%d" % (oks[0], r)
                self.assertEqual(coord.cmd("GET", "lock"), b"$%d\r\n%s\r\n" % (len(owner), owner))
                self.assertEqual(coord.cmd("DEL", "lock"), b":1\r\n")
            finished = True
        except threading.BrokenBarrierError:
            self.fail("barrier broken: %r" % errors)
        finally:
            if not finished:
                # Release racers still waiting when the coordinator failed.
                start.abort()
                done.abort()
            for th in threads:
                th.join(10)
        self.assertEqual(errors, [])

    def test_mixed_ops_well_formed(self):
        srv = self.srv
        keys = [b"shared:%d" % i for i in range(12)]
        ops_per_thread = 1500

        def worker(tid):
            rnd = random.Random(tid)
            with srv.client() as c:
                batch = []
                for i in range(ops_per_thread):
                    k = rnd.choice(keys)
                    op = rnd.random()
                    if op < 0.4:
                        pad = rnd.choice((0, 5, 100, 3000))
                        batch.append((b"SET", encode_command(b"SET", k, make_value(tid, i, pad))))
                    elif op < 0.8:
                        batch.append((b"GET", encode_command(b"GET", k)))
                    elif op < 0.9:
                        batch.append((b"DEL", encode_command(b"DEL", k, rnd.choice(keys))))
                    else:
                        batch.append((b"EXISTS", encode_command(b"EXISTS", k, k)))
                    if len(batch) == 50 or i == ops_per_thread - 1:
                        c.send(b"".join(x[1] for x in batch))
                        for (name, _), reply in zip(batch, c.read_replies(len(batch))):
                            check_reply(name, reply)
                        batch = []

        def check_reply(name, reply):
            if name == b"SET":
                assert reply == b"+OK\r\n", reply
            elif name == b"GET":
                if reply == b"$-1\r\n":
                    return
                m = re.match(rb"^\$(\d+)\r\n", reply)
                assert m, reply[:80]
                body = reply[m.end():-2]
                assert len(body) == int(m.group(1)), reply[:80]
                vm = VALUE_RE.match(body)
                assert vm, "torn value %r" % body[:80]
                assert int(vm.group(3)) == len(vm.group(4)), "torn value %r" % body[:80]
            elif name == b"DEL":
                assert reply in (b":0\r\n", b":1\r\n", b":2\r\n"), reply
            elif name == b"EXISTS":
                assert reply in (b":0\r\n", b":2\r\n"), reply

        errors = run_threads(worker, N_CLIENTS)
        self.assertEqual(errors, [])
        with srv.client() as c:
            self.assertEqual(c.cmd("PING"), b"+PONG\r\n")

    def test_multi_key_del_counts(self):
        srv = self.srv
        with srv.client() as c:
            self.assertEqual(c.cmd("SET", "a", "1"), b"+OK\r\n")
            self.assertEqual(c.cmd("SET", "c", "3"), b"+OK\r\n")
            self.assertEqual(c.cmd("DEL", "a", "b", "c"), b":2\r\n")
            self.assertEqual(c.cmd("DEL", "a", "b", "c"), b":0\r\n")
            self.assertEqual(c.cmd("SET", "a", "1"), b"+OK\r\n")
            self.assertEqual(c.cmd("DEL", "a", "a", "a"), b":1\r\n")

        # Private keys per thread: DEL counts exact.
        def private(tid):
            with srv.client() as c:
                for r in range(20):
                    ks = [b"p%d:%d:%d" % (tid, r, i) for i in range(10)]
                    for k in ks[:7]:
                        assert c.cmd(b"SET", k, b"v") == b"+OK\r\n"
                    got = c.cmd(b"DEL", *ks)
                    assert got == b":7\r\n", (r, got)
                    got = c.cmd(b"DEL", *ks)
                    assert got == b":0\r\n", (r, got)

        self.assertEqual(run_threads(private, N_CLIENTS), [])

        # Shared keys deleted concurrently: each key counted exactly once overall.
        shared = [b"s:%d" % i for i in range(100)]
        for r in range(10):
            with srv.client() as c:
                c.send(b"".join(encode_command(b"SET", k, b"v") for k in shared))
                self.assertEqual(set(c.read_replies(len(shared))), {b"+OK\r\n"})
            barrier = threading.Barrier(N_CLIENTS, timeout=10)
            counts = [None] * N_CLIENTS
            clients = [srv.client() for _ in range(N_CLIENTS)]

            def deleter(tid):
                order = list(shared)
                random.Random(tid * 100 + r).shuffle(order)
                barrier.wait()
                counts[tid] = clients[tid].cmd(b"DEL", *order)

            try:
                errors = run_threads(deleter, N_CLIENTS)
            finally:
                for c in clients:
                    c.close()
            self.assertEqual(errors, [])
            total = sum(int(x[1:-2]) for x in counts)
            self.assertEqual(total, len(shared), "round %d: DEL counts %r" % (r, counts))


class Threads1(ConcurrencyMixin, ServerTestCase):
    THREADS = 1


class Threads2(ConcurrencyMixin, ServerTestCase):
    THREADS = 2


class Threads4(ConcurrencyMixin, ServerTestCase):
    THREADS = 4


if __name__ == "__main__":
    unittest.main()
