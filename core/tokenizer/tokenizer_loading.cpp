// Building a Tokenizer from files: tokenizer.json (+ side configs) or the legacy GPT-2 pair
// vocab.json + merges.txt, and resolving BOS/EOS/PAD/UNK the way transformers does.
#include "tokenizer/tokenizer.h"

#include "tokenizer/json_fields.h"
#include "tokenizer/tokenizer_config.h"
#include "tokenizer/tokenizer_impl.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace capsule::tokenizer {

namespace {

namespace fs = std::filesystem;

std::string readText(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(path + ": cannot open file");
    std::ostringstream buffer;
    buffer << file.rdbuf();
    return buffer.str();
}

std::vector<AddedToken> parseAddedTokens(const nlohmann::json& root, const BpeModel& model, const std::string& label) {
    std::vector<AddedToken> tokens;
    const auto it = root.find("added_tokens");
    if (it == root.end() || it->is_null()) return tokens;
    if (!it->is_array()) throw std::runtime_error(label + ": 'added_tokens' must be an array");
    size_t index = 0;
    for (const auto& entry : *it) {
        const std::string context = label + ": added_tokens[" + std::to_string(index++) + "]";
        if (!entry.is_object()) throw std::runtime_error(context + ": expected an object");
        AddedToken token;
        token.id = json_fields::requiredInteger(entry, "id", 0, json_fields::kMaxTokenId, context);
        token.content = json_fields::requiredString(entry, "content", context);
        token.singleWord = json_fields::optionalBool(entry, "single_word", false, context);
        token.lstrip = json_fields::optionalBool(entry, "lstrip", false, context);
        token.rstrip = json_fields::optionalBool(entry, "rstrip", false, context);
        token.normalized = json_fields::optionalBool(entry, "normalized", true, context);
        token.special = json_fields::optionalBool(entry, "special", false, context);
        // Hugging Face re-registers added tokens: content already in the model vocab keeps the
        // vocab's id.
        const int32_t vocabId = model.tokenToId(token.content);
        if (vocabId >= 0) token.id = vocabId;
        tokens.push_back(std::move(token));
    }
    return tokens;
}

std::shared_ptr<const BpeModel> parseModel(const nlohmann::json& root, const std::string& label) {
    const auto it = root.find("model");
    if (it == root.end() || !it->is_object()) throw std::runtime_error(label + ": missing object 'model'");
    const nlohmann::json& model = *it;
    if (model.contains("type")) {
        if (!model["type"].is_string()) throw std::runtime_error(label + ": model 'type' must be a string");
        const std::string type = model["type"].get<std::string>();
        if (type != "BPE") throw std::runtime_error(label + ": unsupported model type '" + type + "' (only BPE is supported)");
    } else if (!model.contains("merges")) {
        // Hugging Face would try WordPiece / WordLevel / Unigram next; none is supported here.
        throw std::runtime_error(label + ": model has no 'type' and no 'merges'; only BPE models are supported");
    }
    return BpeModel::fromJson(model, label + ": model");
}

// The ids a post-processor puts before and after a sequence ("<s> $A" -> {1}, {}).
std::pair<std::vector<int64_t>, std::vector<int64_t>> templateSpecials(const Tokenizer::Impl& impl) {
    if (!impl.postProcessor) return {};
    Encoding plain;
    plain.ids = {0};
    plain.typeIds = {0};
    plain.specialTokensMask = {0};
    plain.offsets = {{0, 0}};
    plain.sequenceIds = {0};
    std::vector<Encoding> encodings = impl.postProcessor->process({plain}, true);
    Encoding result = encodings[0];
    for (size_t i = 1; i < encodings.size(); ++i) result.append(encodings[i]);
    std::vector<int64_t> before, after;
    bool seen = false;
    for (size_t i = 0; i < result.ids.size(); ++i) {
        if (i < result.specialTokensMask.size() && result.specialTokensMask[i] == 0) {
            seen = true;
            continue;
        }
        (seen ? after : before).push_back(result.ids[i]);
    }
    return {before, after};
}

bool isLlamaFamily(std::string name) {
    if (name.size() > 4 && name.compare(name.size() - 4, 4, "Fast") == 0) name.resize(name.size() - 4);
    return name == "LlamaTokenizer" || name == "CodeLlamaTokenizer" || name == "GemmaTokenizer";
}

void resolveSpecialTokens(Tokenizer::Impl& impl, const TokenizerConfigFiles& config) {
    SpecialTokens& special = impl.specialTokens;
    special = SpecialTokens{};
    const auto [before, after] = templateSpecials(impl);

    auto knownText = [&](const std::string& text) { return impl.tokenToId(text).has_value(); };
    auto fromText = [&](std::optional<int64_t>& id, std::string& text, const std::string& value) {
        text = value;
        id = impl.tokenToId(value);
    };
    auto fromId = [&](std::optional<int64_t>& id, std::string& text, int64_t value) {
        id = value;
        text = impl.idToToken(value).value_or("");
    };
    auto firstKnown = [&](std::initializer_list<const char*> candidates) -> std::optional<std::string> {
        for (const char* candidate : candidates)
            if (knownText(candidate)) return std::string(candidate);
        return std::nullopt;
    };
    size_t specialAddedCount = 0;
    for (const AddedToken& token : impl.addedVocabulary.tokens()) specialAddedCount += token.special ? 1 : 0;

    // BOS
    if (config.bos.text) {
        fromText(special.bos, special.bosText, *config.bos.text);
    } else if (config.generationBosId) {
        fromId(special.bos, special.bosText, *config.generationBosId);
    } else if (!config.bos.present) {
        if (!before.empty()) {
            fromId(special.bos, special.bosText, before.front());
        } else if (auto text = firstKnown({"<s>", "<|begin_of_text|>", "<bos>", "<|startoftext|>"})) {
            fromText(special.bos, special.bosText, *text);
        } else if (specialAddedCount <= 1 && knownText("<|endoftext|>")) {  // GPT-2 style: one token for all
            fromText(special.bos, special.bosText, "<|endoftext|>");
        }
    }
    // EOS
    if (config.eos.text) {
        fromText(special.eos, special.eosText, *config.eos.text);
    } else if (!config.generationEosIds.empty()) {
        fromId(special.eos, special.eosText, config.generationEosIds.front());
    } else if (!config.eos.present) {
        if (!after.empty()) {
            fromId(special.eos, special.eosText, after.front());
        } else if (auto text = firstKnown({"</s>", "<|end_of_text|>", "<eos>", "<|endoftext|>", "<|im_end|>", "<|eot_id|>"})) {
            fromText(special.eos, special.eosText, *text);
        }
    }
    // UNK
    if (config.unk.text) {
        fromText(special.unk, special.unkText, *config.unk.text);
    } else if (!config.unk.present && impl.model->unkToken()) {
        fromText(special.unk, special.unkText, *impl.model->unkToken());
    }
    // PAD: configured, else generation_config, else EOS.
    if (config.pad.text) {
        fromText(special.pad, special.padText, *config.pad.text);
    } else if (config.generationPadId) {
        fromId(special.pad, special.padText, *config.generationPadId);
    } else {
        special.pad = special.eos;
        special.padText = special.eosText;
    }
    if (special.eos) special.eosIds.push_back(*special.eos);
    for (const int64_t id : config.generationEosIds)
        if (std::find(special.eosIds.begin(), special.eosIds.end(), id) == special.eosIds.end()) special.eosIds.push_back(id);
}

// transformers' LlamaTokenizerFast (and Gemma, CodeLlama) rebuild the post-processor from
// add_bos_token (default true) / add_eos_token (default false); other classes keep tokenizer.json's.
void applyBosEosFlags(Tokenizer::Impl& impl, const TokenizerConfigFiles& config, bool legacyFiles,
                      const std::string& configLabel) {
    const bool llama = isLlamaFamily(config.tokenizerClass);
    const bool addBos = config.addBosToken.value_or(llama);
    const bool addEos = config.addEosToken.value_or(false);
    // The slow GPT-2 tokenizer (legacy files) honours add_bos_token too.
    if (!llama && !(legacyFiles && (addBos || addEos))) return;
    if (addBos && !impl.specialTokens.bos)
        throw std::runtime_error(configLabel + ": add_bos_token is true but the bos_token is not in the vocabulary");
    if (addEos && !impl.specialTokens.eos)
        throw std::runtime_error(configLabel + ": add_eos_token is true but the eos_token is not in the vocabulary");
    impl.postProcessor = makeBosEosTemplate(addBos, impl.specialTokens.bos.value_or(0), addEos,
                                            impl.specialTokens.eos.value_or(0));
}

std::shared_ptr<Tokenizer::Impl> loadTokenizerJson(const std::string& path, std::vector<AddedToken> extraTokens) {
    const nlohmann::json root = readJson(path);
    if (!root.is_object()) throw std::runtime_error(path + ": expected a JSON object");
    auto impl = std::make_shared<Tokenizer::Impl>();
    impl->sourceLabel = path;
    impl->model = parseModel(root, path);
    auto component = [&](const char* key) -> const nlohmann::json* {
        const auto it = root.find(key);
        return it == root.end() || it->is_null() ? nullptr : &*it;
    };
    if (const auto* spec = component("normalizer")) impl->normalizer = makeNormalizer(*spec, path + ": normalizer");
    if (const auto* spec = component("pre_tokenizer")) impl->preTokenizer = makePreTokenizer(*spec, path + ": pre_tokenizer");
    if (const auto* spec = component("post_processor"))
        impl->postProcessor = makePostProcessor(*spec, path + ": post_processor");
    if (const auto* spec = component("decoder")) impl->decoder = makeDecoder(*spec, path + ": decoder");

    std::vector<AddedToken> added = parseAddedTokens(root, *impl->model, path);
    for (AddedToken& extra : extraTokens) {
        const bool known = std::any_of(added.begin(), added.end(),
                                       [&](const AddedToken& token) { return token.content == extra.content; });
        if (!known) added.push_back(std::move(extra));
    }
    impl->addedVocabulary = AddedVocabulary(std::move(added), impl->normalizer.get());
    return impl;
}

}  // namespace

Tokenizer Tokenizer::fromTokenizerJson(const std::string& path) {
    auto impl = loadTokenizerJson(path, {});
    resolveSpecialTokens(*impl, TokenizerConfigFiles{});
    return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::fromDirectory(const std::string& folder) {
    if (!fs::is_directory(folder)) throw std::runtime_error(folder + ": not a folder");
    const TokenizerConfigFiles config = readTokenizerConfigFiles(folder);
    const std::string configLabel = (fs::path(folder) / "tokenizer_config.json").string();
    const std::string jsonPath = (fs::path(folder) / "tokenizer.json").string();
    if (fs::exists(jsonPath)) {
        auto impl = loadTokenizerJson(jsonPath, config.addedTokensDecoder);
        resolveSpecialTokens(*impl, config);
        applyBosEosFlags(*impl, config, false, configLabel);
        return Tokenizer(std::move(impl));
    }

    const std::string vocabPath = (fs::path(folder) / "vocab.json").string();
    const std::string mergesPath = (fs::path(folder) / "merges.txt").string();
    if (!fs::exists(vocabPath) || !fs::exists(mergesPath))
        throw std::runtime_error(folder + ": no tokenizer.json and no vocab.json + merges.txt pair");
    auto impl = std::make_shared<Tokenizer::Impl>();
    impl->sourceLabel = vocabPath + " + merges.txt";
    impl->model = BpeModel::fromVocabAndMerges(readJson(vocabPath), readText(mergesPath), vocabPath, mergesPath);
    // The slow GPT2Tokenizer: byte-level pre-tokenizer with the GPT-2 regex and a byte-level decoder.
    impl->preTokenizer = makeByteLevelPreTokenizer(config.addPrefixSpace.value_or(false), true);
    impl->decoder = makeByteLevelDecoder();

    TokenizerConfigFiles effective = config;
    if (!config.anyFile) {  // GPT2Tokenizer's defaults: <|endoftext|> is bos, eos and unk
        for (ConfiguredToken* token : {&effective.bos, &effective.eos, &effective.unk}) {
            token->present = true;
            if (impl->model->tokenToId("<|endoftext|>") >= 0) token->text = "<|endoftext|>";
        }
    }
    // Special tokens and added_tokens_decoder entries are matched whole, before byte-level BPE.
    std::vector<AddedToken> added = effective.addedTokensDecoder;
    auto addSpecial = [&](const std::string& text) {
        if (std::any_of(added.begin(), added.end(), [&](const AddedToken& token) { return token.content == text; })) return;
        const int32_t id = impl->model->tokenToId(text);
        if (id < 0) return;
        AddedToken token;
        token.id = id;
        token.content = text;
        token.normalized = false;
        token.special = true;
        added.push_back(token);
    };
    for (const ConfiguredToken* token : {&effective.bos, &effective.eos, &effective.unk, &effective.pad})
        if (token->text) addSpecial(*token->text);
    for (const std::string& text : effective.additionalSpecialTokens) addSpecial(text);
    impl->addedVocabulary = AddedVocabulary(std::move(added), nullptr);
    resolveSpecialTokens(*impl, effective);
    applyBosEosFlags(*impl, effective, true, configLabel);
    return Tokenizer(std::move(impl));
}

}  // namespace capsule::tokenizer
