#pragma once
// Resumable RESP2 request parser: arrays of bulk strings and inline commands.
// Does no I/O. The caller passes the unconsumed bytes of the stream, always
// starting at the first byte of the command being parsed; when a call returns
// kIncomplete the next call must pass the same bytes plus whatever arrived since
// (they may have moved in memory: the parser keeps offsets, never pointers).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace larder::protocol {

struct ParserLimits {
  std::size_t max_bulk_bytes = 512ull * 1024 * 1024;  // proto-max-bulk-len
  std::size_t max_array_elements = 2147483647;        // arguments per command (INT_MAX)
  std::size_t max_inline_bytes = 64 * 1024;           // inline line / length line
  // Redis's caps before AUTH: more arguments or a longer bulk (within the
  // limits above) fails with "unauthenticated multibulk/bulk length".
  bool unauthenticated = false;
};
inline constexpr std::int64_t kUnauthMaxArrayElements = 10;
inline constexpr std::int64_t kUnauthMaxBulkBytes = 16384;

// Redis refuses a line once more than max_inline_bytes are buffered without
// its end, checking after each read; on a fresh connection its first read is
// 16 KiB and the next up to 64 KiB more, so a first line (inline, or the "*N"
// header) that ends within 80 KiB is still accepted when it arrives at once. The parser refuses such a line when its end lies further, even if
// it arrived in one read. (Bulk length lines, further into a command, get no
// such limit: Redis's reads there are larger still.)
inline constexpr std::size_t kReadSlack = 16 * 1024;

enum class ParseStatus { kCommand, kIncomplete, kError };

class RespParser {
 public:
  explicit RespParser(ParserLimits limits = {}) : limits_(limits) {}

  // Parses at most one command at the start of `buf`.
  //  kCommand:    args() holds the command (empty for a blank inline line or
  //               "*0"), consumed() bytes of `buf` belong to it. Views point
  //               into `buf` or into the parser; valid until the next parse().
  //  kIncomplete: more bytes are needed; nothing may be consumed yet.
  //  kError:      error() is Redis's reply text; the stream is unusable.
  ParseStatus parse(std::string_view buf);

  const std::vector<std::string_view>& args() const { return args_; }
  std::size_t consumed() const { return consumed_; }
  std::string_view error() const { return error_; }

  void set_max_bulk_bytes(std::size_t n) { limits_.max_bulk_bytes = n; }
  // Applies to array and bulk headers parsed from now on.
  void set_unauthenticated(bool on) { limits_.unauthenticated = on; }
  // Forgets a partly parsed command: the next parse() starts a new one.
  void reset();

 private:
  ParseStatus parse_multibulk(std::string_view buf);
  ParseStatus parse_inline(std::string_view buf);
  ParseStatus fail(std::string_view text);

  struct Span {
    std::size_t offset;
    std::size_t length;
  };

  ParserLimits limits_;
  // State of the command in progress (offsets relative to its first byte).
  std::size_t pos_ = 0;            // bytes of the command parsed so far
  std::int64_t pending_args_ = -1; // -1: array header not read yet
  std::int64_t bulk_len_ = -1;     // -1: bulk header not read yet
  std::size_t scanned_ = 0;        // bytes already searched for a line end
  std::vector<Span> spans_;
  // Result of the last call.
  std::vector<std::string_view> args_;
  std::vector<std::string> inline_args_;
  std::size_t consumed_ = 0;
  std::string error_;
};

}  // namespace larder::protocol
