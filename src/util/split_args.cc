#include "larder/util/split_args.h"

#include <cstddef>
#include <utility>

namespace larder::util {

namespace {

// isspace() in the C locale.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Byte at `i`, or '\0' past the end (mirrors reading a C string).
char at(std::string_view s, std::size_t i) { return i < s.size() ? s[i] : '\0'; }

}  // namespace

std::optional<std::vector<std::string>> split_args(std::string_view line) {
  line = line.substr(0, line.find('\0'));
  std::vector<std::string> args;
  std::size_t i = 0;
  const std::size_t n = line.size();

  while (true) {
    while (i < n && is_space(line[i])) ++i;
    if (i == n) return args;

    std::string cur;
    bool in_double = false;
    bool in_single = false;
    bool done = false;
    while (!done) {
      const char c = at(line, i);
      if (in_double) {
        if (c == '\\' && at(line, i + 1) == 'x' &&
            hex_value(at(line, i + 2)) >= 0 && hex_value(at(line, i + 3)) >= 0) {
          cur.push_back(static_cast<char>(hex_value(at(line, i + 2)) * 16 +
                                          hex_value(at(line, i + 3))));
          i += 3;
        } else if (c == '\\' && i + 1 < n) {
          ++i;
          switch (line[i]) {
            case 'n': cur.push_back('\n'); break;
            case 'r': cur.push_back('\r'); break;
            case 't': cur.push_back('\t'); break;
            case 'b': cur.push_back('\b'); break;
            case 'a': cur.push_back('\a'); break;
            default: cur.push_back(line[i]); break;
          }
        } else if (c == '"') {
          if (i + 1 < n && !is_space(line[i + 1])) return std::nullopt;
          done = true;
        } else if (i == n) {
          return std::nullopt;  // unterminated double quote
        } else {
          cur.push_back(c);
        }
      } else if (in_single) {
        if (c == '\\' && at(line, i + 1) == '\'') {
          ++i;
          cur.push_back('\'');
        } else if (c == '\'') {
          if (i + 1 < n && !is_space(line[i + 1])) return std::nullopt;
          done = true;
        } else if (i == n) {
          return std::nullopt;  // unterminated single quote
        } else {
          cur.push_back(c);
        }
      } else if (i == n || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        done = true;
      } else if (c == '"') {
        in_double = true;
      } else if (c == '\'') {
        in_single = true;
      } else {
        cur.push_back(c);
      }
      if (i < n) ++i;
    }
    args.push_back(std::move(cur));
  }
}

}  // namespace larder::util
