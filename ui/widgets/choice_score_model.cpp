#include "widgets/choice_score_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include <cmath>

namespace capsule::ui {
namespace {

/// Three decimals, or two significant digits for values that would show as "-0.000".
QString formatLogLikelihood(double value) {
    return std::abs(value) < 0.0005 && value != 0.0 ? QString::number(value, 'g', 2) : QString::number(value, 'f', 3);
}

}  // namespace

ChoiceScoreModel::ChoiceScoreModel(QObject* parent) : QAbstractTableModel(parent) {}

void ChoiceScoreModel::setScores(const QVector<ChoiceScore>& scores) {
    beginResetModel();
    scores_ = scores;
    endResetModel();
}

int ChoiceScoreModel::bestBaseRow() const {
    int best = -1;
    for (int row = 0; row < scores_.size(); ++row)
        if (best < 0 || scores_[row].baseProbability > scores_[best].baseProbability) best = row;
    return best;
}

int ChoiceScoreModel::bestAdapterRow() const {
    int best = -1;
    for (int row = 0; row < scores_.size(); ++row)
        if (best < 0 || scores_[row].adapterProbability > scores_[best].adapterProbability) best = row;
    return best;
}

int ChoiceScoreModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(scores_.size()); }

int ChoiceScoreModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ChoiceScoreModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const ChoiceScore& score = scores_[index.row()];
    const int column = index.column();
    const bool baseSide = column == BaseLogLikelihoodColumn || column == BaseProbabilityColumn;
    const bool adapterSide = column == AdapterLogLikelihoodColumn || column == AdapterProbabilityColumn;
    const bool best = (baseSide && index.row() == bestBaseRow()) || (adapterSide && index.row() == bestAdapterRow());
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case ChoiceColumn: return score.choice;
        case BaseLogLikelihoodColumn: return formatLogLikelihood(score.baseLogLikelihood);
        case BaseProbabilityColumn: return QStringLiteral("%1 %").arg(score.baseProbability * 100.0, 0, 'f', 1);
        case AdapterLogLikelihoodColumn: return formatLogLikelihood(score.adapterLogLikelihood);
        case AdapterProbabilityColumn: return QStringLiteral("%1 %").arg(score.adapterProbability * 100.0, 0, 'f', 1);
        default: return {};
        }
    case Qt::UserRole:  // the raw numbers, for sorting and tests
        switch (column) {
        case ChoiceColumn: return score.choice;
        case BaseLogLikelihoodColumn: return score.baseLogLikelihood;
        case BaseProbabilityColumn: return score.baseProbability;
        case AdapterLogLikelihoodColumn: return score.adapterLogLikelihood;
        case AdapterProbabilityColumn: return score.adapterProbability;
        default: return {};
        }
    case Qt::TextAlignmentRole:
        return column == ChoiceColumn ? QVariant(int(Qt::AlignLeft | Qt::AlignVCenter))
                                      : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    case Qt::FontRole:
        if (best) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::BackgroundRole:
        // Pale tints of the two sides' colours (blue: base, green: adapter).
        if (best) return QBrush(baseSide ? QColor(214, 232, 248) : QColor(214, 241, 214));
        return {};
    case Qt::ForegroundRole:
        if (best) return QBrush(QColor(Qt::black));  // readable on the light tint in dark themes too
        return {};
    case Qt::ToolTipRole:
        if (best) return baseSide ? tr("The base model's answer") : tr("The adapter's answer");
        return {};
    default:
        return {};
    }
}

QVariant ChoiceScoreModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ChoiceColumn: return tr("Choice");
    case BaseLogLikelihoodColumn: return tr("Base log-lik.");
    case BaseProbabilityColumn: return tr("Base prob.");
    case AdapterLogLikelihoodColumn: return tr("Adapter log-lik.");
    case AdapterProbabilityColumn: return tr("Adapter prob.");
    default: return {};
    }
}

}  // namespace capsule::ui
