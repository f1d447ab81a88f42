#include "widgets/dashboard_page.h"

#include "widgets/qcustomplot_include.h"

#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QVBoxLayout>

namespace capsule::ui {

DashboardPage::DashboardPage(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("dashboardPage"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    auto* header = new QHBoxLayout;
    statusLabel_ = new QLabel(tr("<h2>No run in progress</h2>"), this);
    statusLabel_->setObjectName(QStringLiteral("runStatus"));
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 100);
    progress_->setValue(0);
    progress_->setFormat(tr("step %v / %m"));
    progress_->setMaximumWidth(360);
    header->addWidget(statusLabel_, 1);
    header->addWidget(progress_);
    layout->addLayout(header);

    auto* hint = new QLabel(tr("Charts fill in live as soon as a run starts: press Start on the Setup page."), this);
    hint->setStyleSheet(QStringLiteral("color: palette(mid);"));
    layout->addWidget(hint);

    auto* grid = new QGridLayout;
    lossPlot_ = createPlot(tr("Training loss"), tr("loss"));
    lossPlot_->setObjectName(QStringLiteral("lossPlot"));
    learningRatePlot_ = createPlot(tr("Learning rate"), tr("learning rate"));
    learningRatePlot_->setObjectName(QStringLiteral("learningRatePlot"));
    grid->addWidget(lossPlot_, 0, 0);
    grid->addWidget(learningRatePlot_, 0, 1);
    grid->setColumnStretch(0, 3);
    grid->setColumnStretch(1, 2);
    layout->addLayout(grid, 1);
}

QCustomPlot* DashboardPage::createPlot(const QString& title, const QString& yLabel) {
    auto* plot = new QCustomPlot(this);
    plot->setMinimumHeight(220);
    plot->plotLayout()->insertRow(0);
    auto* titleElement = new QCPTextElement(plot, title, QFont(font().family(), font().pointSize() + 1, QFont::DemiBold));
    plot->plotLayout()->addElement(0, 0, titleElement);
    plot->xAxis->setLabel(tr("step"));
    plot->yAxis->setLabel(yLabel);
    plot->xAxis->setRange(0, 100);
    plot->yAxis->setRange(0, 1);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    QCPGraph* graph = plot->addGraph();
    graph->setPen(QPen(QColor(0x1f, 0x77, 0xb4), 1.6));
    plot->setBackground(palette().base());
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        axis->setBasePen(QPen(palette().text().color()));
        axis->setTickPen(QPen(palette().text().color()));
        axis->setSubTickPen(QPen(palette().text().color()));
        axis->setTickLabelColor(palette().text().color());
        axis->setLabelColor(palette().text().color());
        axis->grid()->setPen(QPen(palette().mid().color(), 0, Qt::DotLine));
    }
    titleElement->setTextColor(palette().text().color());
    return plot;
}

void DashboardPage::appendLoss(const QVector<double>& steps, const QVector<double>& losses) {
    lossPlot_->graph(0)->addData(steps, losses, true);
    lossPlot_->rescaleAxes();
    lossPlot_->replot(QCustomPlot::rpQueuedReplot);
}

void DashboardPage::appendLearningRate(const QVector<double>& steps, const QVector<double>& rates) {
    learningRatePlot_->graph(0)->addData(steps, rates, true);
    learningRatePlot_->rescaleAxes();
    learningRatePlot_->replot(QCustomPlot::rpQueuedReplot);
}

int DashboardPage::lossPointCount() const {
    return lossPlot_->graph(0)->dataCount();
}

void DashboardPage::clear() {
    for (QCustomPlot* plot : {lossPlot_, learningRatePlot_}) {
        plot->graph(0)->data()->clear();
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

}  // namespace capsule::ui
