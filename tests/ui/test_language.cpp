// Language choice: the setting is read at start-up and the zh_CN translation really loads.
#include "controller/engine_text.h"
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

    void engineMessagesStayEnglishWithoutATranslation() {
        // Runs before any translator is installed (slots run in declaration order).
        QCOMPARE(localizedEngineText(QStringLiteral("reached max steps 150")), QStringLiteral("reached max steps 150"));
        QCOMPARE(localizedEngineText(QStringLiteral("CPU (2 threads, bf16)")), QStringLiteral("CPU (2 threads, bf16)"));
    }

    void chineseTranslationTranslatesTheShell() {
        QVERIFY(installTranslators(*QCoreApplication::instance(), QStringLiteral("zh_CN")));
        const QString setup = QCoreApplication::translate("capsule::ui::MainWindow", "Setup");
        QCOMPARE(setup, QString::fromUtf8("设置"));
        const QString dashboard = QCoreApplication::translate("capsule::ui::MainWindow", "Dashboard");
        QCOMPARE(dashboard, QString::fromUtf8("仪表板"));
    }

    void engineMessagesFollowTheLanguage() {
        QVERIFY(installTranslators(*QCoreApplication::instance(), QStringLiteral("zh_CN")));
        const QString reason = localizedEngineText(QStringLiteral("reached max steps 150"));
        QVERIFY2(reason != QStringLiteral("reached max steps 150") && reason.contains(QStringLiteral("150")), qPrintable(reason));
        const QString early = localizedEngineText(QStringLiteral("early stopping: no improvement of accuracy in 2 evaluations"));
        QVERIFY2(early.contains(QStringLiteral("accuracy")) && early.contains(QLatin1Char('2')) && !early.startsWith(QStringLiteral("early")),
                 qPrintable(early));
        // Line by line: the summary's numbers survive, an unknown first line stays as it is.
        const QString summary = localizedEngineText(QStringLiteral(
            "data.jsonl: alpaca (fields instruction/output), template alpaca\n"
            "rows 10, valid 9, skipped 1, truncated 0; train 8 examples (8 rows), validation 1"));
        const QStringList lines = summary.split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0], QStringLiteral("data.jsonl: alpaca (fields instruction/output), template alpaca"));
        QVERIFY2(!lines[1].startsWith(QStringLiteral("rows")) && lines[1].contains(QStringLiteral("10")) &&
                     lines[1].contains(QStringLiteral("9")),
                 qPrintable(lines[1]));
        const QString device = localizedEngineText(QStringLiteral("CPU (2 threads, bf16)"));
        QVERIFY2(device != QStringLiteral("CPU (2 threads, bf16)") && device.contains(QLatin1Char('2')), qPrintable(device));
        const QString skipped = localizedEngineText(
            QStringLiteral("step 7: the gradients overflowed at loss scale 65536; step skipped, scale lowered to 32768"));
        QVERIFY2(!skipped.startsWith(QStringLiteral("step 7:")) && skipped.contains(QStringLiteral("65536")) &&
                     skipped.contains(QStringLiteral("32768")),
                 qPrintable(skipped));
        QCOMPARE(localizedEngineText(QStringLiteral("something new")), QStringLiteral("something new"));
    }
};

QTEST_MAIN(TestLanguage)
#include "test_language.moc"
