// Batching into LibTorch tensors: shapes, right padding with the tokenizer's pad id, labels and
// masks, packed rows' positions and segments, length bucketing (less padding, every example once
// per epoch), the seeded per-epoch order and exact resumption, and multiple-choice score batches.
#include "capsule_test.h"
#include "dataset_test_support.h"

#include "data/batcher.h"
#include "data/dataset_loader.h"
#include "data/packing.h"
#include "data/seeded_random.h"

#include <torch/torch.h>

#include <set>

using namespace capsule::data;
using capsule::test::fixtureTemplate;
using capsule::test::fixtureTokenizer;
using capsule::test::TempDir;
using capsule::test::writeFile;

namespace {

Example exampleOfLength(int64_t length, int64_t firstTrained, int64_t base = 100) {
    Example example;
    for (int64_t t = 0; t < length; ++t) {
        example.inputIds.push_back(base + t);
        example.labels.push_back(t >= firstTrained ? base + t : kIgnoreLabel);
    }
    example.untruncatedLength = length;
    return example;
}

std::vector<int64_t> row(const at::Tensor& tensor, int64_t index) {
    const at::Tensor line = tensor[index].contiguous();
    return std::vector<int64_t>(line.data_ptr<int64_t>(), line.data_ptr<int64_t>() + line.numel());
}

std::vector<Example> randomLengthExamples(size_t count, uint64_t seed) {
    SeededRandom random(seed);
    std::vector<Example> examples;
    for (size_t i = 0; i < count; ++i)
        examples.push_back(exampleOfLength(1 + static_cast<int64_t>(random.below(200)), 0, static_cast<int64_t>(i) * 1000));
    return examples;
}

}  // namespace

CAPSULE_TEST(batchIsRightPaddedWithMasksAndLabels) {
    const std::vector<Example> examples = {exampleOfLength(3, 1), exampleOfLength(5, 2), exampleOfLength(2, 0)};
    const Batch batch = makeBatch(examples, {0, 1, 2}, /*padId=*/7);
    COMPARE(batch.inputIds.sizes().vec(), (std::vector<int64_t>{3, 5}));
    COMPARE(batch.inputIds.scalar_type(), torch::kLong);
    COMPARE(batch.attentionMask.sizes().vec(), (std::vector<int64_t>{3, 5}));
    COMPARE(row(batch.inputIds, 0), (std::vector<int64_t>{100, 101, 102, 7, 7}));
    COMPARE(row(batch.attentionMask, 0), (std::vector<int64_t>{1, 1, 1, 0, 0}));
    COMPARE(row(batch.labels, 0), (std::vector<int64_t>{-100, 101, 102, -100, -100}));
    COMPARE(row(batch.labels, 1), (std::vector<int64_t>{-100, -100, 102, 103, 104}));
    COMPARE(row(batch.positionIds, 2), (std::vector<int64_t>{0, 1, 0, 0, 0}));
    COMPARE(row(batch.segmentIds, 2), (std::vector<int64_t>{1, 1, 0, 0, 0}));
    COMPARE(batch.attentionMask.sum().item<int64_t>(), int64_t(10));
    COMPARE(batch.realTokens, int64_t(10));
    COMPARE(batch.paddedTokens, int64_t(5));
    COMPARE_NEAR(batch.paddingFraction(), 5.0 / 15.0, 1e-12);
    const Batch rounded = makeBatch(examples, {0, 2}, 7, /*padToMultipleOf=*/8);
    COMPARE(rounded.inputIds.size(1), int64_t(8));
    VERIFY_THROWS(makeBatch(examples, {3}, 7), "example index 3 out of range");
}

CAPSULE_TEST(padIdComesFromTheTokenizer) {
    capsule::tokenizer::SpecialTokens tokens;
    COMPARE(padIdFor(tokens), int64_t(0));
    tokens.eos = 2;
    COMPARE(padIdFor(tokens), int64_t(2));
    tokens.pad = 5;
    COMPARE(padIdFor(tokens), int64_t(5));
    COMPARE(padIdFor(fixtureTokenizer("qwen3").specialTokens()), int64_t(151643));  // <|endoftext|> is Qwen's pad
    COMPARE(padIdFor(fixtureTokenizer("gpt2").specialTokens()), int64_t(50256));   // no pad: EOS
}

CAPSULE_TEST(packedRowsCarryPositionsAndSegments) {
    const std::vector<Example> packed = packExamples({exampleOfLength(3, 0, 10), exampleOfLength(2, 0, 20)}, 8);
    COMPARE(packed.size(), size_t(1));
    const Batch batch = makeBatch(packed, {0}, 0);
    COMPARE(row(batch.inputIds, 0), (std::vector<int64_t>{10, 11, 12, 20, 21}));
    COMPARE(row(batch.positionIds, 0), (std::vector<int64_t>{0, 1, 2, 0, 1}));
    COMPARE(row(batch.segmentIds, 0), (std::vector<int64_t>{1, 1, 1, 2, 2}));
    COMPARE(row(batch.labels, 0), (std::vector<int64_t>{-100, 11, 12, -100, 21}));
}

CAPSULE_TEST(bucketingCutsPaddingAndCoversEveryExampleOnce) {
    const std::vector<Example> examples = randomLengthExamples(500, 3);
    BatcherOptions options;
    options.batchSize = 8;
    options.bucketBatches = 16;
    const Batcher bucketed(examples, 0, options);
    options.bucketByLength = false;
    const Batcher unbucketed(examples, 0, options);
    COMPARE(bucketed.batchesPerEpoch(), int64_t(63));  // ceil(500 / 8)
    for (int64_t epoch = 0; epoch < 2; ++epoch) {
        std::multiset<size_t> seen;
        for (const auto& batch : bucketed.epochPlan(epoch)) {
            VERIFY(batch.size() <= 8);
            seen.insert(batch.begin(), batch.end());
        }
        COMPARE(seen.size(), size_t(500));
        COMPARE(std::set<size_t>(seen.begin(), seen.end()).size(), size_t(500));
    }
    const double withBuckets = bucketed.epochPaddingFraction(0);
    const double without = unbucketed.epochPaddingFraction(0);
    VERIFY(withBuckets < without / 4);  // uniform lengths 1..200: ~40% padding without buckets
    VERIFY(without > 0.3);
    // The padding fraction of the plan is the one the tensors have.
    Batcher walker(examples, 0, options);
    int64_t real = 0, padded = 0;
    for (int64_t b = 0; b < walker.batchesPerEpoch(); ++b) {
        const Batch batch = walker.next();
        real += batch.realTokens;
        padded += batch.paddedTokens;
    }
    COMPARE_NEAR(static_cast<double>(padded) / static_cast<double>(real + padded), without, 1e-12);
}

CAPSULE_TEST(orderIsSeededPerEpochAndResumesExactly) {
    const std::vector<Example> examples = randomLengthExamples(50, 9);
    BatcherOptions options;
    options.batchSize = 4;
    options.bucketBatches = 2;
    options.seed = 1234;
    Batcher first(examples, 0, options);
    COMPARE(first.batchesPerEpoch(), int64_t(13));
    std::vector<std::vector<size_t>> order;
    std::vector<BatchPosition> positions;
    for (int i = 0; i < 30; ++i) {  // crosses two epoch boundaries
        positions.push_back(first.position());
        const Batch batch = first.next();
        COMPARE(batch.position.epoch, positions.back().epoch);
        order.push_back(batch.exampleIndices);
    }
    COMPARE(positions[13].epoch, int64_t(1));
    COMPARE(positions[13].batchIndex, int64_t(0));
    COMPARE(first.position().epoch, int64_t(2));
    COMPARE(first.position().batchIndex, int64_t(4));
    VERIFY(first.epochPlan(0) != first.epochPlan(1));  // a new shuffle each epoch

    // A fresh batcher resumed at batch 17 (epoch 1, batch 4) continues identically.
    Batcher resumed(examples, 0, options);
    resumed.setPosition(positions[17]);
    for (int i = 17; i < 30; ++i) COMPARE(resumed.next().exampleIndices, order[static_cast<size_t>(i)]);

    BatcherOptions otherSeed = options;
    otherSeed.seed = 4321;
    VERIFY(Batcher(examples, 0, otherSeed).epochPlan(0) != first.epochPlan(0));
    COMPARE(Batcher(examples, 0, options).epochPlan(5), first.epochPlan(5));
    VERIFY_THROWS(resumed.setPosition({0, 13}), "outside the 13 batches");

    BatcherOptions dropLast = options;
    dropLast.dropLast = true;
    const Batcher dropping(examples, 0, dropLast);
    COMPARE(dropping.batchesPerEpoch(), int64_t(12));
    for (const auto& batch : dropping.epochPlan(3)) COMPARE(batch.size(), size_t(4));

    BatcherOptions sequential;
    sequential.batchSize = 20;
    sequential.shuffle = false;
    sequential.bucketByLength = false;
    COMPARE(Batcher(examples, 0, sequential).epochPlan(0)[1].front(), size_t(20));  // file order
    const std::vector<Example> none;
    Batcher empty(none, 0, options);
    VERIFY_THROWS(empty.next(), "no batches");
}

CAPSULE_TEST(choiceBatchScoresEveryChoice) {
    Example two;
    two.contextIds = {1, 2, 3};
    two.choiceIds = {{10, 11}, {12}};
    two.goldIndex = 1;
    Example three;
    three.contextIds = {4};
    three.choiceIds = {{20}, {21, 22, 23}, {24, 25}};
    three.goldIndex = 2;
    const std::vector<Example> examples = {two, three};
    const ChoiceBatch batch = makeChoiceBatch(examples, {0, 1}, /*padId=*/0);
    COMPARE(batch.choicesPerExample, int64_t(3));
    COMPARE(batch.inputIds.sizes().vec(), (std::vector<int64_t>{6, 5}));  // B*N rows, T = 3 + 2
    COMPARE(row(batch.inputIds, 0), (std::vector<int64_t>{1, 2, 3, 10, 11}));
    COMPARE(row(batch.labels, 0), (std::vector<int64_t>{-100, -100, -100, 10, 11}));
    COMPARE(row(batch.inputIds, 1), (std::vector<int64_t>{1, 2, 3, 12, 0}));
    COMPARE(row(batch.attentionMask, 1), (std::vector<int64_t>{1, 1, 1, 1, 0}));
    COMPARE(row(batch.labels, 2), (std::vector<int64_t>{-100, -100, -100, -100, -100}));  // filler row
    COMPARE(row(batch.attentionMask, 2), (std::vector<int64_t>{1, 1, 1, 0, 0}));
    COMPARE(row(batch.inputIds, 4), (std::vector<int64_t>{4, 21, 22, 23, 0}));
    COMPARE(row(batch.choiceLengths, 0), (std::vector<int64_t>{2, 1, 0}));
    COMPARE(row(batch.choiceLengths, 1), (std::vector<int64_t>{1, 3, 2}));
    COMPARE(batch.choiceValid.sum().item<int64_t>(), int64_t(5));
    VERIFY(!batch.choiceValid[0][2].item<bool>());
    COMPARE(row(batch.goldIndex.unsqueeze(0), 0), (std::vector<int64_t>{1, 2}));
    COMPARE(batch.choiceMask.sum().item<float>(), 9.0f);  // 2 + 1 + 1 + 3 + 2 choice tokens
    // choiceMask is where labels are set.
    VERIFY(torch::equal(batch.choiceMask.to(torch::kBool), batch.labels.ne(kIgnoreLabel)));

    Example plain = exampleOfLength(3, 0);
    const std::vector<Example> noChoices = {plain};
    VERIFY_THROWS(makeChoiceBatch(noChoices, {0}, 0), "has no choices");
}

CAPSULE_TEST(choiceBatchesFromALoadedDataset) {
    TempDir folder;
    writeFile(folder.file("mc.jsonl"),
              "{\"question\": \"Capital of France?\", \"choices\": [\"Paris\", \"Rome\"], \"answer\": 0}\n"
              "{\"question\": \"2+2?\", \"choices\": [\"3\", \"4\", \"5\"], \"answer\": 1}\n");
    const LoadedDataset data =
        loadDataset(folder.file("mc.jsonl"), fixtureTokenizer("gpt2"), fixtureTemplate("gpt2"), DatasetOptions());
    BatcherOptions options;
    options.batchSize = 2;
    options.shuffle = false;
    Batcher batcher(data.train, padIdFor(fixtureTokenizer("gpt2").specialTokens()), options);
    const ChoiceBatch batch = batcher.nextChoices();
    COMPARE(batch.choicesPerExample, int64_t(3));
    COMPARE(batch.inputIds.size(0), int64_t(6));
    // Row b*N + c holds example b's context followed by its choice c.
    for (int64_t b = 0; b < 2; ++b) {
        const Example& example = data.train[batch.exampleIndices[static_cast<size_t>(b)]];
        for (int64_t c = 0; c < static_cast<int64_t>(example.choiceIds.size()); ++c) {
            std::vector<int64_t> expected = example.contextIds;
            expected.insert(expected.end(), example.choiceIds[static_cast<size_t>(c)].begin(),
                            example.choiceIds[static_cast<size_t>(c)].end());
            const std::vector<int64_t> ids = row(batch.inputIds, b * 3 + c);
            COMPARE(std::vector<int64_t>(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(expected.size())), expected);
        }
    }
    COMPARE(batcher.position().epoch, int64_t(1));
    // The LM view of the same examples trains on the gold choice only.
    const Batch lm = makeBatch(data.train, {0}, 50256);
    COMPARE(lm.labels.ne(kIgnoreLabel).sum().item<int64_t>(), static_cast<int64_t>(data.train[0].choiceIds[0].size()));
}
