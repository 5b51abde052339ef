#pragma once
// Redis's compact encodings as they appear inside RDB values: listpacks
// (written and read), and the ziplists, zipmaps and intsets of older files
// (read). Readers check every length against the blob and throw
// RdbError(kBadFormat) on a malformed one.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "larder/util/numbers.h"

namespace larder::persistence::redis_enc {

// One element of a listpack or ziplist: a string, or an integer together
// with its decimal text. The views are valid until the next step.
struct Element {
  bool is_int = false;
  std::int64_t value = 0;
  std::string_view str;
  char buf[util::kInt64BufSize];

  void set_int(std::int64_t v) {
    is_int = true;
    value = v;
    str = std::string_view(buf, util::format_int64(v, buf));
  }
  void set_str(std::string_view s) {
    is_int = false;
    str = s;
  }
};

// Builds a listpack (Redis's listpack.c): [u32 total bytes][u16 count]
// entries [0xFF]; strings that read as integers (string2ll) are stored as
// integers, as lpAppend does.
class ListpackBuilder {
 public:
  ListpackBuilder() { clear(); }
  void clear();
  void add(std::string_view s);
  void add_int(std::int64_t v);
  // Appends the entries of `other` (not finished).
  void append(const ListpackBuilder& other) {
    buf_.append(other.buf_, 6);
    count_ += other.count_;
  }
  std::size_t count() const { return count_; }
  // The size the listpack has once finished.
  std::size_t bytes() const { return buf_.size() + 1; }
  // Writes the header and the terminator; the builder must be cleared before reuse.
  std::string_view finish();

 private:
  void add_backlen(std::size_t entry_len);
  std::string buf_;
  std::size_t count_ = 0;
};

// The listpack bytes an element `s` adds (for node size limits).
std::size_t listpack_entry_size(std::string_view s);

// Walks the elements of a listpack.
class ListpackCursor {
 public:
  // Checks the header against the blob.
  explicit ListpackCursor(std::string_view lp);
  // The next element; false at the terminator.
  bool next(Element& e);
  // The count in the header (65535: unknown).
  std::size_t header_count() const { return header_count_; }

 private:
  std::string_view lp_;
  std::size_t pos_;
  std::size_t header_count_;
};

// Walks the elements of a ziplist (Redis up to 6.2).
class ZiplistCursor {
 public:
  explicit ZiplistCursor(std::string_view zl);
  bool next(Element& e);

 private:
  std::string_view zl_;
  std::size_t pos_;
};

// Walks the field/value pairs of a zipmap (Redis before 2.6).
class ZipmapCursor {
 public:
  explicit ZipmapCursor(std::string_view zm);
  bool next(std::string_view& field, std::string_view& value);

 private:
  std::size_t read_len(std::size_t& len);
  std::string_view zm_;
  std::size_t pos_;
};

// A Redis intset blob ([u32 encoding][u32 length][values]) checked and
// walked; at(i) reads member i.
class RedisIntset {
 public:
  explicit RedisIntset(std::string_view blob);
  std::size_t size() const { return count_; }
  std::int64_t at(std::size_t i) const;
  std::size_t width() const { return width_; }

 private:
  std::string_view blob_;
  std::size_t width_, count_;
};

}  // namespace larder::persistence::redis_enc
