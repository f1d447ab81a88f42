#pragma once
// What the trainer reports while it runs, as plain structs (architecture.md "Training
// progress"). Every callback is called on the training thread, synchronously: keep them cheap
// (a GUI controller buffers them under a mutex and flushes ~30 times a second). No LibTorch here.
#include "peft/rank_snapshot.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace capsule::train {

/// One optimizer step (reported every config.logEvery steps; loss averaged over those steps).
struct StepMetrics {
    int64_t step = 0;               // optimizer steps done, 1-based
    double epoch = 0;               // fractional epochs done
    double loss = 0;                // training loss (task loss + regularisation)
    double lr = 0;                  // learning rate used by this step
    double gradNorm = 0;            // global L2 norm of the gradients before clipping
    double tokensPerSecond = 0;     // real (non-padding) tokens processed per second
    double samplesPerSecond = 0;
    double elapsedSeconds = 0;      // since run() started (this session)
    double etaSeconds = 0;          // estimate for the remaining steps
    int64_t memoryBytes = 0;        // resident set size of the process
    int64_t gpuMemoryBytes = 0;     // CUDA: device memory in use (train/device_memory.h); 0 on the CPU
    int64_t maxSteps = 0;           // the step budget
};

struct EvalMetrics {
    int64_t step = 0;
    double loss = 0;                    // mean token cross-entropy on the validation set
    double perplexity = 0;              // exp(loss)
    std::optional<double> accuracy;     // rank classification (multiple-choice / classification data)
    std::optional<double> tFewLoss;     // L_LM + mc·L_LN + ul·L_UL on the validation set (t-few)
    int64_t examples = 0;
    bool improved = false;              // best so far
};

enum class TrainingStatus { Started, Paused, Resumed, Finished, Failed, Cancelled };

/// "started", "paused", ...
std::string toString(TrainingStatus status);

struct StatusChange {
    TrainingStatus status = TrainingStatus::Started;
    int64_t step = 0;
    std::string reason;  // Failed: what went wrong and what to change; Finished: why it stopped
};

enum class LogLevel { Info, Warning, Error };

/// Facts known once the model, adapter and data are ready (before the first step).
struct RunInfo {
    int64_t trainableParameters = 0;
    int64_t totalParameters = 0;
    int64_t maxSteps = 0;
    int64_t startStep = 0;          // the checkpoint's step when resumed, else 0
    std::string resumedFrom;        // the checkpoint folder when resumed, else empty
    // Resumed: the best eval the checkpoint carried (the run's best so far, before any new eval).
    std::optional<double> bestMetric;
    std::string bestMetricName;     // "accuracy" or "eval_loss"
    int64_t bestStep = 0;
    int64_t trainExamples = 0;
    int64_t validationExamples = 0;
    std::string computeDtype;       // "bfloat16", ...
    std::string device;             // "cpu", "cuda:0"
    std::string configJson;         // the full resolved config
};

class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual void onRunInfo(const RunInfo&) {}
    virtual void onStep(const StepMetrics&) {}
    virtual void onEval(const EvalMetrics&) {}
    virtual void onRanks(const peft::RankSnapshot&) {}
    virtual void onLog(LogLevel, const std::string&) {}
    virtual void onStatus(const StatusChange&) {}
    /// A checkpoint folder (kind "checkpoint") or adapter folder ("adapter", "best") was written.
    virtual void onArtifact(const std::string& kind, const std::string& path, int64_t step) { (void)kind, (void)path, (void)step; }
};

/// Forwards every callback to several observers (not owned), in order.
class ObserverList : public TrainingObserver {
public:
    void add(TrainingObserver* observer) { if (observer) observers_.push_back(observer); }
    void onRunInfo(const RunInfo& info) override { for (auto* o : observers_) o->onRunInfo(info); }
    void onStep(const StepMetrics& metrics) override { for (auto* o : observers_) o->onStep(metrics); }
    void onEval(const EvalMetrics& metrics) override { for (auto* o : observers_) o->onEval(metrics); }
    void onRanks(const peft::RankSnapshot& snapshot) override { for (auto* o : observers_) o->onRanks(snapshot); }
    void onLog(LogLevel level, const std::string& message) override { for (auto* o : observers_) o->onLog(level, message); }
    void onStatus(const StatusChange& change) override { for (auto* o : observers_) o->onStatus(change); }
    void onArtifact(const std::string& kind, const std::string& path, int64_t step) override {
        for (auto* o : observers_) o->onArtifact(kind, path, step);
    }

private:
    std::vector<TrainingObserver*> observers_;
};

}  // namespace capsule::train
