// Geo family: GEOADD, GEODIST, GEOPOS, GEOHASH, GEOSEARCH, GEOSEARCHSTORE and
// the deprecated GEORADIUS, GEORADIUSBYMEMBER, GEORADIUS_RO,
// GEORADIUSBYMEMBER_RO (Redis's geo.c). Points are sorted-set members whose
// score is their 52-bit geohash (storage/geohash.h).

#include <algorithm>
#include <array>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/protocol/errors.h"
#include "larder/storage/geohash.h"
#include "larder/storage/zset_value.h"
#include "larder/util/numbers.h"
#include "larder/util/pqsort.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

namespace geo = storage::geo;
namespace zset = storage::zset;
using storage::Db;
using storage::Entry;
using storage::ValueType;

bool opt(std::string_view arg, std::string_view name) { return util::iequals(util::c_string(arg), name); }

zset::Limits limits(const CommandContext& ctx) {
  return {ctx.config.zset_max_listpack_entries(), ctx.config.zset_max_listpack_value()};
}

// Redis's getDoubleFromObjectOrReply(), with its message for the argument.
bool double_or_reply(CommandContext& ctx, std::string_view arg, double& out,
                     std::string_view error = err::kNotFloat) {
  if (util::parse_double(arg, out)) return true;
  ctx.reply.error(error);
  return false;
}

// Redis's extractLongLatOrReply(): args[0] longitude, args[1] latitude.
bool lon_lat_or_reply(CommandContext& ctx, std::size_t at, std::array<double, 2>& xy) {
  if (!double_or_reply(ctx, ctx.args[at], xy[0]) || !double_or_reply(ctx, ctx.args[at + 1], xy[1])) return false;
  if (xy[0] < geo::kLongMin || xy[0] > geo::kLongMax || xy[1] < geo::kLatMin || xy[1] > geo::kLatMax) {
    // Unbounded, as Redis's sdscatprintf: %f of 1e300 takes 300 digits.
    const int size = std::snprintf(nullptr, 0, "ERR invalid longitude,latitude pair %f,%f", xy[0], xy[1]);
    std::string text(static_cast<std::size_t>(size) + 1, '\0');
    std::snprintf(text.data(), text.size(), "ERR invalid longitude,latitude pair %f,%f", xy[0], xy[1]);
    text.pop_back();
    ctx.reply.error(text);
    return false;
  }
  return true;
}

// Metres per unit: m, km, ft, mi (any case).
bool unit_or_reply(CommandContext& ctx, std::string_view arg, double& conversion) {
  if (opt(arg, "m")) {
    conversion = 1;
  } else if (opt(arg, "km")) {
    conversion = 1000;
  } else if (opt(arg, "ft")) {
    conversion = 0.3048;
  } else if (opt(arg, "mi")) {
    conversion = 1609.34;
  } else {
    ctx.reply.error(err::kGeoUnit);
    return false;
  }
  return true;
}

// Redis's extractDistanceOrReply(): radius at `at`, unit after it.
bool radius_or_reply(CommandContext& ctx, std::size_t at, geo::Shape& shape) {
  double radius = 0;
  if (!double_or_reply(ctx, ctx.args[at], radius, "ERR need numeric radius")) return false;
  if (radius < 0) {
    ctx.reply.error(err::kGeoRadiusNegative);
    return false;
  }
  if (!unit_or_reply(ctx, ctx.args[at + 1], shape.conversion)) return false;
  shape.radius = radius;
  shape.type = geo::Shape::kCircle;
  return true;
}

// Redis's extractBoxOrReply(): width, height, unit.
bool box_or_reply(CommandContext& ctx, std::size_t at, geo::Shape& shape) {
  double width = 0, height = 0;
  if (!double_or_reply(ctx, ctx.args[at], width, "ERR need numeric width") ||
      !double_or_reply(ctx, ctx.args[at + 1], height, "ERR need numeric height")) {
    return false;
  }
  if (width < 0 || height < 0) {
    ctx.reply.error(err::kGeoBoxNegative);
    return false;
  }
  if (!unit_or_reply(ctx, ctx.args[at + 2], shape.conversion)) return false;
  shape.width = width;
  shape.height = height;
  shape.type = geo::Shape::kBox;
  return true;
}

// A distance as Redis replies it: "%.4f" in a bulk string.
void reply_distance(CommandContext& ctx, double d) {
  char buf[128];
  const int n = std::snprintf(buf, sizeof buf, "%.4f", d);
  ctx.reply.bulk(std::string_view(buf, static_cast<std::size_t>(n)));
}

// A coordinate as Redis's addReplyHumanLongDouble(): RESP2 a bulk string,
// RESP3 a double, "%.17Lf" with trailing zeros removed.
void reply_coordinate(CommandContext& ctx, double v) {
  const std::string text = util::format_long_double_human(v);
  if (ctx.reply.protocol() == 2) {
    ctx.reply.bulk(text);
  } else {
    ctx.reply.raw(",");
    ctx.reply.raw(text);
    ctx.reply.raw("\r\n");
  }
}

// GEOADD key [NX|XX] [CH] longitude latitude member ...: ZADD of the points'
// scores.
void cmd_geoadd(CommandContext& ctx) {
  bool nx = false, xx = false, ch = false;
  std::size_t at = 2;
  for (; at < ctx.args.size(); ++at) {
    if (opt(ctx.args[at], "nx")) {
      nx = true;
    } else if (opt(ctx.args[at], "xx")) {
      xx = true;
    } else if (opt(ctx.args[at], "ch")) {
      ch = true;
    } else {
      break;
    }
  }
  const std::size_t rest = ctx.args.size() - at;
  if (rest % 3 != 0 || (xx && nx) || rest == 0) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  std::vector<double> scores;
  for (std::size_t j = at; j < ctx.args.size(); j += 3) {
    std::array<double, 2> xy{};
    if (!lon_lat_or_reply(ctx, j, xy)) return;
    scores.push_back(static_cast<double>(geo::score_of(xy[0], xy[1])));
  }
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kZset, xx ? Db::Create::kNo : Db::Create::kYes);
  if (!ctx.writable_or_reply(w)) return;
  std::int64_t added = 0, updated = 0;
  if (w) {
    const zset::Limits lim = limits(ctx);
    zset::prepare_new(w, ctx.args[at + 2].size(), lim);
    const int flags = (nx ? zset::kNx : 0) | (xx ? zset::kXx : 0);
    for (std::size_t k = 0; k < scores.size(); ++k) {
      double fresh = 0;
      const int out = zset::add(w, scores[k], ctx.args[at + 3 * k + 2], flags, &fresh, lim);
      if ((out & zset::kOutAdded) != 0) ++added;
      if ((out & zset::kOutUpdated) != 0) ++updated;
    }
  }
  // GEOADD is ZADD underneath in Redis, events included.
  if (added > 0 || updated > 0) ctx.notify(config::kNotifyZset, "zadd", ctx.args[1]);
  ctx.reply.integer(ch ? added + updated : added);
}

// GEODIST key member1 member2 [unit]: nil when either member is missing.
void cmd_geodist(CommandContext& ctx) {
  double conversion = 1;
  if (ctx.args.size() == 5) {
    if (!unit_or_reply(ctx, ctx.args[4], conversion)) return;
  } else if (ctx.args.size() > 5) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kZset, e)) return;
  if (e == nullptr) {
    ctx.reply.null();
    return;
  }
  const auto s1 = zset::score(*e, ctx.args[2]);
  const auto s2 = s1 ? zset::score(*e, ctx.args[3]) : std::nullopt;
  std::array<double, 2> a{}, b{};
  if (!s1 || !s2 || !geo::decode_score(*s1, a) || !geo::decode_score(*s2, b)) {
    ctx.reply.null();
    return;
  }
  reply_distance(ctx, geo::distance(a[0], a[1], b[0], b[1]) / conversion);
}

// GEOPOS key [member ...]: [longitude, latitude] or nil per member.
void cmd_geopos(CommandContext& ctx) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kZset, e)) return;
  ctx.reply.array(ctx.args.size() - 2);
  for (std::size_t j = 2; j < ctx.args.size(); ++j) {
    const auto s = e != nullptr ? zset::score(*e, ctx.args[j]) : std::nullopt;
    std::array<double, 2> xy{};
    if (!s || !geo::decode_score(*s, xy)) {
      ctx.reply.null_array();
      continue;
    }
    ctx.reply.array(2);
    reply_coordinate(ctx, xy[0]);
    reply_coordinate(ctx, xy[1]);
  }
}

// GEOHASH key [member ...]: the 11-character standard geohash or nil.
void cmd_geohash(CommandContext& ctx) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kZset, e)) return;
  ctx.reply.array(ctx.args.size() - 2);
  for (std::size_t j = 2; j < ctx.args.size(); ++j) {
    const auto s = e != nullptr ? zset::score(*e, ctx.args[j]) : std::nullopt;
    char hash[11];
    if (!s || !geo::standard_geohash(*s, hash)) {
      ctx.reply.null();
      continue;
    }
    ctx.reply.bulk(std::string_view(hash, sizeof hash));
  }
}

// Which command georadius_generic() serves (Redis's flags).
enum GeoFlags : unsigned {
  kRadiusCoords = 1u << 0,  // GEORADIUS: longitude latitude radius unit
  kRadiusMember = 1u << 1,  // GEORADIUSBYMEMBER: member radius unit
  kNoStore = 1u << 2,       // the _RO forms
  kSearch = 1u << 3,        // GEOSEARCH
  kSearchStore = 1u << 4,   // GEOSEARCHSTORE
};

struct Point {
  double longitude, latitude, dist, score;
  std::string member;
};

// The centre of a search from a member's position; false if it is missing.
bool member_position(const Entry& e, std::string_view member, std::array<double, 2>& xy) {
  const auto s = zset::score(e, member);
  return s && geo::decode_score(*s, xy);
}

// Redis's georadiusGeneric(): parses the search, walks the 9 boxes' score
// ranges and replies the points inside the shape, or stores them.
void georadius_generic(CommandContext& ctx, std::size_t src_index, unsigned flags) {
  Db db = ctx.db();
  const Entry* zobj = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[src_index], ValueType::kZset, zobj)) return;
  // The source as read here stays valid until the store at the end.
  std::string_view storekey;
  bool has_store = false;
  bool storedist = false;
  geo::Shape shape;
  std::size_t base = 0;
  if ((flags & kRadiusCoords) != 0) {
    base = 6;
    if (!lon_lat_or_reply(ctx, 2, shape.xy)) return;
    if (!radius_or_reply(ctx, 4, shape)) return;
  } else if ((flags & kRadiusMember) != 0) {
    base = 5;
    if (zobj != nullptr) {
      if (!member_position(*zobj, ctx.args[2], shape.xy)) {
        ctx.reply.error(err::kGeoMemberMissing);
        return;
      }
      if (!radius_or_reply(ctx, 3, shape)) return;
    }
  } else {
    base = 2;
    if ((flags & kSearchStore) != 0) {
      base = 3;
      storekey = ctx.args[1];
      has_store = true;
    }
  }

  bool withdist = false, withhash = false, withcoords = false;
  bool frommember = false, fromloc = false, byradius = false, bybox = false;
  enum class Sort { kNone, kAsc, kDesc } sort = Sort::kNone;
  bool any = false;
  std::int64_t count = 0;
  const std::size_t argc = ctx.args.size();
  const bool search = (flags & kSearch) != 0;
  for (std::size_t i = base; i < argc; ++i) {
    const std::string_view a = ctx.args[i];
    const std::size_t remaining = argc - i - 1;  // arguments after this one
    if (opt(a, "withdist")) {
      withdist = true;
    } else if (opt(a, "withhash")) {
      withhash = true;
    } else if (opt(a, "withcoord")) {
      withcoords = true;
    } else if (opt(a, "any")) {
      any = true;
    } else if (opt(a, "asc")) {
      sort = Sort::kAsc;
    } else if (opt(a, "desc")) {
      sort = Sort::kDesc;
    } else if (opt(a, "count") && remaining >= 1) {
      if (!ctx.parse_int64_or_reply(ctx.args[i + 1], count)) return;
      if (count <= 0) {
        ctx.reply.error(err::kGeoCountPositive);
        return;
      }
      ++i;
    } else if ((opt(a, "store") || opt(a, "storedist")) && remaining >= 1 && (flags & kNoStore) == 0 && !search) {
      storekey = ctx.args[i + 1];
      has_store = true;
      storedist = opt(a, "storedist");
      ++i;
    } else if (opt(a, "storedist") && search && (flags & kSearchStore) != 0) {
      storedist = true;
    } else if (opt(a, "frommember") && remaining >= 1 && search && !fromloc) {
      if (zobj != nullptr && !member_position(*zobj, ctx.args[i + 1], shape.xy)) {
        ctx.reply.error(err::kGeoMemberMissing);
        return;
      }
      frommember = true;
      ++i;
    } else if (opt(a, "fromlonlat") && remaining >= 2 && search && !frommember) {
      if (!lon_lat_or_reply(ctx, i + 1, shape.xy)) return;
      fromloc = true;
      i += 2;
    } else if (opt(a, "byradius") && remaining >= 2 && search && !bybox) {
      if (!radius_or_reply(ctx, i + 1, shape)) return;
      byradius = true;
      i += 2;
    } else if (opt(a, "bybox") && remaining >= 3 && search && !byradius) {
      if (!box_or_reply(ctx, i + 1, shape)) return;
      bybox = true;
      i += 3;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }

  if (has_store && (withdist || withhash || withcoords)) {
    ctx.reply.error((flags & kSearchStore) != 0 ? err::kGeoSearchStoreWith : err::kGeoRadiusStoreWith);
    return;
  }
  if (search && !(frommember || fromloc)) {
    ctx.reply.error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " +
                    std::string(util::c_string(ctx.args[0])));
    return;
  }
  if (search && !(byradius || bybox)) {
    ctx.reply.error("ERR exactly one of BYRADIUS and BYBOX can be specified for " +
                    std::string(util::c_string(ctx.args[0])));
    return;
  }
  if (any && count == 0) {
    ctx.reply.error(err::kGeoAnyNeedsCount);
    return;
  }

  if (zobj == nullptr) {
    if (has_store) {
      if (db.erase(storekey)) ctx.notify(config::kNotifyGeneric, "del", storekey);
      ctx.reply.integer(0);
    } else {
      ctx.reply.array(0);
    }
    return;
  }
  // COUNT without an order means the closest ones (not with ANY).
  if (count != 0 && sort == Sort::kNone && !any) sort = Sort::kAsc;

  // membersOfAllNeighbors(): each distinct box's score range, in order,
  // stopping once ANY has COUNT points.
  const auto limit = static_cast<std::size_t>(any ? count : 0);
  const std::array<geo::Hash, 9> boxes = geo::search_boxes(shape);
  std::vector<Point> points;
  int last = -1;
  for (int b = 0; b < 9; ++b) {
    const geo::Hash& h = boxes[static_cast<std::size_t>(b)];
    if (h.zero()) continue;
    if (last >= 0 && h.bits == boxes[static_cast<std::size_t>(last)].bits &&
        h.step == boxes[static_cast<std::size_t>(last)].step) {
      continue;
    }
    if (!points.empty() && limit != 0 && points.size() >= limit) break;
    std::uint64_t min = 0, max = 0;
    geo::score_range(h, min, max);
    const double lo = static_cast<double>(min), hi = static_cast<double>(max);
    zset::visit_from(
        *zobj, [&](double s, std::string_view) { return s < lo; },
        [&](double s, std::string_view m) {
          if (s >= hi) return false;
          std::array<double, 2> xy{};
          double dist = 0;
          if (geo::decode_score(s, xy) && geo::distance_if_inside(shape, xy[0], xy[1], dist)) {
            points.push_back({xy[0], xy[1], dist, s, std::string(m)});
          }
          return !(limit != 0 && points.size() >= limit);
        });
    last = b;
  }

  if (points.empty() && !has_store) {
    ctx.reply.array(0);
    return;
  }
  std::size_t returned = points.size();
  if (count != 0 && static_cast<std::size_t>(count) < returned) returned = static_cast<std::size_t>(count);
  if (sort != Sort::kNone) {
    // As Redis: glibc's qsort (a stable merge sort) when every point is
    // returned, else pqsort, whose order among equal distances COUNT shows.
    const int sign = sort == Sort::kAsc ? 1 : -1;
    const auto cmp = [sign](const Point& a, const Point& b) {
      return a.dist > b.dist ? sign : a.dist == b.dist ? 0 : -sign;
    };
    if (returned == points.size()) {
      std::stable_sort(points.begin(), points.end(), [&](const Point& a, const Point& b) { return cmp(a, b) < 0; });
    } else {
      util::pqsort(std::span<Point>(points), 0, returned - 1, cmp);
    }
  }
  points.resize(returned);
  for (Point& p : points) p.dist /= shape.conversion;

  if (!has_store) {
    const std::size_t options = (withdist ? 1 : 0) + (withcoords ? 1 : 0) + (withhash ? 1 : 0);
    ctx.reply.array(returned);
    for (const Point& p : points) {
      if (options != 0) ctx.reply.array(options + 1);
      ctx.reply.bulk(p.member);
      if (withdist) reply_distance(ctx, p.dist);
      if (withhash) ctx.reply.integer(static_cast<std::int64_t>(p.score));
      if (withcoords) {
        ctx.reply.array(2);
        reply_coordinate(ctx, p.longitude);
        reply_coordinate(ctx, p.latitude);
      }
    }
    return;
  }
  if (returned == 0) {
    if (db.erase(storekey)) ctx.notify(config::kNotifyGeneric, "del", storekey);
  } else {
    zset::Builder builder;
    builder.reserve(returned);
    for (const Point& p : points) builder.add(storedist ? p.dist : p.score, p.member);
    builder.store(db, storekey, limits(ctx));
    ctx.notify(config::kNotifyZset, search ? "geosearchstore" : "georadiusstore", storekey);
  }
  ctx.reply.integer(static_cast<std::int64_t>(returned));
}

void cmd_georadius(CommandContext& ctx) { georadius_generic(ctx, 1, kRadiusCoords); }
void cmd_georadius_ro(CommandContext& ctx) { georadius_generic(ctx, 1, kRadiusCoords | kNoStore); }
void cmd_georadiusbymember(CommandContext& ctx) { georadius_generic(ctx, 1, kRadiusMember); }
void cmd_georadiusbymember_ro(CommandContext& ctx) { georadius_generic(ctx, 1, kRadiusMember | kNoStore); }
void cmd_geosearch(CommandContext& ctx) { georadius_generic(ctx, 1, kSearch); }
void cmd_geosearchstore(CommandContext& ctx) { georadius_generic(ctx, 2, kSearch | kSearchStore); }

}  // namespace

void register_geo_commands(CommandTable& table) {
  table.add("geoadd", cmd_geoadd);
  table.add("geodist", cmd_geodist);
  table.add("geopos", cmd_geopos);
  table.add("geohash", cmd_geohash);
  table.add("geosearch", cmd_geosearch);
  table.add("geosearchstore", cmd_geosearchstore);
  table.add("georadius", cmd_georadius);
  table.add("georadiusbymember", cmd_georadiusbymember);
  table.add("georadius_ro", cmd_georadius_ro);
  table.add("georadiusbymember_ro", cmd_georadiusbymember_ro);
}

}  // namespace larder::commands
