#pragma once

// Helpers shared by the portico.yaml parser tests.

#include <gtest/gtest.h>

#include <exception>
#include <string>

#include "control-plane/model/config_parser.h"

namespace portico::cp::model::test {

inline constexpr char kFile[] = "portico.yaml";

// The InvalidArgument message for `yaml`, or "" when it parses (a test failure). An exception
// escaping the parser is a failure too, returned as "exception: <what>" so the expectation that
// follows shows it.
inline std::string errorOf(const std::string& yaml) {
  try {
    auto parsed = parseConfig(yaml, kFile);
    EXPECT_FALSE(parsed.ok()) << "parsed without error:\n" << yaml;
    if (parsed.ok()) return "";
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(parsed.status().message());
  } catch (const std::exception& e) {
    ADD_FAILURE() << "parseConfig threw: " << e.what();
    return std::string("exception: ") + e.what();
  }
}

// Parses `yaml`, which must be valid; on error, the test fails and an empty config is returned.
inline PorticoConfig parseOk(const std::string& yaml) {
  try {
    auto parsed = parseConfig(yaml, kFile);
    EXPECT_TRUE(parsed.ok()) << parsed.status() << "\nin:\n" << yaml;
    if (!parsed.ok()) return PorticoConfig{};
    return *std::move(parsed);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "parseConfig threw: " << e.what();
    return PorticoConfig{};
  }
}

}  // namespace portico::cp::model::test
