#pragma once

// Builds a filter and its per-route configs through its factory, as the snapshot compiler
// does, and a FilterState over a request, for the filters' unit tests.

#include <google/protobuf/any.pb.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "data-plane/http/filter.h"

namespace portico::dp::filters::testing {

template <typename Message>
google::protobuf::Any packed(const Message& message) {
  google::protobuf::Any any;
  any.PackFrom(message);
  return any;
}

// A request and the FilterState that points into it (path and query split off the target).
struct RequestUnderTest {
  router::Request request;
  http::FilterState state;

  explicit RequestUnderTest(std::string target, boost::beast::http::verb method = boost::beast::http::verb::get) {
    request.method(method);
    request.target(target);
    request.version(11);
    state.request = &request;
    const std::string_view t(request.target().data(), request.target().size());
    const size_t question = t.find('?');
    state.path = t.substr(0, question);
    state.query = question == std::string_view::npos ? std::string_view() : t.substr(question + 1);
  }
};

inline std::string headerOr(const router::Request& request, const std::string& name, const std::string& absent = "<absent>") {
  auto it = request.find(name);
  return it == request.end() ? absent : std::string(it->value());
}

}  // namespace portico::dp::filters::testing
