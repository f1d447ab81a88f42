#include "controller/export_controller.h"

#include "io/atomic_file.h"
#include "model/model_loader.h"
#include "peft/adapter.h"
#include "peft/adapter_export.h"
#include "peft/adapter_io.h"
#include "peft/merged_export.h"
#include "store/run_store.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

#include <filesystem>
#include <stdexcept>

namespace capsule::ui {
namespace fs = std::filesystem;
namespace {

/// Thrown between stages when the user cancelled.
struct Cancelled {};

QString describe(const std::exception& error) {
    if (const auto* torchError = dynamic_cast<const c10::Error*>(&error))
        return QString::fromStdString(torchError->what_without_backtrace());
    return QString::fromStdString(error.what());
}

QString methodForPeftType(const QString& peftType) {
    if (peftType == QLatin1String("LORA")) return QStringLiteral("lora");
    if (peftType == QLatin1String("ADALORA")) return QStringLiteral("adalora");
    if (peftType == QLatin1String("IA3")) return QStringLiteral("ia3");
    if (peftType == QLatin1String("PROMPT_TUNING")) return QStringLiteral("prompt-tuning");
    if (peftType == QLatin1String("P_TUNING")) return QStringLiteral("p-tuning");
    if (peftType == QLatin1String("PREFIX_TUNING")) return QStringLiteral("prefix-tuning");
    return peftType.toLower();
}

/// A Python string literal for `text` (double quotes, backslashes and quotes escaped).
QString pythonString(const QString& text) {
    QString escaped = text;
    escaped.replace(QLatin1String("\\"), QLatin1String("\\\\")).replace(QLatin1String("\""), QLatin1String("\\\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

/// The destination may be replaced only when it is missing, empty, or holds the same kind of export.
void checkDestination(const QString& destination, ExportKind kind) {
    const QFileInfo info(destination);
    if (!info.exists()) return;
    if (!info.isDir()) throw std::runtime_error(destination.toStdString() + ": exists and is not a folder");
    const QDir folder(destination);
    if (folder.isEmpty()) return;
    const QString marker = kind == ExportKind::Adapter ? QString::fromLatin1(peft::kAdapterConfigFile)
                                                       : QStringLiteral("config.json");
    if (!folder.exists(marker))
        throw std::runtime_error(destination.toStdString() + ": exists, is not empty and holds no " +
                                 marker.toStdString() + "; refusing to replace it");
}

}  // namespace

ExportController::ExportController(QObject* parent)
    : QObject(parent), cancel_(std::make_shared<std::atomic<bool>>(false)) {
    qRegisterMetaType<ExportOutcome>();
}

ExportController::~ExportController() {
    cancel_->store(true);
    if (worker_.joinable()) worker_.join();
}

AdapterCheck ExportController::inspectAdapter(const QString& folder) {
    AdapterCheck check;
    try {
        const peft::AdapterFolderSummary summary = peft::inspectAdapterFolder(folder.toStdString());
        check.valid = true;
        check.peftType = QString::fromStdString(summary.peftType);
        check.method = methodForPeftType(check.peftType);
        check.baseModel = QString::fromStdString(summary.baseModel);
        check.canMerge = summary.canMerge;
        if (!check.canMerge)
            check.mergeBlockedReason =
                tr("%1 changes the model's input, not its weights, so it cannot be merged; export the adapter folder "
                   "instead (only LoRA, AdaLoRA and IA3 merge)")
                    .arg(check.peftType);
        check.tensorCount = summary.tensorCount;
        check.parameterCount = summary.parameterCount;
        check.sizeBytes = QFileInfo(QDir(folder).filePath(QString::fromLatin1(peft::kAdapterConfigFile))).size() +
                          QFileInfo(QDir(folder).filePath(QString::fromLatin1(peft::kAdapterWeightsFile))).size();
    } catch (const std::exception& error) {
        check.error = describe(error);
    }
    return check;
}

QString ExportController::pythonSnippet(ExportKind kind, const QString& path, const QString& baseModel) {
    if (kind == ExportKind::Merged)
        return QStringLiteral(
                   "from transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
                   "model = AutoModelForCausalLM.from_pretrained(%1)\n"
                   "tokenizer = AutoTokenizer.from_pretrained(%1)\n")
            .arg(pythonString(path));
    const QString base = baseModel.isEmpty() ? QStringLiteral("\"<base model>\"") : pythonString(baseModel);
    return QStringLiteral(
               "from transformers import AutoModelForCausalLM, AutoTokenizer\n"
               "from peft import PeftModel\n\n"
               "base = AutoModelForCausalLM.from_pretrained(%1)\n"
               "model = PeftModel.from_pretrained(base, %2)\n"
               "tokenizer = AutoTokenizer.from_pretrained(%1)\n")
        .arg(base, pythonString(path));
}

qint64 ExportController::folderSizeBytes(const QString& path) {
    qint64 total = 0;
    QDirIterator files(path, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        files.next();
        total += files.fileInfo().size();
    }
    return total;
}

qint64 ExportController::recordImportedRun(const QString& storePath, const QString& folder, const AdapterCheck& check,
                                           QString* error) {
    if (!check.valid) {
        if (error) *error = check.error;
        return -1;
    }
    try {
        store::RunStore runs(storePath.isEmpty() ? store::RunStore::defaultPath() : storePath.toStdString());
        store::RunRecord run;
        run.name = tr("Imported %1").arg(QFileInfo(folder).fileName()).toStdString();
        run.baseModel = check.baseModel.toStdString();
        run.method = check.method.toStdString();
        run.outputDir = QFileInfo(folder).absoluteFilePath().toStdString();
        run.trainableParameters = check.parameterCount;
        const int64_t id = runs.createRun(run);
        runs.setStatus(id, store::RunStatus::Finished, "imported");
        store::ArtifactRecord artifact;
        artifact.runId = id;
        artifact.kind = "adapter";
        artifact.path = run.outputDir;
        artifact.description = "imported HF PEFT adapter (" + check.peftType.toStdString() + ")";
        runs.addArtifact(artifact);
        return id;
    } catch (const std::exception& exception) {
        if (error) *error = describe(exception);
        return -1;
    }
}

qint64 ExportController::runOwningFolder(store::RunStore& store, const QString& adapterFolder) {
    const QString folder = QFileInfo(adapterFolder).canonicalFilePath();
    if (folder.isEmpty()) return -1;
    qint64 owner = -1;
    qsizetype ownerLength = 0;
    for (const store::RunRecord& run : store.listRuns()) {  // newest first: ties go to the newest
        if (run.outputDir.empty()) continue;
        const QString output = QFileInfo(QString::fromStdString(run.outputDir)).canonicalFilePath();
        if (output.isEmpty() || output.size() <= ownerLength) continue;
        if (folder == output || folder.startsWith(output + QLatin1Char('/'))) {
            owner = run.id;
            ownerLength = output.size();
        }
    }
    return owner;
}

qint64 ExportController::recordExport(const ExportRequest& request, const QString& path) {
    store::RunStore runs(request.storePath.isEmpty() ? store::RunStore::defaultPath() : request.storePath.toStdString());
    const qint64 runId = request.runId >= 0 ? request.runId : runOwningFolder(runs, request.adapterFolder);
    const std::optional<store::RunRecord> run = runId >= 0 ? runs.run(runId) : std::nullopt;
    if (!run) return -1;
    store::ArtifactRecord artifact;  // the kinds and descriptions of capsule-cli export
    artifact.runId = run->id;
    artifact.path = QFileInfo(path).absoluteFilePath().toStdString();
    artifact.step = run->lastStep;
    artifact.kind = request.kind == ExportKind::Merged ? "merged-model" : "export";
    artifact.description = request.kind == ExportKind::Merged ? "merged model" : "adapter export";
    runs.addArtifact(artifact);
    return run->id;
}

bool ExportController::start(const ExportRequest& request) {
    if (running_) return false;
    if (worker_.joinable()) worker_.join();
    cancel_->store(false);
    running_ = true;
    worker_ = std::thread([this, request, cancel = cancel_] {
        ExportOutcome outcome;
        outcome.path = request.destination;
        std::string staging;
        const auto stage = [&](int percent, const QString& what) {
            if (cancel->load()) throw Cancelled{};
            Q_EMIT progress(percent, what);
            if (cancel->load()) throw Cancelled{};
        };
        try {
            if (request.destination.trimmed().isEmpty()) throw std::runtime_error("choose a destination folder");
            const std::string destination = QDir::cleanPath(request.destination).toStdString();
            stage(5, tr("Checking the adapter"));
            const peft::AdapterFolderSummary summary = peft::inspectAdapterFolder(request.adapterFolder.toStdString());
            checkDestination(request.destination, request.kind);
            staging = io::temporarySiblingPath(destination);
            if (request.kind == ExportKind::Adapter) {
                stage(30, tr("Copying and verifying the adapter files"));
                peft::exportAdapterFolder(request.adapterFolder.toStdString(), staging);
            } else {
                if (!summary.canMerge)
                    throw std::runtime_error(summary.peftType + " adapters cannot be merged into the model; export "
                                                                "the adapter folder instead");
                if (request.baseModelFolder.trimmed().isEmpty())
                    throw std::runtime_error("a merged export needs the base model folder");
                stage(10, tr("Loading the base model"));
                model::LoadOptions options;
                options.device = torch::Device(torch::kCPU);  // merged weights are written from the CPU anyway
                const auto network = model::loadModel(request.baseModelFolder.toStdString(), options);
                stage(35, tr("Loading the adapter"));
                const auto adapter = peft::loadAdapter(*network, request.adapterFolder.toStdString());
                stage(55, tr("Merging and writing the weights"));
                peft::exportMergedModel(*network, adapter.get(), request.baseModelFolder.toStdString(), staging);
            }
            stage(90, tr("Moving the export into place"));
            io::atomicReplaceDirectory(staging, destination);
            staging.clear();
            outcome.succeeded = true;
            outcome.sizeBytes = folderSizeBytes(request.destination);
            const QString baseModel = request.baseModelFolder.isEmpty() ? QString::fromStdString(summary.baseModel)
                                                                        : request.baseModelFolder;
            outcome.pythonSnippet = pythonSnippet(request.kind, QFileInfo(request.destination).absoluteFilePath(), baseModel);
            try {
                // The export is done and stays; only its entry in the history can go wrong here.
                outcome.recordedRunId = recordExport(request, QDir::cleanPath(request.destination));
            } catch (const std::exception& error) {
                outcome.recordProblem = describe(error);
            }
            Q_EMIT progress(100, tr("Done"));
        } catch (const Cancelled&) {
            outcome.cancelled = true;
        } catch (const std::exception& error) {
            outcome.error = describe(error);
        }
        if (!staging.empty()) {
            std::error_code ignored;
            fs::remove_all(staging, ignored);
        }
        QMetaObject::invokeMethod(this, [this, outcome] {
            if (worker_.joinable()) worker_.join();
            running_ = false;
            Q_EMIT finished(outcome);
        }, Qt::QueuedConnection);
    });
    return true;
}

void ExportController::cancel() { cancel_->store(true); }

}  // namespace capsule::ui
