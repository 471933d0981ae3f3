#include "data-plane/upstream/health/http_probe.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "common/strings.h"
#include "data-plane/upstream/health/health_state.h"

namespace portico::dp::upstream::health {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr uint64_t kMaxBody = 64 << 10;  // a health answer is small; more is a failure

ProbeResult failed(const beast::error_code& ec, std::string_view step) {
  ProbeResult result;
  result.outcome = ec == beast::error::timeout ? ProbeOutcome::kTimeout : ProbeOutcome::kFailure;
  result.detail = cat(step, ": ", ec == beast::error::timeout ? "timeout" : ec.message());
  return result;
}

}  // namespace

const char* outcomeName(ProbeOutcome outcome) {
  switch (outcome) {
    case ProbeOutcome::kSuccess: return "success";
    case ProbeOutcome::kFailure: return "failure";
    case ProbeOutcome::kTimeout: return "timeout";
  }
  return "failure";
}

asio::awaitable<ProbeResult> probeHttp(asio::ip::tcp::endpoint address, HealthCheck check,
                                       std::string host) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  // One deadline for the whole check: connect, write and read.
  stream.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(check.timeout)));
  if (auto [ec] = co_await stream.async_connect(address, kNoThrow); ec) co_return failed(ec, "connect");
  bhttp::request<bhttp::empty_body> request(bhttp::verb::get, check.path, 11);
  request.set(bhttp::field::host, host);
  request.set(bhttp::field::user_agent, "portico-health-check");
  request.set(bhttp::field::connection, "close");
  if (auto [ec, n] = co_await bhttp::async_write(stream, request, kNoThrow); ec) co_return failed(ec, "write");
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxBody);
  auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  if (ec) co_return failed(ec, "read");
  ProbeResult result;
  result.status = parser.get().result_int();
  result.outcome = statusExpected(result.status, check.expected_statuses) ? ProbeOutcome::kSuccess
                                                                          : ProbeOutcome::kFailure;
  if (result.outcome != ProbeOutcome::kSuccess) result.detail = cat("unexpected status ", result.status);
  co_return result;
}

}  // namespace portico::dp::upstream::health
