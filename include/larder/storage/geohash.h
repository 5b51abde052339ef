#pragma once
// Redis's geohash (geohash.c, geohash_helper.c): 26 steps of interleaved
// latitude (even bits) and longitude (odd bits) bits over the Web Mercator
// latitude range, stored as a 52-bit integer sorted-set score; the 3x3 box
// search around a shape; haversine distances on Redis's earth radius. The geo
// commands (src/commands/geo_commands.cc) are built on these.

#include <array>
#include <cstdint>

namespace larder::storage::geo {

inline constexpr int kStepMax = 26;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
inline constexpr double kLongMin = -180;
inline constexpr double kLongMax = 180;

struct Range {
  double min, max;
};

struct Hash {
  std::uint64_t bits = 0;
  int step = 0;
  bool zero() const { return bits == 0 && step == 0; }
};

struct Area {
  Range longitude, latitude;
};

// geohashEncode(): false when the point is outside Redis's limits or the
// given ranges.
bool encode(const Range& long_range, const Range& lat_range, double longitude, double latitude, int step,
            Hash& hash);
bool encode_wgs84(double longitude, double latitude, int step, Hash& hash);
Area decode(const Range& long_range, const Range& lat_range, const Hash& hash);

// A point's score: its 26-step hash (52 bits).
std::uint64_t score_of(double longitude, double latitude);
// The centre of a score's cell as {longitude, latitude} (clamped to the
// limits); false for a hash that does not decode.
bool decode_score(double score, std::array<double, 2>& xy);

// The search shape: a circle (radius) or a box (width x height), in units
// of `conversion` metres, centred on xy = {longitude, latitude}.
struct Shape {
  enum Type { kCircle, kBox } type = kCircle;
  std::array<double, 2> xy{};
  double conversion = 1;
  double radius = 0;
  double width = 0, height = 0;
};

// geohashCalculateAreasByShapeWGS84(): the centre cell and its 8 neighbours
// in Redis's order (centre, N, S, E, W, NE, NW, SE, SW), those that cannot
// hold a match zeroed.
std::array<Hash, 9> search_boxes(const Shape& shape);
// The score range [min, max) of a box.
void score_range(Hash hash, std::uint64_t& min, std::uint64_t& max);

// Haversine distance in metres (geohashGetDistance).
double distance(double lon1, double lat1, double lon2, double lat2);
// The distance from the shape's centre to a point, when the point is inside
// the shape.
bool distance_if_inside(const Shape& shape, double longitude, double latitude, double& dist);

// GEOHASH's 11-character standard geohash of a score.
bool standard_geohash(double score, char (&out)[11]);

}  // namespace larder::storage::geo
