// capsule: the studio's composition root — application, translators, settings, runtime, window.
#include "controller/language.h"
#include "controller/runtime_controller.h"
#include "controller/training_controller.h"
#include "widgets/compare_page.h"
#include "widgets/main_window.h"
#include "widgets/setup_page.h"
#include "widgets/theme.h"

#include "runtime/runtime.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QIcon>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>

namespace {

/// --demo-run-screenshot: trains the demo with `method` and saves the window once half of the steps
/// are done (the README screenshot). Returns the exit code.
int demoRunScreenshot(QApplication& application, capsule::ui::MainWindow& window, const QString& file,
                      const QString& method, int steps) {
    using capsule::ui::TrainingController;
    window.resize(1280, 800);
    window.setupPage()->selectDemo();
    window.setupPage()->setMethod(method);
    window.setupPage()->setMaxSteps(steps);
    if (!window.startTraining()) return 1;
    bool grabbed = false;
    auto grab = [&] {
        if (grabbed) return;
        grabbed = true;
        // Let the queued replots of the last batch run, then render the window.
        QTimer::singleShot(250, &window, [&] { application.exit(window.grab().save(file, "PNG") ? 0 : 1); });
    };
    TrainingController* training = window.trainingController();
    QObject::connect(training, &TrainingController::stepsArrived, &window,
                     [&](const QVector<capsule::ui::StepPoint>& points) {
                         if (!points.isEmpty() && points.last().step >= steps / 2) grab();
                     });
    QObject::connect(training, &TrainingController::finished, &window, grab);
    QTimer::singleShot(300'000, &window, [&] { if (!grabbed) application.exit(2); });
    return application.exec();
}

/// Before QApplication: where no display can be reached, Qt aborts (SIGABRT, a core file) with a
/// message about its xcb plugin. Options that need no window (--help, --version and the screenshot
/// modes) then use the offscreen platform; any other start explains itself and fails cleanly.
/// An explicit QT_QPA_PLATFORM or -platform is left to Qt.
bool prepareDisplay(int argc, char** argv) {
    const auto set = [](const char* name) { return !qEnvironmentVariableIsEmpty(name); };
    if (set("QT_QPA_PLATFORM") || set("DISPLAY") || set("WAYLAND_DISPLAY")) return true;
    bool windowless = false;
    for (int i = 1; i < argc; ++i) {
        const QByteArray argument(argv[i]);
        if (argument == "-platform" || argument == "--platform") return true;
        for (const char* option : {"-h", "--help", "--help-all", "-v", "--version", "--screenshot", "--demo-run-screenshot"})
            windowless = windowless || argument == option || argument.startsWith(QByteArray(option) + '=');
    }
    if (windowless) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        return true;
    }
    std::fprintf(stderr,
                 "capsule: no display to open the studio on (DISPLAY and WAYLAND_DISPLAY are not set).\n"
                 "Start it in a desktop session, over `ssh -X`, or under `xvfb-run -a capsule`; for headless\n"
                 "training use capsule-cli (capsule-cli train --help, capsule-cli demo).\n");
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    if (!prepareDisplay(argc, argv)) return 1;
    QApplication application(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Capsule"));
    QApplication::setApplicationName(QStringLiteral("Capsule"));
    QApplication::setApplicationDisplayName(QStringLiteral("Capsule"));
    QApplication::setApplicationVersion(QStringLiteral(CAPSULE_APP_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/capsule.svg")));
    QApplication::setDesktopFileName(QStringLiteral("capsule"));
    // Light or dark as the system says (Qt 6.4: the platform palette; CAPSULE_COLOR_SCHEME forces one).
    capsule::ui::theme::applySystemColorScheme(application);

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
    QCommandLineOption demoScreenshotOption(
        QStringLiteral("demo-run-screenshot"),
        QStringLiteral("Train the built-in demo, render the window to FILE (PNG) half-way through and quit."),
        QStringLiteral("file"));
    QCommandLineOption demoMethodOption(QStringLiteral("demo-method"),
                                        QStringLiteral("Method for --demo-run-screenshot (default adalora)."),
                                        QStringLiteral("method"), QStringLiteral("adalora"));
    QCommandLineOption demoStepsOption(QStringLiteral("demo-steps"),
                                       QStringLiteral("Steps for --demo-run-screenshot (default 300)."),
                                       QStringLiteral("n"), QStringLiteral("300"));
    QCommandLineOption compareOption(QStringLiteral("compare"),
                                     QStringLiteral("Open the Compare page with these runs of the run store ticked "
                                                    "(comma-separated ids, as `capsule-cli runs` lists them)."),
                                     QStringLiteral("ids"));
    QCommandLineOption compareMetricOption(QStringLiteral("compare-metric"),
                                           QStringLiteral("The curve --compare overlays: loss, eval_loss, accuracy or lr."),
                                           QStringLiteral("metric"), QStringLiteral("loss"));
    parser.addOption(compareOption);
    parser.addOption(compareMetricOption);
    parser.addOption(languageOption);
    parser.addOption(screenshotOption);
    parser.addOption(demoScreenshotOption);
    parser.addOption(demoMethodOption);
    parser.addOption(demoStepsOption);
    parser.process(application);

    const QString language = parser.isSet(languageOption) ? parser.value(languageOption)
                                                          : capsule::ui::chosenLanguage();
    capsule::ui::installTranslators(application, language);

    capsule::initializeRuntime();
    capsule::ui::RuntimeController runtime;
    capsule::ui::MainWindow window(&runtime);
    window.show();
    if (parser.isSet(compareOption)) {
        QVector<qint64> ids;
        for (const QString& id : parser.value(compareOption).split(QLatin1Char(','), Qt::SkipEmptyParts)) ids << id.trimmed().toLongLong();
        window.comparePage()->refreshRuns();
        window.comparePage()->setComparedRuns(ids);
        for (const capsule::ui::ComparedMetric metric : capsule::ui::comparedMetrics())
            if (capsule::ui::metricStoreName(metric) == parser.value(compareMetricOption)) window.comparePage()->setMetric(metric);
        window.showPage(capsule::ui::MainWindow::ComparePageIndex);
    }
    if (parser.isSet(screenshotOption)) {
        const QString file = parser.value(screenshotOption);
        // What a user sees a moment after launch: the parameter count and model list filled in.
        QElapsedTimer waited;
        waited.start();
        do {
            QApplication::processEvents(QEventLoop::AllEvents, 50);
            QThread::msleep(10);
        } while ((window.setupPage()->estimatePending() || window.setupPage()->modelCatalog()->isRunning()) &&
                 waited.elapsed() < 10'000);
        QApplication::processEvents();
        const bool saved = window.grab().save(file, "PNG");
        return saved ? 0 : 1;
    }
    if (parser.isSet(demoScreenshotOption))
        return demoRunScreenshot(application, window, parser.value(demoScreenshotOption), parser.value(demoMethodOption),
                                 std::max(2, parser.value(demoStepsOption).toInt()));
    return application.exec();
}
