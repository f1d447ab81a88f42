#pragma once
// Runs one training at a time on its own thread and turns the core's observer callbacks into
// batched signals on the GUI thread (architecture.md "Training progress").
//
// The training thread runs train::Trainer::run with two observers: a buffering one that appends
// converted values to vectors under a mutex, and a StoreObserver that records the run in the run
// store through the thread's own RunStore. A QTimer on the GUI thread takes the buffers every
// `flushIntervalMs` and emits one signal per kind that has data: at most ~30 batches a second
// however fast the trainer reports. Rare events (evaluations, log lines, status changes) are never
// dropped; of AdaLoRA's allocations only the newest is kept per flush (the budget curve keeps
// every step).
//
// Threads: every public function and every signal belongs to the GUI thread (the thread that
// created the object). The destructor cancels a running training and joins its thread.
#include "controller/training_events.h"
#include "train/trainer.h"
#include "train/training_config.h"

#include <QObject>
#include <QString>
#include <QVector>

#include <functional>
#include <memory>
#include <thread>

class QTimer;

namespace capsule::ui {

/// What start() trains.
struct TrainingRequest {
    train::TrainingConfig config;
    /// Not empty: the built-in demo's model and dataset are made in this folder first (on the
    /// training thread; without a shipped model that pre-trains one, about a minute) and
    /// config.model / config.data are set to them.
    QString demoFolder;
    /// >= 0 with config.resume set: Resume / Extend of this run store row. The run continues the
    /// same row (it goes back to running; what it recorded after the checkpoint's step is dropped,
    /// train::StoreObserver) instead of a new one. An id the store no longer has gets a new row.
    qint64 continueRunId = -1;
};

class TrainingController : public QObject {
    Q_OBJECT
public:
    static constexpr int flushIntervalMs = 34;  // a precise timer: at most 29.4 batches a second

    explicit TrainingController(QObject* parent = nullptr);
    /// Cancels a running training (it stops within one step and writes a checkpoint) and joins.
    ~TrainingController() override;

    /// Starts a run on a new thread. Returns false (and does nothing) while a run is active.
    /// config.threads 0 becomes one less than the cores (at least 1), leaving one to the GUI.
    /// Problems with the config surface as statusChanged(Failed, reason) and finished().
    bool start(const TrainingRequest& request);
    bool start(const train::TrainingConfig& config);
    /// Pauses before the next micro-batch; statusChanged(Paused) follows when it took effect.
    void pause();
    void resume();
    /// Cancels: the run stops within one step, writes a checkpoint and the adapter, then
    /// statusChanged(Cancelled) and finished() follow.
    void stop();

    /// True from start() until finished() was emitted.
    bool isRunning() const { return running_; }
    bool isPaused() const { return state_ == RunState::Paused; }
    RunState state() const { return state_; }
    /// The run store id of the current (or last) run; -1 before it is known.
    qint64 runId() const { return runId_; }
    /// How many flushes emitted at least one signal (since construction); for tests and tuning.
    int flushCount() const { return flushCount_; }

    /// The built-in demo's folder ($XDG_CACHE_HOME/capsule/demo) and its settings for `method`
    /// with model and data left empty (a TrainingRequest with demoFolder fills them).
    static QString defaultDemoFolder();
    static train::TrainingConfig demoConfig(const QString& method, qint64 maxSteps, const QString& out);

    /// What the training thread runs; train::Trainer::run unless replaced (tests drive the
    /// controller with synthetic, arbitrarily fast progress). Set it before start().
    using TrainingFunction = std::function<train::TrainingResult(const train::TrainingConfig&, train::TrainingObserver&,
                                                                 train::TrainingControl*)>;
    void setTrainingFunction(TrainingFunction function) { trainingFunction_ = std::move(function); }

    /// Delivers what the training thread buffered now (the timer calls this); public for tests.
    void flush();

Q_SIGNALS:
    /// The model, adapter and data are ready; the first step follows.
    void runStarted(const capsule::ui::RunStartInfo& info);
    void stepsArrived(const QVector<capsule::ui::StepPoint>& steps);
    void evalArrived(const QVector<capsule::ui::EvalPoint>& evaluations);
    /// Every budget point since the last batch, and the newest full allocation.
    void ranksArrived(const QVector<capsule::ui::RankPoint>& points, const capsule::ui::RankAllocation& latest);
    void logArrived(const QVector<capsule::ui::LogLine>& lines);
    /// Every state change in order (Preparing, Running, Paused, Running, ..., a terminal one);
    /// `reason` says why for Failed (what to change) and Finished.
    void statusChanged(capsule::ui::RunState state, const QString& reason);
    /// The thread has ended and was joined; `adapterFolder` is empty when none was written.
    void finished(capsule::ui::RunState state, const QString& reason, const QString& adapterFolder);
    void runningChanged(bool running);

public:
    /// The buffers the training thread fills (implementation detail of the .cpp).
    struct Inbox;

private:
    void setState(RunState state, const QString& reason);
    void joinThread();

    std::shared_ptr<Inbox> inbox_;
    TrainingFunction trainingFunction_;
    std::unique_ptr<train::TrainingControl> control_;
    std::thread thread_;
    QTimer* flushTimer_ = nullptr;
    RunState state_ = RunState::Idle;
    bool running_ = false;
    qint64 runId_ = -1;
    int flushCount_ = 0;
};

}  // namespace capsule::ui
