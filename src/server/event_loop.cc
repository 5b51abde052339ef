#include "larder/server/event_loop.h"

#include <spdlog/spdlog.h>

#include "larder/server/connection.h"
#include "larder/server/server_context.h"
#include "larder/server/tls.h"
#include "larder/util/clock.h"

namespace larder::server {

namespace {
// Idle connections' buffers freed in one check that make returning the
// allocator's free pages to the system worth a background malloc_trim.
constexpr std::size_t kReleaseAfterFreeing = 1 << 20;
}  // namespace

EventLoop::EventLoop(ServerContext& context, int index)
    : context_(context),
      index_(index),
      dispatcher_(context.commands, context.keyspace, context.services, stats_),
      prefetcher_(context.keyspace) {
  // Creates the loop's reactor (epoll, eventfd and timer descriptors) now.
  // Asio creates it lazily, at the first socket accepted for this loop, and
  // would throw out of loop 0 if clients had taken every descriptor by then.
  asio::ip::tcp::socket reactor_user(io_);
  // A script past busy-reply-threshold serves this loop's other clients
  // from inside it (they get BUSY, or may SCRIPT KILL it). With several
  // loops the script's thread holds every shard lock, which is recursive, so
  // their handlers may lock shards again.
  context.services.scripting.set_poller(index, [this] {
    io_.poll();
    // Asio's one-thread scheduler counts the work of what the running
    // handler (the script's) queued on that handler; run by this nested
    // poll, those handlers can bring its count of work to zero, which stops
    // the io_context, and the loop's run() would return once the script
    // ends. Unless the server is stopping, that stop is undone.
    if (io_.stopped() && !context_.shutting_down) io_.restart();
  });
}

void EventLoop::start() { schedule_idle_check(); }

// Posted, the handler runs after the completions the reactor already
// queued for this round (and after one more non-blocking poll of it).
bool EventLoop::defer_write(Connection& connection) {
  if (writing_batch_) return false;
  if (deferred_writes_.empty()) {
    if (!batch_writes_ && ++writes_since_probe_ < kProbeEvery) return false;
    writes_since_probe_ = 0;
    asio::post(io_, [this] { write_deferred(); });
  }
  deferred_writes_.push_back(connection.shared_from_this());
  return true;
}

void EventLoop::write_deferred() {
  batch_.swap(deferred_writes_);
  batch_writes_ = batch_.size() > 1;
  writing_batch_ = true;
  for (const auto& connection : batch_) connection->write_deferred();
  writing_batch_ = false;
  batch_.clear();
}

void EventLoop::schedule_idle_check() {
  idle_timer_.expires_after(std::chrono::seconds(1));
  idle_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || context_.shutting_down) return;
    close_idle_clients();
    context_.services.scripting.release_flushed(index_);
    std::size_t freed = 0;
    for (Connection* c = connections_; c != nullptr; c = c->loop_next_) freed += c->release_idle_buffers();
    // Posted: the handlers of reads cancelled above free their buffers first.
    asio::post(io_, [this, freed] {
      // The allocator keeps freed chunks resident; have it return the pages.
      if (freed >= kReleaseAfterFreeing) context_.keyspace.background_free().request_release();
      if (!context_.shutting_down) schedule_idle_check();
    });
  });
}

// Redis's clientsCronHandleTimeout: blocked clients wait for their own
// timeout instead.
void EventLoop::close_idle_clients() {
  const int timeout = context_.live.timeout_seconds();
  if (timeout == 0) return;
  const std::int64_t deadline = util::unix_time_ms() - std::int64_t{timeout} * 1000;
  for (auto& c : live_connections()) {
    if (c->idle_since(deadline)) c->close_idle();
  }
}

void EventLoop::adopt(LoopSocket socket, std::shared_ptr<asio::ssl::context> tls) {
  if (context_.shutting_down) return;  // the socket closes as it goes out of scope
  stats_.connections_received.add();
  if (context_.services.clients.size() >= context_.live.maxclients()) {
    stats_.rejected_connections.add();
    asio::error_code ec;
    static constexpr std::string_view kFull = "-ERR max number of clients reached\r\n";
    if (tls == nullptr) asio::write(socket, asio::buffer(kFull), ec);  // a TLS client cannot read it yet
    spdlog::warn("Error accepting a client connection: max number of clients reached");
    return;
  }
  std::shared_ptr<Connection> connection;
  if (tls == nullptr) {
    connection = std::make_shared<PlainConnection>(std::move(socket), *this, context_);
  } else {
    connection = std::make_shared<TlsConnection>(std::move(socket), *this, context_, std::move(tls),
                                                 tls_verify_mode(context_.live.get("tls-auth-clients")));
  }
  connection->loop_next_ = connections_;
  if (connections_ != nullptr) connections_->loop_prev_ = connection.get();
  connections_ = connection.get();
  connection->start();
}

void EventLoop::close_all() {
  idle_timer_.cancel();
  for (auto& c : live_connections()) c->shutdown();
}

// A copy: closing a connection unlinks it.
std::vector<std::shared_ptr<Connection>> EventLoop::live_connections() const {
  std::vector<std::shared_ptr<Connection>> live;
  for (Connection* c = connections_; c != nullptr; c = c->loop_next_) {
    if (auto p = c->weak_from_this().lock()) live.push_back(std::move(p));
  }
  return live;
}

void EventLoop::forget(Connection* c) {
  if (c->loop_prev_ != nullptr) {
    c->loop_prev_->loop_next_ = c->loop_next_;
  } else if (connections_ == c) {
    connections_ = c->loop_next_;
  } else {
    return;  // not linked
  }
  if (c->loop_next_ != nullptr) c->loop_next_->loop_prev_ = c->loop_prev_;
  c->loop_prev_ = c->loop_next_ = nullptr;
}

}  // namespace larder::server
