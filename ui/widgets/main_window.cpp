#include "widgets/main_window.h"

#include "controller/engine_text.h"
#include "controller/evaluation_controller.h"
#include "controller/language.h"
#include "controller/method_queue.h"
#include "controller/run_history.h"
#include "controller/runtime_controller.h"
#include "controller/training_controller.h"
#include "widgets/about_dialog.h"
#include "widgets/compare_page.h"
#include "widgets/compare_run_model.h"
#include "widgets/dashboard_page.h"
#include "widgets/export_dialog.h"
#include "widgets/history_page.h"
#include "widgets/icl_dialog.h"
#include "widgets/log_view.h"
#include "widgets/method_choice_dialog.h"
#include "widgets/playground_page.h"
#include "widgets/recent_menu.h"
#include "widgets/setup_page.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QMessageBox>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QToolBar>

#include <iterator>

namespace capsule::ui {

MainWindow::MainWindow(RuntimeController* runtime, QWidget* parent)
    : QMainWindow(parent), runtime_(runtime) {
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(tr("Capsule — fine-tuning studio"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/capsule.svg")));
    setMinimumSize(900, 600);
    training_ = new TrainingController(this);

    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    navigation_ = new QListWidget(central);
    navigation_->setObjectName(QStringLiteral("navigation"));
    navigation_->setViewMode(QListView::ListMode);
    navigation_->setIconSize(QSize(22, 22));
    navigation_->setFixedWidth(168);
    navigation_->setFrameShape(QFrame::NoFrame);
    navigation_->setSpacing(2);
    const struct {
        QString title;
        QString icon;
        QString tip;
    } entries[] = {
        {tr("Setup"), QStringLiteral(":/icons/setup.svg"), tr("Choose the model, dataset, method and training settings")},
        {tr("Dashboard"), QStringLiteral(":/icons/dashboard.svg"), tr("Live charts of the running training")},
        {tr("History"), QStringLiteral(":/icons/history.svg"), tr("Every run, kept across restarts")},
        {tr("Compare"), QStringLiteral(":/icons/compare.svg"),
         tr("Overlay runs' curves, see their settings side by side, and eval against trainable parameters")},
        {tr("Playground"), QString(), tr("Try a prompt with the base model and with an adapter side by side")},
    };
    for (const auto& entry : entries) {
        auto* item = new QListWidgetItem(QIcon(entry.icon), entry.title, navigation_);
        item->setToolTip(entry.tip);
        item->setSizeHint(QSize(160, 40));
    }
    if (QListWidgetItem* playground = navigation_->item(PlaygroundPageIndex))
        playground->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    navigation_->setStyleSheet(QStringLiteral(
        "QListWidget#navigation { background: palette(window); padding-top: 8px; }"
        "QListWidget#navigation::item { padding-left: 10px; border-radius: 6px; margin: 0 6px; }"
        "QListWidget#navigation::item:selected { background: palette(highlight); color: palette(highlighted-text); }"));

    pages_ = new QStackedWidget(central);
    setupPage_ = new SetupPage(pages_);
    dashboardPage_ = new DashboardPage(pages_);
    historyPage_ = new HistoryPage(pages_);
    // The run store: opened once here, which also marks runs whose process died as interrupted.
    history_ = new RunHistory(QString(), this);
    history_->open();
    historyPage_->setRunHistory(history_);
    pages_->addWidget(setupPage_);
    pages_->addWidget(dashboardPage_);
    pages_->addWidget(historyPage_);
    comparePage_ = new ComparePage(pages_);  // reads the store when first shown
    pages_->addWidget(comparePage_);
    playgroundPage_ = new PlaygroundPage(pages_);
    pages_->addWidget(playgroundPage_);
    connect(playgroundPage_, &PlaygroundPage::problem, this,
            [this](const QString& message) { logView_->appendLine(tr("Playground: %1").arg(message), LogView::Error); });
    // Opening a run fills the Playground's pickers with its model and adapter (not loaded yet).
    connect(historyPage_, &HistoryPage::runOpened, playgroundPage_, [this](const RunDetails& details) {
        if (!QFileInfo::exists(details.run.outputDir + QStringLiteral("/adapter_config.json"))) return;
        playgroundPage_->setModelFolder(details.run.model);
        playgroundPage_->setAdapterFolder(details.run.outputDir);
    });

    auto* separator = new QFrame(central);
    separator->setFrameShape(QFrame::VLine);
    separator->setFrameShadow(QFrame::Sunken);

    layout->addWidget(navigation_);
    layout->addWidget(separator);
    layout->addWidget(pages_, 1);
    setCentralWidget(central);

    connect(navigation_, &QListWidget::currentRowChanged, pages_, &QStackedWidget::setCurrentIndex);
    connect(navigation_, &QListWidget::currentRowChanged, this, &MainWindow::onPageChanged);
    navigation_->setCurrentRow(SetupPageIndex);

    logView_ = new LogView(this);
    auto* logDock = new QDockWidget(tr("Log"), this);
    logDock->setObjectName(QStringLiteral("logDock"));
    logDock->setWidget(logView_);
    logDock->setAllowedAreas(Qt::BottomDockWidgetArea | Qt::RightDockWidgetArea);
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    toggleLogAction_ = logDock->toggleViewAction();
    toggleLogAction_->setText(tr("Show &Log"));
    toggleLogAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));

    createActions();
    createMenus();
    createToolBar();
    createStatusBar();
    connectTraining();

    logView_->appendLine(tr("Capsule %1 started on %2 (LibTorch %3, Qt %4).")
                             .arg(runtime_->capsuleVersion(), localizedEngineText(runtime_->deviceName()),
                                  runtime_->torchVersion(), runtime_->qtVersion()));
    if (const QString warning = runtime_->performanceWarning(); !warning.isEmpty())
        logView_->appendLine(warning, LogView::Warning);

    restoreLayout();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions() {
    openModelAction_ = new QAction(QIcon(QStringLiteral(":/icons/folder.svg")), tr("Add &Model Folder…"), this);
    openModelAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    openModelAction_->setStatusTip(tr("Add a Hugging Face model folder to the model list"));
    connect(openModelAction_, &QAction::triggered, this, [this] {
        showPage(SetupPageIndex);
        setupPage_->addModelFolder();
    });

    openDatasetAction_ = new QAction(QIcon(QStringLiteral(":/icons/dataset.svg")), tr("Open &Dataset…"), this);
    openDatasetAction_->setShortcut(QKeySequence::Open);
    openDatasetAction_->setStatusTip(tr("Choose the dataset file to train on"));
    connect(openDatasetAction_, &QAction::triggered, this, [this] {
        showPage(SetupPageIndex);
        setupPage_->chooseDatasetFile();
    });

    startAction_ = new QAction(QIcon(QStringLiteral(":/icons/start.svg")), tr("&Start Training"), this);
    startAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    startAction_->setStatusTip(tr("Start training with the current setup"));
    pauseAction_ = new QAction(QIcon(QStringLiteral(":/icons/pause.svg")), tr("&Pause"), this);
    pauseAction_->setStatusTip(tr("Pause the running training after the current step"));
    stopAction_ = new QAction(QIcon(QStringLiteral(":/icons/stop.svg")), tr("S&top"), this);
    stopAction_->setStatusTip(tr("Stop the running training and keep its last checkpoint"));
    pauseAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    stopAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    connect(startAction_, &QAction::triggered, this, [this] { startTraining(); });
    connect(pauseAction_, &QAction::triggered, this, &MainWindow::togglePause);
    connect(stopAction_, &QAction::triggered, this, &MainWindow::stopTraining);
    updateRunActions();

    quitAction_ = new QAction(tr("&Quit"), this);
    quitAction_->setShortcut(QKeySequence::Quit);
    connect(quitAction_, &QAction::triggered, this, &QWidget::close);

    aboutAction_ = new QAction(tr("&About Capsule"), this);
    connect(aboutAction_, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(openModelAction_);
    file->addAction(openDatasetAction_);
    for (RecentMenu* recent : setupPage_->createRecentMenus(file)) {
        file->addMenu(recent);
        connect(recent, &RecentMenu::pathChosen, this, [this] { showPage(SetupPageIndex); });
    }
    file->addSeparator();
    // The whole setup as the JSON config file `capsule-cli train --config` reads.
    QAction* loadSetup = file->addAction(tr("&Load Setup…"));
    connect(loadSetup, &QAction::triggered, this, [this] {
        showPage(SetupPageIndex);
        setupPage_->loadSetupWithDialog();
    });
    QAction* saveSetup = file->addAction(tr("Save Setup &As…"));
    connect(saveSetup, &QAction::triggered, this, [this] {
        showPage(SetupPageIndex);
        setupPage_->saveSetupWithDialog();
    });
    file->addSeparator();
    QAction* exportAdapter = file->addAction(tr("&Export Adapter…"));
    exportAdapter->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    exportAdapter->setStatusTip(tr("Export a trained adapter as an HF PEFT folder or as a merged model"));
    connect(exportAdapter, &QAction::triggered, this, [this] { showExportDialog(playgroundPage_->adapterFolder()); });
    QAction* importAdapterAction = file->addAction(tr("&Import Adapter…"));
    importAdapterAction->setStatusTip(tr("Open an adapter folder saved by HF PEFT in the Playground"));
    connect(importAdapterAction, &QAction::triggered, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Import an adapter folder"));
        if (folder.isEmpty()) return;
        QString error;
        if (!importAdapter(folder, &error))
            QMessageBox::warning(this, tr("Import adapter"), tr("This folder cannot be imported:\n%1").arg(error));
    });
    file->addSeparator();
    file->addAction(quitAction_);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QString pageNames[] = {tr("&Setup"), tr("&Dashboard"), tr("&History"), tr("&Compare"), tr("&Playground")};
    for (int index = 0; index < int(std::size(pageNames)); ++index) {
        QAction* action = view->addAction(pageNames[index]);
        action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + index)));
        connect(action, &QAction::triggered, this, [this, index] { showPage(static_cast<Page>(index)); });
    }
    view->addSeparator();
    QMenu* languageMenu = view->addMenu(tr("&Language"));
    auto* group = new QActionGroup(languageMenu);
    const QString current = chosenLanguage();
    for (const Language& language : availableLanguages()) {
        QAction* action = languageMenu->addAction(language.nativeName);
        action->setCheckable(true);
        action->setChecked(language.code == current);
        action->setData(language.code);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [this, code = language.code] { chooseLanguage(code); });
    }
    view->addSeparator();
    view->addAction(toggleLogAction_);

    QMenu* training = menuBar()->addMenu(tr("&Training"));
    training->addAction(startAction_);
    training->addAction(pauseAction_);
    training->addAction(stopAction_);
    training->addSeparator();
    QAction* evaluateAdapterAction = training->addAction(tr("&Evaluate Adapter…"));
    evaluateAdapterAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    evaluateAdapterAction->setStatusTip(tr("Score an adapter folder (one trained here or made by HF PEFT) on the "
                                           "Setup page's dataset, like a run's evaluation"));
    connect(evaluateAdapterAction, &QAction::triggered, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Evaluate an adapter folder"), lastImportedAdapter_);
        if (folder.isEmpty()) return;
        QString error;
        if (!evaluateAdapter(folder, &error))
            QMessageBox::warning(this, tr("Evaluate adapter"), error);
    });
    QAction* iclAction = training->addAction(tr("In-Context &Baseline…"));
    iclAction->setStatusTip(tr("Score the untrained base model with k training examples in its prompt"));
    connect(iclAction, &QAction::triggered, this, [this] { showIclBaselineDialog(); });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(aboutAction_);
}

void MainWindow::createToolBar() {
    QToolBar* toolbar = addToolBar(tr("Run"));
    toolbar->setObjectName(QStringLiteral("runToolBar"));
    toolbar->setMovable(false);
    toolbar->setIconSize(QSize(20, 20));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addAction(openModelAction_);
    toolbar->addAction(openDatasetAction_);
    toolbar->addSeparator();
    toolbar->addAction(startAction_);
    toolbar->addAction(pauseAction_);
    toolbar->addAction(stopAction_);
}

void MainWindow::createStatusBar() {
    deviceLabel_ = new QLabel(this);
    deviceLabel_->setObjectName(QStringLiteral("deviceLabel"));
    deviceLabel_->setText(tr("Device: %1").arg(localizedEngineText(runtime_->deviceName())));
    deviceLabel_->setToolTip(tr("LibTorch %1 · Qt %2 · BLAS %3")
                                 .arg(runtime_->torchVersion(), runtime_->qtVersion(),
                                      runtime_->blasLibrary().isEmpty() ? tr("unknown") : runtime_->blasLibrary()));
    statusBar()->addPermanentWidget(deviceLabel_);
    statusBar()->showMessage(tr("Ready"));
}

void MainWindow::showPage(Page page) {
    navigation_->setCurrentRow(page);
}

void MainWindow::onPageChanged(int page) {
    // Ctrl+Return is Generate on the Playground and Start Training elsewhere: two live shortcuts
    // on one key would be ambiguous, and neither would fire.
    if (startAction_)
        startAction_->setShortcut(page == PlaygroundPageIndex ? QKeySequence() : QKeySequence(Qt::CTRL | Qt::Key_Return));
}

MainWindow::Page MainWindow::currentPage() const {
    return static_cast<Page>(pages_->currentIndex());
}

void MainWindow::restoreLayout() {
    const QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) resize(1280, 800);
    if (!restoreState(settings.value(QStringLiteral("window/state")).toByteArray())) {
        // First start: a compact log under a large work area.
        if (auto* dock = findChild<QDockWidget*>(QStringLiteral("logDock"))) {
            resizeDocks({dock}, {140}, Qt::Vertical);
            QTimer::singleShot(0, this, [this, dock] { resizeDocks({dock}, {140}, Qt::Vertical); });
        }
    }
    const int page = settings.value(QStringLiteral("window/page"), int(SetupPageIndex)).toInt();
    if (page >= 0 && page < pages_->count()) showPage(static_cast<Page>(page));
}

void MainWindow::saveLayout() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/page"), pages_->currentIndex());
}

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
        RunPlan plan;
        plan.method = QString::fromStdString(request.config.method);
        plan.maxSteps = request.config.maxSteps;
        plan.tinit = request.config.tinit;
        plan.tfinal = request.config.tfinal;
        const int methodIndex = setupPage_->methodCombo()->findData(plan.method);
        const QString methodName = methodIndex >= 0 ? setupPage_->methodCombo()->itemText(methodIndex) : plan.method;
        plan.title = tr("%1 (%2 of %3 in the method comparison)").arg(methodName).arg(index + 1).arg(count);
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
    RunPlan plan;
    plan.title = title;
    plan.method = QString::fromStdString(request.config.method);
    plan.maxSteps = request.config.maxSteps;
    plan.tinit = request.config.tinit;
    plan.tfinal = request.config.tfinal;
    dashboardPage_->startRun(plan);
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
    RunPlan plan;
    plan.method = QString::fromStdString(request->config.method);
    plan.maxSteps = request->config.maxSteps;
    plan.tinit = request->config.tinit;
    plan.tfinal = request->config.tfinal;
    const QString methodName = setupPage_->methodCombo()->currentText();
    plan.title = request->demoFolder.isEmpty()
                     ? tr("%1 on %2").arg(methodName, QFileInfo(QString::fromStdString(request->config.model)).fileName())
                     : tr("%1 on the built-in demo").arg(methodName);
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

bool MainWindow::confirmStopOnClose() {
    const auto answer = QMessageBox::question(
        this, tr("Training in progress"),
        tr("A training run is in progress. Stop it and quit?\n\nIt stops after the current step and keeps a checkpoint "
           "you can resume from."),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    return answer == QMessageBox::Yes;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (training_->isRunning()) {
        if (!confirmStopOnClose()) {
            event->ignore();
            return;
        }
        // Cancel and wait here, so no thread outlives the window (the controller joins it).
        training_->stop();
        statusBar()->showMessage(tr("Stopping the training…"));
        QEventLoop loop;
        connect(training_, &TrainingController::finished, &loop, &QEventLoop::quit);
        if (training_->isRunning()) loop.exec(QEventLoop::ExcludeUserInputEvents);
    }
    saveLayout();
    event->accept();
}

void MainWindow::showAbout() {
    AboutDialog dialog(runtime_, this);
    dialog.exec();
}

void MainWindow::chooseLanguage(const QString& code) {
    if (code == chosenLanguage()) return;
    setChosenLanguage(code);
    QMessageBox::information(this, tr("Language"),
                             tr("The new language takes effect when Capsule is restarted."));
}

void MainWindow::showExportDialog(const QString& adapterFolder) {
    auto* dialog = new ExportDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!adapterFolder.isEmpty()) dialog->setAdapterFolder(adapterFolder);
    if (!playgroundPage_->modelFolder().isEmpty()) dialog->setBaseModelFolder(playgroundPage_->modelFolder());
    dialog->setStorePath(history_->storePath());  // the export is listed with its run
    connect(dialog, &ExportDialog::exportFinished, this, [this](const ExportOutcome& outcome) {
        if (outcome.succeeded) logView_->appendLine(tr("Exported to %1").arg(outcome.path));
    });
    dialog->show();
}

bool MainWindow::importAdapter(const QString& folder, QString* error) {
    const AdapterCheck check = ExportController::inspectAdapter(folder);
    if (!check.valid) {
        if (error) *error = check.error;
        logView_->appendLine(tr("Import failed: %1").arg(check.error), LogView::Error);
        return false;
    }
    // Recorded as a finished run so History and Compare list it; the store schema needs nothing new.
    QString storeError;
    const qint64 runId = ExportController::recordImportedRun(QString(), folder, check, &storeError);
    if (runId < 0)
        logView_->appendLine(tr("The imported adapter was not recorded in the run store: %1").arg(storeError),
                             LogView::Warning);
    // AdaLoRA: the saved rank allocation becomes the run's rank chart.
    else if (!EvaluationController::recordSavedRanks(QString(), runId, folder, &storeError))
        logView_->appendLine(tr("The adapter's rank allocation was not recorded: %1").arg(storeError), LogView::Warning);
    lastImportedAdapter_ = QFileInfo(folder).absoluteFilePath();
    history_->refresh();
    comparePage_->refreshRuns();
    if (QFileInfo(check.baseModel).isDir()) playgroundPage_->setModelFolder(check.baseModel);
    playgroundPage_->setAdapterFolder(folder);
    showPage(PlaygroundPageIndex);
    playgroundPage_->loadModel();
    logView_->appendLine(tr("Imported the %1 adapter in %2").arg(check.peftType, folder));
    return true;
}

}  // namespace capsule::ui
