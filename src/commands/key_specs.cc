#include "larder/commands/key_specs.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

[[noreturn]] void fail(std::string_view why, std::string_view text) {
  throw DocSyntaxError(std::string(why) + " in key spec '" + std::string(text) + "'");
}

int to_int(std::string_view s, std::string_view text) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) fail("bad number '" + std::string(s) + "'", text);
  return v;
}

// Redis 7.0's key spec flags (COMMAND INFO prints these names).
constexpr std::string_view kKnownFlags[] = {
    "RO", "RW", "OW", "RM", "access", "update", "insert", "delete",
    "not_key", "incomplete", "variable_flags",
};

// C's atoi() as glibc has it: (int)strtol(s, NULL, 10) over the bytes before
// the first NUL.
int c_atoi(std::string_view s) {
  const std::string copy(util::c_string(s));
  return static_cast<int>(std::strtol(copy.c_str(), nullptr, 10));
}

}  // namespace

KeySpec parse_key_spec(std::string_view text) {
  std::string_view parts[3];
  std::string_view rest = text;
  for (std::string_view& part : parts) {
    const std::size_t bar = rest.find('|');
    if (bar == std::string_view::npos && &part != &parts[2]) fail("missing parts", text);
    part = rest.substr(0, bar);
    rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
  }
  KeySpec ks;
  ks.flags = util::split_words(parts[0]);
  for (std::string_view f : ks.flags) {
    if (std::find(std::begin(kKnownFlags), std::end(kKnownFlags), f) == std::end(kKnownFlags)) {
      fail("unknown flag '" + std::string(f) + "'", text);
    }
    ks.not_key = ks.not_key || f == "not_key";
    ks.incomplete = ks.incomplete || f == "incomplete";
    ks.variable_flags = ks.variable_flags || f == "variable_flags";
  }
  // Notes, after the third '|', may contain '|' themselves.
  ks.notes = trim(rest);

  const std::vector<std::string_view> begin = util::split_words(parts[1]);
  if (begin.size() == 2 && begin[0] == "index") {
    ks.begin = KeySpec::Begin::kIndex;
    ks.index = to_int(begin[1], text);
    if (ks.index < 1) fail("index below 1", text);
  } else if (begin.size() == 3 && begin[0] == "keyword") {
    ks.begin = KeySpec::Begin::kKeyword;
    ks.keyword = begin[1];
    ks.startfrom = to_int(begin[2], text);
  } else if (begin.size() == 1 && begin[0] == "unknown") {
    ks.begin = KeySpec::Begin::kUnknown;
  } else {
    fail("bad begin_search", text);
  }

  const std::vector<std::string_view> find = util::split_words(parts[2]);
  if (find.size() == 4 && find[0] == "range") {
    ks.find = KeySpec::Find::kRange;
    ks.lastkey = to_int(find[1], text);
    ks.keystep = to_int(find[2], text);
    ks.limit = to_int(find[3], text);
    if (ks.limit < 0 || (ks.limit > 0 && ks.lastkey != -1)) fail("limit needs lastkey -1", text);
  } else if (find.size() == 4 && find[0] == "keynum") {
    ks.find = KeySpec::Find::kKeynum;
    ks.keynumidx = to_int(find[1], text);
    ks.firstkey = to_int(find[2], text);
    ks.keystep = to_int(find[3], text);
    if (ks.keynumidx < 0 || ks.firstkey < 0) fail("negative keynum offset", text);
  } else if (find.size() == 1 && find[0] == "unknown") {
    ks.find = KeySpec::Find::kUnknown;
  } else {
    fail("bad find_keys", text);
  }
  if (ks.keystep < 1) fail("keystep below 1", text);
  return ks;
}

SpecSearch search_key_spec(const KeySpec& spec, std::span<const std::string_view> args,
                           KeyRange& range) {
  const int argc = static_cast<int>(args.size());
  int first = 0;
  switch (spec.begin) {
    case KeySpec::Begin::kIndex:
      first = spec.index;
      break;
    case KeySpec::Begin::kKeyword: {
      // From startfrom towards the end, or from the end backwards down to
      // (not including) argument 1, as Redis walks it.
      const bool forward = spec.startfrom > 0;
      const int start = forward ? spec.startfrom : argc + spec.startfrom;
      const int end = forward ? argc - 1 : 1;
      for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (util::iequals(util::c_string(args[static_cast<std::size_t>(i)]), spec.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first == 0) return SpecSearch::kNone;
      break;
    }
    case KeySpec::Begin::kUnknown:
      return SpecSearch::kInvalid;
  }

  int last = 0;
  switch (spec.find) {
    case KeySpec::Find::kRange:
      if (spec.lastkey >= 0) {
        last = first + spec.lastkey;
      } else if (spec.limit == 0) {
        last = argc + spec.lastkey;
      } else {
        last = first + ((argc - first) / spec.limit + spec.lastkey);
      }
      break;
    case KeySpec::Find::kKeynum: {
      const int at = first + spec.keynumidx;
      if (at >= argc) return SpecSearch::kInvalid;
      std::int64_t numkeys = 0;
      if (!util::parse_int64(args[static_cast<std::size_t>(at)], numkeys) || numkeys < 0) {
        return SpecSearch::kInvalid;
      }
      first += spec.firstkey;
      // Redis narrows numkeys to int here, and its sum wraps; a wrapped
      // count fails the bounds check below or names keys the command's own
      // numkeys parse rejects.
      last = static_cast<int>(std::int64_t{first} + static_cast<int>(numkeys) - 1);
      break;
    }
    case KeySpec::Find::kUnknown:
      return SpecSearch::kInvalid;
  }
  if (last >= argc || last < first || first >= argc) return SpecSearch::kInvalid;
  range = {first, last, spec.keystep};
  return SpecSearch::kFound;
}

std::vector<std::pair<int, std::vector<std::string_view>>> sort_keys(std::span<const std::string_view> argv,
                                                                      bool read_only) {
  std::vector<std::pair<int, std::vector<std::string_view>>> keys{{1, {"RO", "access"}}};
  if (read_only) return keys;
  const int argc = static_cast<int>(argv.size());
  int store = 0;
  for (int i = 2; i < argc; ++i) {
    const std::string_view a = util::c_string(argv[static_cast<std::size_t>(i)]);
    if (util::iequals(a, "limit")) {
      i += 2;
    } else if (util::iequals(a, "get") || util::iequals(a, "by")) {
      i += 1;
    } else if (util::iequals(a, "store") && i + 1 < argc) {
      store = i + 1;
    }
  }
  if (store != 0) keys.push_back({store, {"OW", "update"}});
  return keys;
}

std::vector<int> keynum_fallback_keys(std::span<const KeySpec> specs,
                                      std::span<const std::string_view> args) {
  std::vector<int> keys;
  const auto keynum = std::find_if(specs.begin(), specs.end(), [](const KeySpec& ks) {
    return ks.begin == KeySpec::Begin::kIndex && ks.find == KeySpec::Find::kKeynum;
  });
  if (keynum == specs.end()) return keys;
  const int argc = static_cast<int>(args.size());
  const int count_at = keynum->index + keynum->keynumidx;
  const int first = keynum->index + keynum->firstkey;
  if (count_at >= argc) return keys;
  const int num = c_atoi(args[static_cast<std::size_t>(count_at)]);
  if (num < 1 || num > (argc - first) / keynum->keystep) return keys;
  for (int i = 0; i < num; ++i) keys.push_back(first + i * keynum->keystep);
  for (const KeySpec& ks : specs) {
    if (&ks != &*keynum && ks.begin == KeySpec::Begin::kIndex &&
        ks.find == KeySpec::Find::kRange && ks.lastkey == 0 && ks.index < argc) {
      keys.push_back(ks.index);
    }
  }
  return keys;
}

LegacyKeyRange legacy_key_range(std::span<const KeySpec> specs) {
  LegacyKeyRange out;
  if (specs.empty()) return out;
  auto plain = [](const KeySpec& ks) {
    return ks.begin == KeySpec::Begin::kIndex && ks.find == KeySpec::Find::kRange;
  };
  auto absolute_last = [](const KeySpec& ks) {
    return ks.lastkey >= 0 ? ks.index + ks.lastkey : ks.lastkey;
  };
  if (specs.size() == 1 && plain(specs[0])) {
    out = {specs[0].index, absolute_last(specs[0]), specs[0].keystep, specs[0].incomplete};
    return out;
  }
  // Consecutive step-1 ranges merge; anything else only sets movable. The
  // last key compares unsigned, so a from-the-end range (negative) wins.
  int first = INT_MAX;
  unsigned last = 0, prev_last = 0;
  for (const KeySpec& ks : specs) {
    if (!plain(ks) || ks.keystep != 1 ||
        (prev_last != 0 && prev_last != static_cast<unsigned>(ks.index - 1))) {
      out.movable = true;
      continue;
    }
    if (ks.incomplete) out.movable = true;
    first = std::min(first, ks.index);
    last = std::max(last, static_cast<unsigned>(absolute_last(ks)));
    prev_last = last;
  }
  if (first == INT_MAX) {
    out.movable = true;
    return out;
  }
  out.first = first;
  out.last = static_cast<int>(last);
  out.step = 1;
  return out;
}

}  // namespace larder::commands
