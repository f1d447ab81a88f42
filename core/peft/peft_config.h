#pragma once
// The configurations of the weight-adapting PEFT methods (LoRA, AdaLoRA, IA3) as plain structs with
// PEFT's field names and defaults (peft-spec.md §3.1, §4.1, §5.1), and their `adapter_config.json`
// form (§1.2).
//
// Writing follows Python's `json.dumps(asdict(config), indent=2, sort_keys=True)`: keys sorted,
// 2-space indent, ", " / ": " separators, non-ASCII escaped, no trailing newline, sets written as
// (sorted) lists, `inference_mode` forced to true. Two key sets: the compatibility profile (the
// long-standing keys, loads on PEFT >= 0.10; the default) and the full profile (PEFT 0.20 HEAD).
//
// Reading accepts every key PEFT has written since v0.8, applies PEFT's defaults for missing keys
// and reports unknown keys (PEFT >= 0.14 drops them with a warning). Values a feature needs that
// Capsule does not implement (DoRA, LoftQ, EVA, layer replication, ...) are rejected with a message
// naming the key, so an adapter is never silently loaded wrong.
//
// No LibTorch here: the GUI and the run store include this header.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace capsule::peft {

/// A module selector as PEFT accepts it for target_modules, exclude_modules, feedforward_modules:
/// null, one regex string (matched with re.fullmatch; "all-linear" is special), or a list / set of
/// names (exact or dotted-suffix match, see injection.h).
struct ModuleSelector {
    enum class Kind { None, Regex, List };
    Kind kind = Kind::None;
    std::string regex;               // Kind::Regex
    std::vector<std::string> names;  // Kind::List, in the order given (a set: written sorted)

    static ModuleSelector none() { return {}; }
    static ModuleSelector fromRegex(std::string pattern) {
        ModuleSelector selector;
        selector.kind = Kind::Regex;
        selector.regex = std::move(pattern);
        return selector;
    }
    static ModuleSelector fromList(std::vector<std::string> list) {
        ModuleSelector selector;
        selector.kind = Kind::List;
        selector.names = std::move(list);
        return selector;
    }
    bool isNone() const { return kind == Kind::None; }
    bool isList() const { return kind == Kind::List; }
    bool isRegex() const { return kind == Kind::Regex; }
    bool isAllLinear() const { return kind == Kind::Regex && regex == "all-linear"; }
    /// "null", "'regex'" or "[a, b]" for messages.
    std::string describe() const;
};

/// Which keys adapter_config.json gets (§1.2 "Writer recommendation").
enum class ConfigProfile {
    Compatible,  ///< the v0.13 key set (§3.1): loads on PEFT 0.10 and later; the default
    Full,        ///< every key PEFT 0.20 writes, with `peft_version`
};

/// `auto_mapping`, written when task_type is null.
struct AutoMapping {
    std::string baseModelClass;  // "GPT2LMHeadModel"
    std::string parentLibrary;   // "transformers.models.gpt2.modeling_gpt2"
};

/// PeftConfigMixin + PeftConfig fields shared by every method.
struct PeftConfigBase {
    std::optional<std::string> taskType = std::string("CAUSAL_LM");  // null -> plain PeftModel
    std::optional<std::string> baseModelNameOrPath;
    std::optional<std::string> revision;
    std::optional<AutoMapping> autoMapping;  // filled at save time when taskType is null
    /// In memory only; the file always says true. Loaded adapters are in inference mode.
    bool inferenceMode = false;
};

/// LoraConfig (peft_type "LORA").
struct LoraConfig : PeftConfigBase {
    int64_t r = 8;
    double loraAlpha = 8;
    double loraDropout = 0.0;
    ModuleSelector targetModules;  // None -> per-architecture default (§2.2)
    ModuleSelector excludeModules;
    bool fanInFanOut = false;      // forced true for GPT-2 Conv1D targets (§3.4)
    std::string bias = "none";     // "none", "all", "lora_only"
    bool useRslora = false;        // scaling = alpha / sqrt(r)
    std::optional<std::vector<std::string>> modulesToSave;
    /// "true", "false", "gaussian" (supported) or one of PEFT's data-driven inits ("pissa", "olora",
    /// "eva", ..., rejected when applying a fresh adapter; harmless when loading trained weights).
    std::string initLoraWeights = "true";
    std::optional<std::vector<int64_t>> layersToTransform;
    bool layersToTransformIsInteger = false;  // written back as a bare int
    std::optional<std::vector<std::string>> layersPattern;
    bool layersPatternIsString = false;  // written back as a bare string
    /// Regex key -> rank / alpha override, in file order (the first matching key wins, §3.3).
    std::vector<std::pair<std::string, int64_t>> rankPattern;
    std::vector<std::pair<std::string, double>> alphaPattern;
    bool loraBias = false;  // a trainable bias on lora_B
    bool useDora = false;   // not supported: rejected
    std::optional<std::string> megatronConfigJson;  // raw JSON; must be null
    std::string megatronCore = "megatron.core";
};

/// AdaLoraConfig (peft_type "ADALORA"): every LoRA field (LoRA's rank_pattern is unused and
/// written as AdaLoRA's) plus the budget schedule (§4.1).
struct AdaLoraConfig {
    LoraConfig lora;  // lora.r is ignored (ranks come from initR); lora.rankPattern must stay empty
    int64_t targetR = 8;
    int64_t initR = 12;
    int64_t tinit = 0;
    int64_t tfinal = 0;
    int64_t deltaT = 1;
    double beta1 = 0.85;
    double beta2 = 0.85;
    double orthRegWeight = 0.5;
    std::optional<int64_t> totalStep;  // required (> 0)
    /// `<module path>.lora_E` -> keep-mask of initR booleans (true = kept); null until the first
    /// masking. std::map: the file's keys are sorted anyway and lookups are exact.
    std::optional<std::map<std::string, std::vector<bool>>> rankPattern;
};

/// IA3Config (peft_type "IA3").
struct Ia3Config : PeftConfigBase {
    ModuleSelector targetModules;       // None -> per-architecture default
    ModuleSelector excludeModules;
    ModuleSelector feedforwardModules;  // None -> per-architecture default
    bool fanInFanOut = false;
    std::optional<std::vector<std::string>> modulesToSave;
    bool initIa3Weights = true;  // ones; false leaves randn
};

/// The `peft_version` written by the full profile.
inline constexpr const char* kPeftVersionForFullProfile = "0.20.0";

/// `peft_type` of an adapter_config.json text. Throws std::runtime_error "<sourceName>: ..." for
/// invalid JSON or a missing / non-string peft_type.
std::string readPeftType(const std::string& jsonText, const std::string& sourceName);

/// Parsing: `sourceName` names the file in errors ("<sourceName>: field 'r' must be ..."); unknown
/// keys are appended to `ignoredKeys` when given. The result is validated (validate*()).
LoraConfig parseLoraConfig(const std::string& jsonText, const std::string& sourceName,
                           std::vector<std::string>* ignoredKeys = nullptr);
AdaLoraConfig parseAdaLoraConfig(const std::string& jsonText, const std::string& sourceName,
                                 std::vector<std::string>* ignoredKeys = nullptr);
Ia3Config parseIa3Config(const std::string& jsonText, const std::string& sourceName,
                         std::vector<std::string>* ignoredKeys = nullptr);

/// adapter_config.json text for the config as it stands (callers resolve defaults first).
std::string toAdapterConfigJson(const LoraConfig& config, ConfigProfile profile = ConfigProfile::Compatible);
std::string toAdapterConfigJson(const AdaLoraConfig& config, ConfigProfile profile = ConfigProfile::Compatible);
std::string toAdapterConfigJson(const Ia3Config& config, ConfigProfile profile = ConfigProfile::Compatible);

/// PEFT's __post_init__ checks; throw std::runtime_error naming the field ("LoraConfig: ...").
void validate(const LoraConfig& config);
void validate(const AdaLoraConfig& config);
void validate(const Ia3Config& config);

/// Per-architecture defaults (§2.2) by config.json model_type. Throw std::runtime_error
/// "Please specify `target_modules` in the config: no default for model_type '<t>'" when unknown.
ModuleSelector defaultLoraTargetModules(const std::string& modelType);
ModuleSelector defaultAdaLoraTargetModules(const std::string& modelType);
ModuleSelector defaultIa3TargetModules(const std::string& modelType);
ModuleSelector defaultIa3FeedforwardModules(const std::string& modelType);

}  // namespace capsule::peft
