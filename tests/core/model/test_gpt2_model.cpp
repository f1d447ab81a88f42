// GPT-2: logits against the float64 reference, Conv1D layout, tied head, hub buffers, KV cache,
// padded batches, and the loader's error messages.
#include "capsule_test.h"
#include "model_test_support.h"

#include "io/safetensors_writer.h"
#include "model/gpt2_model.h"
#include "model/model_loader.h"

#include <cstdio>
#include <iostream>

using namespace capsule;
using capsule::test::TinyConfig;
using capsule::test::tinyGpt2;

namespace {

/// The causal-mask buffers the hub gpt2 files carry: h.N.attn.bias [1, 1, P, P], h.N.attn.masked_bias [].
std::map<std::string, torch::Tensor> hubBuffers(const TinyConfig& config) {
    std::map<std::string, torch::Tensor> buffers;
    for (int64_t i = 0; i < config.layers; ++i) {
        const std::string p = "h." + std::to_string(i) + ".attn.";
        buffers[p + "bias"] =
            torch::ones({config.maxPositions, config.maxPositions}, torch::kFloat).tril().view({1, 1, config.maxPositions, config.maxPositions});
        buffers[p + "masked_bias"] = torch::full({}, -1e4, torch::kFloat);
    }
    return buffers;
}

model::ForwardInput idsInput(const std::vector<int64_t>& ids) {
    model::ForwardInput input;
    input.inputIds = torch::tensor(ids, torch::kLong).view({1, -1});
    return input;
}

}  // namespace

CAPSULE_TEST(logitsMatchFloat64ReferenceWithHubBuffers) {
    test::TempDir folder;
    const TinyConfig config = tinyGpt2();
    const auto weights = test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 11), torch::kFloat, 0,
                                               hubBuffers(config));
    const auto model = model::loadModel(folder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
    VERIFY(!model->is_training());
    const std::vector<int64_t> ids = test::randomIds(12, config.vocab, 5);
    torch::NoGradGuard noGrad;
    const torch::Tensor logits = model->forward(idsInput(ids)).squeeze(0);  // [T, V]
    const torch::Tensor expected = test::referenceLogits(config, weights, ids);
    COMPARE(logits.sizes().vec(), (std::vector<int64_t>{12, config.vocab}));
    const double difference = test::maxAbsDiff(logits, expected);
    std::cout << "   gpt2 fp32 vs float64 reference: max |diff| = " << difference
              << " (logit scale " << expected.abs().max().item<double>() << ")\n";
    VERIFY(difference < 2e-4);
    VERIFY(expected.abs().max().item<double>() > 0.5);  // the comparison is not vacuous
}

CAPSULE_TEST(conv1dLayoutTiedHeadAndNamedLinears) {
    test::TempDir folder;
    const TinyConfig config = tinyGpt2();
    test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 3));
    const auto model = model::loadModel(folder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
    const auto linears = model->namedLinears();
    COMPARE(linears.size(), size_t(4 * config.layers + 1));
    COMPARE(linears[0].first, std::string("transformer.h.0.attn.c_attn"));
    COMPARE(linears[1].first, std::string("transformer.h.0.attn.c_proj"));
    COMPARE(linears[2].first, std::string("transformer.h.0.mlp.c_fc"));
    COMPARE(linears[3].first, std::string("transformer.h.0.mlp.c_proj"));
    COMPARE(linears.back().first, std::string("lm_head"));
    // Conv1D keeps the stored [in, out] layout.
    model::Linear cAttn = linears[0].second;
    VERIFY(cAttn->fanInFanOut());
    COMPARE(cAttn->weight.sizes().vec(), (std::vector<int64_t>{16, 48}));
    COMPARE(cAttn->inFeatures(), int64_t{16});
    COMPARE(cAttn->outFeatures(), int64_t{48});
    // forwardBase is x·W + b for that layout.
    const torch::Tensor x = torch::randn({3, 16});
    const torch::Tensor expected = x.matmul(cAttn->weight) + cAttn->bias;
    VERIFY(test::maxAbsDiff(cAttn->forwardBase(x), expected) < 1e-5);
    // Tied: one tensor, not a copy.
    const auto& head = linears.back().second;
    VERIFY(head->sharesWeight());
    VERIFY(head->weight.unsafeGetTensorImpl() == model->wordEmbeddingWeight().unsafeGetTensorImpl());
    // Parameter names as PEFT sees them on GPT2LMHeadModel.
    const auto parameters = model->named_parameters();
    VERIFY(parameters.contains("transformer.wte.weight"));
    VERIFY(parameters.contains("transformer.h.1.ln_2.bias"));
    VERIFY(parameters.contains("transformer.h.1.mlp.c_fc.weight"));
    VERIFY(parameters.contains("lm_head.weight"));
    // Unique count: the tied head is not counted twice.
    int64_t expectedCount = 0;
    for (const auto& [name, tensor] : test::randomWeights(config, 3)) expectedCount += tensor.numel();
    COMPARE(model::countParameters(*model), expectedCount);
    for (const auto& parameter : model->parameters()) VERIFY(!parameter.requires_grad());
}

CAPSULE_TEST(transformerPrefixAndUntiedHeadLoad) {
    test::TempDir folder;
    TinyConfig config = tinyGpt2();
    config.tied = false;
    const auto raw = test::randomWeights(config, 21);
    std::map<std::string, torch::Tensor> prefixed;
    for (const auto& [name, tensor] : raw) prefixed[name == "lm_head.weight" ? name : "transformer." + name] = tensor;
    test::writeCheckpoint(folder.path(), config, prefixed);
    const auto model = model::loadModel(folder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
    VERIFY(!model->namedLinears().back().second->sharesWeight());
    const std::vector<int64_t> ids = test::randomIds(7, config.vocab, 2);
    torch::NoGradGuard noGrad;
    const double difference =
        test::maxAbsDiff(model->forward(idsInput(ids)).squeeze(0), test::referenceLogits(config, raw, ids));
    VERIFY(difference < 2e-4);
}

CAPSULE_TEST(kvCacheStepsEqualFullRecomputation) {
    test::TempDir folder;
    const TinyConfig config = tinyGpt2();
    test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 4));
    const auto model = model::loadModel(folder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
    const std::vector<int64_t> ids = test::randomIds(10, config.vocab, 9);
    torch::NoGradGuard noGrad;
    const torch::Tensor full = model->forward(idsInput(ids)).squeeze(0);  // [T, V]

    model::KVCache cache = model->makeCache();
    model::ForwardInput prompt = idsInput({ids.begin(), ids.begin() + 4});
    prompt.cache = &cache;
    std::vector<torch::Tensor> pieces = {model->forward(prompt).squeeze(0)};
    COMPARE(cache.length(), int64_t{4});
    for (size_t t = 4; t < ids.size(); ++t) {
        model::ForwardInput step = idsInput({ids[t]});
        step.cache = &cache;
        pieces.push_back(model->forward(step).squeeze(0));
    }
    COMPARE(cache.length(), int64_t{10});
    const double difference = test::maxAbsDiff(torch::cat(pieces, 0), full);
    std::cout << "   gpt2 KV-cache vs full: max |diff| = " << difference << "\n";
    VERIFY(difference < 1e-5);
}

CAPSULE_TEST(paddedBatchesEqualOneByOne) {
    test::TempDir folder;
    const TinyConfig config = tinyGpt2();
    test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 8));
    const auto model = model::loadModel(folder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
    const std::vector<std::vector<int64_t>> sequences = {test::randomIds(9, config.vocab, 1),
                                                         test::randomIds(4, config.vocab, 2),
                                                         test::randomIds(6, config.vocab, 3)};
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> single;
    for (const auto& ids : sequences) single.push_back(model->forward(idsInput(ids)).squeeze(0));

    for (const bool leftPadding : {false, true}) {
        const test::PaddedBatch batch = test::padBatch(sequences, 9, leftPadding, 7);  // pad id 7: arbitrary, must not matter
        model::ForwardInput input;
        input.inputIds = batch.ids;
        input.attentionMask = batch.mask;
        const torch::Tensor logits = model->forward(input);  // [3, W, V]
        VERIFY(!torch::isnan(logits).any().item<bool>());
        for (int64_t b = 0; b < 3; ++b) {
            const double difference = test::maxAbsDiff(batch.tokensOf(logits, b), single[size_t(b)]);
            if (!(difference < 1e-5))
                test::fail((leftPadding ? "left" : "right") + std::string(" padding, row ") + std::to_string(b) +
                               ": max |diff| = " + std::to_string(difference),
                           __FILE__, __LINE__);
        }
    }
}

CAPSULE_TEST(inputsEmbedsGetPositionEmbeddingsAdded) {
    test::TempDir folder;
    const TinyConfig config = tinyGpt2();
    test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 12));
    const auto model = model::loadModel(folder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
    const std::vector<int64_t> ids = test::randomIds(5, config.vocab, 12);
    torch::NoGradGuard noGrad;
    const model::ForwardInput byIds = idsInput(ids);
    model::ForwardInput byEmbeds;
    byEmbeds.inputsEmbeds = model->embedTokens(byIds.inputIds);
    VERIFY(test::maxAbsDiff(model->forward(byIds), model->forward(byEmbeds)) < 1e-6);
    // hidden + logits = forward
    VERIFY(test::maxAbsDiff(model->logits(model->hidden(byIds)), model->forward(byIds)) < 1e-6);
}

CAPSULE_TEST(loadingErrorsNameTheTensors) {
    const TinyConfig config = tinyGpt2();
    auto weights = test::randomWeights(config, 5);
    {
        test::TempDir folder;
        auto missing = weights;
        missing.erase("h.1.mlp.c_fc.bias");
        test::writeCheckpoint(folder.path(), config, missing);
        VERIFY_THROWS(model::loadModel(folder.path(), {torch::kFloat, torch::Device(torch::kCPU)}),
                      "missing tensor transformer.h.1.mlp.c_fc.bias");
    }
    {
        test::TempDir folder;
        auto wrong = weights;
        wrong["h.0.attn.c_attn.weight"] = torch::zeros({48, 16}, torch::kDouble);  // nn.Linear layout: wrong for Conv1D
        test::writeCheckpoint(folder.path(), config, wrong);
        VERIFY_THROWS(model::loadModel(folder.path(), {torch::kFloat, torch::Device(torch::kCPU)}),
                      "tensor h.0.attn.c_attn.weight: expected [16, 48], got [48, 16]");
    }
    {
        test::TempDir folder;
        auto extra = weights;
        extra["h.0.attn.q_norm.weight"] = torch::ones({4}, torch::kDouble);
        test::writeCheckpoint(folder.path(), config, extra);
        VERIFY_THROWS(model::loadModel(folder.path(), {torch::kFloat, torch::Device(torch::kCPU)}),
                      "unexpected tensor h.0.attn.q_norm.weight");
    }
    {
        // Both prefixed and bare names of one tensor.
        test::TempDir folder;
        auto twice = weights;
        twice["transformer.ln_f.bias"] = weights.at("ln_f.bias");
        test::writeCheckpoint(folder.path(), config, twice);
        VERIFY_THROWS(model::loadModel(folder.path(), {torch::kFloat, torch::Device(torch::kCPU)}), "appears twice");
    }
    {
        test::TempDir folder;
        test::writeCheckpoint(folder.path(), config, weights);
        test::writeFile(folder.file("config.json"), R"({"model_type": "bert", "hidden_size": 16})");
        VERIFY_THROWS(model::loadModel(folder.path()), "unsupported model_type 'bert' (supported: gpt2, llama, qwen2, mistral)");
    }
}

CAPSULE_TEST(positionsBeyondNPositionsAreAnError) {
    test::TempDir folder;
    const TinyConfig config = tinyGpt2();
    test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 6));
    const auto model = model::loadModel(folder.path(), {torch::kFloat, torch::Device(torch::kCPU)});
    torch::NoGradGuard noGrad;
    VERIFY_THROWS(model->forward(idsInput(test::randomIds(33, config.vocab, 1))), "outside the model's n_positions = 32");
    model::ForwardInput badMask = idsInput({1, 2, 3});
    badMask.attentionMask = torch::ones({1, 4}, torch::kLong);
    VERIFY_THROWS(model->forward(badMask), "attention_mask must be [B, T_past + T] = [1, 3]");
}

CAPSULE_TEST(bfloat16ComputeStaysCloseToReference) {
    test::TempDir folder;
    const TinyConfig config = tinyGpt2();
    const auto weights = test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 13));
    const auto model = model::loadModel(folder.path(), {torch::kBFloat16, torch::Device(torch::kCPU)});
    COMPARE(model->dtype(), torch::kBFloat16);
    const std::vector<int64_t> ids = test::randomIds(8, config.vocab, 4);
    torch::NoGradGuard noGrad;
    const torch::Tensor logits = model->forward(idsInput(ids)).squeeze(0);
    COMPARE(logits.scalar_type(), torch::kBFloat16);
    const torch::Tensor expected = test::referenceLogits(config, weights, ids);
    const double difference = test::maxAbsDiff(logits, expected);
    std::cout << "   gpt2 bf16 vs float64 reference: max |diff| = " << difference << " (logit scale "
              << expected.abs().max().item<double>() << ")\n";
    VERIFY(difference < 0.05 * expected.abs().max().item<double>() + 0.05);
}


CAPSULE_TEST(float16OnCpuWorksOrSaysWhy) {
    test::TempDir folder;
    const TinyConfig config = tinyGpt2();
    const auto weights = test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 14));
    std::shared_ptr<model::CausalLM> network;
    try {
        network = model::loadModel(folder.path(), {torch::kHalf, torch::Device(torch::kCPU)});
    } catch (const std::runtime_error& error) {
        VERIFY(std::string(error.what()).find("float16 compute is not supported on the CPU") != std::string::npos);
        SKIP_TEST("this LibTorch has no float16 CPU kernels (the loader said so clearly)");
    }
    const std::vector<int64_t> ids = test::randomIds(6, config.vocab, 2);
    torch::NoGradGuard noGrad;
    const torch::Tensor expected = test::referenceLogits(config, weights, ids);
    VERIFY(test::maxAbsDiff(network->forward(idsInput(ids)).squeeze(0), expected) < 0.02 * expected.abs().max().item<double>() + 0.02);
}
