#include "data/batcher.h"

#include "data/seeded_random.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace capsule::data {

namespace {

int64_t roundUp(int64_t value, int64_t multiple) {
    if (multiple <= 1) return value;
    return (value + multiple - 1) / multiple * multiple;
}

const Example& exampleAt(const std::vector<Example>& examples, size_t index) {
    if (index >= examples.size())
        throw std::out_of_range("batch: example index " + std::to_string(index) + " out of range (" +
                                std::to_string(examples.size()) + " examples)");
    return examples[index];
}

std::string where(const Example& example) {
    return example.source.file + ":" + std::to_string(example.source.line);
}

}  // namespace

double Batch::paddingFraction() const {
    const int64_t slots = realTokens + paddedTokens;
    return slots == 0 ? 0.0 : static_cast<double>(paddedTokens) / static_cast<double>(slots);
}

int64_t padIdFor(const tokenizer::SpecialTokens& specialTokens) {
    if (specialTokens.pad) return *specialTokens.pad;
    if (specialTokens.eos) return *specialTokens.eos;
    return 0;
}

Batch makeBatch(const std::vector<Example>& examples, const std::vector<size_t>& indices, int64_t padId,
                int64_t padToMultipleOf) {
    Batch batch;
    batch.exampleIndices = indices;
    const int64_t rows = static_cast<int64_t>(indices.size());
    int64_t longest = 0;
    for (const size_t index : indices) longest = std::max(longest, exampleAt(examples, index).length());
    const int64_t width = roundUp(longest, padToMultipleOf);
    const auto options = torch::TensorOptions().dtype(torch::kLong);
    batch.inputIds = torch::full({rows, width}, padId, options);                // [B, T]
    batch.attentionMask = torch::zeros({rows, width}, options);                 // [B, T]
    batch.labels = torch::full({rows, width}, kIgnoreLabel, options);           // [B, T]
    batch.positionIds = torch::zeros({rows, width}, options);                   // [B, T]
    batch.segmentIds = torch::zeros({rows, width}, options);                    // [B, T]
    int64_t* ids = batch.inputIds.data_ptr<int64_t>();
    int64_t* mask = batch.attentionMask.data_ptr<int64_t>();
    int64_t* labels = batch.labels.data_ptr<int64_t>();
    int64_t* positions = batch.positionIds.data_ptr<int64_t>();
    int64_t* segments = batch.segmentIds.data_ptr<int64_t>();
    for (int64_t b = 0; b < rows; ++b) {
        const Example& example = examples[indices[static_cast<size_t>(b)]];
        const int64_t length = example.length();
        const bool packed = example.positionIds.size() == example.inputIds.size();
        const bool segmented = example.segmentIds.size() == example.inputIds.size();
        const int64_t offset = b * width;
        for (int64_t t = 0; t < length; ++t) {
            const size_t at = static_cast<size_t>(t);
            ids[offset + t] = example.inputIds[at];
            mask[offset + t] = 1;
            labels[offset + t] = at < example.labels.size() ? example.labels[at] : kIgnoreLabel;
            positions[offset + t] = packed ? example.positionIds[at] : t;
            segments[offset + t] = segmented ? example.segmentIds[at] : 1;
        }
        batch.realTokens += length;
    }
    batch.paddedTokens = rows * width - batch.realTokens;
    return batch;
}

ChoiceBatch makeChoiceBatch(const std::vector<Example>& examples, const std::vector<size_t>& indices, int64_t padId,
                            int64_t padToMultipleOf) {
    ChoiceBatch batch;
    batch.exampleIndices = indices;
    const int64_t count = static_cast<int64_t>(indices.size());
    int64_t choices = 0, longest = 0;
    for (const size_t index : indices) {
        const Example& example = exampleAt(examples, index);
        if (example.choiceIds.empty())
            throw std::invalid_argument("choice batch: the example from " + where(example) + " has no choices");
        if (example.goldIndex < 0 || example.goldIndex >= static_cast<int64_t>(example.choiceIds.size()))
            throw std::invalid_argument("choice batch: the example from " + where(example) + " has gold index " +
                                        std::to_string(example.goldIndex) + " outside its " +
                                        std::to_string(example.choiceIds.size()) + " choices");
        choices = std::max(choices, static_cast<int64_t>(example.choiceIds.size()));
        longest = std::max(longest, example.choiceSequenceLength());
    }
    const int64_t width = roundUp(longest, padToMultipleOf);
    const int64_t rows = count * choices;
    batch.choicesPerExample = choices;
    const auto longOptions = torch::TensorOptions().dtype(torch::kLong);
    batch.inputIds = torch::full({rows, width}, padId, longOptions);                           // [B*N, T]
    batch.attentionMask = torch::zeros({rows, width}, longOptions);                            // [B*N, T]
    batch.labels = torch::full({rows, width}, kIgnoreLabel, longOptions);                      // [B*N, T]
    batch.choiceMask = torch::zeros({rows, width}, torch::TensorOptions().dtype(torch::kFloat)); // [B*N, T]
    batch.choiceLengths = torch::zeros({count, choices}, longOptions);                         // [B, N]
    batch.choiceValid = torch::zeros({count, choices}, torch::TensorOptions().dtype(torch::kBool)); // [B, N]
    batch.goldIndex = torch::zeros({count}, longOptions);                                      // [B]
    int64_t* ids = batch.inputIds.data_ptr<int64_t>();
    int64_t* mask = batch.attentionMask.data_ptr<int64_t>();
    int64_t* labels = batch.labels.data_ptr<int64_t>();
    float* choiceMask = batch.choiceMask.data_ptr<float>();
    int64_t* lengths = batch.choiceLengths.data_ptr<int64_t>();
    bool* valid = batch.choiceValid.data_ptr<bool>();
    int64_t* gold = batch.goldIndex.data_ptr<int64_t>();
    for (int64_t b = 0; b < count; ++b) {
        const Example& example = examples[indices[static_cast<size_t>(b)]];
        gold[b] = example.goldIndex;
        const int64_t context = static_cast<int64_t>(example.contextIds.size());
        for (int64_t c = 0; c < choices; ++c) {
            const int64_t offset = (b * choices + c) * width;
            for (int64_t t = 0; t < context; ++t) {
                ids[offset + t] = example.contextIds[static_cast<size_t>(t)];
                mask[offset + t] = 1;
            }
            if (c >= static_cast<int64_t>(example.choiceIds.size())) continue;  // filler row: context only
            const std::vector<int64_t>& choice = example.choiceIds[static_cast<size_t>(c)];
            for (size_t k = 0; k < choice.size(); ++k) {
                const int64_t t = context + static_cast<int64_t>(k);
                ids[offset + t] = choice[k];
                mask[offset + t] = 1;
                labels[offset + t] = choice[k];
                choiceMask[offset + t] = 1.0f;
            }
            lengths[b * choices + c] = static_cast<int64_t>(choice.size());
            valid[b * choices + c] = true;
        }
    }
    return batch;
}

Batcher::Batcher(const std::vector<Example>& examples, int64_t padId, BatcherOptions options)
    : examples_(&examples), padId_(padId), options_(options) {
    if (options_.batchSize < 1) throw std::invalid_argument("batcher: batch size must be >= 1");
    if (options_.bucketBatches < 1) throw std::invalid_argument("batcher: bucket_batches must be >= 1");
    const int64_t count = static_cast<int64_t>(examples.size());
    batchesPerEpoch_ = options_.dropLast ? count / options_.batchSize
                                         : (count + options_.batchSize - 1) / options_.batchSize;
}

int64_t Batcher::lengthOf(size_t index) const {
    const Example& example = (*examples_)[index];
    return example.choiceIds.empty() ? example.length() : std::max(example.length(), example.choiceSequenceLength());
}

std::vector<std::vector<size_t>> Batcher::epochPlan(int64_t epoch) const {
    const size_t count = examples_->size();
    const size_t batchSize = static_cast<size_t>(options_.batchSize);
    std::vector<size_t> order(count);
    std::iota(order.begin(), order.end(), size_t{0});
    SeededRandom random = SeededRandom::forStream(options_.seed, static_cast<uint64_t>(epoch));
    if (options_.shuffle) random.shuffle(order);

    std::vector<std::vector<size_t>> batches;
    const size_t pool = options_.bucketByLength ? batchSize * static_cast<size_t>(options_.bucketBatches) : count;
    for (size_t begin = 0; begin < count; begin += std::max<size_t>(pool, 1)) {
        const size_t end = std::min(count, begin + pool);
        if (options_.bucketByLength)
            std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(begin),
                             order.begin() + static_cast<std::ptrdiff_t>(end),
                             [&](size_t a, size_t b) { return lengthOf(a) > lengthOf(b); });
        for (size_t start = begin; start < end; start += batchSize)
            batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(start),
                                 order.begin() + static_cast<std::ptrdiff_t>(std::min(end, start + batchSize)));
    }
    if (options_.dropLast && !batches.empty() && batches.back().size() < batchSize) batches.pop_back();
    // Only the last pool can leave a short batch; shuffling the batch order hides the length sort.
    if (options_.bucketByLength && options_.shuffle) random.shuffle(batches);
    return batches;
}

double Batcher::epochPaddingFraction(int64_t epoch) const {
    int64_t real = 0, slots = 0;
    for (const std::vector<size_t>& batch : epochPlan(epoch)) {
        int64_t longest = 0;
        for (const size_t index : batch) {
            longest = std::max(longest, (*examples_)[index].length());
            real += (*examples_)[index].length();
        }
        slots += roundUp(longest, options_.padToMultipleOf) * static_cast<int64_t>(batch.size());
    }
    return slots == 0 ? 0.0 : static_cast<double>(slots - real) / static_cast<double>(slots);
}

void Batcher::setPosition(BatchPosition position) {
    if (position.epoch < 0 || position.batchIndex < 0 || position.batchIndex >= std::max<int64_t>(batchesPerEpoch_, 1))
        throw std::out_of_range("batcher: position (epoch " + std::to_string(position.epoch) + ", batch " +
                                std::to_string(position.batchIndex) + ") is outside the " +
                                std::to_string(batchesPerEpoch_) + " batches of an epoch");
    position_ = position;
}

const std::vector<size_t>& Batcher::currentBatch() {
    if (batchesPerEpoch_ == 0) throw std::runtime_error("batcher: no batches (no examples, or fewer than one full batch)");
    if (cachedEpoch_ != position_.epoch) {
        cachedPlan_ = epochPlan(position_.epoch);
        cachedEpoch_ = position_.epoch;
    }
    return cachedPlan_[static_cast<size_t>(position_.batchIndex)];
}

void Batcher::advance() {
    if (++position_.batchIndex >= batchesPerEpoch_) {
        position_.batchIndex = 0;
        ++position_.epoch;
    }
}

Batch Batcher::next() {
    const BatchPosition position = position_;
    Batch batch = makeBatch(*examples_, currentBatch(), padId_, options_.padToMultipleOf);
    batch.position = position;
    advance();
    return batch;
}

ChoiceBatch Batcher::nextChoices() {
    const BatchPosition position = position_;
    ChoiceBatch batch = makeChoiceBatch(*examples_, currentBatch(), padId_, options_.padToMultipleOf);
    batch.position = position;
    advance();
    return batch;
}

}  // namespace capsule::data
