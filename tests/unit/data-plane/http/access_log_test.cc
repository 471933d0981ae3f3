// The access log's pieces: JSON escaping, line rendering, files opened once per path, pipe
// writes in whole-line chunks, and the per-worker buffer's flush on size, on its timer and on
// destruction.

#include "data-plane/http/access_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/strings.h"
#include "data-plane/http/access_log_writer.h"

namespace portico::dp::http {
namespace {

std::string escaped(std::string_view in) {
  std::string out;
  appendJsonEscaped(in, out);
  return out;
}

TEST(AccessLogJsonTest, Escaping) {
  EXPECT_EQ(escaped("plain /a?b=c"), "plain /a?b=c");
  EXPECT_EQ(escaped("q\"b\\"), "q\\\"b\\\\");
  EXPECT_EQ(escaped("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(escaped(std::string("\x01\x1f\x7f", 3)), "\\u0001\\u001f\\u007f");
  EXPECT_EQ(escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")
      << "valid UTF-8 passes";
  EXPECT_EQ(escaped("\xff\xc3"), "\\u00ff\\u00c3") << "invalid bytes are escaped";
  EXPECT_EQ(escaped("\xc0\xaf"), "\\u00c0\\u00af") << "overlong encoding";
  EXPECT_EQ(escaped("\xed\xa0\x80"), "\\u00ed\\u00a0\\u0080") << "surrogate";
}

google::protobuf::Struct format(std::initializer_list<std::pair<const char*, const char*>> fields) {
  google::protobuf::Struct out;
  for (const auto& [key, value] : fields) (*out.mutable_fields())[key].set_string_value(value);
  return out;
}

TEST(AccessLogJsonTest, RendersSortedKeysTypedValuesAndNulls) {
  auto compiled = JsonLogFormat::compile(format({{"z", "%RESPONSE_CODE%"},
                                                 {"a\"k", "%REQ(:method)%"},
                                                 {"up", "%UPSTREAM_HOST%"},
                                                 {"id", "%REQ(x-trace-id)%"},
                                                 {"t", "%START_TIME%"}}),
                                         "x-trace-id", /*omit_empty_values=*/false, "fmt");
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  AccessLogEntry entry;
  entry.start_time =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1714564800123));
  entry.method = "GET";
  entry.status = 404;
  entry.request_id = "id\"1";
  std::string line;
  compiled->render(entry, line);
  EXPECT_EQ(line,
            "{\"a\\\"k\":\"GET\",\"id\":\"id\\\"1\",\"t\":\"2024-05-01T12:00:00.123Z\",\"up\":null,"
            "\"z\":404}\n");
}

TEST(AccessLogJsonTest, OmitEmptyValues) {
  auto compiled = JsonLogFormat::compile(
      format({{"route", "%ROUTE_NAME%"}, {"status", "%RESPONSE_CODE%"}}), "x-request-id",
      /*omit_empty_values=*/true, "fmt");
  ASSERT_TRUE(compiled.ok());
  std::string line;
  compiled->render(AccessLogEntry{}, line);
  EXPECT_EQ(line, "{\"status\":0}\n");
}

TEST(AccessLogJsonTest, EmptyFormatIsRefused) {
  auto compiled = JsonLogFormat::compile(google::protobuf::Struct(), "x-request-id", false, "fmt");
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.status().message(), "fmt: at least one key is required");
}

class AccessLogFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/portico-access-log-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    for (const std::string& path : created_) std::remove(path.c_str());
    rmdir(dir_.c_str());
  }
  std::string path(const std::string& name) {
    created_.push_back(cat(dir_, "/", name));
    return created_.back();
  }
  static std::string contents(const std::string& path) {
    std::ifstream in(path);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }
  static AccessLog logTo(std::shared_ptr<AccessLogFile> file) {
    auto compiled = JsonLogFormat::compile(format({{"path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"}}),
                                           "x-request-id", false, "fmt");
    EXPECT_TRUE(compiled.ok());
    return AccessLog{std::move(file), *std::move(compiled)};
  }

  std::string dir_;
  std::vector<std::string> created_;
};

TEST_F(AccessLogFileTest, OnePathIsOpenedOnceWhileInUse) {
  const std::string p = path("a.log");
  auto a = AccessLogFile::open(p);
  auto b = AccessLogFile::open(p);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  a->reset();
  b->reset();
  auto again = AccessLogFile::open(p);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->writeLines("x\n"));
  EXPECT_EQ(contents(p), "x\n");
}

TEST_F(AccessLogFileTest, AppendsToAnExistingFile) {
  const std::string p = path("b.log");
  { std::ofstream(p) << "old\n"; }
  auto file = AccessLogFile::open(p);
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE((*file)->writeLines("new\n"));
  EXPECT_EQ(contents(p), "old\nnew\n");
}

// A FIFO gets whole lines in chunks of at most PIPE_BUF bytes, so that two workers' writes
// never interleave inside a line; everything arrives, in order.
TEST_F(AccessLogFileTest, PipeGetsWholeLinesInAtomicChunks) {
  const std::string p = path("fifo");
  ASSERT_EQ(mkfifo(p.c_str(), 0600), 0);
  const int reader = ::open(p.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  auto file = AccessLogFile::open(p);
  ASSERT_TRUE(file.ok()) << file.status();
  std::string lines;
  for (int i = 0; i < 300; ++i) lines += cat("line ", i, " ", std::string(i % 50, 'x'), "\n");
  lines += std::string(PIPE_BUF + 100, 'L') + "\n";  // one line longer than PIPE_BUF
  ASSERT_LT(lines.size(), 60000u);  // fits the pipe buffer: no reader thread needed
  EXPECT_TRUE((*file)->writeLines(lines));
  std::string got(lines.size() + 10, '\0');
  const ssize_t n = ::read(reader, got.data(), got.size());
  ASSERT_EQ(n, static_cast<ssize_t>(lines.size()));
  got.resize(static_cast<size_t>(n));
  EXPECT_EQ(got, lines);
  ::close(reader);
}

TEST_F(AccessLogFileTest, WriterFlushesOnSizeTimerAndDestruction) {
  const std::string p = path("w.log");
  auto file = AccessLogFile::open(p);
  ASSERT_TRUE(file.ok());
  const AccessLog log = logTo(*file);
  boost::asio::io_context io;
  std::string path_value = "/p";
  AccessLogEntry entry;
  entry.path = path_value;
  {
    AccessLogWriter writer(io);
    writer.log(log, entry);
    EXPECT_EQ(contents(p), "") << "buffered";
    // The timer flushes within about 100 ms.
    io.run_for(std::chrono::milliseconds(400));
    EXPECT_EQ(contents(p), "{\"path\":\"/p\"}\n");

    // Past 64 KiB the buffer is written at once, without the timer, in whole lines.
    path_value = std::string(1000, 'a');
    entry.path = path_value;
    for (int i = 0; i < 70; ++i) writer.log(log, entry);
    const std::string after_size = contents(p);
    EXPECT_GE(after_size.size(), AccessLogWriter::kFlushBytes);
    EXPECT_EQ(after_size.back(), '\n');
    writer.log(log, entry);
    EXPECT_EQ(contents(p), after_size) << "below the threshold again: buffered";
  }  // destruction flushes
  const std::string all = contents(p);
  size_t lines = 0;
  for (char c : all) lines += c == '\n';
  EXPECT_EQ(lines, 72u);
  std::istringstream in(all);
  for (std::string line; std::getline(in, line);) {
    EXPECT_TRUE(boost::json::parse(line).is_object()) << line.substr(0, 80);
  }
}

}  // namespace
}  // namespace portico::dp::http
