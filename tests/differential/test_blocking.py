#!/usr/bin/python3
"""Differential: the blocking pops against redis-server 7.0, with several
connections per server, in RESP2 and RESP3, compared byte for byte.

A step "client i sends a blocking command" is followed by a wait until the
server reports that many blocked clients (INFO blocked_clients), so the next
push is sure to find the client blocked on both servers. Covers immediate
serving, wake-up order (first come, first served), wake-ups by pushes inside
MULTI and by pushes that the same transaction undoes, chained BLMOVE,
blocking commands inside MULTI (they act as timeouts), CLIENT UNBLOCK,
timeouts, wrong types and every argument error.
"""
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, encode_command  # noqa: E402
from sessions import Raw, Sleep, compare_sessions  # noqa: E402

WAIT_LIMIT = 10.0


def send(i, *args):
    """Client i sends a command without reading its reply (nothing compared)."""
    def fn(c):
        c.send(encode_command(*args))
        return b""
    return Raw(i, fn, "send %s" % " ".join(map(str, args)))


def recv(i):
    """Client i reads one reply (compared)."""
    return Raw(i, lambda c: c.read_reply(), "recv")


def blocked(n, i=0):
    """Client i waits until the server has n blocked clients (nothing compared)."""
    def fn(c):
        deadline = time.monotonic() + WAIT_LIMIT
        while True:
            info = c.cmd("INFO", "clients")
            # RESP3 sends INFO as a verbatim string; the field is there either way.
            if b"blocked_clients:%d\r\n" % n in info:
                return b""
            if time.monotonic() > deadline:
                raise AssertionError("never saw %d blocked clients: %r" % (n, info))
            time.sleep(0.002)
    return Raw(i, fn, "wait for %d blocked" % n)


def timeout_table(i):
    """Client i reads INFO's clients_in_timeout_table line (compared)."""
    def fn(c):
        info = c.cmd("INFO", "clients")
        return [ln for ln in info.split(b"\r\n") if ln.startswith(b"clients_in_timeout_table:")][0]
    return Raw(i, fn, "clients_in_timeout_table")


def client_id(i, into):
    """Client i asks its id (nothing compared); stores it in into[i]."""
    def fn(c):
        reply = c.cmd("CLIENT", "ID")
        into[i] = int(reply[1:].split(b"\r\n")[0])
        return b""
    return Raw(i, fn, "client id")


def unblock(i, target, ids, *how):
    """Client i unblocks client `target` (by the id client_id() stored)."""
    return Raw(i, lambda c: c.cmd("CLIENT", "UNBLOCK", str(ids[target]), *how), "unblock c%d" % target)


def pipeline(i, *commands, pick=None):
    """Client i sends `commands` in one write and reads their replies
    (compared; `pick(command, reply)` keeps part of a reply)."""
    def fn(c):
        c.send(b"".join(encode_command(*cmd) for cmd in commands))
        out = []
        for cmd in commands:
            reply = c.read_reply()
            out.append(pick(cmd, reply) if pick else reply)
        return b"|".join(out)
    return Raw(i, fn, "pipeline %r" % (commands,))


def info_line(field):
    """A pick() for pipeline(): INFO's `field` line, other replies whole."""
    def pick(cmd, reply):
        if cmd[0] != "INFO":
            return reply
        return [ln for ln in reply.split(b"\r\n") if ln.startswith(field.encode() + b":")][0]
    return pick


def silent_for(i, seconds):
    """Client i has had no reply after `seconds` (compared: b"silent" or what came)."""
    def fn(c):
        c.sock.settimeout(seconds)
        try:
            data = c.sock.recv(1024)
        except OSError:
            data = b"silent"
        finally:
            c.sock.settimeout(c.timeout)
        return data
    return Raw(i, fn, "silent for %ss" % seconds)


class BlockingDiff(DifferentialTestCase):
    RESP3 = False

    def run_script(self, script, clients=3):
        compare_sessions(self, script, clients=clients, resp3=self.RESP3)

    # -- lists ---------------------------------------------------------------

    def test_list_immediate_and_errors(self):
        self.run_script([
            (0, "RPUSH", "l", "a", "b", "c", "d", "e"),
            (0, "BLPOP", "nokey", "l", "0"),
            (0, "BRPOP", "l", "0"),
            (0, "BLMPOP", "0", "2", "nokey", "l", "RIGHT", "COUNT", "2"),
            (0, "BLMOVE", "l", "dst", "LEFT", "RIGHT", "0"),
            (0, "BRPOPLPUSH", "dst", "l", "0"),
            (0, "LRANGE", "l", "0", "-1"),
            (0, "BLPOP", "nokey", "0.01"),
            (0, "BRPOP", "nokey", "nokey2", "0.01"),
            (0, "BLMPOP", "0.01", "1", "nokey", "LEFT"),
            (0, "BLMOVE", "nokey", "dst", "LEFT", "LEFT", "0.01"),
            (0, "BRPOPLPUSH", "nokey", "dst", "0.01"),
            (0, "SET", "s", "x"),
            (0, "BLPOP", "s", "0"),
            (0, "BLPOP", "nokey", "s", "0"),
            (0, "BLMPOP", "0", "2", "nokey", "s", "LEFT"),
            (0, "BLMOVE", "s", "dst", "LEFT", "LEFT", "0"),
            (0, "BLMOVE", "l", "s", "LEFT", "LEFT", "0"),
            (0, "BRPOPLPUSH", "l", "s", "0"),
            (0, "LRANGE", "l", "0", "-1"),
            (0, "BLPOP", "l", "-1"),
            (0, "BLPOP", "l", "x"),
            (0, "BLPOP", "l"),
            (0, "BLMOVE", "l", "d", "UP", "LEFT", "0"),
            (0, "BLMOVE", "l", "d", "LEFT", "DOWN", "0"),
            (0, "BLMOVE", "l", "d", "LEFT", "LEFT", "abc"),
            (0, "BLMOVE", "l", "d", "LEFT", "LEFT"),
            (0, "BRPOPLPUSH", "l", "d", "-5"),
            (0, "BLMPOP", "0", "0", "l", "LEFT"),
            (0, "BLMPOP", "0", "3", "l", "LEFT"),
            (0, "BLMPOP", "0", "1", "l", "MIDDLE"),
            (0, "BLMPOP", "0", "1", "l", "LEFT", "COUNT", "0"),
            (0, "BLMPOP", "0", "1", "l", "LEFT", "COUNT"),
            (0, "BLMPOP", "0", "1", "l", "LEFT", "FOO", "1"),
            (0, "BLMPOP", "x", "1", "l", "LEFT"),
        ])

    def test_list_wakeups_in_order(self):
        self.run_script([
            send(1, "BLPOP", "q1", "q2", "0"),
            blocked(1),
            send(2, "BRPOP", "q2", "0"),
            blocked(2),
            (0, "RPUSH", "q2", "a", "b", "c"),
            recv(1),
            recv(2),
            (0, "LRANGE", "q2", "0", "-1"),
            send(1, "BLMPOP", "0", "1", "q3", "LEFT", "COUNT", "10"),
            blocked(1),
            (0, "MULTI"),
            (0, "LPUSH", "q3", "x"),
            (0, "RPUSH", "q3", "y", "z"),
            (0, "EXEC"),
            recv(1),
            (0, "EXISTS", "q3"),
        ])

    def test_list_push_undone_and_other_ways_to_create(self):
        self.run_script([
            send(1, "BLPOP", "k", "0"),
            blocked(1),
            (0, "MULTI"),
            (0, "LPUSH", "k", "gone"),
            (0, "LPOP", "k"),
            (0, "EXEC"),
            blocked(1),
            (0, "RPUSH", "src", "r1", "r2"),
            (0, "RENAME", "src", "k"),
            recv(1),
            (0, "LRANGE", "k", "0", "-1"),
            send(1, "BRPOP", "k2", "0"),
            blocked(1),
            (0, "LMOVE", "k", "k2", "LEFT", "LEFT"),
            recv(1),
            send(2, "BLPOP", "k3", "0"),
            blocked(1),
            (0, "SELECT", "1"),
            (0, "RPUSH", "k3", "from-db1"),
            (0, "SWAPDB", "0", "1"),
            recv(2),
            (0, "SWAPDB", "0", "1"),
            (0, "SELECT", "0"),
        ])

    def test_blmove_chains(self):
        self.run_script([
            send(1, "BLMOVE", "a", "b", "LEFT", "RIGHT", "0"),
            blocked(1),
            send(2, "BRPOPLPUSH", "b", "c", "0"),
            blocked(2),
            (0, "RPUSH", "a", "v1", "v2"),
            recv(1),
            recv(2),
            (0, "LRANGE", "a", "0", "-1"),
            (0, "LRANGE", "b", "0", "-1"),
            (0, "LRANGE", "c", "0", "-1"),
            send(1, "BLMOVE", "x", "x", "RIGHT", "LEFT", "0"),
            blocked(1),
            (0, "RPUSH", "x", "1", "2", "3"),
            recv(1),
            (0, "LRANGE", "x", "0", "-1"),
            (0, "SET", "str", "v"),
            send(1, "BLMOVE", "y", "str", "LEFT", "LEFT", "0"),
            blocked(1),
            (0, "RPUSH", "y", "kept"),
            recv(1),
            (0, "LRANGE", "y", "0", "-1"),
            (0, "GET", "str"),
        ])

    def test_list_and_zset_waiters_on_one_key(self):
        self.run_script([
            send(1, "BLPOP", "mixed", "0"),
            blocked(1),
            send(2, "BZPOPMIN", "mixed", "0"),
            blocked(2),
            (0, "ZADD", "mixed", "1", "z"),
            recv(2),
            blocked(1),
            (0, "RPUSH", "mixed", "l"),
            recv(1),
        ])

    def test_list_blocking_inside_multi_acts_as_timeout(self):
        self.run_script([
            (1, "MULTI"),
            (1, "BLPOP", "l", "0"),
            (1, "BRPOP", "l", "0"),
            (1, "BLMPOP", "0", "1", "l", "LEFT"),
            (1, "BLMOVE", "l", "d", "LEFT", "LEFT", "0"),
            (1, "BRPOPLPUSH", "l", "d", "0"),
            (1, "RPUSH", "l", "a", "b"),
            (1, "BLPOP", "l", "0"),
            (1, "BLMOVE", "l", "d", "LEFT", "LEFT", "0"),
            (1, "EXEC"),
        ])

    # -- sorted sets -------------------------------------------------------

    def test_zset_immediate_and_errors(self):
        self.run_script([
            (0, "ZADD", "z", "1", "a", "2", "b", "3.5", "c", "4", "d"),
            (0, "BZPOPMIN", "z", "0"),
            (0, "BZPOPMAX", "nokey", "z", "0"),
            (0, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "5"),
            (0, "EXISTS", "z"),
            (0, "BZPOPMIN", "nokey", "0.01"),
            (0, "BZPOPMAX", "nokey", "0.01"),
            (0, "BZMPOP", "0.01", "2", "nokey", "nokey2", "MAX"),
            (0, "SET", "s", "x"),
            (0, "BZPOPMIN", "s", "0"),
            (0, "BZPOPMIN", "nokey", "s", "0"),
            (0, "BZMPOP", "0", "2", "nokey", "s", "MIN"),
            (0, "BZPOPMIN", "z", "-1"),
            (0, "BZPOPMIN", "z", "abc"),
            (0, "BZPOPMIN", "z", "nan"),
            (0, "BZPOPMIN", "z", "inf"),
            (0, "BZPOPMIN", "z", " 1"),
            (0, "BZPOPMIN", "z"),
            (0, "BZMPOP", "0", "0", "z", "MIN"),
            (0, "BZMPOP", "0", "-1", "z", "MIN"),
            (0, "BZMPOP", "0", "x", "z", "MIN"),
            (0, "BZMPOP", "0", "2", "z", "MIN"),
            (0, "BZMPOP", "0", "1", "z", "MED"),
            (0, "BZMPOP", "0", "1", "z", "MIN", "COUNT"),
            (0, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "0"),
            (0, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "-3"),
            (0, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"),
            (0, "BZMPOP", "abc", "1", "z", "MIN"),
            (0, "BZMPOP", "abc", "0", "z", "MIN"),
            (0, "BZMPOP", "-1", "1", "z", "MIN"),
            (0, "BZMPOP", "0", "1"),
        ])

    def test_zset_wakeups_in_order(self):
        self.run_script([
            send(1, "BZPOPMIN", "z1", "z2", "0"),
            blocked(1),
            send(2, "BZMPOP", "0", "2", "z2", "z1", "MAX", "COUNT", "2"),
            blocked(2),
            (0, "ZADD", "z2", "1", "a", "2", "b", "3", "c"),
            recv(1),
            recv(2),
            (0, "ZRANGE", "z2", "0", "-1", "WITHSCORES"),
            blocked(0),
            send(1, "BZPOPMAX", "z3", "0"),
            blocked(1),
            (0, "MULTI"),
            (0, "ZADD", "z3", "5", "x"),
            (0, "ZADD", "z3", "6", "y"),
            (0, "ZINCRBY", "z3", "10", "x"),
            (0, "EXEC"),
            recv(1),
            (0, "ZRANGE", "z3", "0", "-1", "WITHSCORES"),
        ])

    def test_zset_push_undone_in_the_same_transaction(self):
        self.run_script([
            send(1, "BZPOPMIN", "z", "0"),
            blocked(1),
            (0, "MULTI"),
            (0, "ZADD", "z", "1", "a"),
            (0, "ZREM", "z", "a"),
            (0, "EXEC"),
            (0, "ZADD", "other", "1", "o"),
            blocked(1),
            (0, "ZADD", "z", "7", "late"),
            recv(1),
        ])

    def test_zset_blocking_inside_multi_acts_as_timeout(self):
        self.run_script([
            (1, "MULTI"),
            (1, "BZPOPMIN", "z", "0"),
            (1, "BZMPOP", "0", "1", "z", "MIN"),
            (1, "ZADD", "z", "1", "a"),
            (1, "BZPOPMAX", "z", "0"),
            (1, "EXEC"),
        ])

    def test_wait_blocks_until_its_timeout_or_unblock(self):
        # WAIT for replicas that never acknowledge: a blocked client (in the
        # timeout table when it has one), answered 0.
        ids = {}
        self.run_script([
            client_id(1, ids), client_id(2, ids),
            send(1, "WAIT", "1", "0"), send(2, "WAIT", "2", "100000"), blocked(2), timeout_table(0),
            unblock(0, 1, ids), recv(1), unblock(0, 2, ids, "ERROR"), recv(2),
            send(1, "WAIT", "1", "50"), recv(1), blocked(0),
        ])

    def test_unblock_and_timeouts(self):
        ids = {}
        self.run_script([
            client_id(1, ids),
            client_id(2, ids),
            send(1, "BZPOPMIN", "z", "0"),
            blocked(1),
            unblock(0, 1, ids),
            recv(1),
            send(2, "BZMPOP", "0", "1", "z", "MIN"),
            blocked(1),
            unblock(0, 2, ids, "ERROR"),
            recv(2),
            unblock(0, 2, ids, "TIMEOUT"),
            (0, "CLIENT", "UNBLOCK", "abc"),
            (0, "CLIENT", "UNBLOCK", "1", "maybe"),
            (0, "CLIENT", "UNBLOCK", "1", "timeout", "x"),
            send(1, "BZPOPMIN", "z", "0.05"),
            recv(1),
            send(1, "BLMOVE", "l", "d", "LEFT", "LEFT", "0.05"),
            recv(1),
            send(2, "BLPOP", "l", "0"),
            blocked(1),
            unblock(0, 2, ids),
            recv(2),
            blocked(0),
            (1, "ZADD", "z", "1", "a"),
            (0, "ZCARD", "z"),
        ])


    def test_clients_in_timeout_table(self):
        # Redis's timeout table holds the blocked clients with a timeout.
        self.run_script([
            timeout_table(0),
            send(1, "BLPOP", "l", "0"),
            send(2, "BLPOP", "m", "100"),
            blocked(2),
            timeout_table(0),
            (0, "RPUSH", "m", "b"),
            recv(2),
            timeout_table(0),
            (0, "RPUSH", "l", "a"),
            recv(1),
            timeout_table(0),
        ])

    def test_killed_waiter_is_gone_before_the_next_command(self):
        # Redis frees a killed client at once: a push pipelined after CLIENT
        # KILL finds no waiter (the element stays), and INFO counts none.
        ids = {}
        self.run_script([
            client_id(1, ids),
            send(1, "BLPOP", "k", "0"),
            blocked(1),
            Raw(0, lambda c: pipeline(0, ("CLIENT", "KILL", "ID", str(ids[1])), ("RPUSH", "k", "v"),
                                      ("INFO", "clients"), ("LLEN", "k"),
                                      pick=info_line("blocked_clients")).fn(c), "kill, push"),
        ])

    def test_timeouts_past_the_timer_range_still_block(self):
        # 10^10 s (ms past what a nanosecond clock holds): blocked, then served.
        self.run_script([
            send(1, "BLPOP", "k", "10000000000"),
            send(2, "XREAD", "BLOCK", "9223372036854775807", "STREAMS", "s", "$"),
            blocked(2),
            silent_for(1, 0.2),
            (0, "RPUSH", "k", "v"),
            recv(1),
            (0, "XADD", "s", "1-1", "f", "v"),
            recv(2),
        ])

    def test_clients_held_by_a_pause_resume_in_arrival_order(self):
        # Redis lets its postponed clients go first come first served. (The
        # clients come 7 ms apart: Larder's held clients used to retry each
        # on its own 10 ms timer, so they went in the order of those phases.)
        steps = [(0, "CLIENT", "PAUSE", "100000", "WRITE")]
        for i in (1, 2, 3, 4):
            steps += [send(i, "RPUSH", "l", "c%d" % i), blocked(i), Sleep(0.007)]
        steps += [send(5, "BLPOP", "q", "0"), blocked(5), send(6, "BLPOP", "q", "0"), blocked(6),
                  (0, "CLIENT", "UNPAUSE")]
        steps += [recv(i) for i in (1, 2, 3, 4)]
        steps += [blocked(2), (0, "RPUSH", "q", "x"), recv(5), (0, "RPUSH", "q", "y"), recv(6),
                  (0, "LRANGE", "l", "0", "-1")]
        self.run_script(steps, clients=7)

    def test_no_client_counts_blocked_once_a_pause_ends(self):
        # Held commands run after every held client is let go (and under
        # ALL, nothing gets through, CLIENT UNPAUSE included).
        self.run_script([
            (0, "CLIENT", "PAUSE", "300", "ALL"),
            send(1, "GET", "a"),
            send(2, "INFO", "clients"),
            send(3, "CLIENT", "INFO"),
            recv(1),
            Raw(2, lambda c: info_line("blocked_clients")(("INFO",), c.read_reply()), "held INFO"),
            Raw(3, lambda c: re.search(rb"flags=\S+", c.read_reply()).group(0), "held CLIENT INFO flags"),
        ], clients=4)

class BlockingDiffResp3(BlockingDiff):
    RESP3 = True


if __name__ == "__main__":
    unittest.main()
