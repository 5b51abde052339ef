#pragma once
// ScoreTree: the big encoding of sorted sets (Redis's "skiplist": skiplist +
// dict), laid out for memory.
//
//   - A B+tree ordered by (score, member): scores by <, ties by member bytes
//     (unsigned memcmp). Leaves are malloc'd blocks that pack their elements
//     back to back as [f64 score][varint len][member], sized to what they hold
//     (rounded up to kLeafStep) up to kLeafMax bytes, and are chained both
//     ways. Inner nodes keep per child the element count of its subtree (rank
//     queries in O(log n)) and a separator key (a lower bound of the child).
//   - A member index: open addressing over 12-byte slots (32-bit hash tag,
//     f64 score) with linear probing; a slot's home follows from its tag, so
//     it can be rehashed and deleted by backward shift. A member's score is
//     found by trying each slot of its tag in the tree.
//
// A member costs its bytes plus ~9 bytes in a leaf and ~18 bytes of index,
// against ~110-130 bytes in Redis. heap_bytes() is exact (util::malloc_cost of
// every block). Not thread-safe: the shard that owns the entry guards it.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "larder/storage/value_object.h"

namespace larder::storage {

// The order of sorted-set elements: <0, 0 or >0.
inline int zset_compare(double s1, std::string_view m1, double s2, std::string_view m2) {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  const int c = m1.compare(m2);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

class ScoreTree final : public ValueObject {
 public:
  static constexpr std::size_t kLeafMax = 1024;  // data bytes before a leaf splits
  static constexpr std::size_t kLeafStep = 64;   // leaf capacity granularity
  static constexpr std::size_t kFanout = 64;     // children of an inner node

  ScoreTree();
  ~ScoreTree() override;
  ScoreTree(const ScoreTree&) = delete;
  ScoreTree& operator=(const ScoreTree&) = delete;

  std::size_t heap_bytes() const override { return heap_bytes_; }
  std::unique_ptr<ValueObject> clone() const override;

  std::size_t size() const { return size_; }
  // The score of `member`, or nullopt.
  std::optional<double> score(std::string_view member) const;
  // Adds `member` (absent) with `score` (not NaN).
  void insert(double score, std::string_view member);
  // Removes `member`; false when absent.
  bool erase(std::string_view member);
  // Changes the score of the present `member`.
  void update(std::string_view member, double old_score, double new_score);
  // 0-based rank of the present (score, member).
  std::size_t rank(double score, std::string_view member) const;
  // How many elements satisfy `before(score, member)`, a predicate true for
  // a prefix of the order (a lower bound of a range).
  template <class Before>
  std::size_t count_before(Before&& before) const;
  // Calls f(score, member) for the elements from rank `from` on, ascending
  // or (reverse) descending, while it returns true. Views are valid until
  // the tree changes.
  template <class F>
  void visit(std::size_t from, bool reverse, F&& f) const;
  // Calls f(score, member) ascending from the first element for which
  // before(score, member) (as count_before's) is false, while f returns true.
  template <class Before, class F>
  void visit_from(Before&& before, F&& f) const;

  // ZSCAN's cursor. scan_order() maps every non-NaN score to a non-zero
  // uint64, preserving score order (-0 maps as +0). scan(cursor, count, f)
  // calls f(score, member) ascending for the elements whose scan_order is
  // >= cursor (any cursor; 0 starts), stops once `count` were visited but
  // never inside a run of equal scores, and returns the next cursor:
  // scan_order(last score) + 1, or 0 when the last element was visited. An
  // element present for a whole iteration is visited at least once.
  static std::uint64_t scan_order(double score);
  template <class F>
  std::uint64_t scan(std::uint64_t cursor, std::size_t count, F&& f) const;

 private:
  struct Leaf {
    Leaf* prev;
    Leaf* next;
    std::uint32_t used;   // data bytes in use
    std::uint32_t cap;    // data bytes allocated
    std::uint32_t count;  // elements
    unsigned char* data() { return reinterpret_cast<unsigned char*>(this + 1); }
    const unsigned char* data() const { return reinterpret_cast<const unsigned char*>(this + 1); }
  };
  struct Inner {
    std::uint32_t n = 0;
    void* child[kFanout];
    std::uint64_t count[kFanout];
    unsigned char* sep[kFanout];  // sep[0] unused (null); a key block otherwise
  };
  // A decoded element.
  struct Elem {
    double score;
    std::string_view member;
    std::size_t size;  // bytes it takes in a leaf
  };
  static Elem decode(const unsigned char* p);
  static std::size_t encoded_size(std::string_view member);
  static void encode(unsigned char* p, double score, std::string_view member);
  // True when the separator `sep` is <= (score, member).
  static bool key_less(const unsigned char* sep, double score, std::string_view member);

  // Index of the child of `in` whose subtree holds (score, member).
  static std::size_t route(const Inner& in, double score, std::string_view member);
  // Calls f(score, member) from `p` in `leaf` on, ascending, while it
  // returns true.
  template <class F>
  static void walk(const Leaf* leaf, const unsigned char* p, F&& f);

  // Block (de)allocation with exact heap accounting.
  Leaf* new_leaf(std::size_t cap);
  Leaf* resize_leaf(Leaf* leaf, std::size_t cap);
  void free_leaf(Leaf* leaf);
  Inner* new_inner();
  void free_inner(Inner* in);
  unsigned char* new_sep(double score, std::string_view member);
  void free_sep(unsigned char* sep);
  static std::size_t leaf_cap_for(std::size_t used);

  struct Split {
    void* right = nullptr;
    std::uint64_t right_count = 0;
    unsigned char* sep = nullptr;
  };
  // Inserts into the subtree at `node` (height levels above the leaves);
  // `node` may move. Returns a right sibling when the node split.
  Split insert_at(void*& node, int height, double score, std::string_view member);
  Split insert_leaf(Leaf*& leaf, double score, std::string_view member);
  // Removes (score, member) from the subtree; false when absent.
  bool erase_at(void*& node, int height, double score, std::string_view member);
  // Repairs child i of `in` after an erase below it (empty, or small).
  void fix_child(Inner& in, std::size_t i, int child_height);
  void remove_child(Inner& in, std::size_t i);
  // Unlinks and frees a subtree that holds no element.
  void drop_subtree(void* node, int height);
  void destroy(void* node, int height);
  bool contains(double score, std::string_view member) const;
  void* clone_node(const void* node, int height, Leaf*& last_leaf, ScoreTree& into) const;

  // Member index.
  struct Slot {
    std::uint32_t tag;  // 0: empty
    double score;
  } __attribute__((packed));
  static std::uint32_t tag_of(std::string_view member);
  std::size_t home(std::uint32_t tag) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(tag) * slot_count_) >> 32);
  }
  // The slot holding `member`'s score, or slot_count_.
  std::size_t find_slot(std::string_view member) const;
  void index_add(std::uint32_t tag, double score);
  void index_remove(std::size_t slot);
  void index_resize(std::size_t slots);

  void* root_ = nullptr;
  int height_ = 0;  // 0: root_ is a leaf
  Leaf* first_ = nullptr;
  Leaf* last_ = nullptr;
  std::size_t size_ = 0;
  Slot* slots_ = nullptr;
  std::size_t slot_count_ = 0;
  std::size_t heap_bytes_ = 0;
};

template <class Before>
std::size_t ScoreTree::count_before(Before&& before) const {
  if (root_ == nullptr) return 0;
  std::size_t rank = 0;
  const void* node = root_;
  for (int h = height_; h > 0; --h) {
    const auto& in = *static_cast<const Inner*>(node);
    std::size_t i = 0;
    // Last child whose separator is before the boundary.
    std::size_t lo = 1, hi = in.n;
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      const Elem s = decode(in.sep[mid]);
      if (before(s.score, s.member)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    i = lo - 1;
    for (std::size_t j = 0; j < i; ++j) rank += in.count[j];
    node = in.child[i];
  }
  const auto& leaf = *static_cast<const Leaf*>(node);
  const unsigned char* p = leaf.data();
  const unsigned char* end = p + leaf.used;
  while (p < end) {
    const Elem e = decode(p);
    if (!before(e.score, e.member)) break;
    ++rank;
    p += e.size;
  }
  return rank;
}

template <class F>
void ScoreTree::visit(std::size_t from, bool reverse, F&& f) const {
  if (from >= size_) return;
  const void* node = root_;
  std::size_t r = from;
  for (int h = height_; h > 0; --h) {
    const auto& in = *static_cast<const Inner*>(node);
    std::size_t i = 0;
    while (r >= in.count[i]) r -= in.count[i++];
    node = in.child[i];
  }
  const Leaf* leaf = static_cast<const Leaf*>(node);
  if (!reverse) {
    const unsigned char* p = leaf->data();
    for (std::size_t k = 0; k < r; ++k) p += decode(p).size;
    walk(leaf, p, f);
    return;
  }
  // Backwards: each leaf's element offsets are decoded first.
  std::uint32_t offsets[kLeafMax / 9 + 2];
  std::size_t last = r;
  while (leaf != nullptr) {
    std::size_t n = 0;
    const unsigned char* p = leaf->data();
    for (std::size_t k = 0; k <= last; ++k) {
      offsets[n++] = static_cast<std::uint32_t>(p - leaf->data());
      p += decode(p).size;
    }
    for (std::size_t k = n; k-- > 0;) {
      const Elem e = decode(leaf->data() + offsets[k]);
      if (!f(e.score, e.member)) return;
    }
    leaf = leaf->prev;
    if (leaf != nullptr) last = leaf->count - 1;
  }
}

template <class F>
void ScoreTree::walk(const Leaf* leaf, const unsigned char* p, F&& f) {
  while (leaf != nullptr) {
    const unsigned char* end = leaf->data() + leaf->used;
    for (; p < end;) {
      const Elem e = decode(p);
      if (!f(e.score, e.member)) return;
      p += e.size;
    }
    leaf = leaf->next;
    if (leaf != nullptr) p = leaf->data();
  }
}

template <class Before, class F>
void ScoreTree::visit_from(Before&& before, F&& f) const {
  if (root_ == nullptr) return;
  const void* node = root_;
  for (int h = height_; h > 0; --h) {
    const auto& in = *static_cast<const Inner*>(node);
    // Last child whose separator is before the boundary.
    std::size_t lo = 1, hi = in.n;
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      const Elem s = decode(in.sep[mid]);
      if (before(s.score, s.member)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    node = in.child[lo - 1];
  }
  // The boundary is in this leaf or at the start of the next one.
  const Leaf* leaf = static_cast<const Leaf*>(node);
  const unsigned char* p = leaf->data();
  const unsigned char* end = p + leaf->used;
  while (p < end) {
    const Elem e = decode(p);
    if (!before(e.score, e.member)) break;
    p += e.size;
  }
  walk(leaf, p, f);
}

inline std::uint64_t ScoreTree::scan_order(double score) {
  const auto bits = std::bit_cast<std::uint64_t>(score == 0 ? 0.0 : score);
  return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

template <class F>
std::uint64_t ScoreTree::scan(std::uint64_t cursor, std::size_t count, F&& f) const {
  std::size_t visited = 0;
  std::uint64_t last = 0;
  bool more = false;
  visit_from([&](double s, std::string_view) { return scan_order(s) < cursor; },
             [&](double s, std::string_view m) {
               const std::uint64_t order = scan_order(s);
               if (visited >= count && order != last) {
                 more = true;
                 return false;
               }
               f(s, m);
               ++visited;
               last = order;
               return true;
             });
  // +inf maps to 0xfff0000000000000: last + 1 cannot wrap.
  return more ? last + 1 : 0;
}

}  // namespace larder::storage
