#include "widgets/method_choice_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace capsule::ui {

MethodChoiceDialog::MethodChoiceDialog(const QVector<QPair<QString, QString>>& methods, const QStringList& checked,
                                       QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Compare Methods"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Train the current model and dataset with each ticked method, one run after "
                                "another, then compare them. Each run keeps the step budget and evaluation "
                                "settings of the setup and writes to its own folder."),
                             this);
    intro->setWordWrap(true);
    list_ = new QListWidget(this);
    list_->setObjectName(QStringLiteral("methodChoices"));
    for (const auto& [name, title] : methods) {
        auto* item = new QListWidgetItem(title, list_);
        item->setData(Qt::UserRole, name);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
        item->setCheckState(checked.contains(name) ? Qt::Checked : Qt::Unchecked);
    }
    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons_->button(QDialogButtonBox::Ok)->setText(tr("&Train Them"));
    layout->addWidget(intro);
    layout->addWidget(list_, 1);
    layout->addWidget(buttons_);
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(list_, &QListWidget::itemChanged, this, &MethodChoiceDialog::updateOkButton);
    updateOkButton();
    resize(420, 360);
}

QStringList MethodChoiceDialog::chosenMethods() const {
    QStringList chosen;
    for (int row = 0; row < list_->count(); ++row)
        if (list_->item(row)->checkState() == Qt::Checked) chosen << list_->item(row)->data(Qt::UserRole).toString();
    return chosen;
}

void MethodChoiceDialog::setChosenMethods(const QStringList& methods) {
    for (int row = 0; row < list_->count(); ++row) {
        QListWidgetItem* item = list_->item(row);
        item->setCheckState(methods.contains(item->data(Qt::UserRole).toString()) ? Qt::Checked : Qt::Unchecked);
    }
}

void MethodChoiceDialog::updateOkButton() {
    // Comparing needs two runs at least.
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(chosenMethods().size() >= 2);
}

}  // namespace capsule::ui
