#pragma once
// Key specs: where a command's keys are among its arguments, as Redis 7's key
// specs describe them (COMMAND INFO's key_specs), and the one search over
// them. The dispatcher's and EXEC's shard locks, COMMAND GETKEYS /
// GETKEYSANDFLAGS and COMMAND INFO's legacy (first, last, step) all come from
// a command's parsed specs through this header.

#include <span>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace larder::commands {

// Thrown by the row parsers (here and in command_docs.h) on a malformed row:
// a bug in the table, found when it is first parsed.
struct DocSyntaxError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct KeySpec {
  enum class Begin { kIndex, kKeyword, kUnknown };
  enum class Find { kRange, kKeynum, kUnknown };
  std::vector<std::string_view> flags;  // "RW", "access", ... as Redis prints them
  bool not_key = false;         // "not_key": an argument that is not really a key
  bool incomplete = false;      // "incomplete": the spec may miss keys
  bool variable_flags = false;  // "variable_flags": the flags depend on other arguments
  std::string_view notes;
  Begin begin = Begin::kUnknown;
  int index = 0;             // kIndex: position of the first key
  std::string_view keyword;  // kKeyword: the keys follow this argument...
  int startfrom = 0;         // ...searched from here; negative counts from the end
  Find find = Find::kUnknown;
  // kRange: the last key relative to the first (negative: from the end of the
  // arguments, or with `limit`, of 1/limit of those left), every keystep-th.
  int lastkey = 0, keystep = 1, limit = 0;
  // kKeynum: numkeys at first + keynumidx, the keys from first + firstkey
  // (keystep shared with kRange).
  int keynumidx = 0, firstkey = 0;
};

// Parses "FLAGS | begin_search | find_keys [| notes]": begin_search is
// "index N", "keyword KW STARTFROM" or "unknown"; find_keys is
// "range LASTKEY KEYSTEP LIMIT", "keynum KEYNUMIDX FIRSTKEY KEYSTEP" or
// "unknown". E.g. "RW access update | index 1 | range 0 1 0",
// "RO access | index 1 | keynum 0 1 1". Throws DocSyntaxError.
KeySpec parse_key_spec(std::string_view text);

// The positions one spec finds in a command line.
struct KeyRange {
  int first = 0, last = -1, step = 1;
};
enum class SpecSearch {
  kFound,    // `range` holds the keys (all inside the arguments)
  kNone,     // the spec's keyword is absent: it names no keys
  kInvalid,  // Redis's invalid_spec: bad numkeys, keys past the end, unknown spec
};
// One spec of Redis 7's getKeysUsingKeySpecs over `args` (the whole command
// line, its name at 0).
SpecSearch search_key_spec(const KeySpec& spec, std::span<const std::string_view> args,
                           KeyRange& range);

// Redis 7's getKeysUsingKeySpecs: calls visit(position, spec) for every key
// `args` (the whole command line, its name at 0) names under `specs`, spec by
// spec, skipping not_key specs. Returns false where Redis finds the line
// invalid for the specs (numkeys not a string2ll integer >= 0, keys past the
// end of the line, an unknown or incomplete spec); the positions visited
// until then are then not the command's keys.
template <class Visit>
bool for_each_key(std::span<const KeySpec> specs, std::span<const std::string_view> args,
                  Visit&& visit) {
  for (const KeySpec& spec : specs) {
    if (spec.not_key) continue;
    KeyRange r;
    const SpecSearch found = search_key_spec(spec, args, r);
    if (found == SpecSearch::kInvalid) return false;
    if (found == SpecSearch::kNone) continue;
    for (int i = r.first; i <= r.last; i += r.step) visit(i, spec);
    if (spec.incomplete) return false;
  }
  return true;
}

// What Redis 7.0's COMMAND GETKEYS falls back to when for_each_key() finds a
// line invalid. Every Redis command with a keynum spec has a getkeys_proc
// (genericGetKeys) that reads numkeys with atoi(): no keys when it is below 1
// or more than the arguments after it hold, else the keynum keys followed by
// the keys of the fixed-index specs (a destination), all without flags.
// Returns their positions; none when `specs` has no index-keynum spec.
std::vector<int> keynum_fallback_keys(std::span<const KeySpec> specs,
                                      std::span<const std::string_view> args);

// SORT's keys (Redis's sortGetKeys), whose BY/GET spec is unknown: the
// sorted key and the last STORE destination, skipping LIMIT's, GET's and
// BY's arguments; SORT_RO only the sorted key (sortROGetKeys). Positions with
// their flags.
std::vector<std::pair<int, std::vector<std::string_view>>> sort_keys(std::span<const std::string_view> argv,
                                                                      bool read_only);

// Redis's legacy (first, last, step) key range, which COMMAND INFO still
// prints, merged from the specs as populateCommandLegacyRangeSpec does: all
// zero when there is none; `last` negative counts from the end. `movable` is
// set where Redis adds the movablekeys flag: some key is outside the range.
struct LegacyKeyRange {
  int first = 0, last = 0, step = 0;
  bool movable = false;
};
LegacyKeyRange legacy_key_range(std::span<const KeySpec> specs);

}  // namespace larder::commands
