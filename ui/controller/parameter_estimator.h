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
#include <QVector>

#include <atomic>
#include <memory>
#include <thread>

class QTimer;

namespace capsule::ui {

/// One linear layer of the model, as the method's adapter would treat it.
struct ModuleEstimate {
    QString name;  // HF module name, e.g. "transformer.h.0.attn.c_attn"
    qint64 inFeatures = 0;
    qint64 outFeatures = 0;
    bool targeted = false;  // the adapter attaches to it (target_modules matched it)
    qint64 trainable = 0;   // trainable parameters the adapter adds under it
};

struct ParameterEstimate {
    bool valid = false;
    qint64 trainable = 0;
    qint64 all = 0;
    /// Why there is no count (the option, file or model at fault); empty when valid.
    QString problem;
    /// True when `problem` is the setup's fault (an option the method rejects), not a missing or
    /// unsupported model: the Setup page blocks Start for those.
    bool invalidSettings = false;

    /// Every linear layer in model order (empty when the model could not be built). Filled even
    /// when the method's options are invalid, so the module tree stays usable to fix them.
    QVector<ModuleEstimate> modules;
    /// True for the methods that pick layers by target_modules (LoRA, AdaLoRA, IA3, T-Few).
    bool usesTargetModules = false;
    /// "gpt2 · 12 layers · hidden 768 · 12 heads · vocab 50,257 · context 1,024"; "" without a model.
    QString modelSummary;

    /// Memory for one training micro-batch (train/memory_estimate.h); valid with `valid`.
    qint64 weightBytes = 0;
    qint64 adapterBytes = 0;
    qint64 activationBytes = 0;
    qint64 logitsBytes = 0;
    qint64 totalBytes() const { return weightBytes + adapterBytes + activationBytes + logitsBytes; }
    QString computeDtype;  // "float32", "bfloat16"
    QString deviceName;    // "CPU" or "CUDA"
    /// Physical memory of the machine (RAM; for CUDA the GPU's is not known here): 0 when unknown.
    qint64 availableBytes = 0;

    /// "trainable 4,096 of 134,336 (3.05 %)"; "trainable parameters: n/a (<problem>)" when not valid.
    QString text() const;
    /// "≈ 1.2 GiB on CPU (float32): weights 475 MiB · adapter + AdamW 4.5 MiB · activations 198 MiB ·
    /// logits 147 MiB"; "" when not valid.
    QString memoryText() const;
    /// True when the estimate exceeds the machine's physical memory.
    bool exceedsAvailableMemory() const { return availableBytes > 0 && totalBytes() > availableBytes; }
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
