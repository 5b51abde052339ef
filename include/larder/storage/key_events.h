#pragma once
// What storage tells the layer above about keys it creates or drops by itself
// (keyspace notifications): the one narrow hook from storage upwards. It is
// separate from WATCH (Shard::touch), which tracks modified keys.

#include <atomic>
#include <string_view>

namespace larder::storage {

enum class KeyEvent : unsigned {
  kNew = 1u << 0,      // a key was created (Redis's dbAdd)
  kExpired = 1u << 1,  // a lookup, a walk or the sweeper removed an expired key
  kEvicted = 1u << 2,  // maxmemory eviction removed a key
  kMiss = 1u << 3,     // a read lookup did not find the key (keymiss)
  kEmptied = 1u << 4,  // a write left a collection empty and deleted it (del)
};

// Receives the events; called with the key's shard lock held, on the thread
// that holds it (an event loop or the expiry sweeper), so it must not take a
// shard lock. Set once before serving.
class KeyEventSink {
 public:
  virtual ~KeyEventSink() = default;
  virtual void key_event(KeyEvent event, int db, std::string_view key) = 0;
};

// The sink and the events it wants, checked with one relaxed load.
class KeyEvents {
 public:
  void set_sink(KeyEventSink* sink) { sink_ = sink; }
  // The KeyEvent bits wanted; any thread.
  void want(unsigned mask) { wanted_.store(mask, std::memory_order_relaxed); }

  void emit(KeyEvent event, int db, std::string_view key) const {
    if ((wanted_.load(std::memory_order_relaxed) & static_cast<unsigned>(event)) != 0 && sink_ != nullptr) {
      sink_->key_event(event, db, key);
    }
  }

 private:
  std::atomic<unsigned> wanted_{0};
  KeyEventSink* sink_ = nullptr;
};

}  // namespace larder::storage
