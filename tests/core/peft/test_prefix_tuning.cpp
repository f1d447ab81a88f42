// Prefix tuning (peft-spec.md §6.1, §8, §13 traps 6 and 7): GPT-2 [20, 18432] and TinyLlama GQA
// shapes and config, the flat K/V layout against a cache built by hand, positions, masks,
// projection, save → load, generation with cache reuse, gradients, model dtype.
#include "prompt_test_support.h"

#include "model/generation.h"
#include "peft/parameter_count.h"
#include "peft/prefix_tuning.h"
#include "peft/prompt_tuning.h"

#include <set>

using namespace capsule;
using capsule::test::TempDir;

namespace {

peft::PrefixTuningConfig prefixConfig(int64_t tokens, bool projection = false, std::optional<int64_t> hidden = {}) {
    peft::PrefixTuningConfig config;
    config.numVirtualTokens = tokens;
    config.prefixProjection = projection;
    config.encoderHiddenSize = hidden;
    return config;
}

torch::Tensor forwardIds(model::CausalLM& model, peft::AdapterMethod* adapter, const std::vector<std::vector<int64_t>>& ids) {
    torch::NoGradGuard noGrad;
    model::ForwardInput input;
    input.inputIds = test::idsTensor(ids);
    return peft::forwardLogits(model, adapter, input);
}

/// The cache §8.3 describes, built element by element from the flat prefix rows [n, L·2·h·dh]:
/// layer ℓ, head j, token t, channel d: K = P[t][(2ℓ)·h·dh + j·dh + d], V = P[t][(2ℓ+1)·h·dh + j·dh + d].
model::KVCache handBuiltCache(const torch::Tensor& flat, int64_t layers, int64_t heads, int64_t batch) {
    const int64_t tokens = flat.size(0);
    const int64_t headDim = flat.size(1) / (2 * layers * heads);
    const torch::Tensor rows = flat.to(torch::kDouble).contiguous();
    auto access = rows.accessor<double, 2>();
    model::KVCache cache(layers);
    for (int64_t layer = 0; layer < layers; ++layer) {
        torch::Tensor key = torch::zeros({batch, heads, tokens, headDim}, torch::kDouble);
        torch::Tensor value = torch::zeros({batch, heads, tokens, headDim}, torch::kDouble);
        auto keyAccess = key.accessor<double, 4>();
        auto valueAccess = value.accessor<double, 4>();
        for (int64_t b = 0; b < batch; ++b)
            for (int64_t j = 0; j < heads; ++j)
                for (int64_t t = 0; t < tokens; ++t)
                    for (int64_t d = 0; d < headDim; ++d) {
                        keyAccess[b][j][t][d] = access[t][(2 * layer) * heads * headDim + j * headDim + d];
                        valueAccess[b][j][t][d] = access[t][(2 * layer + 1) * heads * headDim + j * headDim + d];
                    }
        cache.setLayer(layer, key.to(torch::kFloat), value.to(torch::kFloat));
    }
    return cache;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Shapes and configs

CAPSULE_TEST(gpt2SmallPrefixShapeConfigAndCount) {
    auto model = test::metaModel(test::gpt2ConfigJson(768, 12, 12), "gpt2");
    peft::PrefixTuningAdapter adapter(prefixConfig(20));
    adapter.apply(*model, peft::WeightInit::Fresh);
    COMPARE(adapter.loadTargets().front().first, std::string("prompt_embeddings"));
    COMPARE(adapter.loadTargets().front().second.sizes().vec(), (std::vector<int64_t>{20, 18432}));
    COMPARE(peft::countTrainableParameters(*model).trainable, int64_t{368640});
    const auto json = nlohmann::json::parse(adapter.configJson(peft::ConfigProfile::Full));
    std::set<std::string> keys;
    for (const auto& item : json.items()) keys.insert(item.key());
    COMPARE(keys, (std::set<std::string>{"auto_mapping", "base_model_name_or_path", "encoder_hidden_size",
                                         "inference_mode", "init_weights", "modules_to_save", "num_attention_heads",
                                         "num_layers", "num_transformer_submodules", "num_virtual_tokens",
                                         "peft_type", "peft_version", "prefix_projection", "revision", "task_type",
                                         "token_dim"}));
    COMPARE(json["token_dim"].get<int64_t>(), int64_t{768});
    COMPARE(json["num_attention_heads"].get<int64_t>(), int64_t{12});
    COMPARE(json["num_layers"].get<int64_t>(), int64_t{12});
    COMPARE(json["encoder_hidden_size"].get<int64_t>(), int64_t{768});
    COMPARE(json["prefix_projection"].get<bool>(), false);
    VERIFY(json["init_weights"].is_null());
    COMPARE(json["base_model_name_or_path"].get<std::string>(), std::string("gpt2"));
    // The compatibility profile leaves out the v0.19 init_weights key while it is null.
    VERIFY(adapter.configJson(peft::ConfigProfile::Compatible).find("init_weights") == std::string::npos);

    // With projection the training encoder is Embedding [20, 768] -> 768 -> 18432; the file still
    // holds its output [20, 18432].
    auto projected = test::metaModel(test::gpt2ConfigJson(768, 12, 12), "gpt2");
    peft::PrefixTuningAdapter withProjection(prefixConfig(20, true, 512));
    withProjection.apply(*projected, peft::WeightInit::Fresh);
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& [name, tensor] : withProjection.namedTrainableParameters()) shapes[name] = tensor.sizes().vec();
    COMPARE(shapes["prompt_encoder.default.embedding.weight"], (std::vector<int64_t>{20, 768}));
    COMPARE(shapes["prompt_encoder.default.transform.0.weight"], (std::vector<int64_t>{512, 768}));
    COMPARE(shapes["prompt_encoder.default.transform.2.weight"], (std::vector<int64_t>{18432, 512}));
    COMPARE(peft::countTrainableParameters(*projected).trainable,
            int64_t{20 * 768 + (768 * 512 + 512) + (512 * 18432 + 18432)});
}

CAPSULE_TEST(tinyLlamaGroupedQueryRewrite) {
    // §6.1 / §8.4 / §13 trap 6: TinyLlama (32 heads, 4 KV heads of 64, 22 layers) saves
    // token_dim 256, num_attention_heads 4 and a [20, 11264] prefix.
    auto model = test::metaModel(test::tinyLlamaConfigJson(), "TinyLlama");
    peft::PrefixTuningAdapter adapter(prefixConfig(20));
    adapter.apply(*model, peft::WeightInit::Fresh);
    COMPARE(adapter.loadTargets().front().second.sizes().vec(), (std::vector<int64_t>{20, 11264}));
    const auto json = nlohmann::json::parse(adapter.configJson(peft::ConfigProfile::Compatible));
    COMPARE(json["token_dim"].get<int64_t>(), int64_t{256});
    COMPARE(json["num_attention_heads"].get<int64_t>(), int64_t{4});
    COMPARE(json["num_layers"].get<int64_t>(), int64_t{22});
    COMPARE(json["encoder_hidden_size"].get<int64_t>(), int64_t{256});  // after the rewrite
    COMPARE(peft::countTrainableParameters(*model).trainable, int64_t{20 * 11264});
    // Loading the saved config again (token_dim 256 given) keeps the same numbers.
    auto again = test::metaModel(test::tinyLlamaConfigJson(), "TinyLlama");
    peft::PrefixTuningAdapter reloaded(peft::parsePrefixTuningConfig(json.dump(), "adapter_config.json"));
    reloaded.apply(*again, peft::WeightInit::FromFile);
    COMPARE(reloaded.config().tokenDim.value(), int64_t{256});
    COMPARE(reloaded.config().numAttentionHeads.value(), int64_t{4});
    // Prompt tuning is not rewritten: it uses the full hidden size.
    auto third = test::metaModel(test::tinyLlamaConfigJson(), "TinyLlama");
    peft::PromptTuningConfig promptConfig;
    promptConfig.numVirtualTokens = 20;
    peft::PromptTuningAdapter prompt(promptConfig);
    prompt.apply(*third, peft::WeightInit::Fresh);
    COMPARE(prompt.config().tokenDim.value(), int64_t{2048});
    COMPARE(prompt.config().numAttentionHeads.value(), int64_t{32});
}

CAPSULE_TEST(prefixForAnotherModelIsRejected) {
    auto model = test::metaModel(test::tinyLlamaConfigJson(), "TinyLlama");
    peft::PrefixTuningConfig config = prefixConfig(4);
    config.numLayers = 12;
    peft::PrefixTuningAdapter wrongLayers(config);
    VERIFY_THROWS(wrongLayers.apply(*model, peft::WeightInit::FromFile), "num_layers = 12");
    // A GPT-2 config written for 12 query heads cannot drive a model with other K/V heads.
    auto gpt2 = test::metaModel(test::gpt2ConfigJson(768, 12, 12), "gpt2");
    peft::PrefixTuningConfig wide = prefixConfig(4);
    wide.tokenDim = 1024;
    peft::PrefixTuningAdapter wrongWidth(wide);
    VERIFY_THROWS(wrongWidth.apply(*gpt2, peft::WeightInit::FromFile), "token_dim = 1024");
    peft::PrefixTuningConfig badInit = prefixConfig(4);
    badInit.initWeights = "ones";
    peft::PrefixTuningAdapter wrongInit(badInit);
    VERIFY_THROWS(wrongInit.apply(*gpt2, peft::WeightInit::Fresh), "init_weights");
}

// ---------------------------------------------------------------------------------------------
// Forward (§8.3, §6.4)

CAPSULE_TEST(prefixEqualsAnExplicitlyBuiltCache) {
    for (const std::string type : {"gpt2", "llama"}) {
        TempDir folder;
        auto model = test::tinyPromptModel(folder, type);
        torch::manual_seed(12);
        peft::PrefixTuningAdapter adapter(prefixConfig(3));
        adapter.apply(*model, peft::WeightInit::Fresh);
        const int64_t heads = model->numKeyValueHeads();  // 4 (GPT-2) or 2 (GQA Llama)
        const torch::Tensor flat = adapter.promptEmbeddings();  // [3, 2·2·heads·4]
        COMPARE(flat.sizes().vec(), (std::vector<int64_t>{3, 2 * 2 * heads * 4}));

        const std::vector<std::vector<int64_t>> ids = {{5, 3, 8, 1, 2}, {9, 9, 4, 0, 7}};
        model::KVCache cache = handBuiltCache(flat, 2, heads, 2);
        model::ForwardInput manual;
        manual.inputIds = test::idsTensor(ids);
        manual.cache = &cache;
        torch::NoGradGuard noGrad;
        const torch::Tensor expected = model->forward(manual);  // [2, 5, V]
        const torch::Tensor logits = forwardIds(*model, &adapter, ids);
        COMPARE(logits.sizes().vec(), (std::vector<int64_t>{2, 5, 29}));
        COMPARE_NEAR(test::maxAbsDiff(logits, expected), 0.0, 1e-5);
        VERIFY(test::maxAbsDiff(logits, forwardIds(*model, nullptr, ids)) > 1e-3);

        // prefixKeyValues gives the same tensors (the cache now also holds the 5 real positions).
        const auto layers = peft::prefixKeyValues(flat.unsqueeze(0), 2, heads, torch::kFloat);
        COMPARE(cache.length(), int64_t{8});
        COMPARE_NEAR(test::maxAbsDiff(layers[1].first[0], cache.key(1)[0].slice(1, 0, 3)), 0.0, 0.0);
        COMPARE_NEAR(test::maxAbsDiff(layers[1].second[0], cache.value(1)[0].slice(1, 0, 3)), 0.0, 0.0);
    }
}

CAPSULE_TEST(prefixMaskAndPositions) {
    for (const std::string type : {"gpt2", "llama"}) {
        TempDir folder;
        auto model = test::tinyPromptModel(folder, type);
        torch::manual_seed(13);
        peft::PrefixTuningAdapter adapter(prefixConfig(4));
        adapter.apply(*model, peft::WeightInit::Fresh);
        torch::NoGradGuard noGrad;
        const std::vector<std::vector<int64_t>> ids = {{1, 2, 3, 4, 5, 6}};
        const torch::Tensor plain = forwardIds(*model, &adapter, ids);

        // Given position ids 0..T-1 are shifted past the prefix: same result as deriving them.
        model::ForwardInput withPositions;
        withPositions.inputIds = test::idsTensor(ids);
        withPositions.positionIds = torch::arange(6).unsqueeze(0);
        const peft::AdaptedInput adapted = adapter.prepareInput(withPositions);
        COMPARE(adapted.input.positionIds[0][0].item<int64_t>(), int64_t{4});
        COMPARE(adapted.virtualTokenCount, int64_t{0});
        VERIFY(adapted.ownedCache != nullptr);
        COMPARE(adapted.ownedCache->length(), int64_t{4});
        COMPARE_NEAR(test::maxAbsDiff(peft::forwardLogits(*model, &adapter, withPositions), plain), 0.0, 1e-5);

        // Left padding: the mask gets 4 ones in front and each row equals the row alone.
        model::ForwardInput padded;
        padded.inputIds = test::idsTensor({{0, 0, 1, 2, 3, 4, 5, 6}, {7, 8, 9, 10, 11, 12, 13, 14}});
        padded.attentionMask = torch::tensor({0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, torch::kLong).view({2, 8});
        const peft::AdaptedInput maskAdapted = adapter.prepareInput(padded);
        COMPARE(maskAdapted.input.attentionMask.sizes().vec(), (std::vector<int64_t>{2, 12}));
        COMPARE(maskAdapted.input.attentionMask.slice(1, 0, 4).sum().item<int64_t>(), int64_t{8});
        const torch::Tensor batchLogits = peft::forwardLogits(*model, &adapter, padded);  // [2, 8, V]
        COMPARE_NEAR(test::maxAbsDiff(batchLogits[0].slice(0, 2), plain[0]), 0.0, 1e-5);
        COMPARE_NEAR(test::maxAbsDiff(batchLogits[1], forwardIds(*model, &adapter, {{7, 8, 9, 10, 11, 12, 13, 14}})[0]),
                     0.0, 1e-5);
        // A mask that fits neither width is an error naming the expected shape.
        model::ForwardInput wrong;
        wrong.inputIds = test::idsTensor(ids);
        wrong.attentionMask = torch::ones({1, 3}, torch::kLong);
        VERIFY_THROWS(adapter.prepareInput(wrong), "attention_mask");
    }
}

CAPSULE_TEST(prefixWithCallersCacheContinues) {
    TempDir folder;
    auto model = test::tinyPromptModel(folder, "llama");
    torch::manual_seed(14);
    peft::PrefixTuningAdapter adapter(prefixConfig(3));
    adapter.apply(*model, peft::WeightInit::Fresh);
    torch::NoGradGuard noGrad;
    model::KVCache cache = model->makeCache();
    model::ForwardInput prefill;
    prefill.inputIds = test::idsTensor({{4, 5, 6}});
    prefill.attentionMask = torch::ones({1, 3}, torch::kLong);
    prefill.cache = &cache;
    peft::forwardLogits(*model, &adapter, prefill);
    COMPARE(cache.length(), int64_t{6});
    model::ForwardInput step;
    step.inputIds = test::idsTensor({{7}});
    step.attentionMask = torch::ones({1, 4}, torch::kLong);
    step.cache = &cache;
    const torch::Tensor stepLogits = peft::forwardLogits(*model, &adapter, step);
    const torch::Tensor full = forwardIds(*model, &adapter, {{4, 5, 6, 7}});
    COMPARE_NEAR(test::maxAbsDiff(stepLogits[0][0], full[0][3]), 0.0, 1e-5);
}

CAPSULE_TEST(prefixProjectionMatchesReferenceAndZeroInit) {
    TempDir folder;
    auto model = test::tinyPromptModel(folder, "gpt2");
    torch::manual_seed(15);
    peft::PrefixTuningAdapter adapter(prefixConfig(3, true, 10));
    adapter.apply(*model, peft::WeightInit::Fresh);
    std::map<std::string, torch::Tensor> parameters;
    for (const auto& [name, tensor] : adapter.namedTrainableParameters()) parameters[name] = tensor.detach();
    COMPARE(parameters.size(), size_t{5});
    const std::string p = "prompt_encoder.default.";
    COMPARE(parameters[p + "transform.0.weight"].sizes().vec(), (std::vector<int64_t>{10, 16}));
    COMPARE(parameters[p + "transform.2.weight"].sizes().vec(), (std::vector<int64_t>{64, 10}));
    const torch::Tensor hidden = torch::tanh(parameters[p + "embedding.weight"].matmul(parameters[p + "transform.0.weight"].t()) +
                                             parameters[p + "transform.0.bias"]);  // [3, 10]
    const torch::Tensor expected = hidden.matmul(parameters[p + "transform.2.weight"].t()) + parameters[p + "transform.2.bias"];
    COMPARE_NEAR(test::maxAbsDiff(adapter.promptEmbeddings(), expected), 0.0, 1e-5);
    adapter.remove();

    peft::PrefixTuningConfig zero = prefixConfig(3, true, 10);
    zero.initWeights = "zero";
    peft::PrefixTuningAdapter zeroAdapter(zero);
    zeroAdapter.apply(*model, peft::WeightInit::Fresh);
    COMPARE_NEAR(zeroAdapter.promptEmbeddings().abs().max().item<double>(), 0.0, 0.0);
    VERIFY(zeroAdapter.configJson(peft::ConfigProfile::Compatible).find("\"init_weights\": \"zero\"") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Save -> load, generation, training, dtype

CAPSULE_TEST(prefixSaveLoadGivesIdenticalLogits) {
    for (const std::string type : {"gpt2", "llama"}) {
        for (bool projection : {false, true}) {
            TempDir modelFolder;
            TempDir adapterFolder;
            auto model = test::tinyPromptModel(modelFolder, type);
            torch::manual_seed(16);
            peft::PrefixTuningAdapter adapter(prefixConfig(5, projection, 12));
            adapter.apply(*model, peft::WeightInit::Fresh);
            const std::vector<std::vector<int64_t>> ids = {{2, 7, 1, 8, 2, 8}};
            const torch::Tensor before = forwardIds(*model, &adapter, ids);
            peft::saveAdapter(adapter, adapterFolder.path());
            const auto file = io::SafetensorsFile::open(adapterFolder.file("adapter_model.safetensors"));
            COMPARE(file->names(), std::vector<std::string>{"prompt_embeddings"});
            COMPARE(file->info("prompt_embeddings").shape, (std::vector<int64_t>{5, 2 * 2 * model->numKeyValueHeads() * 4}));
            COMPARE(file->info("prompt_embeddings").dtype, std::string("F32"));

            auto reloaded = model::loadModel(modelFolder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
            reloaded->eval();
            const auto loaded = peft::loadAdapter(*reloaded, adapterFolder.path());
            COMPARE(loaded->peftType(), std::string("PREFIX_TUNING"));
            COMPARE_NEAR(test::maxAbsDiff(forwardIds(*reloaded, loaded.get(), ids), before), 0.0, 1e-5);
            const auto json = nlohmann::json::parse(test::readFile(adapterFolder.file("adapter_config.json")));
            COMPARE(json["prefix_projection"].get<bool>(), projection);
            COMPARE(json["token_dim"].get<int64_t>(), model->numKeyValueHeads() * 4);
        }
    }
}

CAPSULE_TEST(prefixGenerationEqualsFullRecomputation) {
    for (const std::string type : {"gpt2", "llama"}) {
        TempDir folder;
        auto model = test::tinyPromptModel(folder, type);
        torch::manual_seed(18);
        peft::PrefixTuningAdapter adapter(prefixConfig(4));
        adapter.apply(*model, peft::WeightInit::Fresh);
        const std::vector<int64_t> prompt = {3, 14, 15, 9, 2};
        model::GenerationOptions options;
        options.maxNewTokens = 10;
        const auto result = model::generate(*model, prompt, options, {}, adapter.generationHooks());
        COMPARE(result.tokens, test::greedyByRecomputation(*model, &adapter, prompt, 10));
        VERIFY(result.tokens != model::generate(*model, prompt, options).tokens);
    }
}

CAPSULE_TEST(prefixGradientsReachOnlyThePrefix) {
    for (bool projection : {false, true}) {
        TempDir folder;
        auto model = test::tinyPromptModel(folder, "llama");
        torch::manual_seed(19);
        peft::PrefixTuningAdapter adapter(prefixConfig(3, projection, 8));
        adapter.apply(*model, peft::WeightInit::Fresh);
        model::ForwardInput input;
        input.inputIds = test::idsTensor({{1, 2, 3, 4}, {5, 6, 7, 8}});
        const peft::AdaptedInput adapted = adapter.prepareInput(input);
        const torch::Tensor logits = model->forward(adapted.input);  // [2, 4, V]
        const torch::Tensor loss = torch::nn::functional::cross_entropy(
            logits.slice(1, 0, -1).reshape({-1, logits.size(2)}), input.inputIds.slice(1, 1).reshape({-1}));
        loss.backward();
        std::set<const void*> trainable;
        for (const auto& parameter : adapter.trainableParameters()) {
            trainable.insert(parameter.unsafeGetTensorImpl());
            VERIFY(parameter.grad().defined() && parameter.grad().abs().sum().item<double>() > 0.0);
        }
        COMPARE(trainable.size(), static_cast<size_t>(projection ? 5 : 1));
        for (const auto& item : model->named_parameters())
            if (!trainable.count(item.value().unsafeGetTensorImpl())) VERIFY(!item.value().grad().defined());
    }
}

CAPSULE_TEST(prefixIsCastToTheModelDtype) {
    TempDir folder;
    auto model = test::tinyPromptModel(folder, "llama", torch::kBFloat16);
    peft::PrefixTuningAdapter adapter(prefixConfig(3));
    adapter.apply(*model, peft::WeightInit::Fresh);
    COMPARE(adapter.encoder()->table().scalar_type(), torch::kFloat);  // the adapter trains in float32
    model::KVCache cache = model->makeCache();
    torch::NoGradGuard noGrad;
    adapter.fillCache(cache, 2);
    COMPARE(cache.key(0).scalar_type(), torch::kBFloat16);
    COMPARE(cache.key(0).sizes().vec(), (std::vector<int64_t>{2, 2, 3, 4}));
    const torch::Tensor logits = forwardIds(*model, &adapter, {{1, 2, 3}});
    COMPARE(logits.scalar_type(), torch::kBFloat16);
    COMPARE(adapter.promptEmbeddings().scalar_type(), torch::kFloat);
}
