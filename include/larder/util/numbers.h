#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace larder::util {

// Longest format_int64() output ("-9223372036854775808") plus its NUL.
inline constexpr std::size_t kInt64BufSize = 21;

// Redis string2ll(): an optional '-', then "0" alone or a digit 1-9 followed
// by digits. Rejects empty input, '+', whitespace, leading zeros, "-0", more
// than 20 bytes and anything outside int64_t. `out` is untouched on failure.
bool parse_int64(std::string_view s, int64_t& out);

// string2ll()'s rules without the sign, over the whole uint64_t range: "0" or
// a digit 1-9 followed by digits, no '+', '-', whitespace or leading zeros.
// (Redis's string2ull() falls back to strtoull(), which is laxer.)
bool parse_uint64(std::string_view s, uint64_t& out);

// Redis getDoubleFromObject(): the whole of `s` must be a strtod() number, so
// "+1.5", ".5", "5.", "1e3", hex floats ("0x1p-2") and "inf"/"-inf"/"Infinity"
// (any case) are accepted. Rejects empty input, leading or trailing
// whitespace, NaN, overflow to +-inf (1e400) and underflow to zero (1e-400);
// denormal results (1e-310) are accepted. Assumes the "C" LC_NUMERIC locale.
// `out` is untouched on failure.
bool parse_double(std::string_view s, double& out);

// Redis string2ld(): the whole of `s` must be a strtold() number (so hex
// floats and "inf" are accepted) shorter than Redis's MAX_LONG_DOUBLE_CHARS
// (5 KiB), with no leading whitespace; NaN, overflow to +-inf and underflow
// to zero are rejected. The x86-64 long double range is wider than double's
// ("1e400" is valid). Assumes the "C" LC_NUMERIC locale.
bool parse_long_double(std::string_view s, long double& out);

// Redis ld2string(LD_STR_HUMAN), INCRBYFLOAT's result format: "%.17Lf" with
// the trailing zeros (and a bare '.') removed and "-0" written as "0"
// (0.1 -> "0.1", 3.0e3 -> "3000", 10.5 + 0.1 -> "10.6"). Like Redis, a text
// that does not fit its buffer becomes the empty string.
std::string format_long_double_human(long double v);

// True when a + b leaves int64_t (the INCRBY family's overflow check).
inline bool add_overflows(int64_t a, int64_t b) {
  return (b < 0 && a < 0 && b < INT64_MIN - a) || (b > 0 && a > 0 && b > INT64_MAX - a);
}

// Writes the decimal form of `v` and a terminating NUL into `buf`, which must
// hold kInt64BufSize bytes. Returns the length excluding the NUL.
std::size_t format_int64(int64_t v, char* buf);

// RESP2 double reply text as Redis 7.0's addReplyDouble(): "inf" / "-inf" for
// infinities, otherwise printf("%.17g") (1.1 -> "1.1000000000000001", -0.0 ->
// "-0", 1e17 -> "1e+17").
std::string format_double(double v);
// The same text written to `buf` (kDoubleBufSize bytes, no NUL); returns its
// length.
inline constexpr std::size_t kDoubleBufSize = 32;
std::size_t format_double(double v, char* buf);

// Redis memtoull() for memory config values: one or more ASCII digits
// (leading zeros allowed) optionally followed by a case-insensitive unit:
// b = 1, k = 1000, kb = 1024, m = 1000^2, mb = 1024^2, g = 1000^3,
// gb = 1024^3. Rejects signs, whitespace, fractions, other units and 128 or
// more digits. Unlike Redis 7.0.15, which accepts "" and "kb" as 0,
// saturates plain values above UINT64_MAX, wraps on unit overflow and ignores
// everything from a NUL byte on, this rejects a missing number, any result
// above UINT64_MAX and NUL bytes. `out` is untouched on failure.
bool parse_memory_size(std::string_view s, uint64_t& out);

}  // namespace larder::util
