#include "larder/storage/list_value.h"

#include <algorithm>
#include <memory>
#include <string>

namespace larder::storage::list {

namespace {

using list_pack::kHeader;

// Redis's SIZE_SAFETY_LIMIT and FILL_MAX.
constexpr std::size_t kSafetyLimit = 8192;
constexpr std::int64_t kFillMax = 1 << 15;

// The byte limit of a node under `fill` (a count limit: kSafetyLimit).
std::size_t byte_limit(std::int64_t fill) {
  if (fill >= 0) return kSafetyLimit;
  const std::int64_t level = std::min<std::int64_t>(-fill, 5);
  return std::size_t{4096} << (level - 1);
}

// True when a node must be split.
bool over(std::int64_t fill, std::size_t bytes, std::size_t count) {
  if (count <= 1) return false;
  if (kHeader + bytes > byte_limit(fill)) return true;
  return fill >= 0 && static_cast<std::int64_t>(count) > std::min(fill, kFillMax);
}

// Capacity of a node opened at an end of the list: its byte limit when it is
// one, so that it fills without reallocating.
std::size_t end_node_cap(std::int64_t fill) { return fill < 0 ? byte_limit(fill) - kHeader : 0; }

// Below this capacity a node keeps its room however empty it gets.
constexpr std::size_t kShrinkFloor = 512;

// One element encoded outside the list, so that it may view the list.
class Encoded {
 public:
  explicit Encoded(std::string_view item) {
    const std::size_t size = list_pack::encoded_size(item.size());
    char* p = small_;
    if (size > sizeof small_) {
      big_.resize(size);
      p = big_.data();
    }
    list_pack::encode(p, item);
    bytes_ = {p, size};
  }
  std::string_view bytes() const { return bytes_; }

 private:
  char small_[96];
  std::string big_;
  std::string_view bytes_;
};

// Splits node i in halves until no piece is over the limit.
void split_over(QuickList& ql, std::size_t i, std::int64_t fill) {
  const QuickList::Node& n = ql.node(i);
  if (!over(fill, n.end - n.begin, n.count)) return;
  const std::string_view region = n.region();
  const std::uint32_t count = n.count;
  const std::uint32_t half = count / 2;
  const std::size_t pos = list_pack::offset_of(region, count, half);
  ql.insert_node(i + 1, region.substr(pos), count - half);
  ql.splice(i, pos, region.size() - pos, {}, -static_cast<std::int64_t>(count - half));
  ql.shrink(i);
  split_over(ql, i + 1, fill);
  split_over(ql, i, fill);
}

// Makes an inline list a QuickList within the limits.
QuickList& convert(Db::Writer& w, std::int64_t fill) {
  auto ql = std::make_unique<QuickList>();
  const std::string_view run = w.bytes();
  ql->insert_node(0, list_pack::region(run), list_pack::count(run));
  split_over(*ql, 0, fill);
  QuickList& ref = *ql;
  w.set_object(std::move(ql));
  return ref;
}

// Edits of either encoding, segment by segment. Reads go through the entry
// (no change is marked); edits through the writer.
class Editor {
 public:
  explicit Editor(Db::Writer& w) : w_(w) {}

  Segment seg(std::size_t i) const { return segment(w_.entry(), i); }
  std::size_t segments() const { return list::segments(w_.entry()); }

  void splice(std::size_t i, std::size_t pos, std::size_t remove, std::string_view insert, std::int64_t delta) {
    if (w_.encoding() == Encoding::kObject) {
      static_cast<QuickList&>(w_.object()).splice(i, pos, remove, insert, delta);
      return;
    }
    const auto n = static_cast<std::int64_t>(list_pack::count(w_.bytes()));
    w_.buffer().splice(kHeader + pos, remove, insert);
    list_pack::set_count(w_.buffer().data(), static_cast<std::uint32_t>(n + delta));
  }
  // Drops node i when it is empty (an inline list stays); true when dropped.
  bool drop_if_empty(std::size_t i) {
    if (w_.encoding() != Encoding::kObject || seg(i).count != 0) return false;
    static_cast<QuickList&>(w_.object()).erase_node(i);
    return true;
  }
  // Gives a node that lost most of its bytes its room back.
  void trim_room(std::size_t i) {
    if (w_.encoding() != Encoding::kObject) return;
    const QuickList::Node& n = static_cast<const QuickList*>(w_.entry().object())->node(i);
    if (n.cap > kShrinkFloor && n.end - n.begin < n.cap / 4) static_cast<QuickList&>(w_.object()).shrink(i);
  }
  // Brings segment i back within the limits after it grew.
  void settle(std::size_t i, std::int64_t fill) {
    if (w_.encoding() == Encoding::kObject) {
      split_over(static_cast<QuickList&>(w_.object()), i, fill);
      return;
    }
    const Segment s = seg(i);
    if (over(fill, s.region.size(), s.count)) convert(w_, fill);
  }

 private:
  Db::Writer& w_;
};

// End offset of the element starting at `pos`.
std::size_t end_of(std::string_view region, std::size_t pos) {
  list_pack::read(region, pos);
  return pos;
}

}  // namespace

bool fits(std::int64_t fill, std::size_t bytes, std::size_t count, std::size_t add) {
  if (count == 0) return true;
  const std::size_t sz = kHeader + bytes + add;
  if (sz > byte_limit(fill)) return false;
  return fill < 0 || static_cast<std::int64_t>(count) < std::min(fill, kFillMax);
}

std::size_t size(const Entry& e) {
  if (e.encoding() == Encoding::kObject) return static_cast<const QuickList*>(e.object())->size();
  return list_pack::count(e.value());
}

std::size_t segments(const Entry& e) {
  if (e.encoding() == Encoding::kObject) return static_cast<const QuickList*>(e.object())->nodes();
  return 1;
}

Segment segment(const Entry& e, std::size_t i) {
  if (e.encoding() == Encoding::kObject) {
    const QuickList::Node& n = static_cast<const QuickList*>(e.object())->node(i);
    return {n.region(), n.count};
  }
  return {list_pack::region(e.value()), list_pack::count(e.value())};
}

Location locate(const Entry& e, std::size_t index) {
  if (e.encoding() != Encoding::kObject) return {0, index};
  const auto& ql = *static_cast<const QuickList*>(e.object());
  if (index < ql.size() / 2) {
    std::size_t i = 0;
    while (index >= ql.node(i).count) index -= ql.node(i++).count;
    return {i, index};
  }
  std::size_t from_tail = ql.size() - index;  // >= 1
  std::size_t i = ql.nodes() - 1;
  while (from_tail > ql.node(i).count) from_tail -= ql.node(i--).count;
  return {i, ql.node(i).count - from_tail};
}

std::string_view at(const Entry& e, std::size_t index) {
  const Location loc = locate(e, index);
  const Segment s = segment(e, loc.seg);
  std::size_t pos = list_pack::offset_of(s.region, s.count, loc.local);
  return list_pack::read(s.region, pos);
}

void push(Db::Writer& w, End end, std::string_view item, const Limits& limits) {
  const Encoded enc(item);
  const bool head = end == End::kHead;
  if (w.encoding() == Encoding::kInline) {
    const std::string_view run = w.bytes();
    const std::uint32_t n = list_pack::count(run);
    if (fits(limits.fill, run.size() - kHeader, n, enc.bytes().size())) {
      w.buffer().splice(head ? kHeader : run.size(), 0, enc.bytes());
      list_pack::set_count(w.buffer().data(), n + 1);
      return;
    }
    convert(w, limits.fill);
  }
  auto& ql = static_cast<QuickList&>(w.object());
  if (ql.nodes() > 0) {
    const std::size_t i = head ? 0 : ql.nodes() - 1;
    const QuickList::Node& n = ql.node(i);
    if (fits(limits.fill, n.end - n.begin, n.count, enc.bytes().size())) {
      ql.splice(i, head ? 0 : n.end - n.begin, 0, enc.bytes(), 1);
      return;
    }
    ql.shrink(i);  // full: it keeps no room
  }
  ql.insert_node(head ? 0 : ql.nodes(), enc.bytes(), 1, end_node_cap(limits.fill), head);
}

void erase(Db::Writer& w, std::size_t start, std::size_t n) {
  if (n == 0) return;
  Editor ed(w);
  Location at = locate(w.entry(), start);
  while (n > 0) {
    const Segment s = ed.seg(at.seg);
    const std::size_t k = std::min(n, s.count - at.local);
    const std::size_t from = list_pack::offset_of(s.region, s.count, at.local);
    const std::size_t to = list_pack::offset_of(s.region, s.count, at.local + k);
    ed.splice(at.seg, from, to - from, {}, -static_cast<std::int64_t>(k));
    if (!ed.drop_if_empty(at.seg)) ed.trim_room(at.seg++);
    at.local = 0;
    n -= k;
  }
}

void set(Db::Writer& w, std::size_t index, std::string_view item, const Limits& limits) {
  const Encoded enc(item);
  Editor ed(w);
  const Location loc = locate(w.entry(), index);
  const Segment s = ed.seg(loc.seg);
  const std::size_t pos = list_pack::offset_of(s.region, s.count, loc.local);
  ed.splice(loc.seg, pos, end_of(s.region, pos) - pos, enc.bytes(), 0);
  ed.settle(loc.seg, limits.fill);
}

bool insert(Db::Writer& w, std::string_view pivot, bool after, std::string_view item, const Limits& limits) {
  Editor ed(w);
  const std::size_t nseg = ed.segments();
  for (std::size_t i = 0; i < nseg; ++i) {
    const Segment s = ed.seg(i);
    std::size_t pos = 0;
    while (pos < s.region.size()) {
      const std::size_t start = pos;
      if (list_pack::read(s.region, pos) != pivot) continue;
      const Encoded enc(item);
      ed.splice(i, after ? pos : start, 0, enc.bytes(), 1);
      ed.settle(i, limits.fill);
      return true;
    }
  }
  return false;
}

std::size_t remove(Db::Writer& w, std::int64_t count, std::string_view item) {
  Editor ed(w);
  const bool forward = count >= 0;
  std::size_t left = count == 0  ? SIZE_MAX
                     : count < 0 ? static_cast<std::size_t>(-(count + 1)) + 1
                                 : static_cast<std::size_t>(count);
  std::size_t removed = 0;
  const std::size_t item_size = list_pack::encoded_size(item.size());
  if (forward) {
    for (std::size_t i = 0; i < ed.segments() && left > 0;) {
      std::size_t pos = 0;
      while (left > 0 && pos < ed.seg(i).region.size()) {
        const std::size_t start = pos;
        if (list_pack::read(ed.seg(i).region, pos) != item) continue;
        ed.splice(i, start, item_size, {}, -1);
        pos = start;
        ++removed;
        --left;
      }
      if (!ed.drop_if_empty(i)) ++i;
    }
    return removed;
  }
  for (std::size_t i = ed.segments(); i-- > 0 && left > 0;) {
    std::size_t pos = ed.seg(i).region.size();
    while (left > 0 && pos > 0) {
      if (list_pack::read_back(ed.seg(i).region, pos) != item) continue;
      ed.splice(i, pos, item_size, {}, -1);
      ++removed;
      --left;
    }
    ed.drop_if_empty(i);
  }
  return removed;
}

}  // namespace larder::storage::list
