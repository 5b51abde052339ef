#!/usr/bin/python3
"""Hit ratio under memory pressure: Larder's eviction policies vs Redis's.

A cache-aside client (GET; on a miss, SET the value) replays seeded request
streams over --keys keys of --value-size bytes against servers limited to
--maxmemory. Reads are pipelined a window (--batch) at a time, then the
misses of that window are filled, so a key missed twice in one window costs
two misses. Every server and policy gets a fresh server and the same stream.

Workloads (positions count Zipf requests; a scan's reads are extra):
  steady   Zipf(--zipf) over the keys, ranks mapped to keys by a seeded
           permutation
  scans    the same, plus a pass over --scan-keys never-seen keys, each read
           once, after every --scan-every requests
  shifting the same, with the permutation re-drawn every --shift-every
           requests (the popular keys change)

One run of --requests (default 3M) per server and workload; because the
streams are prefixes of one another, it reports the hit ratio of the first
1M requests (the first fifth not counted), as a fresh 1M-request run would
see it, and of the whole run (its first fifth not counted).

"optimum" is the static optimum: the hit ratio of a cache holding exactly
the most popular keys of the current ranking, as many as the Larder server
that held the most keys; scan reads always miss.

"rank oracle" is what an online cache of that many keys gets when it knows
every key's current rank: first reads miss, and after a shift it still holds
the keys of the old ranking until they are evicted. It bounds every policy:
a goal above it is out of reach at that memory.

Prints a Markdown table, writes JSON to bench/out/ and a PNG chart next to it
(python3-matplotlib). numpy (python3-numpy) draws the stream; without it the
stream is drawn in pure Python (same seed, a different stream, slower). Both
are installed with apt-get when missing (--no-install to skip); the README's
figures are numpy's stream.
"""

import argparse
import bisect
import heapq
import importlib.util
import json
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

try:
    import numpy as np
except ImportError:  # pure-Python fallback
    np = None

DEBIAN_PYTHON = "/usr/bin/python3"
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
WORKLOADS = ("steady", "scans", "shifting")


class Stream:
    """Key ids and, per request, the popularity rank (-1 for a scan read)."""

    def __init__(self, ids, ranks, zipf_positions):
        self.ids = ids
        self.ranks = ranks
        self.zipf_positions = zipf_positions  # zipf request count before each read


def draw_ranks(n_keys, n, s, seed):
    if np is not None:
        rng = np.random.default_rng(seed)
        w = 1.0 / np.arange(1, n_keys + 1, dtype=np.float64) ** s
        cdf = np.cumsum(w)
        return np.searchsorted(cdf, rng.random(n) * cdf[-1]).tolist()
    rng = random.Random(seed)
    cdf, total = [], 0.0
    for rank in range(1, n_keys + 1):
        total += 1.0 / rank ** s
        cdf.append(total)
    return [bisect.bisect_left(cdf, rng.random() * total) for _ in range(n)]


def permutation(n_keys, seed):
    ids = list(range(n_keys))
    random.Random(seed).shuffle(ids)
    return ids


def make_stream(workload, args):
    ranks = draw_ranks(args.keys, args.requests, args.zipf, args.seed)
    ids, out_ranks, positions = [], [], []
    perm = permutation(args.keys, args.seed)
    next_scan = args.keys  # scan key ids start after the Zipf keys
    for pos, rank in enumerate(ranks):
        if workload == "shifting" and pos and pos % args.shift_every == 0:
            perm = permutation(args.keys, args.seed + pos)
        if workload == "scans" and pos and pos % args.scan_every == 0:
            ids.extend(range(next_scan, next_scan + args.scan_keys))
            out_ranks.extend([-1] * args.scan_keys)
            positions.extend([pos] * args.scan_keys)
            next_scan += args.scan_keys
        ids.append(perm[rank])
        out_ranks.append(rank)
        positions.append(pos)
    return Stream(ids, out_ranks, positions)


def key_of(i):
    return b"obj:%d" % i


def value_of(i, size):
    stem = b"%d|" % i
    return (stem * (size // len(stem) + 1))[:size]


def get_cmd(i):
    k = key_of(i)
    return b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k)


def set_cmd(i, size):
    k = key_of(i)
    return b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, size, value_of(i, size))


class Replies:
    """Reads bulk-string and status replies fast from a pipelined socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.pos = 0

    def _more(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise bl.BenchError("server closed the connection")
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0

    def _line_end(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                return end
            self._more()

    def get(self):
        """True for a hit, False for a miss."""
        end = self._line_end()
        head = self.buf[self.pos:end]
        if head[:1] != b"$":
            raise bl.BenchError("GET failed: %r" % head)
        n = int(head[1:])
        if n < 0:
            self.pos = end + 2
            return False
        while len(self.buf) < end + 2 + n + 2:
            self._more()
            end = self.buf.find(b"\r\n", self.pos)
        self.pos = end + 2 + n + 2
        return True

    def status(self):
        end = self._line_end()
        head = self.buf[self.pos:end]
        self.pos = end + 2
        if head != b"+OK":
            raise bl.BenchError("SET failed: %r" % head)


def replay(port, stream, args):
    """Per counted span (name -> (first, last) Zipf positions): hits, reads."""
    conn = bl.Conn(port, timeout=120)
    replies = Replies(conn.sock)
    spans = new_spans(args)
    ids, positions = stream.ids, stream.zipf_positions
    for start in range(0, len(ids), args.batch):
        window = ids[start:start + args.batch]
        conn.sock.sendall(b"".join(map(get_cmd, window)))
        missed = []
        for offset, i in enumerate(window):
            hit = replies.get()
            pos = positions[start + offset]
            count(spans, pos, hit)
            if not hit:
                missed.append(i)
        if missed:
            fills = list(dict.fromkeys(missed))
            conn.sock.sendall(b"".join(set_cmd(i, args.value_size) for i in fills))
            for _ in fills:
                replies.status()
    info = bl.parse_info(conn.cmd("INFO", "all"))
    keys = conn.cmd("DBSIZE")
    conn.close()
    return {name: (s[2], s[3]) for name, s in spans.items()}, keys, info


def spans_of(args):
    """The counted spans: the first --short requests and the whole run, each
    without its first --warmup share."""
    short = min(args.short, args.requests)
    return {"short": (int(short * args.warmup), short),
            "long": (int(args.requests * args.warmup), args.requests)}


def new_spans(args):
    """Per counted span: [first, last, hits, reads]."""
    return {name: [first, last, 0, 0] for name, (first, last) in spans_of(args).items()}


def count(spans, pos, hit):
    """Counts a read at Zipf position `pos` in the spans that include it."""
    for span in spans.values():
        if span[0] <= pos < span[1]:
            span[2] += hit
            span[3] += 1


def static_optimum(stream, args, capacity):
    out = {}
    for name, (first, last) in spans_of(args).items():
        hits = reads = 0
        for rank, pos in zip(stream.ranks, stream.zipf_positions):
            if first <= pos < last:
                reads += 1
                hits += 0 <= rank < capacity
        out[name] = hits / max(1, reads)
    return out


def rank_oracle(workload, stream, args, capacity):
    """The hit ratio of an online cache of `capacity` keys that knows every
    key's current popularity rank: a key enters on its miss (so first reads
    miss, unlike the static optimum) and the worst-ranked key leaves, which
    may be the newcomer itself (a scan key ranks below all). No eviction
    policy can know more, so this bounds what any of them reaches with that
    many keys. Requests are taken one at a time (the replay's batches are
    not)."""
    perm = permutation(args.keys, args.seed)
    rank = {key: r for r, key in enumerate(perm)}
    worst = args.keys  # scan keys
    cached, heap = set(), []
    spans = new_spans(args)
    phase = 0
    for key, pos in zip(stream.ids, stream.zipf_positions):
        if workload == "shifting" and pos // args.shift_every != phase:
            phase = pos // args.shift_every
            rank = {k: r for r, k in enumerate(permutation(args.keys, args.seed + phase * args.shift_every))}
            heap = [(-rank[k], k) for k in cached]
            heapq.heapify(heap)
        hit = key in cached
        count(spans, pos, hit)
        if not hit:
            cached.add(key)
            heapq.heappush(heap, (-rank.get(key, worst), key))
            if len(cached) > capacity:
                cached.discard(heapq.heappop(heap)[1])
    return {name: s[2] / max(1, s[3]) for name, s in spans.items()}


def run_one(kind, policy, stream, args):
    server = bl.Server(kind).start()
    try:
        conn = bl.Conn(server.port)
        settings = [("maxmemory", args.maxmemory), ("maxmemory-policy", policy)]
        if args.samples:
            settings.append(("maxmemory-samples", str(args.samples)))
        for name, value in settings:
            reply = conn.cmd("CONFIG", "SET", name, value)
            if isinstance(reply, bl.RespError):
                raise bl.BenchError("%s: CONFIG SET %s %s: %s" % (server.name, name, value, reply))
        conn.close()
        t0 = time.time()
        spans, keys, info = replay(server.port, stream, args)
        server.check_alive("after the replay")
        result = {
            "server": server.name, "policy": policy, "keys": keys,
            "rss_mb": server.rss_kb() / 1024.0,
            "used_memory_mb": int(info.get("used_memory", 0)) / 1048576.0,
            "evicted": int(info.get("evicted_keys", 0)),
            "seconds": time.time() - t0,
        }
        for name, (hits, reads) in spans.items():
            result["hit_" + name] = hits / max(1, reads)
        for field in ("larder_evicted_window_keys", "larder_evicted_main_keys",
                      "larder_window_promoted_keys", "larder_window_rejected_keys"):
            if field in info:
                result[field] = int(info[field])
        return result
    finally:
        server.stop()


def ensure_modules(args):
    """Installs Debian's python3-numpy and python3-matplotlib when missing
    (unless --no-install), then imports numpy. Debian's packages serve
    Debian's Python only: under another python3 (pyenv, a venv) that cannot
    import them, the script runs again under Debian's, so the stream drawn
    is the same."""
    global np
    wanted = (("numpy", "python3-numpy"), ("matplotlib", "python3-matplotlib"))

    def missing():
        return [(module, pkg) for module, pkg in wanted if importlib.util.find_spec(module) is None]

    def rerun_under_debian_python(absent):
        if os.path.realpath(sys.executable) == os.path.realpath(DEBIAN_PYTHON) or subprocess.run(
                [DEBIAN_PYTHON, "-c", "import numpy, matplotlib"], capture_output=True).returncode != 0:
            return
        bl.log("%s cannot import %s: running under %s"
               % (sys.executable, " ".join(module for module, _ in absent), DEBIAN_PYTHON))
        sys.stdout.flush()
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])

    absent = missing()
    if absent:
        rerun_under_debian_python(absent)
        if not args.no_install:
            bl.log("installing Debian's %s (--no-install to skip)" % " ".join(pkg for _, pkg in absent))
            if bl.apt_install([pkg for _, pkg in absent], "the stream is drawn in pure Python or no chart is drawn"):
                importlib.invalidate_caches()
                absent = missing()
                if absent:
                    rerun_under_debian_python(absent)
    if np is None and importlib.util.find_spec("numpy") is not None:
        np = importlib.import_module("numpy")


def chart(table, workloads, args, png):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        bl.log("matplotlib not found: no chart (apt-get install python3-matplotlib)")
        return None
    names = [label for label, _ in table[workloads[0]]]
    fig, axes = plt.subplots(1, 2, figsize=(14, 5), sharey=True)
    for ax, (span, title) in zip(axes, (("short", "%s requests" % human(args.short)),
                                        ("long", "%s requests" % human(args.requests)))):
        width = 0.8 / len(names)
        for n, name in enumerate(names):
            values = [100 * dict(table[w])[name][span] for w in workloads]
            bars = ax.bar([x + n * width for x in range(len(workloads))], values, width, label=name)
            ax.bar_label(bars, fmt="%.1f", fontsize=6, rotation=90, padding=2)
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(workloads))], workloads)
        ax.set_title("Cache-aside hit ratio, maxmemory %s, %s" % (args.maxmemory, title))
        ax.set_ylim(0, 100)
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("hit ratio (%)")
    axes[1].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    return png


def human(n):
    return "%gM" % (n / 1e6) if n >= 1000000 else "%gk" % (n / 1e3)


def report(results, table, workloads, runs, args):
    print("\nCache-aside, %d keys of %d B, maxmemory %s, Zipf(%.2f), seed %d; hit ratio of the first %s and of"
          " %s requests, the first %d%% of each not counted\n"
          % (args.keys, args.value_size, args.maxmemory, args.zipf, args.seed, human(args.short),
             human(args.requests), 100 * args.warmup))
    headers = ["server", "policy"]
    for w in workloads:
        headers += ["%s %s" % (w, human(args.short)), "%s %s" % (w, human(args.requests))]
    headers += ["keys held", "RSS MB (max)"]
    rows = []
    for n, (kind, policy) in enumerate(runs):
        row = [results[workloads[0]][n]["server"], policy]
        for w in workloads:
            r = results[w][n]
            row += ["%.1f%%" % (100 * r["hit_short"]), "%.1f%%" % (100 * r["hit_long"])]
        row += [results[workloads[0]][n]["keys"], "%.1f" % max(results[w][n]["rss_mb"] for w in workloads)]
        rows.append(row)
    held = max((r["keys"] for r in results[workloads[0]] if r["server"] == "Larder"), default=0)
    for bound in ("rank oracle", "static optimum"):
        if not all(bound in dict(table[w]) for w in workloads):
            continue  # a JSON file from before the rank oracle
        bound_row = [bound, ""]
        for w in workloads:
            b = dict(table[w])[bound]
            bound_row += ["%.1f%%" % (100 * b["short"]), "%.1f%%" % (100 * b["long"])]
        rows.append(bound_row + [held, ""])
    print(bl.md_table(headers, rows, n_left=2))

    print()
    for w in workloads:
        redis = [r for r in results[w] if r["server"] == "Redis"]
        for r in results[w]:
            if r["server"] != "Larder" or not redis:
                continue
            gaps = ["%+.1f (%s)" % (100 * (r["hit_" + span] - max(x["hit_" + span] for x in redis)), human(n))
                    for span, n in (("short", args.short), ("long", args.requests))]
            print("%s %s: points above the better Redis policy: %s" % (w, r["policy"], ", ".join(gaps)))
    if not args.no_json:
        os.makedirs(OUT_DIR, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = os.path.join(OUT_DIR, "hitratio-%s-%s.json" % (stamp, "-".join(workloads)))
        with open(path, "w") as f:
            json.dump({"args": vars(args), "results": results, "table": table}, f, indent=2)
        png = chart(table, workloads, args, path[:-5] + ".png")
        bl.log("wrote %s%s" % (path, (" and " + png) if png else ""))


def add_stream_options(ap):
    """The options that draw the streams and count the spans (shared with
    exact_lfu.py, which replays the same streams)."""
    ap.add_argument("--keys", type=int, default=200000)
    ap.add_argument("--requests", type=int, default=3000000)
    ap.add_argument("--short", type=int, default=1000000, help="also report the first N requests")
    ap.add_argument("--zipf", type=float, default=0.99)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--warmup", type=float, default=0.2, help="share of each span not counted")
    ap.add_argument("--scan-keys", type=int, default=100000)
    ap.add_argument("--scan-every", type=int, default=300000)
    ap.add_argument("--shift-every", type=int, default=250000)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_stream_options(ap)
    ap.add_argument("--value-size", type=int, default=200)
    ap.add_argument("--maxmemory", default="10mb")
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--samples", type=int, default=None,
                    help="maxmemory-samples of every server (default: each server's own, 5)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--larder-policies", default="allkeys-lru,allkeys-lfu,allkeys-sieve,allkeys-tinylfu")
    ap.add_argument("--redis-policies", default="allkeys-lru,allkeys-lfu")
    ap.add_argument("--no-json", action="store_true")
    ap.add_argument("--no-install", action="store_true",
                    help="do not apt-get install python3-numpy and python3-matplotlib when missing")
    ap.add_argument("--merge", nargs="+", metavar="JSON",
                    help="no runs: report the workloads of these earlier JSON outputs together")
    args = ap.parse_args()
    if args.merge:
        results, table, runs = {}, {}, None
        for path in args.merge:
            with open(path) as f:
                saved = json.load(f)
            results.update(saved["results"])
            table.update({w: [(n, v) for n, v in rows] for w, rows in saved["table"].items()})
            runs = runs or [(r["server"].lower(), r["policy"]) for r in next(iter(saved["results"].values()))]
            for name in ("keys", "requests", "short", "value_size", "maxmemory", "zipf", "seed", "warmup"):
                setattr(args, name, saved["args"][name])
        ensure_modules(args)
        report(results, table, [w for w in WORKLOADS if w in results], runs, args)
        return 0

    ensure_modules(args)
    for s in (bl.Server("redis"), bl.Server("larder")):
        s.preflight()
    runs = [("redis", p) for p in args.redis_policies.split(",") if p] + \
           [("larder", p) for p in args.larder_policies.split(",") if p]
    workloads = [w for w in args.workloads.split(",") if w]
    results, table = {}, {}
    for workload in workloads:
        t0 = time.time()
        stream = make_stream(workload, args)
        bl.log("%s: %d reads (%d requests, Zipf(%.2f) over %d keys, seed %d) drawn in %.1fs"
               % (workload, len(stream.ids), args.requests, args.zipf, args.keys, args.seed, time.time() - t0))
        rows = results[workload] = []
        for kind, policy in runs:
            r = run_one(kind, policy, stream, args)
            rows.append(r)
            bl.log("  %s %s: %.2f%% / %.2f%%, %d keys, RSS %.1f MB, %.0fs"
                   % (r["server"], policy, 100 * r["hit_short"], 100 * r["hit_long"], r["keys"], r["rss_mb"],
                      r["seconds"]))
        capacity = max((r["keys"] for r in rows if r["server"] == "Larder"), default=0)
        table[workload] = [("%s %s" % (r["server"], r["policy"]), {"short": r["hit_short"], "long": r["hit_long"]})
                           for r in rows] + [("rank oracle", rank_oracle(workload, stream, args, capacity)),
                                             ("static optimum", static_optimum(stream, args, capacity))]

    report(results, table, workloads, runs, args)
    return 0


if __name__ == "__main__":
    bl.run_main(main)
