#pragma once
// A command that finishes after its handler returned. Its handler hands the
// rest of the work to a Continuation (CommandContext::defer); the client's
// connection then runs it in short steps on its event loop, other clients'
// commands running in between, and runs no further command of that client
// until it is done (Dispatcher::resume).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace larder::protocol {
class ReplyBuilder;
}

namespace larder::commands {

struct CommandSpec;

// How long one step should work before it lets the loop run other clients.
inline constexpr std::chrono::microseconds kStepBudget{10};

class Continuation {
 public:
  virtual ~Continuation() = default;
  // Works until done or about `deadline`; true once done. Appends the rest
  // of the command's reply to `reply` in order, possibly over several steps.
  // Runs with no shard lock held and takes the ones it needs itself.
  virtual bool step(protocol::ReplyBuilder& reply, std::chrono::steady_clock::time_point deadline) = 0;
  // Bytes of reply it has made and not yet appended: part of the client's
  // pending output (omem, client-output-buffer-limit, maxmemory-clients), as
  // Redis's reply list.
  virtual std::size_t held_bytes() const { return 0; }
};

// A deferred command with what the dispatcher needs to finish it as it
// finishes any call: statistics, the slow log and the CLIENT REPLY mode.
struct DeferredCommand {
  std::unique_ptr<Continuation> continuation;
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;  // copies, for the slow log
  std::int64_t now_ms = 0;        // the command's time reading
  bool reply_dropped = false;     // CLIENT REPLY OFF or SKIP applied to it
  bool failed = false;            // an error reply was written
  std::int64_t usec = 0;          // spent in its handler and steps so far
};

}  // namespace larder::commands
