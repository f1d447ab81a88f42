// MainWindow, the runs it starts and follows: training from the Setup page, Resume/Extend from
// History, the method comparison and the evaluations, and the run actions and status they drive.
#include "widgets/main_window.h"

#include "controller/evaluation_controller.h"
#include "controller/method_queue.h"
#include "controller/run_history.h"
#include "controller/training_controller.h"
#include "widgets/compare_page.h"
#include "widgets/compare_run_model.h"
#include "widgets/dashboard_page.h"
#include "widgets/history_page.h"
#include "widgets/icl_dialog.h"
#include "widgets/log_view.h"
#include "widgets/method_choice_dialog.h"
#include "widgets/playground_page.h"
#include "widgets/setup_page.h"

#include <QAction>
#include <QComboBox>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>

namespace capsule::ui {

namespace {

/// What the dashboard needs to know before the first step of `request`'s run.
RunPlan runPlanFor(const TrainingRequest& request, const QString& title) {
    RunPlan plan;
    plan.title = title;
    plan.method = QString::fromStdString(request.config.method);
    plan.maxSteps = request.config.maxSteps;
    plan.tinit = request.config.tinit;
    plan.tfinal = request.config.tfinal;
    return plan;
}

}  // namespace

void MainWindow::connectTraining() {
    connect(setupPage_, &SetupPage::startRequested, this, [this] { startTraining(); });
    connect(setupPage_, &SetupPage::validityChanged, this, &MainWindow::updateRunActions);
    connect(training_, &TrainingController::runStarted, this, [this](const RunStartInfo& info) {
        dashboardPage_->setRunInfo(info);
        logView_->appendLine(tr("Training on %1 (%2): %3 steps, %4 training and %5 validation examples.")
                                 .arg(info.device, info.computeDtype)
                                 .arg(info.maxSteps)
                                 .arg(info.trainExamples)
                                 .arg(info.validationExamples));
    });
    connect(training_, &TrainingController::stepsArrived, dashboardPage_, &DashboardPage::appendSteps);
    connect(training_, &TrainingController::ranksArrived, dashboardPage_, &DashboardPage::appendRanks);
    connect(training_, &TrainingController::evalArrived, this, [this](const QVector<EvalPoint>& evaluations) {
        dashboardPage_->appendEvaluations(evaluations);
        for (const EvalPoint& point : evaluations) {
            QString line = tr("Evaluation at step %1: loss %2").arg(point.step).arg(point.loss, 0, 'f', 4);
            if (point.hasAccuracy) line += tr(", accuracy %1 %").arg(point.accuracy * 100.0, 0, 'f', 1);
            if (point.improved) line += tr(" (best so far)");
            logView_->appendLine(line);
        }
    });
    connect(training_, &TrainingController::logArrived, this, [this](const QVector<LogLine>& lines) {
        for (const LogLine& line : lines) {
            const LogView::Level level = line.level == LogLine::Error     ? LogView::Error
                                         : line.level == LogLine::Warning ? LogView::Warning
                                                                          : LogView::Info;
            logView_->appendLine(line.text, level);
        }
    });
    connect(training_, &TrainingController::statusChanged, this, &MainWindow::onStatusChanged);
    connect(training_, &TrainingController::finished, this, &MainWindow::onFinished);
    // A finished (or stopped) run joins the Compare page's list.
    connect(training_, &TrainingController::finished, comparePage_, [this] { comparePage_->refreshRuns(); });
    // "Compare methods": queued runs, each shown on the dashboard, then side by side on Compare.
    methodQueue_ = new MethodQueue(training_, this);
    connect(comparePage_, &ComparePage::compareMethodsRequested, this, [this] {
        if (training_->isRunning()) {
            statusBar()->showMessage(tr("A run is in progress; compare methods when it has ended."), 8000);
            return;
        }
        QVector<QPair<QString, QString>> methods;
        const QComboBox* combo = setupPage_->methodCombo();
        for (int i = 0; i < combo->count(); ++i) methods << qMakePair(combo->itemData(i).toString(), combo->itemText(i));
        QStringList checked{QStringLiteral("lora"), QStringLiteral("ia3"), QStringLiteral("adalora")};
        if (!checked.contains(combo->currentData().toString())) checked << combo->currentData().toString();
        MethodChoiceDialog dialog(methods, checked, this);
        if (dialog.exec() == QDialog::Accepted) compareMethods(dialog.chosenMethods());
    });
    connect(methodQueue_, &MethodQueue::runStarting, this, [this](int index, int count, const TrainingRequest& request) {
        const QString method = QString::fromStdString(request.config.method);
        const int methodIndex = setupPage_->methodCombo()->findData(method);
        const QString methodName = methodIndex >= 0 ? setupPage_->methodCombo()->itemText(methodIndex) : method;
        const RunPlan plan = runPlanFor(
            request, tr("%1 (%2 of %3 in the method comparison)").arg(methodName).arg(index + 1).arg(count));
        dashboardPage_->startRun(plan);
        logView_->appendLine(tr("Starting %1; output in %2").arg(plan.title, QString::fromStdString(request.config.out)));
        showPage(DashboardPageIndex);
    });
    connect(methodQueue_, &MethodQueue::queueFinished, this, [this](const QVector<qint64>& runIds, bool completed) {
        comparePage_->refreshRuns();
        comparePage_->setComparedRuns(runIds);
        logView_->appendLine(completed ? tr("Method comparison done: %n run(s) on the Compare page.", "", int(runIds.size()))
                                       : tr("Method comparison stopped after %n run(s).", "", int(runIds.size())));
        if (completed) showPage(ComparePageIndex);
        updateRunActions();
    });

    // In-context-learning baseline: scored on its own thread, then ticked next to the compared runs.
    evaluation_ = new EvaluationController(this);
    connect(comparePage_, &ComparePage::iclBaselineRequested, this, [this] { showIclBaselineDialog(); });
    connect(evaluation_, &EvaluationController::finished, this, [this](const IclOutcome& outcome) {
        logView_->appendLine(IclDialog::describe(outcome));
        if (outcome.runId <= 0) return;
        comparePage_->refreshRuns();
        QVector<qint64> ticked = comparePage_->runModel()->checkedRunIds();
        ticked << outcome.runId;
        comparePage_->setComparedRuns(ticked);
    });
    connect(evaluation_, &EvaluationController::failed, this, [this](const QString& message) {
        logView_->appendLine(tr("The evaluation failed: %1").arg(message), LogView::Error);
    });
    connect(evaluation_, &EvaluationController::adapterEvaluated, this,
            [this](qint64 runId, double evalLoss, double accuracy, qint64 examples) {
                logView_->appendLine(accuracy >= 0 ? tr("Run %1 evaluated on %2 examples: accuracy %3 %, eval loss %4")
                                                         .arg(runId)
                                                         .arg(examples)
                                                         .arg(accuracy * 100.0, 0, 'f', 1)
                                                         .arg(evalLoss, 0, 'f', 4)
                                                   : tr("Run %1 evaluated on %2 examples: eval loss %3")
                                                         .arg(runId)
                                                         .arg(examples)
                                                         .arg(evalLoss, 0, 'f', 4));
                history_->refresh();
                comparePage_->refreshRuns();
            });

    // History: live refresh while a run trains, a last refresh when it ends.
    connect(training_, &TrainingController::runningChanged, this, [this](bool running) {
        history_->setLiveRefresh(running);
        historyPage_->setTrainingActive(running);
        if (!running) history_->refresh();
    });
    connect(training_, &TrainingController::runStarted, history_, [this] { history_->refresh(); });
    connect(historyPage_, &HistoryPage::runOpened, this, [this](const RunDetails& details) {
        if (training_->isRunning()) {
            // The dashboard belongs to the live run; the run itself is already on it.
            showPage(DashboardPageIndex);
            if (details.run.id != training_->runId())
                statusBar()->showMessage(tr("The dashboard shows the running training; open other runs when it ends."),
                                         8000);
            return;
        }
        dashboardPage_->showStoredRun(details);
        showPage(DashboardPageIndex);
    });
    connect(historyPage_, &HistoryPage::continueRequested, this,
            [this](const TrainingRequest& request, const QString& title) { startContinuation(request, title); });
}

bool MainWindow::startContinuation(const TrainingRequest& request, const QString& title) {
    if (training_->isRunning()) return false;
    dashboardPage_->startRun(runPlanFor(request, title));
    // The same run continues: its curve up to the checkpoint first, the live points extend it.
    if (request.continueRunId >= 0)
        if (const std::optional<RunDetails> details = history_->loadRun(request.continueRunId))
            dashboardPage_->showHistoryBefore(*details, QString::fromStdString(request.config.resume));
    logView_->appendLine(tr("Starting %1 from %2").arg(title, QString::fromStdString(request.config.resume)));
    training_->start(request);
    showPage(DashboardPageIndex);
    updateRunActions();
    return true;
}

std::optional<TrainingRequest> MainWindow::requestFromSetup() {
    QString problem;
    std::optional<TrainingRequest> request = setupPage_->trainingRequest(&problem);
    if (!request) {
        logView_->appendLine(tr("Cannot start: %1").arg(problem), LogView::Error);
        showPage(SetupPageIndex);
        if (isVisible()) QMessageBox::warning(this, tr("Cannot start training"), problem);
    }
    return request;
}

bool MainWindow::startTraining() {
    if (training_->isRunning()) return false;
    const std::optional<TrainingRequest> request = requestFromSetup();
    if (!request) return false;
    const QString methodName = setupPage_->methodCombo()->currentText();
    const RunPlan plan = runPlanFor(
        *request, request->demoFolder.isEmpty()
                      ? tr("%1 on %2").arg(methodName, QFileInfo(QString::fromStdString(request->config.model)).fileName())
                      : tr("%1 on the built-in demo").arg(methodName));
    dashboardPage_->startRun(plan);
    logView_->appendLine(tr("Starting %1; output in %2").arg(plan.title, QString::fromStdString(request->config.out)));
    training_->start(*request);
    showPage(DashboardPageIndex);
    updateRunActions();
    return true;
}

bool MainWindow::compareMethods(const QStringList& methods) {
    if (training_->isRunning() || methodQueue_->isActive()) return false;
    const std::optional<TrainingRequest> request = requestFromSetup();
    if (!request) return false;
    if (!methodQueue_->start(*request, methods)) return false;
    updateRunActions();
    return true;
}

bool MainWindow::evaluateAdapter(const QString& folder, QString* error) {
    auto fail = [&](const QString& message) {
        if (error) *error = message;
        logView_->appendLine(tr("Cannot evaluate %1: %2").arg(folder, message), LogView::Error);
        return false;
    };
    if (evaluation_->isRunning()) return fail(tr("an evaluation is already running"));
    const QString absolute = QFileInfo(folder).absoluteFilePath();
    // The adapter's run: the one whose output folder it is, else it is imported first.
    qint64 runId = EvaluationController::runForAdapterFolder(QString(), absolute);
    if (runId < 0) {
        QString importError;
        if (!importAdapter(absolute, &importError)) return fail(importError);
        runId = EvaluationController::runForAdapterFolder(QString(), absolute);
        if (runId < 0) return fail(tr("the adapter could not be recorded in the run store"));
    }
    const std::optional<TrainingRequest> request = requestFromSetup();
    if (!request) return fail(tr("the Setup page's model and dataset are not ready"));
    if (!evaluation_->startAdapterEvaluation(*request, absolute, runId)) return fail(tr("an evaluation is already running"));
    logView_->appendLine(tr("Evaluating %1 on the Setup page's dataset…").arg(absolute));
    return true;
}

bool MainWindow::showIclBaselineDialog() {
    const std::optional<TrainingRequest> request = requestFromSetup();
    if (!request) return false;
    const QString model = request->demoFolder.isEmpty() && !request->config.model.empty()
                              ? QString::fromStdString(request->config.model)
                              : tr("the built-in demo model");
    const QString data = request->demoFolder.isEmpty() || !request->config.data.empty()
                             ? QString::fromStdString(request->config.data)
                             : tr("the built-in demo dataset");
    IclDialog dialog(evaluation_, *request, model, data, this);
    dialog.exec();
    return true;
}

void MainWindow::togglePause() {
    if (training_->isPaused()) training_->resume();
    else training_->pause();
}

void MainWindow::stopTraining() {
    if (!training_->isRunning()) return;
    training_->stop();
    stopAction_->setEnabled(false);  // once is enough; the run ends within one step
    statusBar()->showMessage(tr("Stopping after the current step…"));
}

void MainWindow::updateRunActions() {
    const bool running = training_->isRunning();
    const bool startable = !running && setupPage_->canStart();
    startAction_->setEnabled(startable);
    setupPage_->startButton()->setEnabled(startable);
    pauseAction_->setEnabled(running && training_->state() != RunState::Preparing);
    stopAction_->setEnabled(running);
    const bool paused = training_->isPaused();
    pauseAction_->setText(paused ? tr("&Resume") : tr("&Pause"));
    pauseAction_->setIcon(QIcon(paused ? QStringLiteral(":/icons/start.svg") : QStringLiteral(":/icons/pause.svg")));
    pauseAction_->setStatusTip(paused ? tr("Continue the paused training") : tr("Pause the running training after the current step"));
}

void MainWindow::onStatusChanged(RunState state, const QString& reason) {
    dashboardPage_->setRunState(state, reason);
    updateRunActions();
    switch (state) {
    case RunState::Preparing: statusBar()->showMessage(tr("Preparing the run…")); break;
    case RunState::Running: statusBar()->showMessage(tr("Training")); break;
    case RunState::Paused:
        statusBar()->showMessage(tr("Paused"));
        logView_->appendLine(tr("Paused."));
        break;
    case RunState::Failed: logView_->appendLine(tr("Training failed: %1").arg(reason), LogView::Error); break;
    default: break;
    }
}

void MainWindow::onFinished(RunState state, const QString& reason, const QString& adapterFolder) {
    updateRunActions();
    playgroundPage_->offerAdapter(adapterFolder);  // the new adapter is one click away in the Playground
    switch (state) {
    case RunState::Finished:
        logView_->appendLine(tr("Finished (%1). Adapter saved in %2").arg(reason, adapterFolder));
        statusBar()->showMessage(tr("Training finished"), 10000);
        break;
    case RunState::Cancelled:
        logView_->appendLine(tr("Stopped (%1). Checkpoint and adapter saved in %2").arg(reason, adapterFolder));
        statusBar()->showMessage(tr("Training stopped"), 10000);
        break;
    default: statusBar()->showMessage(tr("Training failed"), 10000); break;
    }
}

}  // namespace capsule::ui
