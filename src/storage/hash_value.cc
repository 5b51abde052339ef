#include "larder/storage/hash_value.h"

#include <memory>

namespace larder::storage::hash {

namespace {

void convert(Db::Writer& w) {
  auto dict = std::make_unique<PackedDict>(PackedDict::Kind::kHash);
  dict->reserve(size(w.entry()));
  for_each(w.entry(), [&](std::string_view field, std::string_view value) { dict->insert(field, value); });
  w.set_object(std::move(dict));
}

}  // namespace

std::size_t size(const Entry& e) {
  if (e.encoding() == Encoding::kObject) return static_cast<const PackedDict*>(e.object())->size();
  return packed_list::count(e.value()) / 2;
}

std::optional<std::string_view> get(const Entry& e, std::string_view field) {
  if (e.encoding() == Encoding::kObject) return static_cast<const PackedDict*>(e.object())->find(field);
  const std::string_view run = e.value();
  std::size_t pos = packed_list::find(run, field, 2);
  if (pos == packed_list::npos) return std::nullopt;
  packed_list::read(run, pos);
  return packed_list::read(run, pos);
}

void convert_for_values(Db::Writer& w, const Limits& limits, std::initializer_list<std::string_view> items) {
  if (w.encoding() != Encoding::kInline) return;
  for (std::string_view item : items) {
    if (item.size() > limits.max_value) {
      convert(w);
      return;
    }
  }
}

bool set(Db::Writer& w, std::string_view field, std::string_view value, const Limits& limits) {
  convert_for_values(w, limits, {field, value});
  if (w.encoding() == Encoding::kObject) return static_cast<PackedDict&>(w.object()).insert(field, value);
  const std::string_view run = w.bytes();
  std::size_t pos = packed_list::find(run, field, 2);
  const bool created = pos == packed_list::npos;
  if (created) {
    packed_list::append(w.buffer(), {field, value});
  } else {
    packed_list::read(run, pos);  // the value follows its field
    packed_list::replace(w.buffer(), pos, value);
  }
  // Checked after an update too (the limit may have been lowered).
  if (size(w.entry()) > limits.max_entries) convert(w);
  return created;
}

bool erase(Db::Writer& w, std::string_view field) {
  if (w.encoding() == Encoding::kObject) {
    // A miss leaves the value unchanged (and WATCH untouched).
    if (!static_cast<const PackedDict*>(w.entry().object())->contains(field)) return false;
    return static_cast<PackedDict&>(w.object()).erase(field);
  }
  const std::size_t pos = packed_list::find(w.bytes(), field, 2);
  if (pos == packed_list::npos) return false;
  packed_list::erase(w.buffer(), pos, 2);
  return true;
}

}  // namespace larder::storage::hash
