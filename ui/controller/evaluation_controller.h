#pragma once
// Evaluations the studio runs beside training, one at a time on a worker thread:
// - the in-context-learning baseline (train/icl_baseline.h): the Setup page's model and dataset
//   scored untrained with k demonstrations in the prompt, recorded in the run store as a run of
//   method "icl" that the Compare page overlays;
// - an adapter folder (e.g. one imported from HF PEFT) scored on the Setup page's dataset
//   (train/adapter_evaluation.h), recorded as an evaluation of its run.
//
// Threads: start()/cancel() on the GUI thread; the scoring runs on one std::thread whose progress
// arrives as queued signals (at most ~20 a second). The destructor cancels and joins, so closing
// the window never leaves the thread running.
#include "controller/training_controller.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

namespace capsule::ui {

/// What one baseline measured (plain values for the widgets).
struct IclOutcome {
    qint64 runId = -1;             // in the run store; -1 when it could not be recorded
    qint64 shots = 0;
    qint64 examples = 0;
    double accuracy = -1;          // 0..1; -1 for data without choices
    double evalLoss = 0;
    double meanShots = 0;
    qint64 examplesWithFewerShots = 0;
    double promptTokensPerExample = 0;
    double zeroShotPromptTokens = 0;
    double secondsPerExample = 0;
    QString device;                // "cpu", "cuda:0"
    bool cancelled = false;
    QString storeProblem;          // why it is not in the store ("" when it is)
};

class EvaluationController : public QObject {
    Q_OBJECT
public:
    explicit EvaluationController(QObject* parent = nullptr);
    ~EvaluationController() override;

    /// Scores `request`'s model and data (its demo folder made first when set) with `shots`
    /// demonstrations, at most `maxExamples` validation examples (0 = all). False (nothing
    /// started) while a baseline is running.
    bool start(const TrainingRequest& request, int shots, qint64 maxExamples = 0);
    /// Scores the adapter in `adapterFolder` on `request`'s model and data (validation split) and
    /// records the evaluation in run `runId` of request.config.store. False while a job runs.
    bool startAdapterEvaluation(const TrainingRequest& request, const QString& adapterFolder, qint64 runId);
    /// Stops after the batch being scored; finished(outcome with cancelled) follows.
    void cancel();
    bool isRunning() const { return running_; }

    /// AdaLoRA: stores the adapter's saved rank allocation (adapter_config.json rank_pattern) as run
    /// `runId`'s rank snapshot, so opening the run charts it. True also when there is none to store
    /// (other methods); false with `error` naming the file when reading or storing fails.
    /// `storePath` "" = the default store.
    static bool recordSavedRanks(const QString& storePath, qint64 runId, const QString& adapterFolder,
                                 QString* error = nullptr);
    /// The newest run whose output folder is `adapterFolder` (absolute), -1 when none.
    static qint64 runForAdapterFolder(const QString& storePath, const QString& adapterFolder);

Q_SIGNALS:
    void progress(qint64 done, qint64 total);
    /// The thread has ended and was joined.
    void finished(const capsule::ui::IclOutcome& outcome);
    /// An adapter evaluation ended and was recorded: accuracy -1 for data without choices.
    void adapterEvaluated(qint64 runId, double evalLoss, double accuracy, qint64 examples);
    /// The thread has ended and was joined; `message` names the file or option at fault.
    void failed(const QString& message);
    void runningChanged(bool running);

private:
    /// Runs `job` on the worker thread; it returns the signal to emit on the GUI thread (after the
    /// join), or throws (-> failed(what)). `cancelled` tells the job to stop.
    using Job = std::function<std::function<void()>(const std::atomic<bool>& cancelled)>;
    bool launch(Job job);
    /// For jobs: progress(done, total) at most every 50 ms (and at the end); false once cancelled.
    std::function<bool(int64_t, int64_t)> progressReporter(const std::atomic<bool>& cancelled);
    void join();

    std::thread thread_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    bool running_ = false;
};

}  // namespace capsule::ui

Q_DECLARE_METATYPE(capsule::ui::IclOutcome)
