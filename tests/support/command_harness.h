#pragma once
// Runs commands in-process through the real dispatcher and command table
// against a private keyspace, with a clock the test moves. Each run returns
// the reply's raw RESP bytes. Several clients can be simulated (WATCH tests).

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "larder/commands/dispatcher.h"
#include "larder/config/live_config.h"
#include "larder/storage/keyspace.h"

namespace larder::testing {

class CommandHarness {
 public:
  // `directives`: settings other than the defaults, e.g. {{"enable-debug-command", "yes"}}.
  explicit CommandHarness(int databases = 16,
                          std::initializer_list<std::pair<std::string_view, std::string_view>> directives = {})
      : config_(settings_with(databases, directives)),
        services_(config_),
        keyspace_(databases),
        dispatcher_(commands::CommandTable::instance(), keyspace_, services_, stats_) {
    services_.loop_stats.push_back(&stats_);
    // One event loop, whose posted tasks (Pub/Sub deliveries) run after each command.
    services_.pubsub.attach_loops(1, [this](int, std::function<void()> task) { posted_.push_back(std::move(task)); });
    services_.start_time_ms = now_ms_;
    services_.evictor = std::make_unique<storage::Evictor>(keyspace_);
    services_.persistence = std::make_unique<persistence::Persistence>(keyspace_, services_.config, 0);
    commands::sync_access_policy(config_, keyspace_);
    keyspace_.key_events().set_sink(&services_.events);
    commands::sync_key_events(config_, keyspace_);
    config_.on_change = [this](const config::Settings&) {
      commands::sync_access_policy(config_, keyspace_);
      commands::sync_key_events(config_, keyspace_);
    };
    add_client();
  }

  // Adds a client and returns its index (client 0 exists from the start).
  std::size_t add_client() {
    auto c = std::make_unique<Client>();
    c->state->id = services_.clients.next_id();
    c->state->addr = "127.0.0.1:" + std::to_string(40000 + clients_.size());
    c->state->laddr = "127.0.0.1:6379";
    c->state->created_ms = now_ms_;
    c->state->user = services_.acl.default_slot();
    c->state->authenticated = !services_.acl.auth_required();
    services_.clients.add(c->state);
    clients_.push_back(std::move(c));
    return clients_.size() - 1;
  }

  std::string run(std::initializer_list<std::string_view> args) { return run_as(0, args); }
  std::string run(const std::vector<std::string_view>& args) { return run_as(0, args); }
  std::string run_as(std::size_t client, std::initializer_list<std::string_view> args) {
    return run_as(client, std::vector<std::string_view>(args));
  }
  std::string run_as(std::size_t client, const std::vector<std::string_view>& args) {
    Client& c = *clients_.at(client);
    c.out.clear();
    c.sink.live = &c.out;  // pushes during its own command land in its reply stream
    dispatcher_.dispatch(args, *c.state, c.reply, now_ms_);
    c.sink.live = nullptr;
    run_posted();
    return c.out;
  }

  // Runs the tasks posted to the loop (deliveries), and those they post.
  void run_posted() {
    while (!posted_.empty()) {
      auto tasks = std::move(posted_);
      posted_.clear();
      for (auto& t : tasks) t();
    }
  }
  // What Pub/Sub and MONITOR delivered to `client` since the last call.
  std::string take_pushes(std::size_t client = 0) { return std::exchange(clients_.at(client)->sink.pushed, {}); }

  // A command of `client` that deferred (KEYS) and is not finished yet.
  bool deferred(std::size_t client = 0) { return clients_.at(client)->state->deferred != nullptr; }
  // Finishes the client's deferred command in steps whose deadline has
  // already passed, calling between() after each step that did not finish
  // it; returns the reply bytes the steps wrote.
  template <class Between>
  std::string finish_as(std::size_t client, Between&& between) {
    Client& c = *clients_.at(client);
    c.out.clear();
    while (!dispatcher_.resume(*c.state, c.reply, std::chrono::steady_clock::now())) between();
    return c.out;
  }
  std::string finish(std::size_t client = 0) {
    return finish_as(client, [] {});
  }

  // Evicts until memory is within maxmemory, as the server's eviction timer
  // goes on to do after a command's 1 ms budget ran out (a loaded machine).
  void finish_eviction() { services_.make_room(now_ms_, std::chrono::hours(1)); }

  void advance(std::int64_t ms) { now_ms_ += ms; }
  std::int64_t now() const { return now_ms_; }
  storage::Keyspace& keyspace() { return keyspace_; }
  commands::ClientState& client(std::size_t i = 0) { return *clients_.at(i)->state; }
  // Stands in for client i's connection as other threads reach it: CLIENT
  // KILL calls on_close, a blocked command's reply goes to on_deliver.
  void link(std::size_t i, std::function<void()> on_close, std::function<void(std::string)> on_deliver = {}) {
    auto l = std::make_shared<Link>();
    l->on_close = std::move(on_close);
    l->on_deliver = std::move(on_deliver);
    clients_.at(i)->link = l;
    clients_.at(i)->state->link = l;
  }
  commands::ServerServices& services() { return services_; }
  config::LiveConfig& config() { return config_; }

 private:
  // Collects a client's pushes, as its connection would send them.
  struct Sink : commands::PushSink {
    const commands::ClientState* state = nullptr;
    std::string pushed;
    std::string* live = nullptr;
    void push(const commands::PushMessage& m) override {
      m.append_to(live != nullptr ? *live : pushed, state->resp.load());
    }
    void flush() override {}
  };
  struct Link final : commands::ClientLink {
    std::function<void()> on_close;
    std::function<void(std::string)> on_deliver;
    void request_close(std::shared_ptr<commands::ClientLink>) override {
      if (on_close) on_close();
    }
    void deliver_unblocked(std::shared_ptr<commands::ClientLink>, std::string reply) override {
      if (on_deliver) on_deliver(std::move(reply));
    }
  };
  struct Client {
    Client() {
      sink.state = state.get();
      state->push_sink = &sink;
    }
    std::shared_ptr<commands::ClientState> state = std::make_shared<commands::ClientState>();
    std::shared_ptr<Link> link;
    std::string out;
    protocol::ReplyBuilder reply{out};
    Sink sink;
  };

  static config::Settings settings_with(
      int databases, std::initializer_list<std::pair<std::string_view, std::string_view>> directives) {
    config::Settings s;
    s.set("databases", {std::to_string(databases)});
    for (const auto& [name, value] : directives) s.set(name, {std::string(value)});
    return s;
  }

  std::int64_t now_ms_ = 1'700'000'000'000;
  config::LiveConfig config_;
  commands::ServerServices services_;
  commands::ServerStats stats_;
  storage::Keyspace keyspace_;
  commands::Dispatcher dispatcher_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<std::function<void()>> posted_;
};

}  // namespace larder::testing
