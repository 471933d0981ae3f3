// The raw header lines an upstream response keeps (data-plane/http/raw_fields.h): parsing them
// into Beast fields when something must read them, and removing a field by name from the raw
// text (the gateway's own request id replaces the upstream's).

#include "data-plane/http/raw_fields.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portico::dp::http {
namespace {

namespace bhttp = boost::beast::http;

using Lines = std::vector<std::pair<std::string, std::string>>;

// The fields in serialisation order: (name as spelled, value).
Lines linesOf(const router::Fields& fields) {
  Lines out;
  for (const auto& field : fields) {
    out.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return out;
}

// Raw lines as the decoder keeps them: each appended with its name (RawFields::append).
RawFields rawOf(std::string_view lines) {
  RawFields raw;
  for (size_t pos = 0; pos < lines.size();) {
    const size_t end = lines.find("\r\n", pos) + 2;
    const std::string_view line = lines.substr(pos, end - pos);
    raw.append(line.substr(0, line.find(':')), line);
    pos = end;
  }
  return raw;
}

TEST(RawFieldsTest, AdoptKeepsOrderAndNames) {
  RawFields raw = rawOf("X-First: 1\r\ncontent-type: text/plain\r\nX-Third: 3\r\nLocation: http://a:80/p?q=1\r\n");
  router::Fields fields;
  adoptRawFields(raw, fields);
  EXPECT_EQ(linesOf(fields), (Lines{{"X-First", "1"},
                                    {"content-type", "text/plain"},
                                    {"X-Third", "3"},
                                    {"Location", "http://a:80/p?q=1"}}))
      << "the name is up to the first ':'; the value keeps later ones";
  EXPECT_EQ(fields[bhttp::field::content_type], "text/plain") << "a known name is found by its code";
  EXPECT_EQ(fields["x-third"], "3") << "and any name ignoring case";
}

TEST(RawFieldsTest, AdoptTrimsOptionalWhitespace) {
  RawFields raw = rawOf("X-A:  \t spaced \t value\t \r\nX-B:tight\r\nX-Empty:\r\nX-Blank: \t \r\nX-High: \xe9t\xe9\r\n");
  router::Fields fields;
  adoptRawFields(raw, fields);
  EXPECT_EQ(linesOf(fields), (Lines{{"X-A", "spaced \t value"},
                                    {"X-B", "tight"},
                                    {"X-Empty", ""},
                                    {"X-Blank", ""},
                                    {"X-High", "\xe9t\xe9"}}));
}

TEST(RawFieldsTest, AdoptKeepsDuplicates) {
  RawFields raw = rawOf("Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-A: 1\r\nset-cookie: c=3\r\n");
  router::Fields fields;
  adoptRawFields(raw, fields);
  std::vector<std::string> cookies;
  for (auto [it, end] = fields.equal_range(bhttp::field::set_cookie); it != end; ++it) {
    cookies.emplace_back(it->value());
  }
  EXPECT_EQ(cookies, (std::vector<std::string>{"a=1", "b=2", "c=3"})) << "all of them, in their order";
  EXPECT_EQ(fields.count("x-a"), 1u);
  // Beast keeps fields of one name together: the third Set-Cookie is serialised after the
  // second, before X-A (as it was when Beast's parser read the response).
  EXPECT_EQ(linesOf(fields),
            (Lines{{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}, {"set-cookie", "c=3"}, {"X-A", "1"}}));
}

TEST(RawFieldsTest, AdoptClearsTheRawLines) {
  RawFields raw = rawOf("X-A: 1\r\n");
  router::Fields fields;
  adoptRawFields(raw, fields);
  EXPECT_TRUE(raw.empty()) << "the lines now live in the fields only (not written twice)";
  adoptRawFields(raw, fields);  // nothing to adopt
  EXPECT_EQ(linesOf(fields), (Lines{{"X-A", "1"}}));
}

TEST(RawFieldsTest, AdoptAppendsAfterExistingFields) {
  router::Fields fields;
  fields.insert("X-Existing", "0");
  fields.insert(bhttp::field::server, "portico");
  RawFields raw = rawOf("X-New: 1\r\nX-Newer: 2\r\n");
  adoptRawFields(raw, fields);
  EXPECT_EQ(linesOf(fields), (Lines{{"X-Existing", "0"}, {"Server", "portico"}, {"X-New", "1"}, {"X-Newer", "2"}}));
}

TEST(RawFieldsTest, EraseIgnoresCaseAndRemovesEveryLineOfTheName) {
  RawFields raw = rawOf("X-Request-Id: a\r\nX-Keep: 1\r\nx-request-id: b\r\nX-Keep-Too:  2 \r\nX-REQUEST-ID:c\r\n");
  eraseRawField(raw, "X-Request-ID");
  EXPECT_EQ(raw.lines, "X-Keep: 1\r\nX-Keep-Too:  2 \r\n") << "the other lines byte for byte";
  eraseRawField(raw, "x-keep-too");
  EXPECT_EQ(raw.lines, "X-Keep: 1\r\n");
  eraseRawField(raw, "X-KEEP");
  EXPECT_EQ(raw.lines, "");
}

TEST(RawFieldsTest, EraseOfAnAbsentNameChangesNothing) {
  RawFields raw = rawOf("X-A: 1\r\nX-B: x-request-id\r\n");
  const std::string before = raw.lines;
  const char* data = raw.lines.data();
  eraseRawField(raw, "X-Request-Id");
  EXPECT_EQ(raw.lines, before) << "a value that spells the name is no match";
  EXPECT_EQ(raw.lines.data(), data) << "no copy";
  RawFields empty;
  eraseRawField(empty, "X-A");
  EXPECT_EQ(empty.lines, "");
}

TEST(RawFieldsTest, EraseMatchesWholeNamesOnly) {
  RawFields raw = rawOf("X-Foo-Bar: 1\r\nX-Fo: 2\r\nX-Foo: 3\r\nXX-Foo: 4\r\n");
  eraseRawField(raw, "X-Foo");
  EXPECT_EQ(raw.lines, "X-Foo-Bar: 1\r\nX-Fo: 2\r\nXX-Foo: 4\r\n") << "neither a longer nor a shorter name";
  eraseRawField(raw, "X-Foo-Bar");
  EXPECT_EQ(raw.lines, "X-Fo: 2\r\nXX-Foo: 4\r\n");
}

TEST(RawFieldsTest, NameBitsNeverHideAPresentName) {
  const RawFields raw = rawOf("Server: nginx\r\nDate: x\r\nContent-Type: text/plain\r\nX-Request-Id: up\r\n");
  for (std::string_view name : {"server", "DATE", "content-type", "x-request-id"}) {
    EXPECT_TRUE(raw.mayHold(name)) << name;
  }
  EXPECT_FALSE(rawOf("Content-Type: text/plain\r\n").mayHold("x-request-id"))
      << "same length, other letters: no scan needed";
}

TEST(RawFieldsTest, ErasingContentLengthForgetsThatTheLinesCarryIt) {
  RawFields raw = rawOf("X-A: 1\r\nContent-Length: 3\r\n");
  raw.has_content_length = true;
  eraseRawField(raw, "x-a");
  EXPECT_TRUE(raw.has_content_length);
  eraseRawField(raw, "content-length");
  EXPECT_FALSE(raw.has_content_length);
  EXPECT_EQ(raw.lines, "");
}

}  // namespace
}  // namespace portico::dp::http
