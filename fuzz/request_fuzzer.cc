// libFuzzer target: the downstream request decision (data-plane/http/request_decoder.h: head
// scanner, Beast's parser, framing and Host checks, path normalization, body), then the
// forwarding headers of an accepted request — everything before "forward or refuse".
//
// Input: byte 0 picks the listener settings (path options, trusted hops), byte 1 the size of
// the reads the bytes arrive in; the rest is what a client sends. Properties:
// - the decision does not depend on how the bytes are split into reads (the whole input at
//   once and in byte-1-sized pieces give the same state, status and target);
// - a refusal is one of 400, 413, 414, 431;
// - the fast head path (RequestDecoder::fastHead) decides as Beast's parser does: the same
//   state, refusal and target with it off, and an accepted request has the same method,
//   version and fields in the same order;
// - an accepted request has unambiguous framing (at most one Content-Length, of digits; a
//   Transfer-Encoding only alone, exactly "chunked", never with a Content-Length or in
//   HTTP/1.0), exactly one Host in HTTP/1.1, a body within the limit, and a normalized path
//   when normalization is on.

#include <boost/beast/http/field.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "common/strings.h"
#include "data-plane/http/forwarded_headers.h"
#include "data-plane/http/request_decoder.h"
#include "fuzz/fuzz_check.h"

namespace {

namespace bhttp = boost::beast::http;
using portico::dp::http::DecoderSettings;
using portico::dp::http::EscapedSlashes;
using portico::dp::http::ForwardingOptions;
using portico::dp::http::PathResult;
using portico::dp::http::RequestDecoder;

struct Outcome {
  RequestDecoder::State state = RequestDecoder::State::kNeedMore;
  int status = 0;
  std::string target;
};

// Feeds `input` in `chunk`-byte reads (0: all at once) until a decision or the input ends.
Outcome run(std::string_view input, size_t chunk, const DecoderSettings& settings,
            RequestDecoder& decoder) {
  std::string buffer;
  size_t offered = 0;
  for (;;) {
    size_t used = 0;
    const RequestDecoder::State state = decoder.feed(buffer, used);
    FUZZ_CHECK(used <= buffer.size(), "used more than was given");
    buffer.erase(0, used);
    if (state == RequestDecoder::State::kRefused) {
      return {state, decoder.refusal().status, ""};
    }
    if (state == RequestDecoder::State::kDone) {
      return {state, 0, std::string(decoder.request().target())};
    }
    if (state == RequestDecoder::State::kHeadDone) continue;
    if (offered == input.size()) return {state, 0, ""};
    const size_t n = chunk == 0 ? input.size() - offered : std::min(chunk, input.size() - offered);
    buffer.append(input.substr(offered, n));
    offered += n;
  }
}

// Method, version and every field (name as spelled, value) in order.
std::string fieldsOf(const RequestDecoder::Request& request) {
  std::string out = portico::cat(std::string_view(request.method_string()), " ", request.version(), "\n");
  for (const auto& field : request) {
    out += portico::cat(std::string_view(field.name_string()), ": ", std::string_view(field.value()), "\n");
  }
  return out;
}

void checkAccepted(RequestDecoder& decoder, const DecoderSettings& settings, uint8_t mode) {
  auto& request = decoder.request();
  const size_t cl = request.count(bhttp::field::content_length);
  const size_t te = request.count(bhttp::field::transfer_encoding);
  FUZZ_CHECK(cl <= 1, "several Content-Length accepted");
  FUZZ_CHECK(te <= 1, "several Transfer-Encoding accepted");
  FUZZ_CHECK(!(cl == 1 && te == 1), "Content-Length with Transfer-Encoding accepted");
  if (te == 1) {
    FUZZ_CHECK(request.version() == 11, "Transfer-Encoding in HTTP/1.0 accepted");
    FUZZ_CHECK(
        absl::EqualsIgnoreCase(portico::av(request[bhttp::field::transfer_encoding]), "chunked"),
        "Transfer-Encoding other than chunked accepted");
  }
  if (request.version() == 11) {
    FUZZ_CHECK(request.count(bhttp::field::host) == 1, "HTTP/1.1 request without exactly one Host");
  }
  FUZZ_CHECK(request.body().size() <= settings.max_body_bytes, "body over the limit accepted");
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  if (settings.path.normalize) {
    std::string again;
    FUZZ_CHECK(
        portico::dp::http::normalizePath(path, settings.path, again) == PathResult::kUnchanged,
        std::string(target));
  }
  // The header preparation that follows for a forwarded request must not trip either.
  const ForwardingOptions forwarding{static_cast<uint32_t>(mode >> 5), (mode & 0x10) != 0,
                                     (mode & 0x08) != 0 ? "1.1 portico" : ""};
  const std::string client = portico::dp::http::clientAddress(request, "192.0.2.1", forwarding);
  FUZZ_CHECK(!client.empty(), "empty client address");
  portico::dp::http::AddedFields added;
  portico::dp::http::setForwardingHeaders(request, "192.0.2.1", "http", forwarding, added);
  size_t protos = request.count("x-forwarded-proto");
  for (const auto& [name, value] : added) protos += name == "x-forwarded-proto" ? 1 : 0;
  FUZZ_CHECK(protos == 1, "X-Forwarded-Proto not set once");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > portico::fuzz::kMaxInput) return 0;
  const uint8_t mode = data[0];
  const size_t chunk = 1 + data[1] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  DecoderSettings settings;
  settings.head = {256, 2048, 16};  // small limits, so the fuzzer reaches them
  settings.max_body_bytes = 512;
  settings.path.normalize = (mode & 1) != 0;
  settings.path.merge_slashes = (mode & 2) != 0;
  settings.path.escaped_slashes = static_cast<EscapedSlashes>((mode >> 2) % 3);

  RequestDecoder whole(settings);
  const Outcome a = run(input, 0, settings, whole);
  RequestDecoder pieces(settings);
  const Outcome b = run(input, chunk, settings, pieces);
  FUZZ_CHECK(a.state == b.state && a.status == b.status && a.target == b.target,
             portico::cat("whole: state ", static_cast<int>(a.state), " status ", a.status,
                          " target ", a.target, " / in ", chunk, "-byte reads: state ",
                          static_cast<int>(b.state), " status ", b.status, " target ", b.target));
  if (a.state == RequestDecoder::State::kRefused) {
    FUZZ_CHECK(a.status == 400 || a.status == 413 || a.status == 414 || a.status == 431,
               portico::cat("unexpected refusal status ", a.status));
  }
  DecoderSettings beast_only = settings;
  beast_only.fast_head = false;
  RequestDecoder slow(beast_only);
  const Outcome c = run(input, 0, beast_only, slow);
  FUZZ_CHECK(a.state == c.state && a.status == c.status && a.target == c.target,
             portico::cat("fast head: state ", static_cast<int>(a.state), " status ", a.status, " target ",
                          a.target, " / Beast only: state ", static_cast<int>(c.state), " status ", c.status,
                          " target ", c.target));
  if (a.state == RequestDecoder::State::kDone) {
    FUZZ_CHECK(fieldsOf(whole.request()) == fieldsOf(slow.request()), "the fast head path built other fields");
    checkAccepted(whole, settings, mode);
  }
  return 0;
}
