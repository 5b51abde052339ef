#include "larder/server/connection.h"

#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#include <spdlog/spdlog.h>

#include "larder/protocol/errors.h"
#include "larder/server/event_loop.h"
#include "larder/server/server_context.h"
#include "larder/server/short_read.h"
#include "larder/storage/background_free.h"
#include "larder/util/clock.h"
#include "larder/util/strings.h"

namespace larder::server {

namespace {
// A read offers at least kMinReadSpace bytes, doubling up to kReadChunk while
// reads fill what they are offered (a client that pipelines big batches).
constexpr std::size_t kMinReadSpace = 1024;
constexpr std::size_t kReadChunk = 16 * 1024;
// Past this much pending output, stop executing and reading, and flush first.
constexpr std::size_t kOutputHighWater = 64 * 1024 * 1024;
// At most this much is copied to the socket per write call, so one big reply
// does not hold the loop for a millisecond-long copy.
constexpr std::size_t kWriteChunk = 64 * 1024;
// An idle connection gives back a buffer grown past this.
constexpr std::size_t kIdleBufferKeep = 256 * 1024;
// A TLS client that has not finished its handshake by then is closed.
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
// How often a client held back by CLIENT PAUSE checks that the pause is over, at most.
constexpr std::int64_t kPauseRetryMs = 10;
// The longest a steady timer is armed for at once: its clock counts
// nanoseconds in 64 bits, and a block may last up to LLONG_MAX ms.
constexpr std::int64_t kMaxTimerMs = std::int64_t{1} << 32;  // about 50 days

std::string endpoint_text(const asio::ip::tcp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}

// An HTTP request sent to the server (Cross Protocol Scripting): Redis
// drops such a connection, with what it had not sent yet, and logs it at
// most once a minute.
bool http_request_line(std::string_view command) {
  return util::iequals(command, "post") || util::iequals(command, "host:");
}
std::atomic<std::int64_t> last_attack_logged_s{0};
}  // namespace

template <class Transport>
template <class... TransportArgs>
BasicConnection<Transport>::BasicConnection(LoopSocket socket, EventLoop& loop, ServerContext& context,
                                            TransportArgs&&... args)
    : transport_(std::move(socket), std::forward<TransportArgs>(args)...),
      loop_(loop),
      context_(context),
      // Not make_shared: tracking tables keep weak pointers to clients that
      // left, which would keep the whole block.
      client_(new commands::ClientState()),
      read_space_(kMinReadSpace),
      parser_(protocol::ParserLimits{.max_bulk_bytes = context.live.proto_max_bulk_len()}),
      reply_(out_) {
  asio::error_code ec;
  tcp().non_blocking(true, ec);  // reads and first writes are attempted directly
  client_->id = context_.services.clients.next_id();
  client_->fd = tcp().native_handle();
  // One getsockname tells a unixsocket connection and gives a TCP one's laddr.
  sockaddr_storage local{};
  socklen_t local_len = sizeof local;
  const bool named = ::getsockname(client_->fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0;
  if (named && local.ss_family == AF_UNIX) {
    // As Redis names a unixsocket client: the socket's path, port 0.
    auto& path = reinterpret_cast<sockaddr_un&>(local).sun_path;
    path[sizeof path - 1] = '\0';
    client_->addr = std::string(path) + ":0";
    client_->laddr = client_->addr;
    client_->unix_socket = true;
  } else {
    tcp().set_option(asio::ip::tcp::no_delay(true), ec);
    auto remote = tcp().remote_endpoint(ec);
    if (!ec) client_->addr = endpoint_text(remote);
    asio::ip::tcp::endpoint local_endpoint;
    if (named && local_len <= local_endpoint.capacity()) {
      std::memcpy(local_endpoint.data(), &local, local_len);
      local_endpoint.resize(local_len);
      client_->laddr = endpoint_text(local_endpoint);
    }
  }
  client_->loop = loop_.index();
  client_->created_ms = util::unix_time_ms();
  client_->last_interaction_ms = client_->created_ms;
  client_->user = context_.services.acl.default_slot();
  client_->authenticated = !context_.services.acl.auth_required();
}

template <class Transport>
BasicConnection<Transport>::~BasicConnection() {
  loop_.forget(this);
  if (client_->push_sink == this) client_->push_sink = nullptr;
  spdlog::debug("client {} closed", client_->addr);
}

template <class Transport>
void BasicConnection<Transport>::start() {
  spdlog::debug("client {} connected (id {}, loop {})", client_->addr, client_->id, loop_.index());
  set_keepalive();
  if constexpr (Transport::kTls) {
    handshake();
  } else {
    serve();
  }
}

template <class Transport>
void BasicConnection<Transport>::serve() {
  client_->link = std::static_pointer_cast<commands::ClientLink>(self());
  client_->push_sink = this;
  context_.services.clients.add(client_);
  pump();
}

// Not a client (CLIENT LIST, maxclients) until the handshake succeeds, as in
// Redis. A failed or timed-out handshake is only worth a debug line.
template <class Transport>
void BasicConnection<Transport>::handshake() {
  if constexpr (Transport::kTls) {
    transport_.handshake_timer.expires_after(kHandshakeTimeout);
    transport_.handshake_timer.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      auto& c = static_cast<BasicConnection&>(*self);
      spdlog::debug("client {}: TLS handshake timed out", c.client_->addr);
      c.close();
    });
    transport_.stream.async_handshake(asio::ssl::stream_base::server, [self = self()](const asio::error_code& ec) {
      self->transport_.handshake_timer.cancel();
      if (self->closed_) return;
      if (ec) {
        spdlog::debug("client {}: TLS handshake failed: {}", self->client_->addr, ec.message());
        self->close();
        return;
      }
      self->serve();
    });
  }
}

// CLIENT KILL from any thread: hop onto this loop, then shut down.
template <class Transport>
void BasicConnection<Transport>::request_close(std::shared_ptr<commands::ClientLink> self) {
  // As Redis's freeClient: replies the client has not read are dropped (a
  // client that stopped reading would otherwise never close). A command of
  // its own that is running (a busy script) finishes first.
  // What follows the kill must not see the client, as in Redis, which frees
  // it at once: its wait on keys or on a pause ends now (both registries
  // take any thread), and, when the kill runs on this loop between the
  // client's commands, it runs no more commands and leaves the other
  // registries now (a PUBLISH or CLIENT LIST right after sees it gone).
  context_.services.blocking.drop_client(context_.keyspace, client_->id);
  context_.services.pause.forget(client_->id);
  if (loop_.io().get_executor().running_in_this_thread() && !dispatching_) {
    closing_ = true;
    killed_ = true;
    detach();
  }
  asio::post(loop_.io(), [this, self = std::move(self)] {
    closing_ = true;
    killed_ = true;
    if (!dispatching_) close();
  });
}

template <class Transport>
void BasicConnection<Transport>::deliver_unblocked(std::shared_ptr<commands::ClientLink> self, std::string reply) {
  asio::post(loop_.io(), [this, self = std::move(self), reply = std::move(reply)]() mutable {
    on_unblocked(std::move(reply));
  });
}

template <class Transport>
bool BasicConnection<Transport>::idle_since(std::int64_t deadline_ms) const {
  return !client_->is_blocked.load(std::memory_order_relaxed) && !client_->in_pubsub_mode() &&
         !client_->monitor.load(std::memory_order_relaxed) &&
         client_->last_interaction_ms.load(std::memory_order_relaxed) < deadline_ms;
}

template <class Transport>
void BasicConnection<Transport>::close_idle() {
  spdlog::debug("Closing idle client {}", client_->addr);
  close();
}

// Redis's anetKeepAlive: probes after `tcp-keepalive` idle seconds, then every
// third of that, and the peer is dropped after three unanswered probes.
template <class Transport>
void BasicConnection<Transport>::set_keepalive() {
  const int interval = context_.live.tcp_keepalive_seconds();
  if (interval <= 0 || client_->unix_socket) return;
  const int fd = tcp().native_handle();
  const int on = 1;
  const int idle = interval;
  const int probe_every = std::max(interval / 3, 1);
  const int probes = 3;
  if (::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) != 0 ||
      ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) != 0 ||
      ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &probe_every, sizeof probe_every) != 0 ||
      ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes) != 0) {
    spdlog::debug("client {}: setting TCP keepalive failed: {}", client_->addr, std::strerror(errno));
  }
}

template <class Transport>
void BasicConnection<Transport>::shutdown() {
  closing_ = true;
  if (!writing_ && !write_deferred_ && !dispatching_) close();
}

template <class Transport>
void BasicConnection<Transport>::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ec;
  if (pause_timer_) pause_timer_->cancel();
  if (postponed_) context_.services.pause.forget(client_->id);
  if (block_timer_) block_timer_->cancel();
  if (step_timer_) step_timer_->cancel();
  if constexpr (Transport::kTls) transport_.handshake_timer.cancel();
  if (client_->blocked != nullptr) {
    context_.services.blocking.cancel(context_.keyspace, *client_->blocked->waiter);
    client_->blocked.reset();
    client_->is_blocked.store(false, std::memory_order_relaxed);
  }
  tcp().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  tcp().close(ec);
  // Watched keys are registered in shards; drop them with the client.
  for (const auto& w : client_->watched) {
    auto& shard = context_.keyspace.shard(storage::Keyspace::shard_index(w.key));
    std::lock_guard lock(shard.mutex());
    shard.unwatch(w.db, w.key, &client_->watch_flag);
  }
  client_->watched.clear();
  client_->deferred.reset();  // takes shard locks: none may be held here
  client_->push_sink = nullptr;
  detach();
  account_memory();  // to 0: the buffers go with the connection
  loop_.forget(this);
}

template <class Transport>
void BasicConnection<Transport>::detach() {
  context_.services.pubsub.forget(*client_, /*monitor_too=*/true);
  context_.services.tracking.disable(*client_);
  context_.services.clients.remove(client_->id);
}

template <class Transport>
void BasicConnection<Transport>::note_output() {
  client_->output_memory.store(pending_output(), std::memory_order_relaxed);
  account_memory();
}

template <class Transport>
void BasicConnection<Transport>::account_memory() {
  // An empty std::string holds no heap block.
  static const std::size_t kInline = std::string().capacity();
  auto held = [](const std::string& s) { return s.capacity() > kInline ? s.capacity() + 1 : 0; };
  const std::size_t deferred = client_->deferred != nullptr ? client_->deferred->continuation->held_bytes() : 0;
  const std::size_t now = closed_ ? 0
                                  : in_size_ + held(out_) + held(sending_) + held(backlog_) + deferred +
                                        client_->multi_memory.load(std::memory_order_relaxed);
  const std::size_t before = client_->memory.load(std::memory_order_relaxed);
  if (now == before) return;
  client_->memory.store(now, std::memory_order_relaxed);
  loop_.stats().client_memory.add(static_cast<std::uint64_t>(now) - before);
  if (now > before) context_.services.client_eviction.check(context_.live.maxmemory_clients());
}

// Unmapping a buffer of hundreds of MB would stall every client.
template <class Transport>
void BasicConnection<Transport>::FreeBuffer::operator()(char* p) const {
  if (p != nullptr) storage::BackgroundFree::free_block(p, malloc_usable_size(p));
}

template <class Transport>
bool BasicConnection<Transport>::reserve_read_space(std::size_t need) {
  need = std::max(need, read_space_);
  if (in_begin_ == in_end_) {
    in_begin_ = in_end_ = 0;
    if (in_size_ > kIdleBufferKeep) {
      in_.reset();
      in_size_ = 0;
    }
  }
  if (in_size_ - in_end_ >= need) return true;
  if (in_begin_ > 0) {
    std::memmove(in_.get(), in_.get() + in_begin_, in_end_ - in_begin_);
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
  if (in_size_ - in_end_ < need) {
    const std::size_t size = std::max(in_size_ * 2, in_end_ + need);
    char* grown = static_cast<char*>(std::realloc(in_.get(), size));
    if (grown == nullptr) return false;
    in_.release();
    in_.reset(grown);
    in_size_ = size;
  }
  return true;
}

template <class Transport>
void BasicConnection<Transport>::write_deferred() {
  write_deferred_ = false;
  pump();
}

template <class Transport>
void BasicConnection<Transport>::pump() {
  for (;;) {
    // write_deferred() pumps again. While a write is in flight, commands
    // still run: their replies gather in out_ (the socket has sending_).
    if (closed_ || write_deferred_) return;
    if (unblocked_) {
      unblocked_ = false;
      const std::string reply = std::move(client_->blocked->reply);
      loop_.dispatcher().finish_blocked(*client_, reply_, reply);
    }
    if (!paused_) process();
    if (closed_) return;
    const bool deferred = client_->deferred != nullptr;
    if (!backlog_.empty() && !deferred) {
      out_.append(backlog_);
      backlog_.clear();
      if (backlog_.capacity() > kIdleBufferKeep) std::string().swap(backlog_);
    }
    if (pending_output() != 0 && over_output_limit()) return;
    if (deferred && !step_posted_ && !closing_) post_step();
    if (writing_) {
      // Input is read meanwhile, up to kOutputHighWater of pending output:
      // a client that writes its whole pipeline before reading a reply
      // (redis-py's execute()) must not wait on the server while the
      // server waits on it. on_written() pumps again.
      if (!closing_ && !reading_ && (!paused_ || postponed_) && !deferred && pending_output() < kOutputHighWater) {
        read();
      }
      return;
    }
    if (out_.empty()) {
      if (closing_) {
        close();
      } else if (!reading_ && (!paused_ || postponed_) && !deferred) {
        // Not while a command is deferred: it must not meet the client's
        // EOF first, so a client that half-closes still gets its reply.
        // While CLIENT PAUSE postpones a command, reading goes on: a client
        // that leaves takes its command with it, as in Redis.
        read();
      }
      return;
    }
    if constexpr (Transport::kTls) {
      // The stream encrypts and writes it all; on_written() pumps again.
      writing_ = true;
      sending_.swap(out_);
      client_->output_buffer_bytes.store(sending_.size(), std::memory_order_relaxed);
      note_output();
      asio::async_write(transport_.stream, asio::buffer(sending_),
                        [self = self()](const asio::error_code& e, std::size_t written) {
                          self->on_written(e, written);
                        });
      continue;  // to run and read more meanwhile
    }
    if (loop_.defer_write(*this)) {
      write_deferred_ = true;
      return;
    }
    // Most replies fit in the socket buffer: write them now, and wait for
    // the socket only with what is left.
    asio::error_code ec;
    const std::size_t n = tcp().write_some(asio::buffer(out_.data(), std::min(out_.size(), kWriteChunk)), ec);
    loop_.stats().writes_processed.add();
    if (ec && ec != asio::error::would_block) {
      spdlog::debug("client {} write error: {}", client_->addr, ec.message());
      close();
      return;
    }
    loop_.stats().net_output_bytes.add(n);
    if (n < out_.size()) {
      out_.erase(0, n);
      writing_ = true;
      sending_.swap(out_);
      client_->output_buffer_bytes.store(sending_.size(), std::memory_order_relaxed);
      note_output();
      asio::async_write(tcp(), asio::buffer(sending_),
                        [self = self()](const asio::error_code& e, std::size_t written) {
                          self->on_written(e, written);
                        });
      continue;  // to run and read more meanwhile
    }
    out_.clear();
    if (out_.capacity() > kIdleBufferKeep) std::string().swap(out_);
    note_output();
  }
}

template <class Transport>
void BasicConnection<Transport>::push(const commands::PushMessage& message) {
  if (closed_ || closing_ || dropped_) return;
  // A deferred command's reply is still being written into out_.
  std::string& into = client_->deferred != nullptr ? backlog_ : out_;
  message.append_to(into, reply_.protocol());
  note_output();
  over_output_limit();
}

template <class Transport>
bool BasicConnection<Transport>::over_output_limit() {
  if (dropped_) return true;
  const auto cls = client_->in_pubsub_mode() ? config::ClientClass::kPubSub : config::ClientClass::kNormal;
  const config::OutputBufferLimit limit = context_.live.output_buffer_limit(cls);
  // Redis counts what overflows a client's 16 KiB reply buffer, not the
  // buffer (getClientOutputBufferMemoryUsage).
  constexpr std::size_t kReplyBufferBytes = 16 * 1024;
  const std::size_t pending = pending_output();
  const std::size_t used = pending > kReplyBufferBytes ? pending - kReplyBufferBytes : 0;
  // A client that has not authenticated may not overflow it at all,
  // whatever the limits say (Redis's fix of CVE-2025-21605: more than 1 KiB
  // of reply blocks, and its first block takes 16 KiB).
  const bool unauthenticated = used > 0 && !client_->authenticated && context_.services.acl.auth_required();
  if (!unauthenticated && limit.hard == 0 && limit.soft == 0) return false;
  const bool hard = unauthenticated || (limit.hard != 0 && used >= limit.hard);
  bool soft = limit.soft != 0 && used >= limit.soft;
  if (soft) {
    const std::int64_t now_s = util::unix_time_ms() / 1000;
    if (soft_limit_since_s_ == 0) {
      soft_limit_since_s_ = now_s;  // first seen over it
      soft = false;
    } else if (now_s - soft_limit_since_s_ <= limit.soft_seconds) {
      soft = false;
    }
  } else {
    soft_limit_since_s_ = 0;
  }
  if (!hard && !soft) return false;
  spdlog::warn("Client id={} addr={} name={} omem={} scheduled to be closed ASAP for overcoming of output buffer limits.",
               client_->id, client_->addr, client_->get_name(), used);
  loop_.stats().output_limit_disconnections.add();
  // Dropped at once, closed from the loop: this may run inside a command.
  dropped_ = true;
  backlog_.clear();
  asio::post(loop_.io(), [self = self()] { self->close(); });
  return true;
}

// Not run at once: posting lets the loop poll its sockets and run what other
// connections have queued first. A step waits for the write in flight (so
// a client that does not read holds back the command that feeds it);
// on_written() pumps, which posts the next.
template <class Transport>
void BasicConnection<Transport>::post_step() {
  step_posted_ = true;
  asio::post(loop_.io(), [self = self()] {
    if (self->context_.services.scripting.running.running.load(std::memory_order_acquire)) {
      // A script is running (and may be serving this loop from inside
      // itself): the step would see half of its effects. Try again later.
      if (!self->step_timer_) self->step_timer_ = std::make_unique<asio::steady_timer>(self->loop_.io());
      self->step_timer_->expires_after(std::chrono::milliseconds(1));
      self->step_timer_->async_wait([self](const asio::error_code& ec) {
        self->step_posted_ = false;
        if (!ec && !self->closed_) self->pump();
      });
      return;
    }
    self->step_posted_ = false;
    if (self->closed_ || self->writing_) return;
    self->loop_.dispatcher().resume(*self->client_, self->reply_,
                                    std::chrono::steady_clock::now() + commands::kStepBudget);
    self->note_output();  // the step may hold more of the reply
    self->pump();
  });
}

// A connection holding an input buffer reads into it with async_read_some:
// Asio tries the recv at once unless the last one came up short
// (ShortReadDrains) and otherwise waits for readiness, which needs no
// epoll_ctl.
// A connection without one (new, or idle and released) probes into the
// loop's scratch space and waits with async_wait, holding no buffer.
template <class Transport>
void BasicConnection<Transport>::read() {
  reading_ = true;
  // TLS always reads into the buffer: the stream holds undecrypted bytes
  // itself, so readiness of the socket says nothing.
  if (Transport::kTls || in_ != nullptr) {
    if (!reserve_read_space(0)) {
      asio::post(loop_.io(), [self = self()] { self->on_read(asio::error::no_memory, 0); });
      return;
    }
    const std::size_t offered = in_size_ - in_end_;
    buffer_read_ = true;
    auto done = [self = self(), offered](const asio::error_code& ec, std::size_t n) {
      self->buffer_read_ = false;
      if (std::exchange(self->releasing_, false) && ec == asio::error::operation_aborted && !self->closed_) {
        // release_idle_buffers() cancelled this read: nothing was read.
        self->reading_ = false;
        self->drop_input_buffer();
        self->pump();
        return;
      }
      if (!ec && n == offered) self->read_space_ = std::min(self->read_space_ * 2, kReadChunk);
      self->on_read(ec, n);
    };
    const auto into = asio::buffer(in_.get() + in_end_, offered);
    if constexpr (Transport::kTls) {
      transport_.stream.async_read_some(into, std::move(done));
    } else {
      tcp().async_read_some(ShortReadDrains{into}, std::move(done));
    }
    return;
  }
  asio::error_code ec;
  std::size_t n = 0;
  if (receive(ec, n)) {
    // Not inline (pump() called us): posted, as Asio completes a read that
    // succeeds at once.
    asio::post(loop_.io(), [self = self(), ec, n] { self->on_read(ec, n); });
    return;
  }
  wait_readable();
}

// Every wait follows a read that found the socket empty, in the same handler,
// so the edge-triggered reactor cannot have consumed the readiness it waits for.
template <class Transport>
void BasicConnection<Transport>::wait_readable() {
  tcp().async_wait(asio::socket_base::wait_read, [self = self()](const asio::error_code& ec) {
    if (ec) {
      self->on_read(ec, 0);
      return;
    }
    asio::error_code rec;
    std::size_t n = 0;
    if (self->receive(rec, n)) {
      self->on_read(rec, n);
    } else {
      self->wait_readable();
    }
  });
}

template <class Transport>
bool BasicConnection<Transport>::receive(asio::error_code& ec, std::size_t& n) {
  n = 0;
  if (in_ == nullptr) {
    // No buffer while idle: probe into the loop's scratch space, and take a
    // buffer only for bytes that arrived.
    const std::span<char> scratch = loop_.read_scratch();
    n = tcp().read_some(asio::buffer(scratch.data(), std::min(scratch.size(), kReadChunk)), ec);
    if (ec == asio::error::would_block) return false;
    if (ec) return true;
    if (!reserve_read_space(n)) {
      ec = asio::error::no_memory;
      return true;
    }
    std::memcpy(in_.get() + in_end_, scratch.data(), n);
    return true;
  }
  if (!reserve_read_space(0)) {
    ec = asio::error::no_memory;
    return true;
  }
  const std::size_t offered = in_size_ - in_end_;
  n = tcp().read_some(asio::buffer(in_.get() + in_end_, offered), ec);
  if (!ec && n == offered) read_space_ = std::min(read_space_ * 2, kReadChunk);
  return ec != asio::error::would_block;
}

template <class Transport>
std::size_t BasicConnection<Transport>::release_idle_buffers() {
  std::size_t freed = 0;
  if (!Transport::kTls && buffer_read_ && in_begin_ == in_end_ && !writing_ && !releasing_ && !closed_) {
    // A read is pending on the empty buffer: cancelled, its handler frees the
    // buffer (before the loop's next handler) and waits without one.
    releasing_ = true;
    asio::error_code ec;
    tcp().cancel(ec);
    freed += in_size_;
  }
  if (!Transport::kTls && buffer_read_ && in_begin_ != in_end_ && !releasing_ && !closed_) {
    // A read pending on part of a command: the short read that took that
    // part told the reactor the socket was drained (ShortReadDrains), and a
    // FIN that came with it raises no new edge. A peer gone is seen here,
    // within a second, and the read cancelled: its handler closes.
    char byte = 0;
    if (::recv(tcp().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0) {
      asio::error_code ec;
      tcp().cancel(ec);
    }
  }
  if (!writing_ && out_.empty() && out_.capacity() > 0) {
    freed += out_.capacity();
    std::string().swap(out_);
  }
  if (!writing_ && sending_.capacity() > 0) {
    freed += sending_.capacity();
    std::string().swap(sending_);
  }
  account_memory();
  return freed;
}

template <class Transport>
void BasicConnection<Transport>::drop_input_buffer() {
  if (in_begin_ != in_end_) return;
  in_.reset();
  in_size_ = in_begin_ = in_end_ = 0;
  read_space_ = kMinReadSpace;
  account_memory();
}

template <class Transport>
void BasicConnection<Transport>::on_read(const asio::error_code& ec, std::size_t n) {
  reading_ = false;
  // A read this server cancelled (CLIENT KILL, shutdown) is no read event.
  if (ec != asio::error::operation_aborted) loop_.stats().reads_processed.add();
  if (ec == asio::error::no_memory) {
    // The request cannot be read whole, so it cannot be answered: this client
    // is told and closed; the others go on.
    spdlog::warn("closing client {}: out of memory for its query buffer ({} bytes)", client_->addr,
                 in_end_ - in_begin_);
    reply_.error(err::kOom);
    closing_ = true;
    pump();
    return;
  }
  if (ec) {
    if (ec != asio::error::eof && ec != asio::error::operation_aborted && ec != asio::ssl::error::stream_truncated) {
      spdlog::debug("client {} read error: {}", client_->addr, ec.message());
    }
    close();
    return;
  }
  in_end_ += n;
  account_memory();
  loop_.stats().net_input_bytes.add(n);
  client_->last_interaction_ms.store(util::unix_time_ms(), std::memory_order_relaxed);
  // client-query-buffer-limit, over the unread bytes from the start of the
  // command being read (Redis: from its current argument).
  const std::uint64_t limit = context_.live.client_query_buffer_limit();
  if (in_end_ - in_begin_ > limit) {
    spdlog::warn("closing client {}: query buffer over client-query-buffer-limit ({} bytes)", client_->addr, limit);
    close();
    return;
  }
  pump();
}

template <class Transport>
void BasicConnection<Transport>::process() {
  parser_.set_max_bulk_bytes(context_.live.proto_max_bulk_len());
  commands::Dispatcher& dispatcher = loop_.dispatcher();
  const bool prefetch = context_.keyspace.single_owner();
  std::size_t prefetched = 0;  // commands ahead whose keys are already prefetched
  // The wall clock is read once per batch, and again once a millisecond has
  // passed (a slow command early in a long pipeline).
  std::int64_t now = util::unix_time_ms();
  std::uint64_t now_read_at = util::cycles();
  while (in_begin_ < in_end_ && !closing_ && pending_output() < kOutputHighWater &&
         client_->deferred == nullptr && client_->blocked == nullptr) {
    std::string_view pending(in_.get() + in_begin_, in_end_ - in_begin_);
    // Per command: an AUTH earlier in this batch lifts the limits.
    parser_.set_unauthenticated(context_.services.acl.auth_required() && !client_->authenticated);
    protocol::ParseStatus status = parser_.parse(pending);
    if (status == protocol::ParseStatus::kIncomplete) break;
    if (status == protocol::ParseStatus::kError) {
      spdlog::debug("client {} protocol error: {}", client_->addr, parser_.error());
      reply_.error(parser_.error());
      closing_ = true;
      break;
    }
    if (prefetched > 0) --prefetched;  // this command was among them
    if (prefetched == 0 && prefetch && parser_.consumed() < pending.size()) {
      prefetched = loop_.prefetcher().prefetch(pending.substr(parser_.consumed()),
                                        client_->db.load(std::memory_order_relaxed));
    }
    if (util::us_since(now_read_at) >= 1000) {
      now = util::unix_time_ms();
      now_read_at = util::cycles();
    }
    if (!parser_.args().empty()) {
      if (http_request_line(parser_.args()[0])) {
        const std::int64_t now_s = now / 1000;
        std::int64_t logged = last_attack_logged_s.load(std::memory_order_relaxed);
        if (now_s - logged > 60 && last_attack_logged_s.compare_exchange_strong(logged, now_s)) {
          spdlog::warn(
              "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to "
              "Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise "
              "your Redis instance. Connection from {} aborted.",
              client_->addr);
        }
        close();
        return;
      }
      dispatching_ = true;
      const bool ran = dispatcher.dispatch(parser_.args(), *client_, reply_, now);
      dispatching_ = false;
      if (killed_) {  // while its command ran (a busy script served the loop)
        close();
        return;
      }
      if (!ran) {
        // CLIENT PAUSE holds the command: the client counts as blocked (flag
        // b, INFO blocked_clients) until the pause ends, when every held
        // client resumes in the order it came (PauseState::release).
        postponed_ = true;
        paused_ = true;
        client_->is_blocked.store(true, std::memory_order_relaxed);
        context_.services.pause.postpone(
            client_->id, [client = client_] { client->is_blocked.store(false, std::memory_order_relaxed); },
            [self = self()] { asio::post(self->loop_.io(), [self] { self->resume_postponed(); }); });
        check_pause(now);
        break;
      }
      if (client_->close_after_reply) closing_ = true;
      if (client_->blocked != nullptr && client_->blocked->timeout_at_ms != 0) {
        if (!block_timer_) block_timer_ = std::make_unique<asio::steady_timer>(loop_.io());
        arm_block_timer(++block_seq_, now);
      }
    }
    in_begin_ += parser_.consumed();
    if (context_.services.pubsub.congested()) {
      hold_back();  // published faster than some loop delivers: let the loops catch up
      break;
    }
  }
  client_->query_buffer_bytes.store(in_end_ - in_begin_, std::memory_order_relaxed);
  account_memory();
}

template <class Transport>
void BasicConnection<Transport>::check_pause(std::int64_t now) {
  const std::int64_t wait = std::min(kPauseRetryMs, context_.services.pause.until_ms() - now);
  if (!pause_timer_) pause_timer_ = std::make_unique<asio::steady_timer>(loop_.io());
  pause_timer_->expires_after(std::chrono::milliseconds(std::max<std::int64_t>(wait, 1)));
  pause_timer_->async_wait([self = self()](const asio::error_code& ec) {
    if (ec || self->closed_ || !self->postponed_) return;
    const std::int64_t at = util::unix_time_ms();
    if (self->context_.services.pause.mode(at) == commands::PauseState::kNone) {
      self->context_.services.pause.release();
    } else {
      self->check_pause(at);
    }
  });
}

template <class Transport>
void BasicConnection<Transport>::resume_postponed() {
  if (!closed_ && postponed_) {
    postponed_ = false;
    paused_ = false;
    if (pause_timer_) pause_timer_->cancel();
    pump();  // runs the held command (or holds it again)
  }
  context_.services.pause.resumed(client_->id);
}

template <class Transport>
void BasicConnection<Transport>::hold_back() {
  paused_ = true;
  auto timer = std::make_shared<asio::steady_timer>(loop_.io(), std::chrono::milliseconds(1));
  timer->async_wait([self = self(), timer](const asio::error_code&) {
    self->paused_ = false;
    self->pump();
  });
}

template <class Transport>
void BasicConnection<Transport>::on_unblocked(std::string reply) {
  if (closed_ || client_->blocked == nullptr) return;
  ++block_seq_;
  if (block_timer_) block_timer_->cancel();
  client_->blocked->reply = std::move(reply);
  unblocked_ = true;
  pump();
}

template <class Transport>
void BasicConnection<Transport>::arm_block_timer(std::uint64_t seq, std::int64_t now) {
  const std::int64_t left = client_->blocked->timeout_at_ms - now;
  const bool last = left <= kMaxTimerMs;
  block_timer_->expires_after(std::chrono::milliseconds(last ? left : kMaxTimerMs));
  block_timer_->async_wait([self = self(), seq, last](const asio::error_code& ec) {
    if (ec || seq != self->block_seq_) return;
    if (last) {
      self->on_block_timeout();
    } else if (!self->closed_ && self->client_->blocked != nullptr) {
      self->arm_block_timer(seq, util::unix_time_ms());
    }
  });
}

template <class Transport>
void BasicConnection<Transport>::on_block_timeout() {
  if (closed_ || client_->blocked == nullptr || unblocked_) return;
  commands::Waiter& waiter = *client_->blocked->waiter;
  // False when a serve or CLIENT UNBLOCK got there first: its reply is on its way.
  if (!context_.services.blocking.cancel(context_.keyspace, waiter)) return;
  std::string reply;
  protocol::ReplyBuilder builder(reply);
  builder.set_protocol(waiter.resp);
  waiter.command->timeout_reply(builder);
  client_->blocked->timed_out = true;
  on_unblocked(std::move(reply));
}

template <class Transport>
void BasicConnection<Transport>::on_written(const asio::error_code& ec, std::size_t n) {
  writing_ = false;
  loop_.stats().writes_processed.add();
  if (ec) {
    spdlog::debug("client {} write error: {}", client_->addr, ec.message());
    close();
    return;
  }
  loop_.stats().net_output_bytes.add(n);
  sending_.clear();
  if (sending_.capacity() > kIdleBufferKeep) std::string().swap(sending_);
  client_->output_buffer_bytes.store(0, std::memory_order_relaxed);
  note_output();
  pump();
}

template class BasicConnection<PlainTransport>;
template BasicConnection<PlainTransport>::BasicConnection(LoopSocket, EventLoop&, ServerContext&);
template class BasicConnection<TlsTransport>;
template BasicConnection<TlsTransport>::BasicConnection(LoopSocket, EventLoop&, ServerContext&,
                                                        std::shared_ptr<asio::ssl::context>&&,
                                                        asio::ssl::verify_mode&&);

}  // namespace larder::server
