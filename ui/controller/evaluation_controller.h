#pragma once
// Runs the in-context-learning baseline (train/icl_baseline.h) for the studio: the Setup page's
// model and dataset scored untrained with k demonstrations in the prompt, on a worker thread, and
// recorded in the run store as a run of method "icl" that the Compare page overlays.
//
// Threads: start()/cancel() on the GUI thread; the scoring runs on one std::thread whose progress
// arrives as queued signals (at most ~20 a second). The destructor cancels and joins, so closing
// the window never leaves the thread running.
#include "controller/training_controller.h"

#include <QObject>
#include <QString>

#include <atomic>
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

class IclController : public QObject {
    Q_OBJECT
public:
    explicit IclController(QObject* parent = nullptr);
    ~IclController() override;

    /// Scores `request`'s model and data (its demo folder made first when set) with `shots`
    /// demonstrations, at most `maxExamples` validation examples (0 = all). False (nothing
    /// started) while a baseline is running.
    bool start(const TrainingRequest& request, int shots, qint64 maxExamples = 0);
    /// Stops after the batch being scored; finished(outcome with cancelled) follows.
    void cancel();
    bool isRunning() const { return running_; }

Q_SIGNALS:
    void progress(qint64 done, qint64 total);
    /// The thread has ended and was joined.
    void finished(const capsule::ui::IclOutcome& outcome);
    /// The thread has ended and was joined; `message` names the file or option at fault.
    void failed(const QString& message);
    void runningChanged(bool running);

private:
    void join();

    std::thread thread_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    bool running_ = false;
};

}  // namespace capsule::ui

Q_DECLARE_METATYPE(capsule::ui::IclOutcome)
