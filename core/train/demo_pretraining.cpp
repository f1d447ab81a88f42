#include "train/demo_pretraining.h"

#include "tokenizer/tokenizer.h"
#include "train/demo_vocabulary.h"

#include <algorithm>
#include <random>
#include <vector>

namespace capsule::train {
namespace {

struct PretrainingLine {
    std::string text;
    int64_t keyTokenFromEnd = 2;  // the token weighed up in the loss (label, or the second adjective), from the end
    bool cued = true;             // a cue line (its key token is a label)
};

const std::string& pick(const std::vector<std::string>& words, std::mt19937_64& random) {
    return words[random() % words.size()];
}

PretrainingLine pretrainingLine(std::mt19937_64& random) {
    const bool positive = (random() & 1U) != 0;
    const auto& adjectives = positive ? demo::positiveAdjectives() : demo::negativeAdjectives();
    if (random() % 3 == 0) {
        return {"the " + pick(demo::nouns(), random) + " was " + pick(adjectives, random) + " and " +
                    pick(adjectives, random) + " .<|endoftext|>",
                3, false};
    }
    const bool opposite = (random() & 1U) != 0;
    std::string line;
    const size_t filler = random() % 9;
    for (size_t i = 0; i < filler; ++i) line += pick(demo::fillerWords(), random) + " ";
    line += opposite ? "opposite : " : "sentiment : ";
    line += "the " + pick(demo::nouns(), random) + " was " + pick(adjectives, random) + "\n";
    line += (positive != opposite) ? "positive" : "negative";
    return {line + "<|endoftext|>", 2, true};
}

}  // namespace

void pretrainDemoModel(model::CausalLM& network, const std::string& tokenizerFolder, uint64_t seed, int64_t steps,
                       const PretrainProgress& progress) {
    namespace F = torch::nn::functional;
    const tokenizer::Tokenizer tokenizer = tokenizer::Tokenizer::fromDirectory(tokenizerFolder);
    std::mt19937_64 random(seed ^ 0x5eedULL);
    torch::manual_seed(seed);
    std::vector<torch::Tensor> parameters = network.parameters();
    for (auto& parameter : parameters) parameter.set_requires_grad(true);
    torch::optim::AdamW optimizer(parameters, torch::optim::AdamWOptions(3e-3).weight_decay(0.0));
    network.train();
    constexpr int64_t kBatch = 32;
    for (int64_t step = 0; step < steps; ++step) {
        std::vector<std::vector<int64_t>> rows;
        std::vector<PretrainingLine> lines;
        size_t longest = 0;
        for (int64_t b = 0; b < kBatch; ++b) {
            lines.push_back(pretrainingLine(random));
            rows.push_back(tokenizer.encode(lines.back().text, false));
            longest = std::max(longest, rows.back().size());
        }
        const auto length = static_cast<int64_t>(longest);
        torch::Tensor ids = torch::zeros({kBatch, length}, torch::kLong);                 // [B, T] (eos-padded)
        torch::Tensor targets = torch::full({kBatch, length - 1}, -100, torch::kLong);   // [B, T-1]
        std::vector<int64_t> keyAt;  // per row: the position that predicts the key token
        for (int64_t b = 0; b < kBatch; ++b) {
            const auto& row = rows[static_cast<size_t>(b)];
            const auto n = static_cast<int64_t>(row.size());
            ids[b].narrow(0, 0, n).copy_(torch::tensor(row, torch::kLong));
            targets[b].narrow(0, 0, n - 1).copy_(ids[b].narrow(0, 1, n - 1));
            keyAt.push_back(n - lines[static_cast<size_t>(b)].keyTokenFromEnd - 1);
        }
        const torch::Tensor rowIndex = torch::arange(kBatch);                  // [B]
        const torch::Tensor keyPositions = torch::tensor(keyAt, torch::kLong);  // [B]
        model::ForwardInput input;
        input.inputIds = ids;
        const torch::Tensor logits = network.forward(input);  // [B, T, V]
        const torch::Tensor lmLoss = F::cross_entropy(logits.narrow(1, 0, length - 1).reshape({-1, logits.size(2)}),
                                                      targets.reshape({-1}), F::CrossEntropyFuncOptions().ignore_index(-100));
        // The key token is one in ~12: weigh it up so the cue logic is learnt, not only the words.
        const torch::Tensor keyLogits = logits.index({rowIndex, keyPositions});     // [B, V]
        const torch::Tensor keyTargets = ids.index({rowIndex, keyPositions + 1});   // [B]
        const torch::Tensor loss = lmLoss + 2.0 * F::cross_entropy(keyLogits, keyTargets);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        if (progress && (step % 100 == 0 || step + 1 == steps)) {
            const torch::Tensor hits = keyLogits.argmax(1).eq(keyTargets);  // [B]
            int64_t correct = 0, cued = 0;
            for (int64_t b = 0; b < kBatch; ++b) {
                if (!lines[static_cast<size_t>(b)].cued) continue;
                ++cued;
                correct += hits[b].item<bool>() ? 1 : 0;
            }
            progress(step, loss.item<double>(), cued > 0 ? static_cast<double>(correct) / static_cast<double>(cued) : 0.0);
        }
    }
    for (auto& parameter : parameters) parameter.set_requires_grad(false);
    network.eval();
}

}  // namespace capsule::train
