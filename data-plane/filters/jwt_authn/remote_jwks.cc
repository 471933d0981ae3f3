#include "data-plane/filters/jwt_authn/remote_jwks.h"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include "common/strings.h"

namespace portico::dp::filters::jwt_authn {

namespace {

int64_t steadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string RemoteJwksSettings::key() const {
  return cat(uri, "\n", ca_file, "\n", absl::ToInt64Milliseconds(timeout), "\n",
             absl::ToInt64Milliseconds(cache_duration));
}

// A request waiting for a fetch: its timer is armed and waited on by the worker, and cancelled
// by a handler posted to that worker's executor (so only the worker ever touches it).
struct RemoteJwks::Waiter {
  explicit Waiter(net::Executor on) : executor(on), timer(on) {}
  const net::Executor executor;
  net::Timer timer;
};

RemoteJwks::RemoteJwks(RemoteJwksSettings settings, size_t worker_count, absl::Duration min_refetch_interval,
                       std::function<void()> wake)
    : settings_(std::move(settings)),
      min_refetch_interval_ns_(absl::ToInt64Nanoseconds(min_refetch_interval)),
      wake_(std::move(wake)),
      slot_count_(worker_count == 0 ? 1 : worker_count),
      slots_(new Slot[slot_count_]) {}

RemoteJwks::~RemoteJwks() = default;

const Jwks* RemoteJwks::keys(size_t worker) const {
  if (worker >= slot_count_) return nullptr;  // a caller bug; treated as "no keys", never shared
  Slot& slot = slots_[worker];
  if (slot.generation != generation_.load(std::memory_order_acquire)) {
    std::lock_guard lock(mu_);
    slot.keys = current_;
    slot.generation = generation_.load(std::memory_order_relaxed);
  }
  return slot.keys.get();
}

bool RemoteJwks::requestRefetch() {
  if (fetching()) return true;
  const int64_t now = steadyNanos();
  int64_t next = next_refetch_ns_.load(std::memory_order_relaxed);
  if (now < next) return false;
  // One winner per interval, without a lock (a flood of unknown kids takes this path).
  if (!next_refetch_ns_.compare_exchange_strong(next, now + min_refetch_interval_ns_, std::memory_order_relaxed)) {
    return fetching();
  }
  {
    std::lock_guard lock(mu_);
    fetching_.store(true, std::memory_order_release);
  }
  wake_();
  return true;
}

net::Awaitable<void> RemoteJwks::waitForFetch() const {
  auto executor = co_await boost::asio::this_coro::executor;
  auto waiter = std::make_shared<Waiter>(executor);
  waiter->timer.expires_after(absl::ToChronoNanoseconds(settings_.timeout) + std::chrono::milliseconds(250));
  {
    std::lock_guard lock(mu_);
    if (!fetching_.load(std::memory_order_relaxed)) co_return;
    waiters_.push_back(waiter);
  }
  co_await waiter->timer.async_wait(net::kNoThrow);
}

void RemoteJwks::beginFetch() {
  std::lock_guard lock(mu_);
  fetching_.store(true, std::memory_order_release);
}

void RemoteJwks::publish(JwksConstSharedPtr keys) {
  std::lock_guard lock(mu_);
  current_ = std::move(keys);
  generation_.fetch_add(1, std::memory_order_release);
}

bool RemoteJwks::hasKeys() const {
  std::lock_guard lock(mu_);
  return current_ != nullptr;
}

void RemoteJwks::fetchDone() {
  std::vector<std::shared_ptr<Waiter>> waiters;
  {
    std::lock_guard lock(mu_);
    fetching_.store(false, std::memory_order_release);
    waiters.swap(waiters_);
  }
  for (auto& waiter : waiters) {
    const net::Executor executor = waiter->executor;
    boost::asio::post(executor, [waiter = std::move(waiter)] { waiter->timer.cancel(); });
  }
}

}  // namespace portico::dp::filters::jwt_authn
