#include "larder/config/options.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <sstream>

#include "larder/util/numbers.h"
#include "larder/util/split_args.h"

namespace larder::config {

namespace {

using Setter = std::function<void(Options&, const std::vector<std::string>&)>;

[[noreturn]] void bad(const std::string& why) { throw ConfigError(why); }

const std::string& single(const std::vector<std::string>& args) {
  if (args.size() != 1) bad("wrong number of arguments");
  return args[0];
}

int integer_in(const std::vector<std::string>& args, std::int64_t lo, std::int64_t hi) {
  std::int64_t v = 0;
  if (!util::parse_int64(single(args), v)) bad("argument couldn't be parsed into an integer");
  if (v < lo || v > hi) {
    bad("argument must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
        " inclusive");
  }
  return static_cast<int>(v);
}

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table = {
      {"bind",
       [](Options& o, const std::vector<std::string>& args) {
         if (args.empty()) bad("wrong number of arguments");
         o.bind = args;
       }},
      {"port", [](Options& o, const auto& args) { o.port = integer_in(args, 0, 65535); }},
      {"threads", [](Options& o, const auto& args) { o.threads = integer_in(args, 1, 64); }},
      {"hz", [](Options& o, const auto& args) { o.hz = integer_in(args, 1, 500); }},
      {"databases",
       [](Options& o, const auto& args) { o.databases = integer_in(args, 1, 1024); }},
      {"loglevel",
       [](Options& o, const auto& args) {
         std::string level = single(args);
         std::transform(level.begin(), level.end(), level.begin(),
                        [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
         static const char* kLevels[] = {"debug", "verbose", "notice", "warning", "nothing"};
         if (std::find(std::begin(kLevels), std::end(kLevels), level) == std::end(kLevels)) {
           bad("argument(s) must be one of the following: debug, verbose, notice, warning, nothing");
         }
         o.loglevel = level;
       }},
      {"logfile", [](Options& o, const auto& args) { o.logfile = single(args); }},
      {"proto-max-bulk-len",
       [](Options& o, const auto& args) {
         std::uint64_t v = 0;
         if (!util::parse_memory_size(single(args), v)) bad("argument must be a memory value");
         if (v < 1024 * 1024) bad("argument must be a memory value of at least 1mb");
         o.proto_max_bulk_len = v;
       }},
  };
  return table;
}

}  // namespace

void apply_directive(Options& options, const std::string& name, const std::vector<std::string>& args) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto it = setters().find(lower);
  if (it == setters().end()) bad("Bad directive or wrong number of arguments: '" + name + "'");
  try {
    it->second(options, args);
  } catch (const ConfigError& e) {
    throw ConfigError("'" + lower + "': " + e.what());
  }
}

void apply_config_text(Options& options, const std::string& text, const std::string& source) {
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    auto words = util::split_args(line);
    try {
      if (!words) bad("Unbalanced quotes in configuration line");
      if (words->empty()) continue;
      std::string name = words->front();
      words->erase(words->begin());
      apply_directive(options, name, *words);
    } catch (const ConfigError& e) {
      throw ConfigError(source + ":" + std::to_string(number) + ": " + e.what() + " (line: " +
                        line + ")");
    }
  }
}

const std::vector<std::string>& directive_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& [name, setter] : setters()) n.push_back(name);
    return n;
  }();
  return names;
}

}  // namespace larder::config
