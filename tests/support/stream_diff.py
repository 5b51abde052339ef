"""Helpers of the stream differential tests (tests/differential/test_streams.py,
test_stream_groups.py): scripts whose replies are compared byte for byte
with redis-server's, in RESP2 or RESP3, some of them after a mask that hides
what cannot be equal (times, Redis's rax node count)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from larder_harness import DifferentialTestCase, decode, show  # noqa: E402


class Masked:
    """A command whose replies are compared after `fn(decoded reply)`."""

    def __init__(self, fn, *args):
        self.fn = fn
        self.args = args


def mask_rax_nodes(reply):
    """XINFO STREAM's flat (RESP2) or map (RESP3) reply without radix-tree-nodes."""
    if isinstance(reply, dict):
        return {k: v for k, v in reply.items() if k != b"radix-tree-nodes"}
    if isinstance(reply, list):
        out = []
        for k, v in zip(reply[::2], reply[1::2]):
            if k != b"radix-tree-nodes":
                out += [k, v]
        return out
    return reply


def _pairs(m):
    """A decoded map (RESP3 dict or RESP2 flat list) as a dict."""
    return dict(m) if isinstance(m, dict) else dict(zip(m[::2], m[1::2]))


def mask_keys(m, keys):
    """A decoded map with the values of `keys` replaced by b"T"."""
    return {k: (b"T" if k in keys else v) for k, v in _pairs(m).items()}


def mask_pending(reply):
    """XPENDING's extended form with each entry's idle time replaced."""
    if not isinstance(reply, list):
        return reply
    return [e[:2] + [b"T"] + e[3:] for e in reply]


def mask_consumers(reply):
    """XINFO CONSUMERS with the idle times replaced."""
    return [mask_keys(c, {b"idle"}) for c in reply] if isinstance(reply, list) else reply


def mask_full(reply):
    """XINFO STREAM FULL without radix-tree-nodes and with delivery and
    seen times replaced."""
    if not isinstance(reply, (list, dict)):
        return reply
    info = _pairs(mask_rax_nodes(reply))
    groups = []
    for g in info.get(b"groups", []):
        g = _pairs(g)
        g[b"pending"] = [e[:2] + [b"T"] + e[3:] for e in g[b"pending"]]
        consumers = []
        for c in g[b"consumers"]:
            c = mask_keys(c, {b"seen-time"})
            c[b"pending"] = [e[:1] + [b"T"] + e[2:] for e in c[b"pending"]]
            consumers.append(c)
        g[b"consumers"] = consumers
        groups.append(g)
    info[b"groups"] = groups
    return info


class StreamDiffBase(DifferentialTestCase):
    PROTOCOL = 2

    def prelude(self, c):
        if self.PROTOCOL == 3:
            self.assertTrue(c.cmd("HELLO", "3").startswith(b"%"))

    def run_script(self, c, script):
        out = []
        for e in script:
            if isinstance(e, Masked):
                out.append(repr(e.fn(decode(c.cmd(*e.args)))).encode())
            else:
                out.append(c.cmd(*e))
        return out

    def check(self, script, flush=True):
        if flush:
            script = [("FLUSHALL",)] + list(script)
        with self.redis.client() as rc, self.larder.client() as lc:
            self.prelude(rc)
            self.prelude(lc)
            expected = self.run_script(rc, script)
            actual = self.run_script(lc, script)
        bad = []
        for i, (s, e, a) in enumerate(zip(script, expected, actual)):
            if e != a:
                args = s.args if isinstance(s, Masked) else s
                bad.append("  #%d %s\n      redis : %s\n      larder: %s"
                           % (i, " ".join(map(str, args))[:200], show(e)[:600], show(a)[:600]))
        if bad:
            self.fail("RESP%d: %d of %d replies differ:\n%s" % (self.PROTOCOL, len(bad), len(script),
                                                                "\n".join(bad)))

