#include "larder/util/slab_heap.h"

#include <sys/mman.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "larder/util/memory.h"

#if defined(__SANITIZE_ADDRESS__)
#define LARDER_SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LARDER_SLAB_ASAN 1
#endif
#endif

#if defined(LARDER_SLAB_ASAN)
#include <sanitizer/asan_interface.h>
// Free slots are poisoned, so AddressSanitizer reports a use after free or
// an overflow into the next slot as it does for malloc's blocks.
#define LARDER_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define LARDER_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define LARDER_POISON(p, n) ((void)(p), (void)(n))
#define LARDER_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace larder::util::slab_heap {

namespace {

constexpr std::size_t kGranule = 8;
constexpr std::size_t kClasses = kMaxSlabBlock / kGranule;
constexpr std::size_t kHeaderBytes = 64;
constexpr std::size_t kRegionBytes = 4 * 1024 * 1024;
constexpr std::size_t kSlabsPerRegion = kRegionBytes / kSlabBytes;

// The first kHeaderBytes of every slab in use; slots follow.
struct Slab {
  Slab* prev;  // in its class's list of slabs with a free slot
  Slab* next;
  void* free;              // freed slots, linked through their first 8 bytes
  std::uint32_t slot;      // bytes per slot
  std::uint32_t capacity;  // slots in the slab
  std::uint32_t live;      // slots handed out
  std::uint32_t fresh;     // slots from this index on were never handed out
};
static_assert(sizeof(Slab) <= kHeaderBytes);

// Set by yield_to_other_threads() on a thread that frees in bulk.
thread_local bool t_yields = false;

std::size_t class_of(std::size_t size) { return size == 0 ? 0 : (size - 1) / kGranule; }
std::size_t slot_of_class(std::size_t cls) { return (cls + 1) * kGranule; }
Slab* slab_of(void* block) {
  return reinterpret_cast<Slab*>(reinterpret_cast<std::uintptr_t>(block) & ~(kSlabBytes - 1));
}

class Heap {
 public:
  void* allocate(std::size_t size) {
    const std::size_t cls = class_of(size);
    Guard lock(*this);
    Slab* s = partial_[cls];
    if (s == nullptr) {
      s = take_slab(cls);
      link(cls, s);
    }
    char* block = take_slot(cls, s);
    LARDER_UNPOISON(block, size);
    return block;
  }

  void deallocate(void* block) {
    Slab* s = slab_of(block);
    Slab* emptied;
    {
      Guard lock(*this);
      emptied = give_back(class_of(s->slot), s, block);
    }
    release_pages(emptied);
  }

  void* relocate(void* block, std::size_t size) {
    Slab* s = slab_of(block);
    Slab* emptied = nullptr;
    void* moved = move_out(s, block, size, emptied);
    release_pages(emptied);
    return moved;
  }

  std::size_t used() {
    Guard lock(*this);
    return used_;
  }
  std::size_t free_slots() {
    Guard lock(*this);
    return slot_bytes_ - used_;
  }
  std::size_t resident() {
    Guard lock(*this);
    return (slabs_in_use_ + resident_empty_.size()) * kSlabBytes;
  }
  // One slab at a time, its pages returned outside the lock.
  std::size_t release() {
    std::size_t n = 0;
    for (;;) {
      Slab* s;
      {
        Guard lock(*this);
        if (resident_empty_.empty()) return n * kSlabBytes;
        s = resident_empty_.back();
        resident_empty_.pop_back();
      }
      release_pages(s);
      ++n;
    }
  }

 private:
  // The heap's mutex. A thread that called yield_to_other_threads() waits
  // (up to kMaxYield, so that loops that keep contending do not starve it)
  // while another thread waits for it: freeing blocks back to back, it would
  // otherwise retake the mutex each time before the woken waiter (an event
  // loop) runs, and hold that waiter off for its whole batch.
  class Guard {
   public:
    static constexpr auto kMaxYield = std::chrono::milliseconds(1);

    explicit Guard(Heap& h) : h_(h) {
      if (t_yields) {
        if (h_.waiting_.load(std::memory_order_acquire) != 0) {
          const auto until = std::chrono::steady_clock::now() + kMaxYield;
          do {
            std::this_thread::yield();
          } while (h_.waiting_.load(std::memory_order_acquire) != 0 && std::chrono::steady_clock::now() < until);
        }
        h_.mutex_.lock();
      } else if (!h_.mutex_.try_lock()) {
        h_.waiting_.fetch_add(1, std::memory_order_acq_rel);
        h_.mutex_.lock();
        h_.waiting_.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
    ~Guard() { h_.mutex_.unlock(); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    Heap& h_;
  };

  // relocate()'s work under the lock; `emptied` is set to a slab the move
  // left empty whose pages are to be returned.
  void* move_out(Slab* s, void* block, std::size_t size, Slab*& emptied) {
    Guard lock(*this);
    const std::size_t cls = class_of(s->slot);
    Slab* target = partial_[cls];
    if (target == nullptr || target == s || s->live * 4 >= s->capacity * 3) return nullptr;
    if (target->live < s->live) {
      // The fuller slab becomes the one its class fills next (a full slab
      // is in no list: it is not a candidate).
      unlink(cls, s);
      link(cls, s);
      return nullptr;
    }
    char* moved = take_slot(cls, target);
    LARDER_UNPOISON(moved, size);
    std::memcpy(moved, block, size);
    emptied = give_back(cls, s, block);
    return moved;
  }

  // A slot of `s`, the head of class cls's partial list (poisoned).
  char* take_slot(std::size_t cls, Slab* s) {
    char* block;
    if (s->free != nullptr) {
      block = static_cast<char*>(s->free);
      LARDER_UNPOISON(block, s->slot);
      std::memcpy(&s->free, block, sizeof(void*));
      LARDER_POISON(block, s->slot);
    } else {
      block = reinterpret_cast<char*>(s) + kHeaderBytes + std::size_t{s->fresh} * s->slot;
      ++s->fresh;
    }
    if (++s->live == s->capacity) unlink(cls, s);
    used_ += s->slot;
    return block;
  }

  // Frees `block`, a slot of `s`: a slab that was full joins its class's
  // partial list, one left empty is retired. Returns the slab whose pages
  // the caller returns with release_pages() once the lock is let go, if any.
  [[nodiscard]] Slab* give_back(std::size_t cls, Slab* s, void* block) {
    LARDER_UNPOISON(block, s->slot);
    std::memcpy(block, &s->free, sizeof(void*));
    LARDER_POISON(block, s->slot);
    s->free = block;
    used_ -= s->slot;
    if (s->live-- == s->capacity) link(cls, s);
    if (s->live == 0) {
      unlink(cls, s);
      return retire(s);
    }
    return nullptr;
  }

  // An empty slab set up for class `cls`, from the pools or a new region.
  Slab* take_slab(std::size_t cls) {
    if (resident_empty_.empty() && released_empty_.empty()) map_region();
    std::vector<Slab*>& pool = resident_empty_.empty() ? released_empty_ : resident_empty_;
    Slab* s = pool.back();
    pool.pop_back();
    const auto slot = static_cast<std::uint32_t>(slot_of_class(cls));
    *s = Slab{nullptr, nullptr, nullptr, slot, static_cast<std::uint32_t>((kSlabBytes - kHeaderBytes) / slot), 0, 0};
    LARDER_POISON(reinterpret_cast<char*>(s) + kHeaderBytes, kSlabBytes - kHeaderBytes);
    ++slabs_in_use_;
    slot_bytes_ += std::size_t{s->capacity} * slot;
    return s;
  }

  // A slab whose last block was freed goes back to a pool: its pages stay
  // resident while fewer than kKeptEmptySlabs others are. Otherwise it is
  // in no pool until release_pages() puts it in the released one: returned
  // here, for the caller to release after letting the lock go.
  [[nodiscard]] Slab* retire(Slab* s) {
    --slabs_in_use_;
    slot_bytes_ -= std::size_t{s->capacity} * s->slot;
    if (resident_empty_.size() < kKeptEmptySlabs) {
      resident_empty_.push_back(s);  // capacity reserved by map_region
      return nullptr;
    }
    return s;
  }

  // Returns the pages of `s` (if not null), an empty slab in no pool, to the
  // kernel without the lock held (a madvise of 64 KiB takes tens of
  // microseconds), then adds it to the released pool.
  void release_pages(Slab* s) {
    if (s == nullptr) return;
    LARDER_UNPOISON(s, kSlabBytes);
    madvise(s, kSlabBytes, MADV_DONTNEED);
    Guard lock(*this);
    released_empty_.push_back(s);  // capacity reserved by map_region
  }

  // Maps a region aligned to kSlabBytes and adds its slabs to the released
  // pool (their pages are not touched yet), lowest address on top.
  void map_region() {
    const std::size_t slabs = total_slabs_ + kSlabsPerRegion;
    resident_empty_.reserve(slabs);
    released_empty_.reserve(slabs);
    void* mapped = mmap(nullptr, kRegionBytes + kSlabBytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    const auto at = reinterpret_cast<std::uintptr_t>(mapped);
    const std::uintptr_t start = (at + kSlabBytes - 1) & ~(kSlabBytes - 1);
    if (start > at) munmap(mapped, start - at);
    const std::uintptr_t end = at + kRegionBytes + kSlabBytes;
    if (end > start + kRegionBytes) munmap(reinterpret_cast<void*>(start + kRegionBytes), end - start - kRegionBytes);
    for (std::size_t i = kSlabsPerRegion; i-- > 0;) {
      released_empty_.push_back(reinterpret_cast<Slab*>(start + i * kSlabBytes));
    }
    total_slabs_ = slabs;
  }

  void link(std::size_t cls, Slab* s) {
    s->prev = nullptr;
    s->next = partial_[cls];
    if (s->next != nullptr) s->next->prev = s;
    partial_[cls] = s;
  }
  void unlink(std::size_t cls, Slab* s) {
    if (s->prev != nullptr) {
      s->prev->next = s->next;
    } else {
      partial_[cls] = s->next;
    }
    if (s->next != nullptr) s->next->prev = s->prev;
    s->prev = s->next = nullptr;
  }

  std::mutex mutex_;
  std::atomic<unsigned> waiting_{0};  // threads blocked in Guard (yielding ones not counted)
  Slab* partial_[kClasses] = {};  // per class, the slabs with a free slot
  std::vector<Slab*> resident_empty_;
  std::vector<Slab*> released_empty_;
  std::size_t used_ = 0;
  std::size_t slot_bytes_ = 0;  // all slots of the slabs in use
  std::size_t slabs_in_use_ = 0;
  std::size_t total_slabs_ = 0;
};

// Never destroyed: blocks may be freed by threads still running at exit.
Heap& heap() {
  static Heap* h = new Heap;
  return *h;
}

}  // namespace

void* allocate(std::size_t size) {
  if (size > kMaxSlabBlock) {
    void* block = std::malloc(size);
    if (block == nullptr) throw std::bad_alloc();
    return block;
  }
  return heap().allocate(size);
}

void deallocate(void* block, std::size_t size) noexcept {
  if (block == nullptr) return;
  if (size > kMaxSlabBlock) {
    std::free(block);
    return;
  }
  heap().deallocate(block);
}

bool resizable(std::size_t old_size, std::size_t new_size) {
  if (old_size > kMaxSlabBlock || new_size > kMaxSlabBlock) return old_size > kMaxSlabBlock && new_size > kMaxSlabBlock;
  return class_of(old_size) == class_of(new_size);
}

void* reallocate(void* block, std::size_t old_size, std::size_t new_size) {
  if (old_size > kMaxSlabBlock) {
    void* moved = std::realloc(block, new_size);
    if (moved == nullptr) throw std::bad_alloc();
    return moved;
  }
  // The slot stays; only the bytes AddressSanitizer lets through change.
  LARDER_POISON(block, slab_of(block)->slot);
  LARDER_UNPOISON(block, new_size);
  return block;
}

std::size_t cost(std::size_t size) {
  return size > kMaxSlabBlock ? malloc_cost(size) : slot_of_class(class_of(size));
}

void* relocate(void* block, std::size_t size) {
  return size > kMaxSlabBlock ? nullptr : heap().relocate(block, size);
}

std::size_t free_slot_bytes() { return heap().free_slots(); }
std::size_t used_bytes() { return heap().used(); }
std::size_t resident_slab_bytes() { return heap().resident(); }
std::size_t release_free() { return heap().release(); }

void yield_to_other_threads() { t_yields = true; }

}  // namespace larder::util::slab_heap
