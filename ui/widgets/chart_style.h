#pragma once
// One look for every chart in the studio: a QCustomPlot with a title row, axes and grid in the
// widget palette's colours, drag/zoom interactions and the series colours used across pages.
// Charts follow palette changes (light <-> dark, theme.h): background, text, grid, legend and the
// series made by addLine are recoloured when the chart's palette changes.
#include <QColor>
#include <QString>

class QCPAxis;
class QCPGraph;
class QCustomPlot;
class QWidget;

namespace capsule::ui::charts {

/// Series colours (Tableau 10: distinguishable, colour-blind friendly enough for 2-3 series).
inline const QColor kBlue{0x1f, 0x77, 0xb4};
inline const QColor kOrange{0xff, 0x7f, 0x0e};
inline const QColor kGreen{0x2c, 0xa0, 0x2c};
inline const QColor kRed{0xd6, 0x27, 0x28};
inline const QColor kPurple{0x94, 0x67, 0xbd};
inline const QColor kGrey{0x7f, 0x7f, 0x7f};

/// A chart with a bold `title` above the axis rect, x labelled "step", y labelled `yLabel`,
/// QCP::iRangeDrag | iRangeZoom, antialiased lines and a compact top-left legend (hidden until
/// a second series is added with a name). Owned by `parent`.
QCustomPlot* createChart(QWidget* parent, const QString& title, const QString& yLabel);
/// Colours an axis (base, ticks, labels, grid) from the chart's palette.
void styleAxis(QCPAxis* axis, const QWidget* paletteSource);
/// A line series in `color`; `name` empty keeps it out of the legend.
QCPGraph* addLine(QCustomPlot* plot, const QString& name, const QColor& color, double width = 1.6,
                  QCPAxis* valueAxis = nullptr);
/// Recolours `plot` from its palette: background, title, axes, legend, addLine series (lifted on
/// dark palettes, theme::readable) and hollow scatter markers. createChart's charts call this on
/// every palette change by themselves.
void applyChartPalette(QCustomPlot* plot);
/// Marks `graph`'s scatter markers as hollow: filled with the chart's background, now and after
/// palette changes.
void setHollowScatter(QCPGraph* graph, const QColor& color, double size);
/// The colour addLine was given for `graph` (invalid for other graphs).
QColor baseColor(const QCPGraph* graph);
/// The title text of a chart made by createChart (for tests and screenshots).
QString chartTitle(const QCustomPlot* plot);
/// Human-readable durations: "0:42", "12:05", "1:02:33".
QString formatDuration(double seconds);

}  // namespace capsule::ui::charts
