#pragma once
// The Compare page's config diff: one row per setting whose value differs across the compared
// runs, the setting's key in the first column and each run's value in its own column.
#include "controller/run_comparison.h"

#include <QAbstractTableModel>

namespace capsule::ui {

class ConfigDiffModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit ConfigDiffModel(QObject* parent = nullptr);

    /// `runTitles` are the column headers after "Setting" (one per run, as in each difference).
    void setDifferences(const QVector<ConfigDifference>& differences, const QStringList& runTitles);
    const QVector<ConfigDifference>& differences() const { return differences_; }
    /// The keys shown, in row order.
    QStringList keys() const;

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<ConfigDifference> differences_;
    QStringList runTitles_;
};

}  // namespace capsule::ui
