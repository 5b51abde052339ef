#!/usr/bin/python3
"""PUBLISH fan-out for bench/run's `pubsub` scenario (issue "Pub/Sub, keyspace
notifications, client-side caching and MONITOR"), also runnable alone:

    bench/pubsub.py [--subscribers 50] [--size 64] [--messages 200000]
                    [--rounds 3] [--threads N]

One channel, --subscribers connections SUBSCRIBEd to it (read by one child
process with epoll, counting bytes: every message has the same size), and
redis-benchmark publishing --messages PUBLISH of --size-byte payloads to it
(-c 4 -P 16). The figure is messages delivered per second: subscribers x
messages over the time from the first PUBLISH sent to the last message
received by the last subscriber. Every subscriber must receive every message
(checked), and every PUBLISH must answer the number of subscribers (checked
with one more PUBLISH after the run). Redis and Larder alternate, fresh
servers each round; the report gives the medians and their ratio.
"""

import argparse
import multiprocessing
import os
import select
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import BenchError, Conn, Server, log  # noqa: E402

CHANNEL = b"bench:fanout"
GOAL = 1.2  # Larder / Redis, messages delivered per second


def frame_size(size):
    """Bytes of one RESP2 message frame as a subscriber receives it."""
    payload = b"x" * size
    return len(b"*3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
               % (len(CHANNEL), CHANNEL, size, payload))


def _subscribers(port, n, expect_bytes, ready, done, timeout):
    """Child process: n subscribers; reports (first byte, last byte) times."""
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.sendall(Conn.encode("SUBSCRIBE", CHANNEL))
        socks.append(s)
    confirm = len(b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(CHANNEL), CHANNEL))
    for s in socks:
        got = 0
        while got < confirm:
            got += len(s.recv(confirm - got))
        s.setblocking(False)
    ready.set()
    ep = select.epoll()
    left = {}
    for s in socks:
        ep.register(s.fileno(), select.EPOLLIN)
        left[s.fileno()] = (s, expect_bytes)
    first = last = None
    deadline = time.monotonic() + timeout
    while left and time.monotonic() < deadline:
        for fd, _ev in ep.poll(0.5):
            s, want = left[fd]
            try:
                while True:
                    chunk = s.recv(1 << 20)
                    if not chunk:
                        raise BenchError("server closed a subscriber")
                    now = time.monotonic()
                    first = first or now
                    last = now
                    want -= len(chunk)
                    if len(chunk) < (1 << 20):
                        break
            except BlockingIOError:
                pass
            if want <= 0:
                ep.unregister(fd)
                del left[fd]
            else:
                left[fd] = (s, want)
    done.put((first, last, len(left), sum(w for _s, w in left.values())))
    for s in socks:
        s.close()


def fanout_once(server, subscribers, size, messages, timeout=120.0):
    """One measurement on a running server: messages delivered per second."""
    expect = messages * frame_size(size)
    ctx = multiprocessing.get_context("fork")
    ready, done = ctx.Event(), ctx.Queue()
    child = ctx.Process(target=_subscribers,
                        args=(server.port, subscribers, expect, ready, done, timeout))
    child.start()
    try:
        if not ready.wait(30):
            raise BenchError("subscribers did not connect")
        with Conn(server.port) as c:
            n = c.cmd("PUBSUB", "NUMSUB", CHANNEL)[1]
            if n != subscribers:
                raise BenchError("%s: %s subscribers, expected %d" % (server.name, n, subscribers))
        start = time.monotonic()
        out = subprocess.run(
            [benchlib.REDIS_BENCHMARK, "-p", str(server.port), "-c", "4", "-P", "16",
             "-n", str(messages), "-q", "PUBLISH", CHANNEL.decode(), "x" * size],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        if out.returncode != 0:
            raise BenchError("redis-benchmark failed: %s" % out.stdout[-300:])
        first, last, missing, missing_bytes = done.get(timeout=timeout)
        if missing:
            raise BenchError("%s: %d subscribers missed %d bytes" % (server.name, missing, missing_bytes))
        child.join(10)
        with Conn(server.port) as c:
            if c.cmd("PUBLISH", CHANNEL, "x") != 0:
                raise BenchError("%s: subscribers still counted after closing" % server.name)
        elapsed = last - start
        return subscribers * messages / elapsed
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def run(subscribers=50, size=64, messages=200000, rounds=3, threads=None):
    """Alternating rounds, fresh servers; returns the summary dict."""
    rates = {"redis": [], "larder": []}
    desc = {}
    for r in range(rounds):
        for kind in ("redis", "larder"):
            s = Server(kind, larder_threads=threads).start()
            try:
                desc[kind] = s.describe()
                rate = fanout_once(s, subscribers, size, messages)
                rates[kind].append(rate)
                log("  round %d %-6s %.0f messages/s delivered" % (r + 1, kind, rate))
            finally:
                s.stop()
    R, L = benchlib.median(rates["redis"]), benchlib.median(rates["larder"])
    return {"servers": desc, "subscribers": subscribers, "size": size, "messages": messages,
            "runs": rates, "redis": R, "larder": L, "ratio": benchlib.ratio(L, R), "goal": GOAL}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=50)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--messages", type=int, default=200000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None, help="Larder --threads")
    a = ap.parse_args()
    res = run(a.subscribers, a.size, a.messages, a.rounds, a.threads)
    log("PUBLISH fan-out, %d subscribers, %d-byte messages, %d messages: Redis %.0f/s, "
        "Larder %.0f/s, Larder/Redis %.2fx (goal >= %.1fx: %s)"
        % (a.subscribers, a.size, a.messages, res["redis"], res["larder"], res["ratio"],
           GOAL, "met" if res["ratio"] >= GOAL else "missed"))
    return 0 if res["ratio"] >= GOAL else 2


if __name__ == "__main__":
    benchlib.run_main(main)
