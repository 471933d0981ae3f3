// The control plane's gRPC registry (portico.registry.v1.Registry on the xDS port), end to end:
// a real portico-cp on loopback, driven over an insecure channel. It shares its validator and
// store with the REST API, so bad input gets INVALID_ARGUMENT with the REST message text, and
// what one API writes the other (and EDS) sees.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "portico/registry/v1/registry.grpc.pb.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/test_env.h"

namespace portico {
namespace {

namespace json = boost::json;
namespace v1 = portico::registry::v1;
using testing::ControlPlaneProcess;

constexpr std::chrono::seconds kRpcDeadline{5};

v1::Instance makeInstance(const std::string& service, const std::string& id,
                          const std::string& address, uint32_t port, uint32_t ttl_seconds = 0) {
  v1::Instance instance;
  instance.set_service(service);
  instance.set_id(id);
  instance.set_address(address);
  instance.set_port(port);
  instance.set_ttl_seconds(ttl_seconds);
  return instance;
}

// Parses a JSON body; returns null (and fails the test) when it is not JSON.
json::value parseJson(const std::string& body) {
  json::error_code ec;
  json::value value = json::parse(body, ec);
  EXPECT_FALSE(ec) << "not JSON: " << body;
  return ec ? json::value() : value;
}

class CpGrpcRegistryTest : public ::testing::Test {
 protected:
  // One control plane for the suite; every test uses its own service names and cleans up.
  static void SetUpTestSuite() {
    auto started = ControlPlaneProcess::start(ControlPlaneProcess::Options{});
    ASSERT_TRUE(started.ok()) << started.status();
    cp_ = std::move(*started).release();
    auto channel = grpc::CreateChannel(cp_->xdsAddress(), grpc::InsecureChannelCredentials());
    ASSERT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() + kRpcDeadline))
        << "no gRPC connection to " << cp_->xdsAddress();
    stub_ = v1::Registry::NewStub(channel).release();
  }
  static void TearDownTestSuite() {
    delete stub_;
    stub_ = nullptr;
    if (cp_ != nullptr) {
      cp_->stop();
      delete cp_;
      cp_ = nullptr;
    }
  }
  void SetUp() override {
    ASSERT_NE(cp_, nullptr) << "portico-cp did not start";
    ASSERT_NE(stub_, nullptr) << "no gRPC stub";
  }
  void TearDown() override {
    if (HasFailure() && cp_ != nullptr) {
      std::cerr << "portico-cp log tail:\n" << cp_->process().logTail() << "\n";
    }
  }

  static void setDeadline(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  }

  static grpc::Status registerInstance(const v1::Instance& instance,
                                       v1::RegisterResponse* response) {
    grpc::ClientContext context;
    setDeadline(context);
    v1::RegisterRequest request;
    *request.mutable_instance() = instance;
    return stub_->Register(&context, request, response);
  }
  static grpc::Status heartbeat(const std::string& service, const std::string& id,
                                v1::HeartbeatResponse* response) {
    grpc::ClientContext context;
    setDeadline(context);
    v1::HeartbeatRequest request;
    request.set_service(service);
    request.set_id(id);
    return stub_->Heartbeat(&context, request, response);
  }
  static grpc::Status deregister(const std::string& service, const std::string& id) {
    grpc::ClientContext context;
    setDeadline(context);
    v1::DeregisterRequest request;
    request.set_service(service);
    request.set_id(id);
    v1::DeregisterResponse response;
    return stub_->Deregister(&context, request, &response);
  }
  static grpc::Status list(const std::string& service, v1::ListResponse* response) {
    grpc::ClientContext context;
    setDeadline(context);
    v1::ListRequest request;
    request.set_service(service);
    return stub_->List(&context, request, response);
  }
  // List that must succeed; returns the instances.
  static std::vector<v1::Instance> listOk(const std::string& service) {
    v1::ListResponse response;
    grpc::Status status = list(service, &response);
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    return {response.instances().begin(), response.instances().end()};
  }

  static http::ClientResponse rest(const std::string& method, const std::string& target,
                                   const std::string& body = "") {
    auto response = cp_->request(method, target, body);
    EXPECT_TRUE(response.ok()) << method << " " << target << ": " << response.status();
    return response.ok() ? *response : http::ClientResponse{};
  }

  static int64_t nowMs() { return absl::ToUnixMillis(absl::Now()); }

  static ControlPlaneProcess* cp_;
  static v1::Registry::Stub* stub_;
};

ControlPlaneProcess* CpGrpcRegistryTest::cp_ = nullptr;
v1::Registry::Stub* CpGrpcRegistryTest::stub_ = nullptr;

TEST_F(CpGrpcRegistryTest, RegisterCreatesWithDefaultsThenReplaces) {
  const int64_t before = nowMs();
  v1::RegisterResponse created;
  grpc::Status status =
      registerInstance(makeInstance("grpc-reg", "r-1", "127.0.0.1", 9101), &created);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_TRUE(created.created());
  EXPECT_EQ(created.instance().service(), "grpc-reg");
  EXPECT_EQ(created.instance().id(), "r-1");
  EXPECT_EQ(created.instance().address(), "127.0.0.1");
  EXPECT_EQ(created.instance().port(), 9101u);
  EXPECT_EQ(created.instance().weight(), 1u);
  EXPECT_EQ(created.instance().ttl_seconds(), 30u);
  EXPECT_GT(created.instance().expires_unix_ms(), before);

  v1::Instance replacement = makeInstance("grpc-reg", "r-1", "127.0.0.2", 9102);
  replacement.set_weight(7);
  replacement.set_zone("zone-a");
  v1::RegisterResponse replaced;
  status = registerInstance(replacement, &replaced);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_FALSE(replaced.created());
  EXPECT_EQ(replaced.instance().address(), "127.0.0.2");
  EXPECT_EQ(replaced.instance().port(), 9102u);
  EXPECT_EQ(replaced.instance().weight(), 7u);
  EXPECT_EQ(replaced.instance().zone(), "zone-a");

  const std::vector<v1::Instance> listed = listOk("grpc-reg");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].address(), "127.0.0.2");
  EXPECT_EQ(listed[0].weight(), 7u);

  EXPECT_TRUE(deregister("grpc-reg", "r-1").ok());
}

TEST_F(CpGrpcRegistryTest, InvalidRegistrationsAreInvalidArgumentWithTheRestMessage) {
  struct Case {
    std::string name;
    v1::Instance instance;
    std::string rest_body;  // the same registration as a REST PUT body
    std::string message;
  };
  const std::string long_name(64, 'a');
  const std::vector<Case> cases = {
      {"port0", makeInstance("grpc-bad", "port0", "127.0.0.1", 0),
       R"({"address":"127.0.0.1","port":0})", "port: 0 is out of range (1..65535)"},
      {"port70000", makeInstance("grpc-bad", "port70000", "127.0.0.1", 70000),
       R"({"address":"127.0.0.1","port":70000})", "port: 70000 is out of range (1..65535)"},
      {"noaddr", makeInstance("grpc-bad", "noaddr", "", 9000), R"({"address":"","port":9000})",
       "address: required (an IPv4 or IPv6 literal)"},
      {"hostname", makeInstance("grpc-bad", "hostname", "localhost", 9000),
       R"({"address":"localhost","port":9000})",
       "address: \"localhost\" is not an IPv4 or IPv6 literal"},
      {"service-dash", makeInstance("-bad", "x", "127.0.0.1", 9000),
       R"({"address":"127.0.0.1","port":9000})",
       "service: \"-bad\" is not a valid service name (1..63 characters of A-Z a-z 0-9 . _ -, "
       "starting with a letter or digit)"},
      {"service-long", makeInstance(long_name, "x", "127.0.0.1", 9000),
       R"({"address":"127.0.0.1","port":9000})",
       cat("service: \"", long_name,
           "\" is not a valid service name (1..63 characters of A-Z a-z 0-9 . _ -, starting "
           "with a letter or digit)")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::RegisterResponse response;
    grpc::Status status = registerInstance(c.instance, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_EQ(status.error_message(), c.message);

    // The REST API refuses the same registration with the same words.
    http::ClientResponse put =
        rest("PUT", cat("/v1/services/", c.instance.service(), "/instances/", c.instance.id()),
             c.rest_body);
    EXPECT_EQ(put.status, 400) << put.body;
    json::value body = parseJson(put.body);
    ASSERT_TRUE(body.is_object() && body.as_object().contains("message")) << put.body;
    EXPECT_EQ(std::string(body.at("message").as_string()), status.error_message());

    // Nothing was stored.
    EXPECT_TRUE(listOk(c.instance.service()).empty());
  }
}

TEST_F(CpGrpcRegistryTest, HeartbeatOfUnknownIsNotFound) {
  v1::HeartbeatResponse response;
  grpc::Status status = heartbeat("grpc-hb-none", "ghost", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  EXPECT_EQ(status.error_message(),
            "instance \"ghost\" of service \"grpc-hb-none\" is not registered (expired or never "
            "registered); register it again");
}

TEST_F(CpGrpcRegistryTest, HeartbeatOfKnownMovesExpiryForward) {
  v1::RegisterResponse registered;
  ASSERT_TRUE(
      registerInstance(makeInstance("grpc-hb", "h-1", "127.0.0.1", 9103), &registered).ok());
  const int64_t first = registered.instance().expires_unix_ms();
  ASSERT_EQ(registered.instance().ttl_seconds(), 30u);
  // Lease ends have millisecond resolution: let the clock move past the registration's.
  const int64_t registered_at = first - 30 * 1000;
  ASSERT_TRUE(testing::waitUntil([&] { return nowMs() > registered_at; }, absl::Seconds(2),
                                 absl::Milliseconds(2)));

  v1::HeartbeatResponse beat;
  grpc::Status status = heartbeat("grpc-hb", "h-1", &beat);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_GT(beat.expires_unix_ms(), first);
  EXPECT_GT(beat.expires_unix_ms(), nowMs());

  const std::vector<v1::Instance> listed = listOk("grpc-hb");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].expires_unix_ms(), beat.expires_unix_ms());

  EXPECT_TRUE(deregister("grpc-hb", "h-1").ok());
}

TEST_F(CpGrpcRegistryTest, ListReturnsRegisteredInstancesSorted) {
  // Registered out of order on purpose.
  const std::vector<std::pair<std::string, std::string>> registrations = {{"grpc-list-b", "b-2"},
                                                                          {"grpc-list-a", "a-2"},
                                                                          {"grpc-list-b", "b-1"},
                                                                          {"grpc-list-a", "a-1"},
                                                                          {"grpc-list-a", "a-3"}};
  uint32_t port = 9110;
  for (const auto& [service, id] : registrations) {
    v1::RegisterResponse response;
    grpc::Status status =
        registerInstance(makeInstance(service, id, "127.0.0.1", port++), &response);
    ASSERT_TRUE(status.ok()) << service << "/" << id << ": " << status.error_message();
  }

  const std::vector<v1::Instance> one = listOk("grpc-list-a");
  ASSERT_EQ(one.size(), 3u);
  EXPECT_EQ(one[0].id(), "a-1");
  EXPECT_EQ(one[1].id(), "a-2");
  EXPECT_EQ(one[2].id(), "a-3");
  for (const v1::Instance& instance : one) {
    EXPECT_EQ(instance.service(), "grpc-list-a");
    EXPECT_EQ(instance.address(), "127.0.0.1");
    EXPECT_EQ(instance.weight(), 1u);
    EXPECT_EQ(instance.ttl_seconds(), 30u);
    EXPECT_GT(instance.expires_unix_ms(), 0);
  }
  EXPECT_EQ(one[1].port(), 9111u);  // a-2 was registered second

  // Every service: sorted by service then id; ours appear in that order.
  const std::vector<v1::Instance> all = listOk("");
  std::vector<std::string> ours;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(std::make_pair(all[i - 1].service(), all[i - 1].id()),
                std::make_pair(all[i].service(), all[i].id()))
          << "not sorted at " << i;
    }
    if (all[i].service().rfind("grpc-list-", 0) == 0) {
      ours.push_back(cat(all[i].service(), "/", all[i].id()));
    }
  }
  EXPECT_EQ(ours, (std::vector<std::string>{"grpc-list-a/a-1", "grpc-list-a/a-2", "grpc-list-a/a-3",
                                            "grpc-list-b/b-1", "grpc-list-b/b-2"}));

  EXPECT_TRUE(listOk("grpc-list-none").empty());

  for (const auto& [service, id] : registrations) {
    EXPECT_TRUE(deregister(service, id).ok()) << service << "/" << id;
  }
}

TEST_F(CpGrpcRegistryTest, DeregisterRemovesThenIsNotFound) {
  v1::RegisterResponse registered;
  ASSERT_TRUE(
      registerInstance(makeInstance("grpc-del", "d-1", "127.0.0.1", 9104), &registered).ok());
  grpc::Status status = deregister("grpc-del", "d-1");
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_TRUE(listOk("grpc-del").empty());

  status = deregister("grpc-del", "d-1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  EXPECT_EQ(status.error_message(), "instance \"d-1\" of service \"grpc-del\" is not registered");

  v1::HeartbeatResponse beat;
  EXPECT_EQ(heartbeat("grpc-del", "d-1", &beat).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(CpGrpcRegistryTest, GrpcRegistrationIsVisibleOverRestAndInConfigDump) {
  v1::Instance instance = makeInstance("grpc-vis", "v-1", "127.0.0.1", 9105);
  instance.set_weight(3);
  v1::RegisterResponse registered;
  grpc::Status status = registerInstance(instance, &registered);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();

  http::ClientResponse got = rest("GET", "/v1/services/grpc-vis");
  ASSERT_EQ(got.status, 200) << got.body;
  json::value body = parseJson(got.body);
  ASSERT_TRUE(body.is_object());
  ASSERT_EQ(body.at("instances").as_array().size(), 1u) << got.body;
  const json::value& shown = body.at("instances").at(0);
  EXPECT_EQ(shown.at("id").as_string(), "v-1");
  EXPECT_EQ(shown.at("address").as_string(), "127.0.0.1");
  EXPECT_EQ(shown.at("port").to_number<int64_t>(), 9105);
  EXPECT_EQ(shown.at("weight").to_number<int64_t>(), 3);
  EXPECT_EQ(shown.at("ttl_seconds").to_number<int64_t>(), 30);

  // The translator (debounced) turns it into the service's ClusterLoadAssignment.
  auto endpointPublished = [] {
    auto dump = cp_->get("/v1/config_dump");
    if (!dump.ok() || dump->status != 200) {
      return false;
    }
    json::error_code ec;
    json::value parsed = json::parse(dump->body, ec);
    if (ec || !parsed.is_object() || !parsed.as_object().contains("endpoints")) {
      return false;
    }
    for (const json::value& entry : parsed.at("endpoints").as_array()) {
      if (entry.at("name").as_string() != "grpc-vis") {
        continue;
      }
      const json::object& cla = entry.at("resource").as_object();
      if (cla.if_contains("cluster_name") == nullptr ||
          cla.at("cluster_name").as_string() != "grpc-vis" || !cla.contains("endpoints")) {
        return false;
      }
      for (const json::value& locality : cla.at("endpoints").as_array()) {
        const json::value* lbs = locality.as_object().if_contains("lb_endpoints");
        for (size_t i = 0; lbs != nullptr && i < lbs->as_array().size(); ++i) {
          const json::value& socket =
              lbs->as_array()[i].at("endpoint").at("address").at("socket_address");
          if (socket.at("address").as_string() == "127.0.0.1" &&
              socket.at("port_value").to_number<int64_t>() == 9105) {
            return true;
          }
        }
      }
    }
    return false;
  };
  EXPECT_TRUE(testing::waitUntil(endpointPublished, absl::Seconds(10)))
      << rest("GET", "/v1/config_dump").body;

  EXPECT_TRUE(deregister("grpc-vis", "v-1").ok());
  EXPECT_EQ(rest("GET", "/v1/services/grpc-vis").status, 404);
}

TEST_F(CpGrpcRegistryTest, InstanceWithoutHeartbeatExpires) {
  v1::RegisterResponse registered;
  grpc::Status status = registerInstance(
      makeInstance("grpc-ttl", "t-1", "127.0.0.1", 9106, /*ttl_seconds=*/1), &registered);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(registered.instance().ttl_seconds(), 1u);
  // A long-lived neighbour must survive the sweep.
  ASSERT_TRUE(
      registerInstance(makeInstance("grpc-ttl", "t-long", "127.0.0.1", 9107), &registered).ok());

  const bool expired = testing::waitUntil(
      [] {
        const std::vector<v1::Instance> left = listOk("grpc-ttl");
        return left.size() == 1 && left[0].id() == "t-long";
      },
      absl::Seconds(10), absl::Milliseconds(100));
  EXPECT_TRUE(expired) << listOk("grpc-ttl").size() << " instance(s) left";

  v1::HeartbeatResponse beat;
  EXPECT_EQ(heartbeat("grpc-ttl", "t-1", &beat).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(deregister("grpc-ttl", "t-long").ok());
}

}  // namespace
}  // namespace portico
