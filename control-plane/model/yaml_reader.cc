#include "control-plane/model/yaml_reader.h"

#include <set>

#include "absl/strings/str_join.h"
#include "common/duration.h"
#include "common/strings.h"
#include "absl/strings/numbers.h"
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace portico::cp::model {

void YamlReader::error(const YAML::Node& node, std::string_view path, std::string_view message) {
  // A missing node has no position; yaml-cpp throws if asked for it.
  const YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
  std::string where = mark.line >= 0 ? cat(file_, ":", mark.line + 1) : file_;
  errors_.push_back(path.empty() ? cat(where, ": ", message) : cat(where, ": ", path, ": ", message));
}

std::string YamlReader::resolvePath(const std::string& path) const {
  if (path.empty() || path[0] == '/') return path;
  const size_t slash = file_.rfind('/');
  return slash == std::string::npos ? path : file_.substr(0, slash + 1) + path;
}

void YamlReader::errorAt(int line, std::string_view path, std::string_view message) {
  std::string where = line > 0 ? cat(file_, ":", line) : file_;
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

namespace {
boost::json::value toJsonValue(const YAML::Node& node) {
  if (node.IsMap()) {
    boost::json::object object;
    for (const auto& entry : node) object[entry.first.Scalar()] = toJsonValue(entry.second);
    return object;
  }
  if (node.IsSequence()) {
    boost::json::array array;
    for (const auto& item : node) array.push_back(toJsonValue(item));
    return array;
  }
  if (node.IsScalar()) return boost::json::string(node.Scalar());
  return nullptr;
}
}  // namespace

std::string YamlReader::toJson(const YAML::Node& node) { return boost::json::serialize(toJsonValue(node)); }

std::string YamlReader::index(std::string_view path, size_t i) { return cat(path, "[", i, "]"); }

bool YamlReader::expectMap(const YAML::Node& node, std::string_view path,
                           std::initializer_list<std::string_view> allowed) {
  if (!node.IsMap()) {
    error(node, path, "must be a mapping (key: value)");
    return false;
  }
  std::set<std::string> seen;
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    if (!seen.insert(key).second) {
      // yaml-cpp keeps only the first of repeated keys: refuse rather than ignore the second.
      error(entry.first, join(path, key), "appears more than once");
      continue;
    }
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

std::optional<bool> YamlReader::boolean(const YAML::Node& parent, std::string_view key, std::string_view path) {
  const YAML::Node node = parent[std::string(key)];
  if (!node) {
    return std::nullopt;
  }
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    error(node, join(path, key), "must be true or false");
    return std::nullopt;
  }
  return value;
}

std::optional<absl::Duration> YamlReader::duration(const YAML::Node& parent, std::string_view key,
                                                   std::string_view path, bool required) {
  auto text = string(parent, key, path, required);
  if (!text) {
    return std::nullopt;
  }
  auto parsed = parseDuration(*text);
  if (!parsed.ok()) {
    error(parent[std::string(key)], join(path, key), sv(parsed.status().message()));
    return std::nullopt;
  }
  return *parsed;
}

std::optional<uint64_t> YamlReader::size(const YAML::Node& parent, std::string_view key, std::string_view path,
                                         bool required) {
  auto text = string(parent, key, path, required);
  if (!text) {
    return std::nullopt;
  }
  std::string_view digits = *text;
  uint64_t scale = 1;
  for (const auto& [suffix, factor] : std::initializer_list<std::pair<std::string_view, uint64_t>>{
           {"KB", 1ull << 10}, {"MB", 1ull << 20}, {"GB", 1ull << 30}, {"B", 1}}) {
    if (digits.size() > suffix.size() && digits.substr(digits.size() - suffix.size()) == suffix) {
      digits.remove_suffix(suffix.size());
      scale = factor;
      break;
    }
  }
  uint64_t value = 0;
  if (!absl::SimpleAtoi(av(digits), &value) || value > (UINT64_MAX / scale)) {
    error(parent[std::string(key)], join(path, key),
          cat("\"", *text, "\" is not a size; use bytes or a number with KB, MB or GB"));
    return std::nullopt;
  }
  return value * scale;
}

std::optional<uint32_t> YamlReader::percent(const YAML::Node& parent, std::string_view key, std::string_view path) {
  auto text = string(parent, key, path, false);
  if (!text) {
    return std::nullopt;
  }
  std::string_view digits = *text;
  if (!digits.empty() && digits.back() == '%') {
    digits.remove_suffix(1);
  }
  uint32_t value = 0;
  if (!absl::SimpleAtoi(av(digits), &value) || value > 100) {
    error(parent[std::string(key)], join(path, key), cat("\"", *text, "\" is not a percentage (0%..100%)"));
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> YamlReader::oneOf(const YAML::Node& parent, std::string_view key, std::string_view path,
                                             std::initializer_list<std::string_view> allowed, bool required) {
  auto text = string(parent, key, path, required);
  if (!text) {
    return std::nullopt;
  }
  for (std::string_view a : allowed) {
    if (a == *text) {
      return text;
    }
  }
  std::vector<std::string> names(allowed.begin(), allowed.end());
  error(parent[std::string(key)], join(path, key),
        cat("\"", *text, "\" is not allowed; use one of: ", absl::StrJoin(names, ", ")));
  return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, std::string>>> YamlReader::stringMap(const YAML::Node& parent,
                                                                                      std::string_view key,
                                                                                      std::string_view path) {
  const YAML::Node node = parent[std::string(key)];
  if (!node) {
    return std::nullopt;
  }
  const std::string field = join(path, key);
  if (!node.IsMap()) {
    error(node, field, "must be a mapping of names to strings");
    return std::nullopt;
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& entry : node) {
    if (!entry.second.IsScalar()) {
      error(entry.second, join(field, entry.first.Scalar()), "must be a string");
      continue;
    }
    out.emplace_back(entry.first.Scalar(), entry.second.Scalar());
  }
  return out;
}

}  // namespace portico::cp::model
