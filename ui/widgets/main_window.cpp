#include "widgets/main_window.h"

#include "controller/engine_text.h"
#include "controller/evaluation_controller.h"
#include "controller/language.h"
#include "controller/run_history.h"
#include "controller/runtime_controller.h"
#include "controller/training_controller.h"
#include "widgets/about_dialog.h"
#include "widgets/compare_page.h"
#include "widgets/dashboard_page.h"
#include "widgets/export_dialog.h"
#include "widgets/history_page.h"
#include "widgets/log_view.h"
#include "widgets/playground_page.h"
#include "widgets/recent_menu.h"
#include "widgets/setup_page.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
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
