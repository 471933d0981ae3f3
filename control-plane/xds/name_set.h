#pragma once

// Interned sets of subscribed resource names. Thousands of proxies of one group subscribe to the
// same names (every EDS name of their clusters); sharing one immutable set between them keeps a
// stream's subscription a pointer instead of a copy.
//
// Threading: intern() may be called from any thread.

#include <memory>
#include <set>
#include <string>

namespace portico::cp::xds {

using NameSet = std::set<std::string, std::less<>>;
using NameSetPtr = std::shared_ptr<const NameSet>;

// The shared instance equal to `names` (created on first use; freed when no stream holds it).
NameSetPtr internNames(NameSet names);

// The shared empty set.
const NameSetPtr& emptyNames();

}  // namespace portico::cp::xds
