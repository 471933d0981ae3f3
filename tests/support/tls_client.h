#pragma once

// A TLS client for tests, on OpenSSL directly (a blocking socket, every wait bounded by socket
// timeouts): connects to 127.0.0.1, handshakes with the options given, and tells what was
// negotiated (version, ALPN, the server's certificate). Keeps the connection for several
// requests, which the command-line clients cannot (certificate reload: an old connection keeps
// working on its old certificate).

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace portico::testing {

class TlsClient {
 public:
  struct Options {
    std::string server_name;  // SNI; empty: none sent
    std::string ca_file;      // verify the server against it; empty: no verification
    std::string cert_file;    // client certificate and key; empty: none
    std::string key_file;
    int min_version = 0;  // TLS1_2_VERSION, ...; 0: OpenSSL's default
    int max_version = 0;
    std::vector<std::string> alpn;  // offered protocols; empty: no ALPN extension
    absl::Duration timeout = absl::Seconds(5);  // each connect, handshake, read, write
  };
  // Connects and completes the handshake; the error carries OpenSSL's reason.
  static absl::StatusOr<std::unique_ptr<TlsClient>> connect(uint16_t port, const Options& options,
                                                            SSL_SESSION* resume = nullptr);
  ~TlsClient();

  std::string version() const;      // "TLSv1.3"
  std::string alpn() const;         // "" when none was negotiated
  std::string peerSubject() const;  // the server certificate's subject, RFC 2253
  std::string peerSerial() const;   // hex
  bool sessionReused() const;
  // The session, for resuming it on another connection (connect(..., resume); the caller owns
  // it: SSL_SESSION_free).
  SSL_SESSION* session() const;

  bool send(std::string_view bytes);
  // Reads until `data` contains `marker` (true), the peer closes or `timeout` passes.
  bool readUntil(std::string& data, std::string_view marker, absl::Duration timeout);
  // Reads until the peer closes (true) or `timeout` passes.
  bool readUntilClose(std::string& data, absl::Duration timeout);
  // GET `path` with Host `host` and `headers` ("name: value\r\n" lines), keep-alive; returns
  // the whole response (head and Content-Length body).
  absl::StatusOr<std::string> get(const std::string& path, const std::string& host,
                                  const std::string& headers = "");

 private:
  TlsClient() = default;
  absl::Status handshake();
  void setTimeout(absl::Duration timeout);
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  absl::Duration timeout_;
};

// The body of an HTTP response (what follows the blank line).
std::string bodyOf(const std::string& response);

}  // namespace portico::testing
