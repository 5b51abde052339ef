# ActiveSupport::Cache::RedisCacheStore (Debian ruby-activesupport 6.1, ruby-redis 4.8)
# against the server on 127.0.0.1:ARGV[0]. Prints one line per check; exits 1 if any
# check failed (2 if the libraries cannot be loaded).
begin
  require "active_support"
  require "active_support/cache"
  require "active_support/cache/redis_cache_store"
  require "active_support/core_ext/numeric/time"
  require "redis"
rescue LoadError => e
  puts "FAIL load: #{e.message} (apt-get install ruby-activesupport ruby-redis)"
  exit 2
end

PORT = Integer(ARGV.fetch(0))
$failures = 0
def check(label, actual, expected)
  ok = expected.is_a?(Range) && !actual.is_a?(Range) ? expected.cover?(actual) : actual == expected
  puts "#{ok ? 'ok  ' : 'FAIL'} #{label}: got #{actual.inspect}#{ok ? '' : ", want #{expected.inspect}"}"
  $failures += 1 unless ok
end
def raises(label, klass, pattern)
  yield
  check(label, "no exception", "#{klass} =~ #{pattern.inspect}")
rescue Exception => e
  check(label, e.is_a?(klass) && pattern.match?(e.message), true)
  puts "       (#{e.class}: #{e.message})" unless e.is_a?(klass) && pattern.match?(e.message)
end

raw = Redis.new(host: "127.0.0.1", port: PORT, db: 4, timeout: 5)
$errors = []
c = ActiveSupport::Cache::RedisCacheStore.new(url: "redis://127.0.0.1:#{PORT}/4",
                                              namespace: "myapp", expires_in: 90,
                                              error_handler: ->(method:, returning:, exception:) {
                                                $errors << [method, exception.class, exception.message] })

# write / read / unless_exist / expires_in
check "write", c.write("a", { x: 1 }), "OK"
check "read", c.read("a"), { x: 1 }
check "read missing", c.read("zz"), nil
check "write unless_exist on existing", c.write("a", 2, unless_exist: true), false
check "value kept", c.read("a"), { x: 1 }
check "write unless_exist new", c.write("u", 2, unless_exist: true), true
check "write expires_in", c.write("e", "v", expires_in: 30), "OK"
check "ttl expires_in", raw.ttl("myapp:e"), 29..30
check "ttl default expires_in", raw.ttl("myapp:a"), 89..90
check "namespaced keys", raw.keys("*").sort, %w[myapp:a myapp:e myapp:u]

# fetch with a block, force, race_condition_ttl
check "fetch miss", c.fetch("f") { "computed" }, "computed"
check "fetch hit", c.fetch("f") { "other" }, "computed"
check "fetch force", c.fetch("f", force: true) { "forced" }, "forced"
check "fetch race_condition_ttl", c.fetch("r", expires_in: 60, race_condition_ttl: 10) { "rc" }, "rc"
check "race ttl = expires_in + 5 min", raw.ttl("myapp:r"), 359..360
# An entry that expired 2 s ago: the race logic rewrites the stale value for
# race_condition_ttl, then the block's value replaces it.
stale = ActiveSupport::Cache::Entry.new("old", expires_in: 1)
stale.instance_variable_set(:@created_at, Time.now.to_f - 3)
raw.set("myapp:r2", Marshal.dump(stale), px: 300_000)
check "fetch expired entry (race)", c.fetch("r2", expires_in: 60, race_condition_ttl: 10) { "new" }, "new"
check "refreshed", c.read("r2"), "new"
check "refreshed ttl", raw.ttl("myapp:r2"), 359..360

# multi
c.write_multi({ "m1" => 1, "m2" => "two" }, expires_in: 45)
check "write_multi ttl", raw.ttl("myapp:m1"), 44..45
check "read_multi", c.read_multi("m1", "m2", "m3"), { "m1" => 1, "m2" => "two" }
check "fetch_multi", c.fetch_multi("m1", "m3", "m4") { |k| "gen-#{k}" },
      { "m1" => 1, "m3" => "gen-m3", "m4" => "gen-m4" }
check "fetch_multi wrote", c.read("m4"), "gen-m4"

# increment / decrement (raw integers, INCRBY + EXPIRE)
check "increment missing", c.increment("ctr"), 1
check "increment ttl (default expires_in)", raw.ttl("myapp:ctr"), 89..90
check "increment 5", c.increment("ctr", 5), 6
check "decrement 2", c.decrement("ctr", 2), 4
check "read raw", c.read("ctr", raw: true), "4"
check "raw value", raw.get("myapp:ctr"), "4"
check "increment expires_in", c.increment("ctr2", 3, expires_in: 40), 3
check "increment ttl", raw.ttl("myapp:ctr2"), 39..40
check "decrement missing", c.decrement("dctr"), -1
c.write("notint", "abc")
check "increment marshalled value (failsafe)", c.increment("notint"), nil
check "error handler saw", $errors, [[:increment, Redis::CommandError, "ERR value is not an integer or out of range"]]
check "value untouched", c.read("notint"), "abc"

# exist? / delete / delete_matched / clear
check "exist?", c.exist?("a"), true
check "exist? missing", c.exist?("nope"), false
check "delete", c.delete("a"), 1
check "delete again", c.delete("a"), 0
30.times { |i| c.write("pat:#{i}", i) }
raw.set("pat:1x", "not namespaced")
c.delete_matched("pat:1*")
check "delete_matched left", raw.keys("myapp:pat:*").size, 19
check "delete_matched keeps un-namespaced", raw.get("pat:1x"), "not namespaced"
check "delete_matched none", c.read("pat:15"), nil
check "delete_matched other", c.read("pat:25"), 25
raises("cleanup", NotImplementedError, /does not support cleanup/) { c.cleanup }

# compression
cz = ActiveSupport::Cache::RedisCacheStore.new(url: "redis://127.0.0.1:#{PORT}/4", namespace: "z",
                                               compress: true, compress_threshold: 100)
cz.write("big", "y" * 5000)
check "compressed size", raw.strlen("z:big") < 500, true
check "compressed read", cz.read("big"), "y" * 5000
cz.write_multi("p" => "q" * 300, "s" => 1)
check "compressed read_multi", cz.read_multi("p", "s"), { "p" => "q" * 300, "s" => 1 }

# clear with a namespace: SCAN + DEL of its keys only; without: FLUSHDB
c.clear
check "clear namespace", raw.keys("*").sort, ["pat:1x", "z:big", "z:p", "z:s"]
plain = ActiveSupport::Cache::RedisCacheStore.new(url: "redis://127.0.0.1:#{PORT}/4")
plain.write("k", 1)
check "clear without namespace", plain.clear, "OK"
check "db empty", raw.dbsize, 0
check "server version", c.redis.with { |r| r.info["redis_version"] }, "7.0.15"

puts "#{$failures} failure(s)"
exit($failures.zero? ? 0 : 1)
