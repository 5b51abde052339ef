#pragma once
// RdbReader: reads Redis RDB files up to version 10 (Redis 7.0) and every
// value encoding Redis 6.x and 7.0 write: strings (raw, int-encoded, LZF),
// lists (linked, ziplist, quicklist, quicklist 2), sets (plain, intset,
// listpack), sorted sets (plain, binary-double, ziplist, listpack), hashes
// (plain, zipmap, ziplist, listpack), streams (listpacks 1 and 2 with
// consumer groups). Values come out in Larder's own encodings
// (storage/value_type.h), chosen by the EncodingLimits as Redis converts a
// loaded listpack that passes its limits.
//
// Errors throw RdbError naming what is wrong: a truncated file, a bad
// checksum, a newer version, a module type, an unknown opcode or type, a
// malformed value. restore_payload() is RESTORE's decoder.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "larder/persistence/rdb_writer.h"
#include "larder/storage/entry.h"
#include "larder/storage/value_object.h"
#include "larder/storage/value_type.h"

namespace larder::persistence {

class RdbError : public std::runtime_error {
 public:
  enum class Kind {
    kTruncated,      // the input ended inside the file
    kChecksum,       // CRC64 mismatch (file or payload)
    kVersion,        // not an RDB file, or a version newer than 10
    kModule,         // a module value or module aux data
    kUnknownOpcode,  // an opcode or value type Redis 7.0 does not write
    kBadFormat,      // a malformed value
  };
  RdbError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// A decoded value in Larder's encoding, ready to become an entry.
struct LoadedValue {
  storage::ValueType type = storage::ValueType::kString;
  // A string's bytes, or an inline collection's compact encoding (when
  // `object` is null).
  std::string bytes;
  std::unique_ptr<storage::ValueObject> object;

  // The entry for `key` holding this value (moved out of it).
  storage::Entry* make_entry(std::string_view key, std::int64_t expire_at_ms);
};

// One key read from a file.
struct LoadedKey {
  int db = 0;
  std::string_view key;  // valid during the callback only
  LoadedValue value;
  std::int64_t expire_at_ms = storage::kNoExpire;  // absolute unix ms
  AccessInfo access;                               // IDLE / FREQ opcodes
};

// What the reader reports as it goes; unset callbacks are skipped.
struct ReaderCallbacks {
  std::function<void(std::string_view name, std::string_view value)> aux;
  std::function<void(int db)> select_db;
  std::function<void(std::uint64_t keys, std::uint64_t expires)> resize_db;
  std::function<void(LoadedKey& key)> key;  // may move key.value out
  std::function<void(std::string_view code)> function;  // FUNCTION2 library source
};

// Fills buf[0, n) and returns how many bytes it wrote; 0 at the end of input.
using Source = std::function<std::size_t(char* buf, std::size_t n)>;

class RdbReader {
 public:
  // verify_checksum false (rdbchecksum no) skips the CRC64, as Redis.
  RdbReader(Source source, EncodingLimits limits, bool verify_checksum = true);
  RdbReader(const RdbReader&) = delete;
  RdbReader& operator=(const RdbReader&) = delete;

  // Reads a whole file: header, opcodes, keys, EOF and checksum (a zero
  // checksum is not checked, as Redis). Throws RdbError.
  void read(const ReaderCallbacks& callbacks);
  // The file's RDB version (after read() started).
  int version() const { return version_; }
  // Bytes consumed so far (loading progress).
  std::uint64_t bytes_read() const { return consumed_; }

 private:
  Source source_;
  EncodingLimits limits_;
  bool verify_checksum_;
  int version_ = 0;
  std::uint64_t consumed_ = 0;
};

// RESTORE's decoder: checks the payload's version (<= 10) and CRC64
// (RdbError kChecksum / kVersion: "DUMP payload version or checksum are
// wrong") and decodes its value (other kinds: "Bad data format").
LoadedValue restore_payload(std::string_view payload, const EncodingLimits& limits);

// FUNCTION RESTORE's decoder: checks the trailer as restore_payload (and
// throws as it does), then reads the libraries' source codes up to the
// first that cannot be read.
struct FunctionPayload {
  std::vector<std::string> codes;
  std::string error;  // why reading stopped early (Redis's text, without "ERR "), or empty
};
FunctionPayload function_restore_payload(std::string_view payload);

}  // namespace larder::persistence
