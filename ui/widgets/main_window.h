#pragma once
// The studio's main window: a navigation sidebar over the pages (setup, live dashboard, run
// history), a log dock, the run toolbar and the status bar. Layout and splitters persist in
// QSettings. Pages are filled by their own classes.
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

protected:
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

    RuntimeController* runtime_;  // not owned
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
