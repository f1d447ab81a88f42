// Target-module matching (peft-spec.md §2.1): Python regex semantics, list matching on dotted
// suffixes, exclude_modules, modules_to_save, layers_to_transform / layers_pattern, all-linear,
// the minimal suffix set PEFT saves, the IA3 feedforward test and rank/alpha pattern keys.
#include "peft_test_support.h"

#include "peft/injection.h"
#include "peft/python_regex.h"

using namespace capsule;
using namespace capsule::peft;

namespace {

TargetMatch check(const TargetRules& rules, const std::string& name) {
    return TargetMatcher(rules).check(name);
}

TargetRules listRules(std::vector<std::string> names) {
    TargetRules rules;
    rules.targetModules = ModuleSelector::fromList(std::move(names));
    return rules;
}

std::vector<std::string> namesOf(const TargetResolution& resolution) {
    std::vector<std::string> names;
    for (const auto& layer : resolution.layers) names.push_back(layer.name);
    return names;
}

}  // namespace

CAPSULE_TEST(pythonRegexFullMatchAndMatch) {
    VERIFY(regexFullMatch(R"(.*\.(q_proj|v_proj))", "model.layers.0.self_attn.q_proj", "t"));
    VERIFY(!regexFullMatch(R"(.*\.(q_proj|v_proj))", "model.layers.0.self_attn.q_proj_extra", "t"));
    VERIFY(!regexFullMatch("q_proj", "model.layers.0.self_attn.q_proj", "t"));  // fullmatch, not search
    VERIFY(regexFullMatch(R"(.*(?<!mlp)\.c_proj)", "transformer.h.0.attn.c_proj", "t"));  // lookbehind
    VERIFY(!regexFullMatch(R"(.*(?<!mlp)\.c_proj)", "transformer.h.0.mlp.c_proj", "t"));
    VERIFY(regexFullMatch(R"((?i).*Q_PROJ)", "layers.0.q_proj", "t"));                // inline flag
    VERIFY(regexFullMatch(R"(.*\.(?P<kind>q|v)_proj)", "layers.0.v_proj", "t"));       // Python named group
    const PythonRegex prefix(R"(.*?\.[^.]*\.(\d+)\.)", "t");
    const auto groups = prefix.match("model.layers.12.mlp.layers.3.x");
    VERIFY(groups.has_value());
    COMPARE((*groups)[1], std::string("12"));  // lazy: the first group
    VERIFY(!prefix.match("lm_head").has_value());
    VERIFY_THROWS(PythonRegex("(unclosed", "target_modules"), "target_modules: invalid regex '(unclosed'");
    VERIFY(!regexFullMatch(".*", std::string("bad\xff\xfe utf8"), "t"));  // invalid UTF-8: no match, no crash
}

CAPSULE_TEST(listTargetsMatchExactNamesAndDottedSuffixes) {
    const TargetRules rules = listRules({"c_proj"});
    COMPARE(check(rules, "transformer.h.0.attn.c_proj"), TargetMatch::Targeted);
    COMPARE(check(rules, "transformer.h.0.mlp.c_proj"), TargetMatch::Targeted);
    COMPARE(check(rules, "transformer.h.0.mlp.xc_proj"), TargetMatch::NotTargeted);  // dot boundary
    COMPARE(check(rules, "c_proj"), TargetMatch::Targeted);                          // exact
    const TargetRules mlpOnly = listRules({"mlp.c_proj"});
    COMPARE(check(mlpOnly, "transformer.h.0.attn.c_proj"), TargetMatch::NotTargeted);
    COMPARE(check(mlpOnly, "transformer.h.0.mlp.c_proj"), TargetMatch::Targeted);
}

CAPSULE_TEST(regexTargetsUseFullMatch) {
    TargetRules rules;
    rules.targetModules = ModuleSelector::fromRegex(R"(.*\.0\..*c_attn)");
    COMPARE(check(rules, "transformer.h.0.attn.c_attn"), TargetMatch::Targeted);
    COMPARE(check(rules, "transformer.h.1.attn.c_attn"), TargetMatch::NotTargeted);
}

CAPSULE_TEST(excludeModulesAndModulesToSaveWin) {
    TargetRules rules = listRules({"c_attn", "c_proj"});
    rules.excludeModules = ModuleSelector::fromList({"mlp.c_proj"});
    COMPARE(check(rules, "transformer.h.0.mlp.c_proj"), TargetMatch::Excluded);
    COMPARE(check(rules, "transformer.h.0.attn.c_proj"), TargetMatch::Targeted);
    rules.excludeModules = ModuleSelector::fromRegex(R"(.*\.1\..*)");
    COMPARE(check(rules, "transformer.h.1.attn.c_attn"), TargetMatch::Excluded);
    COMPARE(check(rules, "transformer.h.0.attn.c_attn"), TargetMatch::Targeted);
    TargetRules saving = listRules({"c_attn", "lm_head"});
    saving.modulesToSave = std::vector<std::string>{"lm_head"};
    COMPARE(check(saving, "lm_head"), TargetMatch::Excluded);
    COMPARE(check(saving, "transformer.h.0.attn.c_attn"), TargetMatch::Targeted);
}

CAPSULE_TEST(layersToTransformReadsTheLayerIndex) {
    COMPARE(*layerIndexOf("transformer.h.3.attn.c_attn"), int64_t(3));
    COMPARE(*layerIndexOf("model.layers.11.self_attn.q_proj"), int64_t(11));
    VERIFY(!layerIndexOf("lm_head").has_value());
    COMPARE(*layerIndexOf("model.layers.2.block.7.x", std::vector<std::string>{"block"}), int64_t(7));
    VERIFY(!layerIndexOf("model.layers.2.q", std::vector<std::string>{"h"}).has_value());

    TargetRules rules = listRules({"q_proj"});
    rules.layersToTransform = std::vector<int64_t>{0, 2};
    COMPARE(check(rules, "model.layers.0.self_attn.q_proj"), TargetMatch::Targeted);
    COMPARE(check(rules, "model.layers.1.self_attn.q_proj"), TargetMatch::NotTargeted);
    COMPARE(check(rules, "model.layers.2.self_attn.q_proj"), TargetMatch::Targeted);
    rules.layersPattern = std::vector<std::string>{"h"};  // GPT-2's name, not Llama's: nothing matches
    COMPARE(check(rules, "model.layers.0.self_attn.q_proj"), TargetMatch::NotTargeted);
    rules.layersPattern = std::vector<std::string>{"h", "layers"};
    COMPARE(check(rules, "model.layers.2.self_attn.q_proj"), TargetMatch::Targeted);
    // An exact-name entry bypasses the layer filter (PEFT checks it in the suffix branch only).
    TargetRules exact = listRules({"model.layers.1.self_attn.q_proj"});
    exact.layersToTransform = std::vector<int64_t>{0};
    COMPARE(check(exact, "model.layers.1.self_attn.q_proj"), TargetMatch::Targeted);
}

CAPSULE_TEST(allLinearExpandsToEveryLinearButTheHead) {
    auto model = test::tinyModel(test::tinyGpt2());
    TargetRules rules;
    rules.targetModules = ModuleSelector::fromRegex("all-linear");
    const TargetResolution resolution = resolveTargets(*model, rules, true);
    COMPARE(resolution.layers.size(), size_t(8));  // 2 layers x (c_attn, c_proj, c_fc, c_proj)
    for (const auto& name : namesOf(resolution)) VERIFY(name != "lm_head");
    // Fewer than 20 entries: PEFT saves the full paths.
    VERIFY(resolution.targetModulesAfterInjection.isList());
    COMPARE(resolution.targetModulesAfterInjection.names.size(), size_t(8));
    COMPARE(resolution.targetModulesAfterInjection.names.front(), std::string("transformer.h.0.attn.c_attn"));
}

CAPSULE_TEST(twentyOrMoreTargetsAreSavedAsMinimalSuffixes) {
    test::TinyConfig config = test::tinyGpt2();
    config.layers = 6;  // 24 linears
    auto gpt2 = test::tinyModel(config);
    TargetRules rules;
    rules.targetModules = ModuleSelector::fromRegex("all-linear");
    const TargetResolution resolution = resolveTargets(*gpt2, rules, true);
    COMPARE(resolution.layers.size(), size_t(24));
    COMPARE(resolution.targetModulesAfterInjection.names, (std::vector<std::string>{"c_attn", "c_fc", "c_proj"}));
    // IA3 keeps the long list.
    COMPARE(resolveTargets(*gpt2, rules, false).targetModulesAfterInjection.names.size(), size_t(24));

    test::TinyConfig llamaConfig = test::tinyLlamaConfig();
    llamaConfig.layers = 3;  // 21 linears
    auto llama = test::tinyModel(llamaConfig);
    const TargetResolution llamaResolution = resolveTargets(*llama, rules, true);
    COMPARE(llamaResolution.targetModulesAfterInjection.names,
            (std::vector<std::string>{"down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"}));
}

CAPSULE_TEST(minimalTargetModulesSeparatesTargetsFromOthers) {
    // Only attention's c_proj is targeted: the bare suffix "c_proj" would also hit mlp.c_proj.
    const std::set<std::string> targets = {"transformer.h.0.attn.c_proj", "transformer.h.1.attn.c_proj"};
    const std::set<std::string> others = {"transformer.h.0.mlp.c_proj", "transformer.h.1.mlp.c_proj", "lm_head"};
    COMPARE(findMinimalTargetModules(targets, others), (std::set<std::string>{"attn.c_proj"}));
    VERIFY_THROWS(findMinimalTargetModules({"a"}, {"a"}), "overlap");
}

CAPSULE_TEST(noMatchingTargetIsAnError) {
    auto model = test::tinyModel(test::tinyLlamaConfig());
    VERIFY_THROWS(resolveTargets(*model, listRules({"c_attn"}), true),
                  "Target modules [c_attn] not found in the base model");
    VERIFY_THROWS(resolveTargets(*model, listRules({"embed_tokens"}), true), "only linear layers can be adapted");
    const TargetResolution resolution = resolveTargets(*model, listRules({"q_proj", "v_proj"}), true);
    COMPARE(namesOf(resolution), (std::vector<std::string>{"model.layers.0.self_attn.q_proj",
                                                           "model.layers.0.self_attn.v_proj",
                                                           "model.layers.1.self_attn.q_proj",
                                                           "model.layers.1.self_attn.v_proj"}));
}

CAPSULE_TEST(ia3FeedforwardUsesPlainEndsWith) {
    const ModuleSelector feedforward = ModuleSelector::fromList({"output.dense"});
    // The BERT quirk: both the attention output and the FFN output count as feedforward.
    VERIFY(isFeedforwardModule(feedforward, "bert.encoder.layer.0.attention.output.dense"));
    VERIFY(isFeedforwardModule(feedforward, "bert.encoder.layer.0.output.dense"));
    VERIFY(isFeedforwardModule(ModuleSelector::fromList({"proj"}), "model.layers.0.mlp.down_proj"));  // no dot boundary
    VERIFY(!isFeedforwardModule(ModuleSelector::fromList({"mlp.c_proj"}), "transformer.h.0.attn.c_proj"));
    VERIFY(isFeedforwardModule(ModuleSelector::fromRegex(R"(.*mlp\..*)"), "transformer.h.0.mlp.c_proj"));
    VERIFY(!isFeedforwardModule(ModuleSelector::none(), "transformer.h.0.mlp.c_proj"));
}

CAPSULE_TEST(patternKeysMatchOnDottedSuffixes) {
    const std::vector<std::string> keys = {"attn", "h.1.attn.c_attn", "c_attn"};
    VERIFY(!findPatternKey({"attn"}, "transformer.h.0.attn.c_attn").has_value());  // "(.*\.)?(attn)$"
    COMPARE(*findPatternKey(keys, "transformer.h.1.attn.c_attn"), size_t(1));     // first match in order
    COMPARE(*findPatternKey(keys, "transformer.h.0.attn.c_attn"), size_t(2));
    COMPARE(*findPatternKey({R"(layers\.[01]\.self_attn\.q_proj)"}, "model.layers.1.self_attn.q_proj"), size_t(0));
    VERIFY(!findPatternKey({"q_proj"}, "model.layers.1.self_attn.q_proj_x").has_value());
}
