#include "larder/storage/geohash.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

namespace geo = larder::storage::geo;

// Expected values are redis-server 7.0.15's replies for the same points.
TEST_CASE("points encode to Redis's 52-bit scores and decode to its cell centres", "[geo]") {
  CHECK(geo::score_of(13.361389, 38.115556) == 3479099956230698ull);  // GEOADD Palermo
  CHECK(geo::score_of(15.087269, 37.502669) == 3479447370796909ull);  // Catania
  std::array<double, 2> xy{};
  REQUIRE(geo::decode_score(3479099956230698.0, xy));
  CHECK(std::abs(xy[0] - 13.36138933897018433) < 1e-15);
  CHECK(std::abs(xy[1] - 38.11555639549629859) < 1e-15);
  char hash[11];
  REQUIRE(geo::standard_geohash(3479099956230698.0, hash));
  CHECK(std::string(hash, 11) == "sqc8b49rny0");
}

TEST_CASE("distances are haversine on Redis's earth radius", "[geo]") {
  std::array<double, 2> a{}, b{};
  geo::decode_score(3479099956230698.0, a);
  geo::decode_score(3479447370796909.0, b);
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", geo::distance(a[0], a[1], b[0], b[1]));
  CHECK(std::string(text) == "166274.1516");
  CHECK(geo::distance(1, 1, 1, 1) == 0);
}

TEST_CASE("search boxes cover the shape", "[geo]") {
  geo::Shape shape;
  shape.xy = {15, 37};
  shape.radius = 200;
  shape.conversion = 1000;
  const auto boxes = geo::search_boxes(shape);
  const std::uint64_t palermo = geo::score_of(13.361389, 38.115556);
  bool covered = false;
  for (const geo::Hash& h : boxes) {
    if (h.zero()) continue;
    std::uint64_t min = 0, max = 0;
    geo::score_range(h, min, max);
    covered = covered || (palermo >= min && palermo < max);
  }
  CHECK(covered);
  double dist = 0;
  CHECK(geo::distance_if_inside(shape, 13.361389, 38.115556, dist));
  shape.radius = 100;
  CHECK_FALSE(geo::distance_if_inside(shape, 13.361389, 38.115556, dist));
}
