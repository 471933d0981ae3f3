#include "data-plane/tls/sni_matcher.h"

#include "absl/strings/ascii.h"
#include "common/strings.h"

namespace portico::dp::tls {

std::string SniMatcher::normalize(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return absl::AsciiStrToLower(av(name));
}

SniMatcher::SniMatcher(const std::vector<std::vector<std::string>>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    for (const std::string& raw : names[i]) {
      const std::string name = normalize(raw);
      // A wildcard only as the whole leftmost label (RFC 6125 §6.4.3 as browsers apply it);
      // "f*.example.com" or "*" are not wildcards we serve.
      if (name.size() > 2 && name[0] == '*' && name[1] == '.') {
        wildcard_.try_emplace(name.substr(2), static_cast<int>(i));
      } else if (!name.empty() && name.find('*') == std::string::npos) {
        exact_.try_emplace(name, static_cast<int>(i));
      }
    }
  }
}

int SniMatcher::find(std::string_view server_name) const {
  if (server_name.empty() || (exact_.empty() && wildcard_.empty())) return -1;
  const std::string name = normalize(server_name);
  if (auto it = exact_.find(name); it != exact_.end()) return it->second;
  const size_t dot = name.find('.');
  if (dot == std::string::npos || dot == 0) return -1;
  if (auto it = wildcard_.find(av(std::string_view(name).substr(dot + 1))); it != wildcard_.end()) {
    return it->second;
  }
  return -1;
}

}  // namespace portico::dp::tls
