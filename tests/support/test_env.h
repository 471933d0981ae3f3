#pragma once

// Ports, temporary directories, bounded waiting and binary paths for tests.

#include <cstdint>
#include <functional>
#include <set>
#include <sys/types.h>
#include <string>

#include "absl/time/time.h"

namespace portico::testing {

// A port that was free a moment ago on 127.0.0.1 (bound to port 0, then released). Ports handed
// out by one test process are never repeated.
uint16_t pickFreePort();

// A fresh directory under $TMPDIR (or /tmp), removed by the OS eventually; tests write configs
// and logs there.
std::string makeTempDir(const std::string& prefix);
void writeFile(const std::string& path, const std::string& content);

// Polls `condition` every `poll` until it is true (returns true) or `timeout` passes (false).
bool waitUntil(const std::function<bool()>& condition, absl::Duration timeout,
               absl::Duration poll = absl::Milliseconds(25));

// The TCP ports process `pid` listens on: its socket inodes matched against /proc/net/tcp{,6}.
std::set<uint16_t> listeningPorts(pid_t pid);

// build/bin/<name>: our binaries.
std::string binaryPath(const std::string& name);
// The source tree root.
std::string sourcePath(const std::string& relative);

}  // namespace portico::testing
