// Metadata rows of the commands src/commands/pubsub_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "subscribe", .arity = -2, .flags = "pubsub noscript loading stale", .acl = "@pubsub @slow",
     .summary = "Listen for messages published to the given channels", .since = "2.0.0", .group = "pubsub",
     .complexity = "O(N) where N is the number of channels to subscribe to.",
     .syntax = "channel [channel ...]"},
    {.name = "unsubscribe", .arity = -1, .flags = "pubsub noscript loading stale", .acl = "@pubsub @slow",
     .summary = "Stop listening for messages posted to the given channels", .since = "2.0.0", .group = "pubsub",
     .complexity = "O(N) where N is the number of clients already subscribed to a channel.",
     .syntax = "[channel [channel ...]]"},
    {.name = "psubscribe", .arity = -2, .flags = "pubsub noscript loading stale", .acl = "@pubsub @slow",
     .summary = "Listen for messages published to channels matching the given patterns", .since = "2.0.0", .group = "pubsub",
     .complexity = "O(N) where N is the number of patterns the client is already subscribed to.",
     .syntax = "pattern [pattern ...]",
     .hints = "pattern:pattern pattern:block"},
    {.name = "punsubscribe", .arity = -1, .flags = "pubsub noscript loading stale", .acl = "@pubsub @slow",
     .summary = "Stop listening for messages posted to channels matching the given patterns", .since = "2.0.0", .group = "pubsub",
     .complexity = "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
     .syntax = "[pattern [pattern ...]]",
     .hints = "pattern:pattern"},
    {.name = "publish", .arity = 3, .flags = "pubsub loading stale fast", .acl = "@pubsub @fast",
     .summary = "Post a message to a channel", .since = "2.0.0", .group = "pubsub",
     .complexity = "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
     .syntax = "channel message"},
    {.name = "ssubscribe", .arity = -2, .flags = "pubsub noscript loading stale", .acl = "@pubsub @slow", .key_specs = {"not_key | index 1 | range -1 1 0"},
     .summary = "Listen for messages published to the given shard channels", .since = "7.0.0", .group = "pubsub",
     .complexity = "O(N) where N is the number of shard channels to subscribe to.",
     .syntax = "shardchannel [shardchannel ...]"},
    {.name = "sunsubscribe", .arity = -1, .flags = "pubsub noscript loading stale", .acl = "@pubsub @slow", .key_specs = {"not_key | index 1 | range -1 1 0"},
     .summary = "Stop listening for messages posted to the given shard channels", .since = "7.0.0", .group = "pubsub",
     .complexity = "O(N) where N is the number of clients already subscribed to a shard channel.",
     .syntax = "[shardchannel [shardchannel ...]]"},
    {.name = "spublish", .arity = 3, .flags = "pubsub loading stale fast", .acl = "@pubsub @fast", .key_specs = {"not_key | index 1 | range 0 1 0"},
     .summary = "Post a message to a shard channel", .since = "7.0.0", .group = "pubsub",
     .complexity = "O(N) where N is the number of clients subscribed to the receiving shard channel.",
     .syntax = "shardchannel message"},
    {.name = "pubsub", .arity = -2, .flags = "", .acl = "@slow",
     .summary = "A container for Pub/Sub commands", .since = "2.8.0", .group = "pubsub",
     .complexity = "Depends on subcommand."},
    {.name = "pubsub|channels", .arity = -2, .flags = "pubsub loading stale", .acl = "@pubsub @slow",
     .summary = "List active channels", .since = "2.8.0", .group = "pubsub",
     .complexity = "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
     .syntax = "[pattern]",
     .hints = "pattern:pattern"},
    {.name = "pubsub|numsub", .arity = -2, .flags = "pubsub loading stale", .acl = "@pubsub @slow",
     .summary = "Get the count of subscribers for channels", .since = "2.8.0", .group = "pubsub",
     .complexity = "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
     .syntax = "[channel [channel ...]]"},
    {.name = "pubsub|numpat", .arity = 2, .flags = "pubsub loading stale", .acl = "@pubsub @slow",
     .summary = "Get the count of unique patterns pattern subscriptions", .since = "2.8.0", .group = "pubsub",
     .complexity = "O(1)"},
    {.name = "pubsub|shardchannels", .arity = -2, .flags = "pubsub loading stale", .acl = "@pubsub @slow",
     .summary = "List active shard channels", .since = "7.0.0", .group = "pubsub",
     .complexity = "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
     .syntax = "[pattern]",
     .hints = "pattern:pattern"},
    {.name = "pubsub|shardnumsub", .arity = -2, .flags = "pubsub loading stale", .acl = "@pubsub @slow",
     .summary = "Get the count of subscribers for shard channels", .since = "7.0.0", .group = "pubsub",
     .complexity = "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
     .syntax = "[shardchannel [shardchannel ...]]"},
    {.name = "pubsub|help", .arity = 2, .flags = "loading stale", .acl = "@slow",
     .summary = "Show helpful text about the different subcommands", .since = "6.2.0", .group = "pubsub",
     .complexity = "O(1)"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> pubsub_doc_rows() { return kRows; }

}  // namespace larder::commands
