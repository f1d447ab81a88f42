// capsule-cli info MODEL_DIR [--json]: what a model folder holds — architecture, parameter count,
// stored dtype, dimensions, and the linear layers PEFT methods can target (grouped per layer kind).
// Reads config.json and the safetensors headers only; the model is built on the meta device, so no
// weight is loaded or allocated.
#include "command.h"

#include "io/checkpoint_reader.h"
#include "model/model_loader.h"
#include "model/model_registry.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

namespace capsule::cli {
namespace {

/// One kind of linear layer: "transformer.h.{i}.attn.c_attn" with every layer index it occurs at.
struct LinearGroup {
    std::string shortName;  // "c_attn": what PEFT target_modules matches
    std::string pattern;    // "transformer.h.{i}.attn.c_attn"
    std::vector<std::string> names;
    int64_t inFeatures = 0;
    int64_t outFeatures = 0;
    bool bias = false;
    bool fanInFanOut = false;
    bool tied = false;
};

/// Replaces the first ".<digits>." by ".{i}." (the layer index).
std::string layerPattern(const std::string& name) {
    for (size_t i = 0; i + 1 < name.size(); ++i) {
        if (name[i] != '.' || !std::isdigit(static_cast<unsigned char>(name[i + 1]))) continue;
        size_t end = i + 1;
        while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
        if (end < name.size() && name[end] == '.') return name.substr(0, i) + ".{i}" + name.substr(end);
    }
    return name;
}

std::string dtypeFromSafetensors(const std::string& dtype) {
    static const std::map<std::string, std::string> names = {
        {"F32", "float32"}, {"BF16", "bfloat16"}, {"F16", "float16"}, {"F64", "float64"}};
    const auto found = names.find(dtype);
    return found == names.end() ? dtype : found->second;
}

std::string groupedCount(int64_t count) {
    std::string digits = std::to_string(count), text;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) text += ',';
        text += digits[i];
    }
    return text;
}

std::string humanCount(int64_t count) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(2);
    if (count >= 1'000'000'000) text << count / 1e9 << " B";
    else if (count >= 1'000'000) text << count / 1e6 << " M";
    else if (count >= 1'000) text << count / 1e3 << " K";
    else text << count;
    return text.str();
}

int infoUnchecked(const Arguments& arguments) {
    if (arguments.positional().size() != 1) throw UsageError("expects exactly one MODEL_DIR");
    const std::string folder = arguments.positional()[0];

    const io::CheckpointReader checkpoint(folder);
    const model::ModelConfig config = model::effectiveModelConfig(folder, checkpoint);
    std::shared_ptr<model::CausalLM> network =
        model::buildModel(config, torch::TensorOptions().dtype(torch::kFloat).device(torch::kMeta));
    const int64_t parameterCount = model::countParameters(*network);
    const std::vector<std::string> problems = model::checkpointProblems(*network, checkpoint);
    const std::string storedDtype = dtypeFromSafetensors(checkpoint.dominantDtype());

    std::vector<LinearGroup> groups;
    std::vector<std::string> linearNames;
    for (const auto& [name, linear] : network->namedLinears()) {
        linearNames.push_back(name);
        const std::string pattern = layerPattern(name);
        auto group = std::find_if(groups.begin(), groups.end(), [&](const LinearGroup& g) { return g.pattern == pattern; });
        if (group == groups.end()) {
            LinearGroup fresh;
            fresh.pattern = pattern;
            fresh.shortName = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
            fresh.inFeatures = linear->inFeatures();
            fresh.outFeatures = linear->outFeatures();
            fresh.bias = linear->hasBias();
            fresh.fanInFanOut = linear->fanInFanOut();
            fresh.tied = linear->sharesWeight();
            groups.push_back(fresh);
            group = groups.end() - 1;
        }
        group->names.push_back(name);
    }
    const std::string architecture = config.architectures.empty() ? "" : config.architectures.front();
    const std::string embeddingName = config.isGpt2() ? "transformer.wte" : "model.embed_tokens";

    if (arguments.has("json")) {
        nlohmann::json targets = nlohmann::json::array();
        for (const LinearGroup& group : groups)
            targets.push_back({{"name", group.shortName},        {"pattern", group.pattern},
                               {"count", group.names.size()},    {"in_features", group.inFeatures},
                               {"out_features", group.outFeatures}, {"bias", group.bias},
                               {"fan_in_fan_out", group.fanInFanOut}, {"tied_to_embedding", group.tied}});
        nlohmann::json out = {
            {"model_dir", folder},
            {"model_type", config.modelType},
            {"architecture", architecture},
            {"parameter_count", parameterCount},
            {"dtype", storedDtype},
            {"config_dtype", config.storedDtype},
            {"num_layers", config.numHiddenLayers},
            {"hidden_size", config.hiddenSize},
            {"intermediate_size", config.intermediateSize},
            {"num_attention_heads", config.numAttentionHeads},
            {"num_key_value_heads", config.numKeyValueHeads},
            {"head_dim", config.headDim},
            {"vocab_size", config.vocabSize},
            {"max_position_embeddings", config.maxPositionEmbeddings},
            {"tie_word_embeddings", config.tieWordEmbeddings},
            {"eos_token_ids", config.eosTokenIds},
            {"embedding_module", embeddingName},
            {"target_modules", targets},
            {"linear_modules", linearNames},
            {"checkpoint_files", checkpoint.layout().files},
            {"checkpoint_problems", problems},
        };
        if (!config.isGpt2()) {
            out["rope_theta"] = config.ropeTheta;
            out["rope_scaling"] = config.ropeScaling.type;
            out["sliding_window"] = config.slidingWindow ? nlohmann::json(*config.slidingWindow) : nlohmann::json();
        }
        std::cout << out.dump(2) << "\n";
    } else {
        std::cout << "Model         " << folder << "\n"
                  << "Architecture  " << (architecture.empty() ? config.modelType : architecture) << " (model_type "
                  << config.modelType << ")\n"
                  << "Parameters    " << groupedCount(parameterCount) << " (" << humanCount(parameterCount) << ")\n"
                  << "Stored dtype  " << storedDtype
                  << (config.storedDtype.empty() ? "" : " (config.json says " + config.storedDtype + ")") << "\n"
                  << "Shape         " << config.numHiddenLayers << " layers, hidden " << config.hiddenSize
                  << ", intermediate " << config.intermediateSize << ", heads " << config.numAttentionHeads;
        if (config.numKeyValueHeads != config.numAttentionHeads) std::cout << " (kv " << config.numKeyValueHeads << ")";
        std::cout << ", head_dim " << config.headDim << ", vocab " << config.vocabSize << ", positions "
                  << config.maxPositionEmbeddings << "\n";
        if (!config.isGpt2()) {
            std::cout << "RoPE          theta " << config.ropeTheta << ", scaling " << config.ropeScaling.type;
            if (config.slidingWindow) std::cout << ", sliding window " << *config.slidingWindow;
            std::cout << "\n";
        }
        std::cout << "Embeddings    " << embeddingName << (config.tieWordEmbeddings ? " (tied to lm_head)" : "") << "\n"
                  << "Weights       " << checkpoint.layout().files.size() << " file(s)\n\n"
                  << "Linear layers PEFT methods can target (target_modules names):\n";
        size_t width = 0;
        for (const LinearGroup& group : groups) width = std::max(width, group.shortName.size());
        for (const LinearGroup& group : groups) {
            std::string shortName = group.shortName;
            shortName.resize(width + 2, ' ');
            std::cout << "  " << shortName << group.pattern << "  [" << group.inFeatures << " -> " << group.outFeatures
                      << "]" << (group.fanInFanOut ? " Conv1D" : "") << (group.bias ? " +bias" : "")
                      << (group.tied ? " (tied)" : "");
            if (group.names.size() > 1) std::cout << "  x" << group.names.size();
            std::cout << "\n";
        }
        if (!problems.empty()) {
            std::cout << "\nCheckpoint problems:\n";
            for (const std::string& problem : problems) std::cout << "  " << problem << "\n";
        }
    }
    if (!problems.empty()) {
        std::cerr << "capsule-cli info: " << folder << ": the checkpoint does not match config.json ("
                  << problems.size() << " problem" << (problems.size() == 1 ? "" : "s") << ", first: " << problems.front()
                  << ")" << std::endl;
        return 1;
    }
    return 0;
}

/// LibTorch errors carry a multi-line backtrace in what(); the CLI prints one line.
int runInfo(const Arguments& arguments) {
    try {
        return infoUnchecked(arguments);
    } catch (const c10::Error& error) {
        throw std::runtime_error(error.what_without_backtrace());
    }
}

}  // namespace

Command infoCommand() {
    return {"info", "MODEL_DIR [--json]",
            "show a model's architecture, parameter count, dtype and the layers PEFT can target",
            {{"json", false, "", "machine-readable output"}}, &runInfo};
}

}  // namespace capsule::cli
