#pragma once
// A menu of recently used paths (RecentFiles): "&1 name — folder" per entry, most recent first,
// missing files and folders greyed out with "(missing)", "No recent items" when the list is
// empty, and "Clear List" at the end. It fills itself from the settings each time it opens, so
// every RecentMenu on the same list (Setup's Recent button, the File menu) shows the same entries.
#include <QMenu>
#include <QString>

namespace capsule::ui {

class RecentFiles;

class RecentMenu : public QMenu {
    Q_OBJECT
public:
    /// `recent` is not owned and must outlive the menu.
    RecentMenu(const QString& title, RecentFiles* recent, QWidget* parent = nullptr);

    RecentFiles* recentFiles() const { return recent_; }
    /// Refills the entries from the settings (aboutToShow does this; public for tests).
    void rebuild();
    /// The entry actions, in order (without the placeholder, separator and Clear List).
    QList<QAction*> entryActions() const;
    QAction* clearAction() const { return clearAction_; }

Q_SIGNALS:
    /// An existing entry was picked.
    void pathChosen(const QString& path);

private:
    RecentFiles* recent_;  // not owned
    QAction* clearAction_ = nullptr;
};

}  // namespace capsule::ui
