#pragma once

// Character classes of HTTP/1.1 message heads (RFC 9110 §5.6.2, §5.5), shared by the request
// head scanner and the upstream response decoder so both judge names and values alike. Table
// lookups: these run over every byte of every head the proxy reads.

#include <array>
#include <cstdint>

namespace portico::dp::http {

namespace header_chars_internal {

constexpr uint8_t kToken = 1;    // tchar
constexpr uint8_t kControl = 2;  // CTL other than HTAB, and DEL

constexpr std::array<uint8_t, 256> makeTable() {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    bool token = alnum;
    for (const char special : {'!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~'}) {
      token = token || c == special;
    }
    table[static_cast<size_t>(c)] = static_cast<uint8_t>((token ? kToken : 0) |
                                                         (((c < 0x20 && c != '\t') || c == 0x7f) ? kControl : 0));
  }
  return table;
}

inline constexpr std::array<uint8_t, 256> kTable = makeTable();

}  // namespace header_chars_internal

// tchar: the characters of a token (a field name, a method, a transfer coding).
inline bool tchar(unsigned char c) { return (header_chars_internal::kTable[c] & header_chars_internal::kToken) != 0; }

// CTLs other than HTAB, and DEL: never valid in a field value or a reason phrase. obs-text
// (0x80-0xFF) is allowed there (RFC 9110 §5.5).
inline bool control(unsigned char c) {
  return (header_chars_internal::kTable[c] & header_chars_internal::kControl) != 0;
}

}  // namespace portico::dp::http
