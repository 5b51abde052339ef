"""Shared helpers for the Larder-vs-Redis benchmark scripts in bench/.

Standard library only (Debian /usr/bin/python3).  Everything runs on
127.0.0.1; servers are started on free ephemeral ports and are always
killed on exit (normal exit, exception, SIGINT/SIGTERM/SIGHUP, and -- via
PR_SET_PDEATHSIG -- even if this Python process is SIGKILLed).
"""

import atexit
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
OUT_DIR = os.path.join(BENCH_DIR, "out")

REDIS_SERVER = os.environ.get("REDIS_SERVER_BIN", "/usr/bin/redis-server")
REDIS_BENCHMARK = os.environ.get("REDIS_BENCHMARK_BIN", "/usr/bin/redis-benchmark")
DEFAULT_LARDER_BIN = os.path.join(REPO_DIR, "build", "larder-server")

STARTUP_TIMEOUT_S = 10.0

ENV_HELP = """environment:
  LARDER_BIN          Larder server binary (default: <repo>/build/larder-server)
  LARDER_AS_REDIS=1   run redis-server in place of Larder (to test the scripts
                      themselves before Larder exists; --larder-threads ignored)
  REDIS_SERVER_BIN    redis-server binary (default: /usr/bin/redis-server)
  REDIS_BENCHMARK_BIN redis-benchmark binary (default: /usr/bin/redis-benchmark)
"""


class BenchError(Exception):
    """A fatal benchmark error: reported and turned into a non-zero exit."""


class PortInUse(BenchError):
    """Server could not bind its (just-picked) port: worth one more try."""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# process cleanup

_servers = []          # live Server objects, killed at exit
_cleanup_done = False


def _set_pdeathsig():
    """preexec_fn: SIGKILL the child if this Python process dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass


def child_setup(cpus=None):
    """A preexec_fn: _set_pdeathsig, and with `cpus` (a set of CPU numbers)
    the child and every thread it starts run only on those CPUs."""
    def setup():
        _set_pdeathsig()
        if cpus:
            os.sched_setaffinity(0, cpus)
    return setup


def pin_split():
    """(server CPUs, client CPUs) for --pin: the servers on the last CPU this
    process may use, the clients on the others; None with fewer than two."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    return {cpus[-1]}, set(cpus[:-1])


def cleanup():
    global _cleanup_done
    if _cleanup_done:
        return
    _cleanup_done = True
    for srv in list(_servers):
        srv.stop()


def _on_signal(signum, _frame):
    # Turn the signal into an exception so finally-blocks run, then exit.
    raise KeyboardInterrupt("signal %d" % signum)


def install_cleanup():
    atexit.register(cleanup)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


# --------------------------------------------------------------------------
# tiny RESP client

class RespError(Exception):
    pass


class Conn:
    """Minimal blocking RESP2 client (enough for PING/INFO/DBSIZE/SET)."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            elif isinstance(a, int):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise BenchError("server closed the connection")
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            self._fill()

    def read_reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode(errors="replace")
        if t == b"-":
            return RespError(rest.decode(errors="replace"))
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode(errors="replace")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        raise BenchError("unexpected RESP reply: %r" % line[:80])

    def cmd(self, *args):
        self.sock.sendall(self.encode(*args))
        return self.read_reply()


def parse_info(text):
    out = {}
    for line in text.splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out


# --------------------------------------------------------------------------
# servers

class Server:
    """A redis-server or larder-server child process on a free port."""

    def __init__(self, kind, larder_threads=None, name=None, cpus=None):
        assert kind in ("redis", "larder")
        self.kind = kind
        self.cpus = cpus  # the CPUs it may run on (child_setup); None: any
        self.name = name or ("Redis" if kind == "redis" else "Larder")
        self.larder_threads = larder_threads
        self.proc = None
        self.port = None
        self.workdir = None
        self.logpath = None

    def _argv(self, port):
        as_redis = os.environ.get("LARDER_AS_REDIS", "") not in ("", "0")
        if self.kind == "redis" or as_redis:
            return [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no"]
        binary = os.environ.get("LARDER_BIN", DEFAULT_LARDER_BIN)
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1",
                "--loglevel", "warning"]
        if self.larder_threads:
            argv += ["--threads", str(self.larder_threads)]
        return argv

    def describe(self):
        return " ".join(a if a else "''" for a in self._argv(self.port or 0))

    def log_tail(self, n=30):
        try:
            with open(self.logpath, errors="replace") as f:
                lines = f.read().splitlines()
            return "\n".join(lines[-n:])
        except (OSError, TypeError):
            return ""

    def start(self):
        last_err = None
        for _attempt in range(3):          # bounded retry for port races only
            try:
                self._start_once()
                return self
            except PortInUse as e:
                last_err = e
                self.stop()
            except BaseException:
                self.stop()
                raise
        raise last_err

    def preflight(self):
        """Fail early if the server binary is missing."""
        argv = self._argv(0)
        if not (os.path.isfile(argv[0]) and os.access(argv[0], os.X_OK)):
            raise BenchError("%s binary not found or not executable: %s%s" % (
                self.name, argv[0],
                "  (build it, or set LARDER_BIN=..., or LARDER_AS_REDIS=1)"
                if self.kind == "larder" else ""))

    def _start_once(self):
        self.port = free_port()
        argv = self._argv(self.port)
        self.preflight()
        self.workdir = tempfile.mkdtemp(prefix="larder-bench-%s-" % self.kind)
        self.logpath = os.path.join(self.workdir, "server.log")
        logf = open(self.logpath, "wb")
        try:
            self.proc = subprocess.Popen(
                argv, cwd=self.workdir, stdin=subprocess.DEVNULL,
                stdout=logf, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=child_setup(self.cpus))
        finally:
            logf.close()
        _servers.append(self)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        err = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log_tail()
                exc = PortInUse if "in use" in tail.lower() else BenchError
                raise exc("%s exited during startup (rc=%s): %s\n--- log ---\n%s"
                                 % (self.name, self.proc.returncode,
                                    " ".join(argv), tail))
            try:
                c = Conn(self.port, timeout=2.0)
                try:
                    r = c.cmd("PING")
                finally:
                    c.close()
                if r == "PONG":
                    return
                err = "PING replied %r" % (r,)
            except (OSError, BenchError) as e:
                err = str(e)
            time.sleep(0.05)
        raise BenchError("%s did not answer PING within %.0fs (%s): %s\n--- log ---\n%s"
                         % (self.name, STARTUP_TIMEOUT_S, err, " ".join(argv),
                            self.log_tail()))

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self, when=""):
        if not self.alive():
            raise BenchError("%s died%s (rc=%s)\n--- log ---\n%s" % (
                self.name, " " + when if when else "",
                self.proc.returncode if self.proc else None, self.log_tail()))

    def cpu_seconds(self):
        """utime+stime of the whole process (all threads), in seconds."""
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                data = f.read()
        except OSError as e:
            raise BenchError("%s: cannot read /proc/%d/stat: %s" % (self.name, self.pid, e))
        # comm (field 2) may contain spaces; split after the closing paren.
        fields = data[data.rindex(")") + 2:].split()
        utime, stime = int(fields[11]), int(fields[12])   # fields 14, 15
        return (utime + stime) / os.sysconf("SC_CLK_TCK")

    def rss_kb(self):
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError as e:
            raise BenchError("%s: cannot read /proc/%d/status: %s" % (self.name, self.pid, e))
        raise BenchError("no VmRSS for pid %d" % self.pid)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        if self in _servers:
            _servers.remove(self)
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


def pipelined_set(port, n, key_fn, value_fn, extra=(), batch=10000,
                  timeout=60.0):
    """SET key_fn(i) value_fn(i) [*extra] for i in range(n), pipelined.

    Sends `batch` commands per sendall(), then reads all `batch` replies and
    checks they are all +OK.  Returns the number of +OK replies (== n) or
    raises BenchError on any error reply / short read.
    """
    return send_payload(port, set_payload(n, key_fn, value_fn, extra, batch), timeout=timeout)


def apt_install(packages, without):
    """Installs Debian `packages` with apt-get (as root, or through sudo -n).
    Returns False, after a warning ending in `without` (what the caller then
    goes without), when they cannot be installed."""
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if sudo and not shutil.which("sudo"):
        log("WARNING: not root and no sudo: %s" % without)
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        for cmd in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + list(packages)):
            p = subprocess.run(sudo + cmd, env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=600)
            if p.returncode != 0:
                log("WARNING: %s failed (rc=%d), %s:\n%s"
                    % (" ".join(cmd), p.returncode, without, (p.stdout + p.stderr)[-1500:]))
                return False
    except (OSError, subprocess.TimeoutExpired) as e:
        log("WARNING: installing %s failed (%s), %s" % (" ".join(packages), e, without))
        return False
    return True


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2.0


def ratio(a, b):
    """a / b, or None."""
    if a is None or b in (None, 0):
        return None
    return a / b


def fmt(x, spec="{:.2f}"):
    return "n/a" if x is None else spec.format(x)


def md_table(headers, rows, n_left=1):
    """Markdown table; the first n_left columns left-aligned, rest right."""
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---" if i < n_left else "---:"
                          for i in range(len(headers))) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def run_main(fn):
    """Run fn() with cleanup and uniform error handling / exit codes."""
    install_cleanup()
    try:
        rc = fn()
    except BenchError as e:
        log("\nERROR: %s" % e)
        rc = 1
    except KeyboardInterrupt as e:
        log("\ninterrupted (%s)" % (e or "SIGINT"))
        rc = 130
    finally:
        cleanup()
    sys.exit(rc or 0)


# --------------------------------------------------------------------------
# helpers used by bench/run (the all-in-one comparison)

def set_payload(n, key_fn, value_fn, extra=(), batch=10000):
    """Pre-encoded pipelined `SET key value [*extra]` batches (list of bytes).

    Building them up front (not timed) lets send_payload() load a server as
    fast as the socket allows, which matters when the keys carry a deadline.
    `extra` items may contain a placeholder that send_payload() replaces.
    """
    extra_b = b"".join(b"$%d\r\n%s\r\n" % (len(a), a)
                       for a in (x.encode() if isinstance(x, str) else x
                                 for x in extra))
    head = b"*%d\r\n$3\r\nSET\r\n" % (3 + len(extra))
    out = []
    for start in range(0, n, batch):
        parts = []
        for i in range(start, min(n, start + batch)):
            k = key_fn(i)
            v = value_fn(i)
            parts.append(b"%s$%d\r\n%s\r\n$%d\r\n%s\r\n%s"
                         % (head, len(k), k, len(v), v, extra_b))
        out.append((min(batch, n - start), b"".join(parts)))
    return out


def command_payload(n, args_fn, batch=1000):
    """Pre-encoded pipelined batches of any commands: args_fn(i) for i < n
    returns the arguments (bytes) of command i.  Same format as set_payload()."""
    enc = Conn.encode
    return [(min(batch, n - start),
             b"".join(enc(*args_fn(i)) for i in range(start, min(n, start + batch))))
            for start in range(0, n, batch)]


def send_payload(port, payload, replace=None, timeout=60.0, reply=b"+OK\r\n"):
    """Send batches from set_payload() or command_payload(); every reply must
    be `reply` (one line: +OK, or e.g. b":100\r\n" for HSET/SADD adding 100).

    replace=(old, new) substitutes bytes of equal length in every batch
    (used for a PXAT deadline chosen just before sending).  A batch may also
    be (count, data, expected replies), for replies that differ from command
    to command (RPUSH's growing lengths); `reply` is then not used for it.
    Returns the number of replies.
    """
    ok = 0
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        for batch in payload:
            cnt, data = batch[0], batch[1]
            if replace is not None:
                data = data.replace(replace[0], replace[1])
            sock.sendall(data)
            expect = batch[2] if len(batch) > 2 else reply * cnt
            chunks, lines = [], 0
            while lines < cnt:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    raise BenchError("server closed connection during load "
                                     "(after %d OK replies)" % ok)
                chunks.append(chunk)
                lines += chunk.count(b"\r\n")
            got = b"".join(chunks)
            if got != expect:
                want = expect.split(b"\r\n")
                bad = [(l, w) for l, w in zip(got.split(b"\r\n"), want) if l != w]
                raise BenchError("unexpected reply during load: %r (expected %r)"
                                 % (bad[0][0][:200], bad[0][1][:200]) if bad
                                 else "unexpected replies during load: %r" % got[:200])
            ok += cnt
    finally:
        sock.close()
    return ok


def percentile(sorted_xs, p):
    """Nearest-rank percentile of an already sorted sequence (p in 0..100)."""
    if not sorted_xs:
        return None
    k = max(0, min(len(sorted_xs) - 1, int(-(-p * len(sorted_xs) // 100)) - 1))
    return sorted_xs[k]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"
