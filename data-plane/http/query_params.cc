#include "data-plane/http/query_params.h"

namespace portico::dp::http {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%' && i + 2 < in.size() &&
               hexValue(in[i + 1]) >= 0 && hexValue(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexValue(in[i + 1]) * 16 + hexValue(in[i + 2])));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

// Calls fn(pair, name, value) for each "name=value" pair; stops when fn returns true.
template <typename Fn>
void forEachPair(std::string_view query, Fn fn) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (fn(pair, name, value)) return;
  }
}

}  // namespace

std::optional<std::string> findQueryParam(std::string_view query, std::string_view name) {
  std::optional<std::string> found;
  forEachPair(query, [&](std::string_view, std::string_view n, std::string_view v) {
    if (decode(n) != name) return false;
    found = decode(v);
    return true;
  });
  return found;
}

std::string removeQueryParam(std::string_view query, std::string_view name) {
  std::string out;
  forEachPair(query, [&](std::string_view pair, std::string_view n, std::string_view) {
    if (decode(n) == name || pair.empty()) return false;
    if (!out.empty()) out.push_back('&');
    out.append(pair);
    return false;
  });
  return out;
}

}  // namespace portico::dp::http
