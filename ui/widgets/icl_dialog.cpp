#include "widgets/icl_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace capsule::ui {

IclDialog::IclDialog(EvaluationController* controller, const TrainingRequest& request, const QString& modelName,
                     const QString& datasetName, QWidget* parent)
    : QDialog(parent), controller_(controller), request_(request) {
    setObjectName(QStringLiteral("IclDialog"));
    setWindowTitle(tr("In-Context Learning Baseline"));
    auto* intro = new QLabel(tr("Scores the <b>untrained</b> base model on the validation examples with <i>k</i> "
                                "training examples (and their answers) placed before each question: the same "
                                "examples and the same scoring as the fine-tuning runs. The Compare page then shows "
                                "what fine-tuning buys over prompting, and what each costs."),
                             this);
    intro->setWordWrap(true);

    shots_ = new QSpinBox(this);
    shots_->setObjectName(QStringLiteral("iclShots"));
    shots_->setRange(0, 64);
    shots_->setValue(4);
    shots_->setToolTip(tr("Demonstrations per prompt (0 = zero-shot). Prompts that would not fit the model's "
                          "context drop the demonstrations farthest from the question."));
    examples_ = new QSpinBox(this);
    examples_->setObjectName(QStringLiteral("iclExamples"));
    examples_->setRange(0, 1000000);
    examples_->setSpecialValueText(tr("all"));
    examples_->setValue(0);
    examples_->setToolTip(tr("Score at most this many validation examples (all: the whole validation split)"));
    auto* form = new QFormLayout;
    form->addRow(tr("Model:"), new QLabel(modelName, this));
    form->addRow(tr("Dataset:"), new QLabel(datasetName, this));
    form->addRow(tr("&Demonstrations (k):"), shots_);
    form->addRow(tr("&Examples:"), examples_);

    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("iclProgress"));
    progress_->setRange(0, 0);
    progress_->hide();
    result_ = new QLabel(this);
    result_->setObjectName(QStringLiteral("iclResult"));
    result_->setWordWrap(true);
    result_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    buttons_ = new QDialogButtonBox(QDialogButtonBox::Close, this);
    runButton_ = buttons_->addButton(tr("&Run"), QDialogButtonBox::ActionRole);
    runButton_->setDefault(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(progress_);
    layout->addWidget(result_);
    layout->addStretch(1);
    layout->addWidget(buttons_);
    resize(520, sizeHint().height());

    connect(runButton_, &QPushButton::clicked, this, &IclDialog::runBaseline);
    connect(buttons_, &QDialogButtonBox::rejected, this, &IclDialog::reject);
    connect(controller_, &EvaluationController::progress, this, [this](qint64 done, qint64 total) {
        if (!ownRun_) return;
        progress_->setRange(0, int(std::min<qint64>(total, 1 << 30)));
        progress_->setValue(int(std::min<qint64>(done, 1 << 30)));
        progress_->setFormat(tr("%1 of %2 examples").arg(done).arg(total));
    });
    connect(controller_, &EvaluationController::finished, this, [this](const IclOutcome& outcome) {
        if (!ownRun_) return;
        ownRun_ = false;
        setRunning(false);
        result_->setText(describe(outcome));
    });
    connect(controller_, &EvaluationController::failed, this, [this](const QString& message) {
        if (!ownRun_) return;
        ownRun_ = false;
        setRunning(false);
        result_->setText(tr("<span style='color:#d55e00'>The baseline failed: %1</span>").arg(message.toHtmlEscaped()));
    });
    setRunning(controller_->isRunning());
}

QString IclDialog::resultText() const { return result_->text(); }

bool IclDialog::runBaseline() {
    if (controller_->isRunning()) return false;
    if (!controller_->start(request_, shots_->value(), examples_->value())) return false;
    ownRun_ = true;
    result_->clear();
    progress_->setRange(0, 0);
    setRunning(true);
    return true;
}

QString IclDialog::describe(const IclOutcome& outcome) {
    QString text = outcome.accuracy >= 0
                       ? tr("%1-shot: accuracy %2 % on %3 examples (eval loss %4).")
                             .arg(outcome.shots)
                             .arg(outcome.accuracy * 100.0, 0, 'f', 1)
                             .arg(outcome.examples)
                             .arg(outcome.evalLoss, 0, 'f', 4)
                       : tr("%1-shot: eval loss %2 on %3 examples.").arg(outcome.shots).arg(outcome.evalLoss, 0, 'f', 4).arg(outcome.examples);
    text += QLatin1Char(' ') + tr("Each prompt has %1 tokens (the question alone %2) and takes %3 ms on %4.")
                                   .arg(outcome.promptTokensPerExample, 0, 'f', 1)
                                   .arg(outcome.zeroShotPromptTokens, 0, 'f', 1)
                                   .arg(outcome.secondsPerExample * 1000.0, 0, 'f', 2)
                                   .arg(outcome.device);
    if (outcome.examplesWithFewerShots > 0)
        text += QLatin1Char(' ') + tr("%n prompt(s) dropped demonstrations to fit the model's context (%1 on average).",
                                      "", int(outcome.examplesWithFewerShots))
                                       .arg(outcome.meanShots, 0, 'f', 2);
    if (outcome.cancelled) text += QLatin1Char(' ') + tr("Stopped early: the numbers cover the examples scored.");
    text += QLatin1Char(' ') + (outcome.runId > 0 ? tr("Recorded as run %1 and ticked on the Compare page.").arg(outcome.runId)
                                                  : tr("Not recorded in the run store: %1").arg(outcome.storeProblem));
    return text;
}

void IclDialog::reject() {
    // Cancel stops a running baseline; a second press (or Close when idle) closes.
    if (ownRun_ && controller_->isRunning()) {
        controller_->cancel();
        return;
    }
    QDialog::reject();
}

void IclDialog::setRunning(bool running) {
    progress_->setVisible(running);
    runButton_->setEnabled(!running);
    shots_->setEnabled(!running);
    examples_->setEnabled(!running);
    if (QPushButton* close = buttons_->button(QDialogButtonBox::Close))
        close->setText(running ? tr("&Cancel") : tr("&Close"));
}

}  // namespace capsule::ui
