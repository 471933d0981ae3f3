// The control plane's REST registry, end to end: a real portico-cp on loopback, driven over
// HTTP. Bad input gets 400 with {"error", "message"} and changes nothing; leases expire.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "common/strings.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/test_env.h"

namespace portico {
namespace {

namespace json = boost::json;
using testing::ControlPlaneProcess;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class CpRestRegistryTest : public ::testing::Test {
 protected:
  // One control plane for the suite; every test uses its own service names.
  static void SetUpTestSuite() {
    auto started = ControlPlaneProcess::start(ControlPlaneProcess::Options{});
    ASSERT_TRUE(started.ok()) << started.status();
    cp_ = std::move(*started).release();
  }
  static void TearDownTestSuite() {
    if (cp_ != nullptr) {
      cp_->stop();
      delete cp_;
      cp_ = nullptr;
    }
  }
  void SetUp() override { ASSERT_NE(cp_, nullptr) << "portico-cp did not start"; }
  void TearDown() override {
    if (HasFailure() && cp_ != nullptr) {
      std::cerr << "portico-cp log tail:\n" << cp_->process().logTail() << "\n";
    }
  }

  static http::ClientResponse call(const std::string& method, const std::string& target,
                                   const std::string& body = "") {
    auto response = cp_->request(method, target, body);
    EXPECT_TRUE(response.ok()) << method << " " << target << ": " << response.status();
    return response.ok() ? *response : http::ClientResponse{};
  }

  // Parses a JSON body; a body that is not JSON fails the test.
  static json::value parse(const http::ClientResponse& response) {
    json::error_code ec;
    json::value value = json::parse(response.body, ec);
    EXPECT_FALSE(ec) << "not JSON: " << response.body;
    return value;
  }

  // Asserts a JSON error answer and returns its message.
  static std::string expectJsonError(const http::ClientResponse& response, int status,
                                     const std::string& code) {
    EXPECT_EQ(response.status, status) << response.body;
    const std::string* type = response.header("content-type");
    EXPECT_TRUE(type != nullptr && *type == "application/json")
        << (type ? *type : "no content-type");
    json::value body = parse(response);
    if (!body.is_object() || !body.as_object().contains("error") ||
        !body.as_object().contains("message")) {
      ADD_FAILURE() << "not an error body: " << response.body;
      return "";
    }
    EXPECT_EQ(body.at("error").as_string(), code) << response.body;
    return std::string(body.at("message").as_string());
  }

  static std::string instancePath(const std::string& service, const std::string& id) {
    return cat("/v1/services/", service, "/instances/", id);
  }

  static ControlPlaneProcess* cp_;
};

ControlPlaneProcess* CpRestRegistryTest::cp_ = nullptr;

TEST_F(CpRestRegistryTest, BadRegistrationsAre400AndChangeNothing) {
  ASSERT_EQ(
      call("PUT", instancePath("bad-reg", "keep"), R"({"address":"127.0.0.1","port":9000})").status,
      201);
  const std::string services_before = call("GET", "/v1/services").body;
  const std::string instances_before = call("GET", "/v1/services/bad-reg").body;

  struct Case {
    std::string id;
    std::string body;
    std::string message_prefix;
  };
  const std::vector<Case> cases = {
      {"port0", R"({"address":"127.0.0.1","port":0})", "port: 0 is out of range (1..65535)"},
      {"port70000", R"({"address":"127.0.0.1","port":70000})", "port: 70000 is out of range"},
      {"noaddr", R"({"address":"","port":9000})", "address: required (an IPv4 or IPv6 literal)"},
      {"badjson", R"({"address":"127.0.0.1","port":)", "body: not valid JSON ("},
      {"unknown", R"({"address":"127.0.0.1","port":9000,"hostname":"x"})",
       "hostname: unknown field; allowed: address, port, weight, zone, metadata, ttl_seconds"},
      {"portstr", R"({"address":"127.0.0.1","port":"9000"})", "port: must be an integer"},
      {"hostname", R"({"address":"localhost","port":9000})",
       "address: \"localhost\" is not an IPv4 or IPv6 literal"},
      {"notobject", R"([1,2,3])", "body: must be a JSON object"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id);
    const std::string message = expectJsonError(call("PUT", instancePath("bad-reg", c.id), c.body),
                                                400, "invalid_argument");
    EXPECT_THAT(message, StartsWith(c.message_prefix));
  }
  // Replacing the existing instance with a bad body leaves it as it was.
  expectJsonError(
      call("PUT", instancePath("bad-reg", "keep"), R"({"address":"127.0.0.1","port":0})"), 400,
      "invalid_argument");

  EXPECT_EQ(call("GET", "/v1/services").body, services_before);
  EXPECT_EQ(call("GET", "/v1/services/bad-reg").body, instances_before);
  EXPECT_EQ(call("DELETE", instancePath("bad-reg", "keep")).status, 200);
}

TEST_F(CpRestRegistryTest, PutCreatesThenReplaces) {
  http::ClientResponse created = call("PUT", instancePath("put-svc", "p-1"),
                                      R"({"address":"127.0.0.1","port":9001,"weight":3})");
  ASSERT_EQ(created.status, 201) << created.body;
  json::value body = parse(created);
  EXPECT_TRUE(body.at("created").as_bool());
  EXPECT_EQ(body.at("instance").at("service").as_string(), "put-svc");
  EXPECT_EQ(body.at("instance").at("id").as_string(), "p-1");
  EXPECT_EQ(body.at("instance").at("port").to_number<int64_t>(), 9001);
  EXPECT_EQ(body.at("instance").at("weight").to_number<int64_t>(), 3);
  EXPECT_EQ(body.at("instance").at("ttl_seconds").to_number<int64_t>(), 30);

  http::ClientResponse replaced =
      call("PUT", instancePath("put-svc", "p-1"), R"({"address":"127.0.0.2","port":9002})");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_FALSE(parse(replaced).at("created").as_bool());

  json::value listed = parse(call("GET", "/v1/services/put-svc"));
  ASSERT_EQ(listed.at("instances").as_array().size(), 1u);
  EXPECT_EQ(listed.at("instances").at(0).at("address").as_string(), "127.0.0.2");
  EXPECT_EQ(listed.at("instances").at(0).at("port").to_number<int64_t>(), 9002);
  EXPECT_EQ(listed.at("instances").at(0).at("weight").to_number<int64_t>(), 1);

  EXPECT_EQ(call("DELETE", instancePath("put-svc", "p-1")).status, 200);
}

TEST_F(CpRestRegistryTest, HeartbeatOfUnknownIs404Json) {
  const std::string message = expectJsonError(
      call("POST", instancePath("hb-svc", "ghost") + "/heartbeat"), 404, "not_found");
  EXPECT_EQ(
      message,
      "instance \"ghost\" of service \"hb-svc\" is not registered (expired or never registered); "
      "register it again");
}

TEST_F(CpRestRegistryTest, HeartbeatOfKnownRenews) {
  ASSERT_EQ(
      call("PUT", instancePath("hb-ok", "h-1"), R"({"address":"127.0.0.1","port":9003})").status,
      201);
  http::ClientResponse beat = call("POST", instancePath("hb-ok", "h-1") + "/heartbeat");
  EXPECT_EQ(beat.status, 200) << beat.body;
  EXPECT_EQ(parse(beat).at("instance").at("id").as_string(), "h-1");
  EXPECT_EQ(call("DELETE", instancePath("hb-ok", "h-1")).status, 200);
}

TEST_F(CpRestRegistryTest, DeleteRemovesTheInstance) {
  ASSERT_EQ(
      call("PUT", instancePath("del-svc", "d-1"), R"({"address":"127.0.0.1","port":9004})").status,
      201);
  ASSERT_EQ(
      call("PUT", instancePath("del-svc", "d-2"), R"({"address":"127.0.0.1","port":9005})").status,
      201);

  http::ClientResponse deleted = call("DELETE", instancePath("del-svc", "d-1"));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  json::value body = parse(deleted);
  EXPECT_TRUE(body.at("deleted").as_bool());
  EXPECT_EQ(body.at("service").as_string(), "del-svc");
  EXPECT_EQ(body.at("id").as_string(), "d-1");

  json::value listed = parse(call("GET", "/v1/services/del-svc"));
  ASSERT_EQ(listed.at("instances").as_array().size(), 1u);
  EXPECT_EQ(listed.at("instances").at(0).at("id").as_string(), "d-2");

  expectJsonError(call("DELETE", instancePath("del-svc", "d-1")), 404, "not_found");
  EXPECT_EQ(call("DELETE", instancePath("del-svc", "d-2")).status, 200);
  expectJsonError(call("GET", "/v1/services/del-svc"), 404, "not_found");
}

TEST_F(CpRestRegistryTest, InstanceWithoutHeartbeatExpires) {
  http::ClientResponse created = call("PUT", instancePath("ttl-svc", "t-1"),
                                      R"({"address":"127.0.0.1","port":9006,"ttl_seconds":1})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(parse(created).at("instance").at("ttl_seconds").to_number<int64_t>(), 1);
  // A long-lived neighbour must survive the sweep.
  ASSERT_EQ(call("PUT", instancePath("ttl-svc", "t-long"), R"({"address":"127.0.0.1","port":9007})")
                .status,
            201);

  const bool expired = testing::waitUntil(
      [] {
        auto response = cp_->get("/v1/services/ttl-svc");
        if (!response.ok() || response->status != 200) {
          return false;
        }
        json::error_code ec;
        json::value body = json::parse(response->body, ec);
        return !ec && body.at("instances").as_array().size() == 1 &&
               body.at("instances").at(0).at("id").as_string() == "t-long";
      },
      absl::Seconds(10));
  EXPECT_TRUE(expired) << call("GET", "/v1/services/ttl-svc").body;
  expectJsonError(call("POST", instancePath("ttl-svc", "t-1") + "/heartbeat"), 404, "not_found");
  EXPECT_EQ(call("DELETE", instancePath("ttl-svc", "t-long")).status, 200);
}

TEST_F(CpRestRegistryTest, MetricsCountRegisteredInstances) {
  ASSERT_EQ(
      call("PUT", instancePath("metrics-svc", "m-1"), R"({"address":"127.0.0.1","port":9008})")
          .status,
      201);
  ASSERT_EQ(
      call("PUT", instancePath("metrics-svc", "m-2"), R"({"address":"127.0.0.1","port":9009})")
          .status,
      201);
  http::ClientResponse metrics = call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  const std::string* type = metrics.header("content-type");
  ASSERT_NE(type, nullptr);
  EXPECT_THAT(*type, StartsWith("text/plain"));
  EXPECT_THAT(metrics.body, HasSubstr("# TYPE portico_cp_registered_instances gauge"));
  EXPECT_THAT(metrics.body,
              HasSubstr("portico_cp_registered_instances{service=\"metrics-svc\"} 2\n"));

  ASSERT_EQ(call("DELETE", instancePath("metrics-svc", "m-1")).status, 200);
  EXPECT_THAT(call("GET", "/metrics").body,
              HasSubstr("portico_cp_registered_instances{service=\"metrics-svc\"} 1\n"));
  ASSERT_EQ(call("DELETE", instancePath("metrics-svc", "m-2")).status, 200);
  EXPECT_THAT(call("GET", "/metrics").body, Not(HasSubstr("service=\"metrics-svc\"")));
}

TEST_F(CpRestRegistryTest, UnknownPathIs404Json) {
  const std::string message = expectJsonError(call("GET", "/v1/nothing/here"), 404, "not_found");
  EXPECT_EQ(message, "no such endpoint: /v1/nothing/here");
}

TEST_F(CpRestRegistryTest, WrongMethodIs405) {
  http::ClientResponse response = call("PATCH", "/v1/services");
  expectJsonError(response, 405, "method_not_allowed");
  const std::string* allow = response.header("allow");
  ASSERT_NE(allow, nullptr);
  EXPECT_EQ(*allow, "GET");

  http::ClientResponse on_instance = call("GET", instancePath("x", "y"));
  expectJsonError(on_instance, 405, "method_not_allowed");
  allow = on_instance.header("allow");
  ASSERT_NE(allow, nullptr);
  EXPECT_EQ(*allow, "PUT, DELETE");
}

TEST_F(CpRestRegistryTest, ListShowsServicesWithCounts) {
  ASSERT_EQ(
      call("PUT", instancePath("list-svc", "l-1"), R"({"address":"127.0.0.1","port":9010})").status,
      201);
  json::value body = parse(call("GET", "/v1/services"));
  bool found = false;
  for (const json::value& entry : body.at("services").as_array()) {
    if (entry.at("name").as_string() == "list-svc") {
      found = true;
      EXPECT_EQ(entry.at("instances").to_number<int64_t>(), 1);
    }
  }
  EXPECT_TRUE(found) << body;
  EXPECT_EQ(call("DELETE", instancePath("list-svc", "l-1")).status, 200);
}

}  // namespace
}  // namespace portico
