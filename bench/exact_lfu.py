#!/usr/bin/python3
"""Exact LFU on bench/hitratio.py's streams: a bound for frequency policies.

Replays one workload of hitratio.py (same keys, seed and stream) through a
model cache of --capacity keys that counts every request exactly, with no
sketch error and no sampling: a missed key enters while there is room, then
only if its count beats the least-counted cached key, which it replaces.
With --halve-every X every count is halved after each X * capacity
requests (a fixed reset period of X accesses per key held); without it
counts never fade. Prints the hit ratio of the first --short requests and
of the whole run, the first --warmup share of each not counted, as
hitratio.py does (here per request, not per pipelined batch).

    bench/exact_lfu.py steady --capacity 36300 --requests 1000000
    bench/exact_lfu.py shifting --capacity 36300 --halve-every 3
"""
import argparse
import collections
import heapq
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hitratio  # noqa: E402


def replay(stream, args):
    counts = collections.Counter()
    cached = set()
    heap = []  # (count, key), stale entries skipped lazily
    spans = hitratio.new_spans(args)
    halve_every = int(args.halve_every * args.capacity) if args.halve_every else 0
    for n, (key, pos) in enumerate(zip(stream.ids, stream.zipf_positions), 1):
        if halve_every and n % halve_every == 0:
            for k in list(counts):
                counts[k] //= 2
            heap = [(counts[k], k) for k in cached]
            heapq.heapify(heap)
        counts[key] += 1
        hit = key in cached
        if hit:
            heapq.heappush(heap, (counts[key], key))
        elif len(cached) < args.capacity:
            cached.add(key)
            heapq.heappush(heap, (counts[key], key))
        else:
            while heap[0][1] not in cached or counts[heap[0][1]] != heap[0][0]:
                heapq.heappop(heap)
            if counts[key] > heap[0][0]:
                cached.discard(heapq.heappop(heap)[1])
                cached.add(key)
                heapq.heappush(heap, (counts[key], key))
        hitratio.count(spans, pos, hit)
    return {name: 100.0 * s[2] / max(1, s[3]) for name, s in spans.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload", choices=hitratio.WORKLOADS)
    ap.add_argument("--capacity", type=int, required=True, help="keys the model cache holds")
    ap.add_argument("--halve-every", type=float, default=0.0,
                    help="halve every count after this many requests per key held (0: never)")
    hitratio.add_stream_options(ap)
    args = ap.parse_args()
    if hitratio.np is None:
        print("numpy not found: the stream is drawn in pure Python, not hitratio.py's numpy stream"
              " (apt-get install python3-numpy)", file=sys.stderr)
    ratios = replay(hitratio.make_stream(args.workload, args), args)
    print("%s capacity %d halve-every %s: %.2f%% (first %d requests), %.2f%% (%d)"
          % (args.workload, args.capacity, args.halve_every or "never", ratios["short"], args.short,
             ratios["long"], args.requests))


if __name__ == "__main__":
    main()
