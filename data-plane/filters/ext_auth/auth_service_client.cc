#include "data-plane/filters/ext_auth/auth_service_client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "absl/strings/numbers.h"
#include "common/strings.h"
#include "data-plane/net/connection_deadline.h"

namespace portico::dp::filters::ext_auth {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using net::kNoThrow;

absl::StatusOr<AuthTarget> parseAuthUrl(const std::string& url) {
  AuthTarget out;
  std::string_view rest = url;
  if (rest.substr(0, 7) == "http://") {
    rest.remove_prefix(7);
  } else if (rest.substr(0, 8) == "https://") {
    out.tls = true;
    rest.remove_prefix(8);
  } else {
    return absl::InvalidArgumentError(cat("url: \"", url, "\" is not an http:// or https:// URL"));
  }
  const size_t slash = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, slash);
  out.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.path.front() == '?') out.path = cat("/", out.path);
  out.host_header = std::string(authority);
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {  // [IPv6]:port
    const size_t close = host.find(']');
    if (close == std::string_view::npos) return absl::InvalidArgumentError(cat("url: \"", url, "\": unclosed ["));
    port = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!port.empty() && port.front() != ':') return absl::InvalidArgumentError(cat("url: \"", url, "\": bad port"));
    if (!port.empty()) port.remove_prefix(1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) return absl::InvalidArgumentError(cat("url: \"", url, "\" has no host"));
  if (authority.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError(cat("url: \"", url, "\": credentials in the URL are not supported"));
  }
  uint32_t number = out.tls ? 443 : 80;
  if (!port.empty() && (!absl::SimpleAtoi(av(port), &number) || number == 0 || number > 65535)) {
    return absl::InvalidArgumentError(cat("url: \"", url, "\": bad port"));
  }
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(number);
  return out;
}

namespace {

using Resolver = asio::ip::basic_resolver<asio::ip::tcp, net::Executor>;
using Clock = std::chrono::steady_clock;

// The service's addresses: an IP literal as is, a name through the resolver (cancelled when
// the deadline passes).
net::Awaitable<std::vector<asio::ip::tcp::endpoint>> resolve(const AuthTarget& target, Clock::time_point deadline,
                                                             std::string& error) {
  std::vector<asio::ip::tcp::endpoint> out;
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(target.host, ec);
  if (!ec) {
    out.emplace_back(ip, target.port);
    co_return out;
  }
  auto executor = co_await asio::this_coro::executor;
  Resolver resolver(executor);
  net::Timer guard(executor);
  guard.expires_at(deadline);
  guard.async_wait([&resolver](const boost::system::error_code& e) {
    if (!e) resolver.cancel();
  });
  auto [resolve_ec, results] = co_await resolver.async_resolve(target.host, std::to_string(target.port), kNoThrow);
  guard.cancel();
  if (resolve_ec) {
    error = resolve_ec == asio::error::operation_aborted ? "timeout" : cat("resolve ", target.host, ": ", resolve_ec.message());
    co_return out;
  }
  for (const auto& entry : results) out.push_back(entry.endpoint());
  co_return out;
}

template <typename Stream>
net::Awaitable<AuthAnswer> exchange(Stream& stream, net::ConnectionDeadline& deadline, router::Request& request) {
  AuthAnswer answer;
  auto [write_ec, written] = co_await bhttp::async_write(stream, request, kNoThrow);
  if (write_ec) {
    answer.error = deadline.expired() ? "timeout" : cat("write: ", write_ec.message());
    co_return answer;
  }
  beast::flat_buffer buffer;
  router::ResponseParser parser;  // answer.response is a router::Response
  parser.body_limit(64 * 1024);
  parser.header_limit(16 * 1024);
  auto [read_ec, read] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
  if (read_ec) {
    answer.error = deadline.expired() ? "timeout" : cat("read: ", read_ec.message());
    co_return answer;
  }
  answer.ok = true;
  answer.response = parser.release();
  co_return answer;
}

}  // namespace

net::Awaitable<AuthAnswer> callAuthService(const AuthTarget& target, asio::ssl::context* tls_context,
                                           router::Request request, Clock::duration timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  AuthAnswer answer;
  std::vector<asio::ip::tcp::endpoint> endpoints = co_await resolve(target, deadline, answer.error);
  if (endpoints.empty()) {
    if (answer.error.empty()) answer.error = cat("resolve ", target.host, ": no address");
    co_return answer;
  }
  request.set(bhttp::field::host, target.host_header);
  request.set(bhttp::field::connection, "close");
  request.version(11);
  request.prepare_payload();
  net::Socket socket(co_await asio::this_coro::executor);
  net::ConnectionDeadline guard(socket);
  guard.expiresAt(deadline);
  auto [connect_ec, connected] = co_await asio::async_connect(socket, endpoints, kNoThrow);
  if (connect_ec) {
    answer.error = guard.expired() ? "timeout" : cat("connect: ", connect_ec.message());
    co_return answer;
  }
  if (!target.tls) co_return co_await exchange(socket, guard, request);

  asio::ssl::stream<net::Socket&> tls(socket, *tls_context);
  boost::system::error_code ip_ec;
  asio::ip::make_address(target.host, ip_ec);
  if (ip_ec) SSL_set_tlsext_host_name(tls.native_handle(), target.host.c_str());  // SNI: names only
  tls.set_verify_callback(asio::ssl::host_name_verification(target.host));
  auto [handshake_ec] = co_await tls.async_handshake(asio::ssl::stream_base::client, kNoThrow);
  if (handshake_ec) {
    answer.error = guard.expired() ? "timeout" : cat("TLS handshake: ", handshake_ec.message());
    co_return answer;
  }
  co_return co_await exchange(tls, guard, request);
}

}  // namespace portico::dp::filters::ext_auth
