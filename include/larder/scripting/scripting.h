#pragma once
// Server-wide scripting state: the script cache (the bodies EVAL and SCRIPT
// LOAD saw, by SHA-1, shared by every event loop), one Lua engine per event
// loop, and the script running now as other clients see it (BUSY after
// busy-reply-threshold, SCRIPT KILL, FUNCTION KILL / STATS).
//
// Threads: the cache and RunningScript guard themselves and may be used from
// any thread; engine(loop) only from loop `loop`'s own thread.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <map>
#include <unordered_map>
#include <vector>

namespace larder::scripting {

class LuaEngine;

// EVAL scripts by SHA-1 (40 lower-case hex digits).
class ScriptCache {
 public:
  void add(const std::string& sha, std::string_view body);
  // `sha` is matched case-insensitively, as Redis does. False when unknown.
  bool find(std::string_view sha, std::string& body) const;
  bool contains(std::string_view sha) const;
  // The flags of the cached script's shebang (kEvalCompat without one);
  // nullopt when unknown or its shebang is invalid.
  std::optional<unsigned> flags(std::string_view sha) const;
  // SCRIPT FLUSH: forgets every body; engines drop their compiled copies
  // when they see the generation change.
  void flush();
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::size_t count() const;
  // Bytes of the bodies and names, for INFO used_memory_scripts_eval.
  std::size_t memory() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> bodies_;
  std::size_t bytes_ = 0;
  std::atomic<std::uint64_t> generation_{0};
};

// One function of a library, as FUNCTION LIST shows it.
struct FunctionInfo {
  std::string name;
  std::string description;
  bool has_description = false;
  unsigned flags = 0;  // ScriptFlag bits
};

// A library loaded by FUNCTION LOAD: its code and the functions it registered.
struct Library {
  std::string name;
  std::string code;  // the whole FUNCTION LOAD text, shebang included
  std::vector<FunctionInfo> functions;
};

// Every function library, server-wide. Engines rebuild their function
// states when the generation changes.
class FunctionLibraries {
 public:
  // Adds `lib` (replacing one of the same name when `replace`); Redis's error
  // text when a function name belongs to another library, else empty.
  std::string add(Library lib, bool replace);
  bool exists(const std::string& name) const;
  // The flags of function `name` (any case, as FCALL finds it); nullopt when
  // there is none.
  std::optional<unsigned> function_flags(std::string_view name) const;
  bool remove(const std::string& name);
  void flush();
  // A copy of every library, by name.
  std::map<std::string, Library> snapshot() const;
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::size_t library_count() const;
  std::size_t function_count() const;
  std::size_t memory() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Library> libraries_;
  // Function name, lower case (FCALL finds functions case-insensitively, as
  // Redis does) -> library name.
  std::map<std::string, std::string> owner_;
  std::atomic<std::uint64_t> generation_{0};
};

// The script or function running now, if any. With one event loop at most
// one runs at a time; with several, scripts lock every shard (see
// scripting_commands.cc), so again only one makes progress at a time.
struct RunningScript {
  std::atomic<bool> running{false};
  std::atomic<bool> is_function{false};
  // Past busy-reply-threshold: other clients get -BUSY.
  std::atomic<bool> busy{false};
  // It has run a write command: SCRIPT KILL answers UNKILLABLE.
  std::atomic<bool> wrote{false};
  std::atomic<bool> kill_requested{false};
  // The server is shutting down: a running script stops at its next check,
  // written or not (SHUTDOWN NOSAVE, SIGTERM).
  std::atomic<bool> shutting_down{false};
  std::atomic<std::int64_t> started_ms{0};
  // FUNCTION STATS: the function's name and the command line; under `mutex`.
  mutable std::mutex mutex;
  std::string name;
  std::vector<std::string> command;
};

class Scripting {
 public:
  static constexpr int kMaxLoops = 64;  // the `threads` limit

  Scripting();
  ~Scripting();
  Scripting(const Scripting&) = delete;
  Scripting& operator=(const Scripting&) = delete;

  ScriptCache scripts;
  FunctionLibraries functions;
  RunningScript running;
  // The state of scripts' math.random: Redis's redisLrand48, drand48's
  // 48-bit generator, one for the whole server and never reseeded but by
  // math.randomseed (not by SCRIPT FLUSH either).
  std::atomic<std::uint64_t> lua_random{0x1234ABCD330Eull};

  // The engine of event loop `loop`, created at its first use.
  LuaEngine& engine(int loop);
  // The engine that runs loop `loop`'s functions (FCALL): its own Lua state,
  // whose globals have no KEYS or ARGV.
  LuaEngine& function_engine(int loop);
  // From loop `loop`'s thread, between its handlers: its engine lets go of
  // what a SCRIPT FLUSH since dropped, unless a script is running.
  void release_flushed(int loop);
  // Set by each event loop before it serves: runs that loop's ready
  // handlers (other clients) from inside a busy script.
  void set_poller(int loop, std::function<void()> poll);
  const std::function<void()>& poller(int loop) const { return pollers_.at(static_cast<std::size_t>(loop)); }
  // The Lua heaps of every engine, as last measured (INFO used_memory_vm_eval).
  std::size_t vm_memory() const;
  std::size_t functions_vm_memory() const;
  std::size_t functions_memory() const { return functions.memory(); }
  std::size_t function_count() const { return functions.function_count(); }
  std::size_t library_count() const { return functions.library_count(); }

 private:
  std::array<std::atomic<LuaEngine*>, kMaxLoops> engines_{};
  std::array<std::atomic<LuaEngine*>, kMaxLoops> function_engines_{};
  std::array<std::function<void()>, kMaxLoops> pollers_;
};

}  // namespace larder::scripting
