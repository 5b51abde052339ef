// libFuzzer target: commands of the data-structure families, run in-process
// through the real dispatcher (tests/support/command_harness.h) against a
// fresh keyspace per input. Input: one command per line, arguments separated
// by spaces; names outside the list below are skipped (server administration,
// blocking commands and anything that waits or touches the process are out of
// scope). Replies are checked to be one well-formed RESP value each.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "../support/command_harness.h"

namespace {

const std::unordered_set<std::string> kAllowed = {
    // strings
    "get", "set", "setnx", "setex", "psetex", "mget", "mset", "msetnx", "incr", "incrby", "decr", "decrby",
    "incrbyfloat", "append", "strlen", "getrange", "substr", "setrange", "getdel", "getex", "getset", "lcs",
    // keys
    "del", "unlink", "exists", "type", "rename", "renamenx", "copy", "move", "expire", "pexpire", "expireat",
    "pexpireat", "expiretime", "pexpiretime", "persist", "ttl", "pttl", "touch", "object", "keys", "scan",
    "randomkey", "dbsize", "select", "flushdb", "swapdb",
    // hashes, sets
    "hset", "hsetnx", "hget", "hmget", "hmset", "hgetall", "hdel", "hlen", "hstrlen", "hexists", "hkeys",
    "hvals", "hincrby", "hincrbyfloat", "hrandfield", "hscan", "sadd", "srem", "smembers", "sismember",
    "smismember", "scard", "spop", "srandmember", "smove", "sinter", "sintercard", "sinterstore", "sunion",
    "sunionstore", "sdiff", "sdiffstore", "sscan",
    // lists
    "lpush", "rpush", "lpushx", "rpushx", "lpop", "rpop", "llen", "lrange", "lindex", "lset", "linsert",
    "lrem", "ltrim", "lpos", "lmove", "rpoplpush", "lmpop",
    // sorted sets
    "zadd", "zincrby", "zrem", "zcard", "zscore", "zmscore", "zrank", "zrevrank", "zcount", "zlexcount",
    "zrange", "zrangestore", "zrangebyscore", "zrevrangebyscore", "zrangebylex", "zrevrangebylex",
    "zrevrange", "zremrangebyrank", "zremrangebyscore", "zremrangebylex", "zpopmin", "zpopmax", "zmpop",
    "zrandmember", "zunion", "zinter", "zdiff", "zunionstore", "zinterstore", "zdiffstore", "zintercard",
    "zscan",
    // bitmaps, HyperLogLog, geo, SORT
    "setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield", "bitfield_ro", "pfadd", "pfcount",
    "pfmerge", "geoadd", "geodist", "geopos", "geohash", "geosearch", "geosearchstore", "georadius",
    "georadiusbymember", "georadius_ro", "georadiusbymember_ro", "sort", "sort_ro",
    // streams (XREAD / XREADGROUP can block: left out)
    "xadd", "xlen", "xrange", "xrevrange", "xdel", "xtrim", "xsetid", "xgroup", "xack", "xpending",
    "xclaim", "xautoclaim", "xinfo",
    // transactions
    "multi", "exec", "discard", "watch", "unwatch",
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

// The length of the RESP value at the start of `r`, or 0 if malformed.
std::size_t value_length(std::string_view r, int depth = 0) {
  if (r.empty() || depth > 64) return 0;
  const std::size_t eol = r.find("\r\n");
  if (eol == std::string_view::npos) return 0;
  const std::string_view head = r.substr(1, eol - 1);
  const std::size_t after = eol + 2;
  auto number = [&](long long& n) {
    if (head.empty()) return false;
    n = 0;
    bool neg = head[0] == '-';
    for (std::size_t i = neg ? 1 : 0; i < head.size(); ++i) {
      if (head[i] < '0' || head[i] > '9') return false;
      n = n * 10 + (head[i] - '0');
    }
    if (neg) n = -n;
    return true;
  };
  long long n = 0;
  switch (r[0]) {
    case '+': case '-': case ':': case ',': case '_': case '#': case '(':
      return after;
    case '$': case '=': case '!':
      if (!number(n)) return 0;
      if (n < 0) return after;
      if (r.size() < after + static_cast<std::size_t>(n) + 2) return 0;
      return after + static_cast<std::size_t>(n) + 2;
    case '*': case '~': case '>': case '%': {
      if (!number(n)) return 0;
      if (n < 0) return after;
      const long long items = r[0] == '%' ? 2 * n : n;
      std::size_t pos = after;
      for (long long i = 0; i < items; ++i) {
        const std::size_t len = value_length(r.substr(pos), depth + 1);
        if (len == 0) return 0;
        pos += len;
      }
      return pos;
    }
    default:
      return 0;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  larder::testing::CommandHarness harness(2);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  int commands = 0;
  while (!input.empty() && commands < 64) {
    const std::size_t nl = input.find('\n');
    const std::string_view line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    std::vector<std::string_view> args;
    for (std::size_t pos = 0; pos <= line.size();) {
      std::size_t sp = line.find(' ', pos);
      if (sp == std::string_view::npos) sp = line.size();
      if (sp > pos) args.push_back(line.substr(pos, sp - pos));
      pos = sp + 1;
    }
    if (args.empty() || !kAllowed.contains(lower(args[0]))) continue;
    ++commands;
    std::string reply = harness.run(args);
    if (harness.deferred()) reply += harness.finish();
    if (harness.client().blocked != nullptr) __builtin_trap();  // nothing here may block
    // One complete RESP value per command (EXEC's array included).
    if (value_length(reply) != reply.size()) __builtin_trap();
    harness.advance(1000);  // let TTLs run out between commands
  }
  return 0;
}
