#pragma once
// The live dashboard: run status (step x/N, epoch, elapsed, ETA, progress), charts of training
// loss (raw + EMA-smoothed), evaluation, learning rate, grad norm, throughput and memory, and for
// AdaLoRA the rank heatmap and the budget curve. Charts take whole batches from the training
// controller (at most ~30 a second) and replot once per batch (queued), never point by point.
// Zoom and pan with the mouse; "Follow latest" keeps the newest steps in view and turns off when
// the user drags or zooms a chart.
#include "controller/run_history.h"
#include "controller/training_events.h"

#include <QString>
#include <QVector>
#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QCPGraph;
class QCustomPlot;
class QGridLayout;
class QLabel;
class QProgressBar;
class QSlider;
class QWidget;

namespace capsule::ui {

class RankBars;
class RankHeatmap;

/// What the dashboard knows about a run before its first step.
struct RunPlan {
    QString title;           // "LoRA on demo", shown in the header
    QString method;          // CLI method name: "adalora" shows the AdaLoRA view
    qint64 maxSteps = 0;
    qint64 tinit = 0;        // AdaLoRA: warm-up steps without pruning
    qint64 tfinal = 0;       // AdaLoRA: final steps at the target budget
};

class DashboardPage : public QWidget {
    Q_OBJECT
public:
    explicit DashboardPage(QWidget* parent = nullptr);

    /// Clears every chart and shows `plan` (the AdaLoRA view only for method "adalora").
    void startRun(const RunPlan& plan);
    void setRunInfo(const RunStartInfo& info);
    void appendSteps(const QVector<StepPoint>& steps);
    void appendEvaluations(const QVector<EvalPoint>& evaluations);
    void appendRanks(const QVector<RankPoint>& points, const RankAllocation& latest);
    void setRunState(RunState state, const QString& reason);
    /// Empties every chart (the run plan stays).
    void clear();
    /// Clears the dashboard and shows a stored run (RunHistory::loadRun) through the same feed the
    /// live batches use (steps, evaluations, AdaLoRA ranks), so its charts look as they did live.
    void showStoredRun(const RunDetails& details);
    /// Resume / Extend: after startRun(), shows what the run recorded up to the checkpoint it
    /// continues from (`checkpointFolder`, one of details.checkpoints), so the live points extend
    /// one curve. Nothing when the folder is not among the run's checkpoints.
    void showHistoryBefore(const RunDetails& details, const QString& checkpointFolder);

    /// EMA weight of the smoothed loss, 0 (raw) .. 0.99; TensorBoard-style debiased.
    void setSmoothing(double weight);
    double smoothing() const { return smoothing_; }
    void setFollowLatest(bool follow);
    bool followLatest() const { return followLatest_; }
    void setLogScale(bool logarithmic);
    /// Label the x axes in epochs instead of steps (the data stays keyed by step).
    void setEpochAxis(bool epochs);
    bool epochAxis() const { return epochAxis_; }
    bool logScale() const { return logScale_; }

    // Access for tests and screenshots.
    QCustomPlot* lossPlot() const { return lossPlot_; }
    QCustomPlot* evaluationPlot() const { return evaluationPlot_; }
    QCustomPlot* learningRatePlot() const { return learningRatePlot_; }
    QCustomPlot* gradNormPlot() const { return gradNormPlot_; }
    QCustomPlot* throughputPlot() const { return throughputPlot_; }
    QCustomPlot* budgetPlot() const { return budgetPlot_; }
    RankHeatmap* rankHeatmap() const { return rankHeatmap_; }
    /// The newest (at the end: final) AdaLoRA allocation as bars per adapted matrix.
    RankBars* rankBars() const { return rankBars_; }
    QCPGraph* rawLossGraph() const { return rawLoss_; }
    QCPGraph* smoothedLossGraph() const { return smoothedLoss_; }
    QCPGraph* evalLossGraph() const { return evalLoss_; }
    QCPGraph* spikeGraph() const { return spikes_; }
    QCPGraph* accuracyGraph() const { return accuracy_; }
    QCPGraph* budgetGraph() const { return budget_; }
    QCPGraph* totalRankGraph() const { return totalRank_; }
    /// The GPU-memory graph; null until a step with GPU memory arrived (CUDA runs).
    QCPGraph* gpuMemoryGraph() const { return gpuMemory_; }
    int lossPointCount() const;
    bool adaLoraViewVisible() const;
    QString statusText() const;
    QProgressBar* progressBar() const { return progress_; }

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* createControls();
    QList<QCustomPlot*> allPlots() const;
    void recomputeSmoothing();
    /// Adds one raw loss to the debiased EMA and returns the smoothed value.
    double addToEma(double value);
    double smoothedValue() const;
    void updateStatusText();
    void markPhases();
    void replotAll();
    void applyXAxisUnit();
    /// Rescales (when following) and queues a replot of `plots`; deferred while the page is hidden.
    void replot(const QList<QCustomPlot*>& plots);
    void followNewest(QCustomPlot* plot);

    // status
    QLabel* titleLabel_ = nullptr;
    QLabel* stateLabel_ = nullptr;
    QLabel* detailLabel_ = nullptr;
    QLabel* hintLabel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    // controls
    QCheckBox* followCheck_ = nullptr;
    QCheckBox* logScaleCheck_ = nullptr;
    QComboBox* xAxisCombo_ = nullptr;
    QSlider* smoothingSlider_ = nullptr;
    QLabel* smoothingValue_ = nullptr;
    // charts
    QCustomPlot* lossPlot_ = nullptr;
    QCustomPlot* evaluationPlot_ = nullptr;
    QCustomPlot* learningRatePlot_ = nullptr;
    QCustomPlot* gradNormPlot_ = nullptr;
    QCustomPlot* throughputPlot_ = nullptr;
    QCustomPlot* budgetPlot_ = nullptr;
    QGridLayout* grid_ = nullptr;
    QWidget* adaLoraPanel_ = nullptr;
    RankHeatmap* rankHeatmap_ = nullptr;
    RankBars* rankBars_ = nullptr;
    QCPGraph* rawLoss_ = nullptr;
    QCPGraph* smoothedLoss_ = nullptr;
    QCPGraph* evalLossOnLossPlot_ = nullptr;
    QCPGraph* spikes_ = nullptr;
    QCPGraph* evalLoss_ = nullptr;
    QCPGraph* accuracy_ = nullptr;
    QCPGraph* learningRate_ = nullptr;
    QCPGraph* gradNorm_ = nullptr;
    QCPGraph* tokensPerSecond_ = nullptr;
    QCPGraph* memory_ = nullptr;
    QCPGraph* gpuMemory_ = nullptr;  // CUDA runs only
    QCPGraph* budget_ = nullptr;
    QCPGraph* totalRank_ = nullptr;

    RunPlan plan_;
    RunState state_ = RunState::Idle;
    QString stateReason_;
    StepPoint lastStep_;
    bool hasStep_ = false;
    qint64 maxSteps_ = 0;
    std::optional<EvalPoint> lastEval_;
    RunStartInfo runInfo_;
    // Raw loss, kept to recompute the EMA when the smoothing changes.
    QVector<double> lossSteps_;
    QVector<double> lossValues_;
    double smoothing_ = 0.6;
    double emaAccumulator_ = 0;
    int emaCount_ = 0;
    double startLoss_ = 0;  // the first raw loss: the scale for spike detection
    bool followLatest_ = true;
    bool logScale_ = false;
    bool epochAxis_ = false;
    double appliedEpochsPerStep_ = 0;  // > 0 while the x axes are labelled in epochs
    bool replotPending_ = false;  // charts changed while hidden
};

}  // namespace capsule::ui
