#pragma once
// LZF, the compressor of Redis's RDB strings (Marc Lehmann's liblzf format,
// as Redis's lzf_c.c / lzf_d.c): a stream of literal runs ([000LLLLL] then
// L+1 bytes) and back references ([LLLooooo][oooooooo], L = 7 takes one
// more length byte). Output of compress() decompresses with Redis's lzf and
// the reverse.

#include <cstddef>
#include <string_view>

namespace larder::persistence::lzf {

// Compresses `in` into out[0, out_cap); returns the bytes written, or 0 when
// the result would not fit (the caller then stores `in` uncompressed).
std::size_t compress(std::string_view in, char* out, std::size_t out_cap);

// Decompresses `in` into out[0, out_len); returns the bytes written, or 0
// when `in` is corrupt or does not fit out_len bytes.
std::size_t decompress(std::string_view in, char* out, std::size_t out_len);

}  // namespace larder::persistence::lzf
