#include "widgets/checkpoint_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace capsule::ui {
namespace {

constexpr int kFolderRole = Qt::UserRole + 1;
constexpr int kStepRole = Qt::UserRole + 2;

QString metricText(const QString& name, double value) {
    const QLocale locale;
    if (name == QLatin1String("accuracy"))
        return CheckpointDialog::tr("accuracy %1 %").arg(locale.toString(value * 100.0, 'f', 1));
    return CheckpointDialog::tr("loss %1").arg(locale.toString(value, 'f', 4));
}

}  // namespace

CheckpointDialog::CheckpointDialog(const RunDetails& details, Mode mode, QWidget* parent)
    : QDialog(parent), mode_(mode) {
    setObjectName(QStringLiteral("checkpointDialog"));
    const RunRow& run = details.run;
    budget_ = std::max<qint64>(0, run.maxSteps);
    setWindowTitle(mode == Mode::Resume ? tr("Resume “%1”").arg(run.name) : tr("Extend “%1”").arg(run.name));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(mode == Mode::Resume
                                 ? tr("Continue the run from one of its checkpoints, with the same settings. "
                                      "Steps after the checkpoint are trained again.")
                                 : tr("Train the finished run for more steps with the same settings, starting from "
                                      "one of its checkpoints."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    list_ = new QTreeWidget(this);
    list_->setObjectName(QStringLiteral("checkpointList"));
    list_->setRootIsDecorated(false);
    list_->setAllColumnsShowFocus(true);
    list_->setHeaderLabels({tr("Step"), tr("Evaluation"), tr("Best so far"), tr("Written")});
    const QLocale locale;
    for (const CheckpointInfo& checkpoint : details.checkpoints) {
        auto* item = new QTreeWidgetItem(list_);
        item->setText(0, locale.toString(checkpoint.step));
        item->setData(0, kFolderRole, checkpoint.folder);
        item->setData(0, kStepRole, checkpoint.step);
        item->setTextAlignment(0, Qt::AlignRight | Qt::AlignVCenter);
        if (checkpoint.hasEval) {
            QString eval = tr("loss %1").arg(locale.toString(checkpoint.evalLoss, 'f', 4));
            if (checkpoint.hasAccuracy)
                eval += tr(", accuracy %1 %").arg(locale.toString(checkpoint.evalAccuracy * 100.0, 'f', 1));
            if (checkpoint.evalStep != checkpoint.step) eval += tr(" (step %1)").arg(checkpoint.evalStep);
            item->setText(1, eval);
        } else {
            item->setText(1, tr("not evaluated yet"));
        }
        item->setText(2, checkpoint.hasBestMetric
                             ? tr("%1 at step %2").arg(metricText(checkpoint.bestMetricName, checkpoint.bestMetric))
                                   .arg(checkpoint.bestStep)
                             : QStringLiteral("–"));
        item->setText(3, locale.toString(checkpoint.written, QLocale::ShortFormat));
        item->setToolTip(0, checkpoint.folder);
        bool usable = checkpoint.valid;
        QString why = checkpoint.problem;
        if (usable && mode == Mode::Resume && budget_ > 0 && checkpoint.step >= budget_) {
            usable = false;
            why = tr("at the end of the step budget: use Extend… to train further");
        }
        if (!usable) {
            item->setFlags(item->flags() & ~(Qt::ItemIsEnabled | Qt::ItemIsSelectable));
            for (int column = 0; column < 4; ++column) item->setToolTip(column, why);
        }
    }
    for (int column = 0; column < 4; ++column) list_->resizeColumnToContents(column);
    list_->setMinimumWidth(560);
    layout->addWidget(list_, 1);

    if (mode == Mode::Extend) {
        auto* form = new QFormLayout;
        extraSteps_ = new QSpinBox(this);
        extraSteps_->setObjectName(QStringLiteral("extraSteps"));
        extraSteps_->setRange(1, 10'000'000);
        extraSteps_->setValue(static_cast<int>(std::clamp<qint64>(budget_, 1, 10'000'000)));
        extraSteps_->setToolTip(tr("Optimizer steps to train beyond the run's current budget"));
        form->addRow(tr("More steps:"), extraSteps_);
        budgetLabel_ = new QLabel(this);
        form->addRow(tr("New step budget:"), budgetLabel_);
        layout->addLayout(form);
        connect(extraSteps_, &QSpinBox::valueChanged, this, [this] { updateState(); });
    }

    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons_->button(QDialogButtonBox::Ok)->setText(mode == Mode::Resume ? tr("Resume") : tr("Extend"));
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons_);
    connect(list_, &QTreeWidget::itemSelectionChanged, this, [this] { updateState(); });
    connect(list_, &QTreeWidget::itemDoubleClicked, this, [this] {
        if (!selectedFolder().isEmpty()) accept();
    });

    // The newest usable checkpoint is the usual choice.
    for (int row = list_->topLevelItemCount() - 1; row >= 0; --row) {
        QTreeWidgetItem* item = list_->topLevelItem(row);
        if (item->flags() & Qt::ItemIsEnabled) {
            list_->setCurrentItem(item);
            break;
        }
    }
    updateState();
}

QString CheckpointDialog::selectedFolder() const {
    const QList<QTreeWidgetItem*> selected = list_->selectedItems();
    return selected.isEmpty() ? QString() : selected.first()->data(0, kFolderRole).toString();
}

qint64 CheckpointDialog::selectedStep() const {
    const QList<QTreeWidgetItem*> selected = list_->selectedItems();
    return selected.isEmpty() ? -1 : selected.first()->data(0, kStepRole).toLongLong();
}

qint64 CheckpointDialog::maxSteps() const {
    if (mode_ != Mode::Extend) return 0;
    return std::max(budget_, selectedStep()) + extraSteps_->value();
}

void CheckpointDialog::setExtraSteps(qint64 steps) {
    if (extraSteps_) extraSteps_->setValue(static_cast<int>(std::clamp<qint64>(steps, 1, 10'000'000)));
}

void CheckpointDialog::updateState() {
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(!selectedFolder().isEmpty());
    if (budgetLabel_) budgetLabel_->setText(QLocale().toString(maxSteps()));
}

}  // namespace capsule::ui
