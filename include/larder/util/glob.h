#pragma once

#include <string_view>

namespace larder::util {

// Glob matching with exactly the results of Redis 7.0's stringmatchlen()
// (KEYS, SCAN MATCH, CONFIG GET, ...). Binary safe.
//
//   *        any run of bytes (consecutive stars act as one)
//   ?        any single byte
//   [abc]    one byte from the set; [^abc] negates it; [a-z] is an inclusive
//            range (reversed ranges such as [z-a] work too); \x inside a set
//            is a literal x (compared case-sensitively even when nocase).
//            Ranges compare bytes as signed char, as Redis does on x86-64.
//            An unterminated set is closed by the end of the pattern; "[]"
//            matches nothing and "[^]" matches any byte.
//   \x       literal x; a trailing lone backslash is a literal backslash.
//
// nocase folds ASCII letters only. Quirk kept from Redis: an empty `str` is
// matched only by an empty pattern (so "*" does not match ""); callers that
// want "*" to match everything must special-case it, as KEYS and SCAN do.
// Also kept: a pattern with more than 1000 star groups before its last token
// (runs of stars count once; a trailing run is not counted) matches nothing.
// Runs in O(|pattern| * |str|) time and O(1) space.
bool glob_match(std::string_view pattern, std::string_view str,
                bool nocase = false);

}  // namespace larder::util
