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

namespace {

envoy::config::core::v3::Node makeNode(const AdsClient::Options& options) {
  envoy::config::core::v3::Node node;
  node.set_id(options.node_id);
  node.set_cluster(options.group);
  node.set_user_agent_name("portico-proxy");
  node.set_user_agent_version("0.1.0");
  return node;
}

}  // namespace

AdsClient::AdsClient(Options options, AdsClientCore::Apply apply, prometheus::Registry& metrics)
    : options_(std::move(options)), core_(makeNode(options_), std::move(apply)) {
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
    const bool progressed = runStream();
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

void AdsClient::updateReady() {
  if (!ready_.load() && core_.initialFetchDone()) {
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

bool AdsClient::runStream() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetMaxReceiveMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel(options_.target, grpc::InsecureChannelCredentials(), args);
  auto stub = AggregatedDiscoveryService::NewStub(channel);
  grpc::ClientContext context;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    context_ = &context;
  }
  auto stream = stub->StreamAggregatedResources(&context);
  bool progressed = false;
  bool ok = true;
  for (const auto& request : core_.streamStart()) {
    ok = ok && stream->Write(request);
  }
  envoy::service::discovery::v3::DiscoveryResponse response;
  while (ok && stream->Read(&response)) {
    if (!progressed) {
      progressed = true;
      connected_.store(true);
      connected_gauge_->Set(1);
      PORTICO_LOG(kInfo, "xds: connected to ", options_.target);
    }
    AdsClientCore::Result result = core_.onResponse(response);
    if (result.type) {
      const int i = typeIndex(*result.type);
      if (result.accepted) {
        accepted_[i]->Increment();
        if (*result.type == portico::xds::ResourceType::kListener && first_lds_ms_.load() == 0) {
          first_lds_ms_.store(absl::ToUnixMillis(absl::Now()));
        }
        PORTICO_LOG(kDebug, "xds: accepted ", portico::xds::shortName(*result.type), " version ",
                    response.version_info());
      } else {
        rejected_[i]->Increment();
        PORTICO_LOG(kWarning, "xds: rejected ", portico::xds::shortName(*result.type), " version ",
                    response.version_info(), ": ", result.error);
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
  if (progressed) {
    PORTICO_LOG(kWarning, "xds: stream to ", options_.target, " ended (", why,
                "); keeping the last configuration and reconnecting");
  } else {
    PORTICO_LOG(kDebug, "xds: cannot reach ", options_.target, " (", why, "); retrying");
  }
  return progressed;
}

}  // namespace portico::dp::xds
