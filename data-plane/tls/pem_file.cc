#include "data-plane/tls/pem_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace portico::dp::tls {

namespace {
// A certificate bundle is a few KiB; a CA bundle can be a few hundred. Anything larger is not
// what the operator meant to point at.
constexpr int64_t kMaxPemBytes = 1 << 20;
}  // namespace

FileStamp stampFile(const std::string& path) {
  FileStamp stamp;
  stamp.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    stamp.error = errno;
    return stamp;
  }
  stamp.device = st.st_dev;
  stamp.inode = st.st_ino;
  stamp.size = st.st_size;
  stamp.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  stamp.ctime_ns = int64_t{st.st_ctim.tv_sec} * 1'000'000'000 + st.st_ctim.tv_nsec;
  return stamp;
}

std::vector<FileStamp> stampFiles(const std::vector<std::string>& paths) {
  std::vector<FileStamp> out;
  out.reserve(paths.size());
  for (const std::string& path : paths) out.push_back(stampFile(path));
  return out;
}

absl::StatusOr<std::string> readPem(const PemSource& source) {
  if (source.filename.empty()) return source.inline_pem;
  const FileStamp stamp = stampFile(source.filename);
  if (stamp.error != 0) {
    return absl::InvalidArgumentError(
        cat("cannot read ", source.filename, ": ", strerror(stamp.error)));
  }
  if (stamp.size > kMaxPemBytes) {
    return absl::InvalidArgumentError(
        cat(source.filename, ": ", stamp.size, " bytes is too large for a PEM file (1 MiB at most)"));
  }
  std::ifstream in(source.filename, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        cat("cannot read ", source.filename, ": ", strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(cat("cannot read ", source.filename));
  }
  return contents.str();
}

}  // namespace portico::dp::tls
