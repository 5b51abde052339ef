#include "larder/commands/random_draws.h"

namespace larder::commands {

bool RandomDraws::step(protocol::ReplyBuilder& reply, std::chrono::steady_clock::time_point deadline) {
  // The clock is read every kBatch draws.
  constexpr int kBatch = 64;
  while (left_ > 0) {
    for (int i = 0; i < kBatch && left_ > 0; ++i, --left_) {
      const std::size_t k = rng_() % ends_.size();
      const std::size_t begin = k == 0 ? 0 : ends_[k - 1];
      reply.raw(std::string_view(rendered_).substr(begin, ends_[k] - begin));
    }
    if (left_ > 0 && std::chrono::steady_clock::now() >= deadline) return false;
  }
  return true;
}

}  // namespace larder::commands
