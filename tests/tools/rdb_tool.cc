// larder-rdb-tool: the RDB codec on files, for tests/differential/test_dump_restore.py.
//
//   larder-rdb-tool read FILE    prints one line per key of FILE:
//                                "<db> <expire_at_ms or -1> <hex key> <hex DUMP payload>"
//   larder-rdb-tool write FILE   reads such lines (databases ascending) from
//                                stdin and writes them to FILE as an RDB file
//
// Errors go to stderr (RdbError's text) with exit status 1.

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "larder/persistence/rdb_reader.h"
#include "larder/persistence/rdb_writer.h"

namespace {

using namespace larder;

std::string to_hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * s.size());
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string from_hex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

int read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot open " << path << "\n";
    return 1;
  }
  persistence::RdbReader reader(
      [&in](char* buf, std::size_t n) {
        in.read(buf, static_cast<std::streamsize>(n));
        return static_cast<std::size_t>(in.gcount());
      },
      persistence::EncodingLimits{});
  persistence::ReaderCallbacks cb;
  cb.key = [](persistence::LoadedKey& k) {
    storage::Entry* e = k.value.make_entry(k.key, k.expire_at_ms);
    const std::string payload = persistence::dump_payload(*e, persistence::WriterOptions{});
    std::cout << k.db << " " << k.expire_at_ms << " " << to_hex(k.key) << " " << to_hex(payload) << "\n";
    storage::Entry::destroy(e);
  };
  reader.read(cb);
  return 0;
}

int write_file(const char* path) {
  struct Key {
    std::int64_t expire;
    std::string key;
    storage::Entry* entry;
  };
  std::map<int, std::vector<Key>> dbs;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream fields(line);
    int db = 0;
    std::int64_t expire = 0;
    std::string key, payload;
    if (!(fields >> db >> expire >> key >> payload)) continue;
    key = from_hex(key);
    persistence::LoadedValue v = persistence::restore_payload(from_hex(payload), persistence::EncodingLimits{});
    dbs[db].push_back({expire, key, v.make_entry(key, expire)});
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  persistence::RdbWriter writer([&out](std::string_view b) { out.write(b.data(), static_cast<std::streamsize>(b.size())); },
                                persistence::WriterOptions{});
  const auto aux = persistence::default_aux_fields(0, 0);
  writer.begin(aux);
  for (auto& [db, keys] : dbs) {
    std::size_t expires = 0;
    for (const Key& k : keys) expires += k.expire != storage::kNoExpire ? 1 : 0;
    writer.select_db(db, keys.size(), expires);
    for (const Key& k : keys) {
      writer.key(k.key, *k.entry, k.expire);
      storage::Entry::destroy(k.entry);
    }
  }
  writer.end();
  return out.good() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: larder-rdb-tool read|write FILE\n";
    return 2;
  }
  try {
    if (std::strcmp(argv[1], "read") == 0) return read_file(argv[2]);
    if (std::strcmp(argv[1], "write") == 0) return write_file(argv[2]);
  } catch (const persistence::RdbError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::cerr << "usage: larder-rdb-tool read|write FILE\n";
  return 2;
}
