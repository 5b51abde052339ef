#pragma once
// Writes replies into a connection's output buffer. Every difference between
// RESP2 and RESP3 is decided here, from the protocol version this builder owns.

#include <cstdint>
#include <span>
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
  // An array of simple strings (the HELP replies).
  void simple_lines(std::span<const std::string_view> lines) {
    array(lines.size());
    for (std::string_view line : lines) simple(line);
  }
  // An out-of-band message (pub/sub): RESP3 push ">n", RESP2 an array.
  void push(std::size_t n);
  // n key/value pairs follow. RESP2: an array of 2n elements.
  void map(std::size_t n);
  // RESP2: an array.
  void set(std::size_t n);
  // RESP3 ",<%.17g>"; RESP2 a bulk string of the same text ("inf", "-inf").
  void real(double v);
  // RESP3 "#t"/"#f"; RESP2 ":1"/":0".
  void boolean(bool v);
  // RESP3 verbatim string "=len\r\n<fmt>:<text>"; RESP2 a bulk string.
  void verbatim(std::string_view text, std::string_view format = "txt");

  // Appends bytes that already are RESP: a reply, or a piece of one, encoded
  // elsewhere (KEYS buffers its keys as it walks).
  void raw(std::string_view s) { out_->append(s); }

  // Bytes written so far, and dropping everything after a mark (CLIENT REPLY).
  std::size_t size() const { return out_->size(); }
  void truncate(std::size_t mark) { out_->resize(mark); }

  std::uint64_t errors_written() const { return errors_; }
  // Errors a command has taken as its own for the error stats: a command's
  // own are those written while it ran less those its nested commands (in
  // EXEC) took (Dispatcher::run_locked).
  std::uint64_t errors_owned() const { return owned_; }
  void own_errors(std::uint64_t n) { owned_ += n; }
  // First word of the last error written ("ERR", "WRONGTYPE", ...).
  std::string_view last_error_code() const { return last_error_code_; }

 private:
  void header(char type, std::int64_t n);

  std::string* out_;
  int protocol_ = 2;
  std::uint64_t errors_ = 0;
  std::uint64_t owned_ = 0;
  std::string last_error_code_;
};

}  // namespace larder::protocol
