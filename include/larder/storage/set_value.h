#pragma once
// The set type over its two encodings (Redis 7.0's t_set.c setType*):
//   - inline in the entry, an intset (OBJECT ENCODING "intset") while every
//     member reads as an integer (string2ll) and there are at most
//     set-max-intset-entries of them;
//   - a PackedDict of kind kSet after that ("hashtable"), never converted back.
// Reads take the entry; writes take the Db::Writer opened on it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "larder/storage/db.h"
#include "larder/storage/intset.h"
#include "larder/storage/packed_dict.h"
#include "larder/util/numbers.h"

namespace larder::storage::set {

std::size_t size(const Entry& e);
bool contains(const Entry& e, std::string_view member);

// Calls visit(member) for every member (ascending when an intset). Views
// into the set, or into `scratch` space for intset members: valid during
// the call only.
template <class Visit>
void for_each(const Entry& e, Visit&& visit) {
  if (e.encoding() == Encoding::kObject) {
    static_cast<const PackedDict*>(e.object())->for_each([&](std::string_view m, std::string_view) { visit(m); });
    return;
  }
  const std::string_view ints = e.value();
  const std::size_t n = intset::count(ints);
  char buf[util::kInt64BufSize];
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t len = util::format_int64(intset::at(ints, i), buf);
    visit(std::string_view(buf, len));
  }
}

// True when `member` was added. Converts the intset as Redis's setTypeAdd.
bool add(Db::Writer& w, std::string_view member, std::uint64_t max_intset_entries);
// False when `member` was absent.
bool remove(Db::Writer& w, std::string_view member);
// A random member (size(e) > 0), copied out.
template <class Rng>
std::string random_member(const Entry& e, Rng& rng) {
  if (e.encoding() == Encoding::kObject) {
    return std::string(static_cast<const PackedDict*>(e.object())->random(rng).first);
  }
  const std::string_view ints = e.value();
  char buf[util::kInt64BufSize];
  const std::size_t len =
      util::format_int64(intset::at(ints, static_cast<std::uint64_t>(rng()) % intset::count(ints)), buf);
  return std::string(buf, len);
}

}  // namespace larder::storage::set
