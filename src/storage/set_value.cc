#include "larder/storage/set_value.h"

#include <memory>

namespace larder::storage::set {

namespace {

void convert(Db::Writer& w) {
  auto dict = std::make_unique<PackedDict>(PackedDict::Kind::kSet);
  dict->reserve(size(w.entry()) + 1);
  for_each(w.entry(), [&](std::string_view m) { dict->insert(m); });
  w.set_object(std::move(dict));
}

}  // namespace

std::size_t size(const Entry& e) {
  if (e.encoding() == Encoding::kObject) return static_cast<const PackedDict*>(e.object())->size();
  return intset::count(e.value());
}

bool contains(const Entry& e, std::string_view member) {
  if (e.encoding() == Encoding::kObject) return static_cast<const PackedDict*>(e.object())->contains(member);
  std::int64_t v = 0;
  return util::parse_int64(member, v) && intset::contains(e.value(), v);
}

bool add(Db::Writer& w, std::string_view member, std::uint64_t max_intset_entries) {
  if (w.encoding() == Encoding::kInline) {
    std::int64_t v = 0;
    if (util::parse_int64(member, v)) {
      if (intset::contains(w.bytes(), v)) return false;
      intset::add(w.buffer(), v);
      if (size(w.entry()) > max_intset_entries) convert(w);
      return true;
    }
    convert(w);
  }
  if (static_cast<const PackedDict*>(w.entry().object())->contains(member)) return false;
  return static_cast<PackedDict&>(w.object()).insert(member);
}

bool remove(Db::Writer& w, std::string_view member) {
  if (w.encoding() == Encoding::kObject) {
    if (!static_cast<const PackedDict*>(w.entry().object())->contains(member)) return false;
    return static_cast<PackedDict&>(w.object()).erase(member);
  }
  std::int64_t v = 0;
  if (!util::parse_int64(member, v) || !intset::contains(w.bytes(), v)) return false;
  return intset::remove(w.buffer(), v);
}

}  // namespace larder::storage::set
