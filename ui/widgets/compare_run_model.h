#pragma once
// The Compare page's run list: every run in the store as a table with a check box per run (the
// runs to overlay). Refreshing from the store keeps the ticks of runs that are still there.
#include "controller/run_comparison.h"

#include <QAbstractTableModel>
#include <QSet>

namespace capsule::ui {

class CompareRunModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn = 0, MethodColumn, StatusColumn, TrainableColumn, BestColumn, CostColumn, ColumnCount };
    /// Qt::UserRole on any column: the run id (qint64).
    static constexpr int RunIdRole = Qt::UserRole;

    explicit CompareRunModel(QObject* parent = nullptr);

    /// Replaces the rows (newest first as the store lists them); ticks of ids not in `runs` drop.
    void setRuns(const QVector<RunSummary>& runs);
    const QVector<RunSummary>& runs() const { return runs_; }

    /// The ticked runs' ids in list order.
    QVector<qint64> checkedRunIds() const;
    /// Ticks or unticks run `runId`; false when no such row. Emits checkedRunsChanged on change.
    bool setRunChecked(qint64 runId, bool checked);
    /// Ticks exactly these runs (ids not listed are ignored); one checkedRunsChanged at most.
    void setCheckedRunIds(const QVector<qint64>& runIds);
    void clearChecks();

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void checkedRunsChanged();

private:
    QVector<RunSummary> runs_;
    QSet<qint64> checked_;
};

/// "1.2 M", "36.9 k", "512": parameter counts for narrow columns and labels.
QString formatParameterCount(qint64 count);
/// "81.3 %" for accuracy (0..1), "0.4123" for a loss; "–" when the run has none.
QString formatBestMetric(const RunSummary& run);
/// What a run cost: for an in-context baseline its inference per example ("38 tokens · 12.1 ms /
/// example"), for a trained run its training time ("trained 1.5 s"); "" when unknown.
QString formatRunCost(const RunSummary& run);

}  // namespace capsule::ui
