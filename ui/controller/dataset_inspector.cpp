#include "controller/dataset_inspector.h"

#include "data/dataset_loader.h"
#include "data/dataset_summary.h"
#include "data/example_builder.h"
#include "data/format_detection.h"
#include "data/parallel_for.h"
#include "data/record_content.h"
#include "data/record_reader.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"
#include "train/demo_assets.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>

namespace capsule::ui {
namespace {

QString fromStd(const std::string& text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

/// The model's tokenizer and chat template, kept for the next inspection: loading a large
/// tokenizer.json takes longer than inspecting a preview's worth of rows.
struct LoadedTokenizer {
    QString folder;
    QDateTime modified;  // of tokenizer.json, so an edited file is loaded again
    std::shared_ptr<const tokenizer::Tokenizer> tokenizer;
    std::optional<tokenizer::ChatTemplate> modelTemplate;
};

std::mutex& tokenizerCacheMutex() {
    static std::mutex mutex;
    return mutex;
}

LoadedTokenizer& tokenizerCache() {
    static LoadedTokenizer cache;
    return cache;
}

/// The trainer's loading (Trainer: Tokenizer::fromDirectory, then the folder's chat template,
/// ignored when unreadable). Throws std::runtime_error naming the file.
LoadedTokenizer loadTokenizer(const QString& folder) {
    const QDateTime modified = QFileInfo(QDir(folder).filePath(QStringLiteral("tokenizer.json"))).lastModified();
    {
        const std::lock_guard<std::mutex> lock(tokenizerCacheMutex());
        const LoadedTokenizer& cached = tokenizerCache();
        if (cached.tokenizer && cached.folder == folder && cached.modified == modified) return cached;
    }
    LoadedTokenizer loaded;
    loaded.folder = folder;
    loaded.modified = modified;
    loaded.tokenizer = std::make_shared<const tokenizer::Tokenizer>(tokenizer::Tokenizer::fromDirectory(folder.toStdString()));
    try {
        loaded.modelTemplate = tokenizer::ChatTemplate::fromDirectory(folder.toStdString(), loaded.tokenizer->specialTokens());
    } catch (const std::exception&) {
        loaded.modelTemplate.reset();  // as the trainer: the model's template is ignored then
    }
    const std::lock_guard<std::mutex> lock(tokenizerCacheMutex());
    tokenizerCache() = loaded;
    return loaded;
}

/// The demo's dataset where the first Start puts it (train::ensureDemoAssets), made when missing.
std::string demoDatasetPath() {
    namespace fs = std::filesystem;
    const fs::path path = fs::path(train::defaultDemoFolder()) / "sentiment.jsonl";
    if (!fs::exists(path)) {
        fs::create_directories(path.parent_path());
        train::writeDemoDataset(path.string(), 640);
    }
    return path.string();
}

/// The example as runs of trained / untrained text: each run of tokens with the same label state
/// decoded on its own (token boundaries split byte-level text exactly).
QVector<DatasetTextSegment> segmentsOf(const data::Example& example, const tokenizer::Tokenizer& tokenizer) {
    QVector<DatasetTextSegment> segments;
    size_t start = 0;
    const size_t count = example.inputIds.size();
    while (start < count) {
        const bool trained = example.labels[start] != data::kIgnoreLabel;
        size_t end = start + 1;
        while (end < count && (example.labels[end] != data::kIgnoreLabel) == trained) ++end;
        const std::vector<int64_t> ids(example.inputIds.begin() + static_cast<std::ptrdiff_t>(start),
                                       example.inputIds.begin() + static_cast<std::ptrdiff_t>(end));
        segments.push_back({fromStd(tokenizer.decode(ids, false)), trained});
        start = end;
    }
    return segments;
}

QStringList fieldsOf(const data::RecordFile& file) {
    QStringList fields;
    if (!file.columns.empty()) {
        for (const std::string& column : file.columns) fields.append(fromStd(column));
        return fields;
    }
    if (file.kind == data::FileKind::PlainText) return fields;
    // The parsed records sort their keys; the file's own order reads better, so the first
    // records' text is parsed again keeping it.
    int seen = 0;
    for (const data::RawRecord& record : file.records) {
        if (!record.fields.is_object()) continue;
        const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(record.jsonText, nullptr, false);
        if (ordered.is_object()) {
            for (auto it = ordered.begin(); it != ordered.end(); ++it)
                if (!fields.contains(fromStd(it.key()))) fields.append(fromStd(it.key()));
        }
        for (auto it = record.fields.begin(); it != record.fields.end(); ++it)  // (JSON array elements)
            if (!fields.contains(fromStd(it.key()))) fields.append(fromStd(it.key()));
        if (++seen == 20) break;
    }
    return fields;
}

struct RowState {
    std::optional<data::RecordContent> content;
    std::optional<data::RowIssue> issue;
    std::optional<data::Example> example;
};

void setIssue(RowState& row, const std::string& path, int64_t line, const data::RowProblemError& error) {
    row.issue = data::RowIssue{path, line, error.problem, error.what()};
    row.content.reset();
    row.example.reset();
}

DatasetInspection inspect(const DatasetInspectionRequest& request, const std::function<bool()>& abandoned) {
    const auto started = std::chrono::steady_clock::now();
    DatasetInspection result;
    result.maxLengthTokens = request.maxLengthTokens;
    std::string path = request.path.trimmed().toStdString();
    if (path.empty() && !request.demo) {
        result.error = QObject::tr("No dataset file chosen.");
        return result;
    }
    if (path.empty()) path = demoDatasetPath();
    result.path = fromStd(path);
    if (!QFileInfo(result.path).isFile()) {
        result.error = QObject::tr("%1: no such file").arg(QDir::toNativeSeparators(result.path));
        return result;
    }
    if (request.tokenizerFolder.isEmpty()) {
        result.error = request.demo ? QObject::tr("The demo model is made on the first Start; its tokenizer is needed "
                                                  "to preview %1.").arg(QDir::toNativeSeparators(result.path))
                                    : QObject::tr("Choose a model: its tokenizer is needed to preview %1.")
                                          .arg(QDir::toNativeSeparators(result.path));
        return result;
    }

    data::DatasetOptions options;  // as Trainer::prepare builds them from the TrainingConfig
    options.maxLengthTokens = request.maxLengthTokens;
    options.templateName = request.templateName.toStdString();
    for (auto it = request.columnMapping.begin(); it != request.columnMapping.end(); ++it)
        if (!it.value().isEmpty()) options.columnMapping[it.key().toStdString()] = it.value().toStdString();

    const LoadedTokenizer loaded = loadTokenizer(request.tokenizerFolder);
    const tokenizer::Tokenizer& tokenizer = *loaded.tokenizer;
    if (abandoned()) return result;

    data::RecordFile file = data::readRecordFile(path);
    result.fileKind = fromStd(data::fileKindName(file.kind));
    if (file.encoding != data::TextEncoding::Utf8)
        result.fileKind += QStringLiteral(" (%1)").arg(fromStd(data::textEncodingName(file.encoding)));
    result.totalRecords = static_cast<qint64>(file.records.size());
    const size_t inspected = std::min(file.records.size(), static_cast<size_t>(std::max(0, request.exampleLimit)));
    result.inspectedRecords = static_cast<qint64>(inspected);
    result.capped = inspected < file.records.size();
    // Leave a core to the GUI; the parse and tokenize passes are the trainer's, on fewer records.
    const int threads = std::max(1, data::resolveThreadCount(0) - 1);
    data::parallelFor(inspected, threads, [&](size_t i) {
        if (!abandoned()) data::parseRecord(file.records[i], file.path);
    });
    if (abandoned()) return result;
    // Format detection reads the first readable records only; the rest stay unparsed.
    file.records.resize(inspected);
    result.fields = fieldsOf(file);

    try {
        const data::FormatDetection detected = data::detectFormat(file, options);
        result.detectedFormat = fromStd(data::formatName(detected.format));
        result.formatReason = fromStd(detected.reason);
    } catch (const std::exception& problem) {
        result.detectionProblem = fromStd(problem.what());
    }
    if (!request.formatOverride.isEmpty()) options.format = data::parseDatasetFormat(request.formatOverride.toStdString());
    if (!options.format && result.detectedFormat.isEmpty()) {
        result.error = result.detectionProblem;
        return result;
    }
    const data::FormatDetection detection = data::detectFormat(file, options);  // throws when the override cannot apply
    const data::DatasetFormat format = detection.format;
    result.format = fromStd(data::formatName(format));
    result.formatReason = fromStd(detection.reason);
    result.canonicalFields = canonicalFieldsFor(result.format);

    std::string templateNote;
    const tokenizer::ChatTemplate chatTemplate =
        data::chooseTemplate(options, format, loaded.modelTemplate, tokenizer.specialTokens(), &templateNote);
    result.templateName = fromStd(chatTemplate.name());
    result.templateNote = fromStd(templateNote);
    if (format == data::DatasetFormat::Text || format == data::DatasetFormat::PlainText ||
        format == data::DatasetFormat::PromptCompletion)
        result.templateNote = QObject::tr("not used: %1 data is tokenized as written").arg(result.format);

    // The loader's passes: check each row's fields, assign classification choices, render and tokenize.
    std::vector<RowState> rows(inspected);
    data::parallelFor(inspected, threads, [&](size_t i) {
        const data::RawRecord& record = file.records[i];
        RowState& row = rows[i];
        if (record.issue) {
            row.issue = record.issue;
            return;
        }
        try {
            row.content = data::extractContent(record.fields, format, options);
        } catch (const data::RowProblemError& error) {
            setIssue(row, file.path, record.line, error);
        } catch (const std::exception& error) {
            setIssue(row, file.path, record.line, data::RowProblemError(data::RowProblem::InvalidValue, error.what()));
        }
    });
    if (format == data::DatasetFormat::Classification) {
        // As the loader without label_words (the training config has none): the distinct labels,
        // sorted, are their own words.
        std::set<std::string> seen;
        for (const RowState& row : rows)
            if (row.content) seen.insert(row.content->label);
        const std::vector<std::string> labels(seen.begin(), seen.end());
        if (labels.size() < 2)
            throw std::runtime_error(path + ": classification needs at least 2 labels, found " +
                                     std::to_string(labels.size()) + " (check label_column)");
        for (RowState& row : rows) {
            if (!row.content) continue;
            row.content->choices = labels;
            row.content->answerIndex =
                std::lower_bound(labels.begin(), labels.end(), row.content->label) - labels.begin();
        }
    }
    const data::ExampleBuilder builder(tokenizer, chatTemplate, format, options.maxLengthTokens);
    data::parallelFor(inspected, threads, [&](size_t i) {
        RowState& row = rows[i];
        if (!row.content || abandoned()) return;
        try {
            row.example = builder.build(*row.content);
        } catch (const data::RowProblemError& error) {
            setIssue(row, file.path, file.records[i].line, error);
        } catch (const std::exception& error) {
            setIssue(row, file.path, file.records[i].line,
                     data::RowProblemError(data::RowProblem::InvalidValue, std::string("cannot tokenize: ") + error.what()));
        }
        row.content.reset();
    });
    if (abandoned()) return result;

    std::vector<int64_t> lengths;
    for (size_t i = 0; i < inspected; ++i) {
        RowState& row = rows[i];
        if (row.issue) {
            ++result.skippedRows;
            if (result.issues.size() < request.issueLimit)
                result.issues.push_back({row.issue->line, fromStd(data::problemName(row.issue->problem)),
                                         fromStd(row.issue->message)});
            else
                ++result.moreIssues;
            continue;
        }
        if (!row.example) continue;
        const data::Example& example = *row.example;
        ++result.validExamples;
        if (example.truncated) ++result.truncatedExamples;
        lengths.push_back(example.untruncatedLength);
        if (result.preview.size() < request.previewLimit) {
            DatasetPreviewRow preview;
            preview.line = file.records[i].line;
            preview.segments = segmentsOf(example, tokenizer);
            preview.tokens = example.length();
            preview.trainedTokens = std::count_if(example.labels.begin(), example.labels.end(),
                                                  [](int64_t label) { return label != data::kIgnoreLabel; });
            preview.untruncatedTokens = example.untruncatedLength;
            preview.truncated = example.truncated;
            for (const auto& choice : example.choiceIds) preview.choices.append(fromStd(tokenizer.decode(choice, false)));
            preview.goldIndex = static_cast<int>(example.goldIndex);
            result.preview.push_back(preview);
        }
    }
    result.lengths.reserve(static_cast<qsizetype>(lengths.size()));
    for (const int64_t length : lengths) result.lengths.push_back(length);
    for (const data::HistogramBin& bin : data::lengthHistogram(lengths))
        result.histogram.push_back({bin.lowerTokens, bin.upperTokens, bin.count});
    result.ok = true;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

DatasetInspection inspectGuarded(const DatasetInspectionRequest& request, const std::function<bool()>& abandoned) {
    try {
        return inspect(request, abandoned);
    } catch (const std::exception& problem) {
        DatasetInspection failed;
        failed.path = request.path;
        failed.maxLengthTokens = request.maxLengthTokens;
        failed.error = fromStd(problem.what());
        return failed;
    } catch (...) {
        DatasetInspection failed;
        failed.path = request.path;
        failed.error = QObject::tr("%1: cannot be read").arg(QDir::toNativeSeparators(request.path));
        return failed;
    }
}

}  // namespace

bool DatasetInspectionRequest::operator==(const DatasetInspectionRequest& other) const {
    return path == other.path && demo == other.demo && formatOverride == other.formatOverride &&
           columnMapping == other.columnMapping && tokenizerFolder == other.tokenizerFolder &&
           maxLengthTokens == other.maxLengthTokens && templateName == other.templateName &&
           exampleLimit == other.exampleLimit &&
           previewLimit == other.previewLimit && issueLimit == other.issueLimit;
}

QString DatasetPreviewRow::promptText() const {
    QString text;
    for (const DatasetTextSegment& segment : segments)
        if (!segment.trained) text += segment.text;
    return text;
}

QString DatasetPreviewRow::targetText() const {
    QString text;
    for (const DatasetTextSegment& segment : segments)
        if (segment.trained) text += segment.text;
    return text;
}

DatasetInspection inspectDataset(const DatasetInspectionRequest& request) {
    return inspectGuarded(request, [] { return false; });
}

QStringList canonicalFieldsFor(const QString& formatName) {
    // dataset_options.h: the canonical field names per format.
    static const QMap<QString, QStringList> fields = {
        {QStringLiteral("alpaca"), {QStringLiteral("instruction"), QStringLiteral("input"), QStringLiteral("output"),
                                    QStringLiteral("system")}},
        {QStringLiteral("chat"), {QStringLiteral("messages")}},
        {QStringLiteral("sharegpt"), {QStringLiteral("conversations")}},
        {QStringLiteral("text"), {QStringLiteral("text")}},
        {QStringLiteral("prompt-completion"), {QStringLiteral("prompt"), QStringLiteral("completion")}},
        {QStringLiteral("multiple-choice"), {QStringLiteral("question"), QStringLiteral("choices"), QStringLiteral("answer")}},
        {QStringLiteral("classification"), {QStringLiteral("text"), QStringLiteral("label")}},
    };
    return fields.value(formatName);
}

QStringList datasetFormatNames() {
    QStringList names;
    for (const std::string& name : data::datasetFormatNames()) names.append(fromStd(name));
    return names;
}

DatasetInspector::DatasetInspector(QObject* parent)
    : QObject(parent), newest_(std::make_shared<std::atomic<quint64>>(0)) {
    qRegisterMetaType<capsule::ui::DatasetInspection>();
    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(debounceMs);
    connect(debounce_, &QTimer::timeout, this, &DatasetInspector::startWorker);
}

DatasetInspector::~DatasetInspector() {
    newest_->store(~quint64(0));  // abandon whatever runs
    if (worker_.joinable()) worker_.join();
}

quint64 DatasetInspector::request(const DatasetInspectionRequest& request) {
    next_ = request;
    nextNumber_ = newest_->load() + 1;
    newest_->store(nextNumber_);  // a running, now stale, inspection stops early
    pending_ = true;
    debounce_->start();  // restarts: the newest request wins
    return nextNumber_;
}

void DatasetInspector::startWorker() {
    if (running_ || !pending_) return;  // onWorkerDone starts the newest one
    pending_ = false;
    running_ = true;
    if (worker_.joinable()) worker_.join();
    worker_ = std::thread([this, request = next_, number = nextNumber_, newest = newest_] {
        DatasetInspection inspection = inspectGuarded(request, [&] { return newest->load() != number; });
        inspection.requestNumber = number;
        // Queued to the GUI thread; the destructor joins this thread first, so `this` outlives it.
        QMetaObject::invokeMethod(this, [this, inspection] { onWorkerDone(inspection); }, Qt::QueuedConnection);
    });
}

void DatasetInspector::onWorkerDone(const DatasetInspection& inspection) {
    running_ = false;
    if (worker_.joinable()) worker_.join();
    if (pending_) {
        // The request changed while this one ran: it is stale, compute the newest instead.
        if (!debounce_->isActive()) startWorker();
        return;
    }
    Q_EMIT inspected(inspection);
}

}  // namespace capsule::ui
