#pragma once
// What the training controller hands to the widgets, as plain Qt value types (no LibTorch, no
// SQLite): the core's observer structs converted on the training thread, then delivered on the GUI
// thread in batches (training_controller.h). Widgets include this header, never the core's
// torch-facing ones.
#include <QMetaType>
#include <QString>
#include <QVector>

namespace capsule::ui {

/// Where a run stands, as the GUI shows it.
enum class RunState {
    Idle,       // no run yet, or the last one was cleared
    Preparing,  // thread started: demo assets, model and data are being loaded
    Running,
    Paused,
    Finished,
    Failed,
    Cancelled,
};

/// "running", "paused", ... (untranslated; for logs and tests).
QString runStateName(RunState state);
/// True for Finished, Failed and Cancelled.
inline bool isTerminal(RunState state) {
    return state == RunState::Finished || state == RunState::Failed || state == RunState::Cancelled;
}

/// One reported optimizer step (train::StepMetrics).
struct StepPoint {
    qint64 step = 0;               // optimizer steps done, 1-based
    qint64 maxSteps = 0;           // the step budget
    double epoch = 0;              // fractional epochs done
    double loss = 0;               // averaged over the logging interval
    double learningRate = 0;
    double gradNorm = 0;           // before clipping
    double tokensPerSecond = 0;
    double samplesPerSecond = 0;
    double elapsedSeconds = 0;     // since this session of the run started
    double etaSeconds = 0;         // estimate for the remaining steps
    qint64 memoryBytes = 0;        // resident set size of the process
    qint64 gpuMemoryBytes = 0;     // CUDA device memory in use; 0 on the CPU
};

/// One evaluation on the validation set (train::EvalMetrics).
struct EvalPoint {
    qint64 step = 0;
    double loss = 0;
    double perplexity = 0;
    bool hasAccuracy = false;
    double accuracy = 0;           // 0..1, valid when hasAccuracy
    qint64 examples = 0;
    bool improved = false;         // best so far
};

/// AdaLoRA's budget after one step: one point of the budget curve.
struct RankPoint {
    qint64 step = 0;
    qint64 budget = 0;             // scheduled total rank b(step)
    qint64 totalRank = 0;          // Σ rank kept after this step's allocation
};

/// One adapted matrix in an AdaLoRA allocation.
struct ModuleRankCell {
    QString name;                  // HF module path, "transformer.h.3.attn.c_attn"
    int layer = -1;                // transformer block index; -1 when the name has none
    QString moduleKind;            // "attn.c_attn"; the whole name when it has no block index
    int rank = 0;                  // triplets kept
    int initialRank = 0;           // init_r
    QVector<float> importance;     // importance score of each triplet (initialRank values)
};

/// The newest complete AdaLoRA allocation (a peft::RankSnapshot).
struct RankAllocation {
    qint64 step = -1;              // -1: none yet
    qint64 budget = 0;
    qint64 totalRank = 0;
    QVector<ModuleRankCell> modules;
};

/// Facts known once the model, adapter and data are ready (train::RunInfo), plus the store's run id.
struct RunStartInfo {
    qint64 runId = -1;             // -1 when the run store could not be opened
    qint64 trainableParameters = 0;
    qint64 totalParameters = 0;
    qint64 maxSteps = 0;
    qint64 startStep = 0;
    qint64 trainExamples = 0;
    qint64 validationExamples = 0;
    QString computeDtype;
    QString device;
};

/// A line from the training engine for the log pane.
struct LogLine {
    enum Level { Info, Warning, Error };
    Level level = Info;
    QString text;
};

}  // namespace capsule::ui

Q_DECLARE_METATYPE(capsule::ui::StepPoint)
Q_DECLARE_METATYPE(capsule::ui::EvalPoint)
Q_DECLARE_METATYPE(capsule::ui::RankPoint)
Q_DECLARE_METATYPE(capsule::ui::RankAllocation)
Q_DECLARE_METATYPE(capsule::ui::RunStartInfo)
Q_DECLARE_METATYPE(capsule::ui::LogLine)
Q_DECLARE_METATYPE(capsule::ui::RunState)
