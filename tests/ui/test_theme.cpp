// Light and dark: the scheme read from a palette (Qt 6.4 has no QStyleHints::colorScheme), the
// system scheme following the application palette, CAPSULE_COLOR_SCHEME forcing one, colours lifted
// to stay readable on dark palettes, and charts (chart_style.h) recolouring themselves when their
// palette changes: background, axes, legend, series and hollow markers.
#include "widgets/chart_style.h"
#include "widgets/dashboard_page.h"
#include "widgets/theme.h"

#include "widgets/qcustomplot_include.h"

#include <QApplication>
#include <QStyle>
#include <QtTest>

using namespace capsule::ui;
using theme::ColorScheme;

Q_DECLARE_METATYPE(theme::ColorScheme)

namespace {

QPalette plainPalette(const QColor& window, const QColor& text) {
    QPalette palette = QApplication::style()->standardPalette();
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    return palette;
}

}  // namespace

class TestTheme : public QObject {
    Q_OBJECT

    QPalette original_;

private Q_SLOTS:
    void initTestCase() {
        qunsetenv("CAPSULE_COLOR_SCHEME");
        original_ = QApplication::palette();
    }

    void cleanup() {
        qunsetenv("CAPSULE_COLOR_SCHEME");
        QApplication::setPalette(original_);
    }

    void schemeComesFromThePalette_data() {
        QTest::addColumn<QPalette>("palette");
        QTest::addColumn<ColorScheme>("scheme");
        QTest::newRow("the style's standard palette") << QApplication::style()->standardPalette() << ColorScheme::Light;
        QTest::newRow("Capsule's dark palette") << theme::darkPalette() << ColorScheme::Dark;
        QTest::newRow("black window, white text") << plainPalette(Qt::black, Qt::white) << ColorScheme::Dark;
        QTest::newRow("grey window, darker text") << plainPalette(QColor(0x80, 0x80, 0x80), QColor(0x20, 0x20, 0x20))
                                                  << ColorScheme::Light;
        QTest::newRow("dark grey, no contrast") << plainPalette(QColor(0x30, 0x30, 0x30), QColor(0x30, 0x30, 0x30))
                                                << ColorScheme::Dark;
        QTest::newRow("white, no contrast") << plainPalette(Qt::white, Qt::white) << ColorScheme::Light;
    }

    void schemeComesFromThePalette() {
        QFETCH(QPalette, palette);
        QFETCH(ColorScheme, scheme);
        QCOMPARE(theme::schemeOf(palette), scheme);
        QCOMPARE(theme::isDark(palette), scheme == ColorScheme::Dark);
    }

    void systemSchemeFollowsTheApplicationPalette() {
        ColorScheme reported = ColorScheme::Light;
        if (theme::explicitColorScheme(&reported)) QSKIP("this platform reports a colour scheme of its own (Qt 6.5+)");
        QApplication::setPalette(theme::darkPalette());
        QCOMPARE(theme::systemColorScheme(), ColorScheme::Dark);
        QApplication::setPalette(theme::lightPalette());
        QCOMPARE(theme::systemColorScheme(), ColorScheme::Light);
        // Nothing explicit: applySystemColorScheme leaves the platform's palette alone.
        QApplication::setPalette(theme::darkPalette());
        theme::applySystemColorScheme(*qApp);
        QVERIFY(theme::isDark(QApplication::palette()));
    }

    void environmentForcesAScheme() {
        QApplication::setPalette(theme::lightPalette());
        qputenv("CAPSULE_COLOR_SCHEME", "dark");
        ColorScheme scheme = ColorScheme::Light;
        QVERIFY(theme::explicitColorScheme(&scheme));
        QCOMPARE(scheme, ColorScheme::Dark);
        QCOMPARE(theme::systemColorScheme(), ColorScheme::Dark);
        theme::applySystemColorScheme(*qApp);
        QVERIFY(theme::isDark(QApplication::palette()));
        qputenv("CAPSULE_COLOR_SCHEME", "light");
        theme::applySystemColorScheme(*qApp);
        QVERIFY(!theme::isDark(QApplication::palette()));
        qputenv("CAPSULE_COLOR_SCHEME", "sepia");  // unknown: not explicit
        QVERIFY(!theme::explicitColorScheme(&scheme));
    }

    void coloursStayReadableOnDark() {
        const QPalette light = theme::lightPalette();
        const QPalette dark = theme::darkPalette();
        for (const QColor& color : {charts::kBlue, charts::kOrange, charts::kGreen, charts::kRed, charts::kPurple}) {
            QCOMPARE(theme::readable(color, light), color);
            const QColor lifted = theme::readable(color, dark);
            QVERIFY(lifted.lightnessF() >= 0.6);
            QVERIFY(lifted.lightness() > color.lightness() || color.lightnessF() >= 0.6);
            QVERIFY(qAbs(lifted.hslHue() - color.hslHue()) <= 1);  // the same hue, lighter
            // Text of that colour on the dark base differs from it clearly (lightness distance).
            QVERIFY(lifted.lightness() - dark.color(QPalette::Base).lightness() > 100);
        }
        QVERIFY(theme::errorColorName(light) != theme::errorColorName(dark));
        QCOMPARE(theme::errorColorName(light), QStringLiteral("#c62828"));
    }

    void chartsFollowPaletteChanges() {
        QWidget parent;
        parent.setPalette(theme::lightPalette());
        QCustomPlot* plot = charts::createChart(&parent, QStringLiteral("loss"), QStringLiteral("loss"));
        QCPGraph* line = charts::addLine(plot, QStringLiteral("raw"), charts::kBlue);
        charts::addLine(plot, QStringLiteral("smoothed"), charts::kOrange);
        QCPGraph* markers = charts::addLine(plot, QStringLiteral("eval"), charts::kGreen);
        charts::setHollowScatter(markers, charts::kGreen, 5);
        QCOMPARE(line->pen().color(), charts::kBlue);
        QCOMPARE(charts::baseColor(line), charts::kBlue);
        const QPalette light = plot->palette();
        QCOMPARE(plot->axisRect()->backgroundBrush().color(), light.color(QPalette::Base));
        QCOMPARE(markers->scatterStyle().brush().color(), light.color(QPalette::Base));

        parent.setPalette(theme::darkPalette());  // a system switch reaches every widget like this
        const QPalette dark = theme::darkPalette();
        QCOMPARE(plot->palette().color(QPalette::Base), dark.color(QPalette::Base));
        QCOMPARE(plot->axisRect()->backgroundBrush().color(), dark.color(QPalette::Base));
        QCOMPARE(plot->xAxis->tickLabelColor(), dark.color(QPalette::WindowText));
        QCOMPARE(plot->yAxis->labelColor(), dark.color(QPalette::WindowText));
        QCOMPARE(plot->legend->brush().color().rgb(), dark.color(QPalette::Base).rgb());  // not the old white
        QCOMPARE(plot->legend->textColor(), dark.color(QPalette::Text));
        QCOMPARE(line->pen().color(), theme::readable(charts::kBlue, dark));
        QVERIFY(line->pen().color() != charts::kBlue);
        QCOMPARE(markers->scatterStyle().brush().color(), dark.color(QPalette::Base));
        QCOMPARE(markers->scatterStyle().pen().color(), theme::readable(charts::kGreen, dark));

        parent.setPalette(theme::lightPalette());
        QCOMPARE(line->pen().color(), charts::kBlue);
        QCOMPARE(plot->axisRect()->backgroundBrush().color(), light.color(QPalette::Base));
    }

    void dashboardOnADarkPalette() {
        QApplication::setPalette(theme::darkPalette());
        DashboardPage page;
        page.resize(1000, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const QColor base = theme::darkPalette().color(QPalette::Base);
        QCOMPARE(page.lossPlot()->axisRect()->backgroundBrush().color(), base);
        QCOMPARE(page.evalLossGraph()->scatterStyle().brush().color(), base);  // no white dots
        QVERIFY(page.smoothedLossGraph()->pen().color().lightnessF() >= 0.6);
        QVector<StepPoint> steps;
        for (int step = 1; step <= 20; ++step) {
            StepPoint point;
            point.step = step;
            point.maxSteps = 20;
            point.loss = 2.0 / step;
            steps << point;
        }
        page.appendSteps(steps);
        QTest::qWait(50);  // the queued replot
        QVERIFY(page.grab().save(QStringLiteral("/tmp/dashboard_dark.png")));
    }
};

QTEST_MAIN(TestTheme)
#include "test_theme.moc"
