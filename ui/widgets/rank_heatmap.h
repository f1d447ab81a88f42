#pragma once
// AdaLoRA's live rank allocation as a heatmap: one row per transformer layer, one column per
// module kind ("attn.c_attn", "mlp.c_fc", ...), the colour and the number in each cell the rank
// kept now (of init_r). Hovering a cell shows the module's full name and its importance scores.
#include "controller/training_events.h"

#include <QList>
#include <QStringList>
#include <QWidget>

class QCPColorMap;
class QCPColorScale;
class QCPItemText;
class QCustomPlot;
class QMouseEvent;

namespace capsule::ui {

class RankHeatmap : public QWidget {
    Q_OBJECT
public:
    explicit RankHeatmap(QWidget* parent = nullptr);

    /// Shows `allocation` (one replot, queued). Cheap when the set of modules is unchanged.
    void setAllocation(const RankAllocation& allocation);
    void clear();

    const RankAllocation& allocation() const { return allocation_; }
    /// Column titles (module kinds) in model order, and row layers (ascending; -1 = no layer).
    QStringList columns() const { return columns_; }
    QList<int> layers() const { return layers_; }
    /// The rank shown for (layer, kind); -1 when no such module.
    int rankAt(int layer, const QString& kind) const;
    /// The colour-map value at (column, row) as drawn; NaN outside.
    double cellValue(int column, int row) const;
    /// True while the cells are large enough to show their rank as a number.
    bool cellNumbersVisible() const;
    /// The hover text for a point in plot() coordinates; empty over no cell.
    QString toolTipAt(const QPoint& position) const;

    QCustomPlot* plot() const { return plot_; }
    QCPColorMap* colorMap() const { return colorMap_; }

    /// "transformer.h.3.attn.c_attn" -> (3, "attn.c_attn"); names without a block index give
    /// (-1, the whole name). Used when the core did not split the name.
    static void splitModuleName(const QString& name, int* layer, QString* kind);

private:
    void rebuildLayout();
    void onMouseMove(QMouseEvent* event);
    void updateCellTextVisibility();
    int moduleAt(const QPoint& position) const;

    QCustomPlot* plot_ = nullptr;
    QCPColorMap* colorMap_ = nullptr;
    QCPColorScale* colorScale_ = nullptr;
    QCPItemText* emptyText_ = nullptr;
    QList<QCPItemText*> cellTexts_;
    RankAllocation allocation_;
    QStringList columns_;
    QList<int> layers_;
    QVector<int> cellModule_;  // [rows * columns] index into allocation_.modules, -1 = empty
    int maximumRank_ = 1;
};

}  // namespace capsule::ui
