#pragma once
// One client connection. Lives on one event loop and is touched only by that
// loop's thread. Reads, parses every complete command in its buffer, executes
// them in order through the loop's dispatcher, then writes all their replies
// with one write; it does not read again until that write has completed.
// A command that defers (KEYS) holds back the commands after it, and reads,
// until its steps, posted to the loop one at a time, have finished it.
// A command that blocks (BLPOP) holds back the commands after it until its
// reply arrives from the loop that served it, its timeout passes or CLIENT
// UNBLOCK ends it; reads go on meanwhile, so a disconnect is noticed.

#include <asio.hpp>
#include <memory>
#include <string>
#include <vector>

#include "larder/commands/client_state.h"
#include "larder/protocol/reply_builder.h"
#include "larder/protocol/resp_parser.h"
#include "larder/server/key_prefetcher.h"

namespace larder::server {

class EventLoop;
struct ServerContext;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::ip::tcp::socket socket, EventLoop& loop, ServerContext& context);
  ~Connection();

  void start();
  // Stops reading, sends the replies already computed, then closes.
  void shutdown();

 private:
  // Moves the connection along: runs complete commands, then writes their
  // replies, or reads more. The only place that starts reads and writes.
  void pump();
  // Runs every complete command in the read buffer (until the output is large,
  // CLIENT PAUSE holds a command back or a command defers).
  void process();
  // Posts one step of the client's deferred command, then pump().
  void post_step();
  // A blocked command's reply, handed over by whoever ended the wait; kept
  // until no write is in flight.
  void on_unblocked(std::string reply);
  void on_block_timeout();
  void read();
  void on_read(const asio::error_code& ec, std::size_t n);
  void on_written(const asio::error_code& ec, std::size_t n);
  void close();
  void reserve_read_space();

  asio::ip::tcp::socket socket_;
  EventLoop& loop_;
  ServerContext& context_;
  std::shared_ptr<commands::ClientState> client_;
  asio::steady_timer pause_timer_;
  asio::steady_timer block_timer_;
  asio::steady_timer step_timer_;  // holds a deferred command's step while a script runs
  std::string unblocked_reply_;
  bool unblocked_ = false;  // unblocked_reply_ waits to be finished
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
  std::string out_;  // replies; not touched while a write is in flight
  protocol::RespParser parser_;
  protocol::ReplyBuilder reply_;
  KeyPrefetcher prefetcher_;
  bool reading_ = false;
  bool writing_ = false;
  bool paused_ = false;
  bool step_posted_ = false;
  bool closing_ = false;
  // A command of this client is running: a busy script serves other
  // clients from inside it, and a close requested meanwhile waits for it.
  bool dispatching_ = false;
  bool closed_ = false;
};

}  // namespace larder::server
