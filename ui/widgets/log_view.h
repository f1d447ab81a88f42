#pragma once
// The log pane: timestamped, read-only, colour-coded lines; keeps the last `maximumLines`.
#include <QPlainTextEdit>

namespace capsule::ui {

class LogView : public QPlainTextEdit {
    Q_OBJECT
public:
    enum Level { Info, Warning, Error };

    explicit LogView(QWidget* parent = nullptr);

    void appendLine(const QString& text, Level level = Info);
    static constexpr int maximumLines = 20000;
};

}  // namespace capsule::ui
