#include "widgets/history_page.h"

#include "widgets/chart_style.h"
#include "widgets/history_table_model.h"
#include "widgets/theme.h"

#include <QAction>
#include <QDesktopServices>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QTextBrowser>
#include <QScrollBar>
#include <QToolBar>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <iterator>

namespace capsule::ui {
namespace {

constexpr int kMaxEventsShown = 400;

QString htmlRow(const QString& key, const QString& value) {
    return QStringLiteral("<tr><td style=\"color:palette(placeholder-text);padding-right:12px\">%1</td><td>%2</td></tr>")
        .arg(key.toHtmlEscaped(), value.toHtmlEscaped());
}

QString jsonText(const QJsonValue& value) {
    if (value.isArray()) {
        QStringList parts;
        for (const QJsonValue& item : value.toArray()) parts << jsonText(item);
        return parts.isEmpty() ? HistoryPage::tr("(default)") : parts.join(QStringLiteral(", "));
    }
    if (value.isBool()) return value.toBool() ? HistoryPage::tr("yes") : HistoryPage::tr("no");
    if (value.isDouble()) return QLocale().toString(value.toDouble(), 'g', 6);
    return value.toString();
}

}  // namespace

QStringList HistoryPage::columnTitles() {
    return HistoryTableModel::columnTitles();
}

HistoryPage::HistoryPage(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("historyPage"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(6);

    auto* header = new QHBoxLayout;
    header->addWidget(new QLabel(tr("<h2>Run history</h2>"), this));
    header->addStretch(1);
    filter_ = new QLineEdit(this);
    filter_->setObjectName(QStringLiteral("historyFilter"));
    filter_->setPlaceholderText(tr("Filter runs (name, method, model, dataset, status…)"));
    filter_->setClearButtonEnabled(true);
    filter_->setMinimumWidth(300);
    header->addWidget(filter_);
    layout->addLayout(header);

    model_ = new HistoryTableModel(nullptr, this);
    proxy_ = new QSortFilterProxyModel(this);
    proxy_->setSortRole(HistoryTableModel::SortRole);
    proxy_->setFilterKeyColumn(-1);
    proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy_->setSortCaseSensitivity(Qt::CaseInsensitive);
    connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);

    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("historyTable"));
    table_->setModel(proxy_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::SelectedClicked);
    table_->setSortingEnabled(true);
    table_->sortByColumn(HistoryTableModel::CreatedColumn, Qt::DescendingOrder);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->setContextMenuPolicy(Qt::ActionsContextMenu);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table_->horizontalHeader()->setHighlightSections(false);
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 10);

    emptyLabel_ = new QLabel(tr("No runs yet. Finished, failed and interrupted runs are listed here and survive restarts."),
                             this);
    emptyLabel_->setObjectName(QStringLiteral("historyEmpty"));
    emptyLabel_->setStyleSheet(QStringLiteral("color: palette(placeholder-text);"));
    message_ = new QLabel(this);
    message_->setObjectName(QStringLiteral("historyMessage"));
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    message_->setVisible(false);

    details_ = new QTextBrowser(this);
    details_->setObjectName(QStringLiteral("historyDetails"));
    details_->setOpenLinks(false);
    details_->setPlaceholderText(tr("Select a run to see its settings and its log."));

    createActions();
    auto* toolbar = new QToolBar(this);
    toolbar->setObjectName(QStringLiteral("historyToolBar"));
    toolbar->setIconSize(QSize(18, 18));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    for (QAction* action : {openAction_, renameAction_, deleteAction_, openFolderAction_}) toolbar->addAction(action);
    toolbar->addSeparator();
    toolbar->addAction(resumeAction_);
    toolbar->addAction(extendAction_);
    toolbar->addSeparator();
    toolbar->addAction(refreshAction_);
    layout->addWidget(toolbar);
    layout->addWidget(message_);
    layout->addWidget(emptyLabel_);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("historySplitter"));
    splitter->addWidget(table_);
    splitter->addWidget(details_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);

    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        updateDetails();
    });
    // Enter or a double-click opens (not a Return shortcut: it would also fire inside the name editor).
    connect(table_, &QTableView::activated, this, [this] { openSelected(); });
    attachModel(model_);
    updateActions();
}

void HistoryPage::attachModel(HistoryTableModel* model) {
    model_ = model;
    // Keep the selected run selected when the list is rebuilt (a run was added or deleted).
    connect(model_, &QAbstractItemModel::modelAboutToBeReset, this, [this] { selectionBeforeReset_ = selectedRunId(); });
    connect(model_, &QAbstractItemModel::modelReset, this, [this] {
        emptyLabel_->setVisible(model_->rowCount() == 0);
        if (selectionBeforeReset_ >= 0) selectRun(selectionBeforeReset_);
        updateActions();
        updateDetails();
    });
    connect(model_, &QAbstractItemModel::dataChanged, this, [this] {
        updateActions();
        updateDetails();
    });
    proxy_->setSourceModel(model_);
    // A new source model resets the header's section sizes.
    const int widths[] = {200, 90, 110, 130, 140, 140, 130, 70, 140};
    for (int column = 0; column < int(std::size(widths)); ++column) table_->setColumnWidth(column, widths[column]);
}

void HistoryPage::createActions() {
    auto makeAction = [this](const QIcon& icon, const QString& text, const QString& tip, const QKeySequence& key = {}) {
        auto* action = new QAction(icon, text, this);
        action->setStatusTip(tip);
        action->setToolTip(key.isEmpty() ? tip : tr("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
        if (!key.isEmpty()) {
            action->setShortcut(key);
            action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        addAction(action);
        table_->addAction(action);
        return action;
    };
    openAction_ = makeAction(QIcon(QStringLiteral(":/icons/dashboard.svg")), tr("&Open"),
                             tr("Show the run's charts on the dashboard, rebuilt from the history (Enter or double-click)"));
    renameAction_ = makeAction(QIcon(), tr("&Rename"), tr("Rename the run"), QKeySequence(Qt::Key_F2));
    deleteAction_ = makeAction(style()->standardIcon(QStyle::SP_TrashIcon), tr("&Delete…"),
                               tr("Delete the run and its output folder"), QKeySequence(QKeySequence::Delete));
    openFolderAction_ = makeAction(QIcon(QStringLiteral(":/icons/folder.svg")), tr("Open Output &Folder"),
                                   tr("Open the run's output folder in the file manager"));
    auto* separator = new QAction(this);
    separator->setSeparator(true);
    table_->addAction(separator);
    resumeAction_ = makeAction(QIcon(QStringLiteral(":/icons/start.svg")), tr("Res&ume…"),
                               tr("Continue an interrupted or stopped run from one of its checkpoints"));
    extendAction_ = makeAction(QIcon(), tr("E&xtend…"), tr("Train a finished run for more steps from its last checkpoint"));
    refreshAction_ = makeAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("Refres&h"),
                                tr("Read the run history again"), QKeySequence(QKeySequence::Refresh));
    connect(openAction_, &QAction::triggered, this, [this] { openSelected(); });
    connect(renameAction_, &QAction::triggered, this, &HistoryPage::renameSelected);
    connect(deleteAction_, &QAction::triggered, this, [this] { deleteSelected(); });
    connect(openFolderAction_, &QAction::triggered, this, &HistoryPage::openOutputFolder);
    connect(resumeAction_, &QAction::triggered, this, [this] { resumeSelected(); });
    connect(extendAction_, &QAction::triggered, this, [this] { extendSelected(); });
    connect(refreshAction_, &QAction::triggered, this, [this] {
        if (history_ && history_->refresh()) showMessage({}, false);
    });
}

void HistoryPage::setRunHistory(RunHistory* history) {
    if (history_) disconnect(history_, nullptr, this, nullptr);
    history_ = history;
    // The model renames through the history; it is rebuilt so it never outlives a replaced one.
    HistoryTableModel* old = model_;
    attachModel(new HistoryTableModel(history, this));
    old->deleteLater();
    if (!history_) {
        emptyLabel_->setVisible(true);
        updateActions();
        return;
    }
    connect(history_, &RunHistory::runsChanged, this, [this] { model_->setRuns(history_->runs()); });
    connect(history_, &RunHistory::errorOccurred, this, [this](const QString& message) { showMessage(message, true); });
    model_->setRuns(history_->runs());
    emptyLabel_->setVisible(model_->rowCount() == 0);
    if (!history_->lastError().isEmpty()) showMessage(history_->lastError(), true);
    else if (history_->interruptedAtOpen() > 0)
        showMessage(tr("%n run(s) stopped when Capsule or its training process ended unexpectedly; they are marked "
                       "interrupted and can be resumed from their last checkpoint.",
                       nullptr, history_->interruptedAtOpen()),
                    false);
    updateActions();
}

qint64 HistoryPage::selectedRunId() const {
    const QModelIndexList rows = table_->selectionModel()->selectedRows();
    if (rows.isEmpty()) return -1;
    return rows.first().data(HistoryTableModel::RunIdRole).toLongLong();
}

bool HistoryPage::selectRun(qint64 runId) {
    const int sourceRow = model_->rowOfRun(runId);
    if (sourceRow < 0) return false;
    const QModelIndex index = proxy_->mapFromSource(model_->index(sourceRow, HistoryTableModel::NameColumn));
    if (!index.isValid()) return false;
    table_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    table_->scrollTo(index);
    return true;
}

void HistoryPage::showMessage(const QString& text, bool error) {
    message_->setVisible(!text.isEmpty());
    message_->setText(text);
    message_->setStyleSheet(QStringLiteral("QLabel { color: %1; }")
                                .arg(error ? theme::errorColorName(palette()) : theme::warningColorName(palette())));
}

void HistoryPage::updateActions() {
    const qint64 runId = selectedRunId();
    const int row = model_->rowOfRun(runId);
    const RunRow* run = model_->runAt(row);
    checkpointCount_ = run ? static_cast<int>(RunHistory::findCheckpoints(run->outputDir).size()) : 0;
    const bool selected = run != nullptr && history_ != nullptr;
    openAction_->setEnabled(selected);
    renameAction_->setEnabled(selected);
    // A run another process is training keeps its rows until it ends.
    deleteAction_->setEnabled(selected && !isLive(run->status));
    openFolderAction_->setEnabled(selected && QFileInfo(run->outputDir).isDir());
    const bool resumable = selected && (run->status == StoredRunStatus::Interrupted ||
                                        run->status == StoredRunStatus::Cancelled || run->status == StoredRunStatus::Failed);
    resumeAction_->setEnabled(resumable && checkpointCount_ > 0 && !trainingActive_);
    extendAction_->setEnabled(selected && run->status == StoredRunStatus::Finished && checkpointCount_ > 0 &&
                              !trainingActive_);
    const QString noCheckpoint = tr("This run has no checkpoint to continue from (set “Checkpoint every” to keep them).");
    resumeAction_->setToolTip(resumable && checkpointCount_ == 0 ? noCheckpoint
                                                                 : tr("Continue an interrupted or stopped run from one of its checkpoints"));
    extendAction_->setToolTip(selected && run->status == StoredRunStatus::Finished && checkpointCount_ == 0
                                  ? noCheckpoint
                                  : tr("Train a finished run for more steps from its last checkpoint"));
    refreshAction_->setEnabled(history_ != nullptr);
}

void HistoryPage::setTrainingActive(bool active) {
    trainingActive_ = active;
    updateActions();
}

void HistoryPage::updateDetails() {
    const qint64 runId = selectedRunId();
    const RunRow* run = model_->runAt(model_->rowOfRun(runId));
    if (!run || !history_) {
        details_->clear();
        detailsRunId_ = -1;
        return;
    }
    // A refresh that did not touch this run (or a run that is not training) leaves the pane alone.
    if (detailsRunId_ == run->id && detailsRow_ == *run && !isLive(run->status)) return;
    detailsRow_ = *run;
    const QLocale locale;
    QString html = QStringLiteral("<h3>%1 <span style=\"font-weight:normal;color:palette(placeholder-text)\">#%2</span></h3>")
                       .arg(run->name.toHtmlEscaped())
                       .arg(run->id);
    html += QStringLiteral("<p><span style=\"color:%1;font-weight:600\">%2</span>%3</p>")
                .arg(HistoryTableModel::statusColor(run->status).name(),
                     HistoryTableModel::statusTitle(run->status).toHtmlEscaped(),
                     run->failureReason.isEmpty() ? QString() : QStringLiteral(" — ") + run->failureReason.toHtmlEscaped());
    html += QStringLiteral("<table>");
    html += htmlRow(tr("Model"), run->model);
    html += htmlRow(tr("Dataset"), run->dataset);
    html += htmlRow(tr("Output folder"), run->outputDir);
    if (run->lastStep >= 0)
        html += htmlRow(tr("Steps"), tr("%1 of %2").arg(locale.toString(run->lastStep),
                                                        run->maxSteps > 0 ? locale.toString(run->maxSteps) : tr("?")));
    html += htmlRow(tr("Checkpoints"), locale.toString(checkpointCount_));
    // The settings that shape a run most; the whole config is in the output folder's checkpoints.
    const QJsonObject config = QJsonDocument::fromJson(run->configJson.toUtf8()).object();
    QStringList keys = {QStringLiteral("method"), QStringLiteral("lr"), QStringLiteral("batch_size"),
                        QStringLiteral("gradient_accumulation"), QStringLiteral("max_steps"), QStringLiteral("epochs"),
                        QStringLiteral("schedule"), QStringLiteral("warmup_steps"), QStringLiteral("seed"),
                        QStringLiteral("dtype"), QStringLiteral("device"), QStringLiteral("eval_every"),
                        QStringLiteral("checkpoint_every")};
    if (run->method == QLatin1String("lora") || run->method == QLatin1String("adalora"))
        keys << QStringLiteral("r") << QStringLiteral("lora_alpha") << QStringLiteral("lora_dropout")
             << QStringLiteral("target_modules");
    if (run->method == QLatin1String("adalora"))
        keys << QStringLiteral("init_r") << QStringLiteral("target_r") << QStringLiteral("tinit")
             << QStringLiteral("tfinal") << QStringLiteral("delta_t");
    if (run->method == QLatin1String("ia3") || run->method == QLatin1String("t-few"))
        keys << QStringLiteral("target_modules") << QStringLiteral("feedforward_modules");
    if (run->method.contains(QLatin1String("tuning")))
        keys << QStringLiteral("num_virtual_tokens") << QStringLiteral("prompt_tuning_init");
    for (const QString& key : keys)
        if (config.contains(key)) html += htmlRow(key, jsonText(config.value(key)));
    html += QStringLiteral("</table>");

    const QVector<RunEvent> events = history_->events(run->id);
    html += QStringLiteral("<h4>%1</h4><pre style=\"white-space:pre-wrap\">").arg(tr("Log"));
    const int first = std::max(0, int(events.size()) - kMaxEventsShown);
    if (first > 0) html += tr("… %n earlier line(s)", nullptr, first).toHtmlEscaped() + QLatin1Char('\n');
    for (int i = first; i < events.size(); ++i) {
        const RunEvent& event = events[i];
        const QPalette& colors = details_->palette();
        const QString color = event.level == QLatin1String("error")     ? theme::errorColorName(colors)
                              : event.level == QLatin1String("warning") ? theme::warningColorName(colors)
                              : event.level == QLatin1String("status")  ? theme::infoColorName(colors)
                                                                        : QString();
        const QString line = QStringLiteral("%1  %2").arg(event.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                                                          event.message)
                                 .toHtmlEscaped();
        html += color.isEmpty() ? line : QStringLiteral("<span style=\"color:%1\">%2</span>").arg(color, line);
        html += QLatin1Char('\n');
    }
    html += QStringLiteral("</pre>");
    // Keep the reader's place when a live run's details refresh.
    const bool sameRun = detailsRunId_ == run->id;
    const int scroll = details_->verticalScrollBar() ? details_->verticalScrollBar()->value() : 0;
    details_->setHtml(html);
    if (sameRun && details_->verticalScrollBar()) details_->verticalScrollBar()->setValue(scroll);
    detailsRunId_ = run->id;
}

bool HistoryPage::openSelected() {
    const qint64 runId = selectedRunId();
    if (!history_ || runId < 0) return false;
    const std::optional<RunDetails> details = history_->loadRun(runId);
    if (!details) return false;
    Q_EMIT runOpened(*details);
    return true;
}

void HistoryPage::renameSelected() {
    const qint64 runId = selectedRunId();
    if (!history_ || runId < 0) return;
    const QModelIndex index = proxy_->mapFromSource(model_->index(model_->rowOfRun(runId), HistoryTableModel::NameColumn));
    table_->setCurrentIndex(index);
    table_->edit(index);
}

bool HistoryPage::deleteSelected() {
    const qint64 runId = selectedRunId();
    const RunRow* run = model_->runAt(model_->rowOfRun(runId));
    if (!history_ || !run || isLive(run->status)) return false;
    const QString folder = history_->folderDeletedWith(runId);
    QString text = tr("Delete the run “%1” (#%2) and its recorded metrics, evaluations and log?").arg(run->name).arg(run->id);
    if (!folder.isEmpty())
        text += QStringLiteral("\n\n") + tr("Its output folder is deleted too, with the adapter and every checkpoint in it:\n%1")
                                            .arg(folder);
    else if (!run->outputDir.isEmpty())
        text += QStringLiteral("\n\n") + tr("Its output folder %1 is kept (it is missing, shared with another run, or holds "
                                            "files Capsule did not write).")
                                            .arg(run->outputDir);
    const QString title = tr("Delete run");
    const bool yes = confirm_ ? confirm_(title, text)
                              : QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::Cancel,
                                                      QMessageBox::Cancel) == QMessageBox::Yes;
    if (!yes) return false;
    return history_->deleteRun(runId, true);
}

void HistoryPage::openOutputFolder() {
    const RunRow* run = model_->runAt(model_->rowOfRun(selectedRunId()));
    if (!run || !QFileInfo(run->outputDir).isDir()) return;
    QDesktopServices::openUrl(QUrl::fromLocalFile(run->outputDir));
}

bool HistoryPage::resumeSelected() {
    return continueSelected(CheckpointDialog::Mode::Resume);
}

bool HistoryPage::extendSelected() {
    return continueSelected(CheckpointDialog::Mode::Extend);
}

bool HistoryPage::continueSelected(CheckpointDialog::Mode mode) {
    const qint64 runId = selectedRunId();
    if (!history_ || runId < 0 || trainingActive_) return false;
    const std::optional<RunDetails> details = history_->loadRun(runId);
    if (!details) return false;
    if (details->checkpoints.isEmpty()) {
        showMessage(tr("Run “%1” has no checkpoint to continue from.").arg(details->run.name), true);
        return false;
    }
    std::optional<Continuation> choice;
    if (chooseCheckpoint_) {
        choice = chooseCheckpoint_(*details, mode);
    } else {
        CheckpointDialog dialog(*details, mode, this);
        if (dialog.exec() == QDialog::Accepted && !dialog.selectedFolder().isEmpty())
            choice = Continuation{dialog.selectedFolder(), dialog.maxSteps()};
    }
    if (!choice) return false;
    QString problem;
    std::optional<train::TrainingConfig> config =
        history_->continuationConfig(runId, choice->checkpointFolder, choice->maxSteps, &problem);
    if (!config) {
        showMessage(problem, true);
        return false;
    }
    // The run continues its own row (TrainingRequest::continueRunId); the title only names what happens.
    const QString step = QFileInfo(choice->checkpointFolder).fileName().mid(5);
    const QString title = mode == CheckpointDialog::Mode::Resume
                              ? tr("%1 (resumed at step %2)").arg(details->run.name, step)
                              : tr("%1 (extended to %2 steps)").arg(details->run.name).arg(config->maxSteps);
    TrainingRequest request;
    request.config = *config;
    request.continueRunId = runId;
    showMessage({}, false);
    Q_EMIT continueRequested(request, title);
    return true;
}

}  // namespace capsule::ui
