#include "data-plane/filters/jwt_authn/base64url.h"

#include <array>
#include <cstdint>

namespace portico::dp::filters::jwt_authn {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr uint8_t kInvalid = 0xff;

constexpr std::array<uint8_t, 256> makeDecodeTable() {
  std::array<uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) table[static_cast<uint8_t>(kAlphabet[i])] = i;
  return table;
}

constexpr std::array<uint8_t, 256> kDecode = makeDecodeTable();

}  // namespace

bool base64UrlDecode(std::string_view in, std::string& out) {
  out.clear();
  const size_t rest = in.size() % 4;
  if (rest == 1) return false;  // 6 bits cannot make a byte
  out.reserve(in.size() / 4 * 3 + (rest == 0 ? 0 : rest - 1));
  size_t i = 0;
  const size_t whole = in.size() - rest;
  for (; i < whole; i += 4) {
    const uint8_t a = kDecode[static_cast<uint8_t>(in[i])];
    const uint8_t b = kDecode[static_cast<uint8_t>(in[i + 1])];
    const uint8_t c = kDecode[static_cast<uint8_t>(in[i + 2])];
    const uint8_t d = kDecode[static_cast<uint8_t>(in[i + 3])];
    if ((a | b | c | d) & 0xc0) return false;  // kInvalid has the top bits set; values < 64 do not
    const uint32_t bits = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
    out.push_back(static_cast<char>(bits >> 16));
    out.push_back(static_cast<char>((bits >> 8) & 0xff));
    out.push_back(static_cast<char>(bits & 0xff));
  }
  if (rest == 0) return true;
  const uint8_t a = kDecode[static_cast<uint8_t>(in[i])];
  const uint8_t b = kDecode[static_cast<uint8_t>(in[i + 1])];
  const uint8_t c = rest == 3 ? kDecode[static_cast<uint8_t>(in[i + 2])] : 0;
  if ((a | b | c) & 0xc0) return false;
  if (rest == 2) {
    if (b & 0x0f) return false;  // unused low bits must be zero (canonical encoding)
    out.push_back(static_cast<char>((a << 2) | (b >> 4)));
    return true;
  }
  if (c & 0x03) return false;
  out.push_back(static_cast<char>((a << 2) | (b >> 4)));
  out.push_back(static_cast<char>(((b & 0x0f) << 4) | (c >> 2)));
  return true;
}

std::string base64UrlEncode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t bits = (uint32_t{static_cast<uint8_t>(in[i])} << 16) |
                          (uint32_t{static_cast<uint8_t>(in[i + 1])} << 8) | static_cast<uint8_t>(in[i + 2]);
    out.push_back(kAlphabet[bits >> 18]);
    out.push_back(kAlphabet[(bits >> 12) & 0x3f]);
    out.push_back(kAlphabet[(bits >> 6) & 0x3f]);
    out.push_back(kAlphabet[bits & 0x3f]);
  }
  const size_t rest = in.size() - i;
  if (rest == 1) {
    const uint32_t bits = uint32_t{static_cast<uint8_t>(in[i])} << 16;
    out.push_back(kAlphabet[bits >> 18]);
    out.push_back(kAlphabet[(bits >> 12) & 0x3f]);
  } else if (rest == 2) {
    const uint32_t bits = (uint32_t{static_cast<uint8_t>(in[i])} << 16) | (uint32_t{static_cast<uint8_t>(in[i + 1])} << 8);
    out.push_back(kAlphabet[bits >> 18]);
    out.push_back(kAlphabet[(bits >> 12) & 0x3f]);
    out.push_back(kAlphabet[(bits >> 6) & 0x3f]);
  }
  return out;
}

}  // namespace portico::dp::filters::jwt_authn
