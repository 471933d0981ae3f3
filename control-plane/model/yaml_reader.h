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

namespace portico::cp::model {

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  // Records an error at `node`'s line.
  void error(const YAML::Node& node, std::string_view path, std::string_view message);
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
  // A string or a list of strings.
  std::optional<std::vector<std::string>> stringList(const YAML::Node& parent, std::string_view key,
                                                     std::string_view path, bool required);

  static std::string join(std::string_view path, std::string_view key);
  static std::string index(std::string_view path, size_t i);

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

}  // namespace portico::cp::model
