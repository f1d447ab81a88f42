// capsule: the studio's composition root — application, translators, settings, runtime, window.
#include "controller/language.h"
#include "controller/runtime_controller.h"
#include "widgets/main_window.h"

#include "runtime/runtime.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

int main(int argc, char** argv) {
    QApplication application(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Capsule"));
    QApplication::setApplicationName(QStringLiteral("Capsule"));
    QApplication::setApplicationDisplayName(QStringLiteral("Capsule"));
    QApplication::setApplicationVersion(QStringLiteral(CAPSULE_APP_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/capsule.svg")));
    QApplication::setDesktopFileName(QStringLiteral("capsule"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Capsule — parameter-efficient fine-tuning studio"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption languageOption(QStringLiteral("language"),
                                      QStringLiteral("Interface language for this session (en, zh_CN)."),
                                      QStringLiteral("code"));
    QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                        QStringLiteral("Render the main window to FILE (PNG) and quit."),
                                        QStringLiteral("file"));
    parser.addOption(languageOption);
    parser.addOption(screenshotOption);
    parser.process(application);

    const QString language = parser.isSet(languageOption) ? parser.value(languageOption)
                                                          : capsule::ui::chosenLanguage();
    capsule::ui::installTranslators(application, language);

    capsule::initializeRuntime();
    capsule::ui::RuntimeController runtime;
    capsule::ui::MainWindow window(&runtime);
    window.show();
    if (parser.isSet(screenshotOption)) {
        const QString file = parser.value(screenshotOption);
        QApplication::processEvents();
        const bool saved = window.grab().save(file, "PNG");
        return saved ? 0 : 1;
    }
    return application.exec();
}
