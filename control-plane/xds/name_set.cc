#include "control-plane/xds/name_set.h"

#include <map>
#include <mutex>
#include <vector>

#include "common/hash.h"

namespace portico::cp::xds {

namespace {

struct Interner {
  std::mutex mu;
  uint64_t interns = 0;
  // Content hash → the live sets with that hash (equal content, or a rare collision).
  std::multimap<std::string, std::weak_ptr<const NameSet>> sets;
};

Interner& interner() {
  static auto* instance = new Interner();  // never destroyed: streams may outlive statics
  return *instance;
}

std::string hashOf(const NameSet& names) {
  std::string joined;
  for (const std::string& name : names) joined.append(name).push_back('\0');
  return contentVersion(joined);
}

}  // namespace

NameSetPtr internNames(NameSet names) {
  if (names.empty()) return emptyNames();
  const std::string key = hashOf(names);
  Interner& table = interner();
  std::lock_guard<std::mutex> lock(table.mu);
  if (++table.interns % 1024 == 0) {
    std::erase_if(table.sets, [](const auto& entry) { return entry.second.expired(); });
  }
  auto [begin, end] = table.sets.equal_range(key);
  for (auto it = begin; it != end;) {
    if (NameSetPtr live = it->second.lock()) {
      if (*live == names) return live;
      ++it;
    } else {
      it = table.sets.erase(it);  // the last holder went away
    }
  }
  auto shared = std::make_shared<const NameSet>(std::move(names));
  table.sets.emplace(key, shared);
  return shared;
}

const NameSetPtr& emptyNames() {
  static const NameSetPtr kEmpty = std::make_shared<const NameSet>();
  return kEmpty;
}

}  // namespace portico::cp::xds
