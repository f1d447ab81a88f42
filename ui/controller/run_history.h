#pragma once
// The run history as the studio shows it: the run store (core/store) read into plain Qt value
// types. Opens the store (the given path, else store::RunStore::defaultPath(), which respects
// CAPSULE_STORE), marks runs whose training process died as interrupted once when opened, lists
// runs, renames and deletes them (with their output folder), loads one run's full history (metric
// series, evaluations, AdaLoRA rank snapshots, events, checkpoints found in its output folder) and
// builds the config that resumes or extends a run from one of its checkpoints.
//
// Threads: GUI thread only (the RunStore connection belongs to the thread that opened it). Every
// call is one or a few indexed SQLite queries; loadRun() reads a whole run (tens of milliseconds
// for thousands of steps). Store errors (locked, corrupt, newer schema) never throw out of here:
// the call returns false / nullopt, lastError() says why and errorOccurred() is emitted.
#include "controller/training_events.h"
#include "train/training_config.h"

#include <QDateTime>
#include <QMap>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QVector>

#include <memory>
#include <optional>

class QTimer;

namespace capsule::store {
class RunStore;
}

namespace capsule::ui {

/// A run's status as recorded in the store (store::RunStatus).
enum class StoredRunStatus { Created, Running, Paused, Finished, Failed, Cancelled, Interrupted };

/// "finished", "interrupted", ... (the store's untranslated names).
QString storedRunStatusName(StoredRunStatus status);
/// Running or paused: a process is (or claims to be) training it now.
inline bool isLive(StoredRunStatus status) {
    return status == StoredRunStatus::Running || status == StoredRunStatus::Paused;
}

/// One row of the history table.
struct RunRow {
    qint64 id = 0;
    QString name;
    QString method;            // CLI method name: "lora", "adalora", ...
    QString model;             // model folder
    QString dataset;           // dataset file
    StoredRunStatus status = StoredRunStatus::Created;
    QString failureReason;     // failed / interrupted / cancelled: why
    bool hasBestEval = false;
    double bestEval = 0;       // value of bestEvalMetric ("accuracy" 0..1 or "eval_loss")
    QString bestEvalMetric;
    qint64 bestStep = -1;
    qint64 trainableParameters = -1;  // -1: not known (the run never got to build its adapter)
    qint64 totalParameters = -1;
    double trainablePercent = -1;     // 100 * trainable / total; -1 when unknown
    double durationSeconds = -1;      // wall time trained; -1 when unknown
    qint64 lastStep = -1;
    qint64 maxSteps = -1;
    QDateTime created;                // UTC
    QDateTime started;                // UTC; invalid until started
    QDateTime finished;               // UTC; invalid until terminal
    QString outputDir;
    QString configJson;               // the run's full training config (training_config.h JSON)

    bool operator==(const RunRow& other) const;
    bool operator!=(const RunRow& other) const { return !(*this == other); }
};

/// A checkpoint folder found in a run's output folder (<out>/checkpoints/step-N).
struct CheckpointInfo {
    QString folder;
    qint64 step = 0;
    QDateTime written;            // trainer_state.json's modification time (local)
    bool valid = false;           // trainer_state.json read fine
    QString problem;              // why not valid
    bool hasBestMetric = false;   // the best eval so far when it was written
    QString bestMetricName;
    double bestMetric = 0;
    qint64 bestStep = 0;
    bool hasEval = false;         // the newest evaluation at or before `step`, from the store
    qint64 evalStep = 0;
    double evalLoss = 0;
    bool hasAccuracy = false;
    double evalAccuracy = 0;      // 0..1
};

/// A log event of a run.
struct RunEvent {
    QDateTime time;  // UTC
    QString level;   // "info", "warning", "error", "status"
    QString message;
};

/// Everything recorded for one run, as the dashboard and the detail pane need it.
struct RunDetails {
    RunRow run;
    /// Every metric by store name ("loss", "lr", "eval_loss", "accuracy", ...): (step, value).
    QMap<QString, QVector<QPointF>> series;
    /// The live feed rebuilt: one point per recorded step, one per evaluation.
    QVector<StepPoint> steps;
    QVector<EvalPoint> evaluations;
    QVector<RankPoint> rankPoints;           // AdaLoRA budget curve
    RankAllocation latestAllocation;         // the newest AdaLoRA allocation (step -1: none)
    int rankSnapshotCount = 0;
    QVector<RunEvent> events;
    QVector<CheckpointInfo> checkpoints;     // ascending step
    qint64 tinit = 0;                        // AdaLoRA schedule, from the config
    qint64 tfinal = 0;
};

class RunHistory : public QObject {
    Q_OBJECT
public:
    /// `storePath` empty: store::RunStore::defaultPath(). Nothing is opened until open().
    explicit RunHistory(const QString& storePath = {}, QObject* parent = nullptr);
    ~RunHistory() override;

    QString storePath() const { return storePath_; }
    /// Opens the store, marks orphaned running runs interrupted (once per RunHistory) and reads the
    /// runs. False (with lastError()) when the store cannot be opened.
    bool open();
    bool isOpen() const { return store_ != nullptr; }
    /// How many runs open() marked interrupted.
    int interruptedAtOpen() const { return interruptedAtOpen_; }
    QString lastError() const { return lastError_; }

    /// The runs, newest first, as of the last refresh.
    const QVector<RunRow>& runs() const { return runs_; }
    std::optional<RunRow> run(qint64 runId) const;
    /// Re-reads the run list (one query); emits runsChanged() when anything differs.
    bool refresh();
    /// While true, refresh() runs every `refreshIntervalMs` (a run is training). The timer also
    /// runs by itself while any listed run is live (another process training).
    void setLiveRefresh(bool live);
    static constexpr int refreshIntervalMs = 1000;
    bool isRefreshTimerActive() const;

    bool rename(qint64 runId, const QString& name);
    /// The folder deleteRun() removes with the run: its output folder when it exists and no other
    /// run records the same one; empty otherwise.
    QString folderDeletedWith(qint64 runId) const;
    /// Deletes the run's rows, and with `removeFiles` its folder (folderDeletedWith). The caller
    /// asks the user first. False (lastError) when something could not be removed.
    bool deleteRun(qint64 runId, bool removeFiles);

    /// Reads one run's whole history; nullopt (lastError) for an unknown id or a store error.
    std::optional<RunDetails> loadRun(qint64 runId);
    /// One run's log events (the detail pane); empty (lastError) on a store error.
    QVector<RunEvent> events(qint64 runId);
    /// The checkpoints in `outputDir`/checkpoints, ascending step (no store access).
    static QVector<CheckpointInfo> findCheckpoints(const QString& outputDir);

    /// The config that continues `runId` from `checkpointFolder`: the run's stored config with
    /// resume set, this history's store, and `maxSteps` when > 0 (Extend). nullopt with `problem`
    /// set when the run is unknown or its config cannot be read.
    std::optional<train::TrainingConfig> continuationConfig(qint64 runId, const QString& checkpointFolder,
                                                            qint64 maxSteps, QString* problem) const;

Q_SIGNALS:
    void runsChanged();
    void errorOccurred(const QString& message);

private:
    bool ensureOpen();
    void fail(const QString& message);
    void updateTimer();

    QString storePath_;
    std::unique_ptr<store::RunStore> store_;
    bool markedInterrupted_ = false;
    int interruptedAtOpen_ = 0;
    QString lastError_;
    QVector<RunRow> runs_;
    QTimer* timer_ = nullptr;
    bool liveRefresh_ = false;
};

}  // namespace capsule::ui

Q_DECLARE_METATYPE(capsule::ui::RunRow)
Q_DECLARE_METATYPE(capsule::ui::RunDetails)
