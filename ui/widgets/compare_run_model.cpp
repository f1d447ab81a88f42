#include "widgets/compare_run_model.h"

#include "widgets/chart_style.h"
#include "widgets/history_table_model.h"

#include <QCoreApplication>

#include <algorithm>

namespace capsule::ui {

QString formatParameterCount(qint64 count) {
    if (count < 0) return QStringLiteral("–");
    if (count >= 1'000'000'000) return QStringLiteral("%1 B").arg(count / 1e9, 0, 'f', 2);
    if (count >= 1'000'000) return QStringLiteral("%1 M").arg(count / 1e6, 0, 'f', 2);
    if (count >= 10'000) return QStringLiteral("%1 k").arg(count / 1e3, 0, 'f', 1);
    return QString::number(count);
}

QString formatBestMetric(const RunSummary& run) {
    if (!run.hasBestMetric) return QStringLiteral("–");
    if (run.bestMetricName == QLatin1String("accuracy"))
        return QStringLiteral("%1 %").arg(run.bestMetric * 100.0, 0, 'f', 1);
    return QString::number(run.bestMetric, 'f', 4);
}

namespace {

/// "finished" -> "Finished" (translated), as the History page shows it; unknown names as they are.
QString statusTitle(const QString& storeName) {
    for (const StoredRunStatus status : {StoredRunStatus::Created, StoredRunStatus::Running, StoredRunStatus::Paused,
                                         StoredRunStatus::Finished, StoredRunStatus::Failed, StoredRunStatus::Cancelled,
                                         StoredRunStatus::Interrupted})
        if (storedRunStatusName(status) == storeName) return HistoryTableModel::statusTitle(status);
    return storeName;
}

}  // namespace

QString formatRunCost(const RunSummary& run) {
    if (run.isBaseline) {
        if (run.promptTokensPerExample < 0) return {};
        return CompareRunModel::tr("%1 tokens · %2 ms / example")
            .arg(run.promptTokensPerExample, 0, 'f', 0)
            .arg(run.secondsPerExample * 1000.0, 0, 'f', run.secondsPerExample < 0.01 ? 2 : 1);
    }
    if (run.durationSeconds < 0) return {};
    return run.durationSeconds < 60 ? CompareRunModel::tr("trained %1 s").arg(run.durationSeconds, 0, 'f', 1)
                                    : CompareRunModel::tr("trained %1").arg(charts::formatDuration(run.durationSeconds));
}

CompareRunModel::CompareRunModel(QObject* parent) : QAbstractTableModel(parent) {}

void CompareRunModel::setRuns(const QVector<RunSummary>& runs) {
    beginResetModel();
    runs_ = runs;
    QSet<qint64> present;
    for (const RunSummary& run : runs_) present.insert(run.id);
    const QSet<qint64> before = checked_;
    checked_.intersect(present);
    endResetModel();
    if (checked_ != before) Q_EMIT checkedRunsChanged();
}

QVector<qint64> CompareRunModel::checkedRunIds() const {
    QVector<qint64> ids;
    for (const RunSummary& run : runs_)
        if (checked_.contains(run.id)) ids << run.id;
    return ids;
}

bool CompareRunModel::setRunChecked(qint64 runId, bool checked) {
    const auto found = std::find_if(runs_.cbegin(), runs_.cend(), [&](const RunSummary& run) { return run.id == runId; });
    if (found == runs_.cend()) return false;
    if (checked_.contains(runId) == checked) return true;
    if (checked) checked_.insert(runId);
    else checked_.remove(runId);
    const QModelIndex cell = index(int(found - runs_.cbegin()), NameColumn);
    Q_EMIT dataChanged(cell, cell, {Qt::CheckStateRole});
    Q_EMIT checkedRunsChanged();
    return true;
}

void CompareRunModel::setCheckedRunIds(const QVector<qint64>& runIds) {
    QSet<qint64> wanted;
    for (const RunSummary& run : runs_)
        if (runIds.contains(run.id)) wanted.insert(run.id);
    if (wanted == checked_) return;
    checked_ = wanted;
    if (!runs_.isEmpty()) Q_EMIT dataChanged(index(0, NameColumn), index(rowCount() - 1, NameColumn), {Qt::CheckStateRole});
    Q_EMIT checkedRunsChanged();
}

void CompareRunModel::clearChecks() {
    if (checked_.isEmpty()) return;
    checked_.clear();
    if (!runs_.isEmpty()) Q_EMIT dataChanged(index(0, NameColumn), index(rowCount() - 1, NameColumn), {Qt::CheckStateRole});
    Q_EMIT checkedRunsChanged();
}

int CompareRunModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(runs_.size()); }

int CompareRunModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant CompareRunModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const RunSummary& run = runs_[index.row()];
    if (role == RunIdRole) return run.id;
    if (role == Qt::CheckStateRole && index.column() == NameColumn)
        return checked_.contains(run.id) ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::TextAlignmentRole && (index.column() == TrainableColumn || index.column() == BestColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == CostColumn)
        return run.isBaseline ? tr("In-context baseline: nothing is trained; every example is answered with %1 "
                                   "demonstrations in its prompt (%2 tokens instead of %3)")
                                    .arg(run.shots)
                                    .arg(run.promptTokensPerExample, 0, 'f', 1)
                                    .arg(run.zeroShotPromptTokens, 0, 'f', 1)
                              : tr("Wall time of the training run");
    if (role == Qt::ToolTipRole) {
        return tr("#%1 %2\nmodel: %3\ndata: %4\ntrainable: %5 of %6 (%7 %)\nstarted %8")
            .arg(run.id)
            .arg(run.name, run.model, run.dataset, formatParameterCount(run.trainableParameters),
                 formatParameterCount(run.totalParameters))
            .arg(run.trainablePercent, 0, 'f', 3)
            .arg(run.createdAt);
    }
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
    case NameColumn: return run.name.isEmpty() ? tr("run %1").arg(run.id) : run.name;
    case MethodColumn: return run.method;
    case StatusColumn: return statusTitle(run.status);
    case TrainableColumn: return formatParameterCount(run.trainableParameters);
    case BestColumn: return formatBestMetric(run);
    case CostColumn: return formatRunCost(run);
    default: return {};
    }
}

bool CompareRunModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return false;
    if (role != Qt::CheckStateRole || index.column() != NameColumn) return false;
    return setRunChecked(runs_[index.row()].id, value.toInt() == Qt::Checked);
}

Qt::ItemFlags CompareRunModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    if (index.column() == NameColumn) flags |= Qt::ItemIsUserCheckable;
    return flags;
}

QVariant CompareRunModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case NameColumn: return tr("Run");
    case MethodColumn: return tr("Method");
    case StatusColumn: return tr("Status");
    case TrainableColumn: return tr("Trainable");
    case BestColumn: return tr("Best eval");
    case CostColumn: return tr("Cost");
    default: return {};
    }
}

}  // namespace capsule::ui
