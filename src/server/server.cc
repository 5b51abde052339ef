#include "larder/server/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

#include "larder/util/clock.h"

namespace larder::server {

namespace {
// How long shutdown may spend flushing replies before it stops the loops.
constexpr auto kShutdownGrace = std::chrono::milliseconds(800);
// Budget of one active-expiry step, and the pause after a busy one.
constexpr auto kSweepBudget = std::chrono::milliseconds(1);
constexpr auto kBusySweepPause = std::chrono::milliseconds(1);
std::vector<std::unique_ptr<EventLoop>> make_loops(ServerContext& context, int count) {
  std::vector<std::unique_ptr<EventLoop>> loops;
  for (int i = 0; i < count; ++i) loops.push_back(std::make_unique<EventLoop>(context, i));
  return loops;
}

}  // namespace

Server::Server(const config::Options& options)
    : context_(options),
      loops_(make_loops(context_, options.threads)),
      sweeper_(context_.keyspace),
      sweep_timer_(loops_[0]->io()),
      signals_(loops_[0]->io(), SIGINT, SIGTERM) {}

Server::~Server() = default;

bool Server::listen() {
  for (const std::string& address : context_.options.bind) {
    asio::error_code ec;
    auto ip = asio::ip::make_address(address, ec);
    if (ec) {
      spdlog::error("bind {}: invalid address: {}", address, ec.message());
      return false;
    }
    asio::ip::tcp::endpoint endpoint(ip, static_cast<unsigned short>(context_.options.port));
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(loops_[0]->io());
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec && ip.is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      spdlog::error("could not listen on {}:{}: {}", address, context_.options.port, ec.message());
      return false;
    }
    acceptors_.push_back(std::move(acceptor));
  }
  return true;
}

void Server::accept(asio::ip::tcp::acceptor& acceptor) {
  EventLoop& target = *loops_[next_loop_];
  next_loop_ = (next_loop_ + 1) % loops_.size();
  acceptor.async_accept(target.io(), [this, &acceptor, &target](const asio::error_code& ec,
                                                                asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || context_.shutting_down) return;
    if (ec) {
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      asio::post(target.io(), [&target, s = std::move(socket)]() mutable { target.adopt(std::move(s)); });
    }
    accept(acceptor);
  });
}

void Server::schedule_sweep(std::chrono::steady_clock::duration delay) {
  sweep_timer_.expires_after(delay);
  sweep_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || context_.shutting_down) return;
    storage::SweepResult r = sweeper_.step(util::unix_time_ms(), {.time = kSweepBudget});
    if (r.busy()) {
      schedule_sweep(kBusySweepPause);
    } else {
      schedule_sweep(std::chrono::milliseconds(1000 / context_.options.hz));
    }
  });
}

void Server::begin_shutdown(int signal_number) {
  spdlog::warn("received {}, shutting down", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  context_.shutting_down = true;
  for (auto& acceptor : acceptors_) {
    asio::error_code ec;
    acceptor->close(ec);
  }
  sweep_timer_.cancel();
  for (auto& loop : loops_) {
    asio::post(loop->io(), [l = loop.get()] { l->close_all(); });
  }
  work_.clear();
}

int Server::run() {
  if (!listen()) return 1;
  const auto& o = context_.options;
  spdlog::info("Larder {} (Redis 7.0.15 compatible) pid={} port={} threads={} bind={}", LARDER_VERSION,
               ::getpid(), o.port, o.threads, fmt::join(o.bind, ","));

  for (auto& acceptor : acceptors_) accept(*acceptor);
  schedule_sweep(std::chrono::milliseconds(1000 / o.hz));

  std::promise<int> stop_signal;
  signals_.async_wait([this, &stop_signal](const asio::error_code& ec, int signal_number) {
    if (ec) return;
    begin_shutdown(signal_number);
    stop_signal.set_value(signal_number);
  });

  std::atomic<int> running{static_cast<int>(loops_.size())};
  std::vector<std::thread> threads;
  for (auto& loop : loops_) {
    work_.push_back(asio::make_work_guard(loop->io()));
    threads.emplace_back([&running, l = loop.get()] {
      try {
        l->io().run();
      } catch (const std::exception& e) {
        spdlog::critical("event loop {} failed: {}", l->index(), e.what());
      }
      --running;
    });
  }

  stop_signal.get_future().wait();
  const auto deadline = std::chrono::steady_clock::now() + kShutdownGrace;
  while (running > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (running > 0) {
    spdlog::warn("stopping {} event loop(s) with clients still flushing", running.load());
    for (auto& loop : loops_) loop->io().stop();
  }
  for (auto& t : threads) t.join();
  spdlog::info("Larder is now ready to exit, bye bye...");
  return 0;
}

}  // namespace larder::server
