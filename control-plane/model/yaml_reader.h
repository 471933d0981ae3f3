#pragma once

// Typed reading of YAML with precise errors: every problem names the file, the line and the
// field path (e.g. "portico.yaml:14: routes[2].match.path_prefix: must start with \"/\"").
// Errors are collected, not thrown, so one run reports all of them.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace portico::cp::model {

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  // A path from the file, made relative to the file's own directory when it is not absolute
  // (so a config and the files it names can move together).
  std::string resolvePath(const std::string& path) const;

  // Records an error at `node`'s line.
  void error(const YAML::Node& node, std::string_view path, std::string_view message);
  // Records an error at a known line (1-based; 0: no line).
  void errorAt(int line, std::string_view path, std::string_view message);
  bool ok() const { return errors_.empty(); }
  // InvalidArgument listing every error, one per line; Ok when none.
  absl::Status status() const;

  // Requires `node` to be a map whose keys are all in `allowed`; an unknown key is an error
  // (a typo must never silently disable a setting). Returns false when node is not a map.
  bool expectMap(const YAML::Node& node, std::string_view path,
                 std::initializer_list<std::string_view> allowed);
  bool expectSequence(const YAML::Node& node, std::string_view path);

  std::optional<std::string> string(const YAML::Node& parent, std::string_view key,
                                    std::string_view path, bool required);
  std::optional<int64_t> integer(const YAML::Node& parent, std::string_view key,
                                 std::string_view path, bool required, int64_t min, int64_t max);
  std::optional<bool> boolean(const YAML::Node& parent, std::string_view key, std::string_view path);
  // A duration string with units ("250ms", "5s", "1m").
  std::optional<absl::Duration> duration(const YAML::Node& parent, std::string_view key,
                                         std::string_view path, bool required);
  // A size: an integer of bytes, or a string with KB/MB/GB (powers of 1024).
  std::optional<uint64_t> size(const YAML::Node& parent, std::string_view key, std::string_view path,
                               bool required);
  // A percentage: "50%" or 50 (0..100).
  std::optional<uint32_t> percent(const YAML::Node& parent, std::string_view key, std::string_view path);
  // A string that must be one of `allowed`.
  std::optional<std::string> oneOf(const YAML::Node& parent, std::string_view key, std::string_view path,
                                   std::initializer_list<std::string_view> allowed, bool required);
  // A mapping of string keys to string values, in file order.
  std::optional<std::vector<std::pair<std::string, std::string>>> stringMap(const YAML::Node& parent,
                                                                            std::string_view key,
                                                                            std::string_view path);
  // A string or a list of strings.
  std::optional<std::vector<std::string>> stringList(const YAML::Node& parent, std::string_view key,
                                                     std::string_view path, bool required);

  // JSON text of a YAML subtree (scalars become strings), e.g. an inline JWKS.
  static std::string toJson(const YAML::Node& node);
  static std::string join(std::string_view path, std::string_view key);
  static std::string index(std::string_view path, size_t i);

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

}  // namespace portico::cp::model
