#include "larder/server/connection.h"

#include <cstring>
#include <spdlog/spdlog.h>

#include "larder/server/event_loop.h"
#include "larder/server/server_context.h"
#include "larder/util/clock.h"

namespace larder::server {

namespace {
constexpr std::size_t kReadChunk = 16 * 1024;
// Past this much pending output, stop executing and flush first.
constexpr std::size_t kOutputHighWater = 64 * 1024 * 1024;
// Redis's client-query-buffer-limit: a client buffering more is closed.
constexpr std::size_t kQueryBufferLimit = 1024ull * 1024 * 1024;
// An idle connection gives back a read buffer grown past this.
constexpr std::size_t kIdleBufferKeep = 256 * 1024;
}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, EventLoop& loop, ServerContext& context)
    : socket_(std::move(socket)),
      loop_(loop),
      context_(context),
      parser_(protocol::ParserLimits{.max_bulk_bytes = context.options.proto_max_bulk_len}),
      reply_(out_) {
  asio::error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  if (!ec) peer_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

Connection::~Connection() { spdlog::debug("client {} closed", peer_); }

void Connection::start() {
  spdlog::debug("client {} connected (loop {})", peer_, loop_.index());
  read();
}

void Connection::shutdown() {
  closing_ = true;
  if (!writing_) close();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  loop_.forget(this);
}

void Connection::reserve_read_space() {
  if (in_begin_ == in_end_) {
    in_begin_ = in_end_ = 0;
    if (in_.size() > kIdleBufferKeep) std::vector<char>().swap(in_);
  }
  if (in_.size() - in_end_ >= kReadChunk) return;
  if (in_begin_ > 0) {
    std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
  if (in_.size() - in_end_ < kReadChunk) in_.resize(std::max(in_.size() * 2, in_end_ + kReadChunk));
}

void Connection::read() {
  if (closing_) return;
  reserve_read_space();
  socket_.async_read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                          [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
                            self->on_read(ec, n);
                          });
}

void Connection::on_read(const asio::error_code& ec, std::size_t n) {
  if (ec) {
    if (ec != asio::error::eof && ec != asio::error::operation_aborted) {
      spdlog::debug("client {} read error: {}", peer_, ec.message());
    }
    close();
    return;
  }
  in_end_ += n;
  if (in_end_ - in_begin_ > kQueryBufferLimit) {
    spdlog::warn("closing client {}: query buffer over {} bytes", peer_, kQueryBufferLimit);
    close();
    return;
  }
  process();
  flush_or_read();
}

void Connection::process() {
  const auto& table = context_.commands;
  while (in_begin_ < in_end_ && !closing_ && out_.size() < kOutputHighWater) {
    std::string_view pending(in_.data() + in_begin_, in_end_ - in_begin_);
    protocol::ParseStatus status = parser_.parse(pending);
    if (status == protocol::ParseStatus::kIncomplete) break;
    if (status == protocol::ParseStatus::kError) {
      spdlog::debug("client {} protocol error: {}", peer_, parser_.error());
      reply_.error(parser_.error());
      closing_ = true;
      break;
    }
    if (!parser_.args().empty()) {
      table.execute(parser_.args(), reply_, client_, context_.keyspace, context_.live,
                    util::unix_time_ms());
      if (client_.close_after_reply) closing_ = true;
    }
    in_begin_ += parser_.consumed();
  }
}

void Connection::flush_or_read() {
  if (closed_) return;
  if (out_.empty()) {
    if (closing_) {
      close();
    } else {
      read();
    }
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(out_),
                    [self = shared_from_this()](const asio::error_code& ec, std::size_t) {
                      self->on_written(ec);
                    });
}

void Connection::on_written(const asio::error_code& ec) {
  writing_ = false;
  if (ec) {
    spdlog::debug("client {} write error: {}", peer_, ec.message());
    close();
    return;
  }
  out_.clear();
  if (out_.capacity() > kIdleBufferKeep) std::string().swap(out_);
  process();
  flush_or_read();
}

}  // namespace larder::server
