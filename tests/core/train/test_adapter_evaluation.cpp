// An adapter folder scored and charted like a run: evaluateAdapterFolder() on a trained demo
// adapter reproduces the trainer's own final evaluation, savedRankAllocation() reads AdaLoRA's
// rank_pattern back as the trainer's final allocation, and both land in the run store.
#include "capsule_test.h"

#include "store/run_store.h"
#include "train/adapter_evaluation.h"
#include "train/demo_assets.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>

#include <map>
#include <stdexcept>

using namespace capsule;
using namespace capsule::train;

namespace {

struct Recorder : TrainingObserver {
    std::vector<EvalMetrics> evals;
    std::vector<peft::RankSnapshot> ranks;
    void onEval(const EvalMetrics& metrics) override { evals.push_back(metrics); }
    void onRanks(const peft::RankSnapshot& snapshot) override { ranks.push_back(snapshot); }
};

struct Fixture {
    test::TempDir dir;
    std::string data = dir.file("sentiment.jsonl");
    Fixture() {
        if (bundledDemoModelFolder().empty()) throw std::runtime_error("the shipped demo model was not found");
        writeDemoDataset(data, 96, 7);
    }
    TrainingConfig config(const std::string& method) const {
        TrainingConfig config;
        config.model = bundledDemoModelFolder();
        config.data = data;
        config.method = method;
        config.out = dir.file("out-" + method);
        config.store = dir.file("train.sqlite");
        config.dtype = "float32";
        config.batchSize = 8;
        config.maxSteps = 20;
        config.lr = 5e-3;
        config.validationFraction = 0.25;
        config.keepBest = false;
        config.threads = 1;
        return config;
    }
};

}  // namespace

CAPSULE_TEST(evaluating_a_saved_adapter_reproduces_the_trainers_final_evaluation) {
    Fixture fixture;
    const TrainingConfig config = fixture.config("lora");
    Recorder recorder;
    const TrainingResult result = Trainer::run(config, recorder);
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
    VERIFY(result.lastEval.has_value());
    const EvalMetrics metrics = evaluateAdapterFolder(config, result.adapterFolder);
    COMPARE(metrics.examples, result.lastEval->examples);
    COMPARE_NEAR(metrics.loss, result.lastEval->loss, 1e-5);
    VERIFY(metrics.accuracy.has_value());
    COMPARE_NEAR(*metrics.accuracy, *result.lastEval->accuracy, 1e-12);
    // A LoRA adapter has no rank allocation to chart.
    VERIFY(!savedRankAllocation(result.adapterFolder).has_value());
    VERIFY_THROWS(savedRankAllocation(fixture.dir.file("missing")), "adapter_config.json");
    // No validation split: nothing to score, and the error says what to set.
    TrainingConfig other = config;
    other.validationFraction = 0;
    VERIFY_THROWS(evaluateAdapterFolder(other, result.adapterFolder), "no validation examples");
}

CAPSULE_TEST(adalora_rank_pattern_reads_back_as_the_final_allocation_and_lands_in_the_store) {
    Fixture fixture;
    TrainingConfig config = fixture.config("adalora");
    config.maxSteps = 24;
    config.initR = 6;
    config.targetR = 2;
    config.tinit = 4;
    config.tfinal = 6;
    config.deltaT = 2;
    Recorder recorder;
    const TrainingResult result = Trainer::run(config, recorder);
    COMPARE(static_cast<int>(result.status), static_cast<int>(TrainingStatus::Finished));
    VERIFY(!recorder.ranks.empty());
    const peft::RankSnapshot& last = recorder.ranks.back();
    const std::optional<peft::RankSnapshot> saved = savedRankAllocation(result.adapterFolder);
    VERIFY(saved.has_value());
    COMPARE(saved->totalRank, last.totalRank);
    COMPARE(saved->modules.size(), last.modules.size());
    std::map<std::string, int64_t> trained;
    for (const auto& module : last.modules) trained[module.name] = module.rank;
    for (const auto& module : saved->modules) {
        VERIFY(trained.count(module.name) == 1);
        COMPARE(module.rank, trained[module.name]);
        COMPARE(module.initialRank, int64_t{6});
        VERIFY(module.layerIndex == 0 || module.layerIndex == 1);
        COMPARE(module.moduleKind, std::string("attn.c_attn"));
    }

    // Into a store, as an imported run would get them.
    const std::string storePath = fixture.dir.file("runs.sqlite");
    store::RunStore runStore(storePath);
    store::RunRecord record;
    record.name = "imported";
    record.method = "adalora";
    const int64_t runId = runStore.createRun(record);
    VERIFY(recordSavedRankAllocation(storePath, runId, result.adapterFolder));
    const EvalMetrics metrics = evaluateAdapterFolder(config, result.adapterFolder);
    recordEvaluation(storePath, runId, metrics, config.data);
    const auto snapshots = runStore.rankSnapshots(runId);
    COMPARE(snapshots.size(), size_t{1});
    COMPARE(snapshots[0].totalRank, last.totalRank);
    COMPARE(nlohmann::json::parse(snapshots[0].payloadJson).at("modules").size(), last.modules.size());
    const auto accuracy = runStore.metrics(runId, "accuracy");
    COMPARE(accuracy.size(), size_t{1});
    COMPARE_NEAR(accuracy[0].value, *metrics.accuracy, 1e-12);
    const auto run = runStore.run(runId);
    COMPARE(run->bestEvalMetric, std::string("accuracy"));
    COMPARE_NEAR(run->bestEval.value_or(-1), *metrics.accuracy, 1e-12);
    VERIFY_THROWS(recordEvaluation(storePath, 999, metrics, config.data), "run 999");
}
