#pragma once
// One registration function per command family; CommandTable::instance()
// calls each of them explicitly.

namespace larder::commands {

class CommandTable;

void register_connection_commands(CommandTable& table);
void register_string_commands(CommandTable& table);
void register_key_commands(CommandTable& table);
void register_hash_commands(CommandTable& table);
void register_set_commands(CommandTable& table);
void register_zset_commands(CommandTable& table);
void register_blocking_commands(CommandTable& table);
void register_list_commands(CommandTable& table);
void register_server_commands(CommandTable& table);
void register_transaction_commands(CommandTable& table);
void register_client_commands(CommandTable& table);
void register_info_commands(CommandTable& table);
void register_config_commands(CommandTable& table);
void register_introspection_commands(CommandTable& table);
void register_diagnostics_commands(CommandTable& table);
void register_bitmap_commands(CommandTable& table);
void register_hyperloglog_commands(CommandTable& table);
void register_geo_commands(CommandTable& table);
void register_sort_commands(CommandTable& table);
void register_pubsub_commands(CommandTable& table);
void register_monitor_commands(CommandTable& table);
void register_stream_commands(CommandTable& table);
void register_scripting_commands(CommandTable& table);
void register_function_commands(CommandTable& table);
void register_persistence_commands(CommandTable& table);
void register_dump_commands(CommandTable& table);
void register_acl_commands(CommandTable& table);
void register_tracking_commands(CommandTable& table);
void register_replication_commands(CommandTable& table);

}  // namespace larder::commands
