#include "larder/storage/list_pack.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace list_pack = larder::storage::list_pack;

namespace {
std::string region_of(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    std::string enc(list_pack::encoded_size(item.size()), '\0');
    CHECK(list_pack::encode(enc.data(), item) == enc.data() + enc.size());
    out += enc;
  }
  return out;
}
}  // namespace

TEST_CASE("an element is its length, its bytes and its length reversed", "[list_pack]") {
  CHECK(region_of({"ab"}) == std::string("\x02" "ab\x02", 4));
  CHECK(region_of({""}) == std::string("\x00\x00", 2));
  // 200 = 0xc8 0x01 as a varint; backwards the bytes come in reverse order.
  const std::string r = region_of({std::string(200, 'x')});
  REQUIRE(r.size() == 204);
  CHECK(static_cast<unsigned char>(r[0]) == 0xc8);
  CHECK(static_cast<unsigned char>(r[1]) == 0x01);
  CHECK(static_cast<unsigned char>(r[202]) == 0x01);
  CHECK(static_cast<unsigned char>(r[203]) == 0xc8);
  CHECK(list_pack::encoded_size(16) == 18);
}

TEST_CASE("elements read the same both ways across varint widths", "[list_pack]") {
  std::vector<std::string> items;
  for (std::size_t len : {0, 1, 126, 127, 128, 129, 16383, 16384, 70000, 3}) {
    items.push_back(std::string(len, static_cast<char>('a' + items.size())));
  }
  const std::string region = region_of(items);
  std::size_t pos = 0;
  for (const std::string& item : items) CHECK(list_pack::read(region, pos) == item);
  CHECK(pos == region.size());
  std::size_t end = region.size();
  for (auto it = items.rbegin(); it != items.rend(); ++it) CHECK(list_pack::read_back(region, end) == *it);
  CHECK(end == 0);
  for (std::size_t i = 0; i <= items.size(); ++i) {
    std::size_t at = list_pack::offset_of(region, items.size(), i);
    if (i < items.size()) {
      CHECK(list_pack::read(region, at) == items[i]);
    } else {
      CHECK(at == region.size());
    }
  }
}

TEST_CASE("the inline header is a little-endian count", "[list_pack]") {
  std::string run(list_pack::kEmpty);
  CHECK(list_pack::count(run) == 0);
  list_pack::set_count(run.data(), 0x01020304);
  CHECK(run == std::string("\x04\x03\x02\x01", 4));
  CHECK(list_pack::count(run) == 0x01020304);
  CHECK(list_pack::region(run).empty());
}
