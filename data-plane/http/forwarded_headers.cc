#include "data-plane/http/forwarded_headers.h"

#include <boost/asio/ip/address.hpp>

#include "absl/strings/match.h"
#include "common/strings.h"
#include "data-plane/http/header_chars.h"

namespace portico::dp::http {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::string_view kXff = "x-forwarded-for";
constexpr std::string_view kXfp = "x-forwarded-proto";
constexpr std::string_view kVia = "via";

bool named(const router::Fields::value_type& field, std::string_view name) {
  return absl::EqualsIgnoreCase(av(field.name_string()), av(name));
}

// The n-th (1-based) X-Forwarded-For entry from the right, all fields of that name taken as
// one list in field order; empty when there are fewer entries. No allocation.
std::string_view nthFromRight(const router::Fields& fields, uint32_t n) {
  uint32_t seen = 0;
  for (auto it = fields.end(); it != fields.begin();) {
    --it;
    if (!named(*it, kXff)) continue;
    std::string_view value = it->value();
    for (;;) {
      const size_t comma = value.rfind(',');
      const std::string_view entry =
          trimOws(comma == std::string_view::npos ? value : value.substr(comma + 1));
      if (++seen == n) return entry;
      if (comma == std::string_view::npos) break;
      value = value.substr(0, comma);
    }
  }
  return {};
}

// All values of `name` joined with ", " in field order, plus `last` when not empty; the
// fields of that name are replaced by the one result.
void appendToList(router::Fields& fields, std::string_view name, std::string_view last) {
  std::string merged;
  bool present = false;
  for (const auto& field : fields) {
    if (!named(field, name)) continue;
    present = true;
    if (!merged.empty()) merged.append(", ");
    merged.append(field.value());
  }
  if (!present) {  // the common case: nothing to merge or replace
    if (!last.empty()) fields.insert(name, last);
    return;
  }
  if (!last.empty()) {
    if (!merged.empty()) merged.append(", ");
    merged.append(last);
  }
  fields.set(name, merged);
}

}  // namespace

std::string clientAddress(const router::Fields& fields, std::string_view peer,
                          const ForwardingOptions& options) {
  const uint32_t n =
      options.use_remote_address ? options.xff_trusted_hops : options.xff_trusted_hops + 1;
  if (n == 0) return std::string(peer);
  const std::string_view entry = nthFromRight(fields, n);
  if (entry.empty()) return std::string(peer);
  boost::system::error_code ec;
  const boost::asio::ip::address ip = boost::asio::ip::make_address(entry, ec);
  return ec ? std::string(peer) : ip.to_string();  // canonical text: one address, one spelling
}

void setForwardingHeaders(router::Fields& fields, std::string_view peer, std::string_view scheme,
                          const ForwardingOptions& options, AddedFields& added) {
  // One pass over the client's fields for both names (Beast knows neither, so any field it
  // knows is skipped without a compare). The common request has neither.
  int xff_count = 0;
  int xfp_count = 0;
  std::string_view proto;
  for (const auto& field : fields) {
    if (field.name() != bhttp::field::unknown) continue;
    if (named(field, kXff)) {
      ++xff_count;
    } else if (named(field, kXfp)) {
      ++xfp_count;
      proto = field.value();
    }
  }
  if (options.use_remote_address) {
    if (xff_count > 0) {
      appendToList(fields, kXff, peer);
    } else if (!peer.empty()) {
      added.add(kXff, peer);
    }
  }
  // A client's own X-Forwarded-Proto is only believed from a trusted hop.
  const bool trusted = !options.use_remote_address || options.xff_trusted_hops > 0;
  bool keep = false;
  if (trusted && xfp_count == 1) {
    proto = trimOws(proto);
    keep = absl::EqualsIgnoreCase(av(proto), "http") || absl::EqualsIgnoreCase(av(proto), "https");
  }
  if (xfp_count == 0) {
    added.add(kXfp, scheme);
  } else if (!keep) {
    fields.set(kXfp, scheme);
  }
  appendVia(fields, options);
}

void appendVia(router::Fields& fields, const ForwardingOptions& options) {
  if (!options.via.empty()) appendToList(fields, kVia, options.via);
}

bool validViaValue(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.front() == ' ' || value.back() == ' ') {
    return false;
  }
  for (const char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace portico::dp::http
