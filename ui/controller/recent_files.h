#pragma once
// A short most-recent-first list of paths kept in QSettings: the models and datasets the studio
// used last (Setup's Recent buttons, File › Recent Models / Recent Datasets).
//
// Every call reads or writes QSettings, so two RecentFiles on the same key (the Setup page and the
// File menu, or a second window) always agree, and the list survives a restart. Paths are stored
// cleaned and absolute; adding one that is listed moves it to the front; the list keeps at most
// `maximum` entries (the oldest go).
//
// Threads: GUI thread (QSettings is reentrant, but the signal belongs to the creating thread).
#include <QObject>
#include <QString>
#include <QStringList>

namespace capsule::ui {

class RecentFiles : public QObject {
    Q_OBJECT
public:
    static constexpr int defaultMaximum = 8;
    /// The QSettings keys of the studio's two lists.
    static QString modelsKey();    // "recent/models": model folders
    static QString datasetsKey();  // "recent/datasets": dataset files

    explicit RecentFiles(const QString& settingsKey, int maximum = defaultMaximum, QObject* parent = nullptr);

    QString settingsKey() const { return key_; }
    int maximum() const { return maximum_; }
    /// Most recent first, at most maximum() entries.
    QStringList paths() const;
    bool isEmpty() const { return paths().isEmpty(); }
    /// Puts `path` first (moving it when listed). Empty paths are ignored.
    void add(const QString& path);
    void remove(const QString& path);
    void clear();

Q_SIGNALS:
    /// This object changed the list (another RecentFiles on the same key does not signal here).
    void changed();

private:
    void store(const QStringList& paths);
    QString key_;
    int maximum_;
};

/// `path` cleaned and absolute, as RecentFiles stores it.
QString normalizedRecentPath(const QString& path);

}  // namespace capsule::ui
