#include "larder/storage/quick_list.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "larder/util/memory.h"

namespace larder::storage {

namespace {

void* checked_malloc(std::size_t n) {
  void* p = std::malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

QuickList::QuickList() : heap_bytes_(util::malloc_cost(sizeof(QuickList))) {}

QuickList::~QuickList() {
  for (std::uint32_t i = begin_; i < end_; ++i) std::free(array_[i].buf);
  std::free(array_);
}

std::unique_ptr<ValueObject> QuickList::clone() const {
  auto copy = std::make_unique<QuickList>();
  for (std::size_t i = 0; i < nodes(); ++i) copy->insert_node(i, node(i).region(), node(i).count);
  return copy;
}

void QuickList::open_slot(std::size_t i) {
  const std::size_t n = nodes();
  if (i == 0 && begin_ > 0) {
    --begin_;
    return;
  }
  if (end_ < array_cap_) {
    std::memmove(array_ + begin_ + i + 1, array_ + begin_ + i, (n - i) * sizeof(Node));
    ++end_;
    return;
  }
  if (begin_ > 0) {
    std::memmove(array_ + begin_ - 1, array_ + begin_, i * sizeof(Node));
    --begin_;
    return;
  }
  const std::size_t cap = std::max<std::size_t>(4, 2 * n);
  auto* fresh = static_cast<Node*>(checked_malloc(cap * sizeof(Node)));
  const std::size_t nb = (cap - n - 1) / 2;
  if (array_ != nullptr) {
    std::memcpy(fresh + nb, array_ + begin_, i * sizeof(Node));
    std::memcpy(fresh + nb + i + 1, array_ + begin_ + i, (n - i) * sizeof(Node));
    heap_bytes_ -= util::malloc_cost(array_cap_ * sizeof(Node));
    std::free(array_);
  }
  array_ = fresh;
  array_cap_ = static_cast<std::uint32_t>(cap);
  begin_ = static_cast<std::uint32_t>(nb);
  end_ = static_cast<std::uint32_t>(nb + n + 1);
  heap_bytes_ += util::malloc_cost(cap * sizeof(Node));
}

void QuickList::insert_node(std::size_t i, std::string_view region, std::uint32_t count, std::size_t cap,
                            bool room_front) {
  cap = std::max({cap, region.size(), std::size_t{16}});
  auto* buf = static_cast<char*>(checked_malloc(cap));
  const std::size_t begin = room_front ? cap - region.size() : 0;
  if (!region.empty()) std::memcpy(buf + begin, region.data(), region.size());
  try {
    open_slot(i);
  } catch (...) {
    std::free(buf);
    throw;
  }
  at(i) = Node{buf, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(begin + region.size()),
               static_cast<std::uint32_t>(cap), count};
  heap_bytes_ += util::malloc_cost(cap);
  size_ += count;
}

void QuickList::erase_node(std::size_t i) {
  Node& n = at(i);
  heap_bytes_ -= util::malloc_cost(n.cap);
  size_ -= n.count;
  std::free(n.buf);
  if (i < nodes() / 2) {
    std::memmove(array_ + begin_ + 1, array_ + begin_, i * sizeof(Node));
    ++begin_;
  } else {
    std::memmove(array_ + begin_ + i, array_ + begin_ + i + 1, (nodes() - i - 1) * sizeof(Node));
    --end_;
  }
}

void QuickList::shrink(std::size_t i) {
  Node& n = at(i);
  const std::size_t size = n.end - n.begin;
  const std::size_t cap = std::max<std::size_t>(size, 16);
  if (util::malloc_cost(cap) >= util::malloc_cost(n.cap)) return;
  std::memmove(n.buf, n.buf + n.begin, size);
  // Shrinking keeps the block where it is; should realloc fail, the node
  // keeps its room.
  if (void* p = std::realloc(n.buf, cap); p != nullptr) {
    heap_bytes_ = heap_bytes_ - util::malloc_cost(n.cap) + util::malloc_cost(cap);
    n.buf = static_cast<char*>(p);
    n.cap = static_cast<std::uint32_t>(cap);
  }
  n.begin = 0;
  n.end = static_cast<std::uint32_t>(size);
}

void QuickList::splice(std::size_t i, std::size_t pos, std::size_t remove, std::string_view insert,
                       std::int64_t delta) {
  Node& n = at(i);
  const std::size_t size = n.end - n.begin;
  const std::size_t prefix = pos;
  const std::size_t suffix = size - pos - remove;
  char* base = n.buf + n.begin;
  if (insert.size() > remove) {
    const std::size_t grow = insert.size() - remove;
    const std::size_t room_back = n.cap - n.end;
    if (n.begin >= grow && (prefix <= suffix || room_back < grow)) {
      std::memmove(base - grow, base, prefix);
      n.begin -= static_cast<std::uint32_t>(grow);
    } else if (room_back >= grow) {
      std::memmove(base + pos + insert.size(), base + pos + remove, suffix);
      n.end += static_cast<std::uint32_t>(grow);
    } else {
      // Reallocate, the new room on the side of the edit.
      const std::size_t new_size = size + grow;
      const std::size_t cap = std::max<std::size_t>(new_size, n.cap + n.cap / 2);
      auto* buf = static_cast<char*>(checked_malloc(cap));
      const std::size_t nb = prefix < suffix ? cap - new_size : 0;
      std::memcpy(buf + nb, base, prefix);
      std::memcpy(buf + nb + pos + insert.size(), base + pos + remove, suffix);
      std::free(n.buf);
      heap_bytes_ = heap_bytes_ - util::malloc_cost(n.cap) + util::malloc_cost(cap);
      n.buf = buf;
      n.begin = static_cast<std::uint32_t>(nb);
      n.end = static_cast<std::uint32_t>(nb + new_size);
      n.cap = static_cast<std::uint32_t>(cap);
    }
  } else if (insert.size() < remove) {
    const std::size_t cut = remove - insert.size();
    if (prefix < suffix) {
      std::memmove(base + cut, base, prefix);
      n.begin += static_cast<std::uint32_t>(cut);
    } else {
      std::memmove(base + pos + insert.size(), base + pos + remove, suffix);
      n.end -= static_cast<std::uint32_t>(cut);
    }
  }
  if (!insert.empty()) std::memcpy(n.buf + n.begin + pos, insert.data(), insert.size());
  n.count = static_cast<std::uint32_t>(static_cast<std::int64_t>(n.count) + delta);
  size_ = static_cast<std::size_t>(static_cast<std::int64_t>(size_) + delta);
}

}  // namespace larder::storage
