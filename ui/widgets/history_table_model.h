#pragma once
// The History page's table: one row per run from a RunHistory, columns for name, method, model,
// dataset, status (coloured, with an icon), best eval, trainable parameters (and % of the model),
// duration, creation time and output folder. Refreshes keep rows in place when the run list only
// changed in values (a live run's step and duration), so the selection and scroll survive the
// one-second refresh. The Name column is editable: editing renames the run in the store.
#include "controller/run_history.h"

#include <QAbstractTableModel>
#include <QVector>

namespace capsule::ui {

class HistoryTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, MethodColumn, ModelColumn, DatasetColumn, StatusColumn, BestEvalColumn,
                  TrainableColumn, DurationColumn, CreatedColumn, OutputColumn, ColumnCount };
    enum Role {
        RunIdRole = Qt::UserRole + 1,  // qint64 run id (every column)
        SortRole,                      // a sortable value: numbers as numbers, times as QDateTime
        StatusRole,                    // int(StoredRunStatus)
    };

    /// `history` (not owned) receives renames; may be null (read-only table).
    explicit HistoryTableModel(RunHistory* history = nullptr, QObject* parent = nullptr);

    static QStringList columnTitles();
    /// "LoRA", "AdaLoRA", "(IA)³", ... for a CLI method name (the name itself when unknown).
    static QString methodTitle(const QString& method);
    static QString statusTitle(StoredRunStatus status);
    static QColor statusColor(StoredRunStatus status);

    void setRuns(const QVector<RunRow>& runs);
    const QVector<RunRow>& runs() const { return runs_; }
    /// The run at `row`, or null.
    const RunRow* runAt(int row) const;
    int rowOfRun(qint64 runId) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

private:
    QVariant displayValue(const RunRow& run, int column) const;
    QVariant sortValue(const RunRow& run, int column) const;

    RunHistory* history_;
    QVector<RunRow> runs_;
};

}  // namespace capsule::ui
