#pragma once
// The studio's main window: a navigation sidebar over the pages (setup, live dashboard, run
// history), a log dock, the run toolbar and the status bar. Layout and splitters persist in
// QSettings. Pages are filled by their own classes. The window and its menus are in
// main_window.cpp; the runs it starts and follows in main_window_runs.cpp.
#include "controller/training_controller.h"
#include "controller/training_events.h"

#include <QMainWindow>

#include <optional>

class QAction;
class QLabel;
class QListWidget;
class QStackedWidget;

namespace capsule::ui {

class ComparePage;
class DashboardPage;
class MethodQueue;
class HistoryPage;
class EvaluationController;
class LogView;
class PlaygroundPage;
class RunHistory;
class RuntimeController;
class SetupPage;
class TrainingController;
struct TrainingRequest;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum Page { SetupPageIndex = 0, DashboardPageIndex = 1, HistoryPageIndex = 2, ComparePageIndex = 3, PlaygroundPageIndex = 4 };

    /// `runtime` is not owned and must outlive the window.
    explicit MainWindow(RuntimeController* runtime, QWidget* parent = nullptr);
    ~MainWindow() override;

    void showPage(Page page);
    Page currentPage() const;

    SetupPage* setupPage() const { return setupPage_; }
    DashboardPage* dashboardPage() const { return dashboardPage_; }
    HistoryPage* historyPage() const { return historyPage_; }
    PlaygroundPage* playgroundPage() const { return playgroundPage_; }
    ComparePage* comparePage() const { return comparePage_; }
    MethodQueue* methodQueue() const { return methodQueue_; }
    EvaluationController* evaluationController() const { return evaluation_; }
    RunHistory* runHistory() const { return history_; }
    LogView* logView() const { return logView_; }
    TrainingController* trainingController() const { return training_; }
    QAction* startAction() const { return startAction_; }
    QAction* pauseAction() const { return pauseAction_; }
    QAction* stopAction() const { return stopAction_; }

    /// Starts a run from the setup page's settings and switches to the dashboard. Returns false
    /// (after telling the user what to change) when the settings are not valid or a run is active.
    bool startTraining();
    /// "Compare methods": trains the setup's model and dataset with each of `methods` (CLI names)
    /// one after another, then shows them on the Compare page. False (after telling the user)
    /// when the setup is not valid or a run is active.
    bool compareMethods(const QStringList& methods);
    /// "ICL Baseline…" on the Compare page: opens the in-context-learning baseline dialog for the
    /// setup's model and dataset. False (after telling the user) when the setup is not valid.
    bool showIclBaselineDialog();
    /// Scores the adapter in `folder` on the Setup page's model and dataset (its validation split)
    /// and records the evaluation in the adapter's run (imported first when no run has it as its
    /// output folder). False, with `error`, when it cannot start.
    bool evaluateAdapter(const QString& folder, QString* error = nullptr);
    /// Pause when running, resume when paused.
    void togglePause();
    /// Opens the export dialog for `adapterFolder` (empty: the user picks one).
    void showExportDialog(const QString& adapterFolder = {});
    /// Checks an adapter folder made by HF PEFT, records it in the run store as an imported run
    /// and opens it in the Playground (its base model too when that is a local folder). Returns
    /// false with `error` (naming the file at fault) when the folder is not a usable adapter.
    bool importAdapter(const QString& folder, QString* error = nullptr);
    void stopTraining();

protected:
    /// Asks to stop the running training; closing goes on when it returns true. Tests override it.
    virtual bool confirmStopOnClose();
    void closeEvent(QCloseEvent* event) override;

private:
    /// The setup page's request; nullopt after telling the user (log, message box) what to change.
    std::optional<TrainingRequest> requestFromSetup();
    void createActions();
    void createMenus();
    void createToolBar();
    void createStatusBar();
    void restoreLayout();
    void saveLayout() const;
    void showAbout();
    void chooseLanguage(const QString& code);
    void connectTraining();
    void updateRunActions();
    void onStatusChanged(RunState state, const QString& reason);
    void onPageChanged(int page);
    void onFinished(RunState state, const QString& reason, const QString& adapterFolder);
    /// Resume/Extend from the History page: starts the request and shows it on the dashboard.
    bool startContinuation(const TrainingRequest& request, const QString& title);

    RuntimeController* runtime_;  // not owned
    TrainingController* training_ = nullptr;  // child QObject: cancels and joins on destruction
    QListWidget* navigation_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    SetupPage* setupPage_ = nullptr;
    DashboardPage* dashboardPage_ = nullptr;
    HistoryPage* historyPage_ = nullptr;
    PlaygroundPage* playgroundPage_ = nullptr;
    ComparePage* comparePage_ = nullptr;
    MethodQueue* methodQueue_ = nullptr;  // child QObject
    EvaluationController* evaluation_ = nullptr;  // child QObject: cancels and joins on destruction
    RunHistory* history_ = nullptr;  // child QObject: the run store as the History page shows it
    LogView* logView_ = nullptr;
    QLabel* deviceLabel_ = nullptr;
    QString lastImportedAdapter_;  // the Evaluate Adapter dialog starts there

    QAction* openModelAction_ = nullptr;
    QAction* openDatasetAction_ = nullptr;
    QAction* startAction_ = nullptr;
    QAction* pauseAction_ = nullptr;
    QAction* stopAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QAction* aboutAction_ = nullptr;
    QAction* toggleLogAction_ = nullptr;
};

}  // namespace capsule::ui
