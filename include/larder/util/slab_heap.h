#pragma once
// The allocator of entry blocks (storage/entry.h). Blocks up to kMaxSlabBlock
// bytes take a slot of a size class 8 bytes apart in a 64 KiB slab: no
// per-block header and at most 7 bytes of rounding, where glibc's malloc adds
// an 8-byte header and rounds the chunk to 16 (a 223-byte block costs 224
// bytes here, 240 there). Bigger blocks go to malloc. The caller passes the
// block's size back on every call, as to sized delete.
//
// Slabs are carved from 4 MiB mmapped regions. A slab hands out its freed
// slots first, then its never-used ones in address order, so untouched
// slots cost no RSS. A slab whose last block is freed goes back to a pool
// shared by all classes; past kKeptEmptySlabs such slabs its pages are
// returned to the kernel (madvise), and release_free() returns them all.
// Regions stay mapped.
//
// Thread-safe: one mutex, so a block may be freed on another thread (the
// background free thread destroys whole tables). Pages go back to the kernel
// outside it.

#include <cstddef>

namespace larder::util::slab_heap {

inline constexpr std::size_t kMaxSlabBlock = 1024;
inline constexpr std::size_t kSlabBytes = 64 * 1024;
inline constexpr std::size_t kKeptEmptySlabs = 16;

// A block of `size` bytes; throws std::bad_alloc when memory runs out.
void* allocate(std::size_t size);
// Frees a block allocate(size) returned.
void deallocate(void* block, std::size_t size) noexcept;
// Whether reallocate() takes a block of old_size to new_size: both sizes
// share a slot class (the block stays where it is), or both are over
// kMaxSlabBlock (glibc's realloc: a shrink never fails).
bool resizable(std::size_t old_size, std::size_t new_size);
// Resizes a block, the first min(old_size, new_size) bytes kept; requires
// resizable(old_size, new_size). A growth may throw std::bad_alloc, the
// block then unchanged.
void* reallocate(void* block, std::size_t old_size, std::size_t new_size);
// The bytes a block of `size` occupies: its slot, or malloc_cost(size).
std::size_t cost(std::size_t size);

// Moves a block of `size` bytes out of a slab worth emptying: one of its
// class's partly used slabs, under 3/4 full, when the slab its class fills
// next is at least as full. Returns the block's new address (its bytes
// copied, the old slot freed), or nullptr when it stays. Repeated over a
// class's blocks (storage::Defragmenter) this packs the class into fewer
// slabs, and the emptied ones go back: without it, a keyspace whose value
// sizes change keeps sparse slabs of the old sizes (slab calcification).
void* relocate(void* block, std::size_t size);
// Bytes of free slots in slabs that hold blocks: what relocation could give
// back at most.
std::size_t free_slot_bytes();

// Bytes of the slots handed out (counted in util::allocated_bytes()).
std::size_t used_bytes();
// Bytes of slabs holding at least one block, and of emptied slabs whose
// pages are still resident (for tests: what the process keeps in slabs).
std::size_t resident_slab_bytes();
// Returns the pages of every empty slab to the kernel; the bytes released.
std::size_t release_free();

// From now on the calling thread lets any other thread waiting for the heap
// go first. For a thread that frees blocks in bulk (storage::BackgroundFree):
// an event loop then waits for one block's work at a time, not the batch's.
void yield_to_other_threads();

}  // namespace larder::util::slab_heap
