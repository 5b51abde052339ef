#!/usr/bin/python3
"""GET latency probe: one connection, one GET at a time (-P 1), timed with
time.perf_counter().  Used by bench/run while another client runs KEYS/SCAN
or while keys expire; can also be run alone.

It connects, sends --warmup GETs, prints "ready" on stdout, then GETs keys
(--key-format % i for random i < --keys) until --seconds pass, --max-requests
are done, or its standard input is closed (bench/run closes it to stop it).
Each sample is (time.monotonic() at send, latency in seconds); they are
written to --samples as raw native doubles (t0, lat, t0, lat, ...), and a
JSON summary line (count, p50/p99/p999/max in ms) is printed on stdout.
A GET must get a bulk reply (a hit); a miss, an error or a reply that takes
longer than --reply-timeout seconds stops the probe with exit status 1.
"""

import argparse
import array
import json
import os
import random
import select
import socket
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--keys", type=int, required=True, help="keys 0..N-1 exist")
    ap.add_argument("--key-format", default="k:%010d")
    ap.add_argument("--seconds", type=float, default=60.0, help="upper bound on run time")
    ap.add_argument("--max-requests", type=int, default=5000000)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--reply-timeout", type=float, default=30.0)
    ap.add_argument("--samples", default=None, help="file for the raw samples")
    return ap.parse_args()


def main():
    a = parse_args()
    rnd = random.Random(12345)
    cmds = []
    for _ in range(4096):
        k = (a.key_format % rnd.randrange(a.keys)).encode()
        cmds.append(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k))
    sock = socket.create_connection(("127.0.0.1", a.port), timeout=a.reply_timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    recv, send = sock.recv, sock.sendall
    pc, mono = time.perf_counter, time.monotonic

    def get(cmd):
        send(cmd)
        buf = recv(65536)
        while True:
            i = buf.find(b"\r\n")
            if i >= 0:
                if buf[:1] != b"$" or buf[1:2] == b"-":
                    raise SystemExit("probe: GET got %r (expected a hit)" % buf[:100])
                need = i + 2 + int(buf[1:i]) + 2
                while len(buf) < need:
                    chunk = recv(65536)
                    if not chunk:
                        raise SystemExit("probe: connection closed")
                    buf += chunk
                return
            chunk = recv(65536)
            if not chunk:
                raise SystemExit("probe: connection closed")
            buf += chunk

    try:
        for i in range(a.warmup):
            get(cmds[i % 4096])
    except (OSError, ValueError) as e:
        raise SystemExit("probe: %s" % e)
    print("ready", flush=True)

    samples = array.array("d")
    end = mono() + a.seconds
    n = 0
    stdin_fd = sys.stdin.fileno()
    try:
        while n < a.max_requests:
            if n & 255 == 0:
                if mono() > end:
                    break
                r, _, _ = select.select([stdin_fd], [], [], 0)
                if r and not os.read(stdin_fd, 4096):
                    break           # stdin closed: stop
            cmd = cmds[n & 4095]
            t = mono()
            t0 = pc()
            get(cmd)
            samples.append(t)
            samples.append(pc() - t0)
            n += 1
    except socket.timeout:
        raise SystemExit("probe: no reply within %.0fs (server stalled?)" % a.reply_timeout)
    except (OSError, ValueError) as e:
        raise SystemExit("probe: %s" % e)
    finally:
        sock.close()
        if a.samples:
            with open(a.samples, "wb") as f:
                samples.tofile(f)
    lats = sorted(samples[1::2])

    def pct(p):
        if not lats:
            return None
        k = max(0, min(len(lats) - 1, int(-(-p * len(lats) // 100)) - 1))
        return lats[k] * 1e3

    print(json.dumps({"count": len(lats), "p50_ms": pct(50), "p99_ms": pct(99),
                      "p999_ms": pct(99.9), "max_ms": lats[-1] * 1e3 if lats else None}),
          flush=True)


if __name__ == "__main__":
    main()
