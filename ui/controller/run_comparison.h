#pragma once
// Comparing finished (or running) runs from the run store: per run its facts (method, model,
// parameter counts, best eval, duration, throughput), the curves the Compare page overlays and its
// training config flattened to key -> text, plus the config diff across the selected runs and the
// CSV export of both. Plain Qt value types only: widgets include this header, never the store's.
//
// Threads: every function opens its own read-only use of the store (one SQLite connection per
// call), so it may be called from any thread; reads see what the trainer has committed so far.
// Errors: the functions return false / an empty result and fill `error` with a message that names
// the file at fault; nothing throws out of here.
#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

namespace capsule::ui {

/// One run as the comparison lists it (no curves).
struct RunSummary {
    qint64 id = 0;
    QString name;
    QString method;             // CLI method name: "lora", "ia3", ...
    QString model;              // base model folder
    QString dataset;            // dataset file
    QString status;             // "finished", "running", ... (RunStatus strings)
    QString createdAt;          // UTC ISO-8601
    qint64 trainableParameters = -1;  // -1: not recorded (the run never got that far)
    qint64 totalParameters = -1;
    /// 100 * trainable / total; -1 when either count is missing.
    double trainablePercent = -1;
    /// The best evaluation the trainer recorded: accuracy (0..1) when the task has one, else eval
    /// loss. hasBestMetric false when the run never evaluated.
    bool hasBestMetric = false;
    QString bestMetricName;     // "accuracy" or "eval_loss"
    double bestMetric = 0;
    qint64 bestStep = -1;
    bool hasFinalEvalLoss = false;
    double finalEvalLoss = 0;   // the last eval_loss point
    /// Seconds between start and finish; for a run still going, up to its newest metric point.
    /// -1 when unknown.
    double durationSeconds = -1;
    bool hasTokensPerSecond = false;
    double tokensPerSecond = 0; // mean over the recorded steps
    qint64 lastStep = -1;
    /// An in-context-learning baseline (method "icl", train/icl_baseline.h): nothing trained, the
    /// base model with `shots` demonstrations in its prompt. Its inference cost per example:
    bool isBaseline = false;
    qint64 shots = -1;
    double promptTokensPerExample = -1;    // demonstrations + question
    double zeroShotPromptTokens = -1;      // the question alone (what a fine-tuned model reads)
    double secondsPerExample = -1;         // scoring wall time per example
    /// Prompt methods read this many virtual tokens more per example (num_virtual_tokens); 0 else.
    qint64 virtualTokens = 0;
};

/// The metrics the Compare page can overlay, and the store names behind them.
enum class ComparedMetric { TrainLoss, EvalLoss, EvalAccuracy, LearningRate };
/// "loss", "eval_loss", "accuracy", "lr".
QString metricStoreName(ComparedMetric metric);
/// All four, in menu order.
QVector<ComparedMetric> comparedMetrics();

/// One curve: steps and values of equal length, in step order.
struct MetricSeries {
    QVector<double> steps;
    QVector<double> values;
};

/// A run with everything the comparison shows.
struct ComparedRun {
    RunSummary summary;
    QMap<QString, MetricSeries> series;   // keyed by metricStoreName(); absent metrics are missing
    QMap<QString, QString> config;        // flattened config JSON: "lora_alpha" -> "16", "a.b" for nested
};

/// A config key whose values differ across the compared runs; `values` has one entry per run, in
/// the runs' order ("" where a run's config lacks the key).
struct ConfigDifference {
    QString key;
    QStringList values;
};

namespace comparison {

/// Every run in the store at `storePath`, newest first. A missing store file is an empty list
/// (nothing is created); an unreadable one returns {} and sets `error`.
QVector<RunSummary> listRuns(const QString& storePath, QString* error = nullptr);

/// The runs with these ids, in the given order, each with its summary, series and config. Ids not
/// in the store are skipped and named in `error` (the others still load).
QVector<ComparedRun> loadRuns(const QString& storePath, const QVector<qint64>& runIds, QString* error = nullptr);

/// A JSON object flattened to key -> text: nested objects as "outer.inner", arrays as compact
/// JSON ("[\"c_attn\"]"), strings without quotes, numbers and booleans as JSON writes them.
/// Invalid JSON gives {} and sets `error`.
QMap<QString, QString> flattenConfigJson(const QString& json, QString* error = nullptr);

/// Keys (sorted) whose values are not the same in every run; keys equal everywhere are left out.
/// Fewer than two runs: no differences.
QVector<ConfigDifference> configDifferences(const QVector<ComparedRun>& runs);

/// One row per run: run_id, name, method, model, status, trainable_parameters, total_parameters,
/// trainable_percent, best_metric_name, best_metric, best_step, final_eval_loss, duration_s,
/// tokens_per_s, shots, prompt_tokens_per_example, inference_s_per_example (the last three for
/// in-context baselines; empty cells where not recorded). Written atomically (temporary file + rename).
bool writeSummaryCsv(const QString& path, const QVector<ComparedRun>& runs, QString* error = nullptr);

/// The curves in long format: run_id, run, method, metric, step, value; every point of every
/// series, runs in order, metrics in comparedMetrics() order. Written atomically.
bool writeCurvesCsv(const QString& path, const QVector<ComparedRun>& runs, QString* error = nullptr);

/// Writes `bytes` to `path` atomically (temporary file + rename); false and `error` naming the
/// file when that fails. For the page's PNG export.
bool writeFileAtomically(const QString& path, const QByteArray& bytes, QString* error = nullptr);

/// The run store the studio uses: $CAPSULE_STORE, else the XDG data folder's runs.sqlite.
QString defaultStorePath();

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
QString csvField(const QString& text);

}  // namespace comparison
}  // namespace capsule::ui
