// libFuzzer target: the RESP parser on arbitrary bytes. The first byte picks
// the limits (authenticated or not, a small proto-max-bulk-len); the rest is
// parsed as a connection's buffer would be, one command after another, in
// one piece and again split at every position the second byte chooses.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "larder/protocol/resp_parser.h"

namespace {

void parse_all(larder::protocol::RespParser& parser, std::string_view buf) {
  while (!buf.empty()) {
    const auto status = parser.parse(buf);
    if (status != larder::protocol::ParseStatus::kCommand) return;
    if (buf[0] == '*') {
      // A multibulk command's arguments are views of the buffer (an inline
      // command's may be unquoted copies).
      for (std::string_view arg : parser.args()) {
        if (!arg.empty() && (arg.data() < buf.data() || arg.data() + arg.size() > buf.data() + buf.size())) {
          __builtin_trap();
        }
      }
    }
    if (parser.consumed() == 0 || parser.consumed() > buf.size()) __builtin_trap();
    buf.remove_prefix(parser.consumed());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  larder::protocol::ParserLimits limits;
  limits.unauthenticated = (data[0] & 1) != 0;
  if (data[0] & 2) limits.max_bulk_bytes = 1024 * 1024;
  const std::size_t step = data[1] == 0 ? size : data[1];
  const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

  larder::protocol::RespParser whole(limits);
  parse_all(whole, input);

  // Growing prefixes, as reads arrive: an incomplete command must stay
  // incomplete (or fail) until its bytes are there.
  larder::protocol::RespParser pieces(limits);
  for (std::size_t end = step; end < input.size(); end += step) {
    if (pieces.parse(input.substr(0, end)) != larder::protocol::ParseStatus::kIncomplete) break;
  }
  return 0;
}
