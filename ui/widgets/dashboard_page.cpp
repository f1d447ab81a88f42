#include "widgets/dashboard_page.h"

#include "widgets/chart_style.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/rank_bars.h"
#include "widgets/rank_heatmap.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

#include <cmath>

namespace capsule::ui {
namespace {

constexpr double kMebibyte = 1024.0 * 1024.0;
/// A raw loss this far above the smoothed curve (relative to it, and to the loss at the start, so
/// noise near zero loss is not flagged) is a spike.
constexpr double kSpikeFactor = 1.5;
constexpr double kSpikeFractionOfStart = 0.05;
constexpr int kSpikeWarmupPoints = 5;

QColor withAlpha(QColor color, double alpha) {
    color.setAlphaF(alpha);
    return color;
}

void setScatter(QCPGraph* graph, const QColor& color, double size = 5) {
    charts::setHollowScatter(graph, color, size);  // filled with the chart's background, light or dark
}

/// Labels a step axis in epochs, with ticks at round epoch values: the data stays keyed by step.
class EpochTicker : public QCPAxisTicker {
public:
    explicit EpochTicker(double epochsPerStep) : epochsPerStep_(epochsPerStep) {}

protected:
    double getTickStep(const QCPRange& range) override {
        return QCPAxisTicker::getTickStep(QCPRange(range.lower * epochsPerStep_, range.upper * epochsPerStep_)) / epochsPerStep_;
    }
    int getSubTickCount(double tickStep) override { return QCPAxisTicker::getSubTickCount(tickStep * epochsPerStep_); }
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override {
        return QCPAxisTicker::getTickLabel(tick * epochsPerStep_, locale, formatChar, precision);
    }

private:
    double epochsPerStep_;
};

}  // namespace

DashboardPage::DashboardPage(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("dashboardPage"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 10, 16, 8);
    layout->setSpacing(6);

    // --- header: what runs, its state and progress
    auto* header = new QHBoxLayout;
    titleLabel_ = new QLabel(tr("No run in progress"), this);
    titleLabel_->setObjectName(QStringLiteral("runTitle"));
    QFont titleFont = font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.35);
    titleFont.setWeight(QFont::DemiBold);
    titleLabel_->setFont(titleFont);
    stateLabel_ = new QLabel(this);
    stateLabel_->setObjectName(QStringLiteral("runState"));
    stateLabel_->setVisible(false);
    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("runProgress"));
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setFormat(tr("step %v / %m"));
    progress_->setMinimumWidth(260);
    progress_->setMaximumWidth(420);
    header->addWidget(titleLabel_);
    header->addWidget(stateLabel_);
    header->addStretch(1);
    header->addWidget(progress_);
    layout->addLayout(header);

    detailLabel_ = new QLabel(this);
    detailLabel_->setObjectName(QStringLiteral("runStatus"));
    detailLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    hintLabel_ = new QLabel(tr("Charts fill in live as soon as a run starts: choose the setup, then press Start."), this);
    hintLabel_->setStyleSheet(QStringLiteral("color: palette(placeholder-text);"));
    layout->addWidget(detailLabel_);
    layout->addWidget(hintLabel_);
    layout->addWidget(createControls());

    // --- charts
    lossPlot_ = charts::createChart(this, tr("Training loss"), tr("loss"));
    lossPlot_->setObjectName(QStringLiteral("lossPlot"));
    rawLoss_ = charts::addLine(lossPlot_, tr("raw"), withAlpha(charts::kBlue, 0.45), 1.2);
    smoothedLoss_ = charts::addLine(lossPlot_, tr("smoothed"), charts::kBlue, 2.0);
    evalLossOnLossPlot_ = charts::addLine(lossPlot_, tr("eval"), charts::kOrange, 1.4);
    setScatter(evalLossOnLossPlot_, charts::kOrange);
    spikes_ = charts::addLine(lossPlot_, tr("spike"), charts::kRed, 1.0);
    spikes_->setLineStyle(QCPGraph::lsNone);
    spikes_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, QPen(charts::kRed, 1.2), QBrush(charts::kRed), 7));
    spikes_->removeFromLegend();  // listed once there is one

    evaluationPlot_ = charts::createChart(this, tr("Evaluation"), tr("eval loss"));
    evaluationPlot_->setObjectName(QStringLiteral("evaluationPlot"));
    evalLoss_ = charts::addLine(evaluationPlot_, tr("loss"), charts::kOrange, 1.6);
    setScatter(evalLoss_, charts::kOrange);
    evaluationPlot_->yAxis2->setLabel(tr("accuracy (%)"));
    accuracy_ = charts::addLine(evaluationPlot_, tr("accuracy"), charts::kGreen, 1.6, evaluationPlot_->yAxis2);
    setScatter(accuracy_, charts::kGreen);
    evaluationPlot_->yAxis2->setRange(0, 105);
    // Accuracy climbs to the top and loss falls to the bottom: the middle stays free.
    evaluationPlot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignVCenter);

    learningRatePlot_ = charts::createChart(this, tr("Learning rate"), tr("learning rate"));
    learningRatePlot_->setObjectName(QStringLiteral("learningRatePlot"));
    learningRate_ = charts::addLine(learningRatePlot_, QString(), charts::kPurple);
    learningRatePlot_->yAxis->setNumberFormat(QStringLiteral("gb"));

    gradNormPlot_ = charts::createChart(this, tr("Gradient norm"), tr("L2 norm (before clipping)"));
    gradNormPlot_->setObjectName(QStringLiteral("gradNormPlot"));
    gradNorm_ = charts::addLine(gradNormPlot_, QString(), charts::kRed);

    throughputPlot_ = charts::createChart(this, tr("Throughput and memory"), tr("tokens/s"));
    throughputPlot_->setObjectName(QStringLiteral("throughputPlot"));
    tokensPerSecond_ = charts::addLine(throughputPlot_, tr("tokens/s"), charts::kBlue);
    throughputPlot_->yAxis2->setVisible(true);
    throughputPlot_->yAxis2->setLabel(tr("memory (MiB RSS)"));
    memory_ = charts::addLine(throughputPlot_, tr("memory"), charts::kGrey, 1.4, throughputPlot_->yAxis2);
    // On CUDA the GPU's memory in use joins it (created with the first point that has one).
    gpuMemory_ = nullptr;
    throughputPlot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignBottom);

    // --- the AdaLoRA view: heatmap over the budget curve
    adaLoraPanel_ = new QWidget(this);
    adaLoraPanel_->setObjectName(QStringLiteral("adaLoraPanel"));
    auto* adaLayout = new QVBoxLayout(adaLoraPanel_);
    adaLayout->setContentsMargins(0, 0, 0, 0);
    adaLayout->setSpacing(6);
    rankHeatmap_ = new RankHeatmap(adaLoraPanel_);
    budgetPlot_ = charts::createChart(adaLoraPanel_, tr("AdaLoRA budget"), tr("total rank"));
    budgetPlot_->setObjectName(QStringLiteral("budgetPlot"));
    budget_ = charts::addLine(budgetPlot_, tr("scheduled"), charts::kGrey, 1.6);
    budget_->setPen(QPen(charts::kGrey, 1.6, Qt::DashLine));
    budget_->setLineStyle(QCPGraph::lsStepLeft);
    totalRank_ = charts::addLine(budgetPlot_, tr("kept"), charts::kPurple, 2.0);
    totalRank_->setLineStyle(QCPGraph::lsStepLeft);
    rankBars_ = new RankBars(adaLoraPanel_);
    adaLayout->addWidget(rankHeatmap_, 3);
    adaLayout->addWidget(rankBars_, 2);
    adaLayout->addWidget(budgetPlot_, 2);
    adaLoraPanel_->setVisible(false);

    auto* grid = new QGridLayout;
    grid->setSpacing(8);
    grid->addWidget(lossPlot_, 0, 0, 1, 2);
    grid->addWidget(evaluationPlot_, 0, 2);
    grid->addWidget(learningRatePlot_, 1, 0);
    grid->addWidget(gradNormPlot_, 1, 1);
    grid->addWidget(throughputPlot_, 1, 2);
    grid->addWidget(adaLoraPanel_, 0, 3, 2, 1);
    grid->setRowStretch(0, 3);
    grid->setRowStretch(1, 2);
    for (int column = 0; column < 3; ++column) grid->setColumnStretch(column, 2);
    grid->setColumnStretch(3, 0);
    grid_ = grid;
    layout->addLayout(grid, 1);

    for (QCustomPlot* plot : allPlots()) {
        // Dragging or zooming means "let me look here": stop following; double-click resumes.
        connect(plot, &QCustomPlot::mousePress, this, [this] { setFollowLatest(false); });
        connect(plot, &QCustomPlot::mouseWheel, this, [this] { setFollowLatest(false); });
        connect(plot, &QCustomPlot::mouseDoubleClick, this, [this] { setFollowLatest(true); });
    }
    updateStatusText();
}

QWidget* DashboardPage::createControls() {
    auto* bar = new QWidget(this);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    followCheck_ = new QCheckBox(tr("Follo&w latest"), bar);  // mnemonics clear of the menu bar's F, V, T, H
    followCheck_->setObjectName(QStringLiteral("followLatest"));
    followCheck_->setChecked(followLatest_);
    followCheck_->setToolTip(tr("Keep the newest steps in view. Dragging or zooming a chart turns this off; "
                                "double-click a chart to turn it back on."));
    connect(followCheck_, &QCheckBox::toggled, this, &DashboardPage::setFollowLatest);
    logScaleCheck_ = new QCheckBox(tr("&Log scale (loss)"), bar);
    logScaleCheck_->setObjectName(QStringLiteral("logScale"));
    logScaleCheck_->setToolTip(tr("Show the loss axes on a logarithmic scale"));
    connect(logScaleCheck_, &QCheckBox::toggled, this, &DashboardPage::setLogScale);
    auto* smoothingLabel = new QLabel(tr("S&moothing:"), bar);
    smoothingSlider_ = new QSlider(Qt::Horizontal, bar);
    smoothingSlider_->setObjectName(QStringLiteral("smoothing"));
    smoothingSlider_->setRange(0, 99);
    smoothingSlider_->setValue(static_cast<int>(std::lround(smoothing_ * 100)));
    smoothingSlider_->setMaximumWidth(160);
    smoothingSlider_->setToolTip(tr("Weight of the exponential moving average drawn over the raw loss (0 = none)"));
    smoothingLabel->setBuddy(smoothingSlider_);
    smoothingValue_ = new QLabel(QString::number(smoothing_, 'f', 2), bar);
    smoothingValue_->setMinimumWidth(smoothingValue_->fontMetrics().horizontalAdvance(QStringLiteral("0.00 ")));
    connect(smoothingSlider_, &QSlider::valueChanged, this, [this](int value) { setSmoothing(value / 100.0); });
    auto* axisLabel = new QLabel(tr("&X axis:"), bar);
    xAxisCombo_ = new QComboBox(bar);
    xAxisCombo_->setObjectName(QStringLiteral("xAxisUnit"));
    xAxisCombo_->addItem(tr("Step"));
    xAxisCombo_->addItem(tr("Epoch"));
    xAxisCombo_->setToolTip(tr("Label the charts' horizontal axis in optimizer steps or in epochs"));
    axisLabel->setBuddy(xAxisCombo_);
    connect(xAxisCombo_, &QComboBox::currentIndexChanged, this, [this](int index) { setEpochAxis(index == 1); });
    auto* resetView = new QPushButton(tr("&Reset View"), bar);
    resetView->setToolTip(tr("Show every point and follow the newest again"));
    connect(resetView, &QPushButton::clicked, this, [this] { setFollowLatest(true); });
    row->addWidget(followCheck_);
    row->addSpacing(12);
    row->addWidget(logScaleCheck_);
    row->addSpacing(12);
    row->addWidget(smoothingLabel);
    row->addWidget(smoothingSlider_);
    row->addWidget(smoothingValue_);
    row->addSpacing(12);
    row->addWidget(axisLabel);
    row->addWidget(xAxisCombo_);
    row->addStretch(1);
    row->addWidget(resetView);
    return bar;
}

QList<QCustomPlot*> DashboardPage::allPlots() const {
    return {lossPlot_, evaluationPlot_, learningRatePlot_, gradNormPlot_, throughputPlot_, budgetPlot_};
}

void DashboardPage::startRun(const RunPlan& plan) {
    plan_ = plan;
    clear();
    maxSteps_ = plan.maxSteps;
    const bool adaLora = plan.method == QLatin1String("adalora");
    adaLoraPanel_->setVisible(adaLora);
    grid_->setColumnStretch(3, adaLora ? 3 : 0);
    titleLabel_->setText(plan.title.isEmpty() ? tr("Training run") : plan.title);
    hintLabel_->setVisible(false);
    setFollowLatest(true);
    markPhases();
    setRunState(RunState::Preparing, {});
}

void DashboardPage::setRunInfo(const RunStartInfo& info) {
    if (info.maxSteps > 0) maxSteps_ = info.maxSteps;
    runInfo_ = info;
    markPhases();
    updateStatusText();
}

void DashboardPage::clear() {
    for (QCustomPlot* plot : allPlots()) {
        for (int i = 0; i < plot->graphCount(); ++i) plot->graph(i)->data()->clear();
    }
    spikes_->removeFromLegend();
    rankHeatmap_->clear();
    rankBars_->clear();
    lossSteps_.clear();
    lossValues_.clear();
    emaAccumulator_ = 0;
    emaCount_ = 0;
    startLoss_ = 0;
    hasStep_ = false;
    lastStep_ = StepPoint{};
    lastEval_.reset();
    runInfo_ = RunStartInfo{};
    applyXAxisUnit();
    evaluationPlot_->yAxis2->setVisible(false);
    replotAll();
    updateStatusText();
}

void DashboardPage::appendSteps(const QVector<StepPoint>& steps) {
    if (steps.isEmpty()) return;
    const int count = static_cast<int>(steps.size());
    QVector<double> x, raw, smoothed, rates, norms, tokens, memory, spikeX, spikeY, gpuX, gpuMemory;
    for (QVector<double>* column : {&x, &raw, &smoothed, &rates, &norms, &tokens, &memory}) column->reserve(count);
    for (const StepPoint& point : steps) {
        const double step = static_cast<double>(point.step);
        x << step;
        raw << point.loss;
        rates << point.learningRate;
        norms << point.gradNorm;
        tokens << point.tokensPerSecond;
        memory << point.memoryBytes / kMebibyte;
        if (point.gpuMemoryBytes > 0) {
            gpuX << step;
            gpuMemory << point.gpuMemoryBytes / kMebibyte;
        }
        lossSteps_ << step;
        lossValues_ << point.loss;
        const double previous = emaCount_ > 0 ? smoothedValue() : point.loss;
        if (lossValues_.size() == 1) startLoss_ = point.loss;
        if (emaCount_ >= kSpikeWarmupPoints && std::isfinite(point.loss) && point.loss > kSpikeFactor * previous &&
            point.loss - previous > kSpikeFractionOfStart * std::abs(startLoss_)) {
            spikeX << step;
            spikeY << point.loss;
        }
        smoothed << addToEma(point.loss);
    }
    rawLoss_->addData(x, raw, true);
    smoothedLoss_->addData(x, smoothed, true);
    if (!spikeX.isEmpty()) {
        spikes_->addData(spikeX, spikeY, true);
        if (!lossPlot_->legend->hasItemWithPlottable(spikes_)) spikes_->addToLegend();
    }
    learningRate_->addData(x, rates, true);
    gradNorm_->addData(x, norms, true);
    tokensPerSecond_->addData(x, tokens, true);
    memory_->addData(x, memory, true);
    if (!gpuMemory.isEmpty()) {
        if (!gpuMemory_) {
            gpuMemory_ = charts::addLine(throughputPlot_, tr("GPU memory"), charts::kGreen, 1.4, throughputPlot_->yAxis2);
            throughputPlot_->yAxis2->setLabel(tr("memory (MiB: RSS, GPU)"));
        }
        gpuMemory_->addData(gpuX, gpuMemory, true);
    }
    lastStep_ = steps.last();
    hasStep_ = true;
    if (epochAxis_ && appliedEpochsPerStep_ <= 0) applyXAxisUnit();  // the first steps tell the epoch length
    if (lastStep_.maxSteps > 0) maxSteps_ = lastStep_.maxSteps;
    if (state_ == RunState::Preparing) setRunState(RunState::Running, {});
    // Only the charts that changed: at 30 batches a second every replot costs the GUI thread.
    replot({lossPlot_, learningRatePlot_, gradNormPlot_, throughputPlot_});
    updateStatusText();
}

double DashboardPage::smoothedValue() const {
    if (emaCount_ == 0) return 0;
    if (smoothing_ <= 0) return emaAccumulator_;
    return emaAccumulator_ / (1.0 - std::pow(smoothing_, emaCount_));
}

double DashboardPage::addToEma(double value) {
    if (!std::isfinite(value)) return emaCount_ > 0 ? smoothedValue() : value;
    if (smoothing_ <= 0) {
        emaAccumulator_ = value;
    } else {
        emaAccumulator_ = emaAccumulator_ * smoothing_ + (1.0 - smoothing_) * value;
    }
    ++emaCount_;
    return smoothedValue();
}

void DashboardPage::recomputeSmoothing() {
    emaAccumulator_ = 0;
    emaCount_ = 0;
    QVector<double> smoothed;
    smoothed.reserve(lossValues_.size());
    for (double value : lossValues_) smoothed << addToEma(value);
    smoothedLoss_->setData(lossSteps_, smoothed, true);
    replotAll();
}

void DashboardPage::appendEvaluations(const QVector<EvalPoint>& evaluations) {
    if (evaluations.isEmpty()) return;
    for (const EvalPoint& point : evaluations) {
        const double step = static_cast<double>(point.step);
        evalLoss_->addData(step, point.loss);
        evalLossOnLossPlot_->addData(step, point.loss);
        if (point.hasAccuracy) {
            accuracy_->addData(step, point.accuracy * 100.0);
            evaluationPlot_->yAxis2->setVisible(true);
        }
    }
    lastEval_ = evaluations.last();
    replot({lossPlot_, evaluationPlot_});
    updateStatusText();
}

void DashboardPage::appendRanks(const QVector<RankPoint>& points, const RankAllocation& latest) {
    if (!adaLoraPanel_->isVisible() && plan_.method.isEmpty()) {
        // Ranks without a plan (tests, a resumed run): show the view anyway.
        adaLoraPanel_->setVisible(true);
        grid_->setColumnStretch(3, 3);
    }
    if (!points.isEmpty()) {
        QVector<double> x, scheduled, kept;
        for (const RankPoint& point : points) {
            x << static_cast<double>(point.step);
            scheduled << static_cast<double>(point.budget);
            kept << static_cast<double>(point.totalRank);
        }
        budget_->addData(x, scheduled, true);
        totalRank_->addData(x, kept, true);
    }
    if (latest.step >= 0) {
        rankHeatmap_->setAllocation(latest);
        rankBars_->setAllocation(latest);
    }
    if (!points.isEmpty()) replot({budgetPlot_});
}

void DashboardPage::setRunState(RunState state, const QString& reason) {
    state_ = state;
    stateReason_ = reason;
    QString text, color;
    switch (state) {
    case RunState::Idle: break;
    case RunState::Preparing: text = tr("Preparing"); color = QStringLiteral("#6b6b6b"); break;
    case RunState::Running: text = tr("Running"); color = QStringLiteral("#1f77b4"); break;
    case RunState::Paused: text = tr("Paused"); color = QStringLiteral("#b26a00"); break;
    case RunState::Finished: text = tr("Finished"); color = QStringLiteral("#2ca02c"); break;
    case RunState::Failed: text = tr("Failed"); color = QStringLiteral("#c62828"); break;
    case RunState::Cancelled: text = tr("Stopped"); color = QStringLiteral("#6b6b6b"); break;
    }
    stateLabel_->setVisible(!text.isEmpty());
    stateLabel_->setText(text);
    stateLabel_->setStyleSheet(QStringLiteral("QLabel { color: white; background: %1; border-radius: 4px; padding: 2px 8px; font-weight: 600; }").arg(color));
    stateLabel_->setToolTip(reason);
    updateStatusText();
}

void DashboardPage::setSmoothing(double weight) {
    weight = std::clamp(weight, 0.0, 0.99);
    if (std::abs(weight - smoothing_) < 1e-9) return;
    smoothing_ = weight;
    const QSignalBlocker block(smoothingSlider_);
    smoothingSlider_->setValue(static_cast<int>(std::lround(weight * 100)));
    smoothingValue_->setText(QString::number(weight, 'f', 2));
    recomputeSmoothing();
}

void DashboardPage::setFollowLatest(bool follow) {
    followLatest_ = follow;
    const QSignalBlocker block(followCheck_);
    followCheck_->setChecked(follow);
    if (follow) replotAll();
}

void DashboardPage::setEpochAxis(bool epochs) {
    epochAxis_ = epochs;
    const QSignalBlocker block(xAxisCombo_);
    xAxisCombo_->setCurrentIndex(epochs ? 1 : 0);
    applyXAxisUnit();
    replotAll();
}

void DashboardPage::applyXAxisUnit() {
    // Epochs per step is constant within a run: the newest step tells it.
    const double epochsPerStep = hasStep_ && lastStep_.step > 0 ? lastStep_.epoch / double(lastStep_.step) : 0.0;
    const bool epochs = epochAxis_ && epochsPerStep > 0;
    for (QCustomPlot* plot : allPlots()) {
        if (epochs) plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new EpochTicker(epochsPerStep)));
        else plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        plot->xAxis->ticker()->setTickCount(3);
        plot->xAxis->setLabel(epochs ? tr("epoch") : tr("step"));
    }
    appliedEpochsPerStep_ = epochs ? epochsPerStep : 0.0;
}

void DashboardPage::setLogScale(bool logarithmic) {
    logScale_ = logarithmic;
    const QSignalBlocker block(logScaleCheck_);
    logScaleCheck_->setChecked(logarithmic);
    for (QCustomPlot* plot : {lossPlot_, evaluationPlot_}) {
        QCPAxis* axis = plot->yAxis;
        axis->setScaleType(logarithmic ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
        if (logarithmic) axis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        else axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        axis->setNumberFormat(logarithmic ? QStringLiteral("gb") : QStringLiteral("g"));
    }
    const bool follow = followLatest_;
    followLatest_ = true;  // one rescale so the new scale shows the data
    replotAll();
    followLatest_ = follow;
}

void DashboardPage::followNewest(QCustomPlot* plot) {
    bool any = false;
    for (int i = 0; i < plot->graphCount(); ++i) any = any || !plot->graph(i)->data()->isEmpty();
    if (!any) return;
    plot->rescaleAxes(true);
    // Headroom so the newest point never sits on the frame.
    for (QCPAxis* axis : {plot->yAxis, plot->yAxis2}) {
        if (!axis->visible() && axis != plot->yAxis) continue;
        const QCPRange range = axis->range();
        if (axis->scaleType() == QCPAxis::stLogarithmic) {
            axis->setRange(range.lower / 1.15, range.upper * 1.15);
        } else {
            const double margin = range.size() > 0 ? range.size() * 0.08 : std::max(std::abs(range.upper) * 0.1, 1e-9);
            axis->setRange(range.lower - margin, range.upper + margin);
        }
    }
    if (plot == evaluationPlot_) plot->yAxis2->setRange(0, 105);  // 100 % stays inside the frame
    // Memory from zero: its changes are small next to its size, and the chart should say so.
    if (plot == throughputPlot_) plot->yAxis2->setRange(0, std::max(1.0, plot->yAxis2->range().upper * 1.1));
    // Every chart over the same steps, so they line up vertically.
    const double newest = std::max(plot->xAxis->range().upper, hasStep_ ? static_cast<double>(lastStep_.step) : 0.0);
    plot->xAxis->setRange(0, std::max(1.0, newest));
}

void DashboardPage::markPhases() {
    budgetPlot_->clearItems();
    if (plan_.method != QLatin1String("adalora") || maxSteps_ <= 0) return;
    const struct {
        double step;
        QString label;
    } marks[] = {{static_cast<double>(plan_.tinit), tr("tinit")},
                 {static_cast<double>(maxSteps_ - plan_.tfinal), tr("tfinal")}};
    for (const auto& mark : marks) {
        if (mark.step <= 0) continue;
        auto* line = new QCPItemStraightLine(budgetPlot_);
        line->point1->setCoords(mark.step, 0);
        line->point2->setCoords(mark.step, 1);
        line->setPen(QPen(withAlpha(charts::kGrey, 0.6), 1, Qt::DotLine));
        auto* text = new QCPItemText(budgetPlot_);
        text->position->setTypeX(QCPItemPosition::ptPlotCoords);
        text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(mark.step, 0.98);
        text->setPositionAlignment(Qt::AlignBottom | Qt::AlignLeft);
        text->setPadding(QMargins(3, 0, 0, 0));
        text->setColor(charts::kGrey);
        text->setText(mark.label);
        QFont small = font();
        small.setPointSizeF(std::max(7.0, small.pointSizeF() - 1.5));
        text->setFont(small);
    }
}

void DashboardPage::replotAll() {
    replot(allPlots());
}

void DashboardPage::replot(const QList<QCustomPlot*>& plots) {
    if (!isVisible()) {
        // Hidden page: draw once when shown; the data is already in the graphs.
        replotPending_ = true;
        return;
    }
    for (QCustomPlot* plot : plots) {
        if (followLatest_) followNewest(plot);
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

void DashboardPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (replotPending_) {
        replotPending_ = false;
        replotAll();
    }
}

void DashboardPage::updateStatusText() {
    QStringList parts;
    const QLocale locale;
    if (hasStep_) {
        parts << tr("Step %1 / %2").arg(locale.toString(lastStep_.step), locale.toString(maxSteps_));
        parts << tr("epoch %1").arg(lastStep_.epoch, 0, 'f', 2);
        parts << tr("elapsed %1").arg(charts::formatDuration(lastStep_.elapsedSeconds));
        if (!isTerminal(state_)) parts << tr("ETA %1").arg(charts::formatDuration(lastStep_.etaSeconds));
        parts << tr("%1 tokens/s").arg(locale.toString(lastStep_.tokensPerSecond, 'f', 0));
        parts << tr("%1 MiB").arg(locale.toString(lastStep_.memoryBytes / kMebibyte, 'f', 0));
    } else if (state_ == RunState::Preparing) {
        parts << tr("Loading the model and the data…");
    }
    if (lastEval_) {
        QString eval = tr("eval loss %1").arg(lastEval_->loss, 0, 'f', 3);
        if (lastEval_->hasAccuracy) eval += tr(", accuracy %1 %").arg(lastEval_->accuracy * 100.0, 0, 'f', 1);
        parts << eval;
    }
    if (runInfo_.trainableParameters > 0 && runInfo_.totalParameters > 0)
        parts << tr("%1 trainable parameters (%2 %)")
                     .arg(locale.toString(runInfo_.trainableParameters))
                     .arg(100.0 * runInfo_.trainableParameters / runInfo_.totalParameters, 0, 'f', 2);
    QString text = parts.join(QStringLiteral("  ·  "));
    if (state_ == RunState::Failed && !stateReason_.isEmpty())
        text = QStringLiteral("<span style=\"color:#c62828\">%1</span>").arg(stateReason_.toHtmlEscaped()) +
               (text.isEmpty() ? QString() : QStringLiteral("<br>") + text.toHtmlEscaped());
    else
        text = text.toHtmlEscaped();
    detailLabel_->setText(text);
    progress_->setRange(0, static_cast<int>(std::max<qint64>(1, maxSteps_)));
    progress_->setValue(hasStep_ ? static_cast<int>(std::min(lastStep_.step, std::max<qint64>(1, maxSteps_))) : 0);
}

void DashboardPage::showHistoryBefore(const RunDetails& details, const QString& checkpointFolder) {
    qint64 through = -1;
    for (const CheckpointInfo& checkpoint : details.checkpoints)
        if (QDir::cleanPath(checkpoint.folder) == QDir::cleanPath(checkpointFolder)) through = checkpoint.step;
    if (through < 0) return;
    QVector<StepPoint> steps;
    for (const StepPoint& point : details.steps)
        if (point.step <= through) steps.append(point);
    QVector<EvalPoint> evaluations;
    for (const EvalPoint& point : details.evaluations)
        if (point.step <= through) evaluations.append(point);
    QVector<RankPoint> ranks;
    for (const RankPoint& point : details.rankPoints)
        if (point.step <= through) ranks.append(point);
    appendSteps(steps);
    appendEvaluations(evaluations);
    // The newest stored allocation may be from after the checkpoint: the live one replaces it soon.
    if (!ranks.isEmpty()) appendRanks(ranks, details.latestAllocation.step <= through ? details.latestAllocation : RankAllocation{});
}

void DashboardPage::showStoredRun(const RunDetails& details) {
    const RunRow& run = details.run;
    RunPlan plan;
    plan.title = tr("%1 (from the history)").arg(run.name);
    plan.method = run.method;
    plan.maxSteps = std::max<qint64>(0, run.maxSteps);
    plan.tinit = details.tinit;
    plan.tfinal = details.tfinal;
    startRun(plan);
    RunStartInfo info;
    info.runId = run.id;
    info.trainableParameters = std::max<qint64>(0, run.trainableParameters);
    info.totalParameters = std::max<qint64>(0, run.totalParameters);
    info.maxSteps = plan.maxSteps;
    setRunInfo(info);
    appendSteps(details.steps);
    appendEvaluations(details.evaluations);
    if (!details.rankPoints.isEmpty() || details.latestAllocation.step >= 0)
        appendRanks(details.rankPoints, details.latestAllocation);
    RunState state = RunState::Failed;
    switch (run.status) {
    case StoredRunStatus::Created: state = RunState::Preparing; break;
    case StoredRunStatus::Running: state = RunState::Running; break;
    case StoredRunStatus::Paused: state = RunState::Paused; break;
    case StoredRunStatus::Finished: state = RunState::Finished; break;
    case StoredRunStatus::Failed: state = RunState::Failed; break;
    // An interrupted run stopped without finishing, like a stopped one; the reason says why.
    case StoredRunStatus::Cancelled:
    case StoredRunStatus::Interrupted: state = RunState::Cancelled; break;
    }
    setRunState(state, run.failureReason);
    if (run.status == StoredRunStatus::Interrupted) stateLabel_->setText(tr("Interrupted"));
    setFollowLatest(true);
}

int DashboardPage::lossPointCount() const {
    return rawLoss_->dataCount();
}

bool DashboardPage::adaLoraViewVisible() const {
    return adaLoraPanel_->isVisibleTo(this);
}

QString DashboardPage::statusText() const {
    return detailLabel_->text();
}

}  // namespace capsule::ui
