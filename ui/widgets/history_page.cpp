#include "widgets/history_page.h"

#include <QHeaderView>
#include <QLabel>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

namespace capsule::ui {

QStringList HistoryPage::columnTitles() {
    return {tr("Name"), tr("Method"), tr("Model"), tr("Dataset"), tr("Status"),
            tr("Best eval"), tr("Trainable params"), tr("Duration")};
}

HistoryPage::HistoryPage(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("historyPage"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->addWidget(new QLabel(tr("<h2>Run history</h2>"), this));
    model_ = new QStandardItemModel(0, columnTitles().size(), this);
    model_->setHorizontalHeaderLabels(columnTitles());
    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("historyTable"));
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSortingEnabled(true);
    table_->setAlternatingRowColors(true);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table_->verticalHeader()->hide();
    emptyLabel_ = new QLabel(tr("No runs yet. Finished, failed and interrupted runs are listed here and survive restarts."),
                             this);
    emptyLabel_->setStyleSheet(QStringLiteral("color: palette(mid);"));
    layout->addWidget(emptyLabel_);
    layout->addWidget(table_, 1);
}

}  // namespace capsule::ui
