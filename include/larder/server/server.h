#pragma once
// The server: listening sockets, one event loop per thread, the background
// expiry timer and signal handling. run() returns the process exit code.

#include <asio.hpp>
#include <asio/ssl/context.hpp>
#include <mutex>
#include <future>
#include <memory>
#include <vector>

#include "larder/config/options.h"
#include "larder/server/event_loop.h"
#include "larder/server/server_context.h"
#include "larder/server/supervision.h"
#include "larder/storage/active_rehasher.h"
#include "larder/storage/defragmenter.h"
#include "larder/storage/expiry_sweeper.h"

namespace larder::server {

class Server {
 public:
  Server(const config::Settings& settings, const config::Options& options, Supervision supervision);
  ~Server();

  int run();

 private:
  // A listening socket on one bind address: the plain port or tls-port.
  struct Listener {
    asio::ip::tcp::acceptor acceptor;
    asio::steady_timer retry;  // after a failed accept (EMFILE...)
    bool tls;
  };
  // The unixsocket listener, when one is set: its path, permissions
  // (unixsocketperm) and accept retries as a TCP listener's.
  struct UnixListener {
    asio::local::stream_protocol::acceptor acceptor;
    asio::steady_timer retry;
    std::string path;
  };
  bool listen();
  // Binds `unixsocket` (a stale file there is removed first, as Redis does);
  // false (logged) when it cannot.
  bool open_unix_listener(const std::string& path);
  void accept_unix();
  // After a failed accept: logs (at most once a kAcceptWarnEvery) and calls
  // `again` after kAcceptRetry unless the server is stopping.
  template <class Acceptor, class Again>
  void retry_accept(const asio::error_code& ec, asio::steady_timer& retry, const Acceptor& acceptor, Again again);
  // Listeners for `port` on every bind address; false (logged) when a
  // required address cannot be had.
  bool open_listeners(int port, bool tls, std::vector<std::shared_ptr<Listener>>& out);
  void accept(std::shared_ptr<Listener> listener);
  // CONFIG SET of tls-*: builds the new context (and listeners, for a new
  // tls-port) before the settings take effect; throws ConfigError to refuse.
  void apply_tls_settings(const config::Settings& settings, const std::vector<std::string>& changed);
  std::shared_ptr<asio::ssl::context> tls_context() const;
  void schedule_sweep(std::chrono::steady_clock::duration delay);
  // One slice of active expiry and background eviction; schedules the next.
  void sweep_slice();
  void schedule_rehash(std::chrono::steady_clock::duration delay);
  // One slice of active rehashing (activerehashing); schedules the next.
  void rehash_slice();
  // Puts big blocks in release-on-free mode while the keyspace shrinks, and
  // asks for freed memory to be returned to the OS once a large shrink has
  // stopped (cron).
  void release_freed_memory();
  // Saves first when `save`, stops accepting, lets connections flush, and
  // wakes run(); loop 0's thread. False, still serving, when the save failed
  // and `force` is not set.
  bool begin_shutdown(const char* reason, bool save, bool force);
  // Waits for SIGINT / SIGTERM (on signal_io_), then shuts down as
  // shutdown-on-sigint / shutdown-on-sigterm say.
  void arm_signals();
  // What shutdown-on-sigint / shutdown-on-sigterm ask of this signal now.
  struct SignalPolicy {
    bool save;
    bool force;
  };
  SignalPolicy signal_policy(int signal_number) const;
  void on_exit_signal(int signal_number);
  // Every kCronPeriod on loop 0: Persistence::cron, and a sample of INFO's
  // instantaneous rates.
  void schedule_cron();

  ServerContext context_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  // Touched only on loop 0 once serving. Failed accepts are logged at most
  // once a second.
  std::vector<std::shared_ptr<Listener>> listeners_;
  std::shared_ptr<UnixListener> unix_listener_;
  std::size_t next_loop_ = 0;
  std::chrono::steady_clock::time_point accept_warned_at_{};
  std::uint64_t accept_failures_unlogged_ = 0;
  storage::ExpirySweeper sweeper_;
  storage::Defragmenter defragmenter_;
  storage::ActiveRehasher rehasher_;
  asio::steady_timer sweep_timer_;
  asio::steady_timer rehash_timer_;
  asio::steady_timer cron_timer_;
  // A signal's saving shutdown, held back while a script runs.
  asio::steady_timer exit_retry_timer_;
  // SIGINT/SIGTERM are taken by the main thread, which waits for the loops:
  // it stops a script running on any loop at once, even when every loop is
  // busy, and has loop 0 shut down.
  asio::io_context signal_io_;
  asio::signal_set signals_;
  // Keeps signal_io_ running after a signal whose shutdown failed, until
  // begin_shutdown() releases it.
  asio::executor_work_guard<asio::io_context::executor_type> signal_work_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  int sweep_slices_ = 0;             // slices run in the current sweep cycle
  std::size_t held_high_water_ = 0;  // keyspace bytes since the last release
  std::size_t shrink_from_ = 0;      // the keyspace's mark before it began shrinking
  std::size_t shrink_low_ = 0;       // its lowest size since (a new low: > 1 MB below)
  int steady_crons_ = 0;             // crons since the last new low
  std::size_t freed_mark_ = 0;       // util::freed_releasing_bytes() at held_high_water_
  std::promise<void> stopped_;
  bool stopping_ = false;
  // Told READY=1 by the cron once loading has ended; loop 0.
  Supervision supervision_;
  // The context new TLS connections get (null without tls-port); replaced
  // by CONFIG SET from any loop.
  mutable std::mutex tls_mutex_;
  std::shared_ptr<asio::ssl::context> tls_context_;
  int tls_port_ = 0;  // the TLS listeners' port; under tls_mutex_
};

}  // namespace larder::server
