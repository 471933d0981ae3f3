#include "data-plane/filters/cache/cache_policy.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/strings.h"
#include "data-plane/http/hop_headers.h"

namespace portico::dp::filters::cache {

namespace bhttp = boost::beast::http;

namespace {

StoreDecision refuse(NotStored reason) {
  StoreDecision out;
  out.reason = reason;
  return out;
}

std::string_view value(const router::Fields::value_type& field) {
  return std::string_view(field.value().data(), field.value().size());
}

// Fields a hit must not replay: hop-by-hop and framing (the session frames each response),
// and what is computed per response.
bool perResponseField(bhttp::field name) {
  return http::hopByHop(name) || name == bhttp::field::transfer_encoding || name == bhttp::field::age;
}

// `list` ("a, b, portico") without its last element when that is `last`.
std::string withoutLastElement(std::string_view list, std::string_view last) {
  const size_t comma = list.rfind(',');
  const std::string_view tail = sv(absl::StripAsciiWhitespace(av(comma == std::string_view::npos ? list : list.substr(comma + 1))));
  if (tail != last) return std::string(list);
  if (comma == std::string_view::npos) return "";
  return std::string(sv(absl::StripTrailingAsciiWhitespace(av(list.substr(0, comma)))));
}

}  // namespace

const char* notStoredName(NotStored reason) {
  switch (reason) {
    case NotStored::kStatus: return "status";
    case NotStored::kContentType: return "content_type";
    case NotStored::kTooLarge: return "too_large";
    case NotStored::kNoStore: return "no_store";
    case NotStored::kPrivate: return "private";
    case NotStored::kNoCache: return "no_cache";
    case NotStored::kSetCookie: return "set_cookie";
    case NotStored::kVaryStar: return "vary_star";
    case NotStored::kAuthorization: return "authorization";
    case NotStored::kNotFresh: return "not_fresh";
    case NotStored::kPurged: return "purged";
  }
  return "unknown";
}

StoreDecision decideStore(const CacheSettings& settings, const router::Request& request,
                          const router::Response& response, int64_t now_unix) {
  if (!settings.cacheableStatus(response.result_int())) return refuse(NotStored::kStatus);
  if (!settings.cacheableContentType(std::string_view(response[bhttp::field::content_type].data(),
                                                      response[bhttp::field::content_type].size()))) {
    return refuse(NotStored::kContentType);
  }
  const CacheControl directives = parseCacheControl(response);
  if (directives.no_store) return refuse(NotStored::kNoStore);
  if (directives.is_private) return refuse(NotStored::kPrivate);
  if (directives.no_cache) return refuse(NotStored::kNoCache);
  if (response.find(bhttp::field::set_cookie) != response.end()) return refuse(NotStored::kSetCookie);
  if (request.find(bhttp::field::authorization) != request.end() && !settings.key_has_authorization &&
      !directives.is_public && !directives.s_maxage && !directives.must_revalidate) {
    return refuse(NotStored::kAuthorization);
  }
  StoreDecision out;
  out.vary = parseVary(response);
  if (out.vary.star) return refuse(NotStored::kVaryStar);
  size_t bytes = response.body().size();
  for (const auto& field : response) bytes += field.name_string().size() + field.value().size();
  if (bytes > settings.max_entry_bytes) return refuse(NotStored::kTooLarge);
  out.ttl = freshnessLifetime(directives, response, settings.ttl, now_unix);
  if (out.ttl.count() <= 0) return refuse(NotStored::kNotFresh);
  out.age = ageSeconds(response);
  out.store = true;
  return out;
}

StoredResponse storedResponse(const router::Response& response, std::string_view request_id_header,
                              std::string_view via) {
  StoredResponse out;
  out.status = response.result_int();
  out.headers.reserve(static_cast<size_t>(std::distance(response.begin(), response.end())));
  for (const auto& field : response) {
    if (perResponseField(field.name())) continue;
    const std::string_view name(field.name_string().data(), field.name_string().size());
    if (absl::EqualsIgnoreCase(av(name), "x-cache")) continue;
    if (!request_id_header.empty() && absl::EqualsIgnoreCase(av(name), av(request_id_header))) continue;
    if (field.name() == bhttp::field::via && !via.empty()) {
      std::string rest = withoutLastElement(value(field), via);
      if (!rest.empty()) out.headers.emplace_back(std::string(name), std::move(rest));
      continue;
    }
    out.headers.emplace_back(std::string(name), std::string(value(field)));
  }
  out.body = response.body();
  return out;
}

}  // namespace portico::dp::filters::cache
