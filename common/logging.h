#pragma once

// Minimal leveled logging to stderr, one line per call, safe from any thread.
// Usage: PORTICO_LOG(kInfo, "listener ", name, " bound on ", port);

#include <string_view>

#include "common/strings.h"

namespace portico {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Sets the lowest level that is printed (default kInfo). Call from main before threads start.
void setLogLevel(LogLevel level);
// Parses "debug" | "info" | "warning" | "error"; returns false on anything else.
bool parseLogLevel(std::string_view text, LogLevel& out);
bool logEnabled(LogLevel level);
// Writes "<time> <level> <component>: <message>\n" with a single write().
void logLine(LogLevel level, std::string_view message);

}  // namespace portico

#define PORTICO_LOG(level, ...)                                                  \
  do {                                                                           \
    if (::portico::logEnabled(::portico::LogLevel::level)) {                     \
      ::portico::logLine(::portico::LogLevel::level, ::portico::cat(__VA_ARGS__)); \
    }                                                                            \
  } while (false)
