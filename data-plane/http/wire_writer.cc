#include "data-plane/http/wire_writer.h"

#include <charconv>
#include <cstring>

namespace portico::dp::http {

namespace bhttp = boost::beast::http;

namespace {

void appendVersion(unsigned version, std::string& out) {
  out.append("HTTP/");
  out.push_back(static_cast<char>('0' + version / 10));
  out.push_back('.');
  out.push_back(static_cast<char>('0' + version % 10));
}

char* appendField(std::string_view name, std::string_view value, char* at) {
  std::memcpy(at, name.data(), name.size());
  at += name.size();
  *at++ = ':';
  *at++ = ' ';
  std::memcpy(at, value.data(), value.size());
  at += value.size();
  *at++ = '\r';
  *at++ = '\n';
  return at;
}

// `fields`, then `added`, then the blank line. Sizes first, then one resize and plain copies:
// four appends per field (each a capacity check and a call) were most of this function's cost.
void appendFields(const router::Fields& fields, const AddedFields& added, std::string& out) {
  size_t size = 2;
  for (const auto& field : fields) size += field.name_string().size() + field.value().size() + 4;
  for (const auto& [name, value] : added) size += name.size() + value.size() + 4;
  const size_t start = out.size();
  out.resize(start + size);
  char* at = out.data() + start;
  for (const auto& field : fields) {
    const auto name = field.name_string();
    const auto value = field.value();
    at = appendField({name.data(), name.size()}, {value.data(), value.size()}, at);
  }
  for (const auto& [name, value] : added) at = appendField(name, value, at);
  *at++ = '\r';
  *at++ = '\n';
}

}  // namespace

void frameRequestBody(Request& request) {
  // One walk over the (few) fields rather than two lookups by name. The decoder let through no
  // Transfer-Encoding but a final "chunked".
  bool had_length = false;
  bool chunked = false;
  for (const auto& field : request) {
    had_length = had_length || field.name() == bhttp::field::content_length;
    chunked = chunked || field.name() == bhttp::field::transfer_encoding;
  }
  const size_t size = request.body().size();
  const bool method_has_body = request.method() == bhttp::verb::post || request.method() == bhttp::verb::put ||
                               request.method() == bhttp::verb::patch;
  if (size > 0 || had_length || method_has_body) {
    setExactLength(request, size);  // drops Transfer-Encoding; keeps a Content-Length that is right
  } else if (chunked) {
    request.erase(bhttp::field::transfer_encoding);
  }
}

void setExactLength(router::Fields& fields, uint64_t size) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), size).ptr;
  const std::string_view length(digits, static_cast<size_t>(end - digits));
  int lengths = 0;
  bool same = false;
  for (auto it = fields.begin(); it != fields.end();) {
    const bhttp::field name = it->name();
    if (name == bhttp::field::transfer_encoding) {
      it = fields.erase(it);
      continue;
    }
    if (name == bhttp::field::content_length) {
      ++lengths;
      same = it->value() == length;
    }
    ++it;
  }
  if (lengths == 1 && same) return;
  if (lengths > 0) fields.erase(bhttp::field::content_length);
  fields.insert(bhttp::field::content_length, length);
}

void setPersistence(router::Fields& fields, unsigned version, bool keep_alive) {
  if (version >= 11 && !keep_alive) {
    fields.insert(bhttp::field::connection, "close");
  } else if (version < 11 && keep_alive) {
    fields.insert(bhttp::field::connection, "keep-alive");
  }
}

void writeRequestHead(const Request& request, const AddedFields& added, std::string& out) {
  out.clear();
  out.append(request.method_string());
  out.push_back(' ');
  out.append(request.target());
  out.push_back(' ');
  appendVersion(request.version(), out);
  out.append("\r\n");
  appendFields(request, added, out);
}

void writeResponseHead(const Response& response, std::string_view raw_fields, std::string& out) {
  out.clear();
  appendVersion(response.version(), out);
  out.push_back(' ');
  char code[4];
  const unsigned status = response.result_int();
  std::to_chars(code, code + 3, status);
  out.append(code, 3);
  out.push_back(' ');
  std::string_view reason = response.reason();
  out.append(reason.empty() ? std::string_view(bhttp::obsolete_reason(response.result())) : reason);
  out.append("\r\n");
  out.append(raw_fields);
  appendFields(response, AddedFields{}, out);
}

}  // namespace portico::dp::http
