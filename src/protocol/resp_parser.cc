#include "larder/protocol/resp_parser.h"

#include <algorithm>
#include <cstring>

#include "larder/protocol/errors.h"
#include "larder/util/numbers.h"
#include "larder/util/split_args.h"

namespace larder::protocol {

namespace {

// Redis finds a line's end with strchr() on its query buffer, so a NUL byte
// before it hides it: the line never ends and the client gets no reply until
// the buffer outgrows the limit. Returns the index of the first `end` byte at or
// after `from`, or npos; `resume` gets where the next search may start (the
// NUL, when one blocks the line, so that it is seen again).
std::size_t find_line_end(std::string_view buf, std::size_t from, char end, std::size_t& resume) {
  resume = buf.size();
  if (from >= buf.size()) return std::string_view::npos;
  const char* base = buf.data();
  const void* hit = std::memchr(base + from, end, buf.size() - from);
  const std::size_t stop = hit == nullptr ? buf.size() : static_cast<const char*>(hit) - base;
  if (const void* nul = std::memchr(base + from, '\0', stop - from)) {
    resume = static_cast<const char*>(nul) - base;
    return std::string_view::npos;
  }
  if (hit == nullptr) return std::string_view::npos;
  resume = stop;
  return stop;
}

// Finds "\r" followed by a byte (Redis requires room for the "\n"); npos when
// the line is not complete yet. `resume` as for find_line_end.
std::size_t find_cr(std::string_view buf, std::size_t from, std::size_t& resume) {
  std::size_t cr = find_line_end(buf, from, '\r', resume);
  return cr != std::string_view::npos && cr + 1 < buf.size() ? cr : std::string_view::npos;
}

}  // namespace

void RespParser::reset() {
  pos_ = 0;
  pending_args_ = -1;
  bulk_len_ = -1;
  scanned_ = 0;
  spans_.clear();
}

ParseStatus RespParser::fail(std::string_view text) {
  error_.assign(text);
  reset();
  return ParseStatus::kError;
}

ParseStatus RespParser::parse(std::string_view buf) {
  args_.clear();
  consumed_ = 0;
  if (buf.empty()) return ParseStatus::kIncomplete;
  return buf[0] == '*' ? parse_multibulk(buf) : parse_inline(buf);
}

ParseStatus RespParser::parse_multibulk(std::string_view buf) {
  if (pending_args_ < 0) {
    std::size_t resume = 0;
    std::size_t cr = find_cr(buf, std::max<std::size_t>(scanned_, 1), resume);
    if (cr == std::string_view::npos) {
      if (buf.size() > limits_.max_inline_bytes) return fail(err::kProtoBigMbulkCount);
      scanned_ = std::min(resume, buf.size() - 1);
      return ParseStatus::kIncomplete;
    }
    if (cr >= limits_.max_inline_bytes + kReadSlack) return fail(err::kProtoBigMbulkCount);
    std::int64_t n = 0;
    if (!util::parse_int64(buf.substr(1, cr - 1), n) ||
        n > static_cast<std::int64_t>(limits_.max_array_elements)) {
      return fail(err::kProtoInvalidMultibulk);
    }
    if (limits_.unauthenticated && n > kUnauthMaxArrayElements) return fail(err::kProtoUnauthMultibulk);
    pos_ = cr + 2;
    scanned_ = pos_;
    if (n <= 0) {  // "*0" and "*-1" are empty commands, skipped like Redis does.
      consumed_ = pos_;
      reset();
      return ParseStatus::kCommand;
    }
    pending_args_ = n;
    // Never trust a declared length: reserve at most what a small command needs.
    spans_.reserve(std::min<std::int64_t>(n, 1024));
  }

  while (pending_args_ > 0) {
    if (bulk_len_ < 0) {
      std::size_t resume = 0;
      std::size_t cr = find_cr(buf, std::max(scanned_, pos_), resume);
      if (cr == std::string_view::npos) {
        if (buf.size() - pos_ > limits_.max_inline_bytes) return fail(err::kProtoBigBulkCount);
        scanned_ = std::max(pos_, std::min(resume, buf.size() - 1));
        return ParseStatus::kIncomplete;
      }
      if (buf[pos_] != '$') {
        std::string text = "ERR Protocol error: expected '$', got '";
        text += buf[pos_];
        text += "'";
        return fail(text);
      }
      std::int64_t len = 0;
      if (!util::parse_int64(buf.substr(pos_ + 1, cr - pos_ - 1), len) || len < 0 ||
          static_cast<std::uint64_t>(len) > limits_.max_bulk_bytes) {
        return fail(err::kProtoInvalidBulk);
      }
      if (limits_.unauthenticated && len > kUnauthMaxBulkBytes) return fail(err::kProtoUnauthBulk);
      bulk_len_ = len;
      pos_ = cr + 2;
      scanned_ = pos_;
    }
    // The payload is followed by two bytes (CRLF) that Redis skips unchecked.
    std::size_t need = static_cast<std::size_t>(bulk_len_) + 2;
    if (buf.size() - pos_ < need) return ParseStatus::kIncomplete;
    spans_.push_back({pos_, static_cast<std::size_t>(bulk_len_)});
    pos_ += need;
    scanned_ = pos_;
    bulk_len_ = -1;
    --pending_args_;
  }

  args_.reserve(spans_.size());
  for (const Span& s : spans_) args_.emplace_back(buf.data() + s.offset, s.length);
  consumed_ = pos_;
  reset();
  return ParseStatus::kCommand;
}

ParseStatus RespParser::parse_inline(std::string_view buf) {
  std::size_t resume = 0;
  const std::size_t nl = find_line_end(buf, scanned_, '\n', resume);
  if (nl == std::string_view::npos) {
    if (buf.size() > limits_.max_inline_bytes) return fail(err::kProtoBigInline);
    scanned_ = resume;
    return ParseStatus::kIncomplete;
  }
  if (nl >= limits_.max_inline_bytes + kReadSlack) return fail(err::kProtoBigInline);
  std::size_t line_end = (nl > 0 && buf[nl - 1] == '\r') ? nl - 1 : nl;
  auto split = util::split_args(buf.substr(0, line_end));
  if (!split) return fail(err::kProtoUnbalancedQuotes);
  inline_args_ = std::move(*split);
  for (const std::string& a : inline_args_) args_.emplace_back(a);
  consumed_ = nl + 1;
  reset();
  return ParseStatus::kCommand;
}

}  // namespace larder::protocol
