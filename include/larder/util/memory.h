#pragma once
// Process memory readings for INFO memory and MEMORY STATS / DOCTOR / USAGE.
// Linux with glibc; each reading is a snapshot, safe to call from any thread.

#include <cstddef>

namespace larder::util {

// Bytes currently handed out by the allocators: glibc mallinfo2()'s uordblks
// (in-use heap chunks, chunk headers included) + hblkhd (mmapped blocks) +
// slab_heap's slots in use. Redis's used_memory counts the same thing through
// its zmalloc wrapper.
std::size_t allocated_bytes();

// The highest allocated_bytes() reading taken so far in this process (every
// call of allocated_bytes() updates it). Like Redis's peak memory this is a
// sampled peak: a spike between two readings is not seen.
std::size_t peak_allocated_bytes();

// The allocator's usage once the server is initialized, before it serves
// (Redis's startup.allocated). record_startup_allocated() takes the reading;
// startup_allocated_bytes() is 0 until it has been called.
void record_startup_allocated();
std::size_t startup_allocated_bytes();

// Resident set size: the second field of /proc/self/statm times the page
// size; 0 if it cannot be read.
std::size_t rss_bytes();

// Peak resident set size (VmHWM in /proc/self/status); 0 if it cannot be read.
std::size_t peak_rss_bytes();

// Bytes the allocator takes for a malloc(`requested`) block, its bookkeeping
// included: with glibc on 64-bit, the chunk size max(32, requested + 8
// rounded up to 16); elsewhere `requested` rounded up to 16.
std::size_t malloc_cost(std::size_t requested);

// Returns free heap memory to the operating system (glibc malloc_trim and
// slab_heap's empty slabs); MEMORY PURGE.
void release_free_memory();

// Called once at startup: free() no longer shrinks the heap inline (a trim of
// many MB in the middle of a burst of frees stalls the loop); memory goes back
// through release_free_memory(), which the server calls on its background
// thread after large deletions. Blocks of 1 MiB or more are mmapped, and
// glibc's fastbins are off (see memory.cc).
void tune_allocator();

}  // namespace larder::util
