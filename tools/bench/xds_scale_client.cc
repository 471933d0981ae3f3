// xds-scale-client: the load side of tools/bench/xds-scale. One process, many simulated proxies.
//
//   xds-scale-client register --xds=127.0.0.1:PORT --services=S --endpoints=E
//       registers S services × E instances through portico.registry.v1.Registry (long TTL).
//   xds-scale-client run --xds=127.0.0.1:PORT --admin=127.0.0.1:PORT --clients=N --cp_pid=PID
//       opens N ADS streams (gRPC callback API, one ClientBidiReactor each, spread over channels
//       that do not share an HTTP/2 connection), each behaving like a proxy: delta (default) or
//       SotW, wildcard CDS + LDS, then the EDS / RDS names those reference; every response is
//       ACKed at once. Then K times: PUT one instance of one service through the REST API and
//       measure, per client, the time from just before the PUT to the moment the client has
//       ACKed a response carrying the new endpoint.
//
// Every phase prints as it goes; the last line is a machine-readable "RESULT key=value ...".
// Nothing is asserted: this is a measurement tool (ARCHITECTURE §8).

#include <grpcpp/grpcpp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "common/http/http_client.h"
#include "common/strings.h"
#include "common/xds/type_urls.h"
#include "envoy/config/cluster/v3/cluster.pb.h"
#include "envoy/config/endpoint/v3/endpoint.pb.h"
#include "envoy/config/listener/v3/listener.pb.h"
#include "envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.pb.h"
#include "envoy/service/discovery/v3/ads.grpc.pb.h"
#include "portico/registry/v1/registry.grpc.pb.h"

ABSL_FLAG(std::string, xds, "127.0.0.1:18000", "portico-cp gRPC address (ADS + registry)");
ABSL_FLAG(std::string, admin, "127.0.0.1:18001", "portico-cp admin HTTP address (REST API)");
ABSL_FLAG(int, clients, 100, "run: simulated proxies (ADS streams)");
ABSL_FLAG(int, streams_per_channel, 100,
          "run: ADS streams per gRPC channel; each channel has its own HTTP/2 connection");
ABSL_FLAG(std::string, protocol, "delta", "run: delta | sotw");
ABSL_FLAG(int, cp_pid, 0, "run: portico-cp's pid, for RSS and CPU from /proc (0: not reported)");
ABSL_FLAG(int, changes, 5, "run: registration changes to measure");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(30),
          "run: how long one change may take to converge");
ABSL_FLAG(absl::Duration, sync_timeout, absl::Minutes(5),
          "run: how long the initial sync may take");
ABSL_FLAG(absl::Duration, settle, absl::Milliseconds(500), "run: pause between changes");
ABSL_FLAG(std::string, change_service, "svc-0000", "run: the service whose instance is changed");
ABSL_FLAG(int, change_port_base, 40000,
          "run: change k sets the changed instance's port to base + k (must differ between runs "
          "against one control plane)");
ABSL_FLAG(std::string, group, "default", "run: node.cluster (gateway group) of every client");
ABSL_FLAG(int, services, 1000, "register: services");
ABSL_FLAG(int, endpoints, 10, "register: instances per service");
ABSL_FLAG(int, ttl_seconds, 86400, "register: lease length");
ABSL_FLAG(int, register_threads, 8, "register: concurrent registration calls");

namespace {

using portico::cat;
using Clock = std::chrono::steady_clock;
namespace discovery = envoy::service::discovery::v3;
namespace hcm = envoy::extensions::filters::network::http_connection_manager::v3;

constexpr std::string_view kChangeInstanceId = "scale-change";
constexpr std::string_view kEndpointAddress = "127.0.0.1";

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

std::string serviceName(int index) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "svc-%04d", index);
  return buffer;
}

// ---- process statistics ----------------------------------------------------------------------

struct ProcStats {
  bool ok = false;
  double rss_mib = 0;
  double hwm_mib = 0;
  double cpu_seconds = 0;
  int threads = 0;
};

ProcStats readProcStats(int pid) {
  ProcStats stats;
  if (pid <= 0) return stats;
  std::ifstream status(cat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    long value = 0;
    if (std::sscanf(line.c_str(), "VmRSS: %ld kB", &value) == 1) stats.rss_mib = value / 1024.0;
    if (std::sscanf(line.c_str(), "VmHWM: %ld kB", &value) == 1) stats.hwm_mib = value / 1024.0;
    if (std::sscanf(line.c_str(), "Threads: %ld", &value) == 1) stats.threads = value;
  }
  std::ifstream stat_file(cat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return stats;
  // After "pid (comm)": state is field 3, utime field 14, stime field 15.
  std::istringstream fields(stat.substr(paren + 2));
  std::vector<std::string> tokens;
  for (std::string token; fields >> token && tokens.size() < 13;) tokens.push_back(token);
  if (tokens.size() < 13) return stats;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  stats.cpu_seconds = (std::stod(tokens[11]) + std::stod(tokens[12])) / ticks;
  stats.ok = true;
  return stats;
}

double selfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string describe(const ProcStats& stats) {
  if (!stats.ok) return "cp stats: n/a (no --cp_pid)";
  char buffer[160];
  std::snprintf(buffer, sizeof(buffer), "cp RSS %.1f MiB (peak %.1f), cp CPU %.2f s, %d threads",
                stats.rss_mib, stats.hwm_mib, stats.cpu_seconds, stats.threads);
  return buffer;
}

// ---- percentiles -----------------------------------------------------------------------------

// Nearest-rank percentile of sorted values (ns), in ms.
double percentileMs(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * sorted.size()));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1] / 1e6;
}

struct Summary {
  size_t count = 0;
  double p50 = 0, p99 = 0, max = 0;
};

Summary summarize(std::vector<int64_t> values) {
  std::sort(values.begin(), values.end());
  Summary out;
  out.count = values.size();
  out.p50 = percentileMs(values, 50);
  out.p99 = percentileMs(values, 99);
  out.max = values.empty() ? 0 : values.back() / 1e6;
  return out;
}

// ---- shared state of a run -------------------------------------------------------------------

struct Shared {
  std::string change_service;
  int change_port_base = 0;
  int changes = 0;
  // The change being measured (1..changes), 0 before the first. Set after t0[iteration].
  std::atomic<int> iteration{0};
  std::unique_ptr<std::atomic<int64_t>[]> t0;  // per iteration, steady clock ns
  std::atomic<int> synced{0};
  std::unique_ptr<std::atomic<int>[]> converged;  // per iteration: clients that ACKed it
  std::atomic<int> done{0};                       // reactors whose OnDone ran
  std::atomic<int> failed{0};                     // streams that ended before we cancelled
  std::atomic<bool> cancelling{false};
  std::atomic<int64_t> responses{0};
  std::atomic<int64_t> resources{0};
  std::atomic<int64_t> response_bytes{0};
  std::mutex error_mu;
  std::string first_error;

  uint32_t portOf(int iteration) const { return change_port_base + iteration; }
};

// Does this ClusterLoadAssignment carry the changed instance of `iteration`?
bool hasChangedEndpoint(const std::string& bytes, uint32_t port) {
  envoy::config::endpoint::v3::ClusterLoadAssignment assignment;
  if (!assignment.ParseFromString(bytes)) return false;
  for (const auto& locality : assignment.endpoints()) {
    for (const auto& lb_endpoint : locality.lb_endpoints()) {
      const auto& socket = lb_endpoint.endpoint().address().socket_address();
      if (socket.port_value() == port && socket.address() == kEndpointAddress) return true;
    }
  }
  return false;
}

// The cluster_name of a serialized ClusterLoadAssignment without parsing all of it: field 1 is
// written first by every deterministic serializer. nullopt when it is not there.
std::optional<std::string_view> claName(const std::string& bytes) {
  if (bytes.size() < 2 || static_cast<uint8_t>(bytes[0]) != 0x0a) return std::nullopt;
  uint64_t length = 0;
  size_t i = 1;
  for (int shift = 0; i < bytes.size() && shift < 64; shift += 7, ++i) {
    const auto byte = static_cast<uint8_t>(bytes[i]);
    length |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      ++i;
      if (i + length > bytes.size()) return std::nullopt;
      return std::string_view(bytes).substr(i, length);
    }
  }
  return std::nullopt;
}

// EDS name of a Cluster (empty when it is not an EDS cluster).
std::string edsName(const std::string& bytes) {
  envoy::config::cluster::v3::Cluster cluster;
  if (!cluster.ParseFromString(bytes) ||
      cluster.type() != envoy::config::cluster::v3::Cluster::EDS) {
    return {};
  }
  const std::string& service = cluster.eds_cluster_config().service_name();
  return service.empty() ? cluster.name() : service;
}

// RDS name of a Listener's HttpConnectionManager (empty for inline routes or no HCM).
std::string rdsName(const std::string& bytes) {
  envoy::config::listener::v3::Listener listener;
  if (!listener.ParseFromString(bytes)) return {};
  for (const auto& chain : listener.filter_chains()) {
    for (const auto& filter : chain.filters()) {
      hcm::HttpConnectionManager manager;
      if (filter.typed_config().UnpackTo(&manager) && manager.has_rds()) {
        return manager.rds().route_config_name();
      }
    }
  }
  if (listener.has_api_listener()) {
    hcm::HttpConnectionManager manager;
    if (listener.api_listener().api_listener().UnpackTo(&manager) && manager.has_rds()) {
      return manager.rds().route_config_name();
    }
  }
  return {};
}

// ---- one simulated proxy ---------------------------------------------------------------------

// Write queue, timing and lifetime shared by the delta and SotW clients. Reactions may run
// concurrently on gRPC's threads (a read and a write completing), so state is under mu_.
template <typename Request, typename Response>
class ScaleClient : public grpc::ClientBidiReactor<Request, Response> {
 public:
  ScaleClient(int index, Shared& shared) : index_(index), shared_(shared) {
    converged_ = std::make_unique<std::atomic<int64_t>[]>(shared.changes + 1);
    for (int i = 0; i <= shared.changes; ++i) converged_[i] = -1;
  }

  void start(discovery::AggregatedDiscoveryService::Stub* stub) {
    call(stub, &context_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      initialRequests();
    }
    this->StartRead(&response_);
    std::unique_lock<std::mutex> lock(mu_);
    pump(lock);
    lock.unlock();
    this->StartCall();
  }

  void cancel() { context_.TryCancel(); }

  int64_t syncNs() const { return sync_ns_.load(); }
  int64_t convergedNs(int iteration) const { return converged_[iteration].load(); }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream is ending; OnDone follows
    shared_.responses.fetch_add(1, std::memory_order_relaxed);
    shared_.response_bytes.fetch_add(static_cast<int64_t>(response_.ByteSizeLong()),
                                     std::memory_order_relaxed);
    {
      std::unique_lock<std::mutex> lock(mu_);
      handle(response_);
      pump(lock);
    }
    this->StartRead(&response_);
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock<std::mutex> lock(mu_);
    writing_ = false;
    const Outgoing written = std::move(queue_.front());
    queue_.pop_front();
    if (!ok) {
      queue_.clear();
      return;  // the stream broke; OnDone reports it
    }
    const int64_t now = nowNs();
    if (written.converges > 0 && converged_[written.converges].load() < 0) {
      converged_[written.converges] = now - shared_.t0[written.converges].load();
      shared_.converged[written.converges].fetch_add(1);
    }
    if (queue_.empty() && sync_ns_.load() < 0 && initialStateComplete()) {
      sync_ns_ = now;
      shared_.synced.fetch_add(1);
    }
    pump(lock);
  }

  void OnDone(const grpc::Status& status) override {
    if (!shared_.cancelling.load()) {
      shared_.failed.fetch_add(1);
      std::lock_guard<std::mutex> lock(shared_.error_mu);
      if (shared_.first_error.empty()) {
        shared_.first_error =
            cat("client ", index_, ": stream ended: code ", static_cast<int>(status.error_code()),
                " ", status.error_message());
      }
    }
    shared_.done.fetch_add(1);
  }

 protected:
  struct Outgoing {
    Request request;
    int converges = 0;  // ACKs the response that carried change #converges
  };

  virtual void call(discovery::AggregatedDiscoveryService::Stub* stub,
                    grpc::ClientContext* context) = 0;
  virtual void initialRequests() = 0;
  virtual void handle(const Response& response) = 0;
  virtual bool initialStateComplete() const = 0;

  void send(Request request, int converges = 0) {
    if (first_request_) {
      first_request_ = false;
      auto* node = request.mutable_node();
      node->set_id(cat("xds-scale-", index_));
      node->set_cluster(absl::GetFlag(FLAGS_group));
      node->set_user_agent_name("xds-scale-client");
    }
    queue_.push_back(Outgoing{std::move(request), converges});
  }

  // The change being measured, if this client has not yet converged on it.
  int openIteration() const {
    const int iteration = shared_.iteration.load();
    return iteration > 0 && converged_[iteration].load() < 0 ? iteration : 0;
  }

  const int index_;
  Shared& shared_;

 private:
  void pump(std::unique_lock<std::mutex>& lock) {
    if (writing_ || queue_.empty()) return;
    writing_ = true;
    // deque::push_back keeps references valid, so front() stays put while we enqueue behind it.
    const Request* next = &queue_.front().request;
    lock.unlock();
    this->StartWrite(next);
    lock.lock();
  }

  grpc::ClientContext context_;
  Response response_;
  std::mutex mu_;
  std::deque<Outgoing> queue_;
  bool writing_ = false;
  bool first_request_ = true;
  std::atomic<int64_t> sync_ns_{-1};
  std::unique_ptr<std::atomic<int64_t>[]> converged_;
};

// Incremental: subscribe "*" for CDS and LDS, then exactly the EDS / RDS names referenced.
class DeltaClient final
    : public ScaleClient<discovery::DeltaDiscoveryRequest, discovery::DeltaDiscoveryResponse> {
 public:
  using ScaleClient::ScaleClient;

 private:
  // One xDS type's reference tracking: parent resource → child name, the children subscribed,
  // and those subscribed but not yet received.
  struct Children {
    std::map<std::string, std::string> by_parent;
    std::unordered_set<std::string> subscribed;
    std::unordered_set<std::string> pending;
    bool parent_seen = false;
  };

  void call(discovery::AggregatedDiscoveryService::Stub* stub,
            grpc::ClientContext* context) override {
    stub->async()->DeltaAggregatedResources(context, this);
  }

  void initialRequests() override {
    for (std::string_view type : {portico::xds::kClusterType, portico::xds::kListenerType}) {
      discovery::DeltaDiscoveryRequest request;
      request.set_type_url(std::string(type));
      request.add_resource_names_subscribe("*");
      send(std::move(request));
    }
  }

  // A CDS or LDS response: track what it references, subscribe/unsubscribe children.
  void parents(const discovery::DeltaDiscoveryResponse& response, Children& children,
               std::string_view child_type, std::string (*child_of)(const std::string&)) {
    for (const auto& resource : response.resources()) {
      std::string child = child_of(resource.resource().value());
      if (child.empty()) {
        children.by_parent.erase(resource.name());
      } else {
        children.by_parent[resource.name()] = std::move(child);
      }
    }
    for (const std::string& name : response.removed_resources()) children.by_parent.erase(name);
    std::unordered_set<std::string> referenced;
    for (const auto& [parent, child] : children.by_parent) referenced.insert(child);
    discovery::DeltaDiscoveryRequest request;
    for (const std::string& name : referenced) {
      if (!children.subscribed.contains(name)) {
        request.add_resource_names_subscribe(name);
        children.pending.insert(name);
      }
    }
    for (const std::string& name : children.subscribed) {
      if (!referenced.contains(name)) {
        request.add_resource_names_unsubscribe(name);
        children.pending.erase(name);
      }
    }
    children.subscribed = std::move(referenced);
    children.parent_seen = true;
    if (request.resource_names_subscribe_size() > 0 ||
        request.resource_names_unsubscribe_size() > 0) {
      request.set_type_url(std::string(child_type));
      send(std::move(request));
    }
  }

  void handle(const discovery::DeltaDiscoveryResponse& response) override {
    shared_.resources.fetch_add(response.resources_size(), std::memory_order_relaxed);
    const std::string& type = response.type_url();
    int converges = 0;
    if (type == portico::xds::kClusterType) {
      parents(response, eds_, portico::xds::kEndpointType, &edsName);
    } else if (type == portico::xds::kListenerType) {
      parents(response, rds_, portico::xds::kRouteType, &rdsName);
    } else if (type == portico::xds::kEndpointType) {
      const int open = openIteration();
      for (const auto& resource : response.resources()) {
        eds_.pending.erase(resource.name());
        if (open > 0 && resource.name() == shared_.change_service &&
            hasChangedEndpoint(resource.resource().value(), shared_.portOf(open))) {
          converges = open;
        }
      }
      for (const std::string& name : response.removed_resources()) eds_.pending.erase(name);
    } else if (type == portico::xds::kRouteType) {
      for (const auto& resource : response.resources()) rds_.pending.erase(resource.name());
      for (const std::string& name : response.removed_resources()) rds_.pending.erase(name);
    }
    discovery::DeltaDiscoveryRequest ack;
    ack.set_type_url(type);
    ack.set_response_nonce(response.nonce());
    send(std::move(ack), converges);
  }

  bool initialStateComplete() const override {
    return eds_.parent_seen && rds_.parent_seen && eds_.pending.empty() && rds_.pending.empty();
  }

  Children eds_;  // clusters → load assignments
  Children rds_;  // listeners → route configurations
};

// State of the world: wildcard (empty name list) for CDS and LDS, full name lists for EDS / RDS;
// every request carries the last accepted version.
class SotwClient final
    : public ScaleClient<discovery::DiscoveryRequest, discovery::DiscoveryResponse> {
 public:
  using ScaleClient::ScaleClient;

 private:
  struct TypeState {
    std::string version;
    std::string nonce;
    std::vector<std::string> names;  // sorted; empty for the wildcard types
    bool requested = false;
    bool pending = false;  // requested names not answered yet
    bool seen = false;
  };

  void call(discovery::AggregatedDiscoveryService::Stub* stub,
            grpc::ClientContext* context) override {
    stub->async()->StreamAggregatedResources(context, this);
  }

  void request(std::string_view type, TypeState& state, int converges = 0) {
    discovery::DiscoveryRequest request;
    request.set_type_url(std::string(type));
    request.set_version_info(state.version);
    request.set_response_nonce(state.nonce);
    for (const std::string& name : state.names) request.add_resource_names(name);
    state.requested = true;
    send(std::move(request), converges);
  }

  void initialRequests() override {
    request(portico::xds::kClusterType, cds_);
    request(portico::xds::kListenerType, lds_);
  }

  // A full-state CDS/LDS answer: the child names it references; (re)subscribe when they change.
  void parents(const discovery::DiscoveryResponse& response, std::string_view child_type,
               TypeState& child, std::string (*child_of)(const std::string&)) {
    std::set<std::string> referenced;
    for (const auto& any : response.resources()) {
      std::string name = child_of(any.value());
      if (!name.empty()) referenced.insert(std::move(name));
    }
    std::vector<std::string> names(referenced.begin(), referenced.end());
    if (names != child.names) {
      child.names = std::move(names);
      child.pending = !child.names.empty();
      if (!child.names.empty() || child.requested) request(child_type, child);
    }
  }

  void handle(const discovery::DiscoveryResponse& response) override {
    shared_.resources.fetch_add(response.resources_size(), std::memory_order_relaxed);
    const std::string& type = response.type_url();
    TypeState* state = nullptr;
    int converges = 0;
    if (type == portico::xds::kClusterType) {
      state = &cds_;
      parents(response, portico::xds::kEndpointType, eds_, &edsName);
    } else if (type == portico::xds::kListenerType) {
      state = &lds_;
      parents(response, portico::xds::kRouteType, rds_, &rdsName);
    } else if (type == portico::xds::kEndpointType) {
      state = &eds_;
      if (const int open = openIteration(); open > 0) {
        for (const auto& any : response.resources()) {
          auto name = claName(any.value());
          if (name && *name == shared_.change_service &&
              hasChangedEndpoint(any.value(), shared_.portOf(open))) {
            converges = open;
          }
        }
      }
    } else if (type == portico::xds::kRouteType) {
      state = &rds_;
    } else {
      return;
    }
    state->version = response.version_info();
    state->nonce = response.nonce();
    state->pending = false;
    state->seen = true;
    request(type, *state, converges);
  }

  bool initialStateComplete() const override {
    return cds_.seen && lds_.seen && !eds_.pending && !rds_.pending;
  }

  TypeState cds_, lds_, eds_, rds_;
};

// ---- phases ----------------------------------------------------------------------------------

bool splitHostPort(const std::string& address, std::string& host, uint16_t& port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  host = address.substr(0, colon);
  const int value = std::atoi(address.c_str() + colon + 1);
  if (value <= 0 || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

template <typename Predicate>
bool waitFor(absl::Duration limit, Predicate done) {
  const auto deadline = Clock::now() + absl::ToChronoNanoseconds(limit);
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

std::string firstError(Shared& shared) {
  std::lock_guard<std::mutex> lock(shared.error_mu);
  return shared.first_error;
}

int registerServices() {
  const int services = absl::GetFlag(FLAGS_services);
  const int endpoints = absl::GetFlag(FLAGS_endpoints);
  const int threads = std::max(1, absl::GetFlag(FLAGS_register_threads));
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_xds), grpc::InsecureChannelCredentials());
  auto stub = portico::registry::v1::Registry::NewStub(channel);
  const int total = services * endpoints;
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::mutex error_mu;
  std::string first_error;
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next.fetch_add(1); i < total; i = next.fetch_add(1)) {
        portico::registry::v1::RegisterRequest request;
        auto* instance = request.mutable_instance();
        instance->set_service(serviceName(i / endpoints));
        instance->set_id(cat("i-", i % endpoints));
        instance->set_address(std::string(kEndpointAddress));
        instance->set_port(static_cast<uint32_t>(20000 + i % endpoints));
        instance->set_ttl_seconds(static_cast<uint32_t>(absl::GetFlag(FLAGS_ttl_seconds)));
        portico::registry::v1::RegisterResponse response;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        grpc::Status status = stub->Register(&context, request, &response);
        if (!status.ok()) {
          failures.fetch_add(1);
          std::lock_guard<std::mutex> lock(error_mu);
          if (first_error.empty()) first_error = status.error_message();
        }
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "registered %d services x %d instances (%d calls, %d threads) in %.2f s, %d failed%s%s\n",
      services, endpoints, total, threads, seconds, failures.load(),
      first_error.empty() ? "" : ": ", first_error.c_str());
  return failures.load() == 0 ? 0 : 1;
}

template <typename Client>
int runClients() {
  const int n = absl::GetFlag(FLAGS_clients);
  const int per_channel = std::max(1, absl::GetFlag(FLAGS_streams_per_channel));
  const int cp_pid = absl::GetFlag(FLAGS_cp_pid);
  const int changes = std::max(0, absl::GetFlag(FLAGS_changes));
  std::string admin_host;
  uint16_t admin_port = 0;
  if (!splitHostPort(absl::GetFlag(FLAGS_admin), admin_host, admin_port)) {
    std::fprintf(stderr, "xds-scale-client: --admin must be host:port\n");
    return 2;
  }

  Shared shared;
  shared.change_service = absl::GetFlag(FLAGS_change_service);
  shared.change_port_base = absl::GetFlag(FLAGS_change_port_base);
  shared.changes = changes;
  shared.t0 = std::make_unique<std::atomic<int64_t>[]>(changes + 1);
  shared.converged = std::make_unique<std::atomic<int>[]>(changes + 1);
  for (int i = 0; i <= changes; ++i) {
    shared.t0[i] = 0;
    shared.converged[i] = 0;
  }

  const int channels = (n + per_channel - 1) / per_channel;
  std::printf("== %d %s clients over %d channel(s) (%d streams each) to %s ==\n", n,
              absl::GetFlag(FLAGS_protocol).c_str(), channels, per_channel,
              absl::GetFlag(FLAGS_xds).c_str());
  const ProcStats before = readProcStats(cp_pid);
  std::printf("[start] %s\n", describe(before).c_str());
  std::fflush(stdout);

  // (a) connect everything, wait for every client's initial state to be ACKed.
  std::vector<std::unique_ptr<discovery::AggregatedDiscoveryService::Stub>> stubs;
  for (int c = 0; c < channels; ++c) {
    grpc::ChannelArguments args;
    // Distinct arguments give each channel its own subchannel, hence its own connection.
    args.SetInt("portico.bench.channel", c);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetMaxReceiveMessageSize(-1);
    stubs.push_back(discovery::AggregatedDiscoveryService::NewStub(grpc::CreateCustomChannel(
        absl::GetFlag(FLAGS_xds), grpc::InsecureChannelCredentials(), args)));
  }
  std::vector<std::unique_ptr<Client>> clients;
  clients.reserve(n);
  const int64_t start_ns = nowNs();
  const double self_cpu_start = selfCpuSeconds();
  for (int i = 0; i < n; ++i) {
    clients.push_back(std::make_unique<Client>(i, shared));
    clients.back()->start(stubs[i / per_channel].get());
  }
  int last_print = 0;
  waitFor(absl::GetFlag(FLAGS_sync_timeout), [&] {
    const int synced = shared.synced.load();
    if (synced - last_print >= std::max(1, n / 10) && synced < n) {
      std::printf("  ... %d/%d synced after %.2f s\n", synced, n, (nowNs() - start_ns) / 1e9);
      std::fflush(stdout);
      last_print = synced;
    }
    return synced >= n || shared.done.load() >= n;
  });
  const bool all_synced = shared.synced.load() >= n;
  std::vector<int64_t> sync_times;
  for (const auto& client : clients) {
    if (client->syncNs() >= 0) sync_times.push_back(client->syncNs() - start_ns);
  }
  const Summary sync = summarize(sync_times);
  const ProcStats after_sync = readProcStats(cp_pid);
  std::printf(
      "[sync] %zu/%d clients ACKed their initial state; all in %.3f s (per client p50 %.1f ms, "
      "p99 %.1f ms); %" PRId64 " responses, %" PRId64 " resources, %.1f MiB received%s\n",
      sync.count, n, sync.max / 1e3, sync.p50, sync.p99, shared.responses.load(),
      shared.resources.load(), shared.response_bytes.load() / 1048576.0,
      all_synced ? "" : "  ** TIMED OUT **");
  std::printf("[sync] %s (+%.2f s CPU during sync)\n", describe(after_sync).c_str(),
              after_sync.cpu_seconds - before.cpu_seconds);
  if (shared.failed.load() > 0) {
    std::printf("[sync] %d streams failed; first: %s\n", shared.failed.load(),
                firstError(shared).c_str());
  }
  std::fflush(stdout);

  // (b), (c) K registration changes, each measured until every client ACKed it.
  std::vector<int64_t> all_latencies;
  int all_converged = 0;
  double change_cpu = 0;
  const absl::Duration timeout = absl::GetFlag(FLAGS_timeout);
  for (int k = 1; k <= changes && all_synced; ++k) {
    std::this_thread::sleep_for(absl::ToChronoNanoseconds(absl::GetFlag(FLAGS_settle)));
    const ProcStats cp_before = readProcStats(cp_pid);
    portico::http::ClientRequest put;
    put.method = "PUT";
    put.target = cat("/v1/services/", shared.change_service, "/instances/", kChangeInstanceId);
    put.headers.emplace_back("content-type", "application/json");
    put.body = cat(R"({"address": ")", kEndpointAddress, R"(", "port": )", shared.portOf(k),
                   R"(, "ttl_seconds": )", absl::GetFlag(FLAGS_ttl_seconds), "}");
    const int64_t t0 = nowNs();
    shared.t0[k] = t0;
    shared.iteration = k;
    auto answer = portico::http::fetch(admin_host, admin_port, put);
    const int64_t put_ns = nowNs() - t0;
    if (!answer.ok() || answer->status / 100 != 2) {
      std::printf("[change %d] PUT failed: %s\n", k,
                  answer.ok() ? cat(answer->status, " ", answer->body).c_str()
                              : std::string(answer.status().message()).c_str());
      return 1;
    }
    waitFor(timeout, [&] { return shared.converged[k].load() >= n; });
    std::vector<int64_t> latencies;
    for (const auto& client : clients) {
      if (client->convergedNs(k) >= 0) latencies.push_back(client->convergedNs(k));
    }
    const ProcStats cp_after = readProcStats(cp_pid);
    change_cpu += cp_after.cpu_seconds - cp_before.cpu_seconds;
    all_converged += static_cast<int>(latencies.size());
    all_latencies.insert(all_latencies.end(), latencies.begin(), latencies.end());
    const Summary s = summarize(std::move(latencies));
    std::printf(
        "[change %d] port %u: %zu/%d ACKed within %s; p50 %.1f ms, p99 %.1f ms, max %.1f ms "
        "(PUT answered in %.1f ms; cp CPU +%.2f s)\n",
        k, shared.portOf(k), s.count, n, absl::FormatDuration(timeout).c_str(), s.p50, s.p99, s.max,
        put_ns / 1e6, cp_after.cpu_seconds - cp_before.cpu_seconds);
    std::fflush(stdout);
  }
  const Summary overall = summarize(all_latencies);
  const int expected = changes * n;

  // (d) the control plane at the end.
  const ProcStats end = readProcStats(cp_pid);
  std::printf("[changes] overall: %d/%d converged; p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              all_converged, expected, overall.p50, overall.p99, overall.max);
  std::printf("[end] %s; load tool used %.2f s CPU\n", describe(end).c_str(),
              selfCpuSeconds() - self_cpu_start);
  if (shared.failed.load() > 0) {
    std::printf("[end] %d streams failed; first: %s\n", shared.failed.load(),
                firstError(shared).c_str());
  }

  shared.cancelling = true;
  for (const auto& client : clients) client->cancel();
  if (!waitFor(absl::Seconds(30), [&] { return shared.done.load() >= n; })) {
    std::printf("[end] %d/%d streams still open after cancel; exiting anyway\n",
                n - shared.done.load(), n);
    std::fflush(stdout);
    std::_Exit(1);  // reactors are still referenced by gRPC: do not destroy them
  }
  std::printf(
      "RESULT protocol=%s clients=%d synced=%zu sync_s=%.3f sync_p50_ms=%.1f converged=%d "
      "expected=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f cp_rss_sync_mib=%.1f cp_rss_mib=%.1f "
      "cp_hwm_mib=%.1f cp_cpu_s=%.2f cp_cpu_sync_s=%.2f cp_cpu_changes_s=%.2f failed=%d\n",
      absl::GetFlag(FLAGS_protocol).c_str(), n, sync.count, sync.max / 1e3, sync.p50, all_converged,
      expected, overall.p50, overall.p99, overall.max, after_sync.rss_mib, end.rss_mib, end.hwm_mib,
      end.cpu_seconds, after_sync.cpu_seconds - before.cpu_seconds, change_cpu,
      shared.failed.load());
  std::fflush(stdout);
  const bool ok = all_synced && all_converged == expected && shared.failed.load() == 0;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "xds-scale-client register|run [flags]: simulated ADS clients for tools/bench/xds-scale");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string command = args.size() > 1 ? args[1] : "";
  if (command == "register") return registerServices();
  if (command == "run") {
    const std::string protocol = absl::GetFlag(FLAGS_protocol);
    if (protocol == "delta") return runClients<DeltaClient>();
    if (protocol == "sotw") return runClients<SotwClient>();
    std::fprintf(stderr, "xds-scale-client: --protocol must be delta or sotw\n");
    return 2;
  }
  std::fprintf(stderr, "usage: xds-scale-client register|run [flags] (--help for flags)\n");
  return 2;
}
