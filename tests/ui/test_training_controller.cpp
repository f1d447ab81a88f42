// The training controller on real demo runs: batches arrive on the GUI thread at no more than
// ~30 a second, the run ends Finished and is in the run store (a continuation in its own row),
// pause/resume/stop act within a step, failures reach the GUI with their reason, and destroying
// the controller mid-run joins.
#include "controller/training_controller.h"

#include "store/run_store.h"
#include "support/demo_run.h"
#include "train/training_control.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <memory>

using namespace capsule::ui;

class TestTrainingController : public QObject {
    Q_OBJECT

    QTemporaryDir scratch_;
    QString storePath_;

    /// The demo with LoRA for `steps` steps, reporting every step; its output in a fresh folder.
    TrainingRequest demoRequest(const QString& method, int steps) {
        static int counter = 0;
        TrainingRequest request = test::demoRunRequest(scratch_.filePath(QStringLiteral("demo")), method, steps,
                                                       scratch_.filePath(QStringLiteral("runs/%1-%2").arg(method).arg(++counter)),
                                                       storePath_);
        request.config.logEvery = 1;
        request.config.evalEvery = std::max(1, steps / 2);
        return request;
    }

    static bool waitFinished(QSignalSpy& finished, int timeoutMs = 180'000) {
        return finished.count() > 0 || finished.wait(timeoutMs);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        // Private store and demo cache, also when run outside ctest.
        storePath_ = scratch_.filePath(QStringLiteral("store/runs.sqlite"));
        qputenv("CAPSULE_STORE", storePath_.toUtf8());
        qputenv("XDG_CACHE_HOME", scratch_.filePath(QStringLiteral("cache")).toUtf8());
    }

    void demoRunDeliversBatchesAndFinishes() {
        TrainingController controller;
        QVector<qint64> steps;
        QVector<qint64> batchTimesMs;
        QVector<RunState> states;
        int evaluations = 0;
        int logLines = 0;
        QElapsedTimer clock;
        clock.start();
        connect(&controller, &TrainingController::stepsArrived, this, [&](const QVector<StepPoint>& batch) {
            QVERIFY(!batch.isEmpty());
            batchTimesMs << clock.elapsed();
            for (const StepPoint& point : batch) steps << point.step;
        });
        connect(&controller, &TrainingController::evalArrived, this,
                [&](const QVector<EvalPoint>& batch) { evaluations += static_cast<int>(batch.size()); });
        connect(&controller, &TrainingController::logArrived, this,
                [&](const QVector<LogLine>& batch) { logLines += static_cast<int>(batch.size()); });
        connect(&controller, &TrainingController::statusChanged, this, [&](RunState state, const QString&) { states << state; });
        QSignalSpy started(&controller, &TrainingController::runStarted);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QSignalSpy running(&controller, &TrainingController::runningChanged);

        QVERIFY(controller.start(demoRequest(QStringLiteral("lora"), 40)));
        QVERIFY(controller.isRunning());
        QVERIFY(!controller.start(demoRequest(QStringLiteral("lora"), 40)));  // one run at a time
        QVERIFY(waitFinished(finished));

        const auto end = finished.takeFirst();
        QCOMPARE(end.at(0).value<RunState>(), RunState::Finished);
        QVERIFY(!end.at(2).toString().isEmpty());  // the adapter folder
        QVERIFY(QFileInfo::exists(end.at(2).toString() + QStringLiteral("/adapter_config.json")));
        QVERIFY(!controller.isRunning());
        QCOMPARE(controller.state(), RunState::Finished);
        QCOMPARE(running.count(), 2);

        // Every step exactly once, in order.
        QCOMPARE(steps.size(), 40);
        for (int i = 0; i < steps.size(); ++i) QCOMPARE(steps[i], qint64(i + 1));
        QCOMPARE(started.count(), 1);
        const auto info = started.takeFirst().at(0).value<RunStartInfo>();
        QCOMPARE(info.maxSteps, qint64(40));
        QVERIFY(info.trainableParameters > 0);
        QVERIFY(evaluations >= 2);  // at the start (baseline) and later
        QVERIFY(logLines > 0);
        QCOMPARE(states.first(), RunState::Preparing);
        QVERIFY(states.contains(RunState::Running));
        QCOMPARE(states.last(), RunState::Finished);

        // Batched: never more than ~30 step batches in any one second.
        int worstPerSecond = 0;
        for (int i = 0; i < batchTimesMs.size(); ++i) {
            int inWindow = 0;
            for (int j = i; j < batchTimesMs.size() && batchTimesMs[j] - batchTimesMs[i] < 1000; ++j) ++inWindow;
            worstPerSecond = std::max(worstPerSecond, inWindow);
        }
        qInfo("40 steps arrived in %d batches over %lld ms; at most %d batches in one second",
              int(batchTimesMs.size()), clock.elapsed(), worstPerSecond);
        QVERIFY2(worstPerSecond <= 30, qPrintable(QString::number(worstPerSecond)));

        // The run is in the store, finished, with its metrics.
        QVERIFY(controller.runId() >= 0);
        capsule::store::RunStore store(storePath_.toStdString());
        const auto record = store.run(controller.runId());
        QVERIFY(record.has_value());
        QCOMPARE(QString::fromStdString(record->method), QStringLiteral("lora"));
        QVERIFY(!store.metrics(controller.runId(), "loss").empty());
    }

    void floodIsBatchedAtThirtyHertz() {
        // A synthetic trainer that reports as fast as it can for 1.5 s: every point must arrive, in
        // at most ~30 batches a second, and rare events must not be dropped.
        TrainingController controller;
        controller.setTrainingFunction([](const capsule::train::TrainingConfig&, capsule::train::TrainingObserver& observer,
                                          capsule::train::TrainingControl* control) {
            using namespace capsule;
            observer.onStatus({train::TrainingStatus::Started, 0, {}});
            QElapsedTimer timer;
            timer.start();
            int64_t step = 0;
            peft::RankSnapshot snapshot;
            snapshot.modules.resize(8);
            for (size_t i = 0; i < snapshot.modules.size(); ++i) {
                snapshot.modules[i].name = "transformer.h." + std::to_string(i / 2) + (i % 2 ? ".attn.c_attn" : ".mlp.c_fc");
                snapshot.modules[i].initialRank = 8;
                snapshot.modules[i].importanceScores.assign(8, 0.5f);
            }
            while (timer.elapsed() < 1500 && !control->cancelRequested()) {
                ++step;
                train::StepMetrics metrics;
                metrics.step = step;
                metrics.loss = 1.0 / double(step);
                observer.onStep(metrics);
                snapshot.step = step;
                snapshot.budget = 64 - step % 32;
                for (auto& module : snapshot.modules) module.rank = step % 9;
                observer.onRanks(snapshot);
                if (step % 1000 == 0) observer.onEval({step, 0.5, 1.6, std::nullopt, std::nullopt, 10, false});
                if (step % 500 == 0) observer.onLog(train::LogLevel::Info, "line " + std::to_string(step));
            }
            observer.onStatus({train::TrainingStatus::Finished, step, "max steps"});
            train::TrainingResult result;
            result.status = train::TrainingStatus::Finished;
            result.reason = "max steps";
            result.steps = step;
            return result;
        });
        QVector<qint64> batchTimesMs;
        qint64 expected = 1;
        bool inOrder = true;
        qint64 rankPoints = 0, evaluations = 0, logLines = 0;
        QElapsedTimer clock;
        clock.start();
        connect(&controller, &TrainingController::stepsArrived, this, [&](const QVector<StepPoint>& batch) {
            batchTimesMs << clock.elapsed();
            for (const StepPoint& point : batch) inOrder = inOrder && point.step == expected++;
        });
        connect(&controller, &TrainingController::ranksArrived, this,
                [&](const QVector<RankPoint>& points, const RankAllocation&) { rankPoints += points.size(); });
        connect(&controller, &TrainingController::evalArrived, this,
                [&](const QVector<EvalPoint>& batch) { evaluations += batch.size(); });
        connect(&controller, &TrainingController::logArrived, this, [&](const QVector<LogLine>& batch) {
            for (const LogLine& line : batch) logLines += line.text.startsWith(QLatin1String("line ")) ? 1 : 0;
        });
        QSignalSpy finished(&controller, &TrainingController::finished);
        TrainingRequest request = demoRequest(QStringLiteral("lora"), 10);
        request.demoFolder.clear();
        QVERIFY(controller.start(request));
        QVERIFY(waitFinished(finished, 60'000));
        const qint64 steps = expected - 1;
        QVERIFY(inOrder);
        QVERIFY2(steps > 1000, qPrintable(QString::number(steps)));
        QCOMPARE(rankPoints, steps);
        QCOMPARE(evaluations, steps / 1000);
        QCOMPARE(logLines, steps / 500);
        int worstPerSecond = 0;
        for (int i = 0; i < batchTimesMs.size(); ++i) {
            int inWindow = 0;
            for (int j = i; j < batchTimesMs.size() && batchTimesMs[j] - batchTimesMs[i] < 1000; ++j) ++inWindow;
            worstPerSecond = std::max(worstPerSecond, inWindow);
        }
        qInfo("%lld steps in %d batches; at most %d step batches in one second", steps, int(batchTimesMs.size()),
              worstPerSecond);
        QVERIFY2(worstPerSecond <= 30, qPrintable(QString::number(worstPerSecond)));
        QVERIFY(worstPerSecond >= 10);  // and it does deliver continuously, not once at the end
    }

    void adaLoraDeliversRankAllocations() {
        TrainingController controller;
        RankAllocation latest;
        int budgetPoints = 0;
        connect(&controller, &TrainingController::ranksArrived, this,
                [&](const QVector<RankPoint>& points, const RankAllocation& allocation) {
                    budgetPoints += static_cast<int>(points.size());
                    if (allocation.step >= 0) latest = allocation;
                });
        QSignalSpy finished(&controller, &TrainingController::finished);
        QVERIFY(controller.start(demoRequest(QStringLiteral("adalora"), 20)));
        QVERIFY(waitFinished(finished));
        QCOMPARE(finished.first().at(0).value<RunState>(), RunState::Finished);
        QVERIFY(budgetPoints >= 10);
        QVERIFY(latest.step > 0);
        QVERIFY(!latest.modules.isEmpty());
        qint64 total = 0;
        for (const ModuleRankCell& cell : latest.modules) {
            QVERIFY(cell.name.contains(cell.moduleKind));
            QVERIFY(cell.layer >= 0);
            QVERIFY(cell.rank >= 0 && cell.rank <= cell.initialRank);
            QCOMPARE(cell.importance.size(), qsizetype(cell.initialRank));
            total += cell.rank;
        }
        QCOMPARE(total, latest.totalRank);
    }

    void pauseResumeAndStop() {
        TrainingController controller;
        qint64 lastStep = 0;
        connect(&controller, &TrainingController::stepsArrived, this,
                [&](const QVector<StepPoint>& batch) { lastStep = batch.last().step; });
        QSignalSpy status(&controller, &TrainingController::statusChanged);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QVERIFY(controller.start(demoRequest(QStringLiteral("lora"), 5000)));
        QTRY_VERIFY_WITH_TIMEOUT(lastStep >= 3, 120'000);

        controller.pause();
        QTRY_COMPARE_WITH_TIMEOUT(controller.state(), RunState::Paused, 30'000);
        QTest::qWait(200);  // what was buffered before the pause has arrived
        const qint64 pausedAt = lastStep;
        QTest::qWait(600);
        QCOMPARE(lastStep, pausedAt);  // no steps while paused
        QVERIFY(controller.isRunning());

        controller.resume();
        QTRY_VERIFY_WITH_TIMEOUT(lastStep > pausedAt, 60'000);
        QCOMPARE(controller.state(), RunState::Running);

        QElapsedTimer stopping;
        stopping.start();
        controller.stop();
        QVERIFY(waitFinished(finished, 60'000));
        qInfo("stop took %lld ms", stopping.elapsed());
        QCOMPARE(finished.first().at(0).value<RunState>(), RunState::Cancelled);
        QVERIFY(lastStep < 5000);
        QVERIFY(!controller.isRunning());
        QVector<RunState> states;
        for (const auto& arguments : status) states << arguments.at(0).value<RunState>();
        QVERIFY(states.contains(RunState::Paused));
        QCOMPARE(states.last(), RunState::Cancelled);
    }

    void destructorDuringRunJoins() {
        auto controller = std::make_unique<TrainingController>();
        qint64 lastStep = 0;
        connect(controller.get(), &TrainingController::stepsArrived, this,
                [&](const QVector<StepPoint>& batch) { lastStep = batch.last().step; });
        QVERIFY(controller->start(demoRequest(QStringLiteral("lora"), 5000)));
        QTRY_VERIFY_WITH_TIMEOUT(lastStep >= 2, 120'000);
        QElapsedTimer timer;
        timer.start();
        controller.reset();  // cancels and joins; a thread left running would crash at exit
        qInfo("destructor returned after %lld ms", timer.elapsed());
        QVERIFY(timer.elapsed() < 60'000);
    }

    void destructorWhilePreparingJoins() {
        // Cancel requested before the first step: the thread still ends cleanly.
        auto controller = std::make_unique<TrainingController>();
        QVERIFY(controller->start(demoRequest(QStringLiteral("lora"), 5000)));
        controller.reset();
    }

    void continuationKeepsTheRunRow() {
        // Resume / Extend: a request with continueRunId trains into that row (after dropping what
        // it recorded past the checkpoint); an id the store lost, or no checkpoint, gets a new row.
        qint64 existing = 0;
        {
            capsule::store::RunStore store(storePath_.toStdString());
            capsule::store::RunRecord record;
            record.name = "to continue";
            existing = store.createRun(record);
            store.appendMetrics(existing, {{1, "loss", 2.0, 0.5}, {2, "loss", 1.9, 1.0}, {3, "loss", 1.8, 1.5}});
            store.setStatus(existing, capsule::store::RunStatus::Interrupted);
        }
        const auto synthetic = [](const capsule::train::TrainingConfig& config, capsule::train::TrainingObserver& observer,
                                  capsule::train::TrainingControl*) {
            using namespace capsule;
            train::RunInfo info;
            info.maxSteps = 4;
            info.startStep = config.resume.empty() ? 0 : 2;
            info.resumedFrom = config.resume;
            info.bestMetric = 0.75;
            info.bestMetricName = "accuracy";
            info.bestStep = 2;
            observer.onRunInfo(info);
            observer.onStatus({train::TrainingStatus::Started, info.startStep, {}});
            for (int64_t step = info.startStep + 1; step <= 4; ++step) {
                train::StepMetrics metrics;
                metrics.step = step;
                metrics.loss = 1.0 / double(step);
                observer.onStep(metrics);
            }
            observer.onStatus({train::TrainingStatus::Finished, 4, "max steps"});
            train::TrainingResult result;
            result.status = train::TrainingStatus::Finished;
            result.steps = 4;
            return result;
        };
        const auto run = [&](qint64 continueRunId, const std::string& resume) {
            TrainingController controller;
            controller.setTrainingFunction(synthetic);
            TrainingRequest request = demoRequest(QStringLiteral("lora"), 4);
            request.demoFolder.clear();
            request.config.resume = resume;
            request.continueRunId = continueRunId;
            QSignalSpy finished(&controller, &TrainingController::finished);
            if (!controller.start(request) || !waitFinished(finished, 60'000)) return qint64(-1);
            return controller.runId();
        };
        QCOMPARE(run(existing, "/checkpoints/step-2"), existing);
        capsule::store::RunStore store(storePath_.toStdString());
        const auto losses = store.metrics(existing, "loss");
        QCOMPARE(losses.size(), size_t(4));  // 1, 2 kept; 3 dropped and trained again; 4 new
        for (size_t i = 0; i < losses.size(); ++i) QCOMPARE(losses[i].step, qint64(i + 1));
        QVERIFY(losses[2].timeSeconds >= 1.0);  // time continues from the kept step 2
        const auto row = store.run(existing);
        QCOMPARE(row->name, std::string("to continue"));
        QCOMPARE(capsule::store::toString(row->status), std::string("finished"));
        QCOMPARE(row->bestEval.value_or(0), 0.75);  // the checkpoint's best, reported at start
        QCOMPARE(row->bestStep.value_or(0), qint64(2));

        const qint64 fresh = run(987654, "/checkpoints/step-2");
        QVERIFY(fresh > 0 && fresh != existing);
        const qint64 noCheckpoint = run(existing, "");
        QVERIFY(noCheckpoint > 0 && noCheckpoint != existing && noCheckpoint != fresh);
        QCOMPARE(store.metrics(existing, "loss").size(), size_t(4));
    }

    void failureReasonReachesTheGui() {
        TrainingController controller;
        TrainingRequest request = demoRequest(QStringLiteral("lora"), 5);
        request.demoFolder.clear();
        request.config.model = scratch_.filePath(QStringLiteral("no-such-model")).toStdString();
        request.config.data = scratch_.filePath(QStringLiteral("no-such-data.jsonl")).toStdString();
        QSignalSpy status(&controller, &TrainingController::statusChanged);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QVERIFY(controller.start(request));
        QVERIFY(waitFinished(finished, 60'000));
        QCOMPARE(finished.first().at(0).value<RunState>(), RunState::Failed);
        const QString reason = finished.first().at(1).toString();
        QVERIFY2(reason.contains(QStringLiteral("no-such")), qPrintable(reason));
        QCOMPARE(status.last().at(0).value<RunState>(), RunState::Failed);
        QVERIFY(!status.last().at(1).toString().isEmpty());
        QCOMPARE(controller.state(), RunState::Failed);
        // A new run may start after a failed one.
        QVERIFY(controller.start(demoRequest(QStringLiteral("lora"), 2)));
        QSignalSpy again(&controller, &TrainingController::finished);
        QVERIFY(waitFinished(again));
        QCOMPARE(again.first().at(0).value<RunState>(), RunState::Finished);
    }
};

QTEST_GUILESS_MAIN(TestTrainingController)
#include "test_training_controller.moc"
