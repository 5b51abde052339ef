#pragma once
// RdbWriter: writes Redis 7.0's RDB file format (version 10), key by key, to
// a byte sink, choosing the encodings Redis 7.0 would (listpacks for small
// collections within the *-max-listpack-* limits, intsets, quicklist 2
// lists of listpack nodes, stream listpacks, LZF-compressed strings), so the
// file passes redis-check-rdb, loads into Redis 7.0 and is no bigger than
// the file Redis writes for the same data. dump_payload() is DUMP's payload.
//
// Contract: begin(), then any number of select_db() each followed by its
// key() calls, then end(); the sink sees the bytes in order, in chunks. Not
// thread-safe; the caller holds whatever guards the entries it passes.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "larder/storage/entry.h"

namespace larder::config {
class LiveConfig;
}

namespace larder::persistence {

// Receives the bytes written, in order. Throwing from it aborts the write.
using Sink = std::function<void(std::string_view)>;

// The configuration that decides encodings: which Redis encoding a
// collection is written in, and which Larder encoding a loaded one gets.
// Defaults are Redis 7.0's.
struct EncodingLimits {
  std::uint64_t hash_max_listpack_entries = 128;
  std::uint64_t hash_max_listpack_value = 64;
  std::uint64_t set_max_intset_entries = 512;
  std::uint64_t zset_max_listpack_entries = 128;
  std::uint64_t zset_max_listpack_value = 64;
  std::int64_t list_max_listpack_size = -2;

  // The limits in force.
  static EncodingLimits from(const config::LiveConfig& config);
};

// Which access figure a file carries before each key (Snapshot).
enum class AccessSaved { kNone, kIdle, kFreq };

struct WriterOptions {
  bool compress = true;  // rdbcompression: LZF for strings over 20 bytes
  bool checksum = true;  // rdbchecksum: the CRC64 trailer (else 0)
  EncodingLimits limits;
  AccessSaved access = AccessSaved::kNone;
  int lfu_decay_time = 1;  // minutes, for the FREQ written
};

// An AUX field (name, value), as Redis writes at the start of a file.
struct AuxField {
  std::string name;
  std::string value;
};

// The AUX fields Redis 7.0.15 writes: redis-ver, redis-bits, ctime (unix
// seconds of `now_ms`), used-mem, aof-base 0.
std::vector<AuxField> default_aux_fields(std::int64_t now_ms, std::uint64_t used_mem);

// What the eviction policy knows of a key: Redis writes IDLE under an LRU
// maxmemory-policy and FREQ under an LFU one, nothing otherwise.
struct AccessInfo {
  std::optional<std::uint64_t> idle_seconds;
  std::optional<std::uint8_t> freq;
};

class RdbWriter {
 public:
  RdbWriter(Sink sink, WriterOptions options);
  RdbWriter(const RdbWriter&) = delete;
  RdbWriter& operator=(const RdbWriter&) = delete;

  // "REDIS0010" and the AUX fields.
  void begin(std::span<const AuxField> aux);
  // SELECTDB `db`, then RESIZEDB with the key and expire counts (hints).
  void select_db(int db, std::size_t keys, std::size_t expires);
  // One key: EXPIRETIME_MS when expire_at_ms != storage::kNoExpire, IDLE or
  // FREQ as `access` says, then the value's type byte and the value.
  void key(std::string_view key, const storage::Entry& entry, std::int64_t expire_at_ms,
           const AccessInfo& access = {});
  // FUNCTION2: one library's source code (FUNCTION DUMP, and files).
  void function(std::string_view code);
  // EOF and the CRC64 of everything before it (0 without checksum); flushes.
  void end();

  // Bytes handed to the sink so far plus those buffered.
  std::uint64_t bytes_written() const { return flushed_ + buf_.size(); }

 private:
  void flush();
  void maybe_flush();

  Sink sink_;
  WriterOptions options_;
  std::string buf_;
  std::uint64_t crc_ = 0;
  std::uint64_t flushed_ = 0;
};

// DUMP's payload of a value: the type byte and the value as RdbWriter::key
// writes them, the RDB version (2 bytes, little-endian) and the CRC64 of all
// that (8 bytes, little-endian).
std::string dump_payload(const storage::Entry& entry, const WriterOptions& options);

// FUNCTION DUMP's payload: one FUNCTION2 record per library, then the
// version and CRC64 trailer as dump_payload.
std::string function_dump_payload(std::span<const std::string_view> library_codes);

}  // namespace larder::persistence
