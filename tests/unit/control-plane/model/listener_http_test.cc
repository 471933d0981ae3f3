// listeners[].http: defaults, every key, and exact errors (file, line, field).

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/control-plane/model/parser_test_util.h"

namespace portico::cp::model {
namespace {

using test::errorOf;
using test::parseOk;

std::string withHttp(const std::string& http_block) {
  return "listeners:\n"
         "  - name: public\n"
         "    port: 8080\n"
         "    http:\n" +
         http_block;
}

TEST(ListenerHttpTest, Defaults) {
  const PorticoConfig config = parseOk("listeners:\n  - { name: public, port: 8080 }\n");
  ASSERT_EQ(config.listeners.size(), 1u);
  const ListenerHttpConfig& http = config.listeners[0].http;
  EXPECT_EQ(http.max_header_count, 100u);
  EXPECT_EQ(http.max_header_size, 64u << 10);
  EXPECT_EQ(http.max_request_line, 16u << 10);
  EXPECT_EQ(http.max_body, 16u << 20);
  EXPECT_EQ(http.header_timeout, absl::Seconds(30));
  EXPECT_EQ(http.idle_timeout, absl::Seconds(60));
  EXPECT_TRUE(http.normalize_path);
  EXPECT_TRUE(http.merge_slashes);
  EXPECT_EQ(http.escaped_slashes, ListenerHttpConfig::EscapedSlashes::kKeep);
  EXPECT_EQ(http.xff_trusted_hops, 0u);
  EXPECT_EQ(http.via, "");
  EXPECT_EQ(defaultConfig().listeners[0].http.max_header_count, 100u);
}

TEST(ListenerHttpTest, EveryKey) {
  const PorticoConfig config = parseOk(withHttp(R"(      max_header_count: 50
      max_header_size: 32KB
      max_request_line: 4KB
      max_body: 0
      header_timeout: 2s
      idle_timeout: 1m
      normalize_path: false
      merge_slashes: false
      escaped_slashes: unescape
      xff_trusted_hops: 2
      via: "1.1 portico"
)"));
  ASSERT_EQ(config.listeners.size(), 1u);
  const ListenerHttpConfig& http = config.listeners[0].http;
  EXPECT_EQ(http.max_header_count, 50u);
  EXPECT_EQ(http.max_header_size, 32u << 10);
  EXPECT_EQ(http.max_request_line, 4u << 10);
  EXPECT_EQ(http.max_body, 0u);
  EXPECT_EQ(http.header_timeout, absl::Seconds(2));
  EXPECT_EQ(http.idle_timeout, absl::Minutes(1));
  EXPECT_FALSE(http.normalize_path);
  EXPECT_FALSE(http.merge_slashes);
  EXPECT_EQ(http.escaped_slashes, ListenerHttpConfig::EscapedSlashes::kUnescape);
  EXPECT_EQ(http.xff_trusted_hops, 2u);
  EXPECT_EQ(http.via, "1.1 portico");
}

TEST(ListenerHttpTest, Errors) {
  EXPECT_EQ(errorOf(withHttp("      max_header_cuont: 5\n")),
            "portico.yaml:5: listeners[0].http.max_header_cuont: unknown key; allowed here: "
            "max_header_count, max_header_size, max_request_line, max_body, header_timeout, "
            "idle_timeout, normalize_path, merge_slashes, escaped_slashes, xff_trusted_hops, via");
  EXPECT_EQ(errorOf(withHttp("      max_header_count: 0\n")),
            "portico.yaml:5: listeners[0].http.max_header_count: 0 is out of range (1..10000)");
  EXPECT_EQ(errorOf(withHttp("      max_header_size: 1000\n")),
            "portico.yaml:5: listeners[0].http.max_header_size: 1000 bytes: must be a whole "
            "number of KB from 1KB to 8192KB");
  EXPECT_EQ(errorOf(withHttp("      max_header_size: 9MB\n")),
            "portico.yaml:5: listeners[0].http.max_header_size: 9437184 bytes: must be a whole "
            "number of KB from 1KB to 8192KB");
  EXPECT_EQ(errorOf(withHttp("      max_request_line: 10\n")),
            "portico.yaml:5: listeners[0].http.max_request_line: 10 bytes: must be from 64 "
            "bytes to 1MB");
  EXPECT_EQ(errorOf(withHttp("      max_header_size: 8KB\n      max_request_line: 16KB\n")),
            "portico.yaml:6: listeners[0].http.max_request_line: 16384 bytes is more than "
            "max_header_size (8192 bytes), which includes the request line");
  EXPECT_EQ(errorOf(withHttp("      max_body: 2GB\n")),
            "portico.yaml:5: listeners[0].http.max_body: 2147483648 bytes: must be at most 1GB "
            "(request bodies are buffered whole)");
  EXPECT_EQ(errorOf(withHttp("      max_body: lots\n")),
            "portico.yaml:5: listeners[0].http.max_body: \"lots\" is not a size; use bytes or a "
            "number with KB, MB or GB");
  EXPECT_EQ(errorOf(withHttp("      header_timeout: 0s\n")),
            "portico.yaml:5: listeners[0].http.header_timeout: must be more than 0s and at most 1h");
  EXPECT_EQ(errorOf(withHttp("      idle_timeout: 2d\n")).substr(0, 48),
            "portico.yaml:5: listeners[0].http.idle_timeout: ");
  EXPECT_EQ(errorOf(withHttp("      normalize_path: maybe\n")),
            "portico.yaml:5: listeners[0].http.normalize_path: must be true or false");
  EXPECT_EQ(errorOf(withHttp("      escaped_slashes: redirect\n")),
            "portico.yaml:5: listeners[0].http.escaped_slashes: \"redirect\" is not allowed; use "
            "one of: keep, reject, unescape");
  EXPECT_EQ(errorOf(withHttp("      xff_trusted_hops: -1\n")),
            "portico.yaml:5: listeners[0].http.xff_trusted_hops: -1 is out of range (0..32)");
  EXPECT_EQ(errorOf(withHttp("      via: \" portico\"\n")),
            "portico.yaml:5: listeners[0].http.via: must be at most 256 visible ASCII characters "
            "(inner spaces allowed), e.g. \"1.1 portico\"");
  EXPECT_EQ(errorOf("listeners:\n  - { name: public, port: 8080, http: [] }\n"),
            "portico.yaml:2: listeners[0].http: must be a mapping (key: value)");
}

TEST(ListenerHttpTest, AllErrorsOfTheBlockAreReported) {
  const std::string error =
      errorOf(withHttp("      max_header_count: 0\n      via: \"\\t\"\n      merge_slashes: 3\n"));
  EXPECT_NE(error.find("portico.yaml:5: listeners[0].http.max_header_count"), std::string::npos);
  EXPECT_NE(error.find("portico.yaml:6: listeners[0].http.via"), std::string::npos);
  EXPECT_NE(error.find("portico.yaml:7: listeners[0].http.merge_slashes"), std::string::npos);
}

}  // namespace
}  // namespace portico::cp::model
