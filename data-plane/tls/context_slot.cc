#include "data-plane/tls/context_slot.h"

#include "absl/strings/str_join.h"
#include "common/logging.h"
#include "common/strings.h"

namespace portico::dp::tls {

ContextSlot::ContextSlot(TlsSettings settings, std::shared_ptr<const ListenerTlsStats> stats,
                         ServerContext::SharedPtr initial)
    : settings_(std::move(settings)),
      files_(settings_.files()),
      stats_(std::move(stats)),
      current_(std::move(initial)) {}

ServerContext::SharedPtr ContextSlot::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

std::string ContextSlot::lastError() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

ContextSlot::Reload ContextSlot::reloadIfChanged() {
  if (files_.empty()) return Reload::kUnchanged;  // inline PEM only: nothing to watch
  std::vector<FileStamp> now = stampFiles(files_);
  const ServerContext::SharedPtr built = current();
  if (now == built->files()) {
    settling_.clear();
    if (!failed_.empty()) {  // the files went back to what serves
      failed_.clear();
      std::lock_guard<std::mutex> lock(mu_);
      last_error_.clear();
    }
    return Reload::kUnchanged;
  }
  if (now == failed_) return Reload::kUnchanged;  // reported already
  if (now != settling_) {
    settling_ = std::move(now);
    return Reload::kSettling;
  }
  settling_.clear();
  absl::StatusOr<ServerContext::SharedPtr> next = ServerContext::create(settings_, stats_);
  if (!next.ok()) {
    failed_ = std::move(now);
    stats_->reloaded(false);
    PORTICO_LOG(kWarning, "listener \"", settings_.listener,
                "\": TLS certificate reload failed, the previous certificates keep serving: ",
                next.status().message());
    std::lock_guard<std::mutex> lock(mu_);
    last_error_ = std::string(next.status().message());
    return Reload::kFailed;
  }
  std::vector<std::string> loaded;
  for (const CertificateInfo& info : (*next)->certificates()) {
    loaded.push_back(cat(info.source, " (", info.subject, ", serial ", info.serial, ")"));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(*next);
    last_error_.clear();
  }
  failed_.clear();
  stats_->reloaded(true);
  PORTICO_LOG(kInfo, "listener \"", settings_.listener, "\": TLS certificates reloaded: ",
              absl::StrJoin(loaded, ", "));
  return Reload::kReloaded;
}

}  // namespace portico::dp::tls
