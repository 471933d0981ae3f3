#pragma once

// Authorization on what authentication established (portico.filters.authorize.v1.Authorize):
// rules on the verified JWT's claims (`claim` with `in`: the value — or, for an array claim, one
// of its elements — is one of the listed values; with `contains`: the claim, an array or an
// OAuth-style space-separated string such as `scope`, holds that element) and on the consumer's
// groups (`consumer_group`). Allowed when any `any_of` rule holds (or there are none) and every
// `all_of` rule holds; otherwise 403. A request with no identity at all fails every rule.
// Claim names may be dotted paths into nested objects ("realm_access.roles"). A route's
// override is a whole Authorize message.

#include "data-plane/http/filter.h"

namespace portico::dp::filters::authorize {

// Registered for type.googleapis.com/portico.filters.authorize.v1.Authorize.
const http::FilterFactory& authorizeFactory();

}  // namespace portico::dp::filters::authorize
