#include "data-plane/listener/request_reader.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "absl/strings/match.h"
#include "common/strings.h"
#include "data-plane/listener/worker.h"
#include "data-plane/net/tls_close.h"

namespace portico::dp::listener {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

using net::kNoThrow;
constexpr size_t kReadChunk = 64 << 10;

std::string_view buffered(const beast::flat_buffer& buffer) {
  return {static_cast<const char*>(buffer.data().data()), buffer.size()};
}

std::optional<Clock::time_point> after(Clock::time_point start, std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) return std::nullopt;
  return start + timeout;
}

struct ReadSome {
  beast::error_code ec;
  size_t bytes = 0;
  bool timed_out = false;
};

// Reads what is available into `buffer`, or gives up at `deadline`, leaving the socket open
// for a 408: the read races a timer. Only for reads whose timeout is answered (part of a
// request is here); the others run inline in readRequest on the connection's lazy deadline
// (net/connection_deadline.h), which closes the socket and costs no timer operation, nor a
// coroutine frame of its own, on the common path.
template <typename Stream>
net::Awaitable<ReadSome> readRacingTimer(net::TimedStream<Stream>& client, beast::flat_buffer& buffer,
                                         Clock::time_point deadline) {
  using namespace asio::experimental::awaitable_operators;  // NOLINT: operator||
  auto into = buffer.prepare(kReadChunk);
  client.deadline.expiresNever();
  net::Timer timer(client.socket().get_executor());
  timer.expires_at(deadline);
  // Whichever finishes first cancels the other; the socket stays open either way.
  auto first = co_await (client.stream.async_read_some(into, kNoThrow) || timer.async_wait(kNoThrow));
  if (first.index() == 1) co_return ReadSome{{}, 0, true};
  auto [ec, n] = std::get<0>(first);
  co_return ReadSome{ec, n, false};
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

template <typename Stream>
net::Awaitable<ReadResult> readRequest(net::TimedStream<Stream>& client, beast::flat_buffer& buffer,
                                        http::RequestDecoder& decoder, const HttpSettings& settings,
                                        std::optional<Clock::time_point> accepted,
                                        Worker& worker) {
  Deadlines deadlines;
  // When the bytes the decoder last saw were all here: one clock reading per read, shared by
  // the deadlines and the request's start (each reading is a measurable cost per request).
  Clock::time_point last_read = Clock::now();
  if (accepted) deadlines.head = after(*accepted, settings.header_timeout);
  deadlines.idle = after(last_read, settings.idle_timeout);
  deadlines.got_bytes = buffer.size() > 0;  // a pipelined request is already here
  if (deadlines.got_bytes && !deadlines.head) deadlines.head = after(last_read, settings.header_timeout);
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
                             head_done == Clock::time_point{} ? last_read : head_done};
      case http::RequestDecoder::State::kHeadDone:
        head_done = last_read;
        if (expectsContinue(decoder.request())) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          client.deadline.expiresAfter(settings.idle_timeout.count() > 0 ? settings.idle_timeout
                                                                         : std::chrono::milliseconds(60000));
          co_await asio::async_write(client.stream, asio::buffer(kContinue), kNoThrow);
          client.deadline.expiresNever();
        }
        continue;  // body bytes may already be buffered
      case http::RequestDecoder::State::kNeedMore:
        break;
    }
    const bool answerable = deadlines.got_bytes || decoder.headDone();
    // Waiting for (the rest of) a head is idle time a drain may cut; a body being read is a
    // request in flight, which a drain lets finish.
    const bool idle = !decoder.headDone();
    std::optional<Worker::IdleWait> idle_wait;
    if (idle) idle_wait.emplace(worker, client.socket());
    const std::optional<Clock::time_point> deadline = deadlines.forRead(settings, decoder.headDone());
    ReadSome read;
    if (deadline && answerable) {
      read = co_await readRacingTimer(client, buffer, *deadline);
    } else {
      client.deadline.expiresAt(deadline.value_or(Clock::time_point::max()));
      auto [ec, n] = co_await client.stream.async_read_some(buffer.prepare(kReadChunk), kNoThrow);
      client.deadline.expiresNever();
      read.timed_out = ec && client.deadline.expired();
      read.ec = read.timed_out ? beast::error_code{} : ec;
      read.bytes = read.timed_out ? 0 : n;
    }
    idle_wait.reset();
    if (read.timed_out) {
      // A timeout after part of a request: answer 408 (Envoy does too); an idle connection is
      // just closed.
      if (answerable) {
        co_return refused({408, "request_timeout",
                           decoder.headDone() ? "the request body stalled"
                                              : "the request head did not arrive in time"});
      }
      co_return ReadResult{};
    }
    if (read.ec) co_return ReadResult{};  // the client went away
    buffer.commit(read.bytes);
    last_read = Clock::now();
    if (!deadlines.got_bytes) {
      deadlines.got_bytes = true;
      if (!deadlines.head) deadlines.head = after(last_read, settings.header_timeout);
    }
  }
}

template <typename Stream>
net::Awaitable<void> lingerBeforeClose(net::TimedStream<Stream>& client, beast::flat_buffer& buffer) {
  client.deadline.expiresAfter(std::chrono::seconds(1));
  if constexpr (net::kIsTls<Stream>) {
    co_await net::sendCloseNotify(client.stream);
  }
  beast::error_code ignored;
  client.socket().shutdown(net::Socket::shutdown_send, ignored);
  size_t discarded = 0;
  while (discarded < (256 << 10)) {
    buffer.clear();
    // From the TCP socket: what the client still sends only has to be drained, not decrypted.
    auto [ec, n] = co_await client.socket().async_read_some(buffer.prepare(kReadChunk), kNoThrow);
    if (ec) break;
    discarded += n;
  }
  buffer.clear();
}

// The two client streams a session runs on.
template net::Awaitable<ReadResult> readRequest(net::TimedSocket&, beast::flat_buffer&,
                                                http::RequestDecoder&, const HttpSettings&,
                                                std::optional<Clock::time_point>, Worker&);
template net::Awaitable<ReadResult> readRequest(net::TimedTlsStream&, beast::flat_buffer&,
                                                http::RequestDecoder&, const HttpSettings&,
                                                std::optional<Clock::time_point>, Worker&);
template net::Awaitable<void> lingerBeforeClose(net::TimedSocket&, beast::flat_buffer&);
template net::Awaitable<void> lingerBeforeClose(net::TimedTlsStream&, beast::flat_buffer&);

}  // namespace portico::dp::listener
