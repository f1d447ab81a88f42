#pragma once
// "ICL Baseline…": asks for k (demonstrations per prompt) and how many validation examples to
// score, runs the in-context-learning baseline through the EvaluationController with a progress bar and
// Cancel, and ends with what it measured: accuracy / loss, prompt tokens and time per example. The
// baseline lands in the run store; the window ticks it on the Compare page (EvaluationController's
// finished signal), so the dialog may be closed while it runs.
//
// Threads: GUI thread only.
#include "controller/evaluation_controller.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace capsule::ui {

class IclDialog : public QDialog {
    Q_OBJECT
public:
    /// `controller` is not owned and must outlive the dialog; `modelName` / `datasetName` are shown.
    IclDialog(EvaluationController* controller, const TrainingRequest& request, const QString& modelName,
              const QString& datasetName, QWidget* parent = nullptr);

    QSpinBox* shotsSpin() const { return shots_; }
    QSpinBox* examplesSpin() const { return examples_; }
    QPushButton* runButton() const { return runButton_; }
    QProgressBar* progressBar() const { return progress_; }
    /// The result (or the failure) once the baseline ended; "" before.
    QString resultText() const;

    /// Starts the baseline with the spin boxes' values (what Run does). False while one runs.
    bool runBaseline();

    /// "4-shot: accuracy 53.3 % on 30 examples; …" for an outcome.
    static QString describe(const IclOutcome& outcome);

protected:
    void reject() override;

private:
    void setRunning(bool running);

    EvaluationController* controller_;
    TrainingRequest request_;
    QSpinBox* shots_ = nullptr;
    QSpinBox* examples_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* result_ = nullptr;
    QPushButton* runButton_ = nullptr;
    QDialogButtonBox* buttons_ = nullptr;
    bool ownRun_ = false;  // the controller's current run was started here
};

}  // namespace capsule::ui
