#include "controller/icl_controller.h"

#include "train/demo_assets.h"
#include "train/icl_baseline.h"

#include <QMetaObject>
#include <QThread>

#include <algorithm>
#include <chrono>
#include <exception>

namespace capsule::ui {

IclController::IclController(QObject* parent) : QObject(parent) {
    qRegisterMetaType<capsule::ui::IclOutcome>("capsule::ui::IclOutcome");
}

IclController::~IclController() {
    if (cancel_) *cancel_ = true;
    join();
}

void IclController::join() {
    if (thread_.joinable()) thread_.join();
}

void IclController::cancel() {
    if (running_ && cancel_) *cancel_ = true;
}

bool IclController::start(const TrainingRequest& request, int shots, qint64 maxExamples) {
    if (running_) return false;
    join();
    running_ = true;
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    Q_EMIT runningChanged(true);
    TrainingRequest adjusted = request;
    // As for training: leave a core to the GUI.
    if (adjusted.config.threads == 0) adjusted.config.threads = std::max(1, QThread::idealThreadCount() - 1);
    train::IclOptions options;
    options.shots = shots;
    options.maxExamples = maxExamples;
    options.seed = adjusted.config.seed;
    std::shared_ptr<std::atomic<bool>> cancelled = cancel_;
    // The thread posts to `this` only through queued calls; the destructor joins before `this` goes.
    thread_ = std::thread([this, adjusted, options, cancelled]() mutable {
        auto post = [this](auto function) { QMetaObject::invokeMethod(this, std::move(function), Qt::QueuedConnection); };
        auto finish = [this, post](auto emitResult) {
            post([this, emitResult] {
                join();
                running_ = false;
                emitResult();
                Q_EMIT runningChanged(false);
            });
        };
        try {
            train::TrainingConfig config = adjusted.config;
            if (!adjusted.demoFolder.isEmpty()) {
                const train::DemoAssets assets = train::ensureDemoAssets(adjusted.demoFolder.toStdString());
                if (config.model.empty()) config.model = assets.modelFolder;
                if (config.data.empty()) config.data = assets.datasetPath;
            }
            auto lastPost = std::chrono::steady_clock::now() - std::chrono::seconds(1);
            const train::IclResult result =
                train::evaluateInContext(config, options, [&](int64_t done, int64_t total) {
                    const auto now = std::chrono::steady_clock::now();
                    if (done == total || now - lastPost >= std::chrono::milliseconds(50)) {
                        lastPost = now;
                        post([this, done, total] { Q_EMIT progress(done, total); });
                    }
                    return !*cancelled;
                });
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
            finish([this, outcome] { Q_EMIT finished(outcome); });
        } catch (const std::exception& error) {
            const QString message = QString::fromStdString(error.what());
            finish([this, message] { Q_EMIT failed(message); });
        }
    });
    return true;
}

}  // namespace capsule::ui
