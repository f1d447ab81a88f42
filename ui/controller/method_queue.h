#pragma once
// "Compare methods": the same model and dataset trained with several PEFT methods, one run after
// another through the TrainingController, so the Compare page can set them side by side.
//
// Each queued request is the base request with its method swapped: for the built-in demo the
// demo's tuned settings for that method (TrainingController::demoConfig) with the base's step
// budget, evaluation and store; for a user's model the base config with only the method changed,
// and the learning rate reset to the method's default unless it is the base's own method (a LoRA
// rate is far too small for IA3). Each run writes to its own folder `<out>-<method>`.
//
// Threads: GUI thread only (like the controller it drives).
#include "controller/training_controller.h"

#include <QObject>
#include <QStringList>
#include <QVector>

namespace capsule::ui {

class MethodQueue : public QObject {
    Q_OBJECT
public:
    /// `controller` is not owned and must outlive the queue.
    explicit MethodQueue(TrainingController* controller, QObject* parent = nullptr);

    /// The requests a queue of `methods` (CLI names) would run, in order. Unknown names and
    /// duplicates are dropped.
    static QVector<TrainingRequest> requestsFor(const TrainingRequest& base, const QStringList& methods);

    /// Starts the first run; the others follow as each one ends. False (nothing started) while a
    /// run or a queue is active, or when no method is valid.
    bool start(const TrainingRequest& base, const QStringList& methods);
    /// Drops the runs not yet started; the running one goes on (stop it on the controller).
    void cancelPending();

    bool isActive() const { return active_; }
    /// The store ids of the runs the queue has started so far (the current one included).
    const QVector<qint64>& runIds() const { return runIds_; }
    int queuedCount() const { return int(requests_.size()); }

Q_SIGNALS:
    /// Just before run `index` (0-based) of `count` starts: the widgets prepare their charts.
    void runStarting(int index, int count, const capsule::ui::TrainingRequest& request);
    /// Every queued run has ended (`completed`), or the queue stopped early: a run was cancelled,
    /// cancelPending() was called, or a start failed.
    /// `runIds` are the runs it started, in order (runs that failed included).
    void queueFinished(const QVector<qint64>& runIds, bool completed);

private:
    void startNext();
    void onRunFinished(RunState state);

    TrainingController* controller_;
    QVector<TrainingRequest> requests_;
    QVector<qint64> runIds_;
    int next_ = 0;
    bool active_ = false;
    bool cancelled_ = false;
};

}  // namespace capsule::ui
