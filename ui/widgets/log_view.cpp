#include "widgets/log_view.h"

#include "widgets/theme.h"

#include <QDateTime>
#include <QFontDatabase>

namespace capsule::ui {

LogView::LogView(QWidget* parent) : QPlainTextEdit(parent) {
    setObjectName(QStringLiteral("logView"));
    setReadOnly(true);
    setMaximumBlockCount(maximumLines);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setPlaceholderText(tr("Messages from the training engine appear here."));
}

void LogView::appendLine(const QString& text, Level level) {
    const QString time = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    QString color;
    switch (level) {
    case Info: color = QStringLiteral("palette(text)"); break;
    case Warning: color = theme::warningColorName(palette()); break;
    case Error: color = theme::errorColorName(palette()); break;
    }
    const QString prefix = level == Warning ? tr("warning: ") : level == Error ? tr("error: ") : QString();
    appendHtml(QStringLiteral("<span style=\"color:gray\">%1</span>&nbsp;&nbsp;<span style=\"color:%2\">%3%4</span>")
                   .arg(time, level == Info ? QStringLiteral("inherit") : color, prefix.toHtmlEscaped(),
                        text.toHtmlEscaped()));
}

}  // namespace capsule::ui
