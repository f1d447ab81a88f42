// The models on a CUDA GPU (label gpu): tiny GPT-2, Llama with GQA (bf16 weights in two shards) and
// Qwen2 (q/k/v biases, tied head) checkpoints load onto the GPU, and their float32 logits match the
// CPU's float32 forward and the float64 reference; bfloat16 on the GPU matches loosely; KV-cache
// greedy generation on the GPU picks the CPU's tokens; a padded batch equals the sequences one by
// one. Every case skips where LibTorch sees no CUDA device.
//
// CAPSULE_CUDA_TESTS_ON_CPU=1 runs the same cases with the CPU as the device under test: a dry run
// of the tests' own logic on a machine without a GPU.
#include "capsule_test.h"
#include "model_test_support.h"

#include "io/checkpoint_reader.h"
#include "model/generation.h"
#include "model/model_loader.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

using namespace capsule;
using capsule::test::TinyConfig;
using capsule::test::tinyGpt2;
using capsule::test::tinyLlama;
using capsule::test::tinyQwen2;

namespace {

const torch::Device kCpu(torch::kCPU);

/// The device under test: CUDA device 0, or the CPU in a dry run (CAPSULE_CUDA_TESTS_ON_CPU=1).
torch::Device deviceOrSkip() {
    const char* dryRun = std::getenv("CAPSULE_CUDA_TESTS_ON_CPU");
    if (dryRun && std::string(dryRun) == "1") return kCpu;
    if (!torch::cuda::is_available())
        SKIP_TEST("CUDA is not available (LibTorch " TORCH_VERSION " sees no GPU); CAPSULE_CUDA_TESTS_ON_CPU=1 dry-runs these on the CPU");
    return torch::Device(torch::kCUDA, 0);
}

model::ForwardInput idsInput(const std::vector<int64_t>& ids) {
    model::ForwardInput input;
    input.inputIds = torch::tensor(ids, torch::kLong).view({1, -1});
    return input;
}

/// Loads `folder` on the CPU and on the device in float32 and on the device in bfloat16, runs
/// `ids` through each and compares: device fp32 with CPU fp32 (tight), with the float64 reference
/// (as the CPU tests do), device bf16 with the reference (loose).
void compareLogitsOnDevice(const std::string& folder, const TinyConfig& config,
                           const std::map<std::string, torch::Tensor>& stored, const std::vector<int64_t>& ids,
                           const std::string& label) {
    const torch::Device device = deviceOrSkip();
    torch::NoGradGuard noGrad;
    const auto cpu = model::loadModel(folder, {torch::kFloat, kCpu});
    const auto onDevice = model::loadModel(folder, {torch::kFloat, device});
    COMPARE(onDevice->device().type(), device.type());
    COMPARE(onDevice->dtype(), torch::kFloat);
    const torch::Tensor expected = test::referenceLogits(config, stored, ids);  // [T, V] float64
    const double scale = expected.abs().max().item<double>();
    const torch::Tensor cpuLogits = cpu->forward(idsInput(ids)).squeeze(0);
    const torch::Tensor logits = onDevice->forward(idsInput(ids)).squeeze(0);
    COMPARE(logits.device().type(), device.type());
    COMPARE(logits.scalar_type(), torch::kFloat);
    COMPARE(logits.sizes().vec(), (std::vector<int64_t>{static_cast<int64_t>(ids.size()), config.vocab}));
    const double versusCpu = test::maxAbsDiff(logits, cpuLogits);
    const double versusReference = test::maxAbsDiff(logits, expected);

    const auto bf16 = model::loadModel(folder, {torch::kBFloat16, device});
    const torch::Tensor logits16 = bf16->forward(idsInput(ids)).squeeze(0);
    COMPARE(logits16.device().type(), device.type());
    COMPARE(logits16.scalar_type(), torch::kBFloat16);
    const double bf16VersusReference = test::maxAbsDiff(logits16, expected);
    std::cout << "   " << label << " on " << device.str() << ": fp32 vs CPU fp32 " << versusCpu << ", fp32 vs float64 reference "
              << versusReference << ", bf16 vs reference " << bf16VersusReference << " (logit scale " << scale << ")\n";
    VERIFY(scale > 0.5);  // the comparison is not vacuous
    VERIFY(versusCpu < 1e-4);
    VERIFY(versusReference < 2e-4);
    VERIFY(bf16VersusReference < 0.05 * scale + 0.05);
}

}  // namespace

CAPSULE_TEST(gpt2_logits_on_cuda_match_cpu_and_reference) {
    deviceOrSkip();
    test::TempDir folder;
    const TinyConfig config = tinyGpt2();
    const auto stored = test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 11));
    compareLogitsOnDevice(folder.path(), config, stored, test::randomIds(12, config.vocab, 5), "gpt2");
}

CAPSULE_TEST(llama_gqa_bf16_shards_on_cuda_match_cpu_and_reference) {
    deviceOrSkip();
    const TinyConfig config = tinyLlama();
    test::TempDir folder;
    const auto stored = test::writeTwoBf16Shards(folder.path(), config, test::randomWeights(config, 3));
    VERIFY(std::filesystem::exists(folder.file("model.safetensors.index.json")));
    VERIFY(std::filesystem::exists(folder.file("model-00002-of-00002.safetensors")));
    COMPARE(io::CheckpointReader(folder.path()).dominantDtype(), std::string("BF16"));
    compareLogitsOnDevice(folder.path(), config, stored, test::randomIds(9, config.vocab, 7), "llama GQA 4/2, bf16 shards");
}

CAPSULE_TEST(qwen2_biases_and_tied_head_on_cuda_match_cpu_and_reference) {
    const torch::Device device = deviceOrSkip();
    const TinyConfig config = tinyQwen2();
    test::TempDir folder;
    const auto stored = test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 4));
    compareLogitsOnDevice(folder.path(), config, stored, test::randomIds(11, config.vocab, 104), "qwen2 biases, tied");
    // The tied head still shares the embedding after the move to the device.
    const auto model = model::loadModel(folder.path(), {torch::kFloat, device});
    const auto linears = model->namedLinears();
    VERIFY(linears[0].second->hasBias());
    VERIFY(linears.back().second->weight.unsafeGetTensorImpl() == model->wordEmbeddingWeight().unsafeGetTensorImpl());
    COMPARE(linears.back().second->weight.device().type(), device.type());
}

CAPSULE_TEST(greedy_generation_on_cuda_equals_cpu_token_for_token) {
    const torch::Device device = deviceOrSkip();
    for (const std::string type : {"gpt2", "llama", "qwen2"}) {
        const TinyConfig config = test::tinyGenerationConfig(type);  // test_generation's models
        test::TempDir folder;
        test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 17, 0.5));
        const auto cpu = model::loadModel(folder.path(), {torch::kFloat, kCpu});
        const auto onDevice = model::loadModel(folder.path(), {torch::kFloat, device});
        const std::vector<int64_t> prompt = {3, 14, 15, 9, 2};
        model::GenerationOptions options;
        options.maxNewTokens = 16;
        const model::GenerationResult expected = model::generate(*cpu, prompt, options);
        const model::GenerationResult actual = model::generate(*onDevice, prompt, options);
        std::cout << "   " << type << " greedy on " << device.str() << ": " << test::describe(actual.tokens) << "\n";
        if (actual.tokens != expected.tokens) {
            // Tell a near-tie (a rounding difference picks the other token) from a real fault.
            size_t at = 0;
            while (at < actual.tokens.size() && at < expected.tokens.size() && actual.tokens[at] == expected.tokens[at]) ++at;
            std::vector<int64_t> prefix = prompt;
            prefix.insert(prefix.end(), expected.tokens.begin(), expected.tokens.begin() + static_cast<int64_t>(at));
            torch::NoGradGuard noGrad;
            const torch::Tensor last = cpu->forward(idsInput(prefix))[0][static_cast<int64_t>(prefix.size()) - 1];  // [V]
            const torch::Tensor top = std::get<0>(last.topk(2));
            std::cout << "   first difference at new token " << at << ": the CPU's top-2 logit margin there is "
                      << (top[0] - top[1]).item<double>() << "\n";
        }
        COMPARE(actual.tokens.size(), size_t{16});
        COMPARE(actual.tokens, expected.tokens);
        COMPARE(static_cast<int>(actual.stopReason), static_cast<int>(expected.stopReason));
        // Seeded sampling draws from a CPU generator on float32 logits: the same tokens on any device.
        options.temperature = 1.0;
        options.seed = 1234;
        COMPARE(model::generate(*onDevice, prompt, options).tokens, model::generate(*cpu, prompt, options).tokens);
        // GPT-2 stops when its positions run out, on the device too.
        if (type == "gpt2") {
            options.temperature = 0.0;
            options.maxNewTokens = 100;
            const auto full = model::generate(*onDevice, test::randomIds(40, config.vocab, 1), options);
            COMPARE(static_cast<int>(full.stopReason), static_cast<int>(model::StopReason::ContextFull));
            COMPARE(full.tokens, model::generate(*cpu, test::randomIds(40, config.vocab, 1), options).tokens);
        }
    }
}

CAPSULE_TEST(padded_batch_on_cuda_equals_one_by_one) {
    const torch::Device device = deviceOrSkip();
    for (const TinyConfig& config : {tinyGpt2(), tinyQwen2()}) {
        test::TempDir folder;
        test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 10));
        const auto cpu = model::loadModel(folder.path(), {torch::kFloat, kCpu});
        const auto onDevice = model::loadModel(folder.path(), {torch::kFloat, device});
        const std::vector<std::vector<int64_t>> sequences = {test::randomIds(8, config.vocab, 1), test::randomIds(3, config.vocab, 2),
                                                             test::randomIds(5, config.vocab, 3)};
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> single, singleOnCpu;
        for (const auto& ids : sequences) {
            single.push_back(onDevice->forward(idsInput(ids)).squeeze(0));
            singleOnCpu.push_back(cpu->forward(idsInput(ids)).squeeze(0));
        }
        for (const bool leftPadding : {false, true}) {
            const test::PaddedBatch batch = test::padBatch(sequences, 8, leftPadding);
            model::ForwardInput input;
            input.inputIds = batch.ids.to(device);
            input.attentionMask = batch.mask.to(device);
            const torch::Tensor logits = onDevice->forward(input);  // [3, 8, V]
            COMPARE(logits.device().type(), device.type());
            VERIFY(!torch::isnan(logits).any().item<bool>());
            double worst = 0, worstVersusCpu = 0;
            for (int64_t b = 0; b < 3; ++b) {
                const torch::Tensor row = batch.tokensOf(logits, b);
                worst = std::max(worst, test::maxAbsDiff(row, single[size_t(b)]));
                worstVersusCpu = std::max(worstVersusCpu, test::maxAbsDiff(row, singleOnCpu[size_t(b)]));
            }
            std::cout << "   " << config.modelType << (leftPadding ? " left" : " right") << "-padded batch on " << device.str()
                      << ": vs one by one " << worst << ", vs the CPU " << worstVersusCpu << "\n";
            VERIFY(worst < 1e-4);
            VERIFY(worstVersusCpu < 1e-4);
        }
    }
}
