#include "larder/commands/command_docs.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>
#include <span>
#include <utility>

#include "larder/util/strings.h"

namespace larder::commands {

namespace {

// ---------------------------------------------------------------------------
// Small string helpers

std::vector<std::string_view> split_on(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const std::size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

int to_int(std::string_view s, std::string_view context) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    throw DocSyntaxError("bad number '" + std::string(s) + "' in '" + std::string(context) + "'");
  }
  return v;
}

// ---------------------------------------------------------------------------
// Syntax parser. Grammar of a syntax line (Redis's documentation style):
//   seq   := item*
//   item  := '[' alts ']'          optional group
//          | '<' alts '>'          required group
//          | TOKEN item?           a word without lower-case letters: a token
//                                  introducing the next name or group, or a
//                                  pure token when nothing follows it
//          | name                  an argument
//   alts  := seq ('|' seq)*        two or more branches make a oneof; a branch
//                                  of several items is a block
// "x [x ...]" marks x multiple; "TOKEN x [TOKEN x ...]" multiple_token;
// "a b [a b ...]" a multiple block of a and b. A block's first item keeps its
// token when written in '<' '>' ("[<COUNT count> [ANY]]": the token is count's,
// not the block's).

struct Lexeme {
  enum Kind { kWord, kOpen, kClose, kOpenAngle, kCloseAngle, kBar, kEllipsis, kEnd } kind;
  std::string_view text;
};

class SyntaxParser {
 public:
  explicit SyntaxParser(std::string_view syntax) : src_(syntax) { lex(); }

  std::vector<DocArg> parse() {
    std::vector<DocArg> items = parse_seq(nullptr);
    if (peek().kind != Lexeme::kEnd) fail("unexpected '" + std::string(peek().text) + "'");
    return items;
  }

 private:
  void lex() {
    std::size_t i = 0;
    while (i < src_.size()) {
      const char c = src_[i];
      if (c == ' ') {
        ++i;
        continue;
      }
      Lexeme::Kind kind = Lexeme::kWord;
      switch (c) {
        case '[': kind = Lexeme::kOpen; break;
        case ']': kind = Lexeme::kClose; break;
        case '<': kind = Lexeme::kOpenAngle; break;
        case '>': kind = Lexeme::kCloseAngle; break;
        case '|': kind = Lexeme::kBar; break;
        default: break;
      }
      if (kind != Lexeme::kWord) {
        lexemes_.push_back({kind, src_.substr(i, 1)});
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < src_.size() && std::string_view(" []<>|").find(src_[j]) == std::string_view::npos) ++j;
      const std::string_view word = src_.substr(i, j - i);
      lexemes_.push_back({word == "..." ? Lexeme::kEllipsis : Lexeme::kWord, word});
      i = j;
    }
    lexemes_.push_back({Lexeme::kEnd, {}});
  }

  const Lexeme& peek(std::size_t ahead = 0) const {
    return lexemes_[std::min(pos_ + ahead, lexemes_.size() - 1)];
  }
  const Lexeme& next() { return lexemes_[std::min(pos_++, lexemes_.size() - 1)]; }

  [[noreturn]] void fail(const std::string& why) const {
    throw DocSyntaxError(why + " in syntax '" + std::string(src_) + "'");
  }

  static bool is_token(std::string_view word) {
    // The symbol tokens of the stream commands (XADD's "*" and "~", XGROUP's "$").
    if (word == "*" || word == "$" || word == "=" || word == "~") return true;
    bool letter = false;
    for (char c : word) {
      if (std::islower(static_cast<unsigned char>(c))) return false;
      if (std::isupper(static_cast<unsigned char>(c))) letter = true;
    }
    return letter;
  }

  // Parses a group's content after its opening bracket, through its closer.
  // Sets *repeat when the group is a repetition marker "[x ...]".
  DocArg parse_group(Lexeme::Kind closer, bool* repeat, std::size_t* repeat_count,
                     std::string* repeat_token) {
    std::vector<std::vector<DocArg>> branches;
    std::vector<std::string_view> first_words;
    bool ellipsis = false;
    for (;;) {
      first_words.push_back(peek().kind == Lexeme::kWord ? peek().text : std::string_view());
      branches.push_back(parse_seq(&ellipsis));
      const Lexeme& l = next();
      if (l.kind == closer) break;
      if (l.kind != Lexeme::kBar) fail("unbalanced group");
      if (ellipsis) fail("'...' inside a oneof");
    }
    if (ellipsis) {
      if (branches.size() != 1 || closer != Lexeme::kClose) fail("misplaced '...'");
      *repeat = true;
      *repeat_count = branches[0].size();
      *repeat_token = branches[0].size() == 1 ? branches[0][0].token : std::string();
      return {};
    }
    if (branches.size() == 1) return as_one(std::move(branches[0]));
    DocArg oneof;
    oneof.type = "oneof";
    for (auto& b : branches) oneof.args.push_back(as_one(std::move(b)));
    return oneof;
  }

  // A branch of several items is a block; a leading "TOKEN name" moves its
  // token to the block ("[AUTH username password]").
  DocArg as_one(std::vector<DocArg> items) {
    if (items.empty()) fail("empty group");
    if (items.size() == 1) return std::move(items[0]);
    DocArg block;
    block.type = "block";
    if (!items[0].token.empty() && items[0].type != "pure-token" && !items[0].pinned_token &&
        !items[0].optional) {
      block.token = std::move(items[0].token);
      items[0].token.clear();
    }
    block.args = std::move(items);
    return block;
  }

  std::vector<DocArg> parse_seq(bool* ellipsis) {
    std::vector<DocArg> items;
    for (;;) {
      const Lexeme& l = peek();
      if (l.kind == Lexeme::kEllipsis) {
        if (ellipsis == nullptr) fail("misplaced '...'");
        next();
        *ellipsis = true;
        if (peek().kind != Lexeme::kClose) fail("'...' must end its group");
        return items;
      }
      if (l.kind == Lexeme::kOpen || l.kind == Lexeme::kOpenAngle) {
        next();
        bool repeat = false;
        std::size_t count = 0;
        std::string token;
        DocArg g = parse_group(l.kind == Lexeme::kOpen ? Lexeme::kClose : Lexeme::kCloseAngle,
                               &repeat, &count, &token);
        if (repeat) {
          mark_repeated(items, count, token);
        } else {
          if (l.kind == Lexeme::kOpen) g.optional = true;
          if (l.kind == Lexeme::kOpenAngle) g.pinned_token = true;
          items.push_back(std::move(g));
        }
        continue;
      }
      if (l.kind != Lexeme::kWord) return items;
      const std::string_view word = next().text;
      if (!is_token(word)) {
        DocArg a;
        a.name = std::string(word);
        items.push_back(std::move(a));
        continue;
      }
      const Lexeme& after = peek();
      if (after.kind == Lexeme::kWord && !is_token(after.text)) {
        DocArg a;
        a.name = std::string(next().text);
        a.token = std::string(word);
        items.push_back(std::move(a));
      } else if (after.kind == Lexeme::kOpenAngle) {
        next();
        bool repeat = false;
        std::size_t count = 0;
        std::string t;
        DocArg g = parse_group(Lexeme::kCloseAngle, &repeat, &count, &t);
        if (!repeat && g.optional) {
          // "FULL <[COUNT count]>": a token block around one optional argument.
          DocArg block;
          block.type = "block";
          block.args.push_back(std::move(g));
          g = std::move(block);
        }
        if (repeat || !g.token.empty()) fail("bad group after token " + std::string(word));
        g.token = std::string(word);
        items.push_back(std::move(g));
      } else {
        DocArg a;
        a.type = "pure-token";
        a.token = std::string(word);
        items.push_back(std::move(a));
      }
    }
  }

  void mark_repeated(std::vector<DocArg>& items, std::size_t count, const std::string& token) {
    if (count == 0 || count > items.size()) fail("'...' repeats nothing");
    if (count == 1) {
      DocArg& prev = items.back();
      if (!token.empty()) {
        if (token != prev.token) fail("repeated token differs");
        prev.multiple = prev.multiple_token = true;
      } else if (!prev.token.empty() && prev.type.empty()) {
        // "ID client-id [client-id ...]": Redis makes a block of the token.
        DocArg inner = std::move(prev);
        DocArg block;
        block.type = "block";
        block.token = std::move(inner.token);
        inner.token.clear();
        inner.multiple = true;
        block.args.push_back(std::move(inner));
        prev = std::move(block);
      } else {
        prev.multiple = true;
      }
      return;
    }
    DocArg block;
    block.type = "block";
    block.multiple = true;
    block.args.assign(std::make_move_iterator(items.end() - static_cast<std::ptrdiff_t>(count)),
                      std::make_move_iterator(items.end()));
    items.erase(items.end() - static_cast<std::ptrdiff_t>(count), items.end());
    items.push_back(std::move(block));
  }

  std::string_view src_;
  std::vector<Lexeme> lexemes_;
  std::size_t pos_ = 0;
};

struct Hint {
  std::string_view key;
  char op;
  std::string_view value;
  bool used = false;
};

// Gives every node its default name, then applies the hints keyed by its
// token or default name. Children first: a group's default name joins theirs.
void finish(std::vector<DocArg>& args, std::vector<Hint>& hints) {
  for (DocArg& a : args) {
    finish(a.args, hints);
    const bool group = a.type == "oneof" || a.type == "block";
    if (a.type == "pure-token" || (group && !a.token.empty())) {
      a.name = util::to_lower(a.token);
    } else if (group) {
      a.name.clear();
      for (const DocArg& c : a.args) {
        if (!a.name.empty()) a.name += '_';
        a.name += c.name;
      }
    }
    if (a.type.empty()) a.type = a.name == "key" ? "key" : "string";
    const std::string key = a.token.empty() ? a.name : a.token;
    bool wrap = false;
    // Several renames of one key name its arguments in order (LMOVE's two
    // LEFT | RIGHT groups); the last one names any further argument.
    Hint* rename = nullptr;
    for (Hint& h : hints) {
      if (h.key != key || h.op != '=') continue;
      rename = &h;
      if (!h.used) break;
    }
    if (rename != nullptr) {
      rename->used = true;
      a.name = std::string(rename->value);
    }
    for (Hint& h : hints) {
      if (h.key != key || h.op == '=') continue;
      h.used = true;
      switch (h.op) {
        case ':':
          wrap = h.value == "block" && !group;
          if (!wrap) a.type = std::string(h.value);
          break;
        case '@': a.key_spec_index = to_int(h.value, h.key); break;
        case '^': a.since = std::string(h.value); break;
        case '!': a.deprecated_since = std::string(h.value); break;
      }
    }
    if (a.type == "key" && a.key_spec_index < 0) a.key_spec_index = 0;
    if (wrap) {
      DocArg block;
      block.name = a.name;
      block.type = "block";
      block.optional = std::exchange(a.optional, false);
      block.multiple = std::exchange(a.multiple, false);
      block.multiple_token = std::exchange(a.multiple_token, false);
      block.args.push_back(std::move(a));
      a = std::move(block);
    }
  }
}

}  // namespace

std::vector<DocArg> parse_doc_syntax(std::string_view syntax, std::string_view hints) {
  std::vector<DocArg> args = SyntaxParser(syntax).parse();
  std::vector<Hint> parsed;
  for (std::string_view item : util::split_words(hints)) {
    const std::size_t at = item.find_last_of("=:@^!");
    if (at == std::string_view::npos || at == 0 || at + 1 == item.size()) {
      throw DocSyntaxError("bad hint '" + std::string(item) + "'");
    }
    parsed.push_back({item.substr(0, at), item[at], item.substr(at + 1)});
  }
  finish(args, parsed);
  for (const Hint& h : parsed) {
    if (!h.used) throw DocSyntaxError("hint '" + std::string(h.key) + "' matches no argument of '" +
                                      std::string(syntax) + "'");
  }
  return args;
}

namespace {

// Redis 7.0's command flags, as COMMAND INFO prints them.
constexpr std::string_view kKnownFlags[] = {
    "write",   "readonly",     "denyoom",      "module",           "admin",
    "pubsub",  "noscript",     "blocking",     "loading",          "stale",
    "skip_monitor", "skip_slowlog", "asking",  "fast",             "no_auth",
    "may_replicate", "sentinel", "only_sentinel", "no_mandatory_keys", "protected",
    "module_getkeys", "module_no_cluster", "no_async_loading", "no_multi", "movablekeys",
    "allow_busy",
};

[[noreturn]] void bad_row(const CommandDoc& d, const std::string& why) {
  throw DocSyntaxError("command row '" + std::string(d.name) + "': " + why);
}

// One row's parts, parsed and checked, before they move to DocIndex's pools.
struct RowParts {
  std::vector<std::string_view> flags, acl, tips, doc_flags;
  std::vector<KeySpec> key_specs;
  std::vector<std::pair<std::string_view, std::string_view>> history;
};

RowParts parse_doc(const CommandDoc& d) {
  RowParts p;
  if (d.name.empty() || util::to_lower(d.name) != d.name) bad_row(d, "name not in lower case");
  if (d.arity == 0) bad_row(d, "no arity");
  p.flags = util::split_words(d.flags);
  for (std::string_view f : p.flags) {
    if (std::find(std::begin(kKnownFlags), std::end(kKnownFlags), f) == std::end(kKnownFlags)) {
      bad_row(d, "unknown flag '" + std::string(f) + "'");
    }
  }
  p.acl = util::split_words(d.acl);
  for (std::string_view c : p.acl) {
    if (c.size() < 2 || c[0] != '@') bad_row(d, "ACL category without '@'");
  }
  p.tips = util::split_words(d.tips);
  p.doc_flags = util::split_words(d.doc_flags);
  try {
    for (std::string_view ks : d.key_specs) {
      if (!ks.empty()) p.key_specs.push_back(parse_key_spec(ks));
    }
    parse_doc_syntax(d.syntax, d.hints);  // a malformed row stops the server at start
  } catch (const DocSyntaxError& e) {
    bad_row(d, e.what());
  }
  if (!d.history.empty()) {
    for (std::string_view line : split_on(d.history, '\n')) {
      const std::size_t sp = line.find(' ');
      if (sp == std::string_view::npos) bad_row(d, "bad history line");
      p.history.emplace_back(line.substr(0, sp), line.substr(sp + 1));
    }
  }
  return p;
}

// Moves `items` to the end of `pool`, which was reserved for every row's
// items (so earlier views stay valid), and returns the view of them.
template <class T>
std::span<const T> pooled(std::vector<T>& pool, std::vector<T>& items) {
  const std::size_t at = pool.size();
  std::move(items.begin(), items.end(), std::back_inserter(pool));
  return {pool.data() + at, items.size()};
}

// Every row, sorted by name. A row's lists are views into one pool per kind
// of item, so the table costs a few arrays for the server's life instead of
// a handful of small allocations per row.
struct DocIndex {
  std::vector<std::string_view> words;  // flags, ACL categories, tips, doc flags
  std::vector<KeySpec> specs;
  std::vector<std::pair<std::string_view, std::string_view>> histories;
  std::vector<ParsedDoc> rows;

  DocIndex() {
    using Family = std::span<const CommandDoc> (*)();
    constexpr Family kFamilies[] = {
        connection_doc_rows, client_doc_rows,        string_doc_rows,      key_doc_rows,
        transaction_doc_rows, server_doc_rows,       info_doc_rows,        config_doc_rows,
        introspection_doc_rows, diagnostics_doc_rows, hash_doc_rows,       set_doc_rows,
        list_doc_rows, zset_doc_rows, stream_doc_rows,
        bitmap_doc_rows, hyperloglog_doc_rows, geo_doc_rows, sort_doc_rows,
        pubsub_doc_rows, monitor_doc_rows, scripting_doc_rows,
        persistence_doc_rows,
        dump_doc_rows,
        acl_doc_rows,
        tracking_doc_rows,
        replication_doc_rows,
    };
    std::vector<const CommandDoc*> docs;
    for (Family family : kFamilies) {
      for (const CommandDoc& d : family()) docs.push_back(&d);
    }
    std::sort(docs.begin(), docs.end(), [](const CommandDoc* a, const CommandDoc* b) { return a->name < b->name; });
    std::vector<RowParts> parts;
    parts.reserve(docs.size());
    std::size_t word_count = 0, spec_count = 0, history_count = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
      if (i > 0 && docs[i - 1]->name == docs[i]->name) bad_row(*docs[i], "two rows");
      RowParts& p = parts.emplace_back(parse_doc(*docs[i]));
      word_count += p.flags.size() + p.acl.size() + p.tips.size() + p.doc_flags.size();
      spec_count += p.key_specs.size();
      history_count += p.history.size();
    }
    words.reserve(word_count);  // exactly: the views above rely on it
    specs.reserve(spec_count);
    histories.reserve(history_count);
    rows.reserve(docs.size());
    for (std::size_t i = 0; i < docs.size(); ++i) {
      RowParts& p = parts[i];
      ParsedDoc& row = rows.emplace_back();
      row.doc = docs[i];
      row.flags = pooled(words, p.flags);
      row.acl = pooled(words, p.acl);
      row.tips = pooled(words, p.tips);
      row.doc_flags = pooled(words, p.doc_flags);
      row.key_specs = pooled(specs, p.key_specs);
      row.history = pooled(histories, p.history);
      row.legacy_keys = legacy_key_range(row.key_specs);
    }
    for (const ParsedDoc& p : rows) {
      const std::size_t bar = p.doc->name.find('|');
      if (bar == std::string_view::npos) continue;
      ParsedDoc* container = find(p.doc->name.substr(0, bar));
      if (container == nullptr) bad_row(*p.doc, "no row for its container");
      container->container = true;
    }
  }

  ParsedDoc* find(std::string_view name) {
    auto it = std::lower_bound(rows.begin(), rows.end(), name,
                               [](const ParsedDoc& row, std::string_view n) { return row.doc->name < n; });
    return it != rows.end() && it->doc->name == name ? &*it : nullptr;
  }
};

DocIndex& doc_index() {
  static DocIndex index;
  return index;
}

}  // namespace

std::span<const ParsedDoc> command_docs() { return doc_index().rows; }

std::vector<DocArg> ParsedDoc::arguments() const { return parse_doc_syntax(doc->syntax, doc->hints); }

const ParsedDoc* find_command_doc(std::string_view full_name) { return doc_index().find(util::to_lower(full_name)); }

}  // namespace larder::commands
