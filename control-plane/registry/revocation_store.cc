#include "control-plane/registry/revocation_store.h"

#include "absl/time/clock.h"
#include "common/strings.h"

namespace portico::cp::registry {

namespace {

std::string rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

}  // namespace

absl::Status validateJti(std::string_view jti) {
  if (jti.empty()) {
    return absl::InvalidArgumentError("jti: must not be empty");
  }
  if (jti.size() > kMaxJtiBytes) {
    return absl::InvalidArgumentError(cat("jti: ", jti.size(), " bytes is too long (at most ", kMaxJtiBytes, ")"));
  }
  for (unsigned char c : jti) {
    // Control characters would corrupt logs and tables; no token issuer uses them.
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("jti: control characters are not allowed");
    }
  }
  return absl::OkStatus();
}

RevocationStore::RevocationStore(Options options) : options_(std::move(options)), grace_(options_.grace) {
  if (!options_.clock) {
    options_.clock = [] { return absl::Now(); };
  }
}

bool RevocationStore::expired(const RevokedToken& token, absl::Time now) const {
  return token.expires_at != 0 && absl::FromUnixSeconds(token.expires_at) + grace_ <= now;
}

void RevocationStore::notify() const {
  if (on_change_) {
    on_change_();
  }
}

absl::StatusOr<RevocationStore::AddResult> RevocationStore::add(const std::string& jti, int64_t expires_at) {
  if (absl::Status status = validateJti(jti); !status.ok()) {
    return status;
  }
  if (expires_at < 0 || expires_at > kMaxExpiresAt) {
    return absl::InvalidArgumentError(
        cat("expires_at: ", expires_at, " is out of range (1..", kMaxExpiresAt, ", or absent for no expiry)"));
  }
  AddResult result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const absl::Time now = options_.clock();
    RevokedToken token{jti, expires_at, now};
    if (expired(token, now)) {
      return absl::InvalidArgumentError(
          cat("expires_at: ", rfc3339(absl::FromUnixSeconds(expires_at)),
              " has passed (more than the clock-skew allowance of ", absl::FormatDuration(grace_),
              " ago): the token's exp claim refuses it already"));
    }
    auto it = tokens_.find(jti);
    result.created = it == tokens_.end();
    if (result.created && tokens_.size() >= options_.max_entries) {
      return absl::ResourceExhaustedError(
          cat("the revocation list is full (", options_.max_entries,
              " entries); remove entries, or wait for entries past their expires_at to be dropped"));
    }
    tokens_[jti] = token;
    result.token = std::move(token);
  }
  notify();
  return result;
}

absl::Status RevocationStore::remove(const std::string& jti) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (tokens_.erase(jti) == 0) {
      return absl::NotFoundError(cat("jti \"", jti, "\" is not revoked"));
    }
  }
  notify();
  return absl::OkStatus();
}

RevocationList RevocationStore::list() const {
  std::lock_guard<std::mutex> lock(mu_);
  RevocationList out;
  out.reserve(tokens_.size());
  for (const auto& [jti, token] : tokens_) {
    out.push_back(token);
  }
  return out;
}

size_t RevocationStore::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tokens_.size();
}

int RevocationStore::expire() {
  int removed = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const absl::Time now = options_.clock();
    for (auto it = tokens_.begin(); it != tokens_.end();) {
      if (expired(it->second, now)) {
        it = tokens_.erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  }
  if (removed > 0) {
    notify();
  }
  return removed;
}

void RevocationStore::setGrace(absl::Duration grace) {
  std::lock_guard<std::mutex> lock(mu_);
  grace_ = grace;
}

}  // namespace portico::cp::registry
