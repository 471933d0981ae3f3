#include "data-plane/redis/reply_reader.h"

#include <hiredis/hiredis.h>

#include <string>
#include <utility>

namespace portico::dp::redis {

namespace {

Reply convert(const redisReply& in) {
  Reply out;
  switch (in.type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.text.assign(in.str, in.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.text.assign(in.str, in.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.text.assign(in.str, in.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = in.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(in.elements);
      for (size_t i = 0; i < in.elements; ++i) out.elements.push_back(convert(*in.element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
      break;
  }
  return out;
}

}  // namespace

ReplyReader::ReplyReader() : reader_(redisReaderCreate()) {}

ReplyReader::~ReplyReader() { redisReaderFree(reader_); }

absl::Status ReplyReader::feed(const char* data, size_t size) {
  if (redisReaderFeed(reader_, data, size) != REDIS_OK) {
    return absl::InternalError("redis reader: out of memory");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Reply>> ReplyReader::next() {
  void* raw = nullptr;
  if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
    return absl::DataLossError(std::string("redis protocol error: ") + reader_->errstr);
  }
  if (raw == nullptr) return std::optional<Reply>();
  auto* reply = static_cast<redisReply*>(raw);
  Reply out = convert(*reply);
  freeReplyObject(reply);
  return std::optional<Reply>(std::move(out));
}

}  // namespace portico::dp::redis
