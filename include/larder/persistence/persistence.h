#pragma once
// RDB persistence of one keyspace: SAVE, BGSAVE (a point-in-time Snapshot
// walked in short slices while the loops keep serving), the save points,
// loading a file at start (while clients get -LOADING) and DEBUG RELOAD, and
// the figures INFO persistence reports.
//
// Threads: save(), start_bgsave(), cancel_bgsave() and reload() need every
// shard locked (a command registered kAllShards, or the single owner's
// thread); cron() runs on the owner's loop and locks what it needs. A
// background save runs on its own thread; with a single-owner keyspace its
// walk runs in slices posted to the owner (run_on_owner), otherwise the
// thread takes each shard's lock for a slice. Files are written to a
// temporary name in `dir`, fsynced and renamed over `dbfilename`, so a crash
// mid-save leaves the previous file intact.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "larder/config/live_config.h"
#include "larder/persistence/rdb_writer.h"
#include "larder/storage/keyspace.h"

namespace larder::persistence {

// INFO persistence's figures at one moment.
struct PersistenceInfo {
  bool loading = false;
  std::int64_t loading_start_time = 0;  // unix s
  std::uint64_t loading_total_bytes = 0;
  std::uint64_t loading_loaded_bytes = 0;
  std::uint64_t changes_since_last_save = 0;
  bool bgsave_in_progress = false;
  std::int64_t last_save_time = 0;  // unix s
  bool last_bgsave_ok = true;
  std::int64_t last_bgsave_time_sec = -1;
  std::int64_t current_bgsave_time_sec = -1;
  std::uint64_t saves = 0;
  std::uint64_t current_save_keys_processed = 0;
  std::uint64_t current_save_keys_total = 0;
  std::uint64_t last_load_keys_expired = 0;
  std::uint64_t last_load_keys_loaded = 0;
};

class Persistence {
 public:
  Persistence(storage::Keyspace& keyspace, config::LiveConfig& config, std::int64_t now_ms);
  // Abandons a background save still running (its temporary file removed).
  ~Persistence();
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;

  // Runs a task on the thread that owns a single-owner keyspace; left empty
  // when shards are locked (several loops).
  std::function<void(std::function<void()>)> run_on_owner;
  // The function libraries' codes, saved with the keys; and the loading of
  // those a file holds, after its keys: the current libraries dropped first
  // when `flush_first`, one of the same name replaced when `replace` (else
  // an error). It answers Redis's error or "". Unset: no functions.
  std::function<std::vector<std::string>()> saved_functions;
  std::function<std::string(const std::vector<std::string>&, bool flush_first, bool replace)> load_functions;

  // dir/dbfilename as configured now.
  std::filesystem::path file_path() const;

  // SAVE: writes the file now. False on failure (logged, as Redis).
  bool save(std::int64_t now_ms);
  // BGSAVE: false when it could not start (logged).
  bool start_bgsave(std::int64_t now_ms);
  // LASTSAVE: unix seconds of the last successful save (start time before).
  std::int64_t last_save_time() const { return last_save_time_.load(std::memory_order_relaxed); }
  bool bgsave_in_progress() const { return job_in_progress_.load(std::memory_order_acquire); }
  // BGSAVE SCHEDULE: cron() starts one as soon as none runs.
  void schedule_bgsave() { bgsave_scheduled_.store(true, std::memory_order_relaxed); }
  // Stops a running background save; its temporary file is removed.
  void cancel_bgsave();
  // True when at least one save point is configured.
  bool save_points_configured() const;
  // MISCONF: the last BGSAVE failed, save points are set and
  // stop-writes-on-bgsave-error is yes, so writes are refused until a save
  // succeeds (Redis's writeCommandsDeniedByDiskError). Any thread.
  bool writes_refused() const;
  // CONFIG RESETSTAT: INFO's rdb_saves starts again from 0.
  void reset_stats() { saves_.store(0, std::memory_order_relaxed); }
  // About every 100 ms on the owner's loop: starts a scheduled BGSAVE, or one
  // a save point calls for; takes every shard's lock itself.
  void cron(std::int64_t now_ms);

  // At start, before serving: when the file exists, starts loading it in the
  // background and returns true (loading() until done). Decoded keys are
  // inserted in batches on the owner (run_on_owner) or under shard locks. A
  // bad file is logged, naming the problem, and ends the process (exit 1).
  bool start_loading(std::int64_t now_ms);
  bool loading() const { return loading_.load(std::memory_order_acquire); }
  // DEBUG RELOAD: cancels a background save, saves (save_first), empties
  // every database (flush), then loads the file; a loaded key replaces one
  // of the same name. False, with the error reply in `error`, on failure.
  bool reload(std::int64_t now_ms, bool save_first, bool flush, std::string& error);

  // The caller holds every shard's lock (INFO is kAllShards).
  PersistenceInfo info(std::int64_t now_ms);

 private:
  struct Job;
  WriterOptions writer_options() const;
  void run_job(std::shared_ptr<Job> job);
  // load_functions(), its error thrown as an RdbError.
  void load_saved_functions(const std::vector<std::string>& codes, bool flush_first, bool replace);
  // Waits for the last job's thread (after it finished or was cancelled).
  void reap();

  storage::Keyspace& keyspace_;
  config::LiveConfig& config_;

  std::mutex mutex_;  // guards job_ and thread_
  std::shared_ptr<Job> job_;
  std::thread thread_;
  std::atomic<bool> job_in_progress_{false};
  std::atomic<bool> bgsave_scheduled_{false};

  std::atomic<std::uint64_t> changes_at_save_{0};
  std::atomic<std::int64_t> last_save_time_;  // unix s
  std::atomic<bool> last_bgsave_ok_{true};
  std::atomic<std::int64_t> last_bgsave_try_ms_{0};
  std::atomic<std::int64_t> last_bgsave_time_sec_{-1};
  std::atomic<std::int64_t> bgsave_start_ms_{0};
  std::atomic<std::uint64_t> saves_{0};

  std::atomic<bool> loading_{false};
  std::atomic<std::int64_t> loading_start_ms_{0};
  std::atomic<std::uint64_t> loading_total_bytes_{0};
  std::atomic<std::uint64_t> loading_loaded_bytes_{0};
  std::atomic<std::uint64_t> last_load_keys_expired_{0};
  std::atomic<std::uint64_t> last_load_keys_loaded_{0};
  std::thread loader_thread_;
  std::atomic<bool> stopping_{false};  // the destructor runs: loading stops
};

}  // namespace larder::persistence
