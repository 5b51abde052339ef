#!/usr/bin/python3
"""phpredis (Debian php-redis 5.3 on PHP 8.2, the client Laravel's cache, locks
and queues use) against Larder started with `requirepass`.

The checks live in tests/clients/php/phpredis_flows.php: NOAUTH/WRONGPASS/AUTH,
SELECT, CLIENT SETNAME, SETEX/GET/MGET, SET NX PX, the Laravel lock release
script with EVAL/EVALSHA/NOSCRIPT, the Laravel queue pop script (cjson), SCAN
with SCAN_RETRY, ZADD options/ZSCAN/ZREMRANGEBYSCORE, MULTI/WATCH/pipeline,
the php/json/igbinary serializers (exact stored bytes), LZF/ZSTD/LZ4
compression and OPT_PREFIX. The script prints a line per check and exits
nonzero on any failure. Needs `php` on PATH with the redis extension; a missing
one is a failure, not a skip.
"""
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "php", "phpredis_flows.php")
TIMEOUT = 60


class PhpRedisTest(ServerTestCase):
    def test_phpredis_flows(self):
        php = shutil.which("php")
        self.assertIsNotNone(php, "php not found on PATH (apt-get install php-cli php-redis)")
        srv = self.start_larder("--requirepass", "s3cret", threads=2)
        p = subprocess.run([php, SCRIPT, str(srv.port)], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, "phpredis_flows.php exited %d:\n%s" % (p.returncode, out))
        self.assertIn("\n0 failure(s)", out)
        self.assertGreaterEqual(out.count("\nok   "), 110, out)   # every check ran


if __name__ == "__main__":
    unittest.main()
