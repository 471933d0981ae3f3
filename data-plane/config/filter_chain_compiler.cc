#include "data-plane/config/filter_chain_compiler.h"

#include <google/protobuf/any.pb.h>

#include <algorithm>

#include "common/strings.h"
#include "common/xds/filter_names.h"
#include "data-plane/http/consumer.h"
#include "portico/filters/consumers/v1/consumers.pb.h"

namespace portico::dp::config {

namespace {

constexpr std::string_view kConsumersType = "type.googleapis.com/portico.filters.consumers.v1.Consumers";
constexpr std::string_view kJwtPolicyType = "type.googleapis.com/portico.filters.jwt_policy.v1.JwtPolicy";

std::string filterWhere(const std::string& where, size_t index, const FilterSpec& spec) {
  return cat(where, ".http_filters[", index, "] \"", spec.name, "\"");
}

// Each consumer's plugin overrides, compiled by the factory of the filter they replace.
void compileConsumerOverrides(const portico::filters::consumers::v1::Consumers& config,
                              const std::vector<FilterSpec>& specs, const http::FilterBuildContext& context,
                              http::ConsumerTable& table, const std::string& where, std::vector<std::string>& errors) {
  std::vector<http::Consumer>& consumers = table.mutableConsumers();
  for (int c = 0; c < config.consumers_size(); ++c) {
    http::Consumer& consumer = consumers[c];
    for (int p = 0; p < config.consumers(c).plugins_size(); ++p) {
      const auto& plugin = config.consumers(c).plugins(p);
      const std::string pwhere = cat(where, ".consumers[", c, "].plugins[", p, "]");
      const std::string_view filter_name = portico::xds::filterForPlugin(plugin.name());
      auto spec = std::find_if(specs.begin(), specs.end(), [&](const FilterSpec& s) { return s.name == filter_name; });
      if (filter_name.empty() || spec == specs.end()) {
        errors.push_back(cat(pwhere, ": plugin \"", plugin.name(), "\" has no filter in this listener's http_filters"));
        continue;
      }
      http::ConsumerOverride entry;
      entry.chain_index = static_cast<size_t>(spec - specs.begin());
      entry.disabled = plugin.disabled();
      if (!spec->implemented) {
        // Fail closed: this consumer's requests cannot get the policy the operator gave it.
        if (!plugin.disabled() && consumer.blocked_by_filter.empty()) consumer.blocked_by_filter = spec->name;
        continue;
      }
      if (!entry.disabled && !plugin.config().type_url().empty()) {
        auto route_config = spec->factory->createRouteConfig(plugin.config(), context);
        if (!route_config.ok()) {
          errors.push_back(cat(pwhere, ".config: ", route_config.status().message()));
          continue;
        }
        entry.config = std::move(*route_config);
      }
      consumer.overrides.push_back(std::move(entry));
    }
    std::sort(consumer.overrides.begin(), consumer.overrides.end(),
              [](const auto& a, const auto& b) { return a.chain_index < b.chain_index; });
  }
}

}  // namespace

http::FilterBuildContext compileFilterChain(std::vector<FilterSpec>& specs, const http::FilterBuildContext& base,
                                            const std::string& where, std::vector<std::string>& errors) {
  http::FilterBuildContext context = base;
  if (specs.size() > http::FilterState::kMaxFilters) {
    errors.push_back(cat(where, ".http_filters: at most ", http::FilterState::kMaxFilters,
                         " filters besides the router are supported, got ", specs.size()));
    return context;
  }
  portico::filters::consumers::v1::Consumers consumers;
  std::shared_ptr<http::ConsumerTable> table;
  for (size_t i = 0; i < specs.size(); ++i) {
    const FilterSpec& spec = specs[i];
    if (spec.config.type_url() == kConsumersType) {
      if (!spec.config.UnpackTo(&consumers)) {
        errors.push_back(cat(filterWhere(where, i, spec), ".typed_config: cannot decode Consumers"));
        continue;
      }
      auto created = http::ConsumerTable::create(consumers);
      if (!created.ok()) {
        errors.push_back(cat(filterWhere(where, i, spec), ".typed_config.", created.status().message()));
        continue;
      }
      table = std::move(*created);
      context.consumers = table;
    } else if (spec.config.type_url() == kJwtPolicyType) {
      context.jwt_policy = &spec.config;
    }
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    FilterSpec& spec = specs[i];
    if (!spec.implemented) continue;
    auto filter = spec.factory->createFilter(spec.config, context);
    if (!filter.ok()) {
      errors.push_back(cat(filterWhere(where, i, spec), ".typed_config: ", filter.status().message()));
      continue;
    }
    spec.filter = std::move(*filter);
    spec.replies = std::make_shared<const http::FilterReplies>(context.filter_replies.get(), spec.name);
  }
  if (table != nullptr) compileConsumerOverrides(consumers, specs, context, *table, where, errors);
  return context;
}

}  // namespace portico::dp::config
