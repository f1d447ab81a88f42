#include "widgets/theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleHints>

#include <algorithm>

namespace capsule::ui::theme {
namespace {

/// The lightness (HSL, 0..1) below which a colour is lifted on a dark background.
constexpr double kDarkMinimumLightness = 0.62;

const QColor kError{0xc6, 0x28, 0x28};
const QColor kWarning{0xb2, 0x6a, 0x00};
const QColor kInfo{0x1f, 0x77, 0xb4};

bool schemeFromEnvironment(ColorScheme* scheme) {
    const QString value = qEnvironmentVariable("CAPSULE_COLOR_SCHEME").trimmed().toLower();
    if (value == QLatin1String("dark")) *scheme = ColorScheme::Dark;
    else if (value == QLatin1String("light")) *scheme = ColorScheme::Light;
    else return false;
    return true;
}

QColor lifted(const QColor& color) {
    float hue = 0, saturation = 0, lightness = 0, alpha = 1;
    color.toHsl().getHslF(&hue, &saturation, &lightness, &alpha);
    if (lightness >= kDarkMinimumLightness) return color;
    return QColor::fromHslF(hue, saturation, static_cast<float>(kDarkMinimumLightness), alpha).toRgb();
}

}  // namespace

ColorScheme schemeOf(const QPalette& palette) {
    const int window = palette.color(QPalette::Window).lightness();  // 0..255
    const int text = palette.color(QPalette::WindowText).lightness();
    if (window != text) return window < text ? ColorScheme::Dark : ColorScheme::Light;
    return window < 128 ? ColorScheme::Dark : ColorScheme::Light;
}

bool explicitColorScheme(ColorScheme* scheme) {
    if (schemeFromEnvironment(scheme)) return true;
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    switch (QGuiApplication::styleHints()->colorScheme()) {
    case Qt::ColorScheme::Dark: *scheme = ColorScheme::Dark; return true;
    case Qt::ColorScheme::Light: *scheme = ColorScheme::Light; return true;
    case Qt::ColorScheme::Unknown: break;
    }
#endif
    return false;
}

ColorScheme systemColorScheme() {
    ColorScheme scheme = ColorScheme::Light;
    if (explicitColorScheme(&scheme)) return scheme;
    return schemeOf(QGuiApplication::palette());
}

QPalette darkPalette() {
    const QColor window(0x35, 0x35, 0x35), base(0x2a, 0x2a, 0x2a), text(0xe8, 0xe8, 0xe8), disabled(0x80, 0x80, 0x80);
    const QColor highlight(0x2a, 0x82, 0xda);
    QPalette palette;
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, window);
    palette.setColor(QPalette::ToolTipBase, window);
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, window);
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    palette.setColor(QPalette::Light, window.lighter(150));
    palette.setColor(QPalette::Midlight, window.lighter(125));
    palette.setColor(QPalette::Mid, window.lighter(110));
    palette.setColor(QPalette::Dark, window.darker(150));
    palette.setColor(QPalette::Shadow, Qt::black);
    palette.setColor(QPalette::Link, highlight.lighter(130));
    palette.setColor(QPalette::LinkVisited, highlight.lighter(110));
    palette.setColor(QPalette::Highlight, highlight);
    palette.setColor(QPalette::HighlightedText, Qt::white);
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, disabled);
    palette.setColor(QPalette::Disabled, QPalette::Highlight, window.lighter(130));
    return palette;
}

QPalette lightPalette() {
    return QApplication::style() ? QApplication::style()->standardPalette() : QPalette(QColor(0xef, 0xef, 0xef));
}

void applySystemColorScheme(QApplication& application) {
    const auto apply = [] {
        ColorScheme wanted = ColorScheme::Light;
        if (!explicitColorScheme(&wanted) || schemeOf(QGuiApplication::palette()) == wanted) return;
        QApplication::setPalette(wanted == ColorScheme::Dark ? darkPalette() : lightPalette());
    };
    apply();
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    QObject::connect(QGuiApplication::styleHints(), &QStyleHints::colorSchemeChanged, &application, apply);
#else
    (void)application;  // Qt 6.4 says nothing when the system scheme changes; the palette does
#endif
}

QColor readable(const QColor& color, const QPalette& palette) {
    return readable(color, schemeOf(palette));
}

QColor readable(const QColor& color, ColorScheme scheme) {
    return scheme == ColorScheme::Dark ? lifted(color) : color;
}

QString errorColorName(const QPalette& palette) { return readable(kError, palette).name(); }
QString warningColorName(const QPalette& palette) { return readable(kWarning, palette).name(); }
QString infoColorName(const QPalette& palette) { return readable(kInfo, palette).name(); }

}  // namespace capsule::ui::theme
