// The studio end to end on the built-in demo: Start from the main window with LoRA and with
// AdaLoRA, points arrive in the loss chart and the rank heatmap; Pause/Resume/Stop from the
// toolbar; closing during a run asks and joins; invalid settings are explained before Start; and
// the GUI event loop stays responsive during training (p99 lateness of a 5 ms timer < 50 ms).
#include "controller/runtime_controller.h"
#include "controller/training_controller.h"
#include "widgets/dashboard_page.h"
#include "widgets/log_view.h"
#include "widgets/main_window.h"
#include "widgets/rank_heatmap.h"
#include "widgets/setup_page.h"

#include "widgets/qcustomplot_include.h"

#include <QAction>
#include <QElapsedTimer>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace capsule::ui;

namespace {

/// A main window whose close question is answered by the test.
class AnsweringWindow : public MainWindow {
public:
    using MainWindow::MainWindow;
    bool answer = false;
    int asked = 0;

protected:
    bool confirmStopOnClose() override {
        ++asked;
        return answer;
    }
};

}  // namespace

class TestTrainingGui : public QObject {
    Q_OBJECT

    QTemporaryDir scratch_;

    void prepareDemo(MainWindow& window, const QString& method, int steps) {
        window.setupPage()->selectDemo();
        window.setupPage()->setMethod(method);
        window.setupPage()->setMaxSteps(steps);
        window.setupPage()->setOutputFolder(scratch_.filePath(QStringLiteral("runs")));
    }

    static bool waitFinished(QSignalSpy& finished, int timeoutMs = 240'000) {
        return finished.count() > 0 || finished.wait(timeoutMs);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        qputenv("CAPSULE_STORE", scratch_.filePath(QStringLiteral("store/runs.sqlite")).toUtf8());
        qputenv("XDG_CACHE_HOME", scratch_.filePath(QStringLiteral("cache")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("CapsuleTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_training_gui"));
        QSettings().clear();
    }

    void firstLaunchPreselectsTheDemo() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        QVERIFY(window.setupPage()->demoSelected());
        QString problem;
        const auto request = window.setupPage()->trainingRequest(&problem);
        QVERIFY2(request.has_value(), qPrintable(problem));
        QVERIFY(!request->demoFolder.isEmpty());
        QVERIFY(window.startAction()->isEnabled());
        QVERIFY(!window.pauseAction()->isEnabled());
        QVERIFY(!window.stopAction()->isEnabled());
    }

    void startTrainsTheDemoWithLora() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        prepareDemo(window, QStringLiteral("lora"), 30);
        QSignalSpy finished(window.trainingController(), &TrainingController::finished);
        window.startAction()->trigger();
        QCOMPARE(window.currentPage(), MainWindow::DashboardPageIndex);
        QVERIFY(window.trainingController()->isRunning());
        QVERIFY(!window.startAction()->isEnabled());
        QVERIFY(window.stopAction()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(window.dashboardPage()->lossPointCount() > 0, 120'000);
        QVERIFY(waitFinished(finished));
        QCOMPARE(finished.first().at(0).value<RunState>(), RunState::Finished);
        QCOMPARE(window.dashboardPage()->lossPointCount(), 6);  // the demo reports every 5 steps
        QVERIFY(window.dashboardPage()->evalLossGraph()->dataCount() >= 2);
        QVERIFY(!window.dashboardPage()->adaLoraViewVisible());
        QVERIFY(window.startAction()->isEnabled());
        QVERIFY(!window.stopAction()->isEnabled());
        QVERIFY(window.logView()->toPlainText().contains(QStringLiteral("Finished")));
        QVERIFY(window.logView()->toPlainText().contains(QStringLiteral("Evaluation at step 0")));
    }

    void startTrainsAnAddedModelFolder() {
        // The path a user takes: "Add Folder…" (here the shipped demo model), a dataset file (the
        // demo's, made by the previous test), Start. No demo preset is involved.
        RuntimeController runtime;
        MainWindow window(&runtime);
        const QString model = QStringLiteral(CAPSULE_SOURCE_DIR "/resources/demo/model");
        const QString dataset = scratch_.filePath(QStringLiteral("cache/capsule/demo/sentiment.jsonl"));
        QVERIFY2(QFileInfo::exists(dataset), "startTrainsTheDemoWithLora makes the demo dataset");
        window.setupPage()->addModelFolderPath(model);
        window.setupPage()->modelTable()->selectRow(1);
        QVERIFY(!window.setupPage()->demoSelected());
        window.setupPage()->setDatasetPath(dataset);
        window.setupPage()->setMethod(QStringLiteral("ia3"));
        window.setupPage()->setMaxSteps(12);
        window.setupPage()->setOutputFolder(scratch_.filePath(QStringLiteral("runs")));
        QString problem;
        const auto request = window.setupPage()->trainingRequest(&problem);
        QVERIFY2(request.has_value(), qPrintable(problem));
        QVERIFY(request->demoFolder.isEmpty());
        QCOMPARE(QString::fromStdString(request->config.model), model);
        QCOMPARE(request->config.method, std::string("ia3"));
        QCOMPARE(request->config.maxSteps, int64_t(12));
        QSignalSpy finished(window.trainingController(), &TrainingController::finished);
        QVERIFY(window.startTraining());
        QVERIFY(waitFinished(finished));
        QVERIFY2(finished.first().at(0).value<RunState>() == RunState::Finished, qPrintable(finished.first().at(1).toString()));
        QCOMPARE(window.dashboardPage()->lossPointCount(), 12);  // reported every step
        QVERIFY(QFileInfo::exists(finished.first().at(2).toString() + QStringLiteral("/adapter_model.safetensors")));
    }

    void startTrainsTheDemoWithAdaLora() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        prepareDemo(window, QStringLiteral("adalora"), 40);
        QSignalSpy finished(window.trainingController(), &TrainingController::finished);
        QVERIFY(window.startTraining());
        QVERIFY(window.dashboardPage()->adaLoraViewVisible());
        RankHeatmap* heatmap = window.dashboardPage()->rankHeatmap();
        QTRY_VERIFY_WITH_TIMEOUT(!heatmap->columns().isEmpty(), 120'000);
        QVERIFY(waitFinished(finished));
        QCOMPARE(finished.first().at(0).value<RunState>(), RunState::Finished);
        QVERIFY(window.dashboardPage()->lossPointCount() > 0);
        // The demo model: 2 layers; attention and MLP projections are adapted.
        QCOMPARE(heatmap->layers(), (QList<int>{0, 1}));
        QVERIFY(heatmap->columns().contains(QStringLiteral("attn.c_attn")));
        QVERIFY(heatmap->columns().contains(QStringLiteral("mlp.c_fc")));
        int total = 0;
        for (int layer : heatmap->layers())
            for (const QString& kind : heatmap->columns()) total += std::max(0, heatmap->rankAt(layer, kind));
        QCOMPARE(qint64(total), heatmap->allocation().totalRank);
        QVERIFY(window.dashboardPage()->budgetGraph()->dataCount() >= 30);
    }

    void eventLoopStaysResponsiveDuringTraining() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // A long run, stopped from the toolbar once the probe has ticked 400 times: the measurement
        // covers training, rank allocation and the stop, however fast this machine trains.
        prepareDemo(window, QStringLiteral("adalora"), 5000);
        QSignalSpy finished(window.trainingController(), &TrainingController::finished);

        QVector<double> latenessMs;
        QElapsedTimer clock;
        QTimer probe;
        probe.setTimerType(Qt::PreciseTimer);
        probe.setInterval(5);
        qint64 previous = 0;
        connect(&probe, &QTimer::timeout, this, [&] {
            const qint64 now = clock.nsecsElapsed();
            if (previous > 0) latenessMs << std::max(0.0, (now - previous) / 1e6 - 5.0);
            previous = now;
            if (latenessMs.size() == 400) window.stopAction()->trigger();
        });
        clock.start();
        probe.start();
        QVERIFY(window.startTraining());
        QVERIFY(waitFinished(finished));
        probe.stop();
        QCOMPARE(finished.first().at(0).value<RunState>(), RunState::Cancelled);
        QVERIFY(latenessMs.size() >= 400);
        QVERIFY(window.dashboardPage()->lossPointCount() > 0);
        std::sort(latenessMs.begin(), latenessMs.end());
        auto percentile = [&](double p) { return latenessMs[std::min<qsizetype>(latenessMs.size() - 1, qsizetype(p * latenessMs.size()))]; };
        qInfo("event-loop lateness over %d ticks: p50 %.2f ms, p99 %.2f ms, max %.2f ms", int(latenessMs.size()),
              percentile(0.5), percentile(0.99), latenessMs.last());
        QVERIFY2(percentile(0.99) < 50.0, qPrintable(QString::number(percentile(0.99))));
    }

    void pauseResumeAndStopFromTheToolbar() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        prepareDemo(window, QStringLiteral("lora"), 5000);
        QSignalSpy finished(window.trainingController(), &TrainingController::finished);
        QVERIFY(window.startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(window.dashboardPage()->lossPointCount() > 0, 120'000);
        QVERIFY(window.pauseAction()->isEnabled());
        window.pauseAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(window.trainingController()->state(), RunState::Paused, 30'000);
        QVERIFY(window.pauseAction()->text().contains(QStringLiteral("Resume")));
        window.pauseAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(window.trainingController()->state(), RunState::Running, 30'000);
        QVERIFY(window.pauseAction()->text().contains(QStringLiteral("Pause")));
        window.stopAction()->trigger();
        QVERIFY(waitFinished(finished, 60'000));
        QCOMPARE(finished.first().at(0).value<RunState>(), RunState::Cancelled);
        QVERIFY(window.logView()->toPlainText().contains(QStringLiteral("Stopped")));
    }

    void closingDuringTrainingAsksAndJoins() {
        RuntimeController runtime;
        AnsweringWindow window(&runtime);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        prepareDemo(window, QStringLiteral("lora"), 5000);
        QVERIFY(window.startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(window.dashboardPage()->lossPointCount() > 0, 120'000);
        window.answer = false;
        QVERIFY(!window.close());  // "Cancel": the window and the run stay
        QCOMPARE(window.asked, 1);
        QVERIFY(window.trainingController()->isRunning());
        window.answer = true;
        QVERIFY(window.close());
        QCOMPARE(window.asked, 2);
        QVERIFY(!window.trainingController()->isRunning());  // cancelled and joined before closing
        QCOMPARE(window.trainingController()->state(), RunState::Cancelled);
    }

    void invalidSettingsAreExplainedBeforeStart() {
        RuntimeController runtime;
        MainWindow window(&runtime);  // not shown: no message box
        QTemporaryDir emptyModel;
        window.setupPage()->addModelFolderPath(emptyModel.path());
        window.setupPage()->modelTable()->selectRow(1);
        window.setupPage()->setDatasetPath(QString());
        QVERIFY(!window.startTraining());
        QVERIFY(!window.trainingController()->isRunning());
        QVERIFY(window.logView()->toPlainText().contains(QStringLiteral("Choose a dataset")));
        window.setupPage()->setDatasetPath(scratch_.filePath(QStringLiteral("missing.jsonl")));
        QVERIFY(!window.startTraining());
        QVERIFY(window.logView()->toPlainText().contains(QStringLiteral("does not exist")));
        QFile data(scratch_.filePath(QStringLiteral("data.jsonl")));
        QVERIFY(data.open(QIODevice::WriteOnly));
        data.write("{\"text\": \"hello\"}\n");
        data.close();
        window.setupPage()->setDatasetPath(data.fileName());
        QVERIFY(!window.startTraining());
        QVERIFY(window.logView()->toPlainText().contains(QStringLiteral("no config.json")));
        QCOMPARE(window.currentPage(), MainWindow::SetupPageIndex);
    }
};

QTEST_MAIN(TestTrainingGui)
#include "test_training_gui.moc"
