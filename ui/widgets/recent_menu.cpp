#include "widgets/recent_menu.h"

#include "controller/recent_files.h"

#include <QDir>
#include <QFileInfo>

namespace capsule::ui {
namespace {
/// Marks the actions that stand for a path (the rest: placeholder, separator, Clear List).
constexpr auto kEntryProperty = "recentEntry";
}  // namespace

RecentMenu::RecentMenu(const QString& title, RecentFiles* recent, QWidget* parent) : QMenu(title, parent), recent_(recent) {
    setToolTipsVisible(true);
    connect(this, &QMenu::aboutToShow, this, &RecentMenu::rebuild);
    rebuild();
}

void RecentMenu::rebuild() {
    clear();  // deletes the old actions (they are children of the menu)
    clearAction_ = nullptr;
    const QStringList paths = recent_->paths();
    if (paths.isEmpty()) {
        addAction(tr("No recent items"))->setEnabled(false);
    }
    for (int index = 0; index < paths.size(); ++index) {
        const QString& path = paths[index];
        const QFileInfo info(path);
        const bool exists = info.exists();
        // "&1 name — /the/folder": the digit is the mnemonic of the first nine.
        QString text = QStringLiteral("%1 — %2").arg(info.fileName(), QDir::toNativeSeparators(info.absolutePath()));
        text.replace(QLatin1Char('&'), QLatin1String("&&"));
        if (index < 9) text.prepend(QStringLiteral("&%1 ").arg(index + 1));
        if (!exists) text += QLatin1Char(' ') + tr("(missing)");
        QAction* action = addAction(text);
        action->setProperty(kEntryProperty, true);
        action->setData(path);
        action->setToolTip(QDir::toNativeSeparators(path));
        action->setEnabled(exists);
        connect(action, &QAction::triggered, this, [this, path] { Q_EMIT pathChosen(path); });
    }
    addSeparator();
    clearAction_ = addAction(tr("&Clear List"));
    clearAction_->setEnabled(!paths.isEmpty());
    connect(clearAction_, &QAction::triggered, this, [this] {
        recent_->clear();
        // Not now: rebuilding deletes the action whose signal is being delivered.
        QMetaObject::invokeMethod(this, &RecentMenu::rebuild, Qt::QueuedConnection);
    });
}

QList<QAction*> RecentMenu::entryActions() const {
    QList<QAction*> entries;
    for (QAction* action : actions())
        if (action->property(kEntryProperty).toBool()) entries.append(action);
    return entries;
}

}  // namespace capsule::ui
