#pragma once
// Strict JSON parsing for files from disk: the hostile-input rules of the safetensors reference
// reader (serde_json) applied to every JSON file we read. Compared with nlohmann::json::parse this
// rejects duplicate object keys, nesting beyond serde_json's limit, NUL bytes (nlohmann stops at
// them) and a UTF-8 byte order mark, and its messages name the file and the position.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace capsule::io {

/// serde_json's default recursion limit: documents with this many nested containers (or more)
/// are rejected, i.e. at most 127 levels.
constexpr std::size_t kMaxJsonDepth = 128;

/// Parses `text` (must be valid UTF-8; surrounding whitespace allowed). Throws std::runtime_error
/// "<fileLabel>: invalid JSON: <what> at byte <n>" or "<fileLabel>: duplicate key '<k>' ...".
nlohmann::json parseJsonStrict(const std::string& fileLabel, std::string_view text);

/// Reads and parses a JSON file (at most `maxSizeBytes`). Throws std::runtime_error naming `path`.
nlohmann::json readJsonFile(const std::string& path, std::size_t maxSizeBytes = 100'000'000);

/// True when `bytes` is well-formed UTF-8 (no overlong forms, surrogates or code points past
/// U+10FFFF), exactly what Rust's str::from_utf8 accepts. On failure `errorOffset` (if given) is
/// the offset of the first bad byte.
bool isValidUtf8(std::string_view bytes, std::size_t* errorOffset = nullptr);

/// Reads a whole (small) file into a string. Throws std::runtime_error naming `path`.
std::string readTextFile(const std::string& path, std::size_t maxSizeBytes = 100'000'000);

}  // namespace capsule::io
