#pragma once
// The exact trainable-parameter count of a setup, before anything is trained: the model skeleton
// is built from config.json on the meta device (shapes only, no weights allocated, so a 70B model
// costs nothing), the method's adapter is applied to it as the trainer does (train::createAdapter)
// and peft::countTrainableParameters counts it, the same numbers the trainer reports in RunInfo.
//
// Threads: estimateTrainableParameters() may run on any thread. ParameterEstimator belongs to the
// GUI thread; it computes on one worker std::thread at a time and delivers the result as a queued
// signal, debounced so that typing into a field does not start a computation per key.
#include "train/training_config.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <thread>

class QTimer;

namespace capsule::ui {

struct ParameterEstimate {
    bool valid = false;
    qint64 trainable = 0;
    qint64 all = 0;
    /// Why there is no count (the option, file or model at fault); empty when valid.
    QString problem;
    /// True when `problem` is the setup's fault (an option the method rejects), not a missing or
    /// unsupported model: the Setup page blocks Start for those.
    bool invalidSettings = false;

    /// "trainable 4,096 of 134,336 (3.05 %)"; "trainable parameters: n/a (<problem>)" when not valid.
    QString text() const;
};

/// The built-in demo's model folder for estimates: the shipped one, else the one made in the demo
/// cache folder; "" when neither exists yet (it is made on the first Start).
QString demoModelFolderForEstimate();

/// Builds `config.model`'s skeleton ("" = the built-in demo) and counts what `config.method` with
/// its options would train. Never throws; problems come back in the estimate.
ParameterEstimate estimateTrainableParameters(const train::TrainingConfig& config);

class ParameterEstimator : public QObject {
    Q_OBJECT
public:
    static constexpr int debounceMs = 120;

    explicit ParameterEstimator(QObject* parent = nullptr);
    /// Waits for a running computation (it only reads config.json; milliseconds).
    ~ParameterEstimator() override;

    /// Schedules an estimate of `config`; only the newest request within the debounce interval
    /// (and while a computation runs) is computed.
    void request(const train::TrainingConfig& config);
    /// True from request() until the estimate of the newest request was emitted.
    bool isPending() const { return pending_ || running_; }

Q_SIGNALS:
    void estimated(const capsule::ui::ParameterEstimate& estimate);

private:
    void startWorker();
    void onWorkerDone(const capsule::ui::ParameterEstimate& estimate);

    QTimer* debounce_ = nullptr;
    train::TrainingConfig next_;
    bool pending_ = false;  // next_ has not been computed yet
    bool running_ = false;  // a worker thread runs
    std::thread worker_;
};

}  // namespace capsule::ui

Q_DECLARE_METATYPE(capsule::ui::ParameterEstimate)
