// Prompt tuning and P-tuning (peft-spec.md §6, §7, §9, §12): adapter_config.json text and key
// sets, saved key / shape / dtype, PEFT's parameter counts, save → load → identical logits,
// virtual tokens in the input and dropped from the logits, labels, masks, generation, gradients,
// encoder structure against hand-written references, hostile configs.
#include "prompt_test_support.h"

#include "model/generation.h"
#include "peft/adapter_io.h"
#include "peft/p_tuning.h"
#include "peft/parameter_count.h"
#include "peft/prefix_tuning.h"
#include "peft/prompt_tuning.h"
#include "tokenizer/tokenizer.h"

#include <filesystem>
#include <set>

using namespace capsule;
using capsule::test::TempDir;

namespace {

peft::PromptTuningConfig promptConfig(int64_t tokens, const std::string& init = "RANDOM") {
    peft::PromptTuningConfig config;
    config.numVirtualTokens = tokens;
    config.promptTuningInit = init;
    return config;
}

peft::PromptEncoderConfig pTuningConfig(int64_t tokens, const std::string& type, std::optional<int64_t> hidden = {}) {
    peft::PromptEncoderConfig config;
    config.numVirtualTokens = tokens;
    config.encoderReparameterizationType = type;
    config.encoderHiddenSize = hidden;
    return config;
}

std::set<std::string> jsonKeys(const std::string& text) {
    const nlohmann::json json = nlohmann::json::parse(text);
    std::set<std::string> keys;
    for (const auto& item : json.items()) keys.insert(item.key());
    return keys;
}

const std::set<std::string> kBaseKeys = {"auto_mapping",     "base_model_name_or_path", "inference_mode",
                                         "num_attention_heads", "num_layers",          "num_transformer_submodules",
                                         "num_virtual_tokens", "peft_type",            "revision",
                                         "task_type",          "token_dim"};

std::set<std::string> withKeys(std::set<std::string> keys, std::initializer_list<const char*> extra) {
    for (const char* key : extra) keys.insert(key);
    return keys;
}

torch::Tensor forwardIds(model::CausalLM& model, peft::AdapterMethod* adapter, const std::vector<std::vector<int64_t>>& ids) {
    torch::NoGradGuard noGrad;
    model::ForwardInput input;
    input.inputIds = test::idsTensor(ids);
    return peft::forwardLogits(model, adapter, input);
}

/// Named parameter of a module (throws when absent).
torch::Tensor parameter(torch::nn::Module& module, const std::string& name) {
    for (const auto& item : module.named_parameters())
        if (item.key() == name) return item.value().detach();
    throw std::runtime_error("no parameter " + name);
}

/// One direction of one LSTM layer, written from the formulas (gates i, f, g, o in PyTorch's
/// order): x [n, in] -> h [n, hidden].
torch::Tensor referenceLstmDirection(const torch::Tensor& x, const torch::Tensor& weightInput,
                                     const torch::Tensor& weightHidden, const torch::Tensor& biasInput,
                                     const torch::Tensor& biasHidden, bool reverse) {
    const int64_t steps = x.size(0);
    const int64_t hidden = weightHidden.size(1);
    torch::Tensor h = torch::zeros({hidden}, x.options());
    torch::Tensor c = torch::zeros({hidden}, x.options());
    torch::Tensor output = torch::zeros({steps, hidden}, x.options());
    for (int64_t k = 0; k < steps; ++k) {
        const int64_t t = reverse ? steps - 1 - k : k;
        const torch::Tensor gates = weightInput.matmul(x[t]) + biasInput + weightHidden.matmul(h) + biasHidden;  // [4h]
        const torch::Tensor i = torch::sigmoid(gates.slice(0, 0, hidden));
        const torch::Tensor f = torch::sigmoid(gates.slice(0, hidden, 2 * hidden));
        const torch::Tensor g = torch::tanh(gates.slice(0, 2 * hidden, 3 * hidden));
        const torch::Tensor o = torch::sigmoid(gates.slice(0, 3 * hidden, 4 * hidden));
        c = f * c + i * g;
        h = o * torch::tanh(c);
        output[t] = h;
    }
    return output;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// adapter_config.json

CAPSULE_TEST(promptTuningConfigJsonIsPeftsText) {
    // §7's example (GPT-2 small, CAUSAL_LM, RANDOM, n = 20), HEAD profile.
    auto model = test::metaModel(test::gpt2ConfigJson(768, 12, 12), "gpt2");
    peft::PromptTuningAdapter adapter(promptConfig(20));
    adapter.apply(*model, peft::WeightInit::Fresh);
    const std::string full = adapter.configJson(peft::ConfigProfile::Full);
    COMPARE(full, std::string(R"({
  "auto_mapping": null,
  "base_model_name_or_path": "gpt2",
  "inference_mode": true,
  "modules_to_save": null,
  "num_attention_heads": 12,
  "num_layers": 12,
  "num_transformer_submodules": 1,
  "num_virtual_tokens": 20,
  "peft_type": "PROMPT_TUNING",
  "peft_version": "0.20.0",
  "prompt_tuning_init": "RANDOM",
  "prompt_tuning_init_text": null,
  "revision": null,
  "task_type": "CAUSAL_LM",
  "token_dim": 768,
  "tokenizer_kwargs": null,
  "tokenizer_name_or_path": null
})"));
    // The compatibility profile drops the v0.17 key and peft_version (PEFT <= 0.13 rejects unknown keys).
    const std::string compatible = adapter.configJson(peft::ConfigProfile::Compatible);
    COMPARE(jsonKeys(compatible), withKeys(kBaseKeys, {"prompt_tuning_init", "prompt_tuning_init_text",
                                                       "tokenizer_kwargs", "tokenizer_name_or_path"}));
    VERIFY(compatible.back() == '}');  // no trailing newline
}

CAPSULE_TEST(pTuningAndPrefixConfigFieldSets) {
    auto model = test::metaModel(test::gpt2ConfigJson(768, 12, 12), "gpt2");
    peft::PTuningAdapter pTuning(pTuningConfig(20, "MLP"));
    pTuning.apply(*model, peft::WeightInit::Fresh);
    const auto pJson = nlohmann::json::parse(pTuning.configJson(peft::ConfigProfile::Full));
    COMPARE(jsonKeys(pJson.dump()),
            withKeys(kBaseKeys, {"modules_to_save", "peft_version", "encoder_reparameterization_type",
                                 "encoder_hidden_size", "encoder_num_layers", "encoder_dropout"}));
    COMPARE(pJson["peft_type"].get<std::string>(), std::string("P_TUNING"));
    COMPARE(pJson["encoder_hidden_size"].get<int64_t>(), int64_t{768});  // null -> token_dim
    COMPARE(pJson["encoder_num_layers"].get<int64_t>(), int64_t{2});
    COMPARE(pJson["encoder_reparameterization_type"].get<std::string>(), std::string("MLP"));
    VERIFY(pTuning.configJson(peft::ConfigProfile::Full).find("\"encoder_dropout\": 0.0") != std::string::npos);
    COMPARE(pJson["token_dim"].get<int64_t>(), int64_t{768});
    COMPARE(pJson["num_layers"].get<int64_t>(), int64_t{12});
    COMPARE(pJson["num_attention_heads"].get<int64_t>(), int64_t{12});
    COMPARE(pJson["inference_mode"].get<bool>(), true);
    COMPARE(jsonKeys(pTuning.configJson(peft::ConfigProfile::Compatible)),
            withKeys(kBaseKeys, {"encoder_reparameterization_type", "encoder_hidden_size", "encoder_num_layers",
                                 "encoder_dropout"}));
}

CAPSULE_TEST(parsedConfigRoundTripsAndReportsUnknownKeys) {
    peft::PromptTuningConfig config = promptConfig(7, "TEXT");
    config.promptTuningInitText = "Classify the sentiment:";
    config.tokenizerNameOrPath = "gpt2";
    config.tokenizerKwargsJson = R"({"use_fast": false})";
    config.tokenDim = 16;
    const std::string text = peft::toAdapterConfigJson(config, peft::ConfigProfile::Full);
    std::vector<std::string> ignored;
    const peft::PromptTuningConfig parsed = peft::parsePromptTuningConfig(text, "a/adapter_config.json", &ignored);
    VERIFY(ignored.empty());
    COMPARE(peft::toAdapterConfigJson(parsed, peft::ConfigProfile::Full), text);
    COMPARE(*parsed.promptTuningInitText, std::string("Classify the sentiment:"));

    auto json = nlohmann::json::parse(text);
    json["future_option"] = 3;
    peft::parsePromptTuningConfig(json.dump(), "a/adapter_config.json", &ignored);
    COMPARE(ignored, std::vector<std::string>{"future_option"});
}

CAPSULE_TEST(hostileConfigsAreRejectedWithTheField) {
    const std::string source = "x/adapter_config.json";
    VERIFY_THROWS(peft::parsePromptTuningConfig("{", source), "invalid JSON");
    VERIFY_THROWS(peft::parsePromptTuningConfig(R"({"peft_type": "PROMPT_TUNING"})", source), "num_virtual_tokens");
    VERIFY_THROWS(peft::parsePromptTuningConfig(R"({"peft_type": "PROMPT_TUNING", "num_virtual_tokens": -3})", source),
                  "num_virtual_tokens");
    VERIFY_THROWS(peft::parsePromptTuningConfig(R"({"peft_type": "PROMPT_TUNING", "num_virtual_tokens": "20"})", source),
                  "num_virtual_tokens");
    VERIFY_THROWS(peft::parsePromptTuningConfig(
                      R"({"peft_type": "PROMPT_TUNING", "num_virtual_tokens": 4, "task_type": "SEQ_2_SEQ_LM"})", source),
                  "task_type");
    VERIFY_THROWS(peft::parsePromptTuningConfig(
                      R"({"peft_type": "PROMPT_TUNING", "num_virtual_tokens": 4, "prompt_tuning_init": "TEXT"})", source),
                  "prompt_tuning_init_text");
    VERIFY_THROWS(peft::parsePromptTuningConfig(
                      R"({"peft_type": "PROMPT_TUNING", "num_virtual_tokens": 4, "tokenizer_kwargs": {"a": 1}})", source),
                  "tokenizer_kwargs");
    VERIFY_THROWS(peft::parsePromptEncoderConfig(
                      R"({"peft_type": "P_TUNING", "num_virtual_tokens": 4, "token_dim": 99999999999})", source),
                  "token_dim");
    VERIFY_THROWS(peft::parsePromptEncoderConfig(
                      R"({"peft_type": "P_TUNING", "num_virtual_tokens": 4, "encoder_dropout": 1.5})", source),
                  "encoder_dropout");
    VERIFY_THROWS(peft::parsePromptEncoderConfig(R"({"peft_type": "LORA", "num_virtual_tokens": 4})", source),
                  "peft_type");
    VERIFY_THROWS(peft::parsePromptEncoderConfig(
                      R"({"peft_type": "P_TUNING", "num_virtual_tokens": 4, "modules_to_save": ["lm_head"]})", source),
                  "modules_to_save");
    // A fresh P-tuning adapter with an unknown encoder type.
    TempDir folder;
    auto model = test::tinyPromptModel(folder, "gpt2");
    peft::PTuningAdapter adapter(pTuningConfig(3, "GRU"));
    VERIFY_THROWS(adapter.apply(*model, peft::WeightInit::Fresh), "GRU");
    // token_dim that does not fit the model.
    peft::PromptTuningConfig wrongWidth = promptConfig(3);
    wrongWidth.tokenDim = 32;
    peft::PromptTuningAdapter wrong(wrongWidth);
    VERIFY_THROWS(wrong.apply(*model, peft::WeightInit::Fresh), "token_dim = 32");
}

// ---------------------------------------------------------------------------------------------
// Shapes and parameter counts (§12; PEFT-reported numbers)

CAPSULE_TEST(gpt2SmallShapesAndParameterCounts) {
    const std::string gpt2Small = test::gpt2ConfigJson(768, 12, 12);
    const int64_t baseParameters = 124439808;  // GPT-2 small, tied head counted once
    {
        auto model = test::metaModel(gpt2Small, "gpt2");
        COMPARE(peft::countTrainableParameters(*model).all, baseParameters);
        peft::PromptTuningAdapter adapter(promptConfig(20));
        adapter.apply(*model, peft::WeightInit::Fresh);
        COMPARE(adapter.loadTargets().front().first, std::string("prompt_embeddings"));
        COMPARE(adapter.loadTargets().front().second.sizes().vec(), (std::vector<int64_t>{20, 768}));
        const peft::ParameterCounts counts = peft::countTrainableParameters(*model);
        COMPARE(counts.trainable, int64_t{15360});
        COMPARE(counts.all, baseParameters + 15360);
    }
    {
        auto model = test::metaModel(gpt2Small, "gpt2");
        peft::PTuningAdapter adapter(pTuningConfig(20, "MLP"));
        adapter.apply(*model, peft::WeightInit::Fresh);
        // The head ends in 768 outputs: the saved prompt_embeddings are [20, 768].
        std::map<std::string, std::vector<int64_t>> shapes;
        for (const auto& [name, tensor] : adapter.namedTrainableParameters()) shapes[name] = tensor.sizes().vec();
        COMPARE(shapes["prompt_encoder.default.embedding.weight"], (std::vector<int64_t>{20, 768}));
        COMPARE(shapes["prompt_encoder.default.mlp_head.4.weight"], (std::vector<int64_t>{768, 768}));
        // embedding + three linears 768 -> 768 with biases.
        COMPARE(peft::countTrainableParameters(*model).trainable, int64_t{20 * 768 + 3 * (768 * 768 + 768)});
        COMPARE(peft::countTrainableParameters(*model).trainable, int64_t{1787136});
    }
    {
        auto model = test::metaModel(gpt2Small, "gpt2");
        peft::PTuningAdapter adapter(pTuningConfig(20, "LSTM"));
        adapter.apply(*model, peft::WeightInit::Fresh);
        // LSTM (bidirectional, 2 layers, hidden 768): layer 0 per direction 4h(768 + h) + 8h,
        // layer 1 per direction 4h(2h + h) + 8h; head 2h·2h + 2h and 2h·768 + 768.
        const int64_t h = 768;
        const int64_t lstm = 2 * (4 * h * (768 + h) + 8 * h) + 2 * (4 * h * (2 * h + h) + 8 * h);
        const int64_t head = (2 * h * 2 * h + 2 * h) + (2 * h * 768 + 768);
        COMPARE(peft::countTrainableParameters(*model).trainable, 20 * 768 + lstm + head);
        COMPARE(peft::countTrainableParameters(*model).trainable, int64_t{27174144});
    }
}

CAPSULE_TEST(parameterCountsPeftDocumentsForLargerModels) {
    // PeftModelForCausalLM's docstring: prefix tuning, gpt2-large, n = 20:
    // "trainable params: 1843200 || all params: 775873280".
    {
        auto model = test::metaModel(test::gpt2ConfigJson(1280, 36, 20), "gpt2-large");
        peft::PrefixTuningConfig config;
        config.numVirtualTokens = 20;
        peft::PrefixTuningAdapter adapter(config);
        adapter.apply(*model, peft::WeightInit::Fresh);
        const peft::ParameterCounts counts = peft::countTrainableParameters(*model);
        COMPARE(counts.trainable, int64_t{1843200});
        COMPARE(counts.all, int64_t{775873280});
        COMPARE(peft::formatTrainableParameters(counts),
                std::string("trainable params: 1,843,200 || all params: 775,873,280 || trainable%: 0.2376"));
    }
    // PEFT's P-tuning guide (bloomz-560m, hidden 1024, encoder_hidden_size 128, n = 20) reports
    // "trainable params: 300,288"; the count depends only on the hidden size, so gpt2-medium
    // (hidden 1024) gives the same.
    {
        auto model = test::metaModel(test::gpt2ConfigJson(1024, 24, 16), "gpt2-medium");
        peft::PTuningAdapter adapter(pTuningConfig(20, "MLP", 128));
        adapter.apply(*model, peft::WeightInit::Fresh);
        COMPARE(peft::countTrainableParameters(*model).trainable, int64_t{300288});
    }
    // PEFT's prompt-tuning guide (bloomz-560m, n = 8): "trainable params: 8,192".
    {
        auto model = test::metaModel(test::gpt2ConfigJson(1024, 24, 16), "gpt2-medium");
        peft::PromptTuningAdapter adapter(promptConfig(8));
        adapter.apply(*model, peft::WeightInit::Fresh);
        COMPARE(peft::countTrainableParameters(*model).trainable, int64_t{8192});
    }
}

CAPSULE_TEST(trainableParametersHavePeftNames) {
    auto model = test::metaModel(test::gpt2ConfigJson(768, 12, 12), "gpt2");
    peft::PTuningAdapter adapter(pTuningConfig(20, "LSTM", 64));
    adapter.apply(*model, peft::WeightInit::Fresh);
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& [name, tensor] : adapter.namedTrainableParameters()) shapes[name] = tensor.sizes().vec();
    COMPARE(shapes.size(), size_t{1 + 2 * 2 * 4 + 4});  // embedding, LSTM (2 layers × 2 directions × 4), head
    COMPARE(shapes["prompt_encoder.default.embedding.weight"], (std::vector<int64_t>{20, 768}));
    COMPARE(shapes["prompt_encoder.default.lstm_head.weight_ih_l0"], (std::vector<int64_t>{256, 768}));
    COMPARE(shapes["prompt_encoder.default.lstm_head.weight_hh_l0_reverse"], (std::vector<int64_t>{256, 64}));
    COMPARE(shapes["prompt_encoder.default.lstm_head.weight_ih_l1"], (std::vector<int64_t>{256, 128}));
    COMPARE(shapes["prompt_encoder.default.mlp_head.0.weight"], (std::vector<int64_t>{128, 128}));
    COMPARE(shapes["prompt_encoder.default.mlp_head.2.weight"], (std::vector<int64_t>{768, 128}));
    COMPARE(shapes["prompt_encoder.default.mlp_head.2.bias"], (std::vector<int64_t>{768}));
    // The model's parameter list shows the same names (PEFT's in-memory keys).
    bool found = false;
    for (const auto& item : model->named_parameters())
        found = found || item.key() == "prompt_encoder.default.mlp_head.0.bias";
    VERIFY(found);
    // remove() takes the encoder out of the model again.
    adapter.remove();
    COMPARE(peft::countTrainableParameters(*model).all, int64_t{124439808});
}

// ---------------------------------------------------------------------------------------------
// Forward integration (§6.4)

CAPSULE_TEST(virtualTokensArePrependedAndDroppedFromLogits) {
    for (const std::string type : {"gpt2", "llama"}) {
        TempDir folder;
        auto model = test::tinyPromptModel(folder, type);
        torch::manual_seed(3);
        peft::PromptTuningAdapter adapter(promptConfig(5));
        adapter.apply(*model, peft::WeightInit::Fresh);
        const std::vector<std::vector<int64_t>> ids = {{3, 14, 15, 9, 2, 6}, {1, 2, 3, 4, 5, 6}};

        model::ForwardInput input;
        input.inputIds = test::idsTensor(ids);
        input.attentionMask = torch::ones({2, 6}, torch::kLong);
        input.positionIds = torch::arange(6).unsqueeze(0).expand({2, 6});  // PEFT ignores these
        torch::NoGradGuard noGrad;
        const peft::AdaptedInput adapted = adapter.prepareInput(input);
        COMPARE(adapted.virtualTokenCount, int64_t{5});
        VERIFY(!adapted.input.inputIds.defined());
        VERIFY(!adapted.input.positionIds.defined());
        COMPARE(adapted.input.inputsEmbeds.sizes().vec(), (std::vector<int64_t>{2, 11, 16}));
        COMPARE(adapted.input.attentionMask.sizes().vec(), (std::vector<int64_t>{2, 11}));
        COMPARE(adapted.input.attentionMask.sum().item<int64_t>(), int64_t{22});

        // Reference: the table rows, then the word embeddings, through the plain model.
        const torch::Tensor table = adapter.loadTargets().front().second.detach();  // [5, 16]
        model::ForwardInput manual;
        manual.inputsEmbeds = torch::cat({table.unsqueeze(0).expand({2, 5, 16}), model->embedTokens(input.inputIds)}, 1);
        const torch::Tensor full = model->forward(manual);  // [2, 11, V]
        const torch::Tensor logits = peft::forwardLogits(*model, &adapter, input);  // [2, 6, V]
        COMPARE(logits.sizes().vec(), (std::vector<int64_t>{2, 6, 29}));
        COMPARE_NEAR(test::maxAbsDiff(logits, full.slice(1, 5)), 0.0, 1e-5);
        // The prompt changes the output (it is not a no-op).
        VERIFY(test::maxAbsDiff(logits, forwardIds(*model, nullptr, ids)) > 1e-3);
    }
    // Labels: -100 at the virtual positions.
    const torch::Tensor labels = torch::tensor({7, 8, 9}, torch::kLong).view({1, 3});
    const torch::Tensor extended = peft::extendLabelsForVirtualTokens(labels, 4);
    COMPARE(extended.sizes().vec(), (std::vector<int64_t>{1, 7}));
    const std::vector<int64_t> values(extended.data_ptr<int64_t>(), extended.data_ptr<int64_t>() + 7);
    COMPARE(values, (std::vector<int64_t>{-100, -100, -100, -100, 7, 8, 9}));
}

CAPSULE_TEST(paddedBatchMatchesSingleSequences) {
    // Left padding + mask: the ones prepended for the virtual tokens keep each row's real
    // tokens at positions n, n+1, ... so a padded row equals the row run alone.
    for (const std::string type : {"gpt2", "llama"}) {
        TempDir folder;
        auto model = test::tinyPromptModel(folder, type);
        torch::manual_seed(5);
        peft::PTuningAdapter adapter(pTuningConfig(3, "MLP", 8));
        adapter.apply(*model, peft::WeightInit::Fresh);
        model::ForwardInput input;
        input.inputIds = test::idsTensor({{0, 0, 4, 5, 6}, {7, 8, 9, 10, 11}});
        input.attentionMask = torch::tensor({0, 0, 1, 1, 1, 1, 1, 1, 1, 1}, torch::kLong).view({2, 5});
        torch::NoGradGuard noGrad;
        const torch::Tensor padded = peft::forwardLogits(*model, &adapter, input);  // [2, 5, V]
        const torch::Tensor first = forwardIds(*model, &adapter, {{4, 5, 6}});
        const torch::Tensor second = forwardIds(*model, &adapter, {{7, 8, 9, 10, 11}});
        COMPARE_NEAR(test::maxAbsDiff(padded[0].slice(0, 2), first[0]), 0.0, 1e-5);
        COMPARE_NEAR(test::maxAbsDiff(padded[1], second[0]), 0.0, 1e-5);
    }
}

CAPSULE_TEST(cachedContinuationMatchesFullForward) {
    TempDir folder;
    auto model = test::tinyPromptModel(folder, "llama");
    torch::manual_seed(9);
    peft::PromptTuningAdapter adapter(promptConfig(4));
    adapter.apply(*model, peft::WeightInit::Fresh);
    torch::NoGradGuard noGrad;
    model::KVCache cache = model->makeCache();
    model::ForwardInput prefill;
    prefill.inputIds = test::idsTensor({{5, 6, 7}});
    prefill.attentionMask = torch::ones({1, 3}, torch::kLong);
    prefill.cache = &cache;
    peft::forwardLogits(*model, &adapter, prefill);
    COMPARE(cache.length(), int64_t{7});  // 4 virtual + 3 real
    model::ForwardInput step;
    step.inputIds = test::idsTensor({{8}});
    step.attentionMask = torch::ones({1, 4}, torch::kLong);  // the real positions only
    step.cache = &cache;
    const torch::Tensor stepLogits = peft::forwardLogits(*model, &adapter, step);  // [1, 1, V]
    COMPARE(stepLogits.size(1), int64_t{1});
    const torch::Tensor full = forwardIds(*model, &adapter, {{5, 6, 7, 8}});
    COMPARE_NEAR(test::maxAbsDiff(stepLogits[0][0], full[0][3]), 0.0, 1e-5);
}

CAPSULE_TEST(disabledAdapterGivesTheBaseModel) {
    TempDir folder;
    auto model = test::tinyPromptModel(folder, "gpt2");
    peft::PromptTuningAdapter adapter(promptConfig(3));
    adapter.apply(*model, peft::WeightInit::Fresh);
    const std::vector<std::vector<int64_t>> ids = {{1, 2, 3, 4}};
    const torch::Tensor base = forwardIds(*model, nullptr, ids);
    {
        peft::AdapterDisabledScope disabled(adapter);
        COMPARE_NEAR(test::maxAbsDiff(forwardIds(*model, &adapter, ids), base), 0.0, 0.0);
        VERIFY(!adapter.generationHooks().prepareInputsEmbeds);
    }
    VERIFY(test::maxAbsDiff(forwardIds(*model, &adapter, ids), base) > 1e-3);
}

// ---------------------------------------------------------------------------------------------
// Initialisation (§7)

CAPSULE_TEST(sampleVocabAndTextInitCopyWordEmbeddingRows) {
    TempDir folder;
    auto model = test::tinyPromptModel(folder, "llama");
    const torch::Tensor words = model->wordEmbeddingWeight().detach();  // [29, 16]
    {
        peft::PromptTuningConfig config = promptConfig(7, "TEXT");
        config.promptTuningInitText = "three tokens";
        config.initTextTokenIds = {11, 3, 25};
        peft::PromptTuningAdapter adapter(config);
        adapter.apply(*model, peft::WeightInit::Fresh);
        const torch::Tensor table = adapter.loadTargets().front().second.detach();
        const std::vector<int64_t> expected = {11, 3, 25, 11, 3, 25, 11};  // repeated cyclically
        for (size_t i = 0; i < expected.size(); ++i)
            COMPARE_NEAR(test::maxAbsDiff(table[int64_t(i)], words[expected[i]]), 0.0, 0.0);
        COMPARE(table.scalar_type(), torch::kFloat);
        // tokenizer_name_or_path defaults to the model folder (PEFT refuses TEXT without it).
        COMPARE(*adapter.config().tokenizerNameOrPath, folder.path());
        adapter.remove();
    }
    COMPARE(peft::cyclicTokenIds({1, 2, 3, 4, 5}, 3), (std::vector<int64_t>{1, 2, 3}));  // truncated
    {
        torch::manual_seed(1);
        peft::PromptTuningAdapter adapter(promptConfig(6, "SAMPLE_VOCAB"));
        adapter.apply(*model, peft::WeightInit::Fresh);
        const torch::Tensor table = adapter.loadTargets().front().second.detach();
        for (int64_t i = 0; i < 6; ++i) {
            // Every row is some row of the word embedding.
            const torch::Tensor distances = (words - table[i]).abs().amax(1);  // [29]
            COMPARE_NEAR(distances.min().item<double>(), 0.0, 0.0);
        }
        adapter.remove();
    }
    {
        peft::PromptTuningConfig config = promptConfig(2, "TEXT");
        config.promptTuningInitText = "x";
        peft::PromptTuningAdapter missingIds(config);
        VERIFY_THROWS(missingIds.apply(*model, peft::WeightInit::Fresh), "initTextTokenIds");
        config.initTextTokenIds = {29};
        peft::PromptTuningAdapter outside(config);
        VERIFY_THROWS(outside.apply(*model, peft::WeightInit::Fresh), "outside the vocabulary");
    }
}

// ---------------------------------------------------------------------------------------------
// Save -> load

CAPSULE_TEST(saveLoadGivesIdenticalLogits) {
    struct Case {
        std::string type;
        std::string method;  // "prompt", "mlp", "lstm"
    };
    for (const Case& item : {Case{"gpt2", "prompt"}, Case{"llama", "prompt"}, Case{"gpt2", "mlp"}, Case{"llama", "mlp"},
                             Case{"gpt2", "lstm"}, Case{"llama", "lstm"}}) {
        TempDir modelFolder;
        TempDir adapterFolder;
        auto model = test::tinyPromptModel(modelFolder, item.type);
        torch::manual_seed(21);
        std::unique_ptr<peft::AdapterMethod> adapter;
        if (item.method == "prompt") adapter = std::make_unique<peft::PromptTuningAdapter>(promptConfig(6));
        else adapter = std::make_unique<peft::PTuningAdapter>(pTuningConfig(6, item.method == "mlp" ? "MLP" : "LSTM", 12));
        adapter->apply(*model, peft::WeightInit::Fresh);
        const std::vector<std::vector<int64_t>> ids = {{3, 1, 4, 1, 5, 9, 2}};
        const torch::Tensor before = forwardIds(*model, adapter.get(), ids);
        peft::saveAdapter(*adapter, adapterFolder.path());

        // The file: one F32 tensor under the bare key, the encoder OUTPUT, format metadata.
        const auto file = io::SafetensorsFile::open(adapterFolder.file("adapter_model.safetensors"));
        COMPARE(file->names(), std::vector<std::string>{"prompt_embeddings"});
        COMPARE(file->info("prompt_embeddings").dtype, std::string("F32"));
        COMPARE(file->info("prompt_embeddings").shape, (std::vector<int64_t>{6, 16}));
        COMPARE(file->metadata().at("format"), std::string("pt"));
        const auto* prompt = dynamic_cast<peft::PromptLearningMethod*>(adapter.get());
        VERIFY(prompt != nullptr);
        if (item.method != "prompt") {
            // Not the table: the head's output.
            const torch::Tensor table = prompt->encoder()->table().detach();
            VERIFY(test::maxAbsDiff(file->tensor("prompt_embeddings"), table) > 1e-3);
        }

        auto reloaded = model::loadModel(modelFolder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
        reloaded->eval();
        std::vector<std::string> warnings;
        peft::AdapterLoadOptions options;
        options.onWarning = [&](const std::string& line) { warnings.push_back(line); };
        const auto loaded = peft::loadAdapter(*reloaded, adapterFolder.path(), options);
        VERIFY(warnings.empty());
        COMPARE(loaded->peftType(), adapter->peftType());
        const auto* loadedPrompt = dynamic_cast<peft::PromptLearningMethod*>(loaded.get());
        VERIFY(loadedPrompt && loadedPrompt->isTableOnly());
        VERIFY(loaded->trainableParameters().empty());  // inference mode
        const torch::Tensor after = forwardIds(*reloaded, loaded.get(), ids);
        COMPARE_NEAR(test::maxAbsDiff(after, before), 0.0, 1e-5);
        // The written config parses back to the same text.
        COMPARE(loaded->configJson(peft::ConfigProfile::Compatible),
                test::readFile(adapterFolder.file("adapter_config.json")));
    }
}

CAPSULE_TEST(loadedTableCanBeTrainedFurther) {
    // loadAdapter(trainable = true) keeps the loaded rows trainable (PEFT refuses this; Capsule
    // allows continuing from the exported table, as plain prompt tuning).
    TempDir modelFolder;
    TempDir adapterFolder;
    auto model = test::tinyPromptModel(modelFolder, "gpt2");
    peft::PTuningAdapter adapter(pTuningConfig(4, "MLP", 8));
    adapter.apply(*model, peft::WeightInit::Fresh);
    peft::saveAdapter(adapter, adapterFolder.path());
    auto other = model::loadModel(modelFolder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
    peft::AdapterLoadOptions options;
    options.trainable = true;
    const auto loaded = peft::loadAdapter(*other, adapterFolder.path(), options);
    const auto named = loaded->namedTrainableParameters();
    COMPARE(named.size(), size_t{1});
    COMPARE(named.front().first, std::string("prompt_encoder.default.embedding.weight"));
    COMPARE(peft::countTrainableParameters(*other).trainable, int64_t{4 * 16});
}

CAPSULE_TEST(loadRejectsAMismatchedTensor) {
    TempDir modelFolder;
    TempDir adapterFolder;
    auto model = test::tinyPromptModel(modelFolder, "gpt2");
    peft::PromptTuningAdapter adapter(promptConfig(4));
    adapter.apply(*model, peft::WeightInit::Fresh);
    peft::saveAdapter(adapter, adapterFolder.path());
    // Claim 5 virtual tokens: the file's [4, 16] no longer fits.
    auto json = nlohmann::json::parse(test::readFile(adapterFolder.file("adapter_config.json")));
    json["num_virtual_tokens"] = 5;
    test::writeFile(adapterFolder.file("adapter_config.json"), json.dump(2));
    auto other = model::loadModel(modelFolder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
    VERIFY_THROWS(peft::loadAdapter(*other, adapterFolder.path()), "prompt_embeddings");
    // The failed load left the model without a prompt encoder.
    COMPARE(peft::countTrainableParameters(*other).all, model::countParameters(*other));
    // The saved adapter cannot be loaded into a fresh P-tuning encoder with a head.
    peft::PTuningAdapter fresh(pTuningConfig(4, "MLP"));
    auto third = model::loadModel(modelFolder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
    fresh.apply(*third, peft::WeightInit::Fresh);
    VERIFY_THROWS(fresh.loadTargets(), "head");
}

// ---------------------------------------------------------------------------------------------
// Encoder structure (§9) against hand-written references

CAPSULE_TEST(pTuningEncoderMatchesReferenceMlpAndLstm) {
    TempDir folder;
    auto model = test::tinyPromptModel(folder, "gpt2");
    torch::NoGradGuard noGrad;
    {
        torch::manual_seed(2);
        peft::PTuningAdapter adapter(pTuningConfig(5, "MLP", 10));
        adapter.apply(*model, peft::WeightInit::Fresh);
        auto& encoder = *adapter.encoder();
        const torch::Tensor e = parameter(encoder, "embedding.weight");  // [5, 16]
        auto linear = [&](const torch::Tensor& x, int index) {
            const std::string prefix = "mlp_head." + std::to_string(index) + ".";
            return x.matmul(parameter(encoder, prefix + "weight").t()) + parameter(encoder, prefix + "bias");
        };
        const torch::Tensor expected = linear(torch::relu(linear(torch::relu(linear(e, 0)), 2)), 4);  // [5, 16]
        COMPARE_NEAR(test::maxAbsDiff(adapter.promptEmbeddings(), expected), 0.0, 1e-5);
        adapter.remove();
    }
    {
        torch::manual_seed(4);
        peft::PromptEncoderConfig config = pTuningConfig(5, "LSTM", 6);
        config.encoderNumLayers = 2;
        peft::PTuningAdapter adapter(config);
        adapter.apply(*model, peft::WeightInit::Fresh);
        auto& encoder = *adapter.encoder();
        torch::Tensor x = parameter(encoder, "embedding.weight");  // [5, 16]
        for (int layer = 0; layer < 2; ++layer) {
            const std::string l = "lstm_head.";
            const std::string suffix = "_l" + std::to_string(layer);
            auto direction = [&](const std::string& tail, bool reverse) {
                return referenceLstmDirection(x, parameter(encoder, l + "weight_ih" + suffix + tail),
                                              parameter(encoder, l + "weight_hh" + suffix + tail),
                                              parameter(encoder, l + "bias_ih" + suffix + tail),
                                              parameter(encoder, l + "bias_hh" + suffix + tail), reverse);
            };
            x = torch::cat({direction("", false), direction("_reverse", true)}, 1);  // [5, 12]
        }
        auto linear = [&](const torch::Tensor& input, int index) {
            const std::string prefix = "mlp_head." + std::to_string(index) + ".";
            return input.matmul(parameter(encoder, prefix + "weight").t()) + parameter(encoder, prefix + "bias");
        };
        const torch::Tensor expected = linear(torch::relu(linear(x, 0)), 2);  // [5, 16]
        COMPARE_NEAR(test::maxAbsDiff(adapter.promptEmbeddings(), expected), 0.0, 1e-5);
        adapter.remove();
    }
}

// ---------------------------------------------------------------------------------------------
// Generation and training

CAPSULE_TEST(generationWithPromptsEqualsFullRecomputation) {
    for (const std::string type : {"gpt2", "llama"}) {
        for (const std::string method : {"prompt", "mlp"}) {
            TempDir folder;
            auto model = test::tinyPromptModel(folder, type);
            torch::manual_seed(8);
            std::unique_ptr<peft::AdapterMethod> adapter;
            if (method == "prompt") adapter = std::make_unique<peft::PromptTuningAdapter>(promptConfig(4));
            else adapter = std::make_unique<peft::PTuningAdapter>(pTuningConfig(4, "MLP", 8));
            adapter->apply(*model, peft::WeightInit::Fresh);
            const std::vector<int64_t> prompt = {3, 14, 15, 9};
            model::GenerationOptions options;
            options.maxNewTokens = 10;
            const model::GenerationResult result =
                model::generate(*model, prompt, options, {}, adapter->generationHooks());
            COMPARE(result.tokens, test::greedyByRecomputation(*model, adapter.get(), prompt, 10));
            // The prompts matter: the base model continues differently.
            VERIFY(result.tokens != model::generate(*model, prompt, options).tokens);
        }
    }
}

CAPSULE_TEST(gradientsReachOnlyThePromptParameters) {
    for (const std::string method : {"prompt", "mlp", "lstm"}) {
        TempDir folder;
        auto model = test::tinyPromptModel(folder, "llama");
        torch::manual_seed(6);
        std::unique_ptr<peft::AdapterMethod> adapter;
        if (method == "prompt") adapter = std::make_unique<peft::PromptTuningAdapter>(promptConfig(3));
        else adapter = std::make_unique<peft::PTuningAdapter>(pTuningConfig(3, method == "mlp" ? "MLP" : "LSTM", 8));
        adapter->apply(*model, peft::WeightInit::Fresh);
        model->train();
        model::ForwardInput input;
        input.inputIds = test::idsTensor({{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}});
        const peft::AdaptedInput adapted = adapter->prepareInput(input);
        const torch::Tensor logits = model->forward(adapted.input);  // [2, 8, V]
        const torch::Tensor labels = peft::extendLabelsForVirtualTokens(input.inputIds, adapted.virtualTokenCount);
        const torch::Tensor loss = torch::nn::functional::cross_entropy(
            logits.slice(1, 0, -1).reshape({-1, logits.size(2)}), labels.slice(1, 1).reshape({-1}),
            torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
        loss.backward();
        std::set<const void*> trainable;
        for (const auto& parameter : adapter->trainableParameters()) {
            trainable.insert(parameter.unsafeGetTensorImpl());
            VERIFY(parameter.grad().defined());
            VERIFY(parameter.grad().abs().sum().item<double>() > 0.0);
        }
        VERIFY(!trainable.empty());
        for (const auto& item : model->named_parameters()) {
            if (trainable.count(item.value().unsafeGetTensorImpl())) continue;
            VERIFY(!item.value().requires_grad());
            VERIFY(!item.value().grad().defined());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// capsule-cli forward --adapter (architecture.md: real tokens only)

CAPSULE_TEST(cliForwardDropsVirtualTokens) {
    const std::string cli = CAPSULE_BINARY_DIR "/app/capsule-cli";
    if (!std::filesystem::exists(cli)) SKIP_TEST("capsule-cli is not built in this build folder");
    TempDir modelFolder;
    TempDir adapterFolder;
    TempDir scratch;
    auto model = test::tinyPromptModel(modelFolder, "gpt2");
    torch::manual_seed(40);
    peft::PromptTuningAdapter adapter(promptConfig(5));
    adapter.apply(*model, peft::WeightInit::Fresh);
    peft::saveAdapter(adapter, adapterFolder.path());
    test::writeFile(scratch.file("ids.json"), "[[3, 1, 4], [1, 5, 9, 2, 6]]");
    const std::string command = "'" + cli + "' forward --model '" + modelFolder.path() + "' --adapter '" +
                                adapterFolder.path() + "' --device cpu --input '" + scratch.file("ids.json") +
                                "' --output '" + scratch.file("out.safetensors") + "' 2> '" + scratch.file("err.txt") + "'";
    COMPARE(std::system(command.c_str()), 0);
    const auto file = io::SafetensorsFile::open(scratch.file("out.safetensors"));
    COMPARE(file->info("logits.0").shape, (std::vector<int64_t>{3, 29}));
    COMPARE(file->info("logits.1").shape, (std::vector<int64_t>{5, 29}));
    COMPARE_NEAR(test::maxAbsDiff(file->tensor("logits.1"), forwardIds(*model, &adapter, {{1, 5, 9, 2, 6}})[0]), 0.0,
                 1e-5);
}

CAPSULE_TEST(cliGenerateAppliesPromptAndPrefixAdapters) {
    const std::string cli = CAPSULE_BINARY_DIR "/app/capsule-cli";
    if (!std::filesystem::exists(cli)) SKIP_TEST("capsule-cli is not built in this build folder");
    // GPT-2 with the fixture tokenizer's vocabulary (tests/fixtures/tokenizers/gpt2).
    TempDir modelFolder;
    test::TinyConfig config;
    config.modelType = "gpt2";
    config.vocab = 50257;
    config.hidden = 8;
    config.layers = 1;
    config.heads = 2;
    config.kvHeads = 2;
    config.headDim = 4;
    config.intermediate = 16;
    config.maxPositions = 64;
    config.tied = true;
    test::writeCheckpoint(modelFolder.path(), config, test::randomWeights(config, 31, 0.5));
    for (const char* name : {"tokenizer.json", "vocab.json", "merges.txt"})
        std::filesystem::copy_file(test::fixturesDir() + "/tokenizers/gpt2/" + name, modelFolder.file(name));
    const auto tokenizer = tokenizer::Tokenizer::fromDirectory(modelFolder.path());
    const std::vector<int64_t> promptIds = tokenizer.encode("Hello world", true);

    for (const std::string method : {"prompt", "prefix"}) {
        TempDir adapterFolder;
        TempDir scratch;
        auto model = model::loadModel(modelFolder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
        torch::manual_seed(41);
        std::unique_ptr<peft::AdapterMethod> adapter;
        if (method == "prompt") {
            adapter = std::make_unique<peft::PromptTuningAdapter>(promptConfig(4));
        } else {
            peft::PrefixTuningConfig prefix;
            prefix.numVirtualTokens = 4;
            adapter = std::make_unique<peft::PrefixTuningAdapter>(prefix);
        }
        adapter->apply(*model, peft::WeightInit::Fresh);
        peft::saveAdapter(*adapter, adapterFolder.path());
        model::GenerationOptions options;
        options.maxNewTokens = 6;
        options.eosTokenIds = {1, 50256};
        const auto expected = model::generate(*model, promptIds, options, {}, adapter->generationHooks());

        const std::string command = "'" + cli + "' generate --model '" + modelFolder.path() + "' --adapter '" +
                                    adapterFolder.path() + "' --device cpu --prompt 'Hello world' --max-new-tokens 6 > '" +
                                    scratch.file("out.txt") + "' 2> '" + scratch.file("err.txt") + "'";
        COMPARE(std::system(command.c_str()), 0);
        COMPARE(test::readFile(scratch.file("out.txt")), tokenizer.decode(expected.tokens, true) + "\n");
        // The adapter matters for this prompt (the base model continues differently).
        VERIFY(model::generate(*model, promptIds, options).tokens != expected.tokens);
    }
}
