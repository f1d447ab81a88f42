#pragma once
// Run history: every run from the run store, kept across restarts. A sortable, filterable table
// (HistoryTableModel behind a QSortFilterProxyModel), a detail pane with the selected run's config
// summary and its events, and the actions on a run: Open (rebuild its charts on the dashboard),
// Rename (F2, in place), Delete (Del; asks first and names the folder that goes with it), Open
// Output Folder, Resume… (an interrupted, stopped or failed run, from a checkpoint picked in
// CheckpointDialog) and Extend… (a finished run, more steps from its last checkpoint). Resume and
// Extend do not train here: they emit continueRequested() and the main window starts the run
// through its TrainingController. The continued run keeps its row: the request carries its id.
#include "controller/run_history.h"
#include "controller/training_controller.h"
#include "widgets/checkpoint_dialog.h"

#include <QWidget>

#include <functional>
#include <optional>

class QAction;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTextBrowser;

namespace capsule::ui {

class HistoryTableModel;

class HistoryPage : public QWidget {
    Q_OBJECT
public:
    explicit HistoryPage(QWidget* parent = nullptr);

    /// The history to show (not owned; outlives the page). Until set, the table is empty.
    void setRunHistory(RunHistory* history);
    RunHistory* runHistory() const { return history_; }

    static QStringList columnTitles();
    QTableView* table() const { return table_; }
    HistoryTableModel* tableModel() const { return model_; }
    QSortFilterProxyModel* proxyModel() const { return proxy_; }
    QLineEdit* filterEdit() const { return filter_; }
    QTextBrowser* detailView() const { return details_; }
    QLabel* messageLabel() const { return message_; }

    QAction* openAction() const { return openAction_; }
    QAction* renameAction() const { return renameAction_; }
    QAction* deleteAction() const { return deleteAction_; }
    QAction* openFolderAction() const { return openFolderAction_; }
    QAction* resumeAction() const { return resumeAction_; }
    QAction* extendAction() const { return extendAction_; }
    QAction* refreshAction() const { return refreshAction_; }

    /// The selected run's id, or -1.
    qint64 selectedRunId() const;
    /// Selects (and scrolls to) the run; false when it is not listed (filtered out or unknown).
    bool selectRun(qint64 runId);

    /// Loads the selected run and emits runOpened(). False (with a message) on a store error.
    bool openSelected();
    /// Starts editing the selected run's name in the table.
    void renameSelected();
    /// Asks (through the confirmation, a QMessageBox unless replaced) and deletes the selected
    /// run with its output folder. True when it was deleted.
    bool deleteSelected();
    void openOutputFolder();
    /// Picks a checkpoint (CheckpointDialog unless replaced) and emits continueRequested().
    bool resumeSelected();
    bool extendSelected();

    /// While a training runs, Resume and Extend are off (one run at a time).
    void setTrainingActive(bool active);

    /// Replaces the yes/no question before a delete (tests answer it).
    using Confirmation = std::function<bool(const QString& title, const QString& text)>;
    void setConfirmation(Confirmation confirmation) { confirm_ = std::move(confirmation); }
    /// Replaces the checkpoint dialog: returns the checkpoint folder and the new max steps (0 =
    /// keep), or nullopt for cancel.
    struct Continuation {
        QString checkpointFolder;
        qint64 maxSteps = 0;
    };
    using CheckpointChooser = std::function<std::optional<Continuation>(const RunDetails&, CheckpointDialog::Mode)>;
    void setCheckpointChooser(CheckpointChooser chooser) { chooseCheckpoint_ = std::move(chooser); }

Q_SIGNALS:
    /// A stored run, read in full, to show on the dashboard.
    void runOpened(const capsule::ui::RunDetails& details);
    /// Resume/Extend: the request to train (the stored config with resume set, continueRunId the
    /// run's id) and a title for the dashboard.
    void continueRequested(const capsule::ui::TrainingRequest& request, const QString& title);

private:
    void createActions();
    void attachModel(HistoryTableModel* model);
    void updateActions();
    void updateDetails();
    void showMessage(const QString& text, bool error);
    bool continueSelected(CheckpointDialog::Mode mode);

    RunHistory* history_ = nullptr;
    HistoryTableModel* model_ = nullptr;
    QSortFilterProxyModel* proxy_ = nullptr;
    QTableView* table_ = nullptr;
    QLineEdit* filter_ = nullptr;
    QTextBrowser* details_ = nullptr;
    QLabel* emptyLabel_ = nullptr;
    QLabel* message_ = nullptr;
    QAction* openAction_ = nullptr;
    QAction* renameAction_ = nullptr;
    QAction* deleteAction_ = nullptr;
    QAction* openFolderAction_ = nullptr;
    QAction* resumeAction_ = nullptr;
    QAction* extendAction_ = nullptr;
    QAction* refreshAction_ = nullptr;
    Confirmation confirm_;
    CheckpointChooser chooseCheckpoint_;
    bool trainingActive_ = false;
    qint64 selectionBeforeReset_ = -1;
    qint64 detailsRunId_ = -1;
    RunRow detailsRow_;  // what the detail pane shows
    int checkpointCount_ = 0;  // of the selected run
};

}  // namespace capsule::ui
