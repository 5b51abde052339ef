<?php
// phpredis (Debian php-redis 5.3, PHP 8.2) as Laravel's cache, lock and queue use it,
// against the server on 127.0.0.1:$argv[1] started with `requirepass s3cret`.
// Prints one line per check; exits 1 if any check failed (2 if the extension is missing).
if (!extension_loaded("redis")) { echo "FAIL load: the redis extension is not loaded (apt-get install php-redis)\n"; exit(2); }
$port = (int)$argv[1];
$failures = 0;
function check($label, $actual, $expected) {
    global $failures;
    $ok = $actual === $expected;
    echo ($ok ? "ok   " : "FAIL "), $label, ": got ", str_replace("\n", " ", var_export($actual, true)),
         $ok ? "" : ", want " . str_replace("\n", " ", var_export($expected, true)), "\n";
    if (!$ok) $failures++;
}
function exc($fn) { try { $fn(); return "no exception"; } catch (RedisException $e) { return $e->getMessage(); } }

$r = new Redis();
check("connect", $r->connect("127.0.0.1", $port, 2.0), true);
check("NOAUTH", exc(fn() => $r->get("x")), "NOAUTH Authentication required.");
check("auth wrong", exc(fn() => $r->auth("wrong")), "WRONGPASS invalid username-password pair or user is disabled.");
check("auth wrong user", exc(fn() => $r->auth(["nouser", "s3cret"])), "WRONGPASS invalid username-password pair or user is disabled.");
check("auth", $r->auth("s3cret"), true);
check("auth default user", $r->auth(["default", "s3cret"]), true);
check("select 1", $r->select(1), true);
check("getDbNum", $r->getDbNum(), 1);
check("flushDb", $r->flushDb(), true);
check("client setname", $r->client("setname", "laravel-worker"), true);
check("client getname", $r->client("getname"), "laravel-worker");
check("info redis_version", $r->info()["redis_version"], "7.0.15");

// Laravel RedisStore: put/get/many/putMany/increment/forever/forget
check("setex", $r->setex("laravel:a", 60, "v1"), true);
check("ttl", $r->ttl("laravel:a") >= 59, true);
check("get", $r->get("laravel:a"), "v1");
check("get missing", $r->get("laravel:zz"), false);
check("mget", $r->mget(["laravel:a", "laravel:zz"]), ["v1", false]);
check("putMany multi", $r->multi()->setex("laravel:m1", 30, "1")->setex("laravel:m2", 30, "2")->exec(), [true, true]);
check("incrBy", $r->incrBy("laravel:ctr", 5), 5);
check("incrBy negative", $r->incrBy("laravel:ctr", -2), 3);
check("decrBy", $r->decrBy("laravel:ctr", 10), -7);
check("incr not integer", $r->incr("laravel:a"), false);
check("last error", rtrim($r->getLastError(), "\0"), "ERR value is not an integer or out of range");
$r->clearLastError();
check("set forever", $r->set("laravel:f", "x"), true);
check("ttl forever", $r->ttl("laravel:f"), -1);
check("del", $r->del("laravel:f", "laravel:m1", "nokey"), 2);
check("del array", $r->del(["laravel:m2"]), 1);
check("unlink", $r->unlink("laravel:ctr", "nokey"), 1);
check("exists", $r->exists("laravel:a", "laravel:ctr", "laravel:a"), 2);

// Laravel Lock: SET NX PX / release script / forceRelease
$release = "if redis.call(\"get\",KEYS[1]) == ARGV[1] then\n    return redis.call(\"del\",KEYS[1])\nelse\n    return 0\nend";
check("lock acquire", $r->set("lock:x", "owner1", ["nx", "px" => 5000]), true);
check("lock contended", $r->set("lock:x", "owner2", ["nx", "px" => 5000]), false);
check("lock pttl", $r->pttl("lock:x") > 4000, true);
check("set xx ex missing", $r->set("lock:y", "o", ["xx", "ex" => 5]), false);
check("set nx ex", $r->set("lock:z", "o", ["nx", "ex" => 5]), true);
check("release wrong owner", $r->eval($release, ["lock:x", "owner2"], 1), 0);
check("release owner", $r->eval($release, ["lock:x", "owner1"], 1), 1);
check("released", $r->exists("lock:x"), 0);
check("script load", $r->script("load", $release), sha1($release));
check("evalSha", $r->evalSha(sha1($release), ["lock:z", "o"], 1), 1);
check("evalSha unknown", $r->evalSha(str_repeat("a", 40), [], 0), false);
check("evalSha unknown error", $r->getLastError(), "NOSCRIPT No matching script. Please use EVAL.");
$r->clearLastError();
check("script exists", $r->script("exists", sha1($release), str_repeat("0", 40)), [1, 0]);
check("eval reply types", $r->eval("return {1, 'two', {3, 'x'}, true, false, 3.7, redis.status_reply('OK'), nil, 5}", [], 0),
      [1, "two", [3, "x"], 1, false, 3, true]);
check("eval error_reply", exc(fn() => $r->eval("return redis.error_reply('my err')", [], 0)), "my err");
check("eval runtime error", $r->eval("return redis.call('incr', KEYS[1])", ["laravel:a"], 1), false);
check("eval runtime error text", $r->getLastError(),
      "ERR value is not an integer or out of range script: 2bab3b661081db58bd2341920e0ba7cf5dc77b25, on @user_script:1.");
$r->clearLastError();

// Laravel queue: push (rpush + publish-less), pop script with cjson, release/migrate with zsets
$pop = <<<'LUA'
local job = redis.call('lpop', KEYS[1])
local reserved = false
if(job ~= false) then
    reserved = cjson.decode(job)
    reserved['attempts'] = reserved['attempts'] + 1
    reserved = cjson.encode(reserved)
    redis.call('zadd', KEYS[2], ARGV[1], reserved)
    redis.call('lpop', KEYS[3])
end
return {job, reserved}
LUA;
$payload = json_encode(["uuid" => "u-1", "displayName" => "App\\Jobs\\Foo", "attempts" => 0, "maxTries" => null,
                        "data" => ["command" => "O:8:\"stdClass\":0:{}"], "id" => "j1"]);
check("rpush job", $r->rPush("queues:default", $payload), 1);
check("rpush notify", $r->rPush("queues:default:notify", 1), 1);
$popped = $r->eval($pop, ["queues:default", "queues:default:reserved", "queues:default:notify", "1700000090"], 3);
check("pop job", $popped[0], $payload);
// cjson.encode walks the Lua table in Redis's (Lua 5.1's) hash order: the exact string
check("pop reserved", $popped[1],
      '{"maxTries":null,"uuid":"u-1","id":"j1","attempts":1,"data":{"command":"O:8:\\"stdClass\\":0:{}"},"displayName":"App\\\\Jobs\\\\Foo"}');
check("reserved zset", $r->zRange("queues:default:reserved", 0, -1, true), [$popped[1] => 1700000090.0]);
check("pop empty", $r->eval($pop, ["queues:default", "queues:default:reserved", "queues:default:notify", "1"], 3), [false, false]);
check("cjson escapes", $r->eval("return cjson.encode({a='x/y', b=1.5, c=123456789012345678, e={1,2,3}})", [], 0),
      '{"a":"x\/y","e":[1,2,3],"c":1.2345678901235e+17,"b":1.5}');

// SCAN with SCAN_RETRY (Laravel's cache:clear with a prefix, Horizon)
for ($i = 0; $i < 120; $i++) $r->set("scan:$i", $i);
$r->setOption(Redis::OPT_SCAN, Redis::SCAN_RETRY);
$it = null; $all = [];
while (($keys = $r->scan($it, "scan:*", 7)) !== false) foreach ($keys as $k) $all[] = $k;
check("scan retry count", count($all), 120);
check("scan retry unique", count(array_unique($all)), 120);
check("scan iterator at end", $it, 0);
$r->setOption(Redis::OPT_SCAN, Redis::SCAN_NORETRY);
$it = null; $n = 0;
do { $keys = $r->scan($it, "scan:1*", 10); if ($keys) $n += count($keys); } while ($it > 0);
check("scan noretry", $n, 31);
$r->setOption(Redis::OPT_SCAN, Redis::SCAN_RETRY);

// Sorted sets (Laravel tagged cache entries, rate limiter, queue delayed jobs)
check("zAdd", $r->zAdd("z", 1, "a", 2, "b", 3, "c"), 3);
check("zAdd NX", $r->zAdd("z", ["NX"], 10, "a", 4, "d"), 1);
check("zAdd XX CH", $r->zAdd("z", ["XX", "CH"], 10, "a", 4, "e"), 1);
// phpredis 5.3 drops GT/LT from the options (ZADD z CH 5 a 20 b is sent)
check("zAdd GT CH", $r->zAdd("z", ["GT", "CH"], 5, "a", 20, "b"), 2);
// phpredis 5.3 reads ZADD INCR's bulk reply as an integer: false, but the score changed
check("zAdd INCR", $r->zAdd("z", ["INCR"], 2.5, "c"), false);
check("zScore after INCR", $r->zScore("z", "c"), 5.5);
check("zAdd NX INCR existing", $r->zAdd("z", ["NX", "INCR"], 2.5, "c"), false);
check("zRange withscores", $r->zRange("z", 0, -1, true), ["d" => 4.0, "a" => 5.0, "c" => 5.5, "b" => 20.0]);
$it = null; $all = [];
while (($m = $r->zScan("z", $it, "*", 2)) !== false) foreach ($m as $k => $v) $all[$k] = $v;
ksort($all);
check("zScan", $all, ["a" => 5.0, "b" => 20.0, "c" => 5.5, "d" => 4.0]);
check("zRemRangeByScore", $r->zRemRangeByScore("z", "-inf", "(5"), 1);
check("zRemRangeByScore 2", $r->zRemRangeByScore("z", 20, "+inf"), 1);
check("zRangeByScore limit", $r->zRangeByScore("z", "-inf", "+inf", ["withscores" => true, "limit" => [0, 10]]), ["a" => 5.0, "c" => 5.5]);

// MULTI / WATCH / pipeline
check("multi exec", $r->multi()->set("m1", "a")->incr("m1")->get("m1")->expire("m1", 100)->ttl("m1")->exec(),
      [true, false, "a", true, 100]);
check("multi discard", (function () use ($r) { $r->multi(); $r->set("m3", 1); return [$r->discard(), $r->exists("m3")]; })(), [true, 0]);
$r->watch("w");
$o = new Redis(); $o->connect("127.0.0.1", $port); $o->auth("s3cret"); $o->select(1); $o->set("w", "changed"); $o->close();
check("watch aborted exec", $r->multi()->set("w", "mine")->exec(), false);
check("watch value", $r->get("w"), "changed");
check("pipeline", $r->pipeline()->set("p1", "x")->get("p1")->incr("p1")->del("p1")->exists("p1")->exec(), [true, "x", false, 1, 0]);
check("blPop", $r->blPop(["q"], 1), []);

// Serializers (Laravel's 'serializer' option) and compression (the 'compression' option)
$value = ["a" => 1, "b" => [true, null, 1.5]];
$raws = ["php" => "613a323a7b733a313a2261223b693a313b733a313a2262223b613a333a7b693a303b623a313b693a313b4e3b693a323b643a312e353b7d7d",
         "json" => "7b2261223a312c2262223a5b747275652c6e756c6c2c312e355d7d"];
$sers = ["php" => Redis::SERIALIZER_PHP, "json" => Redis::SERIALIZER_JSON];
if (defined("Redis::SERIALIZER_IGBINARY")) {
    $sers["igbinary"] = Redis::SERIALIZER_IGBINARY;
    $raws["igbinary"] = "0000000214021101610601110162140306000506010006020c3ff8000000000000";
} else { check("igbinary serializer built in", false, true); }
foreach ($sers as $name => $s) {
    $r->setOption(Redis::OPT_SERIALIZER, $s);
    check("$name set", $r->set("ser:$name", $value), true);
    check("$name get", $r->get("ser:$name"), $value);
    check("$name mget", $r->mget(["ser:$name", "nokey"]), [$value, false]);
    check("$name setex", $r->setex("ser:o:$name", 50, 42), true);
    check("$name zAdd member", [$r->zAdd("sz:$name", 1, ["m" => 1]), $r->zRange("sz:$name", 0, -1)], [1, [["m" => 1]]]);
    $r->setOption(Redis::OPT_SERIALIZER, Redis::SERIALIZER_NONE);
    check("$name raw bytes", bin2hex($r->get("ser:$name")), $raws[$name]);
    check("$name eval sees bytes", bin2hex($r->eval("return redis.call('get', KEYS[1])", ["ser:$name"], 1)), $raws[$name]);
}
$cmps = [];
foreach (["LZF", "ZSTD", "LZ4"] as $c) if (defined("Redis::COMPRESSION_$c")) $cmps[$c] = constant("Redis::COMPRESSION_$c");
check("compressions built in", array_keys($cmps), ["LZF", "ZSTD", "LZ4"]);
foreach ($cmps as $name => $c) {
    $r->setOption(Redis::OPT_COMPRESSION, $c);
    check("$name set", $r->set("cmp:$name", str_repeat("abc", 1000)), true);
    check("$name get", $r->get("cmp:$name"), str_repeat("abc", 1000));
    $r->setOption(Redis::OPT_COMPRESSION, Redis::COMPRESSION_NONE);
    check("$name stored compressed", $r->strlen("cmp:$name") < 100, true);
}

// OPT_PREFIX (Laravel's 'prefix' option)
$r->setOption(Redis::OPT_PREFIX, "laravel_database_");
check("prefix set", $r->set("pk", "v"), true);
check("prefix keys", $r->keys("p*"), ["laravel_database_pk"]);
check("prefix eval KEYS", $r->eval("return KEYS[1]", ["pk"], 1), "laravel_database_pk");
$r->setOption(Redis::OPT_PREFIX, "");
check("unprefixed get", $r->get("laravel_database_pk"), "v");

check("info keyspace db1", strpos($r->info("keyspace")["db1"], "keys=") === 0, true);
check("dbSize", $r->dbSize() > 100, true);
check("flushDb async", $r->flushDb(true), true);
check("dbSize after flush", $r->dbSize(), 0);
check("close", $r->close(), true);
echo "$failures failure(s)\n";
exit($failures === 0 ? 0 : 1);
