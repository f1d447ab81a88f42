#include "controller/training_controller.h"

#include "controller/engine_text.h"

#include "store/run_store.h"
#include "train/demo_assets.h"
#include "train/store_observer.h"
#include "train/trainer.h"
#include "train/training_control.h"
#include "train/training_observer.h"

#include <nlohmann/json.hpp>

#include <QCoreApplication>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <optional>
#include <utility>

namespace capsule::ui {

namespace {

RunState toRunState(train::TrainingStatus status) {
    switch (status) {
    case train::TrainingStatus::Started: return RunState::Running;
    case train::TrainingStatus::Paused: return RunState::Paused;
    case train::TrainingStatus::Resumed: return RunState::Running;
    case train::TrainingStatus::Finished: return RunState::Finished;
    case train::TrainingStatus::Failed: return RunState::Failed;
    case train::TrainingStatus::Cancelled: return RunState::Cancelled;
    }
    return RunState::Failed;
}

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

}  // namespace

/// What the training thread hands over; every member is guarded by `mutex`.
struct TrainingController::Inbox {
    std::mutex mutex;
    std::optional<RunStartInfo> startInfo;
    qint64 runId = -1;
    QVector<StepPoint> steps;
    QVector<EvalPoint> evaluations;
    QVector<RankPoint> rankPoints;
    RankAllocation allocation;
    bool allocationChanged = false;
    QVector<LogLine> logs;
    QVector<std::pair<RunState, QString>> statuses;
    // Set last by the thread, just before it returns.
    bool done = false;
    RunState finalState = RunState::Failed;
    QString finalReason;
    QString adapterFolder;
};

namespace {

/// The first observer on the training thread: converts each callback to Qt values and appends it
/// to the inbox under its mutex. Costs microseconds per callback; never blocks on the GUI.
class BufferingObserver : public train::TrainingObserver {
public:
    explicit BufferingObserver(std::shared_ptr<TrainingController::Inbox> inbox) : inbox_(std::move(inbox)) {}

    void onRunInfo(const train::RunInfo& info) override {
        RunStartInfo value;
        value.trainableParameters = info.trainableParameters;
        value.totalParameters = info.totalParameters;
        value.maxSteps = info.maxSteps;
        value.startStep = info.startStep;
        value.trainExamples = info.trainExamples;
        value.validationExamples = info.validationExamples;
        value.computeDtype = fromStd(info.computeDtype);
        value.device = fromStd(info.device);
        std::lock_guard<std::mutex> lock(inbox_->mutex);
        value.runId = inbox_->runId;
        inbox_->startInfo = value;
    }
    void onStep(const train::StepMetrics& metrics) override {
        StepPoint point;
        point.step = metrics.step;
        point.maxSteps = metrics.maxSteps;
        point.epoch = metrics.epoch;
        point.loss = metrics.loss;
        point.learningRate = metrics.lr;
        point.gradNorm = metrics.gradNorm;
        point.tokensPerSecond = metrics.tokensPerSecond;
        point.samplesPerSecond = metrics.samplesPerSecond;
        point.elapsedSeconds = metrics.elapsedSeconds;
        point.etaSeconds = metrics.etaSeconds;
        point.memoryBytes = metrics.memoryBytes;
        point.gpuMemoryBytes = metrics.gpuMemoryBytes;
        std::lock_guard<std::mutex> lock(inbox_->mutex);
        inbox_->steps.append(point);
    }
    void onEval(const train::EvalMetrics& metrics) override {
        EvalPoint point;
        point.step = metrics.step;
        point.loss = metrics.loss;
        point.perplexity = metrics.perplexity;
        point.hasAccuracy = metrics.accuracy.has_value();
        point.accuracy = metrics.accuracy.value_or(0.0);
        point.examples = metrics.examples;
        point.improved = metrics.improved;
        std::lock_guard<std::mutex> lock(inbox_->mutex);
        inbox_->evaluations.append(point);
    }
    void onRanks(const peft::RankSnapshot& snapshot) override {
        RankAllocation allocation;
        allocation.step = snapshot.step;
        allocation.budget = snapshot.budget;
        allocation.totalRank = snapshot.totalRank;
        allocation.modules.reserve(static_cast<int>(snapshot.modules.size()));
        for (const peft::ModuleRank& module : snapshot.modules) {
            ModuleRankCell cell;
            cell.name = fromStd(module.name);
            cell.layer = static_cast<int>(module.layerIndex);
            cell.moduleKind = module.moduleKind.empty() ? cell.name : fromStd(module.moduleKind);
            cell.rank = static_cast<int>(module.rank);
            cell.initialRank = static_cast<int>(module.initialRank);
            cell.importance = QVector<float>(module.importanceScores.begin(), module.importanceScores.end());
            allocation.modules.append(std::move(cell));
        }
        std::lock_guard<std::mutex> lock(inbox_->mutex);
        inbox_->rankPoints.append(RankPoint{snapshot.step, snapshot.budget, snapshot.totalRank});
        inbox_->allocation = std::move(allocation);
        inbox_->allocationChanged = true;
    }
    void onLog(train::LogLevel level, const std::string& message) override {
        LogLine line;
        line.level = level == train::LogLevel::Error     ? LogLine::Error
                     : level == train::LogLevel::Warning ? LogLine::Warning
                                                         : LogLine::Info;
        line.text = localizedEngineText(fromStd(message));
        std::lock_guard<std::mutex> lock(inbox_->mutex);
        inbox_->logs.append(line);
    }
    void onStatus(const train::StatusChange& change) override {
        std::lock_guard<std::mutex> lock(inbox_->mutex);
        inbox_->statuses.append({toRunState(change.status), localizedEngineText(fromStd(change.reason))});
    }
    void onArtifact(const std::string& kind, const std::string& path, int64_t step) override {
        onLog(train::LogLevel::Info, "wrote " + kind + " at step " + std::to_string(step) + ": " + path);
    }

    void log(LogLine::Level level, const QString& text) {
        std::lock_guard<std::mutex> lock(inbox_->mutex);
        inbox_->logs.append(LogLine{level, text});
    }

private:
    std::shared_ptr<TrainingController::Inbox> inbox_;
};

/// The training thread's body. Never throws: every failure becomes a Failed status with a reason.
void trainOnThisThread(std::shared_ptr<TrainingController::Inbox> inbox, TrainingRequest request,
                       train::TrainingControl* control, TrainingController::TrainingFunction trainingFunction) {
    BufferingObserver buffer(inbox);
    RunState finalState = RunState::Failed;
    QString finalReason;
    QString adapterFolder;
    try {
        train::TrainingConfig config = request.config;
        if (!request.demoFolder.isEmpty()) {
            buffer.log(LogLine::Info, TrainingController::tr("Preparing the built-in demo in %1").arg(request.demoFolder));
            const train::DemoAssets assets = train::ensureDemoAssets(
                request.demoFolder.toStdString(), [&buffer](const std::string& line) { buffer.onLog(train::LogLevel::Info, line); });
            // Only what the request left open: a demo model may train on the user's dataset.
            if (config.model.empty()) config.model = assets.modelFolder;
            if (config.data.empty()) config.data = assets.datasetPath;
        }

        // The run store is the history; when it cannot be opened the run still trains (and says so).
        std::unique_ptr<store::RunStore> runStore;
        std::unique_ptr<train::StoreObserver> storeObserver;
        try {
            const std::string storePath = config.store.empty() ? store::RunStore::defaultPath() : config.store;
            runStore = std::make_unique<store::RunStore>(storePath);
            int64_t runId = -1;
            if (request.continueRunId >= 0 && !config.resume.empty() && runStore->run(request.continueRunId)) {
                runId = request.continueRunId;
                runStore->appendEvent(runId, "info", "continuing from the checkpoint " + config.resume);
            } else {
                store::RunRecord record;
                record.name = !config.runName.empty() ? config.runName : std::filesystem::path(config.out).filename().string();
                record.baseModel = config.model;
                record.dataset = config.data;
                record.method = config.method;
                record.configJson = train::toJson(config).dump();
                record.outputDir = config.out;
                runId = runStore->createRun(record);
            }
            {
                std::lock_guard<std::mutex> lock(inbox->mutex);
                inbox->runId = runId;
            }
            storeObserver = std::make_unique<train::StoreObserver>(*runStore, runId);
        } catch (const std::exception& error) {
            buffer.log(LogLine::Warning,
                       TrainingController::tr("This run is not recorded in the history: %1").arg(fromStd(error.what())));
            storeObserver.reset();
            runStore.reset();
        }

        train::ObserverList observers;
        observers.add(&buffer);
        observers.add(storeObserver.get());
        const train::TrainingResult result =
            trainingFunction ? trainingFunction(config, observers, control) : train::Trainer::run(config, observers, control);
        if (storeObserver) {
            storeObserver->flush();
            if (!storeObserver->failure().empty())
                buffer.log(LogLine::Warning, TrainingController::tr("The run history could not be written (%1): the adapter "
                                                                    "and checkpoints are not affected, but this run's "
                                                                    "history is incomplete.")
                                                 .arg(fromStd(storeObserver->failure())));
        }
        finalState = toRunState(result.status);
        finalReason = localizedEngineText(fromStd(result.reason));
        adapterFolder = fromStd(result.adapterFolder);
    } catch (const std::exception& error) {
        finalReason = fromStd(error.what());
        buffer.onStatus(train::StatusChange{train::TrainingStatus::Failed, 0, error.what()});
    } catch (...) {
        finalReason = TrainingController::tr("training stopped by an unknown error");
        buffer.onStatus(train::StatusChange{train::TrainingStatus::Failed, 0, finalReason.toStdString()});
    }
    std::lock_guard<std::mutex> lock(inbox->mutex);
    inbox->finalState = finalState;
    inbox->finalReason = finalReason;
    inbox->adapterFolder = adapterFolder;
    inbox->done = true;
}

}  // namespace

TrainingController::TrainingController(QObject* parent) : QObject(parent) {
    qRegisterMetaType<StepPoint>();
    qRegisterMetaType<EvalPoint>();
    qRegisterMetaType<RankPoint>();
    qRegisterMetaType<RankAllocation>();
    qRegisterMetaType<RunStartInfo>();
    qRegisterMetaType<LogLine>();
    qRegisterMetaType<RunState>();
    flushTimer_ = new QTimer(this);
    flushTimer_->setInterval(flushIntervalMs);
    flushTimer_->setTimerType(Qt::PreciseTimer);  // a coarse timer may fire 5 % early: over 30 Hz
    connect(flushTimer_, &QTimer::timeout, this, &TrainingController::flush);
}

TrainingController::~TrainingController() {
    if (control_) control_->requestCancel();
    joinThread();
}

void TrainingController::joinThread() {
    if (thread_.joinable()) thread_.join();
}

QString TrainingController::defaultDemoFolder() {
    return QString::fromStdString(train::defaultDemoFolder());
}

train::TrainingConfig TrainingController::demoConfig(const QString& method, qint64 maxSteps, const QString& out) {
    return train::demoTrainingConfig(train::DemoAssets{}, method.toStdString(), maxSteps, out.toStdString());
}

bool TrainingController::start(const train::TrainingConfig& config) {
    return start(TrainingRequest{config, {}});
}

bool TrainingController::start(const TrainingRequest& request) {
    if (running_) return false;
    TrainingRequest adjusted = request;
    if (adjusted.config.threads == 0) {
        // Leave a core to the GUI: OpenMP workers spin at their barriers, so one preempted by the
        // GUI thread stalls all of them (2 threads on 2 busy cores ran the demo 7x slower than 1).
        adjusted.config.threads = std::max(1, QThread::idealThreadCount() - 1);
    }
    joinThread();  // a previous thread that ended but was not flushed yet
    inbox_ = std::make_shared<Inbox>();
    control_ = std::make_unique<train::TrainingControl>();
    runId_ = -1;
    running_ = true;
    Q_EMIT runningChanged(true);
    setState(RunState::Preparing, {});
    thread_ = std::thread(trainOnThisThread, inbox_, std::move(adjusted), control_.get(), trainingFunction_);
    flushTimer_->start();
    return true;
}

void TrainingController::pause() {
    if (running_ && control_) control_->requestPause();
}

void TrainingController::resume() {
    if (running_ && control_) control_->resume();
}

void TrainingController::stop() {
    if (running_ && control_) control_->requestCancel();
}

void TrainingController::setState(RunState state, const QString& reason) {
    state_ = state;
    Q_EMIT statusChanged(state, reason);
}

void TrainingController::flush() {
    // A local reference: a slot below may open a nested event loop in which this runs again.
    const std::shared_ptr<Inbox> inbox = inbox_;
    if (!inbox) return;
    std::optional<RunStartInfo> startInfo;
    QVector<StepPoint> steps;
    QVector<EvalPoint> evaluations;
    QVector<RankPoint> rankPoints;
    RankAllocation allocation;
    bool allocationChanged = false;
    QVector<LogLine> logs;
    QVector<std::pair<RunState, QString>> statuses;
    bool done = false;
    {
        // Swap the buffers out: the training thread waits on this mutex for microseconds only.
        std::lock_guard<std::mutex> lock(inbox->mutex);
        std::swap(startInfo, inbox->startInfo);
        steps.swap(inbox->steps);
        evaluations.swap(inbox->evaluations);
        rankPoints.swap(inbox->rankPoints);
        if (inbox->allocationChanged) {
            allocation = std::move(inbox->allocation);
            inbox->allocation = RankAllocation{};
            inbox->allocationChanged = false;
            allocationChanged = true;
        }
        logs.swap(inbox->logs);
        statuses.swap(inbox->statuses);
        done = inbox->done;
        if (inbox->runId >= 0) runId_ = inbox->runId;
    }
    const bool anything = startInfo || !steps.isEmpty() || !evaluations.isEmpty() || !rankPoints.isEmpty() ||
                          allocationChanged || !logs.isEmpty() || !statuses.isEmpty() || done;
    if (!anything) return;
    ++flushCount_;
    if (startInfo) Q_EMIT runStarted(*startInfo);
    if (!steps.isEmpty()) Q_EMIT stepsArrived(steps);
    if (!rankPoints.isEmpty() || allocationChanged) Q_EMIT ranksArrived(rankPoints, allocation);
    if (!evaluations.isEmpty()) Q_EMIT evalArrived(evaluations);
    if (!logs.isEmpty()) Q_EMIT logArrived(logs);
    for (const auto& [state, reason] : statuses) setState(state, reason);
    // Done, and not already reported by a nested flush: join, then report the end once.
    if (!done || inbox != inbox_) return;
    joinThread();
    flushTimer_->stop();
    RunState finalState;
    QString finalReason, adapterFolder;
    {
        std::lock_guard<std::mutex> lock(inbox->mutex);
        finalState = inbox->finalState;
        finalReason = inbox->finalReason;
        adapterFolder = inbox->adapterFolder;
    }
    if (state_ != finalState) setState(finalState, finalReason);
    running_ = false;
    control_.reset();
    inbox_.reset();
    Q_EMIT runningChanged(false);
    Q_EMIT finished(finalState, finalReason, adapterFolder);
}

}  // namespace capsule::ui
