#include "data-plane/upstream/lb/lb_stats.h"

namespace portico::dp::upstream::lb {

LbStats::LbStats(int workers)
    : panic_(std::make_shared<metrics::CounterFamily>(
          "portico_proxy_lb_panic_total",
          "Load-balancing picks made in panic mode: too few healthy endpoints, so all were eligible",
          workers)) {}

}  // namespace portico::dp::upstream::lb
