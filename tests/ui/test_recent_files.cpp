// Recent models and datasets: the QSettings list (most recent first, no duplicates, at most
// eight, cleaned paths), the menus that show it (missing entries greyed, Clear List), and the
// studio remembering what was used across a new window: Setup's Recent buttons and File › Recent
// Models / Recent Datasets list it, and picking an entry selects the model or sets the dataset.
#include "controller/recent_files.h"
#include "controller/runtime_controller.h"
#include "widgets/dataset_panel.h"
#include "widgets/main_window.h"
#include "widgets/model_list.h"
#include "widgets/recent_menu.h"
#include "widgets/setup_page.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

using namespace capsule::ui;

namespace {

QString makeFile(const QString& path, const QByteArray& content = "{}\n") {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return {};
    file.write(content);
    return path;
}

/// The File menu's submenu whose title is `title` (mnemonic included).
QMenu* fileSubmenu(MainWindow& window, const QString& title) {
    for (QAction* top : window.menuBar()->actions()) {
        if (!top->menu() || top->text() != QStringLiteral("&File")) continue;
        for (QAction* action : top->menu()->actions())
            if (action->menu() && action->text() == title) return action->menu();
    }
    return nullptr;
}

QStringList entryPaths(RecentMenu* menu) {
    menu->rebuild();
    QStringList paths;
    for (QAction* action : menu->entryActions()) paths << action->data().toString();
    return paths;
}

}  // namespace

class TestRecentFiles : public QObject {
    Q_OBJECT

    QTemporaryDir scratch_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("CapsuleTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_recent_files"));
        QSettings().clear();
        qputenv("CAPSULE_STORE", scratch_.filePath(QStringLiteral("store/runs.sqlite")).toUtf8());
    }

    void init() { QSettings().clear(); }

    void listIsMostRecentFirstWithoutDuplicates() {
        RecentFiles recent(QStringLiteral("recent/test"), 3);
        QSignalSpy changed(&recent, &RecentFiles::changed);
        QVERIFY(recent.isEmpty());
        recent.add(QStringLiteral("/data/a.jsonl"));
        recent.add(QStringLiteral("/data/b.jsonl"));
        recent.add(QStringLiteral("/data/x/../a.jsonl"));  // the same file: moves to the front
        QCOMPARE(recent.paths(), (QStringList{"/data/a.jsonl", "/data/b.jsonl"}));
        recent.add(QStringLiteral("/data/a.jsonl"));  // already first: no change
        recent.add(QString());                         // ignored
        QCOMPARE(changed.count(), 3);
        recent.add(QStringLiteral("/data/c.jsonl"));
        recent.add(QStringLiteral("/data/d.jsonl"));  // over the maximum: the oldest goes
        QCOMPARE(recent.paths(), (QStringList{"/data/d.jsonl", "/data/c.jsonl", "/data/a.jsonl"}));
        // Another object on the same key, and the settings file itself, agree.
        RecentFiles other(QStringLiteral("recent/test"), 3);
        QCOMPARE(other.paths(), recent.paths());
        QSettings().sync();
        QCOMPARE(QSettings().value(QStringLiteral("recent/test")).toStringList(), recent.paths());
        other.remove(QStringLiteral("/data/c.jsonl"));
        QCOMPARE(recent.paths(), (QStringList{"/data/d.jsonl", "/data/a.jsonl"}));
        recent.clear();
        QVERIFY(recent.isEmpty());
        QVERIFY(!QSettings().contains(QStringLiteral("recent/test")));
        QCOMPARE(RecentFiles::defaultMaximum, 8);
        QCOMPARE(normalizedRecentPath(QStringLiteral("relative.txt")), QDir::current().filePath(QStringLiteral("relative.txt")));
    }

    void menuShowsEntriesMissingOnesGreyed() {
        RecentFiles recent(RecentFiles::datasetsKey());
        const QString present = makeFile(scratch_.filePath(QStringLiteral("menu/present.jsonl")));
        recent.add(scratch_.filePath(QStringLiteral("menu/gone.jsonl")));
        recent.add(present);
        RecentMenu menu(QStringLiteral("Recent"), &recent);
        QCOMPARE(entryPaths(&menu), (QStringList{present, scratch_.filePath(QStringLiteral("menu/gone.jsonl"))}));
        const QList<QAction*> entries = menu.entryActions();
        QVERIFY(entries[0]->text().startsWith(QStringLiteral("&1 present.jsonl")));
        QVERIFY(entries[0]->isEnabled());
        QVERIFY(!entries[1]->isEnabled());
        QVERIFY(entries[1]->text().contains(QStringLiteral("(missing)")));
        QSignalSpy chosen(&menu, &RecentMenu::pathChosen);
        entries[0]->trigger();
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.first().at(0).toString(), present);
        menu.clearAction()->trigger();
        QVERIFY(recent.isEmpty());
        QTRY_VERIFY(menu.entryActions().isEmpty());  // rebuilt after the triggered action returned
        QVERIFY(!menu.clearAction()->isEnabled());
    }

    void recentsSurviveANewWindow() {
        const QString first = makeFile(scratch_.filePath(QStringLiteral("data/first.jsonl")));
        const QString second = makeFile(scratch_.filePath(QStringLiteral("data/second.csv")), "text,label\n");
        const QString model = makeFile(scratch_.filePath(QStringLiteral("models/tiny/config.json"))).section(QLatin1Char('/'), 0, -2);
        RuntimeController runtime;
        {
            MainWindow window(&runtime);
            SetupPage* setup = window.setupPage();
            QVERIFY(setup->recentDatasets()->isEmpty());
            // The user picks a dataset from a recent entry, then types another path.
            QVERIFY(setup->openRecentDataset(first, nullptr));
            setup->datasetPanel()->pathEdit()->setText(second);
            Q_EMIT setup->datasetPanel()->pathEdit()->editingFinished();
            // ... and selects a model from the list.
            setup->addModelFolderPath(model);
            setup->modelTable()->selectRow(setup->modelTable()->rowCount() - 1);
            QCOMPARE(setup->recentModels()->paths(), QStringList{model});
            QCOMPARE(setup->recentDatasets()->paths(), (QStringList{second, first}));
            setup->selectDemo();  // the demo is never a recent model
            QCOMPARE(setup->recentModels()->paths(), QStringList{model});
        }
        {
            // A most recent dataset deleted since is skipped at start: the next one is used.
            RecentFiles(RecentFiles::datasetsKey()).add(scratch_.filePath(QStringLiteral("data/deleted.jsonl")));
            SetupPage page;
            QCOMPARE(page.datasetPath(), second);
            RecentFiles(RecentFiles::datasetsKey()).remove(scratch_.filePath(QStringLiteral("data/deleted.jsonl")));
        }
        MainWindow window(&runtime);
        SetupPage* setup = window.setupPage();
        QCOMPARE(setup->datasetPath(), second);  // where the user left off
        QCOMPARE(entryPaths(setup->recentDatasetsMenu()), (QStringList{second, first}));
        QCOMPARE(entryPaths(setup->modelList()->recentMenu()), QStringList{model});
        auto* recentButton = setup->findChild<QToolButton*>(QStringLiteral("recentDatasets"));
        QVERIFY(recentButton && recentButton->menu() == setup->recentDatasetsMenu());
        QVERIFY(setup->modelList()->recentButton()->menu());

        // File › Recent Models / Recent Datasets: the same lists; an entry opens in Setup.
        auto* models = qobject_cast<RecentMenu*>(fileSubmenu(window, QStringLiteral("&Recent Models")));
        auto* datasets = qobject_cast<RecentMenu*>(fileSubmenu(window, QStringLiteral("Recent Da&tasets")));
        QVERIFY(models && datasets);
        QCOMPARE(entryPaths(models), QStringList{model});
        QCOMPARE(entryPaths(datasets), (QStringList{second, first}));
        window.showPage(MainWindow::HistoryPageIndex);
        datasets->entryActions().at(1)->trigger();
        QCOMPARE(setup->datasetPath(), first);
        QCOMPARE(window.currentPage(), MainWindow::SetupPageIndex);
        QCOMPARE(setup->recentDatasets()->paths().first(), first);
        QVERIFY(setup->demoSelected());
        models->entryActions().at(0)->trigger();
        QVERIFY(!setup->demoSelected());
        QCOMPARE(setup->modelList()->selectedFolder(), model);
        QCOMPARE(QString::fromStdString(setup->setupConfig().model), model);

        // A dataset deleted since is greyed out, and leaves the list when opened anyway.
        QVERIFY(QFile::remove(second));
        QVERIFY(!datasets->entryActions().isEmpty());
        entryPaths(datasets);
        QVERIFY(!datasets->entryActions().at(1)->isEnabled());
        QString problem;
        QVERIFY(!setup->openRecentDataset(second, &problem));
        QVERIFY(problem.contains(QStringLiteral("second.csv")));
        QCOMPARE(setup->recentDatasets()->paths(), QStringList{first});
        // A model folder without config.json likewise.
        QVERIFY(QFile::remove(model + QStringLiteral("/config.json")));
        QVERIFY(!setup->openRecentModel(model, &problem));
        QVERIFY(setup->recentModels()->isEmpty());
    }

    void theOneRememberedDatasetOfEarlierVersionsIsKept() {
        const QString earlier = makeFile(scratch_.filePath(QStringLiteral("data/earlier.jsonl")));
        QSettings().setValue(QStringLiteral("setup/recentDataset"), earlier);
        SetupPage page;
        QCOMPARE(page.recentDatasets()->paths(), QStringList{earlier});
        QCOMPARE(page.datasetPath(), earlier);
        QVERIFY(!QSettings().contains(QStringLiteral("setup/recentDataset")));
    }
};

QTEST_MAIN(TestRecentFiles)
#include "test_recent_files.moc"
