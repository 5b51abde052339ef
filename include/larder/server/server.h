#pragma once
// The server: listening sockets, one event loop per thread, the background
// expiry timer and signal handling. run() returns the process exit code.

#include <asio.hpp>
#include <future>
#include <memory>
#include <vector>

#include "larder/config/options.h"
#include "larder/server/event_loop.h"
#include "larder/server/server_context.h"
#include "larder/storage/expiry_sweeper.h"

namespace larder::server {

class Server {
 public:
  Server(const config::Settings& settings, const config::Options& options);
  ~Server();

  int run();

 private:
  bool listen();
  void accept(std::size_t listener);  // index into acceptors_
  void schedule_sweep(std::chrono::steady_clock::duration delay);
  // One slice of active expiry and background eviction; schedules the next.
  void sweep_slice();
  // Asks for freed memory to be returned to the OS after large deletions.
  void release_freed_memory();
  // Saves first when `save`, stops accepting, lets connections flush, and
  // wakes run(); loop 0's thread.
  void begin_shutdown(const char* reason, bool save);
  // Persistence::cron every kPersistenceCron, on loop 0.
  void schedule_persistence_cron();

  ServerContext context_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  std::size_t next_loop_ = 0;
  // After a failed accept (EMFILE...), acceptors_[i]'s next one waits on
  // accept_retry_timers_[i]; failures are logged at most once a second.
  std::vector<std::unique_ptr<asio::steady_timer>> accept_retry_timers_;
  std::chrono::steady_clock::time_point accept_warned_at_{};
  std::uint64_t accept_failures_unlogged_ = 0;
  storage::ExpirySweeper sweeper_;
  asio::steady_timer sweep_timer_;
  asio::steady_timer persistence_timer_;
  // SIGINT/SIGTERM are taken by the main thread, which waits for the loops:
  // it stops a script running on any loop at once, even when every loop is
  // busy, and has loop 0 shut down.
  asio::io_context signal_io_;
  asio::signal_set signals_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  int sweep_slices_ = 0;             // slices run in the current sweep cycle
  std::size_t held_high_water_ = 0;  // keyspace bytes since the last release
  std::promise<void> stopped_;
  bool stopping_ = false;
};

}  // namespace larder::server
