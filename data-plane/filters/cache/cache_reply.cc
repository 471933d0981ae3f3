#include "data-plane/filters/cache/cache_reply.h"

#include <memory>
#include <string>

namespace portico::dp::filters::cache {

void answerFromCache(http::FilterState& state, const StoredResponse& stored, int64_t age) {
  auto response = std::make_unique<router::Response>();
  response->result(stored.status);
  for (const auto& [name, value] : stored.headers) response->insert(name, value);
  response->body() = stored.body;
  response->set(boost::beast::http::field::age, std::to_string(age < 0 ? 0 : age));
  response->set(kXCache, "HIT");
  state.reply.response = std::move(response);
  state.reply.status = static_cast<int>(stored.status);
}

}  // namespace portico::dp::filters::cache
