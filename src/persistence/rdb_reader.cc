#include "larder/persistence/rdb_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unordered_set>

#include "larder/persistence/crc64.h"
#include "larder/persistence/lzf.h"
#include "larder/persistence/rdb_format.h"
#include "larder/persistence/redis_encodings.h"
#include "larder/storage/intset.h"
#include "larder/storage/list_pack.h"
#include "larder/storage/list_value.h"
#include "larder/storage/packed_dict.h"
#include "larder/storage/packed_list.h"
#include "larder/storage/quick_list.h"
#include "larder/storage/score_tree.h"
#include "larder/storage/stream_value.h"
#include "larder/util/strings.h"
#include "larder/util/varint.h"

namespace larder::persistence {

using storage::ValueType;
using Kind = RdbError::Kind;

storage::Entry* LoadedValue::make_entry(std::string_view key, std::int64_t expire_at_ms) {
  if (object) return storage::Entry::make_object(key, type, std::move(object), expire_at_ms);
  if (type == ValueType::kString) return storage::Entry::make(key, bytes, expire_at_ms);
  return storage::Entry::make_inline(key, type, bytes, expire_at_ms);
}

namespace {

// The largest value buffer the reader keeps from one key to the next.
constexpr std::size_t kKeptValueBuffer = 64 * 1024;

[[noreturn]] void bad(const std::string& what) { throw RdbError(Kind::kBadFormat, what); }

std::uint64_t load_le(const char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}
std::uint64_t load_be(const char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Redis's moduleTypeNameByID: the 9-character type name in a module ID.
std::string module_name(std::uint64_t id) {
  static constexpr char kCharset[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string name(9, ' ');
  id >>= 10;
  for (int j = 8; j >= 0; --j) {
    name[static_cast<std::size_t>(j)] = kCharset[id & 63];
    id >>= 6;
  }
  return name;
}

[[noreturn]] void module_error(std::uint64_t id) {
  throw RdbError(Kind::kModule, "the RDB file holds data of the module type '" + module_name(id) +
                                    "', which Larder cannot load (no module support)");
}

// Buffered input over a Source with the CRC64 of everything consumed
// (unless `crc` is false: then checksum() is always 0).
class Input {
 public:
  Input(Source& source, std::uint64_t& consumed, bool crc = true) : source_(source), consumed_(consumed), crc_on_(crc) {
    buf_.resize(kChunk);
  }

  // Makes n bytes available at data().
  void need(std::size_t n) {
    if (end_ - pos_ >= n) return;
    compact();
    if (buf_.size() < n) buf_.resize(std::max(n, 2 * buf_.size()));
    while (end_ - pos_ < n) {
      const std::size_t got = source_(buf_.data() + end_, buf_.size() - end_);
      if (got == 0) throw RdbError(Kind::kTruncated, "unexpected end of RDB input (truncated)");
      end_ += got;
    }
  }
  const char* data() const { return buf_.data() + pos_; }
  void skip(std::size_t n) {
    pos_ += n;
    consumed_ += n;
  }
  std::uint8_t byte() {
    need(1);
    const auto b = static_cast<std::uint8_t>(buf_[pos_]);
    skip(1);
    return b;
  }
  std::uint64_t le(std::size_t n) {
    need(n);
    const std::uint64_t v = load_le(data(), n);
    skip(n);
    return v;
  }
  // The CRC64 of every byte consumed so far.
  std::uint64_t checksum() {
    if (!crc_on_) return 0;
    crc_ = crc64(crc_, std::string_view(buf_.data() + crc_from_, pos_ - crc_from_));
    crc_from_ = pos_;
    return crc_;
  }
  // True when no byte is left.
  bool at_end() {
    if (pos_ < end_) return false;
    compact();
    const std::size_t got = source_(buf_.data() + end_, buf_.size() - end_);
    end_ += got;
    return got == 0;
  }

 private:
  static constexpr std::size_t kChunk = 256 * 1024;
  void compact() {
    checksum();
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
    crc_from_ = 0;
  }

  Source& source_;
  std::uint64_t& consumed_;
  const bool crc_on_;
  std::string buf_;
  std::size_t pos_ = 0, end_ = 0, crc_from_ = 0;
  std::uint64_t crc_ = 0;
};

// Builds a hash in Larder's encoding: inline within the limits, else a
// PackedDict. Duplicate fields are refused. A hash saved as a listpack keeps
// it whatever its lengths (`count_only`): Redis converts it on its count.
class HashBuilder {
 public:
  explicit HashBuilder(const EncodingLimits& l, bool count_only = false) : l_(l), count_only_(count_only) {
    run_.assign(storage::packed_list::kEmpty);
  }
  void add(std::string_view f, std::string_view v) {
    if (!dict_ && (n_ / 2 + 1 > l_.hash_max_listpack_entries ||
                   (!count_only_ && (f.size() > l_.hash_max_listpack_value || v.size() > l_.hash_max_listpack_value)))) {
      to_dict();
    }
    if (dict_) {
      if (!dict_->insert(f, v)) bad("duplicate hash field");
      return;
    }
    if (storage::packed_list::find(run_, f, 2) != storage::packed_list::npos) bad("duplicate hash field");
    put(f);
    put(v);
    n_ += 2;
  }
  bool empty() const { return dict_ ? dict_->size() == 0 : n_ == 0; }
  void finish(LoadedValue& out) {
    out.type = ValueType::kHash;
    if (dict_) {
      out.object = std::move(dict_);
      return;
    }
    for (int i = 0; i < 4; ++i) run_[static_cast<std::size_t>(i)] = static_cast<char>(n_ >> (8 * i));
    out.bytes = std::move(run_);
  }

 private:
  void put(std::string_view s) {
    char len[10];
    run_.append(len, util::put_varint(len, s.size()));
    run_.append(s);
  }
  void to_dict() {
    dict_ = std::make_unique<storage::PackedDict>(storage::PackedDict::Kind::kHash);
    dict_->reserve(n_ / 2);
    for (std::size_t pos = storage::packed_list::kHeader; pos < run_.size();) {
      const std::string_view f = storage::packed_list::read(run_, pos);
      const std::string_view v = storage::packed_list::read(run_, pos);
      dict_->insert(f, v);
    }
  }
  const EncodingLimits& l_;
  const bool count_only_;
  std::string run_;
  std::uint32_t n_ = 0;
  std::unique_ptr<storage::PackedDict> dict_;
};

// Builds a set: an intset while every member is an integer and there are at
// most set-max-intset-entries of them, else a PackedDict.
class SetBuilder {
 public:
  explicit SetBuilder(const EncodingLimits& l) : l_(l) {}
  void add(std::string_view m) {
    std::int64_t v = 0;
    if (!dict_ && ints_.size() < l_.set_max_intset_entries && util::parse_int64(m, v)) {
      ints_.push_back(v);
      return;
    }
    if (!dict_) to_dict();
    if (!dict_->insert(m)) bad("duplicate set member");
  }
  void add_int(std::int64_t v) {
    if (!dict_ && ints_.size() < l_.set_max_intset_entries) {
      ints_.push_back(v);
      return;
    }
    char buf[util::kInt64BufSize];
    add(std::string_view(buf, util::format_int64(v, buf)));
  }
  void reserve(std::size_t n) {
    if (n > l_.set_max_intset_entries) to_dict(n);
  }
  // A saved intset keeps its width (Redis's intsets never narrow).
  void keep_width(std::size_t width) { min_width_ = width; }
  bool empty() const { return dict_ ? dict_->size() == 0 : ints_.empty(); }
  void finish(LoadedValue& out) {
    out.type = ValueType::kSet;
    if (dict_) {
      out.object = std::move(dict_);
      return;
    }
    std::sort(ints_.begin(), ints_.end());
    if (std::adjacent_find(ints_.begin(), ints_.end()) != ints_.end()) bad("duplicate set member");
    std::size_t width = min_width_ == 4 || min_width_ == 8 ? min_width_ : 2;
    for (std::int64_t v : ints_) {
      if (v < INT16_MIN || v > INT16_MAX) width = std::max<std::size_t>(width, 4);
      if (v < INT32_MIN || v > INT32_MAX) width = 8;
    }
    std::string& b = out.bytes;
    b.reserve(storage::intset::kHeader + width * ints_.size());
    b.push_back(static_cast<char>(width));
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<char>(ints_.size() >> (8 * i)));
    for (std::int64_t v : ints_) {
      for (std::size_t i = 0; i < width; ++i) b.push_back(static_cast<char>(static_cast<std::uint64_t>(v) >> (8 * i)));
    }
  }

 private:
  void to_dict(std::size_t reserve = 0) {
    if (dict_) return;
    dict_ = std::make_unique<storage::PackedDict>(storage::PackedDict::Kind::kSet);
    dict_->reserve(std::max(reserve, ints_.size()));
    char buf[util::kInt64BufSize];
    for (std::int64_t v : ints_) {
      if (!dict_->insert(std::string_view(buf, util::format_int64(v, buf)))) bad("duplicate set member");
    }
    ints_.clear();
  }
  const EncodingLimits& l_;
  std::size_t min_width_ = 2;
  std::vector<std::int64_t> ints_;
  std::unique_ptr<storage::PackedDict> dict_;
};

// Builds a sorted set: inline (sorted member/score pairs) within the limits,
// else a ScoreTree.
class ZsetBuilder {
 public:
  // `count_only` as HashBuilder's.
  explicit ZsetBuilder(const EncodingLimits& l, bool count_only = false) : l_(l), count_only_(count_only) {}
  void add(std::string_view m, double score) {
    if (std::isnan(score)) bad("sorted set score is NaN");
    if (!tree_ && (items_.size() + 1 > l_.zset_max_listpack_entries ||
                   (!count_only_ && m.size() > l_.zset_max_listpack_value))) {
      to_tree();
    }
    if (tree_) {
      if (tree_->score(m)) bad("duplicate sorted set member");
      tree_->insert(score, m);
      return;
    }
    items_.emplace_back(score, std::string(m));
  }
  bool empty() const { return tree_ ? tree_->size() == 0 : items_.empty(); }
  void finish(LoadedValue& out) {
    out.type = ValueType::kZset;
    if (tree_) {
      out.object = std::move(tree_);
      return;
    }
    std::sort(items_.begin(), items_.end(), [](const auto& a, const auto& b) {
      return storage::zset_compare(a.first, a.second, b.first, b.second) < 0;
    });
    std::unordered_set<std::string_view> seen;
    std::string& b = out.bytes;
    b.assign(storage::packed_list::kEmpty);
    char len[10];
    for (const auto& [s, m] : items_) {
      if (!seen.insert(m).second) bad("duplicate sorted set member");
      // A listpack holds -0 as the integer 0 (Redis's zzlInsertAt), so a
      // set that converts on load loses the sign as Redis's does.
      const double score = s == 0 ? 0.0 : s;
      b.append(len, util::put_varint(len, m.size()));
      b.append(m);
      b.append(len, util::put_varint(len, sizeof score));
      b.append(reinterpret_cast<const char*>(&score), sizeof score);
    }
    const std::size_t n = 2 * items_.size();
    for (int i = 0; i < 4; ++i) b[static_cast<std::size_t>(i)] = static_cast<char>(n >> (8 * i));
  }

 private:
  void to_tree() {
    tree_ = std::make_unique<storage::ScoreTree>();
    for (const auto& [score, m] : items_) {
      if (tree_->score(m)) bad("duplicate sorted set member");
      tree_->insert(score, m);
    }
    items_.clear();
  }
  const EncodingLimits& l_;
  const bool count_only_;
  std::vector<std::pair<double, std::string>> items_;
  std::unique_ptr<storage::ScoreTree> tree_;
};

// Builds a list: inline while it fits one node under list-max-listpack-size,
// else a QuickList of nodes filled as Redis's quicklist fills them.
class ListBuilder {
 public:
  explicit ListBuilder(const EncodingLimits& l) : fill_(l.list_max_listpack_size) {}
  void add(std::string_view item) {
    const std::size_t add = storage::list_pack::encoded_size(item.size());
    if (!storage::list::fits(fill_, region_.size(), count_, add)) close_node();
    const std::size_t at = region_.size();
    region_.resize(at + add);
    storage::list_pack::encode(region_.data() + at, item);
    ++count_;
  }
  bool empty() const { return count_ == 0 && !ql_; }
  void finish(LoadedValue& out) {
    out.type = ValueType::kList;
    if (!ql_) {
      out.bytes.reserve(storage::list_pack::kHeader + region_.size());
      for (int i = 0; i < 4; ++i) out.bytes.push_back(static_cast<char>(count_ >> (8 * i)));
      out.bytes.append(region_);
      return;
    }
    close_node();
    out.object = std::move(ql_);
  }

 private:
  void close_node() {
    if (count_ == 0) return;
    if (!ql_) ql_ = std::make_unique<storage::QuickList>();
    ql_->insert_node(ql_->nodes(), region_, count_);
    region_.clear();
    count_ = 0;
  }
  std::int64_t fill_;
  std::string region_;
  std::uint32_t count_ = 0;
  std::unique_ptr<storage::QuickList> ql_;
};

double parse_score(const redis_enc::Element& e) {
  if (e.is_int) return static_cast<double>(e.value);
  const std::string s(e.str);
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) bad("sorted set score is not a number");
  return d;
}

// Decodes RDB values and files from an Input.
class Decoder {
 public:
  Decoder(Input& in, const EncodingLimits& limits) : in_(in), l_(limits) {}

  std::uint64_t len(bool* encoded = nullptr) {
    const std::uint8_t b = in_.byte();
    if (encoded != nullptr) *encoded = false;
    switch (b >> 6) {
      case 0: return b & 0x3f;
      case 1: return (static_cast<std::uint64_t>(b & 0x3f) << 8) | in_.byte();
      case 2:
        if (b == 0x80 || b == 0x81) {
          const std::size_t n = b == 0x80 ? 4 : 8;
          in_.need(n);
          const std::uint64_t v = load_be(in_.data(), n);
          in_.skip(n);
          return v;
        }
        bad("unknown length encoding " + std::to_string(b));
      default:
        if (encoded == nullptr) bad("unexpected encoded length");
        *encoded = true;
        return b & 0x3f;
    }
  }

  // A string into `out` (int-encoded and LZF strings decoded).
  void string(std::string& out) {
    bool encoded = false;
    const std::uint64_t n = len(&encoded);
    if (!encoded) return read_raw(out, n);
    switch (n) {
      case 0: return set_int(out, static_cast<std::int8_t>(in_.le(1)));
      case 1: return set_int(out, static_cast<std::int16_t>(in_.le(2)));
      case 2: return set_int(out, static_cast<std::int32_t>(in_.le(4)));
      case 3: {
        const std::uint64_t clen = len();
        const std::uint64_t olen = len();
        read_raw(lzf_in_, clen);
        // An LZF back reference of 3 bytes yields at most 264: a longer
        // claim cannot decompress, and is not allocated.
        if (olen == 0 || olen / 88 > clen) bad("invalid LZF compressed string");
        out.resize(olen);
        if (lzf::decompress(lzf_in_, out.data(), olen) != olen) bad("invalid LZF compressed string");
        return;
      }
      default: bad("unknown string encoding " + std::to_string(n));
    }
  }

  // A library's code after opcode `type`: kOpFunction2's, or the one Redis
  // makes of the release candidates' kOpFunctionPre (name, engine, optional
  // description, body). Failures carry Redis's rdbFunctionLoad texts.
  void function_code(std::uint8_t type, std::string& out) {
    auto read = [&](const char* what, auto&& f) {
      try {
        f();
      } catch (const RdbError& e) {
        throw RdbError(e.kind() == Kind::kTruncated ? Kind::kTruncated : Kind::kBadFormat, what);
      }
    };
    if (type == rdb::kOpFunction2) return read("Failed loading library payload", [&] { string(out); });
    std::string name, engine, body;
    read("Failed loading library name", [&] { string(name); });
    read("Failed loading engine name", [&] { string(engine); });
    std::uint64_t has_description = 0;
    read("Failed loading library description indicator", [&] { has_description = len(); });
    if (has_description != 0) read("Failed loading library description", [&] { string(body); });
    read("Failed loading library blob", [&] { string(body); });
    // Redis formats them as C strings.
    out = "#!" + std::string(util::c_string(engine)) + " name=" + std::string(util::c_string(name)) + "\n" +
          std::string(util::c_string(body));
  }

  double binary_double() {
    const std::uint64_t bits = in_.le(8);
    double d = 0;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }

  // rdbLoadDoubleValue: the text form of old sorted sets.
  double text_double() {
    const std::uint8_t n = in_.byte();
    if (n == 253) return std::nan("");
    if (n == 254) return HUGE_VAL;
    if (n == 255) return -HUGE_VAL;
    in_.need(n);
    const std::string text(in_.data(), n);
    in_.skip(n);
    return std::strtod(text.c_str(), nullptr);
  }

  // The value of RDB type `type` (an object type); returns false for an
  // empty collection (Redis skips those keys).
  bool value(std::uint8_t type, LoadedValue& out) {
    using namespace rdb;
    switch (type) {
      case kTypeString:
        out.type = ValueType::kString;
        string(out.bytes);
        return true;
      case kTypeList: {
        ListBuilder b(l_);
        for (std::uint64_t n = len(); n > 0; --n) {
          string(s1_);
          b.add(s1_);
        }
        return finish(b, out);
      }
      case kTypeListZiplist: {
        ListBuilder b(l_);
        string(blob_);
        elements(blob_, true, [&](const redis_enc::Element& e) { b.add(e.str); });
        return finish(b, out);
      }
      case kTypeListQuicklist:
      case kTypeListQuicklist2: {
        ListBuilder b(l_);
        for (std::uint64_t n = len(); n > 0; --n) {
          std::uint64_t container = kQuicklistNodePacked;
          if (type == kTypeListQuicklist2) container = len();
          string(blob_);
          if (container == kQuicklistNodePlain) {
            b.add(blob_);
          } else if (container != kQuicklistNodePacked) {
            bad("unknown quicklist node container " + std::to_string(container));
          } else {
            elements(blob_, type == kTypeListQuicklist, [&](const redis_enc::Element& e) { b.add(e.str); });
          }
        }
        return finish(b, out);
      }
      case kTypeSet: {
        SetBuilder b(l_);
        const std::uint64_t n = len();
        b.reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) {
          string(s1_);
          b.add(s1_);
        }
        return finish(b, out);
      }
      case kTypeSetIntset: {
        SetBuilder b(l_);
        string(blob_);
        redis_enc::RedisIntset set(blob_);
        b.reserve(set.size());
        b.keep_width(set.width());
        for (std::size_t i = 0; i < set.size(); ++i) b.add_int(set.at(i));
        return finish(b, out);
      }
      case kTypeSetListpack: {
        SetBuilder b(l_);
        string(blob_);
        elements(blob_, false, [&](const redis_enc::Element& e) { b.add(e.str); });
        return finish(b, out);
      }
      case kTypeZset:
      case kTypeZset2: {
        ZsetBuilder b(l_);
        for (std::uint64_t n = len(); n > 0; --n) {
          string(s1_);
          b.add(s1_, type == kTypeZset2 ? binary_double() : text_double());
        }
        return finish(b, out);
      }
      case kTypeZsetZiplist:
      case kTypeZsetListpack: {
        ZsetBuilder b(l_, /*count_only=*/true);
        string(blob_);
        pairs(blob_, type == kTypeZsetZiplist, [&](std::string_view m, const redis_enc::Element& score) {
          b.add(m, parse_score(score));
        });
        return finish(b, out);
      }
      case kTypeHash: {
        HashBuilder b(l_);
        for (std::uint64_t n = len(); n > 0; --n) {
          string(s1_);
          string(s2_);
          b.add(s1_, s2_);
        }
        return finish(b, out);
      }
      case kTypeHashZipmap: {
        HashBuilder b(l_);
        string(blob_);
        redis_enc::ZipmapCursor c(blob_);
        std::string_view f, v;
        while (c.next(f, v)) b.add(f, v);
        return finish(b, out);
      }
      case kTypeHashZiplist:
      case kTypeHashListpack: {
        HashBuilder b(l_, /*count_only=*/true);
        string(blob_);
        pairs(blob_, type == kTypeHashZiplist,
              [&](std::string_view f, const redis_enc::Element& v) { b.add(f, v.str); });
        return finish(b, out);
      }
      case kTypeStreamListpacks:
      case kTypeStreamListpacks2:
        stream(type == kTypeStreamListpacks2, out);
        return true;
      case kTypeModulePre:
      case kTypeModule2:
        module_error(len());
      default:
        throw RdbError(Kind::kUnknownOpcode, "unknown RDB value type " + std::to_string(type));
    }
  }

  static bool is_value_type(std::uint8_t t) { return t <= rdb::kTypeSetListpack && t != 8; }

  void file(const ReaderCallbacks& cb, int& version, bool check_crc) {
    in_.need(9);
    const std::string_view magic(in_.data(), 9);
    if (magic.substr(0, 5) != "REDIS") throw RdbError(Kind::kVersion, "not an RDB file (wrong signature)");
    version = 0;
    for (char c : magic.substr(5)) {
      if (c < '0' || c > '9') throw RdbError(Kind::kVersion, "not an RDB file (bad version field)");
      version = version * 10 + (c - '0');
    }
    if (version < 1 || version > rdb::kVersion) {
      throw RdbError(Kind::kVersion, "can't handle RDB format version " + std::to_string(version) +
                                         " (Larder reads versions 1 to " + std::to_string(rdb::kVersion) + ")");
    }
    in_.skip(9);
    int db = 0;
    LoadedKey k;
    std::string key;
    for (;;) {
      const std::uint8_t type = in_.byte();
      switch (type) {
        case rdb::kOpExpireTimeMs: k.expire_at_ms = static_cast<std::int64_t>(in_.le(8)); continue;
        case rdb::kOpExpireTime:
          k.expire_at_ms = static_cast<std::int64_t>(static_cast<std::int32_t>(in_.le(4))) * 1000;
          continue;
        case rdb::kOpFreq: k.access.freq = in_.byte(); continue;
        case rdb::kOpIdle: k.access.idle_seconds = len(); continue;
        case rdb::kOpSelectDb: {
          const std::uint64_t n = len();
          if (n > INT32_MAX) bad("SELECTDB index out of range");
          db = static_cast<int>(n);
          if (cb.select_db) cb.select_db(db);
          continue;
        }
        case rdb::kOpResizeDb: {
          const std::uint64_t keys = len();
          const std::uint64_t expires = len();
          if (cb.resize_db) cb.resize_db(keys, expires);
          continue;
        }
        case rdb::kOpAux:
          string(s1_);
          string(s2_);
          if (cb.aux) cb.aux(s1_, s2_);
          continue;
        case rdb::kOpModuleAux: module_error(len());
        case rdb::kOpFunctionPre:
        case rdb::kOpFunction2:
          function_code(type, s1_);
          if (cb.function) cb.function(s1_);
          continue;
        case rdb::kOpEof: break;
        default: {
          if (!is_value_type(type)) {
            throw RdbError(Kind::kUnknownOpcode, "unknown RDB opcode or value type " + std::to_string(type));
          }
          string(key);
          // The value's buffer is kept for the next key unless it grew large.
          k.value.object.reset();
          k.value.bytes.clear();
          if (k.value.bytes.capacity() > kKeptValueBuffer) std::string().swap(k.value.bytes);
          const bool keep = value(type, k.value);
          if (keep && cb.key) {
            k.db = db;
            k.key = key;
            cb.key(k);
          }
          k.expire_at_ms = storage::kNoExpire;
          k.access = {};
          continue;
        }
      }
      break;
    }
    if (version >= 5) {
      const std::uint64_t expected = in_.checksum();
      const std::uint64_t stored = in_.le(8);
      if (check_crc && stored != 0 && stored != expected) {
        char msg[128];
        std::snprintf(msg, sizeof msg, "wrong RDB checksum: expected %016llx, file has %016llx",
                      static_cast<unsigned long long>(expected), static_cast<unsigned long long>(stored));
        throw RdbError(Kind::kChecksum, msg);
      }
    }
  }

 private:
  // Reads n bytes into `out`, growing it with the bytes that arrive: a
  // declared length longer than the input fails on truncation having
  // allocated no more than the input.
  void read_raw(std::string& out, std::uint64_t n) {
    out.clear();
    while (n > 0) {
      const std::size_t step = static_cast<std::size_t>(std::min<std::uint64_t>(n, 1 << 20));
      in_.need(step);
      out.append(in_.data(), step);
      in_.skip(step);
      n -= step;
    }
  }
  static void set_int(std::string& out, std::int64_t v) {
    char buf[util::kInt64BufSize];
    out.assign(buf, util::format_int64(v, buf));
  }
  // Calls f(element) for each element of the listpack (or ziplist) `blob`.
  template <class F>
  void elements(std::string_view blob, bool ziplist, F&& f) {
    if (ziplist) {
      redis_enc::ZiplistCursor c(blob);
      while (c.next(el_)) f(el_);
    } else {
      redis_enc::ListpackCursor c(blob);
      while (c.next(el_)) f(el_);
    }
  }
  // Calls f(first, second) for each pair of elements of `blob` (field and
  // value, member and score).
  template <class F>
  void pairs(std::string_view blob, bool ziplist, F&& f) {
    bool second = false;
    elements(blob, ziplist, [&](const redis_enc::Element& e) {
      if (second) {
        f(std::string_view(s1_), e);
      } else {
        s1_.assign(e.str);
      }
      second = !second;
    });
    if (second) bad("listpack of pairs with an odd number of elements");
  }
  template <class Builder>
  static bool finish(Builder& b, LoadedValue& out) {
    if (b.empty()) return false;
    b.finish(out);
    return true;
  }

  void stream(bool v2, LoadedValue& out);

  Input& in_;
  const EncodingLimits& l_;
  std::string s1_, s2_, blob_;
  std::string lzf_in_;
  redis_enc::Element el_;
};

void Decoder::stream(bool v2, LoadedValue& out) {
  using storage::StreamId;
  using storage::StreamValue;
  auto s = std::make_unique<StreamValue>();
  std::vector<std::string> fields, fv;
  auto next_int = [&](redis_enc::ListpackCursor& c) {
    if (!c.next(el_) || !el_.is_int) bad("corrupt stream listpack");
    return el_.value;
  };
  // Each node is kept as saved (Redis's boundaries and counts).
  std::vector<std::vector<std::string>> values;  // the node's live entries
  std::vector<StreamId> ids;
  std::vector<StreamValue::LoadedEntry> entries;
  std::vector<std::string_view> field_views;
  std::optional<StreamId> prev_master, prev_id;  // including deleted entries
  for (std::uint64_t nodes = len(); nodes > 0; --nodes) {
    string(s1_);
    if (s1_.size() != 16) bad("stream node key is not the size of a stream ID");
    const StreamId master{load_be(s1_.data(), 8), load_be(s1_.data() + 8, 8)};
    if (prev_master && !(master > *prev_master)) bad("stream nodes out of order");
    prev_master = master;
    string(blob_);
    redis_enc::ListpackCursor c(blob_);
    if (c.header_count() == 0) bad("empty listpack inside a stream");
    const std::int64_t live = next_int(c);
    const std::int64_t deleted = next_int(c);
    const std::int64_t nfields = next_int(c);
    if (nfields < 0 || live < 0 || deleted < 0 || deleted > UINT32_MAX) bad("corrupt stream listpack");
    fields.clear();
    for (std::int64_t i = 0; i < nfields; ++i) {
      if (!c.next(el_)) bad("corrupt stream listpack");
      fields.emplace_back(el_.str);
    }
    next_int(c);  // master terminator
    values.clear();
    ids.clear();
    StreamId last;
    bool last_gone = false;
    while (c.next(el_)) {
      if (!el_.is_int) bad("corrupt stream listpack");
      const std::int64_t flags = el_.value;
      const StreamId id{master.ms + static_cast<std::uint64_t>(next_int(c)),
                        master.seq + static_cast<std::uint64_t>(next_int(c))};
      if (id < master || (prev_id && !(id > *prev_id))) bad("stream entries out of order");
      prev_id = last = id;
      fv.clear();
      if (flags & 2) {  // STREAM_ITEM_FLAG_SAMEFIELDS
        for (const std::string& f : fields) {
          fv.push_back(f);
          if (!c.next(el_)) bad("corrupt stream listpack");
          fv.emplace_back(el_.str);
        }
      } else {
        const std::int64_t n = next_int(c);
        if (n < 0) bad("corrupt stream listpack");
        for (std::int64_t i = 0; i < 2 * n; ++i) {
          if (!c.next(el_)) bad("corrupt stream listpack");
          fv.emplace_back(el_.str);
        }
      }
      next_int(c);  // lp-count
      last_gone = (flags & 1) != 0;  // STREAM_ITEM_FLAG_DELETED
      if (last_gone) continue;
      if (fv.empty()) bad("stream entry without fields");
      values.push_back(fv);
      ids.push_back(id);
    }
    if (values.empty()) continue;
    entries.clear();
    for (std::size_t i = 0; i < values.size(); ++i) {
      entries.push_back({ids[i], std::vector<std::string_view>(values[i].begin(), values[i].end())});
    }
    field_views.assign(fields.begin(), fields.end());
    // Larder's model of the listpack's size leaves out the two counts.
    const std::size_t counts = redis_enc::listpack_entry_size(std::to_string(live)) +
                               redis_enc::listpack_entry_size(std::to_string(deleted));
    const std::size_t lp_bytes = blob_.size() > counts ? blob_.size() - counts : 0;
    s->append_node(master, field_views, entries, static_cast<std::uint32_t>(deleted),
                   static_cast<std::uint32_t>(std::min<std::size_t>(lp_bytes, UINT32_MAX)), last, last_gone);
  }
  const std::uint64_t length = len();
  StreamId last{len(), 0};
  last.seq = len();
  if (length != s->length()) bad("stream length inconsistent with its entries");
  if (s->length() > 0 && s->last_id() > last) bad("stream last ID below its entries");
  s->set_last_id(last);
  if (v2) {
    len();  // first ID: Larder derives it from the entries
    len();
    StreamId max_deleted{len(), 0};
    max_deleted.seq = len();
    s->set_max_deleted_id(max_deleted);
    s->set_entries_added(len());
  } else {
    s->set_max_deleted_id({});
    s->set_entries_added(s->length());
  }
  for (std::uint64_t groups = len(); groups > 0; --groups) {
    std::string name;
    string(name);
    StreamId gid{len(), 0};
    gid.seq = len();
    std::int64_t entries_read = 0;
    if (v2) {
      entries_read = static_cast<std::int64_t>(len());
    } else {
      entries_read = s->estimate_distance(gid);
    }
    if (s->find_group(name) != nullptr) bad("duplicate consumer group name");
    StreamValue::Group& g = s->create_group(name, gid, entries_read);
    for (std::uint64_t n = len(); n > 0; --n) {
      in_.need(16);
      const StreamId id{load_be(in_.data(), 8), load_be(in_.data() + 8, 8)};
      in_.skip(16);
      const auto when = static_cast<std::int64_t>(in_.le(8));
      const std::uint64_t count = len();
      if (!g.pel.emplace(id, StreamValue::Nack{when, count, nullptr}).second) bad("duplicate group PEL entry");
    }
    for (std::uint64_t n = len(); n > 0; --n) {
      string(s1_);
      const auto seen = static_cast<std::int64_t>(in_.le(8));
      bool created = false;
      StreamValue::Consumer& consumer = g.consumer(s1_, seen, &created);
      if (!created) bad("duplicate stream consumer");
      for (std::uint64_t m = len(); m > 0; --m) {
        in_.need(16);
        const StreamId id{load_be(in_.data(), 8), load_be(in_.data() + 8, 8)};
        in_.skip(16);
        auto it = g.pel.find(id);
        if (it == g.pel.end() || it->second.consumer != nullptr) bad("consumer PEL entry not in the group PEL");
        it->second.consumer = &consumer;
        consumer.pel.emplace(id, &it->second);
      }
    }
    for (const auto& [id, nack] : g.pel) {
      if (nack.consumer == nullptr) bad("group PEL entry without a consumer");
    }
  }
  out.type = ValueType::kStream;
  out.object = std::move(s);
}

}  // namespace

RdbReader::RdbReader(Source source, EncodingLimits limits, bool verify_checksum)
    : source_(std::move(source)), limits_(limits), verify_checksum_(verify_checksum) {}

void RdbReader::read(const ReaderCallbacks& callbacks) {
  Input in(source_, consumed_, verify_checksum_);
  Decoder impl(in, limits_);
  impl.file(callbacks, version_, verify_checksum_);
}

namespace {

Source string_source(std::string_view s) {
  return [s, pos = std::size_t{0}](char* buf, std::size_t n) mutable {
    const std::size_t k = std::min(n, s.size() - pos);
    std::memcpy(buf, s.data() + pos, k);
    pos += k;
    return k;
  };
}

// verifyDumpPayload: the payload without its trailer, or an error.
std::string_view check_payload(std::string_view payload) {
  if (payload.size() < 10) throw RdbError(Kind::kChecksum, "DUMP payload too short");
  const char* footer = payload.data() + payload.size() - 10;
  const std::uint64_t version = load_le(footer, 2);
  if (version > static_cast<std::uint64_t>(rdb::kVersion)) throw RdbError(Kind::kVersion, "DUMP payload version too new");
  if (crc64(0, payload.substr(0, payload.size() - 8)) != load_le(footer + 2, 8)) {
    throw RdbError(Kind::kChecksum, "DUMP payload checksum mismatch");
  }
  return payload.substr(0, payload.size() - 10);
}

}  // namespace

LoadedValue restore_payload(std::string_view payload, const EncodingLimits& limits) {
  const std::string_view body = check_payload(payload);
  Source src = string_source(body);
  std::uint64_t consumed = 0;
  Input in(src, consumed);
  Decoder impl(in, limits);
  const std::uint8_t type = in.byte();
  if (!Decoder::is_value_type(type)) bad("not a value type");
  LoadedValue v;
  if (!impl.value(type, v)) bad("empty collection");
  return v;
}

FunctionPayload function_restore_payload(std::string_view payload) {
  const std::string_view body = check_payload(payload);
  Source src = string_source(body);
  std::uint64_t consumed = 0;
  Input in(src, consumed);
  EncodingLimits limits;
  Decoder impl(in, limits);
  FunctionPayload out;
  try {
    while (!in.at_end()) {
      const std::uint8_t type = in.byte();
      if (type != rdb::kOpFunction2 && type != rdb::kOpFunctionPre) bad("given type is not a function");
      std::string code;
      impl.function_code(type, code);
      out.codes.push_back(std::move(code));
    }
  } catch (const RdbError& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace larder::persistence
