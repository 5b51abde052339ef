#!/usr/bin/python3
"""Run every tests/{integration,differential,clients}/test_*.py the way CTest does
(`/usr/bin/python3 <file>`, env LARDER_BIN passed through) and print a summary.

Usage: /usr/bin/python3 tests/support/run_all.py [-v] [substring ...]
       LARDER_AS_REDIS=1 /usr/bin/python3 tests/support/run_all.py   # self-check
"""
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)


def main(argv):
    verbose = "-v" in argv
    filters = [a for a in argv if a != "-v"]
    files = []
    for sub in ("integration", "differential", "clients"):
        files += sorted(glob.glob(os.path.join(TESTS, sub, "test_*.py")))
    if filters:
        files = [f for f in files if any(s in f for s in filters)]
    passed, failed = [], []
    t_all = time.monotonic()
    for f in files:
        t0 = time.monotonic()
        try:
            p = subprocess.run(["/usr/bin/python3", f], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=300)
            rc, out = p.returncode, p.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            rc, out = -1, (e.stdout or b"").decode("utf-8", "replace") + "\nTIMEOUT"
        dt = time.monotonic() - t0
        rel = os.path.relpath(f, os.path.dirname(TESTS))
        print("%-50s %s  %5.1fs" % (rel, "ok  " if rc == 0 else "FAIL", dt), flush=True)
        if rc != 0 or verbose:
            print(out)
        (passed if rc == 0 else failed).append(rel)
    print("total %.1fs" % (time.monotonic() - t_all))
    print("%d passed, %d failed" % (len(passed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
