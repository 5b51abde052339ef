#pragma once
// One io_context run by one thread, the connections that live on it, its
// command dispatcher and its statistics (written only by this thread).
// adopt() and close_all() must run on the loop's own thread (post to io()).

#include <asio.hpp>
#include <asio/ssl/context.hpp>
#include <memory>
#include <span>
#include <vector>

#include "larder/commands/dispatcher.h"
#include "larder/commands/server_stats.h"
#include "larder/server/key_prefetcher.h"

namespace larder::server {

class Connection;
struct ServerContext;

// A client socket bound to its loop's io_context: smaller, and with smaller
// pending operations, than one with the polymorphic default executor. A
// connection accepted on the unixsocket is adopted as one too: only its
// stream operations are used then (BasicConnection tells it by its address).
using LoopSocket = asio::basic_stream_socket<asio::ip::tcp, asio::io_context::executor_type>;

class EventLoop {
 public:
  EventLoop(ServerContext& context, int index);

  asio::io_context& io() { return io_; }
  int index() const { return index_; }
  commands::Dispatcher& dispatcher() { return dispatcher_; }
  commands::ServerStats& stats() { return stats_; }
  // Shared by the loop's connections: it keeps nothing between calls.
  KeyPrefetcher& prefetcher() { return prefetcher_; }
  // Space for a connection without an input buffer to read into; used and
  // copied out within one handler.
  std::span<char> read_scratch() { return {read_scratch_.get(), kReadScratchBytes}; }

  // Starts the once-a-second check that closes clients idle for longer than
  // `timeout` and frees idle clients' buffers. Call before the loop runs;
  // close_all() stops it.
  void start();
  // `tls`: the context of a connection accepted on tls-port; null for plain TCP.
  void adopt(LoopSocket socket, std::shared_ptr<asio::ssl::context> tls = nullptr);
  void close_all();
  // Unlinks a connection (closed or destroyed); a no-op the second time.
  void forget(Connection* connection);
  // Replies to the clients served in one round of ready sockets are written
  // together when the round ends, as Redis writes them before it sleeps: a
  // client pipelining over many connections then wakes once per round, not
  // once per connection served (a wake-up is the dearest part of a send).
  // True: `connection` is held (a shared_ptr is taken only then) and its
  // write_deferred() runs after the round. False: write now; so while rounds
  // serve one connection, except every kProbeEvery-th write, which finds out
  // whether batching pays again.
  bool defer_write(Connection& connection);

 private:
  ServerContext& context_;
  int index_;
  // Its connections, linked through Connection::loop_next_. Declared before
  // io_: connections that io_'s pending handlers still own unlink themselves
  // while io_ is destroyed.
  Connection* connections_ = nullptr;
  asio::io_context io_{1};
  commands::ServerStats stats_;
  commands::Dispatcher dispatcher_;
  KeyPrefetcher prefetcher_;
  asio::steady_timer idle_timer_{io_};
  static constexpr std::size_t kReadScratchBytes = 16 * 1024;
  std::unique_ptr<char[]> read_scratch_{new char[kReadScratchBytes]};

  void schedule_idle_check();
  void close_idle_clients();
  // The live connections, owned for the caller's loop over them.
  std::vector<std::shared_ptr<Connection>> live_connections() const;
  // Runs after a round: writes every connection defer_write() held.
  void write_deferred();

  static constexpr unsigned kProbeEvery = 64;
  bool batch_writes_ = false;     // the last batch held more than one connection
  bool writing_batch_ = false;    // write_deferred() is running
  unsigned writes_since_probe_ = 0;
  // Declared last: destroyed first, while what a connection's destructor
  // touches is still there.
  std::vector<std::shared_ptr<Connection>> deferred_writes_;
  std::vector<std::shared_ptr<Connection>> batch_;
};

}  // namespace larder::server
