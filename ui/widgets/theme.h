#pragma once
// Light or dark: the studio follows the system's colour scheme and keeps its own colours (chart
// series, warning/error text) readable on either.
//
// Where the scheme comes from: Qt 6.5+ reports it (QStyleHints::colorScheme); Qt 6.4, which Debian
// 12 ships, does not, so there the palette the platform theme hands the application is the
// system's choice, and a palette is dark when its window colour is darker than its window text.
// CAPSULE_COLOR_SCHEME=dark|light overrides both (screenshots, tests, a desktop that reports
// nothing); with a scheme forced or reported that the palette does not match, the studio installs
// its own light or dark palette (applySystemColorScheme).
#include <QColor>
#include <QPalette>
#include <QString>

class QApplication;

namespace capsule::ui::theme {

enum class ColorScheme { Light, Dark };

/// Dark when the window colour's lightness is below its text's (and below the middle grey when
/// both are alike); a palette with no contrast at all counts as light.
ColorScheme schemeOf(const QPalette& palette);
inline bool isDark(const QPalette& palette) { return schemeOf(palette) == ColorScheme::Dark; }

/// What the system asks for: CAPSULE_COLOR_SCHEME, else (Qt 6.5+) the style hints when they know,
/// else the application palette's scheme.
ColorScheme systemColorScheme();
/// The scheme forced or reported explicitly (CAPSULE_COLOR_SCHEME, Qt 6.5+ style hints); false
/// when only the palette can tell.
bool explicitColorScheme(ColorScheme* scheme);

/// A complete dark palette (Fusion-like greys, blue highlight), and the style's light one.
QPalette darkPalette();
QPalette lightPalette();
/// Installs the palette of the explicit scheme when the current palette does not match it, and on
/// Qt 6.5+ follows later system changes. Call once, after the QApplication is made.
void applySystemColorScheme(QApplication& application);

/// `color` as drawn on `palette`: unchanged on light palettes; on dark ones lifted to a lightness
/// that reads on a dark background (hue and saturation kept). For series colours and status text.
QColor readable(const QColor& color, const QPalette& palette);
QColor readable(const QColor& color, ColorScheme scheme);

/// Status text colours ("#rrggbb", for style sheets and rich text), readable on `palette`.
QString errorColorName(const QPalette& palette);
QString warningColorName(const QPalette& palette);
QString infoColorName(const QPalette& palette);

}  // namespace capsule::ui::theme
