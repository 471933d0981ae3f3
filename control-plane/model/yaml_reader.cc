#include "control-plane/model/yaml_reader.h"

#include "absl/strings/str_join.h"
#include "common/strings.h"

namespace portico::cp::model {

void YamlReader::error(const YAML::Node& node, std::string_view path, std::string_view message) {
  // A missing node has no position; yaml-cpp throws if asked for it.
  const YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
  std::string where = mark.line >= 0 ? cat(file_, ":", mark.line + 1) : file_;
  errors_.push_back(path.empty() ? cat(where, ": ", message) : cat(where, ": ", path, ": ", message));
}

absl::Status YamlReader::status() const {
  if (errors_.empty()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrJoin(errors_, "\n"));
}

std::string YamlReader::join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : cat(path, ".", key);
}

std::string YamlReader::index(std::string_view path, size_t i) { return cat(path, "[", i, "]"); }

bool YamlReader::expectMap(const YAML::Node& node, std::string_view path,
                           std::initializer_list<std::string_view> allowed) {
  if (!node.IsMap()) {
    error(node, path, "must be a mapping (key: value)");
    return false;
  }
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    bool known = false;
    for (std::string_view a : allowed) {
      known = known || a == key;
    }
    if (!known) {
      std::vector<std::string> names(allowed.begin(), allowed.end());
      error(entry.first, join(path, key),
            cat("unknown key; allowed here: ", absl::StrJoin(names, ", ")));
    }
  }
  return true;
}

bool YamlReader::expectSequence(const YAML::Node& node, std::string_view path) {
  if (!node.IsSequence()) {
    error(node, path, "must be a list");
    return false;
  }
  return true;
}

std::optional<std::string> YamlReader::string(const YAML::Node& parent, std::string_view key,
                                              std::string_view path, bool required) {
  const YAML::Node node = parent[std::string(key)];
  const std::string field = join(path, key);
  if (!node) {
    if (required) {
      error(parent, field, "required");
    }
    return std::nullopt;
  }
  if (!node.IsScalar()) {
    error(node, field, "must be a string");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<int64_t> YamlReader::integer(const YAML::Node& parent, std::string_view key,
                                           std::string_view path, bool required, int64_t min,
                                           int64_t max) {
  const YAML::Node node = parent[std::string(key)];
  const std::string field = join(path, key);
  if (!node) {
    if (required) {
      error(parent, field, "required");
    }
    return std::nullopt;
  }
  int64_t value = 0;
  if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, value)) {
    error(node, field, cat("must be an integer in ", min, "..", max));
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(node, field, cat(value, " is out of range (", min, "..", max, ")"));
    return std::nullopt;
  }
  return value;
}

std::optional<std::vector<std::string>> YamlReader::stringList(const YAML::Node& parent,
                                                               std::string_view key,
                                                               std::string_view path, bool required) {
  const YAML::Node node = parent[std::string(key)];
  const std::string field = join(path, key);
  if (!node) {
    if (required) {
      error(parent, field, "required");
    }
    return std::nullopt;
  }
  if (node.IsScalar()) {
    return std::vector<std::string>{node.Scalar()};
  }
  if (!node.IsSequence()) {
    error(node, field, "must be a string or a list of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < node.size(); ++i) {
    if (!node[i].IsScalar()) {
      error(node[i], index(field, i), "must be a string");
      continue;
    }
    out.push_back(node[i].Scalar());
  }
  return out;
}

}  // namespace portico::cp::model
