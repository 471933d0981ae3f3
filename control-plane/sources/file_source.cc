#include "control-plane/sources/file_source.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <fstream>
#include <sstream>

#include "absl/time/clock.h"
#include "common/hash.h"
#include "common/logging.h"
#include "common/strings.h"
#include "control-plane/model/config_parser.h"

namespace portico::cp::sources {

namespace {

std::string dirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

std::string baseOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

FileSource::FileSource(std::string path, OnConfig on_config, prometheus::Registry& metrics)
    : path_(std::move(path)), on_config_(std::move(on_config)) {
  auto& reloads = prometheus::BuildCounter()
                      .Name("portico_cp_config_reloads_total")
                      .Help("Config file loads, by result: accepted, rejected (errors; last good kept), unchanged")
                      .Register(metrics);
  accepted_total_ = &reloads.Add({{"result", "accepted"}});
  rejected_total_ = &reloads.Add({{"result", "rejected"}});
  unchanged_total_ = &reloads.Add({{"result", "unchanged"}});
  last_success_ = &prometheus::BuildGauge()
                       .Name("portico_cp_config_last_reload_success")
                       .Help("1 when the most recent load of the config file succeeded, else 0")
                       .Register(metrics)
                       .Add({});
  std::lock_guard<std::mutex> lock(mu_);
  status_.source = path_;
}

FileSource::~FileSource() { stop(); }

absl::Status FileSource::reload(const char* reason) {
  std::lock_guard<std::mutex> reload_lock(reload_mu_);
  std::ifstream in(path_);
  std::stringstream buffer;
  if (in) buffer << in.rdbuf();
  const std::string text = buffer.str();
  const std::string version = contentVersion(text);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (in && version == status_.version && status_.last_error.empty()) {
      unchanged_total_->Increment();
      return absl::OkStatus();  // an editor touched the file without changing it
    }
  }
  absl::StatusOr<model::PorticoConfig> parsed =
      in ? model::parseConfig(text, path_) : absl::NotFoundError(cat(path_, ": cannot open the config file"));
  std::lock_guard<std::mutex> lock(mu_);
  if (!parsed.ok()) {
    status_.last_error = std::string(parsed.status().message());
    status_.last_error_at = absl::Now();
    ++status_.rejected;
    rejected_total_->Increment();
    last_success_->Set(0);
    PORTICO_LOG(kError, "config (", reason, ") rejected, keeping the last good one:\n", parsed.status().message());
    return parsed.status();
  }
  status_.version = version;
  status_.loaded_at = absl::Now();
  status_.last_error.clear();
  ++status_.accepted;
  accepted_total_->Increment();
  last_success_->Set(1);
  PORTICO_LOG(kInfo, "config (", reason, ") loaded from ", path_, ", version ", version);
  on_config_(std::move(*parsed));
  return absl::OkStatus();
}

absl::Status FileSource::watch() {
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return absl::UnavailableError("inotify is not available");
  if (inotify_add_watch(fd, dirOf(path_).c_str(),
                        IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB) < 0) {
    ::close(fd);
    return absl::UnavailableError(cat("cannot watch ", dirOf(path_)));
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  thread_ = std::thread([this, fd] { run(fd); });
  return absl::OkStatus();
}

void FileSource::run(int inotify_fd) {
  const std::string base = baseOf(path_);
  char buffer[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  while (true) {
    pollfd fds[2] = {{inotify_fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0) break;
    bool relevant = false;
    ssize_t n;
    while ((n = ::read(inotify_fd, buffer, sizeof(buffer))) > 0) {
      for (char* p = buffer; p < buffer + n;) {
        auto* event = reinterpret_cast<inotify_event*>(p);
        // The file itself, or (Kubernetes ConfigMaps) the "..data" symlink being swapped.
        const std::string name = event->len > 0 ? event->name : "";
        relevant = relevant || name == base || name == "..data";
        p += sizeof(inotify_event) + event->len;
      }
    }
    if (!relevant) continue;
    // Editors write in several steps; settle before reading.
    pollfd stop = {stop_fd_, POLLIN, 0};
    if (::poll(&stop, 1, 100) > 0) break;
    while (::read(inotify_fd, buffer, sizeof(buffer)) > 0) {
    }
    reload("file changed").IgnoreError();
  }
  ::close(inotify_fd);
}

void FileSource::stop() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)::write(stop_fd_, &one, sizeof(one));
    thread_.join();
  }
  if (stop_fd_ >= 0) {
    ::close(stop_fd_);
    stop_fd_ = -1;
  }
}

ConfigStatus FileSource::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

}  // namespace portico::cp::sources
