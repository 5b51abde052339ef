#include "larder/persistence/persistence.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <algorithm>
#include <deque>
#include <future>
#include <optional>
#include <system_error>
#include <vector>

#include "larder/config/options.h"
#include "larder/persistence/rdb_reader.h"
#include "larder/persistence/snapshot.h"
#include "larder/storage/db.h"
#include "larder/storage/eviction.h"
#include "larder/storage/memory_usage.h"
#include "larder/storage/shard_locks.h"

namespace larder::persistence {

namespace {

// A background save walks for kSaveSlice at a time, then lets the owner
// serve clients while its thread writes what the slice produced.
constexpr auto kSaveSlice = std::chrono::microseconds(100);
constexpr auto kSaveGap = std::chrono::microseconds(50);
// How often a thread waiting for the owner's loop checks for cancellation.
constexpr auto kCancelPoll = std::chrono::milliseconds(20);
// After a failed BGSAVE, save points wait this long before trying again
// (Redis's CONFIG_BGSAVE_RETRY_DELAY).
constexpr std::int64_t kBgsaveRetryMs = 5000;
// Loading: keys per batch handed to the owner, and batches in flight.
constexpr std::size_t kLoadBatch = 16384;
constexpr int kLoadBatchesInFlight = 4;

std::system_error errno_error(const std::string& what) {
  return std::system_error(errno, std::generic_category(), what);
}

// The file being written: <dir>/temp-<pid>.rdb until commit() renames it
// over its target; removed when destroyed uncommitted.
class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& dir)
      : path_(dir / ("temp-" + std::to_string(::getpid()) + ".rdb")) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw errno_error("Failed opening the temp RDB file " + path_.filename().string() +
                        " (in server root dir " + dir.string() + ") for saving");
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }

  void write(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw errno_error("Write error saving DB on disk");
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // fsync, close, rename over `target`, fsync the directory.
  void commit(const std::filesystem::path& target) {
    if (::fsync(fd_) != 0) throw errno_error("Write error saving DB on disk (fsync)");
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) throw errno_error("Write error saving DB on disk (close)");
    if (std::rename(path_.c_str(), target.c_str()) != 0) {
      throw errno_error("Error moving temp DB file " + path_.filename().string() + " on the final destination " +
                        target.string());
    }
    committed_ = true;
    const int dir = ::open(target.parent_path().empty() ? "." : target.parent_path().c_str(), O_RDONLY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool committed_ = false;
};

// A loaded key waiting to be inserted: its entry, made on the reading
// thread, and the key's Table::hash_of.
struct PendingKey {
  storage::Entry* entry = nullptr;
  std::uint64_t hash;
  int db;
  AccessInfo access;
};

// Keys on their way to the keyspace; owns the entries not inserted yet.
struct PendingKeys {
  PendingKeys() = default;
  PendingKeys(PendingKeys&&) = default;
  PendingKeys& operator=(PendingKeys&&) = default;
  ~PendingKeys() {
    for (PendingKey& k : keys) storage::Entry::destroy(k.entry);
  }
  void add(LoadedKey& k) {
    keys.push_back({k.value.make_entry(k.key, k.expire_at_ms), storage::Table::hash_of(k.key), k.db, k.access});
  }

  std::vector<PendingKey> keys;
};

// Inserts keys[from, to), fetching each lookup's bucket and chain head into
// the cache a few keys ahead. The caller holds the locks of their shards. A
// key already there is replaced; with `duplicate` the first such key is
// named there too (Redis refuses a file that holds a key twice).
void insert_run(storage::Keyspace& keyspace, std::vector<PendingKey>& keys, std::size_t from, std::size_t to,
                std::int64_t now_ms, std::string* duplicate) {
  constexpr std::size_t kBucketAhead = 16;
  constexpr std::size_t kHeadAhead = 8;
  auto table = [&](const PendingKey& k) -> storage::Table& {
    return keyspace.shard(storage::Keyspace::shard_index(k.hash)).table(k.db);
  };
  for (std::size_t i = from; i < std::min(to, from + kBucketAhead); ++i) table(keys[i]).prefetch_bucket(keys[i].hash);
  for (std::size_t i = from; i < std::min(to, from + kHeadAhead); ++i) table(keys[i]).prefetch_head(keys[i].hash);
  for (std::size_t i = from; i < to; ++i) {
    if (i + kBucketAhead < to) table(keys[i + kBucketAhead]).prefetch_bucket(keys[i + kBucketAhead].hash);
    if (i + kHeadAhead < to) table(keys[i + kHeadAhead]).prefetch_head(keys[i + kHeadAhead].hash);
    PendingKey& k = keys[i];
    const storage::Entry* fresh = k.entry;  // the table's once restored
    const bool replaced = storage::Db(keyspace, k.db, now_ms)
                              .restore(std::exchange(k.entry, nullptr), k.hash, k.access.idle_seconds, k.access.freq);
    if (replaced && duplicate != nullptr && duplicate->empty()) {
      *duplicate = fmt::format("RDB has duplicated key '{}' in DB {}", fresh->key(), k.db);
    }
  }
}

// Inserts the keys in order: with lock_shards grouped by shard (a key that
// comes twice keeps its order), one lock per shard; otherwise (the owner of
// a single-owner keyspace) as they come.
void insert_keys(storage::Keyspace& keyspace, PendingKeys& pending, std::int64_t now_ms, bool lock_shards,
                 std::string* duplicate) {
  using storage::Keyspace;
  std::vector<PendingKey>& keys = pending.keys;
  if (!lock_shards) {
    insert_run(keyspace, keys, 0, keys.size(), now_ms, duplicate);
    keys.clear();
    return;
  }
  // A counting sort by shard: start[s] is where shard s's group begins.
  std::vector<std::size_t> start(storage::kShardCount + 1, 0);
  for (const PendingKey& k : keys) ++start[Keyspace::shard_index(k.hash) + 1];
  for (std::size_t s = 0; s < storage::kShardCount; ++s) start[s + 1] += start[s];
  std::vector<PendingKey> grouped(keys.size());
  std::vector<std::size_t> next(start.begin(), start.end() - 1);
  for (PendingKey& k : keys) {
    // The slot first: in `a = b` the right side runs first, and it zeroes k.hash.
    const std::size_t at = next[Keyspace::shard_index(k.hash)]++;
    grouped[at] = std::exchange(k, {});
  }
  keys.swap(grouped);
  for (std::size_t s = 0; s < storage::kShardCount; ++s) {
    if (start[s] == start[s + 1]) continue;
    std::lock_guard lock(keyspace.shard(s).mutex());
    insert_run(keyspace, keys, start[s], start[s + 1], now_ms, duplicate);
  }
  keys.clear();
}

// RESIZEDB: sizes `db`'s table in every shard for its share of `keys`.
// A key takes at least 3 bytes of a file (type, key length, value length):
// a larger count than `file_bytes` allows is cut to that, and nothing is
// reserved when the size is unknown (0).
void reserve_tables(storage::Keyspace& keyspace, int db, std::uint64_t keys, std::uint64_t file_bytes,
                    bool lock_shards) {
  keys = std::min(keys, file_bytes / 3);
  if (keys == 0) return;
  // The shards' shares vary a little: a few percent of slack.
  const std::uint64_t share = keys / storage::kShardCount + keys / storage::kShardCount / 16 + 1;
  for (std::size_t s = 0; s < storage::kShardCount; ++s) {
    storage::Shard& shard = keyspace.shard(s);
    std::unique_lock lock(shard.mutex(), std::defer_lock);
    if (lock_shards) lock.lock();
    shard.table(db).reserve(share);
  }
}

// What a file records of each key's accesses under `policy`: as Redis 7.0's
// rdbSaveKeyValuePair, IDLE under the LRU policies and FREQ under the LFU
// ones; IDLE too under Larder's TinyLFU policies, whose entries carry the
// LRU clock (their frequency sketch is not saved); nothing under the others
// (noeviction, random, ttl; SIEVE's stamp is a sequence number that means
// nothing to another process).
AccessSaved access_saved(storage::EvictionPolicy policy) {
  using storage::EvictionPolicy;
  switch (policy) {
    case EvictionPolicy::kAllKeysLru:
    case EvictionPolicy::kVolatileLru:
    case EvictionPolicy::kAllKeysTinyLfu:
    case EvictionPolicy::kVolatileTinyLfu:
      return AccessSaved::kIdle;
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu:
      return AccessSaved::kFreq;
    default:
      return AccessSaved::kNone;
  }
}

}  // namespace

struct Persistence::Job {
  explicit Job(const std::filesystem::path& dir) : file(dir) {}

  TempFile file;
  std::filesystem::path target;
  std::unique_ptr<Snapshot> snapshot;
  std::mutex mutex;  // guards chunks
  std::deque<std::string> chunks;
  std::atomic<bool> cancelled{false};
  std::int64_t start_ms = 0;
  std::uint64_t changes_at_start = 0;

  // Writes what the snapshot produced so far.
  void drain() {
    std::deque<std::string> ready;
    {
      std::lock_guard lock(mutex);
      ready.swap(chunks);
    }
    for (const std::string& c : ready) file.write(c);
  }
};

Persistence::Persistence(storage::Keyspace& keyspace, config::LiveConfig& config, std::int64_t now_ms)
    : keyspace_(keyspace), config_(config), last_save_time_(now_ms / 1000) {}

Persistence::~Persistence() {
  stopping_.store(true);
  if (auto job = job_; job != nullptr && job_in_progress_.load()) {
    job->cancelled.store(true);
    job->snapshot->detach();
  }
  if (thread_.joinable()) thread_.join();
  if (loader_thread_.joinable()) loader_thread_.join();
}

std::filesystem::path Persistence::file_path() const {
  const std::string dir = config_.get("dir");
  return std::filesystem::path(dir.empty() ? "." : dir) / config_.get("dbfilename");
}

WriterOptions Persistence::writer_options() const {
  WriterOptions o;
  o.compress = config_.get("rdbcompression") == "yes";
  o.checksum = config_.get("rdbchecksum") == "yes";
  o.limits = EncodingLimits::from(config_);
  o.access = access_saved(config_.eviction().policy);
  o.lfu_decay_time = config_.eviction().lfu_decay_time;
  return o;
}

bool Persistence::save_points_configured() const { return !config_.get("save").empty(); }

bool Persistence::writes_refused() const {
  return !last_bgsave_ok_.load(std::memory_order_relaxed) && save_points_configured() &&
         config_.get("stop-writes-on-bgsave-error") == "yes";
}

bool Persistence::save(std::int64_t now_ms) {
  saves_.fetch_add(1, std::memory_order_relaxed);
  const std::filesystem::path target = file_path();
  std::unique_ptr<Snapshot> snapshot;
  try {
    TempFile file(target.parent_path());
    snapshot = std::make_unique<Snapshot>(
        keyspace_, [&file](std::string_view bytes) { file.write(bytes); }, writer_options(), now_ms);
    const auto aux = default_aux_fields(now_ms, storage::MemoryUsage::dataset_bytes());
    snapshot->begin(aux, saved_functions ? saved_functions() : std::vector<std::string>{});
    while (!snapshot->step(std::chrono::hours(1), false)) {
    }
    snapshot->detach();
    snapshot->end();
    file.commit(target);
  } catch (const std::exception& e) {
    if (snapshot != nullptr) snapshot->detach();
    spdlog::warn("{}", e.what());
    return false;
  }
  spdlog::info("DB saved on disk");
  changes_at_save_.store(keyspace_.changes(false), std::memory_order_relaxed);
  last_save_time_.store(now_ms / 1000, std::memory_order_relaxed);
  last_bgsave_ok_.store(true, std::memory_order_relaxed);  // as Redis's rdbSave
  return true;
}

void Persistence::reap() {
  std::lock_guard lock(mutex_);
  if (!job_in_progress_.load() && thread_.joinable()) thread_.join();
}

bool Persistence::start_bgsave(std::int64_t now_ms) {
  reap();
  if (bgsave_in_progress()) return false;
  saves_.fetch_add(1, std::memory_order_relaxed);
  last_bgsave_try_ms_.store(now_ms, std::memory_order_relaxed);
  bgsave_scheduled_.store(false, std::memory_order_relaxed);
  std::shared_ptr<Job> job;
  try {
    const std::filesystem::path target = file_path();
    job = std::make_shared<Job>(target.parent_path());
    job->target = target;
    job->start_ms = now_ms;
    job->changes_at_start = keyspace_.changes(false);
    Job* raw = job.get();
    job->snapshot = std::make_unique<Snapshot>(
        keyspace_,
        [raw](std::string_view bytes) {
          std::lock_guard lock(raw->mutex);
          raw->chunks.emplace_back(bytes);
        },
        writer_options(), now_ms);
    const auto aux = default_aux_fields(now_ms, storage::MemoryUsage::dataset_bytes());
    job->snapshot->begin(aux, saved_functions ? saved_functions() : std::vector<std::string>{});
  } catch (const std::exception& e) {
    spdlog::warn("Can't save in background: {}", e.what());
    last_bgsave_ok_.store(false, std::memory_order_relaxed);
    return false;
  }
  spdlog::info("Background saving started");
  bgsave_start_ms_.store(now_ms, std::memory_order_relaxed);
  job_in_progress_.store(true, std::memory_order_release);
  std::lock_guard lock(mutex_);
  job_ = job;
  thread_ = std::thread([this, job] { run_job(job); });
  return true;
}

void Persistence::run_job(std::shared_ptr<Job> job) {
  // Runs `task` where the keyspace may be touched: on the owner's loop, or
  // here with the shard locks the task takes. nullopt once cancelled.
  auto on_owner = [&](auto task) -> std::optional<bool> {
    if (!run_on_owner) return task();
    auto done = std::make_shared<std::promise<bool>>();
    std::future<bool> result = done->get_future();
    run_on_owner([job, done, task] { done->set_value(job->cancelled.load() ? false : task()); });
    while (result.wait_for(kCancelPoll) == std::future_status::timeout) {
      if (job->cancelled.load()) return std::nullopt;
    }
    return result.get();
  };
  auto detach = [&] {
    return on_owner([this, job] {
      if (run_on_owner) {
        job->snapshot->detach();
      } else {
        storage::ShardLocks locks(keyspace_);
        locks.add_all();
        locks.acquire();
        if (!job->cancelled.load()) job->snapshot->detach();
      }
      return true;
    });
  };
  bool ok = true;
  try {
    for (;;) {
      const std::optional<bool> done = on_owner([job] { return job->snapshot->step(kSaveSlice, true); });
      if (!done.has_value() || job->cancelled.load()) return;  // the file goes with the job
      job->drain();
      if (*done) break;
      std::this_thread::sleep_for(kSaveGap);
    }
    if (!detach().has_value() || job->cancelled.load()) return;
    job->snapshot->end();
    job->drain();
    job->file.commit(job->target);
  } catch (const std::exception& e) {
    spdlog::warn("Background saving error: {}", e.what());
    ok = false;
    if (!job->cancelled.load()) detach();
  }
  if (job->cancelled.load()) return;
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  if (ok) {
    spdlog::info("Background saving terminated with success");
    changes_at_save_.store(job->changes_at_start, std::memory_order_relaxed);
    last_save_time_.store(now_ms / 1000, std::memory_order_relaxed);
  }
  last_bgsave_ok_.store(ok, std::memory_order_relaxed);
  last_bgsave_time_sec_.store((now_ms - job->start_ms) / 1000, std::memory_order_relaxed);
  job_in_progress_.store(false, std::memory_order_release);
}

void Persistence::cancel_bgsave() {
  std::shared_ptr<Job> job;
  {
    std::lock_guard lock(mutex_);
    job = job_;
  }
  if (job == nullptr || !job_in_progress_.load()) return;
  job->cancelled.store(true);
  job->snapshot->detach();
  job_in_progress_.store(false, std::memory_order_release);
  spdlog::warn("Background saving stopped; its temporary file is removed");
}

void Persistence::cron(std::int64_t now_ms) {
  if (loading() || bgsave_in_progress()) return;
  bool due = bgsave_scheduled_.load(std::memory_order_relaxed);
  if (!due && save_points_configured()) {
    const std::uint64_t changes = keyspace_.changes() - changes_at_save_.load(std::memory_order_relaxed);
    const std::int64_t since_save = now_ms / 1000 - last_save_time_.load(std::memory_order_relaxed);
    const bool may_retry = last_bgsave_ok_.load(std::memory_order_relaxed) ||
                           now_ms - last_bgsave_try_ms_.load(std::memory_order_relaxed) > kBgsaveRetryMs;
    const std::vector<std::string> words = config::list_value(config_.get("save"));
    for (std::size_t i = 0; i + 1 < words.size() && may_retry; i += 2) {
      const std::int64_t seconds = config::integer_value(words[i]);
      const std::int64_t needed = config::integer_value(words[i + 1]);
      if (changes >= static_cast<std::uint64_t>(needed) && since_save >= seconds) {
        spdlog::info("{} changes in {} seconds. Saving...", needed, seconds);
        due = true;
        break;
      }
    }
  }
  if (!due) return;
  storage::ShardLocks locks(keyspace_);
  locks.add_all();
  locks.acquire();
  start_bgsave(now_ms);
}

bool Persistence::start_loading(std::int64_t now_ms) {
  const std::filesystem::path path = file_path();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return false;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  loading_total_bytes_.store(ec ? 0 : size);
  loading_loaded_bytes_.store(0);
  loading_start_ms_.store(now_ms);
  loading_.store(true, std::memory_order_release);
  spdlog::info("Loading RDB produced by {}", path.string());
  loader_thread_ = std::thread([this, path, now_ms] {
    std::mutex mutex;
    std::condition_variable cv;
    int in_flight = 0;
    std::uint64_t loaded = 0, expired = 0;
    // Runs work(lock_shards) where the keyspace may change: queued on the
    // owner's loop (at most kLoadBatchesInFlight tasks waiting), or here
    // under the shard locks it takes.
    auto apply = [&](auto work) {
      if (!run_on_owner) {
        work(true);
        return;
      }
      std::unique_lock lock(mutex);
      while (!cv.wait_for(lock, kCancelPoll, [&] { return in_flight < kLoadBatchesInFlight; })) {
        if (stopping_.load()) throw std::runtime_error("shutting down");
      }
      ++in_flight;
      lock.unlock();
      run_on_owner([&, w = std::make_shared<decltype(work)>(std::move(work))] {
        (*w)(false);
        std::lock_guard l(mutex);
        --in_flight;
        cv.notify_all();
      });
    };
    PendingKeys batch;
    // Written where the batches go in; read here once none is in flight.
    const auto duplicate = std::make_shared<std::string>();
    auto submit = [&] {
      loaded += batch.keys.size();
      apply([this, now_ms, duplicate, b = std::make_shared<PendingKeys>(std::exchange(batch, {}))](bool lock) {
        insert_keys(keyspace_, *b, now_ms, lock, duplicate.get());
      });
      batch.keys.reserve(kLoadBatch);
    };
    // What the load changes is not a change since the last save (as Redis's
    // dirty count, which starts at 0 after loading): counted where the keys
    // change, in order with the batches.
    const auto changes_before = std::make_shared<std::uint64_t>(0);
    try {
      apply([this, changes_before](bool lock) { *changes_before = keyspace_.changes(lock); });
      std::FILE* f = std::fopen(path.c_str(), "rb");
      if (f == nullptr) throw errno_error("Fatal error loading the DB, " + path.string());
      std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(f, &std::fclose);
      RdbReader reader(
          [&](char* buf, std::size_t n) {
            if (stopping_.load()) throw std::runtime_error("shutting down");
            const std::size_t got = std::fread(buf, 1, n, f);
            loading_loaded_bytes_.fetch_add(got, std::memory_order_relaxed);
            return got;
          },
          EncodingLimits::from(config_), config_.get("rdbchecksum") == "yes");
      int current_db = 0;
      ReaderCallbacks callbacks;
      callbacks.select_db = [&](int db) {
        if (db < 0 || db >= keyspace_.databases()) {
          throw RdbError(RdbError::Kind::kBadFormat,
                         "the file uses database " + std::to_string(db) + " but 'databases' is " +
                             std::to_string(keyspace_.databases()));
        }
        current_db = db;
      };
      callbacks.resize_db = [&](std::uint64_t keys, std::uint64_t) {
        apply([this, db = current_db, keys](bool lock) {
          reserve_tables(keyspace_, db, keys, loading_total_bytes_.load(), lock);
        });
      };
      callbacks.key = [&](LoadedKey& k) {
        if (k.expire_at_ms != storage::kNoExpire && k.expire_at_ms < now_ms) {
          ++expired;
          return;
        }
        batch.add(k);
        if (batch.keys.size() >= kLoadBatch) submit();
      };
      std::vector<std::string> libraries;
      callbacks.function = [&](std::string_view code) { libraries.emplace_back(code); };
      reader.read(callbacks);
      submit();
      apply([this, changes_before](bool lock) {
        changes_at_save_.fetch_add(keyspace_.changes(lock) - *changes_before, std::memory_order_relaxed);
      });
      std::unique_lock lock(mutex);
      while (!cv.wait_for(lock, kCancelPoll, [&] { return in_flight == 0; })) {
        if (stopping_.load()) throw std::runtime_error("shutting down");
      }
      lock.unlock();
      if (!duplicate->empty()) throw RdbError(RdbError::Kind::kBadFormat, *duplicate);
      load_saved_functions(libraries, false, false);
    } catch (const std::exception& e) {
      if (stopping_.load()) return;
      spdlog::critical("Cannot load the RDB file {}: {}. Exiting.", path.string(), e.what());
      spdlog::default_logger()->flush();  // not shutdown(): other threads may still log
      std::_Exit(1);
    }
    last_load_keys_loaded_.store(loaded);
    last_load_keys_expired_.store(expired);
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const double seconds =
        static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count() - now_ms) / 1000.0;
    spdlog::info("Done loading RDB, keys loaded: {}, keys expired: {}.", loaded, expired);
    spdlog::info("DB loaded from disk: {:.3f} seconds", seconds);
    loading_.store(false, std::memory_order_release);
  });
  return true;
}

void Persistence::load_saved_functions(const std::vector<std::string>& codes, bool flush_first, bool replace) {
  if (!load_functions || (codes.empty() && !flush_first)) return;
  const std::string error = load_functions(codes, flush_first, replace);
  if (!error.empty()) throw RdbError(RdbError::Kind::kBadFormat, "Failed loading library: " + error);
}

bool Persistence::reload(std::int64_t now_ms, bool save_first, bool flush, std::string& error) {
  cancel_bgsave();
  if (save_first && !save(now_ms)) {
    error = "ERR";
    return false;
  }
  // Neither the flush nor the keys loaded count as changes since the last
  // save (Redis's DEBUG RELOAD leaves its dirty count alone).
  const std::uint64_t changes_before = keyspace_.changes(false);
  if (flush) {
    for (int db = 0; db < keyspace_.databases(); ++db) storage::Db(keyspace_, db, now_ms).flush();
  }
  const std::filesystem::path path = file_path();
  try {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) throw errno_error("Fatal error loading the DB, " + path.string());
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(f, &std::fclose);
    RdbReader reader([f](char* buf, std::size_t n) { return std::fread(buf, 1, n, f); },
                     EncodingLimits::from(config_), config_.get("rdbchecksum") == "yes");
    ReaderCallbacks callbacks;
    PendingKeys one;
    // After the flush a key already there came twice in the file; NOFLUSH
    // lets the file's keys replace those in memory.
    std::string duplicate;
    int current_db = 0;
    callbacks.select_db = [&](int db) { current_db = db; };
    callbacks.resize_db = [&](std::uint64_t keys, std::uint64_t) {
      std::error_code ec;
      const std::uint64_t size = std::filesystem::file_size(path, ec);
      if (current_db < keyspace_.databases()) reserve_tables(keyspace_, current_db, keys, ec ? 0 : size, false);
    };
    callbacks.key = [&](LoadedKey& k) {
      if (k.db >= keyspace_.databases()) throw RdbError(RdbError::Kind::kBadFormat, "database out of range");
      if (k.expire_at_ms != storage::kNoExpire && k.expire_at_ms < now_ms) return;
      one.add(k);
      insert_keys(keyspace_, one, now_ms, false, flush ? &duplicate : nullptr);
    };
    std::vector<std::string> libraries;
    callbacks.function = [&](std::string_view code) { libraries.emplace_back(code); };
    reader.read(callbacks);
    if (!duplicate.empty()) throw RdbError(RdbError::Kind::kBadFormat, duplicate);
    // As Redis's DEBUG RELOAD: the file's libraries replace all, or with
    // NOFLUSH join them (replacing those of the same name).
    load_saved_functions(libraries, flush, !flush);
    changes_at_save_.fetch_add(keyspace_.changes(false) - changes_before, std::memory_order_relaxed);
  } catch (const std::exception& e) {
    changes_at_save_.fetch_add(keyspace_.changes(false) - changes_before, std::memory_order_relaxed);
    spdlog::warn("DEBUG RELOAD: {}", e.what());
    error = "ERR Error trying to load the RDB dump";
    return false;
  }
  spdlog::warn("DB reloaded by DEBUG RELOAD");
  return true;
}

PersistenceInfo Persistence::info(std::int64_t now_ms) {
  PersistenceInfo i;
  i.loading = loading();
  i.loading_start_time = loading_start_ms_.load() / 1000;
  i.loading_total_bytes = loading_total_bytes_.load();
  i.loading_loaded_bytes = loading_loaded_bytes_.load();
  i.changes_since_last_save = keyspace_.changes(false) - changes_at_save_.load(std::memory_order_relaxed);
  i.bgsave_in_progress = bgsave_in_progress();
  i.last_save_time = last_save_time_.load();
  i.last_bgsave_ok = last_bgsave_ok_.load();
  i.last_bgsave_time_sec = last_bgsave_time_sec_.load();
  i.saves = saves_.load();
  if (i.bgsave_in_progress) {
    i.current_bgsave_time_sec = (now_ms - bgsave_start_ms_.load()) / 1000;
    std::lock_guard lock(mutex_);
    if (job_ != nullptr) {
      i.current_save_keys_processed = job_->snapshot->keys_saved();
      i.current_save_keys_total = job_->snapshot->keys_total();
    }
  }
  i.last_load_keys_expired = last_load_keys_expired_.load();
  i.last_load_keys_loaded = last_load_keys_loaded_.load();
  return i;
}

}  // namespace larder::persistence
