#pragma once
// What transformers reads next to tokenizer.json: tokenizer_config.json (special token strings,
// add_bos_token / add_eos_token, tokenizer_class, added_tokens_decoder, chat_template),
// special_tokens_map.json (overrides the config's special tokens) and generation_config.json
// (bos/eos/pad ids; eos may be a list). Missing files are fine; malformed ones throw naming the file.
#include "tokenizer/added_vocabulary.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace capsule::tokenizer {

/// A special-token entry: absent (key missing), explicitly null, or a string.
struct ConfiguredToken {
    bool present = false;
    std::optional<std::string> text;
};

struct TokenizerConfigFiles {
    ConfiguredToken bos, eos, pad, unk;
    std::optional<bool> addBosToken, addEosToken, addPrefixSpace;
    std::string tokenizerClass;                   // "" when absent
    std::vector<AddedToken> addedTokensDecoder;   // tokenizer_config.json "added_tokens_decoder"
    std::vector<std::string> additionalSpecialTokens;
    std::optional<int64_t> generationBosId, generationPadId;
    std::vector<int64_t> generationEosIds;        // generation_config.json eos_token_id (int or list)
    bool anyFile = false;                         // at least one of the three files exists
};

/// Reads the three files in `folder` (each optional).
TokenizerConfigFiles readTokenizerConfigFiles(const std::string& folder);

/// Reads and parses a JSON file; throws std::runtime_error "<path>: ..." on I/O or syntax errors.
nlohmann::json readJson(const std::string& path);

}  // namespace capsule::tokenizer
