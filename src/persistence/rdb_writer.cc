#include "larder/persistence/rdb_writer.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "larder/config/live_config.h"
#include "larder/persistence/crc64.h"
#include "larder/persistence/lzf.h"
#include "larder/persistence/rdb_format.h"
#include "larder/persistence/redis_encodings.h"
#include "value_codec.h"
#include "larder/storage/hash_value.h"
#include "larder/storage/intset.h"
#include "larder/storage/list_value.h"
#include "larder/storage/packed_dict.h"
#include "larder/storage/set_value.h"
#include "larder/storage/stream_value.h"
#include "larder/storage/zset_value.h"
#include "larder/util/numbers.h"

namespace larder::persistence {

using storage::Encoding;
using storage::Entry;
using storage::ValueType;

EncodingLimits EncodingLimits::from(const config::LiveConfig& config) {
  EncodingLimits l;
  l.hash_max_listpack_entries = config.hash_max_listpack_entries();
  l.hash_max_listpack_value = config.hash_max_listpack_value();
  l.set_max_intset_entries = config.set_max_intset_entries();
  l.zset_max_listpack_entries = config.zset_max_listpack_entries();
  l.zset_max_listpack_value = config.zset_max_listpack_value();
  l.list_max_listpack_size = config.list_max_listpack_size();
  return l;
}

std::vector<AuxField> default_aux_fields(std::int64_t now_ms, std::uint64_t used_mem) {
  return {{"redis-ver", "7.0.15"},
          {"redis-bits", "64"},
          {"ctime", std::to_string(now_ms / 1000)},
          {"used-mem", std::to_string(used_mem)},
          {"aof-base", "0"}};
}

namespace rdb {

void put_len(std::string& out, std::uint64_t len) {
  if (len < (1 << 6)) {
    out.push_back(static_cast<char>(len));
  } else if (len < (1 << 14)) {
    out.push_back(static_cast<char>(0x40 | (len >> 8)));
    out.push_back(static_cast<char>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    out.push_back('\x80');
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>(len >> (8 * i)));
  } else {
    out.push_back('\x81');
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(len >> (8 * i)));
  }
}

void put_le(std::string& out, std::uint64_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

void put_string(std::string& out, std::string_view s, bool compress) {
  if (s.size() <= 11) {
    std::int64_t v = 0;
    if (util::parse_int64(s, v)) {
      if (v >= INT8_MIN && v <= INT8_MAX) {
        out.push_back('\xC0');
        put_le(out, static_cast<std::uint64_t>(v), 1);
        return;
      }
      if (v >= INT16_MIN && v <= INT16_MAX) {
        out.push_back('\xC1');
        put_le(out, static_cast<std::uint64_t>(v), 2);
        return;
      }
      if (v >= INT32_MIN && v <= INT32_MAX) {
        out.push_back('\xC2');
        put_le(out, static_cast<std::uint64_t>(v), 4);
        return;
      }
    }
  }
  if (compress && s.size() > 20) {
    // Redis's rdbSaveLzfStringObject: worth it only when 4 bytes shorter.
    thread_local std::string scratch;
    scratch.resize(s.size() - 4);
    const std::size_t n = lzf::compress(s, scratch.data(), scratch.size());
    if (n > 0) {
      out.push_back('\xC3');
      put_len(out, n);
      put_len(out, s.size());
      out.append(scratch.data(), n);
      return;
    }
  }
  put_len(out, s.size());
  out.append(s);
}

std::string score_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Redis 7.0's d2string: integers below 2^52 print as integers.
  if (v > -4503599627370495.0 && v < 4503599627370496.0 && v == static_cast<double>(static_cast<long long>(v))) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%.17g", v);
  return std::string(buf, static_cast<std::size_t>(n));
}

namespace {

void put_raw_id(std::string& out, storage::StreamId id) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(id.ms >> (8 * i)));
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(id.seq >> (8 * i)));
}

class ValueWriter {
 public:
  ValueWriter(std::string& out, const WriterOptions& options) : out_(out), opt_(options) {}

  // The RDB type byte of the value.
  static std::uint8_t type_of(const Entry& e) {
    const bool inline_value = e.encoding() == Encoding::kInline;
    switch (e.type()) {
      case ValueType::kString: return kTypeString;
      case ValueType::kList: return kTypeListQuicklist2;
      case ValueType::kSet: return inline_value ? kTypeSetIntset : kTypeSet;
      case ValueType::kZset: return inline_value ? kTypeZsetListpack : kTypeZset2;
      case ValueType::kHash: return inline_value ? kTypeHashListpack : kTypeHash;
      case ValueType::kStream: return kTypeStreamListpacks2;
    }
    return kTypeString;
  }

  // The value after its type byte.
  void write(const Entry& e) {
    switch (e.type()) {
      case ValueType::kString: return str(e.value());
      case ValueType::kList: return list(e);
      case ValueType::kSet: return set(e);
      case ValueType::kZset: return zset(e);
      case ValueType::kHash: return hash(e);
      case ValueType::kStream: return stream(*static_cast<const storage::StreamValue*>(e.object()));
    }
  }

 private:
  void str(std::string_view s) { put_string(out_, s, opt_.compress); }

  void list(const Entry& e) {
    const std::size_t n = storage::list::segments(e);
    put_len(out_, n);
    for (std::size_t i = 0; i < n; ++i) {
      const storage::list::Segment seg = storage::list::segment(e, i);
      lp_.clear();
      for (std::size_t pos = 0; pos < seg.region.size();) lp_.add(storage::list_pack::read(seg.region, pos));
      put_len(out_, kQuicklistNodePacked);
      str(lp_.finish());
    }
  }

  void set(const Entry& e) {
    if (e.encoding() == Encoding::kInline) {
      // Larder's intset is Redis's with a one-byte width field.
      const std::string_view ints = e.value();
      std::string blob;
      blob.reserve(ints.size() + 3);
      put_le(blob, static_cast<unsigned char>(ints[0]), 4);
      blob.append(ints.substr(1));
      str(blob);
      return;
    }
    put_len(out_, storage::set::size(e));
    storage::set::for_each(e, [&](std::string_view m) { str(m); });
  }

  void zset(const Entry& e) {
    if (e.encoding() == Encoding::kInline) {
      lp_.clear();
      storage::zset::for_each(e, [&](double s, std::string_view m) {
        lp_.add(m);
        lp_.add(score_text(s));
      });
      str(lp_.finish());
      return;
    }
    // Redis writes the skiplist from the greatest element down, so that
    // loading inserts at the head.
    const std::size_t n = storage::zset::size(e);
    put_len(out_, n);
    storage::zset::visit(e, n - 1, true, [&](double s, std::string_view m) {
      str(m);
      std::uint64_t bits = 0;
      std::memcpy(&bits, &s, sizeof bits);
      put_le(out_, bits, 8);
      return true;
    });
  }

  void hash(const Entry& e) {
    if (e.encoding() == Encoding::kInline) {
      lp_.clear();
      storage::hash::for_each(e, [&](std::string_view f, std::string_view v) {
        lp_.add(f);
        lp_.add(v);
      });
      str(lp_.finish());
      return;
    }
    put_len(out_, storage::hash::size(e));
    storage::hash::for_each(e, [&](std::string_view f, std::string_view v) {
      str(f);
      str(v);
    });
  }

  void stream(const storage::StreamValue& s);

  std::string& out_;
  const WriterOptions& opt_;
  redis_enc::ListpackBuilder lp_;
};

// Writes a stream's nodes as listpacks (master ID, listpack) to `out`, one
// per Larder node, so that the boundaries survive a reload. Deleted entries
// are gone from Larder's nodes, so a node is written with no tombstones and
// a deleted count of 0 (Redis's integrity check counts the tombstones).
class StreamNodeWriter {
 public:
  explicit StreamNodeWriter(std::string& out, const WriterOptions& opt) : out_(out), opt_(opt) {}

  void node(storage::StreamId master, std::span<const std::string> fields,
            std::span<const storage::StreamValue::EntryView> entries) {
    redis_enc::ListpackBuilder entries_lp;
    for (const auto& e : entries) {
      const std::size_t nfields = e.fv.size() / 2;
      bool same = nfields == fields.size();
      for (std::size_t i = 0; same && i < nfields; ++i) same = e.fv[2 * i] == fields[i];
      entries_lp.add_int(same ? 2 : 0);
      entries_lp.add_int(static_cast<std::int64_t>(e.id.ms - master.ms));
      entries_lp.add_int(static_cast<std::int64_t>(e.id.seq - master.seq));
      if (same) {
        for (std::size_t i = 1; i < e.fv.size(); i += 2) entries_lp.add(e.fv[i]);
        entries_lp.add_int(static_cast<std::int64_t>(nfields + 3));
      } else {
        entries_lp.add_int(static_cast<std::int64_t>(nfields));
        for (const std::string& v : e.fv) entries_lp.add(v);
        entries_lp.add_int(static_cast<std::int64_t>(2 * nfields + 4));
      }
    }
    redis_enc::ListpackBuilder lp;
    lp.add_int(static_cast<std::int64_t>(entries.size()));
    lp.add_int(0);
    lp.add_int(static_cast<std::int64_t>(fields.size()));
    for (const std::string& f : fields) lp.add(f);
    lp.add_int(0);
    lp.append(entries_lp);
    std::string key;
    put_raw_id(key, master);
    put_string(out_, key, opt_.compress);
    put_string(out_, lp.finish(), opt_.compress);
    ++nodes_;
  }
  std::size_t nodes() const { return nodes_; }

 private:
  std::string& out_;
  const WriterOptions& opt_;
  std::size_t nodes_ = 0;
};

void ValueWriter::stream(const storage::StreamValue& s) {
  // The node count comes first: write the nodes aside, then both.
  std::string nodes;
  StreamNodeWriter nw(nodes, opt_);
  s.visit_nodes([&](storage::StreamId master, std::span<const std::string> fields,
                    std::span<const storage::StreamValue::EntryView> entries) { nw.node(master, fields, entries); });
  put_len(out_, nw.nodes());
  out_.append(nodes);
  put_len(out_, s.length());
  put_len(out_, s.last_id().ms);
  put_len(out_, s.last_id().seq);
  const storage::StreamId first = s.length() > 0 ? s.first_id() : storage::StreamId{};
  put_len(out_, first.ms);
  put_len(out_, first.seq);
  put_len(out_, s.max_deleted_id().ms);
  put_len(out_, s.max_deleted_id().seq);
  put_len(out_, s.entries_added());
  put_len(out_, s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    str(name);
    put_len(out_, g->last_id.ms);
    put_len(out_, g->last_id.seq);
    put_len(out_, static_cast<std::uint64_t>(g->entries_read));
    put_len(out_, g->pel.size());
    for (const auto& [id, nack] : g->pel) {
      put_raw_id(out_, id);
      put_le(out_, static_cast<std::uint64_t>(nack.delivery_time), 8);
      put_len(out_, nack.delivery_count);
    }
    put_len(out_, g->consumers.size());
    for (const auto& [cname, c] : g->consumers) {
      str(cname);
      put_le(out_, static_cast<std::uint64_t>(c.seen_time), 8);
      put_len(out_, c.pel.size());
      for (const auto& [id, nack] : c.pel) put_raw_id(out_, id);
    }
  }
}

}  // namespace

void put_value(std::string& out, const Entry& e, const WriterOptions& options) {
  out.push_back(static_cast<char>(ValueWriter::type_of(e)));
  ValueWriter(out, options).write(e);
}

void put_key_value(std::string& out, std::string_view key, const Entry& e, const WriterOptions& options) {
  out.push_back(static_cast<char>(ValueWriter::type_of(e)));
  put_string(out, key, options.compress);
  ValueWriter(out, options).write(e);
}

void put_payload_trailer(std::string& out) {
  out.push_back(static_cast<char>(kVersion & 0xff));
  out.push_back(static_cast<char>(kVersion >> 8));
  put_le(out, crc64(0, out), 8);
}

}  // namespace rdb

namespace {
constexpr std::size_t kFlushBytes = 64 * 1024;
}

RdbWriter::RdbWriter(Sink sink, WriterOptions options) : sink_(std::move(sink)), options_(options) {
  buf_.reserve(kFlushBytes * 2);
}

void RdbWriter::flush() {
  if (buf_.empty()) return;
  if (options_.checksum) crc_ = crc64(crc_, buf_);
  sink_(buf_);
  flushed_ += buf_.size();
  buf_.clear();
}

void RdbWriter::maybe_flush() {
  if (buf_.size() >= kFlushBytes) flush();
}

void RdbWriter::begin(std::span<const AuxField> aux) {
  char magic[16];
  std::snprintf(magic, sizeof magic, "REDIS%04d", rdb::kVersion);
  buf_.append(magic);
  for (const AuxField& f : aux) {
    buf_.push_back(static_cast<char>(rdb::kOpAux));
    rdb::put_string(buf_, f.name, false);
    rdb::put_string(buf_, f.value, false);
  }
  maybe_flush();
}

void RdbWriter::select_db(int db, std::size_t keys, std::size_t expires) {
  buf_.push_back(static_cast<char>(rdb::kOpSelectDb));
  rdb::put_len(buf_, static_cast<std::uint64_t>(db));
  buf_.push_back(static_cast<char>(rdb::kOpResizeDb));
  rdb::put_len(buf_, keys);
  rdb::put_len(buf_, expires);
}

void RdbWriter::key(std::string_view key, const Entry& entry, std::int64_t expire_at_ms, const AccessInfo& access) {
  if (expire_at_ms != storage::kNoExpire) {
    buf_.push_back(static_cast<char>(rdb::kOpExpireTimeMs));
    rdb::put_le(buf_, static_cast<std::uint64_t>(expire_at_ms), 8);
  }
  if (access.idle_seconds) {
    buf_.push_back(static_cast<char>(rdb::kOpIdle));
    rdb::put_len(buf_, *access.idle_seconds);
  }
  if (access.freq) {
    buf_.push_back(static_cast<char>(rdb::kOpFreq));
    buf_.push_back(static_cast<char>(*access.freq));
  }
  rdb::put_key_value(buf_, key, entry, options_);
  maybe_flush();
}

void RdbWriter::function(std::string_view code) {
  buf_.push_back(static_cast<char>(rdb::kOpFunction2));
  rdb::put_string(buf_, code, options_.compress);
  maybe_flush();
}

void RdbWriter::end() {
  buf_.push_back(static_cast<char>(rdb::kOpEof));
  if (options_.checksum) crc_ = crc64(crc_, buf_);
  const std::uint64_t crc = options_.checksum ? crc_ : 0;
  sink_(buf_);
  flushed_ += buf_.size();
  buf_.clear();
  std::string trailer;
  rdb::put_le(trailer, crc, 8);
  sink_(trailer);
  flushed_ += trailer.size();
}

std::string dump_payload(const Entry& entry, const WriterOptions& options) {
  std::string out;
  rdb::put_value(out, entry, options);
  rdb::put_payload_trailer(out);
  return out;
}

std::string function_dump_payload(std::span<const std::string_view> library_codes) {
  std::string out;
  for (std::string_view code : library_codes) {
    out.push_back(static_cast<char>(rdb::kOpFunction2));
    rdb::put_string(out, code, true);
  }
  rdb::put_payload_trailer(out);
  return out;
}

}  // namespace larder::persistence
