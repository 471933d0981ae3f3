#pragma once

// Builds a cluster's load-balancing tables once, when the snapshot is compiled (xDS thread):
// only those its policy uses (round robin: the smooth schedule; random: running weight sums;
// ring hash: the ring; Maglev: the table). They are immutable afterwards and shared by every
// worker, so no worker ever builds or locks anything to pick.

#include "data-plane/upstream/cluster.h"
#include "data-plane/upstream/lb/table_cache.h"

namespace portico::dp::upstream::lb {

// Fills the tables of `cluster` from its endpoints and LbConfig; call after the endpoints are
// final. With a `cache`, a table equal to one a live snapshot already holds is shared instead
// of rebuilt (table_cache.h); null builds every table afresh (tests, tools).
void buildLbTables(Cluster& cluster, TableCache* cache = nullptr);

}  // namespace portico::dp::upstream::lb
