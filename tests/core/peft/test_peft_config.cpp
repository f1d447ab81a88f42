// adapter_config.json: PEFT's field names, defaults and JSON form (peft-spec.md §1.2, §3.1, §4.1,
// §5.1), the compatibility / full key sets, validation messages and the §2.2 default targets.
#include "capsule_test.h"

#include "peft/peft_config.h"

#include <nlohmann/json.hpp>

#include <set>

using namespace capsule::peft;

namespace {

std::set<std::string> keysOf(const std::string& jsonText) {
    std::set<std::string> keys;
    const nlohmann::json json = nlohmann::json::parse(jsonText);
    for (const auto& item : json.items()) keys.insert(item.key());
    return keys;
}

// §3.1: the v0.13 baseline key set of LoraConfig.
const std::set<std::string> kLoraCompatibleKeys = {
    "alpha_pattern", "auto_mapping",    "base_model_name_or_path", "bias",          "fan_in_fan_out",
    "inference_mode", "init_lora_weights", "layer_replication",   "layers_pattern", "layers_to_transform",
    "loftq_config",  "lora_alpha",      "lora_dropout",            "megatron_config", "megatron_core",
    "modules_to_save", "peft_type",     "r",                       "rank_pattern",  "revision",
    "target_modules", "task_type",      "use_dora",                "use_rslora"};

}  // namespace

CAPSULE_TEST(loraDefaultsArePeftDefaults) {
    const LoraConfig config;
    COMPARE(config.r, int64_t(8));
    COMPARE(config.loraAlpha, 8.0);
    COMPARE(config.loraDropout, 0.0);
    VERIFY(config.targetModules.isNone());
    COMPARE(config.bias, std::string("none"));
    COMPARE(config.initLoraWeights, std::string("true"));
    VERIFY(!config.useRslora);
    VERIFY(!config.fanInFanOut);
    VERIFY(config.rankPattern.empty());
    const AdaLoraConfig ada;
    COMPARE(ada.targetR, int64_t(8));
    COMPARE(ada.initR, int64_t(12));
    COMPARE(ada.tinit, int64_t(0));
    COMPARE(ada.tfinal, int64_t(0));
    COMPARE(ada.deltaT, int64_t(1));
    COMPARE(ada.beta1, 0.85);
    COMPARE(ada.beta2, 0.85);
    COMPARE(ada.orthRegWeight, 0.5);
    VERIFY(!ada.totalStep);
    VERIFY(!ada.rankPattern);
    const Ia3Config ia3;
    VERIFY(ia3.initIa3Weights);
    VERIFY(ia3.feedforwardModules.isNone());
}

CAPSULE_TEST(compatibleLoraJsonHasTheBaselineKeysSortedWithTwoSpaceIndent) {
    LoraConfig config;
    config.targetModules = ModuleSelector::fromList({"c_attn"});
    config.baseModelNameOrPath = "gpt2";
    const std::string text = toAdapterConfigJson(config);
    COMPARE(keysOf(text), kLoraCompatibleKeys);
    VERIFY(text.rfind("{\n  \"alpha_pattern\": {},\n  \"auto_mapping\": null,\n", 0) == 0);
    VERIFY(text.back() == '}');  // no trailing newline
    VERIFY(text.find("\"inference_mode\": true") != std::string::npos);  // forced on save
    VERIFY(text.find("\"lora_dropout\": 0.0") != std::string::npos);   // a Python float
    VERIFY(text.find("\"lora_alpha\": 8,") != std::string::npos);       // a Python int
    VERIFY(text.find("\"target_modules\": [\n    \"c_attn\"\n  ]") != std::string::npos);
}

CAPSULE_TEST(newerKeysAppearInTheCompatibleProfileOnlyWhenNotDefault) {
    LoraConfig config;
    config.targetModules = ModuleSelector::fromList({"q_proj"});
    config.excludeModules = ModuleSelector::fromList({"lm_head"});
    config.loraBias = true;
    const std::set<std::string> keys = keysOf(toAdapterConfigJson(config));
    VERIFY(keys.count("exclude_modules"));
    VERIFY(keys.count("lora_bias"));
    VERIFY(!keys.count("peft_version"));
    VERIFY(!keys.count("eva_config"));
}

CAPSULE_TEST(fullProfileAddsEveryHeadKey) {
    LoraConfig config;
    config.targetModules = ModuleSelector::fromList({"c_attn"});
    const std::string text = toAdapterConfigJson(config, ConfigProfile::Full);
    std::set<std::string> expected = kLoraCompatibleKeys;
    for (const char* key : {"alora_invocation_tokens", "arrow_config", "corda_config", "ensure_weight_tying",
                            "eva_config", "exclude_modules", "kasa_config", "lora_bias", "lora_ga_config",
                            "monteclora_config", "peft_version", "qalora_group_size", "target_parameters",
                            "trainable_token_indices", "use_bdlora", "use_qalora", "velora_config"})
        expected.insert(key);
    COMPARE(keysOf(text), expected);
    const auto json = nlohmann::json::parse(text);
    COMPARE(json["qalora_group_size"].get<int>(), 16);
    COMPARE(json["peft_version"].get<std::string>(), std::string(kPeftVersionForFullProfile));
    VERIFY(json["ensure_weight_tying"] == false);
}

CAPSULE_TEST(loraConfigRoundTripsThroughJson) {
    LoraConfig config;
    config.r = 16;
    config.loraAlpha = 32;
    config.loraDropout = 0.05;
    config.targetModules = ModuleSelector::fromRegex(R"(.*\.(q_proj|v_proj))");
    config.bias = "lora_only";
    config.useRslora = true;
    config.initLoraWeights = "gaussian";
    config.rankPattern = {{"q_proj", 4}, {"layers.0.self_attn.v_proj", 2}};
    config.alphaPattern = {{"v_proj", 1.5}};
    config.taskType.reset();
    config.autoMapping = AutoMapping{"LlamaForCausalLM", "transformers.models.llama.modeling_llama"};
    const std::string text = toAdapterConfigJson(config);
    const LoraConfig parsed = parseLoraConfig(text, "adapter_config.json");
    COMPARE(parsed.r, int64_t(16));
    COMPARE(parsed.loraAlpha, 32.0);
    COMPARE(parsed.loraDropout, 0.05);
    VERIFY(parsed.targetModules.isRegex());
    COMPARE(parsed.targetModules.regex, config.targetModules.regex);
    COMPARE(parsed.bias, std::string("lora_only"));
    VERIFY(parsed.useRslora);
    COMPARE(parsed.initLoraWeights, std::string("gaussian"));
    COMPARE(parsed.rankPattern.size(), size_t(2));
    COMPARE(parsed.alphaPattern.front().second, 1.5);
    VERIFY(!parsed.taskType);
    VERIFY(parsed.autoMapping.has_value());
    COMPARE(parsed.autoMapping->baseModelClass, std::string("LlamaForCausalLM"));
    // Written again, byte for byte the same.
    COMPARE(toAdapterConfigJson(parsed), text);
    VERIFY(text.find("\"auto_mapping\": {\n    \"base_model_class\": \"LlamaForCausalLM\"") != std::string::npos);
}

CAPSULE_TEST(rankPatternKeepsFileOrderForFirstMatch) {
    const LoraConfig parsed = parseLoraConfig(
        R"({"peft_type": "LORA", "target_modules": ["q_proj"], "rank_pattern": {"z": 1, "a": 2, "m": 3}})", "x.json");
    COMPARE(parsed.rankPattern[0].first, std::string("z"));
    COMPARE(parsed.rankPattern[1].first, std::string("a"));
    COMPARE(parsed.rankPattern[2].first, std::string("m"));
}

CAPSULE_TEST(minimalConfigUsesDefaults) {
    // The PEFT docs' minimal LoRA config.
    const LoraConfig parsed = parseLoraConfig(R"({"peft_type": "LORA", "target_modules": ["c_attn"]})", "min.json");
    COMPARE(parsed.r, int64_t(8));
    COMPARE(parsed.targetModules.names, std::vector<std::string>{"c_attn"});
    COMPARE(*parsed.taskType, std::string("CAUSAL_LM"));  // absent -> our default; explicit null -> null
    const LoraConfig withNull =
        parseLoraConfig(R"({"peft_type": "LORA", "task_type": null, "target_modules": "all-linear"})", "min.json");
    VERIFY(!withNull.taskType);
    VERIFY(withNull.targetModules.isAllLinear());
}

CAPSULE_TEST(layersToTransformKeepsItsForm) {
    const LoraConfig scalar = parseLoraConfig(
        R"({"peft_type": "LORA", "target_modules": ["q"], "layers_to_transform": 3, "layers_pattern": "layers"})", "x");
    VERIFY(scalar.layersToTransformIsInteger);
    COMPARE(*scalar.layersToTransform, std::vector<int64_t>{3});
    VERIFY(scalar.layersPatternIsString);
    const std::string text = toAdapterConfigJson(scalar);
    VERIFY(text.find("\"layers_to_transform\": 3,") != std::string::npos);
    VERIFY(text.find("\"layers_pattern\": \"layers\",") != std::string::npos);
    const LoraConfig list =
        parseLoraConfig(R"({"peft_type": "LORA", "target_modules": ["q"], "layers_to_transform": [0, 2]})", "x");
    COMPARE(*list.layersToTransform, (std::vector<int64_t>{0, 2}));
    VERIFY(toAdapterConfigJson(list).find("\"layers_to_transform\": [\n    0,\n    2\n  ]") != std::string::npos);
}

CAPSULE_TEST(unknownKeysAreReportedNotFatal) {
    std::vector<std::string> ignored;
    const LoraConfig parsed = parseLoraConfig(
        R"({"peft_type": "LORA", "target_modules": ["c_attn"], "shiny_new_option": 3, "eva_config": null,
            "peft_version": "0.20.0", "runtime_config": {"ephemeral_gpu_offload": false}})",
        "adapter_config.json", &ignored);
    COMPARE(ignored, std::vector<std::string>{"shiny_new_option"});
    COMPARE(parsed.r, int64_t(8));
}

CAPSULE_TEST(unsupportedFeaturesAreRejectedByName) {
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "target_modules": ["q"], "use_dora": true})", "a.json"),
                  "use_dora");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "target_modules": ["q"], "layer_replication": [[0, 2]]})",
                                  "a.json"),
                  "layer_replication");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "target_modules": ["q"], "use_qalora": true})", "a.json"),
                  "use_qalora");
    // The "off" values load fine.
    parseLoraConfig(R"({"peft_type": "LORA", "target_modules": ["q"], "use_qalora": false, "arrow_config": null,
                        "loftq_config": {}, "layer_replication": null})",
                    "a.json");
}

CAPSULE_TEST(invalidValuesNameTheFileAndField) {
    VERIFY_THROWS(parseLoraConfig("{\"peft_type\": \"LORA\",\n \"r\": }", "dir/adapter_config.json"),
                  "dir/adapter_config.json: invalid JSON");
    VERIFY_THROWS(parseLoraConfig("{\"peft_type\": \"LORA\",\n \"r\": }", "dir/adapter_config.json"), "line 2");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "r": "8"})", "f.json"), "f.json: field 'r' must be an integer");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "r": 0})", "f.json"), "`r` should be a positive integer");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "r": 100000000})", "f.json"), "exceeds");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "bias": "some"})", "f.json"), "bias");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "lora_dropout": 1.0})", "f.json"), "lora_dropout");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "IA3"})", "f.json"), "is 'IA3', expected 'LORA'");
    VERIFY_THROWS(parseLoraConfig(R"([1, 2])", "f.json"), "top level must be a JSON object");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "target_modules": [1]})", "f.json"), "target_modules");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "target_modules": "x", "layers_to_transform": [1]})", "f"),
                  "`layers_to_transform` cannot be used when `target_modules` is a str.");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "target_modules": ["x"], "layers_pattern": "h"})", "f"),
                  "`layers_to_transform` must also be specified");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "target_modules": ["x"], "layers_to_transform": [-1]})", "f"),
                  "invalid layer index");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "init_lora_weights": "magic"})", "f"), "init_lora_weights");
    VERIFY_THROWS(parseLoraConfig(R"({"peft_type": "LORA", "task_type": "DANCE"})", "f"), "task_type");
    VERIFY_THROWS(readPeftType(R"({"r": 8})", "cfg.json"), "cfg.json: field 'peft_type' is missing");
}

CAPSULE_TEST(adaLoraJsonHasLoraFieldsPlusSchedule) {
    AdaLoraConfig config;
    config.lora.targetModules = ModuleSelector::fromList({"c_attn"});
    config.lora.loraAlpha = 32;
    config.totalStep = 100;
    config.tinit = 10;
    config.tfinal = 20;
    config.deltaT = 5;
    const std::string text = toAdapterConfigJson(config);
    std::set<std::string> expected = kLoraCompatibleKeys;
    for (const char* key : {"beta1", "beta2", "deltaT", "init_r", "orth_reg_weight", "target_r", "tfinal", "tinit",
                            "total_step"})
        expected.insert(key);
    COMPARE(keysOf(text), expected);
    VERIFY(text.find("\"peft_type\": \"ADALORA\"") != std::string::npos);
    VERIFY(text.find("\"rank_pattern\": null") != std::string::npos);  // AdaLoRA's default
    VERIFY(text.find("\"beta1\": 0.85") != std::string::npos);

    config.rankPattern = std::map<std::string, std::vector<bool>>{
        {"transformer.h.0.attn.c_attn.lora_E", {true, false, true}}};
    const AdaLoraConfig parsed = parseAdaLoraConfig(toAdapterConfigJson(config), "ada.json");
    VERIFY(parsed.rankPattern.has_value());
    COMPARE(parsed.rankPattern->at("transformer.h.0.attn.c_attn.lora_E"), (std::vector<bool>{true, false, true}));
    COMPARE(*parsed.totalStep, int64_t(100));
    COMPARE(parsed.deltaT, int64_t(5));
    COMPARE(parsed.lora.loraAlpha, 32.0);
    COMPARE(toAdapterConfigJson(parsed), toAdapterConfigJson(config));
}

CAPSULE_TEST(adaLoraValidation) {
    VERIFY_THROWS(parseAdaLoraConfig(R"({"peft_type": "ADALORA", "target_modules": ["q"]})", "a"),
                  "`total_step` is None");
    VERIFY_THROWS(parseAdaLoraConfig(R"({"peft_type": "ADALORA", "total_step": 10, "tinit": 6, "tfinal": 4})", "a"),
                  "budgeting phase");
    VERIFY_THROWS(parseAdaLoraConfig(R"({"peft_type": "ADALORA", "total_step": 10, "deltaT": 0})", "a"), "deltaT");
    VERIFY_THROWS(parseAdaLoraConfig(R"({"peft_type": "ADALORA", "total_step": 10, "target_r": 20})", "a"),
                  "target_r");
    VERIFY_THROWS(parseAdaLoraConfig(R"({"peft_type": "ADALORA", "total_step": 10, "orth_reg_weight": -1})", "a"),
                  "orth_reg_weight");
    VERIFY_THROWS(parseAdaLoraConfig(R"({"peft_type": "ADALORA", "total_step": 10, "use_dora": true})", "a"), "DoRA");
    VERIFY_THROWS(parseAdaLoraConfig(R"({"peft_type": "ADALORA", "total_step": 10, "rank_pattern": {"x": [1]}})", "a"),
                  "list of booleans");
}

CAPSULE_TEST(ia3JsonKeys) {
    Ia3Config config;
    config.targetModules = ModuleSelector::fromList({"c_attn", "mlp.c_proj"});
    config.feedforwardModules = ModuleSelector::fromList({"mlp.c_proj"});
    config.baseModelNameOrPath = "gpt2";
    const std::string text = toAdapterConfigJson(config);
    COMPARE(keysOf(text), (std::set<std::string>{"auto_mapping", "base_model_name_or_path", "fan_in_fan_out",
                                                  "feedforward_modules", "inference_mode", "init_ia3_weights",
                                                  "modules_to_save", "peft_type", "revision", "target_modules",
                                                  "task_type"}));
    VERIFY(keysOf(toAdapterConfigJson(config, ConfigProfile::Full)).count("exclude_modules"));
    const Ia3Config parsed = parseIa3Config(text, "ia3.json");
    COMPARE(parsed.feedforwardModules.names, std::vector<std::string>{"mlp.c_proj"});
    COMPARE(toAdapterConfigJson(parsed), text);
    VERIFY_THROWS(parseIa3Config(R"({"peft_type": "IA3", "target_modules": ["k"], "feedforward_modules": ["wo"]})", "i"),
                  "subset");
}

CAPSULE_TEST(defaultTargetsFollowTheArchitectureTable) {
    COMPARE(defaultLoraTargetModules("gpt2").names, std::vector<std::string>{"c_attn"});
    COMPARE(defaultLoraTargetModules("llama").names, (std::vector<std::string>{"q_proj", "v_proj"}));
    COMPARE(defaultLoraTargetModules("mistral").names, (std::vector<std::string>{"q_proj", "v_proj"}));
    COMPARE(defaultLoraTargetModules("phi").names, (std::vector<std::string>{"q_proj", "v_proj", "fc1", "fc2"}));
    VERIFY(defaultLoraTargetModules("gemma4").isRegex());
    COMPARE(defaultAdaLoraTargetModules("qwen2").names, (std::vector<std::string>{"q_proj", "v_proj"}));
    COMPARE(defaultIa3TargetModules("gpt2").names, (std::vector<std::string>{"c_attn", "mlp.c_proj"}));
    COMPARE(defaultIa3FeedforwardModules("gpt2").names, std::vector<std::string>{"mlp.c_proj"});
    COMPARE(defaultIa3TargetModules("llama").names, (std::vector<std::string>{"k_proj", "v_proj", "down_proj"}));
    COMPARE(defaultIa3TargetModules("qwen2").names, (std::vector<std::string>{"q_proj", "v_proj", "down_proj"}));
    COMPARE(defaultIa3FeedforwardModules("llama").names, std::vector<std::string>{"down_proj"});
    VERIFY(defaultIa3FeedforwardModules("mt5").names.empty());
    VERIFY_THROWS(defaultLoraTargetModules("mamba"), "Please specify `target_modules`");
    VERIFY_THROWS(defaultAdaLoraTargetModules("mistral"), "Please specify `target_modules`");
}

CAPSULE_TEST(nonAsciiIsEscapedLikePython) {
    LoraConfig config;
    config.targetModules = ModuleSelector::fromList({"c_attn"});
    config.baseModelNameOrPath = "mod\xc3\xa8le";  // "modèle"
    VERIFY(toAdapterConfigJson(config).find("\"mod\\u00e8le\"") != std::string::npos);
}
