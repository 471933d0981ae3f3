#include "data-plane/filters/cache/cache_stats.h"

#include <prometheus/metric_family.h>

#include "data-plane/filters/cache/response_store.h"

namespace portico::dp::filters::cache {

namespace {

prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type) {
  prometheus::MetricFamily out;
  out.name = name;
  out.help = help;
  out.type = type;
  return out;
}

void add(prometheus::MetricFamily& family, double value, std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  if (family.type == prometheus::MetricType::Gauge) {
    metric.gauge.value = value;
  } else {
    metric.counter.value = value;
  }
  family.metric.push_back(std::move(metric));
}

prometheus::MetricFamily counter(const char* name, const char* help, double value) {
  prometheus::MetricFamily out = family(name, help, prometheus::MetricType::Counter);
  add(out, value);
  return out;
}

prometheus::MetricFamily gauge(const char* name, const char* help, double value) {
  prometheus::MetricFamily out = family(name, help, prometheus::MetricType::Gauge);
  add(out, value);
  return out;
}

double read(const std::atomic<uint64_t>& value) { return static_cast<double>(value.load(std::memory_order_relaxed)); }

}  // namespace

CacheStats::CacheStats(size_t worker_count)
    : shards(std::max<size_t>(worker_count, 1)),
      hits(static_cast<int>(shards)),
      misses(static_cast<int>(shards)),
      bypasses(static_cast<int>(shards)),
      coalesced(static_cast<int>(shards)),
      stores(static_cast<int>(shards)),
      redis_lookup_errors(static_cast<int>(shards)),
      redis_store_errors(static_cast<int>(shards)) {
  for (auto& counter : not_stored) counter = std::make_unique<metrics::ShardedCounter>(static_cast<int>(shards));
}

std::vector<prometheus::MetricFamily> CacheMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  out.push_back(counter("portico_proxy_cache_hits_total", "Requests answered from the response cache",
                        static_cast<double>(stats_.hits.total())));
  out.push_back(counter("portico_proxy_cache_misses_total",
                        "Cacheable requests not found in the response cache (sent upstream)",
                        static_cast<double>(stats_.misses.total())));
  out.push_back(counter("portico_proxy_cache_bypasses_total",
                        "Requests on routes with the cache whose method is not cached",
                        static_cast<double>(stats_.bypasses.total())));
  out.push_back(counter("portico_proxy_cache_coalesced_total",
                        "Requests that waited for another request's response to the same key",
                        static_cast<double>(stats_.coalesced.total())));
  out.push_back(counter("portico_proxy_cache_stores_total", "Responses stored in the cache",
                        static_cast<double>(stats_.stores.total())));
  prometheus::MetricFamily not_stored =
      family("portico_proxy_cache_not_stored_total", "Responses to cacheable requests not stored, by reason",
             prometheus::MetricType::Counter);
  for (int i = 0; i < kNotStoredCount; ++i) {
    add(not_stored, static_cast<double>(stats_.not_stored[static_cast<size_t>(i)]->total()),
        {{"reason", notStoredName(static_cast<NotStored>(i))}});
  }
  out.push_back(std::move(not_stored));
  prometheus::MetricFamily redis_errors =
      family("portico_proxy_cache_redis_errors_total",
             "Backend redis: commands that failed (unreachable, timed out, bad reply), by operation",
             prometheus::MetricType::Counter);
  add(redis_errors, static_cast<double>(stats_.redis_lookup_errors.total()), {{"op", "lookup"}});
  add(redis_errors, static_cast<double>(stats_.redis_store_errors.total()), {{"op", "store"}});
  add(redis_errors, read(stats_.redis_purge_errors), {{"op", "purge"}});
  out.push_back(std::move(redis_errors));
  out.push_back(counter("portico_proxy_cache_evictions_total", "Entries evicted to make room (LRU)",
                        static_cast<double>(store_.evictions())));
  out.push_back(counter("portico_proxy_cache_purges_total", "Purge commands applied", read(stats_.purges)));
  out.push_back(counter("portico_proxy_cache_full_purges_total",
                        "Purges of the whole cache because purge commands were missed", read(stats_.full_purges)));
  out.push_back(counter("portico_proxy_cache_purged_entries_total", "Entries removed by purges",
                        read(stats_.purged_entries)));
  out.push_back(gauge("portico_proxy_cache_bytes", "Bytes charged by the cached entries",
                      static_cast<double>(store_.bytes())));
  out.push_back(gauge("portico_proxy_cache_entries", "Entries in the cache", static_cast<double>(store_.entries())));
  out.push_back(gauge("portico_proxy_cache_capacity_bytes", "The cache's byte budget (the largest max_size configured)",
                      static_cast<double>(store_.capacity())));
  return out;
}

}  // namespace portico::dp::filters::cache
