#include "widgets/dataset_panel.h"

#include "widgets/chart_style.h"
#include "widgets/dataset_preview_model.h"
#include "widgets/qcustomplot_include.h"

#include <QComboBox>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace capsule::ui {
namespace {

QString counted(qint64 value) {
    return QLocale().toString(value);
}

}  // namespace

DatasetPanel::DatasetPanel(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("datasetPanel"));
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);

    auto* fileRow = fileRow_ = new QHBoxLayout;
    pathEdit_ = new QLineEdit(this);
    pathEdit_->setObjectName(QStringLiteral("datasetEdit"));
    pathEdit_->setPlaceholderText(tr("JSONL, JSON, CSV/TSV or TXT file"));
    pathEdit_->setClearButtonEnabled(true);
    browseButton_ = new QPushButton(tr("&Browse…"), this);
    browseButton_->setObjectName(QStringLiteral("datasetBrowse"));
    connect(browseButton_, &QPushButton::clicked, this, &DatasetPanel::browseRequested);
    connect(pathEdit_, &QLineEdit::textChanged, this, &DatasetPanel::requestInspection);
    fileRow->addWidget(pathEdit_, 1);
    fileRow->addWidget(browseButton_);
    column->addLayout(fileRow);

    auto* formatRow = new QHBoxLayout;
    auto* formatLabel = new QLabel(tr("Fo&rmat:"), this);
    formatRow->addWidget(formatLabel);
    formatCombo_ = new QComboBox(this);
    formatLabel->setBuddy(formatCombo_);
    formatCombo_->setObjectName(QStringLiteral("datasetFormat"));
    formatCombo_->setToolTip(tr("How the rows are read: detected from the file's fields, or forced here"));
    formatCombo_->addItem(tr("Auto"), QString());
    for (const QString& name : datasetFormatNames()) formatCombo_->addItem(name, name);
    connect(formatCombo_, &QComboBox::currentIndexChanged, this, [this] {
        requestInspection();
        Q_EMIT overridesChanged();
    });
    formatRow->addWidget(formatCombo_);
    templateLabel_ = new QLabel(this);
    templateLabel_->setObjectName(QStringLiteral("datasetTemplate"));
    templateLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    formatRow->addWidget(templateLabel_, 1);
    column->addLayout(formatRow);

    mappingRow_ = new QWidget(this);
    mappingLayout_ = new QHBoxLayout(mappingRow_);
    mappingLayout_->setContentsMargins(0, 0, 0, 0);
    mappingRow_->setVisible(false);
    column->addWidget(mappingRow_);
    mappingNote_ = new QLabel(this);
    mappingNote_->setWordWrap(true);
    mappingNote_->setStyleSheet(QStringLiteral("color: palette(placeholder-text);"));  // dim, light or dark
    mappingNote_->setVisible(false);
    column->addWidget(mappingNote_);

    summaryLabel_ = new QLabel(this);
    summaryLabel_->setObjectName(QStringLiteral("datasetSummary"));
    summaryLabel_->setStyleSheet(QStringLiteral("font-weight: 600;"));
    summaryLabel_->setWordWrap(true);
    column->addWidget(summaryLabel_);
    statusLabel_ = new QLabel(this);
    statusLabel_->setObjectName(QStringLiteral("datasetStatus"));
    statusLabel_->setWordWrap(true);
    statusLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    column->addWidget(statusLabel_);

    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("datasetTabs"));

    auto* previewPage = new QWidget(tabs_);
    auto* previewColumn = new QVBoxLayout(previewPage);
    previewColumn->setContentsMargins(4, 4, 4, 4);
    auto* legend = new QLabel(tr("<span style=\"background-color: %1; color: #10301a\">&nbsp;highlighted&nbsp;</span> "
                                 "= trained tokens (the loss is on them); the rest is prompt and template, not trained. "
                                 "Hover a row for the full text.")
                                  .arg(DatasetPreviewModel::trainedBackground().name()),
                              previewPage);
    legend->setWordWrap(true);
    previewColumn->addWidget(legend);
    previewModel_ = new DatasetPreviewModel(this);
    previewView_ = new QTableView(previewPage);
    previewView_->setObjectName(QStringLiteral("datasetPreview"));
    previewView_->setModel(previewModel_);
    previewView_->setItemDelegateForColumn(DatasetPreviewModel::TextColumn, new RenderedTextDelegate(previewView_));
    previewView_->setSelectionBehavior(QAbstractItemView::SelectRows);
    previewView_->setWordWrap(true);
    previewView_->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    previewView_->verticalHeader()->setVisible(false);
    previewView_->horizontalHeader()->setSectionResizeMode(DatasetPreviewModel::LineColumn, QHeaderView::ResizeToContents);
    previewView_->horizontalHeader()->setSectionResizeMode(DatasetPreviewModel::TextColumn, QHeaderView::Stretch);
    previewView_->horizontalHeader()->setSectionResizeMode(DatasetPreviewModel::TokensColumn, QHeaderView::ResizeToContents);
    // Row heights follow the wrapped text at the text column's current width (the delegate's size hint).
    previewView_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    previewColumn->addWidget(previewView_, 1);
    tabs_->addTab(previewPage, tr("Preview"));

    issueList_ = new QListWidget(tabs_);
    issueList_->setObjectName(QStringLiteral("datasetIssues"));
    issueList_->setWordWrap(true);
    issueList_->setUniformItemSizes(false);
    tabs_->addTab(issueList_, tr("Issues"));

    auto* lengthPage = new QWidget(tabs_);
    auto* lengthColumn = new QVBoxLayout(lengthPage);
    lengthColumn->setContentsMargins(4, 4, 4, 4);
    histogramPlot_ = charts::createChart(lengthPage, tr("Token length per example"), tr("examples"));
    histogramPlot_->setObjectName(QStringLiteral("datasetHistogram"));
    histogramPlot_->xAxis->setLabel(tr("tokens (before truncation)"));
    histogramPlot_->xAxis->ticker()->setTickCount(6);
    auto* bars = new QCPBars(histogramPlot_->xAxis, histogramPlot_->yAxis);
    bars->setName(tr("examples"));
    bars->removeFromLegend();
    QColor fill = charts::kBlue;
    fill.setAlphaF(0.55);
    bars->setBrush(fill);
    bars->setPen(QPen(charts::kBlue.darker(120), 1));
    bars->setWidthType(QCPBars::wtPlotCoords);
    lengthColumn->addWidget(histogramPlot_, 1);
    lengthLabel_ = new QLabel(lengthPage);
    lengthLabel_->setObjectName(QStringLiteral("datasetLengthSummary"));
    lengthLabel_->setWordWrap(true);
    lengthColumn->addWidget(lengthLabel_);
    tabs_->addTab(lengthPage, tr("Token lengths"));
    column->addWidget(tabs_, 1);
    setMinimumHeight(380);

    inspector_ = new DatasetInspector(this);
    connect(inspector_, &DatasetInspector::inspected, this, &DatasetPanel::onInspected);
    summaryLabel_->setText(tr("No dataset inspected yet."));
}

QString DatasetPanel::datasetPath() const {
    return pathEdit_->text();
}

void DatasetPanel::setDatasetPath(const QString& path) {
    pathEdit_->setText(path);
}

void DatasetPanel::setModel(const QString& folder, bool demo) {
    if (folder == modelFolder_ && demo == demo_) return;
    modelFolder_ = folder;
    demo_ = demo;
    requestInspection();
}

void DatasetPanel::setMaxLength(qint64 tokens) {
    if (tokens == maxLength_) return;
    maxLength_ = tokens;
    requestInspection();
}

void DatasetPanel::setTemplateName(const QString& name) {
    if (name == templateName_) return;
    templateName_ = name;
    requestInspection();
}

QString DatasetPanel::formatOverride() const {
    return formatCombo_->currentData().toString();
}

void DatasetPanel::setFormatOverride(const QString& format) {
    const int index = formatCombo_->findData(format);
    formatCombo_->setCurrentIndex(index >= 0 ? index : 0);
}

void DatasetPanel::setColumnMapping(const QMap<QString, QString>& mapping) {
    columnMapping_ = mapping;
    for (auto it = mappingCombos_.begin(); it != mappingCombos_.end(); ++it) {
        const QSignalBlocker blocker(it.value());
        const int index = it.value()->findData(mapping.value(it.key()));
        it.value()->setCurrentIndex(index >= 0 ? index : 0);
    }
    requestInspection();
    Q_EMIT overridesChanged();
}

bool DatasetPanel::inspectionPending() const {
    return inspector_->isPending();
}

DatasetInspectionRequest DatasetPanel::currentRequest() const {
    DatasetInspectionRequest request;
    request.path = pathEdit_->text().trimmed();
    request.demo = demo_;
    request.formatOverride = formatOverride();
    request.columnMapping = columnMapping_;
    request.tokenizerFolder = modelFolder_;
    request.maxLengthTokens = maxLength_;
    request.templateName = templateName_;
    return request;
}

void DatasetPanel::requestInspection() {
    const DatasetInspectionRequest request = currentRequest();
    if (requested_ && request == lastRequest_) return;
    requested_ = true;
    lastRequest_ = request;
    if (request.path.isEmpty() && !request.demo) {
        // Nothing to inspect; a running inspection's result is no longer wanted.
        awaited_ = 0;
        inspection_ = DatasetInspection{};
        previewModel_->setRows({});
        issueList_->clear();
        updateHistogram();
        summaryLabel_->setText(tr("Choose a dataset file to see its format, a preview and its token lengths."));
        statusLabel_->clear();
        Q_EMIT inspectionChanged();
        return;
    }
    awaited_ = inspector_->request(request);
    statusLabel_->setStyleSheet(QString());
    statusLabel_->setText(tr("Reading and tokenizing…"));
}

void DatasetPanel::onInspected(const DatasetInspection& inspection) {
    if (inspection.requestNumber != awaited_) return;
    inspection_ = inspection;
    const QString shownPath = QDir::toNativeSeparators(inspection.path);
    if (!inspection.ok) {
        summaryLabel_->setText(tr("Cannot preview the dataset."));
        statusLabel_->setStyleSheet(QStringLiteral("color: #c62828;"));
        statusLabel_->setText(inspection.error);
    } else {
        const QString how = formatOverride().isEmpty() ? tr("detected") : tr("set here");
        summaryLabel_->setText(tr("%1 examples (%2 valid / %3 skipped) · format: %4 (%5)")
                                   .arg(counted(inspection.inspectedRecords), counted(inspection.validExamples),
                                        counted(inspection.skippedRows), inspection.format, how));
        QStringList notes;
        if (demo_ && pathEdit_->text().trimmed().isEmpty())
            notes << tr("The built-in demo dataset (%1).").arg(shownPath);
        notes << tr("%1, read as %2: %3.").arg(inspection.fileKind, inspection.format, inspection.formatReason);
        if (inspection.capped)
            notes << tr("Only the first %1 of %2 records are inspected here (training reads them all).")
                         .arg(counted(inspection.inspectedRecords), counted(inspection.totalRecords));
        if (!formatOverride().isEmpty() && inspection.detectedFormat.isEmpty())
            notes << tr("Detection found no format: %1").arg(inspection.detectionProblem);
        statusLabel_->setStyleSheet(QString());
        statusLabel_->setText(notes.join(QLatin1Char(' ')));
    }
    templateLabel_->setText(inspection.templateName.isEmpty()
                                ? QString()
                                : tr("Template: %1 — %2").arg(inspection.templateName, inspection.templateNote));
    templateLabel_->setToolTip(templateLabel_->text());
    updateFormatCombo();
    rebuildMappingRow();
    previewModel_->setRows(inspection.preview);
    tabs_->setTabText(0, tr("Preview (%1)").arg(inspection.preview.size()));
    showIssues();
    updateHistogram();
    Q_EMIT inspectionChanged();
}

void DatasetPanel::updateFormatCombo() {
    QString text = tr("Auto");
    if (!inspection_.detectedFormat.isEmpty())
        text = tr("Auto (detected: %1)").arg(inspection_.detectedFormat);
    else if (!inspection_.detectionProblem.isEmpty())
        text = tr("Auto (not detected)");
    formatCombo_->setItemText(0, text);
}

void DatasetPanel::rebuildMappingRow() {
    // Column mapping only where the file has named fields and the format reads some.
    const bool show = inspection_.ok && !inspection_.fields.isEmpty() && !inspection_.canonicalFields.isEmpty();
    const QString key = show ? inspection_.canonicalFields.join(QLatin1Char(',')) + QLatin1Char('|') +
                                   inspection_.fields.join(QLatin1Char(','))
                             : QString();
    mappingRow_->setVisible(show);
    if (key != mappingKey_) {
        mappingKey_ = key;
        while (QLayoutItem* item = mappingLayout_->takeAt(0)) {
            delete item->widget();
            delete item;
        }
        mappingCombos_.clear();
        if (show) {
            mappingLayout_->addWidget(new QLabel(tr("Columns:"), mappingRow_));
            for (const QString& field : inspection_.canonicalFields) {
                mappingLayout_->addWidget(new QLabel(field + QLatin1Char(':'), mappingRow_));
                auto* combo = new QComboBox(mappingRow_);
                combo->setObjectName(QStringLiteral("mapping_") + field);
                combo->setToolTip(tr("The file's column read as '%1'").arg(field));
                // First item: the default, the file's own column of that name (or none).
                combo->addItem(inspection_.fields.contains(field) ? field : tr("(none)"), QString());
                for (const QString& name : inspection_.fields)
                    if (name != field) combo->addItem(name, name);
                const int index = combo->findData(columnMapping_.value(field));
                combo->setCurrentIndex(index >= 0 ? index : 0);
                connect(combo, &QComboBox::currentIndexChanged, this, [this, field, combo] {
                    const QString column = combo->currentData().toString();
                    if (column.isEmpty())
                        columnMapping_.remove(field);
                    else
                        columnMapping_.insert(field, column);
                    requestInspection();
                    Q_EMIT overridesChanged();
                });
                mappingLayout_->addWidget(combo);
                mappingCombos_.insert(field, combo);
            }
            mappingLayout_->addStretch(1);
        }
    }
    mappingNote_->setVisible(!columnMapping_.isEmpty());
    mappingNote_->setText(tr("Training reads the mapped columns too (column_mapping in the saved setup, "
                             "--column-mapping for capsule-cli)."));
}

void DatasetPanel::showIssues() {
    issueList_->clear();
    for (const DatasetIssueRow& issue : inspection_.issues) {
        const QString where = issue.line > 0 ? tr("line %1").arg(issue.line) : tr("whole file");
        // Messages often start with the problem's name already ("invalid JSON (line 3, ...)").
        const QString text = issue.message.startsWith(issue.problem)
                                 ? tr("%1 — %2").arg(where, issue.message)
                                 : tr("%1 — %2: %3").arg(where, issue.problem, issue.message);
        auto* item = new QListWidgetItem(text, issueList_);
        item->setData(Qt::UserRole, issue.line);
        item->setToolTip(item->text());
    }
    if (inspection_.moreIssues > 0)
        new QListWidgetItem(tr("… and %1 more bad rows").arg(counted(inspection_.moreIssues)), issueList_);
    if (inspection_.ok && inspection_.issues.isEmpty())
        new QListWidgetItem(tr("Every inspected row is valid."), issueList_);
    const qint64 bad = inspection_.skippedRows;
    tabs_->setTabText(1, bad > 0 ? tr("Issues (%1)").arg(counted(bad)) : tr("Issues"));
}

void DatasetPanel::updateHistogram() {
    auto* bars = qobject_cast<QCPBars*>(histogramPlot_->plottable(0));
    for (int i = histogramPlot_->itemCount() - 1; i >= 0; --i) histogramPlot_->removeItem(i);
    QVector<double> keys, values;
    double upper = 1.0;
    double highest = 1.0;
    double width = 1.0;
    for (const DatasetHistogramBin& bin : inspection_.histogram) {
        keys.push_back(0.5 * static_cast<double>(bin.lowerTokens + bin.upperTokens));
        values.push_back(static_cast<double>(bin.count));
        width = static_cast<double>(bin.upperTokens - bin.lowerTokens);
        upper = std::max(upper, static_cast<double>(bin.upperTokens));
        highest = std::max(highest, static_cast<double>(bin.count));
    }
    bars->setWidth(width);
    bars->setData(keys, values, true);

    // The max length the shown lengths were truncated to (the spin box may be ahead of it).
    const qint64 limit = inspection_.ok ? inspection_.maxLengthTokens : maxLength_;
    const qint64 total = inspection_.validExamples;
    const qint64 over = std::count_if(inspection_.lengths.begin(), inspection_.lengths.end(),
                                      [limit](qint64 length) { return limit > 0 && length > limit; });
    const double maxLength = static_cast<double>(limit);
    // The max-length line when it is near the data; far beyond it would squash every bar.
    const bool lineShown = limit > 0 && maxLength <= 3.0 * upper;
    if (lineShown) {
        auto* line = new QCPItemStraightLine(histogramPlot_);
        line->setPen(QPen(charts::kRed, 1.5, Qt::DashLine));
        line->point1->setCoords(maxLength, 0);
        line->point2->setCoords(maxLength, 1);
        auto* text = new QCPItemText(histogramPlot_);
        text->position->setTypeX(QCPItemPosition::ptPlotCoords);
        text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(maxLength, 0.02);
        text->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
        text->setPadding(QMargins(0, 0, 4, 0));
        text->setColor(charts::kRed);
        text->setText(tr("max length %1").arg(counted(limit)));
    }
    histogramPlot_->xAxis->setRange(0, std::max(upper, lineShown ? maxLength * 1.05 : upper));
    histogramPlot_->yAxis->setRange(0, highest * 1.1);
    histogramPlot_->replot();

    if (!inspection_.ok) {
        lengthLabel_->clear();
        return;
    }
    QString text = limit > 0 ? tr("%1 of %2 examples longer than max length %3 (truncated).")
                                        .arg(counted(over), counted(total), counted(limit))
                                  : tr("No max length: no example is truncated.");
    if (limit > 0 && !lineShown)
        text += QLatin1Char(' ') + tr("The max length is far beyond the longest example.");
    if (total > 0)
        text += QLatin1Char(' ') + tr("Longest %1 tokens, median %2.")
                                       .arg(counted(*std::max_element(inspection_.lengths.begin(), inspection_.lengths.end())),
                                            counted([&] {
                                                QVector<qint64> sorted = inspection_.lengths;
                                                std::sort(sorted.begin(), sorted.end());
                                                return sorted[sorted.size() / 2];
                                            }()));
    lengthLabel_->setText(text);
}

void DatasetPanel::addFileRowWidget(QWidget* widget) {
    fileRow_->addWidget(widget);
}

}  // namespace capsule::ui
