#pragma once
// An intset: the compact encoding of a small set whose members all read as
// integers (Redis's intset, and like it sorted ascending, so SMEMBERS replies
// in Redis's order):
//
//   [u8 width: 2, 4 or 8][u32 count, little-endian][count values, `width`
//   bytes each, little-endian two's complement, ascending]
//
// The width is the smallest that holds every member; adding a wider value
// rewrites the set at the new width. Edits go through a SpliceBuffer.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "larder/storage/splice_buffer.h"

namespace larder::storage::intset {

inline constexpr std::size_t kHeader = 5;
// The encoding of an empty intset (width 2).
inline constexpr std::string_view kEmpty{"\x02\0\0\0\0", kHeader};

std::uint32_t count(std::string_view set);
// The member at `index` (ascending order).
std::int64_t at(std::string_view set, std::size_t index);
bool contains(std::string_view set, std::int64_t v);
// False (and no change) when `v` is already a member.
bool add(SpliceBuffer& buf, std::int64_t v);
// False when `v` is not a member.
bool remove(SpliceBuffer& buf, std::int64_t v);

}  // namespace larder::storage::intset
