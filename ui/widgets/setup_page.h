#pragma once
// Setup: the model, the dataset, the PEFT method and the training settings, on one page with no
// wizard dead-ends. This is the shell the studio issues fill: model discovery, dataset preview and
// per-method forms plug into these four sections. The sections and their reactions are in
// setup_page.cpp; the form as a config file and a run request in setup_page_config.cpp.
#include "controller/model_catalog.h"
#include "controller/parameter_estimator.h"
#include "controller/training_controller.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;
class QPushButton;

namespace capsule::ui {

class DatasetPanel;
class MethodOptionsForm;
class ModelList;
class ModuleTree;
class RecentFiles;
class RecentMenu;

class SetupPage : public QWidget {
    Q_OBJECT
public:
    explicit SetupPage(QWidget* parent = nullptr);

    /// Asks for a model folder and adds it to the list (remembered in QSettings).
    void addModelFolder();
    /// Asks for a dataset file (it heads the recent datasets).
    void chooseDatasetFile();

    /// The recently used model folders and dataset files (QSettings, most recent first; File ›
    /// Recent Models / Recent Datasets show the same lists).
    RecentFiles* recentModels() const;
    RecentFiles* recentDatasets() const { return recentDatasets_; }
    RecentMenu* recentDatasetsMenu() const { return recentDatasetsMenu_; }
    ModelList* modelList() const { return modelList_; }
    /// A recent entry picked: selects the model / sets the dataset. A model folder without
    /// config.json or a missing dataset file leaves its list; false with `problem` saying so.
    bool openRecentModel(const QString& folder, QString* problem);
    bool openRecentDataset(const QString& path, QString* problem);
    /// File › Recent Models and Recent Datasets: menus on the same lists that open their entries
    /// here (a problem is shown in a message box). Owned by `parent`.
    QList<RecentMenu*> createRecentMenus(QWidget* parent);

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

    QTableWidget* modelTable() const;
    QComboBox* methodCombo() const { return methodCombo_; }
    QString datasetPath() const;
    void setDatasetPath(const QString& path);
    void addModelFolderPath(const QString& path);
    MethodOptionsForm* methodOptions() const { return methodOptions_; }
    /// The Dataset section: format override, column mapping, preview, issues, token lengths.
    DatasetPanel* datasetPanel() const { return datasetPanel_; }

    /// The whole setup as the JSON config file holds it (what `capsule-cli train --config` reads):
    /// the form's values over the last loaded file's other keys. The built-in demo is model "";
    /// `out` is the output folder (the studio makes one run folder per start inside it).
    train::TrainingConfig setupConfig() const;
    /// Fills every widget from `config` (model "" selects the demo; another model folder is added
    /// to the list and selected); keys without a widget are kept for setupConfig().
    void applySetupConfig(const train::TrainingConfig& config);
    /// Writes setupConfig() as JSON to `path`. False with `error` naming the file on failure.
    bool saveSetup(const QString& path, QString* error) const;
    /// Reads a config file (train::loadTrainingConfig) and applies it. False with `error` naming the
    /// file and the key at fault; the widgets are left as they were then.
    bool loadSetup(const QString& path, QString* error);
    /// The file dialogs around saveSetup / loadSetup; problems are shown in a message box.
    void saveSetupWithDialog();
    void loadSetupWithDialog();

    /// What must change before Start ("" when nothing): trainingRequest()'s problems, the method
    /// options the method rejects (target_r > init_r, AdaLoRA's phases longer than the run, ...)
    /// and those the parameter estimate found. Shown in red next to Start, which is disabled then.
    QString settingsProblem() const;
    bool canStart() const { return settingsProblem().isEmpty(); }
    /// The last trainable-parameter estimate shown (valid false while none arrived).
    const ParameterEstimate& parameterEstimate() const { return estimate_; }
    /// True while the estimate for the current settings is being computed.
    bool estimatePending() const { return estimator_->isPending(); }
    QLabel* parameterLabel() const { return parameterLabel_; }
    /// The model's linear layers with the method's targets ticked (from the estimate).
    ModuleTree* moduleTree() const { return moduleTree_; }
    QLabel* memoryLabel() const { return memoryLabel_; }
    QLabel* modelSummaryLabel() const { return modelSummaryLabel_; }
    QComboBox* deviceCombo() const { return deviceCombo_; }
    QComboBox* dtypeCombo() const { return dtypeCombo_; }
    /// Scans the hub cache and the added folders again (off the GUI thread); the table fills in.
    void refreshModels();
    ModelCatalog* modelCatalog() const;
    QLabel* problemLabel() const { return problemLabel_; }
    QPushButton* startButton() const { return startButton_; }

Q_SIGNALS:
    /// The Start button next to the problem label was pressed (the main window starts the run).
    void startRequested();
    /// canStart() may have changed.
    void validityChanged(bool canStart);
    /// Any setting changed (model, dataset, method, an option, a training setting).
    void setupChanged();

private:
    QWidget* createModelSection();
    QWidget* createDatasetSection();
    QWidget* createMethodSection();
    QWidget* createTrainingSection();
    void updateMethodDescription();
    void updateDatasetPlaceholder();
    /// Tells the dataset panel the selected model (its tokenizer) and the max length.
    void updateDatasetInspection();
    void onMethodChanged();
    void onModelSelectionChanged();
    void onMaxStepsChanged(int steps);
    /// With the demo selected: the demo's tuned options for the shown method (smaller ranks and
    /// AdaLoRA phases scaled to max steps, every linear layer for AdaLoRA).
    void fillDemoDefaults();
    /// Batch size and max length suggested for the selected model's size.
    void applySizeDefaults();
    QWidget* createStartRow();
    void onSetupChanged();
    void onEstimated(const capsule::ui::ParameterEstimate& estimate);
    void updateValidation();
    /// The dataset panel's column mapping as TrainingConfig::columnMapping entries.
    std::vector<std::string> columnMappingEntries() const;
    void onModuleSelectionEdited(const QStringList& checked, const QStringList& all);

    ModelList* modelList_ = nullptr;
    RecentFiles* recentDatasets_ = nullptr;
    RecentMenu* recentDatasetsMenu_ = nullptr;
    QLineEdit* datasetEdit_ = nullptr;  // the dataset panel's path field
    DatasetPanel* datasetPanel_ = nullptr;
    QComboBox* methodCombo_ = nullptr;
    QLabel* methodDescription_ = nullptr;
    QSpinBox* maxStepsSpin_ = nullptr;
    QSpinBox* batchSizeSpin_ = nullptr;
    QSpinBox* maxLengthSpin_ = nullptr;
    QDoubleSpinBox* learningRateSpin_ = nullptr;
    QLineEdit* outputEdit_ = nullptr;
    MethodOptionsForm* methodOptions_ = nullptr;
    /// The keys without a widget (schedule, warm-up, seed, ...), from the last loaded file.
    train::TrainingConfig baseConfig_;
    /// True while applySetupConfig fills the widgets (no demo defaults over the file's values).
    bool applying_ = false;
    /// The max steps the demo's AdaLoRA phases in the form were scaled to (0: not demo values).
    int demoScheduleSteps_ = 0;
    ParameterEstimator* estimator_ = nullptr;
    ParameterEstimate estimate_;
    QLabel* parameterLabel_ = nullptr;
    QLabel* modelSummaryLabel_ = nullptr;
    QLabel* memoryLabel_ = nullptr;
    ModuleTree* moduleTree_ = nullptr;
    QSpinBox* checkpointEverySpin_ = nullptr;
    QComboBox* deviceCombo_ = nullptr;
    QComboBox* dtypeCombo_ = nullptr;
    QLabel* problemLabel_ = nullptr;
    QPushButton* startButton_ = nullptr;
};

}  // namespace capsule::ui
