#include "larder/server/supervision.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using larder::server::Supervision;

namespace {

// A datagram socket bound in the abstract namespace, as systemd's may be.
struct NotifySocket {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  std::string name = "larder-supervision-test-" + std::to_string(::getpid());

  NotifySocket() {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path + 1, name.data(), name.size());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr),
                   static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size())) == 0);
    ::setenv("NOTIFY_SOCKET", ("@" + name).c_str(), 1);
  }
  ~NotifySocket() {
    ::unsetenv("NOTIFY_SOCKET");
    ::close(fd);
  }
  std::vector<std::string> received() const {
    std::vector<std::string> out;
    char buf[256];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.emplace_back(buf, static_cast<std::size_t>(n));
    return out;
  }
};

}  // namespace

TEST_CASE("systemd hears loading, then READY=1 once, then STOPPING=1", "[server]") {
  NotifySocket socket;
  Supervision supervision("auto");
  CHECK(supervision.mode() == "systemd");
  CHECK(socket.received() == std::vector<std::string>{"STATUS=Larder is loading...\n"});
  CHECK_FALSE(supervision.ready_sent());
  supervision.ready();
  supervision.ready();
  CHECK(supervision.ready_sent());
  CHECK(socket.received() == std::vector<std::string>{"STATUS=Ready to accept connections\n", "READY=1\n"});
  supervision.stopping();
  CHECK(socket.received() == std::vector<std::string>{"STOPPING=1\n"});
}

TEST_CASE("a NOTIFY_SOCKET no one listens on leaves the server unsupervised", "[server]") {
  ::setenv("NOTIFY_SOCKET", "@larder-supervision-test-nobody", 1);
  Supervision supervision("auto");
  ::unsetenv("NOTIFY_SOCKET");
  CHECK(supervision.mode().empty());  // `auto` then reads back as auto, as Redis's
}

TEST_CASE("supervised no, or systemd without NOTIFY_SOCKET, tells no one", "[server]") {
  NotifySocket socket;
  Supervision off("no");
  off.ready();
  off.stopping();
  CHECK(socket.received().empty());
  ::unsetenv("NOTIFY_SOCKET");
  Supervision missing("systemd");
  CHECK(missing.mode().empty());
  missing.ready();
  CHECK(missing.ready_sent());
  CHECK(socket.received().empty());
}
