// The dashboard on synthetic batches: points land in the right graphs, the EMA matches an
// independent computation, follow-latest and log scale behave, evaluation accuracy gets its axis,
// and an AdaLoRA allocation fills the heatmap (cells, colours, hover text) and the budget curve.
#include "widgets/dashboard_page.h"
#include "widgets/rank_bars.h"
#include "widgets/chart_style.h"
#include "widgets/rank_heatmap.h"

#include "widgets/qcustomplot_include.h"

#include <QCheckBox>
#include <QElapsedTimer>
#include <QProgressBar>
#include <QSlider>
#include <QtTest>

#include <cmath>

using namespace capsule::ui;

namespace {

QVector<StepPoint> stepBatch(int first, int count, double (*loss)(int)) {
    QVector<StepPoint> batch;
    for (int step = first; step < first + count; ++step) {
        StepPoint point;
        point.step = step;
        point.maxSteps = 100;
        point.epoch = step / 50.0;
        point.loss = loss(step);
        point.learningRate = 1e-3 * (1.0 - step / 100.0);
        point.gradNorm = 0.5 + step * 0.01;
        point.tokensPerSecond = 1000 + step;
        point.memoryBytes = 256ll * 1024 * 1024;
        point.elapsedSeconds = step * 0.1;
        point.etaSeconds = (100 - step) * 0.1;
        batch << point;
    }
    return batch;
}

double decaying(int step) { return 3.0 * std::exp(-step / 30.0) + 0.1; }

/// The allocation of a 3-layer GPT-2 with two module kinds; layer 2's MLP is pruned to 0.
RankAllocation allocation(qint64 step) {
    RankAllocation value;
    value.step = step;
    value.budget = 30;
    const char* kinds[] = {"attn.c_attn", "mlp.c_fc"};
    const int ranks[3][2] = {{8, 5}, {6, 3}, {4, 0}};
    for (int layer = 0; layer < 3; ++layer) {
        for (int kind = 0; kind < 2; ++kind) {
            ModuleRankCell cell;
            cell.name = QStringLiteral("transformer.h.%1.%2").arg(layer).arg(QLatin1String(kinds[kind]));
            cell.layer = layer;
            cell.moduleKind = QLatin1String(kinds[kind]);
            cell.rank = ranks[layer][kind];
            cell.initialRank = 8;
            for (int j = 0; j < 8; ++j) cell.importance << float(0.1 * (j + 1) + layer);
            value.totalRank += cell.rank;
            value.modules << cell;
        }
    }
    return value;
}

}  // namespace

class TestDashboard : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stepBatchesFillEveryChart() {
        DashboardPage page;
        page.resize(1200, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.startRun({QStringLiteral("LoRA on test"), QStringLiteral("lora"), 100, 0, 0});
        QVERIFY(!page.adaLoraViewVisible());
        page.appendSteps(stepBatch(1, 10, decaying));
        page.appendSteps(stepBatch(11, 15, decaying));
        QCOMPARE(page.lossPointCount(), 25);
        QCOMPARE(page.smoothedLossGraph()->dataCount(), 25);
        QCOMPARE(page.learningRatePlot()->graph(0)->dataCount(), 25);
        QCOMPARE(page.gradNormPlot()->graph(0)->dataCount(), 25);
        QCOMPARE(page.throughputPlot()->graph(0)->dataCount(), 25);  // tokens/s
        QCOMPARE(page.throughputPlot()->graph(1)->dataCount(), 25);  // memory
        QCOMPARE(page.throughputPlot()->graph(1)->data()->at(0)->value, 256.0);  // MiB
        QCOMPARE(page.rawLossGraph()->data()->at(24)->value, decaying(25));
        QCOMPARE(page.progressBar()->maximum(), 100);
        QCOMPARE(page.progressBar()->value(), 25);
        QVERIFY2(page.statusText().contains(QStringLiteral("25 / 100")), qPrintable(page.statusText()));
        QVERIFY(page.statusText().contains(QStringLiteral("ETA")));
        // Following: the newest step is in view on every chart, the x axes line up.
        QVERIFY(page.lossPlot()->xAxis->range().upper >= 25.0);
        QCOMPARE(page.learningRatePlot()->xAxis->range().upper, page.lossPlot()->xAxis->range().upper);
        QVERIFY(page.lossPlot()->yAxis->range().contains(decaying(1)));
        // Nothing flagged on a smooth curve.
        QCOMPARE(page.spikeGraph()->dataCount(), 0);
        // A CPU run has no GPU-memory graph; steps of a CUDA run bring one on the memory axis.
        QVERIFY(!page.gpuMemoryGraph());
        QVector<StepPoint> cuda = stepBatch(26, 4, decaying);
        for (StepPoint& point : cuda) point.gpuMemoryBytes = (1024ll + point.step) * 1024 * 1024;
        page.appendSteps(cuda);
        QVERIFY(page.gpuMemoryGraph());
        QCOMPARE(page.gpuMemoryGraph()->dataCount(), 4);
        QCOMPARE(page.gpuMemoryGraph()->data()->at(0)->value, 1050.0);  // MiB at step 26
        QCOMPARE(page.gpuMemoryGraph()->valueAxis(), page.throughputPlot()->yAxis2);
    }

    void smoothingIsDebiasedEma() {
        DashboardPage page;
        page.setSmoothing(0.5);
        QVector<StepPoint> batch = stepBatch(1, 3, [](int step) { return step == 1 ? 1.0 : step == 2 ? 3.0 : 2.0; });
        page.appendSteps(batch);
        // Independent computation: a = 0.5 a + 0.5 x, divided by (1 - 0.5^n).
        const double expected[] = {1.0, (0.25 + 1.5) / 0.75, ((0.25 + 1.5) * 0.5 + 1.0) / 0.875};
        for (int i = 0; i < 3; ++i) QVERIFY(std::abs(page.smoothedLossGraph()->data()->at(i)->value - expected[i]) < 1e-12);
        page.setSmoothing(0.0);  // recomputed from the raw points
        for (int i = 0; i < 3; ++i)
            QCOMPARE(page.smoothedLossGraph()->data()->at(i)->value, page.rawLossGraph()->data()->at(i)->value);
        // The slider drives the same setting.
        page.findChild<QSlider*>(QStringLiteral("smoothing"))->setValue(90);
        QCOMPARE(page.smoothing(), 0.9);
    }

    void spikesAreFlagged() {
        DashboardPage page;
        page.appendSteps(stepBatch(1, 20, [](int step) { return step == 15 ? 9.0 : 2.0; }));
        QCOMPARE(page.spikeGraph()->dataCount(), 1);
        QCOMPARE(page.spikeGraph()->data()->at(0)->key, 15.0);
    }

    void followLatestAndLogScale() {
        DashboardPage page;
        page.resize(1200, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.appendSteps(stepBatch(1, 10, decaying));
        page.setFollowLatest(false);
        QVERIFY(!page.findChild<QCheckBox*>(QStringLiteral("followLatest"))->isChecked());
        const QCPRange before = page.lossPlot()->xAxis->range();
        page.appendSteps(stepBatch(11, 40, decaying));
        QCOMPARE(page.lossPlot()->xAxis->range(), before);  // the user's view stays
        page.setFollowLatest(true);
        QVERIFY(page.lossPlot()->xAxis->range().upper >= 50.0);
        // Dragging or zooming a chart stops following.
        QTest::mousePress(page.lossPlot(), Qt::LeftButton, {}, page.lossPlot()->rect().center());
        QTest::mouseRelease(page.lossPlot(), Qt::LeftButton, {}, page.lossPlot()->rect().center());
        QVERIFY(!page.followLatest());

        page.setLogScale(true);
        QCOMPARE(page.lossPlot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(page.lossPlot()->yAxis->range().lower > 0);
        QVERIFY(page.findChild<QCheckBox*>(QStringLiteral("logScale"))->isChecked());
        page.setLogScale(false);
        QCOMPARE(page.lossPlot()->yAxis->scaleType(), QCPAxis::stLinear);
    }

    void epochAxisLabelsStepsInEpochs() {
        DashboardPage page;
        page.resize(1200, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.setEpochAxis(true);  // before any step: still labelled in steps
        QCOMPARE(page.lossPlot()->xAxis->label(), QStringLiteral("step"));
        page.appendSteps(stepBatch(1, 100, decaying));  // 50 steps per epoch
        QCOMPARE(page.lossPlot()->xAxis->label(), QStringLiteral("epoch"));
        QCOMPARE(page.budgetPlot()->xAxis->label(), QStringLiteral("epoch"));
        page.lossPlot()->replot();
        // Ticks sit on round epochs: step 50 is labelled "1".
        const QVector<double> ticks = page.lossPlot()->xAxis->tickVector();
        const QVector<QString> labels = page.lossPlot()->xAxis->tickVectorLabels();
        QVERIFY(!ticks.isEmpty());
        bool foundEpochOne = false;
        for (int i = 0; i < ticks.size(); ++i) {
            QVERIFY2(std::abs(std::fmod(ticks[i] / 50.0 * 10.0, 1.0)) < 1e-6 || std::abs(std::fmod(ticks[i] / 50.0 * 10.0, 1.0) - 1.0) < 1e-6,
                     qPrintable(QString::number(ticks[i])));
            if (std::abs(ticks[i] - 50.0) < 1e-9) foundEpochOne = labels[i] == QStringLiteral("1");
        }
        QVERIFY2(foundEpochOne, qPrintable(QStringList(labels.begin(), labels.end()).join(QLatin1Char(' '))));
        QCOMPARE(page.rawLossGraph()->data()->at(0)->key, 1.0);  // the data stays keyed by step
        page.setEpochAxis(false);
        QCOMPARE(page.lossPlot()->xAxis->label(), QStringLiteral("step"));
    }

    void evaluationsWithAccuracy() {
        DashboardPage page;
        EvalPoint first{0, 2.0, std::exp(2.0), true, 0.5, 128, true};
        EvalPoint second{50, 1.0, std::exp(1.0), true, 0.875, 128, true};
        page.appendEvaluations({first});
        page.appendEvaluations({second});
        QCOMPARE(page.evalLossGraph()->dataCount(), 2);
        QCOMPARE(page.accuracyGraph()->dataCount(), 2);
        QCOMPARE(page.accuracyGraph()->data()->at(1)->value, 87.5);
        QVERIFY(page.evaluationPlot()->yAxis2->visible());
        QVERIFY(page.statusText().contains(QStringLiteral("87.5")));
    }

    void adaLoraAllocationFillsTheHeatmap() {
        DashboardPage page;
        page.resize(1280, 760);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.startRun({QStringLiteral("AdaLoRA on test"), QStringLiteral("adalora"), 100, 10, 20});
        QVERIFY(page.adaLoraViewVisible());
        page.appendRanks({{1, 48, 48}, {2, 46, 46}, {3, 44, 29}}, allocation(3));
        RankHeatmap* heatmap = page.rankHeatmap();
        QCOMPARE(heatmap->columns(), (QStringList{"attn.c_attn", "mlp.c_fc"}));
        QCOMPARE(heatmap->layers(), (QList<int>{0, 1, 2}));
        QCOMPARE(heatmap->rankAt(0, QStringLiteral("attn.c_attn")), 8);
        QCOMPARE(heatmap->rankAt(1, QStringLiteral("mlp.c_fc")), 3);
        QCOMPARE(heatmap->rankAt(2, QStringLiteral("mlp.c_fc")), 0);
        QCOMPARE(heatmap->rankAt(7, QStringLiteral("mlp.c_fc")), -1);
        QCOMPARE(heatmap->cellValue(1, 0), 5.0);  // column mlp.c_fc, layer 0
        QCOMPARE(heatmap->colorMap()->data()->keySize(), 2);
        QCOMPARE(heatmap->colorMap()->data()->valueSize(), 3);
        QCOMPARE(page.budgetGraph()->dataCount(), 3);
        QCOMPARE(page.totalRankGraph()->data()->at(2)->value, 29.0);

        // Hovering a cell names the module and lists its importance scores.
        page.repaint();
        heatmap->plot()->replot();
        QCustomPlot* plot = heatmap->plot();
        const QPoint cell(int(plot->xAxis->coordToPixel(1)), int(plot->yAxis->coordToPixel(2)));
        const QString tip = heatmap->toolTipAt(cell);
        QVERIFY2(tip.contains(QStringLiteral("transformer.h.2.mlp.c_fc")), qPrintable(tip));
        QVERIFY(tip.contains(QStringLiteral("rank 0 of 8")));
        QVERIFY(tip.contains(QStringLiteral("2.8")));  // the largest importance score of layer 2
        QVERIFY(heatmap->toolTipAt(QPoint(1, 1)).isEmpty());
        QVERIFY(heatmap->cellNumbersVisible());

        // A new allocation updates the cells in place.
        RankAllocation next = allocation(4);
        next.modules[0].rank = 2;
        page.appendRanks({{4, 40, 23}}, next);
        QCOMPARE(heatmap->rankAt(0, QStringLiteral("attn.c_attn")), 2);
        QCOMPARE(heatmap->cellValue(0, 0), 2.0);

        // The heatmap is drawn: its colours vary across the cells.
        const QImage image = heatmap->grab().toImage();
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 5)
            for (int x = 0; x < image.width(); x += 5) colours.insert(image.pixel(x, y));
        QVERIFY(colours.size() > 10);
        page.clear();
        QVERIFY(heatmap->columns().isEmpty());
    }

    void adaLoraAllocationAsBars() {
        DashboardPage page;
        page.resize(1280, 760);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.startRun({QStringLiteral("AdaLoRA on test"), QStringLiteral("adalora"), 100, 10, 20});
        page.appendRanks({{3, 44, 29}}, allocation(3));
        RankBars* bars = page.rankBars();
        // One bar per adapted matrix in model order, as high as its rank; coloured (and named in
        // the legend) by module kind.
        QCOMPARE(bars->kinds(), (QStringList{"attn.c_attn", "mlp.c_fc", "attn.c_attn", "mlp.c_fc", "attn.c_attn", "mlp.c_fc"}));
        const double expected[] = {8, 5, 6, 3, 4, 0};
        for (int index = 0; index < 6; ++index) QCOMPARE(bars->barHeight(index), expected[index]);
        QCOMPARE(bars->barHeight(6), -1.0);
        QCOMPARE(bars->plot()->legend->itemCount(), 2);
        // The tooltip splits the importance scores into kept (the rank highest) and pruned ones.
        const QString tip = bars->toolTipFor(3);  // layer 1 mlp.c_fc: rank 3 of 8, scores 1.1 … 1.8
        QVERIFY2(tip.contains(QStringLiteral("transformer.h.1.mlp.c_fc")), qPrintable(tip));
        QVERIFY(tip.contains(QStringLiteral("rank 3 of 8")));
        QVERIFY2(tip.contains(QStringLiteral("importance kept: 1.8, 1.7, 1.6")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("importance pruned: 1.5, 1.4, 1.3, 1.2, 1.1")), qPrintable(tip));
        QVERIFY(!bars->toolTipFor(5).contains(QStringLiteral("kept: 2")));  // rank 0: nothing kept
        // The next allocation replaces the bars (the last one is the final allocation).
        RankAllocation next = allocation(4);
        next.modules[0].rank = 2;
        page.appendRanks({{4, 40, 23}}, next);
        QCOMPARE(bars->barHeight(0), 2.0);
        // Drawn: the bars' colours are on screen.
        bars->plot()->replot();
        const QImage image = bars->grab().toImage();
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 3)
            for (int x = 0; x < image.width(); x += 3) colours.insert(image.pixel(x, y));
        QVERIFY(colours.contains(charts::kBlue.rgb()) || colours.contains(charts::kOrange.rgb()));
        page.clear();
        QCOMPARE(bars->barHeight(0), -1.0);
    }

    void singleModuleHeatmapIsDrawable() {
        // One column (and one row): the colour map needs two cells per dimension internally.
        RankHeatmap heatmap;
        RankAllocation value;
        value.step = 1;
        ModuleRankCell cell;
        cell.name = QStringLiteral("transformer.h.0.attn.c_attn");
        cell.layer = 0;
        cell.moduleKind = QStringLiteral("attn.c_attn");
        cell.rank = 6;
        cell.initialRank = 8;
        value.modules << cell;
        heatmap.setAllocation(value);
        QCOMPARE(heatmap.cellValue(0, 0), 6.0);
        QCOMPARE(heatmap.rankAt(0, QStringLiteral("attn.c_attn")), 6);
    }

    void largeModelHeatmap() {
        // A Llama-sized allocation: 32 layers x 7 module kinds. Too many cells for numbers; every
        // cell still holds its rank, and updating it stays cheap.
        RankHeatmap heatmap;
        heatmap.resize(500, 400);
        const QStringList kinds = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                                   "mlp.gate_proj",    "mlp.up_proj",      "mlp.down_proj"};
        RankAllocation value;
        value.step = 10;
        for (int layer = 0; layer < 32; ++layer) {
            for (const QString& kind : kinds) {
                ModuleRankCell cell;
                cell.name = QStringLiteral("model.layers.%1.%2").arg(layer).arg(kind);
                cell.rank = (layer + int(kind.size())) % 13;
                cell.initialRank = 12;
                value.modules << cell;  // layer and kind left for the heatmap to parse
            }
        }
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 30; ++i) heatmap.setAllocation(value);
        qInfo("30 updates of a 32x7 heatmap: %lld ms", timer.elapsed());
        QCOMPARE(heatmap.layers().size(), qsizetype(32));
        QCOMPARE(heatmap.columns(), kinds);
        QCOMPARE(heatmap.rankAt(31, QStringLiteral("mlp.down_proj")), (31 + 13) % 13);
        QCOMPARE(heatmap.cellValue(6, 31), double((31 + 13) % 13));
        heatmap.show();
        QVERIFY(QTest::qWaitForWindowExposed(&heatmap));
        heatmap.plot()->replot();
        heatmap.plot()->replot();  // the second one sees the laid-out cell size
        QVERIFY(!heatmap.cellNumbersVisible());  // 32 rows in 400 px: too small for numbers
        const QString out = qEnvironmentVariable("CAPSULE_SCREENSHOT_DIR");
        if (!out.isEmpty()) heatmap.grab().save(out + QStringLiteral("/rank_heatmap_32x7.png"));
    }

    void moduleNamesSplitIntoLayerAndKind() {
        int layer = 0;
        QString kind;
        RankHeatmap::splitModuleName(QStringLiteral("transformer.h.3.attn.c_attn"), &layer, &kind);
        QCOMPARE(layer, 3);
        QCOMPARE(kind, QStringLiteral("attn.c_attn"));
        RankHeatmap::splitModuleName(QStringLiteral("model.layers.12.self_attn.q_proj"), &layer, &kind);
        QCOMPARE(layer, 12);
        QCOMPARE(kind, QStringLiteral("self_attn.q_proj"));
        RankHeatmap::splitModuleName(QStringLiteral("lm_head"), &layer, &kind);
        QCOMPARE(layer, -1);
        QCOMPARE(kind, QStringLiteral("lm_head"));
        // Modules named without a block index (core left them unsplit) get their own row.
        RankHeatmap heatmap;
        RankAllocation value = allocation(1);
        ModuleRankCell head;
        head.name = QStringLiteral("lm_head");
        head.rank = 2;
        head.initialRank = 8;
        value.modules << head;
        heatmap.setAllocation(value);
        QCOMPARE(heatmap.layers().last(), -1);
        QCOMPARE(heatmap.rankAt(-1, QStringLiteral("lm_head")), 2);
    }

    void runStatesShowInTheHeader() {
        DashboardPage page;
        page.startRun({QStringLiteral("LoRA"), QStringLiteral("lora"), 10, 0, 0});
        page.setRunState(RunState::Failed, QStringLiteral("out of memory at step 3: lower --batch-size"));
        QVERIFY(page.statusText().contains(QStringLiteral("lower --batch-size")));
        auto* state = page.findChild<QLabel*>(QStringLiteral("runState"));
        QVERIFY(state && !state->text().isEmpty());
    }
};

QTEST_MAIN(TestDashboard)
#include "test_dashboard.moc"
