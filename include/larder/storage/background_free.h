#pragma once
// Frees detached tables on a background thread, so that FLUSHDB / FLUSHALL of
// a large keyspace returns at once instead of stalling every event loop, and
// returns freed heap memory to the operating system there too. Big entry
// blocks go there as well (Entry::destroy): unmapping hundreds of MB takes
// tens of milliseconds. The first BackgroundFree constructed takes those
// blocks until it is destroyed; without one they are freed in place.
// submit() and free_block() may be called from any thread; the destructor
// finishes the work.

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "larder/storage/table.h"
#include "larder/storage/value_object.h"

namespace larder::storage {

class BackgroundFree {
 public:
  BackgroundFree();
  ~BackgroundFree();
  BackgroundFree(const BackgroundFree&) = delete;
  BackgroundFree& operator=(const BackgroundFree&) = delete;

  void submit(std::vector<Table> tables);
  // Blocks at least this big are freed here rather than in place.
  static constexpr std::size_t kBigBlockBytes = 1024 * 1024;
  // The instance that takes big blocks, or nullptr.
  static BackgroundFree* for_big_blocks();
  // Frees a block from std::malloc of `bytes` bytes: a big one on the
  // instance's thread if there is one, anything else at once.
  static void free_block(void* block, std::size_t bytes);
  // Deletes an entry's value object of `bytes` heap bytes, a big one on the
  // instance's thread if there is one (a 1M-field hash frees in the
  // background, DEL answers at once).
  static void free_object(ValueObject* object, std::size_t bytes);
  // Asks the worker to hand free heap pages back to the operating system
  // (after mass deletions, which leave them in the allocator's free lists).
  void request_release();
  // Entries handed over and not yet freed (INFO lazyfree_pending_objects).
  std::size_t pending() const;
  // Entries freed here since startup or reset_freed() (INFO lazyfreed_objects).
  std::size_t freed() const;
  void reset_freed();

 private:
  void run();
  void submit_block(void* block);
  void submit_object(ValueObject* object);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Table> queue_;
  std::vector<void*> blocks_;
  std::vector<ValueObject*> objects_;
  std::size_t pending_entries_ = 0;
  std::size_t freed_entries_ = 0;
  bool stopping_ = false;
  bool release_requested_ = false;
  std::thread worker_;
};

}  // namespace larder::storage
