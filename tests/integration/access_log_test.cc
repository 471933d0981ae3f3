// End to end: portico.yaml's request_id and access_log, translated by portico-cp into the
// HttpConnectionManager and honoured by portico-proxy:
// - request_id.header = x-trace-id: a valid incoming id is kept, anything else is replaced by a
//   generated UUID; the upstream sees it in x-trace-id; responses carry it when response: true
//   and not when response: false (hot reload); x-request-id is now an ordinary header.
// - access_log.path = a temp file: every request (proxied, local 404, direct response) becomes
//   one parseable JSON line with the documented keys, written within a bounded wait.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/http/http_client.h"
#include "common/strings.h"
#include "tests/support/gateway_suite.h"
#include "tests/support/test_env.h"

namespace portico::testing {
namespace {

namespace json = boost::json;

std::string configYaml(uint16_t port, const std::string& log_path, bool echo_id) {
  return cat("version: 1\n",
             "request_id: { header: X-Trace-Id, response: ", echo_id ? "true" : "false", " }\n",
             "access_log: { format: json, path: ", log_path, " }\n", "listeners:\n",
             "  - { name: public, address: 127.0.0.1, port: ", port, " }\n", "routes:\n",
             "  - name: echo\n", "    match: { path_prefix: /echo }\n", "    service: echo\n",
             "  - name: health\n", "    match: { path: /health }\n",
             "    direct_response: { status: 200, body: ok }\n");
}

class AccessLogTest : public GatewaySuite<AccessLogTest> {
 protected:
  static void SetUpTestSuite() {
    log_path_ = cat(makeTempDir("access-log"), "/access.log");
    startGateway({.ready_path = "/echo/ready"},
                 [](uint16_t port) { return configYaml(port, log_path_, /*echo_id=*/true); });
  }

  void TearDown() override {
    GatewaySuite::TearDown();
    if (HasFailure()) {
      const std::string log = readLog();
      std::cerr << "--- access log tail:\n" << log.substr(log.size() > 3000 ? log.size() - 3000 : 0) << "\n";
    }
  }

  static http::ClientResponse send(const std::string& method, const std::string& target,
                                   http::HeaderList headers = {}) {
    return gateway().fetch({method, target, "", std::move(headers)});
  }

  static std::string header(const http::ClientResponse& response, const std::string& name) {
    return GatewayFixture::header(response, name);
  }

  // The headers the echo backend received.
  static std::map<std::string, std::string> upstreamHeaders(const http::ClientResponse& response) {
    std::map<std::string, std::string> out;
    boost::system::error_code ec;
    json::value parsed = json::parse(response.body, ec);
    if (ec || !parsed.is_object() || !parsed.as_object().contains("headers")) return out;
    for (const auto& [name, value] : parsed.at("headers").as_object()) {
      out[std::string(name)] = std::string(value.as_string());
    }
    return out;
  }

  static std::string readLog() {
    std::ifstream in(log_path_);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

  // Every line of the access log, each of which must be a JSON object.
  static std::vector<json::object> logLines() {
    std::vector<json::object> out;
    std::istringstream in(readLog());
    for (std::string line; std::getline(in, line);) {
      boost::system::error_code ec;
      json::value parsed = json::parse(line, ec);
      EXPECT_FALSE(ec) << "not JSON: " << line;
      EXPECT_TRUE(!ec && parsed.is_object()) << line;
      if (!ec && parsed.is_object()) out.push_back(parsed.as_object());
    }
    return out;
  }

  // The line whose request_id is `id`, waiting for the proxy's flush (every ~100 ms).
  static std::optional<json::object> lineFor(const std::string& id) {
    std::optional<json::object> found;
    waitUntil(
        [&] {
          for (json::object& line : logLines()) {
            const json::value* value = line.if_contains("request_id");
            if (value != nullptr && value->is_string() && value->as_string() == id) {
              found = std::move(line);
              return true;
            }
          }
          return false;
        },
        absl::Seconds(5), absl::Milliseconds(50));
    return found;
  }

  static inline std::string log_path_;
};

TEST_F(AccessLogTest, CustomHeaderKeptWhenValidAndEchoed) {
  auto response =
      send("GET", "/echo/kept", {{"X-Trace-Id", "trace-abc.123"}, {"X-Request-Id", "other"}});
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(header(response, "x-trace-id"), "trace-abc.123");
  const auto upstream = upstreamHeaders(response);
  EXPECT_EQ(upstream.at("x-trace-id"), "trace-abc.123");
  EXPECT_EQ(upstream.at("x-request-id"), "other") << "x-request-id is an ordinary header now";
  EXPECT_EQ(header(response, "x-request-id"), "<absent>");
}

TEST_F(AccessLogTest, CustomHeaderGeneratedWhenMissingOrInvalid) {
  for (const http::HeaderList& headers :
       {http::HeaderList{}, http::HeaderList{{"x-trace-id", "bad id with spaces"}}}) {
    auto response = send("GET", "/echo/generated", headers);
    ASSERT_EQ(response.status, 200);
    const std::string generated = header(response, "x-trace-id");
    ASSERT_EQ(generated.size(), 36u) << generated;
    EXPECT_EQ(generated[14], '4');  // UUID v4
    EXPECT_EQ(upstreamHeaders(response).at("x-trace-id"), generated);
  }
  // Local replies carry it too.
  auto not_found = send("GET", "/nowhere");
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(header(not_found, "x-trace-id").size(), 36u);
}

TEST_F(AccessLogTest, EveryRequestBecomesOneJsonLine) {
  auto proxied = send("POST", "/echo/log?x=1", {{"x-trace-id", "log-proxied"}});
  ASSERT_EQ(proxied.status, 200);
  auto missing = send("GET", "/nowhere/log", {{"x-trace-id", "log-404"}});
  ASSERT_EQ(missing.status, 404);
  auto direct = send("GET", "/health", {{"x-trace-id", "log-direct"}});
  ASSERT_EQ(direct.status, 200);

  std::optional<json::object> line = lineFor("log-proxied");
  ASSERT_TRUE(line.has_value()) << "no line for log-proxied within 5 s";
  EXPECT_EQ(line->at("method").as_string(), "POST");
  EXPECT_EQ(line->at("path").as_string(), "/echo/log?x=1");
  EXPECT_EQ(line->at("status").as_int64(), 200);
  EXPECT_EQ(line->at("route").as_string(), "echo");
  EXPECT_EQ(line->at("upstream").as_string(), cat("127.0.0.1:", gateway().backend().port()));
  EXPECT_EQ(line->at("client_ip").as_string(), "127.0.0.1");
  EXPECT_EQ(line->at("bytes_sent").as_int64(), static_cast<int64_t>(proxied.body.size()));
  EXPECT_GE(line->at("duration_ms").as_int64(), 0);
  const std::string time(line->at("time").as_string());
  EXPECT_EQ(time.size(), 24u) << time;  // 2024-05-01T12:00:00.123Z
  EXPECT_EQ(time.back(), 'Z');
  EXPECT_EQ(line->size(), 10u) << "exactly the documented keys";

  line = lineFor("log-404");
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->at("status").as_int64(), 404);
  EXPECT_EQ(line->at("path").as_string(), "/nowhere/log");
  EXPECT_TRUE(line->at("route").is_null());
  EXPECT_TRUE(line->at("upstream").is_null());

  line = lineFor("log-direct");
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->at("route").as_string(), "health");
  EXPECT_EQ(line->at("bytes_sent").as_int64(), 2);
  EXPECT_TRUE(line->at("upstream").is_null());
}

// Both config dumps show the new HCM fields (their Any payloads resolve to known types).
TEST_F(AccessLogTest, ConfigDumpsShowTheHcmFields) {
  auto proxy_dump = gateway().proxy().admin("/config_dump");
  ASSERT_TRUE(proxy_dump.ok());
  ASSERT_EQ(proxy_dump->status, 200);
  auto cp_dump = gateway().cp().get("/v1/config_dump");
  ASSERT_TRUE(cp_dump.ok());
  ASSERT_EQ(cp_dump->status, 200);
  for (const std::string* body : {&proxy_dump->body, &cp_dump->body}) {
    EXPECT_NE(body->find("envoy.access_loggers.file"), std::string::npos);
    EXPECT_NE(body->find("%REQ(X-TRACE-ID)%"), std::string::npos);
    EXPECT_NE(body->find("portico.config.request_id.v1.RequestId"), std::string::npos);
    EXPECT_NE(body->find(log_path_), std::string::npos);
  }
}

TEST_F(AccessLogTest, GeneratedIdsAreLoggedAndLinesStayWhole) {
  // Requests spread over both workers; every line must stay a whole JSON object.
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    auto response = send("GET", cat("/echo/burst/", i, "?q=", std::string(i * 20, 'z')));
    ASSERT_EQ(response.status, 200);
    ids.push_back(header(response, "x-trace-id"));
  }
  for (const std::string& id : ids) {
    std::optional<json::object> line = lineFor(id);
    ASSERT_TRUE(line.has_value()) << id;
    EXPECT_EQ(line->at("method").as_string(), "GET");
  }
}

// Runs last among the tests: it reloads the config with response: false, then restores it.
TEST_F(AccessLogTest, ZzNotEchoedWhenResponseIsFalse) {
  gateway().cp().reloadConfig(configYaml(gateway().port(), log_path_, /*echo_id=*/false));
  ASSERT_TRUE(
      waitUntil([] { return header(send("GET", "/echo/wait"), "x-trace-id") == "<absent>"; },
                absl::Seconds(15), absl::Milliseconds(100)))
      << "responses still echo x-trace-id after the reload";
  auto response = send("GET", "/echo/quiet", {{"x-trace-id", "quiet-1"}});
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(header(response, "x-trace-id"), "<absent>");
  EXPECT_EQ(upstreamHeaders(response).at("x-trace-id"), "quiet-1") << "the upstream still gets it";
  auto local = send("GET", "/nowhere");
  EXPECT_EQ(local.status, 404);
  EXPECT_EQ(header(local, "x-trace-id"), "<absent>");
  auto generated = send("GET", "/echo/quiet");
  EXPECT_EQ(upstreamHeaders(generated).at("x-trace-id").size(), 36u) << "still generated";
  EXPECT_TRUE(lineFor("quiet-1").has_value()) << "still logged";

  gateway().cp().reloadConfig(configYaml(gateway().port(), log_path_, /*echo_id=*/true));
  EXPECT_TRUE(
      waitUntil([] { return header(send("GET", "/echo/wait"), "x-trace-id") != "<absent>"; },
                absl::Seconds(15), absl::Milliseconds(100)));
}

}  // namespace
}  // namespace portico::testing
