#!/usr/bin/python3
"""Differential: MULTI/EXEC/DISCARD/WATCH/UNWATCH with two connections per
server, in RESP2 and RESP3 (after HELLO 3)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase  # noqa: E402
from sessions import Sleep, compare_sessions  # noqa: E402


def watch_then(*other):
    """c0 watches k (holding 'v'), c1 runs `other`, c0 runs a transaction."""
    return [(0, "SET", "k", "v"), (0, "SET", "other", "1"), (0, "WATCH", "k"), (0, "GET", "k")] + \
        [(1,) + tuple(cmd) for cmd in other] + \
        [(0, "MULTI"), (0, "SET", "k", "mine"), (0, "INCR", "other"), (0, "EXEC"),
         (0, "GET", "k"), (0, "GET", "other")]


class TransactionsTest(DifferentialTestCase):
    def both(self, script, clients=2):
        compare_sessions(self, script, clients=clients, resp3=False)
        compare_sessions(self, script, clients=clients, resp3=True)

    def test_basic_multi_exec_discard(self):
        self.both([
            (0, "MULTI"), (0, "SET", "a", "1"), (0, "INCR", "a"), (0, "GET", "a"), (0, "PING"),
            (0, "ECHO", "x"), (0, "EXEC"),
            (0, "MULTI"), (0, "EXEC"),
            (0, "MULTI"), (0, "SET", "a", "2"), (0, "DISCARD"), (0, "GET", "a"),
            (0, "EXEC"), (0, "DISCARD"),
            (0, "multi"), (0, "get", "nope"), (0, "exec"),
            (0, "MULTI"), (0, "SELECT", "1"), (0, "SET", "k", "db1"), (0, "SELECT", "0"), (0, "EXEC"),
            (0, "SELECT", "1"), (0, "GET", "k"), (0, "SELECT", "0"),
        ])

    def test_queue_time_errors_abort(self):
        self.both([
            (0, "MULTI"), (0, "SET", "a", "1"), (0, "NOSUCHCMD", "x"), (0, "SET", "b", "2"),
            (0, "EXEC"), (0, "GET", "a"), (0, "GET", "b"), (0, "EXEC"),
            (0, "MULTI"), (0, "SET", "a"), (0, "EXEC"), (0, "GET", "a"),
            (0, "MULTI"), (0, "GET"), (0, "DISCARD"), (0, "EXEC"),
            (0, "MULTI"), (0, "SET", "a", "1"), (0, "CLIENT", "NOSUCH"), (0, "EXEC"), (0, "GET", "a"),
        ])

    def test_commands_refused_inside_multi(self):
        # SHUTDOWN and SAVE (Redis's no-multi flag) are refused when queued,
        # which aborts the transaction; the server keeps serving.
        self.both([
            (0, "MULTI"), (0, "SET", "a", "1"), (0, "SHUTDOWN", "NOSAVE"), (0, "SAVE"), (0, "SHUTDOWN", "x"),
            (0, "EXEC"), (0, "GET", "a"), (0, "PING"),
        ])

    def test_exec_with_arguments_inside_multi(self):
        # Redis aborts the transaction at once and replies EXECABORT with the
        # arity error's text; the following EXEC has no MULTI.
        self.both([
            (0, "MULTI"), (0, "SET", "a", "1"), (0, "EXEC", "x"), (0, "EXEC"), (0, "GET", "a"),
        ])

    def test_runtime_errors_inside_exec(self):
        self.both([
            (0, "SET", "s", "notanumber"),
            (0, "MULTI"), (0, "INCR", "s"), (0, "SET", "t", "1"), (0, "INCRBY", "t", "x"),
            (0, "EXPIRE", "t", "abc"), (0, "GET", "t"), (0, "SELECT", "99"), (0, "EXEC"),
            (0, "GET", "t"), (0, "GET", "s"),
        ])

    def test_nested_multi_and_watch_inside_multi_do_not_abort(self):
        self.both([
            (0, "MULTI"), (0, "SET", "a", "1"), (0, "MULTI"), (0, "WATCH", "a"), (0, "SET", "b", "2"),
            (0, "EXEC"), (0, "GET", "a"), (0, "GET", "b"),
        ])

    def test_watch_other_client_set(self):
        self.both(watch_then(("SET", "k", "theirs")))

    def test_watch_other_client_set_same_value(self):
        self.both(watch_then(("SET", "k", "v")))

    def test_watch_other_client_del(self):
        self.both(watch_then(("DEL", "k")))

    def test_watch_other_client_expire(self):
        self.both(watch_then(("EXPIRE", "k", "100")))

    def test_watch_other_client_persist_without_ttl(self):
        # PERSIST of a key without TTL changes nothing: no abort.
        self.both(watch_then(("PERSIST", "k")))

    def test_watch_other_client_flushdb(self):
        self.both(watch_then(("FLUSHDB",)))

    def test_watch_other_client_flushall(self):
        self.both(watch_then(("FLUSHALL",)))

    def test_watch_other_client_swapdb(self):
        self.both(watch_then(("SELECT", "1"), ("SET", "k", "db1"), ("SWAPDB", "0", "1")))

    def test_watch_other_client_reads_only(self):
        self.both(watch_then(("GET", "k"), ("EXISTS", "k"), ("TTL", "k")))

    def test_watch_other_db_not_affected(self):
        self.both(watch_then(("SELECT", "1"), ("SET", "k", "other-db"), ("DEL", "k")))

    def test_watch_missing_key_then_created(self):
        self.both([
            (0, "WATCH", "fresh"), (1, "SET", "fresh", "1"),
            (0, "MULTI"), (0, "SET", "fresh", "2"), (0, "EXEC"), (0, "GET", "fresh"),
        ])

    def test_watch_missing_key_deleted_again_still_missing(self):
        self.both([
            (0, "WATCH", "fresh"), (1, "DEL", "fresh"),
            (0, "MULTI"), (0, "SET", "fresh", "2"), (0, "EXEC"), (0, "GET", "fresh"),
        ])

    def test_watched_key_expires_before_exec(self):
        self.both([
            (0, "SET", "k", "v", "PX", "500"), (0, "WATCH", "k"), Sleep(0.75),
            (0, "MULTI"), (0, "SET", "other", "x"), (0, "EXEC"), (0, "GET", "other"),
        ])

    def test_unwatch(self):
        self.both([
            (0, "SET", "k", "v"), (0, "WATCH", "k"), (1, "SET", "k", "w"), (0, "UNWATCH"),
            (0, "MULTI"), (0, "SET", "k", "mine"), (0, "EXEC"), (0, "GET", "k"),
        ])

    def test_watch_is_cleared_by_exec_and_discard(self):
        self.both([
            (0, "SET", "k", "v"), (0, "WATCH", "k"), (1, "SET", "k", "w"),
            (0, "MULTI"), (0, "EXEC"),
            (1, "SET", "k", "again"), (0, "MULTI"), (0, "SET", "k", "x"), (0, "EXEC"),
            (0, "WATCH", "k"), (0, "MULTI"), (0, "DISCARD"), (1, "SET", "k", "y"),
            (0, "MULTI"), (0, "GET", "k"), (0, "EXEC"),
        ])

    def test_own_modification_inside_transaction_does_not_abort(self):
        self.both([
            (0, "SET", "k", "1"), (0, "WATCH", "k"),
            (0, "MULTI"), (0, "INCR", "k"), (0, "SET", "k", "5"), (0, "DEL", "k"), (0, "SET", "k", "7"),
            (0, "EXEC"), (0, "GET", "k"),
        ])

    def test_own_modification_before_multi_aborts(self):
        self.both([
            (0, "SET", "k", "1"), (0, "WATCH", "k"), (0, "SET", "k", "2"),
            (0, "MULTI"), (0, "GET", "k"), (0, "EXEC"),
        ])

    def test_watch_several_keys(self):
        self.both([
            (0, "WATCH", "a", "b", "c"), (0, "WATCH", "a"), (1, "SET", "c", "1"),
            (0, "MULTI"), (0, "SET", "a", "1"), (0, "EXEC"), (0, "EXISTS", "a"),
        ])

    def test_reset_inside_multi(self):
        self.both([
            (0, "SET", "k", "v"), (0, "WATCH", "k"), (0, "MULTI"), (0, "SET", "k", "x"),
            (0, "RESET"), (0, "EXEC"), (0, "GET", "k"),
            (1, "SET", "k", "z"), (0, "MULTI"), (0, "GET", "k"), (0, "EXEC"),
        ])

    def test_watch_sees_only_what_redis_signals(self):
        # Redis signals a stream key to WATCH only when entries are added or
        # deleted (not its consumer groups, acks, claims or XSETID), and a
        # BITFIELD only when a field or the length changes.
        setup = [(0, "FLUSHALL"), (0, "XADD", "s", "1-1", "f", "v"), (0, "XADD", "s", "2-1", "f", "v"),
                 (0, "XGROUP", "CREATE", "s", "g", "0"), (0, "XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">"),
                 (0, "SET", "b", "\x00")]
        cases = [("XADD", "s", "1-1", "f", "v"), ("XADD", "s", "3-1", "f", "v"), ("XTRIM", "s", "MAXLEN", "100"),
                 ("XTRIM", "s", "MAXLEN", "1"), ("XDEL", "s", "9-9"), ("XDEL", "s", "1-1"), ("XACK", "s", "g", "1-1"),
                 ("XACK", "s", "g", "9-9"), ("XCLAIM", "s", "g", "c2", "0", "1-1"), ("XAUTOCLAIM", "s", "g", "c2", "0", "0"),
                 ("XSETID", "s", "5-0"), ("XGROUP", "CREATE", "s", "g2", "0"), ("XGROUP", "SETID", "s", "g", "0"),
                 ("XGROUP", "CREATECONSUMER", "s", "g", "c9"), ("XGROUP", "DELCONSUMER", "s", "g", "c1"),
                 ("XGROUP", "DESTROY", "s", "g"), ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"),
                 ("XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", "0"),
                 ("BITFIELD", "b", "SET", "u8", "0", "0"), ("BITFIELD", "b", "INCRBY", "u8", "0", "256"),
                 ("BITFIELD", "b", "SET", "u8", "0", "1"), ("BITFIELD", "b", "SET", "u8", "100", "0")]
        script = []
        for cmd in cases:
            script += setup + [(0, "WATCH", cmd[1] if cmd[0] != "XGROUP" else cmd[2]), (1,) + cmd,
                               (0, "MULTI"), (0, "PING"), (0, "EXEC")]
        self.both(script)

    def test_queueing_over_maxmemory(self):
        # Over maxmemory Redis refuses to queue any command but EXEC, DISCARD,
        # QUIT and RESET (queueing takes memory), which aborts the transaction.
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                policy = c.call("CONFIG", "GET", "maxmemory-policy")[1]
            self.addCleanup(self.restore_memory_limit, srv, policy)
        self.both([
            (0, "SET", "k", "v"), (0, "CONFIG", "SET", "maxmemory-policy", "noeviction"),
            (0, "CONFIG", "SET", "maxmemory", "1"), (0, "GET", "k"),
            (0, "MULTI"), (0, "GET", "k"), (0, "PING"), (0, "SET", "k", "x"), (0, "EXEC"),
            (0, "MULTI"), (0, "WATCH", "k"), (0, "MULTI"), (0, "DISCARD"), (0, "MULTI"), (0, "EXEC"),
            (0, "CONFIG", "SET", "maxmemory", "0"), (0, "GET", "k"),
            # Queued under the limit, EXEC over it: refused if it holds a
            # deny-oom command.
            (0, "MULTI"), (0, "SET", "a", "1"), (1, "CONFIG", "SET", "maxmemory", "1"), (0, "EXEC"),
            (1, "CONFIG", "SET", "maxmemory", "0"),
            (0, "MULTI"), (0, "GET", "k"), (0, "DEL", "k"), (1, "CONFIG", "SET", "maxmemory", "1"), (0, "EXEC"),
            (1, "CONFIG", "SET", "maxmemory", "0"), (0, "GET", "a"), (0, "EXISTS", "k"),
        ])

    def test_eviction_that_runs_out_of_keys_refuses(self):
        # Evicting the last key the policy may take and still over the limit
        # is Redis's EVICT_FAIL: the write is refused even though a key went.
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                policy = c.call("CONFIG", "GET", "maxmemory-policy")[1]
            self.addCleanup(self.restore_memory_limit, srv, policy)
        self.both([
            (0, "CONFIG", "SET", "maxmemory-policy", "noeviction"), (0, "SET", "a", "1"),
            (0, "SET", "b", "2", "EX", "100"), (0, "CONFIG", "SET", "maxmemory", "1"),
            (0, "CONFIG", "SET", "maxmemory-policy", "volatile-lru"), (0, "SET", "x", "y"),
            (0, "EXISTS", "a", "b", "x"), (0, "CONFIG", "SET", "maxmemory-policy", "allkeys-random"),
            (0, "SET", "x", "y"), (0, "DBSIZE"),
        ])

    @staticmethod
    def restore_memory_limit(srv, policy):
        with srv.client() as c:
            c.cmd("CONFIG", "SET", "maxmemory", "0")
            c.cmd("CONFIG", "SET", "maxmemory-policy", policy)


if __name__ == "__main__":
    unittest.main()
