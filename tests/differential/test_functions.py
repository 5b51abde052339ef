#!/usr/bin/python3
"""Differential: FUNCTION LOAD / LIST / DELETE / FLUSH / STATS / KILL / HELP,
FCALL and FCALL_RO against redis-server 7.0, in RESP2 and after HELLO 3:
library metadata and registration errors, flags, the load-time environment,
runtime errors and conversions. FUNCTION LIST with several libraries is
compared with its libraries sorted (Redis lists them in hash-table order).
"""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, decode, show  # noqa: E402

LIB = ("#!lua name=mylib\n"
       "redis.register_function('myfunc', function(keys, args) return {keys[1], args[1]} end)\n"
       "redis.register_function{function_name='ro', callback=function(keys, args) "
       "return redis.call('get', keys[1]) end, flags={'no-writes'}, description='read only'}\n"
       "redis.register_function{function_name='setter', callback=function(keys, args) "
       "return redis.call('set', keys[1], args[1]) end}\n")


def normal_list(reply):
    """A FUNCTION LIST reply decoded, with its libraries and each library's
    functions sorted (Redis keeps both in hash tables)."""
    libs = []
    for entry in decode(reply):
        if isinstance(entry, dict):
            entry = dict(entry)
            entry[b"functions"] = sorted(entry[b"functions"], key=repr)
        else:
            entry = list(entry)
            at = entry.index(b"functions") + 1
            entry[at] = sorted(entry[at], key=repr)
        libs.append(repr(entry))
    return sorted(libs)


def lib(name, body):
    return "#!lua name=%s\n%s" % (name, body)


class FunctionsDiffCase(DifferentialTestCase):
    PROTOCOL = 2

    def prelude(self, c):
        if self.PROTOCOL == 3:
            self.assertTrue(c.cmd("HELLO", "3").startswith(b"%"))

    def check(self, script, flush=True):
        if flush:
            script = [("FLUSHALL",), ("FUNCTION", "FLUSH")] + list(script)
        with self.redis.client() as rc, self.larder.client() as lc:
            self.prelude(rc)
            self.prelude(lc)
            expected = [rc.cmd(*e) for e in script]
            actual = [lc.cmd(*e) for e in script]
        bad = []
        for i, (s, e, a) in enumerate(zip(script, expected, actual)):
            if s[:2] == ("FUNCTION", "LIST") and e.startswith(b"*"):
                e, a = normal_list(e), normal_list(a)
            if e != a:
                bad.append("  #%d %s\n      redis : %s\n      larder: %s"
                           % (i, " ".join(map(str, s))[:300], str(e)[:600], str(a)[:600]))
        if bad:
            self.fail("RESP%d: %d of %d replies differ:\n%s" % (self.PROTOCOL, len(bad), len(script),
                                                                "\n".join(bad)))

    def test_load_and_call(self):
        self.check([
            ("FUNCTION", "LOAD", LIB), ("FCALL", "myfunc", "1", "k", "a"), ("FCALL", "setter", "1", "k", "v"),
            ("FCALL_RO", "ro", "1", "k"), ("FCALL_RO", "myfunc", "1", "k", "a"), ("FCALL_RO", "setter", "1", "k", "x"),
            ("FCALL", "nosuch", "0"), ("FCALL", "myfunc", "x"), ("FCALL", "myfunc", "-1"), ("FCALL", "myfunc", "2", "a"),
            ("FCALL", "myfunc"), ("FUNCTION", "LOAD", LIB), ("FUNCTION", "LOAD", "REPLACE", LIB),
            ("FUNCTION", "LOAD", "REPLACE", "REPLACE", LIB), ("FUNCTION", "LOAD", "BAD", LIB),
            ("FUNCTION", "LOAD"), ("FUNCTION", "LIST"), ("FUNCTION", "LIST", "WITHCODE"),
            ("FUNCTION", "LIST", "LIBRARYNAME", "my*"), ("FUNCTION", "LIST", "LIBRARYNAME", "x*"),
            ("FUNCTION", "LIST", "libraryname", "MYLIB", "withcode"),
            ("FUNCTION", "LIST", "LIBRARYNAME"), ("FUNCTION", "LIST", "WITHCODE", "WITHCODE"),
            ("FUNCTION", "LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "b"), ("FUNCTION", "LIST", "foo"),
            ("FUNCTION", "LOAD", lib("other", "redis.register_function('myfunc', function() return 1 end)")),
            ("FUNCTION", "LOAD", lib("other", "redis.register_function('f2', function() return 2 end)")),
            ("FCALL", "f2", "0"), ("FUNCTION", "DELETE", "other"), ("FCALL", "f2", "0"),
            ("FUNCTION", "DELETE", "other"), ("FUNCTION", "DELETE"),
            ("FUNCTION", "STATS"), ("FUNCTION", "KILL"), ("FUNCTION", "HELP"), ("FUNCTION", "NOSUCH"),
            ("FUNCTION", "FLUSH", "bad"), ("FUNCTION", "FLUSH", "sync", "x"), ("FUNCTION", "FLUSH", "ASYNC"),
            ("FUNCTION", "LIST"), ("FCALL", "myfunc", "0"), ("FUNCTION", "STATS"),
        ])

    def test_function_names_ignore_case(self):
        self.check([
            ("FUNCTION", "LOAD", lib("x", "redis.register_function('myfunc', function() return 1 end)")),
            ("FCALL", "MYFUNC", "0"), ("FCALL_RO", "MyFunc", "0"), ("FCALL", "NoSuch", "x"),
            ("FUNCTION", "LOAD", lib("y", "redis.register_function('MyFunc', function() return 2 end)")),
            ("FUNCTION", "LOAD", lib("X", "redis.register_function('other', function() return 3 end)")),
            ("FCALL", "OTHER", "0"), ("FUNCTION", "STATS"),
            ("FUNCTION", "LOAD", "REPLACE", lib("x", "redis.register_function('MYFUNC', function() return 4 end)")),
            ("FCALL", "myfunc", "0"), ("FUNCTION", "DELETE", "X"), ("FCALL", "other", "0"),
            ("FUNCTION", "DELETE", "x"), ("FCALL", "myfunc", "0"),
        ])

    def test_several_libraries_listed(self):
        self.check([
            ("FUNCTION", "LOAD", LIB),
            ("FUNCTION", "LOAD", lib("b", "redis.register_function('fb', function() return 'b' end)")),
            ("FUNCTION", "LOAD", lib("c", "redis.register_function{function_name='fc', callback=function() end,"
                                          " flags={'allow-oom', 'allow-stale', 'no-cluster'}, description='c'}")),
            ("FUNCTION", "LIST"), ("FUNCTION", "STATS"), ("FCALL", "fb", "0"), ("FCALL", "fc", "0"),
        ])

    def test_metadata_and_registration_errors(self):
        bodies = [
            "redis.register_function{function_name=1, callback=function() end}",
            "redis.register_function{function_name='a', callback=1}",
            "redis.register_function{function_name='a', callback=function() end, flags='x'}",
            "redis.register_function{function_name='a', callback=function() end, flags={1}}",
            "redis.register_function{function_name='a', callback=function() end, flags={'bad'}}",
            "redis.register_function{function_name='a', callback=function() end, description=1}",
            "redis.register_function{function_name='a', callback=function() end, foo=1}",
            "redis.register_function{function_name={}, callback=function() end}",
            "redis.register_function{[1]=1}", "redis.register_function{function_name='a'}",
            "redis.register_function{callback=function() end}",
            "redis.register_function({}, function() end)", "redis.register_function('a', 1)",
            "redis.register_function('a', function() end) redis.register_function('a', function() end)",
            "redis.register_function('', function() end)", "redis.register_function('a-b', function() end)",
            "redis.register_function('a', function() end, 1)", "redis.register_function()",
            "redis.register_function('x')", "return 1", "local x = ", "error('boom')",
            "redis.call('set', 'a', 'b')", "redis.setresp(3)", "local t = string.rep('a', 2)",
            "local t = {} for k in pairs(redis) do end",
            "redis.log(redis.LOG_WARNING, 'loading') redis.register_function('v' .. redis.REDIS_VERSION_NUM,"
            " function() return redis.REDIS_VERSION end)",
            "x = 1", "redis.register_function('g', function() return KEYS end)",
            "redis.register_function('h', function(keys, args) return {#keys, #args, type(string)} end)",
            "redis.register_function('i', function(keys, args) return x end)",
            "while true do end",  # Redis's 500 ms load timeout
        ]
        script = []
        for i, body in enumerate(bodies):
            script.append(("FUNCTION", "LOAD", lib("t%d" % i, body)))
        script += [
            ("FUNCTION", "LOAD", "return 1"), ("FUNCTION", "LOAD", "#!lua\nreturn 1"),
            ("FUNCTION", "LOAD", "#!lua name=x foo=bar\nreturn 1"), ("FUNCTION", "LOAD", "#!lua name=bad!\nreturn 1"),
            ("FUNCTION", "LOAD", "#!js name=x\nreturn 1"), ("FUNCTION", "LOAD", "#!lua name=a NAME=b\nreturn 1"),
            ("FUNCTION", "LOAD", "#!LUA name=up\nredis.register_function('up', function() return 1 end)"),
            ("FUNCTION", "LOAD", "#!lua name=x"),
            ("FCALL", "g", "0"), ("FCALL", "h", "2", "a", "b", "c"), ("FCALL", "i", "0"), ("FCALL", "up", "0"),
            ("FCALL", "v458767", "0"), ("FCALL", "1", "0"), ("FCALL", "a", "0"),
        ]
        self.check(script)

    def test_runtime(self):
        self.check([
            ("SET", "s", "x"),
            ("FUNCTION", "LOAD", lib("rt",
                                     "redis.register_function('err', function() return redis.call('incr', 's') end)\n"
                                     "redis.register_function('perr', function() return redis.pcall('incr', 's') end)\n"
                                     "redis.register_function('boom', function() error('boom') end)\n"
                                     "redis.register_function('resp3', function() redis.setresp(3) "
                                     "return redis.call('hgetall', 'nokey') end)\n"
                                     "redis.register_function('conv', function() return {1, 2.5, 'a', true, false,"
                                     " {double = 1.5}, {map = {a = 1}}} end)\n"
                                     "redis.register_function{function_name='nw', callback=function() "
                                     "return redis.call('del', 's') end, flags={'no-writes'}}\n")),
            ("FCALL", "err", "0"), ("FCALL", "perr", "0"), ("FCALL", "boom", "0"), ("FCALL", "resp3", "0"),
            ("FCALL", "conv", "0"), ("FCALL", "nw", "0"), ("FCALL_RO", "nw", "0"), ("EXISTS", "s"),
        ])

    def test_eval_only_api_is_hidden(self):
        self.check([
            ("FUNCTION", "LOAD", lib("api",
                                     "redis.register_function('rc', function() return redis.replicate_commands() end)\n"
                                     "redis.register_function('types', function() return {type(redis.breakpoint),"
                                     " type(redis.debug), type(redis.call), type(redis.set_repl)} end)\n"
                                     "redis.register_function('handler', function() return type(__redis__err__handler)"
                                     " end)")),
            ("FCALL", "rc", "0"), ("FCALL", "types", "0"), ("FCALL", "handler", "0"),
        ])

    def test_named_arguments_and_flags_ignore_case(self):
        self.check([
            ("FUNCTION", "LOAD", lib("nc", "redis.register_function{FUNCTION_NAME='f', CallBack=function() "
                                           "return redis.call('set', 'k', 'v') end, FLAGS={'NO-WRITES', 'Allow-Oom'},"
                                           " Description='d'}")),
            ("FUNCTION", "LIST"), ("FCALL_RO", "f", "0"),
            ("FUNCTION", "LOAD", lib("comma", "redis.register_function{function_name='g', callback=function() "
                                              "return 1 end, flags={'no-writes,allow-oom'}}")),
            ("FUNCTION", "LOAD", lib("empty", "redis.register_function{function_name='g', callback=function() "
                                              "return 1 end, flags={''}}")),
        ])


class FunctionsResp3Case(FunctionsDiffCase):
    PROTOCOL = 3


class BusyFunctionTest(DifferentialTestCase):
    def run_busy(self, srv):
        out = []
        with srv.client() as c0, srv.client() as c1:
            c0.cmd("FUNCTION", "FLUSH")
            c0.cmd("CONFIG", "SET", "busy-reply-threshold", "100")
            c0.cmd("FUNCTION", "LOAD", lib("busy", "redis.register_function('spin', function() "
                                                   "local i = 0 while true do i = i + 1 end end)"))
            result = {}
            t = threading.Thread(target=lambda: result.update(reply=c0.cmd("FCALL", "spin", "0")))
            t.start()
            time.sleep(0.5)
            out.append(c1.cmd("GET", "k"))
            out.append(c1.cmd("SCRIPT", "KILL"))
            stats = decode(c1.cmd("FUNCTION", "STATS"))
            out.append(repr(stats[0]) + repr(stats[1][3][:2] if stats[1] else None))
            out.append(c1.cmd("FUNCTION", "KILL"))
            t.join(10)
            out.append(result.get("reply"))
            out.append(c1.cmd("FUNCTION", "KILL"))
            c0.cmd("CONFIG", "SET", "busy-reply-threshold", "5000")
            c0.cmd("FUNCTION", "FLUSH")
        return out

    def test_busy_function_and_kill(self):
        expected = self.run_busy(self.redis)
        actual = self.run_busy(self.larder)
        self.assertEqual([show(x) if isinstance(x, bytes) else x for x in expected],
                         [show(x) if isinstance(x, bytes) else x for x in actual])


if __name__ == "__main__":
    unittest.main()
