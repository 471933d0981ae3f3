#include "common/duration.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/time/time.h"

namespace portico {
namespace {

std::string errorOf(std::string_view text) {
  auto parsed = parseDuration(text);
  EXPECT_FALSE(parsed.ok()) << text << " parsed as " << parsed.value_or(absl::ZeroDuration());
  if (parsed.ok()) {
    return "";
  }
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

TEST(ParseDurationTest, AcceptsSingleUnits) {
  EXPECT_EQ(*parseDuration("250ms"), absl::Milliseconds(250));
  EXPECT_EQ(*parseDuration("5s"), absl::Seconds(5));
  EXPECT_EQ(*parseDuration("1m"), absl::Minutes(1));
  EXPECT_EQ(*parseDuration("2h"), absl::Hours(2));
  EXPECT_EQ(*parseDuration("100us"), absl::Microseconds(100));
  EXPECT_EQ(*parseDuration("10ns"), absl::Nanoseconds(10));
  EXPECT_EQ(*parseDuration("0s"), absl::ZeroDuration());
}

TEST(ParseDurationTest, AcceptsFractionsAndChainedUnits) {
  EXPECT_EQ(*parseDuration("1.5s"), absl::Milliseconds(1500));
  EXPECT_EQ(*parseDuration("1m30s"), absl::Seconds(90));
  EXPECT_EQ(*parseDuration("1h2m3s"), absl::Hours(1) + absl::Minutes(2) + absl::Seconds(3));
  EXPECT_EQ(*parseDuration("1s500ms"), absl::Milliseconds(1500));
}

TEST(ParseDurationTest, RefusesEmpty) {
  EXPECT_EQ(errorOf(""), "empty duration; expected a number with a unit, e.g. 250ms, 5s, 1m");
}

TEST(ParseDurationTest, RefusesMissingUnit) {
  EXPECT_EQ(errorOf("5"),
            "missing or unknown unit in duration \"5\"; units are ns, us, ms, s, m, h");
}

TEST(ParseDurationTest, RefusesUnknownUnit) {
  EXPECT_EQ(errorOf("5x"),
            "missing or unknown unit in duration \"5x\"; units are ns, us, ms, s, m, h");
}

TEST(ParseDurationTest, RefusesUnitsOutOfOrder) {
  EXPECT_EQ(errorOf("1s30m"), "units out of order in duration \"1s30m\"; write larger units first");
  EXPECT_EQ(errorOf("1s1s"), "units out of order in duration \"1s1s\"; write larger units first");
}

TEST(ParseDurationTest, RefusesNegative) {
  EXPECT_EQ(errorOf("-1s"),
            "invalid duration \"-1s\"; expected a number with a unit, e.g. 250ms, 5s, 1m");
}

TEST(ParseDurationTest, RefusesMalformedNumber) {
  EXPECT_EQ(errorOf("1..5s"), "invalid number in duration \"1..5s\"");
  EXPECT_EQ(errorOf("s"),
            "invalid duration \"s\"; expected a number with a unit, e.g. 250ms, 5s, 1m");
}

}  // namespace
}  // namespace portico
