#include "larder/storage/score_tree.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <utility>

#include "larder/storage/table.h"
#include "larder/util/memory.h"
#include "larder/util/varint.h"

namespace larder::storage {

namespace {

// Index load bounds: grow past 80% full (by half), shrink under 20%.
constexpr std::size_t kMinSlots = 16;

std::size_t round_up(std::size_t n, std::size_t step) { return (n + step - 1) / step * step; }

}  // namespace

ScoreTree::ScoreTree() : heap_bytes_(util::malloc_cost(sizeof(ScoreTree))) {}

ScoreTree::~ScoreTree() {
  if (root_ != nullptr) destroy(root_, height_);
  std::free(slots_);
}

ScoreTree::Elem ScoreTree::decode(const unsigned char* p) {
  Elem e;
  std::memcpy(&e.score, p, sizeof(double));
  std::size_t len = 0;
  const unsigned char* m = util::get_varint(p + sizeof(double), len);
  e.member = {reinterpret_cast<const char*>(m), len};
  e.size = static_cast<std::size_t>(m - p) + len;
  return e;
}

std::size_t ScoreTree::encoded_size(std::string_view member) {
  return sizeof(double) + util::varint_size(member.size()) + member.size();
}

void ScoreTree::encode(unsigned char* p, double score, std::string_view member) {
  std::memcpy(p, &score, sizeof(double));
  p = util::put_varint(p + sizeof(double), member.size());
  if (!member.empty()) std::memcpy(p, member.data(), member.size());
}

bool ScoreTree::key_less(const unsigned char* sep, double score, std::string_view member) {
  const Elem s = decode(sep);
  return zset_compare(s.score, s.member, score, member) <= 0;
}

std::size_t ScoreTree::route(const Inner& in, double score, std::string_view member) {
  std::size_t lo = 1, hi = in.n;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (key_less(in.sep[mid], score, member)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo - 1;
}

std::size_t ScoreTree::leaf_cap_for(std::size_t used) { return round_up(used == 0 ? 1 : used, kLeafStep); }

ScoreTree::Leaf* ScoreTree::new_leaf(std::size_t cap) {
  auto* leaf = static_cast<Leaf*>(std::malloc(sizeof(Leaf) + cap));
  if (leaf == nullptr) throw std::bad_alloc();
  leaf->prev = leaf->next = nullptr;
  leaf->used = leaf->count = 0;
  leaf->cap = static_cast<std::uint32_t>(cap);
  heap_bytes_ += util::malloc_cost(sizeof(Leaf) + cap);
  return leaf;
}

ScoreTree::Leaf* ScoreTree::resize_leaf(Leaf* leaf, std::size_t cap) {
  if (cap == leaf->cap) return leaf;
  const std::size_t old_cost = util::malloc_cost(sizeof(Leaf) + leaf->cap);
  auto* moved = static_cast<Leaf*>(std::realloc(leaf, sizeof(Leaf) + cap));
  if (moved == nullptr) throw std::bad_alloc();
  moved->cap = static_cast<std::uint32_t>(cap);
  heap_bytes_ = heap_bytes_ - old_cost + util::malloc_cost(sizeof(Leaf) + cap);
  if (moved->prev != nullptr) moved->prev->next = moved;
  if (moved->next != nullptr) moved->next->prev = moved;
  if (first_ == leaf) first_ = moved;
  if (last_ == leaf) last_ = moved;
  return moved;
}

void ScoreTree::free_leaf(Leaf* leaf) {
  heap_bytes_ -= util::malloc_cost(sizeof(Leaf) + leaf->cap);
  std::free(leaf);
}

ScoreTree::Inner* ScoreTree::new_inner() {
  auto* in = new Inner;
  heap_bytes_ += util::malloc_cost(sizeof(Inner));
  return in;
}

void ScoreTree::free_inner(Inner* in) {
  heap_bytes_ -= util::malloc_cost(sizeof(Inner));
  delete in;
}

unsigned char* ScoreTree::new_sep(double score, std::string_view member) {
  const std::size_t n = encoded_size(member);
  auto* p = static_cast<unsigned char*>(std::malloc(n));
  if (p == nullptr) throw std::bad_alloc();
  encode(p, score, member);
  heap_bytes_ += util::malloc_cost(n);
  return p;
}

void ScoreTree::free_sep(unsigned char* sep) {
  if (sep == nullptr) return;
  heap_bytes_ -= util::malloc_cost(decode(sep).size);
  std::free(sep);
}

void ScoreTree::destroy(void* node, int height) {
  if (height == 0) {
    free_leaf(static_cast<Leaf*>(node));
    return;
  }
  auto* in = static_cast<Inner*>(node);
  for (std::size_t i = 0; i < in->n; ++i) {
    destroy(in->child[i], height - 1);
    free_sep(in->sep[i]);
  }
  free_inner(in);
}

// --------------------------------------------------------------------------
// Lookups
// --------------------------------------------------------------------------

bool ScoreTree::contains(double score, std::string_view member) const {
  if (root_ == nullptr) return false;
  const void* node = root_;
  for (int h = height_; h > 0; --h) {
    const auto& in = *static_cast<const Inner*>(node);
    node = in.child[route(in, score, member)];
  }
  const auto& leaf = *static_cast<const Leaf*>(node);
  const unsigned char* p = leaf.data();
  const unsigned char* end = p + leaf.used;
  while (p < end) {
    const Elem e = decode(p);
    const int c = zset_compare(e.score, e.member, score, member);
    if (c == 0) return true;
    if (c > 0) return false;
    p += e.size;
  }
  return false;
}

std::size_t ScoreTree::rank(double score, std::string_view member) const {
  return count_before([&](double s, std::string_view m) { return zset_compare(s, m, score, member) < 0; });
}

std::optional<double> ScoreTree::score(std::string_view member) const {
  const std::size_t slot = find_slot(member);
  if (slot == slot_count_) return std::nullopt;
  const double s = slots_[slot].score;
  return s;
}

// --------------------------------------------------------------------------
// Insert
// --------------------------------------------------------------------------

void ScoreTree::insert(double score, std::string_view member) {
  if (root_ == nullptr) {
    Leaf* leaf = new_leaf(leaf_cap_for(encoded_size(member)));
    first_ = last_ = leaf;
    root_ = leaf;
    height_ = 0;
  }
  Split split = insert_at(root_, height_, score, member);
  if (split.right != nullptr) {
    Inner* in = new_inner();
    in->n = 2;
    in->child[0] = root_;
    in->count[0] = size_ + 1 - split.right_count;
    in->sep[0] = nullptr;
    in->child[1] = split.right;
    in->count[1] = split.right_count;
    in->sep[1] = split.sep;
    root_ = in;
    ++height_;
  }
  ++size_;
  index_add(tag_of(member), score);
}

ScoreTree::Split ScoreTree::insert_at(void*& node, int height, double score, std::string_view member) {
  if (height == 0) {
    Leaf* leaf = static_cast<Leaf*>(node);
    Split s = insert_leaf(leaf, score, member);
    node = leaf;
    return s;
  }
  auto& in = *static_cast<Inner*>(node);
  const std::size_t i = route(in, score, member);
  Split below = insert_at(in.child[i], height - 1, score, member);
  ++in.count[i];
  if (below.right == nullptr) return {};
  in.count[i] -= below.right_count;
  // Room for the new child after child i.
  std::memmove(&in.child[i + 2], &in.child[i + 1], (in.n - i - 1) * sizeof(void*));
  std::memmove(&in.count[i + 2], &in.count[i + 1], (in.n - i - 1) * sizeof(std::uint64_t));
  std::memmove(&in.sep[i + 2], &in.sep[i + 1], (in.n - i - 1) * sizeof(unsigned char*));
  in.child[i + 1] = below.right;
  in.count[i + 1] = below.right_count;
  in.sep[i + 1] = below.sep;
  ++in.n;
  if (in.n < kFanout) return {};
  // Full: move the upper half to a new node; its first separator goes up.
  Inner* right = new_inner();
  const std::size_t keep = in.n / 2;
  right->n = in.n - keep;
  std::uint64_t moved = 0;
  for (std::size_t j = 0; j < right->n; ++j) {
    right->child[j] = in.child[keep + j];
    right->count[j] = in.count[keep + j];
    right->sep[j] = in.sep[keep + j];
    moved += right->count[j];
  }
  in.n = static_cast<std::uint32_t>(keep);
  Split up{right, moved, right->sep[0]};
  right->sep[0] = nullptr;
  return up;
}

ScoreTree::Split ScoreTree::insert_leaf(Leaf*& leaf, double score, std::string_view member) {
  // Offset of the first element after the new one.
  std::size_t at = 0;
  std::size_t index = 0;
  while (at < leaf->used) {
    const Elem e = decode(leaf->data() + at);
    if (zset_compare(e.score, e.member, score, member) > 0) break;
    at += e.size;
    ++index;
  }
  const std::size_t add = encoded_size(member);
  const std::size_t used = leaf->used + add;
  if (used <= kLeafMax || leaf->count == 0) {
    if (used > leaf->cap) leaf = resize_leaf(leaf, leaf_cap_for(used));
    unsigned char* d = leaf->data();
    std::memmove(d + at + add, d + at, leaf->used - at);
    encode(d + at, score, member);
    leaf->used = static_cast<std::uint32_t>(used);
    ++leaf->count;
    return {};
  }
  // Split: the elements in order into a scratch buffer, then the first half
  // (by bytes, at least one element each side) stays.
  std::string all(used, '\0');
  auto* buf = reinterpret_cast<unsigned char*>(all.data());
  std::memcpy(buf, leaf->data(), at);
  encode(buf + at, score, member);
  std::memcpy(buf + at + add, leaf->data() + at, leaf->used - at);
  const std::size_t total = leaf->count + 1;
  std::size_t cut = 0;
  std::size_t left_count = 0;
  while (left_count < total - 1) {
    const std::size_t sz = decode(buf + cut).size;
    if (left_count > 0 && cut + sz > used / 2) break;
    cut += sz;
    ++left_count;
  }
  // Inserting at the end of the last leaf (ascending loads) keeps it full.
  if (leaf->next == nullptr && index == leaf->count) {
    cut = leaf->used;
    left_count = leaf->count;
  }
  // The left part outgrows the leaf when a long element lands in it: grow
  // the leaf first, so that a failed allocation changes nothing.
  if (cut > leaf->cap) leaf = resize_leaf(leaf, leaf_cap_for(cut));
  Leaf* right = new_leaf(leaf_cap_for(used - cut));
  std::memcpy(right->data(), buf + cut, used - cut);
  right->used = static_cast<std::uint32_t>(used - cut);
  right->count = static_cast<std::uint32_t>(total - left_count);
  std::memcpy(leaf->data(), buf, cut);
  leaf->used = static_cast<std::uint32_t>(cut);
  leaf->count = static_cast<std::uint32_t>(left_count);
  leaf = resize_leaf(leaf, leaf_cap_for(cut));
  right->prev = leaf;
  right->next = leaf->next;
  if (leaf->next != nullptr) leaf->next->prev = right;
  leaf->next = right;
  if (last_ == leaf) last_ = right;
  const Elem first = decode(right->data());
  return {right, right->count, new_sep(first.score, first.member)};
}

// --------------------------------------------------------------------------
// Erase
// --------------------------------------------------------------------------

bool ScoreTree::erase(std::string_view member) {
  const std::size_t slot = find_slot(member);
  if (slot == slot_count_) return false;
  const double score = slots_[slot].score;
  erase_at(root_, height_, score, member);
  --size_;
  index_remove(slot);
  if (size_ == 0) {
    destroy(root_, height_);
    root_ = nullptr;
    height_ = 0;
    first_ = last_ = nullptr;
    return true;
  }
  while (height_ > 0 && static_cast<Inner*>(root_)->n == 1) {
    auto* in = static_cast<Inner*>(root_);
    root_ = in->child[0];
    free_inner(in);
    --height_;
  }
  return true;
}

void ScoreTree::update(std::string_view member, double old_score, double new_score) {
  // The index slot keeps its place: only the tree moves the element.
  const std::size_t slot = find_slot(member);
  erase_at(root_, height_, old_score, member);
  Split split = insert_at(root_, height_, new_score, member);
  if (split.right != nullptr) {
    Inner* in = new_inner();
    in->n = 2;
    in->child[0] = root_;
    in->count[0] = size_ - split.right_count;
    in->sep[0] = nullptr;
    in->child[1] = split.right;
    in->count[1] = split.right_count;
    in->sep[1] = split.sep;
    root_ = in;
    ++height_;
  }
  while (height_ > 0 && static_cast<Inner*>(root_)->n == 1) {
    auto* in = static_cast<Inner*>(root_);
    root_ = in->child[0];
    free_inner(in);
    --height_;
  }
  slots_[slot].score = new_score;
}

bool ScoreTree::erase_at(void*& node, int height, double score, std::string_view member) {
  if (height == 0) {
    Leaf* leaf = static_cast<Leaf*>(node);
    std::size_t at = 0;
    while (at < leaf->used) {
      const Elem e = decode(leaf->data() + at);
      const int c = zset_compare(e.score, e.member, score, member);
      if (c > 0) return false;
      if (c == 0) {
        unsigned char* d = leaf->data();
        std::memmove(d + at, d + at + e.size, leaf->used - at - e.size);
        leaf->used -= static_cast<std::uint32_t>(e.size);
        --leaf->count;
        if (leaf->cap - leaf->used >= 2 * kLeafStep) node = resize_leaf(leaf, leaf_cap_for(leaf->used));
        return true;
      }
      at += e.size;
    }
    return false;
  }
  auto& in = *static_cast<Inner*>(node);
  const std::size_t i = route(in, score, member);
  if (!erase_at(in.child[i], height - 1, score, member)) return false;
  --in.count[i];
  fix_child(in, i, height - 1);
  return true;
}

void ScoreTree::drop_subtree(void* node, int height) {
  if (height == 0) {
    Leaf* leaf = static_cast<Leaf*>(node);
    if (leaf->prev != nullptr) leaf->prev->next = leaf->next;
    if (leaf->next != nullptr) leaf->next->prev = leaf->prev;
    if (first_ == leaf) first_ = leaf->next;
    if (last_ == leaf) last_ = leaf->prev;
    free_leaf(leaf);
    return;
  }
  auto* in = static_cast<Inner*>(node);
  for (std::size_t i = 0; i < in->n; ++i) {
    drop_subtree(in->child[i], height - 1);
    free_sep(in->sep[i]);
  }
  free_inner(in);
}

void ScoreTree::remove_child(Inner& in, std::size_t i) {
  free_sep(in.sep[i]);
  std::memmove(&in.child[i], &in.child[i + 1], (in.n - i - 1) * sizeof(void*));
  std::memmove(&in.count[i], &in.count[i + 1], (in.n - i - 1) * sizeof(std::uint64_t));
  std::memmove(&in.sep[i], &in.sep[i + 1], (in.n - i - 1) * sizeof(unsigned char*));
  --in.n;
  if (i == 0 && in.n > 0) {
    // The new first child needs no lower bound.
    free_sep(in.sep[0]);
    in.sep[0] = nullptr;
  }
}

void ScoreTree::fix_child(Inner& in, std::size_t i, int child_height) {
  if (child_height == 0) {
    Leaf* leaf = static_cast<Leaf*>(in.child[i]);
    if (leaf->count == 0) {
      if (in.n == 1) return;  // the parent goes with it (or the root collapses)
      drop_subtree(leaf, 0);
      remove_child(in, i);
      return;
    }
    if (leaf->used >= kLeafMax / 4 || in.n == 1) return;
    // Merge with a sibling under the same parent when the two fit one leaf.
    const std::size_t l = i + 1 < in.n ? i : i - 1;
    Leaf* a = static_cast<Leaf*>(in.child[l]);
    Leaf* b = static_cast<Leaf*>(in.child[l + 1]);
    if (a->used + b->used > kLeafMax) return;
    const std::size_t used = a->used + b->used;
    if (used > a->cap) a = resize_leaf(a, leaf_cap_for(used));
    in.child[l] = a;
    std::memcpy(a->data() + a->used, b->data(), b->used);
    a->used = static_cast<std::uint32_t>(used);
    a->count += b->count;
    in.count[l] += in.count[l + 1];
    a->next = b->next;
    if (b->next != nullptr) b->next->prev = a;
    if (last_ == b) last_ = a;
    free_leaf(b);
    remove_child(in, l + 1);
    return;
  }
  auto* child = static_cast<Inner*>(in.child[i]);
  if (in.count[i] == 0) {
    if (in.n == 1) return;  // the parent goes with it
    drop_subtree(child, child_height);
    remove_child(in, i);
    return;
  }
  if (child->n >= kFanout / 4 || in.n == 1) return;
  const std::size_t l = i + 1 < in.n ? i : i - 1;
  auto* a = static_cast<Inner*>(in.child[l]);
  auto* b = static_cast<Inner*>(in.child[l + 1]);
  if (a->n + b->n >= kFanout) return;
  // b's first child takes the parent's separator of b.
  b->sep[0] = in.sep[l + 1];
  in.sep[l + 1] = nullptr;
  for (std::size_t j = 0; j < b->n; ++j) {
    a->child[a->n + j] = b->child[j];
    a->count[a->n + j] = b->count[j];
    a->sep[a->n + j] = b->sep[j];
  }
  a->n += b->n;
  in.count[l] += in.count[l + 1];
  b->n = 0;
  free_inner(b);
  remove_child(in, l + 1);
}

// --------------------------------------------------------------------------
// Clone
// --------------------------------------------------------------------------

std::unique_ptr<ValueObject> ScoreTree::clone() const {
  auto copy = std::make_unique<ScoreTree>();
  if (root_ != nullptr) {
    Leaf* last = nullptr;
    copy->root_ = clone_node(root_, height_, last, *copy);
    copy->height_ = height_;
    copy->last_ = last;
  }
  copy->size_ = size_;
  if (slot_count_ > 0) {
    copy->slots_ = static_cast<Slot*>(std::malloc(slot_count_ * sizeof(Slot)));
    if (copy->slots_ == nullptr) throw std::bad_alloc();
    std::memcpy(static_cast<void*>(copy->slots_), slots_, slot_count_ * sizeof(Slot));
    copy->slot_count_ = slot_count_;
    copy->heap_bytes_ += util::malloc_cost(slot_count_ * sizeof(Slot));
  }
  return copy;
}

void* ScoreTree::clone_node(const void* node, int height, Leaf*& last_leaf, ScoreTree& into) const {
  if (height == 0) {
    const auto* leaf = static_cast<const Leaf*>(node);
    Leaf* copy = into.new_leaf(leaf->cap);
    std::memcpy(copy->data(), leaf->data(), leaf->used);
    copy->used = leaf->used;
    copy->count = leaf->count;
    copy->prev = last_leaf;
    if (last_leaf != nullptr) {
      last_leaf->next = copy;
    } else {
      into.first_ = copy;
    }
    last_leaf = copy;
    return copy;
  }
  const auto* in = static_cast<const Inner*>(node);
  Inner* copy = into.new_inner();
  copy->n = in->n;
  for (std::size_t i = 0; i < in->n; ++i) {
    copy->child[i] = clone_node(in->child[i], height - 1, last_leaf, into);
    copy->count[i] = in->count[i];
    if (in->sep[i] == nullptr) {
      copy->sep[i] = nullptr;
    } else {
      const Elem s = decode(in->sep[i]);
      copy->sep[i] = into.new_sep(s.score, s.member);
    }
  }
  return copy;
}

// --------------------------------------------------------------------------
// Member index
// --------------------------------------------------------------------------

std::uint32_t ScoreTree::tag_of(std::string_view member) {
  const auto t = static_cast<std::uint32_t>(Table::hash_of(member) >> 32);
  return t == 0 ? 1 : t;
}

std::size_t ScoreTree::find_slot(std::string_view member) const {
  if (slot_count_ == 0) return slot_count_;
  const std::uint32_t tag = tag_of(member);
  for (std::size_t i = home(tag);; i = i + 1 == slot_count_ ? 0 : i + 1) {
    const Slot s = slots_[i];
    if (s.tag == 0) return slot_count_;
    if (s.tag == tag && contains(s.score, member)) return i;
  }
}

void ScoreTree::index_add(std::uint32_t tag, double score) {
  if ((size_ + 1) * 5 > slot_count_ * 4) index_resize(std::max(kMinSlots, slot_count_ + slot_count_ / 2));
  std::size_t i = home(tag);
  while (slots_[i].tag != 0) i = i + 1 == slot_count_ ? 0 : i + 1;
  slots_[i].tag = tag;
  slots_[i].score = score;
}

void ScoreTree::index_remove(std::size_t hole) {
  // Backward shift: later slots of the run move up unless already home.
  std::size_t j = hole;
  for (;;) {
    j = j + 1 == slot_count_ ? 0 : j + 1;
    if (slots_[j].tag == 0) break;
    const std::size_t h = home(slots_[j].tag);
    // Movable when its home is not cyclically in (hole, j].
    const bool stays = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole].tag = 0;
  if (slot_count_ > kMinSlots && size_ * 5 < slot_count_) index_resize(std::max(kMinSlots, slot_count_ / 2));
  if (size_ == 0) index_resize(0);
}

void ScoreTree::index_resize(std::size_t slots) {
  Slot* old = slots_;
  const std::size_t old_count = slot_count_;
  Slot* fresh = nullptr;
  if (slots > 0) {
    fresh = static_cast<Slot*>(std::calloc(slots, sizeof(Slot)));
    if (fresh == nullptr) throw std::bad_alloc();
    heap_bytes_ += util::malloc_cost(slots * sizeof(Slot));
  }
  slots_ = fresh;
  slot_count_ = slots;
  for (std::size_t k = 0; k < old_count; ++k) {
    if (old[k].tag == 0) continue;
    std::size_t i = home(old[k].tag);
    while (slots_[i].tag != 0) i = i + 1 == slot_count_ ? 0 : i + 1;
    slots_[i] = old[k];
  }
  if (old != nullptr) {
    heap_bytes_ -= util::malloc_cost(old_count * sizeof(Slot));
    std::free(old);
  }
}

}  // namespace larder::storage
