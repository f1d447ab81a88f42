#include "controller/evaluation_controller.h"

#include "store/run_store.h"
#include "train/demo_assets.h"
#include "train/adapter_evaluation.h"
#include "train/icl_baseline.h"

#include <QFileInfo>
#include <QMetaObject>
#include <QThread>

#include <algorithm>
#include <chrono>
#include <exception>
#include <stdexcept>

namespace capsule::ui {

EvaluationController::EvaluationController(QObject* parent) : QObject(parent) {
    qRegisterMetaType<capsule::ui::IclOutcome>("capsule::ui::IclOutcome");
}

EvaluationController::~EvaluationController() {
    if (cancel_) *cancel_ = true;
    join();
}

void EvaluationController::join() {
    if (thread_.joinable()) thread_.join();
}

void EvaluationController::cancel() {
    if (running_ && cancel_) *cancel_ = true;
}

std::function<bool(int64_t, int64_t)> EvaluationController::progressReporter(const std::atomic<bool>& cancelled) {
    auto lastPost = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now() - std::chrono::seconds(1));
    return [this, &cancelled, lastPost](int64_t done, int64_t total) {
        const auto now = std::chrono::steady_clock::now();
        if (done == total || now - *lastPost >= std::chrono::milliseconds(50)) {
            *lastPost = now;
            QMetaObject::invokeMethod(this, [this, done, total] { Q_EMIT progress(done, total); }, Qt::QueuedConnection);
        }
        return !cancelled.load();
    };
}

bool EvaluationController::launch(Job job) {
    if (running_) return false;
    join();
    running_ = true;
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    Q_EMIT runningChanged(true);
    // The thread posts to `this` only through queued calls; the destructor joins before `this` goes
    // (and Qt drops calls still queued for a deleted object).
    thread_ = std::thread([this, job = std::move(job), cancelled = cancel_] {
        std::function<void()> emitResult;
        try {
            emitResult = job(*cancelled);
        } catch (const std::exception& error) {
            const QString message = QString::fromStdString(error.what());
            emitResult = [this, message] { Q_EMIT failed(message); };
        }
        QMetaObject::invokeMethod(
            this,
            [this, emitResult] {
                join();
                running_ = false;
                emitResult();
                Q_EMIT runningChanged(false);
            },
            Qt::QueuedConnection);
    });
    return true;
}

namespace {

/// The request's config with the demo's model and data filled in (made when missing) and a core
/// left to the GUI, as for training.
train::TrainingConfig resolvedConfig(const TrainingRequest& request) {
    train::TrainingConfig config = request.config;
    if (config.threads == 0) config.threads = std::max(1, QThread::idealThreadCount() - 1);
    if (!request.demoFolder.isEmpty()) {
        const train::DemoAssets assets = train::ensureDemoAssets(request.demoFolder.toStdString());
        if (config.model.empty()) config.model = assets.modelFolder;
        if (config.data.empty()) config.data = assets.datasetPath;
    }
    return config;
}

}  // namespace

bool EvaluationController::recordSavedRanks(const QString& storePath, qint64 runId, const QString& adapterFolder,
                                            QString* error) {
    try {
        train::recordSavedRankAllocation(storePath.toStdString(), runId, adapterFolder.toStdString());
        return true;
    } catch (const std::exception& failure) {
        if (error) *error = QString::fromStdString(failure.what());
        return false;
    }
}

qint64 EvaluationController::runForAdapterFolder(const QString& storePath, const QString& adapterFolder) {
    try {
        const std::string path = storePath.isEmpty() ? store::RunStore::defaultPath() : storePath.toStdString();
        if (!QFileInfo::exists(QString::fromStdString(path))) return -1;
        const store::RunStore runStore(path);
        const std::string wanted = QFileInfo(adapterFolder).absoluteFilePath().toStdString();
        for (const store::RunRecord& run : runStore.listRuns())  // newest first
            if (!run.outputDir.empty() && QFileInfo(QString::fromStdString(run.outputDir)).absoluteFilePath().toStdString() == wanted)
                return run.id;
    } catch (const std::exception&) {
    }
    return -1;
}

bool EvaluationController::start(const TrainingRequest& request, int shots, qint64 maxExamples) {
    return launch([this, request, shots, maxExamples](const std::atomic<bool>& cancelled) -> std::function<void()> {
        const train::TrainingConfig config = resolvedConfig(request);
        train::IclOptions options;
        options.shots = shots;
        options.maxExamples = maxExamples;
        options.seed = config.seed;
        const train::IclResult result = train::evaluateInContext(config, options, progressReporter(cancelled));
        IclOutcome outcome;
        outcome.shots = result.shots;
        outcome.examples = result.metrics.examples;
        outcome.accuracy = result.metrics.accuracy.value_or(-1.0);
        outcome.evalLoss = result.metrics.loss;
        outcome.meanShots = result.meanShots;
        outcome.examplesWithFewerShots = result.examplesWithFewerShots;
        outcome.promptTokensPerExample = result.meanPromptTokens;
        outcome.zeroShotPromptTokens = result.meanZeroShotPromptTokens;
        outcome.secondsPerExample = result.secondsPerExample;
        outcome.device = QString::fromStdString(result.device);
        outcome.cancelled = result.cancelled;
        try {
            outcome.runId = train::recordIclBaseline(config.store, config, options, result);
        } catch (const std::exception& error) {
            outcome.storeProblem = QString::fromStdString(error.what());
        }
        return [this, outcome] { Q_EMIT finished(outcome); };
    });
}

bool EvaluationController::startAdapterEvaluation(const TrainingRequest& request, const QString& adapterFolder,
                                                  qint64 runId) {
    return launch([this, request, adapterFolder, runId](const std::atomic<bool>& cancelled) -> std::function<void()> {
        const train::TrainingConfig config = resolvedConfig(request);
        const train::EvalMetrics metrics =
            train::evaluateAdapterFolder(config, adapterFolder.toStdString(), progressReporter(cancelled));
        if (cancelled) throw std::runtime_error("the evaluation was stopped; nothing was recorded");
        train::recordEvaluation(config.store, runId, metrics, config.data);
        const double accuracy = metrics.accuracy.value_or(-1.0);
        return [this, runId, metrics, accuracy] { Q_EMIT adapterEvaluated(runId, metrics.loss, accuracy, metrics.examples); };
    });
}

}  // namespace capsule::ui
