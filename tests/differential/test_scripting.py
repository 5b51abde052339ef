#!/usr/bin/python3
"""Differential: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT against
redis-server 7.0, in RESP2 and again after HELLO 3: conversions both ways
(redis.setresp 2 and 3), error texts (compile, runtime, redis.call errors,
sandbox), redis.pcall error tables, shebang flags, the cjson / cmsgpack /
bit / struct libraries, and BUSY / SCRIPT KILL with two connections.
"""
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from larder_harness import DifferentialTestCase, show  # noqa: E402


def ev(body, *keys_and_args, numkeys=0):
    return ("EVAL", body, str(numkeys)) + tuple(keys_and_args)


class ScriptingDiffCase(DifferentialTestCase):
    PROTOCOL = 2

    def prelude(self, c):
        if self.PROTOCOL == 3:
            self.assertTrue(c.cmd("HELLO", "3").startswith(b"%"))

    def check(self, script, flush=True):
        if flush:
            script = [("FLUSHALL",), ("SCRIPT", "FLUSH")] + list(script)
        with self.redis.client() as rc, self.larder.client() as lc:
            self.prelude(rc)
            self.prelude(lc)
            expected = [rc.cmd(*e) for e in script]
            actual = [lc.cmd(*e) for e in script]
        bad = ["  #%d %s\n      redis : %s\n      larder: %s" % (i, " ".join(map(str, s))[:300], show(e)[:400],
                                                               show(a)[:400])
               for i, (s, e, a) in enumerate(zip(script, expected, actual)) if e != a]
        if bad:
            self.fail("RESP%d: %d of %d replies differ:\n%s" % (self.PROTOCOL, len(bad), len(script),
                                                                "\n".join(bad)))

    def test_eval_basics_and_keys_argv(self):
        self.check([
            ev("return 1"), ev("return 'hello'"), ev("return {1, 2, 3}"),
            ev("return KEYS[1] .. ARGV[1]", "k", "v", numkeys=1),
            ev("return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}", "a", "b", "c", numkeys=2),
            ev("return #ARGV", "x", "y", "z"),
            ev("return KEYS", "a", "b", numkeys=2), ev("return ARGV", "a", "b"),
            ev("KEYS[1] = 'changed' return KEYS[1]", "k", numkeys=1), ev("return KEYS[1]", "k", numkeys=1),
            ev("return redis.call('set', KEYS[1], ARGV[1])", "k", "v", numkeys=1),
            ev("return redis.call('get', KEYS[1])", "k", numkeys=1),
            ev("return redis.call('incr', 'n')"), ev("return redis.call('incrbyfloat', 'f', '1.5')"),
            ev("redis.call('rpush', 'l', 'a', 'b', 'c') return redis.call('lrange', 'l', 0, -1)"),
            ev("return redis.call('get', 'nokey')"), ev("return redis.call('lrange', 'nokey', 0, -1)"),
            ev("return redis.call('set', 'x', 0.1)"), ev("return redis.call('get', 'x')"),
            ev("return redis.call('set', 'x', 1e20)"), ev("return redis.call('get', 'x')"),
            ev("return redis.call('set', 'x', 3)"), ev("return redis.call('get', 'x')"),
            ev("return redis.call('set', 'x', -7.25)"), ev("return redis.call('get', 'x')"),
            ("EVAL", "return 1", "-1"), ("EVAL", "return 1", "5", "a"), ("EVAL", "return 1", "x"),
            ("EVAL", "return 1"), ("EVAL",), ("EVALSHA", "abc", "0"),
            ("EVALSHA", "0123456789012345678901234567890123456789", "0"),
            ("eval", "return redis.call('ping')", "0"),
            ev("return redis.call('hset', 'h', 'a', '1', 'b', '2')"), ev("return redis.call('hgetall', 'h')"),
            ev("return redis.call('zadd', 'z', '1.5', 'a') .. ''"),
            ev("return redis.call('zscore', 'z', 'a')"),
            ev("return redis.call('exists', 'k', 'nokey', 'h')"),
            ev("redis.call('select', '1') redis.call('set', 'db1', 'yes') return redis.call('get', 'db1')"),
            ("GET", "db1"), ("SELECT", "1"), ("GET", "db1"), ("SELECT", "0"),
            ev("return redis.call('blpop', 'nolist', 0)"), ev("return redis.call('brpop', 'l', 0)"),
            ev("redis.call('del', 'k', 'x', 'n', 'f', 'h', 'z', 'l') return redis.call('keys', '*')"),
            ev("return redis.call('scan', '0')"), ev("return redis.call('dbsize')"),
            ev("return redis.call('flushdb')"), ("DBSIZE",),
        ])

    def test_scripts_in_transactions_and_stats(self):
        self.check([
            ("MULTI",), ev("return redis.call('incr', 'n')"), ("EVALSHA", "0" * 40, "0"), ("INCR", "n"), ("EXEC",),
            ("MULTI",), ("EVAL", "return 1"), ("EXEC",),
            ("SET", "w", "1"), ("WATCH", "w"), ev("return redis.call('set', 'w', '2')"), ("MULTI",), ("GET", "w"),
            ("EXEC",),
            ev("return redis.call('rpush', 'l', 'a')"), ("LRANGE", "l", "0", "-1"),
            ("CONFIG", "GET", "lua-time-limit"), ("CONFIG", "GET", "busy-reply-threshold"),
            ("CONFIG", "SET", "lua-time-limit", "100"), ("CONFIG", "GET", "busy-reply-threshold"),
            ("CONFIG", "SET", "busy-reply-threshold", "5000"), ("CONFIG", "GET", "lua-time-limit"),
        ])

    def test_evalsha_and_script_commands(self):
        body = "return {KEYS[1], ARGV[1]}"
        sha = "34ee2dcdd1c97e5af38ee0b8cf0a8d3171a0ee45"
        self.check([
            ("SCRIPT", "LOAD", body), ("SCRIPT", "EXISTS", sha, "0" * 40, sha.upper()),
            ("EVALSHA", sha, "1", "k", "a"), ("EVALSHA", sha.upper(), "1", "k", "a"),
            ("EVALSHA_RO", sha, "1", "k", "a"),
            ("SCRIPT", "FLUSH"), ("SCRIPT", "EXISTS", sha), ("EVALSHA", sha, "1", "k", "a"),
            ev(body, "k", "v", numkeys=1), ("SCRIPT", "EXISTS", sha), ("EVALSHA", sha, "1", "k", "b"),
            ("SCRIPT", "FLUSH", "ASYNC"), ("SCRIPT", "FLUSH", "sync"), ("SCRIPT", "FLUSH", "bad"),
            ("SCRIPT", "FLUSH", "sync", "x"), ("SCRIPT", "EXISTS"), ("SCRIPT", "LOAD"),
            ("SCRIPT", "LOAD", "return 1+"), ("SCRIPT", "LOAD", "#!lua flags=bad\nreturn 1"),
            ("SCRIPT", "KILL"), ("SCRIPT", "HELP"), ("SCRIPT", "NOSUCH"), ("SCRIPT",),
            ("SCRIPT", "LOAD", "return 'x'"), ("SCRIPT", "KILL", "x"),
        ])

    def test_errors(self):
        self.check([
            ("SET", "s", "x"),
            ev("return redis.call('nosuch')"), ev("return redis.call('lpush', 's', 'a')"),
            ev("return redis.pcall('lpush', 's', 'a')"), ev("return 1+"), ev("return a.b"),
            ev("return redis.call('get')"), ev("return redis.call('multi')"), ev("return redis.call('exec')"),
            ev("return redis.call('watch', 'k')"), ev("return redis.call('eval', 'return 1', '0')"),
            ev("return redis.call('script', 'load', 'return 1')"),
            ev("return redis.call('client', 'nosuch')"), ev("return redis.call('config')"),
            ev("return redis.call()"), ev("return redis.call({})"), ev("return redis.call('get', {})"),
            ev("return redis.call('get', nil)"), ev("return redis.call(true)"),
            ev("error('boom')"), ev("error({err='MY boom'})"), ev("error({err='no code'})"), ev("error()"),
            ev("error(42)"),
            ev("return redis.error_reply('MY x')"), ev("return redis.error_reply('x')"),
            ev("return redis.error_reply('-X y')"), ev("return redis.error_reply()"),
            ev("return redis.error_reply(1)"), ev("return {err='x'}"), ev("return {err='ERR a\\r\\nb'}"),
            ev("return redis.status_reply('FINE')"), ev("return redis.status_reply()"),
            ev("return {ok='a\\nb'}"),
            ev("local t = redis.pcall('incr', 's') return {t['err'], type(t)}"),
            ev("local ok, e = pcall(redis.call, 'incr', 's') return {tostring(ok), e['err']}"),
            ev("local ok, e = pcall(error, 'x') return {tostring(ok), e}"),
            ev("local r = redis.pcall('nosuch') return r['err']"),
            ev("return redis.pcall('nosuch')"), ev("return redis.pcall()"),
            ev("local function f() error('deep') end\nlocal x = 1\nf()"),
            ev("\n\nreturn redis.call('incr', 's')"),
            ev("return redis.setresp(4)"), ev("return redis.setresp()"),
            ev("return redis.log(redis.LOG_WARNING, 'from', 'script', 1)"), ev("return redis.log(9, 'x')"),
            ev("return redis.log()"), ev("return redis.log('x', 'y')"),
            ev("return redis.sha1hex('')"), ev("return redis.sha1hex('abc')"), ev("return redis.sha1hex()"),
            ev("return redis.set_repl(redis.REPL_ALL)"), ev("return redis.set_repl(99)"),
            ev("return redis.set_repl()"), ev("return redis.replicate_commands()"),
            ev("return redis.REDIS_VERSION"), ev("return redis.REDIS_VERSION_NUM"),
            ev("return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}"),
            ev("return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}"),
            ev("return redis.breakpoint()"), ev("return redis.acl_check_cmd('get', 'x')"),
            ev("return redis.acl_check_cmd('nosuch')"),
        ])

    def test_sandbox(self):
        self.check([
            ev("x = 1"), ev("return x"), ev("function f() end"), ev("_G.x = 1"), ev("rawset(_G, 'x', 1)"),
            ev("redis = nil"), ev("redis.call = nil"), ev("local t = os"), ev("return io"),
            ev("return type(loadfile)"), ev("return type(dofile)"), ev("return type(require)"),
            ev("return type(print)"), ev("return type(setfenv)"), ev("return type(getfenv)"),
            ev("return type(module)"), ev("return type(newproxy)"), ev("return type(debug)"),
            ev("return type(loadstring)"), ev("return type(gcinfo)"), ev("return type(collectgarbage)"),
            ev("return {type(string), type(math), type(table), type(coroutine), type(cjson), type(bit),"
               " type(struct), type(cmsgpack), type(redis), type(unpack), type(_G)}"),
            ev("setmetatable(_G, nil)"), ev("getmetatable(_G).__index = nil"), ev("cjson.encode = nil"),
            ev("string.x = 1"), ev("math.pi = 3"), ev("return _VERSION"),
            ev("local t = {} for k in pairs(redis) do t[#t + 1] = k end table.sort(t) return t"),
            ev("local t = {} for k in pairs(_G) do t[#t + 1] = k end table.sort(t) return t"),
            ev("return rawget(_G, 'redis') ~= nil"), ev("local t = {} t.x = 1 return t.x"),
            ev("local t = setmetatable({}, {__index = function() return 7 end}) return t.y"),
            ev("return loadstring('return 1 + 1')()"), ev("return string.rep('ab', 3)"),
            ev("return ('x'):upper()"), ev("return math.floor(3.7)"), ev("return table.concat({1, 2}, ',')"),
            ev("return tostring(nil) .. tostring(true)"), ev("return tonumber('0x10')"),
            ev("local n = 0 for i, v in ipairs({5, 6, 7}) do n = n + v end return n"),
            ev("return select('#', 1, 2, 3)"), ev("return unpack({1, 2})"),
            ev("local co = coroutine.create(function() coroutine.yield(1) end) return coroutine.resume(co)"),
        ])

    def test_no_bytecode(self):
        # Redis's Lua parses a chunk that starts like bytecode as text.
        dump = "string.dump(function() return 7 end)"
        with self.redis.client() as rc:
            bytecode = rc.call("EVAL", "return " + dump, "0")
        self.assertTrue(bytecode.startswith(b"\x1bLua"), bytecode[:8])
        self.check([
            ("EVAL", bytecode, "0"), ("SCRIPT", "LOAD", bytecode),
            ev("local f, e = loadstring(%s) return {tostring(f), e}" % dump),
            ev("local f, e = loadstring(%s, 'named') return {tostring(f), e}" % dump),
            ev("local s, i = %s, 0 local f, e = load(function() i = i + 1 if i == 1 then return s end end)"
               " return {tostring(f), e}" % dump),
            ev("local s, i = %s, 0 local f, e = load(function() i = i + 1 if i <= 2 then return s:sub(i, i) end end,"
               " 'nm') return {tostring(f), e}" % dump),
            ev("local i = 0 return load(function() i = i + 1 if i == 1 then return 'return ' elseif i == 2 then"
               " return '6 * 7' end end)()"),
            ev("return {load(function() return {} end)}"),
            ev("return loadstring('return 1 + 1', 'x')()"), ev("return {loadstring('return +')}"),
            ("FUNCTION", "LOAD", b"#!lua name=bc\n" + bytecode),
        ])

    def test_error_and_status_texts(self):
        # Redis reads these as C strings and trims CR/LF off error messages.
        self.check([
            ev("return {err='x\\n'}"), ev("return {err='\\nx\\r\\n'}"), ev("return {err='a\\0b'}"),
            ev("return {ok='a\\0b'}"), ev("return redis.error_reply('x\\n')"),
            ev("return redis.error_reply('\\nx')"), ev("return redis.error_reply('-a\\0 b')"),
            ev("return redis.error_reply('x\\n').err"), ev("error('a\\0b')"),
            ev("return {verbatim_string={format='t\\0x', string='x'}}"),
            ev("redis.setresp(3) return #redis.call('mget', 'a', 'nokey', 'c')", "a", "c", numkeys=2),
            ev("redis.setresp(3) return #redis.call('mget', 'nokey', 'nokey', 'c')", "c", numkeys=1),
            ("SET", "a", "1"), ("SET", "c", "3"),
            ev("redis.setresp(3) return #redis.call('mget', 'a', 'nokey', 'c')", "a", "c", numkeys=2),
            ev("redis.setresp(3) local t = redis.call('mget', 'nokey', 'a', 'nokey', 'c', 'nokey') return {#t, t[2]}"),
            ev("return setmetatable(1, {})"), ev("return setmetatable({}, 1)"), ev("return setmetatable({})"),
            ev("return setmetatable()"), ev("return setmetatable(setmetatable({}, {__metatable = 1}), {})"),
            ev("return type(setmetatable({}, {}))"), ev("return select(2, pcall())"), ev("return pcall()"),
            ev("#!lua\0 flags=no-writes\nreturn 1"), ev("#!lua flags=no-writes\0,bad\nreturn 1"),
            ("FUNCTION", "LOAD", "#!lua name=a\0b\nredis.register_function('f', function() return 1 end)"),
            ("FUNCTION", "LOAD", "#!lua name=ab\nredis.register_function('f\0g', function() return 1 end)"),
            ("FUNCTION", "LOAD", "#!lua name=cd\nredis.register_function{function_name='h', callback=function()"
                                 " return 1 end, description='a\0b'}"),
            ("FUNCTION", "LIST"), ("FUNCTION", "FLUSH"),
            ev("return {struct.unpack('>I2', '\\0\\5', -1)}"), ev("return {struct.unpack('', 'x', -1)}"),
            ev("return {struct.unpack('>I2', '\\0\\5', 0)}"),
        ])

    def test_acl_check_cmd_follows_the_user(self):
        script = [("ACL", "SETUSER", "u", "reset", "on", ">p", "+@all", "-set", "~a*")]
        checks = [ev("return redis.acl_check_cmd(%s)" % args)
                  for args in ("'set', 'a', 'v'", "'get', 'a'", "'get', 'b'", "'config'", "'config', 'get'",
                               "'config', 'nosuch'", "'set', 'a'", "'nosuch'")]
        script += checks + [("AUTH", "u", "p")] + checks + [("AUTH", "default", "x"), ("ACL", "DELUSER", "u")]
        self.check(script)

    def test_library_tables_stay_read_only(self):
        # Through getmetatable(), the string metatable and SCRIPT FLUSH: no
        # script changes what later scripts see.
        self.check([
            ev("getmetatable(redis).__index.call = function() return 'hijacked' end return 1"),
            ev("return redis.call('ping')"),
            ev("return {tostring(getmetatable(redis)), tostring(getmetatable(cjson)), type(getmetatable(_G)),"
               " type(getmetatable(''))}"),
            ev("getmetatable('').__index.upper = nil return 1"), ev("getmetatable('').__index = nil return 1"),
            ev("getmetatable('').__metatable = 1 return 1"), ev("getmetatable(_G).__index = nil return 1"),
            ev("return getmetatable('').__index == string"), ev("return ('abc'):upper()"),
            ev("setmetatable(redis, {}) return 1"),
            ev("local t = setmetatable({}, {__metatable = false}) return tostring(getmetatable(t))"),
            ev("table.insert(redis, 1) return 1"), ev("table.insert(_G, 'x') return 1"),
            ev("table.insert(string, 1, 'x') return 1"), ev("return {#redis, #_G, #string}"),
            ev("local t = {} table.insert(t, 1) table.insert(t, 1, 0) return t"),
            ev("table.remove(redis) table.sort(redis) return 1"), ev("table.insert() return 1"),
            ev("cjson.encode_max_depth(2) return 1"), ev("return cjson.encode({{{1}}})"),
            ("SCRIPT", "FLUSH"), ev("return cjson.encode({{{1}}})"),
        ])

    def test_library_edges_redis_patches(self):
        # Redis patches its bundled Lua and LuaBitOp; Debian's builds crashed
        # the server on the first two (lua_safe_libs.cc).
        self.check([
            ev("return bit.tohex(65535, -2147483648)"), ev("return bit.tohex(65535, 2147483648)"),
            ev("return bit.tohex(65535, -3)"), ev("return bit.tohex(65535)"), ev("return bit.tohex(-1, 9)"),
            ev("return bit.tohex()"), ev("return bit.tohex('x')"), ev("return bit.tohex('12', '-2')"),
            ev("return unpack({1,2,3}, -2, 2147483647)"), ev("return {unpack({1,2,3}, -2147483648, 2)}"),
            ev("return {unpack({1,2,3})}"), ev("return {unpack({1,2,3}, 2)}"), ev("return {unpack({1,2,3}, 3, 1)}"),
            ev("return unpack()"), ev("return unpack({}, 'x')"),
            ev("return cjson.encode()"), ev("return cjson.encode(1, 2)"), ev("return cjson.encode({a={1,2,'x'}})"),
            ev("return cjson.encode(function() end)"), ev("local t = {} t[1] = t return cjson.encode(t)"),
            ev("return cjson.encode({[1]=1,[100]=2})"), ev("return cjson.decode()"), ev("return cjson.decode(nil)"),
            ev("return cjson.decode('[1,2')"), ev("return cjson.decode('[1,2,3]')[2]"),
            ev("return {pcall(cjson.encode)}"), ev("return {pcall(cjson.decode, '{')}"),
            ev("local t = {} t[1] = t t[2] = t t[3] = t return cjson.encode(t)"),
            ev("local j = cjson.new() return {j.encode({1, 'a'}), j.decode('[2]')[1]}"), ev("return cjson.new().encode()"),
            ev("local j = cjson.new() j.encode_max_depth(2) return {pcall(j.encode, {{{1}}})}"),
        ])

    def test_math_random_is_redis_generator(self):
        self.check([
            ev("math.randomseed(7) return {math.random(1000), math.random(5, 9), tostring(math.random())}"),
            ev("return {math.random(1000), math.random(1000)}"), ("SCRIPT", "FLUSH"),
            ev("return math.random(1000000)"), ev("return math.random(0)"), ev("return math.random(3, 2)"),
            ev("return math.random(1, 2, 3)"), ev("return math.random(1000)"), ev("math.randomseed('x')"),
            ev("math.randomseed(-5) return math.random(100000)"),
        ])

    def test_read_only_scripts_and_blocking_reads(self):
        self.check([
            ("EVAL_RO", "return redis.call('publish', 'c', 'm')", "0"),
            ("EVAL_RO", "return redis.pcall('spublish', 'c', 'm')", "0"),
            ("EVAL_RO", "return redis.pcall('pfcount', 'h')", "0"),
            ev("#!lua flags=no-writes\nreturn redis.pcall('publish', 'c', 'm')"),
            ev("return redis.pcall('publish', 'c', 'm')"),
            ("XADD", "s", "1-1", "f", "v"),
            ev("return redis.call('xread', 'block', '0', 'streams', 's', '$')"),
            ev("return redis.pcall('XREAD', 'COUNT', '1', 'BLOCK', 'x', 'STREAMS', 's', '0')"),
            ev("return redis.pcall('xreadgroup', 'group', 'g', 'c', 'block', '10', 'streams', 's', '>')"),
            ev("return redis.pcall('xread', 'count', '1', 'streams', 's', '0')"),
            ("SCRIPT", "LOAD", ""), ev(""), ("EVALSHA", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "0"),
            ("SCRIPT", "EXISTS", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("EVALSHA", "abc", "x"), ("EVALSHA_RO", "abc", "-1"),
            ("CONFIG|GET", "x", "maxmemory"), ("OBJECT|ENCODING", "s"), ("CONFIG", "GET|X", "maxmemory"),
            ev("return redis.pcall('config|get', 'maxmemory')"),
        ])

    def test_lua_to_resp(self):
        self.check([
            ev("return {1, 2, 3.9, 'a', true, false, nil, 5}"), ev("return true"), ev("return false"),
            ev("return nil"), ev("return 3.99"), ev("return -3.99"), ev("return {}"), ev("return {{1, {2}}, 'x'}"),
            ev("return {double = 3.5}"), ev("return {double = 'x'}"), ev("return {map = {a = 1}}"),
            ev("return {set = {b = true}}"), ev("return {big_number = '123'}"),
            ev("return {verbatim_string = {format = 'txt', string = 'hi'}}"),
            ev("return {{double = 0.1}, {map = {k = {1, 2}}}}"),
            ev("redis.setresp(3) return true"), ev("redis.setresp(3) return false"),
            ev("redis.setresp(3) return {true, false}"), ev("return 1e20"), ev("return 2^53"),
            ev("return {ok = 'x', err = 'y'}"), ev("return {1, x = 2}"), ev("return {[2] = 'b'}"),
            ev("return function() end"), ev("return coroutine.create(function() end)"),
        ])

    def test_resp_to_lua(self):
        setup = [("HSET", "h", "a", "1"), ("SADD", "s", "m"), ("ZADD", "z", "1.5", "a"), ("SET", "str", "v")]
        conv = ("local function c(v, d) d = d or 0 if type(v) == 'table' then local parts = {} "
                "local keys = {} for k in pairs(v) do keys[#keys + 1] = k end "
                "table.sort(keys, function(a, b) return tostring(a) < tostring(b) end) "
                "for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. '=' .. c(v[k], d + 1) end "
                "return '{' .. table.concat(parts, ',') .. '}' end return type(v) .. ':' .. tostring(v) end ")
        calls = ["'hgetall', 'h'", "'smembers', 's'", "'zscore', 'z', 'a'", "'get', 'nokey'", "'get', 'str'",
                 "'ping'", "'incr', 'str'", "'zrange', 'z', 0, -1, 'withscores'", "'hget', 'h', 'nofield'",
                 "'lpop', 'nolist', 1", "'exists', 'str'", "'type', 'str'", "'zadd', 'z', 'incr', 1, 'a'",
                 "'hrandfield', 'nokey', 1", "'smismember', 's', 'm', 'x'", "'info', 'nosuchsection'"]
        script = list(setup)
        for resp in (2, 3):
            for call in calls:
                script.append(ev(conv + "redis.setresp(%d) return c(redis.pcall(%s))" % (resp, call)))
        script += [ev("redis.setresp(3) return redis.call('hgetall', 'h')"),
                   ev("redis.setresp(3) return redis.call('zscore', 'z', 'a')"),
                   ev("redis.setresp(3) return redis.call('get', 'nokey')"),
                   ev("redis.setresp(3) return redis.call('smembers', 's')")]
        self.check(script)

    def test_calls_with_arguments_up_to_the_stack_limit(self):
        # unpack() fills the Lua stack near its 8000 slots: a number or a
        # string still fits, as in Redis (a table needs three slots).
        script = [("SET", "k", "v")]
        for n in (7994, 7995, 7996, 7997, 7998, 7999):
            script.append(ev("local t = {} for i = 1, %d do t[i] = 'k' end "
                             "return redis.pcall('del', unpack(t))" % n))
            script.append(ev("local t = {} for i = 1, %d do t[i] = 'k' end "
                             "local r = redis.pcall('mget', unpack(t)) return type(r)" % n))
            script.append(ev("local t = {} for i = 1, %d do t[i] = 'k' end "
                             "return redis.pcall('exists', unpack(t))" % n))
        self.check(script)

    def test_shebang_flags_and_ro(self):
        self.check([
            ("SET", "k", "v"),
            ("EVAL", "#!lua\nreturn redis.call('get', 'k')", "0"),
            ("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'k')", "0"),
            ("EVAL", "#!lua flags=no-writes\nreturn redis.call('set', 'k', 'x')", "0"),
            ("EVAL", "#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1", "0"),
            ("EVAL", "#!lua flags=bad\nreturn 1", "0"), ("EVAL", "#!lua name=x\nreturn 1", "0"),
            ("EVAL", "#!notlua\nreturn 1", "0"), ("EVAL", "#!lua", "0"), ("EVAL", "#!lua flags=\nreturn 1", "0"),
            ("EVAL", "#!lua\nreturn 1 +", "0"), ("EVAL", "#!lua\n\nerror('line three')", "0"),
            ("EVAL_RO", "return redis.call('get', 'k')", "1", "k"),
            ("EVAL_RO", "return redis.call('set', 'k', 'y')", "1", "k"),
            ("EVAL_RO", "#!lua\nreturn 1", "0"), ("EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"),
            ("EVAL_RO", "return redis.pcall('del', 'k')", "0"),
            ("GET", "k"),
        ])

    def test_maxmemory_oom(self):
        script = [("SET", "k", "v"), ("CONFIG", "SET", "maxmemory-policy", "noeviction"),
                  ("CONFIG", "SET", "maxmemory", "1"),
                  ("EVAL", "#!lua\nreturn 1", "0"), ("EVAL", "#!lua flags=allow-oom\nreturn 1", "0"),
                  ("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'k')", "0"),
                  ev("return redis.call('set', 'k', 'x')"), ev("return redis.call('get', 'k')"),
                  ev("return redis.pcall('set', 'k', 'x')"), ev("return redis.call('del', 'k')"),
                  ("CONFIG", "SET", "maxmemory", "0")]
        try:
            self.check(script)
        finally:
            for srv in (self.redis, self.larder):
                with srv.client() as c:
                    c.cmd("CONFIG", "SET", "maxmemory", "0")
                    c.cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")

    def test_relative_ttls_read_the_clock_inside_a_script(self):
        # Keys expire by the script's start time, but a relative TTL and
        # PTTL read the clock as Redis's mstime(): 300 ms into the script a
        # PX 1000 still has about 1000 ms to go afterwards, and a key set with
        # PX 5000 before the wait shows no more than 4700 ms left.
        wait = ("local t = redis.call('time') local stop = t[1] * 1000000 + t[2] + 300000 "
                "repeat t = redis.call('time') until t[1] * 1000000 + t[2] >= stop ")
        got = []
        for srv in (self.redis, self.larder):
            with srv.client() as c:
                c.cmd("FLUSHALL")
                first = c.cmd("EVAL", "redis.call('set', 'a', 'v', 'PX', 5000) " + wait +
                              "redis.call('set', 'k', 'v', 'PX', 1000) "
                              "return redis.call('pttl', 'a') < 4850 and 1 or 0", "0")
                k = c.call("PTTL", "k")
                c.cmd("SET", "p", "v")
                second = c.cmd("EVAL", wait + "return redis.call('pexpire', 'p', 1000)", "0")
                got.append((first, k, second, c.call("PTTL", "p")))
        (rf, rk, rs, rp), (lf, lk, ls, lp) = got
        self.assertEqual((lf, ls), (rf, rs))
        self.assertLess(abs(lk - rk), 100, (lk, rk))
        self.assertLess(abs(lp - rp), 100, (lp, rp))

    def test_script_flags_are_the_commands_flags(self):
        # A shebang script's or a function's own flags stand for EVAL's /
        # FCALL's (Redis's getCommandFlags): over maxmemory its OOM is a
        # refusal (rejected_calls) that aborts an EXEC holding it and comes
        # before the subscribed-context error; a no-writes one runs during
        # CLIENT PAUSE WRITE.
        lib = "#!lua name=flagslib\nredis.register_function('f', function() return 1 end)\n" \
              "redis.register_function{function_name='r', callback=function() return 2 end, flags={'no-writes'}}"
        out = []
        for srv in (self.redis, self.larder):
            got = []
            with srv.client() as c, srv.client() as q, srv.client() as sub:
                c.cmd("FUNCTION", "FLUSH")
                c.cmd("FUNCTION", "LOAD", lib)
                c.cmd("SET", "k", "v")
                c.cmd("CONFIG", "SET", "maxmemory-policy", "noeviction")
                got.append(q.cmd("MULTI"))
                got.append(q.cmd("EVAL", "#!lua\nreturn 1", "0"))
                sub.cmd("SUBSCRIBE", "ch")
                try:
                    c.cmd("CONFIG", "SET", "maxmemory", "1")
                    c.cmd("CONFIG", "RESETSTAT")
                    got.append(q.cmd("EXEC"))
                    got.append(sub.cmd("EVAL", "#!lua\nreturn 1", "0"))
                    for args in (("EVAL", "#!lua\nreturn 1", "0"), ("FCALL", "f", "0"), ("FCALL_RO", "f", "0"),
                                 ("FCALL", "r", "0"), ("EVAL", "#!lua flags=no-writes\nreturn 3", "0")):
                        got.append(c.cmd(*args))
                    got.extend(sorted(line.split(b",usec")[0] + b"," + line.split(b",rejected")[1]
                                      for line in c.call("INFO", "commandstats").split(b"\r\n")
                                      if line.startswith((b"cmdstat_eval:", b"cmdstat_fcall", b"cmdstat_exec:"))))
                finally:
                    c.cmd("CONFIG", "SET", "maxmemory", "0")
                c.cmd("CLIENT", "PAUSE", "1500", "WRITE")
                q.send(b"*3\r\n$5\r\nFCALL\r\n$1\r\nr\r\n$1\r\n0\r\n")
                got.append(q.read_available(0.7))
                c.cmd("CLIENT", "UNPAUSE")
                c.cmd("FUNCTION", "FLUSH")
                c.cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
            out.append(got)
        self.assertEqual([show(x) for x in out[1]], [show(x) for x in out[0]])

    def test_libraries(self):
        self.check([
            ev("return cjson.encode({1, 2, {a = 1}})"), ev("return cjson.encode({})"),
            ev("return cjson.encode('x\\n\"')"), ev("return cjson.encode(1.5)"), ev("return cjson.encode(nil)"),
            ev("return cjson.decode('[1,2,{\"a\":[true,false,null]}]')[3].a[1]"),
            ev("local t = cjson.decode('{\"a\":1,\"b\":\"x\"}') return {t.a, t.b}"),
            ev("return cjson.decode('bad')"), ev("return cjson.encode(cjson.decode('[1,\"2\",3.25]'))"),
            ev("return type(cjson.null)"),
            ev("return cmsgpack.pack({1, 2, 3})"), ev("return cmsgpack.pack({a = 1})"),
            ev("return cmsgpack.pack(1, -1, 127, 128, -32, -33, 255, 256, 65535, 65536, -129, -32769,"
               " 4294967296, -2147483649, 1.5, 0.1, true, false, nil)"),
            ev("return cmsgpack.pack(string.rep('x', 31), string.rep('y', 32), string.rep('z', 300))"),
            ev("return cmsgpack.pack({}, {{}}, {1, nil, 3})"),
            ev("local t = {} for i = 1, 20 do t[i] = i end return cmsgpack.pack(t)"),
            ev("return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3}))}"),
            ev("local t = cmsgpack.unpack(cmsgpack.pack({a = {b = 'c'}})) return t.a.b"),
            ev("return cmsgpack.unpack(cmsgpack.pack(0.1)) == 0.1"),
            ev("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2))}"),
            ev("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2), 1)}"),
            ev("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}"),
            ev("return cmsgpack.unpack('\\145')"), ev("return cmsgpack.unpack('\\193')"),
            ev("return tostring(cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255'))"),
            ev("return tostring(cmsgpack.unpack('\\207\\128\\0\\0\\0\\0\\0\\0\\0'))"),
            ev("return cmsgpack.unpack('\\196\\1a')"), ev("return cmsgpack.unpack('\\197\\0\\1a')"),
            ev("return cmsgpack.unpack('\\198\\0\\0\\0\\1a')"),
            ev("return cmsgpack.pack()"),
            ev("return select('#', cmsgpack.unpack(string.rep(cmsgpack.pack(1), 9000)))"),
            ev("return select('#', cmsgpack.unpack(string.rep(cmsgpack.pack(1), 7000)))"),
            ev("return bit.band(0xff, 0x0f)"), ev("return bit.bor(1, 2, 4)"), ev("return bit.bxor(5, 3)"),
            ev("return bit.lshift(1, 10)"), ev("return bit.rshift(-1, 28)"), ev("return bit.tohex(255)"),
            ev("return bit.bnot(0)"), ev("return bit.arshift(-256, 4)"), ev("return bit.tobit(2^32 + 5)"),
            ev("return struct.pack('>I2', 5)"), ev("return struct.pack('<i4', -2)"),
            ev("return struct.pack('>I2i4bB', 1, 2, 3, 4)"), ev("return struct.pack('s', 'abc')"),
            ev("return struct.pack('c3', 'abcdef')"), ev("return struct.pack('>d', 1.5)"),
            ev("return struct.pack('!4 b i4', 1, 2)"),
            ev("return {struct.unpack('>I2', '\\0\\5')}"), ev("return {struct.unpack('<i4', struct.pack('<i4', -2))}"),
            ev("return {struct.unpack('s', 'ab\\0cd')}"), ev("return {struct.unpack('>I2', '\\0')}"),
            ev("return struct.size('>I2i4')"), ev("return struct.size('s')"), ev("return struct.pack('y', 1)"),
            ev("return {struct.unpack('bc0', '\\3abcd')}"),
        ])


class ScriptingResp3Case(ScriptingDiffCase):
    PROTOCOL = 3


class BusyScriptTest(DifferentialTestCase):
    """A long script on one connection, BUSY and SCRIPT KILL from another."""

    def run_busy(self, srv):
        out = []
        with srv.client() as c0, srv.client() as c1, srv.client() as sub:
            c0.cmd("CONFIG", "SET", "busy-reply-threshold", "100")
            c0.cmd("CONFIG", "RESETSTAT")
            c0.cmd("SET", "k", "v")
            sub.cmd("SUBSCRIBE", "ch")
            result = {}

            def slow(body):
                result["reply"] = c0.cmd("EVAL", body, "0")

            t = threading.Thread(target=slow, args=("local i = 0 while true do i = i + 1 end",))
            t.start()
            time.sleep(0.5)
            out.append(c1.cmd("GET", "k"))
            out.append(c1.cmd("PING"))
            # A RESP2 subscriber's refusal comes first; SHUTDOWN parses its
            # flags and goes on only with NOSAVE.
            out.append(sub.cmd("GET", "k"))
            out.append(c1.cmd("SHUTDOWN", "NOW"))
            out.append(c1.cmd("SHUTDOWN", "SAVE"))
            out.append(c1.cmd("SHUTDOWN", "NOW", "NOSAVE", "bogus"))
            out.append(c1.cmd("SCRIPT", "KILL"))
            t.join(10)
            out.append(result.get("reply"))
            # SHUTDOWN's BUSY is its own reply: failed calls, not rejected ones.
            out.extend(b",".join(f for f in line.split(b":")[1].split(b",") if not f.startswith(b"usec"))
                       for line in c1.call("INFO", "commandstats").split(b"\r\n")
                       if line.startswith(b"cmdstat_shutdown:"))
            out.append(c1.cmd("SCRIPT", "KILL"))
            out.append(c1.cmd("GET", "k"))
            # Writes, then runs 1.5 s by the server's clock, so it is still
            # running (and unkillable) when SCRIPT KILL comes 0.5 s in on a
            # loaded machine too (a loop of fixed length ended first on one
            # server and not on the other).
            t = threading.Thread(target=slow, args=(
                "redis.call('set', 'w', '1') local t = redis.call('time') "
                "local stop = t[1] * 1000000 + t[2] + 1500000 "
                "repeat t = redis.call('time') until t[1] * 1000000 + t[2] >= stop return 1",))
            t.start()
            time.sleep(0.5)
            out.append(c1.cmd("SCRIPT", "KILL"))
            out.append(c1.cmd("GET", "k"))
            t.join(60)
            out.append(result.get("reply"))
            out.append(c1.cmd("GET", "w"))
            c0.cmd("CONFIG", "SET", "busy-reply-threshold", "5000")
        return out

    def test_busy_and_kill(self):
        expected = self.run_busy(self.redis)
        actual = self.run_busy(self.larder)
        self.assertEqual([show(x) for x in expected], [show(x) for x in actual])


if __name__ == "__main__":
    unittest.main()
