#pragma once

// A hit's answer, whichever backend it came from: the stored response as the request's local
// reply, with its Age and X-Cache: HIT.

#include <cstdint>

#include "data-plane/filters/cache/response_store.h"
#include "data-plane/http/filter.h"

namespace portico::dp::filters::cache {

inline constexpr char kXCache[] = "X-Cache";

// Fills `state.reply` with `stored` (copied) and `age` (seconds).
void answerFromCache(http::FilterState& state, const StoredResponse& stored, int64_t age);

}  // namespace portico::dp::filters::cache
