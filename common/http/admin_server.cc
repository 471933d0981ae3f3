#include "common/strings.h"
#include "common/http/admin_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/pct_string_view.hpp>

#include <memory>
#include <optional>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"

namespace portico::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

HttpRequest toRequest(const bhttp::request<bhttp::string_body>& in, const std::string& remote) {
  HttpRequest out;
  out.method = std::string(in.method_string());
  std::string_view target = in.target();
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (q != std::string_view::npos) {
    out.query = std::string(target.substr(q + 1));
  }
  auto decoded = boost::urls::make_pct_string_view(raw_path);
  out.path = decoded ? decoded->decode() : std::string(raw_path);
  out.raw_path = std::string(raw_path);
  for (const auto& field : in) {
    out.headers.emplace_back(absl::AsciiStrToLower(av(field.name_string())), std::string(field.value()));
  }
  out.body = in.body();
  out.remote_address = remote;
  return out;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const AdminServer::Options& options, const AdminServer::Handler& handler)
      : stream_(std::move(socket)), options_(options), handler_(handler) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_ = endpoint.address().to_string();
    }
  }

  void start() { doRead(); }

 private:
  void doRead() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    parser_->body_limit(options_.max_body_bytes);
    stream_.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
  }

  void onRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      return close();
    }
    if (ec) {
      HttpResponse error;
      if (ec == bhttp::error::body_limit) {
        error = jsonError(413, "payload_too_large",
                          cat("request body exceeds ", options_.max_body_bytes, " bytes"));
      } else if (ec == bhttp::error::header_limit) {
        error = jsonError(431, "headers_too_large", "request headers are too large");
      } else {
        error = jsonError(400, "bad_request", cat("malformed HTTP request: ", ec.message()));
      }
      return send(error, /*keep_alive=*/false, /*version=*/11);
    }
    const auto& request = parser_->get();
    HttpResponse response = handler_(toRequest(request, remote_));
    const bool head = request.method() == bhttp::verb::head;
    if (head) {
      head_ = true;
    }
    send(response, request.keep_alive(), request.version());
  }

  void send(const HttpResponse& in, bool keep_alive, unsigned version) {
    auto response = std::make_shared<bhttp::response<bhttp::string_body>>();
    response->version(version);
    response->result(static_cast<unsigned>(in.status));
    response->set(bhttp::field::server, "portico");
    response->set(bhttp::field::content_type, in.content_type);
    for (const auto& [name, value] : in.headers) {
      response->insert(name, value);
    }
    response->body() = in.body;
    response->keep_alive(keep_alive);
    response->prepare_payload();
    if (head_) {
      // HEAD: keep Content-Length, drop the body.
      response->body().clear();
      head_ = false;
    }
    stream_.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    bhttp::async_write(stream_, *response,
                       [self = shared_from_this(), response, keep_alive](beast::error_code ec, size_t) {
                         if (ec || !keep_alive) {
                           return self->close();
                         }
                         self->doRead();
                       });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  const AdminServer::Options& options_;
  const AdminServer::Handler& handler_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  bool head_ = false;
};

}  // namespace

class AdminServer::Impl {
 public:
  Impl(Options options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)), acceptor_(io_) {}

  absl::Status bind() {
    beast::error_code ec;
    auto address = asio::ip::make_address(options_.address, ec);
    if (ec) {
      return absl::InvalidArgumentError(cat("bad admin address \"", options_.address, "\""));
    }
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(
          cat("cannot listen on ", options_.address, ":", options_.port, ": ", ec.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    return absl::OkStatus();
  }

  void run() {
    doAccept();
    thread_ = std::thread([this] { io_.run(); });
  }

  void stop() {
    if (!thread_.joinable()) {
      return;
    }
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return port_; }

 private:
  void doAccept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) {
        return;
      }
      if (!ec) {
        std::make_shared<Session>(std::move(socket), options_, handler_)->start();
      } else {
        PORTICO_LOG(kWarning, "admin accept failed: ", ec.message());
      }
      doAccept();
    });
  }

  Options options_;
  Handler handler_;
  asio::io_context io_{1};
  tcp::acceptor acceptor_;
  std::thread thread_;
  uint16_t port_ = 0;
};

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() { stop(); }

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::start(const Options& options,
                                                                 Handler handler) {
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  absl::Status status = impl->bind();
  if (!status.ok()) {
    return status;
  }
  impl->run();
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

uint16_t AdminServer::port() const { return impl_->port(); }

void AdminServer::stop() { impl_->stop(); }

}  // namespace portico::http
