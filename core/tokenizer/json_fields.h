#pragma once
// Typed field access for tokenizer JSON files with errors that name the file, component and key
// ("tokenizer.json: model: 'vocab' must be an object"). Header-only; pure functions.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace capsule::tokenizer::json_fields {

inline std::string requiredString(const nlohmann::json& object, const char* key, const std::string& context) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string())
        throw std::runtime_error(context + ": '" + key + "' must be a string");
    return it->get<std::string>();
}

/// The string at `key`; nullopt when absent or null.
inline std::optional<std::string> optionalString(const nlohmann::json& object, const char* key,
                                                 const std::string& context) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw std::runtime_error(context + ": '" + key + "' must be a string or null");
    return it->get<std::string>();
}

inline bool optionalBool(const nlohmann::json& object, const char* key, bool fallback, const std::string& context) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) throw std::runtime_error(context + ": '" + key + "' must be true or false");
    return it->get<bool>();
}

inline int64_t requiredInteger(const nlohmann::json& object, const char* key, int64_t minimum, int64_t maximum,
                               const std::string& context) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number_integer())
        throw std::runtime_error(context + ": '" + key + "' must be an integer");
    const int64_t value = it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                              ? INT64_MAX
                              : it->get<int64_t>();
    if (value < minimum || value > maximum)
        throw std::runtime_error(context + ": '" + key + "' = " + std::to_string(value) + " is out of range [" +
                                 std::to_string(minimum) + ", " + std::to_string(maximum) + "]");
    return value;
}

inline int64_t optionalInteger(const nlohmann::json& object, const char* key, int64_t fallback, int64_t minimum,
                               int64_t maximum, const std::string& context) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    return requiredInteger(object, key, minimum, maximum, context);
}

/// Largest token id accepted anywhere (ids are u32 in Hugging Face; we keep them below 2^31).
constexpr int64_t kMaxTokenId = 0x7FFFFFFE;

}  // namespace capsule::tokenizer::json_fields
