#pragma once
// Frees detached tables on a background thread, so that FLUSHDB / FLUSHALL of
// a large keyspace returns at once instead of stalling every event loop, and
// returns freed heap memory to the operating system there too.
// submit() may be called from any thread; the destructor finishes the work.

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "larder/storage/table.h"

namespace larder::storage {

class BackgroundFree {
 public:
  BackgroundFree();
  ~BackgroundFree();
  BackgroundFree(const BackgroundFree&) = delete;
  BackgroundFree& operator=(const BackgroundFree&) = delete;

  void submit(std::vector<Table> tables);
  // Asks the worker to hand free heap pages back to the operating system
  // (after mass deletions, which leave them in the allocator's free lists).
  void request_release();
  // Entries handed over and not yet freed (INFO lazyfree_pending_objects).
  std::size_t pending() const;

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Table> queue_;
  std::size_t pending_entries_ = 0;
  bool stopping_ = false;
  bool release_requested_ = false;
  std::thread worker_;
};

}  // namespace larder::storage
