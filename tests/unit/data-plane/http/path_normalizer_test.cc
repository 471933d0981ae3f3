#include "data-plane/http/path_normalizer.h"

#include <gtest/gtest.h>

#include <string>

namespace portico::dp::http {
namespace {

constexpr PathOptions kAll{true, true, EscapedSlashes::kKeep};
constexpr PathOptions kNormalizeOnly{true, false, EscapedSlashes::kKeep};

// The normalized path, "=" when unchanged, "!invalid" / "!escaped_slash" when refused.
std::string norm(std::string_view path, const PathOptions& options = kAll) {
  std::string out = "untouched";
  switch (normalizePath(path, options, out)) {
    case PathResult::kUnchanged:
      EXPECT_EQ(out, "untouched") << "an unchanged path must not be written";
      return "=";
    case PathResult::kChanged:
      EXPECT_NE(out, path);
      EXPECT_LE(out.size(), path.size());
      return out;
    case PathResult::kInvalid:
      return "!invalid";
    case PathResult::kEscapedSlash:
      return "!escaped_slash";
  }
  return "?";
}

TEST(PathNormalizerTest, NormalPathsAreUnchanged) {
  for (const char* path : {"/", "/a", "/a/b/c", "/a/b/", "/%2F", "/caf%C3%A9", "/a.b/..c/c..",
                           "/.well-known/x", "/a/...", "/~user", "/a%20b"}) {
    EXPECT_EQ(norm(path), "=") << path;
  }
}

TEST(PathNormalizerTest, RemovesDotSegments) {
  EXPECT_EQ(norm("/public/../admin"), "/admin");
  EXPECT_EQ(norm("/a/./b"), "/a/b");
  EXPECT_EQ(norm("/a/b/../../c"), "/c");
  EXPECT_EQ(norm("/.."), "/");
  EXPECT_EQ(norm("/../../x"), "/x");
  EXPECT_EQ(norm("/a/.."), "/");
  EXPECT_EQ(norm("/a/."), "/a/");
  EXPECT_EQ(norm("/a/b/.."), "/a/");
  EXPECT_EQ(norm("/a/b/../"), "/a/");
  EXPECT_EQ(norm("/."), "/");
}

TEST(PathNormalizerTest, DecodesUnreservedBeforeRemovingDotSegments) {
  EXPECT_EQ(norm("/public/%2e%2e/admin"), "/admin");
  EXPECT_EQ(norm("/public/%2E%2E/admin"), "/admin");
  EXPECT_EQ(norm("/public/.%2e/admin"), "/admin");
  EXPECT_EQ(norm("/%61%62%63"), "/abc");
  EXPECT_EQ(norm("/%7Euser"), "/~user");
  EXPECT_EQ(norm("/%2d%5f"), "/-_");
}

TEST(PathNormalizerTest, UppercasesOtherEscapesAndNeverDecodesTwice) {
  EXPECT_EQ(norm("/a%2fb"), "/a%2Fb");
  EXPECT_EQ(norm("/caf%c3%a9"), "/caf%C3%A9");
  EXPECT_EQ(norm("/%252e%252e/x"), "=") << "%25 stays escaped, so %252e is not a dot";
  EXPECT_EQ(norm("/%25%2e"), "/%25.");
}

TEST(PathNormalizerTest, BackslashIsASeparator) {
  EXPECT_EQ(norm("/public\\..\\admin"), "/admin");
  EXPECT_EQ(norm("/a\\b"), "/a/b");
}

TEST(PathNormalizerTest, MergesSlashes) {
  EXPECT_EQ(norm("//admin"), "/admin");
  EXPECT_EQ(norm("/a//b///c"), "/a/b/c");
  EXPECT_EQ(norm("/a//../b"), "/a/b") << "dot segments first (Envoy's order), then merging";
  EXPECT_EQ(norm("/a//b", kNormalizeOnly), "=");
  EXPECT_EQ(norm("/a//b", PathOptions{false, true, EscapedSlashes::kKeep}), "/a/b");
}

TEST(PathNormalizerTest, EscapedSlashActions) {
  EXPECT_EQ(norm("/a%2Fb"), "=");
  EXPECT_EQ(norm("/a%2F..%2Fadmin"), "=") << "kept: one segment, not a dot segment";
  EXPECT_EQ(norm("/a%2Fb", PathOptions{true, true, EscapedSlashes::kReject}), "!escaped_slash");
  EXPECT_EQ(norm("/a%5cb", PathOptions{false, false, EscapedSlashes::kReject}), "!escaped_slash");
  const PathOptions unescape{true, true, EscapedSlashes::kUnescape};
  EXPECT_EQ(norm("/public%2F..%2Fadmin", unescape), "/admin");
  EXPECT_EQ(norm("/a%5Cb", unescape), "/a/b");
  EXPECT_EQ(norm("/a%2F%2Fb", unescape), "/a/b");
  const PathOptions unescape_only{false, false, EscapedSlashes::kUnescape};
  EXPECT_EQ(norm("/a%2Fb%5cc", unescape_only), "/a/b\\c");
}

TEST(PathNormalizerTest, RefusesMalformedPathsWhenNormalizing) {
  EXPECT_EQ(norm("/a%zzb"), "!invalid");
  EXPECT_EQ(norm("/a%2"), "!invalid");
  EXPECT_EQ(norm("/a%"), "!invalid");
  EXPECT_EQ(norm("/a#frag"), "!invalid");
  EXPECT_EQ(norm("*"), "!invalid");
  EXPECT_EQ(norm("http://example.com/x"), "!invalid");
  EXPECT_EQ(norm(""), "!invalid");
}

TEST(PathNormalizerTest, OffLeavesEverythingAlone) {
  const PathOptions off;
  EXPECT_EQ(norm("/public/../admin", off), "=");
  EXPECT_EQ(norm("/a%zz", off), "=");
  EXPECT_EQ(norm("http://h//x", PathOptions{false, true, EscapedSlashes::kKeep}), "=")
      << "only origin-form paths are merged";
}

TEST(PathNormalizerTest, IsIdempotent) {
  for (const char* path : {"/public/../admin", "/a//./b/%2e%2E/%7e", "/x/%2f/../y", "/\\..\\",
                           "//..//..//a", "/a/b/c/../../../../d/"}) {
    std::string once;
    if (normalizePath(path, kAll, once) != PathResult::kChanged) continue;
    std::string twice;
    EXPECT_EQ(normalizePath(once, kAll, twice), PathResult::kUnchanged) << path << " → " << once;
  }
}

}  // namespace
}  // namespace portico::dp::http
