#include "widgets/compare_page.h"

#include "widgets/chart_style.h"
#include "widgets/compare_run_model.h"
#include "widgets/config_diff_model.h"
#include "widgets/qcustomplot_include.h"

#include <QBuffer>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMap>
#include <QPainter>
#include <QPushButton>
#include <QShowEvent>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace capsule::ui {
namespace {

QString metricTitle(ComparedMetric metric) {
    switch (metric) {
    case ComparedMetric::TrainLoss: return ComparePage::tr("Train loss");
    case ComparedMetric::EvalLoss: return ComparePage::tr("Eval loss");
    case ComparedMetric::EvalAccuracy: return ComparePage::tr("Eval accuracy");
    case ComparedMetric::LearningRate: return ComparePage::tr("Learning rate");
    }
    return {};
}

QString runLabel(const RunSummary& run) {
    const QString name = run.name.isEmpty() ? ComparePage::tr("run %1").arg(run.id) : run.name;
    return ComparePage::tr("%1 (%2)").arg(name, run.method);
}

void setChartTitle(QCustomPlot* plot, const QString& title) {
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto* text = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i))) {
            text->setText(title);
            return;
        }
}

void setLogScale(QCPAxis* axis, bool logarithmic) {
    if (logarithmic == (axis->scaleType() == QCPAxis::stLogarithmic)) return;
    axis->setScaleType(logarithmic ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (logarithmic) {
        auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
        ticker->setSubTickCount(8);
        axis->setTicker(ticker);
        axis->setNumberFormat(QStringLiteral("eb"));
        axis->setNumberPrecision(0);
    } else {
        auto ticker = QSharedPointer<QCPAxisTicker>::create();
        ticker->setTickCount(4);
        axis->setTicker(ticker);
        axis->setNumberFormat(QStringLiteral("gbd"));
        axis->setNumberPrecision(6);
    }
}

/// [low, high] widened by 8 % (and to a visible span when all values are equal). Accuracies stay
/// within [0, 1] plus a little room, so equal accuracies of 1.0 do not draw an axis up to 1.005.
QCPRange padded(double low, double high, bool accuracy = false) {
    double span = high - low;
    if (!(span > 0)) span = accuracy ? 0.1 : std::max(std::abs(high) * 0.1, 0.05);
    QCPRange range(low - span * 0.08, high + span * 0.08);
    if (accuracy) {
        range.lower = std::max(range.lower, 0.0);
        range.upper = std::min(range.upper, 1.0 + span * 0.08);
        if (range.upper - range.lower < 0.1) range.lower = std::max(0.0, range.upper - 0.1);
    }
    return range;
}

/// Marker shapes per run, so runs whose curves coincide still show each one's points.
QCPScatterStyle::ScatterShape markerShape(int index) {
    static const QCPScatterStyle::ScatterShape shapes[] = {QCPScatterStyle::ssCircle, QCPScatterStyle::ssSquare,
                                                           QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
                                                           QCPScatterStyle::ssCross, QCPScatterStyle::ssPlus,
                                                           QCPScatterStyle::ssTriangleInverted, QCPScatterStyle::ssStar};
    return shapes[std::abs(index) % 8];
}

}  // namespace

ComparePage::ComparePage(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("ComparePage"));
    runModel_ = new CompareRunModel(this);
    diffModel_ = new ConfigDiffModel(this);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("compareSplitter"));
    splitter->setChildrenCollapsible(false);

    // --- left: the runs to tick
    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(8, 8, 4, 8);
    auto* runsTitle = new QLabel(tr("<b>Runs</b>"), left);
    runTable_ = new QTableView(left);
    runTable_->setObjectName(QStringLiteral("compareRunTable"));
    runTable_->setModel(runModel_);
    runTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    runTable_->setSelectionMode(QAbstractItemView::SingleSelection);
    runTable_->verticalHeader()->hide();
    runTable_->setWordWrap(false);
    runTable_->horizontalHeader()->setSectionResizeMode(CompareRunModel::NameColumn, QHeaderView::Stretch);
    for (int column = CompareRunModel::MethodColumn; column < CompareRunModel::ColumnCount; ++column)
        runTable_->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    runTable_->setToolTip(tr("Tick the runs to compare"));
    refreshButton_ = new QPushButton(style()->standardIcon(QStyle::SP_BrowserReload), tr("&Refresh"), left);
    refreshButton_->setToolTip(tr("Read the run list again from the run store"));
    auto* clearButton = new QPushButton(tr("C&lear Ticks"), left);
    clearButton->setToolTip(tr("Untick every run"));
    compareMethodsButton_ = new QPushButton(tr("Compare &Methods…"), left);
    compareMethodsButton_->setObjectName(QStringLiteral("compareMethodsButton"));
    compareMethodsButton_->setToolTip(tr("Train the setup's model and dataset with several methods, one after "
                                         "another, and compare the runs"));
    iclBaselineButton_ = new QPushButton(tr("ICL &Baseline…"), left);
    iclBaselineButton_->setObjectName(QStringLiteral("iclBaselineButton"));
    iclBaselineButton_->setToolTip(tr("Score the setup's base model, untrained, with k training examples placed in "
                                      "its prompt (in-context learning), the same way runs are evaluated: what does "
                                      "fine-tuning buy over prompting?"));
    auto* leftButtons = new QHBoxLayout;
    leftButtons->addWidget(refreshButton_);
    leftButtons->addWidget(clearButton);
    leftButtons->addStretch(1);
    leftButtons->addWidget(iclBaselineButton_);
    leftButtons->addWidget(compareMethodsButton_);
    leftLayout->addWidget(runsTitle);
    leftLayout->addWidget(runTable_, 1);
    leftLayout->addLayout(leftButtons);

    // --- right: metric selector, exports, charts, diff
    auto* right = new QWidget(splitter);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(4, 8, 8, 8);
    auto* controls = new QHBoxLayout;
    auto* metricLabel = new QLabel(tr("&Metric:"), right);
    metricCombo_ = new QComboBox(right);
    metricCombo_->setObjectName(QStringLiteral("compareMetric"));
    for (const ComparedMetric metric : comparedMetrics()) metricCombo_->addItem(metricTitle(metric), int(metric));
    metricCombo_->setToolTip(tr("The curve overlaid for every ticked run"));
    metricLabel->setBuddy(metricCombo_);
    exportPngButton_ = new QPushButton(tr("Export &PNG…"), right);
    exportPngButton_->setToolTip(tr("Save the overlay and the scatter as one PNG image"));
    exportCsvButton_ = new QPushButton(tr("Export &CSV…"), right);
    exportCsvButton_->setToolTip(tr("Save one row per run, and every curve point in a second file"));
    controls->addWidget(metricLabel);
    controls->addWidget(metricCombo_);
    controls->addStretch(1);
    controls->addWidget(exportPngButton_);
    controls->addWidget(exportCsvButton_);

    hintLabel_ = new QLabel(right);
    hintLabel_->setObjectName(QStringLiteral("compareHint"));
    hintLabel_->setWordWrap(true);
    errorLabel_ = new QLabel(right);
    errorLabel_->setObjectName(QStringLiteral("compareError"));
    errorLabel_->setWordWrap(true);
    errorLabel_->setStyleSheet(QStringLiteral("color: #d55e00;"));
    errorLabel_->hide();

    auto* vertical = new QSplitter(Qt::Vertical, right);
    vertical->setChildrenCollapsible(false);
    auto* charts = new QWidget(vertical);
    auto* chartsLayout = new QHBoxLayout(charts);
    chartsLayout->setContentsMargins(0, 0, 0, 0);
    overlay_ = charts::createChart(charts, metricTitle(ComparedMetric::TrainLoss), tr("loss"));
    overlay_->setObjectName(QStringLiteral("compareOverlay"));
    overlay_->setToolTip(tr("Drag to pan, wheel to zoom"));
    overlay_->xAxis->ticker()->setTickCount(5);
    // The legend goes under the axes, in columns: with several runs it would hide curves inside.
    overlay_->axisRect()->insetLayout()->take(overlay_->legend);
    overlay_->plotLayout()->addElement(2, 0, overlay_->legend);
    overlay_->plotLayout()->setRowStretchFactor(2, 0.001);
    overlay_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    overlay_->legend->setWrap(3);
    overlay_->legend->setMargins(QMargins(6, 0, 6, 4));
    overlay_->legend->setBrush(Qt::NoBrush);
    scatter_ = charts::createChart(charts, tr("Best eval vs trainable parameters"), tr("best eval accuracy"));
    scatter_->setObjectName(QStringLiteral("compareScatter"));
    scatter_->xAxis->setLabel(tr("trainable parameters (log scale)"));
    scatter_->setToolTip(tr("One point per run, labelled with its method: how much each method gets out of how "
                            "few trainable parameters"));
    setLogScale(scatter_->xAxis, true);
    chartsLayout->addWidget(overlay_, 3);
    chartsLayout->addWidget(scatter_, 2);

    costLabel_ = new QLabel(right);
    costLabel_->setObjectName(QStringLiteral("compareCost"));
    costLabel_->setWordWrap(true);
    costLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    costLabel_->hide();

    auto* diffBox = new QWidget(vertical);
    auto* diffLayout = new QVBoxLayout(diffBox);
    diffLayout->setContentsMargins(0, 4, 0, 0);
    auto* diffTitle = new QLabel(tr("<b>Settings that differ</b> (equal settings are hidden)"), diffBox);
    diffTable_ = new QTableView(diffBox);
    diffTable_->setObjectName(QStringLiteral("compareDiffTable"));
    diffTable_->setModel(diffModel_);
    diffTable_->verticalHeader()->hide();
    diffTable_->setWordWrap(false);
    diffTable_->setTextElideMode(Qt::ElideMiddle);
    diffTable_->horizontalHeader()->setStretchLastSection(true);
    diffTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    diffTable_->horizontalHeader()->setDefaultSectionSize(170);
    diffLayout->addWidget(diffTitle);
    diffLayout->addWidget(diffTable_, 1);
    vertical->addWidget(charts);
    vertical->addWidget(diffBox);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);

    rightLayout->addLayout(controls);
    rightLayout->addWidget(hintLabel_);
    rightLayout->addWidget(errorLabel_);
    rightLayout->addWidget(vertical, 1);
    rightLayout->addWidget(costLabel_);

    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({440, 960});
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(runModel_, &CompareRunModel::checkedRunsChanged, this, &ComparePage::reloadCompared);
    connect(refreshButton_, &QPushButton::clicked, this, &ComparePage::refreshRuns);
    connect(clearButton, &QPushButton::clicked, runModel_, &CompareRunModel::clearChecks);
    connect(compareMethodsButton_, &QPushButton::clicked, this, &ComparePage::compareMethodsRequested);
    connect(iclBaselineButton_, &QPushButton::clicked, this, &ComparePage::iclBaselineRequested);
    connect(metricCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { redrawOverlay(); });
    connect(exportPngButton_, &QPushButton::clicked, this, &ComparePage::exportPngWithDialog);
    connect(exportCsvButton_, &QPushButton::clicked, this, &ComparePage::exportCsvWithDialog);
    reloadCompared();
}

void ComparePage::setStorePath(const QString& path) { storePath_ = path; }

QString ComparePage::storePath() const {
    return storePath_.isEmpty() ? comparison::defaultStorePath() : storePath_;
}

void ComparePage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (!loadedOnce_) refreshRuns();
}

void ComparePage::refreshRuns() {
    loadedOnce_ = true;
    QString error;
    const QVector<RunSummary> runs = comparison::listRuns(storePath(), &error);
    runModel_->setRuns(runs);
    reloadCompared();
    if (!error.isEmpty()) reportError(error);
}

void ComparePage::setComparedRuns(const QVector<qint64>& runIds) {
    runModel_->setCheckedRunIds(runIds);
}

void ComparePage::setMetric(ComparedMetric metric) {
    const int index = metricCombo_->findData(int(metric));
    if (index >= 0) metricCombo_->setCurrentIndex(index);
}

ComparedMetric ComparePage::metric() const { return static_cast<ComparedMetric>(metricCombo_->currentData().toInt()); }

QColor ComparePage::runColor(int index) {
    // Okabe & Ito (2008), ordered for contrast on a light background; yellow last.
    static const QColor palette[] = {QColor(0x00, 0x72, 0xb2), QColor(0xe6, 0x9f, 0x00), QColor(0x00, 0x9e, 0x73),
                                     QColor(0xd5, 0x5e, 0x00), QColor(0xcc, 0x79, 0xa7), QColor(0x56, 0xb4, 0xe9),
                                     QColor(0x33, 0x33, 0x33), QColor(0xf0, 0xe4, 0x42)};
    return palette[std::abs(index) % 8];
}

QPen ComparePage::runPen(int index, double width) {
    static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    return QPen(runColor(index), width, styles[(std::abs(index) / 8) % 4], Qt::RoundCap, Qt::RoundJoin);
}

bool ComparePage::scatterUsesAccuracy(const QVector<ComparedRun>& runs) {
    bool any = false;
    for (const ComparedRun& run : runs) {
        const bool hasAccuracy = run.series.contains(QStringLiteral("accuracy")) ||
                                 (run.summary.hasBestMetric && run.summary.bestMetricName == QLatin1String("accuracy"));
        const bool hasLoss = run.series.contains(QStringLiteral("eval_loss")) || run.summary.hasBestMetric;
        if (!hasAccuracy && hasLoss) return false;
        any = any || hasAccuracy;
    }
    return any;
}

bool ComparePage::scatterValue(const ComparedRun& run, bool accuracy, double* value) {
    const QString wanted = accuracy ? QStringLiteral("accuracy") : QStringLiteral("eval_loss");
    // The trainer's own pick first: the evaluation its kept adapter comes from.
    if (run.summary.hasBestMetric && run.summary.bestMetricName == wanted) {
        *value = run.summary.bestMetric;
        return true;
    }
    const auto series = run.series.constFind(wanted);
    if (series == run.series.constEnd() || series->values.isEmpty()) return false;
    *value = accuracy ? *std::max_element(series->values.cbegin(), series->values.cend())
                      : *std::min_element(series->values.cbegin(), series->values.cend());
    return true;
}

QStringList ComparePage::costLines(const QVector<ComparedRun>& runs) {
    QStringList lines;
    QMap<QString, double> questionTokens;  // dataset -> the baseline's zero-shot prompt length
    for (const ComparedRun& run : runs)
        if (run.summary.isBaseline && run.summary.zeroShotPromptTokens >= 0)
            questionTokens.insert(run.summary.dataset, run.summary.zeroShotPromptTokens);
    if (questionTokens.isEmpty()) return lines;
    for (const ComparedRun& run : runs) {
        const RunSummary& summary = run.summary;
        const QString best = formatBestMetric(summary);
        if (summary.isBaseline) {
            lines << tr("%1: %2 with nothing trained; %3 prompt tokens and %4 ms per example (%5 demonstrations)")
                         .arg(runLabel(summary), best)
                         .arg(summary.promptTokensPerExample, 0, 'f', 1)
                         .arg(summary.secondsPerExample * 1000.0, 0, 'f', 2)
                         .arg(summary.shots);
            continue;
        }
        const QString cost = formatRunCost(summary);
        QString line = cost.isEmpty() ? tr("%1: %2").arg(runLabel(summary), best)
                                      : tr("%1: %2, %3").arg(runLabel(summary), best, cost);
        if (const auto tokens = questionTokens.constFind(summary.dataset); tokens != questionTokens.constEnd())
            line += tr("; %1 prompt tokens per example").arg(*tokens + double(summary.virtualTokens), 0, 'f', 1);
        lines << line;
    }
    return lines;
}

void ComparePage::reloadCompared() {
    const QVector<qint64> ids = runModel_->checkedRunIds();
    QString error;
    compared_ = comparison::loadRuns(storePath(), ids, &error);
    lastError_ = error;
    errorLabel_->setText(error);
    errorLabel_->setVisible(!error.isEmpty());

    QStringList titles;
    for (const ComparedRun& run : compared_) titles << runLabel(run.summary);
    diffModel_->setDifferences(comparison::configDifferences(compared_), titles);
    // Fit the columns to their text, but no column so wide the others scroll away.
    diffTable_->resizeColumnsToContents();
    for (int column = 0; column < diffModel_->columnCount(); ++column)
        diffTable_->setColumnWidth(column, std::min(diffTable_->columnWidth(column), 240));

    if (runModel_->rowCount() == 0)
        hintLabel_->setText(tr("No runs in the run store yet (%1). Finished runs appear here; press Refresh after "
                               "training from the command line.")
                                .arg(storePath()));
    else if (compared_.size() < 2)
        hintLabel_->setText(tr("Tick two or more runs on the left to compare their curves, settings and parameter "
                               "efficiency."));
    hintLabel_->setVisible(runModel_->rowCount() == 0 || compared_.size() < 2);
    exportPngButton_->setEnabled(!compared_.isEmpty());
    exportCsvButton_->setEnabled(!compared_.isEmpty());

    const QStringList costs = costLines(compared_);
    costLabel_->setText(costs.join(QLatin1Char('\n')));
    costLabel_->setVisible(!costs.isEmpty());

    redrawOverlay();
    redrawScatter();
    Q_EMIT comparisonChanged();
}

void ComparePage::redrawOverlay() {
    const ComparedMetric shown = metric();
    const QString name = metricStoreName(shown);
    // Evaluations are a handful of points: markers keep a single one visible.
    const bool sparse = shown == ComparedMetric::EvalLoss || shown == ComparedMetric::EvalAccuracy;
    overlay_->clearGraphs();
    double low = std::numeric_limits<double>::infinity(), high = -low;
    double firstStep = low, lastStep = -low;
    bool allPositive = true;
    QVector<QPair<QCPGraph*, double>> baselines;  // drawn across the steps once they are known
    for (int i = 0; i < compared_.size(); ++i) {
        const ComparedRun& run = compared_[i];
        if (run.summary.isBaseline) {
            // Nothing trained: one evaluation, shown as a level to beat.
            const MetricSeries series = run.series.value(name);
            if (!sparse || series.values.isEmpty() || !std::isfinite(series.values.last())) continue;
            QCPGraph* graph = overlay_->addGraph();
            QPen pen = runPen(i, 1.6);
            pen.setStyle(Qt::DashLine);
            graph->setPen(pen);
            graph->setName(runLabel(run.summary));
            baselines.append({graph, series.values.last()});
            low = std::min(low, series.values.last());
            high = std::max(high, series.values.last());
            continue;
        }
        QCPGraph* graph = overlay_->addGraph();
        graph->setPen(runPen(i));
        graph->setName(runLabel(run.summary));
        if (sparse)
            graph->setScatterStyle(QCPScatterStyle(markerShape(i), runColor(i), overlay_->palette().color(QPalette::Base), 7));
        const MetricSeries series = run.series.value(name);
        graph->setData(series.steps, series.values, /*alreadySorted=*/true);
        for (int j = 0; j < series.values.size(); ++j) {
            const double value = series.values[j];
            if (!std::isfinite(value)) continue;
            low = std::min(low, value);
            high = std::max(high, value);
            allPositive = allPositive && value > 0;
            firstStep = std::min(firstStep, series.steps[j]);
            lastStep = std::max(lastStep, series.steps[j]);
        }
    }
    setChartTitle(overlay_, metricTitle(shown));
    const QString yLabels[] = {tr("loss"), tr("loss"), tr("accuracy (0–1)"), tr("learning rate")};
    overlay_->yAxis->setLabel(yLabels[int(shown)]);
    // Methods' learning rates differ by orders of magnitude (2e-4 LoRA, 3e-3 IA3, 3e-2 prompts).
    const bool logarithmic = shown == ComparedMetric::LearningRate && allPositive && high > low * 5;
    setLogScale(overlay_->yAxis, logarithmic);
    overlay_->legend->setVisible(!compared_.isEmpty());
    if (!std::isfinite(firstStep)) firstStep = 0, lastStep = 1;  // baselines only
    for (const auto& [graph, value] : baselines)
        graph->setData({std::min(0.0, firstStep), std::max(lastStep, firstStep + 1)}, {value, value}, true);
    if (std::isfinite(low)) {
        overlay_->xAxis->setRange(std::min(0.0, firstStep), std::max(lastStep, firstStep + 1));
        overlay_->yAxis->setRange(logarithmic ? QCPRange(low / 1.5, high * 1.5)
                                              : padded(low, high, shown == ComparedMetric::EvalAccuracy));
    }
    overlay_->replot();
}

void ComparePage::redrawScatter() {
    scatter_->clearGraphs();
    scatter_->clearItems();
    const bool accuracy = scatterUsesAccuracy(compared_);
    scatter_->yAxis->setLabel(accuracy ? tr("best eval accuracy (0–1)") : tr("best eval loss (lower is better)"));
    double lowX = std::numeric_limits<double>::infinity(), highX = -lowX, lowY = lowX, highY = -lowX;
    QFont labelFont = font();
    labelFont.setPointSizeF(std::max(7.0, labelFont.pointSizeF() - 0.5));
    const int lineHeight = QFontMetrics(labelFont).height();
    QVector<QPointF> placed;  // (log10 parameters, value) of the points labelled so far
    for (int i = 0; i < compared_.size(); ++i) {
        const ComparedRun& run = compared_[i];
        double value = 0;
        if (run.summary.isBaseline && scatterValue(run, accuracy, &value)) {
            // No trainable parameters to place it by: a dashed level across the chart, labelled.
            auto* level = new QCPItemStraightLine(scatter_);
            QPen pen = runPen(i, 1.6);
            pen.setStyle(Qt::DashLine);
            level->setPen(pen);
            level->point1->setCoords(1, value);
            level->point2->setCoords(10, value);
            auto* label = new QCPItemText(scatter_);
            label->setObjectName(QStringLiteral("baselineLabel"));
            label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
            label->position->setTypeY(QCPItemPosition::ptPlotCoords);
            label->position->setCoords(0.02, value);
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            label->setText(run.summary.name.isEmpty() ? run.summary.method : run.summary.name);
            label->setFont(labelFont);
            label->setColor(runColor(i));
            lowY = std::min(lowY, value);
            highY = std::max(highY, value);
            continue;
        }
        if (run.summary.trainableParameters <= 0 || !scatterValue(run, accuracy, &value)) continue;
        const double parameters = double(run.summary.trainableParameters);
        QCPGraph* graph = scatter_->addGraph();
        graph->setName(runLabel(run.summary));
        graph->setLineStyle(QCPGraph::lsNone);
        // The overlay's marker shapes, filled: runs at the same spot stay distinguishable.
        graph->setScatterStyle(QCPScatterStyle(markerShape(i), QPen(runColor(i), 2), runColor(i), 11));
        graph->setPen(runPen(i));
        graph->addData(parameters, value);
        auto* label = new QCPItemText(scatter_);
        label->setObjectName(QStringLiteral("methodLabel"));
        label->position->setCoords(parameters, value);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        // Runs with about the same size and score (LoRA and AdaLoRA often are): stack their labels.
        int near = 0;
        for (const QPointF& other : placed)
            near += std::abs(other.x() - std::log10(parameters)) < 0.25 && std::abs(other.y() - value) < 0.02 * std::max(1.0, std::abs(value));
        placed << QPointF(std::log10(parameters), value);
        label->setPadding(QMargins(0, 0, 0, 7 + near * lineHeight));
        label->setText(run.summary.method);
        label->setFont(labelFont);
        label->setColor(palette().color(QPalette::WindowText));
        label->setClipToAxisRect(false);
        lowX = std::min(lowX, parameters);
        highX = std::max(highX, parameters);
        lowY = std::min(lowY, value);
        highY = std::max(highY, value);
    }
    if (std::isfinite(lowY)) {
        // Room around the points, so the labels centred over them stay inside, out to whole
        // decades: the log axis then labels powers of ten only, which never crowd each other.
        const auto decade = [](double value, bool up) {
            return std::pow(10.0, up ? std::ceil(std::log10(value)) : std::floor(std::log10(value)));
        };
        if (std::isfinite(lowX)) scatter_->xAxis->setRange(decade(lowX / 4.0, false), decade(highX * 4.0, true));
        else scatter_->xAxis->setRange(1e3, 1e7);
        QCPRange y = padded(lowY, highY, accuracy);
        y.upper += (y.upper - y.lower) * 0.15;  // headroom for the labels above the points
        scatter_->yAxis->setRange(y);
    } else {
        scatter_->xAxis->setRange(1e3, 1e7);
        scatter_->yAxis->setRange(0, 1);
    }
    scatter_->replot();
}

bool ComparePage::exportPng(const QString& path, int plotWidth, int plotHeight) {
    const QPixmap overlay = overlay_->toPixmap(plotWidth, plotHeight);
    const QPixmap scatter = scatter_->toPixmap(plotWidth, plotHeight);
    QImage canvas(plotWidth * 2, plotHeight, QImage::Format_ARGB32);
    canvas.fill(palette().color(QPalette::Base));
    {
        QPainter painter(&canvas);
        painter.drawPixmap(0, 0, overlay);
        painter.drawPixmap(plotWidth, 0, scatter);
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!canvas.save(&buffer, "PNG")) {
        reportError(tr("Cannot encode the PNG for %1").arg(path));
        return false;
    }
    QString error;
    if (!comparison::writeFileAtomically(path, bytes, &error)) {
        reportError(error);
        return false;
    }
    return true;
}

QString ComparePage::curvesCsvPath(const QString& summaryPath) {
    const QFileInfo info(summaryPath);
    const QString base = info.suffix().compare(QLatin1String("csv"), Qt::CaseInsensitive) == 0
                             ? info.completeBaseName()
                             : info.fileName();
    return info.dir().filePath(base + QStringLiteral("-curves.csv"));
}

bool ComparePage::exportCsv(const QString& path) {
    QString error;
    if (!comparison::writeSummaryCsv(path, compared_, &error) ||
        !comparison::writeCurvesCsv(curvesCsvPath(path), compared_, &error)) {
        reportError(error);
        return false;
    }
    return true;
}

void ComparePage::exportPngWithDialog() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the Comparison as PNG"),
                                                      QDir::home().filePath(QStringLiteral("comparison.png")),
                                                      tr("PNG images (*.png)"));
    if (!path.isEmpty()) exportPng(path);
}

void ComparePage::exportCsvWithDialog() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the Comparison as CSV"),
                                                      QDir::home().filePath(QStringLiteral("comparison.csv")),
                                                      tr("CSV files (*.csv)"));
    if (!path.isEmpty()) exportCsv(path);
}

void ComparePage::reportError(const QString& message) {
    lastError_ = message;
    errorLabel_->setText(message);
    errorLabel_->setVisible(!message.isEmpty());
}

}  // namespace capsule::ui
