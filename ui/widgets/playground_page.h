#pragma once
// The Playground page: pick a base model (a folder or the built-in demo) and an adapter folder
// (a finished run's, or one HF PEFT wrote), type a prompt, and watch the base model and the
// adapter continue it side by side with the same seed and sampling settings. For classification
// and multiple-choice adapters, a box of choices (one per line) is scored with the trainer's rank
// classification and shown as a table of probabilities, the best of each side highlighted.
// The work runs in a PlaygroundController (off the GUI thread).
#include "controller/playground_controller.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableView;

namespace capsule::ui {

class ChoiceScoreModel;

class PlaygroundPage : public QWidget {
    Q_OBJECT
public:
    explicit PlaygroundPage(QWidget* parent = nullptr);

    PlaygroundController* controller() const { return controller_; }

    /// Fills the model picker ("" = the built-in demo).
    void setModelFolder(const QString& folder);
    QString modelFolder() const;
    /// Puts `folder` at the top of the adapter picker and selects it ("" = none).
    void setAdapterFolder(const QString& folder);
    QString adapterFolder() const;
    /// Adds `folder` to the adapter picker's list without selecting it (finished runs).
    void offerAdapter(const QString& folder);
    /// Loads the picked model and adapter (asynchronous); false while the controller is busy.
    bool loadModel();
    /// Starts a generation with the prompt box and settings; false when not possible now.
    bool generate();
    /// Scores the choices box against the prompt; false when not possible now.
    bool scoreChoices();

    SamplingSettings samplingSettings() const;
    void setSamplingSettings(const SamplingSettings& settings);

    // For tests and the main window.
    QComboBox* adapterCombo() const { return adapterCombo_; }
    QPlainTextEdit* promptEdit() const { return promptEdit_; }
    QPlainTextEdit* choicesEdit() const { return choicesEdit_; }
    QPlainTextEdit* basePane() const { return basePane_; }
    QPlainTextEdit* adapterPane() const { return adapterPane_; }
    QPushButton* loadButton() const { return loadButton_; }
    QPushButton* generateButton() const { return generateButton_; }
    QPushButton* stopButton() const { return stopButton_; }
    QPushButton* scoreButton() const { return scoreButton_; }
    QTableView* scoreTable() const { return scoreTable_; }
    ChoiceScoreModel* scoreModel() const { return scoreModel_; }
    QLabel* statusLabel() const { return statusLabel_; }
    QLabel* baseRateLabel() const { return baseRateLabel_; }
    QLabel* adapterRateLabel() const { return adapterRateLabel_; }

Q_SIGNALS:
    /// Something went wrong (load, generation, scoring); the page shows it too.
    void problem(const QString& message);

private:
    void chooseModelFolder();
    void chooseAdapterFolder();
    void onLoaded(const PlaygroundModelInfo& info);
    void onFailed(const QString& message);
    void onText(PlaygroundSide side, const QString& text);
    void onGenerationFinished(const GenerationOutcome& outcome);
    void onChoicesScored(const QVector<ChoiceScore>& scores);
    void updateActions();

    PlaygroundController* controller_ = nullptr;
    QLineEdit* modelEdit_ = nullptr;
    QComboBox* adapterCombo_ = nullptr;
    QPushButton* loadButton_ = nullptr;
    QLabel* modelInfoLabel_ = nullptr;
    QPlainTextEdit* promptEdit_ = nullptr;
    QSpinBox* maxTokensSpin_ = nullptr;
    QCheckBox* greedyCheck_ = nullptr;
    QCheckBox* stopAtEndCheck_ = nullptr;
    QDoubleSpinBox* temperatureSpin_ = nullptr;
    QSpinBox* topKSpin_ = nullptr;
    QDoubleSpinBox* topPSpin_ = nullptr;
    QSpinBox* seedSpin_ = nullptr;
    QPushButton* generateButton_ = nullptr;
    QPushButton* stopButton_ = nullptr;
    QLabel* statusLabel_ = nullptr;
    QPlainTextEdit* basePane_ = nullptr;
    QPlainTextEdit* adapterPane_ = nullptr;
    QLabel* baseRateLabel_ = nullptr;
    QLabel* adapterRateLabel_ = nullptr;
    QPlainTextEdit* choicesEdit_ = nullptr;
    QPushButton* scoreButton_ = nullptr;
    QTableView* scoreTable_ = nullptr;
    ChoiceScoreModel* scoreModel_ = nullptr;
};

}  // namespace capsule::ui
