#include "larder/commands/client_eviction.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "larder/util/clock.h"

namespace larder::commands {

std::uint64_t ClientEviction::total() const {
  std::uint64_t sum = 0;
  for (const ServerStats* s : loops_) sum += s->client_memory.get();  // wrapping deltas add up
  return sum;
}

void ClientEviction::check(std::uint64_t limit) {
  if (limit == 0 || total() < limit) return;
  evict(limit);
}

// The gauges still count clients asked to close and not yet gone, so the
// pass recounts from the registry, leaving those out.
void ClientEviction::evict(std::uint64_t limit) {
  std::unique_lock lock(pass_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // another loop is at it
  const std::int64_t now = util::steady_ms();
  if (now == last_pass_ms_) return;
  last_pass_ms_ = now;
  std::uint64_t held = 0;
  std::vector<std::pair<std::size_t, std::shared_ptr<ClientState>>> candidates;
  for (auto& c : clients_.snapshot()) {
    if (c->evicted.load(std::memory_order_relaxed)) continue;
    const std::size_t bytes = c->memory.load(std::memory_order_relaxed);
    held += bytes;
    if (bytes > 0 && !c->no_evict.load(std::memory_order_relaxed)) {
      candidates.emplace_back(bytes, std::move(c));
    }
  }
  if (held < limit) return;
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  const std::int64_t now_ms = util::unix_time_ms();
  for (auto& [bytes, c] : candidates) {
    if (held < limit) break;
    if (c->evicted.exchange(true, std::memory_order_relaxed)) continue;
    spdlog::info("Evicting client: {}", client_info_line(*c, now_ms));
    c->request_close();
    held -= bytes;
    evicted_.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace larder::commands
