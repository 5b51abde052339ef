#include "larder/util/numbers.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace larder::util {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses a canonical unsigned decimal ("0" or no leading zero) of at most 20
// bytes into `out`; false on anything else or on uint64_t overflow.
bool parse_canonical_u64(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() == 1 && s[0] == '0') {
    out = 0;
    return true;
  }
  if (s[0] < '1' || s[0] > '9') return false;
  uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    const auto d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

bool iequals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char c = a[i] >= 'A' && a[i] <= 'Z' ? a[i] - 'A' + 'a' : a[i];
    if (c != lower[i]) return false;
  }
  return true;
}

constexpr char kDigitPairs[] =
    "0001020304050607080910111213141516171819202122232425262728293031323334"
    "3536373839404142434445464748495051525354555657585960616263646566676869"
    "707172737475767778798081828384858687888990919293949596979899";
static_assert(sizeof(kDigitPairs) == 201);

std::size_t digit_count(uint64_t v) {
  std::size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

}  // namespace

bool parse_int64(std::string_view s, int64_t& out) {
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  // "-0" is rejected, and the unsigned part may not exceed 19 digits here,
  // which together with the '-' keeps the 20-byte limit of string2ll().
  uint64_t v = 0;
  if (s.size() > 19 || !parse_canonical_u64(s, v)) return false;
  if (negative) {
    if (v == 0) return false;
    constexpr uint64_t kMinMagnitude =
        static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1;
    if (v > kMinMagnitude) return false;
    out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return false;
    }
    out = static_cast<int64_t>(v);
  }
  return true;
}

bool parse_uint64(std::string_view s, uint64_t& out) {
  return parse_canonical_u64(s, out);
}

bool parse_double(std::string_view s, double& out) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0])) ||
      s.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string buf(s);  // strtod() needs a NUL-terminated string
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v)) return false;
  if (errno == ERANGE && (std::isinf(v) || v == 0)) return false;
  out = v;
  return true;
}

std::size_t format_int64(int64_t v, char* buf) {
  // Magnitude as unsigned so that INT64_MIN needs no special case.
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  const std::size_t sign = v < 0 ? 1 : 0;
  const std::size_t len = sign + digit_count(u);
  buf[len] = '\0';
  std::size_t pos = len;
  while (u >= 100) {
    const std::size_t i = static_cast<std::size_t>(u % 100) * 2;
    u /= 100;
    buf[--pos] = kDigitPairs[i + 1];
    buf[--pos] = kDigitPairs[i];
  }
  if (u >= 10) {
    const std::size_t i = static_cast<std::size_t>(u) * 2;
    buf[--pos] = kDigitPairs[i + 1];
    buf[--pos] = kDigitPairs[i];
  } else {
    buf[--pos] = static_cast<char>('0' + u);
  }
  if (sign) buf[0] = '-';
  return len;
}

std::size_t format_double(double v, char* buf) {
  if (std::isinf(v)) {
    const std::string_view text = v > 0 ? "inf" : "-inf";
    std::memcpy(buf, text.data(), text.size());
    return text.size();
  }
  // to_chars with a precision writes what printf's "%.*g" writes (C locale),
  // several times faster; "%.17g" takes at most 24 bytes.
  return static_cast<std::size_t>(
      std::to_chars(buf, buf + kDoubleBufSize, v, std::chars_format::general, 17).ptr - buf);
}

std::string format_double(double v) {
  char buf[kDoubleBufSize];
  return std::string(buf, format_double(v, buf));
}

bool parse_memory_size(std::string_view s, uint64_t& out) {
  std::size_t digits = 0;
  while (digits < s.size() && is_digit(s[digits])) ++digits;
  if (digits == 0 || digits >= 128) return false;

  const std::string_view unit = s.substr(digits);
  uint64_t mul = 0;
  if (unit.empty() || iequals(unit, "b")) {
    mul = 1;
  } else if (iequals(unit, "k")) {
    mul = 1000;
  } else if (iequals(unit, "kb")) {
    mul = 1024;
  } else if (iequals(unit, "m")) {
    mul = 1000 * 1000;
  } else if (iequals(unit, "mb")) {
    mul = 1024 * 1024;
  } else if (iequals(unit, "g")) {
    mul = 1000ULL * 1000 * 1000;
  } else if (iequals(unit, "gb")) {
    mul = 1024ULL * 1024 * 1024;
  } else {
    return false;
  }

  uint64_t v = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const auto d = static_cast<uint64_t>(s[i] - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  if (v > std::numeric_limits<uint64_t>::max() / mul) return false;
  out = v * mul;
  return true;
}

// Redis's MAX_LONG_DOUBLE_CHARS: the buffer of string2ld() and ld2string().
constexpr std::size_t kMaxLongDoubleChars = 5 * 1024;

bool parse_long_double(std::string_view s, long double& out) {
  char buf[kMaxLongDoubleChars];
  if (s.empty() || s.size() >= sizeof(buf)) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  errno = 0;
  char* end = nullptr;
  const long double v = std::strtold(buf, &end);
  if (std::isspace(static_cast<unsigned char>(buf[0])) || *end != '\0' ||
      static_cast<std::size_t>(end - buf) != s.size() ||
      (errno == ERANGE && (std::isinf(v) || std::fpclassify(v) == FP_ZERO)) || errno == EINVAL ||
      std::isnan(v)) {
    return false;
  }
  out = v;
  return true;
}

std::string format_long_double_human(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[kMaxLongDoubleChars];
  const int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n < 0 || static_cast<std::size_t>(n) + 1 > sizeof(buf)) return std::string();
  std::size_t len = static_cast<std::size_t>(n);
  if (std::memchr(buf, '.', len) != nullptr) {
    while (buf[len - 1] == '0') --len;
    if (buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') return "0";
  return std::string(buf, len);
}

}  // namespace larder::util
