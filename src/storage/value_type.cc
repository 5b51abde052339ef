#include "larder/storage/value_type.h"

#include "larder/util/strings.h"

namespace larder::storage {

std::optional<ValueType> type_from_name(std::string_view name) {
  for (ValueType t : {ValueType::kString, ValueType::kList, ValueType::kSet, ValueType::kZset,
                      ValueType::kHash, ValueType::kStream}) {
    if (util::iequals(name, type_name(t))) return t;
  }
  return std::nullopt;
}

}  // namespace larder::storage
