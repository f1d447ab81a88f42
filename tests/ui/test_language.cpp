// Language choice: the setting is read at start-up and the zh_CN translation really loads.
#include "controller/language.h"

#include <QSettings>
#include <QtTest>

using namespace capsule::ui;

class TestLanguage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("CapsuleTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_language"));
        QSettings().clear();
    }

    void listsEnglishAndSimplifiedChinese() {
        const auto languages = availableLanguages();
        QCOMPARE(languages.size(), 2);
        QCOMPARE(languages[0].code, QStringLiteral("en"));
        QCOMPARE(languages[1].code, QStringLiteral("zh_CN"));
    }

    void settingIsReadBack() {
        setChosenLanguage(QStringLiteral("zh_CN"));
        QCOMPARE(chosenLanguage(), QStringLiteral("zh_CN"));
        setChosenLanguage(QStringLiteral("xx_YY"));  // unknown codes fall back
        QVERIFY(chosenLanguage() == QStringLiteral("en") || chosenLanguage() == QStringLiteral("zh_CN"));
        setChosenLanguage(QStringLiteral("en"));
        QCOMPARE(chosenLanguage(), QStringLiteral("en"));
    }

    void chineseTranslationTranslatesTheShell() {
        QVERIFY(installTranslators(*QCoreApplication::instance(), QStringLiteral("zh_CN")));
        const QString setup = QCoreApplication::translate("capsule::ui::MainWindow", "Setup");
        QCOMPARE(setup, QString::fromUtf8("设置"));
        const QString dashboard = QCoreApplication::translate("capsule::ui::MainWindow", "Dashboard");
        QCOMPARE(dashboard, QString::fromUtf8("仪表板"));
    }
};

QTEST_MAIN(TestLanguage)
#include "test_language.moc"
