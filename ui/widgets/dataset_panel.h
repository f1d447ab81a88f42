#pragma once
// The Setup page's Dataset section: the file row, the detected format with an override, column
// mapping, a preview of the first rendered examples with the trained part highlighted, the bad rows
// with their line numbers and a token-length histogram with the max length marked. Everything it
// shows comes from DatasetInspector (the trainer's own core/data code, off the GUI thread).
// GUI thread only.
#include "controller/dataset_inspector.h"

#include <QMap>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTabWidget;
class QTableView;

namespace capsule::ui {

class DatasetPreviewModel;

class DatasetPanel : public QWidget {
    Q_OBJECT
public:
    explicit DatasetPanel(QWidget* parent = nullptr);

    QString datasetPath() const;
    void setDatasetPath(const QString& path);
    /// The model whose tokenizer renders the preview; `demo` true: the built-in demo (an empty
    /// dataset path then previews the demo's dataset). `folder` "" = no tokenizer yet.
    void setModel(const QString& folder, bool demo);
    /// Examples longer than this are truncated (the Training section's max length); 0 = no limit.
    void setMaxLength(qint64 tokens);
    /// The prompt template the training config names ("" = auto, the model's own).
    void setTemplateName(const QString& name);

    /// "" = auto-detect; else a core format name. Goes into TrainingConfig::format.
    QString formatOverride() const;
    void setFormatOverride(const QString& format);
    /// Canonical field -> the file's column, for the non-default choices only.
    QMap<QString, QString> columnMapping() const { return columnMapping_; }
    void setColumnMapping(const QMap<QString, QString>& mapping);

    /// The last inspection shown (ok false while none arrived or on error).
    const DatasetInspection& inspection() const { return inspection_; }
    bool inspectionPending() const;
    /// The request the current settings describe.
    DatasetInspectionRequest currentRequest() const;

    // For tests and the page.
    QLineEdit* pathEdit() const { return pathEdit_; }
    QPushButton* browseButton() const { return browseButton_; }
    /// Adds `widget` after Browse… in the file row (Setup's Recent button).
    void addFileRowWidget(QWidget* widget);
    QComboBox* formatCombo() const { return formatCombo_; }
    /// The mapping combo of a canonical field; nullptr when the current format has none.
    QComboBox* mappingCombo(const QString& canonicalField) const { return mappingCombos_.value(canonicalField); }
    DatasetPreviewModel* previewModel() const { return previewModel_; }
    QTableView* previewView() const { return previewView_; }
    QListWidget* issueList() const { return issueList_; }
    QCustomPlot* histogramPlot() const { return histogramPlot_; }
    QLabel* summaryLabel() const { return summaryLabel_; }
    QLabel* statusLabel() const { return statusLabel_; }
    QLabel* lengthLabel() const { return lengthLabel_; }
    QTabWidget* tabs() const { return tabs_; }

Q_SIGNALS:
    /// Browse… was pressed (the page opens the file dialog and remembers the choice).
    void browseRequested();
    /// The format override or column mapping changed.
    void overridesChanged();
    /// A new inspection is shown.
    void inspectionChanged();

private:
    void requestInspection();
    void onInspected(const capsule::ui::DatasetInspection& inspection);
    void updateFormatCombo();
    void rebuildMappingRow();
    void updateHistogram();
    void showIssues();

    DatasetInspector* inspector_ = nullptr;
    QLineEdit* pathEdit_ = nullptr;
    QPushButton* browseButton_ = nullptr;
    QHBoxLayout* fileRow_ = nullptr;
    QComboBox* formatCombo_ = nullptr;
    QLabel* templateLabel_ = nullptr;
    QWidget* mappingRow_ = nullptr;
    QHBoxLayout* mappingLayout_ = nullptr;
    QMap<QString, QComboBox*> mappingCombos_;
    QString mappingKey_;  // canonical fields + file fields the combos were built for
    QLabel* mappingNote_ = nullptr;
    QLabel* summaryLabel_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    DatasetPreviewModel* previewModel_ = nullptr;
    QTableView* previewView_ = nullptr;
    QListWidget* issueList_ = nullptr;
    QCustomPlot* histogramPlot_ = nullptr;
    QLabel* lengthLabel_ = nullptr;

    QString modelFolder_;
    bool demo_ = false;
    qint64 maxLength_ = 512;
    QString templateName_;
    QMap<QString, QString> columnMapping_;
    DatasetInspectionRequest lastRequest_;
    bool requested_ = false;
    quint64 awaited_ = 0;  // the request number whose result is shown next
    DatasetInspection inspection_;
};

}  // namespace capsule::ui
