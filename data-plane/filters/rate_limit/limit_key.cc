#include "data-plane/filters/rate_limit/limit_key.h"

#include <openssl/sha.h>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/strings.h"
#include "data-plane/http/consumer.h"
#include "data-plane/http/filter.h"

namespace portico::dp::filters::rate_limit {

namespace {

std::string claimText(const boost::json::object& claims, const std::string& name) {
  auto it = claims.find(name);
  if (it == claims.end()) return "";
  if (const auto* s = it->value().if_string()) return std::string(*s);
  if (it->value().is_int64()) return std::to_string(it->value().get_int64());
  if (it->value().is_uint64()) return std::to_string(it->value().get_uint64());
  return "";
}

}  // namespace

absl::StatusOr<LimitKey> LimitKey::parse(const std::string& text) {
  LimitKey out;
  if (text.empty() || text == "client_ip") return out;
  if (text == "consumer") {
    out.kind = Kind::kConsumer;
  } else if (text == "global") {
    out.kind = Kind::kGlobal;
  } else if (absl::StartsWith(text, "header:") && text.size() > 7) {
    out.kind = Kind::kHeader;
    out.name = absl::AsciiStrToLower(text.substr(7));
  } else if (absl::StartsWith(text, "claim:") && text.size() > 6) {
    out.kind = Kind::kClaim;
    out.name = text.substr(6);
  } else {
    return absl::InvalidArgumentError(
        cat("key: \"", text, "\" is not consumer, client_ip, global, header:<name> or claim:<name>"));
  }
  return out;
}

std::string LimitKey::of(const http::FilterState& state) const {
  switch (kind) {
    case Kind::kGlobal:
      return "global";
    case Kind::kConsumer:
      if (state.consumer != nullptr) return cat("consumer:", state.consumer->name);
      break;
    case Kind::kHeader:
      if (auto it = state.request->find(name); it != state.request->end()) return cat("header:", it->value());
      break;
    case Kind::kClaim:
      if (state.jwt_claims != nullptr) {
        std::string value = claimText(*state.jwt_claims, name);
        if (!value.empty()) return cat("claim:", value);
      }
      break;
    case Kind::kClientIp:
      break;
  }
  return cat("ip:", state.client_address);
}

std::string boundedKey(const std::string& key) {
  constexpr size_t kMaxKeyBytes = 128;
  if (key.size() <= kMaxKeyBytes) return key;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned char byte : digest) {
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 15]);
  }
  return out;
}

}  // namespace portico::dp::filters::rate_limit
