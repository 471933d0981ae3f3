#include "data-plane/http/filter_runner.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <string>
#include <vector>

#include "data-plane/http/consumer.h"

namespace portico::dp::http {
namespace {

// Records what ran, in order, into a shared log; behaves as told.
class ScriptedFilter : public HttpFilter {
 public:
  ScriptedFilter(std::string name, std::vector<std::string>* log, FilterStatus status = FilterStatus::kContinue,
                 bool preflight = false)
      : name_(std::move(name)), log_(log), status_(status), preflight_(preflight) {}

  FilterStatus decodeHeaders(FilterState& state, const FilterRouteConfig* config) const override {
    log_->push_back("decode:" + name_ + (config != nullptr ? "+config" : ""));
    if (status_ == FilterStatus::kLocalReply) state.reply.status = 401;
    return status_;
  }
  net::Awaitable<FilterStatus> decodeHeadersAsync(FilterState& state, const FilterRouteConfig*) const override {
    co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable_t<net::Executor>());
    log_->push_back("async:" + name_);
    state.consumer = consumer_after_async;
    co_return FilterStatus::kContinue;
  }
  bool answersCorsPreflight() const override { return preflight_; }
  void encodeHeaders(FilterState&, router::Response& response, const FilterRouteConfig*) const override {
    log_->push_back("encode:" + name_);
    response.insert("x-encoded", name_);
  }

  const Consumer* consumer_after_async = nullptr;

 private:
  std::string name_;
  std::vector<std::string>* log_;
  FilterStatus status_;
  bool preflight_;
};

class Marker : public FilterRouteConfig {};

ActiveFilter active(std::shared_ptr<const HttpFilter> filter, uint16_t index, bool enabled,
                    FilterRouteConfigConstSharedPtr config = nullptr) {
  ActiveFilter out;
  out.filter = std::move(filter);
  out.chain_index = index;
  out.enabled = enabled;
  out.config = std::move(config);
  return out;
}

TEST(FilterRunnerTest, RunsEnabledFiltersInOrderAndEncodesInReverse) {
  std::vector<std::string> log;
  ActiveFilters filters = {active(std::make_shared<ScriptedFilter>("a", &log), 0, true),
                           active(std::make_shared<ScriptedFilter>("off", &log), 1, false),
                           active(std::make_shared<ScriptedFilter>("c", &log), 2, true, std::make_shared<Marker>())};
  FilterState state;
  size_t next = 0;
  EXPECT_EQ(runDecoders(filters, state, next), FilterStatus::kContinue);
  EXPECT_EQ(next, 3u);
  router::Response response;
  runEncoders(filters, state, response);
  EXPECT_EQ(log, (std::vector<std::string>{"decode:a", "decode:c+config", "encode:c", "encode:a"}));
}

TEST(FilterRunnerTest, LocalReplyStopsTheChainButEarlierFiltersStillEncode) {
  std::vector<std::string> log;
  ActiveFilters filters = {active(std::make_shared<ScriptedFilter>("cors", &log), 0, true),
                           active(std::make_shared<ScriptedFilter>("auth", &log, FilterStatus::kLocalReply), 1, true),
                           active(std::make_shared<ScriptedFilter>("later", &log), 2, true)};
  FilterState state;
  size_t next = 0;
  EXPECT_EQ(runDecoders(filters, state, next), FilterStatus::kLocalReply);
  EXPECT_EQ(state.reply.status, 401);
  router::Response response;
  runEncoders(filters, state, response);
  EXPECT_EQ(log, (std::vector<std::string>{"decode:cors", "decode:auth", "encode:auth", "encode:cors"}));
}

TEST(FilterRunnerTest, ConsumerOverridesSwitchFiltersAndReplaceConfigs) {
  std::vector<std::string> log;
  auto marker = std::make_shared<Marker>();
  ActiveFilters filters = {active(std::make_shared<ScriptedFilter>("off-on-route", &log), 0, false),
                           active(std::make_shared<ScriptedFilter>("on-on-route", &log), 1, true)};
  Consumer consumer;
  consumer.overrides.push_back({0, false, marker});  // switched on, with its own config
  consumer.overrides.push_back({1, true, nullptr});  // switched off
  FilterState state;
  state.consumer = &consumer;
  size_t next = 0;
  runDecoders(filters, state, next);
  EXPECT_EQ(log, (std::vector<std::string>{"decode:off-on-route+config"}));
}

TEST(FilterRunnerTest, ConsumerBlockedByAnUnimplementedFilterIsRefused) {
  std::vector<std::string> log;
  Consumer blocked;
  blocked.name = "limited";
  blocked.blocked_by_filter = "portico.filters.http.rate_limit";
  auto identify = std::make_shared<ScriptedFilter>("identify", &log, FilterStatus::kAsync);
  identify->consumer_after_async = &blocked;
  ActiveFilters filters = {active(identify, 0, true), active(std::make_shared<ScriptedFilter>("after", &log), 1, true)};
  FilterState state;
  boost::asio::io_context io;
  FilterStatus final_status = FilterStatus::kAsync;
  boost::asio::co_spawn(
      io.get_executor(),
      [&]() -> net::Awaitable<void> {
        size_t next = 0;
        FilterStatus status = runDecoders(filters, state, next);
        EXPECT_EQ(status, FilterStatus::kAsync);
        EXPECT_EQ(next, 0u) << "the filter that must wait";
        while (status == FilterStatus::kAsync) {
          status = co_await asyncDecoder(filters, state, next);
          if (status == FilterStatus::kContinue) status = runDecoders(filters, state, next);
        }
        final_status = status;
      },
      boost::asio::detached);
  io.run();
  EXPECT_EQ(final_status, FilterStatus::kLocalReply);
  EXPECT_EQ(state.reply.status, 503);
  EXPECT_EQ(state.reply.code, "filter_not_supported");
  EXPECT_EQ(log, (std::vector<std::string>{"decode:identify", "async:identify"})) << "nothing ran after";
}

TEST(FilterRunnerTest, AsyncFilterResumesTheChain) {
  std::vector<std::string> log;
  ActiveFilters filters = {active(std::make_shared<ScriptedFilter>("wait", &log, FilterStatus::kAsync), 0, true),
                           active(std::make_shared<ScriptedFilter>("after", &log), 1, true)};
  FilterState state;
  boost::asio::io_context io;
  boost::asio::co_spawn(
      io.get_executor(),
      [&]() -> net::Awaitable<void> {
        size_t next = 0;
        FilterStatus status = runDecoders(filters, state, next);
        while (status == FilterStatus::kAsync) {
          status = co_await asyncDecoder(filters, state, next);
          if (status == FilterStatus::kContinue) status = runDecoders(filters, state, next);
        }
        EXPECT_EQ(status, FilterStatus::kContinue);
      },
      boost::asio::detached);
  io.run();
  EXPECT_EQ(log, (std::vector<std::string>{"decode:wait", "async:wait", "decode:after"}));
}

TEST(FilterRunnerTest, PreflightRunsOnlyPreflightAnswerers) {
  std::vector<std::string> log;
  ActiveFilters filters = {active(std::make_shared<ScriptedFilter>("cors", &log, FilterStatus::kContinue, true), 0, true),
                           active(std::make_shared<ScriptedFilter>("jwt", &log), 1, true)};
  FilterState state;
  state.cors_preflight = true;
  size_t next = 0;
  EXPECT_EQ(runDecoders(filters, state, next), FilterStatus::kContinue);
  EXPECT_EQ(log, (std::vector<std::string>{"decode:cors"}));
}

TEST(FilterStateTest, ResetClearsIdentityAndReply) {
  FilterState state;
  Consumer consumer;
  state.consumer = &consumer;
  state.reply.status = 401;
  state.reply.headers.emplace_back("a", "b");
  state.response_headers.emplace_back("c", "d");
  state.decoded = 3;
  state.cors_preflight = true;
  state.reset();
  EXPECT_EQ(state.consumer, nullptr);
  EXPECT_EQ(state.reply.status, 0);
  EXPECT_TRUE(state.reply.headers.empty());
  EXPECT_TRUE(state.response_headers.empty());
  EXPECT_EQ(state.decoded, 0u);
  EXPECT_FALSE(state.cors_preflight);
}

}  // namespace
}  // namespace portico::dp::http
