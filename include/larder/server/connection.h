#pragma once
// One client connection. Lives on one event loop and is touched only by that
// loop's thread. Reads, parses every complete command in its buffer, executes
// them in order through the loop's dispatcher, then writes all their replies
// with one write (plain TCP: when the loop's round of ready sockets ends, see
// EventLoop::defer_write); it does not read again until that write has
// completed.
// A command that defers (KEYS) holds back the commands after it, and reads,
// until its steps, posted to the loop one at a time, have finished it.
// A command that blocks (BLPOP) holds back the commands after it until its
// reply arrives from the loop that served it, its timeout passes or CLIENT
// UNBLOCK ends it; reads go on meanwhile, so a disconnect is noticed.
// Pub/Sub messages and MONITOR lines arrive through push() (PushSink), on
// this loop, between commands; they wait in a backlog while a write is in
// flight or a deferred command is writing its reply, and count against the
// client's client-output-buffer-limit.

// The transport is a template parameter: plain TCP connections are compiled
// with their tuned read path alone (PlainTransport), TLS ones
// (TlsTransport) read and write through asio::ssl::stream.

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <memory>
#include <string>
#include <vector>

#include "larder/commands/client_state.h"
#include "larder/commands/pubsub.h"
#include "larder/protocol/reply_builder.h"
#include "larder/protocol/resp_parser.h"
#include "larder/server/event_loop.h"

namespace larder::server {

struct ServerContext;

// What the event loop sees of a connection, whatever its transport. These
// virtuals share the vtable PushSink already has: no per-connection bytes.
class Connection : public std::enable_shared_from_this<Connection>,
                   public commands::PushSink,
                   public commands::ClientLink {
 public:
  virtual void start() = 0;
  // Stops reading, sends the replies already computed, then closes.
  virtual void shutdown() = 0;
  // True when the client may be closed for idleness (`timeout`): nothing read
  // since `deadline_ms`, not blocked in a command, not subscribed and not in
  // MONITOR (Redis's clientsCronHandleTimeout).
  virtual bool idle_since(std::int64_t deadline_ms) const = 0;
  virtual void close_idle() = 0;
  // Frees the input and output buffers of a connection waiting with nothing
  // pending, as Redis shrinks idle clients' query buffers. Returns the bytes.
  // An input buffer a read is pending on is freed by that read's handler,
  // which the loop runs before any handler posted after this call.
  virtual std::size_t release_idle_buffers() = 0;
  // Writes the replies EventLoop::defer_write() held for the round's end.
  virtual void write_deferred() = 0;

 private:
  friend class EventLoop;
  // Links of the loop's list of its connections (EventLoop::adopt, forget).
  Connection* loop_prev_ = nullptr;
  Connection* loop_next_ = nullptr;
};

// Plain TCP: reads are tried on the non-blocking socket and an idle
// connection waits for readiness holding no buffer.
struct PlainTransport {
  static constexpr bool kTls = false;
  explicit PlainTransport(LoopSocket s) : socket(std::move(s)) {}
  LoopSocket& tcp() { return socket; }
  LoopSocket socket;
};

// TLS: a handshake first (with a deadline), then asynchronous reads and
// writes of the stream. Holds the context it was accepted with, so a CONFIG
// SET that builds a new one leaves it alone.
struct TlsTransport {
  static constexpr bool kTls = true;
  // `verify`: from tls-auth-clients when the connection was accepted.
  TlsTransport(LoopSocket s, std::shared_ptr<asio::ssl::context> ctx, asio::ssl::verify_mode verify)
      : context(std::move(ctx)), stream(std::move(s), *context), handshake_timer(stream.get_executor()) {
    stream.set_verify_mode(verify);
  }
  LoopSocket& tcp() { return stream.next_layer(); }
  std::shared_ptr<asio::ssl::context> context;
  asio::ssl::stream<LoopSocket> stream;
  asio::steady_timer handshake_timer;
};

template <class Transport>
class BasicConnection final : public Connection {
 public:
  template <class... TransportArgs>
  BasicConnection(LoopSocket socket, EventLoop& loop, ServerContext& context, TransportArgs&&... args);
  ~BasicConnection() override;

  void start() override;
  void shutdown() override;
  bool idle_since(std::int64_t deadline_ms) const override;
  void close_idle() override;
  std::size_t release_idle_buffers() override;
  void write_deferred() override;

  // PushSink.
  void push(const commands::PushMessage& message) override;
  void flush() override { pump(); }

  // ClientLink.
  void request_close(std::shared_ptr<commands::ClientLink> self) override;
  void deliver_unblocked(std::shared_ptr<commands::ClientLink> self, std::string reply) override;

 private:
  std::shared_ptr<BasicConnection> self() {
    return std::static_pointer_cast<BasicConnection>(shared_from_this());
  }
  LoopSocket& tcp() { return transport_.tcp(); }
  // After the transport is ready (a TLS handshake done): registers the
  // client and starts serving it.
  void serve();
  // TLS: the handshake, closed after kHandshakeTimeout or on failure.
  void handshake();
  // Moves the connection along: runs complete commands, then writes their
  // replies, or reads more. The only place that starts reads and writes.
  void pump();
  // Runs every complete command in the read buffer (until the output is large,
  // CLIENT PAUSE holds a command back or a command defers).
  void process();
  // Runs no command for a millisecond, then pump(): a publisher while Pub/Sub
  // deliveries are congested (PubSub::congested()).
  void hold_back();
  // While CLIENT PAUSE holds this client's command: checks every
  // kPauseRetryMs (or at the deadline) whether the pause is over, and then
  // lets every held client go (PauseState::release).
  void check_pause(std::int64_t now);
  // Released: runs the held command again.
  void resume_postponed();
  // Posts one step of the client's deferred command, then pump().
  void post_step();
  // A blocked command's reply, handed over by whoever ended the wait; kept
  // until no write is in flight.
  void on_unblocked(std::string reply);
  // Times the block out at its deadline (in pieces of kMaxTimerMs);
  // `seq` tells this block's timer from a stale one.
  void arm_block_timer(std::uint64_t seq, std::int64_t now);
  void on_block_timeout();
  // Reads what has arrived, or waits for more: an asynchronous read into the
  // input buffer (TLS, or plain with a buffer), else wait_readable().
  void read();
  void wait_readable();
  // Plain: a non-blocking read into the input buffer; false when nothing had
  // arrived. Errors (no_memory when the buffer cannot grow) count as having read.
  bool receive(asio::error_code& ec, std::size_t& n);
  void on_read(const asio::error_code& ec, std::size_t n);
  void on_written(const asio::error_code& ec, std::size_t n);
  void close();
  // Leaves the registries other clients' commands read (Pub/Sub and
  // MONITOR, tracking, the client list); takes no shard lock. Again is a no-op.
  void detach();
  // Makes room for a read of at least `need` bytes (and read_space_); false
  // when memory for it cannot be had.
  bool reserve_read_space(std::size_t need);
  // Frees the input buffer if it holds no unparsed bytes.
  void drop_input_buffer();
  void set_keepalive();
  // Pending output bytes (CLIENT LIST omem): replies, pushes, and what a
  // deferred command holds for them.
  std::size_t pending_output() const {
    return out_.size() + sending_.size() + backlog_.size() +
           (client_->deferred != nullptr ? client_->deferred->continuation->held_bytes() : 0);
  }
  // After the output changed: omem, then account_memory().
  void note_output();
  // After the buffers changed: ClientState::memory and the loop's gauge
  // follow, and client eviction checks its limit when they grew.
  void account_memory();
  // Redis's checkClientOutputBufferLimits: true, after scheduling the close,
  // when the client passed its class's hard limit or stayed over the soft
  // limit longer than allowed.
  bool over_output_limit();

  Transport transport_;
  EventLoop& loop_;
  ServerContext& context_;
  std::shared_ptr<commands::ClientState> client_;
  // Created on first use: most clients never pause, block or wait for a script.
  std::unique_ptr<asio::steady_timer> pause_timer_;
  std::unique_ptr<asio::steady_timer> block_timer_;
  std::unique_ptr<asio::steady_timer> step_timer_;  // holds a deferred command's step while a script runs
  std::uint64_t block_seq_ = 0;  // tells a stale timeout from the current block's

  // Read buffer from std::malloc, so that it grows with realloc (no copy of
  // a huge request) and a big one is freed off the loop. Bytes
  // [in_begin_, in_end_) of [0, in_size_) are unparsed.
  struct FreeBuffer {
    void operator()(char* p) const;
  };
  std::unique_ptr<char, FreeBuffer> in_;
  std::size_t in_size_ = 0;
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  std::size_t read_space_;  // the least a read is offered (kMinReadSpace..kReadChunk)
  std::string out_;  // replies (and pushes) not yet handed to the socket
  std::string sending_;  // the bytes of the write in flight
  std::string backlog_;  // pushes that came while a deferred command writes out_
  std::int64_t soft_limit_since_s_ = 0;  // unix seconds; 0: under the soft limit
  bool dropped_ = false;  // over its output limit: closing, takes no more output
  protocol::RespParser parser_;
  protocol::ReplyBuilder reply_;
  bool reading_ = false;  // a read or a wait for input is in flight
  bool buffer_read_ = false;  // ... and it is an async_read_some into in_
  bool releasing_ = false;  // that read was cancelled to free the buffer
  bool writing_ = false;
  bool write_deferred_ = false;  // replies wait for the loop's round to end
  bool paused_ = false;
  bool postponed_ = false;  // CLIENT PAUSE holds a command (and paused_) until released
  bool unblocked_ = false;  // client_->blocked->reply waits to be finished
  bool step_posted_ = false;
  bool closing_ = false;
  // A command of this client is running: a busy script serves other
  // clients from inside it, and a close requested meanwhile waits for it.
  bool dispatching_ = false;
  bool killed_ = false;  // request_close(): close as soon as no command of its own runs
  bool closed_ = false;
};

using PlainConnection = BasicConnection<PlainTransport>;
using TlsConnection = BasicConnection<TlsTransport>;

}  // namespace larder::server
