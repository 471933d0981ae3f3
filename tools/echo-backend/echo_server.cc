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
#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/logging.h"
#include "common/strings.h"
#include "tools/echo-backend/echo_control.h"
#include "tools/echo-backend/websocket_echo.h"

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

// What one server has seen (GET /__echo/requests). Only touched on the io_context's thread.
struct ServerState {
  explicit ServerState(std::string server_name) : name(std::move(server_name)) {}
  const std::string name;
  uint64_t requests = 0;
  std::map<std::string, uint64_t> per_key;  // by x-echo-fail-key
  // "METHOD target" of every request received, oldest first (the last kMaxLoggedRequests), and
  // "!<error>" for every one that could not be parsed: tests prove what did (and did not) reach
  // the backend, e.g. that a smuggled request never did.
  std::vector<std::string> log;

  void record(std::string entry) {
    if (log.size() >= kMaxLoggedRequests) log.erase(log.begin());
    log.push_back(std::move(entry));
  }
};

constexpr std::string_view kRequestsPath = "/__echo/requests";

std::string requestsJson(const ServerState& state) {
  json::object keys;
  for (const auto& [key, count] : state.per_key) keys[key] = count;
  json::object body;
  body["name"] = state.name;
  body["requests"] = state.requests;
  body["keys"] = std::move(keys);
  json::array log;
  for (const std::string& entry : state.log) log.emplace_back(entry);
  body["log"] = std::move(log);
  return json::serialize(body);
}

bool flag(std::string_view value) { return value == "1" || absl::EqualsIgnoreCase(av(value), "true"); }

// The x-echo-* test knobs of one request (see echo_server.h).
struct Knobs {
  std::optional<int> status;
  int64_t delay_ms = 0;
  bool close = false;
  bool reset = false;
  std::optional<int64_t> fail_times;
  std::string fail_key;
  std::optional<std::string> only;
  std::vector<std::pair<std::string, std::string>> response_headers;  // x-echo-response-header
  std::string problem;  // a malformed knob: answered with 400

  // Do the failure knobs apply to this request, the `seen`-th with its key on server `name`?
  bool failing(const std::string& name, uint64_t seen) const {
    if (only && *only != name) return false;
    return !fail_times || seen <= static_cast<uint64_t>(*fail_times);
  }
};

Knobs parseKnobs(const Request& request) {
  Knobs knobs;
  if (auto it = request.find("x-echo-status"); it != request.end()) {
    int value = 0;
    if (absl::SimpleAtoi(av(it->value()), &value) && value >= 200 && value <= 599) {
      knobs.status = value;
    } else {
      knobs.problem = cat("x-echo-status: want 200..599, got \"", it->value(), "\"");
    }
  }
  if (auto it = request.find("x-echo-delay-ms"); it != request.end()) {
    if (!absl::SimpleAtoi(av(it->value()), &knobs.delay_ms) || knobs.delay_ms < 0 || knobs.delay_ms > kMaxDelayMs) {
      knobs.problem = cat("x-echo-delay-ms: want 0..", kMaxDelayMs, ", got \"", it->value(), "\"");
      knobs.delay_ms = 0;
    }
  }
  if (auto it = request.find("x-echo-fail-times"); it != request.end()) {
    int64_t times = 0;
    if (absl::SimpleAtoi(av(it->value()), &times) && times >= 0) {
      knobs.fail_times = times;
    } else {
      knobs.problem = cat("x-echo-fail-times: want a count >= 0, got \"", it->value(), "\"");
    }
  }
  if (auto it = request.find("x-echo-close"); it != request.end()) knobs.close = flag(it->value());
  if (auto it = request.find("x-echo-reset"); it != request.end()) knobs.reset = flag(it->value());
  if (auto it = request.find("x-echo-fail-key"); it != request.end()) knobs.fail_key = std::string(it->value());
  if (auto it = request.find("x-echo-only"); it != request.end()) knobs.only = std::string(it->value());
  const auto [first, last] = request.equal_range("x-echo-response-header");
  for (auto it = first; it != last; ++it) {
    const std::string_view field(it->value().data(), it->value().size());
    const size_t colon = field.find(':');
    const std::string_view name = colon == std::string_view::npos ? field : field.substr(0, colon);
    const bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
      return absl::ascii_isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    });
    if (colon == std::string_view::npos || !token) {
      knobs.problem = cat("x-echo-response-header: want \"Name: value\", got \"", field, "\"");
      break;
    }
    knobs.response_headers.emplace_back(std::string(name),
                                        std::string(absl::StripAsciiWhitespace(av(field.substr(colon + 1)))));
  }
  return knobs;
}

bool isWebSocketUpgrade(const Request& request) {
  return absl::EqualsIgnoreCase(av(request[bhttp::field::upgrade]), "websocket");
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<ServerState> state, std::shared_ptr<EchoControl> control)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), state_(std::move(state)),
        control_(std::move(control)) {}

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
    state_->record(cat("!", ec.message()));
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
    if (auto answer = control_->handle(request)) {
      response_ = std::move(*answer);
      response_.keep_alive(request.keep_alive());
      response_.prepare_payload();
      if (request.method() == bhttp::verb::head) response_.body().clear();  // length stays
      return doWrite();
    }
    if (request.target() != kRequestsPath) {
      state_->record(cat(request.method_string(), " ", request.target()));
    }
    if (isWebSocketUpgrade(request)) {
      ++state_->requests;
      std::string hello = echoJson(state_->name, request);
      return startWebSocketEcho(std::move(stream_), std::move(request), std::move(hello));
    }
    if (request.target() == kRequestsPath) {
      return answerRequests(request);
    }
    const Knobs knobs = parseKnobs(request);
    ++state_->requests;
    const uint64_t seen = request.find("x-echo-fail-key") != request.end() || knobs.fail_times
                              ? ++state_->per_key[knobs.fail_key]
                              : 0;
    const bool failing = knobs.problem.empty() && knobs.failing(state_->name, seen);
    if (failing && knobs.reset) {
      return reset();
    }
    response_ = Response(bhttp::status::ok, request.version());
    response_.set(bhttp::field::server, "portico-echo");
    response_.set("x-echo-name", state_->name);
    response_.set(bhttp::field::content_type, "application/json");
    if (!knobs.problem.empty()) {
      response_.result(bhttp::status::bad_request);
      response_.body() = errorJson("bad_request", knobs.problem);
    } else {
      if (failing && (knobs.status || knobs.fail_times)) {
        response_.result(static_cast<unsigned>(knobs.status.value_or(503)));
      }
      response_.body() = echoJson(state_->name, request);
      for (const auto& [name, value] : knobs.response_headers) response_.erase(name);
      for (const auto& [name, value] : knobs.response_headers) response_.insert(name, value);
    }
    response_.keep_alive(request.keep_alive() && !(failing && knobs.close));
    // The standing delay (PUT /__echo/delay) slows every answer but the /__echo/ ones.
    finishAndSend(request.method() == bhttp::verb::head, (failing ? knobs.delay_ms : 0) + control_->delayMs());
  }

  void answerRequests(const Request& request) {
    response_ = Response(bhttp::status::ok, request.version());
    response_.set(bhttp::field::server, "portico-echo");
    response_.set("x-echo-name", state_->name);
    response_.set(bhttp::field::content_type, "application/json");
    response_.body() = requestsJson(*state_);
    response_.keep_alive(request.keep_alive());
    finishAndSend(false, 0);
  }

  void finishAndSend(bool head, int64_t delay_ms) {
    unsigned code = response_.result_int();
    if (code == 204 || code == 304) {
      response_.body().clear();
    }
    response_.prepare_payload();
    if (head) {
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

  // Closes with RST instead of FIN: SO_LINGER on with a zero timeout discards unsent data and
  // aborts the connection, which the peer sees as "connection reset by peer".
  void reset() {
    beast::error_code ignored;
    stream_.socket().set_option(asio::socket_base::linger(true, 0), ignored);
    stream_.socket().close(ignored);
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
  std::shared_ptr<ServerState> state_;
  std::shared_ptr<EchoControl> control_;
};

}  // namespace

class EchoServer::Impl {
 public:
  Impl(asio::io_context& io, const Options& options)
      : acceptor_(io),
        state_(std::make_shared<ServerState>(options.name)),
        control_(std::make_shared<EchoControl>(options.name, options.health_path)) {}

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
        std::make_shared<Session>(std::move(socket), state_, control_)->start();
      }
      doAccept();
    });
  }

  void stop() {
    beast::error_code ignored;
    acceptor_.close(ignored);
  }

  tcp::acceptor acceptor_;
  std::shared_ptr<ServerState> state_;
  std::shared_ptr<EchoControl> control_;
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
