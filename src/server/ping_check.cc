#include "larder/server/ping_check.h"

#include <asio.hpp>

#include <iostream>
#include <string_view>

namespace larder::server {

int ping_check(const std::string& target, std::chrono::milliseconds timeout) {
  std::string host = target;
  std::string port = "6379";
  if (!target.empty() && target.front() == '[') {  // [v6]:port
    const auto close = target.find(']');
    if (close == std::string::npos) {
      std::cerr << "larder-server --ping: bad address '" << target << "'\n";
      return 1;
    }
    host = target.substr(1, close - 1);
    if (close + 1 < target.size() && target[close + 1] == ':') port = target.substr(close + 2);
  } else if (const auto colon = target.rfind(':'); colon != std::string::npos &&
                                                    target.find(':') == colon) {
    host = target.substr(0, colon);
    port = target.substr(colon + 1);
  }
  if (host.empty()) host = "127.0.0.1";

  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  asio::ip::tcp::socket socket(io);
  std::string reply;
  std::string error = "no reply within the timeout";
  bool ok = false;
  static constexpr std::string_view kPing = "*1\r\n$4\r\nPING\r\n";

  resolver.async_resolve(host, port, [&](const asio::error_code& ec,
                                         asio::ip::tcp::resolver::results_type endpoints) {
    if (ec) {
      error = "cannot resolve " + host + ": " + ec.message();
      return;
    }
    asio::async_connect(socket, endpoints, [&](const asio::error_code& ec, const asio::ip::tcp::endpoint&) {
      if (ec) {
        error = "cannot connect: " + ec.message();
        return;
      }
      asio::async_write(socket, asio::buffer(kPing), [&](const asio::error_code& ec, std::size_t) {
        if (ec) {
          error = "cannot send PING: " + ec.message();
          return;
        }
        asio::async_read_until(socket, asio::dynamic_buffer(reply, 4096), "\r\n",
                               [&](const asio::error_code& ec, std::size_t n) {
                                 if (ec) {
                                   error = "no reply: " + ec.message();
                                   return;
                                 }
                                 ok = reply.compare(0, n, "+PONG\r\n") == 0;
                                 if (!ok) error = "unexpected reply: " + reply.substr(0, n - 2);
                               });
      });
    });
  });
  io.run_for(timeout);
  if (ok) {
    std::cout << "PONG\n";
    return 0;
  }
  std::cerr << "larder-server --ping " << target << ": " << error << "\n";
  return 1;
}

}  // namespace larder::server
