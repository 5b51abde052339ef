#pragma once
// A packed list: the compact encoding of small collections (Redis's
// listpack): one contiguous run of byte strings,
//
//   [u32 count, little-endian][varint len][bytes][varint len][bytes]...
//
// A small hash is the run field1 value1 field2 value2 ... in insertion order,
// stored inline in its entry; later types (lists, sorted sets) use it too.
// Positions are byte offsets into the run; kHeader is the first element's.
// Edits go through a SpliceBuffer, one splice each, and keep `count` right.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "larder/storage/splice_buffer.h"

namespace larder::storage::packed_list {

inline constexpr std::size_t kHeader = 4;
inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

// The encoding of an empty list.
inline constexpr std::string_view kEmpty{"\0\0\0\0", kHeader};

std::uint32_t count(std::string_view run);
// The element at `pos`; advances `pos` past it.
std::string_view read(std::string_view run, std::size_t& pos);
// Offset of the first element equal to `item` among the elements whose index
// is a multiple of `stride` (stride 2: a hash's fields), or npos.
std::size_t find(std::string_view run, std::string_view item, std::size_t stride = 1);
// Offset of element `index`; run.size() when index == count(run).
std::size_t offset_of(std::string_view run, std::size_t index);
// Bytes an element takes in the run.
std::size_t encoded_size(std::string_view item);

// Inserts `items` in order before the element at `pos` (run.size(): at the end).
void insert(SpliceBuffer& buf, std::size_t pos, std::initializer_list<std::string_view> items);
void append(SpliceBuffer& buf, std::initializer_list<std::string_view> items);
// Removes `n` elements starting at `pos`.
void erase(SpliceBuffer& buf, std::size_t pos, std::size_t n);
// Replaces the element at `pos` with `item`.
void replace(SpliceBuffer& buf, std::size_t pos, std::string_view item);

}  // namespace larder::storage::packed_list
