#include "larder/storage/packed_dict.h"

#include "larder/util/memory.h"
#include "larder/util/slab_heap.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

using larder::storage::PackedDict;
using Kind = PackedDict::Kind;

namespace {
const std::size_t kEmptyHeap = larder::util::malloc_cost(sizeof(PackedDict));

std::map<std::string, std::string> contents(const PackedDict& d) {
  std::map<std::string, std::string> out;
  d.for_each([&](std::string_view k, std::string_view v) { CHECK(out.emplace(k, v).second); });
  CHECK(out.size() == d.size());
  return out;
}

std::string key(std::size_t i) { return "key:" + std::to_string(i); }
// Values of varied lengths; `pad` lengthens them.
std::string value(std::size_t i, std::size_t pad = 0) {
  return std::string(i % 7 + pad, 'v') + std::to_string(i);
}
}  // namespace

TEST_CASE("an empty dict holds nothing but itself", "[packed_dict]") {
  for (Kind kind : {Kind::kSet, Kind::kHash}) {
    PackedDict d(kind);
    CHECK(d.kind() == kind);
    CHECK(d.size() == 0);
    CHECK(d.heap_bytes() == kEmptyHeap);
    CHECK_FALSE(d.contains(""));
    CHECK_FALSE(d.find("x").has_value());
    CHECK_FALSE(d.erase("x"));
    int visits = 0;
    d.for_each([&](std::string_view, std::string_view) { ++visits; });
    CHECK(d.scan(0, [&](std::string_view, std::string_view) { ++visits; }) == 0);
    CHECK(visits == 0);
    const auto copy = d.clone();
    CHECK(copy->heap_bytes() == kEmptyHeap);
  }
}

TEST_CASE("a set keeps members without values", "[packed_dict]") {
  PackedDict s(Kind::kSet);
  CHECK(s.insert("a"));
  CHECK(s.insert("b", "ignored"));
  CHECK_FALSE(s.insert("a", "ignored"));
  CHECK(s.size() == 2);
  CHECK(s.find("b") == std::string_view{});
  CHECK(contents(s) == std::map<std::string, std::string>{{"a", ""}, {"b", ""}});

  PackedDict same(Kind::kSet);
  same.insert("a");
  same.insert("b");
  CHECK(s.heap_bytes() == same.heap_bytes());
}

TEST_CASE("a hash keeps values and overwrites them in place", "[packed_dict]") {
  PackedDict h(Kind::kHash);
  CHECK(h.insert("f1", "v1"));
  CHECK(h.insert("f2", "v2"));
  CHECK(h.insert("f3", "v3"));
  CHECK(*h.find("f2") == "v2");
  // Three fields share at most four buckets: neighbours must survive every
  // change of size, across the one- and two-byte length limits.
  for (std::size_t len : {0, 2, 127, 128, 16383, 16384, 1, 200000, 5}) {
    CAPTURE(len);
    const std::string v(len, 'x');
    CHECK_FALSE(h.insert("f2", v));
    CHECK(h.size() == 3);
    CHECK(*h.find("f2") == v);
    CHECK(*h.find("f1") == "v1");
    CHECK(*h.find("f3") == "v3");
  }
  CHECK(h.erase("f2"));
  CHECK_FALSE(h.contains("f2"));
  CHECK(contents(h) == std::map<std::string, std::string>{{"f1", "v1"}, {"f3", "v3"}});
}

TEST_CASE("packed dict keys and values are binary safe", "[packed_dict]") {
  PackedDict h(Kind::kHash);
  const std::string a("\0a\0", 3);
  const std::string b("\0a", 2);
  const std::string v("\0\xff\x80", 3);
  CHECK(h.insert(a, v));
  CHECK(h.insert(b, ""));
  CHECK(h.insert("", b));
  CHECK(*h.find(a) == v);
  CHECK(*h.find(b) == "");
  CHECK(*h.find("") == b);
  CHECK_FALSE(h.contains(std::string("\0", 1)));
  CHECK(h.erase(""));
  CHECK(contents(h) == std::map<std::string, std::string>{{a, v}, {b, ""}});
}

TEST_CASE("keys of every length that differ in one byte are told apart", "[packed_dict]") {
  PackedDict h(Kind::kHash);
  auto variant = [](std::size_t len, std::size_t at, char c) {
    std::string k(len, 'x');
    if (len > 0) k[at] = c;
    return k;
  };
  std::map<std::string, std::string> model;
  for (std::size_t len = 0; len <= 40; ++len) {
    for (std::size_t at : {std::size_t{0}, len / 2, len == 0 ? 0 : len - 1}) {
      const std::string k = variant(len, at, 'y');
      model[k] = std::to_string(len) + "/" + std::to_string(at);
      h.insert(k, model[k]);
    }
    model[std::string(len, 'x')] = "plain";
    h.insert(std::string(len, 'x'), "plain");
  }
  CHECK(contents(h) == model);
  for (const auto& [k, v] : model) CHECK(*h.find(k) == v);
  for (std::size_t len = 1; len <= 40; ++len) {
    for (std::size_t at : {std::size_t{0}, len / 2, len - 1}) CHECK_FALSE(h.contains(variant(len, at, 'z')));
  }
}

TEST_CASE("100k elements: insert, overwrite, erase all", "[packed_dict]") {
  constexpr std::size_t n = 100000;
  for (Kind kind : {Kind::kSet, Kind::kHash}) {
    PackedDict d(kind);
    std::size_t payload = 0;
    for (std::size_t i = 0; i < n; ++i) {
      REQUIRE(d.insert(key(i), value(i)));
      payload += key(i).size() + 1 + (kind == Kind::kHash ? value(i).size() + 1 : 0);
    }
    CHECK(d.size() == n);
    CHECK(d.heap_bytes() > kEmptyHeap + payload);
    CHECK(d.heap_bytes() < kEmptyHeap + payload * 2);
    for (std::size_t i = 0; i < n; ++i) {
      const auto found = d.find(key(i));
      REQUIRE(found.has_value());
      CHECK(*found == (kind == Kind::kHash ? value(i) : ""));
    }
    CHECK_FALSE(d.contains(key(n)));

    for (std::size_t i = 0; i < n; ++i) REQUIRE_FALSE(d.insert(key(i), value(i, 130)));
    CHECK(d.size() == n);
    if (kind == Kind::kHash) {
      for (std::size_t i = 0; i < n; i += 97) CHECK(*d.find(key(i)) == value(i, 130));
    }

    for (std::size_t i = 0; i < n; i += 2) REQUIRE(d.erase(key(i)));
    CHECK(d.size() == n / 2);
    for (std::size_t i = 0; i < n; ++i) REQUIRE(d.contains(key(i)) == (i % 2 == 1));
    for (std::size_t i = 0; i < n; ++i) REQUIRE(d.erase(key(i)) == (i % 2 == 1));
    CHECK(d.size() == 0);
    CHECK(d.heap_bytes() == kEmptyHeap);
    CHECK(contents(d).empty());
  }
}

TEST_CASE("a full scan without changes returns each element once", "[packed_dict]") {
  PackedDict d(Kind::kHash);
  for (std::size_t i = 0; i < 5000; ++i) d.insert(key(i), value(i));
  std::map<std::string, int> seen;
  std::uint64_t cursor = 0;
  do {
    cursor = d.scan(cursor, [&](std::string_view k, std::string_view v) {
      ++seen[std::string(k)];
      CHECK(*d.find(k) == v);
    });
  } while (cursor != 0);
  CHECK(seen.size() == 5000);
  for (const auto& [k, times] : seen) CHECK(times == 1);
}

TEST_CASE("scan while the dict only grows returns each old element once", "[packed_dict]") {
  PackedDict d(Kind::kSet);
  for (std::size_t i = 0; i < 1000; ++i) d.insert(key(i));
  std::map<std::string, int> seen;
  std::size_t next = 1000;
  std::uint64_t cursor = 0;
  do {
    cursor = d.scan(cursor, [&](std::string_view k, std::string_view) { ++seen[std::string(k)]; });
    for (int j = 0; j < 40 && next < 10000; ++j) d.insert(key(next++));
  } while (cursor != 0);
  CHECK(d.size() == 10000);  // grew at least three times during the iteration
  for (std::size_t i = 0; i < 1000; ++i) CHECK(seen[key(i)] == 1);
}

TEST_CASE("scan returns every element present throughout, across grows and shrinks", "[packed_dict]") {
  int grow_turns = 0;
  int shrink_turns = 0;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    PackedDict d(Kind::kSet);
    std::vector<std::string> live;  // the model, in no order
    std::set<std::string> ever;
    std::size_t next = 0;
    const std::size_t initial = 100 + rng() % 2000;
    for (; next < initial; ++next) {
      d.insert(key(next));
      live.push_back(key(next));
    }
    std::set<std::string> stable(live.begin(), live.end());
    ever = stable;
    std::set<std::string> seen;
    bool growing = rng() % 2 == 0;
    std::uint64_t cursor = 0;
    do {
      cursor = d.scan(cursor, [&](std::string_view k, std::string_view) {
        CHECK(ever.count(std::string(k)) == 1);
        seen.emplace(k);
      });
      // Swing between 8x and 1/8 of the initial size: several resizes both ways.
      if (growing && live.size() > initial * 8) {
        growing = false;
        ++shrink_turns;
      } else if (!growing && live.size() < initial / 8) {
        growing = true;
        ++grow_turns;
      }
      const std::size_t steps = rng() % 64;
      for (std::size_t j = 0; j < steps; ++j) {
        if (growing || live.empty()) {
          d.insert(key(next));
          live.push_back(key(next));
          ever.insert(key(next));
          ++next;
        } else {
          const std::size_t at = rng() % live.size();
          REQUIRE(d.erase(live[at]));
          stable.erase(live[at]);
          live[at] = live.back();
          live.pop_back();
        }
      }
      REQUIRE(d.size() == live.size());
    } while (cursor != 0);
    for (const std::string& k : stable) CHECK(seen.count(k) == 1);
  }
  CHECK(grow_turns > 0);
  CHECK(shrink_turns > 0);
}

TEST_CASE("random returns members, all of them in time", "[packed_dict]") {
  std::mt19937_64 rng(42);
  PackedDict h(Kind::kHash);
  for (std::size_t i = 0; i < 10; ++i) h.insert(key(i), value(i));
  std::set<std::string> drawn;
  for (int i = 0; i < 2000; ++i) {
    const auto [k, v] = h.random(rng);
    REQUIRE(h.find(k).has_value());
    CHECK(*h.find(k) == v);
    drawn.emplace(k);
  }
  CHECK(drawn.size() == 10);

  PackedDict s(Kind::kSet);
  for (std::size_t i = 0; i < 10000; ++i) s.insert(key(i));
  for (std::size_t i = 0; i < 9990; ++i) s.erase(key(i));  // sparse before it shrinks
  for (int i = 0; i < 200; ++i) {
    const auto [k, v] = s.random(rng);
    CHECK(s.contains(k));
    CHECK(v.empty());
  }
}

TEST_CASE("clone copies deeply", "[packed_dict]") {
  PackedDict h(Kind::kHash);
  for (std::size_t i = 0; i < 1000; ++i) h.insert(key(i), value(i));
  const std::unique_ptr<larder::storage::ValueObject> object = h.clone();
  auto& copy = dynamic_cast<PackedDict&>(*object);
  CHECK(copy.kind() == Kind::kHash);
  CHECK(copy.size() == h.size());
  CHECK(copy.heap_bytes() == h.heap_bytes());
  CHECK(contents(copy) == contents(h));
  copy.insert(key(0), "changed");
  copy.erase(key(1));
  CHECK(*h.find(key(0)) == value(0));
  CHECK(h.contains(key(1)));
  for (std::size_t i = 0; i < 1000; ++i) copy.erase(key(i));
  CHECK(copy.heap_bytes() == kEmptyHeap);
  CHECK(h.size() == 1000);
}

TEST_CASE("reserve makes room up front", "[packed_dict]") {
  PackedDict s(Kind::kSet);
  s.reserve(10000);
  const std::size_t reserved = s.heap_bytes();
  CHECK(reserved > kEmptyHeap);
  for (std::size_t i = 0; i < 10000; ++i) s.insert(key(i));
  s.reserve(10);  // never shrinks
  CHECK(s.size() == 10000);
  for (std::size_t i = 0; i < 10000; ++i) REQUIRE(s.contains(key(i)));
  s.reserve(50000);
  for (std::size_t i = 0; i < 10000; ++i) REQUIRE(s.contains(key(i)));
  for (std::size_t i = 0; i < 10000; ++i) s.erase(key(i));
  CHECK(s.heap_bytes() == kEmptyHeap);
}

namespace {
// Every element of `model` is found with its value, and nothing else is there.
void check_holds(const PackedDict& d, const std::map<std::string, std::string>& model) {
  REQUIRE(d.size() == model.size());
  for (const auto& [k, v] : model) {
    const auto found = d.find(k);
    REQUIRE(found.has_value());
    REQUIRE(*found == v);
  }
  CHECK(contents(d) == model);
  std::set<std::string> scanned;
  std::uint64_t cursor = 0;
  do {
    cursor = d.scan(cursor, [&](std::string_view k, std::string_view) { CHECK(scanned.emplace(k).second); });
  } while (cursor != 0);
  CHECK(scanned.size() == model.size());
  const auto copy = d.clone();
  CHECK(copy->heap_bytes() == d.heap_bytes());
  CHECK(contents(dynamic_cast<const PackedDict&>(*copy)) == model);
}
}  // namespace

TEST_CASE("a resize moves a few buckets per change, and the dict stays whole meanwhile", "[packed_dict]") {
  PackedDict d(Kind::kHash);
  std::map<std::string, std::string> model;
  std::size_t next = 0;
  auto add = [&] {
    model[key(next)] = value(next);
    REQUIRE(d.insert(key(next), value(next)));
    ++next;
  };
  // Grows from 4 buckets while inserting; find the grow to 8192 buckets,
  // which starts at the insert past 6 * 4096 elements.
  while (next < 6 * 4096) {
    add();
    if (d.size() > 6 * 2048 + 2048 / 4 + 1) REQUIRE_FALSE(d.resizing());
  }
  add();
  REQUIRE(d.resizing());
  check_holds(d, model);
  // A quarter as many changes as the old array's 4096 buckets finish it.
  // Overwrites and erases of absent keys change nothing and move nothing.
  std::size_t changes = 0;
  std::size_t calls = 0;
  std::mt19937_64 rng(7);
  while (d.resizing()) {
    ++calls;
    if (calls % 3 == 0) {
      const std::string k = key(rng() % (next + 50));
      const bool erased = d.erase(k);
      CHECK(erased == (model.erase(k) == 1));
      if (erased) ++changes;
    } else if (calls % 7 == 0) {
      CHECK_FALSE(d.insert(model.begin()->first, "overwritten"));
      model.begin()->second = "overwritten";
    } else {
      add();
      ++changes;
    }
    const auto [k, v] = d.random(rng);
    REQUIRE(model.count(std::string(k)) == 1);
    CHECK(model[std::string(k)] == v);
    if (calls == 300) check_holds(d, model);
  }
  CHECK(changes == 4096 / 4);
  check_holds(d, model);

  // Erasing below half of the 8192 buckets starts a halving, as gradual.
  const std::size_t at_start = 8192 / 2 - 1;
  while (!d.resizing()) {
    const std::string k = model.begin()->first;
    model.erase(model.begin());
    REQUIRE(d.erase(k));
  }
  CHECK(d.size() == at_start);
  check_holds(d, model);
  changes = 0;
  while (d.resizing()) {
    ++changes;
    if (changes % 2 == 0) {
      add();
    } else {
      const std::string k = model.begin()->first;
      model.erase(model.begin());
      REQUIRE(d.erase(k));
    }
    if (changes == 200) check_holds(d, model);
  }
  CHECK(changes == 4096 / 4);
  check_holds(d, model);

  // Emptied mid-resize, it holds nothing but itself.
  while (!d.resizing()) {
    const std::string k = model.begin()->first;
    model.erase(model.begin());
    REQUIRE(d.erase(k));
  }
  for (const auto& [k, v] : model) REQUIRE(d.erase(k));
  CHECK(d.size() == 0);
  CHECK(d.heap_bytes() == kEmptyHeap);
}

TEST_CASE("reserve finishes a resize under way", "[packed_dict]") {
  PackedDict s(Kind::kSet);
  std::size_t n = 0;
  while (!s.resizing()) s.insert(key(n++));
  s.reserve(n + 100000);
  CHECK_FALSE(s.resizing());
  const std::size_t reserved = s.heap_bytes();
  for (std::size_t i = n; i < n + 100000; ++i) s.insert(key(i));
  CHECK_FALSE(s.resizing());
  for (std::size_t i = 0; i < n + 100000; ++i) REQUIRE(s.contains(key(i)));
  CHECK(s.heap_bytes() > reserved);
}

TEST_CASE("a dict's blocks are slab_heap slots, and all of them go back", "[packed_dict]") {
  const std::size_t used_before = larder::util::slab_heap::used_bytes();
  {
    PackedDict s(Kind::kSet);
    for (std::size_t i = 0; i < 10000; ++i) REQUIRE(s.insert(key(i)));
    s.reserve(s.size());  // no resize under way: one bucket array
    // What is not in slots is that array, of a power of two of pointers.
    const std::size_t rest = s.heap_bytes() - kEmptyHeap - (larder::util::slab_heap::used_bytes() - used_before);
    bool one_array = false;
    for (std::size_t buckets = 4; buckets <= 65536; buckets *= 2) {
      one_array = one_array || rest == larder::util::malloc_cost(buckets * sizeof(void*));
    }
    CHECK(one_array);
  }
  CHECK(larder::util::slab_heap::used_bytes() == used_before);
}

TEST_CASE("a block moves between the slab heap and malloc as it crosses the slab limit", "[packed_dict]") {
  const std::size_t used_before = larder::util::slab_heap::used_bytes();
  PackedDict h(Kind::kHash);
  REQUIRE(h.insert("k", "small"));
  const std::size_t small_heap = h.heap_bytes();
  const std::size_t small_used = larder::util::slab_heap::used_bytes();
  CHECK(small_used > used_before);
  const std::string big(2000, 'b');
  REQUIRE_FALSE(h.insert("k", big));
  CHECK(*h.find("k") == big);
  CHECK(larder::util::slab_heap::used_bytes() == used_before);  // the block is malloc's now
  REQUIRE_FALSE(h.insert("k", "small"));
  CHECK(*h.find("k") == "small");
  CHECK(h.heap_bytes() == small_heap);
  CHECK(larder::util::slab_heap::used_bytes() == small_used);
  REQUIRE(h.erase("k"));
  CHECK(h.heap_bytes() == kEmptyHeap);
  CHECK(larder::util::slab_heap::used_bytes() == used_before);
}

// In a child process under an address-space limit, with the slab heap's
// 24-byte class exhausted, shrinking blocks into that class cannot move
// them: the dict keeps each where it is, its bytes intact, and frees them
// to the right allocator later. The child's exit status says which check
// failed (Catch2 does not run there).
TEST_CASE("a shrink that cannot move its block keeps it where it is", "[packed_dict][glibc-malloc]") {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    namespace slab = larder::util::slab_heap;
    const std::size_t used_before = slab::used_bytes();
    PackedDict from_malloc(Kind::kHash);
    PackedDict from_slab(Kind::kHash);
    from_malloc.insert("k", std::string(2000, 'm'));  // a malloc'd block
    from_slab.insert("k", std::string(500, 's'));     // a 512-byte slot
    std::vector<void*> held;
    held.reserve(4 << 20);
    long pages = 0;
    if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
      std::fclose(f);
    }
    const rlimit limit{static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)), RLIM_INFINITY};
    if (pages == 0 || setrlimit(RLIMIT_AS, &limit) != 0) _exit(10);
    try {
      while (held.size() < held.capacity()) held.push_back(slab::allocate(17));
      _exit(11);  // never ran out
    } catch (const std::bad_alloc&) {
    }
    const std::string small = "0123456789";  // "k" and this: a 17-byte block
    if (from_malloc.insert("k", small) || *from_malloc.find("k") != small) _exit(12);
    if (from_slab.insert("k", small) || *from_slab.find("k") != small) _exit(13);
    for (void* p : held) slab::deallocate(p, 17);
    held.clear();
    {
      // A copy's blocks are slab blocks, whatever the original's are.
      const std::size_t used = slab::used_bytes();
      auto copy = from_malloc.clone();
      if (*static_cast<PackedDict&>(*copy).find("k") != small || slab::used_bytes() != used + 24) _exit(19);
      copy.reset();
      if (slab::used_bytes() != used) _exit(20);
    }
    const std::string longer(100, 'l');  // both blocks move again
    if (from_malloc.insert("k", longer) || *from_malloc.find("k") != longer) _exit(14);
    if (from_slab.insert("k", longer) || *from_slab.find("k") != longer) _exit(15);
    if (!from_malloc.erase("k") || !from_slab.erase("k")) _exit(16);
    if (from_malloc.heap_bytes() != kEmptyHeap || from_slab.heap_bytes() != kEmptyHeap) _exit(17);
    if (slab::used_bytes() != used_before) _exit(18);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("defragment packs a dict's blocks into fewer slabs a few buckets at a time", "[packed_dict]") {
  namespace slab = larder::util::slab_heap;
  // Two dicts grown together share their slabs; dropping one leaves them
  // about half full.
  PackedDict kept(Kind::kHash);
  auto dropped = std::make_unique<PackedDict>(Kind::kHash);
  for (std::size_t i = 0; i < 200000; ++i) {
    REQUIRE(kept.insert(key(i), value(i)));
    REQUIRE(dropped->insert(key(i), value(i)));
  }
  const auto model = contents(kept);
  const std::size_t heap = kept.heap_bytes();
  dropped.reset();
  const std::size_t free_before = slab::free_slot_bytes();
  std::size_t moved = 0;
  std::uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = kept.defragment(cursor, 64, moved);
    ++calls;
  } while (cursor != 0);
  CHECK(calls > 1);
  CHECK(moved > 0);
  CHECK(slab::free_slot_bytes() < free_before / 2);
  CHECK(contents(kept) == model);
  CHECK(kept.heap_bytes() == heap);
  // Mid-resize, both arrays' blocks are walked.
  for (std::size_t i = 200000; !kept.resizing(); ++i) REQUIRE(kept.insert(key(i), value(i)));
  const auto grown = contents(kept);
  std::size_t steps = 0;
  cursor = 0;
  do {
    cursor = kept.defragment(cursor, 1, moved);
    ++steps;
  } while (cursor != 0);
  CHECK(steps > kept.size() / 4);  // the old array has about size / 6 buckets, the new one twice that
  CHECK(contents(kept) == grown);
}
