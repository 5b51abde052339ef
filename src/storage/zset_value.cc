#include "larder/storage/zset_value.h"

#include <algorithm>
#include <cmath>

#include "larder/util/varint.h"

namespace larder::storage::zset {

namespace {

std::string_view score_bytes(const double& d) { return {reinterpret_cast<const char*>(&d), sizeof d}; }

ScoreTree& tree_of(Db::Writer& w) { return static_cast<ScoreTree&>(w.object()); }

void convert(Db::Writer& w) {
  auto tree = std::make_unique<ScoreTree>();
  for_each(w.entry(), [&](double s, std::string_view m) { tree->insert(s, m); });
  w.set_object(std::move(tree));
}

// Offset of the pair of `member` in an inline set, or npos.
std::size_t find_inline(std::string_view run, std::string_view member) {
  return packed_list::find(run, member, 2);
}

// Inserts a pair (member absent) at its place in an inline set. A listpack
// keeps -0 as the integer 0, so the inline encoding stores +0.
void insert_inline(Db::Writer& w, double score, std::string_view member) {
  if (score == 0) score = 0.0;
  const std::string_view run = w.bytes();
  std::size_t pos = packed_list::kHeader;
  while (pos < run.size()) {
    const std::size_t at = pos;
    const std::string_view m = packed_list::read(run, pos);
    if (zset_compare(read_score(packed_list::read(run, pos)), m, score, member) > 0) {
      pos = at;
      break;
    }
  }
  packed_list::insert(w.buffer(), pos, {member, score_bytes(score)});
}

}  // namespace

std::size_t size(const Entry& e) {
  if (e.encoding() == Encoding::kObject) return tree_of(e).size();
  return packed_list::count(e.value()) / 2;
}

std::optional<double> score(const Entry& e, std::string_view member) {
  if (e.encoding() == Encoding::kObject) return tree_of(e).score(member);
  const std::string_view run = e.value();
  std::size_t pos = find_inline(run, member);
  if (pos == packed_list::npos) return std::nullopt;
  packed_list::read(run, pos);
  return read_score(packed_list::read(run, pos));
}

std::optional<std::size_t> rank(const Entry& e, std::string_view member) {
  if (e.encoding() == Encoding::kObject) {
    const auto s = tree_of(e).score(member);
    if (!s) return std::nullopt;
    return tree_of(e).rank(*s, member);
  }
  const std::string_view run = e.value();
  std::size_t pos = packed_list::kHeader;
  for (std::size_t r = 0; pos < run.size(); ++r) {
    const std::string_view m = packed_list::read(run, pos);
    packed_list::read(run, pos);
    if (m == member) return r;
  }
  return std::nullopt;
}

void prepare_new(Db::Writer& w, std::size_t first_len, const Limits& limits) {
  if (!w.created() || w.encoding() != Encoding::kInline) return;
  if (limits.max_entries == 0 || first_len > limits.max_value) {
    w.set_object(std::make_unique<ScoreTree>());
  }
}

int add(Db::Writer& w, double score, std::string_view member, int flags, double* new_score,
        const Limits& limits) {
  const bool incr = (flags & kIncr) != 0;
  const bool nx = (flags & kNx) != 0;
  const bool xx = (flags & kXx) != 0;
  const bool gt = (flags & kGt) != 0;
  const bool lt = (flags & kLt) != 0;
  if (std::isnan(score)) return kOutNan;

  const std::optional<double> current = zset::score(w.entry(), member);
  if (current) {
    if (nx) return kOutNop;
    if (incr) {
      score += *current;
      if (std::isnan(score)) return kOutNan;
    }
    if ((lt && score >= *current) || (gt && score <= *current)) return kOutNop;
    if (new_score != nullptr) *new_score = score;
    if (score == *current) return 0;  // processed, unchanged
    if (w.encoding() == Encoding::kObject) {
      tree_of(w).update(member, *current, score);
    } else {
      std::size_t pos = find_inline(w.bytes(), member);
      packed_list::erase(w.buffer(), pos, 2);
      insert_inline(w, score, member);
    }
    return kOutUpdated;
  }
  if (xx) return kOutNop;
  if (w.encoding() == Encoding::kInline) {
    if (size(w.entry()) + 1 > limits.max_entries || member.size() > limits.max_value) {
      convert(w);
    } else {
      insert_inline(w, score, member);
    }
  }
  if (w.encoding() == Encoding::kObject) tree_of(w).insert(score, member);
  if (new_score != nullptr) *new_score = score;
  return kOutAdded;
}

bool remove(Db::Writer& w, std::string_view member) {
  if (w.encoding() == Encoding::kObject) {
    if (!tree_of(w.entry()).score(member)) return false;  // a miss leaves WATCH alone
    return tree_of(w).erase(member);
  }
  const std::size_t pos = find_inline(w.bytes(), member);
  if (pos == packed_list::npos) return false;
  packed_list::erase(w.buffer(), pos, 2);
  return true;
}

void remove_ranks(Db::Writer& w, std::size_t start, std::size_t end) {
  if (w.encoding() == Encoding::kInline) {
    const std::size_t pos = packed_list::offset_of(w.bytes(), 2 * start);
    packed_list::erase(w.buffer(), pos, 2 * (end - start + 1));
    return;
  }
  // Copies first: erasing moves the bytes the views point to.
  std::vector<std::string> doomed;
  doomed.reserve(end - start + 1);
  tree_of(w.entry()).visit(start, false, [&](double, std::string_view m) {
    doomed.emplace_back(m);
    return doomed.size() < end - start + 1;
  });
  ScoreTree& tree = tree_of(w);
  for (const std::string& m : doomed) tree.erase(m);
}

void Builder::store(Db& db, std::string_view key, const Limits& limits) {
  std::sort(items_.begin(), items_.end(), [](const auto& a, const auto& b) {
    return zset_compare(a.first, a.second, b.first, b.second) < 0;
  });
  std::size_t max_len = 0;
  for (const auto& [s, m] : items_) max_len = std::max(max_len, m.size());
  if (items_.size() <= limits.max_entries && max_len <= limits.max_value) {
    std::string bytes(packed_list::kHeader, '\0');
    const auto n = static_cast<std::uint32_t>(2 * items_.size());
    for (int i = 0; i < 4; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>(n >> (8 * i));
    char len[10];
    for (auto& [s, m] : items_) {
      if (s == 0) s = 0.0;  // as insert_inline
      bytes.append(len, static_cast<std::size_t>(util::put_varint(len, m.size()) - len));
      bytes.append(m);
      bytes.append(len, static_cast<std::size_t>(util::put_varint(len, sizeof(double)) - len));
      bytes.append(score_bytes(s));
    }
    db.store(key, ValueType::kZset, bytes);
    return;
  }
  auto tree = std::make_unique<ScoreTree>();
  for (const auto& [s, m] : items_) tree->insert(s, m);
  db.store(key, ValueType::kZset, std::move(tree));
}

}  // namespace larder::storage::zset
