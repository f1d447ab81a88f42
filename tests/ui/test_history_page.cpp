// The History page on a real run store: demo runs trained through the TrainingController are
// listed by a NEW RunHistory/HistoryPage (restart persistence) with their method, status and
// parameter count; a run left "running" by a process that died shows as interrupted (and one of
// this live process does not); rename (F2) and delete (store rows and the output folder, after
// asking; a folder the run did not write is kept); Open rebuilds the dashboard's charts from the
// store, AdaLoRA view included; Extend trains a finished run further from its checkpoint through
// the TrainingController in its own row (one curve, no new row); Resume builds the continuation
// request for the same row. Item models pass QAbstractItemModelTester.
#include "controller/run_history.h"
#include "controller/runtime_controller.h"
#include "controller/training_controller.h"
#include "store/run_store.h"
#include "support/demo_run.h"
#include "widgets/checkpoint_dialog.h"
#include "widgets/dashboard_page.h"
#include "widgets/history_page.h"
#include "widgets/history_table_model.h"
#include "widgets/main_window.h"
#include "widgets/rank_heatmap.h"
#include "widgets/setup_page.h"

#include "widgets/qcustomplot_include.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>

using namespace capsule::ui;

class TestHistoryPage : public QObject {
    Q_OBJECT

    QTemporaryDir scratch_;
    QString storePath_;
    qint64 loraRunId_ = -1;
    qint64 loraTrainable_ = 0;
    qint64 adaLoraRunId_ = -1;

    TrainingRequest demoRequest(const QString& method, int steps, const QString& folder) {
        TrainingRequest request =
            test::demoRunRequest(scratch_.filePath(QStringLiteral("demo")), method, steps, scratch_.filePath(folder), storePath_);
        request.config.logEvery = 1;
        request.config.evalEvery = 5;
        request.config.checkpointEvery = 5;
        return request;
    }

    /// Trains `request` to the end; returns the run id (the RunStartInfo's trainable count in `trainable`).
    qint64 train(const TrainingRequest& request, qint64* trainable = nullptr) {
        const test::TrainedRun run = test::trainToEnd(request, 120'000);
        if (!run.ended) return -1;
        if (run.state != RunState::Finished) {
            qWarning() << "run ended" << runStateName(run.state) << run.reason;
            return -1;
        }
        if (trainable && run.startInfo) *trainable = run.startInfo->trainableParameters;
        return run.runId;
    }

    static int rowOf(HistoryPage& page, qint64 runId) {
        return page.tableModel()->rowOfRun(runId);
    }

    static QString cell(HistoryPage& page, qint64 runId, int column) {
        return page.tableModel()->index(rowOf(page, runId), column).data().toString();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        storePath_ = scratch_.filePath(QStringLiteral("store/runs.sqlite"));
        qputenv("CAPSULE_STORE", storePath_.toUtf8());
        qputenv("XDG_CACHE_HOME", scratch_.filePath(QStringLiteral("cache")).toUtf8());
    }

    void emptyStoreShowsTheEmptyState() {
        RunHistory history;  // default path: CAPSULE_STORE
        QCOMPARE(history.storePath(), storePath_);
        QVERIFY2(history.open(), qPrintable(history.lastError()));
        QCOMPARE(history.runs().size(), 0);
        HistoryPage page;
        page.setRunHistory(&history);
        page.show();
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("historyEmpty"))->isVisible());
        QVERIFY(!page.openAction()->isEnabled());
        QVERIFY(!page.deleteAction()->isEnabled());
    }

    void trainedRunsSurviveARestart() {
        loraRunId_ = train(demoRequest(QStringLiteral("lora"), 10, QStringLiteral("runs/lora")), &loraTrainable_);
        QVERIFY(loraRunId_ > 0);
        QVERIFY(loraTrainable_ > 0);
        adaLoraRunId_ = train(demoRequest(QStringLiteral("adalora"), 10, QStringLiteral("runs/adalora")));
        QVERIFY(adaLoraRunId_ > 0);

        // A fresh history and page, as after restarting the studio.
        RunHistory history(storePath_);
        QVERIFY2(history.open(), qPrintable(history.lastError()));
        QCOMPARE(history.interruptedAtOpen(), 0);
        HistoryPage page;
        QAbstractItemModelTester tester(page.table()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.setRunHistory(&history);
        QCOMPARE(page.table()->model()->rowCount(), 2);
        QCOMPARE(page.table()->model()->columnCount(), HistoryPage::columnTitles().size());
        const std::optional<RunRow> lora = history.run(loraRunId_);
        QVERIFY(lora);
        QCOMPARE(lora->method, QStringLiteral("lora"));
        QVERIFY(lora->status == StoredRunStatus::Finished);
        QCOMPARE(lora->trainableParameters, loraTrainable_);
        QVERIFY(lora->totalParameters > lora->trainableParameters);
        QCOMPARE(lora->trainablePercent, 100.0 * double(lora->trainableParameters) / double(lora->totalParameters));
        QCOMPARE(lora->lastStep, 10);
        QCOMPARE(lora->maxSteps, 10);
        QVERIFY(lora->hasBestEval);
        QCOMPARE(lora->bestEvalMetric, QStringLiteral("accuracy"));
        QVERIFY(lora->durationSeconds >= 0);
        QCOMPARE(lora->outputDir, scratch_.filePath(QStringLiteral("runs/lora")));
        // What the table shows.
        QCOMPARE(cell(page, loraRunId_, HistoryTableModel::MethodColumn), QStringLiteral("LoRA"));
        QCOMPARE(cell(page, adaLoraRunId_, HistoryTableModel::MethodColumn), QStringLiteral("AdaLoRA"));
        QCOMPARE(cell(page, loraRunId_, HistoryTableModel::StatusColumn), QStringLiteral("Finished"));
        QVERIFY(cell(page, loraRunId_, HistoryTableModel::TrainableColumn).contains(QLocale().toString(loraTrainable_)));
        QVERIFY(cell(page, loraRunId_, HistoryTableModel::BestEvalColumn).startsWith(QStringLiteral("accuracy")));
        QCOMPARE(cell(page, loraRunId_, HistoryTableModel::DatasetColumn), QStringLiteral("sentiment.jsonl"));
        // Newest first by default (sorted by creation, descending).
        QCOMPARE(page.table()->model()->index(0, 0).data(HistoryTableModel::RunIdRole).toLongLong(), adaLoraRunId_);

        // The checkpoints in the output folder, with what they hold.
        const QVector<CheckpointInfo> checkpoints = RunHistory::findCheckpoints(lora->outputDir);
        QCOMPARE(checkpoints.size(), 2);
        QCOMPARE(checkpoints[0].step, 5);
        QCOMPARE(checkpoints[1].step, 10);
        QVERIFY(checkpoints[1].valid);
        QVERIFY(checkpoints[1].hasBestMetric);
        QCOMPARE(checkpoints[1].bestMetricName, QStringLiteral("accuracy"));

        // Selecting shows the details and enables what applies to a finished run with checkpoints.
        page.show();
        QVERIFY(page.selectRun(loraRunId_));
        QCOMPARE(page.selectedRunId(), loraRunId_);
        QVERIFY(page.openAction()->isEnabled());
        QVERIFY(page.extendAction()->isEnabled());
        QVERIFY(!page.resumeAction()->isEnabled());  // finished: extend, not resume
        QVERIFY(page.detailView()->toPlainText().contains(QStringLiteral("lora_alpha")));
        QVERIFY(page.detailView()->toPlainText().contains(QStringLiteral("finished")));
        page.setTrainingActive(true);
        QVERIFY(!page.extendAction()->isEnabled());
        page.setTrainingActive(false);

        // Sorting and filtering through the proxy.
        page.filterEdit()->setText(QStringLiteral("adalora"));
        QCOMPARE(page.table()->model()->rowCount(), 1);
        QCOMPARE(page.table()->model()->index(0, 0).data(HistoryTableModel::RunIdRole).toLongLong(), adaLoraRunId_);
        page.filterEdit()->setText(QStringLiteral("no such run"));
        QCOMPARE(page.table()->model()->rowCount(), 0);
        page.filterEdit()->clear();
        page.table()->sortByColumn(HistoryTableModel::MethodColumn, Qt::AscendingOrder);
        QCOMPARE(page.table()->model()->index(0, HistoryTableModel::MethodColumn).data().toString(), QStringLiteral("AdaLoRA"));
        page.table()->sortByColumn(HistoryTableModel::MethodColumn, Qt::DescendingOrder);
        QCOMPARE(page.table()->model()->index(0, HistoryTableModel::MethodColumn).data().toString(), QStringLiteral("LoRA"));
    }

    void openRebuildsTheDashboardFromTheStore() {
        QVERIFY(loraRunId_ > 0 && adaLoraRunId_ > 0);
        RunHistory history(storePath_);
        QVERIFY(history.open());
        HistoryPage page;
        page.setRunHistory(&history);
        DashboardPage dashboard;
        dashboard.resize(1400, 800);
        dashboard.show();
        connect(&page, &HistoryPage::runOpened, &dashboard, &DashboardPage::showStoredRun);
        QSignalSpy opened(&page, &HistoryPage::runOpened);

        capsule::store::RunStore store(storePath_.toStdString());
        for (const qint64 runId : {loraRunId_, adaLoraRunId_}) {
            QVERIFY(page.selectRun(runId));
            page.openAction()->trigger();
            QCOMPARE(opened.count(), 1);
            const RunDetails details = opened.takeFirst().at(0).value<RunDetails>();
            QCOMPARE(details.run.id, runId);
            const auto losses = store.metrics(runId, "loss");
            const auto evalLosses = store.metrics(runId, "eval_loss");
            QCOMPARE(losses.size(), size_t(10));
            QCOMPARE(dashboard.lossPointCount(), int(losses.size()));
            for (int i = 0; i < int(losses.size()); ++i) {
                QCOMPARE(dashboard.rawLossGraph()->data()->at(i)->key, double(losses[size_t(i)].step));
                QCOMPARE(dashboard.rawLossGraph()->data()->at(i)->value, losses[size_t(i)].value);
            }
            QCOMPARE(dashboard.evalLossGraph()->dataCount(), int(evalLosses.size()));
            QVERIFY(evalLosses.size() >= 2);  // at the start, at 5 and at 10
            QCOMPARE(dashboard.accuracyGraph()->dataCount(), int(store.metrics(runId, "accuracy").size()));
            QVERIFY(dashboard.statusText().contains(QStringLiteral("Step 10 / 10")));
            QVERIFY(dashboard.statusText().contains(QLocale().toString(details.run.trainableParameters)));
            const bool adaLora = runId == adaLoraRunId_;
            QCOMPARE(dashboard.adaLoraViewVisible(), adaLora);
            if (adaLora) {
                const auto snapshots = store.rankSnapshots(runId);
                QVERIFY(!snapshots.empty());
                QCOMPARE(dashboard.budgetGraph()->dataCount(), int(snapshots.size()));
                QCOMPARE(dashboard.totalRankGraph()->data()->at(int(snapshots.size()) - 1)->value,
                         double(snapshots.back().totalRank));
                QCOMPARE(dashboard.rankHeatmap()->allocation().step, snapshots.back().step);
                QVERIFY(!dashboard.rankHeatmap()->allocation().modules.isEmpty());
                int kept = 0;
                for (const ModuleRankCell& module : dashboard.rankHeatmap()->allocation().modules) kept += module.rank;
                QCOMPARE(qint64(kept), snapshots.back().totalRank);
                QVERIFY(!dashboard.rankHeatmap()->columns().isEmpty());
                QDir().mkpath(QStringLiteral("/tmp/h2"));
                QTest::qWait(100);  // the queued replots
                dashboard.grab().save(QStringLiteral("/tmp/h2/dashboard_replay_adalora.png"));
            }
        }
    }

    void runOfADeadProcessShowsAsInterrupted() {
        QVERIFY(loraRunId_ > 0);
        const QString config = [&] {
            capsule::store::RunStore store(storePath_.toStdString());
            return QString::fromStdString(store.run(loraRunId_)->configJson);
        }();
        // A run folder with a checkpoint to resume from (a copy of the LoRA run's step-5 one).
        const QString orphanFolder = scratch_.filePath(QStringLiteral("runs/orphan"));
        const QString source = scratch_.filePath(QStringLiteral("runs/lora/checkpoints/step-5"));
        const QString target = orphanFolder + QStringLiteral("/checkpoints/step-5");
        QVERIFY(QDir().mkpath(target + QStringLiteral("/adapter")));
        for (const QString& name : QDir(source).entryList(QDir::Files)) QVERIFY(QFile::copy(source + '/' + name, target + '/' + name));

        qint64 orphanId = 0, liveId = 0;
        {
            capsule::store::RunStore store(storePath_.toStdString());
            capsule::store::RunRecord record;
            record.name = "orphan";
            record.method = "lora";
            record.configJson = config.toStdString();
            record.outputDir = orphanFolder.toStdString();
            orphanId = store.createRun(record);
            record.name = "alive";
            record.outputDir.clear();
            liveId = store.createRun(record);
            store.markRunning(liveId);  // this process: alive, so it stays running
        }
        // The orphan is marked running by a child process that then exits (and is reaped): its
        // pid is gone, as after a crash.
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            int code = 0;
            try {
                capsule::store::RunStore store(storePath_.toStdString());
                store.markRunning(orphanId);
                capsule::store::MetricPoint point{3, "loss", 0.5, 7.25};
                store.appendMetrics(orphanId, {point});
            } catch (...) {
                code = 1;
            }
            _exit(code);
        }
        int status = 0;
        QCOMPARE(waitpid(child, &status, 0), child);
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        {
            capsule::store::RunStore store(storePath_.toStdString());
            QVERIFY(store.run(orphanId)->status == capsule::store::RunStatus::Running);
            QCOMPARE(store.run(orphanId)->processId.value_or(0), qint64(child));
        }

        RunHistory history(storePath_);
        QVERIFY(history.open());
        QCOMPARE(history.interruptedAtOpen(), 1);
        QVERIFY(history.run(orphanId)->status == StoredRunStatus::Interrupted);
        QVERIFY(history.run(liveId)->status == StoredRunStatus::Running);
        QCOMPARE(history.run(orphanId)->durationSeconds, 7.25);  // its last recorded step's time
        QVERIFY(history.isRefreshTimerActive());  // a live run is listed: it refreshes by itself

        HistoryPage page;
        QAbstractItemModelTester tester(page.table()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.setRunHistory(&history);
        page.show();
        QCOMPARE(cell(page, orphanId, HistoryTableModel::StatusColumn), QStringLiteral("Interrupted"));
        QVERIFY(page.messageLabel()->isVisible());
        QVERIFY(page.messageLabel()->text().contains(QStringLiteral("interrupted")));
        QVERIFY(page.selectRun(liveId));
        QVERIFY(!page.deleteAction()->isEnabled());  // another process trains it
        QVERIFY(!page.resumeAction()->isEnabled());
        QVERIFY(page.selectRun(orphanId));
        QVERIFY(page.resumeAction()->isEnabled());

        // The checkpoint picker lists the checkpoint with its step and evaluation.
        const std::optional<RunDetails> details = history.loadRun(orphanId);
        QVERIFY(details);
        QCOMPARE(details->checkpoints.size(), 1);
        CheckpointDialog dialog(*details, CheckpointDialog::Mode::Resume);
        QCOMPARE(dialog.checkpointList()->topLevelItemCount(), 1);
        QCOMPARE(dialog.checkpointList()->topLevelItem(0)->text(0), QStringLiteral("5"));
        QCOMPARE(dialog.selectedFolder(), target);
        QCOMPARE(dialog.maxSteps(), 0);
        CheckpointDialog extend(*history.loadRun(loraRunId_), CheckpointDialog::Mode::Extend);
        QCOMPARE(extend.checkpointList()->topLevelItemCount(), 2);
        QCOMPARE(extend.selectedStep(), 10);  // the newest
        extend.setExtraSteps(7);
        QCOMPARE(extend.maxSteps(), 17);
        extend.show();
        QDir().mkpath(QStringLiteral("/tmp/h2"));
        extend.grab().save(QStringLiteral("/tmp/h2/extend_dialog.png"));

        // Resume emits the stored config with resume_from set; the run's store is kept.
        page.setCheckpointChooser([&](const RunDetails& chosen, CheckpointDialog::Mode mode) {
            return std::optional<HistoryPage::Continuation>(
                HistoryPage::Continuation{chosen.checkpoints.last().folder, mode == CheckpointDialog::Mode::Extend ? 99 : 0});
        });
        QSignalSpy continued(&page, &HistoryPage::continueRequested);
        page.resumeAction()->trigger();
        QCOMPARE(continued.count(), 1);
        const TrainingRequest request = continued.first().at(0).value<TrainingRequest>();
        QCOMPARE(QString::fromStdString(request.config.resume), target);
        QCOMPARE(QString::fromStdString(request.config.store), storePath_);
        QCOMPARE(request.config.maxSteps, 10);  // the run's own budget
        QCOMPARE(request.continueRunId, orphanId);  // it continues the same row
        QCOMPARE(continued.first().at(1).toString(), QStringLiteral("orphan (resumed at step 5)"));

        // Clean up the fake live run so later tests do not see a live row.
        capsule::store::RunStore(storePath_.toStdString()).setStatus(liveId, capsule::store::RunStatus::Cancelled);
    }

    void extendTrainsFurtherFromTheLastCheckpoint() {
        QVERIFY(loraRunId_ > 0);
        RunHistory history(storePath_);
        QVERIFY(history.open());
        HistoryPage page;
        page.setRunHistory(&history);
        page.setCheckpointChooser([](const RunDetails& chosen, CheckpointDialog::Mode mode) {
            if (mode != CheckpointDialog::Mode::Extend) return std::optional<HistoryPage::Continuation>();
            // As the dialog would: the newest checkpoint, 5 more steps.
            CheckpointDialog dialog(chosen, mode);
            dialog.setExtraSteps(5);
            return std::optional<HistoryPage::Continuation>(HistoryPage::Continuation{dialog.selectedFolder(), dialog.maxSteps()});
        });
        TrainingController controller;
        DashboardPage dashboard;
        connect(&page, &HistoryPage::continueRequested, &controller, [&](const TrainingRequest& request) {
            // As the main window does: the stored curve up to the checkpoint, then the live points.
            dashboard.startRun(RunPlan{});
            dashboard.showHistoryBefore(*history.loadRun(request.continueRunId), QString::fromStdString(request.config.resume));
            controller.start(request);
        });
        QSignalSpy finished(&controller, &TrainingController::finished);
        connect(&controller, &TrainingController::stepsArrived, &dashboard, &DashboardPage::appendSteps);
        const std::optional<RunRow> original = history.run(loraRunId_);
        QVERIFY(original && original->hasBestEval);
        const int rowsBefore = int(history.runs().size());
        QVERIFY(page.selectRun(loraRunId_));
        QVERIFY(page.extendAction()->isEnabled());
        QVERIFY(page.extendSelected());
        QVERIFY(controller.isRunning());
        QVERIFY(finished.wait(120'000));
        QCOMPARE(finished.first().at(0).value<RunState>(), RunState::Finished);
        QVERIFY(history.refresh());
        // The same row, trained further: no new row, no second (interrupted or finished) copy.
        QCOMPARE(controller.runId(), loraRunId_);
        QCOMPARE(int(history.runs().size()), rowsBefore);
        const std::optional<RunRow> extended = history.run(loraRunId_);
        QVERIFY(extended);
        QVERIFY(extended->status == StoredRunStatus::Finished);
        QCOMPARE(extended->maxSteps, 15);
        QCOMPARE(extended->lastStep, 15);
        QCOMPARE(extended->name, original->name);
        // Its best eval: a later improvement, or the one its checkpoint carried in.
        QVERIFY(extended->hasBestEval);
        QCOMPARE(extended->bestEvalMetric, QStringLiteral("accuracy"));
        QVERIFY(extended->bestEval >= original->bestEval);
        // One curve: steps 1..15 once each (1..10 from before the checkpoint, 11..15 trained now),
        // time rising across the two sessions; the live dashboard showed the same 15 points.
        capsule::store::RunStore store(storePath_.toStdString());
        const auto losses = store.metrics(loraRunId_, "loss");
        QCOMPARE(losses.size(), size_t(15));
        for (size_t i = 0; i < losses.size(); ++i) {
            QCOMPARE(losses[i].step, qint64(i + 1));
            if (i > 0) QVERIFY(losses[i].timeSeconds >= losses[i - 1].timeSeconds);
        }
        QCOMPARE(dashboard.lossPointCount(), 15);
        QVERIFY(QFileInfo::exists(scratch_.filePath(QStringLiteral("runs/lora/checkpoints/step-15/trainer_state.json"))));
    }

    void renameAndDelete() {
        QVERIFY(adaLoraRunId_ > 0);
        RunHistory history(storePath_);
        QVERIFY(history.open());
        HistoryPage page;
        QAbstractItemModelTester tester(page.table()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester sourceTester(page.tableModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.setRunHistory(&history);
        QAbstractItemModelTester newSourceTester(page.tableModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.resize(1300, 700);
        page.show();
        page.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&page));

        // F2 edits the name in place; Enter renames the run in the store.
        QVERIFY(page.selectRun(adaLoraRunId_));
        page.table()->setFocus();
        QTest::keyClick(page.table(), Qt::Key_F2);
        auto* editor = qobject_cast<QLineEdit*>(QApplication::focusWidget());
        QVERIFY(editor);
        editor->selectAll();
        QTest::keyClicks(editor, QStringLiteral("AdaLoRA baseline"));
        QTest::keyClick(editor, Qt::Key_Return);
        // The delegate commits on Enter through a queued call.
        QTRY_COMPARE(QString::fromStdString(capsule::store::RunStore(storePath_.toStdString()).run(adaLoraRunId_)->name),
                     QStringLiteral("AdaLoRA baseline"));
        QCOMPARE(cell(page, adaLoraRunId_, HistoryTableModel::NameColumn), QStringLiteral("AdaLoRA baseline"));
        QCOMPARE(page.selectedRunId(), adaLoraRunId_);  // the selection stays on the run
        QVERIFY(!history.rename(adaLoraRunId_, QStringLiteral("  ")));  // a name is needed
        QVERIFY(!history.lastError().isEmpty());

        QDir().mkpath(QStringLiteral("/tmp/h2"));
        QTest::qWait(50);
        page.grab().save(QStringLiteral("/tmp/h2/history_page.png"));

        // Delete asks first: "no" keeps everything.
        const QString folder = scratch_.filePath(QStringLiteral("runs/adalora"));
        QVERIFY(QFileInfo(folder + QStringLiteral("/adapter_config.json")).exists());
        QString question;
        bool answer = false;
        page.setConfirmation([&](const QString&, const QString& text) {
            question = text;
            return answer;
        });
        QVERIFY(page.selectRun(adaLoraRunId_));
        page.table()->setFocus();
        QTest::keyClick(page.table(), Qt::Key_Delete);
        QVERIFY(question.contains(folder));  // it says which folder goes
        QVERIFY(QFileInfo::exists(folder));
        QVERIFY(history.run(adaLoraRunId_));
        // "Yes" removes the rows and the folder.
        answer = true;
        question.clear();
        QTest::keyClick(page.table(), Qt::Key_Delete);
        QVERIFY(!question.isEmpty());
        QVERIFY(!QFileInfo::exists(folder));
        QVERIFY(!history.run(adaLoraRunId_));
        QCOMPARE(page.tableModel()->rowOfRun(adaLoraRunId_), -1);
        capsule::store::RunStore store(storePath_.toStdString());
        QVERIFY(!store.run(adaLoraRunId_));
        QVERIFY(store.metrics(adaLoraRunId_).empty());
        QVERIFY(store.rankSnapshots(adaLoraRunId_).empty());

        // A run whose folder is shared (a `capsule-cli train --resume` run writes into the LoRA
        // run's folder as a row of its own) or holds files Capsule did not write keeps its folder.
        QVERIFY(!history.folderDeletedWith(loraRunId_).isEmpty());
        capsule::store::RunRecord resumedByCli;
        resumedByCli.name = "resumed by the CLI";
        resumedByCli.outputDir = scratch_.filePath(QStringLiteral("runs/lora")).toStdString();
        store.createRun(resumedByCli);
        QVERIFY(history.refresh());
        QVERIFY(history.folderDeletedWith(loraRunId_).isEmpty());
        const QString foreign = scratch_.filePath(QStringLiteral("runs/foreign"));
        QVERIFY(QDir().mkpath(foreign));
        {
            QFile notes(foreign + QStringLiteral("/notes.txt"));
            QVERIFY(notes.open(QIODevice::WriteOnly));
            notes.write("mine");
        }
        capsule::store::RunRecord record;
        record.name = "foreign folder";
        record.outputDir = foreign.toStdString();
        const qint64 foreignId = store.createRun(record);
        QVERIFY(history.refresh());
        QVERIFY(history.folderDeletedWith(foreignId).isEmpty());
        QVERIFY(page.selectRun(foreignId));
        QVERIFY(page.deleteSelected());
        QVERIFY(question.contains(QStringLiteral("is kept")));
        QVERIFY(QFileInfo::exists(foreign + QStringLiteral("/notes.txt")));
        QVERIFY(!store.run(foreignId));
    }

    void mainWindowWiresHistoryToDashboardAndTraining() {
        QVERIFY(loraRunId_ > 0);
        QCoreApplication::setOrganizationName(QStringLiteral("CapsuleTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_history_page"));
        QSettings().clear();
        RuntimeController runtime;
        MainWindow window(&runtime);  // opens the store named by CAPSULE_STORE
        window.show();
        QVERIFY(window.runHistory());
        QCOMPARE(window.runHistory()->storePath(), storePath_);
        QVERIFY(window.runHistory()->run(loraRunId_));
        HistoryPage* page = window.historyPage();
        window.showPage(MainWindow::HistoryPageIndex);
        QVERIFY(page->selectRun(loraRunId_));
        page->openAction()->trigger();
        QCOMPARE(window.currentPage(), MainWindow::DashboardPageIndex);
        QCOMPARE(window.dashboardPage()->lossPointCount(), 15);  // trained 10 steps, extended to 15

        // A run trained from the window appears in the history when it ends, without a restart.
        const int before = int(window.runHistory()->runs().size());
        window.setupPage()->selectDemo();
        window.setupPage()->setMethod(QStringLiteral("lora"));
        window.setupPage()->setMaxSteps(3);
        window.setupPage()->setOutputFolder(scratch_.filePath(QStringLiteral("runs/window")));
        QSignalSpy finished(window.trainingController(), &TrainingController::finished);
        QVERIFY(window.startTraining());
        QVERIFY(!page->extendAction()->isEnabled());  // one run at a time (the LoRA run is still selected)
        QVERIFY(window.runHistory()->isRefreshTimerActive());  // live refresh while training
        QVERIFY(finished.wait(120'000));
        QCOMPARE(int(window.runHistory()->runs().size()), before + 1);
        QCOMPARE(window.runHistory()->runs().first().id, window.trainingController()->runId());
        QVERIFY(window.runHistory()->runs().first().status == StoredRunStatus::Finished);
        QVERIFY(!window.runHistory()->isRefreshTimerActive());
        QCOMPARE(page->tableModel()->rowCount(), before + 1);
    }

    void largeRunLoadsInOnePass() {
        // 5,000 steps of the 7 per-step metrics plus 50 evaluations, written as the trainer does.
        const QString path = scratch_.filePath(QStringLiteral("large/runs.sqlite"));
        qint64 runId = 0;
        {
            capsule::store::RunStore store(path.toStdString());
            capsule::store::RunRecord record;
            record.name = "large";
            record.method = "lora";
            runId = store.createRun(record);
            std::vector<capsule::store::MetricPoint> points;
            for (int step = 1; step <= 5000; ++step) {
                for (const char* name : {"loss", "lr", "grad_norm", "tokens_per_s", "samples_per_s", "epoch", "memory_bytes"})
                    points.push_back({step, name, 1.0 / step, step * 0.1});
                if (step % 100 == 0) {
                    points.push_back({step, "eval_loss", 2.0 / step, step * 0.1});
                    points.push_back({step, "accuracy", step / 5000.0, step * 0.1});
                }
            }
            store.appendMetrics(runId, points);
            store.setStatus(runId, capsule::store::RunStatus::Finished);
        }
        RunHistory history(path);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(history.open());
        const qint64 openMs = timer.restart();
        QVERIFY(history.refresh());
        const qint64 refreshMs = timer.restart();
        const std::optional<RunDetails> details = history.loadRun(runId);
        const qint64 loadMs = timer.elapsed();
        QVERIFY(details);
        QCOMPARE(details->steps.size(), 5000);
        QCOMPARE(details->evaluations.size(), 50);
        QCOMPARE(details->steps.last().loss, 1.0 / 5000);
        QCOMPARE(details->evaluations.last().accuracy, 1.0);
        QVERIFY(details->evaluations.last().improved);  // accuracy rose at every evaluation
        QCOMPARE(details->series.value(QStringLiteral("memory_bytes")).size(), 5000);
        qInfo("open %lld ms, refresh %lld ms, loadRun of 35,100 points %lld ms", openMs, refreshMs, loadMs);
        DashboardPage dashboard;
        timer.restart();
        dashboard.showStoredRun(*details);
        qInfo("dashboard replay of 5,000 steps %lld ms", timer.elapsed());
        QCOMPARE(dashboard.lossPointCount(), 5000);
    }

    void storeErrorsBecomeMessages() {
        // A file from a newer Capsule (schema version above this one's) is refused with a message.
        const QString newer = scratch_.filePath(QStringLiteral("newer/runs.sqlite"));
        { capsule::store::RunStore store(newer.toStdString()); }
        {
            // Bump user_version with the store's own connection type is not possible; write it raw.
            QFile file(newer);
            QVERIFY(file.open(QIODevice::ReadWrite));
            file.seek(60);  // SQLite header: user_version, big-endian, at offset 60
            const char version[4] = {0, 0, 0, 99};
            QCOMPARE(file.write(version, 4), qint64(4));
        }
        RunHistory history(newer);
        QSignalSpy errors(&history, &RunHistory::errorOccurred);
        QVERIFY(!history.open());
        QCOMPARE(errors.count(), 1);
        QVERIFY2(history.lastError().contains(QStringLiteral("newer")), qPrintable(history.lastError()));
        HistoryPage page;
        page.setRunHistory(&history);
        page.show();
        QVERIFY(page.messageLabel()->isVisible());
        QVERIFY(page.messageLabel()->text().contains(QStringLiteral("newer")));
        QVERIFY(!history.loadRun(1));

        // Garbage instead of a database: a message, no crash.
        const QString garbage = scratch_.filePath(QStringLiteral("garbage.sqlite"));
        {
            QFile file(garbage);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray(8192, 'x'));
        }
        RunHistory broken(garbage);
        QVERIFY(!broken.open());
        QVERIFY(!broken.lastError().isEmpty());
    }
};

QTEST_MAIN(TestHistoryPage)
#include "test_history_page.moc"
