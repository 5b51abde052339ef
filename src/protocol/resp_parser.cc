#include "larder/protocol/resp_parser.h"

#include <algorithm>
#include <cstring>

#include "larder/protocol/errors.h"
#include "larder/util/numbers.h"
#include "larder/util/split_args.h"

namespace larder::protocol {

namespace {

// Finds "\r" followed by a byte (Redis requires room for the "\n") at or after
// `from`; returns npos when the line is not complete yet.
std::size_t find_cr(std::string_view buf, std::size_t from) {
  if (from >= buf.size()) return std::string_view::npos;
  const void* p = std::memchr(buf.data() + from, '\r', buf.size() - from);
  if (p == nullptr) return std::string_view::npos;
  std::size_t cr = static_cast<const char*>(p) - buf.data();
  return cr + 1 < buf.size() ? cr : std::string_view::npos;
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
    std::size_t cr = find_cr(buf, std::max<std::size_t>(scanned_, 1));
    if (cr == std::string_view::npos) {
      if (buf.size() > limits_.max_inline_bytes) return fail(err::kProtoBigMbulkCount);
      scanned_ = buf.empty() ? 0 : buf.size() - 1;
      return ParseStatus::kIncomplete;
    }
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
      std::size_t cr = find_cr(buf, std::max(scanned_, pos_));
      if (cr == std::string_view::npos) {
        if (buf.size() - pos_ > limits_.max_inline_bytes) return fail(err::kProtoBigBulkCount);
        scanned_ = buf.size() > pos_ ? buf.size() - 1 : pos_;
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
  std::size_t from = scanned_;
  const void* p = std::memchr(buf.data() + from, '\n', buf.size() - from);
  if (p == nullptr) {
    if (buf.size() > limits_.max_inline_bytes) return fail(err::kProtoBigInline);
    scanned_ = buf.size();
    return ParseStatus::kIncomplete;
  }
  std::size_t nl = static_cast<const char*>(p) - buf.data();
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
