#pragma once
// What an entry holds (its Redis type) and how (its encoding). Both live in
// the entry's flags byte: no bytes are added to a string entry.

#include <cstdint>
#include <optional>
#include <string_view>

namespace larder::storage {

// Redis's data types. Values fit in 3 bits.
enum class ValueType : std::uint8_t { kString = 0, kList = 1, kSet = 2, kZset = 3, kHash = 4, kStream = 5 };

// How the value bytes of an entry are laid out. Values fit in 3 bits.
//   kInline   the value bytes are the payload: a string's bytes, or a small
//             collection's compact encoding (packed_list.h, intset.h);
//   kObject   the value bytes are a pointer to an owned ValueObject
//             (value_object.h): a big string's buffer, a big collection.
// Which compact encoding an inline collection uses is fixed by its type
// (hash: packed list of field/value pairs; set: intset).
enum class Encoding : std::uint8_t { kInline = 0, kObject = 1 };

// TYPE's reply and SCAN TYPE's name for a type.
constexpr std::string_view type_name(ValueType t) {
  switch (t) {
    case ValueType::kString: return "string";
    case ValueType::kList: return "list";
    case ValueType::kSet: return "set";
    case ValueType::kZset: return "zset";
    case ValueType::kHash: return "hash";
    case ValueType::kStream: return "stream";
  }
  return "none";
}

// The type a TYPE / SCAN TYPE name stands for (case-insensitive), or nullopt.
std::optional<ValueType> type_from_name(std::string_view name);

}  // namespace larder::storage
