#include "data-plane/filters/jwt_authn/jwks_registry.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "common/logging.h"
#include "data-plane/filters/jwt_authn/jwks_fetcher.h"

namespace portico::dp::http {

namespace asio = boost::asio;
using filters::jwt_authn::Jwks;
using filters::jwt_authn::RemoteJwks;
using filters::jwt_authn::RemoteJwksSettings;

namespace {

constexpr absl::Duration kFirstBackoff = absl::Seconds(1);
constexpr absl::Duration kMaxBackoff = absl::Seconds(30);

}  // namespace

// The fetch loop's own state: used only on the registry's thread (the timer is cancelled from
// a handler posted there), kept alive by the loop's coroutine and by the RemoteJwks's wake-up.
struct JwksRegistry::Loop {
  explicit Loop(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
  absl::Duration backoff = kFirstBackoff;
  bool failing = false;
  prometheus::Counter* successes = nullptr;
  prometheus::Counter* failures = nullptr;
  prometheus::Gauge* keys = nullptr;
};

JwksRegistry::JwksRegistry(Options options, prometheus::Registry* metrics)
    : options_(options),
      verifications_(std::make_shared<metrics::CounterFamily>(
          "portico_proxy_jwt_verifications_total", "JWT verifications by provider and outcome",
          static_cast<int>(std::max<size_t>(options.worker_count, 1)))),
      work_(io_.get_executor()) {
  if (metrics != nullptr) {
    fetches_ = &prometheus::BuildCounter()
                    .Name("portico_proxy_jwks_fetches_total")
                    .Help("Remote JWKS fetches by result")
                    .Register(*metrics);
    key_counts_ = &prometheus::BuildGauge()
                       .Name("portico_proxy_jwks_keys")
                       .Help("Usable keys in the remote JWKS in use")
                       .Register(*metrics);
  }
}

JwksRegistry::~JwksRegistry() {
  stop();
}

void JwksRegistry::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { io_.run(); });
}

void JwksRegistry::stop() {
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<RemoteJwks> JwksRegistry::remote(const RemoteJwksSettings& settings) {
  const std::string key = settings.key();
  std::lock_guard lock(mu_);
  if (auto it = remotes_.find(key); it != remotes_.end()) {
    if (auto existing = it->second.lock()) return existing;
  }
  // Forget entries nobody holds any more (the map stays as small as the config).
  for (auto it = remotes_.begin(); it != remotes_.end();) {
    if (it->second.expired()) {
      remotes_.erase(it++);
    } else {
      ++it;
    }
  }
  auto loop = std::make_shared<Loop>(io_);
  if (fetches_ != nullptr) {
    loop->successes = &fetches_->Add({{"uri", settings.uri}, {"result", "success"}});
    loop->failures = &fetches_->Add({{"uri", settings.uri}, {"result", "failure"}});
    loop->keys = &key_counts_->Add({{"uri", settings.uri}});
  }
  auto wake = [this, loop] { asio::post(io_, [loop] { loop->timer.cancel(); }); };
  auto remote = std::make_shared<RemoteJwks>(settings, options_.worker_count, options_.min_refetch_interval,
                                             std::move(wake));
  remotes_[key] = remote;
  asio::co_spawn(io_, run(remote, loop), asio::detached);
  return remote;
}

asio::awaitable<void> JwksRegistry::run(std::weak_ptr<RemoteJwks> weak, std::shared_ptr<Loop> loop) {
  for (;;) {
    filters::jwt_authn::JwksFetchTarget target;
    {
      auto remote = weak.lock();
      if (!remote) co_return;
      remote->beginFetch();
      target.uri = remote->settings().uri;
      target.ca_file = remote->settings().ca_file;
      target.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
          absl::ToChronoMilliseconds(remote->settings().timeout));
    }
    absl::StatusOr<std::string> body = co_await filters::jwt_authn::fetchJwksDocument(target);
    absl::Duration next;
    {
      auto remote = weak.lock();
      if (!remote) co_return;
      fetched(*remote, *loop, std::move(body));
      next = loop->failing ? loop->backoff
                           : std::max(remote->settings().cache_duration * 9 / 10, absl::Milliseconds(50));
      if (loop->failing) {
        const absl::Duration cap = std::min(kMaxBackoff, std::max(remote->settings().cache_duration, kFirstBackoff));
        loop->backoff = std::min(loop->backoff * 2, cap);
      }
      remote->fetchDone();
    }
    // Sleeps until the next refresh; a worker's refetch request cancels the wait early.
    loop->timer.expires_after(absl::ToChronoNanoseconds(next));
    co_await loop->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void JwksRegistry::fetched(RemoteJwks& remote, Loop& loop, absl::StatusOr<std::string> body) {
  const std::string& uri = remote.settings().uri;
  absl::Status status = body.status();
  std::vector<std::string> skipped;
  if (status.ok()) {
    auto keys = Jwks::parse(*body, &skipped);
    if (keys.ok()) {
      const size_t count = (*keys)->keys().size();
      remote.publish(std::move(*keys));
      if (loop.successes != nullptr) loop.successes->Increment();
      if (loop.keys != nullptr) loop.keys->Set(static_cast<double>(count));
      if (loop.failing) PORTICO_LOG(kInfo, "jwks ", uri, ": fetched again (", count, " keys)");
      for (const std::string& line : skipped) PORTICO_LOG(kWarning, "jwks ", uri, ": skipped ", line);
      loop.failing = false;
      loop.backoff = kFirstBackoff;
      return;
    }
    status = keys.status();
  }
  if (loop.failures != nullptr) loop.failures->Increment();
  loop.failing = true;
  PORTICO_LOG(kWarning, "jwks ", uri, ": fetch failed (", status.message(), "); ",
              remote.hasKeys() ? "keeping the last good key set" : "no key set yet",
              ", retrying in ", absl::FormatDuration(loop.backoff));
}

}  // namespace portico::dp::http
