#pragma once

// A googletest suite sharing one GatewayFixture, started once for the suite:
//
//   class CorsTest : public GatewaySuite<CorsTest> {
//    protected:
//     static void SetUpTestSuite() { startGateway({.proxy = {.workers = 1}}, configYaml); }
//   };
//
// Every test's SetUp fails when the gateway did not start (with the reason), and a failed test
// prints the proxies' and the control plane's logs. The template parameter gives each suite its
// own gateway.

#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <memory>
#include <string>

#include "tests/support/gateway_fixture.h"

namespace portico::testing {

template <typename Suite>
class GatewaySuite : public ::testing::Test {
 protected:
  // Call from the suite's SetUpTestSuite(). `config` writes the portico.yaml for the listener
  // port the fixture picked.
  static void startGateway(GatewayFixture::Options options, const std::function<std::string(uint16_t)>& config) {
    gateway_ = std::make_unique<GatewayFixture>(std::move(options));
    const absl::Status started = gateway_->start(config(gateway_->port()));
    setup_error_ = started.ok() ? "" : started.ToString();
  }

  // A suite that starts more servers stops them in its own TearDownTestSuite(), after this one.
  static void TearDownTestSuite() { gateway_.reset(); }

  void SetUp() override { ASSERT_EQ(setup_error_, "") << "suite set-up failed"; }

  void TearDown() override {
    if (HasFailure() && gateway_ != nullptr) gateway_->printLogs(std::cerr);
  }

  static GatewayFixture& gateway() { return *gateway_; }

  // Why the suite could not start ("" when it did); a suite that starts other servers first
  // sets it when one of them fails.
  static inline std::string setup_error_;

 private:
  static inline std::unique_ptr<GatewayFixture> gateway_;
};

}  // namespace portico::testing
