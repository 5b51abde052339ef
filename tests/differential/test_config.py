#!/usr/bin/python3
"""Differential: CONFIG GET values of servers started the same way, CONFIG SET
errors, RESETSTAT, REWRITE without a config file, in RESP2 and RESP3."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, decode  # noqa: E402
from sessions import compare_sessions  # noqa: E402

# Both servers run with --bind 127.0.0.1 and Redis also with --save ''
# --appendonly no: these directives must read the same. (maxmemory-policy
# differs on purpose: Larder, a cache, defaults to allkeys-tinylfu.)
SAME_VALUE = ["save", "appendonly", "databases", "maxclients", "maxmemory",
              "timeout", "hz", "requirepass", "bind"]


# Directives with an effect in Larder; the rest are accepted for redis.conf
# compatibility only.
IMPLEMENTED = set(SAME_VALUE) | {"maxmemory-samples", "lfu-log-factor", "lfu-decay-time",
                                 "slowlog-log-slower-than", "slowlog-max-len", "proto-max-bulk-len",
                                 "client-query-buffer-limit", "maxmemory-eviction-tenacity",
                                 "stop-writes-on-bgsave-error"}


class ConfigTest(DifferentialTestCase):
    def both(self, script):
        compare_sessions(self, script, clients=1, resp3=False)
        compare_sessions(self, script, clients=1, resp3=True)

    def test_get_single_directives(self):
        self.both([(0, "CONFIG", "GET", name) for name in SAME_VALUE] +
                  [(0, "CONFIG", "GET", "nosuchdirective"), (0, "CONFIG", "GET", "hz", "hz"),
                   (0, "config", "get", "databases"), (0, "CONFIG", "GET"),
                   (0, "CONFIG", "GET", "hz", "nosuch")])

    def test_get_several_patterns(self):
        # Redis orders the pairs of several patterns by its hash table: compare as maps.
        with self.redis.client() as rc, self.larder.client() as lc:
            for args in (("hz", "timeout"), ("timeout", "hz", "maxmemory", "hz"), ("save", "appendonly", "bind"),
                         ("databases", "nosuch", "maxclients")):
                r = rc.call("CONFIG", "GET", *args)
                lg = lc.call("CONFIG", "GET", *args)
                self.assertEqual(len(lg), len(r), args)
                self.assertEqual(dict(zip(lg[::2], lg[1::2])), dict(zip(r[::2], r[1::2])), args)

    def test_default_policy_is_the_measured_best(self):
        with self.larder.client() as lc:
            self.assertEqual(lc.call("CONFIG", "GET", "maxmemory-policy"), [b"maxmemory-policy", b"allkeys-tinylfu"])

    def test_get_uppercase_name(self):
        self.both([(0, "CONFIG", "GET", "HZ"), (0, "CONFIG", "GET", "Timeout")])

    def test_port_differs_only_in_value(self):
        with self.redis.client() as rc, self.larder.client() as lc:
            self.assertEqual(rc.call("CONFIG", "GET", "port"), [b"port", str(self.redis.port).encode()])
            self.assertEqual(lc.call("CONFIG", "GET", "port"), [b"port", str(self.larder.port).encode()])

    def test_glob_patterns_agree_on_common_directives(self):
        # Redis knows more directives than Larder and its order is a hash
        # table's: compare as maps; every Larder pair must exist in Redis too.
        with self.redis.client() as rc, self.larder.client() as lc:
            for pattern in ("maxmemory*", "slowlog*", "*max*", "h?", "[bd]*", "*"):
                r = rc.call("CONFIG", "GET", pattern)
                lg = lc.call("CONFIG", "GET", pattern)
                rd = dict(zip(r[::2], r[1::2]))
                ld = dict(zip(lg[::2], lg[1::2]))
                self.assertEqual(len(ld) * 2, len(lg), "duplicate names for %r" % pattern)
                self.assertTrue(ld, "nothing matched %r" % pattern)
                skip = {b"threads", b"metrics-port", b"metrics-bind"}
                ld = {k: v for k, v in ld.items() if k not in skip}
                skip = {b"port", b"logfile", b"loglevel", b"dir", b"protected-mode", b"daemonize",
                        b"tcp-backlog", b"pidfile", b"always-show-logo", b"maxmemory-policy"}
                for k, v in ld.items():
                    self.assertIn(k, rd, "%r matched %r on Larder only" % (pattern, k))
                    # Directives Larder accepts without effect keep the text given.
                    if k not in skip and k.decode() in IMPLEMENTED:
                        self.assertEqual(v, rd[k], "CONFIG GET %s: %r" % (pattern, k))

    def test_get_resp3_is_a_map(self):
        with self.larder.client() as lc:
            lc.cmd("HELLO", "3")
            self.assertEqual(lc.cmd("CONFIG", "GET", "hz"), b"%1\r\n$2\r\nhz\r\n$2\r\n10\r\n")
            self.assertEqual(decode(lc.cmd("CONFIG", "GET", "hz", "timeout")), {b"hz": b"10", b"timeout": b"0"})

    def test_set_errors(self):
        self.both([
            (0, "CONFIG", "SET"), (0, "CONFIG", "SET", "hz"),
            (0, "CONFIG", "SET", "nosuch", "1"), (0, "CONFIG", "SET", "hz", "11", "nosuch", "1"),
            (0, "CONFIG", "GET", "hz"),
            (0, "CONFIG", "SET", "hz", "abc"), (0, "CONFIG", "SET", "maxclients", "abc"),
            (0, "CONFIG", "SET", "databases", "4"), (0, "CONFIG", "SET", "hz", "20", "databases", "3"),
            (0, "CONFIG", "GET", "hz"),
            (0, "CONFIG", "SET", "hz", "12", "maxclients", "x"), (0, "CONFIG", "GET", "hz"),
            (0, "CONFIG", "SET", "HZ", "13"), (0, "CONFIG", "GET", "hz"),
            (0, "CONFIG", "SET", "hz", "10", "timeout", "0"), (0, "CONFIG", "GET", "hz"),
            (0, "CONFIG", "SET", "requirepass", ""),
            (0, "CONFIG", "SET", "maxmemory-eviction-tenacity", "101"),
            (0, "CONFIG", "SET", "maxmemory-eviction-tenacity", "-1"),
            (0, "CONFIG", "SET", "maxmemory-eviction-tenacity", "100"),
            (0, "CONFIG", "GET", "maxmemory-eviction-tenacity"),
            (0, "CONFIG", "SET", "maxmemory-eviction-tenacity", "10"),
        ])

    def test_set_protected_and_immutable(self):
        # enable-protected-configs defaults to no on both: dir and dbfilename
        # are refused before any value is checked, and before duplicates.
        self.both([
            (0, "CONFIG", "SET", "dir", "/tmp"), (0, "CONFIG", "SET", "dbfilename", "x.rdb"),
            (0, "CONFIG", "SET", "DIR", "/tmp"), (0, "CONFIG", "SET", "hz", "11", "dbfilename", "y.rdb"),
            (0, "CONFIG", "GET", "hz"), (0, "CONFIG", "GET", "dbfilename"),
            (0, "CONFIG", "SET", "enable-protected-configs", "yes"),
            (0, "CONFIG", "GET", "enable-protected-configs"),
            (0, "CONFIG", "SET", "databases", "1", "databases", "2"),
            (0, "CONFIG", "SET", "hz", "5", "hz", "6", "databases", "1"),
            (0, "CONFIG", "SET", "dir", "/x", "hz", "5", "hz", "6"), (0, "CONFIG", "SET", "hz", "x", "dir", "/y"),
            (0, "CONFIG", "SET", "timeout", "-1"), (0, "CONFIG", "SET", "timeout", "30"),
            (0, "CONFIG", "GET", "timeout"), (0, "CONFIG", "SET", "timeout", "0"),
            (0, "CONFIG", "SET", "tcp-keepalive", "x"), (0, "CONFIG", "SET", "tcp-keepalive", "60"),
            (0, "CONFIG", "GET", "tcp-keepalive"), (0, "CONFIG", "SET", "tcp-keepalive", "300"),
        ])

    def test_set_odd_number_of_arguments(self):
        self.both([(0, "CONFIG", "SET", "hz", "5", "timeout"), (0, "CONFIG", "GET", "hz")])

    def test_set_duplicate_parameter(self):
        self.both([(0, "CONFIG", "SET", "hz", "10", "hz", "11"), (0, "CONFIG", "SET", "hz", "10", "HZ", "11"),
                   (0, "CONFIG", "GET", "hz")])

    def test_set_yes_no_error_text(self):
        self.both([(0, "CONFIG", "SET", "appendonly", "maybe"), (0, "CONFIG", "SET", "lazyfree-lazy-user-flush", "1")])

    def test_set_loglevel_error_text(self):
        self.both([(0, "CONFIG", "SET", "loglevel", "bogus"), (0, "CONFIG", "GET", "loglevel")])

    def test_set_hz_out_of_range_is_clamped(self):
        self.both([(0, "CONFIG", "SET", "hz", "0"), (0, "CONFIG", "GET", "hz"),
                   (0, "CONFIG", "SET", "hz", "1000"), (0, "CONFIG", "GET", "hz"),
                   (0, "CONFIG", "SET", "hz", "10")])

    def test_slave_aliases(self):
        # Redis 7.0's old names of the replica-* directives (a redis.conf may
        # still use them).
        script = []
        for name, value in (("slave-priority", "7"), ("slave-read-only", "no"), ("slave-serve-stale-data", "no"),
                            ("slave-lazy-flush", "yes")):
            script += [(0, "CONFIG", "SET", name, value), (0, "CONFIG", "GET", name),
                       (0, "CONFIG", "GET", name.replace("slave", "replica"))]
        script += [(0, "CONFIG", "SET", "replica-priority", "100"), (0, "CONFIG", "SET", "replica-read-only", "yes"),
                   (0, "CONFIG", "SET", "replica-serve-stale-data", "yes"), (0, "CONFIG", "SET", "replica-lazy-flush", "no")]
        self.both(script)

    def test_set_directives_kept_for_compatibility(self):
        # Directives Larder accepts without effect are still checked as Redis
        # checks them, and read back as Redis prints them.
        values = ["bogus", "-1", "NO", "1k", "", "7", "2147483648", "always", "relative", "1 2 3",
                  "-2001 0 0", "swapdb", "{title}", "x {title}", "{bad}", "{{", "{config-file}", "   ",
                  " {server-mode} ", "+200 0800 -0", "{port}}", "}"]
        script = []
        for name in ("activerehashing", "appendfsync", "appendfilename", "auto-aof-rewrite-min-size",
                     "auto-aof-rewrite-percentage", "disable-thp", "latency-monitor-threshold",
                     "lazyfree-lazy-expire", "list-compress-depth", "oom-score-adj", "oom-score-adj-values",
                     "proc-title-template", "repl-diskless-load", "replica-priority", "set-proc-title",
                     "stream-node-max-bytes", "stream-node-max-entries", "rdbchecksum", "hz",
                     "slowlog-max-len", "hash-max-listpack-value", "hll-sparse-max-bytes"):
            script.append((0, "CONFIG", "GET", name))
            for v in values:
                script += [(0, "CONFIG", "SET", name, v), (0, "CONFIG", "GET", name)]
        self.both(script)

    def test_every_redis_7_directive_checked_as_redis(self):
        # The directives of replication, cluster, active defragmentation,
        # syslog and the like are read, checked, refused when immutable, and
        # printed as Redis does (aliases included).
        values = ["bogus", "-1", "NO", "yes", "1k", "", "7", "99", "100", "1000", "65536", "2147483648",
                  "9223372036854775808", "18446744073709551615", "ip", "hostname", "panic", "clients", "a-b.c",
                  "a_b", "x" * 256, "10%", "0%", "101%", "5.5%", "%", "010%", "1gb"]
        script = []
        for name in ("active-defrag-cycle-max", "active-defrag-cycle-min", "active-defrag-ignore-bytes",
                     "active-defrag-max-scan-fields", "active-defrag-threshold-lower",
                     "active-defrag-threshold-upper", "active-expire-effort", "aof-disable-auto-gc",
                     "bind-source-addr", "cluster-allow-pubsubshard-when-down", "cluster-allow-reads-when-down",
                     "cluster-allow-replica-migration", "cluster-announce-bus-port", "cluster-announce-hostname",
                     "cluster-announce-ip", "cluster-announce-port", "cluster-announce-tls-port",
                     "cluster-link-sendbuf-limit", "cluster-migration-barrier", "cluster-node-timeout",
                     "cluster-preferred-endpoint-type", "cluster-replica-no-failover", "cluster-slave-no-failover",
                     "cluster-replica-validity-factor", "cluster-slave-validity-factor",
                     "cluster-require-full-coverage", "crash-log-enabled", "crash-memcheck-enabled",
                     "ignore-warnings", "masterauth", "masteruser", "maxmemory-clients", "min-replicas-max-lag",
                     "min-slaves-max-lag", "min-replicas-to-write", "min-slaves-to-write",
                     "propagation-error-behavior", "repl-backlog-size", "repl-backlog-ttl",
                     "repl-ping-replica-period", "repl-ping-slave-period", "repl-timeout", "replica-announce-ip",
                     "slave-announce-ip", "replica-announce-port", "slave-announce-port", "replica-announced",
                     "replica-ignore-disk-write-errors", "replica-ignore-maxmemory", "slave-ignore-maxmemory",
                     "sanitize-dump-payload", "shutdown-timeout", "latency-tracking"):
            script.append((0, "CONFIG", "GET", name))
            for v in values:
                script += [(0, "CONFIG", "SET", name, v), (0, "CONFIG", "GET", name)]
        for name in ("shutdown-on-sigint", "shutdown-on-sigterm"):
            for v in ("save", "now save", "force now nosave", "default", "default save", "SAVE", "save save",
                      "save nosave", "now  save", " now", "now ", "", " ", "bogus", "default"):
                script += [(0, "CONFIG", "SET", name, v), (0, "CONFIG", "GET", name)]
        for v in ("50 99 99.9", "0.0000001 12.5 99.99999", "100 0", "50 50", "+5 -0", "0x10", "inf", "nan",
                  "1e2", "5.", ".5", "50 ", " 50", "50  99", "101", "-1", "x", "", "50 99 99.9"):
            script += [(0, "CONFIG", "SET", "latency-tracking-info-percentiles", v),
                       (0, "CONFIG", "GET", "latency-tracking-info-percentiles")]
        for name, v in (("aof_rewrite_cpulist", ""), ("bgsave_cpulist", "0"), ("bio_cpulist", ""),
                        ("cluster-config-file", "nodes.conf"), ("cluster-enabled", "no"), ("cluster-port", "0"),
                        ("enable-module-command", "no"), ("io-threads", "1"), ("io-threads-do-reads", "no"),
                        ("replicaof", "no one"), ("slaveof", "127.0.0.1 6379"), ("server_cpulist", ""),
                        ("socket-mark-id", "0"), ("supervised", "no"), ("syslog-enabled", "no"),
                        ("syslog-facility", "local0"), ("syslog-ident", "redis"), ("unixsocket", ""),
                        ("unixsocketperm", "0")):
            script += [(0, "CONFIG", "SET", name, v), (0, "CONFIG", "GET", name)]
        self.both(script + self.restore_defaults())

    def restore_defaults(self):
        # The servers serve the other tests next.
        defaults = {"active-defrag-cycle-max": "25", "active-defrag-cycle-min": "1",
                    "active-defrag-ignore-bytes": "100mb", "active-defrag-max-scan-fields": "1000",
                    "active-defrag-threshold-lower": "10", "active-defrag-threshold-upper": "100",
                    "active-expire-effort": "1", "aof-disable-auto-gc": "no", "bind-source-addr": "",
                    "cluster-allow-pubsubshard-when-down": "yes", "cluster-allow-reads-when-down": "no",
                    "cluster-allow-replica-migration": "yes", "cluster-announce-bus-port": "0",
                    "cluster-announce-hostname": "", "cluster-announce-ip": "", "cluster-announce-port": "0",
                    "cluster-announce-tls-port": "0", "cluster-link-sendbuf-limit": "0",
                    "cluster-migration-barrier": "1", "cluster-node-timeout": "15000",
                    "cluster-preferred-endpoint-type": "ip", "cluster-replica-no-failover": "no",
                    "cluster-replica-validity-factor": "10", "cluster-require-full-coverage": "yes",
                    "crash-log-enabled": "yes", "crash-memcheck-enabled": "yes", "ignore-warnings": "",
                    "masterauth": "", "masteruser": "", "maxmemory-clients": "0", "min-replicas-max-lag": "10",
                    "min-replicas-to-write": "0", "propagation-error-behavior": "ignore",
                    "repl-backlog-size": "1mb", "repl-backlog-ttl": "3600", "repl-ping-replica-period": "10",
                    "repl-timeout": "60", "replica-announce-ip": "", "replica-announce-port": "0",
                    "replica-announced": "yes", "replica-ignore-disk-write-errors": "no",
                    "replica-ignore-maxmemory": "yes", "sanitize-dump-payload": "no", "shutdown-timeout": "10",
                    "latency-tracking": "yes", "shutdown-on-sigint": "default", "shutdown-on-sigterm": "default",
                    "latency-tracking-info-percentiles": "50 99 99.9"}
        return [(0, "CONFIG", "SET", name, value) for name, value in defaults.items()]

    def test_min_replicas_refuse_writes(self):
        # Both set: Redis refuses writes (and EXEC of one, and a script's
        # first write) without that many good replicas; Larder has none.
        script = [(0, "SET", "k", "v"), (0, "CONFIG", "SET", "min-replicas-to-write", "1")]
        script += [(0, "SET", "k", "w"), (0, "GET", "k"), (0, "PING"), (0, "MULTI"), (0, "GET", "k"),
                   (0, "INCR", "n"), (0, "EXEC"), (0, "MULTI"), (0, "GET", "k"), (0, "EXEC"),
                   (0, "EVAL", "return redis.call('set', KEYS[1], 'x')", "1", "k"),
                   (0, "EVAL", "redis.call('get', KEYS[1]) return redis.pcall('set', KEYS[1], 'x')", "1", "k"),
                   (0, "EVAL", "#!lua\nreturn redis.call('set', KEYS[1], 'x')", "1", "k"),
                   (0, "EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "k"),
                   (0, "FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)"),
                   (0, "DEL", "k"), (0, "CONFIG", "SET", "min-replicas-max-lag", "0"), (0, "SET", "k", "y"),
                   (0, "CONFIG", "SET", "min-replicas-max-lag", "10"), (0, "EXPIRE", "k", "100"),
                   (0, "CONFIG", "SET", "min-replicas-to-write", "0"), (0, "DEL", "k"),
                   (0, "FUNCTION", "FLUSH")]
        self.both(script)


    def test_memory_values_as_redis_reads_them(self):
        # proto-max-bulk-len beyond 2^63 once left Larder refusing every
        # multibulk; memory values saturate at 2^64-1 as Redis's memtoull.
        script = []
        for v in ("1000", "9223372036854775807", "9223372036854775808", "99999999999999999999", "10000000000gb",
                  "K", "", "2mb", "1GB", "536870912"):
            script += [(0, "CONFIG", "SET", "proto-max-bulk-len", v), (0, "CONFIG", "GET", "proto-max-bulk-len")]
        for v in ("1000", "1mb", "2gb", "9223372036854775808", "1073741824"):
            script += [(0, "CONFIG", "SET", "client-query-buffer-limit", v),
                       (0, "CONFIG", "GET", "client-query-buffer-limit")]
        for v in ("9223372036854775808", "99999999999999999999", "K", "18446744073709551615", "-1", "0"):
            script += [(0, "CONFIG", "SET", "maxmemory", v), (0, "CONFIG", "GET", "maxmemory")]
        script += [(0, "SET", "k", "v"), (0, "GET", "k"), (0, "CONFIG", "GET", "HZ", "hz"),
                   (0, "CONFIG", "GET", "Hz", "h?"), (0, "CONFIG", "GET", "maxmemory", "MAXMEMORY", "maxmemory")]
        self.both(script)

    def test_output_buffer_limits_as_redis_reads_and_counts_them(self):
        # Redis counts what overflows a client's 16 KiB reply buffer: small
        # limits leave replies below it alone. The seconds are an int.
        script = []
        for v in ("normal 18446744073709551615 0 0", "normal 0 0 9999999999999", "normal 0 0 2147483648",
                  "normal 0 0 -1", "normal 1 2 x", "pubsub 1gb 99999999999999999999 5"):
            script += [(0, "CONFIG", "SET", "client-output-buffer-limit", v),
                       (0, "CONFIG", "GET", "client-output-buffer-limit")]
        script += [(0, "CONFIG", "SET", "client-output-buffer-limit", "normal 1 0 0"), (0, "PING"),
                   (0, "CONFIG", "SET", "client-output-buffer-limit", "normal 1kb 0 0"),
                   (0, "ECHO", "e" * 5000), (0, "ECHO", "e" * 12000),
                   (0, "CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0 pubsub 33554432 8388608 60")]
        self.both(script)

    def test_resetstat_rewrite_help_errors(self):
        self.both([
            (0, "CONFIG", "RESETSTAT"), (0, "CONFIG", "RESETSTAT", "x"),
            (0, "CONFIG", "REWRITE"), (0, "CONFIG", "REWRITE", "x"),
            (0, "CONFIG"), (0, "CONFIG", "NOSUCH"), (0, "CONFIG", "HELP", "x"),
        ])


if __name__ == "__main__":
    unittest.main()
