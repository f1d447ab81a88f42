// Generation: greedy equals argmax of full recomputation, determinism, seeded sampling,
// EOS / callback / max-token stops, top-k / top-p filtering, prompt-learning hooks.
#include "capsule_test.h"
#include "model_test_support.h"

#include "model/generation.h"
#include "model/model_loader.h"

#include <set>

using namespace capsule;
using capsule::test::TinyConfig;

namespace {

const torch::Device kCpu(torch::kCPU);

std::shared_ptr<model::CausalLM> tinyModel(const test::TempDir& folder, const std::string& type) {
    const TinyConfig config = test::tinyGenerationConfig(type);
    test::writeCheckpoint(folder.path(), config, test::randomWeights(config, 17, 0.5));
    return model::loadModel(folder.path(), {torch::kFloat, kCpu});
}

/// Greedy decoding by re-running the whole sequence each step (no cache).
std::vector<int64_t> greedyByRecomputation(model::CausalLM& model, std::vector<int64_t> ids, int64_t steps) {
    torch::NoGradGuard noGrad;
    std::vector<int64_t> produced;
    for (int64_t i = 0; i < steps; ++i) {
        model::ForwardInput input;
        input.inputIds = torch::tensor(ids, torch::kLong).view({1, -1});
        const int64_t next = model.forward(input)[0][int64_t(ids.size()) - 1].argmax().item<int64_t>();
        produced.push_back(next);
        ids.push_back(next);
    }
    return produced;
}

}  // namespace

CAPSULE_TEST(greedyWithCacheEqualsFullRecomputation) {
    for (const std::string type : {"gpt2", "llama"}) {
        test::TempDir folder;
        const auto model = tinyModel(folder, type);
        const std::vector<int64_t> prompt = {3, 14, 15, 9, 2};
        model::GenerationOptions options;
        options.maxNewTokens = 12;
        const model::GenerationResult result = model::generate(*model, prompt, options);
        COMPARE(result.tokens.size(), size_t{12});
        COMPARE(result.stopReason, model::StopReason::MaxNewTokens);
        COMPARE(result.tokens, greedyByRecomputation(*model, prompt, 12));
        // Deterministic.
        COMPARE(model::generate(*model, prompt, options).tokens, result.tokens);
    }
}

CAPSULE_TEST(samplingRepeatsWithTheSameSeed) {
    test::TempDir folder;
    const auto model = tinyModel(folder, "llama");
    const std::vector<int64_t> prompt = {1, 2, 3};
    model::GenerationOptions options;
    options.maxNewTokens = 20;
    options.temperature = 1.5;
    options.seed = 1234;
    const auto first = model::generate(*model, prompt, options).tokens;
    COMPARE(model::generate(*model, prompt, options).tokens, first);
    // Another seed gives another sequence (20 tokens at temperature 1.5 over 29 ids).
    options.seed = 99;
    VERIFY(model::generate(*model, prompt, options).tokens != first);
    // The global torch seed does not influence it.
    options.seed = 1234;
    torch::manual_seed(7);
    COMPARE(model::generate(*model, prompt, options).tokens, first);
}

CAPSULE_TEST(topKOneIsGreedyAndTopPKeepsTheNucleus) {
    test::TempDir folder;
    const auto model = tinyModel(folder, "gpt2");
    const std::vector<int64_t> prompt = {5, 6, 7};
    model::GenerationOptions greedy;
    greedy.maxNewTokens = 10;
    model::GenerationOptions topK = greedy;
    topK.temperature = 2.0;
    topK.topK = 1;
    topK.seed = 5;
    COMPARE(model::generate(*model, prompt, topK).tokens, model::generate(*model, prompt, greedy).tokens);

    // Sampler-level checks on hand-made logits.
    const torch::Tensor logits = torch::tensor({0.0, 3.0, 2.9, -1.0, 1.0}, torch::kFloat);
    model::GenerationOptions nucleus;
    nucleus.temperature = 1.0;
    nucleus.topP = 0.6;  // p = [.02, .50, .45, .01, .06] sorted: .50 alone < .6, .50+.45 covers it
    nucleus.seed = 3;
    model::TokenSampler sampler(nucleus);
    std::set<int64_t> seen;
    for (int i = 0; i < 200; ++i) seen.insert(sampler.next(logits));
    COMPARE(seen, (std::set<int64_t>{1, 2}));
    model::GenerationOptions tiny = nucleus;
    tiny.topP = 0.01;  // always keeps the most likely token
    model::TokenSampler greedySampler(tiny);
    for (int i = 0; i < 20; ++i) COMPARE(greedySampler.next(logits), int64_t{1});
    model::GenerationOptions topTwo;
    topTwo.temperature = 10.0;
    topTwo.topK = 2;
    model::TokenSampler twoSampler(topTwo);
    seen.clear();
    for (int i = 0; i < 200; ++i) seen.insert(twoSampler.next(logits));
    COMPARE(seen, (std::set<int64_t>{1, 2}));
    model::GenerationOptions bad;
    bad.topP = 0.0;
    VERIFY_THROWS(model::TokenSampler{bad}, "top_p must be in (0, 1]");
}

CAPSULE_TEST(stopsAtAnyEosAndWhenTheCallbackSaysSo) {
    test::TempDir folder;
    const auto model = tinyModel(folder, "llama");
    const std::vector<int64_t> prompt = {4, 8, 15};
    model::GenerationOptions options;
    options.maxNewTokens = 10;
    const auto free = model::generate(*model, prompt, options).tokens;

    model::GenerationOptions withEos = options;
    withEos.eosTokenIds = {free[2], 1000};  // the third greedy token is an EOS
    const auto stopped = model::generate(*model, prompt, withEos);
    COMPARE(stopped.stopReason, model::StopReason::EndOfSequence);
    // Stops right after the first occurrence of that id, which is included.
    const auto firstEos = std::find(free.begin(), free.end(), free[2]);
    COMPARE(stopped.tokens, (std::vector<int64_t>(free.begin(), firstEos + 1)));

    std::vector<int64_t> streamed;
    const auto viaCallback = model::generate(*model, prompt, options, [&](int64_t token) {
        streamed.push_back(token);
        return streamed.size() < 4;
    });
    COMPARE(viaCallback.stopReason, model::StopReason::Callback);
    COMPARE(streamed, (std::vector<int64_t>(free.begin(), free.begin() + 4)));
    COMPARE(viaCallback.tokens, streamed);
    COMPARE(model::stopReasonName(model::StopReason::EndOfSequence), std::string("eos"));
}

CAPSULE_TEST(gpt2StopsWhenPositionsRunOut) {
    test::TempDir folder;
    const auto model = tinyModel(folder, "gpt2");  // 48 positions
    model::GenerationOptions options;
    options.maxNewTokens = 100;
    const auto result = model::generate(*model, test::randomIds(40, 29, 1), options);
    COMPARE(result.stopReason, model::StopReason::ContextFull);
    COMPARE(result.tokens.size(), size_t{9});  // 40 + 8 cached positions, the 9th token is not fed back
    VERIFY_THROWS(model::generate(*model, test::randomIds(49, 29, 1), options), "does not fit");
    VERIFY_THROWS(model::generate(*model, {}, options), "the prompt has no tokens");
    VERIFY_THROWS(model::generate(*model, {1, 29}, options), "outside the vocabulary of 29");
}

CAPSULE_TEST(hooksForPromptLearningAdapters) {
    test::TempDir folder;
    const auto model = tinyModel(folder, "llama");
    const std::vector<int64_t> virtualTokens = {11, 12};
    const std::vector<int64_t> prompt = {3, 4, 5};
    std::vector<int64_t> joined = virtualTokens;
    joined.insert(joined.end(), prompt.begin(), prompt.end());
    model::GenerationOptions options;
    options.maxNewTokens = 6;
    const auto reference = model::generate(*model, joined, options).tokens;

    // Prompt tuning: prepend embeddings of "virtual tokens".
    model::GenerationHooks prepend;
    prepend.prepareInputsEmbeds = [&](const torch::Tensor& embeds) {
        const torch::Tensor extra = model->embedTokens(torch::tensor(virtualTokens, torch::kLong).view({1, -1}));
        return torch::cat({extra, embeds}, 1);
    };
    COMPARE(model::generate(*model, prompt, options, {}, prepend).tokens, reference);

    // Prefix tuning: the cache holds the virtual tokens' K/V before the prompt runs.
    model::GenerationHooks prefix;
    prefix.prepareCache = [&](model::KVCache& cache) {
        model::ForwardInput input;
        input.inputIds = torch::tensor(virtualTokens, torch::kLong).view({1, -1});
        input.cache = &cache;
        model->hidden(input);
    };
    COMPARE(model::generate(*model, prompt, options, {}, prefix).tokens, reference);
}
