#include "larder/storage/stream_value.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using larder::storage::StreamId;
using larder::storage::StreamValue;

namespace {

using Model = std::map<StreamId, std::vector<std::string>>;

void add(StreamValue& s, Model& m, StreamId id, std::vector<std::string> fv) {
  std::vector<std::string_view> views(fv.begin(), fv.end());
  s.append(id, views);
  m[id] = std::move(fv);
}

Model read_all(const StreamValue& s, StreamId start = {}, StreamId end = StreamId::max(), bool rev = false) {
  Model out;
  std::vector<StreamId> order;
  s.range(start, end, rev, [&](const StreamValue::EntryView& e) {
    out[e.id] = std::vector<std::string>(e.fv.begin(), e.fv.end());
    order.push_back(e.id);
    return true;
  });
  for (std::size_t i = 1; i < order.size(); ++i) REQUIRE((rev ? order[i] < order[i - 1] : order[i - 1] < order[i]));
  return out;
}

Model slice(const Model& m, StreamId start, StreamId end) {
  Model out;
  for (const auto& [id, fv] : m) {
    if (start <= id && id <= end) out[id] = fv;
  }
  return out;
}

std::vector<std::string> random_fields(std::mt19937_64& rng, std::size_t i) {
  switch (rng() % 4) {
    case 0: return {"name", "job" + std::to_string(i), "attempt", std::to_string(rng() % 5)};
    case 1: return {"name", std::to_string(static_cast<std::int64_t>(rng())), "attempt", "-0"};
    case 2: return {"other", std::string(rng() % 300, 'x'), "n", "007", "z", ""};
    default: return {"name", std::string(1, static_cast<char>(rng() % 256)), "attempt", "9223372036854775807"};
  }
}

}  // namespace

TEST_CASE("StreamId order, increments and text", "[stream_value]") {
  StreamId a{1, 2}, b{1, 3}, c{2, 0};
  REQUIRE(a < b);
  REQUIRE(b < c);
  StreamId m = StreamId::max();
  REQUIRE_FALSE(m.increment());
  REQUIRE(m == StreamId::max());
  StreamId z;
  REQUIRE_FALSE(z.decrement());
  StreamId x{5, ~std::uint64_t{0}};
  REQUIRE(x.increment());
  REQUIRE(x == StreamId{6, 0});
  REQUIRE(x.decrement());
  REQUIRE(x == StreamId{5, ~std::uint64_t{0}});
  REQUIRE(StreamId::max().str() == "18446744073709551615-18446744073709551615");
}

TEST_CASE("StreamValue ranges match a model across nodes, both directions", "[stream_value]") {
  std::mt19937_64 rng(7);
  StreamValue s;
  Model m;
  StreamId id{1000, 0};
  for (std::size_t i = 0; i < 2000; ++i) {
    if (rng() % 3 == 0) {
      id.ms += rng() % 5000;
      id.seq = rng() % 3;
    } else {
      id.seq += 1 + rng() % 2;
    }
    add(s, m, id, random_fields(rng, i));
  }
  REQUIRE(s.length() == 2000);
  REQUIRE(s.entries_added() == 2000);
  REQUIRE(s.last_id() == id);
  REQUIRE(s.nodes() >= 20);  // at most 100 entries a node
  REQUIRE(read_all(s) == m);
  REQUIRE(read_all(s, {}, StreamId::max(), true) == m);
  for (int k = 0; k < 50; ++k) {
    auto a = std::next(m.begin(), static_cast<long>(rng() % m.size()))->first;
    auto b = std::next(m.begin(), static_cast<long>(rng() % m.size()))->first;
    if (b < a) std::swap(a, b);
    a.seq = a.seq > 0 && rng() % 2 ? a.seq - 1 : a.seq;
    REQUIRE(read_all(s, a, b) == slice(m, a, b));
    REQUIRE(read_all(s, a, b, true) == slice(m, a, b));
  }
  REQUIRE(*s.edge_id(true) == m.begin()->first);
  REQUIRE(*s.edge_id(false) == m.rbegin()->first);
  REQUIRE(s.first_id() == m.begin()->first);
}

TEST_CASE("StreamValue closes nodes where Redis's listpacks close", "[stream_value]") {
  StreamValue s;
  Model m;
  // Small entries: 100 a node.
  for (std::uint64_t i = 1; i <= 250; ++i) add(s, m, {i, 0}, {"f", "v"});
  REQUIRE(s.nodes() == 3);
  // Big values close by bytes: 4096 - (7 + master + entries) is crossed fast.
  StreamValue big;
  Model mb;
  for (std::uint64_t i = 1; i <= 10; ++i) add(big, mb, {i, 0}, {"f", std::string(1000, 'x')});
  REQUIRE(big.nodes() == 3);  // 4 entries of ~1 KB per 4 KB node
  REQUIRE(read_all(big) == mb);
}

TEST_CASE("StreamValue keeps loaded nodes as saved, and visits them", "[stream_value]") {
  StreamValue s;
  const std::vector<std::string_view> fields = {"f"};
  std::vector<StreamValue::LoadedEntry> first = {{{2, 0}, {"f", "a"}}, {{3, 0}, {"g", "b"}}};
  std::vector<StreamValue::LoadedEntry> second = {{{10, 0}, {"f", "c"}}};
  // Node 1-0 lost its first entry; node 9-0 holds 10-0 and a deleted 11-0.
  s.append_node({1, 0}, fields, first, 1, 100, {3, 0}, false);
  s.append_node({9, 0}, fields, second, 99, 100, {11, 0}, true);
  s.append_node({20, 0}, fields, {}, 5, 50, {20, 0}, true);  // nothing live: left out
  REQUIRE(s.nodes() == 2);
  REQUIRE(s.length() == 3);
  REQUIRE(s.first_id() == StreamId{2, 0});
  // The tail held 1 + 99 entries: a new one opens a node (100 a node).
  s.append({30, 0}, std::vector<std::string_view>{"f", "d"});
  REQUIRE(s.nodes() == 3);
  std::vector<StreamId> masters;
  std::vector<std::size_t> sizes;
  s.visit_nodes([&](StreamId master, std::span<const std::string> f, std::span<const StreamValue::EntryView> e) {
    masters.push_back(master);
    sizes.push_back(e.size());
    REQUIRE(f.size() == 1);
    REQUIRE(f[0] == "f");
  });
  REQUIRE(masters == std::vector<StreamId>{{1, 0}, {9, 0}, {30, 0}});
  REQUIRE(sizes == std::vector<std::size_t>{2, 1, 1});
  REQUIRE(s.trim_maxlen(2, true, 0) == 2);  // the first node goes whole
}

TEST_CASE("StreamValue erase keeps order, edges and node counts", "[stream_value]") {
  std::mt19937_64 rng(11);
  StreamValue s;
  Model m;
  for (std::uint64_t i = 1; i <= 700; ++i) add(s, m, {i, i % 3}, random_fields(rng, i));
  REQUIRE_FALSE(s.erase({9999, 0}));
  REQUIRE_FALSE(s.erase({0, 0}));
  for (int k = 0; k < 400; ++k) {
    auto it = std::next(m.begin(), static_cast<long>(rng() % m.size()));
    REQUIRE(s.erase(it->first));
    REQUIRE_FALSE(s.erase(it->first));
    m.erase(it);
  }
  REQUIRE(s.length() == m.size());
  REQUIRE(read_all(s) == m);
  REQUIRE(read_all(s, {}, StreamId::max(), true) == m);
  REQUIRE(*s.edge_id(false) == m.rbegin()->first);
  REQUIRE(*s.edge_id(true) == m.begin()->first);
  // Deleting every entry empties the stream but keeps its last ID.
  while (!m.empty()) {
    REQUIRE(s.erase(m.begin()->first));
    m.erase(m.begin());
  }
  REQUIRE(s.length() == 0);
  REQUIRE(s.nodes() == 0);
  REQUIRE_FALSE(s.edge_id(true));
  REQUIRE(s.last_id() == StreamId{700, 700 % 3});
}

TEST_CASE("StreamValue trims by length and by ID, exactly or by whole nodes", "[stream_value]") {
  auto make = [](StreamValue& s, Model& m) {
    for (std::uint64_t i = 1; i <= 1000; ++i) add(s, m, {i, 0}, {"f", std::to_string(i)});
  };
  SECTION("MAXLEN =") {
    StreamValue s;
    Model m;
    make(s, m);
    REQUIRE(s.trim_maxlen(950, false, 0) == 50);
    REQUIRE(s.length() == 950);
    REQUIRE(s.first_id() == StreamId{51, 0});
    REQUIRE(s.trim_maxlen(2000, false, 0) == 0);
  }
  SECTION("MAXLEN ~ removes whole nodes only, within LIMIT") {
    StreamValue s;
    Model m;
    make(s, m);
    REQUIRE(s.trim_maxlen(750, true, 10000) == 200);
    REQUIRE(s.length() == 800);
    REQUIRE(s.trim_maxlen(0, true, 150) == 100);
    REQUIRE(s.length() == 700);
    REQUIRE(s.first_id() == StreamId{301, 0});
  }
  SECTION("MINID") {
    StreamValue s;
    Model m;
    make(s, m);
    REQUIRE(s.trim_minid({250, 0}, true, 10000) == 200);
    REQUIRE(s.trim_minid({250, 0}, false, 0) == 49);
    REQUIRE(*s.edge_id(true) == StreamId{250, 0});
    REQUIRE(s.trim_minid(StreamId::max(), false, 0) == 751);
    REQUIRE(s.length() == 0);
  }
}

TEST_CASE("StreamValue groups: PEL bookkeeping, clone and counters", "[stream_value]") {
  StreamValue s;
  Model m;
  for (std::uint64_t i = 1; i <= 10; ++i) add(s, m, {i, 0}, {"f", "v"});
  auto& g = s.create_group("g", {}, StreamValue::kInvalidEntriesRead);
  bool created = false;
  auto& alice = g.consumer("alice", 5, &created);
  REQUIRE(created);
  g.consumer("alice", 6, &created);
  REQUIRE_FALSE(created);
  for (std::uint64_t i = 1; i <= 4; ++i) {
    auto& n = g.pel.emplace(StreamId{i, 0}, StreamValue::Nack{1, 1, &alice}).first->second;
    alice.pel[{i, 0}] = &n;
  }
  REQUIRE(g.ack({2, 0}));
  REQUIRE_FALSE(g.ack({2, 0}));
  REQUIRE(g.pel.size() == 3);
  REQUIRE(alice.pel.size() == 3);
  const std::size_t before = s.heap_bytes();
  auto copy = s.clone();
  auto& c = static_cast<StreamValue&>(*copy);
  auto* cg = c.find_group("g");
  REQUIRE(cg != nullptr);
  REQUIRE(cg->pel.size() == 3);
  for (auto& [id, nack] : cg->pel) {
    REQUIRE(nack.consumer == cg->find_consumer("alice"));
    REQUIRE(nack.consumer->pel.at(id) == &nack);
  }
  REQUIRE(read_all(c) == m);
  REQUIRE(g.erase_consumer("alice") == 3);
  REQUIRE(g.pel.empty());
  REQUIRE(g.erase_consumer("alice") == -1);
  REQUIRE(s.heap_bytes() < before);
  REQUIRE(s.destroy_group("g"));
  REQUIRE_FALSE(s.destroy_group("g"));
  // Counters, as Redis 7.0's: without tombstones every ID's distance is known.
  REQUIRE(s.estimate_distance({10, 0}) == 10);
  REQUIRE(s.estimate_distance({1, 0}) == 1);
  REQUIRE(s.estimate_distance({0, 5}) == 0);
  REQUIRE(s.estimate_distance({11, 0}) == StreamValue::kInvalidEntriesRead);
  s.erase({5, 0});
  s.set_max_deleted_id({5, 0});
  REQUIRE(s.has_tombstones_from({3, 0}));
  REQUIRE_FALSE(s.has_tombstones_from({6, 0}));
  REQUIRE(s.estimate_distance({3, 0}) == StreamValue::kInvalidEntriesRead);
}

TEST_CASE("StreamValue heap_bytes follows its contents", "[stream_value]") {
  StreamValue s;
  const std::size_t empty = s.heap_bytes();
  Model m;
  for (std::uint64_t i = 1; i <= 5000; ++i) add(s, m, {i, 0}, {"field", std::to_string(i * 7)});
  const std::size_t full = s.heap_bytes();
  REQUIRE(full > empty + 5000 * 3);
  REQUIRE(full < empty + 5000 * 24);  // compact: a few bytes an entry
  s.trim_maxlen(0, false, 0);
  REQUIRE(s.heap_bytes() < empty + 200);
}
