#pragma once
// One io_context run by one thread, the connections that live on it, its
// command dispatcher and its statistics (written only by this thread).
// adopt() and close_all() must run on the loop's own thread (post to io()).

#include <asio.hpp>
#include <memory>
#include <unordered_map>

#include "larder/commands/dispatcher.h"
#include "larder/commands/server_stats.h"

namespace larder::server {

class Connection;
struct ServerContext;

class EventLoop {
 public:
  EventLoop(ServerContext& context, int index);

  asio::io_context& io() { return io_; }
  int index() const { return index_; }
  commands::Dispatcher& dispatcher() { return dispatcher_; }
  commands::ServerStats& stats() { return stats_; }

  void adopt(asio::ip::tcp::socket socket);
  void close_all();
  void forget(Connection* connection);

 private:
  ServerContext& context_;
  int index_;
  asio::io_context io_{1};
  commands::ServerStats stats_;
  commands::Dispatcher dispatcher_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;
};

}  // namespace larder::server
