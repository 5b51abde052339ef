#include "larder/storage/geohash.h"

#include <cmath>

namespace larder::storage::geo {

namespace {

constexpr double kEarthRadius = 6372797.560856;  // metres, as Redis
constexpr double kMercatorMax = 20037726.37;
constexpr double kDegToRad = M_PI / 180.0;

double deg_rad(double d) { return d * kDegToRad; }
double rad_deg(double r) { return r / kDegToRad; }

constexpr Range kWgsLong{kLongMin, kLongMax};
constexpr Range kWgsLat{kLatMin, kLatMax};

// x's bits at the even positions, y's at the odd ones.
std::uint64_t interleave(std::uint32_t x, std::uint32_t y) {
  std::uint64_t out = 0;
  for (int i = 0; i < 32; ++i) {
    out |= static_cast<std::uint64_t>((x >> i) & 1u) << (2 * i);
    out |= static_cast<std::uint64_t>((y >> i) & 1u) << (2 * i + 1);
  }
  return out;
}

void deinterleave(std::uint64_t v, std::uint32_t& x, std::uint32_t& y) {
  x = y = 0;
  for (int i = 0; i < 32; ++i) {
    x |= static_cast<std::uint32_t>((v >> (2 * i)) & 1u) << i;
    y |= static_cast<std::uint32_t>((v >> (2 * i + 1)) & 1u) << i;
  }
}

// Moves a hash one cell east/west (longitude bits, odd) or north/south
// (latitude bits, even), wrapping within its step.
void move_x(Hash& h, int d) {
  if (d == 0) return;
  std::uint64_t x = h.bits & 0xaaaaaaaaaaaaaaaaull;
  const std::uint64_t y = h.bits & 0x5555555555555555ull;
  const std::uint64_t zz = 0x5555555555555555ull >> (64 - h.step * 2);
  if (d > 0) {
    x = x + (zz + 1);
  } else {
    x = x | zz;
    x = x - (zz + 1);
  }
  x &= (0xaaaaaaaaaaaaaaaaull >> (64 - h.step * 2));
  h.bits = x | y;
}

void move_y(Hash& h, int d) {
  if (d == 0) return;
  const std::uint64_t x = h.bits & 0xaaaaaaaaaaaaaaaaull;
  std::uint64_t y = h.bits & 0x5555555555555555ull;
  const std::uint64_t zz = 0xaaaaaaaaaaaaaaaaull >> (64 - h.step * 2);
  if (d > 0) {
    y = y + (zz + 1);
  } else {
    y = y | zz;
    y = y - (zz + 1);
  }
  y &= (0x5555555555555555ull >> (64 - h.step * 2));
  h.bits = x | y;
}

Hash moved(Hash h, int dx, int dy) {
  move_x(h, dx);
  move_y(h, dy);
  return h;
}

int steps_for_radius(double range_meters, double lat) {
  if (range_meters == 0) return 26;
  int step = 1;
  while (range_meters < kMercatorMax) {
    range_meters *= 2;
    step++;
  }
  step -= 2;  // make sure the range is included in most base cases
  // Wider cells towards the poles.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

double lat_distance(double lat1, double lat2) { return kEarthRadius * std::fabs(deg_rad(lat2) - deg_rad(lat1)); }

}  // namespace

bool encode(const Range& long_range, const Range& lat_range, double longitude, double latitude, int step,
            Hash& hash) {
  if (longitude > 180 || longitude < -180 || latitude > kLatMax || latitude < kLatMin) return false;
  hash.bits = 0;
  hash.step = step;
  if (latitude < lat_range.min || latitude > lat_range.max || longitude < long_range.min ||
      longitude > long_range.max) {
    return false;
  }
  double lat_offset = (latitude - lat_range.min) / (lat_range.max - lat_range.min);
  double long_offset = (longitude - long_range.min) / (long_range.max - long_range.min);
  lat_offset *= static_cast<double>(1ull << step);
  long_offset *= static_cast<double>(1ull << step);
  hash.bits = interleave(static_cast<std::uint32_t>(lat_offset), static_cast<std::uint32_t>(long_offset));
  return true;
}

bool encode_wgs84(double longitude, double latitude, int step, Hash& hash) {
  return encode(kWgsLong, kWgsLat, longitude, latitude, step, hash);
}

Area decode(const Range& long_range, const Range& lat_range, const Hash& hash) {
  std::uint32_t ilato = 0, ilono = 0;
  deinterleave(hash.bits, ilato, ilono);
  const double lat_scale = lat_range.max - lat_range.min;
  const double long_scale = long_range.max - long_range.min;
  const double cells = static_cast<double>(1ull << hash.step);
  Area a{};
  a.latitude.min = lat_range.min + (ilato * 1.0 / cells) * lat_scale;
  a.latitude.max = lat_range.min + ((ilato + 1) * 1.0 / cells) * lat_scale;
  a.longitude.min = long_range.min + (ilono * 1.0 / cells) * long_scale;
  a.longitude.max = long_range.min + ((ilono + 1) * 1.0 / cells) * long_scale;
  return a;
}

std::uint64_t score_of(double longitude, double latitude) {
  Hash h;
  encode_wgs84(longitude, latitude, kStepMax, h);
  return h.bits << (52 - h.step * 2);
}

bool decode_score(double score, std::array<double, 2>& xy) {
  const Hash h{static_cast<std::uint64_t>(score), kStepMax};
  const Area a = decode(kWgsLong, kWgsLat, h);
  xy[0] = (a.longitude.min + a.longitude.max) / 2;
  if (xy[0] > kLongMax) xy[0] = kLongMax;
  if (xy[0] < kLongMin) xy[0] = kLongMin;
  xy[1] = (a.latitude.min + a.latitude.max) / 2;
  if (xy[1] > kLatMax) xy[1] = kLatMax;
  if (xy[1] < kLatMin) xy[1] = kLatMin;
  return true;
}

std::array<Hash, 9> search_boxes(const Shape& shape) {
  const double longitude = shape.xy[0];
  const double latitude = shape.xy[1];
  // geohashBoundingBox()
  const bool circle = shape.type == Shape::kCircle;
  const double height = shape.conversion * (circle ? shape.radius : shape.height / 2);
  const double width = shape.conversion * (circle ? shape.radius : shape.width / 2);
  const double lat_delta = rad_deg(height / kEarthRadius);
  const double long_delta_top = rad_deg(width / kEarthRadius / std::cos(deg_rad(latitude + lat_delta)));
  const double long_delta_bottom = rad_deg(width / kEarthRadius / std::cos(deg_rad(latitude - lat_delta)));
  const bool southern = latitude < 0;
  const double min_lon = southern ? longitude - long_delta_bottom : longitude - long_delta_top;
  const double max_lon = southern ? longitude + long_delta_bottom : longitude + long_delta_top;
  const double min_lat = latitude - lat_delta;
  const double max_lat = latitude + lat_delta;

  double radius_meters =
      circle ? shape.radius
             : std::sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radius_meters *= shape.conversion;
  int steps = steps_for_radius(radius_meters, latitude);

  Hash hash;
  std::array<Hash, 9> n{};  // centre, N, S, E, W, NE, NW, SE, SW
  Area area{};
  auto around = [&] {
    encode(kWgsLong, kWgsLat, longitude, latitude, steps, hash);
    n = {hash,
         moved(hash, 0, 1),
         moved(hash, 0, -1),
         moved(hash, 1, 0),
         moved(hash, -1, 0),
         moved(hash, 1, 1),
         moved(hash, -1, 1),
         moved(hash, 1, -1),
         moved(hash, -1, -1)};
    area = decode(kWgsLong, kWgsLat, hash);
  };
  around();
  // A neighbour too close to the search area: one step coarser.
  const Area north = decode(kWgsLong, kWgsLat, n[1]);
  const Area south = decode(kWgsLong, kWgsLat, n[2]);
  const Area east = decode(kWgsLong, kWgsLat, n[3]);
  const Area west = decode(kWgsLong, kWgsLat, n[4]);
  const bool decrease = north.latitude.max < max_lat || south.latitude.min > min_lat ||
                        east.longitude.max < max_lon || west.longitude.min > min_lon;
  if (steps > 1 && decrease) {
    steps--;
    around();
  }
  // Boxes that cannot hold a match.
  if (steps >= 2) {
    const Hash zero{};
    if (area.latitude.min < min_lat) n[2] = n[8] = n[7] = zero;   // S, SW, SE
    if (area.latitude.max > max_lat) n[1] = n[5] = n[6] = zero;   // N, NE, NW
    if (area.longitude.min < min_lon) n[4] = n[8] = n[6] = zero;  // W, SW, NW
    if (area.longitude.max > max_lon) n[3] = n[7] = n[5] = zero;  // E, SE, NE
  }
  return n;
}

void score_range(Hash hash, std::uint64_t& min, std::uint64_t& max) {
  min = hash.bits << (52 - hash.step * 2);
  max = (hash.bits + 1) << (52 - hash.step * 2);
}

double distance(double lon1, double lat1, double lon2, double lat2) {
  const double lon1r = deg_rad(lon1);
  const double lon2r = deg_rad(lon2);
  const double v = std::sin((lon2r - lon1r) / 2);
  // Same longitude: the latitude distance alone.
  if (v == 0.0) return lat_distance(lat1, lat2);
  const double lat1r = deg_rad(lat1);
  const double lat2r = deg_rad(lat2);
  const double u = std::sin((lat2r - lat1r) / 2);
  const double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadius * std::asin(std::sqrt(a));
}

bool distance_if_inside(const Shape& shape, double longitude, double latitude, double& dist) {
  const double x1 = shape.xy[0], y1 = shape.xy[1];
  if (shape.type == Shape::kCircle) {
    dist = distance(x1, y1, longitude, latitude);
    return dist <= shape.radius * shape.conversion;
  }
  const double width_m = shape.width * shape.conversion;
  const double height_m = shape.height * shape.conversion;
  if (lat_distance(latitude, y1) > height_m / 2) return false;
  if (distance(longitude, latitude, x1, latitude) > width_m / 2) return false;
  dist = distance(x1, y1, longitude, latitude);
  return true;
}

bool standard_geohash(double score, char (&out)[11]) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  std::array<double, 2> xy{};
  if (!decode_score(score, xy)) return false;
  Hash hash;
  encode(Range{-180, 180}, Range{-90, 90}, xy[0], xy[1], kStepMax, hash);
  for (int i = 0; i < 11; ++i) {
    // 52 bits give 10 characters; the 11th is '0' as in Redis.
    const int idx = i == 10 ? 0 : static_cast<int>((hash.bits >> (52 - (i + 1) * 5)) & 0x1f);
    out[i] = kAlphabet[idx];
  }
  return true;
}

}  // namespace larder::storage::geo
