#include "larder/storage/stream_value.h"

#include <cstring>

#include "larder/util/memory.h"
#include "larder/util/numbers.h"
#include "larder/util/varint.h"

namespace larder::storage {

namespace {

// ---------------------------------------------------------------------------
// Sizes of Redis's listpack elements (listpack.c), to close nodes where
// Redis's streamAppendItem does.

std::size_t lp_backlen(std::size_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

std::size_t lp_int(std::int64_t v) {
  std::size_t enc;
  if (v >= 0 && v <= 127) {
    enc = 1;
  } else if (v >= -4096 && v <= 4095) {
    enc = 2;
  } else if (v >= -32768 && v <= 32767) {
    enc = 3;
  } else if (v >= -8388608 && v <= 8388607) {
    enc = 4;
  } else if (v >= -2147483648LL && v <= 2147483647LL) {
    enc = 5;
  } else {
    enc = 9;
  }
  return enc + lp_backlen(enc);
}

std::size_t lp_str(std::string_view s) {
  std::int64_t v = 0;
  if (util::parse_int64(s, v)) return lp_int(v);
  const std::size_t enc = s.size() + (s.size() < 64 ? 1 : s.size() < 4096 ? 2 : 5);
  return enc + lp_backlen(enc);
}

constexpr std::size_t kLpEmpty = 7;  // header + end byte
constexpr std::uint64_t kSameFields = 1;

// ---------------------------------------------------------------------------
// Our own encoding of values: canonical integers as zigzag varints.

void put_u64(std::string& out, std::uint64_t v) {
  char buf[10];
  out.append(buf, util::put_varint(buf, v) - buf);
}

std::uint64_t get_u64(const std::string& s, std::size_t& pos) {
  std::size_t v = 0;
  pos = static_cast<std::size_t>(util::get_varint(s.data() + pos, v) - s.data());
  return v;
}

void put_value(std::string& out, std::string_view s) {
  std::int64_t v = 0;
  if (util::parse_int64(s, v)) {
    const std::uint64_t z = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
    if (z < (std::uint64_t{1} << 63)) {
      put_u64(out, (z << 1) | 1);
      return;
    }
  }
  put_u64(out, static_cast<std::uint64_t>(s.size()) << 1);
  out.append(s);
}

void get_value(const std::string& data, std::size_t& pos, std::string& out) {
  const std::uint64_t h = get_u64(data, pos);
  if (h & 1) {
    const std::uint64_t z = h >> 1;
    const auto v = static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
    char buf[util::kInt64BufSize];
    out.assign(buf, util::format_int64(v, buf));
    return;
  }
  const std::size_t len = h >> 1;
  out.assign(data.data() + pos, len);
  pos += len;
}

template <class T>
std::size_t tree_node_cost() {
  return util::malloc_cost(32 + sizeof(T));  // libstdc++ _Rb_tree_node: header + value
}

std::size_t string_cost(const std::string& s) {
  return s.capacity() > 15 ? util::malloc_cost(s.capacity() + 1) : 0;
}

}  // namespace

bool StreamId::increment() {
  if (seq == ~std::uint64_t{0}) {
    if (ms == ~std::uint64_t{0}) return false;
    ++ms;
    seq = 0;
  } else {
    ++seq;
  }
  return true;
}

bool StreamId::decrement() {
  if (seq == 0) {
    if (ms == 0) return false;
    --ms;
    seq = ~std::uint64_t{0};
  } else {
    --seq;
  }
  return true;
}

std::string StreamId::str() const { return std::to_string(ms) + "-" + std::to_string(seq); }

// ---------------------------------------------------------------------------
// Groups

StreamValue::Consumer* StreamValue::Group::find_consumer(std::string_view name) {
  auto it = consumers.find(name);
  return it == consumers.end() ? nullptr : &it->second;
}

StreamValue::Consumer& StreamValue::Group::consumer(std::string_view name, std::int64_t now, bool* created) {
  auto it = consumers.find(name);
  if (created != nullptr) *created = it == consumers.end();
  if (it != consumers.end()) return it->second;
  Consumer& c = consumers.emplace(std::string(name), Consumer{}).first->second;
  c.name = name;
  c.seen_time = now;
  return c;
}

std::int64_t StreamValue::Group::erase_consumer(std::string_view name) {
  auto it = consumers.find(name);
  if (it == consumers.end()) return -1;
  const auto n = static_cast<std::int64_t>(it->second.pel.size());
  for (const auto& [id, nack] : it->second.pel) pel.erase(id);
  consumers.erase(it);
  return n;
}

bool StreamValue::Group::ack(StreamId id) {
  auto it = pel.find(id);
  if (it == pel.end()) return false;
  it->second.consumer->pel.erase(id);
  pel.erase(it);
  return true;
}

StreamValue::Group* StreamValue::find_group(std::string_view name) {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

const StreamValue::Group* StreamValue::find_group(std::string_view name) const {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

StreamValue::Group& StreamValue::create_group(std::string_view name, StreamId last_id, std::int64_t entries_read) {
  auto g = std::make_unique<Group>();
  g->last_id = last_id;
  g->entries_read = entries_read;
  return *groups_.emplace(std::string(name), std::move(g)).first->second;
}

bool StreamValue::destroy_group(std::string_view name) {
  auto it = groups_.find(name);
  if (it == groups_.end()) return false;
  groups_.erase(it);
  return true;
}

// ---------------------------------------------------------------------------
// Memory

std::size_t StreamValue::node_cost(const Node& node) {
  return tree_node_cost<std::pair<const StreamId, Node>>() + string_cost(node.data);
}

std::size_t StreamValue::heap_bytes() const {
  std::size_t n = util::malloc_cost(sizeof(StreamValue)) + nodes_bytes_;
  for (const auto& [name, g] : groups_) {
    n += tree_node_cost<std::pair<const std::string, std::unique_ptr<Group>>>() + string_cost(name) +
         util::malloc_cost(sizeof(Group)) + g->pel.size() * tree_node_cost<std::pair<const StreamId, Nack>>();
    for (const auto& [cname, c] : g->consumers) {
      n += tree_node_cost<std::pair<const std::string, Consumer>>() + string_cost(cname) + string_cost(c.name) +
           c.pel.size() * tree_node_cost<std::pair<const StreamId, Nack*>>();
    }
  }
  return n;
}

std::unique_ptr<ValueObject> StreamValue::clone() const {
  auto copy = std::make_unique<StreamValue>();
  copy->nodes_ = nodes_;
  for (auto& [id, node] : copy->nodes_) node.data.shrink_to_fit();
  copy->nodes_bytes_ = 0;
  for (const auto& [id, node] : copy->nodes_) copy->nodes_bytes_ += node_cost(node);
  copy->length_ = length_;
  copy->last_id_ = last_id_;
  copy->first_id_ = first_id_;
  copy->max_deleted_ = max_deleted_;
  copy->entries_added_ = entries_added_;
  for (const auto& [name, g] : groups_) {
    Group& to = copy->create_group(name, g->last_id, g->entries_read);
    for (const auto& [cname, c] : g->consumers) {
      Consumer& nc = to.consumer(cname, c.seen_time);
      for (const auto& [id, nack] : c.pel) {
        Nack& n = to.pel.emplace(id, Nack{nack->delivery_time, nack->delivery_count, &nc}).first->second;
        nc.pel.emplace(id, &n);
      }
    }
  }
  return copy;
}

// ---------------------------------------------------------------------------
// Entries

void StreamValue::master_fields(const Node& node, std::vector<std::string>& fields) {
  std::size_t pos = 0;
  fields.resize(get_u64(node.data, pos));
  for (std::string& f : fields) get_value(node.data, pos, f);
}

std::size_t StreamValue::decode(const Node& node, StreamId master, std::size_t pos, StreamId& id,
                                std::vector<std::string>& fv) {
  const std::string& d = node.data;
  const std::uint64_t flags = get_u64(d, pos);
  const std::uint64_t ms_delta = get_u64(d, pos);
  const std::uint64_t seq = get_u64(d, pos);
  id.ms = master.ms + ms_delta;
  id.seq = ms_delta == 0 ? master.seq + seq : seq;
  if (flags & kSameFields) {
    fv.resize(node.nfields * 2);
    std::size_t mpos = 0;
    get_u64(d, mpos);
    for (std::size_t i = 0; i < node.nfields; ++i) {
      get_value(d, mpos, fv[2 * i]);
      get_value(d, pos, fv[2 * i + 1]);
    }
    return pos;
  }
  const std::size_t n = get_u64(d, pos);
  fv.resize(n * 2);
  for (std::size_t i = 0; i < 2 * n; ++i) get_value(d, pos, fv[i]);
  return pos;
}

void StreamValue::append(StreamId id, std::span<const std::string_view> fv, StreamNodeLimits limits) {
  constexpr std::uint64_t kListpackMaxSize = std::uint64_t{1} << 30;  // Redis's STREAM_LISTPACK_MAX_SIZE
  if (limits.max_bytes == 0 || limits.max_bytes > kListpackMaxSize) limits.max_bytes = kListpackMaxSize;
  std::size_t totelelen = 0;
  for (std::string_view s : fv) totelelen += s.size();

  if (!nodes_.empty()) {
    auto tail = std::prev(nodes_.end());
    Node& t = tail->second;
    // The master entry's live and deleted counts grow a byte at 128.
    const std::size_t lp_bytes = t.lp_bytes + lp_int(t.live) + lp_int(t.deleted);
    if (lp_bytes + totelelen < limits.max_bytes &&
        (limits.max_entries == 0 || t.live + t.deleted < limits.max_entries)) {
      const std::size_t before = node_cost(t);
      put_entry(t, tail->first, id, fv);
      nodes_bytes_ += node_cost(t) - before;
      entry_added(id);
      return;
    }
    nodes_bytes_ -= node_cost(t);
    t.data.shrink_to_fit();
    nodes_bytes_ += node_cost(t);
  }
  std::vector<std::string_view> fields;
  for (std::size_t i = 0; i < fv.size(); i += 2) fields.push_back(fv[i]);
  Node& node = open_node(id, fields);
  put_entry(node, id, id, fv);
  nodes_bytes_ += node_cost(node);
  entry_added(id);
}

void StreamValue::append_node(StreamId master, std::span<const std::string_view> fields,
                              std::span<const LoadedEntry> entries, std::uint32_t deleted, std::uint32_t lp_bytes,
                              StreamId last, bool last_gone) {
  if (entries.empty()) return;
  Node& node = open_node(master, fields);
  for (const LoadedEntry& e : entries) {
    put_entry(node, master, e.id, e.fv);
    entry_added(e.id);
  }
  node.deleted = deleted;
  node.lp_bytes = lp_bytes;
  node.last = last;
  node.last_gone = last_gone;
  node.data.shrink_to_fit();
  nodes_bytes_ += node_cost(node);
}

StreamValue::Node& StreamValue::open_node(StreamId master, std::span<const std::string_view> fields) {
  Node& node = nodes_.emplace(master, Node{}).first->second;
  put_u64(node.data, fields.size());
  std::size_t lp = kLpEmpty + lp_int(static_cast<std::int64_t>(fields.size())) + lp_int(0);
  for (std::string_view f : fields) {
    put_value(node.data, f);
    lp += lp_str(f);
  }
  node.entries_at = static_cast<std::uint32_t>(node.data.size());
  node.nfields = static_cast<std::uint32_t>(fields.size());
  node.lp_bytes = static_cast<std::uint32_t>(lp);
  return node;
}

void StreamValue::put_entry(Node& node, StreamId master, StreamId id, std::span<const std::string_view> fv) {
  const std::size_t nfields = fv.size() / 2;
  bool same = nfields == node.nfields;
  if (same) {
    std::size_t mpos = 0;
    get_u64(node.data, mpos);
    std::string field;
    for (std::size_t i = 0; i < nfields && same; ++i) {
      get_value(node.data, mpos, field);
      same = field == fv[2 * i];
    }
  }
  const std::uint64_t ms_delta = id.ms - master.ms;
  put_u64(node.data, same ? kSameFields : 0);
  put_u64(node.data, ms_delta);
  put_u64(node.data, ms_delta == 0 ? id.seq - master.seq : id.seq);
  std::size_t lp = lp_int(same ? 2 : 0) + lp_int(static_cast<std::int64_t>(ms_delta)) +
                   lp_int(static_cast<std::int64_t>(id.seq - master.seq));
  auto lp_count = static_cast<std::int64_t>(nfields + 3);
  if (same) {
    for (std::size_t i = 0; i < nfields; ++i) {
      put_value(node.data, fv[2 * i + 1]);
      lp += lp_str(fv[2 * i + 1]);
    }
  } else {
    put_u64(node.data, nfields);
    lp += lp_int(static_cast<std::int64_t>(nfields));
    for (std::string_view s : fv) {
      put_value(node.data, s);
      lp += lp_str(s);
    }
    lp_count += static_cast<std::int64_t>(nfields) + 1;
  }
  lp += lp_int(lp_count);
  node.lp_bytes += static_cast<std::uint32_t>(lp);
  ++node.live;
  node.last = id;
  node.last_gone = false;
}

void StreamValue::entry_added(StreamId id) {
  if (length_ == 0) first_id_ = id;
  ++length_;
  ++entries_added_;
  last_id_ = id;
}

void StreamValue::cut(NodeMap::iterator it, std::size_t from, std::size_t to, std::uint32_t count) {
  Node& n = it->second;
  const std::size_t before = node_cost(n);
  n.data.erase(from, to - from);
  n.live -= count;
  n.deleted += count;
  nodes_bytes_ = nodes_bytes_ - before + node_cost(n);
  length_ -= count;
}

void StreamValue::drop_node(NodeMap::iterator it) {
  nodes_bytes_ -= node_cost(it->second);
  length_ -= it->second.live;
  nodes_.erase(it);
}

void StreamValue::update_first_id() {
  if (length_ == 0) {
    first_id_ = last_id_;
    return;
  }
  first_id_ = *edge_id(true);
}

bool StreamValue::erase(StreamId id) {
  auto it = nodes_.upper_bound(id);
  if (it == nodes_.begin()) return false;
  --it;
  Node& n = it->second;
  if (n.last < id) return false;
  std::vector<std::string> fv;
  StreamId cur;
  for (std::size_t pos = n.entries_at; pos < n.data.size();) {
    const std::size_t next = decode(n, it->first, pos, cur, fv);
    if (cur > id) return false;
    if (cur == id) {
      if (id == n.last) n.last_gone = true;
      cut(it, pos, next, 1);
      if (it->second.live == 0) {
        nodes_bytes_ -= node_cost(it->second);
        nodes_.erase(it);
      }
      if (id == first_id_) update_first_id();
      return true;
    }
    pos = next;
  }
  return false;
}

std::uint64_t StreamValue::trim_maxlen(std::uint64_t maxlen, bool approx, std::int64_t limit) {
  std::uint64_t deleted = 0;
  std::vector<std::string> fv;
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (length_ <= maxlen) break;
    const std::uint64_t entries = it->second.live;
    if (limit != 0 && deleted + entries > static_cast<std::uint64_t>(limit)) break;
    if (length_ - entries >= maxlen) {
      deleted += entries;
      drop_node(it++);
      continue;
    }
    if (approx) break;
    // Within the node: from its first entry while the stream is too long.
    Node& n = it->second;
    std::size_t pos = n.entries_at;
    std::uint32_t count = 0;
    StreamId cur;
    while (pos < n.data.size() && length_ - count > maxlen) {
      pos = decode(n, it->first, pos, cur, fv);
      ++count;
    }
    cut(it, n.entries_at, pos, count);
    deleted += count;
    break;
  }
  update_first_id();
  return deleted;
}

std::uint64_t StreamValue::trim_minid(StreamId minid, bool approx, std::int64_t limit) {
  std::uint64_t deleted = 0;
  std::vector<std::string> fv;
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    const std::uint64_t entries = it->second.live;
    if (limit != 0 && deleted + entries > static_cast<std::uint64_t>(limit)) break;
    if (it->second.last < minid) {
      deleted += entries;
      drop_node(it++);
      continue;
    }
    if (approx) break;
    Node& n = it->second;
    std::size_t pos = n.entries_at;
    std::uint32_t count = 0;
    StreamId cur;
    while (pos < n.data.size()) {
      const std::size_t next = decode(n, it->first, pos, cur, fv);
      if (cur >= minid) break;
      pos = next;
      ++count;
    }
    cut(it, n.entries_at, pos, count);  // Redis keeps a node emptied here
    deleted += count;
    break;
  }
  update_first_id();
  return deleted;
}

bool StreamValue::lookup(StreamId id, std::vector<std::string>& fv) const {
  bool found = false;
  range(id, id, false, [&](const EntryView& e) {
    fv.assign(e.fv.begin(), e.fv.end());
    found = true;
    return false;
  });
  return found;
}

std::optional<StreamId> StreamValue::edge_id(bool first) const {
  if (!first) {
    for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
      if (it->second.live == 0) continue;
      if (!it->second.last_gone) return it->second.last;
      break;
    }
  }
  std::optional<StreamId> out;
  range({}, StreamId::max(), !first, [&](const EntryView& e) {
    out = e.id;
    return false;
  });
  return out;
}

// ---------------------------------------------------------------------------
// Consumer group counters (Redis 7.0's t_stream.c)

bool StreamValue::has_tombstones_from(StreamId start) const {
  if (length_ == 0 || max_deleted_.zero()) return false;
  if (first_id_ > max_deleted_) return false;
  return start <= max_deleted_;
}

std::int64_t StreamValue::estimate_distance(StreamId id) const {
  if (entries_added_ == 0) return 0;
  if (length_ == 0 && id <= last_id_) return static_cast<std::int64_t>(entries_added_);
  if (id == last_id_) return static_cast<std::int64_t>(entries_added_);
  if (id > last_id_) return kInvalidEntriesRead;
  if (max_deleted_.zero() || max_deleted_ < first_id_) {
    if (id < first_id_) return static_cast<std::int64_t>(entries_added_ - length_);
    if (id == first_id_) return static_cast<std::int64_t>(entries_added_ - length_ + 1);
  }
  return kInvalidEntriesRead;
}

std::optional<std::int64_t> StreamValue::lag(const Group& g) const {
  if (entries_added_ == 0) return 0;
  if (g.entries_read != kInvalidEntriesRead && !has_tombstones_from(g.last_id)) {
    return static_cast<std::int64_t>(entries_added_) - g.entries_read;
  }
  const std::int64_t read = estimate_distance(g.last_id);
  if (read == kInvalidEntriesRead) return std::nullopt;
  return static_cast<std::int64_t>(entries_added_) - read;
}

}  // namespace larder::storage
