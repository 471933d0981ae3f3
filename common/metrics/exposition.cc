#include "common/metrics/exposition.h"

#include <prometheus/collectable.h>
#include <prometheus/text_serializer.h>

namespace portico::metrics {

void Exposition::add(std::shared_ptr<prometheus::Collectable> source) {
  std::lock_guard<std::mutex> lock(mu_);
  sources_.push_back(std::move(source));
}

std::string Exposition::render() const {
  std::vector<prometheus::MetricFamily> families;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& source : sources_) {
      auto collected = source->Collect();
      families.insert(families.end(), std::make_move_iterator(collected.begin()),
                      std::make_move_iterator(collected.end()));
    }
  }
  prometheus::TextSerializer serializer;
  return serializer.Serialize(families);
}

}  // namespace portico::metrics
