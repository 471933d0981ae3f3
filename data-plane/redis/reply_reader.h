#pragma once

// Splits the bytes a Redis server sends into replies, with hiredis's protocol reader (the one
// part of hiredis we use: the connection and its I/O are ours, on the worker's io_context).

#include <cstddef>
#include <optional>

#include "absl/status/statusor.h"
#include "data-plane/redis/reply.h"

struct redisReader;

namespace portico::dp::redis {

class ReplyReader {
 public:
  ReplyReader();
  ~ReplyReader();
  ReplyReader(const ReplyReader&) = delete;
  ReplyReader& operator=(const ReplyReader&) = delete;

  // Adds bytes read from the socket.
  absl::Status feed(const char* data, size_t size);
  // The next complete reply, nullopt when more bytes are needed, or an error when the stream
  // is not RESP (the connection must then be dropped).
  absl::StatusOr<std::optional<Reply>> next();

 private:
  redisReader* reader_;
};

}  // namespace portico::dp::redis
