#pragma once
// SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with a negative count over
// kDeferredDraws: draws with repetition from a copy of the value's elements,
// each rendered as RESP once, as a Continuation. The handler writes the
// reply's array header and defers; the draws follow in steps, each taken only
// once the connection has written the last one, so a count such as -2^62
// streams for as long as the client reads instead of building a reply that
// cannot fit in memory (Redis 7.0 builds it whole, and dies). The copy is its
// own, so the steps hold no shard lock and later changes to the key do not
// show. Inside EXEC or a script (no defer) the handlers draw at once, as Redis.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "larder/commands/continuation.h"
#include "larder/protocol/reply_builder.h"

namespace larder::commands {

class RandomDraws final : public Continuation {
 public:
  // Counts above this are deferred when the handler may defer.
  static constexpr std::uint64_t kDeferredDraws = 1024;

  explicit RandomDraws(std::uint64_t count, int protocol) : left_(count), writer_(rendered_) {
    writer_.set_protocol(protocol);
  }
  RandomDraws(const RandomDraws&) = delete;
  RandomDraws& operator=(const RandomDraws&) = delete;
  // Renders the next element (one reply element, or a RESP3 pair) with
  // writer(), then end_element().
  protocol::ReplyBuilder& writer() { return writer_; }
  void end_element() { ends_.push_back(rendered_.size()); }

  bool step(protocol::ReplyBuilder& reply, std::chrono::steady_clock::time_point deadline) override;

 private:
  std::uint64_t left_;
  std::string rendered_;
  std::vector<std::size_t> ends_;  // where each element of rendered_ ends
  protocol::ReplyBuilder writer_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace larder::commands
