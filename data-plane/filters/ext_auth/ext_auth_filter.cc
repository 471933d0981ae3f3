#include "data-plane/filters/ext_auth/ext_auth_filter.h"

#include <google/protobuf/any.pb.h>

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "common/logging.h"
#include "common/strings.h"
#include "data-plane/filters/ext_auth/auth_service_client.h"
#include "data-plane/http/hop_headers.h"
#include "portico/filters/ext_auth/v1/ext_auth.pb.h"

namespace portico::dp::filters::ext_auth {

namespace {

namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr size_t kMaxCachedIdentities = 10000;

struct CachedAllow {
  Clock::time_point expires;
  Headers upstream_headers;
};

// One worker's cache; only that worker touches it.
struct alignas(64) WorkerCache {
  absl::flat_hash_map<std::string, CachedAllow> entries;
};

class Settings : public http::FilterRouteConfig {
 public:
  AuthTarget target;
  std::shared_ptr<boost::asio::ssl::context> tls;  // https targets
  std::vector<std::string> identity_headers;       // lower case
  std::vector<std::string> upstream_headers;       // lower case
  Clock::duration cache_ttl{};
  Clock::duration timeout = std::chrono::seconds(1);
  bool fail_open = false;
  mutable std::vector<WorkerCache> caches;  // one per worker (FilterState::worker_index)
};

// Null (no error) for an empty filter-level config when `optional`: then only routes with
// their own config can run the filter.
absl::StatusOr<std::shared_ptr<const Settings>> compileSettings(const google::protobuf::Any& any, size_t workers,
                                                                bool optional = false) {
  portico::filters::ext_auth::v1::ExtAuth in;
  if (!any.UnpackTo(&in)) {
    return absl::InvalidArgumentError(cat("expected portico.filters.ext_auth.v1.ExtAuth, got ", any.type_url()));
  }
  if (optional && in.url().empty()) return std::shared_ptr<const Settings>();
  auto target = parseAuthUrl(in.url());
  if (!target.ok()) return target.status();
  auto out = std::make_shared<Settings>();
  out->target = std::move(*target);
  if (out->target.tls) {
    out->tls = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
    boost::system::error_code ec;
    out->tls->set_default_verify_paths(ec);
    out->tls->set_verify_mode(boost::asio::ssl::verify_peer, ec);
  }
  for (const std::string& h : in.identity_headers()) out->identity_headers.push_back(absl::AsciiStrToLower(h));
  for (const std::string& h : in.upstream_headers()) out->upstream_headers.push_back(absl::AsciiStrToLower(h));
  const auto seconds = [](const google::protobuf::Duration& d) {
    return std::chrono::seconds(d.seconds()) + std::chrono::nanoseconds(d.nanos());
  };
  out->cache_ttl = std::chrono::duration_cast<Clock::duration>(seconds(in.cache_ttl()));
  if (in.has_timeout() && seconds(in.timeout()).count() > 0) {
    out->timeout = std::chrono::duration_cast<Clock::duration>(seconds(in.timeout()));
  }
  if (out->cache_ttl.count() > 0 && out->identity_headers.empty()) {
    return absl::InvalidArgumentError("identity_headers: required with cache_ttl (they are the cache key)");
  }
  out->fail_open = in.fail_open();
  out->caches.resize(std::max<size_t>(workers, 1));
  return out;
}

// The identity (cache key): each identity header's value, length-prefixed. False when one is
// missing (its name in `missing`).
bool identityKey(const Settings& settings, const router::Request& request, std::string& key, std::string& missing) {
  for (const std::string& name : settings.identity_headers) {
    auto it = request.find(name);
    if (it == request.end()) {
      missing = name;
      return false;
    }
    key.append(std::to_string(it->value().size())).push_back(':');
    key.append(it->value().data(), it->value().size());
  }
  return true;
}

void applyHeaders(router::Request& request, const Headers& headers) {
  for (const auto& [name, value] : headers) request.insert(name, value);
}

// Never copied into the check request: hop-by-hop headers, and the framing, Host and Expect of
// the client's request (the check request has its own).
bool notForwarded(bhttp::field field) {
  return http::hopByHop(field) || field == bhttp::field::transfer_encoding || field == bhttp::field::content_length ||
         field == bhttp::field::host || field == bhttp::field::expect;
}

// The check request: the client request's end-to-end headers, no body, and what was asked.
router::Request checkRequest(const Settings& settings, const http::FilterState& state) {
  const router::Request& original = *state.request;
  router::Request check{bhttp::verb::get, settings.target.path, 11};
  for (const auto& field : original) {
    if (!notForwarded(field.name())) check.insert(field.name_string(), field.value());
  }
  check.set("x-forwarded-method", original.method_string());
  check.set("x-forwarded-uri", original.target());
  check.set("x-forwarded-host", original[bhttp::field::host]);
  check.set("x-forwarded-for", state.client_address);
  return check;
}

http::FilterStatus refuse(http::FilterState& state, int status, std::string_view code, std::string message) {
  state.reply.status = status;
  state.reply.code = std::string(code);
  state.reply.message = std::move(message);
  return http::FilterStatus::kLocalReply;
}

class ExtAuthFilter : public http::HttpFilter {
 public:
  explicit ExtAuthFilter(std::shared_ptr<const Settings> defaults) : defaults_(std::move(defaults)) {}

  http::FilterStatus decodeHeaders(http::FilterState& state, const http::FilterRouteConfig* route) const override {
    if (route == nullptr && defaults_ == nullptr) {
      return refuse(state, 503, "authorizer_unavailable", "ext-auth is enabled on this route without a configuration");
    }
    const Settings& settings = settingsFor(route);
    router::Request& request = *state.request;
    for (const std::string& name : settings.upstream_headers) request.erase(name);  // only the service sets them
    std::string key;
    std::string missing;
    if (!identityKey(settings, request, key, missing)) {
      return refuse(state, 401, "unauthorized", cat("missing ", missing, " header"));
    }
    if (settings.cache_ttl.count() > 0 && state.worker_index < settings.caches.size()) {
      auto& entries = settings.caches[state.worker_index].entries;
      if (auto it = entries.find(key); it != entries.end()) {
        if (it->second.expires > Clock::now()) {
          applyHeaders(request, it->second.upstream_headers);
          return http::FilterStatus::kContinue;
        }
        entries.erase(it);
      }
    }
    return http::FilterStatus::kAsync;
  }

  net::Awaitable<http::FilterStatus> decodeHeadersAsync(http::FilterState& state,
                                                        const http::FilterRouteConfig* route) const override {
    const Settings& settings = settingsFor(route);
    AuthAnswer answer =
        co_await callAuthService(settings.target, settings.tls.get(), checkRequest(settings, state), settings.timeout);
    const unsigned status = answer.ok ? answer.response.result_int() : 0;
    if (status >= 200 && status < 300) {
      Headers granted;
      for (const std::string& name : settings.upstream_headers) {
        const auto [first, last] = answer.response.equal_range(name);
        for (auto it = first; it != last; ++it) granted.emplace_back(name, std::string(it->value()));
      }
      applyHeaders(*state.request, granted);
      remember(settings, state, std::move(granted));
      co_return http::FilterStatus::kContinue;
    }
    if (status == 401 || status == 403) {
      if (auto it = answer.response.find(bhttp::field::www_authenticate); it != answer.response.end()) {
        state.reply.headers.emplace_back("www-authenticate", std::string(it->value()));
      }
      co_return status == 401 ? refuse(state, 401, "unauthorized", "refused by the authorization service")
                              : refuse(state, 403, "forbidden", "refused by the authorization service");
    }
    const std::string why = answer.ok ? cat("answered ", status) : answer.error;
    if (settings.fail_open) {
      PORTICO_LOG(kWarning, "ext-auth: ", settings.target.host_header, " failed (", why,
                  "); fail_open lets the request through");
      co_return http::FilterStatus::kContinue;
    }
    co_return refuse(state, 503, "authorizer_unavailable", cat("the authorization service failed: ", why));
  }

 private:
  const Settings& settingsFor(const http::FilterRouteConfig* route) const {
    return route != nullptr ? static_cast<const Settings&>(*route) : *defaults_;
  }

  static void remember(const Settings& settings, const http::FilterState& state, Headers granted) {
    if (settings.cache_ttl.count() <= 0 || state.worker_index >= settings.caches.size()) return;
    std::string key;
    std::string missing;
    if (!identityKey(settings, *state.request, key, missing)) return;
    auto& entries = settings.caches[state.worker_index].entries;
    if (entries.size() >= kMaxCachedIdentities) {
      const Clock::time_point now = Clock::now();
      absl::erase_if(entries, [now](const auto& entry) { return entry.second.expires <= now; });
      if (entries.size() >= kMaxCachedIdentities) entries.clear();  // all live: start over
    }
    entries[key] = CachedAllow{Clock::now() + settings.cache_ttl, std::move(granted)};
  }

  std::shared_ptr<const Settings> defaults_;
};

class ExtAuthFactory : public http::FilterFactory {
 public:
  absl::StatusOr<http::HttpFilterConstSharedPtr> createFilter(const google::protobuf::Any& config,
                                                              const http::FilterBuildContext& context) const override {
    auto settings = compileSettings(config, context.worker_count, /*optional=*/true);
    if (!settings.ok()) return settings.status();
    return std::make_shared<ExtAuthFilter>(std::move(*settings));
  }

  absl::StatusOr<http::FilterRouteConfigConstSharedPtr> createRouteConfig(
      const google::protobuf::Any& config, const http::FilterBuildContext& context) const override {
    auto settings = compileSettings(config, context.worker_count);
    if (!settings.ok()) return settings.status();
    return http::FilterRouteConfigConstSharedPtr(std::move(*settings));
  }
};

}  // namespace

const http::FilterFactory& extAuthFactory() {
  static const ExtAuthFactory kFactory;
  return kFactory;
}

}  // namespace portico::dp::filters::ext_auth
