#include "data-plane/http/access_log_writer.h"

#include "common/logging.h"

namespace portico::dp::http {

AccessLogWriter::AccessLogWriter(boost::asio::io_context& io) : timer_(io) {}

AccessLogWriter::~AccessLogWriter() { flush(); }

void AccessLogWriter::log(const AccessLog& log, const AccessLogEntry& entry) {
  Buffer* buffer = nullptr;
  for (Buffer& candidate : buffers_) {
    if (candidate.file == log.file) {
      buffer = &candidate;
      break;
    }
  }
  if (buffer == nullptr) {
    buffers_.push_back(Buffer{log.file, std::string()});
    buffer = &buffers_.back();
    buffer->lines.reserve(kFlushBytes + 1024);
  }
  log.format.render(entry, buffer->lines);
  if (buffer->lines.size() >= kFlushBytes) {
    flushBuffer(*buffer);
  } else {
    armTimer();
  }
}

void AccessLogWriter::armTimer() {
  if (timer_armed_) return;
  timer_armed_ = true;
  timer_.expires_after(kFlushInterval);
  // The handler never outlives the writer: the worker destroys the writer only after its
  // io_context has stopped, and a stopped io_context runs no more handlers.
  timer_.async_wait([this](const boost::system::error_code& ec) {
    timer_armed_ = false;
    if (!ec) flush();
  });
}

void AccessLogWriter::flushBuffer(Buffer& buffer) {
  if (buffer.lines.empty()) return;
  if (!buffer.file->writeLines(buffer.lines)) {
    // Logged on the 1st, 2nd, 4th, 8th... failure: a full disk must not flood the process log.
    ++failed_writes_;
    if ((failed_writes_ & (failed_writes_ - 1)) == 0) {
      PORTICO_LOG(kWarning, "access log \"", buffer.file->path(), "\": write failed (",
                  failed_writes_, " times so far); lines dropped");
    }
  }
  buffer.lines.clear();
}

void AccessLogWriter::flush() {
  for (Buffer& buffer : buffers_) flushBuffer(buffer);
  // A file only this writer still holds belongs to no snapshot: let it close.
  std::erase_if(buffers_, [](const Buffer& buffer) { return buffer.file.use_count() == 1; });
}

}  // namespace portico::dp::http
