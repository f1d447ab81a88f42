#pragma once
// Turns examples into LibTorch batches, in an order that is a pure function of (seed, epoch), so a
// run resumes exactly from a saved BatchPosition.
//
// Order per epoch: shuffle all examples (SeededRandom stream = epoch), then, when bucketing, cut the
// shuffled list into pools of batchSize x bucketBatches examples, sort each pool by length
// (longest first) and cut it into batches, so a batch holds examples of similar length and little
// compute goes to padding; finally shuffle the batch order so lengths do not trend through the
// epoch. Batches are right-padded (pad id from the tokenizer, EOS when it has none).
//
// Dimension letters: B batch, T padded sequence length, N choices per example.
// Not thread-safe; the examples are not owned and must outlive the Batcher.
#include "data/example.h"
#include "tokenizer/tokenizer.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace capsule::data {

struct BatcherOptions {
    int64_t batchSize = 8;
    uint64_t seed = 42;
    bool shuffle = true;
    bool bucketByLength = true;
    int64_t bucketBatches = 64;  // pool size in batches for length bucketing
    bool dropLast = false;       // drop an epoch's last, smaller batch
    int64_t padToMultipleOf = 1; // round T up (e.g. 8 for tensor cores)
};

/// Where a run is: the next batch to produce is batch `batchIndex` of epoch `epoch`.
struct BatchPosition {
    int64_t epoch = 0;
    int64_t batchIndex = 0;
    bool operator==(const BatchPosition& other) const {
        return epoch == other.epoch && batchIndex == other.batchIndex;
    }
};

struct Batch {
    at::Tensor inputIds;       // [B, T] int64, pad id after each sequence
    at::Tensor attentionMask;  // [B, T] int64, 1 on real tokens, 0 on padding
    at::Tensor labels;         // [B, T] int64, -100 on padding and untrained tokens
    at::Tensor positionIds;    // [B, T] int64, restart at 0 per packed example; 0 on padding
    at::Tensor segmentIds;     // [B, T] int64, 1, 2, ... per packed example; 0 on padding
    std::vector<size_t> exampleIndices;  // which examples, in row order
    BatchPosition position;              // where this batch sits in the run
    int64_t realTokens = 0;
    int64_t paddedTokens = 0;
    double paddingFraction() const;
};

/// Rank classification / T-Few: every choice of every example as its own row (context + choice),
/// row b * N + c for example b, choice c. Examples with fewer than N choices get filler rows (the
/// context alone, nothing to score) marked invalid.
struct ChoiceBatch {
    at::Tensor inputIds;       // [B*N, T] int64
    at::Tensor attentionMask;  // [B*N, T] int64
    at::Tensor labels;         // [B*N, T] int64: the choice ids on choice tokens, -100 elsewhere
    at::Tensor choiceMask;     // [B*N, T] float32: 1 on choice tokens
    at::Tensor choiceLengths;  // [B, N] int64: tokens per choice (T_c, incl. end marker); 0 for filler
    at::Tensor choiceValid;    // [B, N] bool
    at::Tensor goldIndex;      // [B] int64
    int64_t choicesPerExample = 0;  // N
    std::vector<size_t> exampleIndices;
    BatchPosition position;
};

/// The tokenizer's pad id, else its EOS id, else 0 (labels and attention mask make the value moot).
int64_t padIdFor(const tokenizer::SpecialTokens& specialTokens);

/// Builds one right-padded batch from examples[indices]. Throws std::out_of_range for a bad index.
Batch makeBatch(const std::vector<Example>& examples, const std::vector<size_t>& indices, int64_t padId,
                int64_t padToMultipleOf = 1);
/// Builds a choice batch; throws std::invalid_argument (naming the source line) for an example
/// without choices or with a gold index outside them.
ChoiceBatch makeChoiceBatch(const std::vector<Example>& examples, const std::vector<size_t>& indices, int64_t padId,
                            int64_t padToMultipleOf = 1);

class Batcher {
public:
    /// `examples` is not owned. Throws std::invalid_argument for batchSize < 1 or bucketBatches < 1.
    Batcher(const std::vector<Example>& examples, int64_t padId, BatcherOptions options);

    int64_t batchesPerEpoch() const { return batchesPerEpoch_; }
    /// The example indices of every batch of `epoch`, in order (deterministic).
    std::vector<std::vector<size_t>> epochPlan(int64_t epoch) const;
    /// Padding share (padded slots / all slots) over the whole epoch's plan.
    double epochPaddingFraction(int64_t epoch) const;

    BatchPosition position() const { return position_; }
    /// Resumes at `position`; throws std::out_of_range when batchIndex is not in this epoch.
    void setPosition(BatchPosition position);

    /// The batch at position(), then advances (to batch 0 of the next epoch after the last).
    /// Throws std::runtime_error when there are no batches.
    Batch next();
    ChoiceBatch nextChoices();

private:
    const std::vector<size_t>& currentBatch();
    void advance();
    int64_t lengthOf(size_t index) const;

    const std::vector<Example>* examples_;  // not owned
    int64_t padId_;
    BatcherOptions options_;
    int64_t batchesPerEpoch_ = 0;
    BatchPosition position_;
    int64_t cachedEpoch_ = -1;
    std::vector<std::vector<size_t>> cachedPlan_;
};

}  // namespace capsule::data
