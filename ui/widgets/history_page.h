#pragma once
// Run history: every run from the run store, kept across restarts. This page holds the table and
// its empty state; the run-store model plugs in with the training-engine issue.
#include <QWidget>

class QLabel;
class QStandardItemModel;
class QTableView;

namespace capsule::ui {

class HistoryPage : public QWidget {
    Q_OBJECT
public:
    explicit HistoryPage(QWidget* parent = nullptr);

    QTableView* table() const { return table_; }
    static QStringList columnTitles();

private:
    QTableView* table_ = nullptr;
    QStandardItemModel* model_ = nullptr;  // owned by this widget (QObject parent)
    QLabel* emptyLabel_ = nullptr;
};

}  // namespace capsule::ui
