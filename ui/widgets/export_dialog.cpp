#include "widgets/export_dialog.h"

#include <QApplication>
#include <QButtonGroup>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace capsule::ui {

QString formatByteSize(qint64 bytes) {
    if (bytes < 1000) return ExportDialog::tr("%1 bytes").arg(bytes);
    const double kilo = double(bytes) / 1000.0;
    if (kilo < 1000) return ExportDialog::tr("%1 kB").arg(kilo, 0, 'f', 1);
    const double mega = kilo / 1000.0;
    if (mega < 1000) return ExportDialog::tr("%1 MB").arg(mega, 0, 'f', 1);
    return ExportDialog::tr("%1 GB").arg(mega / 1000.0, 0, 'f', 2);
}

ExportDialog::ExportDialog(QWidget* parent) : QDialog(parent), controller_(new ExportController(this)) {
    setWindowTitle(tr("Export adapter"));
    auto* layout = new QVBoxLayout(this);

    auto* sourceGroup = new QGroupBox(tr("What to export"), this);
    auto* grid = new QGridLayout(sourceGroup);
    adapterEdit_ = new QLineEdit(sourceGroup);
    adapterEdit_->setPlaceholderText(tr("A run's adapter folder"));
    auto* adapterBrowse = new QPushButton(tr("Browse…"), sourceGroup);
    adapterInfoLabel_ = new QLabel(sourceGroup);
    adapterInfoLabel_->setWordWrap(true);
    adapterRadio_ = new QRadioButton(tr("HF PEFT adapter folder (adapter_config.json + adapter_model.safetensors)"),
                                     sourceGroup);
    mergedRadio_ = new QRadioButton(tr("Merged model folder (the adapter folded into the base weights)"), sourceGroup);
    adapterRadio_->setChecked(true);
    auto* kinds = new QButtonGroup(this);
    kinds->addButton(adapterRadio_);
    kinds->addButton(mergedRadio_);
    mergeReasonLabel_ = new QLabel(sourceGroup);
    mergeReasonLabel_->setWordWrap(true);
    QFont reasonFont = mergeReasonLabel_->font();
    reasonFont.setItalic(true);
    mergeReasonLabel_->setFont(reasonFont);
    baseModelEdit_ = new QLineEdit(sourceGroup);
    baseModelEdit_->setPlaceholderText(tr("The base model folder the adapter was trained on"));
    auto* baseBrowse = new QPushButton(tr("Browse…"), sourceGroup);
    destinationEdit_ = new QLineEdit(sourceGroup);
    destinationEdit_->setPlaceholderText(tr("A new or empty folder"));
    auto* destinationBrowse = new QPushButton(tr("Browse…"), sourceGroup);
    grid->addWidget(new QLabel(tr("Adapter folder:"), sourceGroup), 0, 0);
    grid->addWidget(adapterEdit_, 0, 1);
    grid->addWidget(adapterBrowse, 0, 2);
    grid->addWidget(adapterInfoLabel_, 1, 1, 1, 2);
    grid->addWidget(adapterRadio_, 2, 1, 1, 2);
    grid->addWidget(mergedRadio_, 3, 1, 1, 2);
    grid->addWidget(mergeReasonLabel_, 4, 1, 1, 2);
    grid->addWidget(new QLabel(tr("Base model:"), sourceGroup), 5, 0);
    grid->addWidget(baseModelEdit_, 5, 1);
    grid->addWidget(baseBrowse, 5, 2);
    grid->addWidget(new QLabel(tr("Destination:"), sourceGroup), 6, 0);
    grid->addWidget(destinationEdit_, 6, 1);
    grid->addWidget(destinationBrowse, 6, 2);
    grid->setColumnStretch(1, 1);
    layout->addWidget(sourceGroup);

    progressBar_ = new QProgressBar(this);
    progressBar_->setRange(0, 100);
    progressBar_->setValue(0);
    stageLabel_ = new QLabel(this);
    layout->addWidget(progressBar_);
    layout->addWidget(stageLabel_);

    auto* resultGroup = new QGroupBox(tr("Result"), this);
    auto* resultLayout = new QVBoxLayout(resultGroup);
    resultLabel_ = new QLabel(tr("Nothing exported yet."), resultGroup);
    resultLabel_->setWordWrap(true);
    resultLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    snippetEdit_ = new QPlainTextEdit(resultGroup);
    snippetEdit_->setReadOnly(true);
    snippetEdit_->setLineWrapMode(QPlainTextEdit::NoWrap);  // code: never break a path mid-string
    snippetEdit_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    snippetEdit_->setPlaceholderText(tr("How to load the export in Python appears here."));
    snippetEdit_->setMinimumHeight(110);
    copyButton_ = new QPushButton(tr("&Copy"), resultGroup);
    copyButton_->setToolTip(tr("Copy the Python snippet to the clipboard"));
    resultLayout->addWidget(resultLabel_);
    resultLayout->addWidget(snippetEdit_);
    resultLayout->addWidget(copyButton_, 0, Qt::AlignRight);
    layout->addWidget(resultGroup, 1);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    exportButton_ = new QPushButton(tr("&Export"), this);
    exportButton_->setDefault(true);
    cancelButton_ = new QPushButton(tr("Close"), this);
    buttons->addWidget(exportButton_);
    buttons->addWidget(cancelButton_);
    layout->addLayout(buttons);

    connect(adapterBrowse, &QPushButton::clicked, this, [this] {
        chooseFolder(adapterEdit_, tr("Choose the adapter folder"));
        setAdapterFolder(adapterEdit_->text());
    });
    connect(adapterEdit_, &QLineEdit::editingFinished, this, [this] {
        if (adapterEdit_->text() != inspectedFolder_) setAdapterFolder(adapterEdit_->text());
    });
    connect(baseBrowse, &QPushButton::clicked, this, [this] { chooseFolder(baseModelEdit_, tr("Choose the base model folder")); });
    connect(destinationBrowse, &QPushButton::clicked, this,
            [this] { chooseFolder(destinationEdit_, tr("Choose the destination folder")); });
    connect(mergedRadio_, &QRadioButton::toggled, this, &ExportDialog::updateState);
    connect(exportButton_, &QPushButton::clicked, this, &ExportDialog::startExport);
    connect(cancelButton_, &QPushButton::clicked, this, &ExportDialog::reject);
    connect(copyButton_, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(snippetEdit_->toPlainText()); });
    connect(controller_, &ExportController::progress, this, &ExportDialog::onProgress);
    connect(controller_, &ExportController::finished, this, &ExportDialog::onFinished);
    resize(640, 560);
    updateState();
}

ExportDialog::~ExportDialog() {
    // ~QDialog hides the window, which takes the focus from the line edits: their editingFinished
    // must not reach this half-destroyed dialog.
    QObject::disconnect(adapterEdit_, nullptr, this, nullptr);
}

void ExportDialog::setAdapterFolder(const QString& folder) {
    adapterEdit_->setText(folder);
    inspectedFolder_ = folder;
    check_ = folder.trimmed().isEmpty() ? AdapterCheck{} : ExportController::inspectAdapter(folder.trimmed());
    if (folder.trimmed().isEmpty()) {
        adapterInfoLabel_->clear();
    } else if (!check_.valid) {
        adapterInfoLabel_->setText(tr("Not an adapter folder: %1").arg(check_.error));
    } else {
        adapterInfoLabel_->setText(tr("%1 adapter, %2 tensors, %3 parameters, %4")
                                       .arg(check_.peftType)
                                       .arg(check_.tensorCount)
                                       .arg(check_.parameterCount)
                                       .arg(formatByteSize(check_.sizeBytes)));
        if (baseModelEdit_->text().isEmpty() && QFileInfo(check_.baseModel).isDir()) baseModelEdit_->setText(check_.baseModel);
    }
    if (!check_.canMerge) adapterRadio_->setChecked(true);
    updateState();
}

void ExportDialog::setBaseModelFolder(const QString& folder) { baseModelEdit_->setText(folder); }

void ExportDialog::setDestination(const QString& folder) { destinationEdit_->setText(folder); }

void ExportDialog::setKind(ExportKind kind) {
    // A merged export is only offered for adapters that merge.
    (kind == ExportKind::Merged && check_.canMerge ? mergedRadio_ : adapterRadio_)->setChecked(true);
    updateState();
}

ExportKind ExportDialog::kind() const { return mergedRadio_->isChecked() ? ExportKind::Merged : ExportKind::Adapter; }

bool ExportDialog::startExport() {
    if (controller_->isRunning()) return false;
    if (!check_.valid) {
        stageLabel_->setText(check_.error.isEmpty() ? tr("Choose an adapter folder.") : check_.error);
        return false;
    }
    if (destinationEdit_->text().trimmed().isEmpty()) {
        stageLabel_->setText(tr("Choose a destination folder."));
        return false;
    }
    if (kind() == ExportKind::Merged && baseModelEdit_->text().trimmed().isEmpty()) {
        stageLabel_->setText(tr("A merged export needs the base model folder."));
        return false;
    }
    ExportRequest request;
    request.adapterFolder = adapterEdit_->text().trimmed();
    request.baseModelFolder = baseModelEdit_->text().trimmed();
    request.destination = destinationEdit_->text().trimmed();
    request.kind = kind();
    request.runId = runId_;
    request.storePath = storePath_;
    if (!controller_->start(request)) return false;
    progressBar_->setValue(0);
    resultLabel_->setText(tr("Exporting…"));
    snippetEdit_->clear();
    updateState();
    return true;
}

void ExportDialog::reject() {
    if (controller_->isRunning()) {
        controller_->cancel();  // finished() follows; the dialog stays open to show it
        stageLabel_->setText(tr("Cancelling…"));
        return;
    }
    QDialog::reject();
}

void ExportDialog::chooseFolder(QLineEdit* field, const QString& title) {
    const QString folder = QFileDialog::getExistingDirectory(this, title, field->text());
    if (!folder.isEmpty()) field->setText(folder);
}

void ExportDialog::onProgress(int percent, const QString& stage) {
    progressBar_->setValue(percent);
    stageLabel_->setText(stage);
}

void ExportDialog::onFinished(const ExportOutcome& outcome) {
    if (outcome.succeeded) {
        progressBar_->setValue(100);
        stageLabel_->setText(tr("Done."));
        resultLabel_->setText(tr("Exported to %1 (%2).")
                                  .arg(QDir::toNativeSeparators(outcome.path), formatByteSize(outcome.sizeBytes)));
        snippetEdit_->setPlainText(outcome.pythonSnippet);
        if (!outcome.recordProblem.isEmpty())
            stageLabel_->setText(tr("Done; the export is not listed in the run history: %1").arg(outcome.recordProblem));
    } else if (outcome.cancelled) {
        progressBar_->setValue(0);
        stageLabel_->setText(tr("Cancelled; nothing was written."));
        resultLabel_->setText(tr("Nothing exported."));
    } else {
        progressBar_->setValue(0);
        stageLabel_->setText(tr("Export failed."));
        resultLabel_->setText(tr("Error: %1").arg(outcome.error));
    }
    updateState();
    Q_EMIT exportFinished(outcome);
}

void ExportDialog::updateState() {
    const bool running = controller_->isRunning();
    mergedRadio_->setEnabled(!running && check_.valid && check_.canMerge);
    mergedRadio_->setToolTip(check_.mergeBlockedReason);
    mergeReasonLabel_->setText(check_.valid && !check_.canMerge ? check_.mergeBlockedReason : QString());
    mergeReasonLabel_->setVisible(!mergeReasonLabel_->text().isEmpty());
    adapterRadio_->setEnabled(!running);
    baseModelEdit_->setEnabled(!running);
    destinationEdit_->setEnabled(!running);
    adapterEdit_->setEnabled(!running);
    exportButton_->setEnabled(!running && check_.valid);
    cancelButton_->setText(running ? tr("Cancel") : tr("Close"));
    copyButton_->setEnabled(!snippetEdit_->toPlainText().isEmpty());
}

}  // namespace capsule::ui
