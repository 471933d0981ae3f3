#include "data-plane/redis/command.h"

#include <charconv>

namespace portico::dp::redis {

namespace {

void appendNumber(std::string& out, uint64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  (void)ec;  // 24 digits always suffice for a 64-bit value
  out.append(digits, end);
}

void appendBulk(std::string& out, std::string_view value) {
  out.push_back('$');
  appendNumber(out, value.size());
  out.append("\r\n");
  out.append(value);
  out.append("\r\n");
}

}  // namespace

void appendCommand(std::string& out, std::initializer_list<std::string_view> args) {
  out.push_back('*');
  appendNumber(out, args.size());
  out.append("\r\n");
  for (std::string_view a : args) appendBulk(out, a);
}

CommandBuilder& CommandBuilder::arg(std::string_view value) {
  appendBulk(body_, value);
  ++count_;
  return *this;
}

CommandBuilder& CommandBuilder::arg(int64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  (void)ec;
  return arg(std::string_view(digits, static_cast<size_t>(end - digits)));
}

std::string CommandBuilder::finish() const {
  std::string out;
  out.reserve(body_.size() + 16);
  out.push_back('*');
  appendNumber(out, count_);
  out.append("\r\n");
  out.append(body_);
  return out;
}

}  // namespace portico::dp::redis
