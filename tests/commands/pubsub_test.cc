#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "larder/commands/client_state.h"
#include "larder/commands/pubsub.h"

using larder::commands::ClientState;
using larder::commands::PubSub;
using larder::commands::PushMessage;
using larder::commands::PushSink;
using larder::commands::SubKind;

namespace {

struct Sink : PushSink {
  std::string got;
  int flushes = 0;
  void push(const PushMessage& m) override { m.append_to(got, 2); }
  void flush() override { ++flushes; }
};

// Two event loops whose posted tasks the test runs by hand.
struct Loops {
  std::vector<std::vector<std::function<void()>>> tasks{2};
  PubSub pubsub;
  Loops() {
    pubsub.attach_loops(2, [this](int loop, std::function<void()> t) { tasks[loop].push_back(std::move(t)); });
  }
  void run(int loop) {
    while (!tasks[loop].empty()) {
      auto batch = std::move(tasks[loop]);
      tasks[loop].clear();
      for (auto& t : batch) t();
    }
  }
};

std::shared_ptr<ClientState> client_on(int loop, Sink& sink) {
  auto c = std::make_shared<ClientState>();
  c->loop = loop;
  c->push_sink = &sink;
  return c;
}

}  // namespace

TEST_CASE("PubSub delivers on each subscriber's loop, in publish order", "[pubsub]") {
  Loops l;
  Sink s0, s1;
  auto c0 = client_on(0, s0);
  auto c1 = client_on(1, s1);
  CHECK(l.pubsub.subscribe(*c0, SubKind::kChannel, "ch"));
  CHECK_FALSE(l.pubsub.subscribe(*c0, SubKind::kChannel, "ch"));
  CHECK(l.pubsub.subscribe(*c1, SubKind::kChannel, "ch"));
  CHECK(l.pubsub.subscribe(*c1, SubKind::kPattern, "c*"));
  CHECK(l.pubsub.publish("ch", "1") == 3);
  CHECK(l.pubsub.publish("ch", "2") == 3);
  // One drain task per loop, whatever the number of messages.
  CHECK(l.tasks[0].size() == 1);
  CHECK(l.tasks[1].size() == 1);
  CHECK(s1.got.empty());
  l.run(1);
  CHECK(s1.got == larder::commands::encode_message("message", "ch", "1") +
                      larder::commands::encode_pmessage("c*", "ch", "1") +
                      larder::commands::encode_message("message", "ch", "2") +
                      larder::commands::encode_pmessage("c*", "ch", "2"));
  CHECK(s1.flushes == 1);
  CHECK(s0.got.empty());
  l.run(0);
  CHECK(s0.got == larder::commands::encode_message("message", "ch", "1") +
                      larder::commands::encode_message("message", "ch", "2"));
  CHECK(l.pubsub.subscribers(SubKind::kChannel, "ch") == 2);
  CHECK(l.pubsub.count(SubKind::kPattern) == 1);
}

TEST_CASE("PubSub forgets clients, and a closed client gets nothing", "[pubsub]") {
  Loops l;
  Sink s0;
  auto c0 = client_on(0, s0);
  l.pubsub.subscribe(*c0, SubKind::kChannel, "a");
  l.pubsub.subscribe(*c0, SubKind::kShardChannel, "a");
  l.pubsub.add_monitor(*c0);
  CHECK(l.pubsub.has_monitors());
  CHECK(l.pubsub.publish("a", "queued") == 1);
  c0->push_sink = nullptr;  // the connection closed before the delivery ran
  l.pubsub.forget(*c0, true);
  l.run(0);
  CHECK(s0.got.empty());
  CHECK_FALSE(l.pubsub.has_monitors());
  CHECK(l.pubsub.publish("a", "x") == 0);
  CHECK(l.pubsub.publish_shard("a", "x") == 0);
  CHECK(l.pubsub.count(SubKind::kChannel) == 0);
  CHECK(l.pubsub.count(SubKind::kShardChannel) == 0);
  CHECK(c0->sub_channels == 0);
  CHECK_FALSE(c0->in_pubsub_mode());
}

TEST_CASE("PubSub publish from several threads keeps each publisher's order", "[pubsub]") {
  Loops l;
  Sink s;
  auto c = client_on(1, s);
  l.pubsub.subscribe(*c, SubKind::kChannel, "t");
  constexpr int kPerThread = 2000;
  auto publisher = [&](char tag) {
    for (int i = 0; i < kPerThread; ++i) l.pubsub.publish("t", std::string(1, tag) + std::to_string(i));
  };
  std::thread a(publisher, 'a'), b(publisher, 'b');
  a.join();
  b.join();
  l.run(1);
  int next_a = 0, next_b = 0;
  const std::string head = "*3\r\n$7\r\nmessage\r\n$1\r\nt\r\n$";
  for (std::size_t at = 0; at < s.got.size();) {
    REQUIRE(s.got.compare(at, head.size(), head) == 0);
    at += head.size();
    const std::size_t crlf = s.got.find("\r\n", at);
    const std::size_t len = std::stoul(s.got.substr(at, crlf - at));
    const std::string payload = s.got.substr(crlf + 2, len);
    at = crlf + 2 + len + 2;
    int& next = payload[0] == 'a' ? next_a : next_b;
    REQUIRE(std::stoi(payload.substr(1)) == next);
    ++next;
  }
  CHECK(next_a == kPerThread);
  CHECK(next_b == kPerThread);
}

TEST_CASE("PubSub reports congestion while a loop's queue is long", "[pubsub]") {
  Loops l;
  Sink s;
  auto c = client_on(1, s);
  l.pubsub.subscribe(*c, SubKind::kChannel, "q");
  for (int i = 0; i < 70000 && !l.pubsub.congested(); ++i) l.pubsub.publish("q", "m");
  CHECK(l.pubsub.congested());
  l.run(1);
  CHECK_FALSE(l.pubsub.congested());
}
