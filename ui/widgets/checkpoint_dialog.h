#pragma once
// The checkpoint picker for Resume… and Extend… on the History page: every checkpoint in the run's
// output folder with its step, the newest evaluation at that step, the best eval so far and when
// it was written; unreadable ones are listed but cannot be picked. Extend also asks how many more
// steps to train (the new step budget is the run's budget plus that).
#include "controller/run_history.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QSpinBox;
class QTreeWidget;

namespace capsule::ui {

class CheckpointDialog : public QDialog {
    Q_OBJECT
public:
    enum class Mode { Resume, Extend };

    CheckpointDialog(const RunDetails& details, Mode mode, QWidget* parent = nullptr);

    /// The picked checkpoint folder; empty when none can be picked.
    QString selectedFolder() const;
    qint64 selectedStep() const;
    /// Extend: the new step budget (the run's budget + the extra steps); Resume: 0 (keep it).
    qint64 maxSteps() const;
    void setExtraSteps(qint64 steps);

    QTreeWidget* checkpointList() const { return list_; }
    QSpinBox* extraStepsSpin() const { return extraSteps_; }

private:
    void updateState();

    Mode mode_;
    qint64 budget_ = 0;
    QTreeWidget* list_ = nullptr;
    QSpinBox* extraSteps_ = nullptr;
    QLabel* budgetLabel_ = nullptr;
    QDialogButtonBox* buttons_ = nullptr;
};

}  // namespace capsule::ui
