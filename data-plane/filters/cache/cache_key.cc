#include "data-plane/filters/cache/cache_key.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace portico::dp::filters::cache {

namespace {

void appendPart(std::string& key, std::string_view part) {
  key.append(std::to_string(part.size()));
  key.push_back(':');
  key.append(part);
}

// Every value of header `name`, in order, joined by ',' (absent and empty differ: an absent
// header adds "-", a present one "=" and its values).
void appendHeader(std::string& key, const router::Fields& headers, std::string_view name) {
  const auto [first, last] = headers.equal_range(boost::beast::string_view(name.data(), name.size()));
  if (first == last) {
    key.push_back('-');
    return;
  }
  std::string values;
  for (auto it = first; it != last; ++it) {
    if (!values.empty()) values.push_back(',');
    values.append(it->value().data(), it->value().size());
  }
  key.push_back('=');
  appendPart(key, values);
}

}  // namespace

std::string filterQuery(std::string_view query, const std::vector<std::string>& keep) {
  std::vector<std::string_view> kept;
  for (absl::string_view param : absl::StrSplit(av(query), '&', absl::SkipEmpty())) {
    const std::string_view name = sv(param.substr(0, param.find('=')));
    if (std::binary_search(keep.begin(), keep.end(), name)) kept.push_back(sv(param));
  }
  std::stable_sort(kept.begin(), kept.end(), [](std::string_view a, std::string_view b) {
    return a.substr(0, a.find('=')) < b.substr(0, b.find('='));
  });
  std::string out;
  for (std::string_view param : kept) {
    if (!out.empty()) out.push_back('&');
    out.append(param);
  }
  return out;
}

std::string primaryKey(const CacheSettings& settings, const KeyInput& input) {
  std::string key;
  key.reserve(input.route.size() + input.host.size() + input.path.size() + input.query.size() + 32);
  appendPart(key, input.route);
  appendPart(key, input.method);
  appendPart(key, absl::AsciiStrToLower(av(input.host)));
  appendPart(key, input.path);
  if (!settings.query_params.empty()) {
    appendPart(key, filterQuery(input.query, settings.query_params));
  } else if (settings.include_query) {
    appendPart(key, input.query);
  } else {
    key.push_back('-');
  }
  for (const std::string& name : settings.key_headers) {
    appendPart(key, name);
    appendHeader(key, *input.headers, name);
  }
  return key;
}

std::string variantKey(std::string_view primary, const std::vector<std::string>& vary_names,
                       const router::Fields& headers) {
  std::string key(primary);
  key.append("|vary|");
  for (const std::string& name : vary_names) {
    appendPart(key, name);
    appendHeader(key, headers, name);
  }
  return key;
}

}  // namespace portico::dp::filters::cache
