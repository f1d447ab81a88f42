#pragma once
// Reads the fields of one adapter_config.json object for the config parsers (peft_config.cpp,
// prompt_learning_config.cpp): typed reads that name the file and the field at fault, keys
// remembered as consumed so unknown ones can be reported. Keeps the file's key order
// (rank_pattern / alpha_pattern are read in file order).
#include "peft/peft_config.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace capsule::peft {

using OrderedJson = nlohmann::ordered_json;

/// "integer" for integers, else nlohmann's type name ("string", "null", ...).
std::string jsonTypeName(const OrderedJson& value);

/// Reads the fields of one adapter_config.json object, remembering which keys were consumed.
class ConfigFieldReader {
public:
    ConfigFieldReader(const std::string& jsonText, const std::string& sourceName) : source_(sourceName) {
        try {
            root_ = OrderedJson::parse(jsonText);
        } catch (const nlohmann::json::parse_error& error) {
            throw std::runtime_error(sourceName + ": invalid JSON: " + error.what());
        }
        if (!root_.is_object()) throw std::runtime_error(sourceName + ": the top level must be a JSON object");
    }

    const std::string& source() const { return source_; }
    [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
        throw std::runtime_error(source_ + ": field '" + key + "' " + problem);
    }

    /// The value of `key`, or nullptr when absent. Marks it as consumed.
    const OrderedJson* find(const std::string& key) {
        consumed_.insert(key);
        const auto found = root_.find(key);
        return found == root_.end() ? nullptr : &*found;
    }
    bool isNullOrAbsent(const std::string& key) {
        const OrderedJson* value = find(key);
        return !value || value->is_null();
    }

    void readString(const std::string& key, std::string& out) {
        const OrderedJson* value = find(key);
        if (!value) return;
        if (!value->is_string()) fail(key, "must be a string, got " + jsonTypeName(*value));
        out = value->get<std::string>();
    }
    void readOptionalString(const std::string& key, std::optional<std::string>& out) {
        const OrderedJson* value = find(key);
        if (!value) return;
        if (value->is_null()) {
            out.reset();
            return;
        }
        if (!value->is_string()) fail(key, "must be a string or null, got " + jsonTypeName(*value));
        out = value->get<std::string>();
    }
    void readBool(const std::string& key, bool& out) {
        const OrderedJson* value = find(key);
        if (!value) return;
        if (!value->is_boolean()) fail(key, "must be true or false, got " + jsonTypeName(*value));
        out = value->get<bool>();
    }
    void readInteger(const std::string& key, int64_t& out) {
        const OrderedJson* value = find(key);
        if (!value) return;
        out = integerValue(key, *value);
    }
    void readOptionalInteger(const std::string& key, std::optional<int64_t>& out) {
        const OrderedJson* value = find(key);
        if (!value) return;
        if (value->is_null()) {
            out.reset();
            return;
        }
        out = integerValue(key, *value);
    }
    void readNumber(const std::string& key, double& out) {
        const OrderedJson* value = find(key);
        if (!value) return;
        out = numberValue(key, *value);
    }

    int64_t integerValue(const std::string& key, const OrderedJson& value) const {
        if (value.is_number_integer()) {
            if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
                fail(key, "is out of range");
            return value.get<int64_t>();
        }
        // Python writes 8.0 for a float the user passed; accept it when it is integral.
        if (value.is_number_float()) {
            const double number = value.get<double>();
            if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 9.0e15)
                return static_cast<int64_t>(number);
        }
        fail(key, "must be an integer, got " + jsonTypeName(value));
    }
    double numberValue(const std::string& key, const OrderedJson& value) const {
        if (!value.is_number()) fail(key, "must be a number, got " + jsonTypeName(value));
        const double number = value.get<double>();
        if (!std::isfinite(number)) fail(key, "must be finite");
        return number;
    }

    std::vector<std::string> stringList(const std::string& key, const OrderedJson& value) const {
        if (!value.is_array()) fail(key, "must be a list of strings, got " + jsonTypeName(value));
        std::vector<std::string> list;
        for (const auto& item : value) {
            if (!item.is_string()) fail(key, "must be a list of strings; an item is " + jsonTypeName(item));
            list.push_back(item.get<std::string>());
        }
        return list;
    }
    void readSelector(const std::string& key, ModuleSelector& out) {
        const OrderedJson* value = find(key);
        if (!value) return;
        if (value->is_null()) out = ModuleSelector::none();
        else if (value->is_string()) out = ModuleSelector::fromRegex(value->get<std::string>());
        else out = ModuleSelector::fromList(stringList(key, *value));
    }
    void readOptionalStringList(const std::string& key, std::optional<std::vector<std::string>>& out) {
        const OrderedJson* value = find(key);
        if (!value) return;
        if (value->is_null()) out.reset();
        else if (!value->is_array()) fail(key, "must be a list of strings or null, got " + jsonTypeName(*value));
        else out = stringList(key, *value);
    }

    /// A key Capsule does not implement: accepted only at its "off" value (null, false, {} or the
    /// default given), rejected otherwise so the adapter is not silently applied wrong.
    void requireOff(const std::string& key, const std::string& what, const OrderedJson& defaultValue = nullptr) {
        const OrderedJson* value = find(key);
        if (!value || value->is_null() || *value == defaultValue) return;
        if (value->is_boolean() && !value->get<bool>()) return;
        if (value->is_object() && value->empty()) return;
        fail(key, "= " + value->dump() + " asks for " + what + ", which Capsule does not support");
    }
    /// A key that only affects initialisation or bookkeeping: read and ignored.
    void ignore(const std::string& key) { find(key); }

    /// Keys present in the file and never consumed.
    std::vector<std::string> unknownKeys() const {
        std::vector<std::string> keys;
        for (auto item = root_.begin(); item != root_.end(); ++item)
            if (!consumed_.count(item.key())) keys.push_back(item.key());
        return keys;
    }

    /// An object kept as its JSON text (keys sorted), or null.
    void readOptionalObjectText(const std::string& key, std::optional<std::string>& out) {
        const OrderedJson* value = find(key);
        if (!value) return;
        if (value->is_null()) out.reset();
        else if (value->is_object()) out = nlohmann::json::parse(value->dump()).dump();
        else fail(key, "must be an object or null, got " + jsonTypeName(*value));
    }
    /// auto_mapping: null/absent leaves `out` as is; an object sets base_model_class and
    /// parent_library (string members only).
    void readAutoMapping(std::optional<AutoMapping>& out) {
        const OrderedJson* mapping = find("auto_mapping");
        if (!mapping || mapping->is_null()) return;
        if (!mapping->is_object()) fail("auto_mapping", "must be an object or null");
        AutoMapping autoMapping;
        if (mapping->contains("base_model_class") && (*mapping)["base_model_class"].is_string())
            autoMapping.baseModelClass = (*mapping)["base_model_class"].get<std::string>();
        if (mapping->contains("parent_library") && (*mapping)["parent_library"].is_string())
            autoMapping.parentLibrary = (*mapping)["parent_library"].get<std::string>();
        out = autoMapping;
    }
    /// Appends unknownKeys() to `ignoredKeys` when given.
    void reportUnknown(std::vector<std::string>* ignoredKeys) const {
        if (!ignoredKeys) return;
        for (const auto& key : unknownKeys()) ignoredKeys->push_back(key);
    }

    const OrderedJson& root() const { return root_; }

private:
    std::string source_;
    OrderedJson root_;
    std::set<std::string> consumed_;
};

}  // namespace capsule::peft
