#pragma once
// `larder-server --ping HOST:PORT`: a health check that needs no other tool
// (Docker HEALTHCHECK). Connects, sends PING, and succeeds on +PONG.

#include <chrono>
#include <string>

namespace larder::server {

// 0 when the server at `target` ("host:port", "[v6]:port", or "host" for
// port 6379) replies +PONG within `timeout`, else 1 (reason on stderr).
int ping_check(const std::string& target, std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace larder::server
