#include "train/store_observer.h"

#include <nlohmann/json.hpp>

namespace capsule::train {

std::string rankSnapshotJson(const peft::RankSnapshot& snapshot) {
    nlohmann::json modules = nlohmann::json::array();
    for (const peft::ModuleRank& module : snapshot.modules)
        modules.push_back({{"name", module.name}, {"layer", module.layerIndex}, {"kind", module.moduleKind},
                           {"rank", module.rank}, {"initial_rank", module.initialRank},
                           {"importance", module.importanceScores}});
    return nlohmann::json{{"step", snapshot.step}, {"budget", snapshot.budget}, {"total_rank", snapshot.totalRank},
                          {"modules", modules}}
        .dump();
}

StoreObserver::StoreObserver(store::RunStore& store, int64_t runId, double flushIntervalSeconds)
    : store_(store), runId_(runId), flushIntervalSeconds_(flushIntervalSeconds) {}

StoreObserver::~StoreObserver() {
    try {
        flush();
    } catch (...) {
        // A destructor must not throw; the points are lost, the store stays consistent.
    }
}

void StoreObserver::record(const std::function<void()>& write) {
    if (!failure_.empty()) return;
    try {
        write();
    } catch (const std::exception& error) {
        // A full disk or a store gone read-only: training goes on (its files are written elsewhere
        // and fail on their own); the run's row keeps what was committed, and the caller is told.
        failure_ = error.what();
        pending_.clear();
    }
}

double StoreObserver::secondsSinceStart() const {
    return timeOffsetSeconds_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void StoreObserver::flush() {
    record([&] {
        if (pending_.empty()) return;
        store_.appendMetrics(runId_, pending_);
        pending_.clear();
        lastFlush_ = std::chrono::steady_clock::now();
    });
}

void StoreObserver::onRunInfo(const RunInfo& info) {
    record([&] {
        if (!info.resumedFrom.empty()) {
            flush();
            timeOffsetSeconds_ = store_.truncateAfterStep(runId_, info.startStep);
            if (info.bestMetric) store_.setBestEval(runId_, info.bestMetricName, *info.bestMetric, info.bestStep);
        }
        store_.setParameters(runId_, info.trainableParameters, info.totalParameters);
        store_.setMaxSteps(runId_, info.maxSteps);
        store_.setConfig(runId_, info.configJson);
        store_.appendEvent(runId_, "info",
                           "training on " + info.device + " in " + info.computeDtype + ", " +
                               std::to_string(info.trainExamples) + " train / " + std::to_string(info.validationExamples) +
                               " validation examples, " + std::to_string(info.maxSteps) + " steps" +
                               (info.startStep > 0 ? ", resumed at step " + std::to_string(info.startStep) : std::string()));
    });
}

void StoreObserver::onStep(const StepMetrics& metrics) {
    record([&] {
        const double time = secondsSinceStart();
        for (const auto& [name, value] :
             {std::pair<const char*, double>{"loss", metrics.loss}, {"lr", metrics.lr}, {"grad_norm", metrics.gradNorm},
              {"tokens_per_s", metrics.tokensPerSecond}, {"samples_per_s", metrics.samplesPerSecond},
              {"epoch", metrics.epoch}, {"memory_bytes", static_cast<double>(metrics.memoryBytes)}})
            pending_.push_back(store::MetricPoint{metrics.step, name, value, time});
        if (metrics.gpuMemoryBytes > 0)
            pending_.push_back(store::MetricPoint{metrics.step, "gpu_memory_bytes", static_cast<double>(metrics.gpuMemoryBytes), time});
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - lastFlush_).count() >= flushIntervalSeconds_)
            flush();
    });
}

void StoreObserver::onEval(const EvalMetrics& metrics) {
    record([&] {
        const double time = secondsSinceStart();
        pending_.push_back({metrics.step, "eval_loss", metrics.loss, time});
        pending_.push_back({metrics.step, "eval_perplexity", metrics.perplexity, time});
        if (metrics.accuracy) pending_.push_back({metrics.step, "accuracy", *metrics.accuracy, time});
        if (metrics.tFewLoss) pending_.push_back({metrics.step, "eval_tfew_loss", *metrics.tFewLoss, time});
        flush();
        if (metrics.improved)
            store_.setBestEval(runId_, metrics.accuracy ? "accuracy" : "eval_loss",
                               metrics.accuracy ? *metrics.accuracy : metrics.loss, metrics.step);
    });
}

void StoreObserver::onRanks(const peft::RankSnapshot& snapshot) {
    record([&] {
        store::RankSnapshotRecord record;
        record.step = snapshot.step;
        record.budget = snapshot.budget;
        record.totalRank = snapshot.totalRank;
        record.payloadJson = rankSnapshotJson(snapshot);
        store_.appendRankSnapshot(runId_, record);
    });
}

void StoreObserver::onLog(LogLevel level, const std::string& message) {
    record([&] {
        store_.appendEvent(runId_, level == LogLevel::Error ? "error" : level == LogLevel::Warning ? "warning" : "info", message);
    });
}

void StoreObserver::onStatus(const StatusChange& change) {
    record([&] {
        flush();
        store_.appendEvent(runId_, "status", toString(change.status) + (change.reason.empty() ? "" : ": " + change.reason));
        switch (change.status) {
        case TrainingStatus::Started:
        case TrainingStatus::Resumed: store_.markRunning(runId_); break;
        case TrainingStatus::Paused: store_.setStatus(runId_, store::RunStatus::Paused); break;
        case TrainingStatus::Finished: store_.setStatus(runId_, store::RunStatus::Finished); break;
        case TrainingStatus::Failed: store_.setStatus(runId_, store::RunStatus::Failed, change.reason); break;
        case TrainingStatus::Cancelled: store_.setStatus(runId_, store::RunStatus::Cancelled, change.reason); break;
        }
    });
}

void StoreObserver::onArtifact(const std::string& kind, const std::string& path, int64_t step) {
    record([&] {
        flush();
        store::ArtifactRecord artifact;
        artifact.runId = runId_;
        artifact.kind = kind;
        artifact.path = path;
        artifact.step = step;
        artifact.description = kind + " at step " + std::to_string(step);
        store_.addArtifact(artifact);
    });
}

}  // namespace capsule::train
