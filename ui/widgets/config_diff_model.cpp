#include "widgets/config_diff_model.h"

namespace capsule::ui {

ConfigDiffModel::ConfigDiffModel(QObject* parent) : QAbstractTableModel(parent) {}

void ConfigDiffModel::setDifferences(const QVector<ConfigDifference>& differences, const QStringList& runTitles) {
    beginResetModel();
    differences_ = differences;
    runTitles_ = runTitles;
    endResetModel();
}

QStringList ConfigDiffModel::keys() const {
    QStringList keys;
    for (const ConfigDifference& difference : differences_) keys << difference.key;
    return keys;
}

int ConfigDiffModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(differences_.size()); }

int ConfigDiffModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : 1 + int(runTitles_.size());
}

QVariant ConfigDiffModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const ConfigDifference& difference = differences_[index.row()];
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
    if (index.column() == 0) return difference.key;
    const int run = index.column() - 1;
    if (run >= difference.values.size()) return {};
    const QString& value = difference.values[run];
    // An absent key reads as a dash; the full text (long paths) in the tooltip.
    return value.isEmpty() && role == Qt::DisplayRole ? QStringLiteral("–") : value;
}

Qt::ItemFlags ConfigDiffModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QVariant ConfigDiffModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    if (section == 0) return tr("Setting");
    if (section - 1 < runTitles_.size() && section >= 1) return runTitles_[section - 1];
    return {};
}

}  // namespace capsule::ui
