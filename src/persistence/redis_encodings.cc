#include "larder/persistence/redis_encodings.h"

#include <cstring>

#include "larder/persistence/rdb_reader.h"

namespace larder::persistence::redis_enc {

namespace {

[[noreturn]] void corrupt(const char* what) {
  throw RdbError(RdbError::Kind::kBadFormat, std::string("corrupt ") + what);
}

std::uint64_t load_le(const char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

// Sign-extends the low `bits` bits of v.
std::int64_t sign_extend(std::uint64_t v, unsigned bits) {
  const std::uint64_t m = std::uint64_t{1} << (bits - 1);
  v &= (bits == 64) ? ~std::uint64_t{0} : (m << 1) - 1;
  return static_cast<std::int64_t>((v ^ m) - m);
}

void put_le(std::string& out, std::uint64_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

// Bytes lpEncodeBacklen takes for an entry of `l` bytes.
std::size_t backlen_size(std::size_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

// Encoding + data bytes of an integer entry.
std::size_t int_entry_size(std::int64_t v) {
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= INT32_MIN && v <= INT32_MAX) return 5;
  return 9;
}

std::size_t str_entry_size(std::size_t len) {
  if (len < 64) return 1 + len;
  if (len < 4096) return 2 + len;
  return 5 + len;
}

}  // namespace

void ListpackBuilder::clear() {
  buf_.assign(6, '\0');
  count_ = 0;
}

void ListpackBuilder::add_backlen(std::size_t l) {
  char b[5];
  std::size_t n = backlen_size(l);
  switch (n) {
    case 1: b[0] = static_cast<char>(l); break;
    case 2:
      b[0] = static_cast<char>(l >> 7);
      b[1] = static_cast<char>((l & 127) | 128);
      break;
    case 3:
      b[0] = static_cast<char>(l >> 14);
      b[1] = static_cast<char>(((l >> 7) & 127) | 128);
      b[2] = static_cast<char>((l & 127) | 128);
      break;
    case 4:
      b[0] = static_cast<char>(l >> 21);
      b[1] = static_cast<char>(((l >> 14) & 127) | 128);
      b[2] = static_cast<char>(((l >> 7) & 127) | 128);
      b[3] = static_cast<char>((l & 127) | 128);
      break;
    default:
      b[0] = static_cast<char>(l >> 28);
      b[1] = static_cast<char>(((l >> 21) & 127) | 128);
      b[2] = static_cast<char>(((l >> 14) & 127) | 128);
      b[3] = static_cast<char>(((l >> 7) & 127) | 128);
      b[4] = static_cast<char>((l & 127) | 128);
  }
  buf_.append(b, n);
}

void ListpackBuilder::add_int(std::int64_t v) {
  const std::size_t n = int_entry_size(v);
  switch (n) {
    case 1: buf_.push_back(static_cast<char>(v)); break;
    case 2: {
      const auto u = static_cast<std::uint64_t>(v < 0 ? (1 << 13) + v : v);
      buf_.push_back(static_cast<char>((u >> 8) | 0xC0));
      buf_.push_back(static_cast<char>(u & 0xff));
      break;
    }
    case 3: buf_.push_back('\xF1'); put_le(buf_, static_cast<std::uint64_t>(v), 2); break;
    case 4: buf_.push_back('\xF2'); put_le(buf_, static_cast<std::uint64_t>(v), 3); break;
    case 5: buf_.push_back('\xF3'); put_le(buf_, static_cast<std::uint64_t>(v), 4); break;
    default: buf_.push_back('\xF4'); put_le(buf_, static_cast<std::uint64_t>(v), 8);
  }
  add_backlen(n);
  ++count_;
}

void ListpackBuilder::add(std::string_view s) {
  std::int64_t v = 0;
  if (s.size() <= 20 && util::parse_int64(s, v)) {
    add_int(v);
    return;
  }
  const std::size_t len = s.size();
  if (len < 64) {
    buf_.push_back(static_cast<char>(0x80 | len));
  } else if (len < 4096) {
    buf_.push_back(static_cast<char>(0xE0 | (len >> 8)));
    buf_.push_back(static_cast<char>(len & 0xff));
  } else {
    buf_.push_back('\xF0');
    put_le(buf_, len, 4);
  }
  buf_.append(s);
  add_backlen(str_entry_size(len));
  ++count_;
}

std::string_view ListpackBuilder::finish() {
  buf_.push_back('\xFF');
  const std::uint64_t total = buf_.size();
  for (int i = 0; i < 4; ++i) buf_[i] = static_cast<char>(total >> (8 * i));
  const std::size_t n = count_ < 65535 ? count_ : 65535;
  buf_[4] = static_cast<char>(n & 0xff);
  buf_[5] = static_cast<char>(n >> 8);
  return buf_;
}

std::size_t listpack_entry_size(std::string_view s) {
  std::int64_t v = 0;
  const std::size_t l = (s.size() <= 20 && util::parse_int64(s, v)) ? int_entry_size(v) : str_entry_size(s.size());
  return l + backlen_size(l);
}

ListpackCursor::ListpackCursor(std::string_view lp) : lp_(lp), pos_(6) {
  if (lp.size() < 7 || load_le(lp.data(), 4) != lp.size() || static_cast<unsigned char>(lp.back()) != 0xFF) {
    corrupt("listpack header");
  }
  header_count_ = load_le(lp.data() + 4, 2);
}

bool ListpackCursor::next(Element& e) {
  if (pos_ >= lp_.size()) corrupt("listpack");
  const char* p = lp_.data() + pos_;
  const std::size_t left = lp_.size() - 1 - pos_;  // bytes before the terminator
  const auto b = static_cast<unsigned char>(p[0]);
  if (b == 0xFF) {
    if (left != 0) corrupt("listpack terminator");
    return false;
  }
  std::size_t size = 0;
  auto need = [&](std::size_t n) {
    if (n > left) corrupt("listpack entry");
  };
  if ((b & 0x80) == 0) {
    e.set_int(b);
    size = 1;
  } else if ((b & 0xC0) == 0x80) {
    const std::size_t len = b & 0x3f;
    need(1 + len);
    e.set_str({p + 1, len});
    size = 1 + len;
  } else if ((b & 0xE0) == 0xC0) {
    need(2);
    e.set_int(sign_extend((static_cast<std::uint64_t>(b & 0x1f) << 8) | static_cast<unsigned char>(p[1]), 13));
    size = 2;
  } else if ((b & 0xF0) == 0xE0) {
    need(2);
    const std::size_t len = (static_cast<std::size_t>(b & 0x0f) << 8) | static_cast<unsigned char>(p[1]);
    need(2 + len);
    e.set_str({p + 2, len});
    size = 2 + len;
  } else if (b == 0xF0) {
    need(5);
    const std::size_t len = load_le(p + 1, 4);
    need(5 + len);
    e.set_str({p + 5, len});
    size = 5 + len;
  } else {
    std::size_t n = 0;
    switch (b) {
      case 0xF1: n = 2; break;
      case 0xF2: n = 3; break;
      case 0xF3: n = 4; break;
      case 0xF4: n = 8; break;
      default: corrupt("listpack encoding");
    }
    need(1 + n);
    e.set_int(sign_extend(load_le(p + 1, n), static_cast<unsigned>(8 * n)));
    size = 1 + n;
  }
  size += backlen_size(size);
  need(size);
  pos_ += size;
  return true;
}

ZiplistCursor::ZiplistCursor(std::string_view zl) : zl_(zl), pos_(10) {
  if (zl.size() < 11 || load_le(zl.data(), 4) != zl.size() || static_cast<unsigned char>(zl.back()) != 0xFF) {
    corrupt("ziplist header");
  }
}

bool ZiplistCursor::next(Element& e) {
  if (pos_ >= zl_.size()) corrupt("ziplist");
  const std::size_t left = zl_.size() - 1 - pos_;
  const char* p = zl_.data() + pos_;
  if (static_cast<unsigned char>(p[0]) == 0xFF) {
    if (left != 0) corrupt("ziplist terminator");
    return false;
  }
  auto need = [&](std::size_t n) {
    if (n > left) corrupt("ziplist entry");
  };
  std::size_t h = static_cast<unsigned char>(p[0]) < 254 ? 1 : 5;
  need(h + 1);
  const auto b = static_cast<unsigned char>(p[h]);
  std::size_t size = 0;
  switch (b >> 6) {
    case 0: {
      const std::size_t len = b & 0x3f;
      need(h + 1 + len);
      e.set_str({p + h + 1, len});
      size = h + 1 + len;
      break;
    }
    case 1: {
      need(h + 2);
      const std::size_t len = (static_cast<std::size_t>(b & 0x3f) << 8) | static_cast<unsigned char>(p[h + 1]);
      need(h + 2 + len);
      e.set_str({p + h + 2, len});
      size = h + 2 + len;
      break;
    }
    case 2: {
      need(h + 5);
      std::size_t len = 0;
      for (int i = 1; i <= 4; ++i) len = (len << 8) | static_cast<unsigned char>(p[h + i]);
      need(h + 5 + len);
      e.set_str({p + h + 5, len});
      size = h + 5 + len;
      break;
    }
    default: {
      std::size_t n = 0;
      if (b >= 0xF1 && b <= 0xFD) {
        e.set_int(static_cast<std::int64_t>(b & 0x0f) - 1);
      } else {
        switch (b) {
          case 0xC0: n = 2; break;
          case 0xD0: n = 4; break;
          case 0xE0: n = 8; break;
          case 0xF0: n = 3; break;
          case 0xFE: n = 1; break;
          default: corrupt("ziplist encoding");
        }
        need(h + 1 + n);
        e.set_int(sign_extend(load_le(p + h + 1, n), static_cast<unsigned>(8 * n)));
      }
      size = h + 1 + n;
    }
  }
  pos_ += size;
  return true;
}

ZipmapCursor::ZipmapCursor(std::string_view zm) : zm_(zm), pos_(1) {
  if (zm.size() < 2 || static_cast<unsigned char>(zm.back()) != 0xFF) corrupt("zipmap");
}

std::size_t ZipmapCursor::read_len(std::size_t& len) {
  if (pos_ >= zm_.size()) corrupt("zipmap");
  const auto b = static_cast<unsigned char>(zm_[pos_]);
  if (b == 0xFF) return 0;
  if (b < 254) {
    len = b;
    pos_ += 1;
    return 1;
  }
  if (b == 255 || pos_ + 5 > zm_.size()) corrupt("zipmap length");
  len = load_le(zm_.data() + pos_ + 1, 4);
  pos_ += 5;
  return 5;
}

bool ZipmapCursor::next(std::string_view& field, std::string_view& value) {
  std::size_t len = 0;
  if (read_len(len) == 0) {
    if (pos_ + 1 != zm_.size()) corrupt("zipmap terminator");
    return false;
  }
  if (len > zm_.size() - pos_) corrupt("zipmap field");
  field = zm_.substr(pos_, len);
  pos_ += len;
  if (read_len(len) == 0 || pos_ >= zm_.size()) corrupt("zipmap value");
  const std::size_t free = static_cast<unsigned char>(zm_[pos_++]);
  if (len + free > zm_.size() - pos_) corrupt("zipmap value");
  value = zm_.substr(pos_, len);
  pos_ += len + free;
  return true;
}

RedisIntset::RedisIntset(std::string_view blob) : blob_(blob) {
  if (blob.size() < 8) corrupt("intset");
  width_ = load_le(blob.data(), 4);
  count_ = load_le(blob.data() + 4, 4);
  if ((width_ != 2 && width_ != 4 && width_ != 8) || blob.size() != 8 + width_ * count_) corrupt("intset");
}

std::int64_t RedisIntset::at(std::size_t i) const {
  return sign_extend(load_le(blob_.data() + 8 + i * width_, width_), static_cast<unsigned>(8 * width_));
}

}  // namespace larder::persistence::redis_enc
