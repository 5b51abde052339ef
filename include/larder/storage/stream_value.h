#pragma once
// StreamValue: the stream type (always an object; OBJECT ENCODING "stream").
//
// Entries live in nodes, as Redis's radix tree of listpacks: an ordered map
// from a node's master ID (its first entry's ID) to a packed byte string
// holding the master field list (the first entry's field names) and then
// the node's entries back to back:
//   [varint flags][varint ms - master.ms][varint seq delta][values...]
// where flags bit 0 says the entry has the master's fields (only the values
// follow) and otherwise [varint nfields][field value]... follows. The seq
// delta is seq - master.seq when the ms are equal, else seq itself. A value
// is [varint (len << 1)][bytes], or [varint (zigzag(v) << 1) | 1] for a
// canonical integer string. Deleted entries are removed from their node
// (Redis keeps tombstones; the node keeps their count to split where Redis
// would).
//
// A node is closed, as Redis's streamAppendItem does, when its Redis
// listpack size plus the new entry's field and value bytes reaches the
// stream-node-max-bytes limit or when it has held stream-node-max-entries
// entries (deleted ones counted): each node tracks the byte size Redis's
// listpack would have, so node boundaries, and therefore XADD/XTRIM `~`
// results, are Redis's.
//
// Consumer groups: per group the last delivered ID, the entries-read counter,
// the pending entries list (PEL) and the consumers, each with its own PEL.
// Groups and consumers are kept in name order (Redis's rax order).
//
// heap_bytes() is consistent: the same state gives the same count, made of
// util::malloc_cost of the blocks held. Not thread-safe: the shard owning the
// entry guards it.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "larder/storage/value_object.h"

namespace larder::storage {

struct StreamId {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;

  auto operator<=>(const StreamId&) const = default;
  bool zero() const { return ms == 0 && seq == 0; }
  static constexpr StreamId max() { return {~std::uint64_t{0}, ~std::uint64_t{0}}; }
  // The next / previous ID; false (unchanged) at the maximum / 0-0.
  bool increment();
  bool decrement();
  // "ms-seq"
  std::string str() const;
};

// stream-node-max-bytes and -entries, as Redis applies them: 0 bytes (or
// over 1 GiB) means 1 GiB, 0 entries no limit.
struct StreamNodeLimits {
  std::uint64_t max_bytes = 4096;
  std::uint64_t max_entries = 100;
};

class StreamValue final : public ValueObject {
 public:
  // Redis's SCG_INVALID_ENTRIES_READ.
  static constexpr std::int64_t kInvalidEntriesRead = -1;

  struct Consumer;
  // One pending entry: delivered to `consumer`, not acknowledged yet.
  struct Nack {
    std::int64_t delivery_time = 0;  // unix ms
    std::uint64_t delivery_count = 0;
    Consumer* consumer = nullptr;
  };
  struct Consumer {
    std::string name;
    std::int64_t seen_time = 0;  // unix ms
    std::map<StreamId, Nack*> pel;  // points into the group's PEL
  };
  struct Group {
    StreamId last_id;
    std::int64_t entries_read = kInvalidEntriesRead;
    std::map<StreamId, Nack> pel;
    std::map<std::string, Consumer, std::less<>> consumers;

    Consumer* find_consumer(std::string_view name);
    // The consumer `name`, created with seen_time `now` when absent; `created`
    // tells which.
    Consumer& consumer(std::string_view name, std::int64_t now, bool* created = nullptr);
    // Removes consumer `name` and its pending entries; their count, or -1
    // when there is no such consumer.
    std::int64_t erase_consumer(std::string_view name);
    // Removes `id` from the group's PEL and its consumer's; false if absent.
    bool ack(StreamId id);
  };

  StreamValue() = default;
  ~StreamValue() override = default;
  StreamValue(const StreamValue&) = delete;
  StreamValue& operator=(const StreamValue&) = delete;

  std::size_t heap_bytes() const override;
  std::unique_ptr<ValueObject> clone() const override;

  // Stream metadata, as Redis's stream struct.
  std::uint64_t length() const { return length_; }
  StreamId last_id() const { return last_id_; }
  StreamId first_id() const { return first_id_; }
  StreamId max_deleted_id() const { return max_deleted_; }
  std::uint64_t entries_added() const { return entries_added_; }
  void set_last_id(StreamId id) { last_id_ = id; }
  void set_max_deleted_id(StreamId id) { max_deleted_ = id; }
  void set_entries_added(std::uint64_t n) { entries_added_ = n; }
  // Nodes (XINFO's radix-tree-keys).
  std::size_t nodes() const { return nodes_.size(); }

  // Appends an entry with ID `id` (> last_id()) and the field/value pairs
  // `fv` (even, non-empty); updates last ID, length and entries added.
  void append(StreamId id, std::span<const std::string_view> fv, StreamNodeLimits limits = {});
  // RDB loading: a node as Redis saved it, after the others. Redis keeps its
  // boundaries and counts, which decide where later entries go and what
  // XTRIM ~ removes: its key `master`, its master entry's `fields`, its live
  // `entries` (ascending, above last_id()), its tombstone count, the size of
  // its listpack without the two counts, and its last entry, deleted or not.
  // Updates length, first, last ID and entries added as append() does. A
  // node without live entries is left out.
  struct LoadedEntry {
    StreamId id;
    std::vector<std::string_view> fv;
  };
  void append_node(StreamId master, std::span<const std::string_view> fields, std::span<const LoadedEntry> entries,
                   std::uint32_t deleted, std::uint32_t lp_bytes, StreamId last, bool last_gone);
  // Calls visit(master, fields, entries) for each node in order: its key,
  // its master entry's field names, and the EntryViews of its entries.
  template <class Visit>
  void visit_nodes(Visit&& visit) const;
  // Removes the entry `id`; false when there is none. XDEL also records the
  // max deleted ID (the caller does).
  bool erase(StreamId id);

  // Trimming, as Redis's streamTrim: by length (keep at most `maxlen`) or
  // by ID (remove entries below `minid`); `approx` removes whole nodes
  // only; `limit` (0: none) bounds the entries removed. Returns how many
  // were removed.
  std::uint64_t trim_maxlen(std::uint64_t maxlen, bool approx, std::int64_t limit);
  std::uint64_t trim_minid(StreamId minid, bool approx, std::int64_t limit);

  // One entry as iteration shows it: views valid until the next step.
  struct EntryView {
    StreamId id;
    std::span<const std::string> fv;  // field, value, field, value...
  };
  // Calls visit(EntryView) on the entries with start <= ID <= end, in ID
  // order or reversed, until visit returns false.
  template <class Visit>
  void range(StreamId start, StreamId end, bool rev, Visit&& visit) const;
  // The entry `id`, decoded into `fv`; false when there is none.
  bool lookup(StreamId id, std::vector<std::string>& fv) const;
  // The first (or last) entry's ID; nullopt for an empty stream. The last
  // one is O(1) unless the tail node's last entry was deleted.
  std::optional<StreamId> edge_id(bool first) const;

  // Consumer groups, by name.
  const std::map<std::string, std::unique_ptr<Group>, std::less<>>& groups() const { return groups_; }
  Group* find_group(std::string_view name);
  const Group* find_group(std::string_view name) const;
  // Creates group `name` (absent) at `last_id`.
  Group& create_group(std::string_view name, StreamId last_id, std::int64_t entries_read);
  bool destroy_group(std::string_view name);

  // Redis's streamEstimateDistanceFromFirstEverEntry: the entries-read
  // counter of `id`, or kInvalidEntriesRead when it cannot be known.
  std::int64_t estimate_distance(StreamId id) const;
  // Redis's streamRangeHasTombstones over [start, +inf).
  bool has_tombstones_from(StreamId start) const;
  // XINFO's lag of `g`, or nullopt (a null reply).
  std::optional<std::int64_t> lag(const Group& g) const;

 private:
  struct Node {
    std::string data;             // master fields, then entries
    std::uint32_t entries_at = 0; // where the entries start
    std::uint32_t nfields = 0;    // master field count
    std::uint32_t live = 0;       // entries held
    std::uint32_t deleted = 0;    // entries removed (Redis's tombstones)
    std::uint32_t lp_bytes = 0;   // the bytes Redis's listpack would take, but the two counts above
    StreamId last;                // the last ID appended (Redis's lpGetEdgeStreamID)
    bool last_gone = false;       // that entry was deleted
  };
  using NodeMap = std::map<StreamId, Node>;

  // Decodes the entry at data[pos] of node (master `master`) into id/fv;
  // returns the position after it.
  static std::size_t decode(const Node& node, StreamId master, std::size_t pos, StreamId& id,
                            std::vector<std::string>& fv);
  static std::size_t node_cost(const Node& node);
  // The field names of `node`'s master entry.
  static void master_fields(const Node& node, std::vector<std::string>& fields);
  // A new node keyed `master` with master entry `fields` (the caller adds
  // its node_cost once filled).
  Node& open_node(StreamId master, std::span<const std::string_view> fields);
  // Appends entry `id` to `node` (key `master`): encoding, Redis's listpack
  // size, live count, last.
  static void put_entry(Node& node, StreamId master, StreamId id, std::span<const std::string_view> fv);
  // Length, first and last ID, entries added after an entry was appended.
  void entry_added(StreamId id);
  void update_first_id();
  // Removes node `it` and its entries (a trim).
  void drop_node(NodeMap::iterator it);
  // Rewrites node `it` without the entries [from, to) (byte offsets), which
  // hold `count` entries.
  void cut(NodeMap::iterator it, std::size_t from, std::size_t to, std::uint32_t count);

  NodeMap nodes_;
  std::size_t nodes_bytes_ = 0;  // node_cost of every node
  std::uint64_t length_ = 0;
  StreamId last_id_, first_id_, max_deleted_;
  std::uint64_t entries_added_ = 0;
  std::map<std::string, std::unique_ptr<Group>, std::less<>> groups_;
};

template <class Visit>
void StreamValue::visit_nodes(Visit&& visit) const {
  std::vector<std::string> fields;
  std::vector<StreamId> ids;
  std::vector<std::vector<std::string>> values;
  std::vector<EntryView> entries;
  for (const auto& [master, n] : nodes_) {
    master_fields(n, fields);
    ids.assign(n.live, StreamId{});
    values.resize(n.live);
    std::size_t i = 0;
    for (std::size_t pos = n.entries_at; pos < n.data.size(); ++i) pos = decode(n, master, pos, ids[i], values[i]);
    entries.clear();
    for (std::size_t j = 0; j < n.live; ++j) entries.push_back(EntryView{ids[j], values[j]});
    visit(master, std::span<const std::string>(fields), std::span<const EntryView>(entries));
  }
}

template <class Visit>
void StreamValue::range(StreamId start, StreamId end, bool rev, Visit&& visit) const {
  if (nodes_.empty() || start > end) return;
  std::vector<std::string> fv;
  StreamId id;
  if (!rev) {
    // The node that may hold `start`: the last one whose master is <= start.
    auto it = nodes_.upper_bound(start);
    if (it != nodes_.begin()) --it;
    for (; it != nodes_.end() && it->first <= end; ++it) {
      const Node& n = it->second;
      if (n.last < start) continue;
      for (std::size_t pos = n.entries_at; pos < n.data.size();) {
        pos = decode(n, it->first, pos, id, fv);
        if (id < start) continue;
        if (id > end) return;
        if (!visit(EntryView{id, fv})) return;
      }
    }
    return;
  }
  auto it = nodes_.upper_bound(end);
  std::vector<std::size_t> offsets;
  while (it != nodes_.begin()) {
    --it;
    const Node& n = it->second;
    if (n.last < start) return;
    offsets.clear();
    for (std::size_t pos = n.entries_at; pos < n.data.size();) {
      offsets.push_back(pos);
      pos = decode(n, it->first, pos, id, fv);
    }
    for (auto o = offsets.rbegin(); o != offsets.rend(); ++o) {
      decode(n, it->first, *o, id, fv);
      if (id > end) continue;
      if (id < start) return;
      if (!visit(EntryView{id, fv})) return;
    }
  }
}

}  // namespace larder::storage
