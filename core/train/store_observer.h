#pragma once
// A TrainingObserver that records a run in the run store as it happens: metric points buffered and
// written in batched transactions (at most every `flushIntervalSeconds`, and at every eval, status
// change and artifact), AdaLoRA rank snapshots, log events, artifacts, parameter counts, the best
// eval and the run status. Lives on the training thread with its own RunStore (one per thread).
//
// A resumed run (RunInfo::resumedFrom set) may continue its own row: onRunInfo first drops what
// the row recorded after the checkpoint's step (RunStore::truncateAfterStep), continues the point
// times from the newest kept one, and records the best eval the checkpoint carried, so the row
// holds one continuous curve. On a fresh row the same steps change nothing.
#include "store/run_store.h"
#include "train/training_observer.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace capsule::train {

class StoreObserver : public TrainingObserver {
public:
    /// `store` is not owned and must outlive the observer; `runId` an existing run.
    StoreObserver(store::RunStore& store, int64_t runId, double flushIntervalSeconds = 0.5);
    ~StoreObserver() override;

    void onRunInfo(const RunInfo& info) override;
    void onStep(const StepMetrics& metrics) override;
    void onEval(const EvalMetrics& metrics) override;
    void onRanks(const peft::RankSnapshot& snapshot) override;
    void onLog(LogLevel level, const std::string& message) override;
    void onStatus(const StatusChange& change) override;
    void onArtifact(const std::string& kind, const std::string& path, int64_t step) override;

    /// Writes the buffered metric points now (one transaction).
    void flush();

    /// Why the store could not be written ("" while it can). After the first failure (a full disk,
    /// a read-only store) the observer records nothing more and never throws: the run trains on.
    const std::string& failure() const { return failure_; }

private:
    void record(const std::function<void()>& write);
    double secondsSinceStart() const;
    store::RunStore& store_;
    int64_t runId_;
    double flushIntervalSeconds_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point lastFlush_ = started_;
    double timeOffsetSeconds_ = 0;  // a continued row: the time of its newest kept point
    std::vector<store::MetricPoint> pending_;
    std::string failure_;
};

/// The RankSnapshot as the JSON payload the store keeps (modules with rank, initial rank, scores).
std::string rankSnapshotJson(const peft::RankSnapshot& snapshot);

}  // namespace capsule::train
