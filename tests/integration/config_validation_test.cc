// A bad portico.yaml is refused at start-up: portico-cp exits non-zero with the file:line error
// in its log, and `porticoctl validate` prints the same error and exits 1. The shipped examples
// validate (exit 0).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"
#include "tests/support/tool_run.h"

namespace portico::testing {
namespace {

using ::testing::HasSubstr;

struct BadFile {
  std::string name;
  std::string yaml;
  int line;              // where the error is
  std::string expected;  // the message after "FILE:LINE: "
};

void PrintTo(const BadFile& bad, std::ostream* os) { *os << bad.name; }

// Each file has exactly one error.
std::vector<BadFile> badFiles() {
  return {
      {"unknown-top-level-key",
       "version: 1\n"
       "listners:\n"
       "  - { name: public, port: 8080 }\n",
       2, "listners: unknown key; allowed here: version"},
      {"port-out-of-range",
       "version: 1\n"
       "listeners:\n"
       "  - name: public\n"
       "    port: 70000\n",
       4, "listeners[0].port: 70000 is out of range (1..65535)"},
      {"prefix-without-slash",
       "version: 1\n"
       "listeners:\n"
       "  - { name: public, port: 8080 }\n"
       "routes:\n"
       "  - name: users\n"
       "    match: { path_prefix: api }\n"
       "    service: users\n",
       6, "routes[0].match.path_prefix: \"api\" must start with \"/\""},
      {"plugin-names-missing-route",
       "version: 1\n"
       "listeners:\n"
       "  - { name: public, port: 8080 }\n"
       "routes:\n"
       "  - { name: products, match: { path_prefix: /p }, service: products }\n"
       "plugins:\n"
       "  - name: rate-limit\n"
       "    route: prodcts\n"
       "    config: { limit: 10 }\n",
       7, "plugin \"rate-limit\": no route named \"prodcts\""},
      {"typo-in-plugin-config",
       "version: 1\n"
       "listeners:\n"
       "  - { name: public, port: 8080 }\n"
       "plugins:\n"
       "  - name: rate-limit\n"
       "    config: { limit: 10, limt: 10 }\n",
       6, "plugins[0].config.limt: unknown key; allowed here: limit"},
      {"http-block-unknown-key",
       "version: 1\n"
       "listeners:\n"
       "  - name: public\n"
       "    port: 8080\n"
       "    http:\n"
       "      max_headers: 50\n",
       6, "listeners[0].http.max_headers: unknown key; allowed here: max_header_count"},
      {"http-block-header-size-not-whole-kb",
       "version: 1\n"
       "listeners:\n"
       "  - name: public\n"
       "    port: 8080\n"
       "    http: { max_header_count: 50 }\n"
       "  - name: internal\n"
       "    port: 8081\n"
       "    http:\n"
       "      max_header_size: 1000\n",
       9, "listeners[1].http.max_header_size: 1000 bytes: must be a whole number of KB from 1KB to 8192KB"},
      {"http-block-bad-escaped-slashes",
       "version: 1\n"
       "listeners:\n"
       "  - name: public\n"
       "    port: 8080\n"
       "    http: { escaped_slashes: drop }\n",
       5, "listeners[0].http.escaped_slashes: \"drop\" is not allowed; use one of: keep, reject, unescape"},
      {"secret-from-unset-env",
       "version: 1\n"
       "listeners:\n"
       "  - { name: public, port: 8080 }\n"
       "plugins:\n"
       "  - name: jwt\n"
       "    config:\n"
       "      providers:\n"
       "        - name: internal\n"
       "          issuer: internal\n"
       "          secret: { env: PORTICO_TEST_UNSET_SECRET }\n",
       10,
       "plugins[0].config.providers[0].secret: environment variable PORTICO_TEST_UNSET_SECRET is "
       "not set"},
  };
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}


class ConfigValidationTest : public ::testing::TestWithParam<BadFile> {
 protected:
  static std::string writeBadFile(const BadFile& bad) {
    const std::string path = cat(makeTempDir("bad-config"), "/", bad.name, ".yaml");
    writeFile(path, bad.yaml);
    return path;
  }
};

TEST_P(ConfigValidationTest, ControlPlaneRefusesToStart) {
  const BadFile& bad = GetParam();
  const std::string path = writeBadFile(bad);
  const std::string log = cat(path, ".cp.log");
  auto process = Process::start(
      binaryPath("portico-cp"),
      {"--config=" + path, "--xds_address=127.0.0.1", cat("--xds_port=", pickFreePort()),
       "--admin_address=127.0.0.1", cat("--admin_port=", pickFreePort())},
      log);
  ASSERT_TRUE(process.ok()) << process.status();
  const bool exited = waitUntil([&] { return !(*process)->running(); }, absl::Seconds(15));
  ASSERT_TRUE(exited) << "portico-cp kept running with a bad config; log:\n"
                      << (*process)->logTail();
  const int status = (*process)->stop();
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_THAT(readFile(log), HasSubstr(cat(path, ":", bad.line, ": ", bad.expected)));
}

TEST_P(ConfigValidationTest, PorticoctlValidateGivesTheSameError) {
  const BadFile& bad = GetParam();
  const std::string path = writeBadFile(bad);
  const ToolRun ctl = runTool(binaryPath("porticoctl"), {"validate", path});
  EXPECT_EQ(ctl.exit_code, 1) << ctl.out << ctl.err;
  EXPECT_THAT(ctl.err, HasSubstr(cat(path, ":", bad.line, ": ", bad.expected)));
  // Exactly one error per file, and the control plane logs the very same line.
  std::vector<std::string> errors;
  for (absl::string_view line : absl::StrSplit(ctl.err, '\n')) {
    if (absl::StartsWith(line, cat(path, ":"))) errors.emplace_back(line);
  }
  ASSERT_EQ(errors.size(), 1u) << ctl.err;
  const std::string log = cat(path, ".cp.log");
  auto process = Process::start(
      binaryPath("portico-cp"),
      {"--config=" + path, "--xds_address=127.0.0.1", cat("--xds_port=", pickFreePort()),
       "--admin_address=127.0.0.1", cat("--admin_port=", pickFreePort())},
      log);
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE(waitUntil([&] { return !(*process)->running(); }, absl::Seconds(15)));
  EXPECT_THAT(readFile(log), HasSubstr(errors[0]));
}

INSTANTIATE_TEST_SUITE_P(BadFiles, ConfigValidationTest, ::testing::ValuesIn(badFiles()),
                         [](const ::testing::TestParamInfo<BadFile>& info) {
                           std::string name = info.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(ConfigValidationExamplesTest, ShippedExamplesValidate) {
  ::setenv("JWT_SECRET", "example-secret-for-validation", 1);
  const ToolRun full =
      runTool(binaryPath("porticoctl"), {"validate", sourcePath("examples/full.yaml")});
  ::unsetenv("JWT_SECRET");
  EXPECT_EQ(full.exit_code, 0) << full.out << full.err;
  EXPECT_THAT(full.out, HasSubstr("valid"));
  const ToolRun quickstart =
      runTool(binaryPath("porticoctl"), {"validate", sourcePath("examples/quickstart.yaml")});
  EXPECT_EQ(quickstart.exit_code, 0) << quickstart.out << quickstart.err;
}

TEST(ConfigValidationExamplesTest, FullExampleWithoutItsSecretIsRefused) {
  ::unsetenv("JWT_SECRET");
  const ToolRun full =
      runTool(binaryPath("porticoctl"), {"validate", sourcePath("examples/full.yaml")});
  EXPECT_EQ(full.exit_code, 1) << full.out << full.err;
  EXPECT_THAT(full.err, HasSubstr("JWT_SECRET"));
}

}  // namespace
}  // namespace portico::testing
