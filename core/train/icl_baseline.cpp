#include "train/icl_baseline.h"

#include "data/seeded_random.h"
#include "peft/parameter_count.h"
#include "store/run_store.h"
#include "train/evaluation.h"
#include "train/run_dataset.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <stdexcept>

namespace capsule::train {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// `ids` without a leading BOS (a demonstration or question that follows another piece).
std::vector<int64_t> withoutLeadingBos(const std::vector<int64_t>& ids, const std::optional<int64_t>& bos) {
    if (bos && !ids.empty() && ids.front() == *bos) return {ids.begin() + 1, ids.end()};
    return ids;
}

/// Tokens before the answer: the context of a choice example, else up to the first trained token.
int64_t promptTokens(const data::Example& example) {
    if (!example.choiceIds.empty()) return static_cast<int64_t>(example.contextIds.size());
    // labels[t] is the target of position t (the model shifts), so the first labelled index is the
    // first answer token.
    for (size_t t = 0; t < example.labels.size(); ++t)
        if (example.labels[t] != data::kIgnoreLabel) return static_cast<int64_t>(t);
    return example.length();
}

/// The tokens an example needs in the context: the whole sequence, or context + longest choice.
int64_t sequenceTokens(const data::Example& example) {
    return example.choiceIds.empty() ? example.length() : std::max(example.length(), example.choiceSequenceLength());
}

/// demonstrations ‖ example, labels −100 on the demonstrations.
data::Example withDemonstrations(const data::Example& example, const std::vector<int64_t>& prefix,
                                 const std::optional<int64_t>& bos) {
    if (prefix.empty()) return example;
    data::Example joined = example;
    const std::vector<int64_t> ids = withoutLeadingBos(example.inputIds, bos);
    const size_t dropped = example.inputIds.size() - ids.size();
    joined.inputIds = prefix;
    joined.inputIds.insert(joined.inputIds.end(), ids.begin(), ids.end());
    joined.labels.assign(prefix.size(), data::kIgnoreLabel);
    joined.labels.insert(joined.labels.end(), example.labels.begin() + static_cast<std::ptrdiff_t>(dropped), example.labels.end());
    if (!example.choiceIds.empty()) {
        const std::vector<int64_t> context = withoutLeadingBos(example.contextIds, bos);
        joined.contextIds = prefix;
        joined.contextIds.insert(joined.contextIds.end(), context.begin(), context.end());
    }
    joined.positionIds.clear();
    joined.segmentIds.clear();
    return joined;
}

}  // namespace

namespace {

std::vector<size_t> demonstrationPool(const data::LoadedDataset& dataset, const IclOptions& options) {
    std::vector<size_t> pool;  // demonstration candidates: whole (untruncated) training examples
    for (size_t i = 0; i < dataset.train.size(); ++i)
        if (!dataset.train[i].truncated) pool.push_back(i);
    if (pool.empty())
        for (size_t i = 0; i < dataset.train.size(); ++i) pool.push_back(i);
    if (options.shots > 0 && pool.empty())
        throw std::runtime_error(dataset.summary.file + ": no training examples to draw demonstrations from");
    if (options.shots > static_cast<int64_t>(pool.size()))
        throw std::runtime_error(dataset.summary.file + ": " + std::to_string(options.shots) + " demonstrations asked for, but the training split has only " +
                                 std::to_string(pool.size()) + " usable examples");
    return pool;
}

}  // namespace

IclPrompts buildInContextPrompts(const data::LoadedDataset& dataset, const IclOptions& options,
                                 const std::optional<int64_t>& bos, int64_t contextLimit) {
    if (options.shots < 0) throw std::invalid_argument("option --shots must be >= 0");
    const std::vector<size_t> pool = options.shots > 0 ? demonstrationPool(dataset, options) : std::vector<size_t>{};
    IclPrompts result;
    // Build every prompt: k distinct demonstrations per example, drawn from one seeded stream.
    size_t count = dataset.validation.size();
    if (options.maxExamples > 0) count = std::min(count, static_cast<size_t>(options.maxExamples));
    std::vector<data::Example>& prompts = result.prompts;
    prompts.reserve(count);
    double shotsSum = 0, promptSum = 0, zeroShotSum = 0;
    data::SeededRandom random(options.seed);
    for (size_t index = 0; index < count; ++index) {
        const data::Example& example = dataset.validation[index];
        // k distinct draws (k is small next to the pool: rejection of repeats is cheap).
        const size_t k = static_cast<size_t>(options.shots);
        std::vector<size_t> order;
        while (order.size() < k) {
            const size_t candidate = pool[static_cast<size_t>(random.below(pool.size()))];
            if (std::find(order.begin(), order.end(), candidate) == order.end()) order.push_back(candidate);
        }
        // Drop the demonstrations farthest from the question until the prompt fits.
        // Each demonstration's tokens without its leading BOS; the first one kept keeps its BOS.
        std::vector<int64_t> stripped(k), leadingBos(k);
        int64_t tail = 0;  // tokens of demonstrations first..k-1, BOS of the first one excluded
        for (size_t i = 0; i < k; ++i) {
            const std::vector<int64_t>& ids = dataset.train[order[i]].inputIds;
            leadingBos[i] = bos && !ids.empty() && ids.front() == *bos ? 1 : 0;
            stripped[i] = static_cast<int64_t>(ids.size()) - leadingBos[i];
            tail += stripped[i];
        }
        const int64_t own = sequenceTokens(example);  // its BOS goes when demonstrations precede: one spare token
        size_t first = 0;
        while (first < k && tail + leadingBos[first] + own > contextLimit) tail -= stripped[first++];
        if (first > 0) ++result.examplesWithFewerShots;
        std::vector<int64_t> prefix;
        for (size_t i = first; i < k; ++i) {
            const data::Example& demonstration = dataset.train[order[i]];
            const std::vector<int64_t> ids = i == first ? demonstration.inputIds : withoutLeadingBos(demonstration.inputIds, bos);
            prefix.insert(prefix.end(), ids.begin(), ids.end());
            if (index == 0)
                result.firstDemonstrations.push_back(demonstration.source.file + ":" + std::to_string(demonstration.source.line));
        }
        prompts.push_back(withDemonstrations(example, prefix, bos));
        shotsSum += static_cast<double>(k - first);
        promptSum += static_cast<double>(promptTokens(prompts.back()));
        zeroShotSum += static_cast<double>(promptTokens(example));
    }
    const double examples = std::max<double>(1, static_cast<double>(prompts.size()));
    result.meanShots = shotsSum / examples;
    result.meanPromptTokens = promptSum / examples;
    result.meanZeroShotPromptTokens = zeroShotSum / examples;
    return result;
}

std::string iclRunName(int64_t shots) { return "ICL " + std::to_string(shots) + "-shot"; }

IclResult evaluateInContext(const TrainingConfig& requested, const IclOptions& options, const IclProgress& progress) {
    if (options.shots < 0) throw std::invalid_argument("option --shots must be >= 0");
    if (options.maxExamples < 0) throw std::invalid_argument("option --max-examples must be >= 0");
    const auto started = Clock::now();
    EvaluationSetup setup = prepareEvaluation(requested, [&](const RunDataset& data) {
        if (options.shots > 0) demonstrationPool(data.dataset, options);  // fail before loading the model
    });
    const data::LoadedDataset& dataset = setup.data.dataset;
    std::shared_ptr<model::CausalLM> model = setup.model;
    const torch::Device computeDevice = setup.device;

    IclResult result;
    result.shots = options.shots;
    result.device = computeDevice.str();
    result.computeDtype = setup.computeDtype;
    result.totalParameters = peft::countTrainableParameters(*model).all;
    const int64_t modelLimit = model->config().maxPositionEmbeddings;
    result.contextLimit = modelLimit > 0 ? modelLimit : std::numeric_limits<int64_t>::max();

    IclPrompts built = buildInContextPrompts(dataset, options, setup.data.tokenizer->specialTokens().bos, result.contextLimit);
    std::vector<data::Example>& prompts = built.prompts;
    result.meanShots = built.meanShots;
    result.meanPromptTokens = built.meanPromptTokens;
    result.meanZeroShotPromptTokens = built.meanZeroShotPromptTokens;
    result.examplesWithFewerShots = built.examplesWithFewerShots;
    result.firstDemonstrations = built.firstDemonstrations;
    // Similar lengths together: batches pad to their longest prompt. The metrics are sums over
    // examples, so the order does not change them.
    std::stable_sort(prompts.begin(), prompts.end(),
                     [](const data::Example& a, const data::Example& b) { return sequenceTokens(a) < sequenceTokens(b); });
    result.loadSeconds = secondsSince(started);

    const EvaluationSettings& settings = setup.settings;
    const auto scoring = Clock::now();
    const int64_t total = static_cast<int64_t>(prompts.size());
    result.metrics = evaluateExamples(*model, nullptr, prompts, settings, [&](int64_t done) {
        const bool goOn = !progress || progress(done, total);
        if (!goOn) result.cancelled = true;
        return goOn;
    });
    result.scoringSeconds = secondsSince(scoring);
    result.secondsPerExample = result.metrics.examples > 0 ? result.scoringSeconds / static_cast<double>(result.metrics.examples) : 0;
    return result;
}

int64_t recordIclBaseline(const std::string& storePath, const TrainingConfig& config, const IclOptions& options,
                          const IclResult& result, const std::string& runName) {
    store::RunStore runStore(storePath.empty() ? store::RunStore::defaultPath() : storePath);
    nlohmann::json configJson = toJson(config);
    configJson["method"] = "icl";
    configJson["shots"] = options.shots;
    configJson["icl_seed"] = options.seed;
    configJson["max_examples"] = options.maxExamples;
    store::RunRecord record;
    record.name = runName.empty() ? iclRunName(options.shots) : runName;
    record.baseModel = config.model;
    record.dataset = config.data;
    record.method = "icl";
    record.configJson = configJson.dump();
    const int64_t runId = runStore.createRun(record);
    runStore.markRunning(runId);
    runStore.setParameters(runId, 0, result.totalParameters);
    const double time = result.loadSeconds + result.scoringSeconds;
    std::vector<store::MetricPoint> points = {
        {0, "eval_loss", result.metrics.loss, time},
        {0, "eval_perplexity", result.metrics.perplexity, time},
        {0, "icl_prompt_tokens", result.meanPromptTokens, time},
        {0, "icl_zero_shot_prompt_tokens", result.meanZeroShotPromptTokens, time},
        {0, "icl_seconds_per_example", result.secondsPerExample, time},
        {0, "icl_mean_shots", result.meanShots, time},
    };
    if (result.metrics.accuracy) points.push_back({0, "accuracy", *result.metrics.accuracy, time});
    runStore.appendMetrics(runId, points);
    if (result.metrics.accuracy) runStore.setBestEval(runId, "accuracy", *result.metrics.accuracy, 0);
    else runStore.setBestEval(runId, "eval_loss", result.metrics.loss, 0);
    runStore.appendEvent(runId, "info",
                         "in-context baseline: " + std::to_string(result.metrics.examples) + " validation examples, " +
                             std::to_string(options.shots) + " demonstrations each (" +
                             std::to_string(result.examplesWithFewerShots) + " with fewer to fit " +
                             std::to_string(result.contextLimit) + " tokens), on " + result.device + " in " + result.computeDtype);
    runStore.setStatus(runId, result.cancelled ? store::RunStatus::Cancelled : store::RunStatus::Finished,
                       result.cancelled ? "stopped after " + std::to_string(result.metrics.examples) + " examples" : std::string());
    return runId;
}

}  // namespace capsule::train
