#include "larder/storage/quick_list.h"

#include <catch2/catch.hpp>
#include <string>

#include "larder/util/memory.h"

using larder::storage::QuickList;
using larder::util::malloc_cost;

namespace {
// Every byte but the node array, which a QuickList of at most 3 nodes
// allocates once (4 slots).
std::size_t node_bytes(const QuickList& ql) {
  std::size_t sum = 0;
  for (std::size_t i = 0; i < ql.nodes(); ++i) sum += malloc_cost(ql.node(i).cap);
  return sum;
}
std::string region(const QuickList& ql, std::size_t i) { return std::string(ql.node(i).region()); }
}  // namespace

TEST_CASE("nodes keep their bytes, counts and the list's size", "[quick_list]") {
  QuickList ql;
  CHECK(ql.size() == 0);
  CHECK(ql.nodes() == 0);
  ql.insert_node(0, "bbb", 3);
  ql.insert_node(0, "a", 1);
  ql.insert_node(2, "cc", 2);
  REQUIRE(ql.nodes() == 3);
  CHECK(region(ql, 0) == "a");
  CHECK(region(ql, 1) == "bbb");
  CHECK(region(ql, 2) == "cc");
  CHECK(ql.size() == 6);
  ql.erase_node(1);
  CHECK(ql.size() == 3);
  CHECK(region(ql, 1) == "cc");
  ql.erase_node(0);
  ql.erase_node(0);
  CHECK(ql.nodes() == 0);
  CHECK(ql.size() == 0);
}

TEST_CASE("splices edit a node in place, at either side, and grow it", "[quick_list]") {
  QuickList ql;
  ql.insert_node(0, "mid", 1, 8, /*room_front=*/true);
  const std::size_t base = ql.heap_bytes() - node_bytes(ql);
  CHECK(ql.node(0).cap == 16);  // the minimum
  ql.splice(0, 0, 0, "AB", 1);  // into the room in front
  CHECK(region(ql, 0) == "ABmid");
  ql.splice(0, 5, 0, "yz", 1);
  CHECK(region(ql, 0) == "ABmidyz");
  ql.splice(0, 2, 3, "M", 0);
  CHECK(region(ql, 0) == "ABMyz");
  ql.splice(0, 1, 3, {}, -2);
  CHECK(region(ql, 0) == "Az");
  CHECK(ql.size() == 1);
  const std::string big(100, 'q');
  ql.splice(0, 1, 0, big, 1);  // outgrows the buffer
  CHECK(region(ql, 0) == "A" + big + "z");
  CHECK(ql.node(0).cap >= 102);
  CHECK(ql.heap_bytes() == base + node_bytes(ql));
  ql.splice(0, 1, 100, {}, -1);
  ql.shrink(0);
  CHECK(region(ql, 0) == "Az");
  CHECK(ql.node(0).cap == 16);
  CHECK(ql.heap_bytes() == base + node_bytes(ql));
}

TEST_CASE("heap bytes follow every node and the node array", "[quick_list]") {
  QuickList ql;
  const std::size_t empty = ql.heap_bytes();
  CHECK(empty == malloc_cost(sizeof(QuickList)));
  ql.insert_node(0, "x", 1, 8192);
  const std::size_t array = ql.heap_bytes() - empty - node_bytes(ql);
  CHECK(array == malloc_cost(4 * sizeof(QuickList::Node)));
  ql.insert_node(1, "y", 1);
  ql.insert_node(0, "w", 1, 100, true);
  CHECK(ql.heap_bytes() == empty + array + node_bytes(ql));
  auto copy = ql.clone();
  const auto& c = static_cast<const QuickList&>(*copy);
  REQUIRE(c.nodes() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(region(c, i) == region(ql, i));
  CHECK(c.size() == 3);
  CHECK(c.heap_bytes() == empty + array + node_bytes(c));
  CHECK(c.heap_bytes() < ql.heap_bytes());  // a copy keeps no room
  for (int i = 0; i < 40; ++i) ql.insert_node(ql.nodes() / 2, "m", 1);  // the array grows
  CHECK(ql.nodes() == 43);
  CHECK(ql.size() == 43);
  CHECK(region(ql, 0) == "w");
  CHECK(region(ql, 42) == "y");
}
