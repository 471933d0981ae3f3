#pragma once

// Renders xDS resources (packed in Any) as JSON with proto field names, for config dumps.

#include <string>

namespace google::protobuf {
class Any;
class Message;
}  // namespace google::protobuf

namespace portico::xds {

// JSON of the message inside `any` (nested Anys are expanded). Types not linked into this
// binary render as {"@type": ..., "error": "unknown type"}. Secrets are redacted: an inline
// JWKS holding symmetric ("oct") keys — an HMAC secret — shows as "[redacted]".
std::string anyToJson(const google::protobuf::Any& any);
std::string messageToJson(const google::protobuf::Message& message);

}  // namespace portico::xds
