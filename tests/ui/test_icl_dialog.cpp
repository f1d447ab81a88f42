// The in-context-learning baseline in the studio, on a real run store: the EvaluationController scores
// the built-in demo with k demonstrations on its thread and records an "icl" run; the dialog
// runs it with progress and shows the measured numbers; the Compare page lists the baseline with
// its cost, draws it as a dashed level in the eval-accuracy overlay and in the scatter (it has no
// trainable parameters to place it by), and sets its inference cost per example next to a
// trained LoRA run's training time; the summary CSV carries the baseline's columns; cancel stops
// within a batch; the main window ticks a new baseline on the Compare page.
#include "controller/evaluation_controller.h"
#include "controller/run_comparison.h"
#include "controller/runtime_controller.h"
#include "controller/training_controller.h"
#include "store/run_store.h"
#include "support/demo_run.h"
#include "controller/run_history.h"
#include "widgets/compare_page.h"
#include "widgets/dashboard_page.h"
#include "widgets/rank_heatmap.h"
#include "widgets/compare_run_model.h"
#include "widgets/icl_dialog.h"
#include "widgets/main_window.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/setup_page.h"

#include <nlohmann/json.hpp>

#include <QFileInfo>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace capsule::ui;

class TestIclDialog : public QObject {
    Q_OBJECT

    QTemporaryDir scratch_;
    QString storePath_;
    qint64 loraRun_ = -1;

    TrainingRequest demoRequest() const {
        return test::demoRunRequest(scratch_.filePath(QStringLiteral("demo")), QStringLiteral("lora"), 20,
                                    scratch_.filePath(QStringLiteral("runs/lora")), storePath_);
    }

    /// Runs a baseline through a controller and returns its outcome (runId -1 on failure).
    IclOutcome runBaseline(int shots, qint64 maxExamples) {
        EvaluationController controller;
        QSignalSpy finished(&controller, &EvaluationController::finished);
        QSignalSpy failed(&controller, &EvaluationController::failed);
        if (!controller.start(demoRequest(), shots, maxExamples)) return {};
        if (!finished.wait(120'000)) {
            qWarning("baseline did not finish: %s", failed.isEmpty() ? "timeout" : qPrintable(failed.first().at(0).toString()));
            return {};
        }
        return finished.first().at(0).value<IclOutcome>();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        storePath_ = scratch_.filePath(QStringLiteral("store/runs.sqlite"));
        qputenv("CAPSULE_STORE", storePath_.toUtf8());
        qputenv("XDG_CACHE_HOME", scratch_.filePath(QStringLiteral("cache")).toUtf8());
        qputenv("XDG_CONFIG_HOME", scratch_.filePath(QStringLiteral("config")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("CapsuleTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_icl_dialog"));
        QSettings().clear();
        // One real trained run to compare the baseline with.
        TrainingRequest request = demoRequest();
        request.config.evalEvery = 10;
        request.config.runName = "lora-demo";
        const test::TrainedRun run = test::trainToEnd(request, 240'000);
        QVERIFY(run.started);
        QVERIFY(run.ended);
        QCOMPARE(run.state, RunState::Finished);
        loraRun_ = run.runId;
        QVERIFY(loraRun_ > 0);
    }

    void controllerRecordsTheBaselineInTheStore() {
        const IclOutcome outcome = runBaseline(3, 0);
        QVERIFY(outcome.runId > 0);
        QVERIFY(!outcome.cancelled);
        QCOMPARE(outcome.shots, qint64(3));
        QVERIFY(outcome.examples > 0);
        QVERIFY(outcome.accuracy >= 0 && outcome.accuracy <= 1);
        QVERIFY(outcome.promptTokensPerExample > 3 * outcome.zeroShotPromptTokens);
        QVERIFY(outcome.secondsPerExample > 0);
        capsule::store::RunStore store(storePath_.toStdString());
        const auto run = store.run(outcome.runId);
        QVERIFY(run.has_value());
        QCOMPARE(QString::fromStdString(run->method), QStringLiteral("icl"));
        QCOMPARE(int(run->status), int(capsule::store::RunStatus::Finished));
        // The same data and split as the LoRA run: same model, same dataset file, same examples.
        const auto lora = store.run(loraRun_);
        QCOMPARE(run->baseModel, lora->baseModel);
        QCOMPARE(run->dataset, lora->dataset);
        QCOMPARE(store.metrics(outcome.runId, "accuracy").size(), size_t(1));
        QCOMPARE(store.metrics(outcome.runId, "accuracy")[0].value, outcome.accuracy);
    }

    void cancelStopsWithinABatch() {
        EvaluationController controller;
        QSignalSpy finished(&controller, &EvaluationController::finished);
        QSignalSpy progress(&controller, &EvaluationController::progress);
        TrainingRequest request = demoRequest();
        request.config.evalBatchSize = 1;  // many batches: the cancel lands between two
        QVERIFY(controller.start(request, 2, 0));
        QVERIFY(!controller.start(request, 2, 0));  // one at a time
        QVERIFY(progress.wait(60'000));
        controller.cancel();
        QVERIFY(finished.wait(60'000));
        const IclOutcome outcome = finished.first().at(0).value<IclOutcome>();
        QVERIFY(outcome.cancelled);
        const qint64 total = progress.last().at(1).toLongLong();
        QVERIFY(outcome.examples < total);
        QVERIFY(!controller.isRunning());
    }

    void dialogRunsAndDescribesTheBaseline() {
        EvaluationController controller;
        IclDialog dialog(&controller, demoRequest(), QStringLiteral("demo model"), QStringLiteral("demo data"));
        dialog.shotsSpin()->setValue(2);
        dialog.examplesSpin()->setValue(16);
        QCOMPARE(dialog.examplesSpin()->value(), 16);
        QSignalSpy finished(&controller, &EvaluationController::finished);
        dialog.runButton()->click();
        QVERIFY(!dialog.runButton()->isEnabled());
        QVERIFY(finished.wait(120'000));
        QVERIFY(dialog.runButton()->isEnabled());
        const QString text = dialog.resultText();
        QVERIFY2(text.startsWith(QStringLiteral("2-shot: accuracy ")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("on 16 examples")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Recorded as run")), qPrintable(text));
    }

    void comparePageDrawsTheBaselineAndItsCost() {
        const IclOutcome outcome = runBaseline(4, 0);
        QVERIFY(outcome.runId > 0);
        ComparePage page;
        page.setStorePath(storePath_);
        page.refreshRuns();
        // The list shows the baseline with its inference cost, the trained run with its time.
        int baselineRow = -1, loraRow = -1;
        for (int row = 0; row < page.runModel()->rowCount(); ++row) {
            const qint64 id = page.runModel()->index(row, 0).data(CompareRunModel::RunIdRole).toLongLong();
            if (id == outcome.runId) baselineRow = row;
            if (id == loraRun_) loraRow = row;
        }
        QVERIFY(baselineRow >= 0 && loraRow >= 0);
        const QString baselineCost = page.runModel()->index(baselineRow, CompareRunModel::CostColumn).data().toString();
        QVERIFY2(baselineCost.contains(QStringLiteral("ms / example")), qPrintable(baselineCost));
        QVERIFY2(baselineCost.startsWith(QString::number(outcome.promptTokensPerExample, 'f', 0) + QStringLiteral(" tokens")),
                 qPrintable(baselineCost));
        QVERIFY(page.runModel()->index(loraRow, CompareRunModel::CostColumn).data().toString().startsWith(QStringLiteral("trained")));
        // Statuses read as on the History page (translated titles, not the store's names).
        QCOMPARE(page.runModel()->index(baselineRow, CompareRunModel::StatusColumn).data().toString(), QStringLiteral("Finished"));

        page.setComparedRuns({loraRun_, outcome.runId});
        QCOMPARE(page.comparedRuns().size(), 2);
        // Eval accuracy: the LoRA curve, and the baseline as a flat line across the same steps.
        page.setMetric(ComparedMetric::EvalAccuracy);
        QCOMPARE(page.overlayPlot()->graphCount(), 2);
        QCPGraph* level = nullptr;
        for (int i = 0; i < page.overlayPlot()->graphCount(); ++i)
            if (page.overlayPlot()->graph(i)->name().contains(QStringLiteral("(icl)"))) level = page.overlayPlot()->graph(i);
        QVERIFY(level);
        QCOMPARE(level->data()->size(), 2);
        QCOMPARE(level->data()->at(0)->value, outcome.accuracy);
        QCOMPARE(level->data()->at(1)->value, outcome.accuracy);
        QCOMPARE(level->data()->at(0)->key, 0.0);
        QCOMPARE(level->data()->at(1)->key, 20.0);  // the LoRA run's last evaluation
        QCOMPARE(level->pen().style(), Qt::DashLine);
        // Train loss: the baseline trains nothing, so it draws nothing there.
        page.setMetric(ComparedMetric::TrainLoss);
        QCOMPARE(page.overlayPlot()->graphCount(), 1);
        // Scatter: one point (LoRA) and one dashed level at the baseline's accuracy.
        QCOMPARE(page.scatterPlot()->graphCount(), 1);
        QCPItemStraightLine* line = nullptr;
        for (int i = 0; i < page.scatterPlot()->itemCount(); ++i)
            if (auto* straight = qobject_cast<QCPItemStraightLine*>(page.scatterPlot()->item(i))) line = straight;
        QVERIFY(line);
        QCOMPARE(line->point1->coords().y(), outcome.accuracy);
        QVERIFY(page.scatterPlot()->yAxis->range().contains(outcome.accuracy));
        // The costs side by side: the baseline's prompt per example, the run's training time and
        // the prompt it reads (the question alone: LoRA adds no virtual tokens).
        QStringList lines = ComparePage::costLines(page.comparedRuns());
        QCOMPARE(lines.size(), 2);
        if (lines[0].contains(QStringLiteral("nothing trained"))) lines.swapItemsAt(0, 1);
        QVERIFY2(lines[0].contains(QStringLiteral("trained")) &&
                     lines[0].contains(QString::number(outcome.zeroShotPromptTokens, 'f', 1) + QStringLiteral(" prompt tokens")),
                 qPrintable(lines[0]));
        QVERIFY2(lines[1].contains(QStringLiteral("nothing trained")) &&
                     lines[1].contains(QString::number(outcome.promptTokensPerExample, 'f', 1) + QStringLiteral(" prompt tokens")),
                 qPrintable(lines[1]));
        QVERIFY(page.costLabel()->isVisibleTo(&page));

        // The summary CSV has the baseline's shots, prompt tokens and time per example.
        const QString csv = scratch_.filePath(QStringLiteral("comparison.csv"));
        QVERIFY(page.exportCsv(csv));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = file.readAll().split('\n');
        const QList<QByteArray> header = rows[0].split(',');
        const int shotsColumn = int(header.indexOf("shots"));
        const int tokensColumn = int(header.indexOf("prompt_tokens_per_example"));
        QVERIFY(shotsColumn >= 0 && tokensColumn >= 0 && header.contains("inference_s_per_example"));
        // Run names here need no quoting, so a plain split finds the fields.
        QList<QByteArray> baseline, lora;
        for (int i = 1; i < rows.size(); ++i) {
            const QList<QByteArray> fields = rows[i].split(',');
            if (fields[0].toLongLong() == outcome.runId) baseline = fields;
            if (fields[0].toLongLong() == loraRun_) lora = fields;
        }
        QCOMPARE(baseline.size(), header.size());
        QCOMPARE(lora.size(), header.size());
        QCOMPARE(baseline[shotsColumn], QByteArray("4"));
        QVERIFY(std::abs(baseline[tokensColumn].toDouble() - outcome.promptTokensPerExample) < 1e-9);
        QVERIFY(lora[shotsColumn].isEmpty());  // the LoRA run has none
    }

    void importedAdaloraAdapterIsChartedAndEvaluated() {
        // An AdaLoRA adapter (made here; HF PEFT writes the same layout) imported as a run.
        const TrainingRequest request =
            test::demoRunRequest(scratch_.filePath(QStringLiteral("demo")), QStringLiteral("adalora"), 30,
                                 scratch_.filePath(QStringLiteral("runs/adalora")),
                                 scratch_.filePath(QStringLiteral("other.sqlite")));  // not this store
        const test::TrainedRun trained = test::trainToEnd(request, 240'000);
        QVERIFY(trained.started);
        QVERIFY(trained.ended);
        const QString adapter = trained.adapterFolder;
        QVERIFY(QFileInfo::exists(adapter + QStringLiteral("/adapter_config.json")));

        RuntimeController runtime;
        MainWindow window(&runtime);
        window.setupPage()->selectDemo();
        QString error;
        QVERIFY2(window.importAdapter(adapter, &error), qPrintable(error));
        const qint64 runId = EvaluationController::runForAdapterFolder(QString(), adapter);
        QVERIFY(runId > 0);
        capsule::store::RunStore store(storePath_.toStdString());
        QCOMPARE(store.rankSnapshots(runId).size(), size_t(1));  // the rank chart of the imported run
        QVERIFY(store.rankSnapshots(runId)[0].totalRank > 0);
        // Opening the imported run draws its allocation in the rank heatmap, as for a run trained here.
        const std::optional<RunDetails> details = window.runHistory()->loadRun(runId);
        QVERIFY(details.has_value());
        window.dashboardPage()->showStoredRun(*details);
        qint64 kept = 0;
        for (const ModuleRankCell& module : window.dashboardPage()->rankHeatmap()->allocation().modules) kept += module.rank;
        QCOMPARE(kept, qint64(store.rankSnapshots(runId)[0].totalRank));
        QVERIFY(!window.dashboardPage()->rankHeatmap()->columns().isEmpty());

        QSignalSpy evaluated(window.evaluationController(), &EvaluationController::adapterEvaluated);
        QVERIFY2(window.evaluateAdapter(adapter, &error), qPrintable(error));
        QVERIFY(evaluated.wait(120'000));
        QCOMPARE(evaluated.first().at(0).toLongLong(), runId);
        const double accuracy = evaluated.first().at(2).toDouble();
        QVERIFY(accuracy >= 0 && accuracy <= 1);
        QCOMPARE(store.metrics(runId, "accuracy").size(), size_t(1));
        QCOMPARE(store.metrics(runId, "accuracy")[0].value, accuracy);
        QCOMPARE(store.run(runId)->bestEval.value_or(-1), accuracy);
        // Evaluating the same folder again adds to the same run (no second import).
        QVERIFY(window.evaluateAdapter(adapter, &error));
        QVERIFY(evaluated.wait(120'000));
        QCOMPARE(EvaluationController::runForAdapterFolder(QString(), adapter), runId);
        QCOMPARE(store.metrics(runId, "accuracy").size(), size_t(2));
    }

    void mainWindowTicksANewBaseline() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        window.comparePage()->setStorePath(storePath_);
        window.comparePage()->refreshRuns();
        window.comparePage()->setComparedRuns({loraRun_});
        QSignalSpy finished(window.evaluationController(), &EvaluationController::finished);
        TrainingRequest request = demoRequest();
        QVERIFY(window.evaluationController()->start(request, 1, 8));
        QVERIFY(finished.wait(120'000));
        const IclOutcome outcome = finished.first().at(0).value<IclOutcome>();
        QVERIFY(outcome.runId > 0);
        const QVector<qint64> ticked = window.comparePage()->runModel()->checkedRunIds();
        QVERIFY(ticked.contains(loraRun_));
        QVERIFY(ticked.contains(outcome.runId));
    }
};

QTEST_MAIN(TestIclDialog)
#include "test_icl_dialog.moc"
