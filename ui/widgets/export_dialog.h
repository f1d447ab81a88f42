#pragma once
// Export of a trained adapter: as an HF PEFT adapter folder (copied and verified) or as a merged
// model folder (LoRA, AdaLoRA, IA3; other methods have the option disabled with the reason).
// Runs in an ExportController (worker thread) with progress and Cancel; afterwards shows the
// path, the total size and a short Python snippet that loads the result, with a Copy button.
#include "controller/export_controller.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;

namespace capsule::ui {

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExportDialog(QWidget* parent = nullptr);
    /// Cancels and joins a running export (nothing is left half-written).
    ~ExportDialog() override;

    ExportController* controller() const { return controller_; }

    /// Fills the adapter folder and checks it (method, size; merged export offered or not). The
    /// base model field is filled from the adapter's base_model_name_or_path when it is a folder.
    void setAdapterFolder(const QString& folder);
    void setBaseModelFolder(const QString& folder);
    void setDestination(const QString& folder);
    void setKind(ExportKind kind);
    /// Where a successful export is recorded as an artifact (empty: the default run store) and of
    /// which run (-1: the run whose output folder holds the adapter folder).
    void setStorePath(const QString& path) { storePath_ = path; }
    void setRunId(qint64 runId) { runId_ = runId; }
    ExportKind kind() const;
    const AdapterCheck& adapterCheck() const { return check_; }

    /// Starts the export with the fields' values; false when it cannot start (the dialog says why).
    bool startExport();

    // For tests.
    QRadioButton* adapterRadio() const { return adapterRadio_; }
    QRadioButton* mergedRadio() const { return mergedRadio_; }
    QLabel* adapterInfoLabel() const { return adapterInfoLabel_; }
    QLabel* mergeReasonLabel() const { return mergeReasonLabel_; }
    QPushButton* exportButton() const { return exportButton_; }
    QPushButton* cancelButton() const { return cancelButton_; }
    QProgressBar* progressBar() const { return progressBar_; }
    QLabel* stageLabel() const { return stageLabel_; }
    QLabel* resultLabel() const { return resultLabel_; }
    QPlainTextEdit* snippetEdit() const { return snippetEdit_; }
    QPushButton* copyButton() const { return copyButton_; }

Q_SIGNALS:
    void exportFinished(const capsule::ui::ExportOutcome& outcome);

protected:
    void reject() override;

private:
    void chooseFolder(QLineEdit* field, const QString& title);
    void onProgress(int percent, const QString& stage);
    void onFinished(const ExportOutcome& outcome);
    void updateState();

    ExportController* controller_ = nullptr;
    AdapterCheck check_;
    QString inspectedFolder_;  // the folder check_ describes
    QString storePath_;
    qint64 runId_ = -1;
    QLineEdit* adapterEdit_ = nullptr;
    QLabel* adapterInfoLabel_ = nullptr;
    QRadioButton* adapterRadio_ = nullptr;
    QRadioButton* mergedRadio_ = nullptr;
    QLabel* mergeReasonLabel_ = nullptr;
    QLineEdit* baseModelEdit_ = nullptr;
    QLineEdit* destinationEdit_ = nullptr;
    QProgressBar* progressBar_ = nullptr;
    QLabel* stageLabel_ = nullptr;
    QLabel* resultLabel_ = nullptr;
    QPlainTextEdit* snippetEdit_ = nullptr;
    QPushButton* copyButton_ = nullptr;
    QPushButton* exportButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
};

/// "12.3 MB" (decimal units, as file managers show).
QString formatByteSize(qint64 bytes);

}  // namespace capsule::ui
