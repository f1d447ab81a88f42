#pragma once
// Export and import of adapter folders for the studio (the same core calls capsule-cli export
// uses: peft::exportAdapterFolder, peft::exportMergedModel).
//
// An export runs on a worker thread and writes into a temporary folder next to the destination
// (`<destination>.tmp-<pid>-<random>`), which replaces the destination only at the very end:
// cancelling or failing leaves neither a half-written destination nor the temporary folder.
// Cancellation is checked between the stages (check, load base model, load adapter, merge and
// write, finish); a stage itself runs to its end.
//
// A successful export is recorded in the run store as an artifact of the run the adapter belongs
// to, as `capsule-cli export` records it: kind "export" (adapter folder) or "merged-model", the
// destination, the run's last step. The run is ExportRequest::runId, else the run whose output
// folder holds the adapter folder (its adapter, best/ or a checkpoint's); none found: nothing is
// recorded. Cancelled and failed exports record nothing.
//
// Threads: start(), cancel() and finished() belong to the GUI thread; progress() is emitted from
// the worker thread (connect with the default connection for widgets: it is queued).
#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <thread>
#include <utility>

namespace capsule::store {
class RunStore;
}

namespace capsule::ui {

enum class ExportKind {
    Adapter,  ///< HF PEFT adapter folder (adapter_config.json + adapter_model.safetensors)
    Merged,   ///< plain HF model folder with the adapter folded in (LoRA, AdaLoRA, IA3)
};

/// What an adapter folder holds (peft::inspectAdapterFolder as Qt values).
struct AdapterCheck {
    bool valid = false;
    QString error;               // why not valid; names the file at fault
    QString peftType;            // "LORA", ...
    QString method;              // Capsule's method name: "lora", "adalora", "ia3", "prompt-tuning", ...
    QString baseModel;           // base_model_name_or_path ("" when absent)
    bool canMerge = false;
    QString mergeBlockedReason;  // why a merged export is not offered
    qint64 tensorCount = 0;
    qint64 parameterCount = 0;
    qint64 sizeBytes = 0;        // both files
};

struct ExportRequest {
    ExportRequest() = default;
    ExportRequest(QString adapter, QString baseModel, QString destinationFolder, ExportKind exportKind)
        : adapterFolder(std::move(adapter)), baseModelFolder(std::move(baseModel)),
          destination(std::move(destinationFolder)), kind(exportKind) {}

    QString adapterFolder;
    QString baseModelFolder;     // needed for Merged; the snippet names it for Adapter
    QString destination;
    ExportKind kind = ExportKind::Adapter;
    qint64 runId = -1;           // the run the adapter belongs to; -1: found by adapterFolder
    QString storePath;           // the run store to record the export in; empty: the default store
};

struct ExportOutcome {
    bool succeeded = false;
    bool cancelled = false;
    QString path;
    qint64 sizeBytes = 0;        // everything written
    QString error;
    QString pythonSnippet;       // how to load the result with transformers / peft
    qint64 recordedRunId = -1;   // the run the export was recorded under; -1: not recorded
    QString recordProblem;       // why recording failed (the export itself succeeded)
};

class ExportController : public QObject {
    Q_OBJECT
public:
    explicit ExportController(QObject* parent = nullptr);
    /// Cancels a running export and joins (the temporary folder is removed).
    ~ExportController() override;

    /// Checks config and weights without a model (cheap; GUI thread is fine).
    static AdapterCheck inspectAdapter(const QString& folder);
    /// A short Python snippet that loads the export.
    static QString pythonSnippet(ExportKind kind, const QString& path, const QString& baseModel);
    /// Total size of the regular files under `path`.
    static qint64 folderSizeBytes(const QString& path);
    /// Records an imported adapter folder as a finished run in the run store at `storePath`
    /// (created when missing; empty: the default store, $CAPSULE_STORE honoured) with an "adapter" artifact. Returns the run id, or -1 with `error`.
    static qint64 recordImportedRun(const QString& storePath, const QString& folder, const AdapterCheck& check,
                                    QString* error = nullptr);

    /// The newest run in `store` whose output folder is `adapterFolder` or holds it (best/,
    /// checkpoints/step-N/adapter); -1 when none. Paths are compared canonically.
    static qint64 runOwningFolder(store::RunStore& store, const QString& adapterFolder);
    /// Records a finished export of `request` at `path` as an artifact (see above). Returns the run
    /// id, -1 when no run owns the adapter; throws on store errors.
    static qint64 recordExport(const ExportRequest& request, const QString& path);

    /// Starts an export on a worker thread; false while one runs or when the request is not
    /// valid (finished() then reports why, as for every failure).
    bool start(const ExportRequest& request);
    /// Stops at the next stage boundary; finished() follows with cancelled set.
    void cancel();
    bool isRunning() const { return running_; }

Q_SIGNALS:
    /// 0..100 and what is being done (emitted from the worker thread).
    void progress(int percent, const QString& stage);
    void finished(const capsule::ui::ExportOutcome& outcome);

private:
    std::shared_ptr<std::atomic<bool>> cancel_;
    std::thread worker_;
    bool running_ = false;
};

}  // namespace capsule::ui

Q_DECLARE_METATYPE(capsule::ui::ExportOutcome)
