#!/usr/bin/python3
"""Per-connection memory: Larder against redis-server, side by side.

For each server (started on a free port with maxclients above N), opens N
connections and measures the growth of the server's VmRSS divided by N, in
two cases:
  silent  connections that never sent a byte;
  ping    connections that each sent one PING, read +PONG and went idle
          (measured after --settle seconds, so that idle buffers are given
          back: Redis shrinks idle query buffers in its clientsCron, Larder
          once a second).
Alternating rounds (Redis, Larder, Redis, ...), a fresh server per
measurement; prints medians in KB per connection and Larder/Redis ratios
(goal: <= 1.0 for both cases).

  bench/connections.py [-n 10000] [--rounds 3] [--settle 2.5] [--quick]
"""

import argparse
import os
import resource
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import BenchError, Server, fmt, log, median, ratio  # noqa: E402

GOAL = 1.0
PING = b"*1\r\n$4\r\nPING\r\n"
CASES = ("silent", "ping")


class ManyClientsServer(Server):
    """A benchlib Server whose maxclients admits `clients` connections."""

    def __init__(self, kind, clients, **kw):
        super().__init__(kind, **kw)
        self.clients = clients

    def _argv(self, port):
        return super()._argv(port) + ["--maxclients", str(self.clients + 100)]


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=benchlib.ENV_HELP)
    ap.add_argument("-n", "--clients", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--settle", type=float, default=2.5,
                    help="seconds between opening the connections and reading RSS")
    ap.add_argument("--quick", action="store_true", help="1 round of 2000 connections")
    a = ap.parse_args()
    if a.quick:
        a.rounds, a.clients = 1, 2000
    return a


def raise_fd_limit(clients):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = clients + 200  # our sockets; the server inherits the limit too
    if hard != resource.RLIM_INFINITY and hard < need:
        raise BenchError("open files hard limit %d < %d: use fewer clients (-n)" % (hard, need))
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))


def per_connection_kb(kind, clients, case, settle):
    """KB of server RSS per connection for one fresh server."""
    srv = ManyClientsServer(kind, clients).start()
    socks = []
    try:
        time.sleep(0.5)
        before = srv.rss_kb()
        for _ in range(clients):
            s = socket.create_connection(("127.0.0.1", srv.port))
            if case == "ping":
                s.sendall(PING)
            socks.append(s)
        if case == "ping":
            for s in socks:
                s.settimeout(10)
                if s.recv(64) != b"+PONG\r\n":
                    raise BenchError("%s: a connection got no +PONG" % srv.name)
        time.sleep(settle)
        srv.check_alive("with %d connections" % clients)
        with benchlib.Conn(srv.port) as c:
            info = benchlib.parse_info(c.cmd("INFO", "clients"))
        connected = int(info.get("connected_clients", 0))
        if connected < clients:
            raise BenchError("%s: %d of %d connections accepted" % (srv.name, connected, clients))
        return (srv.rss_kb() - before) / clients
    finally:
        for s in socks:
            s.close()
        srv.stop()


def main():
    a = parse_args()
    raise_fd_limit(a.clients)
    for kind in ("redis", "larder"):
        Server(kind).preflight()
    load0 = os.getloadavg()
    res = {case: {"Redis": [], "Larder": []} for case in CASES}
    for r in range(a.rounds):
        for case in CASES:
            for kind, name in (("redis", "Redis"), ("larder", "Larder")):
                kb = per_connection_kb(kind, a.clients, case, a.settle)
                res[case][name].append(kb)
                log("round %d, %s, %s: %.2f KB/connection" % (r + 1, case, name, kb))
    load1 = os.getloadavg()
    print()
    print("Per-connection RSS, %d connections, medians of %d round(s); loadavg %.2f before, %.2f after"
          % (a.clients, a.rounds, load0[0], load1[0]))
    print()
    rows = []
    for case in CASES:
        R, L = median(res[case]["Redis"]), median(res[case]["Larder"])
        q = ratio(L, R)
        rows.append([case, fmt(R), fmt(L), fmt(q, "{:.2f}x"), "≤ %.2fx" % GOAL,
                     "n/a" if q is None else "met" if q <= GOAL else "**missed**"])
    print(benchlib.md_table(["connections", "Redis KB", "Larder KB", "L/R", "goal", "status"], rows))
    return 0


if __name__ == "__main__":
    benchlib.run_main(main)
