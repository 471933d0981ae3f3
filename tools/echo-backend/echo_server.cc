#include "tools/echo-backend/echo_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/logging.h"
#include "common/strings.h"

namespace portico::tools::echo {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr uint32_t kHeaderLimit = 64 * 1024;
constexpr uint64_t kBodyLimit = 64ull * 1024 * 1024;
constexpr int64_t kMaxDelayMs = 10 * 60 * 1000;
constexpr size_t kMaxLoggedRequests = 10000;
constexpr std::string_view kRequestsPath = "/__echo/requests";

// "METHOD target" of every request received, oldest first (the last kMaxLoggedRequests), and
// "!<error>" for every request the server could not parse. One io_context thread: no lock.
using RequestLog = std::vector<std::string>;

void record(RequestLog& log, std::string entry) {
  if (log.size() >= kMaxLoggedRequests) log.erase(log.begin());
  log.push_back(std::move(entry));
}

using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

std::string errorJson(std::string_view code, std::string_view message) {
  json::object body;
  body["error"] = code;
  body["message"] = message;
  return json::serialize(body);
}

// {"name", "method", "path", "query", "headers", "body_bytes"} for `request`.
std::string echoJson(const std::string& name, const Request& request) {
  std::string_view target = request.target();
  size_t q = target.find('?');
  json::object headers;
  for (const auto& field : request) {
    std::string key = absl::AsciiStrToLower(av(field.name_string()));
    auto it = headers.find(key);
    if (it != headers.end()) {  // a repeated header: one value, comma-joined (RFC 9110 5.3)
      it->value() = cat(std::string_view(it->value().as_string()), ", ", field.value());
    } else {
      headers[key] = field.value();
    }
  }
  json::object body;
  body["name"] = name;
  body["method"] = request.method_string();
  body["path"] = target.substr(0, q);
  body["query"] = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  body["headers"] = std::move(headers);
  body["body_bytes"] = request.body().size();
  return json::serialize(body);
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<const std::string> name, std::shared_ptr<RequestLog> log)
      : stream_(std::move(socket)),
        timer_(stream_.get_executor()),
        name_(std::move(name)),
        log_(std::move(log)) {}

  void start() { doRead(); }

 private:
  void doRead() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(kIdleTimeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->onHeader(ec); });
  }

  void onHeader(beast::error_code ec) {
    if (ec) {
      return onReadError(ec);
    }
    const auto& header = parser_->get();
    auto expect = header.find(bhttp::field::expect);
    if (expect != header.end() && absl::EqualsIgnoreCase(av(expect->value()), "100-continue")) {
      // Ask for the body now rather than making the client wait out its expect timeout.
      auto proceed =
          std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      bhttp::async_write(stream_, *proceed,
                         [self = shared_from_this(), proceed](beast::error_code ec, size_t) {
                           if (ec) {
                             return self->close();
                           }
                           self->readBody();
                         });
      return;
    }
    readBody();
  }

  void readBody() {
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
  }

  void onReadError(beast::error_code ec) {
    // Only a malformed request gets an answer; a closed, reset or idle connection just closes.
    bool parse_error = ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
    if (!parse_error || ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
      return close();
    }
    // A malformed request: say why, then close (the stream position is unknown).
    record(*log_, cat("!", ec.message()));
    bhttp::status status = bhttp::status::bad_request;
    if (ec == bhttp::error::header_limit) {
      status = bhttp::status::request_header_fields_too_large;
    } else if (ec == bhttp::error::body_limit) {
      status = bhttp::status::payload_too_large;
    }
    response_ = Response(status, 11);
    response_.set(bhttp::field::content_type, "application/json");
    response_.body() = errorJson("bad_request", ec.message());
    response_.keep_alive(false);
    response_.prepare_payload();
    doWrite();
  }

  void onRead(beast::error_code ec) {
    if (ec) {
      return onReadError(ec);
    }
    Request request = parser_->release();
    if (request.target() == kRequestsPath) {
      return answerRequestLog(request);
    }
    record(*log_, cat(request.method_string(), " ", request.target()));
    std::optional<int> status;
    int64_t delay_ms = 0;
    std::string problem;
    if (auto it = request.find("x-echo-status"); it != request.end()) {
      int value = 0;
      if (absl::SimpleAtoi(av(it->value()), &value) && value >= 200 && value <= 599) {
        status = value;
      } else {
        problem = cat("x-echo-status: want 200..599, got \"", it->value(), "\"");
      }
    }
    if (auto it = request.find("x-echo-delay-ms"); it != request.end()) {
      if (!absl::SimpleAtoi(av(it->value()), &delay_ms) || delay_ms < 0 || delay_ms > kMaxDelayMs) {
        problem = cat("x-echo-delay-ms: want 0..", kMaxDelayMs, ", got \"", it->value(), "\"");
        delay_ms = 0;
      }
    }
    bool close_after = false;
    if (auto it = request.find("x-echo-close"); it != request.end()) {
      close_after = it->value() == "1" || absl::EqualsIgnoreCase(av(it->value()), "true");
    }

    response_ = Response(bhttp::status::ok, request.version());
    response_.set(bhttp::field::server, "portico-echo");
    response_.set("x-echo-name", *name_);
    response_.set(bhttp::field::content_type, "application/json");
    if (!problem.empty()) {
      response_.result(bhttp::status::bad_request);
      response_.body() = errorJson("bad_request", problem);
    } else {
      if (status) {
        response_.result(static_cast<unsigned>(*status));
      }
      response_.body() = echoJson(*name_, request);
    }
    response_.keep_alive(request.keep_alive() && !close_after);
    unsigned code = response_.result_int();
    if (code == 204 || code == 304) {
      response_.body().clear();
    }
    response_.prepare_payload();
    if (request.method() == bhttp::verb::head) {
      // Announce the length a GET would get, send no body.
      response_.content_length(response_.body().size());
      response_.body().clear();
    }
    if (delay_ms > 0) {
      stream_.expires_never();
      timer_.expires_after(std::chrono::milliseconds(delay_ms));
      timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec) {
          return self->close();
        }
        self->doWrite();
      });
      return;
    }
    doWrite();
  }

  // GET /__echo/requests: {"requests": [...]} (not itself recorded), for tests that must prove
  // what reached the backend.
  void answerRequestLog(const Request& request) {
    json::array entries;
    for (const std::string& entry : *log_) entries.emplace_back(entry);
    json::object body;
    body["requests"] = std::move(entries);
    response_ = Response(bhttp::status::ok, request.version());
    response_.set(bhttp::field::content_type, "application/json");
    response_.body() = json::serialize(body);
    response_.keep_alive(request.keep_alive());
    response_.prepare_payload();
    doWrite();
  }

  void doWrite() {
    stream_.expires_after(kWriteTimeout);
    bhttp::async_write(
        stream_, response_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->onWrite(ec); });
  }

  void onWrite(beast::error_code ec) {
    if (ec || !response_.keep_alive()) {
      return close();
    }
    doRead();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  asio::steady_timer timer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Response response_;
  std::shared_ptr<const std::string> name_;
  std::shared_ptr<RequestLog> log_;
};

}  // namespace

class EchoServer::Impl {
 public:
  Impl(asio::io_context& io, const Options& options)
      : acceptor_(io),
        name_(std::make_shared<const std::string>(options.name)),
        log_(std::make_shared<RequestLog>()) {}

  absl::Status bind(const Options& options) {
    beast::error_code ec;
    auto address = asio::ip::make_address(options.address, ec);
    if (ec) {
      return absl::InvalidArgumentError(cat("--address=", options.address, ": ", ec.message()));
    }
    tcp::endpoint endpoint(address, options.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) {
      acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
      acceptor_.bind(endpoint, ec);
    }
    if (!ec) {
      acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      return absl::UnavailableError(
          cat("cannot listen on ", options.address, ":", options.port, ": ", ec.message()));
    }
    address_ = options.address;
    port_ = acceptor_.local_endpoint().port();
    return absl::OkStatus();
  }

  void doAccept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
        return;
      }
      if (ec) {
        PORTICO_LOG(kWarning, "echo-backend: accept: ", ec.message());
      } else {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(socket), name_, log_)->start();
      }
      doAccept();
    });
  }

  void stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

  tcp::acceptor acceptor_;
  std::shared_ptr<const std::string> name_;
  std::shared_ptr<RequestLog> log_;
  std::string address_;
  uint16_t port_ = 0;
};

absl::StatusOr<std::unique_ptr<EchoServer>> EchoServer::create(asio::io_context& io,
                                                               const Options& options) {
  auto impl = std::make_unique<Impl>(io, options);
  absl::Status status = impl->bind(options);
  if (!status.ok()) {
    return status;
  }
  return std::unique_ptr<EchoServer>(new EchoServer(std::move(impl)));
}

EchoServer::EchoServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EchoServer::~EchoServer() = default;

uint16_t EchoServer::port() const { return impl_->port_; }
const std::string& EchoServer::address() const { return impl_->address_; }
void EchoServer::start() { impl_->doAccept(); }
void EchoServer::stop() { impl_->stop(); }

}  // namespace portico::tools::echo
