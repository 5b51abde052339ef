#pragma once
// Writes replies into a connection's output buffer. Every difference between
// RESP2 and RESP3 is decided here, from the protocol version this builder owns.

#include <cstdint>
#include <string>
#include <string_view>

namespace larder::protocol {

class ReplyBuilder {
 public:
  // `out` is owned by the connection and outlives the builder.
  explicit ReplyBuilder(std::string& out) : out_(&out) {}

  int protocol() const { return protocol_; }
  void set_protocol(int version) { protocol_ = version; }

  void ok() { raw("+OK\r\n"); }
  void simple(std::string_view s);
  // `text` is a full Redis error text such as "ERR syntax error"; CR and LF
  // inside it are replaced by spaces, as Redis does.
  void error(std::string_view text);
  void integer(std::int64_t v);
  void bulk(std::string_view s);
  void null();        // RESP2 "$-1", RESP3 "_"
  void null_array();  // RESP2 "*-1", RESP3 "_"
  void array(std::size_t n);

  std::uint64_t errors_written() const { return errors_; }

 private:
  void raw(std::string_view s) { out_->append(s); }
  void header(char type, std::int64_t n);

  std::string* out_;
  int protocol_ = 2;
  std::uint64_t errors_ = 0;
};

}  // namespace larder::protocol
