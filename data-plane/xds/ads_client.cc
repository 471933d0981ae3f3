#include "data-plane/xds/ads_client.h"

#include <grpcpp/grpcpp.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <random>

#include "absl/time/clock.h"
#include "common/logging.h"
#include "envoy/service/discovery/v3/ads.grpc.pb.h"

namespace portico::dp::xds {

using envoy::service::discovery::v3::AggregatedDiscoveryService;
using portico::xds::typeIndex;

bool parseXdsProtocol(std::string_view text, XdsProtocol& out) {
  if (text == "delta") {
    out = XdsProtocol::kDelta;
    return true;
  }
  if (text == "sotw") {
    out = XdsProtocol::kSotw;
    return true;
  }
  return false;
}

std::string_view xdsProtocolName(XdsProtocol protocol) {
  return protocol == XdsProtocol::kDelta ? "delta" : "sotw";
}

namespace {

// What differs between the two streams, chosen by the core's type.
auto openStream(AggregatedDiscoveryService::Stub& stub, grpc::ClientContext* context,
                const AdsClientCore&) {
  return stub.StreamAggregatedResources(context);
}
auto openStream(AggregatedDiscoveryService::Stub& stub, grpc::ClientContext* context,
                const DeltaClientCore&) {
  return stub.DeltaAggregatedResources(context);
}
const std::string& versionOf(const DiscoveryResponse& response) { return response.version_info(); }
const std::string& versionOf(const DeltaDiscoveryResponse& response) {
  return response.system_version_info();
}

envoy::config::core::v3::Node makeNode(const AdsClient::Options& options) {
  envoy::config::core::v3::Node node;
  node.set_id(options.node_id);
  node.set_cluster(options.group);
  if (!options.zone.empty()) node.mutable_locality()->set_zone(options.zone);
  node.set_user_agent_name("portico-proxy");
  node.set_user_agent_version("0.1.0");
  return node;
}

}  // namespace

AdsClient::AdsClient(Options options, ApplyFn apply, prometheus::Registry& metrics)
    : options_(std::move(options)) {
  if (options_.protocol == XdsProtocol::kDelta) {
    delta_ = std::make_unique<DeltaClientCore>(makeNode(options_), std::move(apply));
  } else {
    sotw_ = std::make_unique<AdsClientCore>(makeNode(options_), std::move(apply));
  }
  connected_gauge_ = &prometheus::BuildGauge()
                          .Name("portico_proxy_xds_connected")
                          .Help("1 while the ADS stream to the control plane is up")
                          .Register(metrics)
                          .Add({});
  auto& updates = prometheus::BuildCounter()
                      .Name("portico_proxy_xds_updates_total")
                      .Help("xDS responses applied (accepted) or refused with a NACK (rejected)")
                      .Register(metrics);
  for (auto type : portico::xds::kAllResourceTypes) {
    const std::string name(portico::xds::shortName(type));
    accepted_[typeIndex(type)] = &updates.Add({{"type", name}, {"result", "accepted"}});
    rejected_[typeIndex(type)] = &updates.Add({{"type", name}, {"result", "rejected"}});
  }
}

AdsClient::~AdsClient() { stop(); }

void AdsClient::start() {
  thread_ = std::thread([this] { run(); });
}

void AdsClient::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (context_ != nullptr) {
      context_->TryCancel();
    }
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void AdsClient::run() {
  std::mt19937_64 rng(std::random_device{}());
  absl::Duration backoff = options_.backoff_base;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    const bool progressed = delta_ ? runStream(*delta_) : runStream(*sotw_);
    if (progressed) {
      backoff = options_.backoff_base;
    }
    // Jitter: wait between half and all of the current backoff.
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    const absl::Duration wait = backoff * jitter(rng);
    backoff = std::min(backoff * 2, options_.backoff_max);
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, absl::ToChronoNanoseconds(wait), [this] { return stopping_; })) {
      return;
    }
  }
}

bool AdsClient::initialFetchDone() const {
  return delta_ ? delta_->initialFetchDone() : sotw_->initialFetchDone();
}

void AdsClient::updateReady() {
  if (!ready_.load() && initialFetchDone()) {
    ready_.store(true);
    PORTICO_LOG(kInfo, "xds: initial configuration applied; ready");
  }
}

bool AdsClient::ready() const {
  if (ready_.load()) {
    return true;
  }
  const int64_t first = first_lds_ms_.load();
  return first != 0 && absl::ToUnixMillis(absl::Now()) - first >
                           absl::ToInt64Milliseconds(options_.initial_fetch_timeout);
}

template <typename Core>
bool AdsClient::runStream(Core& core) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetMaxReceiveMessageSize(64 << 20);
  if (!options_.tls_server_name.empty()) {
    args.SetSslTargetNameOverride(options_.tls_server_name);
  }
  auto channel = grpc::CreateCustomChannel(
      options_.target, options_.credentials ? options_.credentials : grpc::InsecureChannelCredentials(), args);
  auto stub = AggregatedDiscoveryService::NewStub(channel);
  grpc::ClientContext context;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    context_ = &context;
  }
  auto stream = openStream(*stub, &context, core);
  bool progressed = false;
  bool ok = true;
  for (const auto& request : core.streamStart()) {
    ok = ok && stream->Write(request);
  }
  typename Core::Response response;
  while (ok && stream->Read(&response)) {
    if (!progressed) {
      progressed = true;
      connected_.store(true);
      connected_gauge_->Set(1);
      PORTICO_LOG(kInfo, "xds: connected to ", options_.target, " (",
                  xdsProtocolName(options_.protocol), ")");
    }
    typename Core::Result result = core.onResponse(response);
    if (result.type) {
      const int i = typeIndex(*result.type);
      if (result.accepted) {
        accepted_[i]->Increment();
        if (*result.type == portico::xds::ResourceType::kListener && first_lds_ms_.load() == 0) {
          first_lds_ms_.store(absl::ToUnixMillis(absl::Now()));
        }
        PORTICO_LOG(kDebug, "xds: accepted ", portico::xds::shortName(*result.type), " version ",
                    versionOf(response));
      } else {
        rejected_[i]->Increment();
        PORTICO_LOG(kWarning, "xds: rejected ", portico::xds::shortName(*result.type), " version ",
                    versionOf(response), ": ", result.error);
      }
    }
    updateReady();
    for (const auto& request : result.requests) {
      if (!stream->Write(request)) {
        ok = false;
        break;
      }
    }
  }
  context.TryCancel();
  grpc::Status status = stream->Finish();
  {
    std::lock_guard<std::mutex> lock(mu_);
    context_ = nullptr;
  }
  if (connected_.exchange(false)) {
    connected_gauge_->Set(0);
  }
  const std::string why = status.error_message().empty() ? "closed" : status.error_message();
  if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED && !told_unimplemented_) {
    told_unimplemented_ = true;
    PORTICO_LOG(kError, "xds: ", options_.target, " does not serve the ",
                xdsProtocolName(options_.protocol), " ADS stream (", why,
                "); retrying; an older control plane needs --xds_protocol=",
                options_.protocol == XdsProtocol::kDelta ? "sotw" : "delta");
  }
  if (progressed) {
    last_failure_.clear();
    PORTICO_LOG(kWarning, "xds: stream to ", options_.target, " ended (", why,
                "); keeping the last configuration and reconnecting");
  } else if (why != last_failure_) {
    // Once per distinct reason: a refused TLS handshake or a missing client certificate must
    // be visible without debug logs, but not repeated at every retry.
    last_failure_ = why;
    PORTICO_LOG(kWarning, "xds: cannot reach ", options_.target, " (", why, "); retrying with backoff");
  } else {
    PORTICO_LOG(kDebug, "xds: cannot reach ", options_.target, " (", why, "); retrying");
  }
  return progressed;
}

}  // namespace portico::dp::xds
