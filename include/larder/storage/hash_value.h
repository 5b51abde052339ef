#pragma once
// The hash type over its two encodings (Redis's t_hash.c hashType*):
//   - inline in the entry, a packed list of field/value pairs in insertion
//     order (OBJECT ENCODING "listpack"), while it has at most
//     hash-max-listpack-entries fields and no field or value is longer than
//     hash-max-listpack-value bytes;
//   - a PackedDict of kind kHash after that ("hashtable"), never converted back.
// Reads take the entry; writes take the Db::Writer opened on it.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>

#include "larder/storage/db.h"
#include "larder/storage/packed_dict.h"
#include "larder/storage/packed_list.h"

namespace larder::storage::hash {

struct Limits {
  std::uint64_t max_entries;  // hash-max-listpack-entries
  std::uint64_t max_value;    // hash-max-listpack-value
};

std::size_t size(const Entry& e);
std::optional<std::string_view> get(const Entry& e, std::string_view field);

// Calls visit(field, value) for every field (insertion order when inline).
template <class Visit>
void for_each(const Entry& e, Visit&& visit) {
  if (e.encoding() == Encoding::kObject) {
    static_cast<const PackedDict*>(e.object())->for_each(visit);
    return;
  }
  const std::string_view run = e.value();
  std::size_t pos = packed_list::kHeader;
  while (pos < run.size()) {
    const std::string_view field = packed_list::read(run, pos);
    const std::string_view value = packed_list::read(run, pos);
    visit(field, value);
  }
}

// A random field and its value (size(e) > 0): a random pair of an inline
// hash, PackedDict::random of a big one.
template <class Rng>
std::pair<std::string_view, std::string_view> random_pair(const Entry& e, Rng& rng) {
  if (e.encoding() == Encoding::kObject) return static_cast<const PackedDict*>(e.object())->random(rng);
  const std::string_view run = e.value();
  std::size_t pos = packed_list::offset_of(run, 2 * (static_cast<std::uint64_t>(rng()) % size(e)));
  const std::string_view field = packed_list::read(run, pos);
  return {field, packed_list::read(run, pos)};
}

// Converts an inline hash to a PackedDict when any of `items` (the fields
// and values a command is about to write) is longer than limits.max_value,
// as Redis's hashTypeTryConversion.
void convert_for_values(Db::Writer& w, const Limits& limits, std::initializer_list<std::string_view> items);
// Sets `field` to `value`; true when the field is new. An inline hash that
// passes limits.max_entries fields is converted.
bool set(Db::Writer& w, std::string_view field, std::string_view value, const Limits& limits);
// False when the field was absent.
bool erase(Db::Writer& w, std::string_view field);

}  // namespace larder::storage::hash
