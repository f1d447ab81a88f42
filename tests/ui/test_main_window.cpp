// The main window shell: pages, navigation, device in the status bar, batched chart updates,
// layout persistence.
#include "controller/runtime_controller.h"
#include "widgets/compare_page.h"
#include "widgets/dashboard_page.h"
#include "widgets/history_page.h"
#include "widgets/log_view.h"
#include "widgets/playground_page.h"
#include "widgets/main_window.h"
#include "widgets/setup_page.h"

#include "widgets/qcustomplot_include.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QStackedWidget>
#include <QTableView>
#include <QAbstractButton>
#include <QAction>
#include <QtTest>

using namespace capsule::ui;

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("CapsuleTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_main_window"));
        QSettings().clear();
    }

    void hasThePagesAndNavigation() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* navigation = window.findChild<QListWidget*>(QStringLiteral("navigation"));
        QVERIFY(navigation);
        // One entry per page; pages after Compare (added by other work) may follow.
        QVERIFY(navigation->count() > int(MainWindow::ComparePageIndex));
        QCOMPARE(navigation->item(MainWindow::ComparePageIndex)->text(), QStringLiteral("Compare"));
        QCOMPARE(window.currentPage(), MainWindow::SetupPageIndex);
        navigation->setCurrentRow(MainWindow::DashboardPageIndex);
        QCOMPARE(window.currentPage(), MainWindow::DashboardPageIndex);
        QVERIFY(window.dashboardPage()->isVisible());
        window.showPage(MainWindow::HistoryPageIndex);
        QCOMPARE(navigation->currentRow(), int(MainWindow::HistoryPageIndex));
        QVERIFY(window.historyPage()->isVisible());
        window.showPage(MainWindow::ComparePageIndex);
        QCOMPARE(navigation->currentRow(), int(MainWindow::ComparePageIndex));
        QVERIFY(window.comparePage()->isVisible());
    }

    void keyboardShortcutsSwitchPages() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window) || QTest::qWaitForWindowExposed(&window));
        QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(window.currentPage(), MainWindow::DashboardPageIndex);
        QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier);
        QCOMPARE(window.currentPage(), MainWindow::HistoryPageIndex);
        QTest::keyClick(&window, Qt::Key_4, Qt::ControlModifier);
        QCOMPARE(window.currentPage(), MainWindow::ComparePageIndex);
        // Ctrl+Return: Start Training, except on the Playground where it is Generate (one owner).
        const QKeySequence ctrlReturn(Qt::CTRL | Qt::Key_Return);
        QCOMPARE(window.startAction()->shortcut(), ctrlReturn);
        QTest::keyClick(&window, Qt::Key_5, Qt::ControlModifier);
        QCOMPARE(window.currentPage(), MainWindow::PlaygroundPageIndex);
        QVERIFY(window.startAction()->shortcut().isEmpty());
        int owners = 0;
        for (const QAbstractButton* button : window.playgroundPage()->findChildren<QAbstractButton*>())
            owners += button->shortcut() == ctrlReturn;
        QCOMPARE(owners, 1);
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(window.startAction()->shortcut(), ctrlReturn);
    }

    void statusBarNamesTheDevice() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        auto* device = window.findChild<QLabel*>(QStringLiteral("deviceLabel"));
        QVERIFY(device);
        QVERIFY(device->text().contains(runtime.deviceName()));
        QVERIFY(!runtime.deviceName().isEmpty());
        QVERIFY(runtime.deviceName().startsWith(QLatin1String("CPU")) ||
                runtime.deviceName().startsWith(QLatin1String("CUDA")));
        // The log greets with the versions in use.
        QVERIFY(window.logView()->toPlainText().contains(runtime.torchVersion()));
    }

    void setupListsEveryMethod() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        QComboBox* methods = window.setupPage()->methodCombo();
        QStringList ids;
        for (int i = 0; i < methods->count(); ++i) ids << methods->itemData(i).toString();
        QCOMPARE(ids, (QStringList{"lora", "adalora", "ia3", "prompt-tuning", "prefix-tuning", "p-tuning", "t-few"}));
        for (int i = 0; i < methods->count(); ++i) QVERIFY(!methods->itemData(i, Qt::ToolTipRole).toString().isEmpty());
    }

    void dashboardTakesBatches() {
        DashboardPage page;
        page.show();
        QCOMPARE(page.lossPointCount(), 0);
        auto batch = [](std::initializer_list<std::pair<int, double>> points) {
            QVector<StepPoint> steps;
            for (const auto& [step, loss] : points) {
                StepPoint point;
                point.step = step;
                point.loss = loss;
                point.maxSteps = 10;
                steps << point;
            }
            return steps;
        };
        page.appendSteps(batch({{1, 2.5}, {2, 2.0}, {3, 1.5}}));
        page.appendSteps(batch({{4, 1.2}, {5, 1.1}}));
        QCOMPARE(page.lossPointCount(), 5);
        QCOMPARE(page.rawLossGraph()->data()->at(4)->value, 1.1);
        // Axes follow the data after a batch.
        QVERIFY(page.lossPlot()->xAxis->range().upper >= 5.0);
        page.clear();
        QCOMPARE(page.lossPointCount(), 0);
    }

    void historyModelIsWellBehaved() {
        HistoryPage page;
        QAbstractItemModelTester tester(page.table()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(page.table()->model()->columnCount(), HistoryPage::columnTitles().size());
    }

    void layoutPersistsAcrossRestarts() {
        RuntimeController runtime;
        {
            MainWindow window(&runtime);
            window.show();
            window.resize(1111, 777);
            window.showPage(MainWindow::HistoryPageIndex);
            window.close();
        }
        MainWindow reopened(&runtime);
        QCOMPARE(reopened.currentPage(), MainWindow::HistoryPageIndex);
        QCOMPARE(reopened.size(), QSize(1111, 777));
    }

    void addedModelFoldersPersist() {
        RuntimeController runtime;
        SetupPage page;
        page.addModelFolderPath(QStringLiteral("/models/demo"));
        page.addModelFolderPath(QStringLiteral("/models/demo"));  // no duplicates
        // The built-in demo is always listed first (and preselected), then the added folder.
        QCOMPARE(page.modelTable()->rowCount(), 2);
        QVERIFY(page.demoSelected());
        QCOMPARE(page.modelTable()->item(1, 0)->text(), QStringLiteral("demo"));
    }

    void screenshotLooksLikeAnApplication() {
        RuntimeController runtime;
        MainWindow window(&runtime);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QImage image = window.grab().toImage();
        QCOMPARE(image.size(), QSize(1280, 800) * window.devicePixelRatio());
        // Not a blank surface: the rendered window uses many distinct colours.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7) colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
        const QString out = qEnvironmentVariable("CAPSULE_SCREENSHOT_DIR");
        if (!out.isEmpty()) image.save(out + QStringLiteral("/main_window.png"));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
