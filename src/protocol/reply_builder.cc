#include "larder/protocol/reply_builder.h"

#include <algorithm>

#include "larder/util/numbers.h"

namespace larder::protocol {

void ReplyBuilder::header(char type, std::int64_t n) {
  char buf[24];
  buf[0] = type;
  std::size_t len = 1 + util::format_int64(n, buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  out_->append(buf, len);
}

void ReplyBuilder::simple(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n");
}

void ReplyBuilder::error(std::string_view text) {
  ++errors_;
  out_->push_back('-');
  std::size_t start = out_->size();
  out_->append(text);
  std::replace_if(out_->begin() + start, out_->end(),
                  [](char c) { return c == '\r' || c == '\n'; }, ' ');
  out_->append("\r\n");
}

void ReplyBuilder::integer(std::int64_t v) { header(':', v); }

void ReplyBuilder::bulk(std::string_view s) {
  header('$', static_cast<std::int64_t>(s.size()));
  out_->append(s);
  out_->append("\r\n");
}

void ReplyBuilder::null() { raw(protocol_ >= 3 ? "_\r\n" : "$-1\r\n"); }

void ReplyBuilder::null_array() { raw(protocol_ >= 3 ? "_\r\n" : "*-1\r\n"); }

void ReplyBuilder::array(std::size_t n) { header('*', static_cast<std::int64_t>(n)); }

}  // namespace larder::protocol
