#include "larder/storage/packed_list.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace packed_list = larder::storage::packed_list;
using larder::storage::StringSpliceBuffer;

namespace {
std::vector<std::string> elements(std::string_view run) {
  std::vector<std::string> out;
  std::size_t pos = packed_list::kHeader;
  while (pos < run.size()) out.emplace_back(packed_list::read(run, pos));
  CHECK(pos == run.size());
  CHECK(out.size() == packed_list::count(run));
  return out;
}

std::string make(std::initializer_list<std::string_view> items) {
  std::string run(packed_list::kEmpty);
  StringSpliceBuffer buf(run);
  packed_list::append(buf, items);
  return run;
}

using Items = std::vector<std::string>;
}  // namespace

TEST_CASE("the empty list", "[packed_list]") {
  const std::string_view run = packed_list::kEmpty;
  CHECK(run.size() == packed_list::kHeader);
  CHECK(packed_list::count(run) == 0);
  CHECK(packed_list::find(run, "") == packed_list::npos);
  CHECK(packed_list::offset_of(run, 0) == run.size());
  CHECK(elements(run).empty());
}

TEST_CASE("the bytes are a little-endian count and length-prefixed elements", "[packed_list]") {
  CHECK(make({"ab", "", "c"}) == std::string("\x03\0\0\0\x02" "ab\x00\x01" "c", 10));
  std::string run(packed_list::kEmpty);
  StringSpliceBuffer buf(run);
  for (int i = 0; i < 300; ++i) packed_list::append(buf, {"x"});
  CHECK(run.substr(0, 4) == std::string("\x2c\x01\0\0", 4));
  CHECK(packed_list::count(run) == 300);
}

TEST_CASE("insert at the start, middle and end", "[packed_list]") {
  std::string run = make({"b", "d"});
  StringSpliceBuffer buf(run);
  packed_list::insert(buf, packed_list::kHeader, {"a"});
  CHECK(elements(run) == Items{"a", "b", "d"});
  packed_list::insert(buf, packed_list::offset_of(run, 2), {"c1", "c2"});
  CHECK(elements(run) == Items{"a", "b", "c1", "c2", "d"});
  packed_list::insert(buf, run.size(), {"e"});
  CHECK(elements(run) == Items{"a", "b", "c1", "c2", "d", "e"});
  CHECK(packed_list::offset_of(run, 6) == run.size());
}

TEST_CASE("erase at the start, middle and end", "[packed_list]") {
  std::string run = make({"a", "b", "c", "d", "e", "f"});
  StringSpliceBuffer buf(run);
  packed_list::erase(buf, packed_list::kHeader, 1);
  CHECK(elements(run) == Items{"b", "c", "d", "e", "f"});
  packed_list::erase(buf, packed_list::offset_of(run, 1), 2);
  CHECK(elements(run) == Items{"b", "e", "f"});
  packed_list::erase(buf, packed_list::offset_of(run, 2), 1);
  CHECK(elements(run) == Items{"b", "e"});
  packed_list::erase(buf, packed_list::kHeader, 2);
  CHECK(run == packed_list::kEmpty);
  packed_list::erase(buf, packed_list::kHeader, 0);
  CHECK(run == packed_list::kEmpty);
}

TEST_CASE("replace at the start, middle and end, growing and shrinking", "[packed_list]") {
  std::string run = make({"a", "b", "c"});
  StringSpliceBuffer buf(run);
  const std::string big(200, 'B');
  packed_list::replace(buf, packed_list::kHeader, "first");
  CHECK(elements(run) == Items{"first", "b", "c"});
  packed_list::replace(buf, packed_list::offset_of(run, 1), big);
  CHECK(elements(run) == Items{"first", big, "c"});
  packed_list::replace(buf, packed_list::offset_of(run, 2), "");
  CHECK(elements(run) == Items{"first", big, ""});
  packed_list::replace(buf, packed_list::offset_of(run, 1), "m");
  CHECK(elements(run) == Items{"first", "m", ""});
  CHECK(run.size() == packed_list::kHeader + 6 + 2 + 1);
}

TEST_CASE("lengths cross the one- and two-byte varint limits", "[packed_list]") {
  for (std::size_t len : {0, 1, 127, 128, 16383, 16384, 70000}) {
    const std::size_t prefix = len < 128 ? 1 : len < 16384 ? 2 : 3;
    CAPTURE(len);
    const std::string item(len, 'v');
    CHECK(packed_list::encoded_size(item) == prefix + len);
    std::string run = make({"before", item, "after"});
    CHECK(run.size() == packed_list::kHeader + 7 + prefix + len + 6);
    CHECK(elements(run) == Items{"before", item, "after"});
    CHECK(packed_list::find(run, "after") == packed_list::offset_of(run, 2));
    CHECK(packed_list::find(run, item) == packed_list::offset_of(run, 1));
    StringSpliceBuffer buf(run);
    packed_list::replace(buf, packed_list::offset_of(run, 0), item);
    CHECK(elements(run) == Items{item, item, "after"});
    packed_list::erase(buf, packed_list::offset_of(run, 0), 2);
    CHECK(elements(run) == Items{"after"});
  }
}

TEST_CASE("elements are binary safe", "[packed_list]") {
  const std::string a("\0a\0", 3);
  const std::string b("\0a", 2);
  const std::string c("\x80\xff\0", 3);
  const std::string run = make({a, b, c});
  CHECK(elements(run) == Items{a, b, c});
  CHECK(packed_list::find(run, b) == packed_list::offset_of(run, 1));
  CHECK(packed_list::find(run, c) == packed_list::offset_of(run, 2));
  CHECK(packed_list::find(run, std::string("\0", 1)) == packed_list::npos);
}

TEST_CASE("find with stride 2 looks at fields only", "[packed_list]") {
  const std::string run = make({"f1", "f2", "f2", "v2", "f3", "f1"});
  CHECK(packed_list::find(run, "f1", 2) == packed_list::offset_of(run, 0));
  CHECK(packed_list::find(run, "f2", 2) == packed_list::offset_of(run, 2));
  CHECK(packed_list::find(run, "v2", 2) == packed_list::npos);
  CHECK(packed_list::find(run, "v2") == packed_list::offset_of(run, 3));
  CHECK(packed_list::find(run, "f3", 2) == packed_list::offset_of(run, 4));
}

TEST_CASE("inserted items may view the list itself", "[packed_list]") {
  std::string run = make({"alpha", "beta"});
  run.shrink_to_fit();  // no spare capacity: the append reallocates
  StringSpliceBuffer buf(run);
  std::size_t pos = packed_list::kHeader;
  const std::string_view alpha = packed_list::read(run, pos);
  const std::string_view beta = packed_list::read(run, pos);
  packed_list::append(buf, {beta, alpha});
  CHECK(elements(run) == Items{"alpha", "beta", "beta", "alpha"});
  pos = packed_list::offset_of(run, 3);
  const std::string_view last = packed_list::read(run, pos);
  packed_list::replace(buf, packed_list::kHeader, last);
  CHECK(elements(run) == Items{"alpha", "beta", "beta", "alpha"});
}
