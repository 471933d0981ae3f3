#include "common/xds/resource_json.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <string_view>

namespace portico::xds {

namespace {

// Walks the JSON and blanks every local_jwks that carries a symmetric key.
bool redact(boost::json::value& value) {
  bool changed = false;
  if (auto* object = value.if_object()) {
    for (auto& [key, child] : *object) {
      if (key == "local_jwks" && child.is_object()) {
        auto* inline_string = child.as_object().if_contains("inline_string");
        if (inline_string != nullptr && inline_string->is_string() &&
            std::string_view(inline_string->as_string()).find("\"oct\"") != std::string_view::npos) {
          *inline_string = "[redacted]";
          changed = true;
        }
      } else {
        changed = redact(child) || changed;
      }
    }
  } else if (auto* array = value.if_array()) {
    for (auto& child : *array) changed = redact(child) || changed;
  }
  return changed;
}

}  // namespace

std::string messageToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) {
    return "{\"error\":\"cannot render as JSON\"}";
  }
  if (out.find("local_jwks") == std::string::npos) {
    return out;  // nothing to redact: skip the re-parse
  }
  boost::json::value parsed = boost::json::parse(out);
  return redact(parsed) ? boost::json::serialize(parsed) : out;
}

std::string anyToJson(const google::protobuf::Any& any) {
  const std::string& url = any.type_url();
  const std::string type_name = url.substr(url.rfind('/') + 1);
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type_name);
  if (descriptor == nullptr) {
    return "{\"@type\":\"" + url + "\",\"error\":\"unknown type\"}";
  }
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  if (!message->ParseFromString(any.value())) {
    return "{\"@type\":\"" + url + "\",\"error\":\"cannot decode\"}";
  }
  return messageToJson(*message);
}

}  // namespace portico::xds
