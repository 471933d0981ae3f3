#include "data-plane/filters/builtin_filters.h"

#include <utility>

namespace portico::dp::filters {

const http::FilterFactory* findFilterFactory(std::string_view type_url) {
  // One entry per implemented filter: {type URL of its filter-level config, its factory}.
  static const std::pair<std::string_view, const http::FilterFactory*> kFactories[] = {
      {"", nullptr},  // placeholder until the first filter lands
  };
  for (const auto& [url, factory] : kFactories) {
    if (!url.empty() && url == type_url) return factory;
  }
  return nullptr;
}

}  // namespace portico::dp::filters
