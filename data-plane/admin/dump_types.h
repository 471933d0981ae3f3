#pragma once

// /config_dump renders xDS resources as JSON, including the typed_config Anys of HTTP filters.
// protobuf's JSON printer resolves an Any through the generated descriptor pool, and a message
// type is in that pool only if its generated code is linked. The proxy checks many filter
// configs by type URL alone (it accepts them without decoding them), so nothing references their
// code, the linker drops it, and every listener carrying one rendered as "cannot render as JSON".
// linkDumpTypes() references each such type once so the dump can show them.

namespace portico::dp::admin {

// Idempotent, cheap; call before serving /config_dump.
void linkDumpTypes();

}  // namespace portico::dp::admin
