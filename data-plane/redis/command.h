#pragma once

// Redis commands in RESP: "*<argc>\r\n" then "$<len>\r\n<arg>\r\n" per argument. Written by
// hand (a few appends into one buffer) rather than with hiredis's redisFormatCommand, which
// allocates a string per command that the caller must free.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace portico::dp::redis {

// Appends one command with `args` to `out` (the connection's write buffer).
void appendCommand(std::string& out, std::initializer_list<std::string_view> args);

// A command being built argument by argument, for argument lists of variable length.
class CommandBuilder {
 public:
  CommandBuilder& arg(std::string_view value);
  CommandBuilder& arg(int64_t value);
  // The whole command: the "*<argc>" header and the arguments.
  std::string finish() const;

 private:
  std::string body_;
  size_t count_ = 0;
};

}  // namespace portico::dp::redis
