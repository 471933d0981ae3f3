#pragma once

// A compiled upstream cluster: immutable, part of a config::Snapshot. Per-worker mutable state
// (round-robin cursors, connection pools) lives in the worker, not here.

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace portico::dp::upstream {

struct Endpoint {
  boost::asio::ip::tcp::endpoint address;  // resolved at compile time: no DNS on the hot path
  std::string key;                         // "ip:port", the connection-pool key
  uint32_t weight = 1;
  std::string zone;
};

struct Cluster {
  std::string name;
  int index = -1;  // position in Snapshot::clusters()
  absl::Duration connect_timeout = absl::Seconds(5);
  // Round-robin order with weights expanded (an endpoint of weight w appears w times,
  // interleaved), so a pick is one increment and one index.
  std::vector<Endpoint> endpoints;
  std::vector<uint32_t> schedule;
  bool has_assignment = false;  // an EDS ClusterLoadAssignment has arrived
};

}  // namespace portico::dp::upstream
