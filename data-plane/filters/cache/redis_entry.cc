#include "data-plane/filters/cache/redis_entry.h"

namespace portico::dp::filters::cache {

namespace {

constexpr std::string_view kMagic = "PCE1";
// Caps that no stored response reaches, so a corrupt count cannot make the reader reserve
// gigabytes before it notices the value is too short.
constexpr uint32_t kMaxFields = 10000;

template <typename T>
void putInt(std::string& out, T value) {
  for (int shift = static_cast<int>(sizeof(T) * 8) - 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((static_cast<uint64_t>(value) >> shift) & 0xff));
  }
}

void putString(std::string& out, std::string_view value) {
  putInt<uint32_t>(out, static_cast<uint32_t>(value.size()));
  out.append(value);
}

// Reads from a value, refusing (ok() == false from then on) anything past its end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  template <typename T>
  T getInt() {
    if (!ok_ || in_.size() < sizeof(T)) return fail<T>();
    uint64_t value = 0;
    for (size_t i = 0; i < sizeof(T); ++i) value = (value << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(sizeof(T));
    return static_cast<T>(value);
  }

  std::string getString() {
    const uint32_t size = getInt<uint32_t>();
    if (!ok_ || in_.size() < size) return fail<std::string>();
    std::string out(in_.substr(0, size));
    in_.remove_prefix(size);
    return out;
  }

  bool expect(std::string_view prefix) {
    if (!ok_ || in_.substr(0, prefix.size()) != prefix) return fail<bool>();
    in_.remove_prefix(prefix.size());
    return true;
  }

  bool ok() const { return ok_; }
  bool atEnd() const { return in_.empty(); }

 private:
  template <typename T>
  T fail() {
    ok_ = false;
    return T{};
  }

  std::string_view in_;
  bool ok_ = true;
};

// A field a hit can send: a token name, and a value without CR, LF or NUL, both within Beast's
// limits (a value from elsewhere must not make the response builder throw or split a header).
bool sendableField(std::string_view name, std::string_view value) {
  if (name.empty() || name.size() > 256 || value.size() > 65000) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ':' || c == '(' || c == ')' || c == ',' || c == ';' || c == '"' ||
        c == '/' || c == '[' || c == ']' || c == '=' || c == '{' || c == '}' || c == '\\' || c == '?' || c == '@' ||
        c == '<' || c == '>') {
      return false;
    }
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

}  // namespace

std::string encodeEntry(const RedisEntry& entry) {
  std::string out;
  size_t size = kMagic.size() + 1 + 16 + 2 + 8 + entry.response.body.size();
  for (const auto& [name, value] : entry.response.headers) size += 8 + name.size() + value.size();
  out.reserve(size);
  out.append(kMagic);
  out.push_back(static_cast<char>(entry.kind));
  putInt<int64_t>(out, entry.stored_at_ms);
  putInt<int64_t>(out, entry.initial_age);
  if (entry.kind == RedisEntry::Kind::kResponse) {
    putInt<uint16_t>(out, static_cast<uint16_t>(entry.response.status));
    putInt<uint32_t>(out, static_cast<uint32_t>(entry.response.headers.size()));
    for (const auto& [name, value] : entry.response.headers) {
      putString(out, name);
      putString(out, value);
    }
    putString(out, entry.response.body);
  } else {
    putInt<uint32_t>(out, static_cast<uint32_t>(entry.vary.size()));
    for (const std::string& name : entry.vary) putString(out, name);
  }
  return out;
}

std::optional<RedisEntry> decodeEntry(std::string_view value) {
  Reader in(value);
  if (!in.expect(kMagic)) return std::nullopt;
  RedisEntry entry;
  const auto kind = in.getInt<uint8_t>();
  if (kind != static_cast<uint8_t>(RedisEntry::Kind::kResponse) && kind != static_cast<uint8_t>(RedisEntry::Kind::kVary)) {
    return std::nullopt;
  }
  entry.kind = static_cast<RedisEntry::Kind>(kind);
  entry.stored_at_ms = in.getInt<int64_t>();
  entry.initial_age = in.getInt<int64_t>();
  if (entry.kind == RedisEntry::Kind::kResponse) {
    entry.response.status = in.getInt<uint16_t>();
    if (entry.response.status < 100 || entry.response.status > 999) return std::nullopt;
    const auto count = in.getInt<uint32_t>();
    if (count > kMaxFields) return std::nullopt;
    for (uint32_t i = 0; i < count && in.ok(); ++i) {
      std::string name = in.getString();
      std::string field = in.getString();
      if (in.ok() && !sendableField(name, field)) return std::nullopt;
      entry.response.headers.emplace_back(std::move(name), std::move(field));
    }
    entry.response.body = in.getString();
  } else {
    const auto count = in.getInt<uint32_t>();
    if (count > kMaxFields) return std::nullopt;
    for (uint32_t i = 0; i < count && in.ok(); ++i) entry.vary.push_back(in.getString());
    if (entry.vary.empty()) return std::nullopt;  // a marker names at least one header
  }
  if (!in.ok() || !in.atEnd()) return std::nullopt;
  return entry;
}

}  // namespace portico::dp::filters::cache
