#include "data-plane/filters/jwt_authn/jwks_fetcher.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include "common/strings.h"

namespace portico::dp::filters::jwt_authn {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

struct ParsedUri {
  bool tls = false;
  std::string host;  // without brackets for IPv6
  std::string port;
  std::string target;
  bool ip = false;
};

bool loopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

absl::StatusOr<ParsedUri> parseUri(std::string_view text) {
  auto url = boost::urls::parse_uri(text);
  if (!url) return absl::InvalidArgumentError(cat("\"", text, "\" is not a URI"));
  ParsedUri out;
  const std::string scheme(url->scheme());
  if (scheme == "https") {
    out.tls = true;
  } else if (scheme != "http") {
    return absl::InvalidArgumentError(cat("\"", text, "\": the scheme must be https"));
  }
  switch (url->host_type()) {
    case boost::urls::host_type::ipv4:
      out.host = url->host_address();
      out.ip = true;
      break;
    case boost::urls::host_type::ipv6:
      out.host = url->host_address();
      out.ip = true;
      break;
    case boost::urls::host_type::name:
      out.host = url->host_name();
      break;
    default:
      return absl::InvalidArgumentError(cat("\"", text, "\": no usable host"));
  }
  if (out.host.empty()) return absl::InvalidArgumentError(cat("\"", text, "\": no host"));
  if (!out.tls && !loopbackHost(out.host)) {
    return absl::InvalidArgumentError(cat("\"", text, "\": keys must be fetched over https (http only to loopback)"));
  }
  out.port = url->has_port() ? std::string(url->port()) : (out.tls ? "443" : "80");
  out.target = std::string(url->encoded_path());
  if (out.target.empty()) out.target = "/";
  if (url->has_query()) out.target += cat("?", url->encoded_query());
  return out;
}

std::string describe(const beast::error_code& ec, std::string_view step) {
  if (ec == beast::error::timeout) return "timeout";
  return cat(step, ": ", ec.message());
}

template <typename Stream>
asio::awaitable<absl::StatusOr<std::string>> exchange(Stream& stream, const ParsedUri& uri) {
  bhttp::request<bhttp::empty_body> request(bhttp::verb::get, uri.target, 11);
  request.set(bhttp::field::host, uri.port == (uri.tls ? "443" : "80") ? uri.host : cat(uri.host, ":", uri.port));
  request.set(bhttp::field::user_agent, "portico-jwks");
  request.set(bhttp::field::accept, "application/json");
  request.set(bhttp::field::connection, "close");
  if (auto [ec, n] = co_await bhttp::async_write(stream, request, kNoThrow); ec) {
    co_return absl::UnavailableError(describe(ec, "write"));
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxJwksBytes);
  auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
  if (ec == bhttp::error::body_limit) co_return absl::UnavailableError(cat("body over ", kMaxJwksBytes, " bytes"));
  if (ec) co_return absl::UnavailableError(describe(ec, "read"));
  if (parser.get().result_int() != 200) {
    co_return absl::UnavailableError(cat("status ", parser.get().result_int()));
  }
  co_return std::move(parser.get().body());
}

}  // namespace

absl::Status checkJwksUri(std::string_view uri) { return parseUri(uri).status(); }

asio::awaitable<absl::StatusOr<std::string>> fetchJwksDocument(JwksFetchTarget target) {
  auto parsed = parseUri(target.uri);
  if (!parsed.ok()) co_return parsed.status();
  const ParsedUri& uri = *parsed;
  auto executor = co_await asio::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + target.timeout;

  asio::ip::tcp::resolver resolver(executor);
  // The resolver has no deadline of its own; a numeric host resolves at once, and a name uses
  // the system resolver's own timeouts.
  auto [rec, endpoints] = co_await resolver.async_resolve(uri.host, uri.port, kNoThrow);
  if (rec) co_return absl::UnavailableError(cat("resolve ", uri.host, ": ", rec.message()));
  if (std::chrono::steady_clock::now() >= deadline) co_return absl::UnavailableError("timeout");

  if (!uri.tls) {
    beast::tcp_stream stream(executor);
    stream.expires_at(deadline);
    if (auto [ec, e] = co_await stream.async_connect(endpoints, kNoThrow); ec) {
      co_return absl::UnavailableError(describe(ec, "connect"));
    }
    co_return co_await exchange(stream, uri);
  }

  asio::ssl::context context(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (target.ca_file.empty()) {
    context.set_default_verify_paths(ec);
  } else {
    context.load_verify_file(target.ca_file, ec);
  }
  if (ec) co_return absl::FailedPreconditionError(cat("CA file \"", target.ca_file, "\": ", ec.message()));
  context.set_verify_mode(asio::ssl::verify_peer);

  beast::ssl_stream<beast::tcp_stream> stream(executor, context);
  SSL* ssl = stream.native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (uri.ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, uri.host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, uri.host.c_str());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, uri.host.c_str(), uri.host.size());
  }
  beast::get_lowest_layer(stream).expires_at(deadline);
  if (auto [cec, e] = co_await beast::get_lowest_layer(stream).async_connect(endpoints, kNoThrow); cec) {
    co_return absl::UnavailableError(describe(cec, "connect"));
  }
  if (auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kNoThrow); hec) {
    co_return absl::UnavailableError(describe(hec, "TLS handshake"));
  }
  // The body is complete once parsed; a TLS close_notify exchange would only add a round trip.
  co_return co_await exchange(stream, uri);
}

}  // namespace portico::dp::filters::jwt_authn
