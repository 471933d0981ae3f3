#include "data-plane/http/wire_writer.h"

#include <gtest/gtest.h>

#include <string>

namespace portico::dp::http {
namespace {

namespace bhttp = boost::beast::http;

Request getWithHost() {
  Request request{bhttp::verb::get, "/a?b=1", 11};
  request.set(bhttp::field::host, "svc");
  request.insert("X-Custom", "1");
  return request;
}

TEST(WireWriterTest, TheAddedFieldsFollowTheRequestsOwn) {
  const Request request = getWithHost();
  AddedFields added;
  added.add("x-request-id", "abc");
  added.add("x-forwarded-for", "192.0.2.1");
  std::string head = "left over from the last request on this connection";
  writeRequestHead(request, added, head);
  EXPECT_EQ(head,
            "GET /a?b=1 HTTP/1.1\r\nHost: svc\r\nX-Custom: 1\r\n"
            "x-request-id: abc\r\nx-forwarded-for: 192.0.2.1\r\n\r\n");
  writeRequestHead(request, AddedFields{}, head);
  EXPECT_EQ(head, "GET /a?b=1 HTTP/1.1\r\nHost: svc\r\nX-Custom: 1\r\n\r\n");
}

TEST(WireWriterTest, AddedFieldsHoldFourAndRefuseAFifth) {
  AddedFields added;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(added.add("x-n", "v"));
  EXPECT_FALSE(added.add("x-fifth", "v"));
  EXPECT_EQ(added.size(), AddedFields::kCapacity);
  std::string head;
  writeRequestHead(getWithHost(), added, head);
  EXPECT_EQ(head.find("x-fifth"), std::string::npos);
  EXPECT_NE(head.find("x-n: v\r\nx-n: v\r\nx-n: v\r\nx-n: v\r\n\r\n"), std::string::npos) << head;
}

TEST(WireWriterTest, ResponseHeadsHaveTheRawLinesFirst) {
  Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_length, "2");
  std::string head;
  writeResponseHead(response, "Server: up\r\n", head);
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nServer: up\r\nContent-Length: 2\r\n\r\n");
}

}  // namespace
}  // namespace portico::dp::http
