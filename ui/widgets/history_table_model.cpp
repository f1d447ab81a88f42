#include "widgets/history_table_model.h"

#include "widgets/chart_style.h"

#include <QBrush>
#include <QColor>
#include <QFileInfo>
#include <QIcon>
#include <QLocale>
#include <QPainter>
#include <QPixmap>

namespace capsule::ui {
namespace {

QString lastPathPart(const QString& path) {
    const QString name = QFileInfo(path).fileName();
    return name.isEmpty() ? path : name;
}

/// A filled dot in the status colour: the status reads at a glance, also without colour vision
/// (the text is next to it).
QIcon statusIcon(StoredRunStatus status) {
    QPixmap pixmap(14, 14);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(HistoryTableModel::statusColor(status));
    if (status == StoredRunStatus::Interrupted || status == StoredRunStatus::Failed) {
        // A triangle for the runs that need attention.
        const QPointF points[] = {{7, 1.5}, {13, 12.5}, {1, 12.5}};
        painter.drawPolygon(points, 3);
    } else {
        painter.drawEllipse(QRectF(2, 2, 10, 10));
    }
    return QIcon(pixmap);
}

}  // namespace

HistoryTableModel::HistoryTableModel(RunHistory* history, QObject* parent)
    : QAbstractTableModel(parent), history_(history) {}

QStringList HistoryTableModel::columnTitles() {
    return {tr("Name"), tr("Method"), tr("Model"), tr("Dataset"), tr("Status"), tr("Best eval"),
            tr("Trainable params"), tr("Duration"), tr("Created"), tr("Output folder")};
}

QString HistoryTableModel::methodTitle(const QString& method) {
    if (method == QLatin1String("lora")) return tr("LoRA");
    if (method == QLatin1String("adalora")) return tr("AdaLoRA");
    if (method == QLatin1String("ia3")) return tr("(IA)³");
    if (method == QLatin1String("prompt-tuning")) return tr("Prompt tuning");
    if (method == QLatin1String("prefix-tuning")) return tr("Prefix tuning");
    if (method == QLatin1String("p-tuning")) return tr("P-tuning");
    if (method == QLatin1String("t-few")) return tr("T-Few");
    if (method == QLatin1String("icl")) return tr("ICL baseline", "in-context learning: the untrained model with demonstrations in its prompt");
    return method;
}

QString HistoryTableModel::statusTitle(StoredRunStatus status) {
    switch (status) {
    case StoredRunStatus::Created: return tr("Created", "run status: made, not started yet");
    case StoredRunStatus::Running: return tr("Running");
    case StoredRunStatus::Paused: return tr("Paused");
    case StoredRunStatus::Finished: return tr("Finished");
    case StoredRunStatus::Failed: return tr("Failed");
    case StoredRunStatus::Cancelled: return tr("Stopped");
    case StoredRunStatus::Interrupted: return tr("Interrupted");
    }
    return {};
}

QColor HistoryTableModel::statusColor(StoredRunStatus status) {
    // The dashboard's state colours, so a status looks the same on both pages.
    switch (status) {
    case StoredRunStatus::Created: return QColor(0x6b, 0x6b, 0x6b);
    case StoredRunStatus::Running: return QColor(0x1f, 0x77, 0xb4);
    case StoredRunStatus::Paused: return QColor(0xb2, 0x6a, 0x00);
    case StoredRunStatus::Finished: return QColor(0x2c, 0xa0, 0x2c);
    case StoredRunStatus::Failed: return QColor(0xc6, 0x28, 0x28);
    case StoredRunStatus::Cancelled: return QColor(0x6b, 0x6b, 0x6b);
    case StoredRunStatus::Interrupted: return QColor(0xd3, 0x54, 0x00);
    }
    return Qt::gray;
}

void HistoryTableModel::setRuns(const QVector<RunRow>& runs) {
    bool sameRows = runs.size() == runs_.size();
    for (int row = 0; sameRows && row < runs.size(); ++row) sameRows = runs[row].id == runs_[row].id;
    if (!sameRows) {
        beginResetModel();
        runs_ = runs;
        endResetModel();
        return;
    }
    // Same runs in the same order: update values in place (selection and editors stay).
    for (int row = 0; row < runs.size(); ++row) {
        if (runs[row] == runs_[row]) continue;
        runs_[row] = runs[row];
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

const RunRow* HistoryTableModel::runAt(int row) const {
    return row >= 0 && row < runs_.size() ? &runs_[row] : nullptr;
}

int HistoryTableModel::rowOfRun(qint64 runId) const {
    for (int row = 0; row < runs_.size(); ++row)
        if (runs_[row].id == runId) return row;
    return -1;
}

int HistoryTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(runs_.size());
}

int HistoryTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryTableModel::displayValue(const RunRow& run, int column) const {
    const QLocale locale;
    switch (column) {
    case NameColumn: return run.name;
    case MethodColumn: return methodTitle(run.method);
    case ModelColumn: return lastPathPart(run.model);
    case DatasetColumn: return lastPathPart(run.dataset);
    case StatusColumn:
        if (isLive(run.status) && run.lastStep >= 0 && run.maxSteps > 0)
            return tr("%1 (%2 / %3)").arg(statusTitle(run.status)).arg(run.lastStep).arg(run.maxSteps);
        return statusTitle(run.status);
    case BestEvalColumn:
        if (!run.hasBestEval) return QStringLiteral("–");
        if (run.bestEvalMetric == QLatin1String("accuracy"))
            return tr("accuracy %1 %").arg(locale.toString(run.bestEval * 100.0, 'f', 1));
        return tr("loss %1").arg(locale.toString(run.bestEval, 'f', 4));
    case TrainableColumn:
        if (run.trainableParameters < 0) return QStringLiteral("–");
        if (run.trainablePercent < 0) return locale.toString(run.trainableParameters);
        return tr("%1 (%2 %)").arg(locale.toString(run.trainableParameters),
                                   locale.toString(run.trainablePercent, 'f', run.trainablePercent < 0.1 ? 3 : 2));
    case DurationColumn: return run.durationSeconds < 0 ? QStringLiteral("–") : charts::formatDuration(run.durationSeconds);
    case CreatedColumn: return run.created.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    case OutputColumn: return run.outputDir;
    default: return {};
    }
}

QVariant HistoryTableModel::sortValue(const RunRow& run, int column) const {
    switch (column) {
    case StatusColumn: return statusTitle(run.status);
    case BestEvalColumn:
        // Accuracy (higher is better) and loss (lower is better) do not compare; group by metric,
        // then by value so the best of each metric sorts together.
        if (!run.hasBestEval) return QStringLiteral("~");
        return QStringLiteral("%1 %2").arg(run.bestEvalMetric).arg(run.bestEval, 20, 'f', 8, QLatin1Char('0'));
    case TrainableColumn: return run.trainableParameters;
    case DurationColumn: return run.durationSeconds;
    case CreatedColumn: return run.created;
    default: return displayValue(run, column);
    }
}

QVariant HistoryTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const RunRow& run = runs_[index.row()];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: return displayValue(run, column);
    case Qt::EditRole: return column == NameColumn ? QVariant(run.name) : displayValue(run, column);
    case RunIdRole: return run.id;
    case SortRole: return sortValue(run, column);
    case StatusRole: return static_cast<int>(run.status);
    case Qt::DecorationRole:
        if (column == StatusColumn) return statusIcon(run.status);
        return {};
    case Qt::ForegroundRole:
        if (column == StatusColumn) return QBrush(statusColor(run.status));
        return {};
    case Qt::TextAlignmentRole:
        if (column == TrainableColumn || column == DurationColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case Qt::ToolTipRole:
        switch (column) {
        case ModelColumn: return run.model;
        case DatasetColumn: return run.dataset;
        case StatusColumn: return run.failureReason.isEmpty() ? statusTitle(run.status) : run.failureReason;
        case BestEvalColumn:
            return run.hasBestEval ? tr("best %1 at step %2").arg(run.bestEvalMetric).arg(run.bestStep) : QVariant();
        case NameColumn: return tr("Run %1 — F2 renames it").arg(run.id);
        default: return displayValue(run, column);
        }
    default: return {};
    }
}

QVariant HistoryTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount) return {};
    return columnTitles().value(section);
}

Qt::ItemFlags HistoryTableModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::NoItemFlags;
    Qt::ItemFlags result = Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemNeverHasChildren;
    if (index.column() == NameColumn && history_) result |= Qt::ItemIsEditable;
    return result;
}

bool HistoryTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::EditRole || !history_ || index.column() != NameColumn ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    const qint64 runId = runs_[index.row()].id;
    const QString name = value.toString().trimmed();
    if (name.isEmpty() || name == runs_[index.row()].name) return false;
    // rename() refreshes the history, which updates this row through setRuns().
    if (!history_->rename(runId, name)) return false;
    const int row = rowOfRun(runId);
    if (row >= 0 && runs_[row].name != name) {
        runs_[row].name = name;
        Q_EMIT dataChanged(this->index(row, NameColumn), this->index(row, NameColumn));
    }
    return true;
}

}  // namespace capsule::ui
