#!/usr/bin/python3
"""Small requests that must not blow up memory (issue 14, defect 5), measured
as the server's peak RSS (VmHWM in /proc/<pid>/status):
  - LCS of two 20 KB strings is refused as Redis refuses it, when its table
    would exceed proto-max-bulk-len, and smaller LCS run in bits per cell;
  - SETRANGE k 536870911 x allocates the value once at its final size
    (Redis 7.0.15: ~529 MB peak);
  - 64 APPENDs of 1 MB grow the value in place (Redis: 0.08 s, ~75 MB)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import ServerTestCase, encode_command, under_sanitizer  # noqa: E402

MB = 1024 * 1024
# Under a sanitizer (scripts/test sets TSAN_OPTIONS or ASAN_OPTIONS for those
# runs) shadow memory grows with the heap, so RSS and timings say nothing
# about Larder; the replies are still checked.
UNDER_SANITIZER = under_sanitizer()


def server_cpu_seconds(srv):
    """User + system CPU time of the server process (/proc/PID/stat)."""
    with open("/proc/%d/stat" % srv.proc.pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss(srv):
    with open("/proc/%d/status" % srv.proc.pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


class TransientMemoryTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.srv = self.start_larder()
        self.c = self.client(self.srv)

    def test_lcs_beyond_proto_max_bulk_len_is_refused(self):
        a = bytes(i * 7 % 251 for i in range(20000))
        b = bytes(i * 11 % 241 for i in range(20000))
        self.assertEqual(self.c.cmd("MSET", "a", a, "b", b), b"+OK\r\n")
        before = peak_rss(self.srv)
        self.assertEqual(self.c.cmd("LCS", "a", "b"),
                         b"-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n")
        self.assertEqual(self.c.cmd("LCS", "a", "b", "LEN"),
                         b"-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n")
        if UNDER_SANITIZER:
            return
        self.assertLess(peak_rss(self.srv) - before, 16 * MB)
        # With a higher limit it runs, in one bit per cell (50 MB) rather
        # than Redis's 4 bytes (1.6 GB).
        self.assertEqual(self.c.cmd("CONFIG", "SET", "proto-max-bulk-len", "2gb"), b"+OK\r\n")
        reply = self.c.cmd("LCS", "a", "b", "LEN")
        self.assertTrue(reply.startswith(b":"), reply)
        self.assertLess(peak_rss(self.srv) - before, 200 * MB)

    def test_setrange_at_the_last_offset_allocates_once(self):
        if UNDER_SANITIZER:
            self.skipTest("RSS is not Larder's under a sanitizer")
        before = peak_rss(self.srv)
        self.assertEqual(self.c.cmd("SETRANGE", "k", "536870911", "x"), b":536870912\r\n")
        grown = peak_rss(self.srv) - before
        self.assertLess(grown, 600 * MB, "SETRANGE peaked %d MB above its start" % (grown // MB))
        self.assertEqual(self.c.cmd("GETRANGE", "k", "536870910", "-1"), b"$2\r\n\x00x\r\n")
        self.assertEqual(self.c.cmd("DEL", "k"), b":1\r\n")

    def test_appends_of_1mb_grow_in_place(self):
        if UNDER_SANITIZER:
            self.skipTest("RSS and time are not Larder's under a sanitizer")
        chunk = b"a" * MB
        before = peak_rss(self.srv)
        cpu_before = server_cpu_seconds(self.srv)
        for i in range(64):
            self.assertEqual(self.c.cmd("APPEND", "k", chunk), b":%d\r\n" % ((i + 1) * MB))
        cpu = server_cpu_seconds(self.srv) - cpu_before
        grown = peak_rss(self.srv) - before
        # Copying the value at each append (the defect) cost ~3 s of CPU;
        # the server's CPU time, unlike wall time, ignores a loaded machine.
        self.assertLess(cpu, 1.0, "64 APPENDs of 1 MB took %.2f s of server CPU" % cpu)
        self.assertLess(grown, 160 * MB, "64 APPENDs of 1 MB peaked %d MB above the start" % (grown // MB))
        self.assertEqual(self.c.cmd("STRLEN", "k"), b":%d\r\n" % (64 * MB))


if __name__ == "__main__":
    unittest.main()
