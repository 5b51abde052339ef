#!/usr/bin/python3
"""Node.js client libraries (ioredis 6, node-redis 5, with client-side caching too) and BullMQ 6
against Larder, unchanged.

The scenarios live in tests/clients/node/*.mjs; their npm dependencies are
pinned by tests/clients/node/package-lock.json. This script installs them with
`npm ci` when node_modules is missing or was installed from another
package.json/package-lock.json, starts a fresh Larder per scenario and runs
`node <scenario>.mjs <mode>` with LARDER_PORT set. A scenario passes only if
node exits 0.

Needs `node` (>= 18) and `npm` on PATH (scripts/install-deps installs Debian's
nodejs and npm when they are missing) and the npm registry for the first run.
"""
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
STAMP = os.path.join(NODE_DIR, "node_modules", ".larder-install-stamp")
NPM_TIMEOUT = 240
SCENARIO_TIMEOUT = 30   # each scenario watchdogs itself at 15 s

# (script, mode): see the header of each script for what the mode selects.
SCENARIOS = [
    ("ioredis.mjs", "default"),   # ioredis 6 default: HELLO 3
    ("ioredis.mjs", "resp2"),
    ("ioredis.mjs", "resp3"),     # HELLO 3 + replyMapping "resp3"
    ("node_redis.mjs", "default"),  # node-redis 5 default: RESP2, no HELLO
    ("node_redis.mjs", "resp3"),    # RESP: 3 -> HELLO 3 SETNAME
    ("bullmq.mjs", "default"),      # BullMQ 6: Lua scripts, streams, delayed and retried jobs
    ("node_redis_csc.mjs", "resp3"),  # RESP: 3 + clientSideCache: CLIENT TRACKING, invalidations
]


def _install_fingerprint():
    h = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        path = os.path.join(NODE_DIR, name)
        h.update(name.encode() + b"\0")
        if os.path.exists(path):
            with open(path, "rb") as f:
                h.update(f.read())
        h.update(b"\0")
    node = subprocess.run(["node", "--version"], stdout=subprocess.PIPE, timeout=30)
    h.update(node.stdout)
    return h.hexdigest()


def ensure_node_modules():
    """npm ci (or npm install without a lock) if node_modules is missing or stale."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise AssertionError("%s not found on PATH (scripts/install-deps installs it)" % tool)
    lock_path = os.path.join(tempfile.gettempdir(), "larder-npm-%s.lock"
                             % hashlib.sha256(NODE_DIR.encode()).hexdigest()[:16])
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # two test runs sharing the checkout
        want = _install_fingerprint()
        try:
            with open(STAMP) as f:
                have = f.read().strip()
        except OSError:
            have = None
        if have == want and os.path.isdir(os.path.join(NODE_DIR, "node_modules")):
            return
        if os.path.exists(os.path.join(NODE_DIR, "package-lock.json")):
            argv = ["npm", "ci", "--no-audit", "--no-fund"]
        else:
            argv = ["npm", "install", "--no-audit", "--no-fund"]
        print("tests/clients/node: running %s" % " ".join(argv), flush=True)
        p = subprocess.run(argv, cwd=NODE_DIR, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=NPM_TIMEOUT)
        out = p.stdout.decode("utf-8", "replace")
        if p.returncode != 0:
            raise AssertionError("%s failed with exit code %d:\n%s"
                                 % (" ".join(argv), p.returncode, out))
        with open(STAMP, "w") as f:
            f.write(want + "\n")


class NodeClientsTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ensure_node_modules()

    def run_scenario(self, script, mode):
        srv = self.start_larder()
        env = dict(os.environ, LARDER_PORT=str(srv.port), NODE_NO_WARNINGS="1")
        try:
            p = subprocess.run(["node", script, mode], cwd=NODE_DIR, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=SCENARIO_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            self.fail("node %s %s did not exit within %d s; output:\n%s"
                      % (script, mode, SCENARIO_TIMEOUT,
                         (e.stdout or b"").decode("utf-8", "replace")))
        out = p.stdout.decode("utf-8", "replace")
        if p.returncode != 0:
            self.fail("node %s %s exited with %d:\n%s" % (script, mode, p.returncode, out))
        self.assertIn("PASS ", out, "node %s %s exited 0 without PASS:\n%s" % (script, mode, out))
        self.assertTrue(srv.alive(), "server died during node %s %s" % (script, mode))


def _make_test(script, mode):
    def test(self):
        self.run_scenario(script, mode)
    test.__doc__ = "node %s %s" % (script, mode)
    return test


for _script, _mode in SCENARIOS:
    setattr(NodeClientsTest, "test_%s_%s" % (_script.split(".")[0], _mode),
            _make_test(_script, _mode))


if __name__ == "__main__":
    unittest.main(verbosity=2)
