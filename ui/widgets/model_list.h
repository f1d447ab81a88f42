#pragma once
// Setup's model list: the built-in demo (always first), the models of the Hugging Face cache and
// of the folders the user added (remembered in QSettings), with architecture, parameters, dtype
// and size filled in by a ModelCatalog scan off the GUI thread. Below it "Add Folder…" and a
// "Recent" menu of the model folders used last (RecentFiles::modelsKey(), shared with File ›
// Recent Models); selecting a model other than the demo puts it first in that list.
#include "controller/model_catalog.h"

#include <QString>
#include <QVector>
#include <QWidget>

class QPushButton;
class QTableWidget;
class QToolButton;

namespace capsule::ui {

class RecentFiles;
class RecentMenu;

class ModelList : public QWidget {
    Q_OBJECT
public:
    explicit ModelList(QWidget* parent = nullptr);

    QTableWidget* table() const { return table_; }
    ModelCatalog* catalog() const { return catalog_; }
    RecentFiles* recentModels() const { return recent_; }
    RecentMenu* recentMenu() const { return recentMenu_; }
    QPushButton* addButton() const { return addButton_; }
    QToolButton* recentButton() const { return recentButton_; }

    bool hasSelection() const;
    /// True while the built-in demo row is the selected one.
    bool demoSelected() const;
    void selectDemo();
    /// The selected model folder; empty for the demo or no selection.
    QString selectedFolder() const;
    /// The selected model's parameter count from the catalog; 0 while not inspected (or the demo).
    qint64 selectedParameterCount() const;

    /// Asks for a folder, lists and remembers it (QSettings) and rescans.
    void addFolderWithDialog();
    /// Lists `path` (once) without selecting or remembering it.
    void addFolderPath(const QString& path);
    /// Selects the row of `path`, listing it first when needed.
    void selectFolder(const QString& path);
    /// A Recent entry: selects `folder`, listed and remembered like an added folder when the scan
    /// does not find it anyway. A folder without config.json leaves the recent list and returns
    /// false with `problem` saying so.
    bool openRecent(const QString& folder, QString* problem);
    /// Scans the hub cache and the added folders again; the table fills in.
    void refresh();

Q_SIGNALS:
    /// The selected row changed (user or code).
    void selectionChanged();
    /// The selected model's details (its parameter count) arrived from the first scan of it.
    void selectedModelInspected();

private:
    void addDemoRow();
    void rememberFolder(const QString& folder);
    void onModelsFound(const QVector<capsule::ui::ModelEntry>& models);
    int rowOf(const QString& path) const;

    QTableWidget* table_ = nullptr;
    QPushButton* addButton_ = nullptr;
    QToolButton* recentButton_ = nullptr;
    RecentMenu* recentMenu_ = nullptr;
    RecentFiles* recent_ = nullptr;
    ModelCatalog* catalog_ = nullptr;
};

}  // namespace capsule::ui
