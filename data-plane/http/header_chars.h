#pragma once

// Character classes of HTTP/1.1 message heads (RFC 9110 §5.6.2, §5.5), shared by the request
// head scanner and the upstream response decoder so both judge names and values alike. Table
// lookups: these run over every byte of every head the proxy reads.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

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

// `s` without the optional whitespace (SP, HTAB) around a field value or list element (OWS).
inline std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether some byte of [data, data + size) is control(). Eight bytes per step: a field value is
// almost never refused, so the common case is the word test below finding nothing. The test can
// flag a word that holds none (an HTAB, a borrow after a real hit); such words are re-checked
// byte by byte, so the answer is exact.
inline bool hasControl(const char* data, size_t size) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, sizeof(word));
    const uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighs;
    const uint64_t del_xor = word ^ (kOnes * 0x7f);
    const uint64_t del = (del_xor - kOnes) & ~del_xor & kHighs;
    if ((below_space | del) == 0) continue;
    for (size_t j = i; j < i + 8; ++j) {
      if (control(static_cast<unsigned char>(data[j]))) return true;
    }
  }
  for (; i < size; ++i) {
    if (control(static_cast<unsigned char>(data[i]))) return true;
  }
  return false;
}

}  // namespace portico::dp::http
