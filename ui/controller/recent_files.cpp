#include "controller/recent_files.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

#include <algorithm>

namespace capsule::ui {

QString normalizedRecentPath(const QString& path) {
    if (path.trimmed().isEmpty()) return {};
    return QDir::cleanPath(QFileInfo(path.trimmed()).absoluteFilePath());
}

QString RecentFiles::modelsKey() { return QStringLiteral("recent/models"); }
QString RecentFiles::datasetsKey() { return QStringLiteral("recent/datasets"); }

RecentFiles::RecentFiles(const QString& settingsKey, int maximum, QObject* parent)
    : QObject(parent), key_(settingsKey), maximum_(std::max(1, maximum)) {}

QStringList RecentFiles::paths() const {
    QStringList paths;
    for (const QString& path : QSettings().value(key_).toStringList()) {
        const QString clean = normalizedRecentPath(path);
        // A hand-edited or older settings file may hold duplicates or blanks.
        if (!clean.isEmpty() && !paths.contains(clean)) paths.append(clean);
    }
    if (paths.size() > maximum_) paths.resize(maximum_);
    return paths;
}

void RecentFiles::store(const QStringList& paths) {
    QSettings settings;
    if (paths.isEmpty()) settings.remove(key_);
    else settings.setValue(key_, paths);
    Q_EMIT changed();
}

void RecentFiles::add(const QString& path) {
    const QString clean = normalizedRecentPath(path);
    if (clean.isEmpty()) return;
    QStringList list = paths();
    if (!list.isEmpty() && list.first() == clean) return;  // already first: nothing changes
    list.removeAll(clean);
    list.prepend(clean);
    if (list.size() > maximum_) list.resize(maximum_);
    store(list);
}

void RecentFiles::remove(const QString& path) {
    QStringList list = paths();
    if (list.removeAll(normalizedRecentPath(path)) > 0) store(list);
}

void RecentFiles::clear() {
    if (!paths().isEmpty()) store({});
}

}  // namespace capsule::ui
