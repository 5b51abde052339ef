#pragma once
// One registration function per command family; CommandTable::instance()
// calls each of them explicitly.

namespace larder::commands {

class CommandTable;

void register_connection_commands(CommandTable& table);
void register_string_commands(CommandTable& table);
void register_key_commands(CommandTable& table);
void register_server_commands(CommandTable& table);
void register_introspection_commands(CommandTable& table);

}  // namespace larder::commands
