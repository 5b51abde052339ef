#include "larder/server/supervision.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace larder::server {

Supervision::Supervision(std::string_view mode) {
  if (mode == "auto") {
    if (std::getenv("UPSTART_JOB") != nullptr) {
      mode = "upstart";
    } else if (std::getenv("NOTIFY_SOCKET") != nullptr) {
      mode = "systemd";
    }
  }
  if (mode == "upstart") {
    if (std::getenv("UPSTART_JOB") == nullptr) {
      spdlog::warn("upstart supervision requested, but UPSTART_JOB not found!");
      return;
    }
    spdlog::info("supervised by upstart, will stop to signal readiness.");
    kind_ = Kind::kUpstart;
  } else if (mode == "systemd") {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (path == nullptr || path[0] == '\0') {
      spdlog::warn("systemd supervision requested or auto-detected, but NOTIFY_SOCKET environment variable not found!");
      return;
    }
    socket_path_ = path;
    kind_ = Kind::kSystemd;
    if (!notify("STATUS=Larder is loading...\n")) {
      kind_ = Kind::kNone;
      return;
    }
    spdlog::info(
        "Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec "
        "in your service unit.");
  }
}

std::string_view Supervision::mode() const {
  switch (kind_) {
    case Kind::kUpstart: return "upstart";
    case Kind::kSystemd: return "systemd";
    case Kind::kNone: break;
  }
  return "";
}

void Supervision::ready() {
  if (ready_sent_) return;
  ready_sent_ = true;
  if (kind_ == Kind::kSystemd) {
    status("Ready to accept connections");
    notify("READY=1\n");
  } else if (kind_ == Kind::kUpstart) {
    std::raise(SIGSTOP);
    ::unsetenv("UPSTART_JOB");
  }
}

void Supervision::stopping() {
  if (kind_ == Kind::kSystemd) notify("STOPPING=1\n");
}

void Supervision::status(std::string_view text) const {
  if (kind_ == Kind::kSystemd) notify("STATUS=" + std::string(text) + "\n");
}

bool Supervision::notify(std::string_view message) const {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(addr.sun_path) || (socket_path_[0] != '/' && socket_path_[0] != '@')) {
    spdlog::warn("Can't notify systemd: NOTIFY_SOCKET '{}' is not a socket path", socket_path_);
    return false;
  }
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    spdlog::warn("Can't notify systemd: socket: {}", std::strerror(errno));
    return false;
  }
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  const bool sent =
      ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr), len) >= 0;
  if (!sent) spdlog::warn("Can't notify systemd: {}", std::strerror(errno));
  ::close(fd);
  return sent;
}

}  // namespace larder::server
