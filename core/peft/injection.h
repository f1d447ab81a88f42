#pragma once
// Which layers a weight-adapting PEFT method wraps: PEFT's `check_target_module_exists`
// (peft-spec.md §2.1) over the model's HF module names (CausalLM::namedLinears()), `all-linear`,
// `layers_to_transform` / `layers_pattern`, `exclude_modules`, `modules_to_save`, the minimal
// target list PEFT saves for 20+ targets, and freezing the base model.
//
// Regexes use Python `re` semantics through PCRE2 (python_regex.h explains the choice).
// Only linear layers (nn.Linear and GPT-2 Conv1D) can be adapted; names of other modules never
// match, and a config that matches no linear layer is an error, as in PEFT.
#include "model/causal_lm.h"
#include "peft/peft_config.h"
#include "peft/python_regex.h"

#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace capsule::peft {

/// The selection fields every weight-adapting config has.
struct TargetRules {
    ModuleSelector targetModules;
    ModuleSelector excludeModules;
    std::optional<std::vector<std::string>> modulesToSave;
    std::optional<std::vector<int64_t>> layersToTransform;
    std::optional<std::vector<std::string>> layersPattern;
};

enum class TargetMatch { NotTargeted, Targeted, Excluded };

/// check_target_module_exists with the rule's regexes compiled once. Immutable; thread-safe.
class TargetMatcher {
public:
    /// Throws std::runtime_error for an invalid regex (naming the config field).
    explicit TargetMatcher(const TargetRules& rules);
    /// The checks in PEFT's order: exclude_modules, modules_to_save, target_modules, then
    /// layers_to_transform (list-form targets that matched by suffix only).
    TargetMatch check(const std::string& moduleName) const;

private:
    TargetRules rules_;
    std::optional<PythonRegex> targetRegex_;
    std::optional<PythonRegex> excludeRegex_;
    std::vector<PythonRegex> modulesToSaveRegexes_;
};

/// The layer index PEFT reads from a module name: the first `.<name>.<digits>.` group (any name,
/// or one of `layersPattern`, tried in order). nullopt when there is none.
std::optional<int64_t> layerIndexOf(const std::string& moduleName,
                                    const std::optional<std::vector<std::string>>& layersPattern = std::nullopt);

/// `name == entry || name ends with "." + entry` (list-form target_modules / exclude_modules).
bool matchesNameOrDottedSuffix(const std::string& name, const std::string& entry);

/// IA3's feedforward test: regex fullmatch, or a plain `endswith(entry)` with no dot boundary.
bool isFeedforwardModule(const ModuleSelector& feedforwardModules, const std::string& moduleName);

/// rank_pattern / alpha_pattern lookup (§3.3): the first key whose regex `(.*\.)?(<key>)$`
/// matches the start of `moduleName`; nullopt when none does.
std::optional<size_t> findPatternKey(const std::vector<std::string>& patternKeys, const std::string& moduleName);

/// One linear layer an adapter wraps.
struct AdaptedLayer {
    std::string name;     // HF module name, e.g. "transformer.h.0.attn.c_attn"
    model::Linear linear;
};

/// What resolving the rules against a model gives.
struct TargetResolution {
    std::vector<AdaptedLayer> layers;          // matched layers, model order
    /// target_modules as PEFT stores them after injection: `all-linear` expanded to full names,
    /// then, for 20+ list entries (and `compressLongLists`), the minimal suffix set.
    ModuleSelector targetModulesAfterInjection;
};

/// Matches every linear of `model`. `all-linear` expands to every linear except the output layer
/// (lm_head). Throws std::runtime_error "Target modules <sel> not found in the base model ..."
/// when nothing matches. `compressLongLists` is false for IA3 (§2.1).
TargetResolution resolveTargets(model::CausalLM& model, const TargetRules& rules, bool compressLongLists);

/// PEFT's _find_minimal_target_modules: a small set of dotted suffixes that matches every name of
/// `targets` and none of `others`; returns `targets` itself when no suffix set is found.
std::set<std::string> findMinimalTargetModules(const std::set<std::string>& targets,
                                               const std::set<std::string>& others);

/// Linear layers named by modules_to_save (PEFT's _set_trainable: plain `endswith`).
std::vector<AdaptedLayer> findModulesToSave(model::CausalLM& model, const std::vector<std::string>& modulesToSave);

/// requires_grad = false on every parameter currently in `model` (call before attaching adapters).
void freezeAllParameters(torch::nn::Module& model);

}  // namespace capsule::peft
