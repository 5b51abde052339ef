#include <catch2/catch.hpp>
#include <span>

#include <string>
#include <string_view>
#include <vector>

#include "larder/commands/command_docs.h"
#include "larder/commands/key_specs.h"

using larder::commands::find_command_doc;
using larder::commands::for_each_key;
using larder::commands::KeySpec;
using larder::commands::keynum_fallback_keys;
using larder::commands::legacy_key_range;
using larder::commands::parse_key_spec;

namespace {

struct Found {
  bool valid;
  std::vector<std::string_view> keys;
};

Found find_keys(std::span<const KeySpec> specs, std::vector<std::string_view> args) {
  Found out;
  out.valid = for_each_key(specs, args, [&](int pos, const KeySpec&) {
    out.keys.push_back(args[static_cast<std::size_t>(pos)]);
  });
  return out;
}

std::vector<KeySpec> specs(std::initializer_list<std::string_view> texts) {
  std::vector<KeySpec> out;
  for (std::string_view t : texts) out.push_back(parse_key_spec(t));
  return out;
}

using Keys = std::vector<std::string_view>;

}  // namespace

TEST_CASE("key specs parse as Redis prints them", "[key_specs]") {
  const KeySpec ks = parse_key_spec("RW access update variable_flags | index 1 | range 0 1 0 | a | b");
  CHECK(ks.flags == Keys{"RW", "access", "update", "variable_flags"});
  CHECK(ks.variable_flags);
  CHECK_FALSE(ks.not_key);
  CHECK(ks.begin == KeySpec::Begin::kIndex);
  CHECK(ks.index == 1);
  CHECK(ks.find == KeySpec::Find::kRange);
  CHECK(ks.notes == "a | b");
  const KeySpec kw = parse_key_spec("RO | keyword STREAMS 1 | range -1 1 2");
  CHECK(kw.keyword == "STREAMS");
  CHECK(kw.limit == 2);
  CHECK_THROWS(parse_key_spec("RO | index 1"));
  CHECK_THROWS(parse_key_spec("RX | index 1 | range 0 1 0"));
  CHECK_THROWS(parse_key_spec("RO | index 1 | range 0 0 0"));
  CHECK_THROWS(parse_key_spec("RO | index x | range 0 1 0"));
  CHECK_THROWS(parse_key_spec("RO | at 1 | range 0 1 0"));
}

TEST_CASE("index and range specs", "[key_specs]") {
  const auto mset = specs({"OW update | index 1 | range -1 2 0"});
  CHECK(find_keys(mset, {"MSET", "a", "1", "b", "2"}).keys == Keys{"a", "b"});
  CHECK(find_keys(mset, {"MSET", "a", "1", "b"}).keys == Keys{"a", "b"});
  const auto rename = specs({"RW access delete | index 1 | range 0 1 0", "OW update | index 2 | range 0 1 0"});
  CHECK(find_keys(rename, {"RENAME", "a", "b"}).keys == Keys{"a", "b"});
  // A key past the end of the line: Redis's invalid_spec.
  CHECK_FALSE(find_keys(rename, {"RENAME", "a"}).valid);
  // not_key specs name no keys.
  CHECK(find_keys(specs({"RO not_key | index 1 | range 0 1 0"}), {"X", "a"}).keys.empty());
  // An unknown spec makes every line invalid; an incomplete one too, after its keys.
  CHECK_FALSE(find_keys(specs({"RO | unknown | unknown"}), {"X", "a"}).valid);
  const Found incomplete = find_keys(specs({"RO incomplete | index 1 | range 0 1 0"}), {"X", "a"});
  CHECK_FALSE(incomplete.valid);
}

TEST_CASE("numkeys specs: SINTERCARD, SINTERSTORE and ZUNIONSTORE", "[key_specs]") {
  const auto& sintercard = find_command_doc("sintercard")->key_specs;
  CHECK(find_keys(sintercard, {"SINTERCARD", "2", "a", "b", "LIMIT", "1"}).keys == Keys{"a", "b"});
  CHECK(find_keys(sintercard, {"SINTERCARD", "1", "a", "b"}).keys == Keys{"a"});
  // Redis's invalid_spec: numkeys not a string2ll integer >= 1, or too large.
  for (std::string_view bad : {"0", "-1", "x", "01", " 1", "1x", "3", "99999999999"}) {
    INFO(std::string(bad));
    CHECK_FALSE(find_keys(sintercard, {"SINTERCARD", bad, "a", "b"}).valid);
  }
  const auto& sinterstore = find_command_doc("sinterstore")->key_specs;
  CHECK(find_keys(sinterstore, {"SINTERSTORE", "d", "a", "b"}).keys == Keys{"d", "a", "b"});

  // ZUNIONSTORE's specs (Redis 7.0): a destination, then numkeys keys.
  const auto zunionstore = specs({"OW update | index 1 | range 0 1 0", "RO access | index 2 | keynum 0 1 1"});
  CHECK(find_keys(zunionstore, {"ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"}).keys ==
        Keys{"d", "a", "b"});
  CHECK_FALSE(find_keys(zunionstore, {"ZUNIONSTORE", "d", "3", "a", "b"}).valid);
  // numkeys one past the begin index (BLMPOP timeout numkeys key...).
  const auto blmpop = specs({"RW access delete | index 2 | keynum 0 1 1"});
  CHECK(find_keys(blmpop, {"BLMPOP", "0", "2", "a", "b", "LEFT"}).keys == Keys{"a", "b"});
}

TEST_CASE("keyword specs", "[key_specs]") {
  // XREAD's: the keys after STREAMS, half of what is left (limit 2).
  const auto xread = specs({"RO access | keyword STREAMS 1 | range -1 1 2"});
  CHECK(find_keys(xread, {"XREAD", "COUNT", "2", "streams", "a", "b", "0", "0"}).keys ==
        Keys{"a", "b"});
  // No keyword: no keys, and still valid.
  const Found none = find_keys(xread, {"XREAD", "COUNT", "2"});
  CHECK(none.valid);
  CHECK(none.keys.empty());
  // From the end backwards (MIGRATE's KEYS), never down to argument 1.
  const auto migrate = specs({"RW | keyword KEYS -2 | range -1 1 0"});
  CHECK(find_keys(migrate, {"MIGRATE", "h", "p", "", "0", "5", "KEYS", "a", "b"}).keys == Keys{"a", "b"});
  CHECK(find_keys(migrate, {"MIGRATE", "KEYS", "a", "b"}).keys.empty());
}

TEST_CASE("Redis 7.0's keynum fallback for COMMAND GETKEYS", "[key_specs]") {
  const auto& sintercard = find_command_doc("sintercard")->key_specs;
  using Positions = std::vector<int>;
  // atoi(): "1x" and " 1" count as 1, where the key specs give up.
  CHECK(keynum_fallback_keys(sintercard, std::vector<std::string_view>{"SINTERCARD", "1x", "a"}) ==
        Positions{2});
  CHECK(keynum_fallback_keys(sintercard, std::vector<std::string_view>{"SINTERCARD", " 1", "a"}) ==
        Positions{2});
  CHECK(keynum_fallback_keys(sintercard, std::vector<std::string_view>{"SINTERCARD", "0", "a"}).empty());
  CHECK(keynum_fallback_keys(sintercard, std::vector<std::string_view>{"SINTERCARD", "3", "a", "b"}).empty());
  // The destination comes after the numkeys keys.
  const auto zunionstore = specs({"OW update | index 1 | range 0 1 0", "RO access | index 2 | keynum 0 1 1"});
  CHECK(keynum_fallback_keys(zunionstore, std::vector<std::string_view>{"ZUNIONSTORE", "d", "1x", "a"}) ==
        Positions{3, 1});
  // No keynum spec, no fallback.
  CHECK(keynum_fallback_keys(find_command_doc("get")->key_specs,
                             std::vector<std::string_view>{"GET", "k"}).empty());
}

TEST_CASE("the legacy key range merges specs as Redis does", "[key_specs]") {
  auto range = [](std::string_view name) {
    const auto r = legacy_key_range(find_command_doc(name)->key_specs);
    return std::vector<int>{r.first, r.last, r.step, r.movable};
  };
  CHECK(range("get") == std::vector<int>{1, 1, 1, 0});
  CHECK(range("mset") == std::vector<int>{1, -1, 2, 0});
  CHECK(range("rename") == std::vector<int>{1, 2, 1, 0});
  CHECK(range("sinterstore") == std::vector<int>{1, -1, 1, 0});
  CHECK(range("smove") == std::vector<int>{1, 2, 1, 0});
  CHECK(range("sintercard") == std::vector<int>{0, 0, 0, 1});
  CHECK(range("ping") == std::vector<int>{0, 0, 0, 0});
}
