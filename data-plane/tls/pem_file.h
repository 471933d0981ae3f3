#pragma once

// Reading a PEM source, and the identity of a file's current contents as stat() sees it. A
// certificate file counts as changed when its device, inode, size, modification time or change
// time differ: that covers rewriting in place, an atomic rename over it, and the symlink swap a
// Kubernetes Secret volume does (stat follows links). No inotify: a poll is enough for files
// that change a few times a year, and it works on every filesystem.
//
// Threading: any thread.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data-plane/tls/tls_settings.h"

namespace portico::dp::tls {

struct FileStamp {
  std::string path;
  int error = 0;  // errno of a failed stat(); the other fields are then zero
  dev_t device = 0;
  ino_t inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;

  bool operator==(const FileStamp& other) const = default;
};

FileStamp stampFile(const std::string& path);
std::vector<FileStamp> stampFiles(const std::vector<std::string>& paths);

// The PEM text of `source`: the file's contents, or the inline text. Errors say which file and
// why ("cannot read /a.crt: No such file or directory"); files over 1 MiB are refused.
absl::StatusOr<std::string> readPem(const PemSource& source);

}  // namespace portico::dp::tls
