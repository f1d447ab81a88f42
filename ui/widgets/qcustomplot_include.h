#pragma once
// Includes QCustomPlot. The project builds with QT_NO_KEYWORDS (LibTorch clashes with Qt's
// `slots`), but qcustomplot.h itself uses `signals`, `slots`, `emit` and `foreach`; map them to the
// Q_ forms for the duration of the include only.
#if defined(signals) || defined(slots) || defined(emit) || defined(foreach)
#include <qcustomplot.h>
#else
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
#endif
