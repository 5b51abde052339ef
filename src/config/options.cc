#include "larder/config/options.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "larder/acl/acl.h"
#include "larder/config/keyspace_events.h"
#include "larder/util/glob.h"
#include "larder/util/numbers.h"
#include "larder/util/split_args.h"
#include "larder/util/strings.h"

namespace larder::config {

namespace {

[[noreturn]] void bad(const std::string& why) { throw ConfigError(why); }

const std::string& single(const std::vector<std::string>& args) {
  if (args.size() != 1) bad("wrong number of arguments");
  return args[0];
}

std::string integer_in(const std::vector<std::string>& args, std::int64_t lo, std::int64_t hi) {
  std::int64_t v = 0;
  if (!util::parse_int64(single(args), v)) bad("argument couldn't be parsed into an integer");
  if (v < lo || v > hi) {
    bad("argument must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
        " inclusive");
  }
  return std::to_string(v);
}

// A memory value read as Redis's memtoull reads it: digits (none read as 0)
// and a unit (b, k, kb, m, mb, g, gb, any case); the digits saturate at
// 2^64-1 and the unit's product wraps.
std::uint64_t memory_value(const std::vector<std::string>& args) {
  const std::string& text = single(args);
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::uint64_t unit = 0;
  if (!util::parse_memory_size("1" + text.substr(digits), unit) || digits >= 128) {
    bad("argument must be a memory value");
  }
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const auto d = static_cast<std::uint64_t>(text[i] - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
  }
  return v * unit;
}

// memory_value() of one word; false when it is not a memory value.
bool memory_text(const std::string& text, std::uint64_t& out) {
  try {
    out = memory_value({text});
    return true;
  } catch (const ConfigError&) {
    return false;
  }
}

std::string memory_in(const std::vector<std::string>& args, std::uint64_t lo, std::uint64_t hi) {
  const std::uint64_t v = memory_value(args);
  if (v < lo || v > hi) {
    bad("argument must be between " + std::to_string(lo) + " and " + std::to_string(hi) + " inclusive");
  }
  return std::to_string(v);
}

std::string one_of(const std::vector<std::string>& args, std::initializer_list<std::string_view> allowed) {
  std::string v = util::to_lower(single(args));
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    bad("argument(s) must be one of the following: " + list);
  }
  return v;
}

std::string yes_no(const std::vector<std::string>& args) {
  std::string v = util::to_lower(single(args));
  if (v != "yes" && v != "no") bad("argument must be 'yes' or 'no'");
  return v;
}

// hz: Redis takes 0..INT_MAX and then clamps it to 1..500.
std::string hz_value(const std::vector<std::string>& args) {
  return std::to_string(std::clamp<std::int64_t>(std::stoll(integer_in(args, 0, INT32_MAX)), 1, 500));
}

bool whole_strtoll(const std::string& text, long long& out);

// oom-score-adj-values: three integers within +-2000 (Larder sets no OOM
// score; kept for CONFIG GET / REWRITE).
std::string oom_score_values(const std::vector<std::string>& args) {
  // One value (CONFIG SET) splits at each space, empty words included, as
  // Redis splits it; a config file line gives its words.
  std::vector<std::string> words = args;
  if (args.size() == 1) {
    words.clear();
    std::size_t from = 0;
    for (std::size_t sp; (sp = args[0].find(' ', from)) != std::string::npos; from = sp + 1) {
      words.push_back(args[0].substr(from, sp - from));
    }
    words.push_back(args[0].substr(from));
  }
  if (words.size() != 3) bad("wrong number of arguments");
  std::string out;
  for (const std::string& w : words) {
    long long v = 0;
    if (!whole_strtoll(w, v) || v < -2000 || v > 2000) {
      bad("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
    }
    out += (out.empty() ? "" : " ") + std::to_string(v);
  }
  return out;
}

// proc-title-template as Redis's validateProcTitleTemplate: known {variables}
// only ("{{" is a literal brace), and not expanding to nothing (Larder sets
// no process title; kept for CONFIG GET / REWRITE).
std::string proc_title_template(const std::vector<std::string>& args) {
  const std::string& t = single(args);
  static constexpr std::string_view kEmpty[] = {"title", "server-mode", "unixsocket"};
  static constexpr std::string_view kFilled[] = {"listen-addr", "port", "tls-port", "config-file"};
  // Redis trims spaces from the expansion: only other text counts.
  auto has_text = [](std::string_view part) { return part.find_first_not_of(' ') != std::string_view::npos; };
  bool expands = false;
  for (std::size_t i = 0; i < t.size();) {
    const std::size_t open = t.find('{', i);
    if (open == std::string::npos) {
      expands = expands || has_text(std::string_view(t).substr(i));
      break;
    }
    if (has_text(std::string_view(t).substr(i, open - i))) expands = true;
    if (open + 1 == t.size()) bad("template format is invalid or contains unknown variables");
    if (t[open + 1] == '{') {
      expands = true;
      i = open + 2;
      continue;
    }
    const std::size_t close = t.find('}', open + 1);
    if (close == std::string::npos) bad("template format is invalid or contains unknown variables");
    const std::string_view var = std::string_view(t).substr(open + 1, close - open - 1);
    if (std::find(std::begin(kFilled), std::end(kFilled), var) != std::end(kFilled)) {
      expands = true;
    } else if (std::find(std::begin(kEmpty), std::end(kEmpty), var) == std::end(kEmpty)) {
      bad("template format is invalid or contains unknown variables");
    }
    i = close + 1;
  }
  if (!expands) bad("template format is invalid or contains unknown variables");
  return t;
}

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

// strtoll() with Redis's check that it used the whole text: optional leading
// whitespace and sign, then digits to the end; "" reads as 0. Saturates.
bool whole_strtoll(const std::string& text, long long& out) {
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  const std::size_t digits = i;
  long long v = 0;
  bool saturated = false;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    const int d = text[i] - '0';
    if (!saturated && v > (LLONG_MAX - d) / 10) saturated = true;
    if (!saturated) v = v * 10 + d;
  }
  if (i == digits) {  // no digits: strtoll leaves its end pointer at the start
    out = 0;
    return text.empty();
  }
  out = saturated ? (negative ? LLONG_MIN : LLONG_MAX) : (negative ? -v : v);
  return i == text.size();
}

// Redis's save rules: "" alone clears it; otherwise pairs of seconds (>= 1)
// and changes (>= 0). Canonical as CONFIG GET prints it ("%jd %d").
std::string save_params(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0].empty()) return "";
  if (args.size() % 2 != 0) bad("Invalid save parameters");
  std::string out;
  for (std::size_t i = 0; i < args.size(); i += 2) {
    long long seconds = 0;
    long long changes = 0;
    if (!whole_strtoll(args[i], seconds) || seconds < 1 || !whole_strtoll(args[i + 1], changes) ||
        changes < 0) {
      bad("Invalid save parameters");
    }
    out += (out.empty() ? "" : " ") + std::to_string(seconds) + " " +
           std::to_string(static_cast<int>(changes));  // Redis keeps changes in an int
  }
  return out;
}

// The directory RDB files go to: an existing directory, kept as its
// canonical absolute path (Redis chdirs there and CONFIG GET shows getcwd()).
std::string directory(const std::vector<std::string>& args) {
  const std::string& dir = single(args);
  if (dir.empty()) return dir;
  std::error_code ec;
  const auto status = std::filesystem::status(dir, ec);
  if (ec || !std::filesystem::exists(status)) bad("No such file or directory");
  if (!std::filesystem::is_directory(status)) bad("Not a directory");
  const auto canonical = std::filesystem::canonical(dir, ec);
  return ec ? std::filesystem::absolute(dir).lexically_normal().string() : canonical.string();
}

// dbfilename: a file name only, as Redis 7.0 requires.
std::string file_name(const std::vector<std::string>& args) {
  const std::string& name = single(args);
  if (name.find('/') != std::string::npos) bad("dbfilename can't be a path, just a filename");
  return name;
}

// sdssplitlen(value, " "): every space separates, so empty words are kept;
// "" has no words.
std::vector<std::string> split_at_spaces(const std::string& value) {
  std::vector<std::string> out;
  if (value.empty()) return out;
  std::size_t start = 0;
  for (std::size_t sp; (sp = value.find(' ', start)) != std::string::npos; start = sp + 1) {
    out.push_back(value.substr(start, sp - start));
  }
  out.push_back(value.substr(start));
  return out;
}

constexpr std::string_view kDefaultOutputBufferLimits =
    "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
constexpr std::string_view kOutputClassNames[] = {"normal", "slave", "pubsub"};

// Redis's client-output-buffer-limit check: every group valid or none is
// taken. Canonical: the groups given, classes named as CONFIG GET names them.
std::string output_buffer_limits(const std::vector<std::string>& args) {
  if (args.size() % 4 != 0) bad("Wrong number of arguments in buffer limit configuration.");
  std::string out;
  for (std::size_t j = 0; j < args.size(); j += 4) {
    const std::string cls = util::to_lower(args[j]);
    std::string_view name;
    if (cls == "normal") {
      name = "normal";
    } else if (cls == "replica" || cls == "slave") {
      name = "slave";
    } else if (cls == "pubsub") {
      name = "pubsub";
    } else {
      bad("Invalid client class specified in buffer limit configuration.");
    }
    std::uint64_t hard = 0, soft = 0;
    std::int64_t parsed = 0;
    // Redis keeps the seconds in an int: larger values wrap, negative ones
    // are refused.
    const bool ok = memory_text(args[j + 1], hard) && memory_text(args[j + 2], soft) &&
                    util::parse_int64(args[j + 3], parsed);
    const auto seconds = static_cast<std::int32_t>(static_cast<std::uint32_t>(parsed));
    if (!ok || seconds < 0) bad("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
    if (!out.empty()) out += ' ';
    out += std::string(name) + " " + std::to_string(hard) + " " + std::to_string(soft) + " " +
           std::to_string(seconds);
  }
  return out;
}

// unixsocketperm: Redis's OCTAL_CONFIG, strtoll() in base 8 over the whole
// text, 0..0777; CONFIG GET prints it in octal.
std::string octal_permissions(const std::vector<std::string>& args) {
  const std::string& text = single(args);
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 8);
  if (errno != 0 || *end != '\0') bad("argument couldn't be parsed as an octal number");
  if (v < 0 || v > 0777) bad("argument must be between 0 and 777 inclusive");
  std::ostringstream out;
  out << std::oct << v;
  return out.str();
}

// maxmemory-clients as Redis reads it: "N%" (0..100) or a memory value,
// which Redis keeps in a signed size, so one past 2^63 reads as a percent.
std::string memory_or_percent(const std::vector<std::string>& args) {
  const std::string& text = single(args);
  std::int64_t percent = 0;
  if (text.size() > 1 && text.back() == '%' &&
      util::parse_int64(std::string_view(text).substr(0, text.size() - 1), percent) && percent >= 0) {
    if (percent > 100) bad("percentage argument must be less or equal to 100");
    return percent == 0 ? "0" : std::to_string(percent) + "%";
  }
  std::uint64_t bytes = 0;
  if (!memory_text(text, bytes)) bad("argument must be a memory or percent value");
  const auto v = static_cast<std::int64_t>(bytes);
  if (v >= 0) return std::to_string(v);
  if (v < -100) bad("percentage argument must be less or equal to 100");
  return std::to_string(-v) + "%";
}

// cluster-announce-hostname as Redis's isValidAnnouncedHostname.
std::string hostname(const std::vector<std::string>& args) {
  const std::string& name = single(args);
  if (name.size() >= 256) bad("Hostnames must be less than 256 characters");
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') {
      bad("Hostnames may only contain alphanumeric characters, hyphens or dots");
    }
  }
  return name;
}

// shutdown-on-sigint / shutdown-on-sigterm: a set of flags, printed in
// Redis's order ("default" when none is set).
std::string shutdown_flags(const std::vector<std::string>& args) {
  static constexpr std::string_view kFlags[] = {"save", "nosave", "now", "force"};
  unsigned set = 0;
  for (const std::string& word : args) {
    const std::string w = util::to_lower(word);
    const auto* flag = std::find(std::begin(kFlags), std::end(kFlags), w);
    if (flag == std::end(kFlags) && w != "default") {
      bad("argument(s) must be one of the following: default, save, nosave, now, force");
    }
    if (flag != std::end(kFlags)) set |= 1u << (flag - std::begin(kFlags));
  }
  if (args.empty()) bad("argument(s) must be one of the following: default, save, nosave, now, force");
  if ((set & 3u) == 3u) bad("shutdown options SAVE and NOSAVE can't be used simultaneously");
  std::string out;
  for (std::size_t i = 0; i < std::size(kFlags); ++i) {
    if (set & (1u << i)) out += (out.empty() ? "" : " ") + std::string(kFlags[i]);
  }
  return out.empty() ? "default" : out;
}

// latency-tracking-info-percentiles: numbers in [0, 100], each printed as
// Redis prints it ("%f" without trailing zeros); "" is none.
std::string percentiles(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0].empty()) return "";
  std::string out;
  for (const std::string& word : args) {
    double p = 0;
    if (!util::parse_double(word, p)) bad("Invalid latency-tracking-info-percentiles parameters");
    if (p > 100.0 || p < 0.0) bad("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
    char buf[512];
    std::string text(buf, static_cast<std::size_t>(std::snprintf(buf, sizeof buf, "%f", p)));
    if (text.find('.') != std::string::npos) {
      text.erase(text.find_last_not_of('0') + 1);
      if (text.back() == '.') text.pop_back();
    }
    out += (out.empty() ? "" : " ") + text;
  }
  return out;
}

// replicaof: "no one" (what Redis's CONFIG GET shows as "") is all Larder
// takes; it has no replication to follow a master with.
std::string replicaof(const std::vector<std::string>& args) {
  if (args.size() != 2) bad("wrong number of arguments");
  if (util::to_lower(args[0]) == "no" && util::to_lower(args[1]) == "one") return "";
  errno = 0;
  char* end = nullptr;
  const long port = std::strtol(args[1].c_str(), &end, 10);
  if (port < 0 || port > 65535 || *end != '\0') bad("Invalid master port");
  bad("Larder has no replication: it cannot be a replica");
}

using Validator = std::string (*)(const std::vector<std::string>&);

struct Row {
  Directive info;
  Validator validate;  // returns the canonical text or throws ConfigError
};

// Every directive Larder accepts, in documentation order.
const std::vector<Row>& rows() {
  static const std::vector<Row> table = {
      {{"bind", "127.0.0.1", false, false, true},
       [](const auto& args) {
         if (args.empty()) bad("wrong number of arguments");
         return joined(args);
       }},
      {{"port", "6379", false, false}, [](const auto& a) { return integer_in(a, 0, 65535); }},
      {{"threads", "1", false, false}, [](const auto& a) { return integer_in(a, 1, 64); }},
      {{"databases", "16", false, false}, [](const auto& a) { return integer_in(a, 1, 1024); }},
      {{"hz", "10", true, false}, hz_value},
      {{"activerehashing", "yes", true, false}, [](const auto& a) { return yes_no(a); }},
      {{"loglevel", "notice", true, false},
       [](const auto& a) { return one_of(a, {"debug", "verbose", "notice", "warning"}); }},
      {{"logfile", "", false, false}, [](const auto& a) { return single(a); }},
      {{"requirepass", "", true, false}, [](const auto& a) { return single(a); }},
      // ACL users file (ACL LOAD / SAVE, loaded at startup); startup only.
      {{"aclfile", "", false, false}, [](const auto& a) { return single(a); }},
      {{"acllog-max-len", "128", true, false}, [](const auto& a) { return integer_in(a, 0, INT64_MAX); }},
      // Whether new users and selectors may use every channel.
      {{"acl-pubsub-default", "resetchannels", true, false},
       [](const auto& a) { return one_of(a, {"allchannels", "resetchannels"}); }},
      // DEBUG: refused (no), allowed (yes), or only from loopback peers (local).
      {{"enable-debug-command", "no", false, false},
       [](const auto& a) { return one_of(a, {"no", "yes", "local"}); }},
      // CONFIG SET of protected directives (dir, dbfilename): likewise.
      {{"enable-protected-configs", "no", false, false},
       [](const auto& a) { return one_of(a, {"no", "yes", "local"}); }},
      {{"maxclients", "10000", true, false}, [](const auto& a) { return integer_in(a, 1, UINT32_MAX); }},
      {{"proto-max-bulk-len", "536870912", true, false},
       [](const auto& a) { return memory_in(a, 1024 * 1024, INT64_MAX); }},
      // A client whose unread command grows past this is closed.
      {{"client-query-buffer-limit", "1073741824", true, false},
       [](const auto& a) { return memory_in(a, 1024 * 1024, INT64_MAX); }},
      {{"slowlog-log-slower-than", "10000", true, false},
       [](const auto& a) { return integer_in(a, -1, INT64_MAX); }},
      {{"slowlog-max-len", "128", true, false}, [](const auto& a) { return integer_in(a, 0, INT64_MAX); }},
      // Both above 0: writes get -NOREPLICAS (Larder has no replicas).
      {{"min-replicas-max-lag", "10", true, false}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"min-replicas-to-write", "0", true, false}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      // A Unix-domain socket to listen on too (none by default), and its file
      // mode (0: as the umask leaves it).
      {{"unixsocket", "", false, false}, [](const auto& a) { return single(a); }},
      {{"unixsocketperm", "0", false, false}, octal_permissions},
      // Readiness and shutdown told to systemd or upstart (server/supervision.h).
      {{"supervised", "no", false, false},
       [](const auto& a) { return one_of(a, {"upstart", "systemd", "auto", "no"}); }},
      // Per-command latency histograms (INFO latencystats, LATENCY HISTOGRAM)
      // and the percentiles INFO prints from them.
      {{"latency-tracking", "yes", true, false}, [](const auto& a) { return yes_no(a); }},
      {{"latency-tracking-info-percentiles", "50 99 99.9", true, false, true}, percentiles},
      // What SIGINT / SIGTERM do: default (save when save points are set),
      // save, nosave, force (exit even when that save fails); now has no
      // replicas to skip waiting for.
      {{"shutdown-on-sigint", "default", true, false, true}, shutdown_flags},
      {{"shutdown-on-sigterm", "default", true, false, true}, shutdown_flags},
      {{"maxmemory", "0", true, false}, [](const auto& a) { return memory_in(a, 0, UINT64_MAX); }},
      {{"maxmemory-clients", "0", true, false}, memory_or_percent},
      // Larder is a cache: once maxmemory is set it evicts, by default with the
      // policy that kept the highest hit ratio on all of bench/hitratio.py's
      // workloads (README, Eviction policies).
      {{"maxmemory-policy", "allkeys-tinylfu", true, false},
       [](const auto& a) {
         return one_of(a, {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
                           "allkeys-lru", "allkeys-lfu", "allkeys-random", "allkeys-sieve",
                           "noeviction", "allkeys-tinylfu", "volatile-tinylfu"});
       }},
      {{"maxmemory-samples", "5", true, false}, [](const auto& a) { return integer_in(a, 1, 64); }},
      {{"maxmemory-eviction-tenacity", "10", true, false}, [](const auto& a) { return integer_in(a, 0, 100); }},
      {{"lfu-log-factor", "10", true, false}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"lfu-decay-time", "1", true, false}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      // CLIENT TRACKING: keys the table may hold before some are invalidated; 0 no limit.
      {{"tracking-table-max-keys", "1000000", true, false}, [](const auto& a) { return integer_in(a, 0, INT64_MAX); }},
      // Prometheus endpoint (GET /metrics over HTTP); port 0 turns it off.
      {{"metrics-port", "0", false, false}, [](const auto& a) { return integer_in(a, 0, 65535); }},
      {{"metrics-bind", "127.0.0.1", false, false}, [](const auto& a) { return single(a); }},
      // Seconds a client may stay idle before it is closed; 0 never.
      {{"timeout", "0", true, false}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      // TCP keepalive probes on client sockets after this many idle seconds; 0 off.
      {{"tcp-keepalive", "300", true, false}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      // Groups of <class> <hard> <soft> <soft-seconds>; a group replaces its
      // class's limits (Settings::set merges).
      {{"client-output-buffer-limit", kDefaultOutputBufferLimits, true, false, true}, output_buffer_limits},
      // Encodings of small collections (Redis's thresholds).
      // Scripts and functions: after this many ms a running script makes other
      // clients get -BUSY, and SCRIPT KILL / FUNCTION KILL may stop it.
      {{"busy-reply-threshold", "5000", true, false}, [](const auto& a) { return integer_in(a, 0, INT64_MAX); }},
      {{"hash-max-listpack-entries", "512", true, false},
       [](const auto& a) { return integer_in(a, 0, INT64_MAX); }},
      {{"hash-max-listpack-value", "64", true, false},
       [](const auto& a) { return memory_in(a, 0, INT64_MAX); }},
      // Quicklist node limit: < 0 a byte size (-2: 8 KiB), > 0 an element count.
      {{"list-max-listpack-size", "-2", true, false},
       [](const auto& a) { return integer_in(a, INT32_MIN, INT32_MAX); }},
      {{"set-max-intset-entries", "512", true, false},
       [](const auto& a) { return integer_in(a, 0, INT64_MAX); }},
      {{"zset-max-listpack-entries", "128", true, false},
       [](const auto& a) { return integer_in(a, 0, INT64_MAX); }},
      {{"zset-max-listpack-value", "64", true, false},
       [](const auto& a) { return memory_in(a, 0, INT64_MAX); }},
      // A sparse HyperLogLog bigger than this (header included) turns dense.
      {{"hll-sparse-max-bytes", "3000", true, false},
       [](const auto& a) { return memory_in(a, 0, INT64_MAX); }},
      // Where a stream's nodes close (storage/stream_value.h); 0 no limit.
      {{"stream-node-max-bytes", "4096", true, false}, [](const auto& a) { return memory_in(a, 0, INT64_MAX); }},
      {{"stream-node-max-entries", "100", true, false}, [](const auto& a) { return integer_in(a, 0, INT64_MAX); }},
      // RDB persistence (persistence/persistence.h). No save point by default:
      // Larder stays a pure cache unless configured.
      {{"save", "", true, false, true}, save_params},
      {{"dir", "", true, false, false, true}, directory},
      {{"dbfilename", "dump.rdb", true, false, false, true}, file_name},
      {{"rdbcompression", "yes", true, false}, [](const auto& a) { return yes_no(a); }},
      {{"rdbchecksum", "yes", false, false}, [](const auto& a) { return yes_no(a); }},
      {{"stop-writes-on-bgsave-error", "yes", true, false}, [](const auto& a) { return yes_no(a); }},
      // TLS (tls-port): certificates and protocol choices, as Redis's
      // tlsConfigure reads them when a context is built (server/tls.cc).
      {{"tls-port", "0", true, false}, [](const auto& a) { return integer_in(a, 0, 65535); }},
      {{"tls-cert-file", "", true, false}, [](const auto& a) { return single(a); }},
      {{"tls-key-file", "", true, false}, [](const auto& a) { return single(a); }},
      {{"tls-key-file-pass", "", true, false}, [](const auto& a) { return single(a); }},
      {{"tls-ca-cert-file", "", true, false}, [](const auto& a) { return single(a); }},
      {{"tls-ca-cert-dir", "", true, false}, [](const auto& a) { return single(a); }},
      {{"tls-auth-clients", "yes", true, false}, [](const auto& a) { return one_of(a, {"no", "yes", "optional"}); }},
      {{"tls-protocols", "", true, false}, [](const auto& a) { return single(a); }},
      {{"tls-ciphers", "", true, false}, [](const auto& a) { return single(a); }},
      {{"tls-ciphersuites", "", true, false}, [](const auto& a) { return single(a); }},
      {{"tls-prefer-server-ciphers", "no", true, false}, [](const auto& a) { return yes_no(a); }},
      {{"tls-session-caching", "yes", true, false}, [](const auto& a) { return yes_no(a); }},
      {{"tls-session-cache-size", "20480", true, false}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"tls-session-cache-timeout", "300", true, false}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"tls-dh-params-file", "", true, false}, [](const auto& a) { return single(a); }},
      // Replication and cluster TLS: Larder has neither.
      {{"tls-replication", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"tls-cluster", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"tls-client-cert-file", "", true, true}, [](const auto& a) { return single(a); }},
      {{"tls-client-key-file", "", true, true}, [](const auto& a) { return single(a); }},
      {{"tls-client-key-file-pass", "", true, true}, [](const auto& a) { return single(a); }},
      // Accepted for compatibility with existing redis.conf files; no effect.
      {{"appendonly", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"daemonize", "no", false, true}, [](const auto& a) { return yes_no(a); }},
      {{"protected-mode", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"tcp-backlog", "511", false, true}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"pidfile", "", false, true}, [](const auto& a) { return single(a); }},
      {{"always-show-logo", "no", false, true}, [](const auto& a) { return yes_no(a); }},
      {{"lazyfree-lazy-user-flush", "no", true, true},
       [](const auto& a) { return yes_no(a); }},
      // The rest of Debian's default redis.conf, so that file loads as it is,
      // each checked as Redis checks it.
      {{"aof-load-truncated", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"aof-rewrite-incremental-fsync", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"aof-timestamp-enabled", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"aof-use-rdb-preamble", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"appenddirname", "appendonlydir", false, true}, [](const auto& a) { return single(a); }},
      {{"appendfilename", "appendonly.aof", false, true}, [](const auto& a) { return single(a); }},
      {{"appendfsync", "everysec", true, true},
       [](const auto& a) { return one_of(a, {"everysec", "always", "no"}); }},
      {{"auto-aof-rewrite-min-size", "67108864", true, true}, [](const auto& a) { return memory_in(a, 0, INT64_MAX); }},
      {{"auto-aof-rewrite-percentage", "100", true, true}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"disable-thp", "yes", false, true}, [](const auto& a) { return yes_no(a); }},
      {{"dynamic-hz", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"jemalloc-bg-thread", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"latency-monitor-threshold", "0", true, true}, [](const auto& a) { return integer_in(a, 0, INT64_MAX); }},
      {{"lazyfree-lazy-eviction", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"lazyfree-lazy-expire", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"lazyfree-lazy-server-del", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"lazyfree-lazy-user-del", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"list-compress-depth", "0", true, true}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"no-appendfsync-on-rewrite", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"notify-keyspace-events", "", true, false},
       [](const auto& a) {
         auto flags = parse_keyspace_events(single(a));
         if (!flags) bad("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
         return keyspace_events_string(*flags);
       }},
      // "relative" is Redis's other name for "yes".
      {{"oom-score-adj", "no", true, true},
       [](const auto& a) {
         const std::string v = one_of(a, {"no", "yes", "relative", "absolute"});
         return v == "relative" ? std::string("yes") : v;
       }},
      {{"oom-score-adj-values", "0 200 800", true, true, true}, oom_score_values},
      {{"proc-title-template", "{title} {listen-addr} {server-mode}", true, true}, proc_title_template},
      {{"rdb-del-sync-files", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"rdb-save-incremental-fsync", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"repl-disable-tcp-nodelay", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"repl-diskless-load", "disabled", true, true},
       [](const auto& a) { return one_of(a, {"disabled", "on-empty-db", "swapdb"}); }},
      {{"repl-diskless-sync", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"repl-diskless-sync-delay", "5", true, true}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"repl-diskless-sync-max-replicas", "0", true, true},
       [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"replica-lazy-flush", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"replica-priority", "100", true, true}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"replica-read-only", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"replica-serve-stale-data", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"set-proc-title", "yes", false, true}, [](const auto& a) { return yes_no(a); }},
      // The rest of Redis 7.0's directives: replication, cluster, active
      // defragmentation (Larder's defragmenter always runs), I/O threads
      // (see `threads`), syslog, CPU affinity and the like. Each is checked
      // as Redis checks it; those that would change what a client sees
      // refuse what Larder cannot do (replicaof, cluster-enabled yes).
      {{"active-defrag-cycle-max", "25", true, true}, [](const auto& a) { return integer_in(a, 1, 99); }},
      {{"active-defrag-cycle-min", "1", true, true}, [](const auto& a) { return integer_in(a, 1, 99); }},
      {{"active-defrag-ignore-bytes", "104857600", true, true},
       [](const auto& a) { return memory_in(a, 1, INT64_MAX); }},
      {{"active-defrag-max-scan-fields", "1000", true, true},
       [](const auto& a) { return integer_in(a, 1, INT64_MAX); }},
      {{"active-defrag-threshold-lower", "10", true, true}, [](const auto& a) { return integer_in(a, 0, 1000); }},
      {{"active-defrag-threshold-upper", "100", true, true}, [](const auto& a) { return integer_in(a, 0, 1000); }},
      {{"active-expire-effort", "1", true, true}, [](const auto& a) { return integer_in(a, 1, 10); }},
      {{"activedefrag", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"aof-disable-auto-gc", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"aof_rewrite_cpulist", "", false, true}, [](const auto& a) { return single(a); }},
      {{"bgsave_cpulist", "", false, true}, [](const auto& a) { return single(a); }},
      {{"bind-source-addr", "", true, true}, [](const auto& a) { return single(a); }},
      {{"bio_cpulist", "", false, true}, [](const auto& a) { return single(a); }},
      {{"cluster-allow-pubsubshard-when-down", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"cluster-allow-reads-when-down", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"cluster-allow-replica-migration", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"cluster-announce-bus-port", "0", true, true}, [](const auto& a) { return integer_in(a, 0, 65535); }},
      {{"cluster-announce-hostname", "", true, true}, hostname},
      {{"cluster-announce-ip", "", true, true}, [](const auto& a) { return single(a); }},
      {{"cluster-announce-port", "0", true, true}, [](const auto& a) { return integer_in(a, 0, 65535); }},
      {{"cluster-announce-tls-port", "0", true, true}, [](const auto& a) { return integer_in(a, 0, 65535); }},
      {{"cluster-config-file", "nodes.conf", false, true}, [](const auto& a) { return single(a); }},
      {{"cluster-enabled", "no", false, true},
       [](const auto& a) {
         if (yes_no(a) == "yes") bad("Larder has no cluster mode");
         return std::string("no");
       }},
      {{"cluster-link-sendbuf-limit", "0", true, true}, [](const auto& a) { return memory_in(a, 0, UINT64_MAX); }},
      {{"cluster-migration-barrier", "1", true, true}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"cluster-node-timeout", "15000", true, true}, [](const auto& a) { return integer_in(a, 0, INT64_MAX); }},
      {{"cluster-port", "0", false, true}, [](const auto& a) { return integer_in(a, 0, 65535); }},
      {{"cluster-preferred-endpoint-type", "ip", true, true},
       [](const auto& a) { return one_of(a, {"ip", "hostname", "unknown-endpoint"}); }},
      {{"cluster-replica-no-failover", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"cluster-replica-validity-factor", "10", true, true},
       [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"cluster-require-full-coverage", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"crash-log-enabled", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"crash-memcheck-enabled", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"enable-module-command", "no", false, true}, [](const auto& a) { return one_of(a, {"no", "yes", "local"}); }},
      {{"ignore-warnings", "", true, true}, [](const auto& a) { return single(a); }},
      {{"io-threads", "1", false, true}, [](const auto& a) { return integer_in(a, 1, 128); }},
      {{"io-threads-do-reads", "no", false, true}, [](const auto& a) { return yes_no(a); }},
      {{"masterauth", "", true, true}, [](const auto& a) { return single(a); }},
      {{"masteruser", "", true, true}, [](const auto& a) { return single(a); }},
      {{"propagation-error-behavior", "ignore", true, true},
       [](const auto& a) { return one_of(a, {"ignore", "panic", "panic-on-replicas"}); }},
      {{"repl-backlog-size", "1048576", true, true}, [](const auto& a) { return memory_in(a, 1, INT64_MAX); }},
      {{"repl-backlog-ttl", "3600", true, true}, [](const auto& a) { return integer_in(a, 0, INT64_MAX); }},
      {{"repl-ping-replica-period", "10", true, true}, [](const auto& a) { return integer_in(a, 1, INT32_MAX); }},
      {{"repl-timeout", "60", true, true}, [](const auto& a) { return integer_in(a, 1, INT32_MAX); }},
      {{"replica-announce-ip", "", true, true}, [](const auto& a) { return single(a); }},
      {{"replica-announce-port", "0", true, true}, [](const auto& a) { return integer_in(a, 0, 65535); }},
      {{"replica-announced", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"replica-ignore-disk-write-errors", "no", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"replica-ignore-maxmemory", "yes", true, true}, [](const auto& a) { return yes_no(a); }},
      {{"replicaof", "", false, true, true}, replicaof},
      // Larder checks every DUMP payload and RDB value in full, whatever this says.
      {{"sanitize-dump-payload", "no", true, true}, [](const auto& a) { return one_of(a, {"no", "yes", "clients"}); }},
      {{"server_cpulist", "", false, true}, [](const auto& a) { return single(a); }},
      {{"shutdown-timeout", "10", true, true}, [](const auto& a) { return integer_in(a, 0, INT32_MAX); }},
      {{"socket-mark-id", "0", false, true}, [](const auto& a) { return integer_in(a, 0, UINT32_MAX); }},
      {{"syslog-enabled", "no", false, true}, [](const auto& a) { return yes_no(a); }},
      {{"syslog-facility", "local0", false, true},
       [](const auto& a) {
         return one_of(a, {"user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"});
       }},
      {{"syslog-ident", "redis", false, true}, [](const auto& a) { return single(a); }},
  };
  return table;
}

// Redis 7.0's older names of directives, read and written as the new ones.
struct Alias {
  std::string_view alias, name;
};
constexpr Alias kAliases[] = {
    {"hash-max-ziplist-entries", "hash-max-listpack-entries"},
    {"hash-max-ziplist-value", "hash-max-listpack-value"},
    {"zset-max-ziplist-entries", "zset-max-listpack-entries"},
    {"zset-max-ziplist-value", "zset-max-listpack-value"},
    {"list-max-ziplist-size", "list-max-listpack-size"},
    {"lua-time-limit", "busy-reply-threshold"},
    {"slave-lazy-flush", "replica-lazy-flush"},
    {"slave-priority", "replica-priority"},
    {"slave-read-only", "replica-read-only"},
    {"slave-serve-stale-data", "replica-serve-stale-data"},
    {"cluster-slave-no-failover", "cluster-replica-no-failover"},
    {"cluster-slave-validity-factor", "cluster-replica-validity-factor"},
    {"min-slaves-max-lag", "min-replicas-max-lag"},
    {"min-slaves-to-write", "min-replicas-to-write"},
    {"repl-ping-slave-period", "repl-ping-replica-period"},
    {"slave-announce-ip", "replica-announce-ip"},
    {"slave-announce-port", "replica-announce-port"},
    {"slave-ignore-maxmemory", "replica-ignore-maxmemory"},
    {"slaveof", "replicaof"},
};

const Row* find_row(std::string_view name) {
  std::string key = util::to_lower(name);
  for (const Alias& a : kAliases) {
    if (a.alias == key) key = a.name;
  }
  for (const Row& r : rows()) {
    if (r.info.name == key) return &r;
  }
  return nullptr;
}

}  // namespace

Settings::Settings() {
  for (const Row& r : rows()) values_.emplace(std::string(r.info.name), std::string(r.info.default_value));
  // dir: the working directory until set, as Redis's CONFIG GET (getcwd).
  std::error_code ec;
  if (const auto cwd = std::filesystem::current_path(ec); !ec) values_["dir"] = cwd.string();
}

const std::vector<Directive>& Settings::directives() {
  static const std::vector<Directive> list = [] {
    std::vector<Directive> out;
    for (const Row& r : rows()) out.push_back(r.info);
    return out;
  }();
  return list;
}

std::vector<std::string_view> Settings::alias_names() {
  std::vector<std::string_view> out;
  for (const Alias& a : kAliases) out.push_back(a.alias);
  return out;
}

const Directive* Settings::find(std::string_view name) {
  const Row* r = find_row(name);
  return r == nullptr ? nullptr : &r->info;
}

void Settings::set(std::string_view name, const std::vector<std::string>& args, bool at_runtime) {
  if (!at_runtime && util::to_lower(name) == "user") {
    if (args.empty() || args[0].empty()) throw ConfigError("user", "wrong number of arguments");
    if (auto error = acl::check_config_user(args, users_)) throw ConfigError("user", *error);
    users_.push_back(args);
    return;
  }
  const Row* row = find_row(name);
  if (row == nullptr) bad("Bad directive or wrong number of arguments: '" + std::string(name) + "'");
  const std::string canonical(row->info.name);
  // Errors name the directive as given (an alias stays an alias, as in Redis).
  const std::string given = util::to_lower(name);
  if (at_runtime && !row->info.mutable_at_runtime) {
    throw ConfigError(given, "can't set immutable config");
  }
  const std::vector<std::string>* words = &args;
  std::vector<std::string> split;
  if (row->info.multi_word && args.size() == 1 && (at_runtime || !args[0].empty())) {
    if (at_runtime) {
      split = split_at_spaces(args[0]);
    } else if (auto parsed = util::split_args(args[0])) {
      split = std::move(*parsed);
    } else {
      throw ConfigError(given, "Unbalanced quotes in configuration line");
    }
    words = &split;
  }
  try {
    std::string value = row->validate(*words);
    if (canonical == "client-output-buffer-limit") {
      // The classes given replace theirs; the others keep their limits.
      auto limits = parse_output_buffer_limits(values_[canonical]);
      const auto given = list_value(value);
      for (std::size_t j = 0; j + 3 < given.size(); j += 4) {
        const std::size_t c = static_cast<std::size_t>(
            std::find(std::begin(kOutputClassNames), std::end(kOutputClassNames), given[j]) -
            std::begin(kOutputClassNames));
        memory_text(given[j + 1], limits[c].hard);
        memory_text(given[j + 2], limits[c].soft);
        limits[c].soft_seconds = integer_value(given[j + 3]);
      }
      value.clear();
      for (std::size_t c = 0; c < limits.size(); ++c) {
        if (!value.empty()) value += ' ';
        value += std::string(kOutputClassNames[c]) + " " + std::to_string(limits[c].hard) + " " +
                 std::to_string(limits[c].soft) + " " + std::to_string(limits[c].soft_seconds);
      }
    }
    // CONFIG SET raises it to Redis's 16 KiB least backlog (its
    // updateReplBacklogSize); a file's value stays as written, as in Redis.
    if (canonical == "repl-backlog-size" && at_runtime) value = std::to_string(std::max(std::stoull(value), 16384ull));
    if (canonical == "notify-keyspace-events") keyspace_events_ = parse_keyspace_events(words->at(0)).value_or(0);
    // `save` lines of a file (and flags) add up, the first replacing the
    // default and `save ""` clearing them, as Redis loads its config; CONFIG
    // SET replaces them all.
    if (canonical == "save" && !at_runtime) {
      if (!save_loaded_) values_[canonical].clear();
      save_loaded_ = true;
      if (!value.empty() && !values_[canonical].empty()) value = values_[canonical] + " " + value;
    }
    values_[canonical] = std::move(value);
  } catch (const ConfigError& e) {
    throw ConfigError(given, e.what());
  }
}

std::string Settings::get(std::string_view name) const {
  const Row* row = find_row(name);
  if (row == nullptr) return std::string();
  auto it = values_.find(row->info.name);
  return it == values_.end() ? std::string() : it->second;
}

std::vector<std::pair<std::string, std::string>> Settings::matching(std::string_view pattern) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : values_) {
    if (util::glob_match(pattern, name, /*nocase=*/true)) out.emplace_back(name, value);
  }
  for (const Alias& a : kAliases) {
    if (util::glob_match(pattern, a.alias, /*nocase=*/true)) out.emplace_back(a.alias, get(a.name));
  }
  return out;
}

std::vector<std::string> Settings::ignored_in_use() const {
  std::vector<std::string> out;
  for (const Row& r : rows()) {
    if (r.info.ignored && get(r.info.name) != r.info.default_value) out.emplace_back(r.info.name);
  }
  return out;
}

void apply_config_text(Settings& settings, const std::string& text, const std::string& source) {
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
      settings.set(name, *words);
    } catch (const ConfigError& e) {
      throw ConfigError(source + ":" + std::to_string(number) + ": " + e.what() + " (line: " +
                        line + ")");
    }
  }
}

std::int64_t integer_value(const std::string& canonical) {
  std::int64_t v = 0;
  util::parse_int64(canonical, v);
  return v;
}

std::array<OutputBufferLimit, 3> parse_output_buffer_limits(const std::string& canonical) {
  std::array<OutputBufferLimit, 3> out{};
  const auto words = list_value(canonical);
  for (std::size_t j = 0; j + 3 < words.size(); j += 4) {
    for (std::size_t c = 0; c < out.size(); ++c) {
      if (words[j] != kOutputClassNames[c]) continue;
      std::uint64_t hard = 0, soft = 0;
      memory_text(words[j + 1], hard);
      memory_text(words[j + 2], soft);
      out[c] = {hard, soft, integer_value(words[j + 3])};
    }
  }
  return out;
}

std::vector<std::string> list_value(const std::string& canonical) {
  auto words = util::split_args(canonical);
  return words ? *words : std::vector<std::string>{};
}

Options Options::from(const Settings& s) {
  Options o;
  o.bind = list_value(s.get("bind"));
  o.port = static_cast<int>(integer_value(s.get("port")));
  o.tls_port = static_cast<int>(integer_value(s.get("tls-port")));
  o.threads = static_cast<int>(integer_value(s.get("threads")));
  o.databases = static_cast<int>(integer_value(s.get("databases")));
  o.loglevel = s.get("loglevel");
  o.logfile = s.get("logfile");
  return o;
}

}  // namespace larder::config
