#include "larder/storage/intset.h"

#include <string>

namespace larder::storage::intset {

namespace {

std::size_t width_of(std::string_view set) { return static_cast<unsigned char>(set[0]); }

// The smallest width that holds `v`.
std::size_t width_for(std::int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

std::int64_t load(const char* p, std::size_t width) {
  std::uint64_t u = 0;
  for (std::size_t i = 0; i < width; ++i) {
    u |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  // Sign-extend from the top bit of the stored width.
  const unsigned unused = 64 - 8 * static_cast<unsigned>(width);
  return static_cast<std::int64_t>(u << unused) >> unused;
}

void store(char* p, std::size_t width, std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  for (std::size_t i = 0; i < width; ++i) p[i] = static_cast<char>(u >> (8 * i));
}

void store_count(char* set, std::uint32_t n) {
  for (int i = 0; i < 4; ++i) set[1 + i] = static_cast<char>(n >> (8 * i));
}

// The index of `v`, or of the first member greater than it; `found` says which.
std::size_t search(std::string_view set, std::int64_t v, bool& found) {
  const std::size_t width = width_of(set);
  const char* values = set.data() + kHeader;
  std::size_t lo = 0;
  std::size_t hi = count(set);
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    const std::int64_t m = load(values + mid * width, width);
    if (m < v) {
      lo = mid + 1;
    } else if (m > v) {
      hi = mid;
    } else {
      found = true;
      return mid;
    }
  }
  found = false;
  return lo;
}

// Rewrites the set at `width` (wider than its own) with `v` added. `v` does
// not fit the old width, so it is below or above every member.
void upgrade_and_add(SpliceBuffer& buf, std::size_t width, std::int64_t v) {
  const std::string_view set = buf.view();
  const std::size_t old_width = width_of(set);
  const std::uint32_t n = count(set);
  std::string bytes(kHeader + (static_cast<std::size_t>(n) + 1) * width, '\0');
  bytes[0] = static_cast<char>(width);
  store_count(bytes.data(), n + 1);
  char* out = bytes.data() + kHeader;
  if (v < 0) {
    store(out, width, v);
    out += width;
  }
  for (std::uint32_t i = 0; i < n; ++i, out += width) {
    store(out, width, load(set.data() + kHeader + i * old_width, old_width));
  }
  if (v >= 0) store(out, width, v);
  buf.splice(0, set.size(), bytes);
}

}  // namespace

std::uint32_t count(std::string_view set) {
  std::uint32_t n = 0;
  for (int i = 0; i < 4; ++i) {
    n |= static_cast<std::uint32_t>(static_cast<unsigned char>(set[1 + i])) << (8 * i);
  }
  return n;
}

std::int64_t at(std::string_view set, std::size_t index) {
  const std::size_t width = width_of(set);
  return load(set.data() + kHeader + index * width, width);
}

bool contains(std::string_view set, std::int64_t v) {
  if (width_for(v) > width_of(set)) return false;
  bool found = false;
  search(set, v, found);
  return found;
}

bool add(SpliceBuffer& buf, std::int64_t v) {
  const std::string_view set = buf.view();
  const std::size_t width = width_of(set);
  if (const std::size_t needed = width_for(v); needed > width) {
    upgrade_and_add(buf, needed, v);
    return true;
  }
  bool found = false;
  const std::size_t index = search(set, v, found);
  if (found) return false;
  const std::uint32_t n = count(set);
  char encoded[8];
  store(encoded, width, v);
  buf.splice(kHeader + index * width, 0, {encoded, width});
  store_count(buf.data(), n + 1);
  return true;
}

bool remove(SpliceBuffer& buf, std::int64_t v) {
  const std::string_view set = buf.view();
  const std::size_t width = width_of(set);
  if (width_for(v) > width) return false;
  bool found = false;
  const std::size_t index = search(set, v, found);
  if (!found) return false;
  const std::uint32_t n = count(set);
  buf.splice(kHeader + index * width, width, {});
  store_count(buf.data(), n - 1);
  return true;
}

}  // namespace larder::storage::intset
