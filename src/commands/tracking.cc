#include "larder/commands/tracking.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "larder/commands/client_state.h"
#include "larder/commands/command_docs.h"
#include "larder/commands/command_table.h"
#include "larder/commands/key_specs.h"

namespace larder::commands {

namespace {

// The command being run on this thread (Tracking::Scope), and its reply
// stream while its invalidations may be written into it directly.
thread_local ClientState* tl_client = nullptr;
thread_local protocol::ReplyBuilder* tl_reply = nullptr;

constexpr std::string_view kInvalidatePush = ">2\r\n$10\r\ninvalidate\r\n";
constexpr std::string_view kInvalidateMessage = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n";

std::string key_array(std::string_view key) {
  std::string out;
  protocol::ReplyBuilder b(out);
  b.array(1);
  b.bulk(key);
  return out;
}

std::string_view null_for(const ClientState& c) {
  return c.resp.load(std::memory_order_relaxed) == 3 ? "_\r\n" : "$-1\r\n";
}

// Redis's stringCheckPrefix: one is a prefix of the other.
bool overlap(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  return std::memcmp(a.data(), b.data(), n) == 0;
}

// Redis builds these messages with %s: a prefix ends at its first NUL.
std::string c_text(std::string_view s) { return std::string(s.substr(0, s.find('\0'))); }

// EVAL_RO and friends are read-only, but their scripts' commands are what
// gets tracked (Redis's call()).
bool tracked_command(const CommandSpec& spec) {
  if (!(spec.flags & kReadOnly)) return false;
  return spec.name != "eval_ro" && spec.name != "evalsha_ro" && spec.name != "fcall_ro";
}

}  // namespace

Tracking::Scope::Scope(ClientState& client)
    : saved_client_(tl_client), saved_reply_(tl_reply) {
  tl_client = &client;
  tl_reply = nullptr;
}

Tracking::Scope::~Scope() {
  tl_client = saved_client_;
  tl_reply = saved_reply_;
}

bool Tracking::current_tracks() {
  if (tl_client == nullptr) return false;
  const std::uint32_t f = tl_client->tracking.flags.load(std::memory_order_relaxed);
  return (f & ClientTracking::kOn) && !(f & ClientTracking::kBcast);
}

void Tracking::enable(ClientState& client, std::uint64_t redirect, std::uint32_t options,
                      std::span<const std::string_view> prefixes) {
  std::uint32_t flags = client.tracking.flags.load(std::memory_order_relaxed);
  if (!(flags & ClientTracking::kOn)) clients_count_.fetch_add(1, std::memory_order_relaxed);
  flags |= ClientTracking::kOn;
  flags &= ~(ClientTracking::kBrokenRedirect | ClientTracking::kBcast | ClientTracking::kOptIn |
             ClientTracking::kOptOut | ClientTracking::kNoLoop);
  client.tracking.redirect.store(redirect, std::memory_order_relaxed);
  armed_.store(true, std::memory_order_relaxed);
  if (options & ClientTracking::kBcast) {
    flags |= ClientTracking::kBcast;
    if (prefixes.empty()) add_prefix(client, "");
    for (std::string_view p : prefixes) add_prefix(client, p);
  }
  flags |= options & (ClientTracking::kOptIn | ClientTracking::kOptOut | ClientTracking::kNoLoop);
  client.tracking.flags.store(flags, std::memory_order_relaxed);
}

void Tracking::add_prefix(ClientState& client, std::string_view prefix) {
  auto& mine = client.tracking.lists_for_write().prefixes;
  auto at = std::lower_bound(mine.begin(), mine.end(), prefix);
  if (at != mine.end() && *at == prefix) return;
  mine.emplace(at, prefix);
  std::lock_guard lock(bcast_mutex_);
  auto it = prefixes_.find(prefix);
  if (it == prefixes_.end()) it = prefixes_.emplace(std::string(prefix), Prefix{}).first;
  it->second.clients.push_back(client.shared_from_this());
  prefix_count_.store(prefixes_.size(), std::memory_order_relaxed);
}

void Tracking::disable(ClientState& client) {
  const std::uint32_t flags = client.tracking.flags.load(std::memory_order_relaxed);
  if (flags & ClientTracking::kBcast) {
    std::lock_guard lock(bcast_mutex_);
    for (const std::string& p : client.tracking.prefixes()) {
      auto it = prefixes_.find(p);
      if (it == prefixes_.end()) continue;
      std::erase_if(it->second.clients, [&](const auto& c) { return c.get() == &client; });
      if (it->second.clients.empty()) prefixes_.erase(it);
    }
    prefix_count_.store(prefixes_.size(), std::memory_order_relaxed);
  }
  if (client.tracking.lists != nullptr) client.tracking.lists->prefixes.clear();
  if (flags & ClientTracking::kOn) {
    clients_count_.fetch_sub(1, std::memory_order_relaxed);
    client.tracking.flags.store(0, std::memory_order_relaxed);
  }
}

std::string Tracking::prefix_collision(const ClientState& client, std::span<const std::string_view> prefixes,
                                       bool& fatal) const {
  fatal = true;
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    for (const std::string& have : client.tracking.prefixes()) {
      if (overlap(have, prefixes[i])) {
        return "ERR Prefix '" + c_text(prefixes[i]) + "' overlaps with an existing prefix '" + c_text(have) +
               "'. Prefixes for a single client must not overlap.";
      }
    }
    for (std::size_t j = i + 1; j < prefixes.size(); ++j) {
      if (overlap(prefixes[i], prefixes[j])) {
        fatal = i == 0;  // Redis 7.0 returns i, which only 0 makes a failure
        return "ERR Prefix '" + c_text(prefixes[i]) + "' overlaps with another provided prefix '" +
               c_text(prefixes[j]) + "'. Prefixes for a single client must not overlap.";
      }
    }
  }
  return {};
}

void Tracking::remember(const CommandSpec& ran, const CommandSpec& keys_of, std::span<const std::string_view> args) {
  ClientState& client = *tl_client;
  if (!tracked_command(ran)) return;
  const std::uint32_t f = client.tracking.flags.load(std::memory_order_relaxed);
  const bool caching = f & ClientTracking::kCaching;
  if (((f & ClientTracking::kOptIn) && !caching) || ((f & ClientTracking::kOptOut) && caching)) return;
  std::vector<int> positions;
  const auto& specs = keys_of.doc->key_specs;
  const bool valid = for_each_key(specs, args, [&](int i, const KeySpec&) { positions.push_back(i); });
  if (!valid) {
    // Redis falls back to the getkeys procedure: SORT's own parser (its
    // BY/GET spec is unknown), else the keynum keys.
    if (keys_of.name == "sort" || keys_of.name == "sort_ro") {
      positions.clear();
      for (const auto& key : sort_keys(args, keys_of.name == "sort_ro")) positions.push_back(key.first);
    } else {
      positions = keynum_fallback_keys(specs, args);
    }
  }
  for (int i : positions) {
    const std::string_view key = args[static_cast<std::size_t>(i)];
    remember_key(storage::Keyspace::shard_index(key), key, client);
  }
}

void Tracking::remember_key(std::size_t shard, std::string_view key, ClientState& client) {
  Table& table = tables_[shard];
  auto it = table.find(key);
  if (it == table.end()) {
    it = table.emplace(std::string(key), std::vector<Reader>{}).first;
    keys_.fetch_add(1, std::memory_order_relaxed);
  }
  for (const Reader& r : it->second) {
    if (r.id == client.id) return;
  }
  it->second.push_back({client.id, client.weak_from_this()});
  items_.fetch_add(1, std::memory_order_relaxed);
}

void Tracking::key_modified(std::size_t shard, std::string_view key) {
  if (prefix_count_.load(std::memory_order_relaxed) != 0) remember_broadcast(key);
  if (!tables_[shard].empty()) invalidate(shard, key);
}

void Tracking::invalidate(std::size_t shard, std::string_view key) {
  Table& table = tables_[shard];
  auto it = table.find(key);
  if (it == table.end()) return;
  const std::vector<Reader> readers = std::move(it->second);
  table.erase(it);
  keys_.fetch_sub(1, std::memory_order_relaxed);
  items_.fetch_sub(readers.size(), std::memory_order_relaxed);
  std::string payload;
  for (const Reader& r : readers) {
    const std::shared_ptr<ClientState> c = r.client.lock();
    if (c == nullptr) continue;
    const std::uint32_t f = c->tracking.flags.load(std::memory_order_relaxed);
    // A client that went to BCAST since it read the key gets none of these.
    if (!(f & ClientTracking::kOn) || (f & ClientTracking::kBcast)) continue;
    if (c.get() == tl_client) {
      if (f & ClientTracking::kNoLoop) continue;
      if (tl_reply == nullptr) {  // its command is running: after its reply
        c->tracking.lists_for_write().pending.emplace_back(std::string(key));
        continue;
      }
    }
    if (payload.empty()) payload = key_array(key);
    send(*c, payload);
  }
}

void Tracking::remember_broadcast(std::string_view key) {
  const std::uint64_t origin = tl_client != nullptr ? tl_client->id : 0;
  bool post = false;
  {
    std::lock_guard lock(bcast_mutex_);
    for (auto& [prefix, state] : prefixes_) {
      if (key.substr(0, prefix.size()) != prefix) continue;
      state.keys.insert_or_assign(std::string(key), origin);
      post = !std::exchange(broadcast_posted_, true) || post;
    }
  }
  if (post) pubsub_.post(tl_client != nullptr ? tl_client->loop : 0, [this] { broadcast(); });
}

void Tracking::broadcast() {
  struct Message {
    std::shared_ptr<ClientState> to;
    std::shared_ptr<const std::string> payload;
  };
  std::vector<Message> out;
  // Redis's trackingBuildBroadcastReply: the keys, less those `skip` changed.
  auto build = [](const std::map<std::string, std::uint64_t, std::less<>>& keys, std::uint64_t skip) {
    std::size_t n = 0;
    for (const auto& [k, origin] : keys) n += skip == 0 || origin != skip;
    std::string s;
    if (n == 0) return s;
    protocol::ReplyBuilder b(s);
    b.array(n);
    for (const auto& [k, origin] : keys) {
      if (skip == 0 || origin != skip) b.bulk(k);
    }
    return s;
  };
  {
    std::lock_guard lock(bcast_mutex_);
    broadcast_posted_ = false;
    for (auto& [prefix, state] : prefixes_) {
      if (state.keys.empty()) continue;
      auto all = std::make_shared<const std::string>(build(state.keys, 0));
      for (const auto& c : state.clients) {
        if (c->tracking.has(ClientTracking::kNoLoop)) {
          std::string own = build(state.keys, c->id);
          if (!own.empty()) out.push_back({c, std::make_shared<const std::string>(std::move(own))});
        } else {
          out.push_back({c, all});
        }
      }
      state.keys.clear();
    }
  }
  for (const Message& m : out) send(*m.to, *m.payload);
}

void Tracking::flushed() {
  if (clients_count_.load(std::memory_order_relaxed) != 0) {
    for (const auto& c : clients_.snapshot()) {
      if (!c->tracking.on()) continue;
      if (c.get() == tl_client) {
        c->tracking.lists_for_write().pending.emplace_back(std::nullopt);
      } else {
        send(*c, null_for(*c));
      }
    }
  }
  for (Table& t : tables_) t.clear();
  keys_.store(0, std::memory_order_relaxed);
  items_.store(0, std::memory_order_relaxed);
}

void Tracking::send(ClientState& client, std::string_view payload) {
  std::shared_ptr<ClientState> target;
  const std::uint64_t redirect = client.tracking.redirect.load(std::memory_order_relaxed);
  if (redirect != 0) {
    target = clients_.find(redirect);
    if (target == nullptr) {
      client.tracking.flags.fetch_or(ClientTracking::kBrokenRedirect, std::memory_order_relaxed);
      if (client.resp.load(std::memory_order_relaxed) == 3) {
        deliver(client, ">2\r\n$21\r\ntracking-redir-broken\r\n:" + std::to_string(redirect) + "\r\n");
      }
      return;
    }
  }
  ClientState& to = target != nullptr ? *target : client;
  std::string bytes;
  if (to.resp.load(std::memory_order_relaxed) == 3) {
    bytes.append(kInvalidatePush);
  } else if (target != nullptr && to.in_pubsub_mode()) {
    bytes.append(kInvalidateMessage);
  } else {
    return;  // RESP2 without a redirect: nowhere to send it
  }
  bytes.append(payload);
  deliver(to, std::move(bytes));
}

void Tracking::deliver(ClientState& to, std::string bytes) {
  if (&to == tl_client && tl_reply != nullptr) {
    tl_reply->raw(bytes);  // between commands of its own: in order with its replies
    return;
  }
  pubsub_.deliver(to.shared_from_this(), std::make_shared<const PushMessage>(PushMessage{std::move(bytes), false}));
}

void Tracking::command_done(ClientState& client, protocol::ReplyBuilder& reply, bool keep_caching) {
  if (!keep_caching && client.tracking.has(ClientTracking::kCaching)) {
    client.tracking.flags.fetch_and(~ClientTracking::kCaching, std::memory_order_relaxed);
  }
  if (client.tracking.lists == nullptr || client.tracking.lists->pending.empty()) return;
  std::vector<std::optional<std::string>> pending;
  pending.swap(client.tracking.lists->pending);
  protocol::ReplyBuilder* saved = std::exchange(tl_reply, &reply);
  for (const auto& key : pending) send(client, key ? std::string_view(key_array(*key)) : null_for(client));
  tl_reply = saved;
}

void Tracking::limit(storage::Keyspace& keyspace, std::uint64_t max_keys, protocol::ReplyBuilder* reply) {
  if (max_keys == 0 || keys() <= max_keys) return;
  std::lock_guard guard(limit_mutex_);
  // Before the command runs: its client's own invalidations go out at once.
  protocol::ReplyBuilder* saved = std::exchange(tl_reply, reply);
  struct Restore {
    protocol::ReplyBuilder* saved;
    ~Restore() { tl_reply = saved; }
  } restore{saved};
  if (keys() <= max_keys) {
    limit_effort_rounds_ = 0;
    return;
  }
  // Redis walks to a random key and invalidates it, up to 100 keys a
  // command more for each command that found the table still over.
  int effort = 100 * static_cast<int>(limit_effort_rounds_ + 1);
  std::size_t shard = static_cast<std::size_t>(std::rand()) % storage::kShardCount;
  for (std::size_t scanned = 0; effort > 0 && scanned < storage::kShardCount;) {
    const auto lock = keyspace.lock_shard(keyspace.shard(shard));
    Table& table = tables_[shard];
    if (table.empty()) {
      shard = (shard + 1) % storage::kShardCount;
      ++scanned;
      continue;
    }
    scanned = 0;
    --effort;
    const std::string key = table.begin()->first;
    invalidate(shard, key);
    if (keys() <= max_keys) {
      limit_effort_rounds_ = 0;
      return;
    }
    shard = (shard + 1) % storage::kShardCount;
  }
  ++limit_effort_rounds_;
}

}  // namespace larder::commands
