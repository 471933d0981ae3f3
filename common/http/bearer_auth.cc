#include "common/http/bearer_auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/strings.h"

namespace portico::http {

namespace {

constexpr std::string_view kScheme = "bearer";
constexpr char kChallenge[] = "Bearer realm=\"portico\"";

std::array<uint8_t, 32> digestOf(std::string_view bytes) {
  std::array<uint8_t, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.data());
  return out;
}

bool isB64TokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~' ||
         c == '+' || c == '/';
}

HttpResponse unauthorized(std::string_view message, bool invalid) {
  HttpResponse response = jsonError(401, "unauthorized", message);
  // RFC 6750 §3: error="invalid_token" only when a token was presented.
  response.headers.emplace_back("WWW-Authenticate",
                                invalid ? cat(kChallenge, ", error=\"invalid_token\"") : std::string(kChallenge));
  return response;
}

}  // namespace

absl::Status validateBearerToken(std::string_view token) {
  if (token.size() < kMinBearerTokenBytes) {
    return absl::InvalidArgumentError(cat("the token has ", token.size(), " characters; use at least ",
                                          kMinBearerTokenBytes, " (e.g. the output of: openssl rand -hex 32)"));
  }
  size_t end = token.find_last_not_of('=');
  if (end == std::string_view::npos) {
    return absl::InvalidArgumentError("the token is only '=' characters");
  }
  for (size_t i = 0; i <= end; ++i) {
    if (!isB64TokenChar(token[i])) {
      return absl::InvalidArgumentError(
          "the token may hold only A-Z a-z 0-9 - . _ ~ + / (and trailing =), as an HTTP bearer token must");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> readBearerTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(cat(path, ": cannot open the token file"));
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string token(sv(absl::StripAsciiWhitespace(av(content.str()))));
  if (absl::Status status = validateBearerToken(token); !status.ok()) {
    return absl::InvalidArgumentError(cat(path, ": ", sv(status.message())));
  }
  return token;
}

BearerAuth::BearerAuth(std::string_view token, std::set<std::string, std::less<>> open_paths)
    : digest_(digestOf(token)), open_paths_(std::move(open_paths)) {}

BearerAuth::Result BearerAuth::verify(const std::string* authorization) const {
  if (authorization == nullptr) {
    return Result::kMissing;
  }
  std::string_view value = sv(absl::StripAsciiWhitespace(av(*authorization)));
  if (value.size() <= kScheme.size() || !absl::EqualsIgnoreCase(av(value.substr(0, kScheme.size())), av(kScheme)) ||
      (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
    return Result::kInvalid;  // another scheme (Basic, ...) or a bare token
  }
  std::string_view presented = sv(absl::StripLeadingAsciiWhitespace(av(value.substr(kScheme.size()))));
  const std::array<uint8_t, 32> digest = digestOf(presented);
  return CRYPTO_memcmp(digest.data(), digest_.data(), digest.size()) == 0 ? Result::kOk : Result::kInvalid;
}

std::optional<HttpResponse> BearerAuth::check(const HttpRequest& request) const {
  if (isOpen(request.path)) {
    return std::nullopt;
  }
  switch (verify(request.header("authorization"))) {
    case Result::kOk:
      return std::nullopt;
    case Result::kMissing:
      return unauthorized("this endpoint needs the admin token: send Authorization: Bearer <token>", false);
    case Result::kInvalid:
      break;
  }
  return unauthorized("the bearer token is not valid (want Authorization: Bearer <admin token>)", true);
}

}  // namespace portico::http
