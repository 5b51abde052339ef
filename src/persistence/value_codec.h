#pragma once
// Internal to the RDB codec: the value encoders RdbWriter, dump_payload and
// the tests share.

#include <cstdint>
#include <string>
#include <string_view>

#include "larder/persistence/rdb_writer.h"
#include "larder/storage/entry.h"

namespace larder::persistence::rdb {

// Redis's length encoding (rdbSaveLen).
void put_len(std::string& out, std::uint64_t len);
// `n` bytes of `v`, little-endian.
void put_le(std::string& out, std::uint64_t v, std::size_t n);
// Redis's rdbSaveRawString: int-encoded when the text is a small canonical
// integer, LZF-compressed when `compress` and over 20 bytes and it pays.
void put_string(std::string& out, std::string_view s, bool compress);
// [type byte][value].
void put_value(std::string& out, const storage::Entry& e, const WriterOptions& options);
// [type byte][key][value], as a file holds a key.
void put_key_value(std::string& out, std::string_view key, const storage::Entry& e, const WriterOptions& options);
// The DUMP trailer: the RDB version (2 bytes LE) and the CRC64 of `out` so far.
void put_payload_trailer(std::string& out);
// A sorted-set score as Redis 7.0's d2string writes it into a listpack.
std::string score_text(double v);

}  // namespace larder::persistence::rdb
