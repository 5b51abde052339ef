#!/usr/bin/python3
"""INFO's instantaneous rates on a running server: they rise while a client
keeps the server busy and fall back once it stops, as Redis's do (a 100 ms
cron, the mean of the last 16 samples)."""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, decode, encode_command, info_fields  # noqa: E402

BATCH = 500


class InfoRatesTest(ServerTestCase):
    def test_rates_follow_the_load(self):
        srv = self.start_larder()
        with srv.client() as busy, srv.client() as c:
            fresh = info_fields(c.cmd("INFO", "stats"))
            for name in ("instantaneous_ops_per_sec", "instantaneous_input_kbps", "instantaneous_output_kbps"):
                self.assertIn(name, fresh)
            # Busy for a second: pipelined SETs of 100 B values.
            payload = b"".join(encode_command(b"SET", b"k%d" % i, b"v" * 100) for i in range(BATCH))
            sent = 0
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                busy.send(payload)
                busy.read_replies(BATCH)
                sent += BATCH
            loaded = info_fields(c.cmd("INFO", "stats"))
            ops = int(loaded["instantaneous_ops_per_sec"])
            self.assertGreater(ops, 0)
            # Not more than were sent in the last 1.6 s (the samples' span).
            self.assertLessEqual(ops, sent)
            self.assertGreater(float(loaded["instantaneous_input_kbps"]), 0)
            self.assertGreater(float(loaded["instantaneous_output_kbps"]), 0)
            # Idle again: the rates fall to what this polling costs.
            deadline = time.monotonic() + 30
            while True:
                after = info_fields(c.cmd("INFO", "stats"))
                if int(after["instantaneous_ops_per_sec"]) < 20 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            self.assertLess(int(after["instantaneous_ops_per_sec"]), 20)
            self.assertLess(float(after["instantaneous_output_kbps"]), float(loaded["instantaneous_output_kbps"]))
            # CONFIG RESETSTAT zeroes them at once. In one transaction: a
            # sample taken between the two would count RESETSTAT itself.
            self.assertEqual(c.cmd("MULTI"), b"+OK\r\n")
            self.assertEqual(c.cmd("CONFIG", "RESETSTAT"), b"+QUEUED\r\n")
            self.assertEqual(c.cmd("INFO", "stats"), b"+QUEUED\r\n")
            ok, text = decode(c.cmd("EXEC"))
            self.assertEqual(ok, "OK")
            self.assertEqual(info_fields(text)["instantaneous_ops_per_sec"], "0")


if __name__ == "__main__":
    unittest.main()
