#include "controller/run_history.h"

#include "store/run_store.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include <algorithm>
#include <exception>
#include <fstream>

namespace capsule::ui {
namespace {

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

QDateTime parseUtc(const std::string& text) {
    if (text.empty()) return {};
    QDateTime time = QDateTime::fromString(fromStd(text), Qt::ISODate);
    if (time.isValid()) time = time.toUTC();
    return time;
}

StoredRunStatus toStoredStatus(store::RunStatus status) {
    switch (status) {
    case store::RunStatus::Created: return StoredRunStatus::Created;
    case store::RunStatus::Running: return StoredRunStatus::Running;
    case store::RunStatus::Paused: return StoredRunStatus::Paused;
    case store::RunStatus::Finished: return StoredRunStatus::Finished;
    case store::RunStatus::Failed: return StoredRunStatus::Failed;
    case store::RunStatus::Cancelled: return StoredRunStatus::Cancelled;
    case store::RunStatus::Interrupted: return StoredRunStatus::Interrupted;
    }
    return StoredRunStatus::Failed;
}

/// A folder a run wrote: it holds an adapter, checkpoints or a best/ copy, or nothing at all.
/// Anything else (a user pointed `out` at a folder of their own) is never removed.
bool looksLikeRunFolder(const QDir& folder) {
    if (folder.isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System)) return true;
    for (const char* marker : {"adapter_config.json", "checkpoints", "best", "adapter_model.safetensors"})
        if (folder.exists(QString::fromLatin1(marker))) return true;
    return false;
}

}  // namespace

QString storedRunStatusName(StoredRunStatus status) {
    switch (status) {
    case StoredRunStatus::Created: return QStringLiteral("created");
    case StoredRunStatus::Running: return QStringLiteral("running");
    case StoredRunStatus::Paused: return QStringLiteral("paused");
    case StoredRunStatus::Finished: return QStringLiteral("finished");
    case StoredRunStatus::Failed: return QStringLiteral("failed");
    case StoredRunStatus::Cancelled: return QStringLiteral("cancelled");
    case StoredRunStatus::Interrupted: return QStringLiteral("interrupted");
    }
    return QStringLiteral("unknown");
}

bool RunRow::operator==(const RunRow& other) const {
    return id == other.id && name == other.name && method == other.method && model == other.model &&
           dataset == other.dataset && status == other.status && failureReason == other.failureReason &&
           hasBestEval == other.hasBestEval && bestEval == other.bestEval && bestEvalMetric == other.bestEvalMetric &&
           bestStep == other.bestStep && trainableParameters == other.trainableParameters &&
           totalParameters == other.totalParameters && durationSeconds == other.durationSeconds &&
           lastStep == other.lastStep && maxSteps == other.maxSteps && created == other.created &&
           started == other.started && finished == other.finished && outputDir == other.outputDir &&
           configJson == other.configJson;
}

RunHistory::RunHistory(const QString& storePath, QObject* parent)
    : QObject(parent),
      storePath_(storePath.isEmpty() ? fromStd(store::RunStore::defaultPath()) : storePath) {
    qRegisterMetaType<RunRow>();
    qRegisterMetaType<RunDetails>();
    timer_ = new QTimer(this);
    timer_->setInterval(refreshIntervalMs);
    connect(timer_, &QTimer::timeout, this, [this] { refresh(); });
}

RunHistory::~RunHistory() = default;

void RunHistory::fail(const QString& message) {
    lastError_ = message;
    Q_EMIT errorOccurred(message);
}

bool RunHistory::ensureOpen() {
    if (store_) return true;
    try {
        store_ = std::make_unique<store::RunStore>(storePath_.toStdString());
        if (!markedInterrupted_) {
            markedInterrupted_ = true;
            interruptedAtOpen_ = store_->markInterruptedRuns();
        }
        return true;
    } catch (const std::exception& error) {
        store_.reset();
        fail(tr("Cannot open the run history %1: %2").arg(storePath_, fromStd(error.what())));
        return false;
    }
}

bool RunHistory::open() {
    return ensureOpen() && refresh();
}

std::optional<RunRow> RunHistory::run(qint64 runId) const {
    for (const RunRow& row : runs_)
        if (row.id == runId) return row;
    return std::nullopt;
}

bool RunHistory::refresh() {
    if (!ensureOpen()) return false;
    QVector<RunRow> rows;
    try {
        const std::vector<store::RunRecord> records = store_->listRuns();
        rows.reserve(static_cast<int>(records.size()));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (const store::RunRecord& record : records) {
            RunRow row;
            row.id = record.id;
            row.name = fromStd(record.name);
            row.method = fromStd(record.method);
            row.model = fromStd(record.baseModel);
            row.dataset = fromStd(record.dataset);
            row.status = toStoredStatus(record.status);
            row.failureReason = fromStd(record.failureReason);
            row.hasBestEval = record.bestEval.has_value();
            row.bestEval = record.bestEval.value_or(0.0);
            row.bestEvalMetric = fromStd(record.bestEvalMetric);
            row.bestStep = record.bestStep.value_or(-1);
            row.trainableParameters = record.trainableParameters.value_or(-1);
            row.totalParameters = record.totalParameters.value_or(-1);
            if (row.trainableParameters >= 0 && row.totalParameters > 0)
                row.trainablePercent = 100.0 * double(row.trainableParameters) / double(row.totalParameters);
            row.lastStep = record.lastStep.value_or(-1);
            row.maxSteps = record.maxSteps.value_or(-1);
            row.created = parseUtc(record.createdAt);
            row.started = parseUtc(record.startedAt);
            row.finished = parseUtc(record.finishedAt);
            row.outputDir = fromStd(record.outputDir);
            row.configJson = fromStd(record.configJson);
            if (row.status == StoredRunStatus::Interrupted) {
                // finishedAt is when the studio noticed, maybe days later: the last recorded step's
                // time since the start is what was trained (one indexed row).
                if (row.lastStep >= 0) {
                    const auto last = store_->metrics(record.id, "loss", row.lastStep - 1);
                    if (!last.empty()) row.durationSeconds = last.back().timeSeconds;
                }
            } else if (row.started.isValid()) {
                const QDateTime end = row.finished.isValid() ? row.finished : (isLive(row.status) ? now : QDateTime());
                if (end.isValid()) row.durationSeconds = std::max<qint64>(0, row.started.secsTo(end));
            }
            rows.append(std::move(row));
        }
    } catch (const std::exception& error) {
        fail(tr("Cannot read the run history %1: %2").arg(storePath_, fromStd(error.what())));
        return false;
    }
    const bool changed = rows != runs_;
    runs_ = std::move(rows);
    updateTimer();
    if (changed) Q_EMIT runsChanged();
    return true;
}

void RunHistory::setLiveRefresh(bool live) {
    liveRefresh_ = live;
    updateTimer();
}

bool RunHistory::isRefreshTimerActive() const {
    return timer_->isActive();
}

void RunHistory::updateTimer() {
    const bool anyLive = std::any_of(runs_.begin(), runs_.end(), [](const RunRow& row) { return isLive(row.status); });
    const bool wanted = store_ && (liveRefresh_ || anyLive);
    if (wanted && !timer_->isActive()) timer_->start();
    if (!wanted && timer_->isActive()) timer_->stop();
}

bool RunHistory::rename(qint64 runId, const QString& name) {
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty()) {
        fail(tr("A run needs a name."));
        return false;
    }
    if (!ensureOpen()) return false;
    try {
        store_->rename(runId, trimmed.toStdString());
    } catch (const std::exception& error) {
        fail(tr("Cannot rename run %1: %2").arg(runId).arg(fromStd(error.what())));
        return false;
    }
    return refresh();
}

QString RunHistory::folderDeletedWith(qint64 runId) const {
    const std::optional<RunRow> row = run(runId);
    if (!row || row->outputDir.isEmpty()) return {};
    const QFileInfo info(row->outputDir);
    if (!info.isDir()) return {};
    const QString folder = info.canonicalFilePath();
    // Never a root, the home folder, or a folder that holds the store itself.
    const QString storeFolder = QFileInfo(QFileInfo(storePath_).absolutePath()).canonicalFilePath();
    if (folder.isEmpty() || QDir(folder).isRoot() || folder == QDir::homePath() ||
        folder == QDir(QDir::homePath()).canonicalPath() ||
        (!storeFolder.isEmpty() && (storeFolder == folder || storeFolder.startsWith(folder + QLatin1Char('/')))))
        return {};
    for (const RunRow& other : runs_) {
        if (other.id == runId || other.outputDir.isEmpty()) continue;
        // A resumed or extended run writes into the same folder: it keeps its files.
        if (QFileInfo(other.outputDir).canonicalFilePath() == folder) return {};
    }
    if (!looksLikeRunFolder(QDir(folder))) return {};
    return folder;
}

bool RunHistory::deleteRun(qint64 runId, bool removeFiles) {
    if (!ensureOpen()) return false;
    const QString folder = removeFiles ? folderDeletedWith(runId) : QString();
    try {
        store_->deleteRun(runId);
    } catch (const std::exception& error) {
        fail(tr("Cannot delete run %1: %2").arg(runId).arg(fromStd(error.what())));
        return false;
    }
    bool removed = true;
    if (!folder.isEmpty() && !QDir(folder).removeRecursively()) {
        removed = false;
        fail(tr("Run %1 was deleted, but its folder %2 could not be removed completely.").arg(runId).arg(folder));
    }
    return refresh() && removed;
}

QVector<RunEvent> RunHistory::events(qint64 runId) {
    QVector<RunEvent> result;
    if (!ensureOpen()) return result;
    try {
        for (const store::EventRecord& event : store_->events(runId))
            result.append(RunEvent{parseUtc(event.time), fromStd(event.level), fromStd(event.message)});
    } catch (const std::exception& error) {
        fail(tr("Cannot read the events of run %1: %2").arg(runId).arg(fromStd(error.what())));
    }
    return result;
}

QVector<CheckpointInfo> RunHistory::findCheckpoints(const QString& outputDir) {
    QVector<CheckpointInfo> checkpoints;
    if (outputDir.isEmpty()) return checkpoints;
    const QDir folder(QDir(outputDir).filePath(QStringLiteral("checkpoints")));
    const QStringList names = folder.entryList({QStringLiteral("step-*")}, QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& name : names) {
        bool isNumber = false;
        const qint64 step = name.mid(5).toLongLong(&isNumber);
        if (!isNumber || step < 0) continue;  // step-12.tmp-... leftovers of an interrupted write
        CheckpointInfo info;
        info.folder = folder.filePath(name);
        info.step = step;
        const QString statePath = QDir(info.folder).filePath(QStringLiteral("trainer_state.json"));
        info.written = QFileInfo(statePath).lastModified();
        try {
            std::ifstream stream(statePath.toStdString(), std::ios::binary);
            if (!stream) throw std::runtime_error("trainer_state.json is missing");
            const nlohmann::json state = nlohmann::json::parse(stream);
            info.step = state.at("step").get<int64_t>();
            const nlohmann::json& best = state.value("best_metric", nlohmann::json());
            if (best.is_number()) {
                info.hasBestMetric = true;
                info.bestMetric = best.get<double>();
                info.bestMetricName = fromStd(state.value("best_metric_name", std::string()));
                info.bestStep = state.value("best_step", int64_t{0});
            }
            info.valid = state.contains("config") && state.at("config").is_object();
            if (!info.valid) info.problem = tr("trainer_state.json has no config");
        } catch (const std::exception& error) {
            info.valid = false;
            info.problem = fromStd(error.what());
        }
        checkpoints.append(info);
    }
    std::sort(checkpoints.begin(), checkpoints.end(),
              [](const CheckpointInfo& a, const CheckpointInfo& b) { return a.step < b.step; });
    return checkpoints;
}

std::optional<RunDetails> RunHistory::loadRun(qint64 runId) {
    if (!ensureOpen()) return std::nullopt;
    RunDetails details;
    try {
        // The row itself, fresh (the cached list may be a second old).
        refresh();
        const std::optional<RunRow> row = run(runId);
        if (!row) {
            fail(tr("Run %1 is not in the run history.").arg(runId));
            return std::nullopt;
        }
        details.run = *row;

        // Metric points: one StepPoint per step from the per-step metrics; eval points likewise.
        QMap<qint64, StepPoint> steps;
        QMap<qint64, EvalPoint> evaluations;
        for (const store::MetricPoint& point : store_->metrics(runId)) {
            const QString name = fromStd(point.name);
            details.series[name].append(QPointF(double(point.step), point.value));
            if (name == QLatin1String("eval_loss") || name == QLatin1String("eval_perplexity") ||
                name == QLatin1String("accuracy")) {
                EvalPoint& eval = evaluations[point.step];
                eval.step = point.step;
                if (name == QLatin1String("eval_loss")) eval.loss = point.value;
                else if (name == QLatin1String("eval_perplexity")) eval.perplexity = point.value;
                else {
                    eval.hasAccuracy = true;
                    eval.accuracy = point.value;
                }
                continue;
            }
            if (name == QLatin1String("eval_tfew_loss")) continue;
            StepPoint& step = steps[point.step];
            step.step = point.step;
            step.maxSteps = std::max<qint64>(0, details.run.maxSteps);
            step.elapsedSeconds = std::max(step.elapsedSeconds, point.timeSeconds);
            if (name == QLatin1String("loss")) step.loss = point.value;
            else if (name == QLatin1String("lr")) step.learningRate = point.value;
            else if (name == QLatin1String("grad_norm")) step.gradNorm = point.value;
            else if (name == QLatin1String("tokens_per_s")) step.tokensPerSecond = point.value;
            else if (name == QLatin1String("samples_per_s")) step.samplesPerSecond = point.value;
            else if (name == QLatin1String("epoch")) step.epoch = point.value;
            else if (name == QLatin1String("memory_bytes")) step.memoryBytes = static_cast<qint64>(point.value);
            else if (name == QLatin1String("gpu_memory_bytes")) step.gpuMemoryBytes = static_cast<qint64>(point.value);
        }
        details.steps = steps.values().toVector();
        // "Best so far" as the trainer judged it: accuracy when measured (higher is better), else loss.
        std::optional<double> best;
        for (EvalPoint eval : evaluations) {
            const double value = eval.hasAccuracy ? -eval.accuracy : eval.loss;
            eval.improved = !best || value < *best;
            if (eval.improved) best = value;
            details.evaluations.append(eval);
        }

        const std::vector<store::RankSnapshotRecord> snapshots = store_->rankSnapshots(runId);
        details.rankSnapshotCount = static_cast<int>(snapshots.size());
        for (const store::RankSnapshotRecord& snapshot : snapshots)
            details.rankPoints.append(RankPoint{snapshot.step, snapshot.budget, snapshot.totalRank});
        if (!snapshots.empty()) {
            const store::RankSnapshotRecord& newest = snapshots.back();
            RankAllocation allocation;
            allocation.step = newest.step;
            allocation.budget = newest.budget;
            allocation.totalRank = newest.totalRank;
            try {
                const nlohmann::json payload = nlohmann::json::parse(newest.payloadJson);
                for (const nlohmann::json& module : payload.value("modules", nlohmann::json::array())) {
                    ModuleRankCell cell;
                    cell.name = fromStd(module.value("name", std::string()));
                    cell.layer = module.value("layer", -1);
                    const std::string kind = module.value("kind", std::string());
                    cell.moduleKind = kind.empty() ? cell.name : fromStd(kind);
                    cell.rank = module.value("rank", 0);
                    cell.initialRank = module.value("initial_rank", 0);
                    for (const nlohmann::json& score : module.value("importance", nlohmann::json::array()))
                        if (score.is_number()) cell.importance.append(score.get<float>());
                    allocation.modules.append(std::move(cell));
                }
                details.latestAllocation = std::move(allocation);
            } catch (const nlohmann::json::exception& error) {
                // The budget curve still shows; only the heatmap is missing.
                details.events.append(RunEvent{QDateTime(), QStringLiteral("warning"),
                                               tr("the newest rank snapshot (step %1) cannot be read: %2")
                                                   .arg(newest.step)
                                                   .arg(fromStd(error.what()))});
            }
        }

        for (const store::EventRecord& event : store_->events(runId))
            details.events.append(RunEvent{parseUtc(event.time), fromStd(event.level), fromStd(event.message)});

        try {
            const nlohmann::json config = nlohmann::json::parse(details.run.configJson.toStdString());
            details.tinit = config.value("tinit", int64_t{0});
            details.tfinal = config.value("tfinal", int64_t{0});
        } catch (const nlohmann::json::exception&) {
            // An unreadable config only loses the AdaLoRA phase marks.
        }
    } catch (const std::exception& error) {
        fail(tr("Cannot read run %1 from %2: %3").arg(runId).arg(storePath_, fromStd(error.what())));
        return std::nullopt;
    }

    details.checkpoints = findCheckpoints(details.run.outputDir);
    for (CheckpointInfo& checkpoint : details.checkpoints) {
        for (const EvalPoint& eval : details.evaluations) {
            if (eval.step > checkpoint.step) break;
            checkpoint.hasEval = true;
            checkpoint.evalStep = eval.step;
            checkpoint.evalLoss = eval.loss;
            checkpoint.hasAccuracy = eval.hasAccuracy;
            checkpoint.evalAccuracy = eval.accuracy;
        }
    }
    return details;
}

std::optional<train::TrainingConfig> RunHistory::continuationConfig(qint64 runId, const QString& checkpointFolder,
                                                                    qint64 maxSteps, QString* problem) const {
    auto failWith = [problem](const QString& text) -> std::optional<train::TrainingConfig> {
        if (problem) *problem = text;
        return std::nullopt;
    };
    const std::optional<RunRow> row = run(runId);
    if (!row) return failWith(tr("Run %1 is not in the run history.").arg(runId));
    if (!QFileInfo::exists(QDir(checkpointFolder).filePath(QStringLiteral("trainer_state.json"))))
        return failWith(tr("%1 is not a checkpoint (trainer_state.json is missing).").arg(checkpointFolder));
    try {
        train::TrainingConfig config =
            train::trainingConfigFromJson(nlohmann::json::parse(row->configJson.toStdString()), "run " + std::to_string(runId));
        config.resume = checkpointFolder.toStdString();
        config.store = storePath_.toStdString();
        if (maxSteps > 0) config.maxSteps = maxSteps;
        return config;
    } catch (const std::exception& error) {
        return failWith(tr("The stored config of run %1 cannot be used: %2").arg(runId).arg(fromStd(error.what())));
    }
}

}  // namespace capsule::ui
