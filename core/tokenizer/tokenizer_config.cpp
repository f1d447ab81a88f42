#include "tokenizer/tokenizer_config.h"

#include "tokenizer/json_fields.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace capsule::tokenizer {

namespace {

// A special token value: "text", {"content": "text", ...} (AddedToken) or null.
ConfiguredToken parseConfiguredToken(const nlohmann::json& object, const char* key, const std::string& context) {
    ConfiguredToken token;
    const auto it = object.find(key);
    if (it == object.end()) return token;
    token.present = true;
    if (it->is_null()) return token;
    if (it->is_string()) {
        token.text = it->get<std::string>();
    } else if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) {
        token.text = (*it)["content"].get<std::string>();
    } else {
        throw std::runtime_error(context + ": '" + key + "' must be a string, an AddedToken object or null");
    }
    return token;
}

std::optional<bool> optionalFlag(const nlohmann::json& object, const char* key, const std::string& context) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_boolean()) throw std::runtime_error(context + ": '" + key + "' must be true or false");
    return it->get<bool>();
}

std::optional<int64_t> optionalId(const nlohmann::json& object, const char* key, const std::string& context) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (it->is_array()) {  // some files store a one-element list
        if (it->empty()) return std::nullopt;
        if (!(*it)[0].is_number_integer()) throw std::runtime_error(context + ": '" + key + "' must be an integer");
        return (*it)[0].get<int64_t>();
    }
    if (!it->is_number_integer()) throw std::runtime_error(context + ": '" + key + "' must be an integer");
    return it->get<int64_t>();
}

}  // namespace

nlohmann::json readJson(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(path + ": cannot open file");
    std::ostringstream buffer;
    buffer << file.rdbuf();
    if (!file.good() && !file.eof()) throw std::runtime_error(path + ": read error");
    try {
        return nlohmann::json::parse(buffer.str());
    } catch (const nlohmann::json::exception& error) {
        throw std::runtime_error(path + ": invalid JSON: " + error.what());
    }
}

TokenizerConfigFiles readTokenizerConfigFiles(const std::string& folder) {
    namespace fs = std::filesystem;
    TokenizerConfigFiles config;
    const std::string configPath = (fs::path(folder) / "tokenizer_config.json").string();
    if (fs::exists(configPath)) {
        config.anyFile = true;
        const nlohmann::json json = readJson(configPath);
        if (!json.is_object()) throw std::runtime_error(configPath + ": expected a JSON object");
        config.bos = parseConfiguredToken(json, "bos_token", configPath);
        config.eos = parseConfiguredToken(json, "eos_token", configPath);
        config.pad = parseConfiguredToken(json, "pad_token", configPath);
        config.unk = parseConfiguredToken(json, "unk_token", configPath);
        config.addBosToken = optionalFlag(json, "add_bos_token", configPath);
        config.addEosToken = optionalFlag(json, "add_eos_token", configPath);
        config.addPrefixSpace = optionalFlag(json, "add_prefix_space", configPath);
        if (const auto name = json_fields::optionalString(json, "tokenizer_class", configPath)) config.tokenizerClass = *name;
        if (json.contains("added_tokens_decoder") && json["added_tokens_decoder"].is_object()) {
            for (const auto& [key, value] : json["added_tokens_decoder"].items()) {
                const std::string context = configPath + ": added_tokens_decoder['" + key + "']";
                AddedToken token;
                try {
                    size_t used = 0;
                    token.id = std::stoll(key, &used);
                    if (used != key.size() || token.id < 0 || token.id > json_fields::kMaxTokenId) throw std::invalid_argument(key);
                } catch (const std::exception&) {
                    throw std::runtime_error(context + ": the key must be a token id");
                }
                if (!value.is_object()) throw std::runtime_error(context + ": expected an object");
                token.content = json_fields::requiredString(value, "content", context);
                token.singleWord = json_fields::optionalBool(value, "single_word", false, context);
                token.lstrip = json_fields::optionalBool(value, "lstrip", false, context);
                token.rstrip = json_fields::optionalBool(value, "rstrip", false, context);
                token.normalized = json_fields::optionalBool(value, "normalized", true, context);
                token.special = json_fields::optionalBool(value, "special", false, context);
                config.addedTokensDecoder.push_back(std::move(token));
            }
        }
        if (json.contains("additional_special_tokens") && json["additional_special_tokens"].is_array())
            for (const auto& entry : json["additional_special_tokens"]) {
                if (entry.is_string()) config.additionalSpecialTokens.push_back(entry.get<std::string>());
                else if (entry.is_object() && entry.contains("content") && entry["content"].is_string())
                    config.additionalSpecialTokens.push_back(entry["content"].get<std::string>());
            }
    }
    const std::string mapPath = (fs::path(folder) / "special_tokens_map.json").string();
    if (fs::exists(mapPath)) {
        config.anyFile = true;
        const nlohmann::json json = readJson(mapPath);
        if (!json.is_object()) throw std::runtime_error(mapPath + ": expected a JSON object");
        // transformers lets special_tokens_map.json override tokenizer_config.json.
        for (auto [key, target] : {std::pair<const char*, ConfiguredToken*>{"bos_token", &config.bos},
                                   {"eos_token", &config.eos}, {"pad_token", &config.pad}, {"unk_token", &config.unk}}) {
            ConfiguredToken value = parseConfiguredToken(json, key, mapPath);
            if (value.present && value.text) *target = value;
        }
    }
    const std::string generationPath = (fs::path(folder) / "generation_config.json").string();
    if (fs::exists(generationPath)) {
        config.anyFile = true;
        const nlohmann::json json = readJson(generationPath);
        if (!json.is_object()) throw std::runtime_error(generationPath + ": expected a JSON object");
        config.generationBosId = optionalId(json, "bos_token_id", generationPath);
        config.generationPadId = optionalId(json, "pad_token_id", generationPath);
        const auto eos = json.find("eos_token_id");
        if (eos != json.end() && !eos->is_null()) {
            const nlohmann::json list = eos->is_array() ? *eos : nlohmann::json::array({*eos});
            for (const auto& id : list) {
                if (!id.is_number_integer()) throw std::runtime_error(generationPath + ": 'eos_token_id' must be an integer or a list of integers");
                config.generationEosIds.push_back(id.get<int64_t>());
            }
        }
    }
    return config;
}

}  // namespace capsule::tokenizer
