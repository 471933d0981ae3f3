#pragma once

// A worker's access log buffers: lines are rendered into a per-worker, per-file buffer and
// written with one write() of whole lines when the buffer passes kFlushBytes, when the flush
// timer fires (kFlushInterval after the first buffered line), and on shutdown. No locks: one
// writer per worker, used only on that worker's thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "data-plane/http/access_log.h"

namespace portico::dp::http {

class AccessLogWriter {
 public:
  static constexpr size_t kFlushBytes = 64 << 10;
  static constexpr std::chrono::milliseconds kFlushInterval{100};

  explicit AccessLogWriter(boost::asio::io_context& io);
  // Flushes what is left (the worker thread has stopped by then).
  ~AccessLogWriter();
  AccessLogWriter(const AccessLogWriter&) = delete;
  AccessLogWriter& operator=(const AccessLogWriter&) = delete;

  // Worker thread: renders `entry` with `log`'s format into the buffer of `log`'s file.
  void log(const AccessLog& log, const AccessLogEntry& entry);
  // Worker thread, or any thread once the worker has stopped: writes every buffer out, and
  // forgets the files no snapshot uses any more (closing them).
  void flush();

 private:
  struct Buffer {
    std::shared_ptr<AccessLogFile> file;
    std::string lines;
  };
  void flushBuffer(Buffer& buffer);
  void armTimer();

  boost::asio::steady_timer timer_;
  bool timer_armed_ = false;
  std::vector<Buffer> buffers_;  // a handful at most: one per distinct path
  uint64_t failed_writes_ = 0;
};

}  // namespace portico::dp::http
