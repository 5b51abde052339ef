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
  // for cannot be used (no $UPSTART_JOB / $NOTIFY_SOCKET).
  explicit Supervision(std::string_view mode);
  // The mode `auto` stands for here ("upstart", "systemd", or "auto" when
  // neither variable is set); other modes as they are. Redis's CONFIG GET
  // shows the mode detected.
  static std::string_view resolve(std::string_view mode);
  // Once the dataset is loaded: READY=1, or SIGSTOP. Later calls do nothing.
  void ready();
  void stopping();
  // STATUS=<text> to systemd.
  void status(std::string_view text) const;
  bool ready_sent() const { return ready_sent_; }

 private:
  enum class Kind { kNone, kUpstart, kSystemd };
  // One datagram to $NOTIFY_SOCKET ("@name": the abstract namespace).
  void notify(std::string_view message) const;

  Kind kind_ = Kind::kNone;
  std::string socket_path_;
  bool ready_sent_ = false;
};

}  // namespace larder::server
