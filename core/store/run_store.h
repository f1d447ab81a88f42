#pragma once
// The run store: one SQLite file (WAL) holding every run, its metrics, AdaLoRA rank snapshots,
// log events and artifacts. Everything a run produces lands here as it happens, so a crash or a
// closed window loses nothing, and history and charts rebuild from it.
//
// Threads: a RunStore (one SQLite connection) belongs to one thread. The trainer thread writes
// through its own RunStore; readers (GUI, CLI) open another on the same file and see committed
// data live (WAL: readers never block the writer). Schema versioned by PRAGMA user_version with
// forward-only migrations; a file from a newer Capsule is refused with a clear message.
#include "store/run_record.h"

#include <memory>
#include <string>
#include <vector>

namespace capsule::store {

class Database;

class RunStore {
public:
    /// Opens or creates the store at `path` (its folder is created) and migrates it.
    explicit RunStore(const std::string& path);
    ~RunStore();
    RunStore(const RunStore&) = delete;
    RunStore& operator=(const RunStore&) = delete;

    /// $CAPSULE_STORE, else $XDG_DATA_HOME/capsule/runs.sqlite, else ~/.local/share/capsule/runs.sqlite.
    static std::string defaultPath();
    static constexpr int schemaVersion = 1;

    const std::string& path() const { return path_; }

    // --- runs
    /// Inserts a run (id and createdAt are filled in) and returns its id.
    int64_t createRun(RunRecord run);
    std::optional<RunRecord> run(int64_t runId) const;
    /// Newest first.
    std::vector<RunRecord> listRuns() const;
    /// Finds a run by id ("12") or exact name; of several runs with that name, the newest finished
    /// one, else the newest.
    std::optional<RunRecord> findRun(const std::string& idOrName) const;
    /// Running: stamps startedAt (first time) and records this process as the one training it.
    void markRunning(int64_t runId);
    /// Terminal or paused states; stamps finishedAt for terminal ones and clears the process.
    void setStatus(int64_t runId, RunStatus status, const std::string& reason = {});
    void setBestEval(int64_t runId, const std::string& metric, double value, int64_t step);
    void setParameters(int64_t runId, int64_t trainable, int64_t total);
    void setMaxSteps(int64_t runId, int64_t maxSteps);
    void setOutputDir(int64_t runId, const std::string& outputDir);
    void setConfig(int64_t runId, const std::string& configJson);
    void rename(int64_t runId, const std::string& name);
    /// Deletes the run and everything recorded for it (not its files; the caller asks first).
    void deleteRun(int64_t runId);
    /// Runs still marked running/paused whose training process is gone become interrupted.
    /// Returns how many were marked. Called when the studio or the CLI starts.
    int markInterruptedRuns();

    // --- metrics, snapshots, events, artifacts
    /// One transaction for the whole batch; also advances the run's lastStep.
    void appendMetrics(int64_t runId, const std::vector<MetricPoint>& points);
    /// Points of one metric (all metrics when name is empty) with step > afterStep, in step order.
    std::vector<MetricPoint> metrics(int64_t runId, const std::string& name = {}, int64_t afterStep = -1) const;
    std::vector<std::string> metricNames(int64_t runId) const;
    void appendRankSnapshot(int64_t runId, const RankSnapshotRecord& snapshot);
    std::vector<RankSnapshotRecord> rankSnapshots(int64_t runId) const;
    void appendEvent(int64_t runId, const std::string& level, const std::string& message);
    std::vector<EventRecord> events(int64_t runId) const;
    /// Continuing a run from a checkpoint at `step` (Resume / Extend on the same row): deletes its
    /// metric points and rank snapshots with step > `step`, lowers lastStep to `step` and clears
    /// the best eval when it was reached after `step` (the trainer reports the checkpoint's best
    /// again), and its checkpoint artifact rows with step > `step` (the continued run records its
    /// own as it rewrites those folders). Events and other artifacts (exports) stay. One
    /// transaction. Returns the largest timeSeconds among
    /// the kept metric points (0 when none), so the continued points can carry on from it.
    double truncateAfterStep(int64_t runId, int64_t step);
    int64_t addArtifact(const ArtifactRecord& artifact);
    std::vector<ArtifactRecord> artifacts(int64_t runId, const std::string& kind = {}) const;
    /// The run that wrote the checkpoint folder `folder` (the newest such artifact; paths compare
    /// after making both absolute and resolving links), or nothing.
    std::optional<int64_t> runOfCheckpoint(const std::string& folder) const;

    /// PRAGMA integrity_check == "ok".
    bool checkIntegrity() const;

private:
    void migrate();
    std::string path_;
    std::unique_ptr<Database> database_;
};

/// Current UTC time as ISO-8601 with seconds ("2026-11-27T21:36:24Z").
std::string utcNow();

}  // namespace capsule::store
