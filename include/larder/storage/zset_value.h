#pragma once
// The sorted set type over its two encodings (Redis 7.0's t_zset.c zset*):
//   - inline in the entry, a packed list of member / score pairs sorted by
//     (score, member), the score as its 8 raw bytes (OBJECT ENCODING
//     "listpack"), while it has at most zset-max-listpack-entries members and
//     none is longer than zset-max-listpack-value bytes;
//   - a ScoreTree after that ("skiplist"), never converted back in place.
// Elements are addressed by rank (0-based, ascending). Reads take the entry;
// writes take the Db::Writer opened on it.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "larder/storage/db.h"
#include "larder/storage/packed_list.h"
#include "larder/storage/score_tree.h"

namespace larder::storage::zset {

struct Limits {
  std::uint64_t max_entries;  // zset-max-listpack-entries
  std::uint64_t max_value;    // zset-max-listpack-value
};

inline double read_score(std::string_view bytes) {
  double d = 0;
  std::memcpy(&d, bytes.data(), sizeof d);
  return d;
}
inline const ScoreTree& tree_of(const Entry& e) { return *static_cast<const ScoreTree*>(e.object()); }

std::size_t size(const Entry& e);
std::optional<double> score(const Entry& e, std::string_view member);
// Ascending rank of `member`, or nullopt.
std::optional<std::size_t> rank(const Entry& e, std::string_view member);

// How many elements satisfy before(score, member), a predicate true for a
// prefix of the order.
template <class Before>
std::size_t count_before(const Entry& e, Before&& before) {
  if (e.encoding() == Encoding::kObject) return tree_of(e).count_before(before);
  const std::string_view run = e.value();
  std::size_t pos = packed_list::kHeader;
  std::size_t n = 0;
  while (pos < run.size()) {
    const std::string_view m = packed_list::read(run, pos);
    const double s = read_score(packed_list::read(run, pos));
    if (!before(s, m)) break;
    ++n;
  }
  return n;
}

// Calls f(score, member) from rank `from` on, ascending or (reverse)
// descending, while it returns true. Views are valid until the set changes.
template <class F>
void visit(const Entry& e, std::size_t from, bool reverse, F&& f) {
  if (e.encoding() == Encoding::kObject) {
    tree_of(e).visit(from, reverse, f);
    return;
  }
  const std::string_view run = e.value();
  const std::size_t n = packed_list::count(run) / 2;
  if (from >= n) return;
  if (!reverse) {
    std::size_t pos = packed_list::offset_of(run, 2 * from);
    while (pos < run.size()) {
      const std::string_view m = packed_list::read(run, pos);
      if (!f(read_score(packed_list::read(run, pos)), m)) return;
    }
    return;
  }
  std::vector<std::size_t> at;
  at.reserve(from + 1);
  std::size_t pos = packed_list::kHeader;
  for (std::size_t i = 0; i <= from; ++i) {
    at.push_back(pos);
    packed_list::read(run, pos);
    packed_list::read(run, pos);
  }
  for (std::size_t i = at.size(); i-- > 0;) {
    pos = at[i];
    const std::string_view m = packed_list::read(run, pos);
    if (!f(read_score(packed_list::read(run, pos)), m)) return;
  }
}

// Calls f(score, member) ascending from the first element for which
// before(score, member), a predicate true for a prefix of the order, is
// false, while f returns true. Views are valid until the set changes.
template <class Before, class F>
void visit_from(const Entry& e, Before&& before, F&& f) {
  if (e.encoding() == Encoding::kObject) {
    tree_of(e).visit_from(before, f);
    return;
  }
  const std::string_view run = e.value();
  std::size_t pos = packed_list::kHeader;
  bool skipping = true;
  while (pos < run.size()) {
    const std::string_view m = packed_list::read(run, pos);
    const double s = read_score(packed_list::read(run, pos));
    if (skipping && before(s, m)) continue;
    skipping = false;
    if (!f(s, m)) return;
  }
}

// Calls f(score, member) for every element, ascending.
template <class F>
void for_each(const Entry& e, F&& f) {
  visit(e, 0, false, [&](double s, std::string_view m) {
    f(s, m);
    return true;
  });
}

// Converts a set that write() just created to the big encoding as Redis
// 7.0's ZADD creates it: when zset-max-listpack-entries is 0 or the first
// member to add (`first_len` bytes) is longer than zset-max-listpack-value.
void prepare_new(Db::Writer& w, std::size_t first_len, const Limits& limits);

// ZADD's flags (Redis's ZADD_IN_* and ZADD_OUT_*).
inline constexpr int kIncr = 1, kNx = 2, kXx = 4, kGt = 8, kLt = 16;
inline constexpr int kOutNop = 1, kOutNan = 2, kOutAdded = 4, kOutUpdated = 8;
// Redis's zsetAdd: adds or updates `member` as the input flags say; returns
// the output flags and sets *new_score when the member was added or updated
// (with kIncr: its resulting score). Converts to a ScoreTree past the limits.
int add(Db::Writer& w, double score, std::string_view member, int flags, double* new_score,
        const Limits& limits);
// False when `member` was absent.
bool remove(Db::Writer& w, std::string_view member);
// Removes the elements of ranks [start, end] (start <= end < size).
void remove_ranks(Db::Writer& w, std::size_t start, std::size_t end);

// A sorted set built outside the keyspace (the STORE commands' results):
// distinct members added in any order.
class Builder {
 public:
  void add(double score, std::string_view member) { items_.emplace_back(score, std::string(member)); }
  void reserve(std::size_t n) { items_.reserve(n); }
  std::size_t size() const { return items_.size(); }
  // Stores the set (size() > 0) under `key`, replacing any value and TTL,
  // inline when it fits the limits (Redis's zsetConvertToListpackIfNeeded).
  void store(Db& db, std::string_view key, const Limits& limits);

 private:
  std::vector<std::pair<double, std::string>> items_;
};

}  // namespace larder::storage::zset
