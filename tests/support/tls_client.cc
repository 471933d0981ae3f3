#include "tests/support/tls_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "common/strings.h"

namespace portico::testing {

namespace {

std::string opensslErrors() {
  std::string out;
  while (const unsigned long error = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(error, buffer, sizeof(buffer));
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out.empty() ? "no OpenSSL error queued" : out;
}

std::string nameOf(const X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(length));
  BIO_free(bio);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsClient>> TlsClient::connect(uint16_t port, const Options& options,
                                                              SSL_SESSION* resume) {
  std::unique_ptr<TlsClient> client(new TlsClient());
  client->timeout_ = options.timeout;
  client->fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (client->fd_ < 0) return absl::InternalError(cat("socket: ", std::strerror(errno)));
  client->setTimeout(options.timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(client->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return absl::UnavailableError(cat("connect 127.0.0.1:", port, ": ", std::strerror(errno)));
  }
  const int one = 1;
  ::setsockopt(client->fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

  ERR_clear_error();
  client->ctx_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX* ctx = client->ctx_;
  if (options.min_version != 0) SSL_CTX_set_min_proto_version(ctx, options.min_version);
  if (options.max_version != 0) SSL_CTX_set_max_proto_version(ctx, options.max_version);
  if (options.min_version != 0 && options.min_version < TLS1_2_VERSION) {
    SSL_CTX_set_security_level(ctx, 0);  // let OpenSSL 3 offer TLS 1.0/1.1 at all
  }
  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
      return absl::InvalidArgumentError(cat("CA ", options.ca_file, ": ", opensslErrors()));
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  if (!options.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return absl::InvalidArgumentError(cat("client certificate: ", opensslErrors()));
    }
  }
  client->ssl_ = SSL_new(ctx);
  SSL* ssl = client->ssl_;
  SSL_set_fd(ssl, client->fd_);
  if (!options.server_name.empty()) SSL_set_tlsext_host_name(ssl, options.server_name.c_str());
  if (!options.alpn.empty()) {
    std::string wire;
    for (const std::string& protocol : options.alpn) {
      wire.push_back(static_cast<char>(protocol.size()));
      wire += protocol;
    }
    SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned int>(wire.size()));
  }
  if (resume != nullptr) SSL_set_session(ssl, resume);
  if (absl::Status status = client->handshake(); !status.ok()) return status;
  return client;
}

absl::Status TlsClient::handshake() {
  ERR_clear_error();
  if (SSL_connect(ssl_) != 1) {
    return absl::UnavailableError(cat("TLS handshake failed: ", opensslErrors()));
  }
  return absl::OkStatus();
}

TlsClient::~TlsClient() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

void TlsClient::setTimeout(absl::Duration timeout) {
  timeval tv = absl::ToTimeval(timeout < absl::Milliseconds(1) ? absl::Milliseconds(1) : timeout);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

std::string TlsClient::version() const { return SSL_get_version(ssl_); }

std::string TlsClient::alpn() const {
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_, &data, &length);
  return std::string(reinterpret_cast<const char*>(data), length);
}

std::string TlsClient::peerSubject() const {
  X509* peer = SSL_get0_peer_certificate(ssl_);
  return peer != nullptr ? nameOf(X509_get_subject_name(peer)) : "";
}

std::string TlsClient::peerSerial() const {
  X509* peer = SSL_get0_peer_certificate(ssl_);
  if (peer == nullptr) return "";
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(peer), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

bool TlsClient::sessionReused() const { return SSL_session_reused(ssl_) == 1; }
SSL_SESSION* TlsClient::session() const { return SSL_get1_session(ssl_); }

bool TlsClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool TlsClient::readUntil(std::string& data, std::string_view marker, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  char chunk[4096];
  while (data.find(marker) == std::string::npos) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    setTimeout(left);
    const int n = SSL_read(ssl_, chunk, sizeof(chunk));
    if (n <= 0) return false;
    data.append(chunk, static_cast<size_t>(n));
  }
  return true;
}

bool TlsClient::readUntilClose(std::string& data, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  char chunk[4096];
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    setTimeout(left);
    const int n = SSL_read(ssl_, chunk, sizeof(chunk));
    if (n > 0) {
      data.append(chunk, static_cast<size_t>(n));
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    // A timeout shows as a failed read with EAGAIN; anything else is the end of the stream.
    if (error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
    return true;
  }
}

absl::StatusOr<std::string> TlsClient::get(const std::string& path, const std::string& host,
                                           const std::string& headers) {
  if (!send(cat("GET ", path, " HTTP/1.1\r\nHost: ", host, "\r\n", headers, "\r\n"))) {
    return absl::UnavailableError(cat("write failed: ", opensslErrors()));
  }
  std::string data;
  if (!readUntil(data, "\r\n\r\n", timeout_)) {
    return absl::UnavailableError(cat("no response head (got ", data.size(), " bytes): ", opensslErrors()));
  }
  const size_t head_end = data.find("\r\n\r\n") + 4;
  size_t length = 0;
  const std::string head = absl::AsciiStrToLower(data.substr(0, head_end));
  if (const size_t at = head.find("\r\ncontent-length:"); at != std::string::npos) {
    const size_t end = head.find("\r\n", at + 2);
    std::string value(absl::StripAsciiWhitespace(head.substr(at + 17, end - at - 17)));
    if (!absl::SimpleAtoi(value, &length)) return absl::InternalError("bad Content-Length");
  }
  const absl::Time deadline = absl::Now() + timeout_;
  char chunk[4096];
  while (data.size() < head_end + length && absl::Now() < deadline) {
    setTimeout(deadline - absl::Now());
    const int n = SSL_read(ssl_, chunk, sizeof(chunk));
    if (n <= 0) break;
    data.append(chunk, static_cast<size_t>(n));
  }
  if (data.size() < head_end + length) return absl::UnavailableError("short response body");
  return data.substr(0, head_end + length);
}

std::string bodyOf(const std::string& response) {
  const size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

}  // namespace portico::testing
