// storage::list against a std::deque model: every edit under several node
// limits, both encodings, reads both ways, node limits kept, exact memory
// accounting.
#include "larder/storage/list_value.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "larder/storage/memory_usage.h"
#include "larder/storage/shard_locks.h"

using larder::storage::Db;
using larder::storage::Encoding;
using larder::storage::Entry;
using larder::storage::Keyspace;
using larder::storage::MemoryUsage;
using larder::storage::QuickList;
using larder::storage::ShardLocks;
using larder::storage::ValueType;
namespace list = larder::storage::list;
namespace list_pack = larder::storage::list_pack;

namespace {

struct Fixture {
  Keyspace ks{16};
  ShardLocks locks{ks};
  Fixture() {
    locks.add_all();
    locks.acquire();
  }
  Db db() { return Db(ks, 0, 1000); }
};

using Model = std::deque<std::string>;

std::vector<std::string> forward(const Entry& e) {
  std::vector<std::string> out;
  if (list::size(e) == 0) return out;
  list::walk(e, 0, true, [&](std::string_view item) {
    out.emplace_back(item);
    return true;
  });
  return out;
}

// The list reads as the model every way, and no node is over `fill`.
void check_list(Db& db, const Model& model, std::int64_t fill) {
  const Entry* e = db.read_for_write("l", ValueType::kList).entry;
  if (model.empty()) {
    CHECK(e == nullptr);
    return;
  }
  REQUIRE(e != nullptr);
  REQUIRE(list::size(*e) == model.size());
  CHECK(forward(*e) == std::vector<std::string>(model.begin(), model.end()));
  std::vector<std::string> back;
  list::walk(*e, model.size() - 1, false, [&](std::string_view item) {
    back.emplace_back(item);
    return true;
  });
  CHECK(back == std::vector<std::string>(model.rbegin(), model.rend()));
  for (std::size_t i = 0; i < model.size(); i += 1 + model.size() / 17) CHECK(list::at(*e, i) == model[i]);
  std::size_t total = 0;
  for (std::size_t s = 0; s < list::segments(*e); ++s) {
    const list::Segment seg = list::segment(*e, s);
    CHECK(seg.count > 0);
    total += seg.count;
    if (seg.count > 1) {
      if (fill < 0) {
        CHECK(seg.region.size() + list_pack::kHeader <= (std::size_t{4096} << (-fill - 1)));
      } else {
        CHECK(seg.count <= static_cast<std::size_t>(fill));
      }
    }
  }
  CHECK(total == model.size());
}

std::string element(std::mt19937& rng) {
  const unsigned r = rng() % 100;
  if (r < 60) return "v" + std::to_string(rng() % 15);
  if (r < 95) return std::string(rng() % 300, 'w');
  return std::string(5000 + rng() % 5000, 'z');
}

}  // namespace

TEST_CASE("a list stays inline within one node, then becomes a quicklist", "[list]") {
  Fixture f;
  Db db = f.db();
  const list::Limits lim{-1};  // 4 KiB nodes
  {
    Db::Writer w = db.write("l", ValueType::kList, Db::Create::kYes);
    for (int i = 0; i < 100; ++i) list::push(w, list::End::kTail, std::string(30, 'a'), lim);
    CHECK(w.encoding() == Encoding::kInline);  // 100 * 32 bytes
    for (int i = 0; i < 100; ++i) list::push(w, list::End::kHead, std::string(30, 'b'), lim);
    CHECK(w.encoding() == Encoding::kObject);
    CHECK(list::size(w.entry()) == 200);
    CHECK(list::segments(w.entry()) >= 2);
  }
  const Entry* e = db.read("l", ValueType::kList).entry;
  REQUIRE(e != nullptr);
  CHECK(list::at(*e, 0) == std::string(30, 'b'));
  CHECK(list::at(*e, 199) == std::string(30, 'a'));
}

TEST_CASE("a count limit bounds the elements of a node", "[list]") {
  Fixture f;
  Db db = f.db();
  Db::Writer w = db.write("l", ValueType::kList, Db::Create::kYes);
  for (int i = 0; i < 10; ++i) list::push(w, list::End::kTail, std::to_string(i), list::Limits{3});
  CHECK(list::segments(w.entry()) == 4);
  CHECK(list::segment(w.entry(), 3).count == 1);
  list::erase(w, 2, 5);  // across three nodes, dropping the one emptied
  CHECK(forward(w.entry()) == std::vector<std::string>{"0", "1", "7", "8", "9"});
  CHECK(list::segments(w.entry()) == 3);
}

TEST_CASE("every edit matches a deque under several node limits", "[list]") {
  for (std::int64_t fill : {-2, -1, 1, 2, 5, 64}) {
    CAPTURE(fill);
    Fixture f;
    Db db = f.db();
    const std::size_t before = MemoryUsage::dataset_bytes();
    std::mt19937 rng(static_cast<unsigned>(fill + 1000));
    Model model;
    const list::Limits lim{fill};
    for (int step = 0; step < 1500; ++step) {
      {
        Db::Writer w = db.write("l", ValueType::kList, Db::Create::kYes);
        const std::size_t n = model.size();
        switch (rng() % 8) {
          case 0:
          case 1:
          case 2: {
            const std::string item = element(rng);
            if (rng() % 2 == 0) {
              list::push(w, list::End::kHead, item, lim);
              model.push_front(item);
            } else {
              list::push(w, list::End::kTail, item, lim);
              model.push_back(item);
            }
            break;
          }
          case 3: {
            if (n == 0) break;
            const std::size_t start = rng() % n;
            const std::size_t k = rng() % (n - start + 1) % 40;
            list::erase(w, start, k);
            model.erase(model.begin() + static_cast<std::ptrdiff_t>(start),
                        model.begin() + static_cast<std::ptrdiff_t>(start + k));
            break;
          }
          case 4: {
            if (n == 0) break;
            const std::size_t i = rng() % n;
            const std::string item = element(rng);
            list::set(w, i, item, lim);
            model[i] = item;
            break;
          }
          case 5: {
            const std::string pivot = element(rng);
            const std::string item = element(rng);
            const bool after = rng() % 2 == 0;
            auto it = std::find(model.begin(), model.end(), pivot);
            CHECK(list::insert(w, pivot, after, item, lim) == (it != model.end()));
            if (it != model.end()) model.insert(after ? it + 1 : it, item);
            break;
          }
          case 6: {
            const std::string item = element(rng);
            const std::int64_t count = static_cast<std::int64_t>(rng() % 5) - 2;
            std::size_t expect = 0;
            if (count >= 0) {
              const std::size_t limit = count == 0 ? model.size() : static_cast<std::size_t>(count);
              for (auto it = model.begin(); it != model.end() && expect < limit;) {
                if (*it == item) {
                  it = model.erase(it);
                  ++expect;
                } else {
                  ++it;
                }
              }
            } else {
              for (std::size_t i = model.size(); i-- > 0 && expect < static_cast<std::size_t>(-count);) {
                if (model[i] == item) {
                  model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
                  ++expect;
                }
              }
            }
            CHECK(list::remove(w, count, item) == expect);
            break;
          }
          default:
            break;
        }
      }  // the writer settles: memory accounted, an emptied list deleted
      if (step % 10 == 0) check_list(db, model, fill);
    }
    check_list(db, model, fill);
    db.erase("l");
    CHECK(MemoryUsage::dataset_bytes() == before);
  }
}

TEST_CASE("COPY clones a quicklist exactly", "[list]") {
  Fixture f;
  Db db = f.db();
  {
    Db::Writer w = db.write("l", ValueType::kList, Db::Create::kYes);
    for (int i = 0; i < 3000; ++i) list::push(w, list::End::kTail, "element-" + std::to_string(i), list::Limits{-2});
    REQUIRE(w.encoding() == Encoding::kObject);
  }
  REQUIRE(db.copy("l", "c", 0, false) == Db::CopyResult::kCopied);
  const Entry* a = db.read("l", ValueType::kList).entry;
  const Entry* b = db.read("c", ValueType::kList).entry;
  REQUIRE(b != nullptr);
  CHECK(forward(*a) == forward(*b));
  CHECK(b->heap_bytes() <= a->heap_bytes());
  // 3000 elements of ~13 bytes in 8 KiB nodes: under 3 bytes of overhead each.
  const std::size_t payload = 3000 * 12;
  CHECK(static_cast<const QuickList*>(b->object())->heap_bytes() < payload + 3 * 3000 + 1024);
}

TEST_CASE("nodes that lose most of their elements give their room back", "[list]") {
  Fixture f;
  Db db = f.db();
  Db::Writer w = db.write("l", ValueType::kList, Db::Create::kYes);
  for (int i = 0; i < 3000; ++i) list::push(w, list::End::kTail, "element-" + std::to_string(i), list::Limits{-2});
  REQUIRE(w.encoding() == Encoding::kObject);
  const auto& ql = static_cast<const QuickList&>(*w.entry().object());
  CHECK(ql.heap_bytes() > 3000 * 12);
  list::erase(w, 0, 2990);
  list::erase(w, 1, 8);  // within the last node
  CHECK(forward(w.entry()) == std::vector<std::string>{"element-2990", "element-2999"});
  CHECK(ql.nodes() == 1);
  CHECK(ql.node(0).cap < 512);
  CHECK(ql.heap_bytes() < 1024);
}
