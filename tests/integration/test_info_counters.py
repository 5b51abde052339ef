#!/usr/bin/python3
"""INFO's I/O, eviction and lazy-free counters on a running server, kept as
Redis 7.0 keeps them: total_reads_processed / total_writes_processed count
read and reply-write events, total_ / current_eviction_exceeded_time the
time memory stayed over maxmemory with eviction unable to bring it back, and
lazyfreed_objects the keys an asynchronous flush freed, expired_stale_perc
and expire_cycle_cpu_milliseconds what active expiry found and spent. A
blocking command that times out counts a call but no latency sample;
latency-tracking no records none and empties INFO latencystats, whose
percentiles are latency-tracking-info-percentiles'. Also passes against
redis-server (LARDER_AS_REDIS=1)."""
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import decode, ServerTestCase, encode_command, info_fields  # noqa: E402

KEYS = 1000


def fill(client, n=KEYS):
    client.send(b"".join(encode_command(b"SET", b"key:%d" % i, b"v" * 50) for i in range(n)))
    client.read_replies(n)


class InfoCountersTest(ServerTestCase):
    def test_reads_and_writes_processed(self):
        srv = self.start_larder()
        with srv.client() as c:
            before = info_fields(c.cmd("INFO", "stats"))
            for i in range(10):
                self.assertEqual(c.cmd("SET", "k%d" % i, "v"), b"+OK\r\n")
            after = info_fields(c.cmd("INFO", "stats"))
            # Each SET was read and answered on its own; the last INFO was
            # read too, and the first one's reply written.
            reads = int(after["total_reads_processed"]) - int(before["total_reads_processed"])
            writes = int(after["total_writes_processed"]) - int(before["total_writes_processed"])
            self.assertGreaterEqual(reads, 11)
            self.assertGreaterEqual(writes, 11)
            self.assertEqual(after["io_threaded_reads_processed"], "0")
            self.assertEqual(after["io_threaded_writes_processed"], "0")
            self.assertEqual(c.cmd("CONFIG", "RESETSTAT"), b"+OK\r\n")
            reset = info_fields(c.cmd("INFO", "stats"))
            self.assertLessEqual(int(reset["total_writes_processed"]), 1)

    def test_timed_out_blocking_call_has_no_latency_sample(self):
        srv = self.start_larder()
        with srv.client() as c, srv.client() as pusher:
            self.assertEqual(c.cmd("BLPOP", "nokey", "0.05"), b"*-1\r\n")
            self.assertIn(b"cmdstat_blpop:calls=1,", c.cmd("INFO", "commandstats"))
            self.assertNotIn(b"latency_percentiles_usec_blpop:", c.cmd("INFO", "latencystats"))
            self.assertEqual(c.cmd("LATENCY", "HISTOGRAM", "blpop"), b"*0\r\n")
            c.send(encode_command("BLPOP", "l", "5"))
            deadline = time.monotonic() + 5
            while b"blocked_clients:1" not in pusher.cmd("INFO", "clients") and time.monotonic() < deadline:
                time.sleep(0.01)
            pusher.cmd("RPUSH", "l", "a")
            self.assertEqual(c.read_reply(), b"*2\r\n$1\r\nl\r\n$1\r\na\r\n")
            self.assertIn(b"cmdstat_blpop:calls=2,", c.cmd("INFO", "commandstats"))
            self.assertIn(b"latency_percentiles_usec_blpop:", c.cmd("INFO", "latencystats"))

    def test_latency_tracking_and_its_percentiles(self):
        srv = self.start_larder()
        with srv.client() as c:
            for _ in range(3):
                self.assertEqual(c.cmd("ECHO", "x"), b"$1\r\nx\r\n")
            value = r"[0-9]+\.[0-9]{3}"
            line = re.search(rb"latency_percentiles_usec_echo:(.*)\r\n", c.cmd("INFO", "latencystats")).group(1)
            self.assertRegex(line.decode(), r"^p50=%s,p99=%s,p99\.9=%s$" % (value, value, value))
            self.assertEqual(c.cmd("CONFIG", "SET", "latency-tracking-info-percentiles", "0 12.5 1e2 -0"), b"+OK\r\n")
            line = re.search(rb"latency_percentiles_usec_echo:(.*)\r\n", c.cmd("INFO", "latencystats")).group(1)
            self.assertRegex(line.decode(), r"^p0=%s,p12\.5=%s,p100=%s,p-0=%s$" % (value, value, value, value))
            self.assertEqual(c.cmd("CONFIG", "SET", "latency-tracking-info-percentiles", ""), b"+OK\r\n")
            self.assertIn(b"\r\nlatency_percentiles_usec_echo:\r\n", c.cmd("INFO", "latencystats"))
            self.assertEqual(c.cmd("CONFIG", "SET", "latency-tracking", "no"), b"+OK\r\n")
            self.assertEqual(c.cmd("INFO", "latencystats"), b"$16\r\n# Latencystats\r\n\r\n")
            for _ in range(5):
                self.assertEqual(c.cmd("ECHO", "x"), b"$1\r\nx\r\n")
            self.assertEqual(c.cmd("CONFIG", "SET", "latency-tracking", "yes"), b"+OK\r\n")
            # The ECHOs made while tracking was off added no sample.
            histogram = c.cmd("LATENCY", "HISTOGRAM", "echo")
            self.assertIn(b"$5\r\ncalls\r\n:3\r\n", histogram)
            self.assertIn(b"cmdstat_echo:calls=8,", c.cmd("INFO", "commandstats"))

    def test_idle_and_killed_clients_add_no_reads(self):
        srv = self.start_larder()
        with srv.client() as idle, srv.client() as c:
            reply = idle.cmd("CLIENT", "ID")
            self.assertTrue(reply.startswith(b":"), reply)
            client_id = reply[1:].strip().decode()
            before = int(info_fields(c.cmd("INFO", "stats"))["total_reads_processed"])
            # Larder frees idle clients' read buffers each second by cancelling
            # their reads, and CLIENT KILL cancels the killed client's: neither
            # is a read event.
            time.sleep(2.5)
            self.assertEqual(c.cmd("CLIENT", "KILL", "ID", client_id), b":1\r\n")
            after = int(info_fields(c.cmd("INFO", "stats"))["total_reads_processed"])
            self.assertEqual(after - before, 2)  # CLIENT KILL and the second INFO

    def test_eviction_exceeded_time(self):
        srv = self.start_larder()
        with srv.client() as c:
            fill(c)
            fresh = info_fields(c.cmd("INFO", "stats"))
            self.assertEqual(fresh["current_eviction_exceeded_time"], "0")
            self.assertEqual(fresh["evicted_clients"], "0")
            # Over the limit with nothing the policy may evict: a period opens.
            self.assertEqual(c.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction"), b"+OK\r\n")
            self.assertEqual(c.cmd("CONFIG", "SET", "maxmemory", "1"), b"+OK\r\n")
            self.assertTrue(c.cmd("SET", "x", "y").startswith(b"-OOM "))
            time.sleep(0.3)
            over = info_fields(c.cmd("INFO", "stats"))
            current = int(over["current_eviction_exceeded_time"])
            self.assertGreaterEqual(current, 250)
            self.assertGreaterEqual(int(over["total_eviction_exceeded_time"]), current)
            # Room again: the next command closes it, and its time stays in the total.
            self.assertEqual(c.cmd("CONFIG", "SET", "maxmemory", "1gb"), b"+OK\r\n")
            self.assertEqual(c.cmd("SET", "x", "y"), b"+OK\r\n")
            closed = info_fields(c.cmd("INFO", "stats"))
            self.assertEqual(closed["current_eviction_exceeded_time"], "0")
            total = int(closed["total_eviction_exceeded_time"])
            self.assertGreaterEqual(total, current)
            time.sleep(0.1)
            later = info_fields(c.cmd("INFO", "stats"))
            self.assertEqual(int(later["total_eviction_exceeded_time"]), total)
            self.assertEqual(c.cmd("CONFIG", "RESETSTAT"), b"+OK\r\n")
            self.assertEqual(info_fields(c.cmd("INFO", "stats"))["total_eviction_exceeded_time"], "0")

    def test_active_expiry_figures(self):
        srv = self.start_larder()
        n = 20000
        with srv.client() as c:
            fresh = info_fields(c.cmd("INFO", "stats"))
            self.assertEqual(fresh["expired_stale_perc"], "0.00")
            c.send(b"".join(encode_command(b"SET", b"ttl:%d" % i, b"v", b"PX", b"100") for i in range(n)))
            c.read_replies(n)
            # Left to active expiry: every key goes, and while they went the
            # sweep found expired keys among those with a TTL.
            deadline = time.monotonic() + 20
            while True:
                stats = info_fields(c.cmd("INFO", "stats"))
                if int(stats["expired_keys"]) == n or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(int(stats["expired_keys"]), n)
            self.assertGreater(float(stats["expired_stale_perc"]), 0)
            self.assertGreater(int(stats["expire_cycle_cpu_milliseconds"]), 0)
            # One transaction: no expire cycle between the reset and the read.
            self.assertEqual(c.cmd("MULTI"), b"+OK\r\n")
            self.assertEqual(c.cmd("CONFIG", "RESETSTAT"), b"+QUEUED\r\n")
            self.assertEqual(c.cmd("INFO", "stats"), b"+QUEUED\r\n")
            ok, text = decode(c.cmd("EXEC"))
            self.assertEqual(ok, "OK")
            reset = info_fields(text)
            self.assertEqual(reset["expired_stale_perc"], "0.00")

    def test_lazyfreed_objects(self):
        srv = self.start_larder()
        with srv.client() as c:
            memory = info_fields(c.cmd("INFO", "memory"))
            self.assertEqual(memory["lazyfreed_objects"], "0")
            for name in ("mem_not_counted_for_evict", "mem_clients_normal", "mem_replication_backlog"):
                self.assertIn(name, memory)
            fill(c)
            self.assertEqual(c.cmd("FLUSHALL", "ASYNC"), b"+OK\r\n")
            deadline = time.monotonic() + 10
            while True:
                memory = info_fields(c.cmd("INFO", "memory"))
                if memory["lazyfree_pending_objects"] == "0" or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(memory["lazyfree_pending_objects"], "0")
            self.assertEqual(int(memory["lazyfreed_objects"]), KEYS)
            self.assertEqual(c.cmd("CONFIG", "RESETSTAT"), b"+OK\r\n")
            self.assertEqual(info_fields(c.cmd("INFO", "memory"))["lazyfreed_objects"], "0")


if __name__ == "__main__":
    unittest.main()
