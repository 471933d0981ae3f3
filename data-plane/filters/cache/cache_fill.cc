#include "data-plane/filters/cache/cache_fill.h"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

namespace portico::dp::filters::cache {

bool CacheFill::addWaiter(std::shared_ptr<FillWaiter> waiter) {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return false;
  had_waiters_ = true;
  waiters_.push_back(std::move(waiter));
  return true;
}

bool CacheFill::hadWaiters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return had_waiters_;
}

void CacheFill::finish() {
  std::vector<std::shared_ptr<FillWaiter>> waiters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    finished_ = true;
    waiters.swap(waiters_);
  }
  for (std::shared_ptr<FillWaiter>& waiter : waiters) {
    const net::Executor executor = waiter->executor;
    // On the waiter's own thread: its timer is set while it waits and cleared (on that thread)
    // when it stops waiting, so a late wake-up finds null and does nothing.
    boost::asio::post(executor, [waiter = std::move(waiter)] {
      if (waiter->timer != nullptr) waiter->timer->cancel();
    });
  }
}

bool CacheFill::finished() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finished_;
}

net::Awaitable<bool> waitForFill(CacheFillPtr fill, std::chrono::steady_clock::time_point deadline) {
  const net::Executor executor = co_await boost::asio::this_coro::executor;
  net::Timer timer(executor);
  timer.expires_at(deadline);
  auto waiter = std::make_shared<FillWaiter>(executor);
  waiter->timer = &timer;
  // However this frame ends (destroyed at shutdown included), a later wake-up must not find
  // the timer.
  struct Detach {
    FillWaiter& waiter;
    ~Detach() { waiter.timer = nullptr; }
  } detach{*waiter};
  if (!fill->addWaiter(waiter)) co_return true;
  // No wake-up can run before this suspends: it is posted to this very thread.
  co_await timer.async_wait(net::kNoThrow);
  co_return fill->finished();
}

}  // namespace portico::dp::filters::cache
