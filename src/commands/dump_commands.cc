// DUMP and RESTORE: a key's value as Redis's serialized payload (the RDB
// value, the RDB version and a CRC64; persistence/rdb_writer.h), and back.

#include <optional>
#include <string>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/persistence/rdb_reader.h"
#include "larder/persistence/rdb_writer.h"
#include "larder/protocol/errors.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

using util::iequals;

persistence::WriterOptions writer_options(const CommandContext& ctx) {
  persistence::WriterOptions o;
  o.compress = ctx.config.get("rdbcompression") != "no";
  o.limits = persistence::EncodingLimits::from(ctx.config);
  return o;
}

// DUMP key
void cmd_dump(CommandContext& ctx) {
  storage::Db db = ctx.db();
  const storage::Entry* e = db.find_for_read(ctx.args[1]);
  if (e == nullptr) {
    ctx.reply.null();
    return;
  }
  ctx.reply.bulk(persistence::dump_payload(*e, writer_options(ctx)));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
// in Redis's order of checks: options, existing key, TTL, payload.
void cmd_restore(CommandContext& ctx) {
  bool replace = false;
  bool absttl = false;
  std::optional<std::uint64_t> idle;
  std::optional<std::uint8_t> freq;
  for (std::size_t j = 4; j < ctx.args.size(); ++j) {
    const std::size_t additional = ctx.args.size() - j - 1;
    std::int64_t v = 0;
    if (iequals(ctx.args[j], "replace")) {
      replace = true;
    } else if (iequals(ctx.args[j], "absttl")) {
      absttl = true;
    } else if (iequals(ctx.args[j], "idletime") && additional >= 1 && !freq) {
      if (!ctx.parse_int64_or_reply(ctx.args[j + 1], v)) return;
      if (v < 0) {
        ctx.reply.error(err::kRestoreIdletime);
        return;
      }
      idle = static_cast<std::uint64_t>(v);
      ++j;
    } else if (iequals(ctx.args[j], "freq") && additional >= 1 && !idle) {
      if (!ctx.parse_int64_or_reply(ctx.args[j + 1], v)) return;
      if (v < 0 || v > 255) {
        ctx.reply.error(err::kRestoreFreq);
        return;
      }
      freq = static_cast<std::uint8_t>(v);
      ++j;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  const std::string_view key = ctx.args[1];
  storage::Db db = ctx.db();
  if (!replace && db.lookup_write(key) != nullptr) {
    ctx.reply.error(err::kBusyKey);
    return;
  }
  std::int64_t ttl = 0;
  if (!ctx.parse_int64_or_reply(ctx.args[2], ttl)) return;
  if (ttl < 0) {
    ctx.reply.error(err::kRestoreTtl);
    return;
  }
  persistence::LoadedValue value;
  try {
    value = persistence::restore_payload(ctx.args[3], persistence::EncodingLimits::from(ctx.config));
  } catch (const persistence::RdbError& e) {
    using Kind = persistence::RdbError::Kind;
    ctx.reply.error(e.kind() == Kind::kChecksum || e.kind() == Kind::kVersion ? err::kDumpPayload
                                                                               : err::kBadDataFormat);
    return;
  }
  const bool deleted = replace && db.erase(key);
  if (ttl != 0 && !absttl) ttl += ctx.clock_ms();
  if (ttl != 0 && ttl <= ctx.clock_ms()) {  // already expired: only the REPLACE deletion stays
    if (deleted) ctx.notify(config::kNotifyGeneric, "del", key);
    ctx.reply.ok();
    return;
  }
  db.restore(key, value.make_entry(key, ttl != 0 ? ttl : storage::kNoExpire), idle, freq);
  ctx.notify(config::kNotifyGeneric, "restore", key);
  ctx.reply.ok();
}

}  // namespace

void register_dump_commands(CommandTable& table) {
  table.add("dump", cmd_dump);
  table.add("restore", cmd_restore);
}

}  // namespace larder::commands
