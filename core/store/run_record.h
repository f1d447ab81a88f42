#pragma once
// Plain records of the run store (no SQLite, no torch): what the GUI, the CLI and the trainer
// exchange about runs. Times are UTC ISO-8601 strings ("2026-11-27T21:36:24Z") for records and
// seconds since the run started for metric points.
#include <cstdint>
#include <optional>
#include <string>

namespace capsule::store {

enum class RunStatus { Created, Running, Paused, Finished, Failed, Cancelled, Interrupted };

/// "running", "finished", ... (the strings stored in the database and printed by the CLI).
std::string toString(RunStatus status);
/// Throws std::invalid_argument for an unknown name.
RunStatus runStatusFromString(const std::string& name);
/// Finished, failed, cancelled and interrupted runs are not going anywhere by themselves.
bool isTerminal(RunStatus status);

struct RunRecord {
    int64_t id = 0;
    std::string name;
    std::string createdAt;
    std::string startedAt;   // empty until started
    std::string finishedAt;  // empty until finished/failed/cancelled
    RunStatus status = RunStatus::Created;
    std::string baseModel;   // model folder
    std::string dataset;     // dataset file
    std::string method;      // "lora", "adalora", ... (CLI method names)
    std::string configJson = "{}";  // the full training config, as `capsule-cli train --config` reads it
    std::optional<int64_t> trainableParameters;
    std::optional<int64_t> totalParameters;
    std::optional<double> bestEval;        // best value of bestEvalMetric
    std::string bestEvalMetric;            // "eval_loss", "accuracy", ...
    std::optional<int64_t> bestStep;
    std::optional<int64_t> lastStep;       // last optimizer step recorded
    std::optional<int64_t> maxSteps;
    std::string outputDir;
    std::string failureReason;             // for failed / interrupted runs
    std::optional<int64_t> processId;      // the process training it while running
    std::optional<int64_t> processStartTime;  // its start time (clock ticks since boot), to spot reused pids
};

struct MetricPoint {
    int64_t step = 0;
    std::string name;       // "loss", "lr", "grad_norm", "tokens_per_s", "eval_loss", ...
    double value = 0;
    double timeSeconds = 0; // since the run started
};

struct RankSnapshotRecord {
    int64_t step = 0;
    int64_t budget = 0;       // scheduled total rank
    int64_t totalRank = 0;    // total rank kept after this allocation
    std::string payloadJson;  // per-module ranks and importance scores (see peft/rank_snapshot.h)
};

struct EventRecord {
    int64_t id = 0;
    std::string time;
    std::string level;  // "info", "warning", "error", "status"
    std::string message;
};

struct ArtifactRecord {
    int64_t id = 0;
    int64_t runId = 0;
    std::string kind;  // "checkpoint", "adapter", "merged-model", "export"
    std::string path;
    std::optional<int64_t> step;
    std::string createdAt;
    std::string description;  // what it holds, for the checkpoint picker
};

}  // namespace capsule::store
