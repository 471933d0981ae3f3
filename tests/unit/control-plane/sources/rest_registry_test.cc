#include "control-plane/sources/rest_registry.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "control-plane/registry/memory_store.h"

namespace portico::cp::sources {
namespace {

namespace json = boost::json;

std::string errorOf(std::string_view body, const std::string& service = "orders",
                    const std::string& id = "o-1") {
  auto parsed = instanceFromJson(body, service, id);
  EXPECT_FALSE(parsed.ok()) << body;
  if (parsed.ok()) {
    return "";
  }
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << body;
  return std::string(parsed.status().message());
}

TEST(InstanceFromJsonTest, RefusesBadJson) {
  EXPECT_EQ(errorOf("{"), "body: not valid JSON (incomplete JSON)");
  EXPECT_EQ(errorOf(""), "body: not valid JSON (incomplete JSON)");
  EXPECT_EQ(errorOf("{\"port\":}"), "body: not valid JSON (syntax error)");
  EXPECT_EQ(errorOf("{\"port\": 80} trailing"), "body: not valid JSON (extra data)");
}

TEST(InstanceFromJsonTest, RefusesNonObjectBody) {
  EXPECT_EQ(errorOf("[1, 2]"), "body: must be a JSON object");
  EXPECT_EQ(errorOf("\"10.0.0.1:80\""), "body: must be a JSON object");
  EXPECT_EQ(errorOf("null"), "body: must be a JSON object");
}

TEST(InstanceFromJsonTest, RefusesUnknownField) {
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": 80, "hostname": "x"})"),
            "hostname: unknown field; allowed: address, port, weight, zone, metadata, ttl_seconds");
  // Output-only fields are not accepted either.
  EXPECT_EQ(
      errorOf(R"({"address": "10.0.0.1", "port": 80, "expires_at": "now"})"),
      "expires_at: unknown field; allowed: address, port, weight, zone, metadata, ttl_seconds");
}

TEST(InstanceFromJsonTest, RefusesPortAsString) {
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": "8080"})"), "port: must be an integer");
}

TEST(InstanceFromJsonTest, RefusesNonIntegerPort) {
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": 80.5})"), "port: must be an integer");
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": true})"), "port: must be an integer");
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": null})"), "port: must be an integer");
}

TEST(InstanceFromJsonTest, RefusesNegativePort) {
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": -1})"),
            "port: -1 is out of range (1..65535)");
}

TEST(InstanceFromJsonTest, RefusesMissingPort) {
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1"})"), "port: required (1..65535)");
  EXPECT_EQ(errorOf("{}"), "port: required (1..65535)");
}

TEST(InstanceFromJsonTest, RefusesPortZeroThroughTheValidator) {
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": 0})"), "port: 0 is out of range (1..65535)");
}

// REST and gRPC refuse the same things with the same words (instance_validator.h).
TEST(InstanceFromJsonTest, PortOutOfRangeMessageMatchesTheValidator) {
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": 70000})"),
            "port: 70000 is out of range (1..65535)");
}

TEST(InstanceFromJsonTest, RefusesOutOfRangeWeightAndTtl) {
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": 80, "weight": 129})"),
            "weight: 129 is out of range (0..128)");
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": 80, "ttl_seconds": 86401})"),
            "ttl_seconds: 86401 is out of range (0..86400)");
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": 80, "weight": "1"})"),
            "weight: must be an integer");
}

TEST(InstanceFromJsonTest, RefusesWrongTypesForStrings) {
  EXPECT_EQ(errorOf(R"({"address": 10, "port": 80})"), "address: must be a string");
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": 80, "zone": 1})"), "zone: must be a string");
}

TEST(InstanceFromJsonTest, RefusesNonStringMetadataValue) {
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": 80, "metadata": {"version": 2}})"),
            "metadata.version: must be a string");
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": 80, "metadata": ["a"]})"),
            "metadata: must be an object of string values");
}

TEST(InstanceFromJsonTest, AppliesTheSharedValidator) {
  EXPECT_EQ(errorOf(R"({"port": 80})"), "address: required (an IPv4 or IPv6 literal)");
  EXPECT_EQ(errorOf(R"({"address": "", "port": 80})"),
            "address: required (an IPv4 or IPv6 literal)");
  EXPECT_EQ(errorOf(R"({"address": "orders.internal", "port": 80})"),
            "address: \"orders.internal\" is not an IPv4 or IPv6 literal");
  EXPECT_EQ(
      errorOf(R"({"address": "10.0.0.1", "port": 80})", "bad/name"),
      "service: \"bad/name\" is not a valid service name (1..63 characters of A-Z a-z 0-9 . _ -, "
      "starting with a letter or digit)");
  EXPECT_EQ(errorOf(R"({"address": "10.0.0.1", "port": 80})", "orders", "a b"),
            "id: \"a b\" is not a valid instance id (1..128 characters of A-Z a-z 0-9 . _ : -)");
}

TEST(InstanceFromJsonTest, ParsesAMinimalBodyWithDefaults) {
  auto instance = instanceFromJson(R"({"address": "10.0.0.1", "port": 8080})", "orders", "o-1");
  ASSERT_TRUE(instance.ok()) << instance.status();
  EXPECT_EQ(instance->service(), "orders");
  EXPECT_EQ(instance->id(), "o-1");
  EXPECT_EQ(instance->address(), "10.0.0.1");
  EXPECT_EQ(instance->port(), 8080u);
  EXPECT_EQ(instance->weight(), 1u);
  EXPECT_EQ(instance->ttl_seconds(), 30u);
  EXPECT_TRUE(instance->zone().empty());
  EXPECT_TRUE(instance->metadata().empty());
}

TEST(InstanceFromJsonTest, ValidBodyRoundTripsThroughInstanceToJson) {
  const std::string body = R"({"address": "2001:db8::7", "port": 9090, "weight": 5, "zone": "eu-1a",
                               "metadata": {"version": "v2", "team": "payments"}, "ttl_seconds": 15})";
  auto instance = instanceFromJson(body, "payments", "p-7");
  ASSERT_TRUE(instance.ok()) << instance.status();
  instance->set_expires_unix_ms(1'700'000'000'123);

  const json::object out = instanceToJson(*instance);
  EXPECT_EQ(out.at("service").as_string(), "payments");
  EXPECT_EQ(out.at("id").as_string(), "p-7");
  EXPECT_EQ(out.at("address").as_string(), "2001:db8::7");
  EXPECT_EQ(out.at("port").to_number<int64_t>(), 9090);
  EXPECT_EQ(out.at("weight").to_number<int64_t>(), 5);
  EXPECT_EQ(out.at("zone").as_string(), "eu-1a");
  EXPECT_EQ(out.at("ttl_seconds").to_number<int64_t>(), 15);
  const json::object& metadata = out.at("metadata").as_object();
  EXPECT_EQ(metadata.size(), 2u);
  EXPECT_EQ(metadata.at("version").as_string(), "v2");
  EXPECT_EQ(metadata.at("team").as_string(), "payments");
  EXPECT_EQ(out.at("expires_at").as_string(), "2023-11-14T22:13:20.123Z");

  // The writable fields of the output parse back into the same instance.
  json::object writable = out;
  writable.erase("service");
  writable.erase("id");
  writable.erase("expires_at");
  auto again = instanceFromJson(json::serialize(writable), "payments", "p-7");
  ASSERT_TRUE(again.ok()) << again.status();
  registry::Instance expected = *instance;
  expected.set_expires_unix_ms(0);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*again, expected))
      << again->DebugString() << " vs " << expected.DebugString();
}

// The REST routes on a PathRouter over a MemoryStore, without a server.
class RegistryRoutesTest : public ::testing::Test {
 protected:
  RegistryRoutesTest() { addRegistryRoutes(router_, store_); }

  http::HttpResponse call(std::string method, std::string path, std::string body = "") {
    http::HttpRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.body = std::move(body);
    return router_.dispatch(request);
  }

  registry::MemoryStore store_;
  http::PathRouter router_;
};

TEST_F(RegistryRoutesTest, PutCreatesThenReplaces) {
  http::HttpResponse created =
      call("PUT", "/v1/services/orders/instances/o-1", R"({"address":"10.0.0.1","port":80})");
  EXPECT_EQ(created.status, 201) << created.body;
  json::value body = json::parse(created.body);
  EXPECT_TRUE(body.at("created").as_bool());
  EXPECT_EQ(body.at("instance").at("port").to_number<int64_t>(), 80);

  http::HttpResponse replaced =
      call("PUT", "/v1/services/orders/instances/o-1", R"({"address":"10.0.0.1","port":81})");
  EXPECT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_FALSE(json::parse(replaced.body).at("created").as_bool());
  ASSERT_EQ(store_.list("orders").size(), 1u);
  EXPECT_EQ(store_.list("orders")[0].port(), 81u);
}

TEST_F(RegistryRoutesTest, BadBodyIs400AndChangesNothing) {
  http::HttpResponse response =
      call("PUT", "/v1/services/orders/instances/o-1", R"({"address":"10.0.0.1","port":0})");
  EXPECT_EQ(response.status, 400);
  json::value body = json::parse(response.body);
  EXPECT_EQ(body.at("error").as_string(), "invalid_argument");
  EXPECT_EQ(body.at("message").as_string(), "port: 0 is out of range (1..65535)");
  EXPECT_TRUE(store_.list("").empty());
}

TEST_F(RegistryRoutesTest, HeartbeatAndDeleteOfUnknownAre404) {
  http::HttpResponse beat = call("POST", "/v1/services/orders/instances/nope/heartbeat");
  EXPECT_EQ(beat.status, 404);
  EXPECT_EQ(json::parse(beat.body).at("error").as_string(), "not_found");
  http::HttpResponse removed = call("DELETE", "/v1/services/orders/instances/nope");
  EXPECT_EQ(removed.status, 404);
  EXPECT_EQ(json::parse(removed.body).at("message").as_string(),
            "instance \"nope\" of service \"orders\" is not registered");
}

TEST_F(RegistryRoutesTest, ListGetHeartbeatDelete) {
  ASSERT_EQ(call("PUT", "/v1/services/orders/instances/o-1", R"({"address":"10.0.0.1","port":80})")
                .status,
            201);
  ASSERT_EQ(call("PUT", "/v1/services/orders/instances/o-2", R"({"address":"10.0.0.2","port":80})")
                .status,
            201);

  json::value list = json::parse(call("GET", "/v1/services").body);
  ASSERT_EQ(list.at("services").as_array().size(), 1u);
  EXPECT_EQ(list.at("services").at(0).at("name").as_string(), "orders");
  EXPECT_EQ(list.at("services").at(0).at("instances").to_number<int64_t>(), 2);

  json::value one = json::parse(call("GET", "/v1/services/orders").body);
  EXPECT_EQ(one.at("instances").as_array().size(), 2u);
  EXPECT_EQ(call("GET", "/v1/services/users").status, 404);

  EXPECT_EQ(call("POST", "/v1/services/orders/instances/o-1/heartbeat").status, 200);
  http::HttpResponse deleted = call("DELETE", "/v1/services/orders/instances/o-1");
  EXPECT_EQ(deleted.status, 200);
  EXPECT_TRUE(json::parse(deleted.body).at("deleted").as_bool());
  EXPECT_EQ(store_.list("orders").size(), 1u);
}

}  // namespace
}  // namespace portico::cp::sources
