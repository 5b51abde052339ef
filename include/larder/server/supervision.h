#pragma once
// Supervision by systemd or upstart (the `supervised` directive), as Redis
// 7.0 does it: systemd is told a loading STATUS, then READY=1 once the
// dataset is loaded and the server serves, and STOPPING=1 at shutdown, over
// $NOTIFY_SOCKET; under upstart ($UPSTART_JOB) the process stops itself
// (SIGSTOP) to signal readiness, once loaded (Redis stops before loading).
// `auto` picks by those variables. Used from one thread at a time (startup,
// then loop 0).

#include <string>
#include <string_view>

namespace larder::server {

class Supervision {
 public:
  // `mode`: no, upstart, systemd or auto. Logs, as Redis, when the mode asked
  // for cannot be used (no $UPSTART_JOB / $NOTIFY_SOCKET, or systemd's
  // socket refuses the first message): the server then runs unsupervised.
  explicit Supervision(std::string_view mode);
  // "upstart" or "systemd" when supervised (what `auto` found, which Redis's
  // CONFIG GET then shows), else "".
  std::string_view mode() const;
  // Once the dataset is loaded: READY=1, or SIGSTOP. Later calls do nothing.
  void ready();
  void stopping();
  // STATUS=<text> to systemd.
  void status(std::string_view text) const;
  bool ready_sent() const { return ready_sent_; }

 private:
  enum class Kind { kNone, kUpstart, kSystemd };
  // One datagram to $NOTIFY_SOCKET ("@name": the abstract namespace); false
  // (logged) when it could not be sent.
  bool notify(std::string_view message) const;

  Kind kind_ = Kind::kNone;
  std::string socket_path_;
  bool ready_sent_ = false;
};

}  // namespace larder::server
