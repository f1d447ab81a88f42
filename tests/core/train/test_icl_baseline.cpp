// The in-context-learning baseline on the built-in demo model and task: the prompts are exactly
// "k whole training examples, then the question" (labels only on the answer), they fit the
// model's context, zero-shot scores the same as the trainer's step-0 evaluation of a zero-init
// LoRA, the accuracy equals rank classification done by hand from full logits, the draw is seeded,
// a stop request ends the scoring, and the baseline lands in the run store as a run.
#include "capsule_test.h"

#include "data/batcher.h"
#include "model/model_loader.h"
#include "store/run_store.h"
#include "train/demo_assets.h"
#include "train/icl_baseline.h"
#include "train/run_dataset.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

using namespace capsule;
using namespace capsule::train;

namespace {

struct Fixture {
    test::TempDir dir;
    std::string model = bundledDemoModelFolder();
    std::string data = dir.file("sentiment.jsonl");
    Fixture() {
        if (model.empty()) throw std::runtime_error("the shipped demo model (resources/demo/model) was not found");
        writeDemoDataset(data, 120, 7);
    }
    TrainingConfig config() const {
        TrainingConfig config;
        config.model = model;
        config.data = data;
        config.out = dir.file("out");
        config.dtype = "float32";
        config.batchSize = 8;
        config.validationFraction = 0.25;
        config.threads = 1;
        return config;
    }
};

bool startsWith(const std::vector<int64_t>& ids, size_t at, const std::vector<int64_t>& piece) {
    return at + piece.size() <= ids.size() && std::equal(piece.begin(), piece.end(), ids.begin() + static_cast<std::ptrdiff_t>(at));
}

}  // namespace

CAPSULE_TEST(prompts_are_whole_training_examples_then_the_question) {
    Fixture fixture;
    const RunDataset loaded = loadRunDataset(fixture.config());
    const auto& dataset = loaded.dataset;
    IclOptions options;
    options.shots = 3;
    const IclPrompts built = buildInContextPrompts(dataset, options, loaded.tokenizer->specialTokens().bos, 1 << 20);
    COMPARE(built.prompts.size(), dataset.validation.size());
    COMPARE_NEAR(built.meanShots, 3.0, 1e-12);
    COMPARE(built.examplesWithFewerShots, int64_t{0});
    COMPARE(built.firstDemonstrations.size(), size_t{3});
    for (size_t i = 0; i < built.prompts.size(); ++i) {
        const data::Example& prompt = built.prompts[i];
        const data::Example& question = dataset.validation[i];
        // The tail is the question itself, labels included; choices and gold unchanged.
        const size_t prefix = prompt.inputIds.size() - question.inputIds.size();
        VERIFY(startsWith(prompt.inputIds, prefix, question.inputIds));
        VERIFY(std::equal(question.labels.begin(), question.labels.end(), prompt.labels.begin() + static_cast<std::ptrdiff_t>(prefix)));
        for (size_t t = 0; t < prefix; ++t) COMPARE(prompt.labels[t], data::kIgnoreLabel);
        VERIFY(prompt.choiceIds == question.choiceIds);
        COMPARE(prompt.goldIndex, question.goldIndex);
        COMPARE(prompt.contextIds.size(), prefix + question.contextIds.size());
        VERIFY(startsWith(prompt.contextIds, prefix, question.contextIds));
        // The prefix splits into exactly three whole, distinct training examples.
        size_t at = 0;
        std::set<size_t> used;
        while (at < prefix) {
            size_t match = dataset.train.size();
            for (size_t j = 0; j < dataset.train.size(); ++j)
                if (!used.count(j) && at + dataset.train[j].inputIds.size() <= prefix &&
                    startsWith(prompt.inputIds, at, dataset.train[j].inputIds)) {
                    match = j;
                    break;
                }
            VERIFY(match < dataset.train.size());
            used.insert(match);
            at += dataset.train[match].inputIds.size();
        }
        COMPARE(at, prefix);
        COMPARE(used.size(), size_t{3});
    }
    VERIFY(built.meanPromptTokens > 3 * built.meanZeroShotPromptTokens);
}

CAPSULE_TEST(demonstrations_are_dropped_to_fit_the_context_and_the_draw_is_seeded) {
    Fixture fixture;
    const RunDataset loaded = loadRunDataset(fixture.config());
    const auto& dataset = loaded.dataset;
    const auto bos = loaded.tokenizer->specialTokens().bos;
    IclOptions options;
    options.shots = 8;
    int64_t longestQuestion = 0, longestTrain = 0;
    for (const auto& example : dataset.validation) longestQuestion = std::max(longestQuestion, example.choiceSequenceLength());
    for (const auto& example : dataset.train) longestTrain = std::max(longestTrain, example.length());
    const int64_t limit = longestQuestion + 2 * longestTrain;  // room for two demonstrations at least
    const IclPrompts fitted = buildInContextPrompts(dataset, options, bos, limit);
    VERIFY(fitted.examplesWithFewerShots > 0);
    VERIFY(fitted.meanShots >= 2.0 && fitted.meanShots < 8.0);
    for (const auto& prompt : fitted.prompts) VERIFY(prompt.choiceSequenceLength() <= limit);

    const IclPrompts again = buildInContextPrompts(dataset, options, bos, limit);
    for (size_t i = 0; i < fitted.prompts.size(); ++i) VERIFY(fitted.prompts[i].inputIds == again.prompts[i].inputIds);
    options.seed = 43;
    const IclPrompts other = buildInContextPrompts(dataset, options, bos, limit);
    size_t differing = 0;
    for (size_t i = 0; i < fitted.prompts.size(); ++i) differing += fitted.prompts[i].inputIds != other.prompts[i].inputIds;
    VERIFY(differing > fitted.prompts.size() / 2);

    options.shots = static_cast<int64_t>(dataset.train.size()) + 1;
    VERIFY_THROWS(buildInContextPrompts(dataset, options, bos, limit), "demonstrations asked for");
}

CAPSULE_TEST(zero_shot_scores_like_the_trainers_step_zero_evaluation) {
    Fixture fixture;
    IclOptions options;
    options.shots = 0;
    const IclResult icl = evaluateInContext(fixture.config(), options);

    // LoRA starts as the identity (B = 0): its step-0 evaluation is the base model's.
    struct : TrainingObserver {
        std::vector<EvalMetrics> evals;
        void onEval(const EvalMetrics& metrics) override { evals.push_back(metrics); }
    } observer;
    TrainingConfig config = fixture.config();
    config.method = "lora";
    config.maxSteps = 1;
    config.lr = 1e-12;
    config.evalAtStart = true;
    config.store = fixture.dir.file("unused.sqlite");
    const TrainingResult trained = Trainer::run(config, observer);
    COMPARE(static_cast<int>(trained.status), static_cast<int>(TrainingStatus::Finished));
    VERIFY(!observer.evals.empty());
    const EvalMetrics& baseline = observer.evals.front();
    COMPARE(icl.metrics.examples, baseline.examples);
    COMPARE_NEAR(icl.metrics.loss, baseline.loss, 1e-5);
    VERIFY(icl.metrics.accuracy && baseline.accuracy);
    COMPARE_NEAR(*icl.metrics.accuracy, *baseline.accuracy, 1e-12);
    COMPARE_NEAR(icl.meanShots, 0.0, 1e-12);
    COMPARE_NEAR(icl.meanPromptTokens, icl.meanZeroShotPromptTokens, 1e-12);
}

CAPSULE_TEST(accuracy_equals_rank_classification_by_hand_from_full_logits) {
    Fixture fixture;
    const TrainingConfig config = fixture.config();
    IclOptions options;
    options.shots = 2;
    options.maxExamples = 12;
    const IclResult icl = evaluateInContext(config, options);
    COMPARE(icl.metrics.examples, int64_t{12});
    COMPARE(icl.shots, int64_t{2});
    VERIFY(icl.meanPromptTokens > icl.meanZeroShotPromptTokens);
    VERIFY(icl.secondsPerExample > 0);
    COMPARE(icl.device, std::string("cpu"));

    // The same prompts, scored one at a time from full [T, V] logits in float64.
    const RunDataset loaded = loadRunDataset(config);
    const IclPrompts built = buildInContextPrompts(loaded.dataset, options, loaded.tokenizer->specialTokens().bos, 128);
    model::LoadOptions loadOptions;
    loadOptions.device = torch::kCPU;
    const auto model = model::loadModel(config.model, loadOptions);
    model->eval();
    torch::NoGradGuard noGrad;
    int64_t correct = 0;
    double lossSum = 0;
    int64_t lossTokens = 0;
    for (const data::Example& prompt : built.prompts) {
        double best = -INFINITY;
        int64_t bestChoice = -1;
        for (size_t c = 0; c < prompt.choiceIds.size(); ++c) {
            std::vector<int64_t> ids = prompt.contextIds;
            ids.insert(ids.end(), prompt.choiceIds[c].begin(), prompt.choiceIds[c].end());
            model::ForwardInput input;
            input.inputIds = torch::tensor(ids, torch::kLong).unsqueeze(0);  // [1, S]
            const torch::Tensor logProbabilities =
                torch::log_softmax(model->forward(input)[0].to(torch::kDouble), -1);  // [S, V]
            double sum = 0;
            const size_t start = prompt.contextIds.size();
            for (size_t t = 0; t < prompt.choiceIds[c].size(); ++t)
                sum += logProbabilities[static_cast<int64_t>(start + t - 1)][prompt.choiceIds[c][t]].item<double>();
            const double normalized = sum / static_cast<double>(prompt.choiceIds[c].size());
            if (normalized > best) best = normalized, bestChoice = static_cast<int64_t>(c);
            if (static_cast<int64_t>(c) == prompt.goldIndex) {
                lossSum -= sum;
                lossTokens += static_cast<int64_t>(prompt.choiceIds[c].size());
            }
        }
        correct += bestChoice == prompt.goldIndex;
    }
    VERIFY(icl.metrics.accuracy.has_value());
    COMPARE_NEAR(*icl.metrics.accuracy, static_cast<double>(correct) / 12.0, 1e-12);
    // The loss is the token loss of the gold answer (context + gold choice = the example's labels).
    COMPARE_NEAR(icl.metrics.loss, lossSum / static_cast<double>(lossTokens), 1e-4);
}

CAPSULE_TEST(a_stop_request_ends_scoring_and_the_baseline_is_recorded_in_the_store) {
    Fixture fixture;
    TrainingConfig config = fixture.config();
    config.batchSize = 4;
    IclOptions options;
    options.shots = 1;
    int64_t calls = 0;
    const IclResult stopped = evaluateInContext(config, options, [&](int64_t done, int64_t total) {
        ++calls;
        VERIFY(total == 30);
        return done < 8;
    });
    VERIFY(stopped.cancelled);
    COMPARE(stopped.metrics.examples, int64_t{8});
    COMPARE(calls, int64_t{2});

    const IclResult full = evaluateInContext(config, options);
    VERIFY(!full.cancelled);
    const std::string storePath = fixture.dir.file("runs.sqlite");
    const int64_t runId = recordIclBaseline(storePath, config, options, full);
    store::RunStore runStore(storePath);
    const auto run = runStore.run(runId);
    VERIFY(run.has_value());
    COMPARE(run->method, std::string("icl"));
    COMPARE(run->name, std::string("ICL 1-shot"));
    COMPARE(static_cast<int>(run->status), static_cast<int>(store::RunStatus::Finished));
    COMPARE(run->trainableParameters.value_or(-1), int64_t{0});
    VERIFY(run->totalParameters.value_or(0) > 0);
    COMPARE(run->bestEvalMetric, std::string("accuracy"));
    COMPARE_NEAR(run->bestEval.value_or(-1), *full.metrics.accuracy, 1e-12);
    const nlohmann::json saved = nlohmann::json::parse(run->configJson);
    COMPARE(saved.at("shots").get<int64_t>(), int64_t{1});
    COMPARE(saved.at("method").get<std::string>(), std::string("icl"));
    const auto prompt = runStore.metrics(runId, "icl_prompt_tokens");
    COMPARE(prompt.size(), size_t{1});
    COMPARE_NEAR(prompt[0].value, full.meanPromptTokens, 1e-9);
    COMPARE(runStore.metrics(runId, "icl_seconds_per_example").size(), size_t{1});
    COMPARE(runStore.metrics(runId, "eval_loss").size(), size_t{1});

    TrainingConfig noValidation = config;
    noValidation.validationFraction = 0;
    VERIFY_THROWS(evaluateInContext(noValidation, options), "no validation examples");
    options.shots = -1;
    VERIFY_THROWS(evaluateInContext(config, options), "--shots");
}
