#include "control-plane/registry/instance_validator.h"

#include <gtest/gtest.h>

#include <string>

namespace portico::cp::registry {
namespace {

Instance validInstance() {
  Instance instance;
  instance.set_service("orders");
  instance.set_id("orders-1");
  instance.set_address("10.0.0.1");
  instance.set_port(8080);
  return instance;
}

// The InvalidArgument message validateAndDefault gives, or "" when it accepts.
std::string errorOf(Instance instance) {
  absl::Status status = validateAndDefault(instance);
  if (status.ok()) {
    return "";
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return std::string(status.message());
}

TEST(InstanceValidatorTest, AcceptsAValidInstanceAndAppliesDefaults) {
  Instance instance = validInstance();
  instance.set_expires_unix_ms(12345);  // output-only: cleared
  ASSERT_TRUE(validateAndDefault(instance).ok());
  EXPECT_EQ(instance.weight(), kDefaultWeight);
  EXPECT_EQ(instance.weight(), 1u);
  EXPECT_EQ(instance.ttl_seconds(), kDefaultTtlSeconds);
  EXPECT_EQ(instance.ttl_seconds(), 30u);
  EXPECT_EQ(instance.expires_unix_ms(), 0);
}

TEST(InstanceValidatorTest, AcceptsIpv6AndBounds) {
  Instance instance = validInstance();
  instance.set_address("::1");
  instance.set_port(65535);
  instance.set_weight(128);
  instance.set_ttl_seconds(86400);
  instance.set_zone("eu-west-1a");
  ASSERT_TRUE(validateAndDefault(instance).ok());
  EXPECT_EQ(instance.weight(), 128u);
  EXPECT_EQ(instance.ttl_seconds(), 86400u);

  instance.set_port(1);
  instance.set_weight(1);
  instance.set_ttl_seconds(1);
  EXPECT_EQ(errorOf(instance), "");
}

TEST(InstanceValidatorTest, RefusesPortZero) {
  Instance instance = validInstance();
  instance.set_port(0);
  EXPECT_EQ(errorOf(instance), "port: 0 is out of range (1..65535)");
}

TEST(InstanceValidatorTest, RefusesPortAbove65535) {
  Instance instance = validInstance();
  instance.set_port(70000);
  EXPECT_EQ(errorOf(instance), "port: 70000 is out of range (1..65535)");
}

TEST(InstanceValidatorTest, RefusesEmptyAddress) {
  Instance instance = validInstance();
  instance.set_address("");
  EXPECT_EQ(errorOf(instance), "address: required (an IPv4 or IPv6 literal)");
}

TEST(InstanceValidatorTest, RefusesHostNameAddress) {
  Instance instance = validInstance();
  instance.set_address("orders.internal");
  EXPECT_EQ(errorOf(instance), "address: \"orders.internal\" is not an IPv4 or IPv6 literal");
  instance.set_address("[::1]");
  EXPECT_EQ(errorOf(instance), "address: \"[::1]\" is not an IPv4 or IPv6 literal");
}

TEST(InstanceValidatorTest, WeightZeroDefaultsAndAbove128IsRefused) {
  Instance instance = validInstance();
  instance.set_weight(0);
  ASSERT_TRUE(validateAndDefault(instance).ok());
  EXPECT_EQ(instance.weight(), 1u);

  instance.set_weight(129);
  EXPECT_EQ(errorOf(instance), "weight: 129 is out of range (1..128)");
}

TEST(InstanceValidatorTest, TtlZeroDefaultsAndAboveADayIsRefused) {
  Instance instance = validInstance();
  instance.set_ttl_seconds(0);
  ASSERT_TRUE(validateAndDefault(instance).ok());
  EXPECT_EQ(instance.ttl_seconds(), 30u);

  instance.set_ttl_seconds(86401);
  EXPECT_EQ(errorOf(instance), "ttl_seconds: 86401 is out of range (1..86400)");
}

TEST(InstanceValidatorTest, ServiceNames) {
  for (const std::string& good : {std::string("a"), std::string("Orders.v1_x-y"),
                                  std::string("9lives"), std::string(63, 's')}) {
    EXPECT_TRUE(validateServiceName(good).ok()) << good;
  }
  for (const std::string& bad :
       {std::string(""), std::string("-orders"), std::string(".orders"), std::string("_orders"),
        std::string("orders/v1"), std::string("or ders"), std::string("orders:1"),
        std::string(64, 's')}) {
    absl::Status status = validateServiceName(bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(status.message(),
              "service: \"" + bad +
                  "\" is not a valid service name (1..63 characters of A-Z a-z 0-9 . "
                  "_ -, starting with a letter or digit)");
  }
}

TEST(InstanceValidatorTest, InstanceIds) {
  for (const std::string& good : {std::string("o"), std::string("10.0.0.1:8080"),
                                  std::string("-x_y.z"), std::string(128, 'i')}) {
    EXPECT_TRUE(validateInstanceId(good).ok()) << good;
  }
  for (const std::string& bad : {std::string(""), std::string("a b"), std::string("a/b"),
                                 std::string("a@b"), std::string(129, 'i')}) {
    absl::Status status = validateInstanceId(bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(status.message(),
              "id: \"" + bad +
                  "\" is not a valid instance id (1..128 characters of A-Z a-z 0-9 . _ : -)");
  }
}

TEST(InstanceValidatorTest, BadNamesAreReportedBeforeOtherFields) {
  Instance instance = validInstance();
  instance.set_service("bad/service");
  instance.set_port(0);
  EXPECT_EQ(errorOf(instance),
            "service: \"bad/service\" is not a valid service name (1..63 characters of A-Z a-z 0-9 "
            ". _ -, "
            "starting with a letter or digit)");
  instance = validInstance();
  instance.set_id("bad id");
  instance.set_address("");
  EXPECT_EQ(errorOf(instance),
            "id: \"bad id\" is not a valid instance id (1..128 characters of A-Z a-z 0-9 . _ : -)");
}

TEST(InstanceValidatorTest, Zone) {
  Instance instance = validInstance();
  instance.set_zone(std::string(64, 'z'));
  EXPECT_EQ(errorOf(instance), "");
  instance.set_zone(std::string(65, 'z'));
  EXPECT_EQ(errorOf(instance), "zone: at most 64 characters of A-Z a-z 0-9 . _ -");
  instance.set_zone("us east");
  EXPECT_EQ(errorOf(instance), "zone: at most 64 characters of A-Z a-z 0-9 . _ -");
}

TEST(InstanceValidatorTest, MetadataLimits) {
  Instance instance = validInstance();
  for (int i = 0; i < 32; ++i) {
    (*instance.mutable_metadata())["k" + std::to_string(i)] = "v";
  }
  EXPECT_EQ(errorOf(instance), "");
  (*instance.mutable_metadata())["k32"] = "v";
  EXPECT_EQ(errorOf(instance), "metadata: at most 32 entries");

  instance = validInstance();
  (*instance.mutable_metadata())[std::string(64, 'k')] = std::string(256, 'v');
  EXPECT_EQ(errorOf(instance), "");

  instance = validInstance();
  (*instance.mutable_metadata())[""] = "v";
  EXPECT_EQ(errorOf(instance),
            "metadata: key \"\" must be 1..64 characters and its value at most 256");

  instance = validInstance();
  const std::string long_key(65, 'k');
  (*instance.mutable_metadata())[long_key] = "v";
  EXPECT_EQ(errorOf(instance), "metadata: key \"" + long_key +
                                   "\" must be 1..64 characters and its value at most 256");

  instance = validInstance();
  (*instance.mutable_metadata())["version"] = std::string(257, 'v');
  EXPECT_EQ(errorOf(instance),
            "metadata: key \"version\" must be 1..64 characters and its value at most 256");
}

}  // namespace
}  // namespace portico::cp::registry
