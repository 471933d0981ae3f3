#include "data-plane/filters/cache/cache_settings.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/strings.h"
#include "data-plane/redis/redis_target.h"
#include "portico/filters/cache/v1/cache.pb.h"

namespace portico::dp::filters::cache {

namespace {

std::string mediaType(std::string_view content_type) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(av(content_type.substr(0, content_type.find(';')))));
}

template <typename T>
void sortUnique(std::vector<T>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

}  // namespace

bool CacheSettings::cacheableStatus(unsigned status) const {
  return std::binary_search(statuses.begin(), statuses.end(), status);
}

bool CacheSettings::cacheableContentType(std::string_view content_type) const {
  if (content_types.empty()) return true;
  const std::string type = mediaType(content_type);
  for (const std::string& allowed : content_types) {
    if (allowed == type) return true;
    // "text/*": any subtype of text.
    if (absl::EndsWith(allowed, "/*") && absl::StartsWith(type, av(std::string_view(allowed).substr(0, allowed.size() - 1)))) {
      return true;
    }
  }
  return false;
}

namespace {

absl::StatusOr<std::shared_ptr<const RedisBackend>> compileRedis(const portico::filters::cache::v1::Cache& in,
                                                                  const http::FilterBuildContext* context) {
  auto target = redis::compileTarget(in.redis(), context != nullptr ? context->redis : nullptr,
                                     context != nullptr ? context->worker_count : 1, "with backend REDIS");
  if (!target.ok()) return target.status();
  return std::make_shared<const RedisBackend>(std::move(target->client), target->timeout);
}

}  // namespace

absl::StatusOr<std::shared_ptr<const CacheSettings>> compileCacheSettings(const portico::filters::cache::v1::Cache& in,
                                                                          const http::FilterBuildContext* context) {
  auto out = std::make_shared<CacheSettings>();
  if (in.backend() == portico::filters::cache::v1::Cache::REDIS) {
    auto backend = compileRedis(in, context);
    if (!backend.ok()) return backend.status();
    out->redis = std::move(*backend);
  }
  out->ttl = in.has_ttl() ? std::chrono::seconds(in.ttl().seconds()) : kDefaultTtl;
  if (in.ttl().seconds() < 0) return absl::InvalidArgumentError("ttl: must not be negative");
  if (in.methods().empty()) {
    out->get = true;  // the plugin's default: GET and HEAD
    out->head = true;
  }
  for (int i = 0; i < in.methods_size(); ++i) {
    const std::string method = absl::AsciiStrToUpper(in.methods(i));
    if (method == "GET") {
      out->get = true;
    } else if (method == "HEAD") {
      out->head = true;
    } else {
      return absl::InvalidArgumentError(cat("methods[", i, "]: \"", in.methods(i), "\" is not cacheable (GET or HEAD)"));
    }
  }
  for (int i = 0; i < in.statuses_size(); ++i) {
    if (in.statuses(i) < 200 || in.statuses(i) > 599) {
      return absl::InvalidArgumentError(cat("statuses[", i, "]: ", in.statuses(i), " is not a status (200..599)"));
    }
    out->statuses.push_back(in.statuses(i));
  }
  if (out->statuses.empty()) out->statuses.push_back(200);
  sortUnique(out->statuses);
  for (const std::string& type : in.content_types()) out->content_types.push_back(mediaType(type));
  out->max_size_bytes = in.max_size_bytes() != 0 ? in.max_size_bytes() : kDefaultMaxSizeBytes;
  out->max_entry_bytes =
      in.max_entry_bytes() != 0 ? in.max_entry_bytes() : std::min(kDefaultMaxEntryBytes, out->max_size_bytes);
  if (out->max_entry_bytes > out->max_size_bytes) {
    return absl::InvalidArgumentError(cat("max_entry_bytes: ", out->max_entry_bytes, " exceeds max_size_bytes (",
                                          out->max_size_bytes, ")"));
  }
  out->include_query = in.include_query();
  for (const std::string& param : in.query_params()) out->query_params.push_back(param);
  sortUnique(out->query_params);
  for (const std::string& header : in.key_headers()) {
    if (header.empty()) return absl::InvalidArgumentError("key_headers: empty header name");
    out->key_headers.push_back(absl::AsciiStrToLower(header));
  }
  sortUnique(out->key_headers);
  out->key_has_authorization =
      std::binary_search(out->key_headers.begin(), out->key_headers.end(), std::string("authorization"));
  return std::shared_ptr<const CacheSettings>(std::move(out));
}

}  // namespace portico::dp::filters::cache
