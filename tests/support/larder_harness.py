"""Shared helpers for Larder's Python test suites.

Only the Python standard library is used here.

Environment variables:
  LARDER_BIN       path of the larder-server binary
                   (default: <repo>/build/larder-server)
  LARDER_AS_REDIS  if "1", start_larder() starts a reference redis-server
                   instead of Larder (Larder-only flags such as --threads are
                   dropped).  Useful to validate the tests themselves.
  REDIS_SERVER     path of the reference redis-server (default /usr/bin/redis-server)
  REDIS_CLI        path of redis-cli (default /usr/bin/redis-cli)
  LARDER_KEEP_LOGS if set, server logs in $TMPDIR are not deleted at exit
  LARDER_THREADS   event-loop threads for a Larder started without an explicit
                   `threads` (scripts/test runs the differential suites of the
                   typed values again with 2 under ThreadSanitizer)

A ThreadSanitizer build of Larder needs TSAN_OPTIONS=detect_deadlocks=0 while
commands lock all 256 shards at once (TSan's deadlock detector tracks at most
64 held mutexes per thread and aborts with exit code 66 otherwise).
"""

import atexit
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_LARDER_BIN = os.path.join(REPO_ROOT, "build", "larder-server")

def under_sanitizer():
    """True in scripts/test's ThreadSanitizer and AddressSanitizer runs, which
    set TSAN_OPTIONS / ASAN_OPTIONS: shadow memory makes RSS meaningless and
    address-space limits unusable there."""
    return "TSAN_OPTIONS" in os.environ or "ASAN_OPTIONS" in os.environ


# Sanitizer builds run several times slower: the same waits, more slack.
_SLACK = 4.0 if under_sanitizer() else 1.0
SOCKET_TIMEOUT = 5.0 * _SLACK
START_TIMEOUT = 10.0 * _SLACK
STOP_TIMEOUT = 5.0 * _SLACK
LOG_TAIL_LINES = 200


def larder_bin():
    return os.environ.get("LARDER_BIN") or DEFAULT_LARDER_BIN


def redis_server_bin():
    return os.environ.get("REDIS_SERVER") or "/usr/bin/redis-server"


def redis_cli_bin():
    return os.environ.get("REDIS_CLI") or "/usr/bin/redis-cli"


def larder_is_redis():
    return os.environ.get("LARDER_AS_REDIS", "") not in ("", "0")


def rss_bytes(pid):
    """The process's resident set size in bytes (/proc/PID/status VmRSS)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def free_port():
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------
# Server processes
# ---------------------------------------------------------------------------

_all_servers = []
_log_files = []


def _cleanup_logs():
    # Logs were already printed where it mattered (failed test, bad exit code).
    if os.environ.get("LARDER_KEEP_LOGS"):
        return
    for path in _log_files:
        try:
            os.unlink(path)
        except OSError:
            pass


atexit.register(_cleanup_logs)


class ServerStartError(RuntimeError):
    pass


def _listening_inodes(port):
    """Socket inodes of TCP listeners on `port` (/proc/net/tcp and tcp6)."""
    inodes = set()
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(fields[9])
        except OSError:
            continue
    return inodes


def _owns_listener(pid, port):
    """True when process `pid` holds a socket listening on `port`."""
    inodes = _listening_inodes(port)
    try:
        fds = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return False
    for fd in fds:
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return True
    return False


class Server:
    """A server process started by start_larder()/start_redis()."""

    def __init__(self, name, argv, port, log_path):
        self.name = name
        self.argv = argv
        self.port = port
        self.log_path = log_path
        self.returncode = None
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        _all_servers.append(self)

    def __repr__(self):
        return "<%s port=%d pid=%d>" % (self.name, self.port, self.proc.pid)

    def alive(self):
        return self.proc.poll() is None

    def wait_ready(self, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        last_err = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerStartError("%s exited with code %s during startup\n%s"
                                       % (self.name, self.proc.returncode, self.log_text()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    # Someone listens: ours, or a server of a concurrent test
                    # that took the same free port (ours then fails to bind).
                    if _owns_listener(self.proc.pid, self.port):
                        return
                last_err = "another process listens on the port"
            except OSError as e:
                last_err = e
            time.sleep(0.02)
        raise ServerStartError("%s did not accept connections on port %d within %.0fs (%s)\n%s"
                               % (self.name, self.port, timeout, last_err, self.log_text()))

    def log_text(self, tail=LOG_TAIL_LINES):
        try:
            self._log.flush()
        except (ValueError, OSError):
            pass
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
        except OSError as e:
            return "(log unavailable: %s)" % e
        lines = data.decode("utf-8", "replace").splitlines()
        if len(lines) > tail:
            lines = ["... (%d lines omitted)" % (len(lines) - tail)] + lines[-tail:]
        return "\n".join(lines)

    def print_log(self, reason=""):
        sys.stderr.write("\n===== %s %s log (%s) %s =====\n%s\n===== end of log =====\n"
                         % (self.name, self.argv[0], " ".join(self.argv[1:]), reason,
                            self.log_text()))
        sys.stderr.flush()

    def send_signal(self, signum):
        if self.proc.poll() is None:
            self.proc.send_signal(signum)

    def wait(self, timeout=STOP_TIMEOUT):
        """Wait for exit; return the exit code, or None on timeout."""
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self._close_log()
        return self.returncode

    def stop(self, signum=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Send signum (SIGTERM), wait up to timeout, return the exit code.

        If the process does not exit in time it is SIGKILLed and a negative
        code is returned. A non-zero code prints the server log.
        """
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                sys.stderr.write("%s did not exit within %.1fs of signal %d; killing\n"
                                 % (self.name, timeout, signum))
                self.proc.kill()
                self.proc.wait(timeout=5)
                self.returncode = -9999
                self.print_log("(killed after stop timeout)")
                self._close_log()
                return self.returncode
        self.returncode = self.proc.returncode
        if self.returncode != 0:
            self.print_log("(exit code %s)" % self.returncode)
        self._close_log()
        return self.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._close_log()

    def _close_log(self):
        try:
            self._log.close()
        except OSError:
            pass
        if self in _all_servers:
            _all_servers.remove(self)

    def client(self, timeout=SOCKET_TIMEOUT):
        return RawClient(self.port, timeout=timeout)


def _start(name, build_argv, attempts=3):
    last = None
    for _ in range(attempts):
        port = free_port()
        argv = build_argv(port)
        fd, log_path = tempfile.mkstemp(prefix="larder-test-%s-" % name.split()[0], suffix=".log")
        os.close(fd)
        _log_files.append(log_path)
        srv = Server(name, argv, port, log_path)
        try:
            srv.wait_ready()
            return srv
        except ServerStartError as e:
            last = e
            srv.kill()
            # Port stolen between free_port() and bind: retry with another.
            continue
    raise last


def _redis_argv(port, extra):
    return [redis_server_bin(), "--port", str(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no"] + list(extra)


def _translate_for_redis(args):
    """Drop Larder-only flags so a redis-server can stand in for Larder."""
    out = []
    i = 0
    args = list(args)
    while i < len(args):
        a = args[i]
        if a == "--threads":
            i += 2
            continue
        if a.startswith("--threads="):
            i += 1
            continue
        out.append(a)
        i += 1
    return out


def start_larder(*extra_args, threads=None, wrapper=()):
    """Start Larder (or redis-server with LARDER_AS_REDIS=1) and wait until ready.

    wrapper: a command line the server runs under, e.g. ("prlimit", "--nofile=64")."""
    wrapper = list(wrapper)
    extra = [str(a) for a in extra_args]
    if threads is None and os.environ.get("LARDER_THREADS"):
        threads = int(os.environ["LARDER_THREADS"])
    if threads is not None:
        extra += ["--threads", str(threads)]
    if larder_is_redis():
        red = _translate_for_redis(extra)
        return _start("larder(as redis-server)",
                      lambda p: wrapper + _redis_argv(p, ["--loglevel", "warning"] + red))
    binary = larder_bin()
    if not os.path.exists(binary):
        raise ServerStartError("Larder binary not found: %s (set LARDER_BIN or build it; "
                               "LARDER_AS_REDIS=1 runs the tests against redis-server)" % binary)
    return _start("larder", lambda p: wrapper + [binary, "--port", str(p), "--bind", "127.0.0.1",
                                       "--loglevel", "warning"] + extra)


def start_redis(*extra_args):
    """Start the reference redis-server and wait until ready."""
    extra = [str(a) for a in extra_args]
    return _start("redis-server", lambda p: _redis_argv(p, ["--loglevel", "warning"] + extra))


# ---------------------------------------------------------------------------
# Raw RESP client
# ---------------------------------------------------------------------------

class ProtocolViolation(AssertionError):
    """The server sent bytes that are not a valid RESP reply."""


class _Incomplete(Exception):
    pass


class RespError(object):
    """Decoded RESP error reply (returned by decode(), never raised)."""

    def __init__(self, message):
        self.message = message

    def __eq__(self, other):
        return isinstance(other, RespError) and other.message == self.message

    def __hash__(self):
        return hash(self.message)

    def __repr__(self):
        return "RespError(%r)" % self.message


def info_fields(reply):
    """{field: value} of a raw INFO reply."""
    out = {}
    for line in reply.decode().split("\r\n"):
        if ":" in line:
            name, value = line.split(":", 1)
            out[name] = value
    return out


def encode_command(*args):
    """Encode args (str, bytes or int) as a RESP array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode("utf-8")
        elif isinstance(a, int):
            a = str(a).encode()
        elif not isinstance(a, (bytes, bytearray)):
            raise TypeError("bad argument type %r" % type(a))
        parts.append(b"$%d\r\n" % len(a))
        parts.append(bytes(a))
        parts.append(b"\r\n")
    return b"".join(parts)


_LINE_TYPES = b"+-:_,#("
_BULK_TYPES = b"$!="
_AGG_TYPES = b"*~>"
_MAP_TYPES = b"%|"
MAX_NESTING = 64


def _find_line(buf, pos):
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise _Incomplete()
    return end


def _parse_int(raw, what):
    try:
        text = raw.decode("ascii")
        if text.strip() != text or text == "":
            raise ValueError
        return int(text)
    except (UnicodeDecodeError, ValueError):
        raise ProtocolViolation("invalid %s %r" % (what, raw))


def scan_reply(buf, pos=0, depth=0):
    """Return the end offset of the complete reply starting at buf[pos].

    Raises _Incomplete if more bytes are needed, ProtocolViolation if the
    bytes are not valid RESP2/RESP3.
    """
    if depth > MAX_NESTING:
        raise ProtocolViolation("reply nested deeper than %d" % MAX_NESTING)
    if pos >= len(buf):
        raise _Incomplete()
    t = buf[pos]
    end = _find_line(buf, pos + 1)
    line = bytes(buf[pos + 1:end])
    after = end + 2
    if t in _LINE_TYPES:
        if b"\r" in line or b"\n" in line:
            raise ProtocolViolation("CR/LF inside a line reply %r" % line)
        if t == ord(":"):
            _parse_int(line, "integer reply")
        elif t == ord("_") and line != b"":
            raise ProtocolViolation("RESP3 null with payload %r" % line)
        elif t == ord("#") and line not in (b"t", b"f"):
            raise ProtocolViolation("bad boolean %r" % line)
        return after
    if t in _BULK_TYPES:
        n = _parse_int(line, "bulk length")
        if n == -1 and t == ord("$"):
            return after
        if n < 0:
            raise ProtocolViolation("negative bulk length %d" % n)
        if len(buf) < after + n + 2:
            raise _Incomplete()
        if buf[after + n:after + n + 2] != b"\r\n":
            raise ProtocolViolation("bulk string of length %d not followed by CRLF (got %r)"
                                    % (n, bytes(buf[after + n:after + n + 2])))
        return after + n + 2
    if t in _AGG_TYPES or t in _MAP_TYPES:
        n = _parse_int(line, "aggregate length")
        if n == -1 and t == ord("*"):
            return after
        if n < 0:
            raise ProtocolViolation("negative aggregate length %d" % n)
        count = n * 2 if t in _MAP_TYPES else n
        p = after
        for _ in range(count):
            p = scan_reply(buf, p, depth + 1)
        if t == ord("|"):
            # An attribute is followed by the reply it annotates.
            p = scan_reply(buf, p, depth + 1)
        return p
    raise ProtocolViolation("unknown RESP type byte %r at offset %d (context %r)"
                            % (bytes([t]), pos, bytes(buf[pos:pos + 40])))


def _decode_at(buf, pos):
    t = buf[pos]
    end = buf.index(b"\r\n", pos + 1)
    line = bytes(buf[pos + 1:end])
    after = end + 2
    c = chr(t)
    if c == "+":
        return line.decode("utf-8", "replace"), after
    if c == "-" or c == "!":
        if c == "!":
            n = int(line)
            return RespError(bytes(buf[after:after + n]).decode("utf-8", "replace")), after + n + 2
        return RespError(line.decode("utf-8", "replace")), after
    if c == ":" or c == "(":
        return int(line), after
    if c == "_":
        return None, after
    if c == ",":
        return float(line.decode()), after
    if c == "#":
        return line == b"t", after
    if c == "$" or c == "=":
        n = int(line)
        if n == -1:
            return None, after
        data = bytes(buf[after:after + n])
        if c == "=":
            data = data[4:]
        return data, after + n + 2
    if c in "*~>":
        n = int(line)
        if n == -1:
            return None, after
        out = []
        p = after
        for _ in range(n):
            v, p = _decode_at(buf, p)
            out.append(v)
        return out, p
    if c in "%|":
        n = int(line)
        d = {}
        p = after
        for _ in range(n):
            k, p = _decode_at(buf, p)
            v, p = _decode_at(buf, p)
            if isinstance(k, list):
                k = tuple(k)
            d[k] = v
        if c == "|":
            return _decode_at(buf, p)
        return d, p
    raise ProtocolViolation("unknown RESP type %r" % c)


def decode(reply):
    """Decode the raw bytes of one reply into Python values.

    simple string -> str, error -> RespError, integer -> int,
    bulk -> bytes, null -> None, array/set/push -> list, map -> dict.
    """
    end = scan_reply(reply, 0)
    if end != len(reply):
        raise ProtocolViolation("trailing bytes after reply: %r" % reply[end:end + 40])
    value, _ = _decode_at(reply, 0)
    return value


class ConnectionClosed(AssertionError):
    pass


class RawClient:
    """A minimal RESP client that returns raw reply bytes."""

    MAX_BUFFER = 1 << 30

    def __init__(self, port, host="127.0.0.1", timeout=SOCKET_TIMEOUT):
        self.port = port
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        self.timeout = timeout
        self.buf = bytearray()
        self.eof = False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sock.sendall(data)

    def _recv_more(self):
        if self.eof:
            raise ConnectionClosed("server closed the connection (buffered: %r)"
                                   % bytes(self.buf[:200]))
        try:
            chunk = self.sock.recv(1 << 16)
        except socket.timeout:
            raise socket.timeout("no complete reply within %.1fs (buffered %d bytes: %r)"
                                 % (self.timeout, len(self.buf), bytes(self.buf[:200])))
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
            raise ConnectionClosed("server closed the connection (buffered: %r)"
                                   % bytes(self.buf[:200]))
        self.buf += chunk
        if len(self.buf) > self.MAX_BUFFER:
            raise ProtocolViolation("reply larger than %d bytes" % self.MAX_BUFFER)

    def read_reply(self):
        """Return the raw bytes of exactly one complete reply."""
        while True:
            try:
                end = scan_reply(self.buf, 0)
            except _Incomplete:
                self._recv_more()
                continue
            reply = bytes(self.buf[:end])
            del self.buf[:end]
            return reply

    def read_replies(self, n):
        """Read n replies; more efficient than n read_reply() calls for big pipelines."""
        out = []
        pos = 0
        while len(out) < n:
            try:
                end = scan_reply(self.buf, pos)
            except _Incomplete:
                del self.buf[:pos]
                pos = 0
                self._recv_more()
                continue
            out.append(bytes(self.buf[pos:end]))
            pos = end
        del self.buf[:pos]
        return out

    def cmd(self, *args):
        self.send(encode_command(*args))
        return self.read_reply()

    def call(self, *args):
        """cmd() + decode()."""
        return decode(self.cmd(*args))

    def read_available(self, wait=0.2):
        """Return whatever bytes arrive within `wait` seconds (buffer included)."""
        deadline = time.monotonic() + wait
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                break
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.eof = True
                break
            self.buf += chunk
        self.sock.settimeout(self.timeout)
        data = bytes(self.buf)
        self.buf.clear()
        return data

    def is_closed(self, timeout=2.0):
        """True if the server closes the connection within `timeout` seconds
        (four times that under a sanitizer).

        Bytes received meanwhile are kept in the buffer (read_reply() still
        returns them).
        """
        if self.eof:
            return True
        deadline = time.monotonic() + timeout * _SLACK
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.sock.settimeout(left)
                try:
                    chunk = self.sock.recv(1 << 16)
                except socket.timeout:
                    return False
                except (ConnectionResetError, BrokenPipeError):
                    chunk = b""
                if not chunk:
                    self.eof = True
                    return True
                self.buf += chunk
        finally:
            try:
                self.sock.settimeout(self.timeout)
            except OSError:
                pass


# ---------------------------------------------------------------------------
# unittest glue
# ---------------------------------------------------------------------------

class ServerTestCase(unittest.TestCase):
    """TestCase that owns servers: stops them after each test, asserts exit code 0
    and prints their logs when the test fails."""

    def setUp(self):
        super().setUp()
        self._servers = []

    def start_larder(self, *args, threads=None, wrapper=()):
        srv = start_larder(*args, threads=threads, wrapper=wrapper)
        self._track(srv)
        return srv

    def start_redis(self, *args):
        srv = start_redis(*args)
        self._track(srv)
        return srv

    def _track(self, srv):
        self._servers.append(srv)
        self.addCleanup(self._stop_server, srv)

    def _stop_server(self, srv):
        if srv.returncode is not None or srv.proc.poll() is not None:
            code = srv.proc.returncode
            srv._close_log()
        else:
            code = srv.stop()
        if code != 0:
            raise AssertionError("%s exited with code %s (a sanitizer report or crash?)"
                                 % (srv.name, code))

    def stop_and_check(self, srv, signum=signal.SIGTERM):
        code = srv.stop(signum)
        self.assertEqual(code, 0, "%s exit code" % srv.name)
        return code

    def client(self, srv):
        c = srv.client()
        self.addCleanup(c.close)
        return c

    def run_threads(self, targets, timeout=60):
        """Run each callable on its own thread; fail if one hangs, re-raise the
        first exception one raised."""
        errors = []

        def wrap(fn):
            def run():
                try:
                    fn()
                except BaseException as e:  # noqa: BLE001
                    errors.append(e)
            return run

        threads = [threading.Thread(target=wrap(t)) for t in targets]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout)
            self.assertFalse(t.is_alive(), "a client thread hung")
        if errors:
            raise errors[0]

    def run(self, result=None):
        if result is None:
            return super().run(result)
        before = len(result.failures) + len(result.errors)
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            for srv in getattr(self, "_servers", []):
                srv.print_log("(test %s failed)" % self.id())
            for srv in getattr(type(self), "class_servers", []):
                srv.print_log("(test %s failed)" % self.id())
        return out


class ClassServersMixin:
    """Helpers for servers shared by all tests of a class (setUpClass)."""

    class_servers = []

    @classmethod
    def start_class_server(cls, srv):
        if "class_servers" not in cls.__dict__:
            cls.class_servers = []
        cls.class_servers.append(srv)
        return srv

    @classmethod
    def stop_class_servers(cls):
        bad = []
        for srv in cls.__dict__.get("class_servers", []):
            code = srv.stop()
            if code != 0:
                bad.append("%s exited with code %s" % (srv.name, code))
        cls.class_servers = []
        if bad:
            raise AssertionError("; ".join(bad))


# ---------------------------------------------------------------------------
# Differential helpers
# ---------------------------------------------------------------------------

def sort_array_reply(reply):
    """Raw bytes of an array reply with its elements sorted (for KEYS)."""
    if not reply.startswith(b"*") or reply.startswith(b"*-1"):
        return reply
    header_end = reply.index(b"\r\n") + 2
    n = int(reply[1:header_end - 2])
    elems = []
    pos = header_end
    for _ in range(n):
        end = scan_reply(reply, pos)
        elems.append(reply[pos:end])
        pos = end
    return reply[:header_end] + b"".join(sorted(elems)) + reply[pos:]


def show(b):
    return repr(bytes(b))


def fmt_cmd(args):
    return " ".join(repr(a) if isinstance(a, bytes) else repr(str(a)) for a in args)


class Near:
    """Script entry whose integer reply may differ by at most `tol` between the
    two servers (e.g. PTTL, or TTL of an EXAT key); the sign must match."""

    def __init__(self, *args, tol):
        self.args = args
        self.tol = tol

    def matches(self, a, b):
        if a == b:
            return True
        if not (a.startswith(b":") and b.startswith(b":")):
            return False
        x, y = int(a[1:-2]), int(b[1:-2])
        return (x < 0) == (y < 0) and abs(x - y) <= self.tol

    def __repr__(self):
        return "Near(%s, tol=%d)" % (fmt_cmd(self.args), self.tol)


def weighted(rnd, *choices):
    """For seeded random scripts: calls one maker of the (share, maker) pairs,
    drawn by share (the shares sum to 1) with one rnd.random()."""
    r = rnd.random()
    for share, make in choices[:-1]:
        if r < share:
            return make()
        r -= share
    return choices[-1][1]()


def several(rnd, make, most):
    """1 to most-1 results of make(), a tuple (a random script's arguments)."""
    return tuple(make() for _ in range(rnd.randrange(1, most)))


def run_script(client, script):
    """Send each command of script and return the list of raw replies.

    A script entry is a tuple/list of args (encoded as a RESP array), a Near
    wrapper, or bytes (sent raw, one reply expected).
    """
    out = []
    for entry in script:
        if isinstance(entry, Near):
            out.append(client.cmd(*entry.args))
        elif isinstance(entry, (bytes, bytearray)):
            client.send(entry)
            out.append(client.read_reply())
        else:
            out.append(client.cmd(*entry))
    return out


def _entry_text(entry):
    if isinstance(entry, Near):
        return repr(entry)
    if isinstance(entry, (bytes, bytearray)):
        return show(entry)
    return fmt_cmd(entry)


def command_name(entry):
    if isinstance(entry, Near):
        entry = entry.args
    if isinstance(entry, (bytes, bytearray)):
        return b""
    name = entry[0] if entry else b""
    if isinstance(name, str):
        name = name.encode()
    return bytes(name).lower()


def compare_replies(script, expected, actual, sort_commands=(b"keys",)):
    """Return a list of human readable mismatches (empty when equal)."""
    mismatches = []
    for i, (entry, e, a) in enumerate(zip(script, expected, actual)):
        if isinstance(entry, Near):
            if entry.matches(e, a):
                continue
            e2, a2 = e, a
        elif command_name(entry) in sort_commands:
            e2, a2 = sort_array_reply(e), sort_array_reply(a)
        else:
            e2, a2 = e, a
        if e2 != a2:
            mismatches.append("  #%d %s\n      redis : %s\n      larder: %s"
                              % (i, _entry_text(entry), show(e), show(a)))
    return mismatches


class DifferentialTestCase(ClassServersMixin, ServerTestCase):
    """Runs the same command scripts against a fresh redis-server and a fresh
    Larder (one pair per test class) and compares raw reply bytes.

    Each check() starts from an empty keyspace (FLUSHALL on new connections,
    whose reply is compared too) and uses RESP2 only.
    """

    LARDER_ARGS = ()
    REDIS_ARGS = ()

    @classmethod
    def start_reference(cls):
        """The redis-server of the pair (a subclass may start it otherwise)."""
        return start_redis(*cls.REDIS_ARGS)

    @classmethod
    def start_subject(cls):
        """The Larder of the pair."""
        return start_larder(*cls.LARDER_ARGS)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.redis = cls.start_class_server(cls.start_reference())
        try:
            cls.larder = cls.start_class_server(cls.start_subject())
        except BaseException:
            cls.stop_class_servers()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stop_class_servers()
        super().tearDownClass()

    def check(self, script, sort_commands=(b"keys",), flush=True):
        if flush:
            script = [("FLUSHALL",)] + list(script)
        with self.redis.client() as rc, self.larder.client() as lc:
            expected = run_script(rc, script)
            actual = []
            try:
                for entry in script:
                    actual.extend(run_script(lc, [entry]))
            except Exception as e:
                done = len(actual)
                raise AssertionError("Larder failed at command #%d %s: %r\n(redis replied %s)"
                                     % (done, _entry_text(script[done]) if done < len(script) else "?",
                                        e, show(expected[done]) if done < len(expected) else "?"))
        mismatches = compare_replies(script, expected, actual, sort_commands)
        if mismatches:
            self.fail("%d of %d replies differ from redis-server:\n%s"
                      % (len(mismatches), len(script), "\n".join(mismatches)))
        return expected


class ProtocolDiffTestCase(DifferentialTestCase):
    """A DifferentialTestCase whose check() speaks the class's PROTOCOL (2, or
    3 after HELLO 3 on each connection) and compares each reply's raw bytes in
    order; subclasses for RESP3 set PROTOCOL = 3."""

    PROTOCOL = 2

    def prelude(self, c):
        if self.PROTOCOL == 3:
            self.assertTrue(c.cmd("HELLO", "3").startswith(b"%"))

    def check(self, script, flush=True):
        if flush:
            script = [("FLUSHALL",)] + list(script)
        with self.redis.client() as rc, self.larder.client() as lc:
            self.prelude(rc)
            self.prelude(lc)
            expected = [rc.cmd(*e) for e in script]
            actual = [lc.cmd(*e) for e in script]
        bad = ["  #%d %s\n      redis : %s\n      larder: %s" % (i, " ".join(map(str, s))[:200], show(e)[:400],
                                                                show(a)[:400])
               for i, (s, e, a) in enumerate(zip(script, expected, actual)) if e != a]
        if bad:
            self.fail("RESP%d: %d of %d replies differ:\n%s" % (self.PROTOCOL, len(bad), len(script),
                                                                 "\n".join(bad[:20])))
        return expected


# Convenience: RawClient.decode(reply_bytes) is the module-level decode().
RawClient.decode = staticmethod(decode)
