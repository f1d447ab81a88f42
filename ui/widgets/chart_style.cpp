#include "widgets/chart_style.h"

#include "widgets/qcustomplot_include.h"
#include "widgets/theme.h"

#include <QCoreApplication>
#include <QEvent>
#include <QWidget>

#include <cmath>

namespace capsule::ui::charts {
namespace {

constexpr auto kBaseColorProperty = "capsuleBaseColor";
constexpr auto kHollowScatterProperty = "capsuleHollowScatter";
constexpr auto kHollowScatterColorProperty = "capsuleHollowScatterColor";

/// Re-applies the chart palette whenever the chart's palette changes (system theme switch, a
/// palette set on a parent). Owned by the plot it watches.
class PaletteFollower : public QObject {
public:
    explicit PaletteFollower(QCustomPlot* plot) : QObject(plot), plot_(plot) { plot->installEventFilter(this); }
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (watched == plot_ && event->type() == QEvent::PaletteChange) {
            applyChartPalette(plot_);
            plot_->replot(QCustomPlot::rpQueuedReplot);
        }
        return false;
    }

private:
    QCustomPlot* plot_;
};

}  // namespace

void styleAxis(QCPAxis* axis, const QWidget* paletteSource) {
    const QPalette palette = paletteSource->palette();
    const QColor text = palette.color(QPalette::WindowText);
    QColor faint = text;
    faint.setAlphaF(0.45);
    QColor grid = text;
    grid.setAlphaF(0.12);
    axis->setBasePen(QPen(faint));
    axis->setTickPen(QPen(faint));
    axis->setSubTickPen(QPen(faint));
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    axis->grid()->setPen(QPen(grid, 0, Qt::SolidLine));
    axis->grid()->setSubGridVisible(false);
    axis->grid()->setZeroLinePen(Qt::NoPen);
    QFont small = paletteSource->font();
    small.setPointSizeF(std::max(7.0, small.pointSizeF() - 1.0));
    axis->setTickLabelFont(small);
    axis->setLabelFont(small);
    axis->setPadding(2);
    axis->setLabelPadding(3);
}

QCustomPlot* createChart(QWidget* parent, const QString& title, const QString& yLabel) {
    auto* plot = new QCustomPlot(parent);
    plot->setMinimumSize(220, 170);
    plot->setAntialiasedElements(QCP::aePlottables);
    plot->setNoAntialiasingOnDrag(true);
    plot->plotLayout()->insertRow(0);
    QFont titleFont = parent->font();
    titleFont.setWeight(QFont::DemiBold);
    auto* titleElement = new QCPTextElement(plot, title, titleFont);
    titleElement->setObjectName(QStringLiteral("chartTitle"));
    titleElement->setMargins(QMargins(0, 4, 0, 0));
    plot->plotLayout()->addElement(0, 0, titleElement);
    plot->axisRect()->setMargins(QMargins(0, 0, 0, 0));
    plot->xAxis->setLabel(QCoreApplication::translate("capsule::ui::charts", "step"));
    plot->yAxis->setLabel(yLabel);
    plot->xAxis->setRange(0, 10);
    plot->yAxis->setRange(0, 1);
    // Few ticks: the charts are narrow and step numbers get long.
    plot->xAxis->ticker()->setTickCount(3);
    plot->yAxis->ticker()->setTickCount(4);
    plot->yAxis2->ticker()->setTickCount(4);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot->legend->setVisible(false);
    plot->legend->setBorderPen(Qt::NoPen);
    QFont legendFont = parent->font();
    legendFont.setPointSizeF(std::max(7.0, legendFont.pointSizeF() - 1.0));
    plot->legend->setFont(legendFont);
    plot->legend->setRowSpacing(-3);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    applyChartPalette(plot);
    new PaletteFollower(plot);
    return plot;
}

void applyChartPalette(QCustomPlot* plot) {
    const QPalette palette = plot->palette();
    plot->setBackground(palette.brush(QPalette::Base));
    plot->axisRect()->setBackground(palette.brush(QPalette::Base));
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i)))
            title->setTextColor(palette.color(QPalette::WindowText));
    for (QCPAxisRect* rect : plot->axisRects())
        for (QCPAxis* axis : rect->axes()) styleAxis(axis, plot);
    QColor legendFill = palette.color(QPalette::Base);
    legendFill.setAlpha(200);
    plot->legend->setBrush(legendFill);
    plot->legend->setTextColor(palette.color(QPalette::Text));
    for (int i = 0; i < plot->graphCount(); ++i) {
        QCPGraph* graph = plot->graph(i);
        const QColor base = baseColor(graph);
        if (base.isValid()) {
            QPen pen = graph->pen();
            QColor color = theme::readable(base, palette);
            color.setAlpha(pen.color().alpha());
            pen.setColor(color);
            graph->setPen(pen);
        }
        if (graph->property(kHollowScatterProperty).toBool()) {
            QCPScatterStyle scatter = graph->scatterStyle();
            scatter.setBrush(palette.brush(QPalette::Base));
            const QColor edge = graph->property(kHollowScatterColorProperty).value<QColor>();
            if (edge.isValid()) scatter.setPen(QPen(theme::readable(edge, palette), scatter.pen().widthF()));
            graph->setScatterStyle(scatter);
        }
    }
}

void setHollowScatter(QCPGraph* graph, const QColor& color, double size) {
    graph->setProperty(kHollowScatterProperty, true);
    graph->setProperty(kHollowScatterColorProperty, color);
    const QPalette palette = graph->parentPlot()->palette();
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(theme::readable(color, palette), 1.4),
                                           palette.brush(QPalette::Base), size));
}

QColor baseColor(const QCPGraph* graph) {
    return graph->property(kBaseColorProperty).value<QColor>();
}

QCPGraph* addLine(QCustomPlot* plot, const QString& name, const QColor& color, double width, QCPAxis* valueAxis) {
    QCPGraph* graph = plot->addGraph(plot->xAxis, valueAxis ? valueAxis : plot->yAxis);
    graph->setProperty(kBaseColorProperty, color);
    QColor shown = theme::readable(color, plot->palette());
    shown.setAlpha(color.alpha());
    graph->setPen(QPen(shown, width));
    graph->setName(name);
    if (name.isEmpty()) {
        graph->removeFromLegend();
    } else if (plot->legend->itemCount() > 1) {
        plot->legend->setVisible(true);
    }
    return graph;
}

QString chartTitle(const QCustomPlot* plot) {
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto* text = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i))) return text->text();
    return {};
}

QString formatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("–");
    const qint64 total = static_cast<qint64>(std::llround(seconds));
    const qint64 hours = total / 3600, minutes = (total / 60) % 60, secs = total % 60;
    if (hours > 0)
        return QStringLiteral("%1:%2:%3").arg(hours).arg(minutes, 2, 10, QLatin1Char('0')).arg(secs, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(minutes).arg(secs, 2, 10, QLatin1Char('0'));
}

}  // namespace capsule::ui::charts
