#include "larder/storage/background_free.h"

#include <atomic>
#include <cstdlib>

#include "larder/util/memory.h"
#include "larder/util/slab_heap.h"

namespace larder::storage {

namespace {
std::atomic<BackgroundFree*> big_block_freer{nullptr};
}  // namespace

BackgroundFree::BackgroundFree() : worker_([this] { run(); }) {
  BackgroundFree* none = nullptr;
  big_block_freer.compare_exchange_strong(none, this);
}

BackgroundFree* BackgroundFree::for_big_blocks() { return big_block_freer.load(std::memory_order_acquire); }

BackgroundFree::~BackgroundFree() {
  BackgroundFree* self = this;
  big_block_freer.compare_exchange_strong(self, nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  worker_.join();
}

void BackgroundFree::submit(std::vector<Table> tables) {
  {
    std::lock_guard lock(mutex_);
    for (Table& t : tables) {
      if (t.size() == 0 && t.bucket_count() == 0) continue;
      pending_entries_ += t.size();
      queue_.push_back(std::move(t));
    }
  }
  wake_.notify_one();
}

void BackgroundFree::free_block(void* block, std::size_t bytes) {
  if (bytes >= kBigBlockBytes) {
    if (BackgroundFree* freer = for_big_blocks()) {
      freer->submit_block(block);
      return;
    }
  }
  std::free(block);
}

void BackgroundFree::free_object(ValueObject* object, std::size_t bytes) {
  if (bytes >= kBigBlockBytes) {
    if (BackgroundFree* freer = for_big_blocks()) {
      freer->submit_object(object);
      return;
    }
  }
  delete object;
}

void BackgroundFree::submit_object(ValueObject* object) {
  {
    std::lock_guard lock(mutex_);
    ++pending_entries_;
    objects_.push_back(object);
  }
  wake_.notify_one();
}

void BackgroundFree::submit_block(void* block) {
  {
    std::lock_guard lock(mutex_);
    ++pending_entries_;
    blocks_.push_back(block);
  }
  wake_.notify_one();
}

void BackgroundFree::request_release() {
  {
    std::lock_guard lock(mutex_);
    release_requested_ = true;
  }
  wake_.notify_one();
}

std::size_t BackgroundFree::pending() const {
  std::lock_guard lock(mutex_);
  return pending_entries_;
}

std::size_t BackgroundFree::freed() const {
  std::lock_guard lock(mutex_);
  return freed_entries_;
}

void BackgroundFree::reset_freed() {
  std::lock_guard lock(mutex_);
  freed_entries_ = 0;
}

void BackgroundFree::run() {
  util::slab_heap::yield_to_other_threads();
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || release_requested_ || !queue_.empty() || !blocks_.empty() || !objects_.empty();
    });
    if (!objects_.empty()) {
      std::vector<ValueObject*> objects;
      objects.swap(objects_);
      release_requested_ = true;
      lock.unlock();
      for (ValueObject* o : objects) delete o;
      lock.lock();
      pending_entries_ -= objects.size();
      freed_entries_ += objects.size();
      continue;
    }
    if (!blocks_.empty()) {
      std::vector<void*> blocks;
      blocks.swap(blocks_);
      lock.unlock();
      for (void* b : blocks) std::free(b);
      lock.lock();
      pending_entries_ -= blocks.size();
      freed_entries_ += blocks.size();
      continue;
    }
    if (release_requested_ && queue_.empty()) {
      release_requested_ = false;
      lock.unlock();
      util::release_free_memory();
      lock.lock();
      continue;
    }
    if (queue_.empty()) return;  // stopping, nothing left
    release_requested_ = true;  // after this batch, give its pages back
    std::vector<Table> batch;
    batch.swap(queue_);
    lock.unlock();
    for (Table& t : batch) {
      const std::size_t n = t.size();
      t.clear();
      std::lock_guard done(mutex_);
      pending_entries_ -= n;
      freed_entries_ += n;
    }
    batch.clear();
    lock.lock();
  }
}

}  // namespace larder::storage
