#include "tests/support/test_env.h"

#include <dirent.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <mutex>
#include <set>
#include <thread>

#include "common/strings.h"

#include "absl/time/clock.h"

namespace portico::testing {

uint16_t pickFreePort() {
  static std::mutex mu;
  static std::set<uint16_t> handed_out;
  std::lock_guard<std::mutex> lock(mu);
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    ::close(fd);
    if (port != 0 && handed_out.insert(port).second) {
      return port;
    }
  }
  return 0;
}

std::string makeTempDir(const std::string& prefix) {
  const char* base = getenv("TMPDIR");
  std::string templ = std::string(base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  char* made = mkdtemp(templ.data());
  return made ? std::string(made) : std::string();
}

void writeFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
}

bool waitUntil(const std::function<bool()>& condition, absl::Duration timeout, absl::Duration poll) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (condition()) {
      return true;
    }
    if (absl::Now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(poll));
  }
}

std::string binaryPath(const std::string& name) { return std::string(PORTICO_BIN_DIR) + "/" + name; }

std::string sourcePath(const std::string& relative) {
  return std::string(PORTICO_SOURCE_DIR) + "/" + relative;
}

std::set<uint16_t> listeningPorts(pid_t pid) {
  std::set<std::string> inodes;
  const std::string fd_dir = cat("/proc/", pid, "/fd");
  if (DIR* dir = opendir(fd_dir.c_str())) {
    while (dirent* entry = readdir(dir)) {
      char target[256];
      const ssize_t n =
          readlink(cat(fd_dir, "/", entry->d_name).c_str(), target, sizeof(target) - 1);
      if (n <= 0) continue;
      const std::string link(target, n);
      if (link.rfind("socket:[", 0) == 0) inodes.insert(link.substr(8, link.size() - 9));
    }
    closedir(dir);
  }
  std::set<uint16_t> ports;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      if (state != "0A" || !inodes.count(inode)) continue;  // 0A: LISTEN
      ports.insert(
          static_cast<uint16_t>(std::stoul(local.substr(local.find(':') + 1), nullptr, 16)));
    }
  }
  return ports;
}

}  // namespace portico::testing
