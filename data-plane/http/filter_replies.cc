#include "data-plane/http/filter_replies.h"

namespace portico::dp::http {

FilterReplies::FilterReplies(metrics::CounterFamily* family, const std::string& filter) {
  if (family == nullptr) return;
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    counters_[i] = family->get({{"filter", filter}, {"status", std::to_string(kStatuses[i])}});
  }
  counters_.back() = family->get({{"filter", filter}, {"status", "other"}});
}

void FilterReplies::count(size_t worker, int status) const {
  size_t slot = kStatuses.size();
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) slot = i;
  }
  if (counters_[slot] != nullptr) counters_[slot]->inc(static_cast<int>(worker));
}

}  // namespace portico::dp::http
