#pragma once
// Compare: tick runs from the store to overlay their curves (one colour-blind-safe colour per run,
// legend "name (method)"), see the settings that differ between them, and a scatter of the best
// evaluation against trainable parameters (log scale) with one point per run labelled with its
// method: the seed paper's question of performance against parameter efficiency. In-context
// baselines (method "icl": the base model with k demonstrations in its prompt, nothing trained)
// are drawn as dashed horizontal lines in both charts, and a cost list sets their inference cost
// per example (prompt tokens, time) next to each trained run's training time. The comparison
// exports as a PNG (overlay and scatter side by side) and as CSV (summary + curves).
//
// Threads: GUI thread only. Reading the store is quick (indexed per run), so it runs inline.
#include "controller/run_comparison.h"

#include <QColor>
#include <QPen>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QTableView;

namespace capsule::ui {

class CompareRunModel;
class ConfigDiffModel;

class ComparePage : public QWidget {
    Q_OBJECT
public:
    explicit ComparePage(QWidget* parent = nullptr);

    /// The store to read; empty (the default) = comparison::defaultStorePath() at each refresh.
    void setStorePath(const QString& path);
    QString storePath() const;

    /// Re-reads the run list (ticks of runs still present stay) and the compared runs.
    void refreshRuns();
    /// Ticks exactly these runs (ids not in the list are ignored) and redraws.
    void setComparedRuns(const QVector<qint64>& runIds);
    /// The overlaid metric (the selector follows).
    void setMetric(ComparedMetric metric);
    ComparedMetric metric() const;

    /// The runs drawn now, in list order, with their curves.
    const QVector<ComparedRun>& comparedRuns() const { return compared_; }
    /// The text of the last problem reading the store or writing a file ("" when none).
    QString lastError() const { return lastError_; }

    /// Writes one PNG: the overlay and the scatter side by side, each `plotWidth` x `plotHeight`
    /// pixels. Atomic; false (and lastError) naming the file on failure.
    bool exportPng(const QString& path, int plotWidth = 900, int plotHeight = 560);
    /// Writes the summary to `path` and the curves to curvesCsvPath(path). Atomic each.
    bool exportCsv(const QString& path);
    /// "a/comparison.csv" -> "a/comparison-curves.csv".
    static QString curvesCsvPath(const QString& summaryPath);

    /// The palette: Okabe–Ito colours (colour-blind safe) on a light background, in this order;
    /// run i gets colour i % 8, and solid, dashed, dotted... lines past the eighth run.
    static QColor runColor(int index);
    static QPen runPen(int index, double width = 1.8);

    CompareRunModel* runModel() const { return runModel_; }
    ConfigDiffModel* diffModel() const { return diffModel_; }
    QTableView* runTable() const { return runTable_; }
    QTableView* diffTable() const { return diffTable_; }
    QCustomPlot* overlayPlot() const { return overlay_; }
    QCustomPlot* scatterPlot() const { return scatter_; }
    QComboBox* metricCombo() const { return metricCombo_; }
    QPushButton* refreshButton() const { return refreshButton_; }
    QPushButton* compareMethodsButton() const { return compareMethodsButton_; }
    QPushButton* iclBaselineButton() const { return iclBaselineButton_; }
    /// The "prompting vs fine-tuning" lines under the charts (empty without a baseline ticked).
    QLabel* costLabel() const { return costLabel_; }
    /// Those lines for `runs`: one per run with its best eval and its cost; trained runs show the
    /// prompt tokens they read per example when a baseline on the same dataset says (the question
    /// alone plus their virtual tokens). Public for tests.
    static QStringList costLines(const QVector<ComparedRun>& runs);

    /// The scatter's y quantity for these runs: accuracy when every run with an evaluation has one,
    /// else eval loss. Public for tests.
    static bool scatterUsesAccuracy(const QVector<ComparedRun>& runs);
    /// Run's y value in the scatter (best accuracy, or best = lowest eval loss); false when none.
    static bool scatterValue(const ComparedRun& run, bool accuracy, double* value);

Q_SIGNALS:
    /// The set of drawn runs changed (after the charts were redrawn).
    void comparisonChanged();
    /// "Compare Methods…" was pressed: the window asks which methods and queues the runs.
    void compareMethodsRequested();
    /// "ICL Baseline…" was pressed: the window asks for k and scores the setup's model with k
    /// demonstrations in its prompt.
    void iclBaselineRequested();

protected:
    /// The first time the page shows, it reads the store.
    void showEvent(QShowEvent* event) override;

private:
    void reloadCompared();
    void redrawOverlay();
    void redrawScatter();
    void exportPngWithDialog();
    void exportCsvWithDialog();
    void reportError(const QString& message);

    QString storePath_;
    bool loadedOnce_ = false;
    QString lastError_;
    QVector<ComparedRun> compared_;
    CompareRunModel* runModel_ = nullptr;
    ConfigDiffModel* diffModel_ = nullptr;
    QTableView* runTable_ = nullptr;
    QTableView* diffTable_ = nullptr;
    QCustomPlot* overlay_ = nullptr;
    QCustomPlot* scatter_ = nullptr;
    QComboBox* metricCombo_ = nullptr;
    QPushButton* refreshButton_ = nullptr;
    QPushButton* compareMethodsButton_ = nullptr;
    QPushButton* iclBaselineButton_ = nullptr;
    QLabel* costLabel_ = nullptr;
    QPushButton* exportPngButton_ = nullptr;
    QPushButton* exportCsvButton_ = nullptr;
    QLabel* hintLabel_ = nullptr;
    QLabel* errorLabel_ = nullptr;
};

}  // namespace capsule::ui
