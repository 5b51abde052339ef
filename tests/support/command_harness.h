#pragma once
// Runs commands in-process through the real command table against a private
// keyspace, with a clock the test moves. Returns each reply's raw RESP bytes.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/config/live_config.h"
#include "larder/storage/keyspace.h"

namespace larder::testing {

class CommandHarness {
 public:
  explicit CommandHarness(int databases = 16)
      : keyspace_(databases), config_(options_with(databases)) {}

  std::string run(std::initializer_list<std::string_view> args) {
    return run(std::vector<std::string_view>(args));
  }
  std::string run(const std::vector<std::string_view>& args) {
    std::string out;
    protocol::ReplyBuilder reply(out);
    commands::CommandTable::instance().execute(args, reply, client_, keyspace_, config_, now_ms_);
    return out;
  }

  void advance(std::int64_t ms) { now_ms_ += ms; }
  std::int64_t now() const { return now_ms_; }
  storage::Keyspace& keyspace() { return keyspace_; }
  commands::ClientState& client() { return client_; }

 private:
  static config::Options options_with(int databases) {
    config::Options o;
    o.databases = databases;
    return o;
  }

  storage::Keyspace keyspace_;
  config::LiveConfig config_;
  commands::ClientState client_;
  std::int64_t now_ms_ = 1'700'000'000'000;
};

}  // namespace larder::testing
