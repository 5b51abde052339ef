#pragma once
// One io_context run by one thread, and the connections that live on it.
// adopt() and close_all() must run on the loop's own thread (post to io()).

#include <asio.hpp>
#include <memory>
#include <unordered_map>

namespace larder::server {

class Connection;
struct ServerContext;

class EventLoop {
 public:
  EventLoop(ServerContext& context, int index);

  asio::io_context& io() { return io_; }
  int index() const { return index_; }

  void adopt(asio::ip::tcp::socket socket);
  void close_all();
  void forget(Connection* connection);
  std::size_t connection_count() const { return connections_.size(); }

 private:
  ServerContext& context_;
  int index_;
  asio::io_context io_{1};
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;
};

}  // namespace larder::server
