#pragma once

// portico.yaml → validated PorticoConfig. Every error names file, line and field; nothing is
// returned unless the whole file is valid.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "control-plane/model/portico_config.h"

namespace portico::cp::model {

// Parses YAML text; `file` is used in error messages.
absl::StatusOr<PorticoConfig> parseConfig(std::string_view yaml_text, const std::string& file);
// Reads and parses a file.
absl::StatusOr<PorticoConfig> loadConfigFile(const std::string& path);

}  // namespace portico::cp::model
