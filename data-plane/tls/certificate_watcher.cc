#include "data-plane/tls/certificate_watcher.h"

namespace portico::dp::tls {

void CertificateWatcher::start() {
  if (interval_ <= absl::ZeroDuration() || thread_.joinable()) return;
  thread_ = std::thread([this] {
    const auto period = absl::ToChronoNanoseconds(interval_);
    std::unique_lock<std::mutex> lock(mu_);
    while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
      lock.unlock();
      registry_.reloadChanged();
      lock.lock();
    }
  });
}

void CertificateWatcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace portico::dp::tls
