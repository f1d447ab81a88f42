#include "peft/injection.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace capsule::peft {
namespace {

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Every dotted suffix of `name`, shortest first: "a.b.c" -> {"c", "b.c", "a.b.c"}.
std::vector<std::string> dottedSuffixes(const std::string& name) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        const size_t dot = name.find('.', start);
        parts.push_back(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    std::vector<std::string> suffixes;
    for (size_t i = parts.size(); i-- > 0;) {
        std::string suffix;
        for (size_t j = i; j < parts.size(); ++j) suffix += (j > i ? "." : "") + parts[j];
        suffixes.push_back(suffix);
    }
    return suffixes;
}

}  // namespace

bool matchesNameOrDottedSuffix(const std::string& name, const std::string& entry) {
    return name == entry || endsWith(name, "." + entry);
}

TargetMatcher::TargetMatcher(const TargetRules& rules) : rules_(rules) {
    if (rules.targetModules.isRegex() && !rules.targetModules.isAllLinear())
        targetRegex_.emplace(rules.targetModules.regex, "target_modules");
    if (rules.excludeModules.isRegex()) excludeRegex_.emplace(rules.excludeModules.regex, "exclude_modules");
    if (rules.modulesToSave)
        for (const auto& name : *rules.modulesToSave)
            modulesToSaveRegexes_.emplace_back("(^|.*\\.)" + name + "($|\\..*)", "modules_to_save");
}

TargetMatch TargetMatcher::check(const std::string& moduleName) const {
    // 1. exclude_modules
    if (excludeRegex_ && excludeRegex_->fullMatch(moduleName)) return TargetMatch::Excluded;
    if (rules_.excludeModules.isList())
        for (const auto& entry : rules_.excludeModules.names)
            if (matchesNameOrDottedSuffix(moduleName, entry)) return TargetMatch::Excluded;
    // 2. modules_to_save are never targeted (re.match: anchored at the start only)
    for (const auto& regex : modulesToSaveRegexes_)
        if (regex.match(moduleName)) return TargetMatch::Excluded;
    // 3. target_modules
    if (rules_.targetModules.isNone()) return TargetMatch::NotTargeted;
    if (targetRegex_) return targetRegex_->fullMatch(moduleName) ? TargetMatch::Targeted : TargetMatch::NotTargeted;
    if (rules_.targetModules.isAllLinear()) return TargetMatch::NotTargeted;  // expanded by resolveTargets
    const auto& names = rules_.targetModules.names;
    if (std::find(names.begin(), names.end(), moduleName) != names.end()) return TargetMatch::Targeted;
    bool found = false;
    for (const auto& entry : names)
        if (endsWith(moduleName, "." + entry)) {
            found = true;
            break;
        }
    // 4. layers_to_transform applies to suffix matches only (PEFT checks it in that branch).
    const bool usingLayerIndexes = rules_.layersToTransform && !rules_.layersToTransform->empty();
    if (found && usingLayerIndexes) {
        const std::optional<int64_t> index = layerIndexOf(moduleName, rules_.layersPattern);
        if (!index) return TargetMatch::NotTargeted;
        const auto& wanted = *rules_.layersToTransform;
        found = std::find(wanted.begin(), wanted.end(), *index) != wanted.end();
    }
    return found ? TargetMatch::Targeted : TargetMatch::NotTargeted;
}

std::optional<int64_t> layerIndexOf(const std::string& moduleName, const std::optional<std::vector<std::string>>& layersPattern) {
    auto parse = [](const std::string& digits) -> std::optional<int64_t> {
        if (digits.empty() || digits.size() > 9) return std::nullopt;
        return std::stoll(digits);
    };
    if (!layersPattern || layersPattern->empty()) {
        static const PythonRegex anyLayer(R"(.*?\.[^.]*\.(\d+)\.)", "layer index");
        const auto groups = anyLayer.match(moduleName);
        if (!groups) return std::nullopt;
        return parse((*groups)[1]);
    }
    for (const auto& pattern : *layersPattern) {
        const PythonRegex regex(".*?\\." + pattern + "\\.(\\d+)\\.", "layers_pattern");
        const auto groups = regex.match(moduleName);
        if (!groups) continue;
        // The pattern may contain groups of its own: the digits are the last group.
        return parse(groups->back());
    }
    return std::nullopt;
}

bool isFeedforwardModule(const ModuleSelector& feedforwardModules, const std::string& moduleName) {
    if (feedforwardModules.isRegex()) return regexFullMatch(feedforwardModules.regex, moduleName, "feedforward_modules");
    if (feedforwardModules.isList())
        for (const auto& entry : feedforwardModules.names)
            if (endsWith(moduleName, entry)) return true;  // no dot boundary, as PEFT
    return false;
}

std::optional<size_t> findPatternKey(const std::vector<std::string>& patternKeys, const std::string& moduleName) {
    for (size_t i = 0; i < patternKeys.size(); ++i) {
        const PythonRegex regex("(.*\\.)?(" + patternKeys[i] + ")$", "rank_pattern/alpha_pattern key");
        if (regex.match(moduleName)) return i;
    }
    return std::nullopt;
}

std::set<std::string> findMinimalTargetModules(const std::set<std::string>& targets, const std::set<std::string>& others) {
    if (targets.empty()) throw std::runtime_error("target_modules should be a non-empty list of strings");
    for (const auto& name : targets)
        if (others.count(name))
            throw std::runtime_error("target_modules and other module names overlap on '" + name + "'");
    std::set<std::string> otherSuffixes;
    for (const auto& name : others)
        for (auto& suffix : dottedSuffixes(name)) otherSuffixes.insert(std::move(suffix));

    // PEFT sorts (name, suffixes) by the suffix lists for a deterministic result.
    std::vector<std::pair<std::string, std::vector<std::string>>> items;
    for (const auto& name : targets) items.emplace_back(name, dottedSuffixes(name));
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
        if (a.second != b.second) return a.second < b.second;
        return a.first < b.first;
    });

    std::set<std::string> required;
    for (const auto& [name, suffixes] : items) {
        for (const auto& suffix : suffixes) {
            if (required.count(suffix) || otherSuffixes.count(suffix)) continue;
            bool covered = false;
            for (const auto& existing : required)
                if (endsWith(name, "." + existing)) {
                    covered = true;
                    break;
                }
            if (!covered) {
                required.insert(suffix);
                break;
            }
        }
    }
    if (required.empty()) return targets;
    return required;
}

TargetResolution resolveTargets(model::CausalLM& model, const TargetRules& rules, bool compressLongLists) {
    const auto linears = model.namedLinears();
    TargetRules effective = rules;
    if (rules.targetModules.isAllLinear()) {
        // Every linear except the output embedding (lm_head is last in namedLinears()).
        std::vector<std::string> names;
        for (const auto& [name, linear] : linears)
            if (name != "lm_head") names.push_back(name);
        effective.targetModules = ModuleSelector::fromList(names);
    }
    const TargetMatcher matcher(effective);
    TargetResolution resolution;
    std::set<std::string> targeted, others;
    for (const auto& [name, linear] : linears) {
        if (matcher.check(name) == TargetMatch::Targeted) {
            resolution.layers.push_back({name, linear});
            targeted.insert(name);
        } else {
            others.insert(name);
        }
    }
    if (resolution.layers.empty()) {
        std::string available;
        for (size_t i = 0; i < linears.size() && i < 8; ++i) available += (i ? ", " : "") + linears[i].first;
        if (linears.size() > 8) available += ", ...";
        throw std::runtime_error("Target modules " + rules.targetModules.describe() +
                                 " not found in the base model. Please check the target modules and try again "
                                 "(only linear layers can be adapted; the model has " + available + ")");
    }
    resolution.targetModulesAfterInjection = effective.targetModules;
    // PEFT shrinks long lists before saving (MIN_TARGET_MODULES_FOR_OPTIMIZATION = 20).
    if (compressLongLists && effective.targetModules.isList() && effective.targetModules.names.size() >= 20) {
        std::set<std::string> notTargeted;
        for (const auto& [name, linear] : linears) {
            bool hit = false;
            for (const auto& entry : effective.targetModules.names)
                if (matchesNameOrDottedSuffix(name, entry)) {
                    hit = true;
                    break;
                }
            if (!hit) notTargeted.insert(name);
        }
        const std::set<std::string> entries(effective.targetModules.names.begin(), effective.targetModules.names.end());
        const std::set<std::string> minimal = findMinimalTargetModules(entries, notTargeted);
        if (minimal.size() < entries.size())
            resolution.targetModulesAfterInjection =
                ModuleSelector::fromList(std::vector<std::string>(minimal.begin(), minimal.end()));
    }
    return resolution;
}

std::vector<AdaptedLayer> findModulesToSave(model::CausalLM& model, const std::vector<std::string>& modulesToSave) {
    std::vector<AdaptedLayer> layers;
    for (const auto& [name, linear] : model.namedLinears())
        for (const auto& entry : modulesToSave)
            if (endsWith(name, entry)) {
                layers.push_back({name, linear});
                break;
            }
    return layers;
}

void freezeAllParameters(torch::nn::Module& model) {
    for (auto& parameter : model.parameters()) parameter.set_requires_grad(false);
}

}  // namespace capsule::peft
