#include "widgets/rank_heatmap.h"

#include "widgets/chart_style.h"
#include "widgets/qcustomplot_include.h"

#include <QFontMetrics>
#include <QRegularExpression>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace capsule::ui {
namespace {

/// Viridis stops: perceptually uniform, readable in grey, pruned cells dark and full ranks bright.
QCPColorGradient rankGradient() {
    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0.00, QColor(0x44, 0x01, 0x54));
    gradient.setColorStopAt(0.25, QColor(0x3b, 0x52, 0x8b));
    gradient.setColorStopAt(0.50, QColor(0x21, 0x91, 0x8c));
    gradient.setColorStopAt(0.75, QColor(0x5e, 0xc9, 0x62));
    gradient.setColorStopAt(1.00, QColor(0xfd, 0xe7, 0x25));
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    gradient.setNanHandling(QCPColorGradient::nhTransparent);  // cells with no module
    return gradient;
}

/// QCPColorMapData needs two cells per dimension to know a cell's size: a single row or column is
/// drawn as two equal half-cells spanning [-0.5, 0.5].
int mapSize(int count) { return count == 1 ? 2 : count; }
QCPRange mapRange(int count) { return count == 1 ? QCPRange(-0.25, 0.25) : QCPRange(0, count - 1); }
int logicalIndex(int mapIndex, int count) { return count == 1 ? 0 : mapIndex; }

}  // namespace

void RankHeatmap::splitModuleName(const QString& name, int* layer, QString* kind) {
    // The block index is the last purely numeric path component: "model.layers.12.self_attn.q_proj".
    static const QRegularExpression pattern(QStringLiteral("^(?:.*\\.)?(\\d+)\\.([^\\d].*)$"));
    const QRegularExpressionMatch match = pattern.match(name);
    if (match.hasMatch()) {
        *layer = match.captured(1).toInt();
        *kind = match.captured(2);
    } else {
        *layer = -1;
        *kind = name;
    }
}

RankHeatmap::RankHeatmap(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("rankHeatmap"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    plot_ = charts::createChart(this, tr("AdaLoRA rank per layer × module"), tr("layer"));
    plot_->setObjectName(QStringLiteral("rankHeatmapPlot"));
    plot_->setInteractions({});  // a fixed grid: nothing to drag or zoom
    plot_->xAxis->setLabel(QString());
    layout->addWidget(plot_);

    colorMap_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
    colorMap_->setGradient(rankGradient());
    colorMap_->setInterpolate(false);
    colorMap_->setTightBoundary(false);
    colorScale_ = new QCPColorScale(plot_);
    colorScale_->setType(QCPAxis::atRight);
    colorScale_->setBarWidth(10);
    colorScale_->axis()->setLabel(tr("rank"));
    // Ranks are whole numbers: ticks at 1, 2, 5, 10, ... multiples, never 2.5.
    auto* rankTicker = new QCPAxisTickerFixed;
    rankTicker->setTickStep(1.0);
    rankTicker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    rankTicker->setTickCount(5);
    colorScale_->axis()->setTicker(QSharedPointer<QCPAxisTicker>(rankTicker));
    charts::styleAxis(colorScale_->axis(), this);
    plot_->plotLayout()->addElement(1, 1, colorScale_);
    colorMap_->setColorScale(colorScale_);
    colorScale_->setGradient(rankGradient());  // the scale owns the gradient once attached
    colorMap_->setGradient(rankGradient());
    auto* margins = new QCPMarginGroup(plot_);
    plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    colorScale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    for (QCPAxis* axis : {plot_->xAxis, plot_->yAxis}) {
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
        axis->setTickLength(0, 3);
    }
    plot_->yAxis->setRangeReversed(true);  // layer 0 on top, as models are read

    emptyText_ = new QCPItemText(plot_);
    emptyText_->setPositionAlignment(Qt::AlignCenter);
    emptyText_->position->setType(QCPItemPosition::ptAxisRectRatio);
    emptyText_->position->setCoords(0.5, 0.5);
    emptyText_->setColor(palette().color(QPalette::PlaceholderText));
    emptyText_->setText(tr("Ranks appear with the first AdaLoRA step"));

    plot_->setMouseTracking(true);
    connect(plot_, &QCustomPlot::mouseMove, this, &RankHeatmap::onMouseMove);
    connect(plot_, &QCustomPlot::beforeReplot, this, &RankHeatmap::updateCellTextVisibility);
    clear();
}

void RankHeatmap::clear() {
    allocation_ = RankAllocation{};
    columns_.clear();
    layers_.clear();
    rebuildLayout();
}

void RankHeatmap::rebuildLayout() {
    for (QCPItemText* text : cellTexts_) plot_->removeItem(text);
    cellTexts_.clear();
    const int columnCount = static_cast<int>(columns_.size());
    const int rowCount = static_cast<int>(layers_.size());
    emptyText_->setVisible(columnCount == 0);
    auto* xTicker = new QCPAxisTickerText;
    auto* yTicker = new QCPAxisTickerText;
    for (int column = 0; column < columnCount; ++column) xTicker->addTick(column, columns_[column]);
    // Many layers: label every n-th row so the labels never overlap.
    const int labelEvery = std::max(1, rowCount / 16);
    for (int row = 0; row < rowCount; row += labelEvery)
        yTicker->addTick(row, layers_[row] < 0 ? QStringLiteral("–") : QString::number(layers_[row]));
    plot_->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(xTicker));
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(yTicker));
    plot_->xAxis->setTickLabels(columnCount > 0);
    plot_->yAxis->setTickLabels(rowCount > 0);
    // Many columns: slanted labels running down to the right (to the left they would leave the widget).
    plot_->xAxis->setTickLabelRotation(columnCount > 4 ? 30 : 0);
    plot_->xAxis->setRange(-0.5, std::max(0, columnCount - 1) + 0.5);
    plot_->yAxis->setRange(-0.5, std::max(0, rowCount - 1) + 0.5);
    colorMap_->data()->setSize(mapSize(std::max(1, columnCount)), mapSize(std::max(1, rowCount)));
    colorMap_->data()->setRange(mapRange(std::max(1, columnCount)), mapRange(std::max(1, rowCount)));
    colorMap_->data()->fill(std::nan(""));
    colorMap_->setVisible(columnCount > 0);
    colorScale_->setVisible(columnCount > 0);
    // A number in every cell while they are large enough to hold one.
    if (columnCount * rowCount <= 256) {
        QFont font = this->font();
        font.setPointSizeF(std::max(7.0, font.pointSizeF() - (rowCount > 12 ? 2.0 : 0.0)));
        for (int row = 0; row < rowCount; ++row) {
            for (int column = 0; column < columnCount; ++column) {
                auto* text = new QCPItemText(plot_);
                text->position->setCoords(column, row);
                text->setPositionAlignment(Qt::AlignCenter);
                text->setFont(font);
                text->setClipToAxisRect(true);
                cellTexts_.append(text);
            }
        }
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void RankHeatmap::setAllocation(const RankAllocation& allocation) {
    // Rows and columns from the modules, in model order.
    QStringList columns;
    QList<int> layers;
    QVector<QPair<int, QString>> keys;
    keys.reserve(allocation.modules.size());
    for (const ModuleRankCell& module : allocation.modules) {
        int layer = module.layer;
        QString kind = module.moduleKind;
        if (layer < 0 || kind.isEmpty()) splitModuleName(module.name, &layer, &kind);
        keys.append({layer, kind});
        if (!columns.contains(kind)) columns.append(kind);
        if (!layers.contains(layer)) layers.append(layer);
    }
    std::sort(layers.begin(), layers.end(), [](int a, int b) {
        // Modules outside the blocks (layer -1) go last.
        if ((a < 0) != (b < 0)) return b < 0;
        return a < b;
    });
    allocation_ = allocation;
    if (columns != columns_ || layers != layers_) {
        columns_ = columns;
        layers_ = layers;
        rebuildLayout();
    }
    const int columnCount = static_cast<int>(columns_.size());
    const int rowCount = static_cast<int>(layers_.size());
    cellModule_.fill(-1, columnCount * rowCount);
    maximumRank_ = 1;
    for (int index = 0; index < keys.size(); ++index) {
        const int column = static_cast<int>(columns_.indexOf(keys[index].second));
        const int row = static_cast<int>(layers_.indexOf(keys[index].first));
        cellModule_[row * columnCount + column] = index;
        maximumRank_ = std::max({maximumRank_, allocation.modules[index].initialRank, allocation.modules[index].rank});
    }
    QCPColorMapData* data = colorMap_->data();
    for (int key = 0; key < data->keySize(); ++key) {
        for (int value = 0; value < data->valueSize(); ++value) {
            const int module = cellModule_.value(logicalIndex(value, rowCount) * columnCount + logicalIndex(key, columnCount), -1);
            data->setCell(key, value, module < 0 ? std::nan("") : allocation.modules[module].rank);
        }
    }
    colorMap_->setDataRange(QCPRange(0, maximumRank_));
    QCPColorGradient gradient = colorMap_->gradient();  // color() is not const
    for (int cell = 0; cell < cellTexts_.size(); ++cell) {
        const int module = cellModule_.value(cell, -1);
        QCPItemText* text = cellTexts_[cell];
        if (module < 0) {
            text->setText(QString());
            continue;
        }
        const int rank = allocation.modules[module].rank;
        text->setText(QString::number(rank));
        // Dark text on the bright end of the scale, white on the dark end.
        const QColor fill = QColor::fromRgb(gradient.color(rank, QCPRange(0, maximumRank_)));
        text->setColor(fill.lightnessF() > 0.55 ? Qt::black : Qt::white);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void RankHeatmap::updateCellTextVisibility() {
    if (cellTexts_.isEmpty() || columns_.isEmpty() || layers_.isEmpty()) return;
    // Numbers only while a cell can hold two digits with some air.
    const QRect area = plot_->axisRect()->rect();
    const QFontMetrics metrics(cellTexts_.first()->font());
    const bool fits = area.width() / double(columns_.size()) >= metrics.horizontalAdvance(QStringLiteral("00")) + 6 &&
                      area.height() / double(layers_.size()) >= metrics.height() + 2;
    for (QCPItemText* text : cellTexts_) text->setVisible(fits);
}

bool RankHeatmap::cellNumbersVisible() const {
    return !cellTexts_.isEmpty() && cellTexts_.first()->visible();
}

int RankHeatmap::rankAt(int layer, const QString& kind) const {
    const int column = static_cast<int>(columns_.indexOf(kind));
    const int row = static_cast<int>(layers_.indexOf(layer));
    if (column < 0 || row < 0) return -1;
    const int module = cellModule_.value(row * static_cast<int>(columns_.size()) + column, -1);
    return module < 0 ? -1 : allocation_.modules[module].rank;
}

double RankHeatmap::cellValue(int column, int row) const {
    const int columnCount = static_cast<int>(columns_.size());
    const int rowCount = static_cast<int>(layers_.size());
    if (column < 0 || row < 0 || column >= columnCount || row >= rowCount) return std::nan("");
    // Cell (column, row) is drawn at map index (column, row), or at 0 for a single column/row.
    return colorMap_->data()->cell(columnCount == 1 ? 0 : column, rowCount == 1 ? 0 : row);
}

int RankHeatmap::moduleAt(const QPoint& position) const {
    if (columns_.isEmpty() || !plot_->axisRect()->rect().contains(position)) return -1;
    const int column = static_cast<int>(std::lround(plot_->xAxis->pixelToCoord(position.x())));
    const int row = static_cast<int>(std::lround(plot_->yAxis->pixelToCoord(position.y())));
    if (column < 0 || row < 0 || column >= columns_.size() || row >= layers_.size()) return -1;
    return cellModule_.value(row * static_cast<int>(columns_.size()) + column, -1);
}

QString RankHeatmap::toolTipAt(const QPoint& position) const {
    const int index = moduleAt(position);
    if (index < 0) return {};
    const ModuleRankCell& module = allocation_.modules[index];
    QString text = QStringLiteral("<b>%1</b><br>").arg(module.name.toHtmlEscaped());
    text += tr("rank %1 of %2 (step %3)").arg(module.rank).arg(module.initialRank).arg(allocation_.step);
    if (!module.importance.isEmpty()) {
        // The kept triplets are the most important ones: AdaLoRA masks below a global threshold.
        QVector<float> scores = module.importance;
        std::sort(scores.begin(), scores.end(), std::greater<float>());
        QStringList parts;
        for (int i = 0; i < scores.size(); ++i) {
            const QString value = QString::number(scores[i], 'g', 3);
            parts << (i < module.rank ? QStringLiteral("<b>%1</b>").arg(value) : QStringLiteral("<span style=\"color:gray\">%1</span>").arg(value));
        }
        text += QStringLiteral("<br>") + tr("importance (kept in bold): %1").arg(parts.join(QStringLiteral(", ")));
    }
    return text;
}

void RankHeatmap::onMouseMove(QMouseEvent* event) {
    const QString text = toolTipAt(event->pos());
    if (text.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(event->globalPosition().toPoint(), text, plot_);
}

}  // namespace capsule::ui
