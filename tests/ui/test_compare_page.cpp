// The Compare page on a real run store: two short real demo runs (LoRA and IA3, trained through the
// TrainingController with evaluations) plus one run written by hand through RunStore (a name that
// needs CSV quoting, a config lacking most keys, no parameter counts). Checks the overlay (one
// graph per run with the stored points, distinct pens, legend), the scatter (one point per run at
// the store's trainable parameters and best eval, labelled with the method, log x axis), the config
// diff against an independent JSON comparison, the CSV files parsed back, the PNG, the models
// under QAbstractItemModelTester, and errors that name the file.
#include "controller/method_queue.h"
#include "controller/run_comparison.h"
#include "controller/runtime_controller.h"
#include "controller/training_controller.h"
#include "store/run_store.h"
#include "support/demo_run.h"
#include "widgets/compare_page.h"
#include "widgets/compare_run_model.h"
#include "widgets/config_diff_model.h"
#include "widgets/main_window.h"
#include "widgets/method_choice_dialog.h"
#include "widgets/setup_page.h"
#include "widgets/qcustomplot_include.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QPushButton>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace capsule::ui;

namespace {

/// RFC 4180 lines: quoted fields may hold commas and doubled quotes (no line breaks needed here).
QVector<QStringList> readCsv(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    QVector<QStringList> rows;
    for (const QByteArray& rawLine : file.readAll().split('\n')) {
        const QString line = QString::fromUtf8(rawLine);
        if (line.isEmpty()) continue;
        QStringList fields;
        QString field;
        bool quoted = false;
        for (int i = 0; i < line.size(); ++i) {
            const QChar c = line[i];
            if (quoted) {
                if (c == QLatin1Char('"') && i + 1 < line.size() && line[i + 1] == QLatin1Char('"')) {
                    field += c;
                    ++i;
                } else if (c == QLatin1Char('"')) {
                    quoted = false;
                } else {
                    field += c;
                }
            } else if (c == QLatin1Char('"')) {
                quoted = true;
            } else if (c == QLatin1Char(',')) {
                fields << field;
                field.clear();
            } else {
                field += c;
            }
        }
        fields << field;
        rows << fields;
    }
    return rows;
}

}  // namespace

class TestComparePage : public QObject {
    Q_OBJECT

    QTemporaryDir scratch_;
    QString storePath_;
    qint64 loraRun_ = -1;
    qint64 ia3Run_ = -1;
    qint64 handRun_ = -1;

    /// A real demo run through the controller; evaluations at 0 and every `evalEvery` steps
    /// (default: half way and at the end). Returns its run id, -1 when it did not finish.
    qint64 trainDemo(const QString& method, int steps, int evalEvery = 0) {
        TrainingRequest request = test::demoRunRequest(scratch_.filePath(QStringLiteral("demo")), method, steps,
                                                       scratch_.filePath(QStringLiteral("runs/%1-%2").arg(method).arg(steps)),
                                                       storePath_);
        request.config.logEvery = 1;
        request.config.evalEvery = evalEvery > 0 ? evalEvery : steps / 2;
        request.config.runName = (method + QStringLiteral("-demo")).toStdString();
        const test::TrainedRun run = test::trainToEnd(request, 240'000);
        return run.finished() ? run.runId : -1;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        storePath_ = scratch_.filePath(QStringLiteral("store/runs.sqlite"));
        qputenv("CAPSULE_STORE", storePath_.toUtf8());
        qputenv("XDG_CACHE_HOME", scratch_.filePath(QStringLiteral("cache")).toUtf8());
        qputenv("XDG_CONFIG_HOME", scratch_.filePath(QStringLiteral("config")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("CapsuleTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_compare_page"));
        QSettings().clear();
        QElapsedTimer clock;
        clock.start();
        // Two real runs (different methods, real parameter counts, real evaluations).
        loraRun_ = trainDemo(QStringLiteral("lora"), 12);
        QVERIFY(loraRun_ >= 0);
        ia3Run_ = trainDemo(QStringLiteral("ia3"), 12);
        QVERIFY(ia3Run_ >= 0);
        qInfo("two 12-step demo runs trained in %lld ms", clock.elapsed());
        // A third run written directly: quoting in CSV, a key only some configs have, no counts.
        capsule::store::RunStore store(storePath_.toStdString());
        capsule::store::RunRecord record;
        record.name = "hand, made \"run\"";
        record.method = "prompt-tuning";
        record.configJson = R"({"method":"prompt-tuning","num_virtual_tokens":20})";
        handRun_ = store.createRun(record);
        store.appendMetrics(handRun_, {{1, "loss", 2.5, 0.1}, {2, "loss", 2.25, 0.2}, {3, "loss", 2.0, 0.3}});
    }

    void runListAndModels() {
        ComparePage page;
        QAbstractItemModelTester runTester(page.runModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester diffTester(page.diffModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.setStorePath(storePath_);
        QCOMPARE(page.runModel()->rowCount(), 0);  // nothing read before refresh or show
        page.refreshRuns();
        QCOMPARE(page.runModel()->rowCount(), 3);
        QVERIFY(page.lastError().isEmpty());
        // Newest first, as the store lists them.
        QCOMPARE(page.runModel()->index(0, 0).data(CompareRunModel::RunIdRole).toLongLong(), handRun_);
        QCOMPARE(page.runModel()->index(2, CompareRunModel::MethodColumn).data().toString(), QStringLiteral("lora"));

        // Ticking through the view's model (as a click does) draws the run.
        QSignalSpy changed(&page, &ComparePage::comparisonChanged);
        const QModelIndex loraCell = page.runModel()->index(2, CompareRunModel::NameColumn);
        QVERIFY(page.runModel()->flags(loraCell) & Qt::ItemIsUserCheckable);
        QVERIFY(page.runModel()->setData(loraCell, Qt::Checked, Qt::CheckStateRole));
        QCOMPARE(loraCell.data(Qt::CheckStateRole).toInt(), int(Qt::Checked));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(page.comparedRuns().size(), 1);
        QCOMPARE(page.overlayPlot()->graphCount(), 1);
        QCOMPARE(page.diffModel()->rowCount(), 0);  // one run: nothing to differ from

        page.setComparedRuns({loraRun_, ia3Run_, handRun_});
        QCOMPARE(page.runModel()->checkedRunIds(), (QVector<qint64>{handRun_, ia3Run_, loraRun_}));
        QVERIFY(page.diffModel()->rowCount() > 0);
        QCOMPARE(page.diffModel()->columnCount(), 4);
        // Ticks survive a refresh; a deleted run drops out of both list and comparison.
        page.refreshRuns();
        QCOMPARE(page.runModel()->checkedRunIds().size(), 3);
        page.runModel()->clearChecks();
        QVERIFY(page.comparedRuns().isEmpty());
        QCOMPARE(page.overlayPlot()->graphCount(), 0);
    }

    void overlayDrawsStoredCurves() {
        ComparePage page;
        page.setStorePath(storePath_);
        page.refreshRuns();
        page.setComparedRuns({loraRun_, ia3Run_});
        QCOMPARE(page.comparedRuns().size(), 2);
        capsule::store::RunStore store(storePath_.toStdString());
        QCustomPlot* plot = page.overlayPlot();

        const struct {
            ComparedMetric metric;
            const char* name;
        } cases[] = {{ComparedMetric::TrainLoss, "loss"},
                     {ComparedMetric::EvalLoss, "eval_loss"},
                     {ComparedMetric::EvalAccuracy, "accuracy"},
                     {ComparedMetric::LearningRate, "lr"}};
        for (const auto& c : cases) {
            page.setMetric(c.metric);
            QCOMPARE(page.metric(), c.metric);
            QCOMPARE(plot->graphCount(), 2);
            // Runs in list order: newest (IA3) first.
            const qint64 ids[] = {ia3Run_, loraRun_};
            for (int g = 0; g < 2; ++g) {
                const auto points = store.metrics(ids[g], c.name);
                QVERIFY2(!points.empty(), c.name);
                QCPGraph* graph = plot->graph(g);
                QCOMPARE(graph->dataCount(), int(points.size()));
                for (int i = 0; i < graph->dataCount(); ++i) {
                    QCOMPARE(graph->data()->at(i)->key, double(points[size_t(i)].step));
                    QCOMPARE(graph->data()->at(i)->value, points[size_t(i)].value);
                }
            }
            QVERIFY(plot->graph(0)->pen().color() != plot->graph(1)->pen().color());
        }
        QCOMPARE(page.metricCombo()->count(), 4);
        // 12 train steps (every one logged), evaluations at 0 and at least once more.
        page.setMetric(ComparedMetric::TrainLoss);
        QCOMPARE(plot->graph(0)->dataCount(), 12);
        page.setMetric(ComparedMetric::EvalLoss);
        QVERIFY(plot->graph(0)->dataCount() >= 2);
        // Learning rates of different methods differ by orders of magnitude: log y axis when all
        // are positive and span more than 5x.
        double lowest = 1e300, highest = -1e300;
        for (const qint64 id : {loraRun_, ia3Run_})
            for (const auto& point : store.metrics(id, "lr")) {
                lowest = std::min(lowest, point.value);
                highest = std::max(highest, point.value);
            }
        page.setMetric(ComparedMetric::LearningRate);
        QCOMPARE(plot->yAxis->scaleType(),
                 lowest > 0 && highest > 5 * lowest ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
        page.setMetric(ComparedMetric::TrainLoss);
        QCOMPARE(plot->yAxis->scaleType(), QCPAxis::stLinear);

        // Legend: both runs by name and method.
        QVERIFY(plot->legend->visible());
        QCOMPARE(plot->legend->itemCount(), 2);
        QStringList legend;
        for (int i = 0; i < plot->legend->itemCount(); ++i)
            legend << qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(i))->plottable()->name();
        QCOMPARE(legend, (QStringList{QStringLiteral("ia3-demo (ia3)"), QStringLiteral("lora-demo (lora)")}));

        // The palette: eight distinct colours, then the same colours dashed.
        QSet<QRgb> colours;
        for (int i = 0; i < 8; ++i) colours.insert(ComparePage::runColor(i).rgb());
        QCOMPARE(colours.size(), 8);
        QCOMPARE(ComparePage::runPen(8).color(), ComparePage::runColor(0));
        QVERIFY(ComparePage::runPen(8).style() != ComparePage::runPen(0).style());
    }

    void scatterIsParametersAgainstBestEval() {
        ComparePage page;
        page.setStorePath(storePath_);
        page.refreshRuns();
        page.setComparedRuns({loraRun_, ia3Run_, handRun_});
        capsule::store::RunStore store(storePath_.toStdString());
        QCustomPlot* scatter = page.scatterPlot();
        QCOMPARE(scatter->xAxis->scaleType(), QCPAxis::stLogarithmic);
        // The hand-made run has no parameter counts and no evaluation: no point.
        QCOMPARE(scatter->graphCount(), 2);
        QCOMPARE(scatter->itemCount(), 2);
        QVERIFY(ComparePage::scatterUsesAccuracy(page.comparedRuns()));
        QMap<QString, QPointF> points;  // method -> point
        for (int g = 0; g < scatter->graphCount(); ++g) {
            QCOMPARE(scatter->graph(g)->dataCount(), 1);
            QVERIFY(scatter->graph(g)->lineStyle() == QCPGraph::lsNone);
            const auto* label = qobject_cast<QCPItemText*>(scatter->item(g));
            QVERIFY(label);
            points.insert(label->text(), QPointF(scatter->graph(g)->data()->at(0)->key, scatter->graph(g)->data()->at(0)->value));
            QCOMPARE(label->position->coords(), points.value(label->text()));
        }
        QCOMPARE(points.keys(), (QStringList{QStringLiteral("ia3"), QStringLiteral("lora")}));
        for (const qint64 id : {loraRun_, ia3Run_}) {
            const auto record = store.run(id);
            QVERIFY(record && record->trainableParameters && record->bestEval);
            QCOMPARE(record->bestEvalMetric, std::string("accuracy"));
            const QPointF point = points.value(QString::fromStdString(record->method));
            QCOMPARE(point.x(), double(*record->trainableParameters));
            QCOMPARE(point.y(), *record->bestEval);
            // The points lie inside the visible ranges.
            QVERIFY(scatter->xAxis->range().contains(point.x()));
            QVERIFY(scatter->yAxis->range().contains(point.y()));
        }
        // The parameter axis spans whole decades, so its labels are powers of ten that never crowd.
        for (const double bound : {scatter->xAxis->range().lower, scatter->xAxis->range().upper})
            QCOMPARE(std::log10(bound), std::round(std::log10(bound)));
        // LoRA trains more parameters than IA3 on the same model.
        QVERIFY(points.value(QStringLiteral("lora")).x() > points.value(QStringLiteral("ia3")).x());
    }

    void configDiffListsOnlyDifferences() {
        ComparePage page;
        page.setStorePath(storePath_);
        page.refreshRuns();
        page.setComparedRuns({loraRun_, ia3Run_});
        const QStringList keys = page.diffModel()->keys();
        QVERIFY(keys.contains(QStringLiteral("method")));
        QVERIFY(!keys.contains(QStringLiteral("batch_size")));
        // Independent check: every top-level key of the two stored configs is listed exactly when
        // its values differ.
        capsule::store::RunStore store(storePath_.toStdString());
        const QJsonObject lora = QJsonDocument::fromJson(QByteArray::fromStdString(store.run(loraRun_)->configJson)).object();
        const QJsonObject ia3 = QJsonDocument::fromJson(QByteArray::fromStdString(store.run(ia3Run_)->configJson)).object();
        QVERIFY(lora.size() > 20);
        int differing = 0;
        for (const QString& key : lora.keys()) {
            const bool differs = lora.value(key) != ia3.value(key);
            differing += differs;
            QVERIFY2(keys.contains(key) == differs, qPrintable(key));
        }
        QCOMPARE(keys.size(), differing);
        // Column per run, values as the run's config has them.
        const int methodRow = int(keys.indexOf(QStringLiteral("method")));
        QCOMPARE(page.diffModel()->headerData(1, Qt::Horizontal).toString(), QStringLiteral("ia3-demo (ia3)"));
        QCOMPARE(page.diffModel()->index(methodRow, 1).data().toString(), QStringLiteral("ia3"));
        QCOMPARE(page.diffModel()->index(methodRow, 2).data().toString(), QStringLiteral("lora"));

        // With the hand-made run, keys it lacks differ (shown as a dash).
        page.setComparedRuns({loraRun_, ia3Run_, handRun_});
        const QStringList all = page.diffModel()->keys();
        const int batchRow = int(all.indexOf(QStringLiteral("batch_size")));
        QVERIFY(batchRow >= 0);
        QCOMPARE(page.diffModel()->index(batchRow, 1).data().toString(), QStringLiteral("–"));
        QCOMPARE(page.diffModel()->index(batchRow, 2).data().toString(), QStringLiteral("16"));
    }

    void flattenConfig() {
        QString error;
        const auto flat = comparison::flattenConfigJson(
            QStringLiteral(R"({"a":1,"b":{"c":"x","d":[1,2]},"e":true,"f":"t,u"})"), &error);
        QVERIFY(error.isEmpty());
        QCOMPARE(flat.value(QStringLiteral("a")), QStringLiteral("1"));
        QCOMPARE(flat.value(QStringLiteral("b.c")), QStringLiteral("x"));
        QCOMPARE(flat.value(QStringLiteral("b.d")), QStringLiteral("[1,2]"));
        QCOMPARE(flat.value(QStringLiteral("e")), QStringLiteral("true"));
        QCOMPARE(flat.size(), 5);
        QVERIFY(comparison::flattenConfigJson(QStringLiteral("{broken"), &error).isEmpty());
        QVERIFY(error.contains(QStringLiteral("JSON")));
    }

    void csvParsesBackToStoreValues() {
        ComparePage page;
        page.setStorePath(storePath_);
        page.refreshRuns();
        page.setComparedRuns({loraRun_, ia3Run_, handRun_});
        const QString summaryPath = scratch_.filePath(QStringLiteral("export/comparison.csv"));
        QDir().mkpath(scratch_.filePath(QStringLiteral("export")));
        QVERIFY2(page.exportCsv(summaryPath), qPrintable(page.lastError()));
        const QString curvesPath = ComparePage::curvesCsvPath(summaryPath);
        QCOMPARE(curvesPath, scratch_.filePath(QStringLiteral("export/comparison-curves.csv")));
        // Nothing but the two files (no temporaries left behind).
        QCOMPARE(QDir(scratch_.filePath(QStringLiteral("export"))).entryList(QDir::Files).size(), 2);

        capsule::store::RunStore store(storePath_.toStdString());
        const QVector<QStringList> summary = readCsv(summaryPath);
        QCOMPARE(summary.size(), 4);
        const QStringList header = summary[0];
        QCOMPARE(header.first(), QStringLiteral("run_id"));
        auto column = [&](const char* name) { return int(header.indexOf(QLatin1String(name))); };
        for (int row = 1; row < summary.size(); ++row) {
            const QStringList& fields = summary[row];
            QCOMPARE(fields.size(), header.size());
            const qint64 id = fields[column("run_id")].toLongLong();
            const auto record = store.run(id);
            QVERIFY(record.has_value());
            QCOMPARE(fields[column("name")], QString::fromStdString(record->name));  // quoting round-trips
            QCOMPARE(fields[column("method")], QString::fromStdString(record->method));
            if (id == handRun_) {
                QVERIFY(fields[column("trainable_parameters")].isEmpty());
                QVERIFY(fields[column("best_metric")].isEmpty());
                continue;
            }
            QCOMPARE(fields[column("trainable_parameters")].toLongLong(), *record->trainableParameters);
            QCOMPARE(fields[column("total_parameters")].toLongLong(), *record->totalParameters);
            QCOMPARE(fields[column("trainable_percent")].toDouble(),
                     100.0 * double(*record->trainableParameters) / double(*record->totalParameters));
            QCOMPARE(fields[column("best_metric_name")], QStringLiteral("accuracy"));
            QCOMPARE(fields[column("best_metric")].toDouble(), *record->bestEval);
            QCOMPARE(fields[column("final_eval_loss")].toDouble(), store.metrics(id, "eval_loss").back().value);
            QVERIFY(fields[column("duration_s")].toDouble() >= 0);
            double tokens = 0;
            const auto throughput = store.metrics(id, "tokens_per_s");
            for (const auto& point : throughput) tokens += point.value;
            QVERIFY(std::abs(fields[column("tokens_per_s")].toDouble() - tokens / double(throughput.size())) <= 1e-9 * tokens);
        }

        const QVector<QStringList> curves = readCsv(curvesPath);
        QCOMPARE(curves[0], (QStringList{QStringLiteral("run_id"), QStringLiteral("run"), QStringLiteral("method"),
                                         QStringLiteral("metric"), QStringLiteral("step"), QStringLiteral("value")}));
        QMap<QPair<qint64, QString>, QVector<QPair<qint64, double>>> parsed;
        for (int row = 1; row < curves.size(); ++row) {
            QCOMPARE(curves[row].size(), 6);
            parsed[{curves[row][0].toLongLong(), curves[row][3]}] << qMakePair(curves[row][4].toLongLong(), curves[row][5].toDouble());
        }
        int expectedRows = 0;
        for (const qint64 id : {loraRun_, ia3Run_, handRun_}) {
            for (const char* name : {"loss", "eval_loss", "accuracy", "lr"}) {
                const auto points = store.metrics(id, name);
                expectedRows += int(points.size());
                const auto& got = parsed.value({id, QString::fromLatin1(name)});
                QCOMPARE(got.size(), int(points.size()));
                for (size_t i = 0; i < points.size(); ++i) {
                    QCOMPARE(got[int(i)].first, qint64(points[i].step));
                    QCOMPARE(got[int(i)].second, points[i].value);  // 17 digits: exact
                }
            }
        }
        QCOMPARE(curves.size() - 1, expectedRows);

        // A folder that does not exist: false, the file named, nothing written.
        const QString bad = scratch_.filePath(QStringLiteral("missing/dir/c.csv"));
        QVERIFY(!page.exportCsv(bad));
        QVERIFY2(page.lastError().contains(bad), qPrintable(page.lastError()));
        QVERIFY(!QFileInfo::exists(bad));
    }

    void pngIsARealImage() {
        ComparePage page;
        page.setStorePath(storePath_);
        page.refreshRuns();
        page.setComparedRuns({loraRun_, ia3Run_});
        const QString path = scratch_.filePath(QStringLiteral("comparison.png"));
        QVERIFY2(page.exportPng(path, 700, 420), qPrintable(page.lastError()));
        QImage image(path);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(1400, 420));
        QVERIFY(QFileInfo(path).size() > 10'000);
        // Both runs' colours appear (lines and scatter discs), and far more than a blank canvas.
        QSet<QRgb> colours;
        int first = 0, second = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x) {
                const QRgb pixel = image.pixel(x, y) & 0xffffff;
                colours.insert(pixel);
                first += pixel == (ComparePage::runColor(0).rgb() & 0xffffff);
                second += pixel == (ComparePage::runColor(1).rgb() & 0xffffff);
            }
        QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
        QVERIFY2(first > 30 && second > 30, qPrintable(QStringLiteral("%1 %2").arg(first).arg(second)));
        QVERIFY(!page.exportPng(scratch_.filePath(QStringLiteral("missing/x.png"))));
        QVERIFY(page.lastError().contains(QStringLiteral("missing/x.png")));
    }

    void storeProblemsAreReported() {
        QString error;
        QVERIFY(comparison::listRuns(scratch_.filePath(QStringLiteral("nothing.sqlite")), &error).isEmpty());
        QVERIFY(error.isEmpty());  // a missing store is an empty list, not an error...
        QVERIFY(!QFileInfo::exists(scratch_.filePath(QStringLiteral("nothing.sqlite"))));  // ...and not created
        const auto runs = comparison::loadRuns(storePath_, {loraRun_, 999'999}, &error);
        QCOMPARE(runs.size(), 1);
        QVERIFY2(error.contains(QStringLiteral("999999")) && error.contains(storePath_), qPrintable(error));
        // Not a database: the message names the file.
        const QString garbage = scratch_.filePath(QStringLiteral("garbage.sqlite"));
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        error.clear();
        QVERIFY(comparison::listRuns(garbage, &error).isEmpty());
        QVERIFY2(error.contains(garbage), qPrintable(error));
    }

    void mainWindowHasTheCompareEntryAndRefreshesAfterARun() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        auto* navigation = window.findChild<QListWidget*>(QStringLiteral("navigation"));
        QVERIFY(navigation);
        QCOMPARE(navigation->item(MainWindow::ComparePageIndex)->text(), QStringLiteral("Compare"));
        window.show();
        window.showPage(MainWindow::ComparePageIndex);
        QVERIFY(window.comparePage()->isVisible());
        QCOMPARE(window.comparePage()->storePath(), storePath_);  // the studio's store ($CAPSULE_STORE here)
        const int before = window.comparePage()->runModel()->rowCount();
        QVERIFY(before >= 3);
        // A run finishing in the studio joins the list without pressing Refresh.
        const TrainingRequest request = test::demoRunRequest(scratch_.filePath(QStringLiteral("demo")), QStringLiteral("lora"), 4,
                                                             scratch_.filePath(QStringLiteral("runs/window")), storePath_);
        QSignalSpy finished(window.trainingController(), &TrainingController::finished);
        QVERIFY(window.trainingController()->start(request));
        QVERIFY(finished.wait(120'000));
        QCOMPARE(window.comparePage()->runModel()->rowCount(), before + 1);
        QCOMPARE(window.comparePage()->runModel()->index(0, 0).data(CompareRunModel::RunIdRole).toLongLong(),
                 window.trainingController()->runId());
    }

    void methodQueueRequests() {
        // The demo: each method gets the demo's own tuned settings, the base's budget and store.
        TrainingRequest demo;
        demo.demoFolder = scratch_.filePath(QStringLiteral("demo"));
        demo.config = TrainingController::demoConfig(QStringLiteral("lora"), 30, QStringLiteral("/x/out"));
        demo.config.store = "/x/store.sqlite";
        demo.config.evalEvery = 7;
        const auto requests = MethodQueue::requestsFor(
            demo, {QStringLiteral("lora"), QStringLiteral("ia3"), QStringLiteral("bogus"), QStringLiteral("lora")});
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests[1].config.method, std::string("ia3"));
        QCOMPARE(requests[1].config.out, std::string("/x/out-ia3"));
        QCOMPARE(requests[1].config.runName, std::string("demo-lora-ia3"));
        QCOMPARE(requests[1].config.lr, TrainingController::demoConfig(QStringLiteral("ia3"), 30, {}).lr);
        QCOMPARE(requests[1].config.maxSteps, qint64(30));
        QCOMPARE(requests[1].config.evalEvery, qint64(7));
        QCOMPARE(requests[1].config.store, std::string("/x/store.sqlite"));
        QCOMPARE(requests[0].config.out, std::string("/x/out-lora"));
        // A user's model: only the method changes; a learning rate chosen for LoRA is not IA3's.
        TrainingRequest own;
        own.config.model = "/m";
        own.config.data = "/d.jsonl";
        own.config.out = "/o";
        own.config.lr = 1e-4;
        own.config.r = 4;
        const auto mine = MethodQueue::requestsFor(own, {QStringLiteral("lora"), QStringLiteral("ia3")});
        QCOMPARE(mine.size(), 2);
        QCOMPARE(mine[0].config.lr, 1e-4);
        QCOMPARE(mine[1].config.lr, 0.0);
        QCOMPARE(mine[1].config.r, qint64(4));
        QCOMPARE(mine[1].config.model, std::string("/m"));

        // The dialog: needs two methods ticked.
        MethodChoiceDialog dialog({{QStringLiteral("lora"), QStringLiteral("LoRA")}, {QStringLiteral("ia3"), QStringLiteral("IA³")},
                                   {QStringLiteral("adalora"), QStringLiteral("AdaLoRA")}},
                                  {QStringLiteral("ia3")});
        QCOMPARE(dialog.chosenMethods(), QStringList{QStringLiteral("ia3")});
        auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QVERIFY(!ok->isEnabled());
        dialog.list()->item(2)->setCheckState(Qt::Checked);
        QVERIFY(ok->isEnabled());
        QCOMPARE(dialog.chosenMethods(), (QStringList{QStringLiteral("ia3"), QStringLiteral("adalora")}));
    }

    void compareMethodsTrainsEachInTurn() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        window.setupPage()->selectDemo();
        window.setupPage()->setMethod(QStringLiteral("lora"));
        window.setupPage()->setMaxSteps(8);
        window.setupPage()->setOutputFolder(scratch_.filePath(QStringLiteral("queue")));
        QSignalSpy done(window.methodQueue(), &MethodQueue::queueFinished);
        QSignalSpy starting(window.methodQueue(), &MethodQueue::runStarting);
        QVector<bool> overlapped;  // was a run active when the next one was about to start?
        connect(window.methodQueue(), &MethodQueue::runStarting, this,
                [&] { overlapped << window.trainingController()->isRunning(); });
        QVERIFY(window.compareMethods({QStringLiteral("lora"), QStringLiteral("ia3")}));
        QVERIFY(!window.compareMethods({QStringLiteral("lora"), QStringLiteral("ia3")}));  // one queue at a time
        QVERIFY(done.wait(180'000));
        QCOMPARE(done.first().at(1).toBool(), true);
        const auto runIds = done.first().at(0).value<QVector<qint64>>();
        QCOMPARE(runIds.size(), 2);
        QCOMPARE(starting.count(), 2);
        QCOMPARE(overlapped, (QVector<bool>{false, false}));
        capsule::store::RunStore store(storePath_.toStdString());
        const auto first = store.run(runIds[0]);
        const auto second = store.run(runIds[1]);
        QVERIFY(first && second);
        QCOMPARE(first->method, std::string("lora"));
        QCOMPARE(second->method, std::string("ia3"));
        QVERIFY(first->status == capsule::store::RunStatus::Finished);
        QVERIFY(second->status == capsule::store::RunStatus::Finished);
        QVERIFY(second->startedAt >= first->finishedAt);  // one after the other
        // Each in its own output folder, named after the method.
        QVERIFY(QString::fromStdString(first->configJson).contains(QStringLiteral("-lora\"")));
        QVERIFY(QString::fromStdString(second->configJson).contains(QStringLiteral("-ia3\"")));
        // The Compare page shows exactly those two.
        QCOMPARE(window.currentPage(), MainWindow::ComparePageIndex);
        QVector<qint64> shown;
        for (const ComparedRun& run : window.comparePage()->comparedRuns()) shown << run.summary.id;
        std::sort(shown.begin(), shown.end());
        QCOMPARE(shown, runIds);
        QCOMPARE(window.comparePage()->scatterPlot()->graphCount(), 2);
    }

    void stoppingARunStopsTheQueue() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        window.setupPage()->selectDemo();
        window.setupPage()->setMethod(QStringLiteral("lora"));
        window.setupPage()->setMaxSteps(400);
        window.setupPage()->setOutputFolder(scratch_.filePath(QStringLiteral("queue-stop")));
        QSignalSpy done(window.methodQueue(), &MethodQueue::queueFinished);
        connect(window.trainingController(), &TrainingController::stepsArrived, &window, [&] { window.stopTraining(); });
        QVERIFY(window.compareMethods({QStringLiteral("lora"), QStringLiteral("ia3"), QStringLiteral("adalora")}));
        QVERIFY(done.wait(120'000));
        QCOMPARE(done.first().at(1).toBool(), false);
        QCOMPARE(done.first().at(0).value<QVector<qint64>>().size(), 1);
        QVERIFY(!window.methodQueue()->isActive());
        QVERIFY(!window.trainingController()->isRunning());
    }

    void screenshot() {
        ComparePage page;
        page.setStorePath(storePath_);
        page.resize(1400, 820);
        page.show();  // the first show reads the store
        QVERIFY(page.runModel()->rowCount() >= 3);
        QVector<qint64> shown{loraRun_, ia3Run_};
        // CAPSULE_COMPARE_SCREENSHOT=file.png: a picture worth looking at, from runs long enough to
        // learn the demo task (four methods, CAPSULE_COMPARE_STEPS steps each, default 40).
        const QString path = qEnvironmentVariable("CAPSULE_COMPARE_SCREENSHOT");
        if (!path.isEmpty()) {
            const int steps = qEnvironmentVariableIntValue("CAPSULE_COMPARE_STEPS") > 0
                                  ? qEnvironmentVariableIntValue("CAPSULE_COMPARE_STEPS")
                                  : 40;
            shown.clear();
            for (const char* method : {"lora", "ia3", "adalora", "prompt-tuning"}) {
                const qint64 id = trainDemo(QString::fromLatin1(method), steps, std::max(1, steps / 10));
                QVERIFY(id >= 0);
                shown << id;
            }
            page.refreshRuns();
        }
        page.setComparedRuns(shown);
        QCOMPARE(page.comparedRuns().size(), shown.size());
        page.setMetric(ComparedMetric::EvalLoss);
        QCoreApplication::processEvents();
        const QString file = path.isEmpty() ? scratch_.filePath(QStringLiteral("compare.png")) : path;
        QVERIFY(page.grab().save(file));
        qInfo("screenshot: %s", qPrintable(file));
        if (!path.isEmpty()) QVERIFY(page.exportPng(path + QStringLiteral("-export.png")));
    }
};

QTEST_MAIN(TestComparePage)
#include "test_compare_page.moc"
