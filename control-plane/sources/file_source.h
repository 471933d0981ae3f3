#pragma once

// The operator's config file as a source: loads it, re-loads it when it changes (inotify on its
// directory, so editors' rename-into-place and Kubernetes ConfigMap symlink swaps are seen) and
// on reload(), and hands every valid version to `on_config`. A file with errors changes nothing:
// the last good config keeps serving; the error is logged, counted and kept for
// GET /v1/config/status.
//
// Threading: reload() may be called from any thread; the watcher runs on its own thread;
// on_config is called from whichever thread reloaded (never concurrently).

#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "control-plane/model/portico_config.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace portico::cp::sources {

struct ConfigStatus {
  std::string source;          // the file path
  std::string version;         // content hash of the config in use
  absl::Time loaded_at = absl::InfinitePast();
  std::string last_error;      // of the most recent rejected version ("" if the last load succeeded)
  absl::Time last_error_at = absl::InfinitePast();
  uint64_t accepted = 0;
  uint64_t rejected = 0;
};

class FileSource {
 public:
  using OnConfig = std::function<void(model::PorticoConfig)>;

  FileSource(std::string path, OnConfig on_config, prometheus::Registry& metrics);
  ~FileSource();

  // Loads the file now. At start-up the caller refuses to start on an error; later a bad
  // version only records the error.
  absl::Status reload(const char* reason);
  // Starts watching the file's directory (inotify). Returns an error if inotify is unavailable.
  absl::Status watch();
  void stop();

  ConfigStatus status() const;

 private:
  void run(int inotify_fd);

  const std::string path_;
  const OnConfig on_config_;
  prometheus::Counter* accepted_total_;
  prometheus::Counter* rejected_total_;
  prometheus::Counter* unchanged_total_;
  prometheus::Gauge* last_success_;
  std::mutex reload_mu_;  // one reload at a time
  mutable std::mutex mu_;
  ConfigStatus status_ ABSL_GUARDED_BY(mu_);
  int stop_fd_ = -1;
  std::thread thread_;
};

}  // namespace portico::cp::sources
