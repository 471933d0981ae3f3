#include "common/http/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "absl/strings/ascii.h"
#include "common/strings.h"

namespace portico::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

const std::string* ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return &value;
    }
  }
  return nullptr;
}

class HttpConnection::Impl {
 public:
  Impl() : stream_(io_) {}

  absl::Status connect(const std::string& host, uint16_t port, absl::Duration timeout) {
    host_ = host;
    port_ = port;
    beast::error_code ec;
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec) {
      return absl::UnavailableError(cat("resolve ", host, ": ", ec.message()));
    }
    stream_.expires_after(absl::ToChronoMilliseconds(timeout));
    stream_.async_connect(results, [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
    io_.restart();
    io_.run();
    if (ec) {
      return absl::UnavailableError(cat("connect ", host, ":", port, ": ", ec.message()));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<ClientResponse> send(const ClientRequest& request, absl::Duration timeout) {
    bhttp::request<bhttp::string_body> out;
    out.method_string(request.method);
    out.target(request.target);
    out.version(11);
    bool has_host = false;
    for (const auto& [name, value] : request.headers) {
      out.insert(name, value);
      has_host = has_host || absl::AsciiStrToLower(name) == "host";
    }
    if (!has_host) {
      out.set(bhttp::field::host, cat(host_, ":", port_));
    }
    out.body() = request.body;
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
      out.prepare_payload();
    }
    beast::error_code ec;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    if (request.method == "HEAD") {
      parser.skip(true);
    }
    stream_.expires_after(absl::ToChronoMilliseconds(timeout));
    bhttp::async_write(stream_, out, [&](beast::error_code e, size_t) {
      ec = e;
      if (e) {
        return;
      }
      bhttp::async_read(stream_, buffer_, parser, [&](beast::error_code e2, size_t) { ec = e2; });
    });
    io_.restart();
    io_.run();
    if (ec) {
      broken_ = true;
      return absl::UnavailableError(cat(request.method, " ", request.target, ": ", ec.message()));
    }
    ClientResponse response;
    auto& in = parser.get();
    response.status = static_cast<int>(in.result_int());
    response.body = std::move(in.body());
    response.keep_alive = in.keep_alive();
    for (const auto& field : in) {
      response.headers.emplace_back(absl::AsciiStrToLower(av(field.name_string())), std::string(field.value()));
    }
    if (!response.keep_alive) {
      broken_ = true;
    }
    return response;
  }

  bool open() const { return !broken_ && stream_.socket().is_open(); }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string host_;
  uint16_t port_ = 0;
  bool broken_ = false;
};

HttpConnection::HttpConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpConnection::~HttpConnection() = default;

absl::StatusOr<std::unique_ptr<HttpConnection>> HttpConnection::connect(const std::string& host, uint16_t port,
                                                                         absl::Duration timeout) {
  auto impl = std::make_unique<Impl>();
  absl::Status status = impl->connect(host, port, timeout);
  if (!status.ok()) {
    return status;
  }
  return std::unique_ptr<HttpConnection>(new HttpConnection(std::move(impl)));
}

absl::StatusOr<ClientResponse> HttpConnection::send(const ClientRequest& request, absl::Duration timeout) {
  return impl_->send(request, timeout);
}

bool HttpConnection::open() const { return impl_->open(); }

absl::StatusOr<ClientResponse> fetch(const std::string& host, uint16_t port, const ClientRequest& request,
                                     absl::Duration timeout) {
  auto connection = HttpConnection::connect(host, port, timeout);
  if (!connection.ok()) {
    return connection.status();
  }
  return (*connection)->send(request, timeout);
}

}  // namespace portico::http
