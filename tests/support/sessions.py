"""Differential helper for scripts that use several connections per server.

A script is a list of steps. A step is
  (i, arg, arg, ...)      client i sends the command; its reply is compared
  Sleep(seconds)          both servers: wait (expiry tests)
  Raw(i, fn)              fn(client) -> bytes, run on each server's client i;
                          the returned bytes are compared
Replies are compared byte for byte, except those of commands for which a
normaliser is given (normalise(cmd_args, reply) -> bytes).

Scripts that also read what arrives unasked (Pub/Sub messages, tracking
invalidations) run their own loop over Cmd / Read / Quiet steps and report
with step_mismatches().
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from larder_harness import show, fmt_cmd  # noqa: E402


class Sleep:
    def __init__(self, seconds):
        self.seconds = seconds

    def __repr__(self):
        return "Sleep(%s)" % self.seconds


class Raw:
    def __init__(self, i, fn, text="raw"):
        self.i = i
        self.fn = fn
        self.text = text

    def __repr__(self):
        return "Raw(%d, %s)" % (self.i, self.text)


def _describe(step):
    if isinstance(step, (Sleep, Raw)):
        return repr(step)
    return "c%d: %s" % (step[0], fmt_cmd(step[1:]))


def run_sessions(srv, script, clients=2, resp3=False, flush=True):
    """Run `script` on `srv`; return the list of replies (None for Sleep)."""
    conns = [srv.client() for _ in range(clients)]
    try:
        if flush:
            conns[0].cmd("FLUSHALL")
        if resp3:
            for c in conns:
                r = c.cmd("HELLO", "3")
                if not r.startswith(b"%"):
                    raise AssertionError("HELLO 3 failed on %r: %s" % (srv, show(r)))
        out = []
        for step in script:
            if isinstance(step, Sleep):
                time.sleep(step.seconds)
                out.append(None)
            elif isinstance(step, Raw):
                out.append(step.fn(conns[step.i]))
            else:
                out.append(conns[step[0]].cmd(*step[1:]))
        return out
    finally:
        for c in conns:
            c.close()


def compare_sessions(testcase, script, clients=2, resp3=False, normalise=None, flush=True):
    """Run the script on testcase.redis and testcase.larder and fail on any difference."""
    expected = run_sessions(testcase.redis, script, clients, resp3, flush)
    try:
        actual = run_sessions(testcase.larder, script, clients, resp3, flush)
    except Exception as e:  # noqa: BLE001
        raise AssertionError("Larder failed while running the script: %r" % e)
    bad = []
    for i, (step, e, a) in enumerate(zip(script, expected, actual)):
        if e is None and a is None:
            continue
        e2, a2 = e, a
        if normalise is not None and not isinstance(step, (Sleep, Raw)):
            e2, a2 = normalise(step[1:], e), normalise(step[1:], a)
        if e2 != a2:
            bad.append("  #%d %s\n      redis : %s\n      larder: %s" % (i, _describe(step), show(e), show(a)))
    if bad:
        testcase.fail("%d of %d replies differ from redis-server (%s):\n%s"
                      % (len(bad), len(script), "RESP3" if resp3 else "RESP2", "\n".join(bad)))
    return expected


class Cmd:
    """Client i sends args and reads n replies."""
    def __init__(self, i, n, *args):
        self.i, self.n, self.args = i, n, args

    def __repr__(self):
        return "c%d: %s (%d replies)" % (self.i, " ".join(map(str, self.args)), self.n)


class Read:
    """Client i reads n more replies; sort=True compares them sorted."""
    def __init__(self, i, n=1, sort=False):
        self.i, self.n, self.sort = i, n, sort

    def __repr__(self):
        return "c%d reads %d" % (self.i, self.n)


class Quiet:
    """Client i has received nothing more (0.2 s)."""
    def __init__(self, i):
        self.i = i

    def __repr__(self):
        return "c%d quiet" % self.i


def step_mismatches(script, expected, actual):
    """One text block per step whose results differ (bytes shown escaped)."""
    text = lambda r: show(r) if isinstance(r, bytes) else repr(r)  # noqa: E731
    return ["  #%d %r\n      redis : %s\n      larder: %s" % (i, step, text(e), text(a))
            for i, (step, e, a) in enumerate(zip(script, expected, actual)) if e != a]
