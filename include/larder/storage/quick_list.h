#pragma once
// A big list (Redis's quicklist): a sequence of nodes, each a malloc'd buffer
// holding a region of list_pack elements with free room at both sides, so
// that pushing at either end of the list writes into the end node without
// moving its bytes. The nodes sit in one array with room at both ends
// (amortized O(1) node insertion at either end; index lookups skip whole
// nodes by their counts). Node size limits are the caller's business
// (list_value.cc); the QuickList keeps the element count and its exact heap
// bytes up to date through every edit.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "larder/storage/value_object.h"

namespace larder::storage {

class QuickList final : public ValueObject {
 public:
  struct Node {
    char* buf;
    std::uint32_t begin, end, cap, count;
    std::string_view region() const { return {buf + begin, end - begin}; }
  };

  QuickList();
  ~QuickList() override;
  QuickList(const QuickList&) = delete;
  QuickList& operator=(const QuickList&) = delete;

  std::size_t heap_bytes() const override { return heap_bytes_; }
  std::unique_ptr<ValueObject> clone() const override;

  std::size_t size() const { return size_; }
  std::size_t nodes() const { return end_ - begin_; }
  const Node& node(std::size_t i) const { return array_[begin_ + i]; }

  // Inserts a node at position i holding the `count` elements encoded in
  // `region`, with buffer capacity at least `cap`; `room_front` puts the free
  // room before the elements (a node that grows toward the head).
  void insert_node(std::size_t i, std::string_view region, std::uint32_t count, std::size_t cap = 0,
                   bool room_front = false);
  void erase_node(std::size_t i);
  // Replaces bytes [pos, pos + remove) of node i's region with `insert`
  // (which must not view the node), the node's count changing by `delta`.
  void splice(std::size_t i, std::size_t pos, std::size_t remove, std::string_view insert, std::int64_t delta);
  // Gives node i's buffer back its unused room.
  void shrink(std::size_t i);

 private:
  Node& at(std::size_t i) { return array_[begin_ + i]; }
  // Makes room for one more node at position i.
  void open_slot(std::size_t i);

  Node* array_ = nullptr;
  std::uint32_t array_cap_ = 0, begin_ = 0, end_ = 0;
  std::size_t size_ = 0;
  std::size_t heap_bytes_;
};

}  // namespace larder::storage
