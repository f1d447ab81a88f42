#pragma once
// What the Setup page shows about a dataset before training, computed with the trainer's own core
// code (core/data): the same file reader, format detection (after the same column mapping), the
// same prompt template choice, the same ExampleBuilder (prompt/response split, label masking,
// truncation to max_length) and the model's own tokenizer. So the preview shows exactly what trains.
//
// Threads: inspectDataset() may run on any thread. DatasetInspector belongs to the GUI thread; it
// computes on one worker std::thread at a time, debounced, and the newest request wins (a stale
// computation is abandoned early). Results arrive as a queued signal with plain Qt values.
#include <QMap>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

class QTimer;

namespace capsule::ui {

struct DatasetInspectionRequest {
    /// The dataset file. Empty with `demo` set: the built-in demo dataset (made where missing, as
    /// the first Start would).
    QString path;
    bool demo = false;
    /// "" = auto-detect; else a core format name ("alpaca", "chat", ...).
    QString formatOverride;
    /// Canonical field name -> the file's key or column (DatasetOptions::columnMapping).
    QMap<QString, QString> columnMapping;
    /// The model folder whose tokenizer (and chat template) the trainer would use.
    QString tokenizerFolder;
    qint64 maxLengthTokens = 512;  // 0: no truncation
    /// The prompt template (TrainingConfig::templateName): "" or "auto" = the model's own.
    QString templateName;
    /// Only this many records are read into examples (the UI stays snappy on huge files).
    int exampleLimit = 20000;
    int previewLimit = 50;
    int issueLimit = 1000;

    bool operator==(const DatasetInspectionRequest& other) const;
    bool operator!=(const DatasetInspectionRequest& other) const { return !(*this == other); }
};

/// A run of rendered text whose tokens all are (trained) or all are not (prompt, template) trained.
struct DatasetTextSegment {
    QString text;
    bool trained = false;
};

struct DatasetPreviewRow {
    qint64 line = 0;                       // 1-based line where the record starts
    QVector<DatasetTextSegment> segments;  // the rendered, tokenized example in order (after truncation)
    qint64 tokens = 0;                     // after truncation
    qint64 trainedTokens = 0;              // tokens the loss is on
    qint64 untruncatedTokens = 0;
    bool truncated = false;
    QStringList choices;  // multiple-choice / classification: every choice's text
    int goldIndex = -1;

    /// The untrained parts, concatenated (prompt and template text).
    QString promptText() const;
    /// The trained parts, concatenated (the response, end-of-turn markers).
    QString targetText() const;
};

struct DatasetIssueRow {
    qint64 line = 0;  // 1-based; 0 for the file as a whole
    QString problem;  // "invalid JSON", "missing field", ...
    QString message;
};

struct DatasetHistogramBin {
    qint64 lowerTokens = 0;  // [lower, upper)
    qint64 upperTokens = 0;
    qint64 count = 0;
};

struct DatasetInspection {
    quint64 requestNumber = 0;  // which request this answers (DatasetInspector::request's return)
    bool ok = false;
    /// Why there is nothing to show (the file, tokenizer or option at fault); empty when ok.
    QString error;
    QString path;              // the file inspected (the demo's file for the demo)
    QString fileKind;          // "JSON Lines", "CSV", ...
    QString detectedFormat;    // what auto-detection gives ("" when nothing matches)
    QString detectionProblem;  // why detection found nothing (when detectedFormat is "")
    QString format;            // the format used (override or detected)
    QString formatReason;
    QString templateName;
    QString templateNote;
    QStringList fields;           // the file's columns (CSV/TSV) or the keys of its first records
    QStringList canonicalFields;  // the format's field names that column mapping can redirect
    QVector<DatasetPreviewRow> preview;  // the first previewLimit valid examples
    QVector<DatasetIssueRow> issues;     // the first issueLimit bad rows among the inspected ones
    qint64 moreIssues = 0;               // bad rows not in `issues`
    qint64 totalRecords = 0;             // records in the file
    qint64 inspectedRecords = 0;         // records turned into examples (<= exampleLimit)
    bool capped = false;                 // inspectedRecords < totalRecords
    qint64 validExamples = 0;
    qint64 skippedRows = 0;
    qint64 truncatedExamples = 0;
    qint64 maxLengthTokens = 0;
    QVector<qint64> lengths;                   // untruncated token length of every valid example
    QVector<DatasetHistogramBin> histogram;    // core/data's lengthHistogram of `lengths`
    double seconds = 0.0;                      // wall time of the inspection
};

/// Inspects `request` with core/data. Never throws: problems come back in `error` (naming the file).
DatasetInspection inspectDataset(const DatasetInspectionRequest& request);

/// The canonical field names column mapping can redirect for a core format name (empty for
/// plain-text and unknown names).
QStringList canonicalFieldsFor(const QString& formatName);
/// Every core format name, in core order.
QStringList datasetFormatNames();

class DatasetInspector : public QObject {
    Q_OBJECT
public:
    static constexpr int debounceMs = 150;

    explicit DatasetInspector(QObject* parent = nullptr);
    /// Abandons a running inspection and waits for its thread.
    ~DatasetInspector() override;

    /// Schedules an inspection; only the newest request within the debounce interval (and while
    /// one runs) is computed and emitted. Returns the number its result will carry.
    quint64 request(const DatasetInspectionRequest& request);
    /// True from request() until the result of the newest request was emitted.
    bool isPending() const { return pending_ || running_; }

Q_SIGNALS:
    void inspected(const capsule::ui::DatasetInspection& inspection);

private:
    void startWorker();
    void onWorkerDone(const capsule::ui::DatasetInspection& inspection);

    QTimer* debounce_ = nullptr;
    DatasetInspectionRequest next_;
    quint64 nextNumber_ = 0;
    bool pending_ = false;
    bool running_ = false;
    /// The newest request number; a worker whose number is older stops early.
    std::shared_ptr<std::atomic<quint64>> newest_;
    std::thread worker_;
};

}  // namespace capsule::ui

Q_DECLARE_METATYPE(capsule::ui::DatasetInspection)
