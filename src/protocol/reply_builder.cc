#include "larder/protocol/reply_builder.h"

#include <algorithm>
#include <cstring>

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
  // Redis's afterErrorReply: the code is the first word if a space comes
  // within the first 32 bytes of "-CODE ...", else ERR.
  const std::size_t space = text.find(' ');
  last_error_code_.assign(space < 31 ? text.substr(0, space) : std::string_view("ERR"));
  out_->push_back('-');
  std::size_t start = out_->size();
  out_->append(text);
  std::replace_if(out_->begin() + start, out_->end(),
                  [](char c) { return c == '\r' || c == '\n'; }, ' ');
  out_->append("\r\n");
}

void ReplyBuilder::integer(std::int64_t v) { header(':', v); }

void ReplyBuilder::bulk(std::string_view s) {
  // A short string goes out in one append (the LRANGE / LPOP count loops).
  if (s.size() <= 64) {
    char buf[96];
    buf[0] = '$';
    std::size_t len = 1 + util::format_int64(static_cast<std::int64_t>(s.size()), buf + 1);
    buf[len++] = '\r';
    buf[len++] = '\n';
    if (!s.empty()) std::memcpy(buf + len, s.data(), s.size());
    len += s.size();
    buf[len++] = '\r';
    buf[len++] = '\n';
    out_->append(buf, len);
    return;
  }
  header('$', static_cast<std::int64_t>(s.size()));
  out_->append(s);
  out_->append("\r\n");
}

void ReplyBuilder::null() { raw(protocol_ >= 3 ? "_\r\n" : "$-1\r\n"); }

void ReplyBuilder::null_array() { raw(protocol_ >= 3 ? "_\r\n" : "*-1\r\n"); }

void ReplyBuilder::array(std::size_t n) { header('*', static_cast<std::int64_t>(n)); }

void ReplyBuilder::map(std::size_t n) {
  if (protocol_ >= 3) {
    header('%', static_cast<std::int64_t>(n));
  } else {
    header('*', static_cast<std::int64_t>(2 * n));
  }
}

void ReplyBuilder::push(std::size_t n) { header(protocol_ >= 3 ? '>' : '*', static_cast<std::int64_t>(n)); }

void ReplyBuilder::set(std::size_t n) { header(protocol_ >= 3 ? '~' : '*', static_cast<std::int64_t>(n)); }

void ReplyBuilder::real(double v) {
  char buf[util::kDoubleBufSize];
  const std::string_view text(buf, util::format_double(v, buf));
  if (protocol_ >= 3) {
    out_->push_back(',');
    out_->append(text);
    out_->append("\r\n");
  } else {
    bulk(text);
  }
}

void ReplyBuilder::boolean(bool v) {
  if (protocol_ >= 3) {
    raw(v ? "#t\r\n" : "#f\r\n");
  } else {
    raw(v ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyBuilder::verbatim(std::string_view text, std::string_view format) {
  if (protocol_ < 3) {
    bulk(text);
    return;
  }
  header('=', static_cast<std::int64_t>(text.size() + format.size() + 1));
  out_->append(format);
  out_->push_back(':');
  out_->append(text);
  out_->append("\r\n");
}

}  // namespace larder::protocol
