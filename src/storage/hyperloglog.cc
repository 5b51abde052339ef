#include "larder/storage/hyperloglog.h"

#include <cmath>
#include <cstring>

namespace larder::storage::hll {

namespace {

constexpr int kP = 14;
constexpr int kQ = 64 - kP;
constexpr int kBits = 6;
constexpr unsigned kRegisterMax = (1u << kBits) - 1;
constexpr std::uint64_t kSeed = 0xadc83b19ull;
constexpr double kAlphaInf = 0.721347520444481703680;  // 0.5 / ln(2)

constexpr int kValMaxValue = 32;
constexpr int kValMaxLen = 4;
constexpr int kZeroMaxLen = 64;

using Byte = std::uint8_t;

bool is_zero(const Byte* p) { return (*p & 0xc0) == 0; }
bool is_xzero(const Byte* p) { return (*p & 0xc0) == 0x40; }
bool is_val(const Byte* p) { return (*p & 0x80) != 0; }
int zero_len(const Byte* p) { return (*p & 0x3f) + 1; }
int xzero_len(const Byte* p) { return (((*p & 0x3f) << 8) | p[1]) + 1; }
int val_value(const Byte* p) { return ((*p >> 2) & 0x1f) + 1; }
int val_len(const Byte* p) { return (*p & 0x3) + 1; }
void val_set(Byte* p, int value, int len) { *p = static_cast<Byte>(((value - 1) << 2 | (len - 1)) | 0x80); }
void zero_set(Byte* p, int len) { *p = static_cast<Byte>(len - 1); }
void xzero_set(Byte* p, int len) {
  const int l = len - 1;
  p[0] = static_cast<Byte>((l >> 8) | 0x40);
  p[1] = static_cast<Byte>(l & 0xff);
}

Byte* bytes(std::string& s) { return reinterpret_cast<Byte*>(s.data()); }
const Byte* bytes(std::string_view s) { return reinterpret_cast<const Byte*>(s.data()); }

// Dense registers: 6 bits each, LSB first. The last register's second byte
// would be past the value (Redis reads sds's NUL there): it counts as 0.
unsigned dense_get(const Byte* regs, int index) {
  const std::size_t byte = static_cast<std::size_t>(index) * kBits / 8;
  const unsigned fb = static_cast<unsigned>(index) * kBits & 7;
  const unsigned b0 = regs[byte];
  const unsigned b1 = byte + 1 < (kDenseSize - kHeaderSize) ? regs[byte + 1] : 0;
  return ((b0 >> fb) | (b1 << (8 - fb))) & kRegisterMax;
}

void dense_put(Byte* regs, int index, unsigned value) {
  const std::size_t byte = static_cast<std::size_t>(index) * kBits / 8;
  const unsigned fb = static_cast<unsigned>(index) * kBits & 7;
  regs[byte] = static_cast<Byte>((regs[byte] & ~(kRegisterMax << fb)) | (value << fb));
  if (byte + 1 < kDenseSize - kHeaderSize) {
    const unsigned fb8 = 8 - fb;
    regs[byte + 1] = static_cast<Byte>((regs[byte + 1] & ~(kRegisterMax >> fb8)) | (value >> fb8));
  }
}

int raise_register(Byte* regs, int index, std::uint8_t count) {
  if (count <= dense_get(regs, index)) return 0;
  dense_put(regs, index, count);
  return 1;
}

// Register index and run length of the "000..1" pattern of an element.
int pattern_length(std::string_view element, int& index) {
  std::uint64_t hash = murmur_hash64a(element, kSeed);
  index = static_cast<int>(hash & (kRegisters - 1));
  hash >>= kP;
  hash |= 1ull << kQ;  // the loop ends with count <= Q + 1
  int count = 1;
  for (std::uint64_t bit = 1; (hash & bit) == 0; bit <<= 1) ++count;
  return count;
}

// Visits the runs of a sparse body: visit(first_register, run_length, value)
// with value 0 for ZERO/XZERO. Returns false when the runs do not cover
// exactly kRegisters registers.
template <class Visit>
bool walk_sparse(std::string_view value, Visit&& visit) {
  const Byte* p = bytes(value) + kHeaderSize;
  const Byte* end = bytes(value) + value.size();
  int idx = 0;
  while (p < end) {
    int run, val = 0;
    if (is_zero(p)) {
      run = zero_len(p);
      ++p;
    } else if (is_xzero(p)) {
      if (p + 1 >= end) return false;
      run = xzero_len(p);
      p += 2;
    } else {
      run = val_len(p);
      val = val_value(p);
      ++p;
    }
    if (idx + run > kRegisters) return false;
    visit(idx, run, val);
    idx += run;
  }
  return idx == kRegisters;
}

double sigma(double x) {
  if (x == 1.) return INFINITY;
  double z_prime;
  double y = 1;
  double z = x;
  do {
    x *= x;
    z_prime = z;
    z += x * y;
    y += y;
  } while (z_prime != z);
  return z;
}

double tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double z_prime;
  double y = 1.0;
  double z = 1 - x;
  do {
    x = std::sqrt(x);
    z_prime = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (z_prime != z);
  return z / 3;
}

std::uint64_t estimate(const int (&histo)[64]) {
  const double m = kRegisters;
  double z = m * tau((m - histo[kQ + 1]) / m);
  for (int j = kQ; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  return static_cast<std::uint64_t>(std::llroundl(kAlphaInf * m * m / z));
}

int sparse_set(std::string& value, int index, std::uint8_t count, std::size_t sparse_max_bytes);

}  // namespace

std::uint64_t murmur_hash64a(std::string_view data, std::uint64_t seed) {
  constexpr std::uint64_t m = 0xc6a4a7935bd1e995ull;
  constexpr int r = 47;
  const auto len = static_cast<int>(data.size());
  // Redis passes the seed as an unsigned int and the length as an int.
  std::uint64_t h = static_cast<std::uint32_t>(seed) ^ (static_cast<std::uint64_t>(static_cast<std::int64_t>(len)) * m);
  const Byte* p = bytes(data);
  const Byte* end = p + (len - (len & 7));
  for (; p != end; p += 8) {
    std::uint64_t k = 0;
    for (int i = 7; i >= 0; --i) k = (k << 8) | p[i];
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  switch (len & 7) {
    case 7: h ^= static_cast<std::uint64_t>(p[6]) << 48; [[fallthrough]];
    case 6: h ^= static_cast<std::uint64_t>(p[5]) << 40; [[fallthrough]];
    case 5: h ^= static_cast<std::uint64_t>(p[4]) << 32; [[fallthrough]];
    case 4: h ^= static_cast<std::uint64_t>(p[3]) << 24; [[fallthrough]];
    case 3: h ^= static_cast<std::uint64_t>(p[2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<std::uint64_t>(p[1]) << 8; [[fallthrough]];
    case 1:
      h ^= static_cast<std::uint64_t>(p[0]);
      h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

std::string make_empty() {
  std::string s(kHeaderSize + 2, '\0');
  std::memcpy(s.data(), "HYLL", 4);
  s[4] = static_cast<char>(kSparse);
  xzero_set(bytes(s) + kHeaderSize, kRegisters);
  return s;
}

bool looks_valid(std::string_view value) {
  if (value.size() < kHeaderSize || value.substr(0, 4) != "HYLL") return false;
  const auto enc = static_cast<Byte>(value[4]);
  if (enc > kSparse) return false;
  return enc != kDense || value.size() == kDenseSize;
}

std::uint8_t encoding(std::string_view value) { return static_cast<std::uint8_t>(value[4]); }

bool to_dense(std::string& value) {
  if (encoding(value) == kDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), value.data(), kHeaderSize);  // magic and cached cardinality
  dense[4] = static_cast<char>(kDense);
  Byte* regs = bytes(dense) + kHeaderSize;
  const bool ok = walk_sparse(value, [&](int first, int run, int val) {
    if (val == 0) return;
    for (int i = 0; i < run; ++i) dense_put(regs, first + i, static_cast<unsigned>(val));
  });
  if (!ok) return false;
  value.swap(dense);
  return true;
}

namespace {

int sparse_set(std::string& value, int index, std::uint8_t count, std::size_t sparse_max_bytes) {
  auto promote = [&] {
    if (!to_dense(value)) return -1;
    return raise_register(bytes(value) + kHeaderSize, index, count);
  };
  if (count > kValMaxValue) return promote();

  // Step 1: the opcode covering `index`.
  Byte* sparse = bytes(value) + kHeaderSize;
  Byte* end = bytes(value) + value.size();
  Byte* p = sparse;
  Byte* prev = nullptr;
  long first = 0;
  long span = 0;
  while (p < end) {
    long oplen = 1;
    if (is_zero(p)) {
      span = zero_len(p);
    } else if (is_val(p)) {
      span = val_len(p);
    } else {
      if (p + 1 >= end) return -1;
      span = xzero_len(p);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span == 0 || p >= end) return -1;
  const bool zero = is_zero(p), xzero = is_xzero(p);
  const long runlen = zero ? zero_len(p) : xzero ? xzero_len(p) : val_len(p);

  // Step 2: trivial in-place updates, or the split sequence.
  const std::size_t p_off = static_cast<std::size_t>(p - bytes(value));
  const std::size_t prev_off = prev != nullptr ? static_cast<std::size_t>(prev - bytes(value)) : kHeaderSize;
  bool in_place = false;
  if (!zero && !xzero) {
    const int old = val_value(p);
    if (old >= count) return 0;
    if (runlen == 1) {
      val_set(p, count, 1);
      in_place = true;
    }
  } else if (zero && runlen == 1) {
    val_set(p, count, 1);
    in_place = true;
  }
  if (!in_place) {
    Byte seq[5];
    Byte* n = seq;
    const long last = first + span - 1;
    if (zero || xzero) {
      auto zeros = [&](long len) {
        if (len > kZeroMaxLen) {
          xzero_set(n, static_cast<int>(len));
          n += 2;
        } else {
          zero_set(n, static_cast<int>(len));
          ++n;
        }
      };
      if (index != first) zeros(index - first);
      val_set(n++, count, 1);
      if (index != last) zeros(last - index);
    } else {
      const int cur = val_value(p);
      if (index != first) val_set(n++, cur, static_cast<int>(index - first));
      val_set(n++, count, 1);
      if (index != last) val_set(n++, cur, static_cast<int>(last - index));
    }
    // Step 3: the sequence replaces the opcode, or the value turns dense.
    const auto seqlen = static_cast<std::size_t>(n - seq);
    const std::size_t oldlen = xzero ? 2 : 1;
    if (seqlen > oldlen && value.size() + (seqlen - oldlen) > sparse_max_bytes) return promote();
    value.replace(p_off, oldlen, reinterpret_cast<const char*>(seq), seqlen);
  }

  // Step 4: merge adjacent VAL opcodes of equal value, up to 5 opcodes from
  // the previous one.
  p = bytes(value) + prev_off;
  end = bytes(value) + value.size();
  int scan = 5;
  while (p < end && scan--) {
    if (is_xzero(p)) {
      p += 2;
      continue;
    }
    if (is_zero(p)) {
      ++p;
      continue;
    }
    if (p + 1 < end && is_val(p + 1)) {
      const int v1 = val_value(p), v2 = val_value(p + 1);
      if (v1 == v2) {
        const int len = val_len(p) + val_len(p + 1);
        if (len <= kValMaxLen) {
          val_set(p + 1, v1, len);
          value.erase(static_cast<std::size_t>(p - bytes(value)), 1);
          end = bytes(value) + value.size();
          continue;
        }
      }
    }
    ++p;
  }
  invalidate_cache(value.data());  // as Redis's hllSparseSet, on every change
  return 1;
}

}  // namespace

Pattern pattern_of(std::string_view element) {
  int index = 0;
  const int count = pattern_length(element, index);
  return {index, static_cast<std::uint8_t>(count)};
}

int dense_set(char* value, int index, std::uint8_t count) {
  return raise_register(reinterpret_cast<Byte*>(value) + kHeaderSize, index, count);
}

int set_register(std::string& value, int index, std::uint8_t count, std::size_t sparse_max_bytes) {
  if (encoding(value) == kDense) return raise_register(bytes(value) + kHeaderSize, index, count);
  return sparse_set(value, index, count, sparse_max_bytes);
}

int add(std::string& value, std::string_view element, std::size_t sparse_max_bytes) {
  const Pattern p = pattern_of(element);
  return set_register(value, p.index, p.count, sparse_max_bytes);
}

bool merge_into(RawRegisters& max, std::string_view value) {
  if (encoding(value) == kDense) {
    const Byte* regs = bytes(value) + kHeaderSize;
    for (int i = 0; i < kRegisters; ++i) {
      const auto v = static_cast<std::uint8_t>(dense_get(regs, i));
      if (v > max[static_cast<std::size_t>(i)]) max[static_cast<std::size_t>(i)] = v;
    }
    return true;
  }
  return walk_sparse(value, [&](int first, int run, int val) {
    for (int i = 0; i < run; ++i) {
      auto& m = max[static_cast<std::size_t>(first + i)];
      if (val > m) m = static_cast<std::uint8_t>(val);
    }
  });
}

std::uint64_t count(std::string_view value, bool& invalid) {
  int histo[64] = {};
  if (encoding(value) == kDense) {
    const Byte* regs = bytes(value) + kHeaderSize;
    for (int i = 0; i < kRegisters; ++i) ++histo[dense_get(regs, i)];
  } else {
    // Redis counts the runs it could read even when the body is invalid.
    int covered = 0;
    const Byte* p = bytes(value) + kHeaderSize;
    const Byte* end = bytes(value) + value.size();
    while (p < end) {
      int run, val = 0;
      if (is_zero(p)) {
        run = zero_len(p);
        ++p;
      } else if (is_xzero(p)) {
        run = p + 1 < end ? xzero_len(p) : 0;
        p += 2;
      } else {
        run = val_len(p);
        val = val_value(p);
        ++p;
      }
      if (run > kRegisters - covered) {  // more registers than there are (and no int overflow)
        invalid = true;
        break;
      }
      covered += run;
      histo[val] += run;
    }
    if (covered != kRegisters) invalid = true;
  }
  return estimate(histo);
}

std::uint64_t count_raw(const RawRegisters& registers) {
  int histo[64] = {};
  for (std::uint8_t r : registers) ++histo[r & 63];
  return estimate(histo);
}

bool cached_cardinality(std::string_view value, std::uint64_t& card) {
  if ((static_cast<Byte>(value[15]) & 0x80) != 0) return false;
  card = 0;
  for (int i = 7; i >= 0; --i) card = (card << 8) | static_cast<Byte>(value[8 + static_cast<std::size_t>(i)]);
  return true;
}

void set_cached_cardinality(char* value, std::uint64_t card) {
  for (int i = 0; i < 8; ++i) value[8 + i] = static_cast<char>((card >> (8 * i)) & 0xff);
}

void invalidate_cache(char* value) { value[15] = static_cast<char>(static_cast<Byte>(value[15]) | 0x80); }

std::uint8_t dense_register(std::string_view value, int index) {
  return static_cast<std::uint8_t>(dense_get(bytes(value) + kHeaderSize, index));
}

void put_dense_register(char* value, int index, std::uint8_t v) {
  dense_put(reinterpret_cast<Byte*>(value) + kHeaderSize, index, v);
}

std::string decode_sparse(std::string_view value) {
  std::string out;
  const Byte* p = bytes(value) + kHeaderSize;
  const Byte* end = bytes(value) + value.size();
  while (p < end) {
    if (!out.empty()) out += ' ';
    if (is_zero(p)) {
      out += "z:" + std::to_string(zero_len(p));
      ++p;
    } else if (is_xzero(p)) {
      out += "Z:" + std::to_string(p + 1 < end ? xzero_len(p) : 0);
      p += 2;
    } else {
      out += "v:" + std::to_string(val_value(p)) + "," + std::to_string(val_len(p));
      ++p;
    }
  }
  return out;
}

}  // namespace larder::storage::hll
