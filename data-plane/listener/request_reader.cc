#include "data-plane/listener/request_reader.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "absl/strings/match.h"
#include "common/strings.h"

namespace portico::dp::listener {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 64 << 10;

std::string_view buffered(const beast::flat_buffer& buffer) {
  return {static_cast<const char*>(buffer.data().data()), buffer.size()};
}

std::optional<Clock::time_point> after(Clock::time_point start, std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) return std::nullopt;
  return start + timeout;
}

void arm(beast::tcp_stream& stream, std::optional<Clock::time_point> deadline) {
  if (deadline) {
    stream.expires_at(*deadline);
  } else {
    stream.expires_never();
  }
}

bool expectsContinue(const http::RequestDecoder::Request& request) {
  return absl::EqualsIgnoreCase(av(request[bhttp::field::expect]), "100-continue");
}

ReadResult refused(const http::Refusal& refusal) {
  return ReadResult{ReadResult::Status::kRefused, refusal, Clock::now()};
}

// The per-request timing state: which deadline the next read runs against.
struct Deadlines {
  std::optional<Clock::time_point> head;  // set once the head's clock has started
  std::optional<Clock::time_point> idle;  // waiting for a kept-alive connection's next request
  bool got_bytes = false;

  std::optional<Clock::time_point> forRead(const HttpSettings& settings, bool head_done) const {
    if (head_done) return after(Clock::now(), settings.idle_timeout);  // per body read
    if (head) return head;
    return got_bytes ? after(Clock::now(), settings.idle_timeout) : idle;
  }
};

}  // namespace

asio::awaitable<ReadResult> readRequest(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                        http::RequestDecoder& decoder, const HttpSettings& settings,
                                        std::optional<Clock::time_point> accepted) {
  Deadlines deadlines;
  if (accepted) deadlines.head = after(*accepted, settings.header_timeout);
  deadlines.idle = after(Clock::now(), settings.idle_timeout);
  deadlines.got_bytes = buffer.size() > 0;  // a pipelined request is already here
  if (deadlines.got_bytes && !deadlines.head) deadlines.head = after(Clock::now(), settings.header_timeout);
  Clock::time_point head_done{};
  for (;;) {
    size_t used = 0;
    const http::RequestDecoder::State state = decoder.feed(buffered(buffer), used);
    buffer.consume(used);
    switch (state) {
      case http::RequestDecoder::State::kRefused:
        co_return refused(decoder.refusal());
      case http::RequestDecoder::State::kDone:
        co_return ReadResult{ReadResult::Status::kRequest, {},
                             head_done == Clock::time_point{} ? Clock::now() : head_done};
      case http::RequestDecoder::State::kHeadDone:
        head_done = Clock::now();
        if (expectsContinue(decoder.request())) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          arm(stream, after(Clock::now(), settings.idle_timeout));
          co_await asio::async_write(stream, asio::buffer(kContinue), kNoThrow);
        }
        continue;  // body bytes may already be buffered
      case http::RequestDecoder::State::kNeedMore:
        break;
    }
    arm(stream, deadlines.forRead(settings, decoder.headDone()));
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kNoThrow);
    if (ec) {
      // A timeout after part of a request: answer 408 (nginx and Envoy do the same); an idle
      // connection or a client that went away is just closed.
      if (ec == beast::error::timeout && (deadlines.got_bytes || decoder.headDone())) {
        co_return refused({408, "request_timeout",
                           decoder.headDone() ? "the request body stalled"
                                              : "the request head did not arrive in time"});
      }
      co_return ReadResult{};
    }
    buffer.commit(n);
    if (!deadlines.got_bytes) {
      deadlines.got_bytes = true;
      if (!deadlines.head) deadlines.head = after(Clock::now(), settings.header_timeout);
    }
  }
}

asio::awaitable<void> lingerBeforeClose(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream.expires_after(std::chrono::seconds(1));
  size_t discarded = 0;
  while (discarded < (256 << 10)) {
    buffer.clear();
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kNoThrow);
    if (ec) break;
    discarded += n;
  }
  buffer.clear();
}

}  // namespace portico::dp::listener
