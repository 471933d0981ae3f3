#include "data-plane/http/filter_runner.h"

#include "data-plane/http/consumer.h"
#include "common/strings.h"

namespace portico::dp::http {

const FilterRouteConfig* effectiveConfig(const ActiveFilter& filter, const FilterState& state, bool& enabled) {
  if (state.consumer != nullptr) {
    if (const ConsumerOverride* override = state.consumer->overrideFor(filter.chain_index)) {
      enabled = !override->disabled;
      return override->config.get();
    }
  }
  enabled = filter.enabled;
  return filter.config.get();
}

namespace {

void countReply(const ActiveFilter& filter, const FilterState& state) {
  if (filter.replies != nullptr) filter.replies->count(state.worker_index, state.reply.status);
}

// A consumer whose plugin overrides enable a filter this proxy does not implement is refused
// once identified (fail closed; see Consumer::blocked_by_filter).
bool blockedConsumer(FilterState& state) {
  if (state.consumer == nullptr || state.consumer->blocked_by_filter.empty()) return false;
  state.reply.status = 503;
  state.reply.code = "filter_not_supported";
  state.reply.message = cat("consumer \"", state.consumer->name, "\" enables filter ",
                            state.consumer->blocked_by_filter, ", which this proxy version does not implement");
  return true;
}

}  // namespace

FilterStatus runDecoders(const ActiveFilters& filters, FilterState& state, size_t& next) {
  for (; next < filters.size(); ++next) {
    const ActiveFilter& filter = filters[next];
    bool enabled = false;
    const FilterRouteConfig* config = effectiveConfig(filter, state, enabled);
    if (!enabled || (state.cors_preflight && !filter.filter->answersCorsPreflight())) continue;
    state.decoded |= uint32_t{1} << filter.chain_index;
    state.decoded_config[filter.chain_index] = config;
    const FilterStatus status = filter.filter->decodeHeaders(state, config);
    if (status == FilterStatus::kAsync) return status;
    if (status == FilterStatus::kLocalReply) {
      countReply(filter, state);
      ++next;
      return status;
    }
    if (blockedConsumer(state)) {
      ++next;
      return FilterStatus::kLocalReply;
    }
  }
  return FilterStatus::kContinue;
}

net::Awaitable<FilterStatus> asyncDecoder(const ActiveFilters& filters, FilterState& state, size_t& next) {
  const ActiveFilter& filter = filters[next];
  ++next;
  FilterStatus status =
      co_await filter.filter->decodeHeadersAsync(state, state.decoded_config[filter.chain_index]);
  if (status == FilterStatus::kLocalReply) countReply(filter, state);
  if (status == FilterStatus::kContinue && blockedConsumer(state)) co_return FilterStatus::kLocalReply;
  co_return status == FilterStatus::kAsync ? FilterStatus::kContinue : status;
}

void runEncoders(const ActiveFilters& filters, FilterState& state, router::Response& response) {
  for (size_t i = filters.size(); i-- > 0;) {
    const ActiveFilter& filter = filters[i];
    if ((state.decoded & (uint32_t{1} << filter.chain_index)) == 0) continue;
    filter.filter->encodeHeaders(state, response, state.decoded_config[filter.chain_index]);
  }
  for (const auto& [name, value] : state.response_headers) {
    response.set(name, value);
  }
}

}  // namespace portico::dp::http
