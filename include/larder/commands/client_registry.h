#pragma once
// Every connected client, for CLIENT LIST / KILL / INFO and INFO clients.
// Thread-safe: connections on any loop register and unregister themselves.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "larder/commands/client_state.h"

namespace larder::commands {

class ClientRegistry {
 public:
  std::uint64_t next_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

  void add(std::shared_ptr<ClientState> client) {
    std::lock_guard lock(mutex_);
    clients_[client->id] = std::move(client);
  }
  void remove(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    clients_.erase(id);
  }
  // The client with `id`, or null.
  std::shared_ptr<ClientState> find(std::uint64_t id) const {
    std::lock_guard lock(mutex_);
    auto it = clients_.find(id);
    return it == clients_.end() ? nullptr : it->second;
  }
  // All clients, ordered by id.
  std::vector<std::shared_ptr<ClientState>> snapshot() const {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<ClientState>> out;
    out.reserve(clients_.size());
    for (const auto& [id, c] : clients_) out.push_back(c);
    return out;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return clients_.size();
  }

 private:
  std::atomic<std::uint64_t> next_id_{1};
  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::shared_ptr<ClientState>> clients_;
};

// One CLIENT LIST line (without the trailing newline), in Redis 7's field
// order; also ACL LOG's client-info.
std::string client_info_line(const ClientState& c, std::int64_t now_ms);

}  // namespace larder::commands
