#include "data-plane/http/consumer.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "common/strings.h"
#include "portico/filters/consumers/v1/consumers.pb.h"

namespace portico::dp::http {

bool Consumer::inGroup(std::string_view group) const {
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

const ConsumerOverride* Consumer::overrideFor(size_t chain_index) const {
  for (const ConsumerOverride& entry : overrides) {
    if (entry.chain_index == chain_index) return &entry;
    if (entry.chain_index > chain_index) break;
  }
  return nullptr;
}

namespace {

bool isLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

absl::StatusOr<std::shared_ptr<ConsumerTable>> ConsumerTable::create(
    const portico::filters::consumers::v1::Consumers& config) {
  auto table = std::make_shared<ConsumerTable>();
  table->consumers_.reserve(config.consumers_size());
  for (int i = 0; i < config.consumers_size(); ++i) {
    const auto& in = config.consumers(i);
    const std::string where = cat("consumers[", i, "]");
    if (in.name().empty()) return absl::InvalidArgumentError(cat(where, ".name: required"));
    Consumer consumer;
    consumer.name = in.name();
    consumer.groups.assign(in.groups().begin(), in.groups().end());
    table->consumers_.push_back(std::move(consumer));
  }
  for (int i = 0; i < config.consumers_size(); ++i) {
    const auto& in = config.consumers(i);
    const Consumer* consumer = &table->consumers_[i];
    const std::string where = cat("consumers[", i, "]");
    if (!table->by_name_.emplace(consumer->name, consumer).second) {
      return absl::InvalidArgumentError(cat(where, ".name: \"", consumer->name, "\" is used twice"));
    }
    for (int k = 0; k < in.api_key_sha256_size(); ++k) {
      const std::string hex = absl::AsciiStrToLower(av(in.api_key_sha256(k)));
      if (hex.size() != 64 || !isLowerHex(hex)) {
        return absl::InvalidArgumentError(
            cat(where, ".api_key_sha256[", k, "]: not a SHA-256 digest in hex (64 hex digits)"));
      }
      if (!table->by_key_hash_.emplace(absl::HexStringToBytes(hex), consumer).second) {
        return absl::InvalidArgumentError(
            cat(where, ".api_key_sha256[", k, "]: the same key belongs to another consumer"));
      }
    }
  }
  return table;
}

const Consumer* ConsumerTable::byKeyHash(std::string_view sha256) const {
  auto it = by_key_hash_.find(av(sha256));
  return it == by_key_hash_.end() ? nullptr : it->second;
}

const Consumer* ConsumerTable::byName(std::string_view name) const {
  auto it = by_name_.find(av(name));
  return it == by_name_.end() ? nullptr : it->second;
}

std::string sha256(std::string_view data) {
  // OpenSSL 3's one-shot SHA256() looks the algorithm up on every call (~300 ns); the fetched
  // algorithm and a context per thread make a short key's digest ~4 times cheaper.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                                    &EVP_MD_CTX_free);
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  unsigned int length = 0;
  if (kSha256 == nullptr || context == nullptr || EVP_DigestInit_ex2(context.get(), kSha256, nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), reinterpret_cast<unsigned char*>(out.data()), &length) != 1) {
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(out.data()));
  }
  return out;
}

}  // namespace portico::dp::http
