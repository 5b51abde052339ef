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

// While the keyspace shrinks (set by the server), free_releasing() gives a
// big block's whole pages back to the kernel before free(), holding no lock.
// Left to malloc_trim they would be madvised one free chunk at a time under
// the arena lock the event loop allocates with (538 ms once, for 50,000
// values of 20 KB expiring together).
void set_release_on_free(bool on);
bool release_on_free();
// free(block), a malloc'd block of `bytes`; in release-on-free mode its whole
// pages go back first (unless glibc mmapped it: free() unmaps it anyway).
void free_releasing(void* block, std::size_t bytes);
// Bytes of whole pages free_releasing() has madvised so far in this process
// (an APPEND-grown buffer's never-touched tail included).
std::size_t released_on_free_bytes();
// Bytes of the blocks free_releasing() has freed in release-on-free mode.
std::size_t freed_releasing_bytes();
// The allocator's free chunks (glibc mallinfo2's ordblks, a walk of its bins
// under each arena's lock): how many madvise calls a malloc_trim could make.
std::size_t free_chunk_count();

// Called once at startup: free() no longer shrinks the heap inline (a trim of
// many MB in the middle of a burst of frees stalls the loop); memory goes back
// through release_free_memory(), which the server calls on its background
// thread after large deletions. Blocks of 1 MiB or more are mmapped, and
// glibc's fastbins are off (see memory.cc).
void tune_allocator();

}  // namespace larder::util
