#!/usr/bin/python3
"""Rails' ActiveSupport::Cache::RedisCacheStore (Debian ruby-activesupport 6.1,
ruby-redis 4.8) against Larder.

The checks live in tests/clients/ruby/rails_cache_store.rb: write/read/fetch
(force, race_condition_ttl, an expired entry), write_multi/read_multi/
fetch_multi, increment/decrement, the error handler on a failed INCRBY,
delete/delete_matched/exist?/clear/cleanup, namespace and compression. The
script prints a line per check and exits nonzero on any failure. Needs `ruby`
on PATH; a missing library is a failure, not a skip.
"""
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase  # noqa: E402

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ruby", "rails_cache_store.rb")
TIMEOUT = 60


class RailsCacheStoreTest(ServerTestCase):
    def run_script(self, srv):
        ruby = shutil.which("ruby")
        self.assertIsNotNone(ruby, "ruby not found on PATH (apt-get install ruby ruby-activesupport "
                                   "ruby-redis)")
        p = subprocess.run([ruby, SCRIPT, str(srv.port)], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, "rails_cache_store.rb exited %d:\n%s" % (p.returncode, out))
        self.assertIn("\n0 failure(s)", out)
        self.assertGreaterEqual(out.count("\nok  "), 45, out)   # every check ran

    def test_rails_cache_store(self):
        self.run_script(self.start_larder(threads=2))


if __name__ == "__main__":
    unittest.main()
