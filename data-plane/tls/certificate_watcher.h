#pragma once

// The reload thread: every `interval` it asks the ContextRegistry to reload the TLS contexts
// whose certificate, key or CA files changed (ContextSlot::reloadIfChanged). A poll costs a
// stat() per file; a reload happens at most once per change. Off the workers, so a slow disk or
// a large CA bundle never stalls traffic.
//
// Threading: start() and stop() from the main thread.

#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "data-plane/tls/context_registry.h"

namespace portico::dp::tls {

class CertificateWatcher {
 public:
  CertificateWatcher(ContextRegistry& registry, absl::Duration interval)
      : registry_(registry), interval_(interval) {}
  ~CertificateWatcher() { stop(); }

  // A zero interval never starts the thread (certificates are then read only when a listener's
  // TLS settings change).
  void start();
  void stop();

 private:
  ContextRegistry& registry_;
  const absl::Duration interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace portico::dp::tls
