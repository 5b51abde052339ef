#include "larder/storage/packed_list.h"
#include "larder/util/varint.h"

#include <cstring>
#include <string>

namespace larder::storage::packed_list {

namespace {

using util::put_varint;
using util::varint_size;

// Reads the length at `pos` and advances `pos` past it.
std::size_t get_varint(std::string_view run, std::size_t& pos) {
  auto b = static_cast<unsigned char>(run[pos++]);
  if (b < 0x80) return b;
  std::size_t v = b & 0x7f;
  unsigned shift = 7;
  while ((b = static_cast<unsigned char>(run[pos++])) & 0x80) {
    v |= static_cast<std::size_t>(b & 0x7f) << shift;
    shift += 7;
  }
  return v | static_cast<std::size_t>(b) << shift;
}

// Offset just past the element at `pos`.
std::size_t skip(std::string_view run, std::size_t pos) {
  const std::size_t len = get_varint(run, pos);
  return pos + len;
}

void set_count(SpliceBuffer& buf, std::uint32_t n) {
  char* p = buf.data();
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(n >> (8 * i));
}

// The encoded elements, built outside the buffer so that items may view it.
class Encoded {
 public:
  explicit Encoded(std::initializer_list<std::string_view> items) {
    std::size_t size = 0;
    for (std::string_view item : items) size += encoded_size(item);
    char* p = small_;
    if (size > sizeof small_) {
      big_.resize(size);
      p = big_.data();
    }
    bytes_ = {p, size};
    for (std::string_view item : items) {
      p = put_varint(p, item.size());
      if (!item.empty()) std::memcpy(p, item.data(), item.size());
      p += item.size();
    }
  }
  std::string_view bytes() const { return bytes_; }

 private:
  char small_[128];
  std::string big_;
  std::string_view bytes_;
};

}  // namespace

std::uint32_t count(std::string_view run) {
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(run[i])) << (8 * i);
  return n;
}

std::string_view read(std::string_view run, std::size_t& pos) {
  const std::size_t len = get_varint(run, pos);
  std::string_view item = run.substr(pos, len);
  pos += len;
  return item;
}

std::size_t find(std::string_view run, std::string_view item, std::size_t stride) {
  std::size_t pos = kHeader;
  std::size_t index = 0;
  while (pos < run.size()) {
    const std::size_t at = pos;
    const std::size_t len = get_varint(run, pos);
    if (index % stride == 0 && len == item.size() && std::memcmp(run.data() + pos, item.data(), len) == 0) {
      return at;
    }
    pos += len;
    ++index;
  }
  return npos;
}

std::size_t offset_of(std::string_view run, std::size_t index) {
  std::size_t pos = kHeader;
  for (; index > 0; --index) pos = skip(run, pos);
  return pos;
}

std::size_t encoded_size(std::string_view item) { return varint_size(item.size()) + item.size(); }

void insert(SpliceBuffer& buf, std::size_t pos, std::initializer_list<std::string_view> items) {
  const Encoded encoded(items);
  const std::uint32_t n = count(buf.view());
  buf.splice(pos, 0, encoded.bytes());
  set_count(buf, n + static_cast<std::uint32_t>(items.size()));
}

void append(SpliceBuffer& buf, std::initializer_list<std::string_view> items) {
  insert(buf, buf.view().size(), items);
}

void erase(SpliceBuffer& buf, std::size_t pos, std::size_t n) {
  const std::string_view run = buf.view();
  const std::uint32_t total = count(run);
  std::size_t end = pos;
  for (std::size_t i = 0; i < n; ++i) end = skip(run, end);
  buf.splice(pos, end - pos, {});
  set_count(buf, total - static_cast<std::uint32_t>(n));
}

void replace(SpliceBuffer& buf, std::size_t pos, std::string_view item) {
  const Encoded encoded({item});
  buf.splice(pos, skip(buf.view(), pos) - pos, encoded.bytes());
}

}  // namespace larder::storage::packed_list
