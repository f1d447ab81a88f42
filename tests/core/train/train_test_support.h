#pragma once
// Shared by the training tests: an observer that records everything a run reports, and the demo
// fixture (the shipped pre-trained tiny GPT-2 in resources/demo/model with a generated two-choice
// sentiment dataset in a temp folder).
#include "capsule_test.h"

#include "train/demo_assets.h"
#include "train/trainer.h"

#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace capsule::test {

struct Recorder : train::TrainingObserver {
    std::vector<train::StepMetrics> steps;
    std::vector<train::EvalMetrics> evals;
    std::vector<peft::RankSnapshot> ranks;
    std::vector<train::StatusChange> statuses;
    std::vector<train::RunInfo> infos;
    std::vector<std::pair<train::LogLevel, std::string>> logs;
    std::function<void(const train::StepMetrics&)> onEachStep;
    void onRunInfo(const train::RunInfo& info) override { infos.push_back(info); }
    void onStep(const train::StepMetrics& metrics) override {
        steps.push_back(metrics);
        if (onEachStep) onEachStep(metrics);
    }
    void onEval(const train::EvalMetrics& metrics) override { evals.push_back(metrics); }
    void onRanks(const peft::RankSnapshot& snapshot) override { ranks.push_back(snapshot); }
    void onStatus(const train::StatusChange& change) override { statuses.push_back(change); }
    void onLog(train::LogLevel level, const std::string& message) override { logs.emplace_back(level, message); }
    /// How many log lines contain `text`.
    size_t logsContaining(const std::string& text) const {
        size_t count = 0;
        for (const auto& entry : logs) count += entry.second.find(text) != std::string::npos;
        return count;
    }
};

struct DemoFixture {
    TempDir dir;
    std::string model = train::bundledDemoModelFolder();
    std::string data = dir.file("train.jsonl");
    DemoFixture() {
        if (model.empty()) throw std::runtime_error("the shipped demo model (resources/demo/model) was not found");
        train::writeDemoDataset(data, 96, 7);
    }
    /// 24 constant-lr float32 CPU steps of batch 8 on one thread, a quarter of the data for eval.
    train::TrainingConfig config(const std::string& method, const std::string& out) const {
        train::TrainingConfig config;
        config.model = model;
        config.data = data;
        config.method = method;
        config.out = dir.file(out);
        config.dtype = "float32";
        config.device = "cpu";  // bit-exact expectations (resume, kernels) are CPU facts
        config.batchSize = 8;
        config.maxSteps = 24;
        config.schedule = "constant";
        config.validationFraction = 0.25;
        config.numVirtualTokens = 4;
        config.threads = 1;
        return config;
    }
};

/// The every-method runs' settings on top of DemoFixture::config(): lr 5e-3 for LoRA and AdaLoRA,
/// and an AdaLoRA rank schedule (tinit 4, tfinal 8, target_r 4, init_r 6) that fits 24 steps.
inline void applyEveryMethodSettings(train::TrainingConfig& config) {
    if (config.method == "lora" || config.method == "adalora") config.lr = 5e-3;
    if (config.method == "adalora") {
        config.tinit = 4;
        config.tfinal = 8;
        config.targetR = 4;
        config.initR = 6;
    }
}

inline double meanLoss(const std::vector<train::StepMetrics>& steps, size_t begin, size_t end) {
    double sum = 0;
    for (size_t i = begin; i < end; ++i) sum += steps[i].loss;
    return sum / static_cast<double>(end - begin);
}

}  // namespace capsule::test
