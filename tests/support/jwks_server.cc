#include "tests/support/jwks_server.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "common/strings.h"
#include "tests/support/test_env.h"

namespace portico::testing {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

void addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) throw std::runtime_error(cat("extension ", value));
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

X509* makeCertificate(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key, long serial,
                      bool ca) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1, -1,
                             0);
  X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer != nullptr ? issuer : cert;
  if (ca) {
    addExtension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
    addExtension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    addExtension(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
    addExtension(cert, signer, NID_ext_key_usage, "serverAuth");
    addExtension(cert, signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  }
  X509_sign(cert, issuer_key != nullptr ? issuer_key : key, EVP_sha256());
  return cert;
}

std::string pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(size));
  BIO_free(bio);
  return out;
}

}  // namespace

class JwksServer::Impl {
 public:
  Impl(JwksServer& owner, std::string body) : owner_(owner), body_(std::move(body)) {
    ca_key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    // A name of its own: two test CAs with one name would make OpenSSL try the wrong issuer.
    static std::atomic<int> next_ca{0};
    const std::string ca_name = cat("Portico Test CA ", getpid(), "-", next_ca.fetch_add(1));
    ca_ = makeCertificate(ca_key_, ca_name.c_str(), nullptr, nullptr, 1, true);
    key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    cert_ = makeCertificate(key_, "127.0.0.1", ca_, ca_key_, 2, false);
    SSL_CTX_use_certificate(tls_.native_handle(), cert_);
    SSL_CTX_use_PrivateKey(tls_.native_handle(), key_);
  }
  ~Impl() {
    stop();
    X509_free(cert_);
    X509_free(ca_);
    EVP_PKEY_free(key_);
    EVP_PKEY_free(ca_key_);
  }

  std::string caPem() const { return pem(ca_); }

  uint16_t listen(uint16_t port) {
    io_ = std::make_unique<asio::io_context>(1);
    acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(*io_);
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    acceptor_->open(endpoint.protocol());
    // Not inherited by the processes the test starts later (Asio does not set close-on-exec):
    // a child holding the socket would keep the port listening after stop().
    ::fcntl(acceptor_->native_handle(), F_SETFD, FD_CLOEXEC);
    acceptor_->set_option(asio::socket_base::reuse_address(true));
    acceptor_->bind(endpoint);
    acceptor_->listen();
    const uint16_t bound = acceptor_->local_endpoint().port();
    asio::co_spawn(*io_, accept(), asio::detached);
    thread_ = std::thread([this] { io_->run(); });
    return bound;
  }

  void stop() {
    if (!io_) return;
    asio::post(*io_, [this] {
      boost::system::error_code ignored;
      acceptor_->close(ignored);
      io_->stop();
    });
    thread_.join();
    acceptor_.reset();
    io_.reset();
  }

  void setBody(std::string body) {
    std::lock_guard lock(mu_);
    body_ = std::move(body);
  }
  void setStatus(int status) {
    std::lock_guard lock(mu_);
    status_ = status;
  }
  void setDelayMs(int delay_ms) {
    std::lock_guard lock(mu_);
    delay_ms_ = delay_ms;
  }

 private:
  asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_->async_accept(kNoThrow);
      if (ec) co_return;
      asio::co_spawn(*io_, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(asio::ip::tcp::socket socket) {
    asio::ssl::stream<asio::ip::tcp::socket> stream(std::move(socket), tls_);
    if (auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow); ec) co_return;
    boost::beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> request;
    if (auto [ec, n] = co_await bhttp::async_read(stream, buffer, request, kNoThrow); ec) co_return;
    owner_.fetches_.fetch_add(1);
    int delay_ms = 0;
    {
      std::lock_guard lock(mu_);
      delay_ms = delay_ms_;
    }
    if (delay_ms > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(std::chrono::milliseconds(delay_ms));
      co_await timer.async_wait(kNoThrow);
    }
    bhttp::response<bhttp::string_body> response;
    {
      std::lock_guard lock(mu_);
      response.result(static_cast<unsigned>(status_));
      response.body() = body_;
    }
    response.version(11);
    response.set(bhttp::field::content_type, "application/json");
    response.set(bhttp::field::connection, "close");
    response.prepare_payload();
    co_await bhttp::async_write(stream, response, kNoThrow);
    co_await stream.async_shutdown(kNoThrow);
  }

  JwksServer& owner_;
  asio::ssl::context tls_{asio::ssl::context::tls_server};
  EVP_PKEY* ca_key_ = nullptr;
  X509* ca_ = nullptr;
  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
  std::unique_ptr<asio::io_context> io_;
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor_;
  std::thread thread_;
  std::mutex mu_;
  std::string body_;
  int status_ = 200;
  int delay_ms_ = 0;
};

std::unique_ptr<JwksServer> JwksServer::start(const std::string& dir, std::string body) {
  std::unique_ptr<JwksServer> server(new JwksServer());
  server->impl_ = std::make_unique<Impl>(*server, std::move(body));
  server->ca_file_ = cat(dir, "/jwks-ca.pem");
  writeFile(server->ca_file_, server->impl_->caPem());
  server->port_ = server->impl_->listen(0);
  return server;
}

JwksServer::~JwksServer() = default;

std::string JwksServer::uri() const { return cat("https://127.0.0.1:", port_, "/jwks.json"); }
void JwksServer::setBody(std::string body) { impl_->setBody(std::move(body)); }
void JwksServer::setStatus(int status) { impl_->setStatus(status); }
void JwksServer::setDelayMs(int delay_ms) { impl_->setDelayMs(delay_ms); }
void JwksServer::stop() { impl_->stop(); }
void JwksServer::restart() {
  // The port was free a moment ago; bounded retries cover a socket of ours still closing.
  for (int attempt = 0;; ++attempt) {
    try {
      impl_->listen(port_);
      return;
    } catch (const boost::system::system_error&) {
      if (attempt == 50) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

}  // namespace portico::testing
