#pragma once
// SLOWLOG: the most recent commands slower than slowlog-log-slower-than.
// Thread-safe; record() is called only for slow commands.

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace larder::commands {

struct SlowlogEntry {
  std::uint64_t id;
  std::int64_t time_s;
  std::int64_t duration_us;
  std::vector<std::string> args;  // at most 32, each at most 128 bytes, as Redis
  std::string client_addr;
  std::string client_name;
};

class Slowlog {
 public:
  void record(SlowlogEntry entry, std::size_t max_len);
  std::vector<SlowlogEntry> latest(std::size_t count) const;
  std::size_t size() const;
  void reset();

 private:
  mutable std::mutex mutex_;
  std::deque<SlowlogEntry> entries_;  // newest first
  std::uint64_t next_id_ = 0;
};

}  // namespace larder::commands
