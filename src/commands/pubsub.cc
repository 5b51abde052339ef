#include "larder/commands/pubsub.h"

#include <algorithm>
#include <utility>

#include "larder/commands/client_state.h"
#include "larder/util/glob.h"

namespace larder::commands {

namespace {

// Deliveries a mailbox may hold before publishers are held back.
constexpr std::size_t kMailboxHighWater = 64 * 1024;

void append_bulk(std::string& out, std::string_view s) {
  out += '$';
  out += std::to_string(s.size());
  out += "\r\n";
  out.append(s);
  out += "\r\n";
}

}  // namespace

std::string encode_message(std::string_view kind, std::string_view channel, std::string_view payload) {
  std::string out;
  out.reserve(32 + kind.size() + channel.size() + payload.size());
  out += "*3\r\n";
  append_bulk(out, kind);
  append_bulk(out, channel);
  append_bulk(out, payload);
  return out;
}

std::string encode_pmessage(std::string_view pattern, std::string_view channel, std::string_view payload) {
  std::string out;
  out.reserve(48 + pattern.size() + channel.size() + payload.size());
  out += "*4\r\n";
  append_bulk(out, "pmessage");
  append_bulk(out, pattern);
  append_bulk(out, channel);
  append_bulk(out, payload);
  return out;
}

// One event loop's queue of deliveries. `queue` and `drain_posted` are
// guarded by `mutex`; the rest belongs to the loop's thread.
struct PubSub::Mailbox {
  struct Delivery {
    std::shared_ptr<const PushMessage> message;
    std::shared_ptr<const Group> to;
  };
  std::mutex mutex;
  std::vector<Delivery> queue;
  bool drain_posted = false;
  std::atomic<std::size_t> queued{0};  // queue.size(), for congested()
  // Clients that were pushed to and wait for their flush.
  std::vector<std::shared_ptr<ClientState>> touched;
  bool flush_posted = false;
};

PubSub::PubSub() = default;
PubSub::~PubSub() = default;

void PubSub::attach_loops(int count, LoopPost post) {
  mailboxes_.clear();
  for (int i = 0; i < count; ++i) mailboxes_.push_back(std::make_unique<Mailbox>());
  post_ = std::move(post);
}

void PubSub::add(Receivers& r, ClientState& client) {
  const auto loop = static_cast<std::size_t>(client.loop);
  if (r.by_loop.size() <= loop) r.by_loop.resize(loop + 1);
  auto group = r.by_loop[loop] ? std::make_shared<Group>(*r.by_loop[loop]) : std::make_shared<Group>();
  group->push_back(client.shared_from_this());
  r.by_loop[loop] = std::move(group);
  ++r.count;
}

void PubSub::remove(Receivers& r, const ClientState& client) {
  const auto loop = static_cast<std::size_t>(client.loop);
  if (loop >= r.by_loop.size() || !r.by_loop[loop]) return;
  auto group = std::make_shared<Group>();
  group->reserve(r.by_loop[loop]->size());
  for (const auto& c : *r.by_loop[loop]) {
    if (c.get() != &client) group->push_back(c);
  }
  r.count -= r.by_loop[loop]->size() - group->size();
  r.by_loop[loop] = group->empty() ? nullptr : std::move(group);
}

bool PubSub::subscribe(ClientState& client, SubKind kind, std::string_view name) {
  {
    std::lock_guard client_lock(client.mutex);
    if (client.subs == nullptr) client.subs = std::make_unique<Subscriptions>();
    Subscriptions& s = *client.subs;
    switch (kind) {
      case SubKind::kChannel:
        if (!s.channels.emplace(name).second) return false;
        client.sub_channels.store(s.channels.size(), std::memory_order_relaxed);
        break;
      case SubKind::kPattern:
        if (std::find(s.patterns.begin(), s.patterns.end(), name) != s.patterns.end()) return false;
        s.patterns.emplace_back(name);
        client.sub_patterns.store(s.patterns.size(), std::memory_order_relaxed);
        break;
      case SubKind::kShardChannel:
        if (!s.shard_channels.emplace(name).second) return false;
        client.sub_shard_channels.store(s.shard_channels.size(), std::memory_order_relaxed);
        break;
    }
  }
  std::unique_lock lock(mutex_);
  Table& t = table(kind);
  auto it = t.find(name);
  if (it == t.end()) it = t.emplace(std::string(name), Receivers{}).first;
  add(it->second, client);
  return true;
}

bool PubSub::unsubscribe(ClientState& client, SubKind kind, std::string_view name) {
  if (client.subs == nullptr) return false;
  {
    std::lock_guard client_lock(client.mutex);
    Subscriptions& s = *client.subs;
    switch (kind) {
      case SubKind::kChannel: {
        auto it = s.channels.find(std::string(name));
        if (it == s.channels.end()) return false;
        s.channels.erase(it);
        client.sub_channels.store(s.channels.size(), std::memory_order_relaxed);
        break;
      }
      case SubKind::kPattern: {
        auto it = std::find(s.patterns.begin(), s.patterns.end(), name);
        if (it == s.patterns.end()) return false;
        s.patterns.erase(it);
        client.sub_patterns.store(s.patterns.size(), std::memory_order_relaxed);
        break;
      }
      case SubKind::kShardChannel: {
        auto it = s.shard_channels.find(std::string(name));
        if (it == s.shard_channels.end()) return false;
        s.shard_channels.erase(it);
        client.sub_shard_channels.store(s.shard_channels.size(), std::memory_order_relaxed);
        break;
      }
    }
  }
  std::unique_lock lock(mutex_);
  Table& t = table(kind);
  auto it = t.find(name);
  if (it == t.end()) return true;
  remove(it->second, client);
  if (it->second.count == 0) t.erase(it);
  return true;
}

void PubSub::forget(ClientState& client, bool monitor_too) {
  std::unique_ptr<Subscriptions> owned;
  {
    std::lock_guard client_lock(client.mutex);
    owned = std::move(client.subs);
  }
  const Subscriptions subs = owned != nullptr ? std::move(*owned) : Subscriptions{};
  client.sub_channels.store(0, std::memory_order_relaxed);
  client.sub_patterns.store(0, std::memory_order_relaxed);
  client.sub_shard_channels.store(0, std::memory_order_relaxed);
  const bool monitor = monitor_too && client.monitor.exchange(false, std::memory_order_relaxed);
  if (subs.channels.empty() && subs.patterns.empty() && subs.shard_channels.empty() && !monitor) return;
  std::unique_lock lock(mutex_);
  auto drop = [&](Table& t, const std::string& name) {
    auto it = t.find(name);
    if (it == t.end()) return;
    remove(it->second, client);
    if (it->second.count == 0) t.erase(it);
  };
  for (const auto& name : subs.channels) drop(channels_, name);
  for (const auto& name : subs.patterns) drop(patterns_, name);
  for (const auto& name : subs.shard_channels) drop(shard_channels_, name);
  if (monitor) {
    remove(monitor_receivers_, client);
    monitors_.store(monitor_receivers_.count, std::memory_order_relaxed);
  }
}

void PubSub::send(const Receivers& r, const std::shared_ptr<const PushMessage>& message) {
  const std::size_t loops = std::min(r.by_loop.size(), mailboxes_.size());
  for (std::size_t loop = 0; loop < loops; ++loop) {
    if (r.by_loop[loop]) enqueue(loop, message, r.by_loop[loop]);
  }
}

void PubSub::enqueue(std::size_t loop, const std::shared_ptr<const PushMessage>& message,
                     std::shared_ptr<const Group> to) {
  Mailbox& m = *mailboxes_[loop];
  bool post = false;
  {
    std::lock_guard lock(m.mutex);
    m.queue.push_back({message, std::move(to)});
    m.queued.store(m.queue.size(), std::memory_order_relaxed);
    post = !std::exchange(m.drain_posted, true);
  }
  if (post) post_(static_cast<int>(loop), [this, loop] { drain(static_cast<int>(loop)); });
}

void PubSub::deliver(const std::shared_ptr<ClientState>& client, std::shared_ptr<const PushMessage> message) {
  const auto loop = static_cast<std::size_t>(client->loop);
  if (loop >= mailboxes_.size()) return;
  enqueue(loop, message, std::make_shared<const Group>(1, client));
}

std::size_t PubSub::publish(std::string_view channel, std::string_view message) {
  std::size_t receivers = 0;
  std::shared_lock lock(mutex_);
  if (auto it = channels_.find(channel); it != channels_.end()) {
    send(it->second, std::make_shared<const PushMessage>(PushMessage{encode_message("message", channel, message)}));
    receivers += it->second.count;
  }
  for (const auto& [pattern, r] : patterns_) {
    if (!util::glob_match(pattern, channel)) continue;
    send(r, std::make_shared<const PushMessage>(PushMessage{encode_pmessage(pattern, channel, message)}));
    receivers += r.count;
  }
  return receivers;
}

std::size_t PubSub::publish_shard(std::string_view channel, std::string_view message) {
  std::shared_lock lock(mutex_);
  auto it = shard_channels_.find(channel);
  if (it == shard_channels_.end()) return 0;
  send(it->second, std::make_shared<const PushMessage>(PushMessage{encode_message("smessage", channel, message)}));
  return it->second.count;
}

void PubSub::add_monitor(ClientState& client) {
  if (client.monitor.exchange(true, std::memory_order_relaxed)) return;
  std::unique_lock lock(mutex_);
  add(monitor_receivers_, client);
  monitors_.store(monitor_receivers_.count, std::memory_order_relaxed);
}

void PubSub::feed_monitors(std::string line) {
  auto message = std::make_shared<const PushMessage>(PushMessage{std::move(line), false});
  std::shared_lock lock(mutex_);
  send(monitor_receivers_, message);
}

std::vector<std::string> PubSub::channels(SubKind kind, std::optional<std::string_view> pattern) const {
  std::vector<std::string> out;
  std::shared_lock lock(mutex_);
  for (const auto& [name, r] : table(kind)) {
    if (!pattern || util::glob_match(*pattern, name)) out.push_back(name);
  }
  return out;
}

std::size_t PubSub::subscribers(SubKind kind, std::string_view channel) const {
  std::shared_lock lock(mutex_);
  const Table& t = table(kind);
  auto it = t.find(channel);
  return it == t.end() ? 0 : it->second.count;
}

std::size_t PubSub::count(SubKind kind) const {
  std::shared_lock lock(mutex_);
  return table(kind).size();
}

bool PubSub::congested() const {
  for (const auto& m : mailboxes_) {
    if (m->queued.load(std::memory_order_relaxed) > kMailboxHighWater) return true;
  }
  return false;
}

void PubSub::drain(int loop, bool flush_now) {
  if (loop < 0 || static_cast<std::size_t>(loop) >= mailboxes_.size()) return;
  Mailbox& m = *mailboxes_[static_cast<std::size_t>(loop)];
  std::vector<Mailbox::Delivery> batch;
  {
    std::lock_guard lock(m.mutex);
    batch.swap(m.queue);
    m.queued.store(0, std::memory_order_relaxed);
    m.drain_posted = false;
  }
  for (const auto& d : batch) {
    for (const auto& c : *d.to) {
      if (c->push_sink == nullptr) continue;
      c->push_sink->push(*d.message);
      if (!c->push_touched) {
        c->push_touched = true;
        m.touched.push_back(c);
      }
    }
  }
  auto flush = [&m] {
    std::vector<std::shared_ptr<ClientState>> touched;
    touched.swap(m.touched);
    for (const auto& c : touched) {
      c->push_touched = false;
      if (c->push_sink != nullptr) c->push_sink->flush();
    }
  };
  if (flush_now) {
    flush();
  } else if (!m.touched.empty() && !std::exchange(m.flush_posted, true)) {
    post_(loop, [&m, flush] {
      m.flush_posted = false;
      flush();
    });
  }
}

}  // namespace larder::commands
