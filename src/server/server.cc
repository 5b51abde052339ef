#include "larder/server/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <random>
#include <stdexcept>
#include <thread>

#include "larder/commands/scripting.h"
#include "larder/server/fd_limit.h"
#include "larder/server/logging.h"
#include "larder/persistence/shutdown.h"
#include "larder/server/metrics_server.h"
#include "larder/server/tls.h"
#include "larder/storage/memory_usage.h"
#include "larder/util/clock.h"
#include "larder/util/memory.h"
#include "larder/util/strings.h"

namespace larder::server {

namespace {
// How long shutdown may spend flushing replies before it stops the loops.
constexpr auto kShutdownGrace = std::chrono::milliseconds(800);
// Background work (active expiry, eviction after maxmemory was lowered) runs
// in slices this short, kSweepGap apart, and clients are served between
// slices: a GET waits at most one slice, and the loop leaves the CPU mostly
// idle for others. While keys expire in bulk the slices go on (10% of the
// time); otherwise a sweep cycle (one per hz tick) is at most kQuietSlices.
// (Back-to-back slices finish a storm sooner but, on a small machine, steal
// the CPU the clients need: p99 got worse.)
constexpr auto kSweepSlice = std::chrono::microseconds(10);
constexpr auto kSweepGap = std::chrono::microseconds(90);
constexpr int kQuietSlices = 25;
// Bucket slots of tables left halfway through a resize moved per rehash
// slice (a split rehashes about two keys per slot): a few microseconds,
// kSweepGap apart while resizes are found, else once per hz tick.
constexpr std::size_t kRehashSlots = 32;
// Once the keyspace has shrunk by this much, freed heap pages go back to the OS.
constexpr std::size_t kReleaseAfterFreeing = 1024 * 1024;
// Big blocks give their pages back as they are freed (util::free_releasing)
// once the keyspace is a sixteenth below the mark it shrinks from (at most
// this much, at least kReleaseAfterFreeing), until it has made no new low
// for kSteadyCrons crons (a second): memory freed then is reused.
constexpr std::size_t kReleaseOnFreeAfter = 32 * 1024 * 1024;
constexpr int kSteadyCrons = 10;
// The trim waits for this many crons without a new low; after a shrink that
// went back as it was freed, it runs only while the allocator has fewer free
// chunks than kTrimMaxChunks (one madvise each, about 5 µs, under the lock).
constexpr int kTrimAfterSteadyCrons = 3;
constexpr std::size_t kTrimMaxChunks = 2000;
// A failed accept (out of descriptors) is retried after this long, and
// reported at most once per kAcceptWarnEvery.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
// How often a saving shutdown looks again whether the running script ended.
constexpr auto kExitRetry = std::chrono::milliseconds(10);
constexpr auto kAcceptWarnEvery = std::chrono::seconds(1);
// Save points and scheduled BGSAVEs are checked, and INFO's instantaneous
// rates sampled, this often (as Redis's serverCron does every 100 ms).
constexpr auto kCronPeriod = std::chrono::milliseconds(100);
// 40 random hex characters, like Redis's run_id.
std::string make_run_id() {
  std::random_device rd;
  std::string id;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 40; ++i) id += kHex[rd() % 16];
  return id;
}

std::vector<std::unique_ptr<EventLoop>> make_loops(ServerContext& context, int count) {
  std::vector<std::unique_ptr<EventLoop>> loops;
  for (int i = 0; i < count; ++i) loops.push_back(std::make_unique<EventLoop>(context, i));
  return loops;
}

}  // namespace

Server::Server(const config::Settings& settings, const config::Options& options, Supervision supervision)
    : context_(settings, options),
      loops_(make_loops(context_, options.threads)),
      sweeper_(context_.keyspace),
      defragmenter_(context_.keyspace),
      rehasher_(context_.keyspace),
      sweep_timer_(loops_[0]->io()),
      rehash_timer_(loops_[0]->io()),
      cron_timer_(loops_[0]->io()),
      exit_retry_timer_(loops_[0]->io()),
      signals_(signal_io_, SIGINT, SIGTERM),
      signal_work_(asio::make_work_guard(signal_io_)),
      supervision_(std::move(supervision)) {
  context_.keyspace.set_single_owner(options.threads == 1);
  util::cycles_to_us(0);  // calibrates the command timer now, not on the first command
  util::tune_allocator();
  commands::ServerServices& services = context_.services;
  for (auto& loop : loops_) services.loop_stats.push_back(&loop->stats());
  services.pubsub.attach_loops(static_cast<int>(loops_.size()), [this](int loop, std::function<void()> task) {
    asio::post(loops_[static_cast<std::size_t>(loop)]->io(), std::move(task));
  });
  services.start_time_ms = util::unix_time_ms();
  services.run_id = make_run_id();
  services.tcp_port = options.port != 0 ? options.port : options.tls_port;  // as Redis's INFO
  services.config_file = options.config_file.empty()
                             ? std::string()
                             : std::filesystem::absolute(options.config_file).string();
  util::record_startup_allocated();
  services.startup_memory = util::startup_allocated_bytes();
  services.evictor = std::make_unique<storage::Evictor>(context_.keyspace);
  services.persistence = std::make_unique<persistence::Persistence>(context_.keyspace, context_.live,
                                                                    services.start_time_ms);
  // Function libraries are saved and loaded with the keys, as Redis's.
  services.persistence->saved_functions = [&services] {
    std::vector<std::string> codes;
    for (const auto& [name, lib] : services.scripting.functions.snapshot()) codes.push_back(lib.code);
    return codes;
  };
  services.persistence->load_functions = [&services](const std::vector<std::string>& codes, bool flush_first,
                                                     bool replace) {
    return commands::load_saved_libraries(services, codes, flush_first, replace);
  };
  if (context_.keyspace.single_owner()) {
    services.persistence->run_on_owner = [this](std::function<void()> task) {
      asio::post(loops_[0]->io(), std::move(task));
    };
  }
  commands::sync_access_policy(context_.live, context_.keyspace);
  context_.live.apply = [this](const config::Settings& s, const std::vector<std::string>& changed) {
    const auto named = [&](std::string_view d) {
      return std::any_of(changed.begin(), changed.end(), [&](const std::string& c) { return util::iequals(c, d); });
    };
    if (named("maxclients")) {
      const auto wanted = static_cast<std::size_t>(config::integer_value(s.get("maxclients")));
      if (const std::size_t fit = maxclients_that_fit(wanted); fit != 0) {
        throw config::ConfigError("maxclients",
                                  "The operating system is not able to handle the specified number of clients, "
                                  "try with " + std::to_string(fit));
      }
    }
    apply_tls_settings(s, changed);
  };
  context_.keyspace.key_events().set_sink(&services.events);
  commands::sync_key_events(context_.live, context_.keyspace);
  acl::set_pubsub_default(context_.live.get("acl-pubsub-default") == "allchannels");
  context_.live.on_change = [this](const config::Settings& s) {
    spdlog::set_level(log_level(s.get("loglevel")));
    acl::set_pubsub_default(s.get("acl-pubsub-default") == "allchannels");
    commands::sync_access_policy(context_.live, context_.keyspace);
    commands::sync_key_events(context_.live, context_.keyspace);
  };
  std::error_code ec;
  services.executable = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  services.shutdown = [this](const commands::ShutdownRequest&) {
    asio::post(loops_[0]->io(), [this] { begin_shutdown("SHUTDOWN", false, true); });
    return true;
  };
}

Server::~Server() = default;

// Addresses as redis.conf writes them: "*" is every IPv4 address, "::*" every
// IPv6 one, and a leading '-' marks an address that may be unavailable.
bool Server::open_listeners(int port, bool tls, std::vector<std::shared_ptr<Listener>>& out) {
  const std::size_t before = out.size();
  for (std::string address : context_.options.bind) {
    const bool optional = !address.empty() && address[0] == '-';
    if (optional) address.erase(0, 1);
    if (address == "*") address = "0.0.0.0";
    if (address == "::*") address = "::";
    asio::error_code ec;
    auto ip = asio::ip::make_address(address, ec);
    asio::ip::tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
    auto listener = std::make_shared<Listener>(
        Listener{asio::ip::tcp::acceptor(loops_[0]->io()), asio::steady_timer(loops_[0]->io()), tls});
    asio::ip::tcp::acceptor& acceptor = listener->acceptor;
    if (!ec) acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec && ip.is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      if (optional) {
        spdlog::warn("skipping optional bind address {}: {}", address, ec.message());
        continue;
      }
      spdlog::error("could not listen on {}:{}{}: {}", address, port, tls ? " (tls-port)" : "", ec.message());
      out.resize(before);
      return false;
    }
    out.push_back(std::move(listener));
  }
  if (out.size() == before) {
    spdlog::error("no address to listen on (bind)");
    return false;
  }
  return true;
}

bool Server::listen() {
  const auto& o = context_.options;
  const std::string unix_path = context_.live.get("unixsocket");
  if (o.port == 0 && o.tls_port == 0 && unix_path.empty()) {
    spdlog::error("Configured to not listen anywhere, exiting.");
    return false;
  }
  return (o.port == 0 || open_listeners(o.port, false, listeners_)) &&
         (o.tls_port == 0 || open_listeners(o.tls_port, true, listeners_)) &&
         (unix_path.empty() || open_unix_listener(unix_path));
}

bool Server::open_unix_listener(const std::string& path) {
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    spdlog::error("Failed opening Unix socket: unix socket path too long ({}), must be under {}", path.size(),
                  sizeof(sockaddr_un::sun_path));
    return false;
  }
  ::unlink(path.c_str());  // a file left by an earlier run; whether there was one does not matter
  auto listener = std::make_shared<UnixListener>(UnixListener{
      asio::local::stream_protocol::acceptor(loops_[0]->io()), asio::steady_timer(loops_[0]->io()), path});
  asio::error_code ec;
  listener->acceptor.open(asio::local::stream_protocol(), ec);
  if (!ec) listener->acceptor.bind(asio::local::stream_protocol::endpoint(path), ec);
  const auto perm = static_cast<mode_t>(std::stoul(context_.live.get("unixsocketperm"), nullptr, 8));
  if (!ec && perm != 0 && ::chmod(path.c_str(), perm) != 0) ec.assign(errno, asio::system_category());
  if (!ec) listener->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    spdlog::error("Failed opening Unix socket: {}", ec.message());
    return false;
  }
  unix_listener_ = std::move(listener);
  return true;
}

template <class Acceptor, class Again>
void Server::retry_accept(const asio::error_code& ec, asio::steady_timer& retry, const Acceptor& acceptor,
                          Again again) {
  // The pending connection stays queued: retrying at once would spin.
  const auto now = std::chrono::steady_clock::now();
  if (now - accept_warned_at_ >= kAcceptWarnEvery) {
    spdlog::warn("accept failed: {} ({} more failures since the last report)", ec.message(),
                 accept_failures_unlogged_);
    accept_warned_at_ = now;
    accept_failures_unlogged_ = 0;
  } else {
    ++accept_failures_unlogged_;
  }
  retry.expires_after(kAcceptRetry);
  retry.async_wait([this, &acceptor, again = std::move(again)](const asio::error_code& e) {
    if (!e && !context_.shutting_down && acceptor.is_open()) again();
  });
}

// A Unix-domain connection is accepted on loop 0 and adopted, as a plain
// one, by the next loop in turn.
void Server::accept_unix() {
  EventLoop& target = *loops_[next_loop_];
  next_loop_ = (next_loop_ + 1) % loops_.size();
  UnixListener& listener = *unix_listener_;
  listener.acceptor.async_accept([this, &listener, &target](const asio::error_code& ec,
                                                            asio::local::stream_protocol::socket peer) {
    if (ec == asio::error::operation_aborted || context_.shutting_down || !listener.acceptor.is_open()) return;
    if (ec) {
      retry_accept(ec, listener.retry, listener.acceptor, [this] { accept_unix(); });
      return;
    }
    accept_unix();
    asio::error_code assign_ec;
    const int fd = peer.release(assign_ec);
    if (assign_ec) return;
    asio::post(target.io(), [&target, fd] {
      LoopSocket socket(target.io());
      asio::error_code e;
      socket.assign(asio::ip::tcp::v4(), fd, e);
      if (e) {
        ::close(fd);
        return;
      }
      target.adopt(std::move(socket));
    });
  });
}

std::shared_ptr<asio::ssl::context> Server::tls_context() const {
  std::lock_guard lock(tls_mutex_);
  return tls_context_;
}

// As Redis's applyTlsCfg / applyTLSPort: the new context is built (when TLS
// is on) and a new tls-port bound before anything changes; the reasons go
// to the log, the reply names the directive.
void Server::apply_tls_settings(const config::Settings& settings, const std::vector<std::string>& changed) {
  std::string context_change, port_change;
  for (const std::string& name : changed) {
    if (context_change.empty() && is_tls_context_directive(name)) context_change = name;
    if (port_change.empty() && util::iequals(name, "tls-port")) port_change = name;
  }
  if (context_change.empty() && port_change.empty()) return;
  const int port = static_cast<int>(config::integer_value(settings.get("tls-port")));
  std::lock_guard lock(tls_mutex_);
  std::shared_ptr<asio::ssl::context> tls = tls_context_;
  if (port != 0 && (!context_change.empty() || tls == nullptr)) {
    try {
      tls = make_tls_context(settings);
    } catch (const config::ConfigError& e) {
      spdlog::warn("Failed applying new TLS configuration: {}", e.what());
      throw config::ConfigError(context_change.empty() ? port_change : context_change,
                                "Unable to update TLS configuration. Check server logs.");
    }
  }
  std::vector<std::shared_ptr<Listener>> opened;
  const bool move_port = !port_change.empty() && port != tls_port_;
  if (move_port && port != 0 && !open_listeners(port, true, opened)) {
    throw config::ConfigError(port_change, "Unable to listen on this port. Check server logs.");
  }
  tls_context_ = std::move(tls);
  if (!move_port) return;
  tls_port_ = port;
  // Posts are run in order, so the last port set wins.
  asio::post(loops_[0]->io(), [this, opened = std::move(opened)] {
    std::erase_if(listeners_, [](const std::shared_ptr<Listener>& l) {
      if (!l->tls) return false;
      asio::error_code ec;
      l->acceptor.close(ec);
      l->retry.cancel();
      return true;
    });
    if (context_.shutting_down) return;
    for (const auto& l : opened) {
      listeners_.push_back(l);
      accept(l);
    }
  });
}

void Server::accept(std::shared_ptr<Listener> listener) {
  EventLoop& target = *loops_[next_loop_];
  next_loop_ = (next_loop_ + 1) % loops_.size();
  listener->acceptor.async_accept(target.io(), [this, listener, &target](const asio::error_code& ec,
                                                                         LoopSocket socket) {
    if (ec == asio::error::operation_aborted || context_.shutting_down || !listener->acceptor.is_open()) return;
    if (ec) {
      retry_accept(ec, listener->retry, listener->acceptor, [this, listener] { accept(listener); });
      return;
    }
    std::shared_ptr<asio::ssl::context> tls = listener->tls ? tls_context() : nullptr;
    // The next accept first: it reuses the memory Asio cached from this one,
    // which the connection's first (smaller) wait would otherwise keep.
    accept(listener);
    if (&target == loops_[0].get()) {
      target.adopt(std::move(socket), std::move(tls));  // the acceptor's own loop: register at once
    } else {
      asio::post(target.io(), [&target, s = std::move(socket), tls = std::move(tls)]() mutable {
        target.adopt(std::move(s), std::move(tls));
      });
    }
  });
}

void Server::schedule_sweep(std::chrono::steady_clock::duration delay) {
  sweep_timer_.expires_after(delay);
  sweep_timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec) sweep_slice();
  });
}

void Server::sweep_slice() {
  if (context_.shutting_down) return;
  // Never under a running script (it may be serving clients from inside
  // itself on this loop): it must not see keys expire or get evicted. Nor
  // while the startup load inserts keys: as Redis, expiry and eviction wait
  // for the whole file.
  if (context_.services.scripting.running.running.load(std::memory_order_acquire) ||
      context_.services.persistence->loading()) {
    schedule_sweep(std::chrono::milliseconds(1000 / context_.live.hz()));
    return;
  }
  storage::SweepResult r;
  const std::int64_t now = util::unix_time_ms();
  if (context_.services.active_expire.load(std::memory_order_relaxed)) {
    const auto start = std::chrono::steady_clock::now();
    r = sweeper_.step(now, {.time = kSweepSlice});
    const auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
    context_.services.expiry_stats.add_step(r, static_cast<std::uint64_t>(took.count()));
  }
  // Over maxmemory (e.g. after CONFIG SET lowered it): evict a slice too,
  // and come back soon while that makes progress (not while clients are
  // paused: make_room evicts nothing then).
  const bool over = context_.services.used_memory() > context_.live.maxmemory() &&
                    context_.live.maxmemory() > 0 &&
                    context_.services.pause.mode(now) == commands::PauseState::kNone;
  const bool evicting = over && context_.services.make_room(now, kSweepSlice);
  // Pack entry blocks into fewer slabs when many slots are free.
  const bool defragmenting = defragmenter_.step(kSweepSlice);
  sweep_slices_ = std::min(sweep_slices_ + 1, kQuietSlices);
  if (r.busy() || evicting || defragmenting || (!r.wrapped && sweep_slices_ < kQuietSlices)) {
    schedule_sweep(kSweepGap);
  } else {
    // The cycle is over.
    sweep_slices_ = 0;
    context_.services.expiry_stats.end_cycle();
    schedule_sweep(std::chrono::milliseconds(1000 / context_.live.hz()));
  }
}

void Server::schedule_rehash(std::chrono::steady_clock::duration delay) {
  rehash_timer_.expires_after(delay);
  rehash_timer_.async_wait([this](const asio::error_code& ec) {
    if (!ec) rehash_slice();
  });
}

void Server::rehash_slice() {
  if (context_.shutting_down) return;
  // Not under a running script, like the sweep.
  const bool found = !context_.services.scripting.running.running.load(std::memory_order_acquire) &&
                     context_.live.activerehashing() && rehasher_.step(kRehashSlots);
  schedule_rehash(found ? kSweepGap : std::chrono::milliseconds(1000 / context_.live.hz()));
}

void Server::schedule_cron() {
  cron_timer_.expires_after(kCronPeriod);
  cron_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || context_.shutting_down) return;
    context_.services.persistence->cron(util::unix_time_ms());
    if (!supervision_.ready_sent() && !context_.services.persistence->loading()) supervision_.ready();
    using M = commands::InstantaneousMetrics;
    const std::int64_t now = util::steady_ms();
    const commands::StatsTotals t = commands::sum_stats(context_.services.loop_stats);
    M::Totals totals{};
    totals[M::kCommands] = t.commands_processed;
    totals[M::kNetInputBytes] = t.net_input_bytes;
    totals[M::kNetOutputBytes] = t.net_output_bytes;
    context_.services.instantaneous.sample(now, totals);
    if (context_.services.tracking.clients() != 0) {  // as Redis's serverCron: the limit holds while idle
      context_.services.tracking.limit(context_.keyspace, context_.live.tracking_table_max_keys(), nullptr);
    }
    // A client over maxmemory-clients that stopped growing, or a lowered limit.
    context_.services.client_eviction.check(context_.live.maxmemory_clients());
    release_freed_memory();
    schedule_cron();
  });
}

void Server::release_freed_memory() {
  const std::size_t held = storage::MemoryUsage::dataset_bytes();
  // Falling: a new low, so a slow shrink counts and a level that merely
  // wobbles does not.
  const bool falling = held + kReleaseAfterFreeing < shrink_low_;
  steady_crons_ = falling ? 0 : steady_crons_ + 1;
  if (steady_crons_ >= kSteadyCrons || held > shrink_from_) {
    shrink_from_ = held;
    shrink_low_ = held;
  } else if (falling) {
    shrink_low_ = held;
  }
  const std::size_t slack = std::clamp(shrink_from_ / 16, kReleaseAfterFreeing, kReleaseOnFreeAfter);
  util::set_release_on_free(held + slack < shrink_from_);
  // Pages are only returned once every entry on them is gone, so release
  // again each time the keyspace has shrunk by a quarter (and a few MB), once
  // it has stopped shrinking: a trim in the middle of a mass expiry madvised
  // each freed value separately under the allocator's lock. Not when most
  // of the shrink was big blocks freed in release-on-free mode, their pages
  // back, and they lie between live ones: the trim would still madvise every
  // free chunk (600 ms once, 50,000 values of 20 KB among as many kept).
  if (held > held_high_water_) {
    held_high_water_ = held;
    freed_mark_ = util::freed_releasing_bytes();
  }
  if (steady_crons_ >= kTrimAfterSteadyCrons && held + kReleaseAfterFreeing < held_high_water_ &&
      held < held_high_water_ / 4 * 3) {
    const std::size_t shrink = held_high_water_ - held;
    const std::size_t freed = util::freed_releasing_bytes() - freed_mark_;
    if (freed < shrink - shrink / 4 || util::free_chunk_count() < kTrimMaxChunks) {
      spdlog::debug("keyspace shrank to {} bytes: releasing freed memory", held);
      context_.keyspace.background_free().request_release();
    }
    held_high_water_ = held;
    freed_mark_ = util::freed_releasing_bytes();
  }
}

bool Server::begin_shutdown(const char* reason, bool save, bool force) {
  if (stopping_) return true;
  spdlog::warn("{} received, shutting down", reason);
  supervision_.stopping();
  if (save) supervision_.status("Saving the final RDB snapshot");
  if (!persistence::save_for_shutdown(context_.keyspace, *context_.services.persistence, util::unix_time_ms(),
                                      save)) {
    if (!force) {
      supervision_.status("Error trying to save the DB, can't exit.");
      spdlog::warn("Errors trying to shut down the server. Check the logs for more information.");
      return false;
    }
    spdlog::warn("Exiting anyway (force).");
  }
  stopping_ = true;
  context_.shutting_down = true;
  context_.services.scripting.running.shutting_down.store(true, std::memory_order_relaxed);
  for (auto& listener : listeners_) {
    asio::error_code ec;
    listener->acceptor.close(ec);
    listener->retry.cancel();
  }
  if (unix_listener_ != nullptr) {
    asio::error_code ec;
    unix_listener_->acceptor.close(ec);
    unix_listener_->retry.cancel();
    spdlog::info("Removing the unix socket file.");
    if (::unlink(unix_listener_->path.c_str()) != 0) {
      spdlog::warn("Error removing the unix socket file: {}", std::strerror(errno));
    }
  }
  sweep_timer_.cancel();
  rehash_timer_.cancel();
  cron_timer_.cancel();
  exit_retry_timer_.cancel();
  asio::post(signal_io_, [this] {
    asio::error_code ignored;
    signals_.cancel(ignored);
    signal_work_.reset();
  });
  for (auto& loop : loops_) {
    asio::post(loop->io(), [l = loop.get()] { l->close_all(); });
  }
  work_.clear();
  stopped_.set_value();
  return true;
}

void Server::arm_signals() {
  signals_.async_wait([this](const asio::error_code& ec, int signal_number) {
    if (ec) return;
    // A shutdown that will not save cannot fail: a running script is
    // stopped at once. One that saves waits for the script, as Redis: it may
    // fail and leave the server serving, and must not save half a script.
    if (!signal_policy(signal_number).save) {
      context_.services.scripting.running.shutting_down.store(true, std::memory_order_relaxed);
    }
    asio::post(loops_[0]->io(), [this, signal_number] { on_exit_signal(signal_number); });
  });
}

// As Redis's shutdown on a signal: save when shutdown-on-sig* says save, or
// says neither save nor nosave and save points are set (never while
// loading); when that save fails, go on serving unless it says force.
Server::SignalPolicy Server::signal_policy(int signal_number) const {
  const auto flags =
      config::list_value(context_.live.get(signal_number == SIGINT ? "shutdown-on-sigint" : "shutdown-on-sigterm"));
  auto has = [&](std::string_view flag) { return std::find(flags.begin(), flags.end(), flag) != flags.end(); };
  const persistence::Persistence& p = *context_.services.persistence;
  return {.save = !p.loading() && (has("save") || (p.save_points_configured() && !has("nosave"))),
          .force = has("force")};
}

void Server::on_exit_signal(int signal_number) {
  const SignalPolicy policy = signal_policy(signal_number);
  if (policy.save && context_.services.scripting.running.running.load(std::memory_order_acquire)) {
    // Run from inside a script on loop 0 (its hook serves the loop while it
    // is busy), or while one runs elsewhere: once it has ended.
    exit_retry_timer_.expires_after(kExitRetry);
    exit_retry_timer_.async_wait([this, signal_number](const asio::error_code& ec) {
      if (!ec) on_exit_signal(signal_number);
    });
    return;
  }
  if (begin_shutdown(signal_number == SIGINT ? "SIGINT" : "SIGTERM", policy.save, policy.force)) return;
  context_.services.scripting.running.shutting_down.store(false, std::memory_order_relaxed);
  asio::post(signal_io_, [this] { arm_signals(); });
}

int Server::run() {
  // Users of the config file's `user` lines or of the aclfile (not both), as
  // Redis's ACLLoadUsersAtStartup: any error stops the server.
  const std::string aclfile = context_.live.get("aclfile");
  const auto config_users = context_.live.snapshot().users();
  if (!aclfile.empty() && !config_users.empty()) {
    spdlog::error(
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This "
        "setup is very likely to lead to configuration errors and security holes, please define either an ACL file or "
        "declare users directly in your redis.conf, but not both.");
    return 1;
  }
  if (const auto error = context_.services.acl.load_config_users(config_users)) {
    spdlog::error("{}", *error);
    spdlog::error("Critical error while loading ACLs. Exiting.");
    return 1;
  }
  if (!aclfile.empty()) {
    std::vector<std::shared_ptr<acl::UserSlot>> replaced;
    if (const auto errors = context_.services.acl.load_file(aclfile, replaced)) {
      spdlog::error("Aborting Redis startup because of ACL errors: {}", *errors);
      return 1;
    }
  }
  const auto& o = context_.options;
  if (o.tls_port != 0) {
    try {
      tls_context_ = make_tls_context(context_.live.snapshot());
      tls_port_ = o.tls_port;
    } catch (const config::ConfigError& e) {
      spdlog::error("Failed to configure TLS: {}", e.what());
      return 1;
    }
  }
  // Prometheus endpoint on loop 0 (metrics-port 0: off), listening before
  // the client ports: whoever can connect to those can scrape it. Stopped
  // below, on loop 0, once shutdown begins.
  std::unique_ptr<MetricsServer> metrics;
  if (const auto metrics_port = config::integer_value(context_.live.get("metrics-port")); metrics_port > 0) {
    metrics = std::make_unique<MetricsServer>(loops_[0]->io(), context_);
    if (!metrics->start(context_.live.get("metrics-bind"), static_cast<int>(metrics_port))) return 1;
  }
  if (!listen()) return 1;
  spdlog::info("Larder {} (Redis 7.0.15 compatible) pid={} port={} tls-port={} threads={} bind={}", LARDER_VERSION,
               ::getpid(), o.port, o.tls_port, o.threads, fmt::join(o.bind, ","));

  if (!context_.services.persistence->start_loading(util::unix_time_ms())) supervision_.ready();
  for (const auto& listener : listeners_) accept(listener);
  if (unix_listener_ != nullptr) accept_unix();
  schedule_sweep(std::chrono::milliseconds(1000 / context_.live.hz()));
  schedule_rehash(std::chrono::milliseconds(1000 / context_.live.hz()));
  schedule_cron();

  arm_signals();

  std::atomic<int> running{static_cast<int>(loops_.size())};
  std::vector<std::thread> threads;
  for (auto& loop : loops_) {
    loop->start();
    work_.push_back(asio::make_work_guard(loop->io()));
    threads.emplace_back([&running, &ctx = context_, l = loop.get()] {
      try {
        l->io().run();
        if (!ctx.shutting_down) throw std::runtime_error("its io_context stopped");
      } catch (const std::exception& e) {
        // Failures inside a command are answered there; anything reaching
        // here leaves the loop's clients unserved, so the process ends
        // rather than run half-dead.
        spdlog::critical("event loop {} failed: {}; exiting", l->index(), e.what());
        spdlog::default_logger()->flush();  // not shutdown(): other threads may still log
        std::_Exit(1);
      }
      --running;
    });
  }

  signal_io_.run();  // until begin_shutdown() cancels the wait and releases it
  stopped_.get_future().wait();
  if (metrics) asio::post(loops_[0]->io(), [m = metrics.get()] { m->stop(); });
  const auto deadline = std::chrono::steady_clock::now() + kShutdownGrace;
  while (running > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (running > 0) {
    spdlog::warn("stopping {} event loop(s) with clients still flushing", running.load());
    for (auto& loop : loops_) loop->io().stop();
  }
  for (auto& t : threads) t.join();
  if (context_.services.persistence->loading()) {
    // As Redis: a shutdown while loading exits at once; the loader may be
    // blocked reading the file.
    spdlog::info("Larder is now ready to exit (while loading), bye bye...");
    spdlog::default_logger()->flush();  // not shutdown(): other threads may still log
    std::_Exit(0);
  }
  spdlog::info("Larder is now ready to exit, bye bye...");
  return 0;
}

}  // namespace larder::server
