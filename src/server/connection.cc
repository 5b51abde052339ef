#include "larder/server/connection.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <spdlog/spdlog.h>

#include "larder/server/event_loop.h"
#include "larder/server/server_context.h"
#include "larder/storage/background_free.h"
#include "larder/util/clock.h"

namespace larder::server {

namespace {
constexpr std::size_t kReadChunk = 16 * 1024;
// Past this much pending output, stop executing and flush first.
constexpr std::size_t kOutputHighWater = 64 * 1024 * 1024;
// At most this much is copied to the socket per write call, so one big reply
// does not hold the loop for a millisecond-long copy.
constexpr std::size_t kWriteChunk = 64 * 1024;
// Redis's client-query-buffer-limit: a client buffering more is closed.
constexpr std::size_t kQueryBufferLimit = 1024ull * 1024 * 1024;
// An idle connection gives back a buffer grown past this.
constexpr std::size_t kIdleBufferKeep = 256 * 1024;
// How often a command held back by CLIENT PAUSE is retried, at most.
constexpr std::int64_t kPauseRetryMs = 10;

std::string endpoint_text(const asio::ip::tcp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}
}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, EventLoop& loop, ServerContext& context)
    : socket_(std::move(socket)),
      loop_(loop),
      context_(context),
      client_(std::make_shared<commands::ClientState>()),
      pause_timer_(loop.io()),
      block_timer_(loop.io()),
      step_timer_(loop.io()),
      parser_(protocol::ParserLimits{.max_bulk_bytes = context.live.proto_max_bulk_len()}),
      reply_(out_),
      prefetcher_(context.keyspace) {
  asio::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  socket_.non_blocking(true, ec);  // reads and first writes are attempted directly
  client_->id = context_.services.clients.next_id();
  auto remote = socket_.remote_endpoint(ec);
  if (!ec) client_->addr = endpoint_text(remote);
  auto local = socket_.local_endpoint(ec);
  if (!ec) client_->laddr = endpoint_text(local);
  client_->fd = socket_.native_handle();
  client_->loop = loop_.index();
  client_->created_ms = util::unix_time_ms();
  client_->last_interaction_ms = client_->created_ms;
  client_->authenticated = !context_.live.requires_password();
}

Connection::~Connection() { spdlog::debug("client {} closed", client_->addr); }

void Connection::start() {
  spdlog::debug("client {} connected (id {}, loop {})", client_->addr, client_->id, loop_.index());
  // CLIENT KILL from any thread: hop onto this loop, then shut down.
  client_->request_close = [weak = weak_from_this(), &io = loop_.io()] {
    asio::post(io, [weak] {
      if (auto self = weak.lock()) self->shutdown();
    });
  };
  client_->deliver_unblocked = [weak = weak_from_this(), &io = loop_.io()](std::string reply) {
    asio::post(io, [weak, reply = std::move(reply)]() mutable {
      if (auto self = weak.lock()) self->on_unblocked(std::move(reply));
    });
  };
  context_.services.clients.add(client_);
  pump();
}

void Connection::shutdown() {
  closing_ = true;
  if (!writing_ && !dispatching_) close();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ec;
  pause_timer_.cancel();
  block_timer_.cancel();
  step_timer_.cancel();
  if (client_->blocked != nullptr) {
    context_.services.blocking.cancel(context_.keyspace, *client_->blocked->waiter);
    client_->blocked.reset();
    client_->is_blocked.store(false, std::memory_order_relaxed);
  }
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  // Watched keys are registered in shards; drop them with the client.
  for (const auto& w : client_->watched) {
    auto& shard = context_.keyspace.shard(storage::Keyspace::shard_index(w.key));
    std::lock_guard lock(shard.mutex());
    shard.unwatch(w.db, w.key, client_->watch_flag.get());
  }
  client_->watched.clear();
  client_->deferred.reset();  // takes shard locks: none may be held here
  context_.services.clients.remove(client_->id);
  loop_.forget(this);
}

// Unmapping a buffer of hundreds of MB would stall every client.
void Connection::FreeBuffer::operator()(char* p) const {
  if (p != nullptr) storage::BackgroundFree::free_block(p, malloc_usable_size(p));
}

void Connection::reserve_read_space() {
  if (in_begin_ == in_end_) {
    in_begin_ = in_end_ = 0;
    if (in_size_ > kIdleBufferKeep) {
      in_.reset();
      in_size_ = 0;
    }
  }
  if (in_size_ - in_end_ >= kReadChunk) return;
  if (in_begin_ > 0) {
    std::memmove(in_.get(), in_.get() + in_begin_, in_end_ - in_begin_);
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
  if (in_size_ - in_end_ < kReadChunk) {
    const std::size_t size = std::max(in_size_ * 2, in_end_ + kReadChunk);
    char* grown = static_cast<char*>(std::realloc(in_.get(), size));
    if (grown == nullptr) throw std::bad_alloc();
    in_.release();
    in_.reset(grown);
    in_size_ = size;
  }
}

void Connection::pump() {
  for (;;) {
    if (closed_ || writing_) return;  // on_written() pumps again
    if (unblocked_) {
      unblocked_ = false;
      loop_.dispatcher().finish_blocked(*client_, reply_, unblocked_reply_);
      std::string().swap(unblocked_reply_);
    }
    if (!paused_) process();
    const bool deferred = client_->deferred != nullptr;
    if (deferred && !step_posted_ && !closing_) post_step();
    if (out_.empty()) {
      if (closing_) {
        close();
      } else if (!reading_ && !paused_ && !deferred) {
        // Not while a command is deferred: it must not meet the client's
        // EOF first, so a client that half-closes still gets its reply.
        read();
      }
      return;
    }
    // Most replies fit in the socket buffer: write them now, and wait for
    // the socket only with what is left.
    asio::error_code ec;
    const std::size_t n = socket_.write_some(asio::buffer(out_.data(), std::min(out_.size(), kWriteChunk)), ec);
    if (ec && ec != asio::error::would_block) {
      spdlog::debug("client {} write error: {}", client_->addr, ec.message());
      close();
      return;
    }
    loop_.stats().net_output_bytes.add(n);
    if (n < out_.size()) {
      out_.erase(0, n);
      writing_ = true;
      client_->output_buffer_bytes.store(out_.size(), std::memory_order_relaxed);
      asio::async_write(socket_, asio::buffer(out_),
                        [self = shared_from_this()](const asio::error_code& e, std::size_t written) {
                          self->on_written(e, written);
                        });
      return;
    }
    out_.clear();
    if (out_.capacity() > kIdleBufferKeep) std::string().swap(out_);
  }
}

// Not run at once: posting lets the loop poll its sockets and run what other
// connections have queued first. A step appends to out_, so none runs while
// a write is in flight; on_written() pumps, which posts the next.
void Connection::post_step() {
  step_posted_ = true;
  asio::post(loop_.io(), [self = shared_from_this()] {
    if (self->context_.services.scripting.running.running.load(std::memory_order_acquire)) {
      // A script is running (and may be serving this loop from inside
      // itself): the step would see half of its effects. Try again later.
      self->step_timer_.expires_after(std::chrono::milliseconds(1));
      self->step_timer_.async_wait([self](const asio::error_code& ec) {
        self->step_posted_ = false;
        if (!ec && !self->closed_) self->pump();
      });
      return;
    }
    self->step_posted_ = false;
    if (self->closed_ || self->writing_) return;
    self->loop_.dispatcher().resume(*self->client_, self->reply_,
                                    std::chrono::steady_clock::now() + commands::kStepBudget);
    self->pump();
  });
}

// Asio tries the read at once (the client's next batch is often there
// already) and otherwise waits for readiness; unlike async_wait, that wait
// needs no epoll_ctl.
void Connection::read() {
  reading_ = true;
  reserve_read_space();
  socket_.async_read_some(asio::buffer(in_.get() + in_end_, in_size_ - in_end_),
                          [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
                            self->on_read(ec, n);
                          });
}

void Connection::on_read(const asio::error_code& ec, std::size_t n) {
  reading_ = false;
  if (ec) {
    if (ec != asio::error::eof && ec != asio::error::operation_aborted) {
      spdlog::debug("client {} read error: {}", client_->addr, ec.message());
    }
    close();
    return;
  }
  in_end_ += n;
  loop_.stats().net_input_bytes.add(n);
  if (in_end_ - in_begin_ > kQueryBufferLimit) {
    spdlog::warn("closing client {}: query buffer over {} bytes", client_->addr, kQueryBufferLimit);
    close();
    return;
  }
  pump();
}

void Connection::process() {
  parser_.set_max_bulk_bytes(context_.live.proto_max_bulk_len());
  commands::Dispatcher& dispatcher = loop_.dispatcher();
  const bool prefetch = context_.keyspace.single_owner();
  std::size_t prefetched = 0;  // commands ahead whose keys are already prefetched
  // The wall clock is read once per batch, and again once a millisecond has
  // passed (a slow command early in a long pipeline).
  std::int64_t now = util::unix_time_ms();
  std::uint64_t now_read_at = util::cycles();
  while (in_begin_ < in_end_ && !closing_ && out_.size() < kOutputHighWater &&
         client_->deferred == nullptr && client_->blocked == nullptr) {
    std::string_view pending(in_.get() + in_begin_, in_end_ - in_begin_);
    // Per command: an AUTH earlier in this batch lifts the limits.
    parser_.set_unauthenticated(context_.live.requires_password() && !client_->authenticated);
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
      prefetched = prefetcher_.prefetch(pending.substr(parser_.consumed()),
                                        client_->db.load(std::memory_order_relaxed));
    }
    if (util::us_since(now_read_at) >= 1000) {
      now = util::unix_time_ms();
      now_read_at = util::cycles();
    }
    if (!parser_.args().empty()) {
      if (dispatcher.paused(parser_.args(), now)) {
        paused_ = true;
        std::int64_t wait = std::min(kPauseRetryMs, context_.services.pause.until_ms() - now);
        pause_timer_.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(wait, 1)));
        pause_timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
          if (ec) return;
          self->paused_ = false;
          self->pump();
        });
        break;
      }
      dispatching_ = true;
      dispatcher.dispatch(parser_.args(), *client_, reply_, now);
      dispatching_ = false;
      if (client_->close_after_reply) closing_ = true;
      if (client_->blocked != nullptr && client_->blocked->timeout_at_ms != 0) {
        block_timer_.expires_after(std::chrono::milliseconds(client_->blocked->timeout_at_ms - now));
        block_timer_.async_wait([self = shared_from_this(), seq = ++block_seq_](const asio::error_code& ec) {
          if (!ec && seq == self->block_seq_) self->on_block_timeout();
        });
      }
    }
    in_begin_ += parser_.consumed();
  }
  client_->query_buffer_bytes.store(in_end_ - in_begin_, std::memory_order_relaxed);
}

void Connection::on_unblocked(std::string reply) {
  if (closed_ || client_->blocked == nullptr) return;
  ++block_seq_;
  block_timer_.cancel();
  unblocked_reply_ = std::move(reply);
  unblocked_ = true;
  pump();
}

void Connection::on_block_timeout() {
  if (closed_ || client_->blocked == nullptr || unblocked_) return;
  commands::Waiter& waiter = *client_->blocked->waiter;
  // False when a serve or CLIENT UNBLOCK got there first: its reply is on its way.
  if (!context_.services.blocking.cancel(context_.keyspace, waiter)) return;
  std::string reply;
  protocol::ReplyBuilder builder(reply);
  builder.set_protocol(waiter.resp);
  waiter.command->timeout_reply(builder);
  on_unblocked(std::move(reply));
}

void Connection::on_written(const asio::error_code& ec, std::size_t n) {
  writing_ = false;
  if (ec) {
    spdlog::debug("client {} write error: {}", client_->addr, ec.message());
    close();
    return;
  }
  loop_.stats().net_output_bytes.add(n);
  out_.clear();
  if (out_.capacity() > kIdleBufferKeep) std::string().swap(out_);
  client_->output_buffer_bytes.store(0, std::memory_order_relaxed);
  pump();
}

}  // namespace larder::server
