#pragma once
// Setup: the model, the dataset, the PEFT method and the training settings, on one page with no
// wizard dead-ends. This is the shell the studio issues fill: model discovery, dataset preview and
// per-method forms plug into these four sections.
#include "controller/training_controller.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace capsule::ui {

class SetupPage : public QWidget {
    Q_OBJECT
public:
    explicit SetupPage(QWidget* parent = nullptr);

    /// Asks for a model folder and adds it to the list (remembered in QSettings).
    void addModelFolder();
    /// Asks for a dataset file.
    void chooseDatasetFile();

    /// The run the current settings describe; nullopt with `error` saying what to change (the
    /// model, dataset, folder or option at fault) when they are not valid. With the built-in demo
    /// model selected the request has demoFolder set (and data empty unless a file was chosen).
    std::optional<TrainingRequest> trainingRequest(QString* error) const;
    /// True while the built-in demo model is the selected one (the first-launch default).
    bool demoSelected() const;
    void selectDemo();
    void setMethod(const QString& methodId);
    QString method() const;
    void setMaxSteps(int steps);
    int maxSteps() const;
    void setOutputFolder(const QString& folder);

    QTableWidget* modelTable() const { return modelTable_; }
    QComboBox* methodCombo() const { return methodCombo_; }
    QString datasetPath() const;
    void setDatasetPath(const QString& path);
    void addModelFolderPath(const QString& path);

private:
    QWidget* createModelSection();
    QWidget* createDatasetSection();
    QWidget* createMethodSection();
    QWidget* createTrainingSection();
    void updateMethodDescription();
    void addDemoModelRow();
    void updateDatasetPlaceholder();

    QTableWidget* modelTable_ = nullptr;
    QLineEdit* datasetEdit_ = nullptr;
    QComboBox* methodCombo_ = nullptr;
    QLabel* methodDescription_ = nullptr;
    QSpinBox* maxStepsSpin_ = nullptr;
    QSpinBox* batchSizeSpin_ = nullptr;
    QSpinBox* maxLengthSpin_ = nullptr;
    QDoubleSpinBox* learningRateSpin_ = nullptr;
    QLineEdit* outputEdit_ = nullptr;
};

}  // namespace capsule::ui
