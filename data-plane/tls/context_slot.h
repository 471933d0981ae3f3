#pragma once

// Where a TLS listener's current ServerContext lives: a snapshot's listener holds its slot, a
// worker asks it for the context once per accepted connection, and the reload thread swaps in
// a new context when the certificate files change. New handshakes use the new certificates;
// connections already established keep the context (and certificates) they started with.
//
// Reload rules (reloadIfChanged):
// - The files are stat()ed (pem_file.h). A change must hold still for one poll before it is
//   loaded, so a cert and key written one after the other are read as a pair.
// - A new context is built from the same settings. If that fails (unreadable file, bad PEM,
//   key not matching its certificate), the previous context keeps serving; the failure is
//   logged and counted once, and not retried until the files change again.
//
// Threading: current() and lastError() from any thread (a mutex held for a pointer copy: once
// per connection, far below a handshake's cost, never per request); reloadIfChanged() from the
// reload thread only.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "data-plane/tls/pem_file.h"
#include "data-plane/tls/server_context.h"
#include "data-plane/tls/tls_settings.h"
#include "data-plane/tls/tls_stats.h"

namespace portico::dp::tls {

class ContextSlot {
 public:
  ContextSlot(TlsSettings settings, std::shared_ptr<const ListenerTlsStats> stats,
              ServerContext::SharedPtr initial);

  ServerContext::SharedPtr current() const;
  const TlsSettings& settings() const { return settings_; }
  // Why the files on disk are not what serves ("" when they are): the last reload's error.
  std::string lastError() const;

  enum class Reload {
    kUnchanged,  // the files are those of the current context (or of the last failure)
    kSettling,   // they changed since the last poll: reload at the next one if they hold still
    kReloaded,   // a new context serves new handshakes
    kFailed,     // the new files do not load; the previous context keeps serving
  };
  Reload reloadIfChanged();

 private:
  const TlsSettings settings_;
  const std::vector<std::string> files_;
  const std::shared_ptr<const ListenerTlsStats> stats_;
  mutable std::mutex mu_;
  ServerContext::SharedPtr current_ ABSL_GUARDED_BY(mu_);
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  // Reload thread only.
  std::vector<FileStamp> settling_;
  std::vector<FileStamp> failed_;
};

}  // namespace portico::dp::tls
