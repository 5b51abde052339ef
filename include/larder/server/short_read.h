#pragma once
// ShortReadDrains: a one-buffer MutableBufferSequence for async_read_some
// on a TCP socket whose short read tells Asio's reactor the socket is
// drained, as nginx treats a short recv under edge-triggered epoll.
//
// Asio 1.22's reactor retries the recv of every new async_read_some at once
// (a speculative read) unless the last one reported the socket exhausted,
// which it does only at EOF. A connection that reads a pipelined batch,
// answers it and reads again so pays one recv per batch that finds nothing
// (EAGAIN): 125k recv per 62.5k batches under redis-benchmark -P 16, where
// Redis makes one read per batch. With this buffer a recv that fills less
// than it was offered reports done_and_exhausted: the next read waits for
// the next epoll event. That is safe under EPOLLET for data: a short recv
// leaves the receive queue empty (under the socket lock), so data arriving
// after it raises a new edge. Not for a FIN that came with the data: the
// next recv would see EOF, but no edge comes. A connection then left
// waiting for the rest of a command is probed once a second
// (BasicConnection::release_idle_buffers); one that answers writes, which
// a closed peer resets. Only the epoll reactor of this Asio version is
// specialised; elsewhere the buffer behaves like asio::mutable_buffer.

#include <asio.hpp>

namespace larder::server {

struct ShortReadDrains {
  asio::mutable_buffer buffer;

  const asio::mutable_buffer* begin() const { return &buffer; }
  const asio::mutable_buffer* end() const { return &buffer + 1; }
};

}  // namespace larder::server

#if ASIO_VERSION == 102201 && defined(ASIO_HAS_EPOLL)
namespace asio::detail {

// Replaces the generic recv op's perform step for ShortReadDrains only.
template <>
class reactive_socket_recv_op_base<larder::server::ShortReadDrains> : public reactor_op {
 public:
  reactive_socket_recv_op_base(const asio::error_code& success_ec, socket_type socket,
                               socket_ops::state_type state, const larder::server::ShortReadDrains& buffers,
                               socket_base::message_flags flags, func_type complete_func)
      : reactor_op(success_ec, &reactive_socket_recv_op_base::do_perform, complete_func),
        socket_(socket),
        state_(state),
        buffers_(buffers),
        flags_(flags) {}

  static status do_perform(reactor_op* base) {
    auto* o = static_cast<reactive_socket_recv_op_base*>(base);
    const bool stream = (o->state_ & socket_ops::stream_oriented) != 0;
    if (!socket_ops::non_blocking_recv1(o->socket_, o->buffers_.buffer.data(), o->buffers_.buffer.size(),
                                        o->flags_, stream, o->ec_, o->bytes_transferred_)) {
      return not_done;
    }
    // EOF, an error, or fewer bytes than offered: nothing is left to read.
    if (stream && (o->ec_ || o->bytes_transferred_ < o->buffers_.buffer.size())) return done_and_exhausted;
    return done;
  }

 private:
  socket_type socket_;
  socket_ops::state_type state_;
  larder::server::ShortReadDrains buffers_;
  socket_base::message_flags flags_;
};

}  // namespace asio::detail
#endif
