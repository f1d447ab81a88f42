#pragma once
// The live dashboard: run status, the loss and learning-rate charts (QCustomPlot). Charts take
// whole batches of points (the controller flushes at most ~30 times a second), never one by one.
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QLabel;
class QProgressBar;

namespace capsule::ui {

class DashboardPage : public QWidget {
    Q_OBJECT
public:
    explicit DashboardPage(QWidget* parent = nullptr);

    /// Appends a batch of training-loss points and replots once.
    void appendLoss(const QVector<double>& steps, const QVector<double>& losses);
    /// Appends a batch of learning-rate points and replots once.
    void appendLearningRate(const QVector<double>& steps, const QVector<double>& rates);
    void clear();

    QCustomPlot* lossPlot() const { return lossPlot_; }
    QCustomPlot* learningRatePlot() const { return learningRatePlot_; }
    int lossPointCount() const;

private:
    QCustomPlot* createPlot(const QString& title, const QString& yLabel);

    QLabel* statusLabel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QCustomPlot* lossPlot_ = nullptr;
    QCustomPlot* learningRatePlot_ = nullptr;
};

}  // namespace capsule::ui
