#pragma once
// The studio's main window: a navigation sidebar over the pages (setup, live dashboard, run
// history), a log dock, the run toolbar and the status bar. Layout and splitters persist in
// QSettings. Pages are filled by their own classes.
#include "controller/training_events.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QListWidget;
class QStackedWidget;

namespace capsule::ui {

class DashboardPage;
class HistoryPage;
class LogView;
class RuntimeController;
class SetupPage;
class TrainingController;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum Page { SetupPageIndex = 0, DashboardPageIndex = 1, HistoryPageIndex = 2 };

    /// `runtime` is not owned and must outlive the window.
    explicit MainWindow(RuntimeController* runtime, QWidget* parent = nullptr);
    ~MainWindow() override;

    void showPage(Page page);
    Page currentPage() const;

    SetupPage* setupPage() const { return setupPage_; }
    DashboardPage* dashboardPage() const { return dashboardPage_; }
    HistoryPage* historyPage() const { return historyPage_; }
    LogView* logView() const { return logView_; }
    TrainingController* trainingController() const { return training_; }
    QAction* startAction() const { return startAction_; }
    QAction* pauseAction() const { return pauseAction_; }
    QAction* stopAction() const { return stopAction_; }

    /// Starts a run from the setup page's settings and switches to the dashboard. Returns false
    /// (after telling the user what to change) when the settings are not valid or a run is active.
    bool startTraining();
    /// Pause when running, resume when paused.
    void togglePause();
    void stopTraining();

protected:
    /// Asks to stop the running training; closing goes on when it returns true. Tests override it.
    virtual bool confirmStopOnClose();
    void closeEvent(QCloseEvent* event) override;

private:
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
    void onFinished(RunState state, const QString& reason, const QString& adapterFolder);

    RuntimeController* runtime_;  // not owned
    TrainingController* training_ = nullptr;  // child QObject: cancels and joins on destruction
    QListWidget* navigation_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    SetupPage* setupPage_ = nullptr;
    DashboardPage* dashboardPage_ = nullptr;
    HistoryPage* historyPage_ = nullptr;
    LogView* logView_ = nullptr;
    QLabel* deviceLabel_ = nullptr;

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
