#pragma once
// AdaLoRA's allocation as bars: one bar per adapted matrix in model order, its height the rank
// kept (of init_r, drawn as a faint bar behind), coloured by module kind. During training it
// follows the newest allocation; when the run ends it is the final allocation, the answer to
// "which layers did AdaLoRA find worth the budget". Hovering a bar shows the module's name, its
// rank and the importance scores of its kept and pruned triplets.
#include "controller/training_events.h"

#include <QStringList>
#include <QWidget>

class QCPBars;
class QCustomPlot;
class QMouseEvent;

namespace capsule::ui {

class RankBars : public QWidget {
    Q_OBJECT
public:
    explicit RankBars(QWidget* parent = nullptr);

    /// Shows `allocation` (one replot).
    void setAllocation(const RankAllocation& allocation);
    void clear();

    const RankAllocation& allocation() const { return allocation_; }
    /// The kind of each bar's module, in bar order, and the kinds in legend order.
    QStringList kinds() const { return kinds_; }
    /// The rank bar height of module `index` (allocation order); -1 when out of range.
    double barHeight(int index) const;
    /// The hover text of bar `index`: name, rank / init_r, importance of kept and pruned triplets.
    QString toolTipFor(int index) const;
    QCustomPlot* plot() const { return plot_; }

private:
    void onMouseMove(QMouseEvent* event);

    QCustomPlot* plot_ = nullptr;
    QCPBars* initialBars_ = nullptr;
    QList<QCPBars*> kindBars_;  // one series per module kind (colour + legend entry)
    RankAllocation allocation_;
    QStringList kinds_;         // per module, allocation order
};

}  // namespace capsule::ui
