#pragma once

// One parser per plugin's `config` block (plugin_config_auth.cc, plugin_config_traffic.cc).

#include <string>

#include "control-plane/model/plugin_config.h"
#include "control-plane/model/yaml_reader.h"

namespace portico::cp::model::internal {

JwtConfig parseJwt(YamlReader& r, const YAML::Node& node, const std::string& path);
KeyAuthConfig parseKeyAuth(YamlReader& r, const YAML::Node& node, const std::string& path);
AuthorizeConfig parseAuthorize(YamlReader& r, const YAML::Node& node, const std::string& path);
ExtAuthConfig parseExtAuth(YamlReader& r, const YAML::Node& node, const std::string& path);
RateLimitConfig parseRateLimit(YamlReader& r, const YAML::Node& node, const std::string& path);
QuotaConfig parseQuota(YamlReader& r, const YAML::Node& node, const std::string& path);
RequestSizeLimitConfig parseRequestSizeLimit(YamlReader& r, const YAML::Node& node, const std::string& path);
CacheConfig parseCache(YamlReader& r, const YAML::Node& node, const std::string& path);
CorsConfig parseCors(YamlReader& r, const YAML::Node& node, const std::string& path);
HeadersConfig parseHeaders(YamlReader& r, const YAML::Node& node, const std::string& path);
GrpcTranscodeConfig parseGrpcTranscode(YamlReader& r, const YAML::Node& node, const std::string& path);

}  // namespace portico::cp::model::internal
