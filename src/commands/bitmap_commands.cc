// Bitmap family: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD,
// BITFIELD_RO. They work on string values (Redis's bitops.c), growing them in
// place through the Db write handle; the bit primitives are util/bits.h.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/protocol/errors.h"
#include "larder/util/bits.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

using util::Overflow;

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Redis's getBitOffsetFromArgument(): a bit offset below 8 *
// proto-max-bulk-len; with `bits` > 0 a "#N" offset means N * bits.
bool bit_offset_or_reply(CommandContext& ctx, std::string_view arg, unsigned bits, std::uint64_t& out) {
  const bool hash = bits > 0 && !arg.empty() && arg[0] == '#';
  std::int64_t offset = 0;
  bool ok = util::parse_int64(hash ? arg.substr(1) : arg, offset);
  if (ok && hash) ok = !__builtin_mul_overflow(offset, static_cast<std::int64_t>(bits), &offset);
  if (!ok || offset < 0 || static_cast<std::uint64_t>(offset >> 3) >= ctx.config.proto_max_bulk_len()) {
    ctx.reply.error(err::kBitOffsetOutOfRange);
    return false;
  }
  out = static_cast<std::uint64_t>(offset);
  return true;
}

// Redis's getBitfieldTypeFromArgument(): "i1".."i64" or "u1".."u63".
bool bitfield_type_or_reply(CommandContext& ctx, std::string_view arg, bool& is_signed, unsigned& bits) {
  arg = util::c_string(arg);
  std::int64_t n = 0;
  if (arg.empty() || (arg[0] != 'i' && arg[0] != 'u') || !util::parse_int64(arg.substr(1), n) || n < 1 ||
      n > (arg[0] == 'i' ? 64 : 63)) {
    ctx.reply.error(err::kBitfieldType);
    return false;
  }
  is_signed = arg[0] == 'i';
  bits = static_cast<unsigned>(n);
  return true;
}

// Opens `key` as a string for a bit write reaching bit `max_bit`: creates it
// or pads it with zero bytes up to that bit, and marks it raw (as Redis's
// lookupStringForBitCommand). Returns false after replying WRONGTYPE.
// `grown` tells whether the value was created or lengthened; the value is
// resized (and marked changed) only then, so the caller writes through
// w.resize_string() when it changes bits of an unchanged size.
bool open_for_bits_or_reply(CommandContext& ctx, storage::Db::Writer& w, std::uint64_t max_bit, bool& grown) {
  if (!ctx.writable_or_reply(w)) return false;
  w.mark_string_raw();
  const std::size_t size = w.entry().value().size();
  const std::size_t need = static_cast<std::size_t>(max_bit >> 3) + 1;
  grown = w.created() || need > size;
  if (need > size) w.resize_string(need);
  return true;
}

// SETBIT key offset value: replies the bit's previous value.
void cmd_setbit(CommandContext& ctx) {
  std::uint64_t offset = 0;
  if (!bit_offset_or_reply(ctx, ctx.args[2], 0, offset)) return;
  std::int64_t on = 0;
  if (!util::parse_int64(ctx.args[3], on) || (on & ~1) != 0) {
    ctx.reply.error(err::kBitNotInteger);
    return;
  }
  storage::Db db = ctx.db();
  storage::Db::Writer w = db.write(ctx.args[1], storage::ValueType::kString, storage::Db::Create::kYes);
  bool grown = false;
  if (!open_for_bits_or_reply(ctx, w, offset, grown)) return;
  const std::size_t byte = offset >> 3;
  const unsigned shift = 7 - static_cast<unsigned>(offset & 7);
  const auto old = static_cast<unsigned char>(w.entry().value()[byte]);
  const bool was_set = (old >> shift) & 1u;
  if (grown || was_set != (on != 0)) {
    char* data = w.resize_string(w.entry().value().size());
    data[byte] = static_cast<char>((old & ~(1u << shift)) | (static_cast<unsigned>(on) << shift));
    ctx.notify(config::kNotifyString, "setbit", ctx.args[1]);
  }
  ctx.reply.integer(was_set ? 1 : 0);
}

// GETBIT key offset: 0 past the end or for a missing key.
void cmd_getbit(CommandContext& ctx) {
  std::uint64_t offset = 0;
  if (!bit_offset_or_reply(ctx, ctx.args[2], 0, offset)) return;
  storage::Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], storage::ValueType::kString, e)) return;
  int bit = 0;
  if (e != nullptr) {
    const std::string_view v = e->value();
    const std::uint64_t byte = offset >> 3;
    if (byte < v.size()) bit = (static_cast<unsigned char>(v[byte]) >> (7 - (offset & 7))) & 1;
  }
  ctx.reply.integer(bit);
}

// A BITCOUNT/BITPOS range: BYTE or BIT unit word at `at`.
bool range_unit_or_reply(CommandContext& ctx, std::string_view arg, bool& is_bit) {
  const std::string_view unit = util::c_string(arg);
  if (util::iequals(unit, "bit")) {
    is_bit = true;
  } else if (util::iequals(unit, "byte")) {
    is_bit = false;
  } else {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  return true;
}

// The range [start, end] of a value of `len` bytes in `is_bit` units,
// normalised as Redis does (negatives from the end, clamped); for bit units
// it becomes a byte range plus masks of the edge bits outside it.
struct ByteRange {
  std::int64_t start = 0, end = 0;
  unsigned char first_neg_mask = 0, last_neg_mask = 0;
};

ByteRange normalise_range(std::int64_t start, std::int64_t end, std::int64_t len, bool is_bit) {
  std::int64_t total = is_bit ? len << 3 : len;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  ByteRange r{start, end, 0, 0};
  if (is_bit && start <= end) {
    r.first_neg_mask = static_cast<unsigned char>(~((1u << (8 - (start & 7))) - 1) & 0xff);
    r.last_neg_mask = static_cast<unsigned char>((1u << (7 - (end & 7))) - 1);
    r.start = start >> 3;
    r.end = end >> 3;
  }
  return r;
}

// BITCOUNT key [start end [BYTE|BIT]]. As Redis 7.0: the key is looked up
// (missing: 0, wrong type: WRONGTYPE) before the range is parsed.
void cmd_bitcount(CommandContext& ctx) {
  storage::Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], storage::ValueType::kString, e)) return;
  if (e == nullptr) {
    ctx.reply.integer(0);
    return;
  }
  const std::string_view v = e->value();
  const auto len = static_cast<std::int64_t>(v.size());
  ByteRange r{0, len - 1, 0, 0};
  const std::size_t argc = ctx.args.size();
  if (argc == 4 || argc == 5) {
    std::int64_t start = 0, end = 0;
    if (!ctx.parse_int64_or_reply(ctx.args[2], start) || !ctx.parse_int64_or_reply(ctx.args[3], end)) return;
    // As Redis 7.0: an empty negative range answers before the unit is read.
    if (start < 0 && end < 0 && start > end) {
      ctx.reply.integer(0);
      return;
    }
    bool is_bit = false;
    if (argc == 5 && !range_unit_or_reply(ctx, ctx.args[4], is_bit)) return;
    r = normalise_range(start, end, len, is_bit);
  } else if (argc != 2) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  if (r.start > r.end) {
    ctx.reply.integer(0);
    return;
  }
  const unsigned char* p = bytes_of(v);
  std::uint64_t count = util::popcount(p + r.start, static_cast<std::size_t>(r.end - r.start + 1));
  // The edge bytes of a BIT range were counted whole: take off their bits
  // outside the range.
  count -= static_cast<std::uint64_t>(__builtin_popcount(p[r.start] & r.first_neg_mask));
  count -= static_cast<std::uint64_t>(__builtin_popcount(p[r.end] & r.last_neg_mask));
  ctx.reply.integer(static_cast<std::int64_t>(count));
}

// BITPOS key bit [start [end [BYTE|BIT]]]. As Redis 7.0: the bit is checked
// first, then the key is looked up (missing: -1 for 1, 0 for 0), then the
// range. Without an explicit end the value counts as zero-padded on the
// right, so a clear bit is found just past it.
void cmd_bitpos(CommandContext& ctx) {
  std::int64_t bit = 0;
  if (!ctx.parse_int64_or_reply(ctx.args[2], bit)) return;
  if (bit != 0 && bit != 1) {
    ctx.reply.error(err::kBitposBit);
    return;
  }
  storage::Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], storage::ValueType::kString, e)) return;
  if (e == nullptr) {
    ctx.reply.integer(bit ? -1 : 0);
    return;
  }
  const std::string_view v = e->value();
  const auto len = static_cast<std::int64_t>(v.size());
  const std::size_t argc = ctx.args.size();
  bool end_given = false;
  ByteRange r{0, len - 1, 0, 0};
  if (argc >= 4 && argc <= 6) {
    std::int64_t start = 0, end = 0;
    if (!ctx.parse_int64_or_reply(ctx.args[3], start)) return;
    bool is_bit = false;
    if (argc == 6 && !range_unit_or_reply(ctx, ctx.args[5], is_bit)) return;
    if (argc >= 5) {
      if (!ctx.parse_int64_or_reply(ctx.args[4], end)) return;
      end_given = true;
    } else {
      end = is_bit ? (len << 3) + 7 : len - 1;
    }
    r = normalise_range(start, end, len, is_bit);
  } else if (argc != 3) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  if (r.start > r.end) {
    ctx.reply.integer(-1);
    return;
  }
  const unsigned char* p = bytes_of(v);
  std::int64_t start = r.start;
  std::int64_t bytes = r.end - r.start + 1;
  std::int64_t pos = 0;
  // An edge byte of a BIT range with its outside bits forced to the value
  // not sought.
  auto edge = [&](unsigned char c, unsigned char neg_mask) {
    return static_cast<unsigned char>(bit ? (c & ~neg_mask) : (c | neg_mask));
  };
  [&] {
    if (r.first_neg_mask != 0) {
      unsigned char c = edge(p[start], r.first_neg_mask);
      if (r.last_neg_mask != 0 && bytes == 1) c = edge(c, r.last_neg_mask);
      pos = util::bitpos(&c, 1, static_cast<int>(bit));
      if (bytes == 1 || (pos != -1 && pos != 8)) return;
      ++start;
      --bytes;
    }
    const std::int64_t middle = bytes - (r.last_neg_mask != 0 ? 1 : 0);
    if (middle > 0) {
      pos = util::bitpos(p + start, static_cast<std::size_t>(middle), static_cast<int>(bit));
      if (bytes == middle || (pos != -1 && pos != middle << 3)) return;
      start += middle;
      bytes -= middle;
    }
    const unsigned char c = edge(p[r.end], r.last_neg_mask);
    pos = util::bitpos(&c, 1, static_cast<int>(bit));
  }();
  // With an explicit end, the zero padding past the range does not count.
  if (end_given && bit == 0 && pos == bytes << 3) {
    ctx.reply.integer(-1);
    return;
  }
  if (pos != -1) pos += start << 3;
  ctx.reply.integer(pos);
}

// BITOP AND|OR|XOR|NOT destkey key [key ...]: missing keys are empty, shorter
// values are zero-padded; the result (as long as the longest source) replaces
// destkey, or deletes it when empty. Replies its length.
void cmd_bitop(CommandContext& ctx) {
  enum class Op { kAnd, kOr, kXor, kNot };
  const std::string_view name = util::c_string(ctx.args[1]);
  Op op;
  if (util::iequals(name, "and")) {
    op = Op::kAnd;
  } else if (util::iequals(name, "or")) {
    op = Op::kOr;
  } else if (util::iequals(name, "xor")) {
    op = Op::kXor;
  } else if (util::iequals(name, "not")) {
    op = Op::kNot;
  } else {
    ctx.reply.error(err::kSyntax);
    return;
  }
  if (op == Op::kNot && ctx.args.size() != 4) {
    ctx.reply.error(err::kBitopNotArity);
    return;
  }
  storage::Db db = ctx.db();
  std::vector<std::string_view> sources;
  std::size_t max_len = 0;
  for (std::size_t j = 3; j < ctx.args.size(); ++j) {
    const storage::Entry* e = nullptr;
    if (!ctx.read_or_reply(db, ctx.args[j], storage::ValueType::kString, e)) return;
    sources.push_back(e != nullptr ? e->value() : std::string_view());
    max_len = std::max(max_len, sources.back().size());
  }
  const std::string_view dest = ctx.args[2];
  if (max_len == 0) {
    if (db.erase(dest)) ctx.notify(config::kNotifyGeneric, "del", dest);
    ctx.reply.integer(0);
    return;
  }
  // The result is built apart: a source may be destkey itself.
  std::string result(max_len, '\0');
  auto* out = reinterpret_cast<unsigned char*>(result.data());
  const std::string_view first = sources[0];
  if (!first.empty()) std::memcpy(out, first.data(), first.size());  // a missing key's view is null
  if (op == Op::kNot) {
    for (std::size_t i = 0; i < max_len; ++i) out[i] = static_cast<unsigned char>(~out[i]);
  } else {
    for (std::size_t k = 1; k < sources.size(); ++k) {
      const unsigned char* src = bytes_of(sources[k]);
      const std::size_t n = sources[k].size();
      switch (op) {
        case Op::kAnd:
          for (std::size_t i = 0; i < n; ++i) out[i] &= src[i];
          std::memset(out + n, 0, max_len - n);
          break;
        case Op::kOr:
          for (std::size_t i = 0; i < n; ++i) out[i] |= src[i];
          break;
        case Op::kXor:
          for (std::size_t i = 0; i < n; ++i) out[i] ^= src[i];
          break;
        case Op::kNot: break;
      }
    }
  }
  db.set(dest, result, storage::kNoExpire);
  db.set_string_form(dest, storage::Entry::StringForm::kRaw);  // Redis stores the result raw
  ctx.notify(config::kNotifyString, "set", dest);
  ctx.reply.integer(static_cast<std::int64_t>(max_len));
}

// One BITFIELD operation, parsed.
struct BitfieldOp {
  enum Kind { kGet, kSet, kIncrBy } kind;
  std::uint64_t offset;
  std::int64_t value;  // SET's value or INCRBY's increment
  Overflow overflow;
  unsigned bits;
  bool is_signed;
};

// BITFIELD / BITFIELD_RO key [GET type offset | [OVERFLOW WRAP|SAT|FAIL]
// SET type offset value | INCRBY type offset increment ...]. Every operation
// is parsed before any runs; writes pad the value up to the farthest bit
// written. Replies one entry per GET/SET/INCRBY (nil for a FAIL overflow).
void bitfield_generic(CommandContext& ctx, bool read_only_command) {
  std::vector<BitfieldOp> ops;
  Overflow overflow = Overflow::kWrap;
  bool writes = false;
  std::uint64_t highest_write = 0;
  const std::size_t argc = ctx.args.size();
  for (std::size_t j = 2; j < argc; ++j) {
    const std::size_t remaining = argc - j - 1;
    const std::string_view sub = util::c_string(ctx.args[j]);
    BitfieldOp op{};
    if (util::iequals(sub, "get") && remaining >= 2) {
      op.kind = BitfieldOp::kGet;
    } else if (util::iequals(sub, "set") && remaining >= 3) {
      op.kind = BitfieldOp::kSet;
    } else if (util::iequals(sub, "incrby") && remaining >= 3) {
      op.kind = BitfieldOp::kIncrBy;
    } else if (util::iequals(sub, "overflow") && remaining >= 1) {
      const std::string_view policy = util::c_string(ctx.args[++j]);
      if (util::iequals(policy, "wrap")) {
        overflow = Overflow::kWrap;
      } else if (util::iequals(policy, "sat")) {
        overflow = Overflow::kSat;
      } else if (util::iequals(policy, "fail")) {
        overflow = Overflow::kFail;
      } else {
        ctx.reply.error(err::kBitfieldOverflow);
        return;
      }
      continue;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
    if (!bitfield_type_or_reply(ctx, ctx.args[j + 1], op.is_signed, op.bits)) return;
    if (!bit_offset_or_reply(ctx, ctx.args[j + 2], op.bits, op.offset)) return;
    if (op.kind != BitfieldOp::kGet) {
      writes = true;
      highest_write = std::max(highest_write, op.offset + op.bits - 1);
      if (!ctx.parse_int64_or_reply(ctx.args[j + 3], op.value)) return;
    }
    op.overflow = overflow;
    ops.push_back(op);
    j += op.kind == BitfieldOp::kGet ? 2 : 3;
  }

  storage::Db db = ctx.db();
  // GET reads 9 bytes around its offset, zero-padded past the value.
  auto get = [&](std::string_view v, const BitfieldOp& op) {
    unsigned char buf[9] = {};
    const std::uint64_t byte = op.offset >> 3;
    for (std::uint64_t i = 0; i < 9 && byte + i < v.size(); ++i) buf[i] = static_cast<unsigned char>(v[byte + i]);
    const std::uint64_t at = op.offset - byte * 8;
    if (op.is_signed) {
      ctx.reply.integer(util::get_signed_bitfield(buf, at, op.bits));
    } else {
      ctx.reply.integer(static_cast<std::int64_t>(util::get_unsigned_bitfield(buf, at, op.bits)));
    }
  };
  if (!writes) {
    const storage::Entry* e = nullptr;
    if (!ctx.read_or_reply(db, ctx.args[1], storage::ValueType::kString, e)) return;
    const std::string_view v = e != nullptr ? e->value() : std::string_view();
    ctx.reply.array(ops.size());
    for (const BitfieldOp& op : ops) get(v, op);
    return;
  }
  if (read_only_command) {
    ctx.reply.error(err::kBitfieldRoGetOnly);
    return;
  }
  storage::Db::Writer w = db.write(ctx.args[1], storage::ValueType::kString, storage::Db::Create::kYes);
  bool grown = false;
  if (!open_for_bits_or_reply(ctx, w, highest_write, grown)) return;
  const std::size_t size = w.entry().value().size();
  unsigned char* data = nullptr;  // writable bytes, taken at the first write
  auto view = [&] { return data != nullptr ? std::string_view(reinterpret_cast<char*>(data), size) : w.entry().value(); };
  ctx.reply.array(ops.size());
  for (const BitfieldOp& op : ops) {
    if (op.kind == BitfieldOp::kGet) {
      get(view(), op);
      continue;
    }
    const unsigned char* p = bytes_of(view());
    std::uint64_t store = 0;
    std::int64_t reply = 0;
    int overflowed = 0;
    if (op.is_signed) {
      const std::int64_t old = util::get_signed_bitfield(p, op.offset, op.bits);
      std::int64_t fresh = 0, limit = 0;
      if (op.kind == BitfieldOp::kIncrBy) {
        overflowed = util::check_signed_overflow(old, op.value, op.bits, op.overflow, limit);
        fresh = overflowed ? limit
                           : static_cast<std::int64_t>(static_cast<std::uint64_t>(old) + static_cast<std::uint64_t>(op.value));
        reply = fresh;
      } else {
        overflowed = util::check_signed_overflow(op.value, 0, op.bits, op.overflow, limit);
        fresh = overflowed ? limit : op.value;
        reply = old;
      }
      store = static_cast<std::uint64_t>(fresh);
    } else {
      const std::uint64_t old = util::get_unsigned_bitfield(p, op.offset, op.bits);
      std::uint64_t fresh = 0, limit = 0;
      if (op.kind == BitfieldOp::kIncrBy) {
        overflowed = util::check_unsigned_overflow(old, op.value, op.bits, op.overflow, limit);
        fresh = overflowed ? limit : old + static_cast<std::uint64_t>(op.value);
        reply = static_cast<std::int64_t>(fresh);
      } else {
        const auto value = static_cast<std::uint64_t>(op.value);
        overflowed = util::check_unsigned_overflow(value, 0, op.bits, op.overflow, limit);
        fresh = overflowed ? limit : value;
        reply = static_cast<std::int64_t>(old);
      }
      store = fresh;
    }
    if (overflowed != 0 && op.overflow == Overflow::kFail) {
      ctx.reply.null();
      continue;
    }
    ctx.reply.integer(reply);
    // A field left as it was is no change (no WATCH signal, no event), as in Redis.
    const std::uint64_t mask = op.bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << op.bits) - 1;
    if (((store ^ util::get_unsigned_bitfield(p, op.offset, op.bits)) & mask) == 0) continue;
    if (data == nullptr) data = reinterpret_cast<unsigned char*>(w.resize_string(size));
    util::set_unsigned_bitfield(data, op.offset, op.bits, store);
  }
  if (grown || data != nullptr) ctx.notify(config::kNotifyString, "setbit", ctx.args[1]);
}

void cmd_bitfield(CommandContext& ctx) { bitfield_generic(ctx, false); }
void cmd_bitfield_ro(CommandContext& ctx) { bitfield_generic(ctx, true); }

}  // namespace

void register_bitmap_commands(CommandTable& table) {
  table.add("setbit", cmd_setbit);
  table.add("getbit", cmd_getbit);
  table.add("bitcount", cmd_bitcount);
  table.add("bitpos", cmd_bitpos);
  table.add("bitop", cmd_bitop);
  table.add("bitfield", cmd_bitfield);
  table.add("bitfield_ro", cmd_bitfield_ro);
}

}  // namespace larder::commands
