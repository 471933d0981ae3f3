// Route lookup among prefix routes allocates nothing on the heap (issue 4's performance rule).
// This executable replaces the global operator new to count allocations, so it is its own test
// binary: the count must not be disturbed by other tests' threads.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "common/strings.h"
#include "data-plane/router/route_table.h"

namespace {
std::atomic<size_t> g_allocations{0};
}  // namespace

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace portico::dp::router {
namespace {

RouteTable prefixTable(int routes) {
  VirtualHost vhost;
  vhost.name = "api";
  vhost.domains = {"api.example.com", "*.example.com"};
  for (int i = 0; i < routes; ++i) {
    Route route;
    route.name = cat("svc", i);
    route.path = cat("/svc", i, "/");
    vhost.routes.push_back(std::move(route));
  }
  return RouteTable("t", {vhost});
}

TEST(RouteLookupAllocationTest, PrefixLookupsDoNotAllocate) {
  for (int size : {10, 1000, 10000}) {
    const RouteTable table = prefixTable(size);
    const std::string hit = cat("/svc", size / 2, "/orders/42");
    const std::string miss = "/nothing/here";
    // Mixed-case host with a port: the exact-domain lookup lower-cases it on the stack.
    const size_t before = g_allocations.load();
    for (int i = 0; i < 1000; ++i) {
      const Route* found = table.match("API.example.com:8080", hit);
      ASSERT_NE(found, nullptr);
      ASSERT_EQ(table.match("api.example.com", miss), nullptr);
      ASSERT_NE(table.match("www.example.com", hit), nullptr);  // wildcard domain
    }
    EXPECT_EQ(g_allocations.load() - before, 0u) << size << " routes";
  }
}

}  // namespace
}  // namespace portico::dp::router
