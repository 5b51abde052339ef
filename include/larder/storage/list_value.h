#pragma once
// The list type over its two encodings (OBJECT ENCODING "quicklist" for both,
// as Redis 7.0):
//   - inline in the entry, [u32 count] + a list_pack region, while the list
//     fits one node under list-max-listpack-size;
//   - a QuickList of such regions after that (never converted back).
// Node limits follow Redis's quicklist fill: fill < 0 bounds a node's bytes
// (-1: 4 KiB ... -5: 64 KiB), fill >= 0 its elements (at most 8 KiB of them).
// Indexes are 0-based from the head and in range unless stated. Reads take
// the entry; writes take the Db::Writer opened on it.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "larder/storage/db.h"
#include "larder/storage/list_pack.h"
#include "larder/storage/quick_list.h"

namespace larder::storage::list {

struct Limits {
  std::int64_t fill;  // list-max-listpack-size
};

enum class End { kHead, kTail };

std::size_t size(const Entry& e);

// True when a node of `bytes` region bytes and `count` elements may take one
// more element of `add` encoded bytes under `fill` (Redis's
// _quicklistNodeAllowInsert); lists built outside the keyspace split by it.
bool fits(std::int64_t fill, std::size_t bytes, std::size_t count, std::size_t add);

// The pieces of a list in order: one for an inline list, a QuickList's nodes.
struct Segment {
  std::string_view region;
  std::size_t count;
};
std::size_t segments(const Entry& e);
Segment segment(const Entry& e, std::size_t i);
// The segment holding element `index` and the index within it.
struct Location {
  std::size_t seg, local;
};
Location locate(const Entry& e, std::size_t index);

// Calls visit(item) on the elements from `start` on, toward the tail when
// `forward`, else toward the head, until visit returns false or the list ends.
template <class Visit>
void walk(const Entry& e, std::size_t start, bool forward, Visit&& visit) {
  const std::size_t nseg = segments(e);
  Location at = locate(e, start);
  Segment seg = segment(e, at.seg);
  if (forward) {
    std::size_t pos = list_pack::offset_of(seg.region, seg.count, at.local);
    for (;;) {
      while (pos < seg.region.size()) {
        if (!visit(list_pack::read(seg.region, pos))) return;
      }
      if (++at.seg == nseg) return;
      seg = segment(e, at.seg);
      pos = 0;
    }
  }
  std::size_t pos = list_pack::offset_of(seg.region, seg.count, at.local + 1);
  for (;;) {
    while (pos > 0) {
      if (!visit(list_pack::read_back(seg.region, pos))) return;
    }
    if (at.seg-- == 0) return;
    seg = segment(e, at.seg);
    pos = seg.region.size();
  }
}

// The element at `index`.
std::string_view at(const Entry& e, std::size_t index);

void push(Db::Writer& w, End end, std::string_view item, const Limits& limits);
// Removes elements [start, start + n).
void erase(Db::Writer& w, std::size_t start, std::size_t n);
// Replaces the element at `index`.
void set(Db::Writer& w, std::size_t index, std::string_view item, const Limits& limits);
// Inserts `item` before (or after) the first element equal to `pivot`; false
// (nothing changed) when there is none.
bool insert(Db::Writer& w, std::string_view pivot, bool after, std::string_view item, const Limits& limits);
// LREM: removes up to |count| elements equal to `item` from the head
// (count > 0) or the tail (count < 0), all of them for 0; returns how many.
std::size_t remove(Db::Writer& w, std::int64_t count, std::string_view item);

}  // namespace larder::storage::list
