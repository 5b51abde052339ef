#pragma once
// The server-wide Pub/Sub registry: which clients listen to which channels,
// patterns and shard channels, and which clients MONITOR; and the delivery of
// messages to them, on whichever event loop each of them lives.
//
// Delivery. publish() encodes a message once and appends one entry per event
// loop that has receivers to that loop's mailbox; the loop drains its mailbox
// in a posted task and appends the message to each receiver's output
// (PushSink). A client's messages therefore come in publish order: one
// publish that returned before another started is ahead of it in every
// mailbox. Receiver lists are immutable snapshots (copy on write), so a
// publish costs one hash lookup, the pattern matches and one mailbox append
// per loop, whatever the number of subscribers.
//
// Threads and locks. Every public member is safe from any thread. Lock order:
// shard locks, then PubSub's registry lock, then a mailbox lock; nothing here
// takes a shard lock, and no PushSink runs under a registry or mailbox lock.
// So publish() may be called from any command on any loop, with shard locks
// held (keyspace notifications, client tracking).
//
// Memory. What waits in a client's output is bounded by its
// client-output-buffer-limit (the connection's job); what waits in a mailbox
// is bounded by congested(), which connections check after each command.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace larder::commands {

struct ClientState;
struct CommandContext;

// One message as it goes on the wire, encoded once for every receiver.
struct PushMessage {
  // The RESP2 bytes. A pub/sub message is an array ("*3\r\n..."), which a
  // RESP3 client gets as a push frame: the same bytes with '>' first.
  std::string bytes;
  bool push = true;  // false: the same bytes for every protocol (MONITOR lines)

  // Appends the message as a client speaking `resp` gets it.
  void append_to(std::string& out, int resp) const {
    if (push && resp == 3 && !bytes.empty()) {
      out.push_back('>');
      out.append(bytes, 1);
    } else {
      out.append(bytes);
    }
  }
};

// The receiving end of one client: its connection. Called only on the
// client's own loop, never under a PubSub lock.
class PushSink {
 public:
  virtual ~PushSink() = default;
  // Appends `message` to the client's pending output (checking its output
  // buffer limit); may be called during another client's command.
  virtual void push(const PushMessage& message) = 0;
  // Starts writing what push() appended; called between commands only.
  virtual void flush() = 0;
};

enum class SubKind { kChannel, kPattern, kShardChannel };

class PubSub {
 public:
  // Posts `task` to run on event loop `loop`.
  using LoopPost = std::function<void(int loop, std::function<void()> task)>;

  PubSub();
  ~PubSub();
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;

  // Sets up one mailbox per event loop; call before serving.
  void attach_loops(int count, LoopPost post);

  // Adds or removes one subscription of `client`, on the client's own loop.
  // The client's sets (ClientState::subs) say what it is subscribed to, and
  // these keep them: they return false when there was nothing to do.
  bool subscribe(ClientState& client, SubKind kind, std::string_view name);
  bool unsubscribe(ClientState& client, SubKind kind, std::string_view name);
  // Removes every subscription of `client` (RESET, close), and its MONITOR
  // when `monitor_too` (close).
  void forget(ClientState& client, bool monitor_too);

  // Sends `message` to the subscribers of `channel` and of the patterns it
  // matches; returns their number (a client counted once per matching
  // subscription, as Redis). Any thread, any locks held (see above).
  std::size_t publish(std::string_view channel, std::string_view message);
  // SPUBLISH: shard channels, no patterns.
  std::size_t publish_shard(std::string_view channel, std::string_view message);

  // Sends `message` to `client` alone (client tracking's invalidations),
  // through its loop's mailbox like any publish. Any thread.
  void deliver(const std::shared_ptr<ClientState>& client, std::shared_ptr<const PushMessage> message);

  // Runs `task` on event loop `loop` (through attach_loops' poster).
  void post(int loop, std::function<void()> task) { post_(loop, std::move(task)); }

  // MONITOR.
  void add_monitor(ClientState& client);
  bool has_monitors() const { return monitors_.load(std::memory_order_relaxed) != 0; }
  // Sends one line (a whole "+...\r\n" reply) to every monitor.
  void feed_monitors(std::string line);

  // PUBSUB CHANNELS / SHARDCHANNELS (no pattern: all), NUMSUB /
  // SHARDNUMSUB, NUMPAT; INFO's counts.
  std::vector<std::string> channels(SubKind kind, std::optional<std::string_view> pattern) const;
  std::size_t subscribers(SubKind kind, std::string_view channel) const;
  std::size_t count(SubKind kind) const;

  // True while some loop has more deliveries queued than it should: a
  // publishing connection then holds back its next commands for a moment,
  // so a loop that cannot keep up does not let its queue grow without bound.
  bool congested() const;

  // Runs the deliveries queued for `loop`, on that loop's thread. Called by
  // the posted drain task; a command that must see its own messages before
  // its reply (PUBLISH to itself over RESP3) calls it with flush_now false,
  // and the flush is then posted.
  void drain(int loop, bool flush_now = true);

 private:
  using Group = std::vector<std::shared_ptr<ClientState>>;
  // The receivers of one channel, pattern or of MONITOR, per loop.
  struct Receivers {
    std::vector<std::shared_ptr<const Group>> by_loop;  // null: none on that loop
    std::size_t count = 0;
  };
  struct Mailbox;
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Table = std::unordered_map<std::string, Receivers, NameHash, std::equal_to<>>;

  Table& table(SubKind kind) { return kind == SubKind::kChannel ? channels_ : kind == SubKind::kPattern ? patterns_ : shard_channels_; }
  const Table& table(SubKind kind) const { return const_cast<PubSub*>(this)->table(kind); }
  static void add(Receivers& r, ClientState& client);
  static void remove(Receivers& r, const ClientState& client);
  // Queues `message` for every receiver in `r`; the registry lock is held.
  void send(const Receivers& r, const std::shared_ptr<const PushMessage>& message);
  // Queues `message` for `to`, all on event loop `loop`.
  void enqueue(std::size_t loop, const std::shared_ptr<const PushMessage>& message, std::shared_ptr<const Group> to);

  mutable std::shared_mutex mutex_;
  Table channels_, patterns_, shard_channels_;
  Receivers monitor_receivers_;
  std::atomic<std::size_t> monitors_{0};
  std::vector<std::unique_ptr<Mailbox>> mailboxes_;
  LoopPost post_;
};

// Redis's message encodings (RESP2 bytes; PushMessage adapts them to RESP3).
std::string encode_message(std::string_view kind, std::string_view channel, std::string_view payload);
std::string encode_pmessage(std::string_view pattern, std::string_view channel, std::string_view payload);

// A RESP3 subscriber whose command published to it gets the messages before
// the command's reply, as from Redis (PUBLISH, a script): delivers what this
// loop has queued now. Not inside EXEC, where they would land inside EXEC's
// array; nor when CLIENT REPLY drops the reply, which would drop them with
// it (the loop delivers them after the command: the same bytes).
void deliver_own_messages(CommandContext& ctx);

}  // namespace larder::commands
