// The per-architecture default target_modules / feedforward_modules of peft-spec.md §2.2
// (PEFT's utils/constants.py), used when a config leaves them null. Declared in peft_config.h.
#include "peft/peft_config.h"

#include <map>
#include <stdexcept>

namespace capsule::peft {
namespace {

struct DefaultTargets {
    std::vector<std::string> lora;
    std::vector<std::string> adaLora;
    std::vector<std::string> ia3;
    std::vector<std::string> ia3Feedforward;
};

const std::map<std::string, DefaultTargets>& defaultTargetTable() {
    static const std::map<std::string, DefaultTargets> table = {
        {"gpt2", {{"c_attn"}, {"c_attn"}, {"c_attn", "mlp.c_proj"}, {"mlp.c_proj"}}},
        {"llama", {{"q_proj", "v_proj"}, {"q_proj", "v_proj"}, {"k_proj", "v_proj", "down_proj"}, {"down_proj"}}},
        {"qwen2", {{"q_proj", "v_proj"}, {"q_proj", "v_proj"}, {"q_proj", "v_proj", "down_proj"}, {"down_proj"}}},
        {"mistral", {{"q_proj", "v_proj"}, {}, {"k_proj", "v_proj", "down_proj"}, {"down_proj"}}},
        {"qwen3", {{"q_proj", "v_proj"}, {"q_proj", "v_proj"}, {"q_proj", "v_proj", "down_proj"}, {"down_proj"}}},
        {"gemma", {{"q_proj", "v_proj"}, {"q_proj", "v_proj"}, {"q_proj", "v_proj", "down_proj"}, {"down_proj"}}},
        {"gemma2", {{"q_proj", "v_proj"}, {"q_proj", "v_proj"}, {"q_proj", "v_proj", "down_proj"}, {"down_proj"}}},
        {"gemma3_text", {{"q_proj", "v_proj"}, {"q_proj", "v_proj"}, {"q_proj", "v_proj", "down_proj"}, {"down_proj"}}},
        {"t5", {{"q", "v"}, {"q", "k", "v", "o", "wi", "wo"}, {"k", "v", "wo"}, {"wo"}}},
        {"mt5", {{"q", "v"}, {"q", "k", "v", "o", "wi_0", "wi_1", "wo"}, {"k", "v", "wi_1"}, {}}},
        {"bert", {{"query", "value"}, {"query", "value"}, {"key", "value", "output.dense"}, {"output.dense"}}},
        {"roberta", {{"query", "value"}, {"query", "key", "value", "dense"}, {"key", "value", "output.dense"}, {"output.dense"}}},
    };
    return table;
}

// LoRA-only rows of §2.2 ("The other LoRA defaults at HEAD").
const std::map<std::string, std::vector<std::string>>& extraLoraDefaults() {
    static const std::map<std::string, std::vector<std::string>> table = {
        {"bart", {"q_proj", "v_proj"}},           {"bloom", {"query_key_value"}},
        {"blip-2", {"q", "v", "q_proj", "v_proj"}}, {"opt", {"q_proj", "v_proj"}},
        {"gptj", {"q_proj", "v_proj"}},           {"gpt_neox", {"query_key_value"}},
        {"gpt_neo", {"q_proj", "v_proj"}},        {"xlm-roberta", {"query", "value"}},
        {"electra", {"query", "value"}},          {"layoutlm", {"query", "value"}},
        {"deberta-v2", {"query_proj", "value_proj"}}, {"deberta", {"in_proj"}},
        {"llama4", {"q_proj", "v_proj"}},         {"chatglm", {"query_key_value"}},
        {"gpt_bigcode", {"c_attn"}},              {"mpt", {"Wqkv"}},
        {"RefinedWeb", {"query_key_value"}},      {"RefinedWebModel", {"query_key_value"}},
        {"falcon", {"query_key_value"}},          {"btlm", {"c_proj", "c_attn"}},
        {"codegen", {"qkv_proj"}},                {"mixtral", {"q_proj", "v_proj"}},
        {"stablelm", {"q_proj", "v_proj"}},       {"phi", {"q_proj", "v_proj", "fc1", "fc2"}},
        {"nemotron_h", {"q", "k", "v", "o_proj"}}, {"rwkv", {"key", "value", "receptance", "output"}},
        {"rwkv7", {"r_proj", "k_proj", "v_proj", "o_proj", "key", "value"}},
    };
    return table;
}

const char* kGemma4Regex = R"(.*language_model\..*\.(q_proj|v_proj))";

[[noreturn]] void noDefault(const std::string& what, const std::string& modelType) {
    throw std::runtime_error("Please specify `" + what + "` in the config: PEFT has no default for model_type '" +
                             modelType + "'");
}

}  // namespace

ModuleSelector defaultLoraTargetModules(const std::string& modelType) {
    if (modelType == "gemma4") return ModuleSelector::fromRegex(kGemma4Regex);
    const auto& table = defaultTargetTable();
    if (auto found = table.find(modelType); found != table.end()) return ModuleSelector::fromList(found->second.lora);
    const auto& extra = extraLoraDefaults();
    if (auto found = extra.find(modelType); found != extra.end()) return ModuleSelector::fromList(found->second);
    noDefault("target_modules", modelType);
}

ModuleSelector defaultAdaLoraTargetModules(const std::string& modelType) {
    if (modelType == "gemma4") return ModuleSelector::fromRegex(kGemma4Regex);
    const auto& table = defaultTargetTable();
    if (auto found = table.find(modelType); found != table.end() && !found->second.adaLora.empty())
        return ModuleSelector::fromList(found->second.adaLora);
    noDefault("target_modules", modelType);
}

ModuleSelector defaultIa3TargetModules(const std::string& modelType) {
    const auto& table = defaultTargetTable();
    if (auto found = table.find(modelType); found != table.end()) return ModuleSelector::fromList(found->second.ia3);
    noDefault("target_modules", modelType);
}

ModuleSelector defaultIa3FeedforwardModules(const std::string& modelType) {
    const auto& table = defaultTargetTable();
    if (auto found = table.find(modelType); found != table.end())
        return ModuleSelector::fromList(found->second.ia3Feedforward);
    noDefault("feedforward_modules", modelType);
}

}  // namespace capsule::peft
