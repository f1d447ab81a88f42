#include "widgets/rank_bars.h"

#include "widgets/chart_style.h"

#include "widgets/qcustomplot_include.h"

#include <QLocale>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace capsule::ui {
namespace {

const QColor kKindColors[] = {charts::kBlue, charts::kOrange, charts::kGreen, charts::kRed, charts::kPurple,
                              QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf)};

QString scoreList(const QVector<float>& scores) {
    QStringList parts;
    for (float score : scores) parts << QString::number(score, 'g', 3);
    return parts.join(QStringLiteral(", "));
}

}  // namespace

RankBars::RankBars(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("rankBars"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    plot_ = charts::createChart(this, tr("Rank per adapted matrix"), tr("rank"));
    plot_->setObjectName(QStringLiteral("rankBarsPlot"));
    plot_->xAxis->setLabel(tr("module (layer order)"));
    plot_->setMouseTracking(true);
    initialBars_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    initialBars_->setName(tr("init_r"));
    initialBars_->setPen(Qt::NoPen);
    initialBars_->setBrush(QColor(0x7f, 0x7f, 0x7f, 50));
    initialBars_->setWidth(0.8);
    initialBars_->removeFromLegend();
    // The legend in two columns under the axes: inside them it would hide bars.
    plot_->axisRect()->insetLayout()->take(plot_->legend);
    plot_->axisRect()->insetLayout()->simplify();
    const int legendRow = plot_->plotLayout()->rowCount();
    plot_->plotLayout()->addElement(legendRow, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(legendRow, 0.001);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->legend->setWrap(2);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->legend->setBrush(Qt::NoBrush);
    // Ranks are whole numbers.
    QSharedPointer<QCPAxisTickerFixed> rankTicker(new QCPAxisTickerFixed);
    rankTicker->setTickStep(1.0);
    rankTicker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    plot_->yAxis->setTicker(rankTicker);
    layout->addWidget(plot_);
    connect(plot_, &QCustomPlot::mouseMove, this, &RankBars::onMouseMove);
    clear();
}

void RankBars::clear() {
    allocation_ = RankAllocation{};
    kinds_.clear();
    initialBars_->data()->clear();
    for (QCPBars* bars : kindBars_) plot_->removePlottable(bars);
    kindBars_.clear();
    plot_->legend->setVisible(false);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void RankBars::setAllocation(const RankAllocation& allocation) {
    allocation_ = allocation;
    QStringList kindOrder;
    kinds_.clear();
    for (const ModuleRankCell& module : allocation.modules) {
        kinds_ << module.moduleKind;
        if (!kindOrder.contains(module.moduleKind)) kindOrder << module.moduleKind;
    }
    // One bar series per kind, so the legend names the colours.
    while (kindBars_.size() > kindOrder.size()) plot_->removePlottable(kindBars_.takeLast());
    while (kindBars_.size() < kindOrder.size()) {
        auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
        bars->setWidth(0.8);
        kindBars_ << bars;
    }
    QVector<QVector<double>> keys(kindOrder.size());
    QVector<QVector<double>> values(kindOrder.size());
    QVector<double> allKeys;
    QVector<double> initial;
    int maximum = 1;
    for (int index = 0; index < allocation.modules.size(); ++index) {
        const ModuleRankCell& module = allocation.modules[index];
        const int kind = static_cast<int>(kindOrder.indexOf(module.moduleKind));
        keys[kind] << index;
        values[kind] << module.rank;
        allKeys << index;
        initial << module.initialRank;
        maximum = std::max({maximum, module.rank, module.initialRank});
    }
    for (int kind = 0; kind < kindOrder.size(); ++kind) {
        QCPBars* bars = kindBars_[kind];
        const QColor color = kKindColors[kind % std::size(kKindColors)];
        bars->setName(kindOrder[kind]);
        bars->setPen(QPen(color.darker(120)));
        bars->setBrush(color);
        bars->setData(keys[kind], values[kind], true);
    }
    initialBars_->setData(allKeys, initial, true);
    // Layer numbers on the x axis where a new block starts.
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    int previousLayer = -2;
    for (int index = 0; index < allocation.modules.size(); ++index) {
        const int layer = allocation.modules[index].layer;
        if (layer != previousLayer) ticker->addTick(index, layer >= 0 ? tr("L%1").arg(layer) : QString());
        previousLayer = layer;
    }
    plot_->xAxis->setTicker(ticker);
    plot_->xAxis->setRange(-0.7, std::max<qsizetype>(1, allocation.modules.size()) - 0.3);
    plot_->yAxis->setRange(0, maximum + 0.5);
    plot_->legend->setVisible(kindOrder.size() > 1);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

double RankBars::barHeight(int index) const {
    if (index < 0 || index >= allocation_.modules.size()) return -1;
    const QString& kind = kinds_[index];
    for (QCPBars* bars : kindBars_) {
        if (bars->name() != kind) continue;
        const auto found = bars->data()->findBegin(index, false);
        if (found != bars->data()->constEnd() && found->key == index) return found->value;
    }
    return -1;
}

QString RankBars::toolTipFor(int index) const {
    if (index < 0 || index >= allocation_.modules.size()) return {};
    const ModuleRankCell& module = allocation_.modules[index];
    QString text = tr("%1\nrank %2 of %3").arg(module.name).arg(module.rank).arg(module.initialRank);
    if (!module.importance.isEmpty()) {
        // The allocator keeps the highest-scoring triplets: the top `rank` are the kept ones.
        QVector<float> sorted = module.importance;
        std::sort(sorted.begin(), sorted.end(), std::greater<float>());
        const int kept = std::clamp(module.rank, 0, static_cast<int>(sorted.size()));
        text += tr("\nimportance kept: %1").arg(scoreList(sorted.mid(0, kept)));
        if (kept < sorted.size()) text += tr("\nimportance pruned: %1").arg(scoreList(sorted.mid(kept)));
    }
    return text;
}

void RankBars::onMouseMove(QMouseEvent* event) {
    const double key = plot_->xAxis->pixelToCoord(event->position().x());
    const int index = static_cast<int>(std::lround(key));
    const double value = plot_->yAxis->pixelToCoord(event->position().y());
    const bool overBar = index >= 0 && index < allocation_.modules.size() && std::abs(key - index) <= 0.4 &&
                         value >= 0 && value <= std::max(allocation_.modules[index].initialRank, 1);
    if (overBar) QToolTip::showText(event->globalPosition().toPoint(), toolTipFor(index), plot_);
    else QToolTip::hideText();
}

}  // namespace capsule::ui
