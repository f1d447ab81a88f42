#include "train/demo_assets.h"

#include "io/atomic_file.h"
#include "io/safetensors_writer.h"
#include "model/model_config.h"
#include "model/model_loader.h"
#include "model/model_registry.h"
#include "peft/merged_export.h"
#include "train/demo_pretraining.h"
#include "train/demo_vocabulary.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <vector>

namespace capsule::train {
namespace {

namespace fs = std::filesystem;

/// GPT-2's bytes_to_unicode(): printable bytes map to themselves, the rest to U+0100 onwards.
std::vector<std::string> byteSymbols() {
    std::vector<int> printable;
    for (int b = '!'; b <= '~'; ++b) printable.push_back(b);
    for (int b = 0xA1; b <= 0xAC; ++b) printable.push_back(b);
    for (int b = 0xAE; b <= 0xFF; ++b) printable.push_back(b);
    std::vector<int> codepoint(256, -1);
    for (int b : printable) codepoint[b] = b;
    int next = 256;
    for (int b = 0; b < 256; ++b)
        if (codepoint[b] < 0) codepoint[b] = next++;
    std::vector<std::string> symbols;
    for (int b = 0; b < 256; ++b) {
        const int c = codepoint[b];
        std::string utf8;
        if (c < 0x80) utf8 += static_cast<char>(c);
        else {
            utf8 += static_cast<char>(0xC0 | (c >> 6));
            utf8 += static_cast<char>(0x80 | (c & 0x3F));
        }
        symbols.push_back(utf8);
    }
    return symbols;
}

nlohmann::json tokenizerJson(int64_t* vocabSize) {
    nlohmann::json vocab = nlohmann::json::object();
    int64_t id = 0;
    vocab["<|endoftext|>"] = id++;
    for (const std::string& symbol : byteSymbols()) vocab[symbol] = id++;
    std::vector<std::string> words = demo::otherWords();
    for (const auto* list : {&demo::positiveAdjectives(), &demo::negativeAdjectives(), &demo::nouns()})
        words.insert(words.end(), list->begin(), list->end());
    const std::string space = "\xC4\xA0";  // Ġ, the byte-level symbol of ' '
    for (const std::string& word : words) {
        if (!vocab.contains(word)) vocab[word] = id++;
        if (!vocab.contains(space + word)) vocab[space + word] = id++;
    }
    *vocabSize = id;
    const nlohmann::json byteLevel = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
    return {{"version", "1.0"},
            {"truncation", nullptr},
            {"padding", nullptr},
            {"added_tokens",
             nlohmann::json::array({{{"id", 0}, {"content", "<|endoftext|>"}, {"single_word", false}, {"lstrip", false},
                                     {"rstrip", false}, {"normalized", true}, {"special", true}}})},
            {"normalizer", nullptr},
            {"pre_tokenizer", byteLevel},
            {"post_processor", byteLevel},
            {"decoder", byteLevel},
            {"model",
             {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", ""},
              {"end_of_word_suffix", ""}, {"fuse_unk", false}, {"byte_fallback", false}, {"ignore_merges", true},
              {"vocab", vocab}, {"merges", nlohmann::json::array()}}}};
}

}  // namespace

void writeDemoModel(const std::string& folder, uint64_t seed, const DemoModelShape& shape, int64_t pretrainSteps,
                    const PretrainProgress& progress) {
    fs::create_directories(folder);
    int64_t vocabSize = 0;
    const nlohmann::json tokenizer = tokenizerJson(&vocabSize);
    io::writeFileAtomically((fs::path(folder) / "tokenizer.json").string(), tokenizer.dump(1));
    const nlohmann::json tokenizerConfig = {{"bos_token", "<|endoftext|>"}, {"eos_token", "<|endoftext|>"},
                                            {"unk_token", "<|endoftext|>"}, {"model_max_length", shape.maxPositions},
                                            {"tokenizer_class", "GPT2Tokenizer"}, {"add_prefix_space", false}};
    io::writeFileAtomically((fs::path(folder) / "tokenizer_config.json").string(), tokenizerConfig.dump(2));
    const nlohmann::json config = {{"architectures", {"GPT2LMHeadModel"}}, {"model_type", "gpt2"},
                                   {"vocab_size", vocabSize}, {"n_embd", shape.hiddenSize},
                                   {"n_layer", shape.layers}, {"n_head", shape.heads},
                                   {"n_positions", shape.maxPositions}, {"n_inner", nullptr},
                                   {"activation_function", "gelu_new"}, {"layer_norm_epsilon", 1e-5},
                                   {"initializer_range", 0.02}, {"tie_word_embeddings", true},
                                   {"bos_token_id", 0}, {"eos_token_id", 0}, {"torch_dtype", "float32"}};
    const std::string configText = config.dump(2);
    io::writeFileAtomically((fs::path(folder) / "config.json").string(), configText);
    const model::ModelConfig modelConfig = model::parseModelConfig(configText, folder + "/config.json");
    const std::shared_ptr<model::CausalLM> network =
        model::buildModel(modelConfig, torch::TensorOptions().dtype(torch::kFloat).device(torch::kCPU));
    model::initializeRandomWeights(*network, seed);
    if (pretrainSteps > 0) pretrainDemoModel(*network, folder, seed, pretrainSteps, progress);
    io::NamedTensors tensors;
    for (auto& item : peft::mergedModelTensors(*network, nullptr)) tensors.emplace_back(item.first, item.second);
    io::writeSafetensors((fs::path(folder) / "model.safetensors").string(), tensors);
}

void writeDemoDataset(const std::string& path, int64_t count, uint64_t seed) {
    std::mt19937_64 random(seed);
    std::string text;
    for (int64_t i = 0; i < count; ++i) {
        const bool positive = (random() & 1U) != 0;
        const auto& adjectives = positive ? demo::positiveAdjectives() : demo::negativeAdjectives();
        const std::string noun = demo::nouns()[random() % demo::nouns().size()];
        const std::string adjective = adjectives[random() % adjectives.size()];
        const bool positiveFirst = (random() & 1U) != 0;
        nlohmann::json row = {{"question", "the " + noun + " was " + adjective},
                              {"choices", positiveFirst ? nlohmann::json{"positive", "negative"}
                                                        : nlohmann::json{"negative", "positive"}},
                              {"answer", positive == positiveFirst ? 0 : 1}};
        text += row.dump() + "\n";
    }
    if (fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path());
    io::writeFileAtomically(path, text);
}

std::string defaultDemoFolder() {
    if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache && *cache) return std::string(cache) + "/capsule/demo";
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/capsule/demo";
    return "capsule-demo";
}

std::string bundledDemoModelFolder() {
    std::vector<fs::path> candidates;
    if (const char* configured = std::getenv("CAPSULE_DEMO_MODEL"); configured && *configured) candidates.emplace_back(configured);
    std::error_code error;
    const fs::path executable = fs::read_symlink("/proc/self/exe", error);
    if (!error) candidates.push_back(executable.parent_path().parent_path() / "share" / "capsule" / "demo" / "model");
#ifdef CAPSULE_SOURCE_DIR
    candidates.push_back(fs::path(CAPSULE_SOURCE_DIR) / "resources" / "demo" / "model");
#endif
    for (const fs::path& candidate : candidates)
        if (fs::is_regular_file(candidate / "model.safetensors", error)) return candidate.lexically_normal().string();
    return {};
}

DemoAssets ensureDemoAssets(const std::string& folder, const std::function<void(const std::string&)>& log) {
    DemoAssets assets;
    assets.datasetPath = (fs::path(folder) / "sentiment.jsonl").string();
    if (!fs::exists(assets.datasetPath)) writeDemoDataset(assets.datasetPath, 640);
    assets.modelFolder = bundledDemoModelFolder();
    if (!assets.modelFolder.empty()) return assets;
    assets.modelFolder = (fs::path(folder) / "model").string();
    if (fs::is_regular_file(fs::path(assets.modelFolder) / "model.safetensors")) return assets;
    if (log) log("no shipped demo model found; pre-training one in " + assets.modelFolder + " (about a minute)");
    writeDemoModel(assets.modelFolder, 1234, {}, kDemoPretrainSteps, [&](int64_t step, double loss, double accuracy) {
        if (log && step % 500 == 0)
            log("pre-training step " + std::to_string(step) + "/" + std::to_string(kDemoPretrainSteps) + ": loss " +
                std::to_string(loss) + ", label accuracy " + std::to_string(accuracy));
    });
    return assets;
}

TrainingConfig demoTrainingConfig(const DemoAssets& assets, const std::string& method, int64_t maxSteps,
                                  const std::string& out) {
    TrainingConfig config;
    config.model = assets.modelFolder;
    config.data = assets.datasetPath;
    config.method = method;
    config.out = out;
    config.runName = "demo-" + method;
    config.maxSteps = maxSteps;
    config.batchSize = 16;
    config.validationFraction = 0.2;
    config.evalEvery = std::max<int64_t>(1, maxSteps / 4);
    config.evalAtStart = true;
    config.schedule = "linear";
    config.warmupRatio = 0.05;
    config.logEvery = 5;
    config.numVirtualTokens = 8;
    config.dtype = "float32";  // the demo model is too small for bf16 to pay off
    if (method == "lora" || method == "adalora") {
        config.lr = 5e-3;
        config.loraAlpha = 16;  // scaling 2 at r 8: faster on the tiny model
    }
    if (method == "ia3" || method == "t-few") config.lr = 3e-2;
    if (method == "adalora") {
        config.initR = 8;
        config.targetR = 4;
        config.tinit = maxSteps / 10;
        config.tfinal = maxSteps / 5;
    }
    return config;
}

}  // namespace capsule::train
