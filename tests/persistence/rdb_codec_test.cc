#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "../support/command_harness.h"
#include "larder/persistence/crc64.h"
#include "larder/persistence/lzf.h"
#include "larder/persistence/rdb_format.h"
#include "larder/persistence/rdb_reader.h"
#include "larder/persistence/rdb_writer.h"
#include "larder/persistence/redis_encodings.h"

using larder::testing::CommandHarness;
namespace persistence = larder::persistence;
using persistence::RdbError;

namespace {

// The bulk string of a RESP reply "$<n>\r\n<bytes>\r\n".
std::string bulk_of(const std::string& reply) {
  REQUIRE(reply.size() > 1);
  REQUIRE(reply[0] == '$');
  const std::size_t eol = reply.find("\r\n");
  const std::size_t n = std::stoul(reply.substr(1, eol - 1));
  return reply.substr(eol + 2, n);
}

std::string le(std::uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
  return s;
}

// A DUMP payload of `body` (type byte and value) with Redis's trailer.
std::string payload_of(std::string body, int version = 10) {
  body += le(static_cast<std::uint64_t>(version), 2);
  body += le(persistence::crc64(0, body), 8);
  return body;
}

// An RDB string of up to 63 bytes.
std::string rdb_str(std::string_view s) {
  REQUIRE(s.size() < 64);
  return std::string(1, static_cast<char>(s.size())) + std::string(s);
}

// A ziplist (Redis <= 6.2) of short strings and small integers.
std::string ziplist(const std::vector<std::string>& items) {
  std::string entries;
  std::size_t prev = 0;
  for (const std::string& it : items) {
    std::string e(1, static_cast<char>(prev));
    long long v = 0;
    if (!it.empty() && it.size() < 4 && std::all_of(it.begin(), it.end(), ::isdigit) && (it == "0" || it[0] != '0') &&
        (v = std::stoll(it)) <= 127) {
      if (v <= 12) {
        e.push_back(static_cast<char>(0xF1 + v));
      } else {
        e.push_back('\xFE');
        e.push_back(static_cast<char>(v));
      }
    } else {
      REQUIRE(it.size() < 64);
      e.push_back(static_cast<char>(it.size()));
      e += it;
    }
    prev = e.size();
    entries += e;
  }
  std::string zl = le(10 + entries.size() + 1, 4) + le(0, 4) + le(items.size(), 2) + entries + "\xFF";
  return zl;
}

// The replies of `reads` on `h`, one string.
std::string contents(CommandHarness& h, const std::vector<std::vector<std::string>>& reads) {
  std::string out;
  for (const auto& r : reads) {
    std::vector<std::string_view> args(r.begin(), r.end());
    out += h.run(args);
  }
  return out;
}

// Every type and encoding, made through commands.
void populate(CommandHarness& h) {
  h.run({"SET", "s:int", "12345"});
  h.run({"SET", "s:neg", "-7"});
  h.run({"SET", "s:big", "12345678901234567890"});
  h.run({"SET", "s:text", "hello world"});
  h.run({"SET", "s:long", std::string(3000, 'a') + "tail"});
  h.run({"SET", "s:huge", std::string(70000, 'z')});
  h.run({"SET", "s:empty", ""});
  std::mt19937 rng(7);
  std::string noise(500, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  h.run({"SET", "s:noise", noise});
  for (int i = 0; i < 5; ++i) h.run({"RPUSH", "l:small", std::to_string(i * 1000), "x" + std::to_string(i)});
  for (int i = 0; i < 3000; ++i) h.run({"RPUSH", "l:big", std::to_string(i), std::string(i % 70, 'q')});
  h.run({"SADD", "set:ints", "1", "-5", "70000", "5000000000"});
  for (int i = 0; i < 600; ++i) h.run({"SADD", "set:manyints", std::to_string(i * 3)});
  h.run({"SADD", "set:strs", "a", "b", "12"});
  h.run({"ZADD", "z:small", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "-3", "e", "1e300", "f"});
  for (int i = 0; i < 200; ++i) h.run({"ZADD", "z:big", std::to_string(i * 0.5), "m" + std::to_string(i)});
  h.run({"ZADD", "z:longmember", "1", std::string(100, 'm')});
  h.run({"HSET", "h:small", "f1", "v1", "f2", "22", "n", "-1"});
  for (int i = 0; i < 300; ++i) h.run({"HSET", "h:big", "f" + std::to_string(i), std::to_string(i)});
  h.run({"HSET", "h:longvalue", "f", std::string(100, 'v')});
  for (int i = 1; i <= 250; ++i) {
    h.run({"XADD", "x", std::to_string(i) + "-1", "field", std::to_string(i), "other", "v"});
  }
  h.run({"XADD", "x", "300-0", "different", "fields"});
  h.run({"XDEL", "x", "5-1", "6-1"});
  h.run({"XGROUP", "CREATE", "x", "g1", "0"});
  h.run({"XGROUP", "CREATE", "x", "g2", "$"});
  h.run({"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "x", ">"});
  h.run({"XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "x", ">"});
  h.run({"XACK", "x", "g1", "2-1"});
  h.run({"XGROUP", "CREATECONSUMER", "x", "g2", "carol"});
  h.run({"SET", "ttl", "v", "PX", "100000"});
}

const std::vector<std::vector<std::string>> kReads = {
    {"GET", "s:int"}, {"GET", "s:neg"}, {"GET", "s:big"}, {"GET", "s:text"}, {"GET", "s:long"}, {"GET", "s:huge"},
    {"GET", "s:empty"}, {"GET", "s:noise"}, {"LRANGE", "l:small", "0", "-1"}, {"LRANGE", "l:big", "0", "-1"},
    {"OBJECT", "ENCODING", "l:big"}, {"SMEMBERS", "set:ints"}, {"OBJECT", "ENCODING", "set:ints"},
    {"SCARD", "set:manyints"}, {"OBJECT", "ENCODING", "set:manyints"}, {"SISMEMBER", "set:manyints", "1797"},
    {"SCARD", "set:strs"}, {"SISMEMBER", "set:strs", "12"}, {"ZRANGE", "z:small", "0", "-1", "WITHSCORES"},
    {"OBJECT", "ENCODING", "z:small"}, {"ZRANGE", "z:big", "0", "-1", "WITHSCORES"}, {"OBJECT", "ENCODING", "z:big"},
    {"ZRANGE", "z:longmember", "0", "-1", "WITHSCORES"}, {"OBJECT", "ENCODING", "z:longmember"},
    {"HGETALL", "h:small"}, {"OBJECT", "ENCODING", "h:small"}, {"HLEN", "h:big"}, {"HGET", "h:big", "f299"},
    {"OBJECT", "ENCODING", "h:big"}, {"HGETALL", "h:longvalue"}, {"OBJECT", "ENCODING", "h:longvalue"},
    {"XRANGE", "x", "-", "+"}, {"XINFO", "GROUPS", "x"}, {"XPENDING", "x", "g1", "-", "+", "10"},
    {"XINFO", "CONSUMERS", "x", "g1"}, {"XINFO", "CONSUMERS", "x", "g2"}, {"XLEN", "x"}, {"PTTL", "ttl"},
};

std::vector<std::string> all_keys(CommandHarness& h) {
  std::vector<std::string> keys;
  std::string r = h.run({"KEYS", "*"});
  if (h.deferred()) r += h.finish();
  std::size_t pos = r.find("\r\n") + 2;
  while (pos < r.size()) {
    const std::size_t eol = r.find("\r\n", pos);
    const std::size_t n = std::stoul(r.substr(pos + 1, eol - pos - 1));
    keys.push_back(r.substr(eol + 2, n));
    pos = eol + 2 + n + 2;
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

TEST_CASE("CRC64 is Redis's Jones CRC", "[rdb]") {
  CHECK(persistence::crc64(0, "123456789") == 0xe9c6d914c4b8d9caULL);
  CHECK(persistence::crc64(0, "") == 0);
  // Continuing over pieces gives the checksum of the whole.
  const std::string text = "The quick brown fox jumps over the lazy dog, again and again and again";
  CHECK(persistence::crc64(persistence::crc64(0, text.substr(0, 13)), text.substr(13)) ==
        persistence::crc64(0, text));
}

TEST_CASE("LZF round-trips and refuses what does not fit or is corrupt", "[rdb]") {
  std::mt19937 rng(1);
  for (std::size_t len : {1u, 2u, 3u, 21u, 100u, 4096u, 100000u}) {
    for (int kind = 0; kind < 3; ++kind) {
      std::string in(len, 'a');
      for (std::size_t i = 0; i < len; ++i) {
        in[i] = kind == 0 ? 'a' : kind == 1 ? static_cast<char>('a' + (i / 7) % 5) : static_cast<char>(rng());
      }
      std::string out(len + len / 32 + 16, '\0');  // LZF's worst case: a control byte per 32 literals
      const std::size_t n = persistence::lzf::compress(in, out.data(), out.size());
      REQUIRE(n > 0);
      std::string back(len, '\0');
      CHECK(persistence::lzf::decompress(std::string_view(out.data(), n), back.data(), len) == len);
      CHECK(back == in);
      if (kind == 2 && len >= 100) {
        // Random bytes do not shrink: no room, no output.
        CHECK(persistence::lzf::compress(in, out.data(), len - 4) == 0);
      }
      if (kind == 0 && len >= 100) CHECK(n < len / 10);
    }
  }
  std::string out(10, '\0');
  CHECK(persistence::lzf::decompress(std::string("\x20\x00", 2), out.data(), out.size()) == 0);  // back ref before start
  CHECK(persistence::lzf::decompress(std::string("\x05" "ab", 3), out.data(), out.size()) == 0);  // short literal
}

TEST_CASE("listpacks encode integers and strings as Redis does", "[rdb]") {
  persistence::redis_enc::ListpackBuilder b;
  const std::vector<std::string> items = {"0",          "127",   "128",        "-1",  "4095",        "-4096",
                                          "32767",      "-32768", "8388607",   "2147483647", "-2147483648",
                                          "9223372036854775807", "-0", "007", "abc", std::string(100, 'x'),
                                          std::string(5000, 'y'), ""};
  for (const std::string& s : items) b.add(s);
  const std::string lp(b.finish());
  // "0" is one byte plus its backlen; the header and terminator are 7 bytes.
  CHECK(static_cast<unsigned char>(lp[6]) == 0);
  persistence::redis_enc::ListpackCursor c(lp);
  CHECK(c.header_count() == items.size());
  persistence::redis_enc::Element e;
  for (const std::string& s : items) {
    REQUIRE(c.next(e));
    CHECK(e.str == s);
  }
  CHECK_FALSE(c.next(e));
  CHECK_THROWS_AS(persistence::redis_enc::ListpackCursor(lp.substr(0, lp.size() - 1)), RdbError);
}

TEST_CASE("DUMP and RESTORE round-trip every type and encoding", "[rdb]") {
  CommandHarness a, b;
  populate(a);
  for (const std::string& key : all_keys(a)) {
    const std::string payload = bulk_of(a.run({"DUMP", key}));
    const std::string pttl = a.run({"PTTL", key}).substr(1);
    const std::string ttl = pttl.substr(0, pttl.find('\r'));
    REQUIRE(b.run({"RESTORE", key, ttl[0] == '-' ? "0" : ttl, payload}) == "+OK\r\n");
  }
  CHECK(all_keys(a).size() == 21);
  CHECK(contents(b, kReads) == contents(a, kReads));
  CHECK(all_keys(b) == all_keys(a));
}

TEST_CASE("an RDB file written by RdbWriter reads back whole", "[rdb]") {
  CommandHarness a, b;
  populate(a);
  a.run({"SELECT", "3"});
  a.run({"SET", "in3", "x"});
  a.run({"SELECT", "0"});
  struct Key {
    int db;
    std::string key, payload;
  };
  std::vector<Key> keys;
  for (const std::string& key : all_keys(a)) keys.push_back({0, key, bulk_of(a.run({"DUMP", key}))});
  a.run({"SELECT", "3"});
  keys.push_back({3, "in3", bulk_of(a.run({"DUMP", "in3"}))});
  a.run({"SELECT", "0"});

  for (bool compress : {true, false}) {
    for (bool checksum : {true, false}) {
      std::string file;
      persistence::WriterOptions options;
      options.compress = compress;
      options.checksum = checksum;
      persistence::RdbWriter w([&file](std::string_view s) { file.append(s); }, options);
      const auto aux = persistence::default_aux_fields(1700000000000, 12345);
      w.begin(aux);
      std::vector<larder::storage::Entry*> entries;
      for (int db : {0, 3}) {
        w.select_db(db, 0, 0);
        for (const Key& k : keys) {
          if (k.db != db) continue;
          persistence::LoadedValue v = persistence::restore_payload(k.payload, persistence::EncodingLimits{});
          const std::int64_t expire = k.key == "ttl" ? 4102444800000 : larder::storage::kNoExpire;
          entries.push_back(v.make_entry(k.key, expire));
          w.key(k.key, *entries.back(), expire, {.idle_seconds = 5, .freq = std::nullopt});
        }
      }
      w.end();
      for (auto* e : entries) larder::storage::Entry::destroy(e);
      REQUIRE(file.substr(0, 9) == "REDIS0010");
      CHECK(w.bytes_written() == file.size());

      std::size_t pos = 0;
      persistence::RdbReader r(
          [&](char* buf, std::size_t n) {
            n = std::min<std::size_t>({n, file.size() - pos, 1000});  // small reads: buffer refills
            std::memcpy(buf, file.data() + pos, n);
            pos += n;
            return n;
          },
          persistence::EncodingLimits{});
      std::vector<std::string> aux_names;
      std::vector<int> dbs;
      std::size_t loaded = 0;
      persistence::ReaderCallbacks cb;
      cb.aux = [&](std::string_view name, std::string_view) { aux_names.emplace_back(name); };
      cb.select_db = [&](int db) { dbs.push_back(db); };
      cb.key = [&](persistence::LoadedKey& k) {
        ++loaded;
        CHECK(k.access.idle_seconds == 5u);
        if (k.key == "ttl") CHECK(k.expire_at_ms == 4102444800000);
        const std::string payload =
            persistence::dump_payload(*std::unique_ptr<larder::storage::Entry, void (*)(larder::storage::Entry*)>(
                                          k.value.make_entry(k.key, larder::storage::kNoExpire),
                                          larder::storage::Entry::destroy),
                                      persistence::WriterOptions{});
        if (k.db == 0) b.run({"RESTORE", k.key, "0", payload, "REPLACE"});
      };
      r.read(cb);
      CHECK(r.version() == 10);
      CHECK(loaded == keys.size());
      CHECK(dbs == std::vector<int>{0, 3});
      CHECK(aux_names == std::vector<std::string>{"redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"});
      CHECK(r.bytes_read() == file.size());
      a.run({"PERSIST", "ttl"});
      CHECK(contents(b, kReads) == contents(a, kReads));
    }
  }
}

TEST_CASE("RdbReader names what it cannot read", "[rdb]") {
  auto read = [](const std::string& file) {
    std::size_t pos = 0;
    persistence::RdbReader r(
        [&](char* buf, std::size_t n) {
          n = std::min(n, file.size() - pos);
          std::memcpy(buf, file.data() + pos, n);
          pos += n;
          return n;
        },
        persistence::EncodingLimits{});
    r.read({});
  };
  auto kind_of = [&](const std::string& file) {
    try {
      read(file);
    } catch (const RdbError& e) {
      return std::make_pair(e.kind(), std::string(e.what()));
    }
    return std::make_pair(RdbError::Kind::kBadFormat, std::string("no error"));
  };
  std::string ok = "REDIS0010";
  ok += "\xFE";
  ok += '\0';
  ok += '\0' + rdb_str("k") + rdb_str("v");
  ok += "\xFF";
  std::string with_crc = ok + le(persistence::crc64(0, ok), 8);
  CHECK_NOTHROW(read(with_crc));
  CHECK_NOTHROW(read(ok + le(0, 8)));  // checksum disabled

  // Old second-resolution expiry (RDB_OPCODE_EXPIRETIME) and FREQ before a key.
  std::string old = "REDIS0009\xFD" + le(2000000000, 4) + "\xF9\x07" + '\0' + rdb_str("k") + rdb_str("v") + "\xFF";
  old += le(persistence::crc64(0, old), 8);
  std::size_t pos = 0;
  persistence::RdbReader r(
      [&](char* buf, std::size_t n) {
        n = std::min(n, old.size() - pos);
        std::memcpy(buf, old.data() + pos, n);
        pos += n;
        return n;
      },
      persistence::EncodingLimits{});
  persistence::ReaderCallbacks cb;
  int keys = 0;
  cb.key = [&](persistence::LoadedKey& k) {
    ++keys;
    CHECK(k.key == "k");
    CHECK(k.value.bytes == "v");
    CHECK(k.expire_at_ms == 2000000000000);
    CHECK(k.access.freq == 7);
  };
  r.read(cb);
  CHECK(keys == 1);
  CHECK(r.version() == 9);

  CHECK(kind_of(ok + le(1, 8)).first == RdbError::Kind::kChecksum);
  CHECK(kind_of(with_crc.substr(0, with_crc.size() - 3)).first == RdbError::Kind::kTruncated);
  CHECK(kind_of(with_crc.substr(0, 15)).first == RdbError::Kind::kTruncated);
  const auto version = kind_of("REDIS0011" + ok.substr(9));
  CHECK(version.first == RdbError::Kind::kVersion);
  CHECK(version.second.find("version 11") != std::string::npos);
  CHECK(kind_of("RODIS0010").first == RdbError::Kind::kVersion);
  // A MODULE_2 value of the module type "ReJSON-RL" (module ID of version 3).
  std::uint64_t id = 0;
  const std::string charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (char c : std::string("ReJSON-RL")) id = (id << 6) | charset.find(c);
  id = (id << 10) | 3;
  const auto module = kind_of("REDIS0010\x07" + rdb_str("k") + "\x81" + [&] {
    std::string be;
    for (int i = 7; i >= 0; --i) be.push_back(static_cast<char>(id >> (8 * i)));
    return be;
  }());
  CHECK(module.first == RdbError::Kind::kModule);
  CHECK(module.second.find("'ReJSON-RL'") != std::string::npos);
  const auto opcode = kind_of(std::string("REDIS0010\xF0", 10));
  CHECK(opcode.first == RdbError::Kind::kUnknownOpcode);
  CHECK(opcode.second.find("240") != std::string::npos);
}

TEST_CASE("RESTORE reads the encodings of Redis 6 (ziplist, zipmap, quicklist)", "[rdb]") {
  CommandHarness h;
  using persistence::rdb::kTypeHashZiplist;
  auto restore = [&](std::string_view key, std::uint8_t type, const std::string& value) {
    return h.run({"RESTORE", key, "0", payload_of(std::string(1, static_cast<char>(type)) + value, 9)});
  };
  const std::string zl_hash = ziplist({"name", "larder", "n", "12", "big", "300"});
  CHECK(restore("h", kTypeHashZiplist, rdb_str(zl_hash)) == "+OK\r\n");
  CHECK(h.run({"HGETALL", "h"}) == "*6\r\n$4\r\nname\r\n$6\r\nlarder\r\n$1\r\nn\r\n$2\r\n12\r\n$3\r\nbig\r\n$3\r\n300\r\n");
  CHECK(h.run({"OBJECT", "ENCODING", "h"}) == "$8\r\nlistpack\r\n");

  const std::string zl_list = ziplist({"a", "1", "b", "100"});
  CHECK(restore("l", persistence::rdb::kTypeListZiplist, rdb_str(zl_list)) == "+OK\r\n");
  CHECK(h.run({"LRANGE", "l", "0", "-1"}) == "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n100\r\n");
  // Quicklist (v1): two ziplist nodes.
  CHECK(restore("q", persistence::rdb::kTypeListQuicklist,
                std::string(1, 2) + rdb_str(ziplist({"x", "y"})) + rdb_str(ziplist({"z"}))) == "+OK\r\n");
  CHECK(h.run({"LRANGE", "q", "0", "-1"}) == "*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n");

  const std::string zl_zset = ziplist({"m1", "1.5", "m2", "3"});
  CHECK(restore("z", persistence::rdb::kTypeZsetZiplist, rdb_str(zl_zset)) == "+OK\r\n");
  CHECK(h.run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}) == "*4\r\n$2\r\nm1\r\n$3\r\n1.5\r\n$2\r\nm2\r\n$1\r\n3\r\n");

  // Zipmap: zmlen, then <len>key<len><free>value... 0xFF.
  const std::string zm = std::string("\x02\x01k\x02\x00vv\x02k2\x01\x01w \xFF", 15);
  CHECK(restore("zm", persistence::rdb::kTypeHashZipmap, rdb_str(zm)) == "+OK\r\n");
  CHECK(h.run({"HGETALL", "zm"}) == "*4\r\n$1\r\nk\r\n$2\r\nvv\r\n$2\r\nk2\r\n$1\r\nw\r\n");

  // Old text-double sorted sets (RDB_TYPE_ZSET) and plain lists / sets.
  CHECK(restore("z1", persistence::rdb::kTypeZset, std::string(1, 2) + rdb_str("a") + "\x03" "2.5" + rdb_str("b") + "\xFE") ==
        "+OK\r\n");
  CHECK(h.run({"ZRANGE", "z1", "0", "-1", "WITHSCORES"}) == "*4\r\n$1\r\na\r\n$3\r\n2.5\r\n$1\r\nb\r\n$3\r\ninf\r\n");
  CHECK(restore("s", persistence::rdb::kTypeSet, std::string(1, 2) + rdb_str("x") + rdb_str("x")) ==
        "-ERR Bad data format\r\n");
}

TEST_CASE("RESTORE reads Redis 6's streams (RDB_TYPE_STREAM_LISTPACKS)", "[rdb]") {
  CommandHarness h;
  auto be_id = [](std::uint64_t ms, std::uint64_t seq) {
    std::string s;
    for (int i = 7; i >= 0; --i) s.push_back(static_cast<char>(ms >> (8 * i)));
    for (int i = 7; i >= 0; --i) s.push_back(static_cast<char>(seq >> (8 * i)));
    return s;
  };
  // One node, master 1-1 with the field "f": 1-1 {f v1} (same fields),
  // 2-1 {g v2}, and the deleted 3-1 {f v3}.
  persistence::redis_enc::ListpackBuilder lp;
  for (std::int64_t v : {2, 1, 1}) lp.add_int(v);
  lp.add("f");
  lp.add_int(0);
  for (std::int64_t v : {2, 0, 0}) lp.add_int(v);
  lp.add("v1");
  lp.add_int(4);
  for (std::int64_t v : {0, 1, 0, 1}) lp.add_int(v);
  lp.add("g");
  lp.add("v2");
  lp.add_int(6);
  for (std::int64_t v : {3, 2, 0}) lp.add_int(v);
  lp.add("v3");
  lp.add_int(4);
  const std::string node(lp.finish());
  REQUIRE(node.size() < 64);
  std::string v = std::string(1, static_cast<char>(persistence::rdb::kTypeStreamListpacks));
  v += std::string(1, 1) + std::string(1, 16) + be_id(1, 1) + std::string(1, static_cast<char>(node.size())) + node;
  v += std::string(1, 2) + std::string(1, 3) + std::string(1, 1);  // length 2, last ID 3-1
  v += std::string(1, 1) + rdb_str("grp") + std::string(1, 1) + std::string(1, 1);  // group at 1-1
  v += std::string(1, 1) + be_id(1, 1) + le(1700000000000, 8) + std::string(1, 2);  // PEL: 1-1, delivered twice
  v += std::string(1, 1) + rdb_str("ann") + le(1700000000001, 8) + std::string(1, 1) + be_id(1, 1);
  REQUIRE(h.run({"RESTORE", "s", "0", payload_of(v, 9)}) == "+OK\r\n");
  CHECK(h.run({"XRANGE", "s", "-", "+"}) ==
        "*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$2\r\nv1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\ng\r\n$2\r\nv2\r\n");
  // Redis 7.0's upgrade: entries-added = length, entries-read estimated.
  CHECK(h.run({"XINFO", "GROUPS", "s"}) ==
        "*1\r\n*12\r\n$4\r\nname\r\n$3\r\ngrp\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:1\r\n"
        "$17\r\nlast-delivered-id\r\n$3\r\n1-1\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:1\r\n");
  CHECK(h.run({"XPENDING", "s", "grp", "-", "+", "10"}).find("$3\r\nann\r\n") != std::string::npos);
}

TEST_CASE("RESTORE answers Redis's errors", "[rdb]") {
  CommandHarness h;
  h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  h.run({"SET", "k", "v"});
  const std::string p = bulk_of(h.run({"DUMP", "k"}));
  CHECK(h.run({"DUMP", "missing"}) == "$-1\r\n");
  CHECK(h.run({"RESTORE", "k", "0", p}) == "-BUSYKEY Target key name already exists.\r\n");
  CHECK(h.run({"RESTORE", "n", "-1", p}) == "-ERR Invalid TTL value, must be >= 0\r\n");
  CHECK(h.run({"RESTORE", "n", "x", p}) == "-ERR value is not an integer or out of range\r\n");
  std::string bad = p;
  bad[1] ^= 1;
  CHECK(h.run({"RESTORE", "n", "0", bad}) == "-ERR DUMP payload version or checksum are wrong\r\n");
  CHECK(h.run({"RESTORE", "n", "0", "short"}) == "-ERR DUMP payload version or checksum are wrong\r\n");
  CHECK(h.run({"RESTORE", "n", "0", payload_of("\x00\x05" "ab")}) == "-ERR Bad data format\r\n");
  CHECK(h.run({"RESTORE", "n", "0", payload_of(p.substr(0, p.size() - 10), 11)}) ==
        "-ERR DUMP payload version or checksum are wrong\r\n");
  CHECK(h.run({"RESTORE", "n", "0", p, "IDLETIME", "-1"}) == "-ERR Invalid IDLETIME value, must be >= 0\r\n");
  CHECK(h.run({"RESTORE", "n", "0", p, "FREQ", "256"}) == "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n");
  CHECK(h.run({"RESTORE", "n", "0", p, "FREQ", "1", "IDLETIME", "1"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"RESTORE", "n", "0", p, "IDLETIME"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"RESTORE", "k", "0", p, "REPLACE", "IDLETIME", "100"}) == "+OK\r\n");
  CHECK(h.run({"OBJECT", "IDLETIME", "k"}) == ":100\r\n");
  // Past the wrapping 24-bit clock (5501184 s here), as Redis 7.0.15: once
  // round the clock, then the stamp's 24 bits.
  const std::pair<const char*, const char*> wraps[] = {{"5501185", ":5501185\r\n"},
                                                       {"9000000", ":9000000\r\n"},
                                                       {"16777215", ":0\r\n"},
                                                       {"16777216", ":1\r\n"},
                                                       {"1099511627776", ":1\r\n"}};
  for (const auto& [idle, answer] : wraps) {
    INFO("IDLETIME " << idle);
    CHECK(h.run({"RESTORE", "k", "0", p, "REPLACE", "IDLETIME", idle}) == "+OK\r\n");
    CHECK(h.run({"OBJECT", "IDLETIME", "k"}) == answer);
  }
  // An absolute TTL in the past: REPLACE deletes, nothing is added.
  CHECK(h.run({"RESTORE", "k", "1", p, "REPLACE", "ABSTTL"}) == "+OK\r\n");
  CHECK(h.run({"EXISTS", "k"}) == ":0\r\n");
  CHECK(h.run({"RESTORE", "k", "5000", p}) == "+OK\r\n");
  CHECK(h.run({"PTTL", "k"}) == ":5000\r\n");
}
