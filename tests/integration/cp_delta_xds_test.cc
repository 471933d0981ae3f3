// Incremental xDS (DeltaAggregatedResources) end to end: a real portico-cp on loopback, driven
// by a raw gRPC delta client (the generated stub, no xDS library), with registrations over REST.
// Checks what goes over the wire: only changed resources, nothing re-sent on reconnect with
// initial_resource_versions, scale-to-zero as an empty assignment, NACKs visible in
// GET /v1/proxies and /metrics; and that SotW keeps working beside delta.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "common/strings.h"
#include "common/xds/type_urls.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "tests/support/control_plane_process.h"
#include "tests/support/test_env.h"

namespace portico {
namespace {

namespace json = boost::json;
using envoy::config::endpoint::v3::ClusterLoadAssignment;
using envoy::service::discovery::v3::AggregatedDiscoveryService;
using envoy::service::discovery::v3::DeltaDiscoveryRequest;
using envoy::service::discovery::v3::DeltaDiscoveryResponse;
using envoy::service::discovery::v3::DiscoveryRequest;
using envoy::service::discovery::v3::DiscoveryResponse;
using testing::ControlPlaneProcess;
using Held = std::map<std::string, std::string>;  // resource name → version

constexpr absl::Duration kWait = absl::Seconds(10);  // for something that must arrive
// How long we watch for something that must NOT arrive. The translator debounces for tens of
// milliseconds, so a push that was going to happen comes well within this.
constexpr absl::Duration kQuiet = absl::Milliseconds(800);
constexpr std::chrono::seconds kStreamDeadline{90};

const std::string kCdsUrl(portico::xds::kClusterType);
const std::string kEdsUrl(portico::xds::kEndpointType);

// One delta ADS stream. A reader thread queues responses so that every wait is bounded.
class DeltaClient {
 public:
  DeltaClient(const std::string& address, std::string node_id) : node_id_(std::move(node_id)) {
    channel_ = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    stub_ = AggregatedDiscoveryService::NewStub(channel_);
    context_.set_deadline(std::chrono::system_clock::now() + kStreamDeadline);
    stream_ = stub_->DeltaAggregatedResources(&context_);
    reader_ = std::thread([this] { readLoop(); });
  }
  ~DeltaClient() { close(); }

  // The node goes only on the first request, as real clients do.
  bool send(DeltaDiscoveryRequest request) {
    if (!sent_node_) {
      request.mutable_node()->set_id(node_id_);
      request.mutable_node()->set_cluster("default");
      sent_node_ = true;
    }
    return stream_->Write(request);
  }
  std::optional<DeltaDiscoveryResponse> next(absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                 [&] { return !queue_.empty() || done_; });
    if (queue_.empty()) {
      return std::nullopt;
    }
    DeltaDiscoveryResponse response = std::move(queue_.front());
    queue_.pop_front();
    return response;
  }
  void close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    stream_->WritesDone();
    context_.TryCancel();
    reader_.join();
    stream_->Finish();
  }

 private:
  void readLoop() {
    DeltaDiscoveryResponse response;
    while (stream_->Read(&response)) {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(response);
      cv_.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    cv_.notify_all();
  }

  const std::string node_id_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<AggregatedDiscoveryService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<DeltaDiscoveryRequest, DeltaDiscoveryResponse>> stream_;
  std::thread reader_;
  bool sent_node_ = false;
  bool closed_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<DeltaDiscoveryResponse> queue_;
  bool done_ = false;
};

DeltaDiscoveryRequest subscribe(const std::string& type_url, const std::vector<std::string>& names,
                                const Held& initial = {}) {
  DeltaDiscoveryRequest request;
  request.set_type_url(type_url);
  for (const std::string& name : names) {
    request.add_resource_names_subscribe(name);
  }
  for (const auto& [name, version] : initial) {
    (*request.mutable_initial_resource_versions())[name] = version;
  }
  return request;
}

DeltaDiscoveryRequest ack(const DeltaDiscoveryResponse& response) {
  DeltaDiscoveryRequest request;
  request.set_type_url(response.type_url());
  request.set_response_nonce(response.nonce());
  return request;
}

std::vector<std::string> namesIn(const DeltaDiscoveryResponse& response) {
  std::vector<std::string> out;
  for (const auto& resource : response.resources()) {
    out.push_back(resource.name());
  }
  return out;
}

// What a client holds per type URL, updated from each response as a delta client would.
struct ClientState {
  std::map<std::string, Held> held;
  std::map<std::string, std::string> system_version;

  void apply(const DeltaDiscoveryResponse& response) {
    Held& type = held[response.type_url()];
    for (const auto& resource : response.resources()) {
      type[resource.name()] = resource.version();
    }
    for (const std::string& name : response.removed_resources()) {
      type.erase(name);
    }
    system_version[response.type_url()] = response.system_version_info();
  }
};

// Number of endpoints in an EDS resource.
int endpointCount(const DeltaDiscoveryResponse& response, const std::string& name) {
  for (const auto& resource : response.resources()) {
    ClusterLoadAssignment assignment;
    if (resource.name() == name && resource.resource().UnpackTo(&assignment)) {
      int count = 0;
      for (const auto& locality : assignment.endpoints()) {
        count += locality.lb_endpoints_size();
      }
      return count;
    }
  }
  ADD_FAILURE() << name << " not in " << response.DebugString();
  return -1;
}

class CpDeltaXdsTest : public ::testing::Test {
 protected:
  static constexpr char kService[] = "delta-orders";

  void SetUp() override {
    auto started = ControlPlaneProcess::start(ControlPlaneProcess::Options{});
    ASSERT_TRUE(started.ok()) << started.status();
    cp_ = std::move(*started);
    ASSERT_TRUE(cp_->registerInstance(kService, "i1", "127.0.0.1", 9001));
    // Translation is debounced: wait until the snapshot has the service, so that streams opened
    // by the tests see no push they did not cause.
    ASSERT_TRUE(testing::waitUntil(
        [&] {
          auto dump = cp_->get("/v1/config_dump");
          return dump.ok() && dump->status == 200 &&
                 dump->body.find(cat("\"name\":\"", kService, "\"")) != std::string::npos;
        },
        kWait))
        << "the snapshot never had " << kService;
  }
  void TearDown() override {
    if (HasFailure() && cp_ != nullptr) {
      std::cerr << "portico-cp log tail:\n" << cp_->process().logTail() << "\n";
    }
    if (cp_ != nullptr) {
      cp_->stop();
    }
  }

  // Reads, applies and ACKs responses until `done` holds for the client's state (true) or
  // kWait passes (false).
  static bool pumpUntil(DeltaClient& client, ClientState& state,
                        const std::function<bool(const ClientState&)>& done) {
    const absl::Time deadline = absl::Now() + kWait;
    while (!done(state)) {
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) {
        return false;
      }
      auto response = client.next(left);
      if (!response) {
        return false;
      }
      state.apply(*response);
      client.send(ack(*response));
    }
    return true;
  }
  static bool holds(const ClientState& state, const std::string& type_url,
                    const std::string& name) {
    auto it = state.held.find(type_url);
    return it != state.held.end() && it->second.count(name) > 0;
  }

  // Wildcard CDS, then EDS for every cluster, each ACKed, until kService is held in both.
  void subscribeCdsAndEds(DeltaClient& client, ClientState& state) {
    ASSERT_TRUE(client.send(subscribe(kCdsUrl, {"*"})));
    ASSERT_TRUE(
        pumpUntil(client, state, [](const ClientState& s) { return holds(s, kCdsUrl, kService); }))
        << "no CDS with " << kService;
    std::vector<std::string> clusters;
    for (const auto& [name, version] : state.held[kCdsUrl]) {
      clusters.push_back(name);
    }
    ASSERT_TRUE(client.send(subscribe(kEdsUrl, clusters)));
    ASSERT_TRUE(
        pumpUntil(client, state, [](const ClientState& s) { return holds(s, kEdsUrl, kService); }))
        << "no EDS for " << kService;
  }

  // This node's entry in GET /v1/proxies (null when absent).
  json::value proxyEntry(const std::string& node_id) {
    auto response = cp_->get("/v1/proxies");
    if (!response.ok() || response->status != 200) {
      return nullptr;
    }
    json::error_code ec;
    json::value body = json::parse(response->body, ec);
    if (ec) {
      return nullptr;
    }
    for (const json::value& entry : body.at("proxies").as_array()) {
      if (entry.at("node_id").as_string() == node_id) {
        return entry;
      }
    }
    return nullptr;
  }
  // True when the node ACKed, for each type, exactly what it was last sent.
  bool inSync(const std::string& node_id, const std::vector<std::string>& types) {
    json::value entry = proxyEntry(node_id);
    if (entry.is_null()) {
      return false;
    }
    for (const std::string& type : types) {
      const json::value& status = entry.at("types").at(type);
      const json::string& sent = status.at("sent").as_string();
      if (sent.empty() || sent != status.at("acked").as_string()) {
        return false;
      }
    }
    return true;
  }

  std::unique_ptr<ControlPlaneProcess> cp_;
};

TEST_F(CpDeltaXdsTest, NewEndpointSendsExactlyOneAssignment) {
  DeltaClient client(cp_->xdsAddress(), "delta-one");
  ClientState state;
  ASSERT_NO_FATAL_FAILURE(subscribeCdsAndEds(client, state));
  EXPECT_FALSE(client.next(kQuiet).has_value()) << "unexpected push with nothing changed";
  EXPECT_TRUE(testing::waitUntil([&] { return inSync("delta-one", {"cds", "eds"}); }, kWait));

  ASSERT_TRUE(cp_->registerInstance(kService, "i2", "127.0.0.1", 9002));
  auto update = client.next(kWait);
  ASSERT_TRUE(update.has_value()) << "no push after a registration";
  EXPECT_EQ(update->type_url(), kEdsUrl);
  EXPECT_EQ(namesIn(*update), std::vector<std::string>{kService});
  EXPECT_EQ(endpointCount(*update, kService), 2);
  EXPECT_EQ(update->removed_resources_size(), 0);
  client.send(ack(*update));
  auto extra = client.next(kQuiet);
  EXPECT_FALSE(extra.has_value()) << "more than one push: " << extra->DebugString();
}

TEST_F(CpDeltaXdsTest, ReconnectWithInitialVersionsResendsNothing) {
  ClientState state;
  {
    DeltaClient first(cp_->xdsAddress(), "delta-reconnect");
    ASSERT_NO_FATAL_FAILURE(subscribeCdsAndEds(first, state));
  }
  // Another node id, so that the closed stream's entry in /v1/proxies cannot be mistaken for it.
  DeltaClient again(cp_->xdsAddress(), "delta-reconnect-2");
  ASSERT_TRUE(again.send(subscribe(kCdsUrl, {"*"}, state.held[kCdsUrl])));
  auto cds = again.next(kWait);
  ASSERT_TRUE(cds.has_value()) << "the first CDS request was not answered";
  EXPECT_EQ(cds->type_url(), kCdsUrl);
  EXPECT_EQ(cds->resources_size(), 0) << cds->DebugString();
  EXPECT_EQ(cds->removed_resources_size(), 0) << cds->DebugString();
  // Same state as before the reconnect, same version.
  EXPECT_EQ(cds->system_version_info(), state.system_version[kCdsUrl]);
  again.send(ack(*cds));

  std::vector<std::string> clusters;
  for (const auto& [name, version] : state.held[kEdsUrl]) {
    clusters.push_back(name);
  }
  ASSERT_TRUE(again.send(subscribe(kEdsUrl, clusters, state.held[kEdsUrl])));
  auto eds = again.next(kWait);
  ASSERT_TRUE(eds.has_value()) << "the first EDS request was not answered";
  EXPECT_EQ(eds->type_url(), kEdsUrl);
  EXPECT_EQ(eds->resources_size(), 0) << eds->DebugString();
  EXPECT_EQ(eds->removed_resources_size(), 0) << eds->DebugString();
  again.send(ack(*eds));
  EXPECT_FALSE(again.next(kQuiet).has_value());
  EXPECT_TRUE(testing::waitUntil(
      [&] {
        return inSync("delta-reconnect-2", {"cds", "eds"});
      },
      kWait));
}

TEST_F(CpDeltaXdsTest, DeregisteringTheLastInstanceSendsAnEmptyAssignment) {
  DeltaClient client(cp_->xdsAddress(), "delta-zero");
  ClientState state;
  ASSERT_NO_FATAL_FAILURE(subscribeCdsAndEds(client, state));

  ASSERT_TRUE(cp_->deregisterInstance(kService, "i1"));
  auto update = client.next(kWait);
  ASSERT_TRUE(update.has_value()) << "no push after the deregistration";
  // The service is retained with no endpoints: an assignment update, not a removal.
  EXPECT_EQ(update->type_url(), kEdsUrl);
  EXPECT_EQ(namesIn(*update), std::vector<std::string>{kService});
  EXPECT_EQ(endpointCount(*update, kService), 0);
  EXPECT_EQ(update->removed_resources_size(), 0);
  client.send(ack(*update));
  auto extra = client.next(kQuiet);
  EXPECT_FALSE(extra.has_value()) << "unexpected push: " << extra->DebugString();
}

TEST_F(CpDeltaXdsTest, NackIsShownInProxiesAndMetricsAndNotAnswered) {
  DeltaClient client(cp_->xdsAddress(), "delta-nack");
  ASSERT_TRUE(client.send(subscribe(kCdsUrl, {"*"})));
  auto cds = client.next(kWait);
  ASSERT_TRUE(cds.has_value());
  DeltaDiscoveryRequest nack = ack(*cds);
  nack.mutable_error_detail()->set_code(3);
  nack.mutable_error_detail()->set_message("delta test: cluster rejected on purpose");
  ASSERT_TRUE(client.send(nack));
  auto extra = client.next(kQuiet);
  EXPECT_FALSE(extra.has_value()) << "the NACKed content was re-sent: " << extra->DebugString();

  json::value entry;
  ASSERT_TRUE(testing::waitUntil(
      [&] {
        entry = proxyEntry("delta-nack");
        return !entry.is_null() && entry.at("types").at("cds").as_object().contains("last_nack");
      },
      kWait))
      << "no NACK in /v1/proxies";
  EXPECT_EQ(entry.at("protocol").as_string(), "delta");
  const json::value& status = entry.at("types").at("cds");
  EXPECT_EQ(status.at("last_nack").as_string(), "delta test: cluster rejected on purpose");
  EXPECT_EQ(status.at("nacked").as_string(), cds->system_version_info());
  EXPECT_EQ(status.at("acked").as_string(), "");

  auto metrics = cp_->get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("portico_cp_xds_nacks_total{type=\"cds\"} 1"), std::string::npos)
      << metrics->body;
}

TEST_F(CpDeltaXdsTest, SotwIsStillServedBesideDelta) {
  DeltaClient delta(cp_->xdsAddress(), "delta-side");
  ClientState state;
  ASSERT_NO_FATAL_FAILURE(subscribeCdsAndEds(delta, state));

  auto channel = grpc::CreateChannel(cp_->xdsAddress(), grpc::InsecureChannelCredentials());
  auto stub = AggregatedDiscoveryService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(kWait));
  auto sotw = stub->StreamAggregatedResources(&context);
  DiscoveryRequest request;
  request.mutable_node()->set_id("sotw-side");
  request.set_type_url(kCdsUrl);
  ASSERT_TRUE(sotw->Write(request));
  DiscoveryResponse response;
  ASSERT_TRUE(sotw->Read(&response)) << "no SotW answer";
  EXPECT_EQ(response.type_url(), kCdsUrl);
  EXPECT_FALSE(response.version_info().empty());
  EXPECT_GE(response.resources_size(), 1);

  json::value sotw_entry;
  EXPECT_TRUE(
      testing::waitUntil([&] { return !(sotw_entry = proxyEntry("sotw-side")).is_null(); }, kWait));
  if (!sotw_entry.is_null()) {
    EXPECT_EQ(sotw_entry.at("protocol").as_string(), "sotw");
  }
  json::value delta_entry = proxyEntry("delta-side");
  ASSERT_FALSE(delta_entry.is_null());
  EXPECT_EQ(delta_entry.at("protocol").as_string(), "delta");

  sotw->WritesDone();
  context.TryCancel();
  sotw->Finish();
}

}  // namespace
}  // namespace portico
