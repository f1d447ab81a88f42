// Llama family (llama, qwen2, mistral): logits against the float64 reference for GQA, head_dim !=
// hidden/heads, bf16 sharded weights, Qwen2 biases + tied head, RoPE scaling variants, sliding
// windows; KV cache, prefix-filled caches and padded batches.
#include "capsule_test.h"
#include "model_test_support.h"

#include "io/checkpoint_reader.h"
#include "model/model_loader.h"
#include "model/rotary_embedding.h"

#include <filesystem>
#include <iostream>

using namespace capsule;
using capsule::test::TinyConfig;
using capsule::test::tinyLlama;

namespace {

const torch::Device kCpu(torch::kCPU);

model::ForwardInput idsInput(const std::vector<int64_t>& ids) {
    model::ForwardInput input;
    input.inputIds = torch::tensor(ids, torch::kLong).view({1, -1});
    return input;
}

/// Writes the checkpoint, loads it in float32 on the CPU and compares a forward with the reference.
double compareWithReference(const TinyConfig& config, uint64_t seed, int64_t length, torch::ScalarType storedDtype = torch::kFloat,
                            int64_t maxShardBytes = 0, const char* label = "") {
    test::TempDir folder;
    const auto weights =
        test::writeCheckpoint(folder.path(), config, test::randomWeights(config, seed), storedDtype, maxShardBytes);
    const auto model = model::loadModel(folder.path(), {torch::kFloat, kCpu});
    const std::vector<int64_t> ids = test::randomIds(length, config.vocab, seed + 100);
    torch::NoGradGuard noGrad;
    const torch::Tensor logits = model->forward(idsInput(ids)).squeeze(0);
    const torch::Tensor expected = test::referenceLogits(config, weights, ids);
    const double difference = test::maxAbsDiff(logits, expected);
    std::cout << "   " << label << " fp32 vs float64 reference: max |diff| = " << difference << " (logit scale "
              << expected.abs().max().item<double>() << ")\n";
    if (expected.abs().max().item<double>() < 0.5) throw test::Failure{"reference logits are too small to compare"};
    return difference;
}

}  // namespace

CAPSULE_TEST(llamaGqaMatchesReference) {
    VERIFY(compareWithReference(tinyLlama(), 1, 12, torch::kFloat, 0, "llama GQA 4/2 heads") < 2e-4);
}

CAPSULE_TEST(headDimDifferentFromHiddenOverHeadsAndBiases) {
    TinyConfig config = tinyLlama();
    config.headDim = 6;  // q_proj [24, 16], o_proj [16, 24]
    config.attentionBias = true;
    config.mlpBias = true;
    VERIFY(compareWithReference(config, 2, 10, torch::kFloat, 0, "llama head_dim 6, biases") < 2e-4);
}

CAPSULE_TEST(bf16WeightsInTwoShardsWithIndex) {
    TinyConfig config = tinyLlama();
    test::TempDir folder;
    const auto weights = test::writeTwoBf16Shards(folder.path(), config, test::randomWeights(config, 3));
    VERIFY(std::filesystem::exists(folder.file("model.safetensors.index.json")));
    VERIFY(std::filesystem::exists(folder.file("model-00001-of-00002.safetensors")));
    VERIFY(std::filesystem::exists(folder.file("model-00002-of-00002.safetensors")));
    VERIFY(!std::filesystem::exists(folder.file("model.safetensors")));
    COMPARE(io::CheckpointReader(folder.path()).dominantDtype(), std::string("BF16"));

    const std::vector<int64_t> ids = test::randomIds(9, config.vocab, 7);
    const torch::Tensor expected = test::referenceLogits(config, weights, ids);
    torch::NoGradGuard noGrad;
    const auto model32 = model::loadModel(folder.path(), {torch::kFloat, kCpu});
    const double difference32 = test::maxAbsDiff(model32->forward(idsInput(ids)).squeeze(0), expected);
    std::cout << "   llama bf16 shards, fp32 compute: max |diff| = " << difference32 << "\n";
    VERIFY(difference32 < 2e-4);  // bf16 -> f32 conversion is exact; the reference sees the same rounded weights

    const auto model16 = model::loadModel(folder.path(), {torch::kBFloat16, kCpu});
    const torch::Tensor logits16 = model16->forward(idsInput(ids)).squeeze(0);
    COMPARE(logits16.scalar_type(), torch::kBFloat16);
    const double difference16 = test::maxAbsDiff(logits16, expected);
    std::cout << "   llama bf16 compute: max |diff| = " << difference16 << " (logit scale "
              << expected.abs().max().item<double>() << ")\n";
    VERIFY(difference16 < 0.05 * expected.abs().max().item<double>() + 0.05);
}

CAPSULE_TEST(qwen2BiasesTiedEmbeddingsAndSlidingLayer) {
    TinyConfig config = test::tinyQwen2();
    config.slidingWindow = 3;   // layer 1 slides (max_window_layers 1)
    config.maxWindowLayers = 1;
    VERIFY(compareWithReference(config, 4, 11, torch::kFloat, 0, "qwen2 biases, tied, window 3 on layer 1") < 2e-4);

    test::TempDir folder;
    test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 4));
    const auto model = model::loadModel(folder.path(), {torch::kFloat, kCpu});
    const auto linears = model->namedLinears();
    COMPARE(linears.size(), size_t(7 * config.layers + 1));
    COMPARE(linears[0].first, std::string("model.layers.0.self_attn.q_proj"));
    COMPARE(linears[3].first, std::string("model.layers.0.self_attn.o_proj"));
    COMPARE(linears[4].first, std::string("model.layers.0.mlp.gate_proj"));
    COMPARE(linears[6].first, std::string("model.layers.0.mlp.down_proj"));
    VERIFY(linears[0].second->hasBias());
    VERIFY(!linears[3].second->hasBias());
    VERIFY(!linears[0].second->fanInFanOut());
    COMPARE(linears[1].second->weight.sizes().vec(), (std::vector<int64_t>{8, 16}));  // k_proj [kv·D, H]
    VERIFY(linears.back().second->weight.unsafeGetTensorImpl() == model->wordEmbeddingWeight().unsafeGetTensorImpl());
}

CAPSULE_TEST(mistralSlidingWindowMatchesReference) {
    TinyConfig config = tinyLlama();
    config.modelType = "mistral";
    config.slidingWindow = 4;
    VERIFY(compareWithReference(config, 5, 12, torch::kFloat, 0, "mistral window 4") < 2e-4);
    // The window must matter: without it the logits differ.
    TinyConfig full = config;
    full.slidingWindow.reset();
    const auto weights = test::randomWeights(config, 5);
    const std::vector<int64_t> ids = test::randomIds(12, config.vocab, 105);
    VERIFY(test::maxAbsDiff(test::referenceLogits(config, weights, ids), test::referenceLogits(full, weights, ids)) > 1e-3);
}

CAPSULE_TEST(ropeLlama3AndYarnMatchReference) {
    TinyConfig llama3 = tinyLlama();
    llama3.headDim = 16;  // enough frequencies to hit all three llama3 bands
    llama3.hidden = 32;
    llama3.heads = 2;
    llama3.kvHeads = 1;
    llama3.ropeType = "llama3";
    llama3.ropeFactor = 4.0;
    llama3.originalMaxPositions = 16;
    llama3.lowFrequencyFactor = 1.0;
    llama3.highFrequencyFactor = 4.0;
    VERIFY(compareWithReference(llama3, 6, 14, torch::kFloat, 0, "rope llama3") < 2e-4);

    TinyConfig yarn = llama3;
    yarn.ropeType = "yarn";
    yarn.originalMaxPositions.reset();
    yarn.maxPositions = 32;
    yarn.ropeTheta = 100.0;
    yarn.ropeParametersV5 = true;  // written as rope_parameters
    VERIFY(compareWithReference(yarn, 7, 14, torch::kFloat, 0, "rope yarn (rope_parameters)") < 2e-4);
}

CAPSULE_TEST(ropeInverseFrequenciesOfEveryVariant) {
    TinyConfig base = tinyLlama();
    base.headDim = 16;
    base.hidden = 32;
    base.heads = 2;
    base.kvHeads = 2;
    base.maxPositions = 32;
    struct Case {
        const char* type;
        double factor;
        std::optional<int64_t> original;
        int64_t length;
    };
    const std::vector<Case> cases = {{"default", 1.0, {}, 8},  {"linear", 2.5, {}, 8},   {"dynamic", 2.0, {}, 8},
                                     {"dynamic", 2.0, {}, 80}, {"llama3", 8.0, 16, 8}, {"yarn", 4.0, {}, 8},
                                     {"yarn", 4.0, 16, 8}};
    for (const Case& item : cases) {
        TinyConfig config = base;
        config.ropeType = item.type;
        config.ropeFactor = item.factor;
        config.originalMaxPositions = item.original;
        const model::ModelConfig parsed = model::parseModelConfig(test::configJson(config), "config.json");
        const model::RotaryEmbedding rotary(parsed);
        const torch::Tensor actual = rotary.inverseFrequencies(item.length);
        const torch::Tensor expected = test::referenceInverseFrequencies(config, item.length);
        const double relative = ((actual.to(torch::kDouble) - expected).abs() / expected).max().item<double>();
        if (!(relative < 1e-6))
            test::fail(std::string("inv_freq of ") + item.type + " differs by " + std::to_string(relative), __FILE__, __LINE__);
        COMPARE_NEAR(rotary.attentionScaling(), test::referenceAttentionFactor(config), 1e-12);
    }
    // dynamic only changes past the trained length
    TinyConfig dynamic = base;
    dynamic.ropeType = "dynamic";
    dynamic.ropeFactor = 2.0;
    const model::RotaryEmbedding rotary(model::parseModelConfig(test::configJson(dynamic), "config.json"));
    VERIFY(test::maxAbsDiff(rotary.inverseFrequencies(32), rotary.inverseFrequencies(8)) == 0.0);
    VERIFY(test::maxAbsDiff(rotary.inverseFrequencies(64), rotary.inverseFrequencies(8)) > 1e-6);
}

CAPSULE_TEST(kvCacheStepsEqualFullRecomputation) {
    for (const std::string type : {"llama", "mistral"}) {
        TinyConfig config = tinyLlama();
        config.modelType = type;
        if (type == "mistral") config.slidingWindow = 3;
        test::TempDir folder;
        test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 8));
        const auto model = model::loadModel(folder.path(), {torch::kFloat, kCpu});
        const std::vector<int64_t> ids = test::randomIds(11, config.vocab, 3);
        torch::NoGradGuard noGrad;
        const torch::Tensor full = model->forward(idsInput(ids)).squeeze(0);
        model::KVCache cache = model->makeCache();
        model::ForwardInput prompt = idsInput({ids.begin(), ids.begin() + 5});
        prompt.cache = &cache;
        std::vector<torch::Tensor> pieces = {model->forward(prompt).squeeze(0)};
        for (size_t t = 5; t < ids.size(); ++t) {
            model::ForwardInput step = idsInput({ids[t]});
            step.cache = &cache;
            pieces.push_back(model->forward(step).squeeze(0));
        }
        COMPARE(cache.key(1).sizes().vec(), (std::vector<int64_t>{1, 2, 11, 4}));  // [B, kv, T, D]
        const double difference = test::maxAbsDiff(torch::cat(pieces, 0), full);
        std::cout << "   " << type << " KV-cache vs full: max |diff| = " << difference << "\n";
        VERIFY(difference < 1e-5);
    }
}

CAPSULE_TEST(prefilledCacheActsAsPrefixWithPositionsAfterIt) {
    // Prefix-tuning shape of use: a cache filled beforehand, a mask that counts those positions,
    // no position ids: the real tokens continue at the cache length.
    TinyConfig config = tinyLlama();
    test::TempDir folder;
    test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 9));
    const auto model = model::loadModel(folder.path(), {torch::kFloat, kCpu});
    const std::vector<int64_t> ids = test::randomIds(9, config.vocab, 4);
    torch::NoGradGuard noGrad;
    const torch::Tensor full = model->forward(idsInput(ids)).squeeze(0);

    model::KVCache prefix = model->makeCache();
    model::ForwardInput first = idsInput({ids.begin(), ids.begin() + 3});
    first.cache = &prefix;
    model->hidden(first);
    model::KVCache copied = model->makeCache();
    for (int64_t layer = 0; layer < model->numLayers(); ++layer)
        copied.setLayer(layer, prefix.key(layer).clone(), prefix.value(layer).clone());

    model::ForwardInput rest = idsInput({ids.begin() + 3, ids.end()});
    rest.cache = &copied;
    rest.attentionMask = torch::ones({1, 9}, torch::kLong);
    const double difference = test::maxAbsDiff(model->forward(rest).squeeze(0), full.slice(0, 3));
    VERIFY(difference < 1e-5);
    // A mask of the wrong width is refused.
    model::ForwardInput wrong = idsInput({1, 2});
    wrong.cache = &copied;
    wrong.attentionMask = torch::ones({1, 2}, torch::kLong);
    VERIFY_THROWS(model->forward(wrong), "attention_mask must be [B, T_past + T]");
}

CAPSULE_TEST(paddedBatchesEqualOneByOneIncludingCachedDecoding) {
    TinyConfig config = tinyLlama();
    config.modelType = "qwen2";
    test::TempDir folder;
    test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 10));
    const auto model = model::loadModel(folder.path(), {torch::kFloat, kCpu});
    const std::vector<std::vector<int64_t>> sequences = {test::randomIds(8, config.vocab, 1),
                                                         test::randomIds(3, config.vocab, 2),
                                                         test::randomIds(5, config.vocab, 3)};
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> single;
    for (const auto& ids : sequences) single.push_back(model->forward(idsInput(ids)).squeeze(0));

    for (const bool leftPadding : {false, true}) {
        const test::PaddedBatch batch = test::padBatch(sequences, 8, leftPadding);
        model::ForwardInput input;
        input.inputIds = batch.ids;
        input.attentionMask = batch.mask;
        const torch::Tensor logits = model->forward(input);
        VERIFY(!torch::isnan(logits).any().item<bool>());
        for (int64_t b = 0; b < 3; ++b) VERIFY(test::maxAbsDiff(batch.tokensOf(logits, b), single[size_t(b)]) < 1e-5);
    }

    // Left-padded batched decoding with a cache (what batched generation does): prefill the
    // left-padded prompts, then feed one more token per row with the mask extended by a 1.
    std::vector<std::vector<int64_t>> prompts;
    for (const auto& sequence : sequences) prompts.emplace_back(sequence.begin(), sequence.end() - 1);
    const test::PaddedBatch padded = test::padBatch(prompts, 8, true);
    model::KVCache cache = model->makeCache();
    model::ForwardInput prefill;
    prefill.inputIds = padded.ids;
    prefill.attentionMask = padded.mask;
    prefill.cache = &cache;
    model->hidden(prefill);
    model::ForwardInput step;
    torch::Tensor last = torch::zeros({3, 1}, torch::kLong);
    for (int64_t b = 0; b < 3; ++b) last[b][0] = sequences[size_t(b)].back();
    step.inputIds = last;
    step.attentionMask = torch::cat({padded.mask, torch::ones({3, 1}, torch::kLong)}, 1);
    step.cache = &cache;
    const torch::Tensor stepLogits = model->forward(step);  // [3, 1, V]
    for (int64_t b = 0; b < 3; ++b)
        VERIFY(test::maxAbsDiff(stepLogits[b][0], single[size_t(b)][int64_t(sequences[size_t(b)].size()) - 1]) < 1e-5);
}

CAPSULE_TEST(tiedHeadWhenConfigIsSilentAndLmHeadAbsent) {
    TinyConfig config = tinyLlama();
    config.tied = true;
    test::TempDir folder;
    const auto weights = test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 11));
    // Remove tie_word_embeddings from config.json: LlamaConfig's default (false) would leave the
    // head missing; the loader ties it because the checkpoint has no lm_head.weight.
    auto json = nlohmann::json::parse(test::readFile(folder.file("config.json")));
    json.erase("tie_word_embeddings");
    test::writeFile(folder.file("config.json"), json.dump());
    const auto model = model::loadModel(folder.path(), {torch::kFloat, kCpu});
    VERIFY(model->namedLinears().back().second->sharesWeight());
    // Stated false and absent: an error naming the tensor.
    json["tie_word_embeddings"] = false;
    test::writeFile(folder.file("config.json"), json.dump());
    VERIFY_THROWS(model::loadModel(folder.path(), {torch::kFloat, kCpu}), "missing tensor lm_head.weight");
}

CAPSULE_TEST(loadingErrorsForLlamaNames) {
    TinyConfig config = tinyLlama();
    auto weights = test::randomWeights(config, 12);
    test::TempDir folder;
    weights["model.layers.1.self_attn.k_proj.weight"] = torch::zeros({16, 16}, torch::kDouble);  // MHA shape in a GQA model
    weights.erase("model.norm.weight");
    weights["model.layers.0.self_attn.rotary_emb.inv_freq"] = torch::ones({2}, torch::kDouble);  // a known buffer: ignored
    test::writeCheckpoint(folder.path(), config, weights);
    try {
        model::loadModel(folder.path(), {torch::kFloat, kCpu});
        test::fail("loading did not throw", __FILE__, __LINE__);
    } catch (const std::runtime_error& error) {
        const std::string message = error.what();
        VERIFY(message.find("tensor model.layers.1.self_attn.k_proj.weight: expected [8, 16], got [16, 16]") != std::string::npos);
        VERIFY(message.find("missing tensor model.norm.weight") != std::string::npos);
        VERIFY(message.find("inv_freq") == std::string::npos);
        VERIFY(message.find("2 problems") != std::string::npos);
    }
}

CAPSULE_TEST(checkpointWithoutModelPrefixLoads) {
    TinyConfig config = tinyLlama();
    const auto raw = test::randomWeights(config, 14);
    std::map<std::string, torch::Tensor> bare;
    for (const auto& [name, tensor] : raw) bare[name.rfind("model.", 0) == 0 ? name.substr(6) : name] = tensor;
    test::TempDir folder;
    test::writeCheckpoint(folder.path(), config, bare);
    const auto model = model::loadModel(folder.path(), {torch::kFloat, kCpu});
    const std::vector<int64_t> ids = test::randomIds(6, config.vocab, 1);
    torch::NoGradGuard noGrad;
    VERIFY(test::maxAbsDiff(model->forward(idsInput(ids)).squeeze(0), test::referenceLogits(config, raw, ids)) < 2e-4);
}

CAPSULE_TEST(differentiablePathMatchesInferencePathAndBackpropagates) {
    // With gradients required the attention takes the batched autograd form; without, the
    // per-slice inference form. Both must agree, and gradients must reach the inputs.
    TinyConfig config = tinyLlama();
    config.modelType = "qwen2";
    test::TempDir folder;
    test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 15));
    const auto model = model::loadModel(folder.path(), {torch::kFloat, kCpu});
    const std::vector<int64_t> ids = test::randomIds(7, config.vocab, 8);
    torch::Tensor embeds;
    torch::Tensor inference;
    {
        torch::NoGradGuard noGrad;
        embeds = model->embedTokens(torch::tensor(ids, torch::kLong).view({1, -1})).repeat({3, 1, 1});
        model::ForwardInput input;
        input.inputsEmbeds = embeds;
        input.attentionMask = torch::ones({3, 7}, torch::kLong);
        input.attentionMask[1][0] = 0;  // left padding in one row
        inference = model->forward(input);
    }
    const torch::Tensor trainable = embeds.clone().requires_grad_(true);
    model::ForwardInput input;
    input.inputsEmbeds = trainable;
    input.attentionMask = torch::ones({3, 7}, torch::kLong);
    input.attentionMask[1][0] = 0;
    const torch::Tensor logits = model->forward(input);
    VERIFY(logits.requires_grad());
    VERIFY(test::maxAbsDiff(logits.detach(), inference) < 1e-5);
    logits.select(1, 6).sum().backward();
    VERIFY(trainable.grad().defined());
    VERIFY(trainable.grad().abs().sum().item<double>() > 0.0);
    // The padded position receives no gradient from the real tokens of its row.
    VERIFY(trainable.grad()[1][0].abs().max().item<double>() == 0.0);
}
