#pragma once
// The playground's table of scored choices: one row per choice, the base model's and the
// adapter's log-likelihood and probability side by side. The best choice of each side is shown
// bold on a tinted background (rank classification's answer).
#include "controller/playground_controller.h"

#include <QAbstractTableModel>
#include <QVector>

namespace capsule::ui {

class ChoiceScoreModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ChoiceColumn, BaseLogLikelihoodColumn, BaseProbabilityColumn, AdapterLogLikelihoodColumn,
                  AdapterProbabilityColumn, ColumnCount };

    explicit ChoiceScoreModel(QObject* parent = nullptr);

    void setScores(const QVector<ChoiceScore>& scores);
    const QVector<ChoiceScore>& scores() const { return scores_; }
    /// Row of the most likely choice for the base model / the adapter; -1 when empty.
    int bestBaseRow() const;
    int bestAdapterRow() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<ChoiceScore> scores_;
};

}  // namespace capsule::ui
