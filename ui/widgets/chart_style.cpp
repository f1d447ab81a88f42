#include "widgets/chart_style.h"

#include "widgets/qcustomplot_include.h"

#include <QCoreApplication>
#include <QWidget>

#include <cmath>

namespace capsule::ui::charts {

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
    plot->setBackground(parent->palette().brush(QPalette::Base));
    plot->axisRect()->setBackground(parent->palette().brush(QPalette::Base));
    plot->plotLayout()->insertRow(0);
    QFont titleFont = parent->font();
    titleFont.setWeight(QFont::DemiBold);
    auto* titleElement = new QCPTextElement(plot, title, titleFont);
    titleElement->setObjectName(QStringLiteral("chartTitle"));
    titleElement->setTextColor(parent->palette().color(QPalette::WindowText));
    titleElement->setMargins(QMargins(0, 4, 0, 0));
    plot->plotLayout()->addElement(0, 0, titleElement);
    plot->axisRect()->setMargins(QMargins(0, 0, 0, 0));
    plot->xAxis->setLabel(QCoreApplication::translate("capsule::ui::charts", "step"));
    plot->yAxis->setLabel(yLabel);
    plot->xAxis->setRange(0, 10);
    plot->yAxis->setRange(0, 1);
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis, plot->xAxis2, plot->yAxis2}) styleAxis(axis, parent);
    // Few ticks: the charts are narrow and step numbers get long.
    plot->xAxis->ticker()->setTickCount(3);
    plot->yAxis->ticker()->setTickCount(4);
    plot->yAxis2->ticker()->setTickCount(4);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot->legend->setVisible(false);
    plot->legend->setBrush(QColor(255, 255, 255, 200));
    plot->legend->setBorderPen(Qt::NoPen);
    QFont legendFont = parent->font();
    legendFont.setPointSizeF(std::max(7.0, legendFont.pointSizeF() - 1.0));
    plot->legend->setFont(legendFont);
    plot->legend->setRowSpacing(-3);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    return plot;
}

QCPGraph* addLine(QCustomPlot* plot, const QString& name, const QColor& color, double width, QCPAxis* valueAxis) {
    QCPGraph* graph = plot->addGraph(plot->xAxis, valueAxis ? valueAxis : plot->yAxis);
    graph->setPen(QPen(color, width));
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
