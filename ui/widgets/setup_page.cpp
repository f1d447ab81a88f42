#include "widgets/setup_page.h"

#include "controller/module_targets.h"
#include "controller/recent_files.h"
#include "widgets/dataset_panel.h"
#include "widgets/method_options_form.h"
#include "widgets/model_list.h"
#include "widgets/module_tree.h"
#include "widgets/recent_menu.h"
#include "widgets/theme.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLocale>
#include <QLabel>
#include <QKeySequence>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace capsule::ui {
namespace {
/// The one dataset earlier versions remembered; it seeds the recent datasets once.
constexpr auto kLegacyDatasetKey = "setup/recentDataset";

QGroupBox* section(const QString& title, QWidget* parent) {
    auto* box = new QGroupBox(title, parent);
    box->setStyleSheet(QStringLiteral("QGroupBox { font-weight: 600; }"));
    return box;
}
}  // namespace

SetupPage::SetupPage(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("setupPage"));
    recentDatasets_ = new RecentFiles(RecentFiles::datasetsKey(), RecentFiles::defaultMaximum, this);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* content = new QWidget(scroll);
    auto* column = new QVBoxLayout(content);
    column->setContentsMargins(16, 12, 16, 12);
    column->setSpacing(12);

    auto* heading = new QLabel(tr("<h2>New training run</h2>"), content);
    auto* intro = new QLabel(tr("Pick a base model from disk, a dataset file and a PEFT method, then press Start."),
                             content);
    intro->setWordWrap(true);
    column->addWidget(heading);
    column->addWidget(intro);

    auto* grid = new QHBoxLayout;
    auto* left = new QVBoxLayout;
    auto* right = new QVBoxLayout;
    left->addWidget(createModelSection(), 3);
    left->addWidget(createDatasetSection(), 1);
    right->addWidget(createMethodSection());
    right->addWidget(createTrainingSection());
    right->addStretch(1);
    grid->addLayout(left, 3);
    grid->addLayout(right, 2);
    column->addLayout(grid, 1);
    column->addWidget(createStartRow());
    scroll->setWidget(content);

    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    QSettings settings;
    if (settings.contains(QLatin1String(kLegacyDatasetKey))) {
        if (recentDatasets_->isEmpty()) recentDatasets_->add(settings.value(QLatin1String(kLegacyDatasetKey)).toString());
        settings.remove(QLatin1String(kLegacyDatasetKey));
    }
    // The dataset used last is where the user left off (one deleted since is skipped, not shown as a problem).
    for (const QString& dataset : recentDatasets_->paths()) {
        if (!QFileInfo(dataset).isFile()) continue;
        setDatasetPath(dataset);
        break;
    }
    estimator_ = new ParameterEstimator(this);
    connect(estimator_, &ParameterEstimator::estimated, this, &SetupPage::onEstimated);
    connect(this, &SetupPage::setupChanged, this, &SetupPage::onSetupChanged);
    selectDemo();
    onSetupChanged();
}

QWidget* SetupPage::createStartRow() {
    auto* row = new QWidget(this);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    problemLabel_ = new QLabel(row);
    problemLabel_->setObjectName(QStringLiteral("setupProblem"));
    problemLabel_->setWordWrap(true);
    problemLabel_->setStyleSheet(QStringLiteral("color: %1; font-weight: 600;").arg(theme::errorColorName(palette())));
    problemLabel_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    startButton_ = new QPushButton(QIcon(QStringLiteral(":/icons/start.svg")), tr("Start Training"), row);
    startButton_->setObjectName(QStringLiteral("setupStart"));
    startButton_->setToolTip(tr("Start training with this setup (%1)")
                                 .arg(QKeySequence(Qt::CTRL | Qt::Key_Return).toString(QKeySequence::NativeText)));
    connect(startButton_, &QPushButton::clicked, this, &SetupPage::startRequested);
    layout->addWidget(problemLabel_, 1);
    layout->addWidget(startButton_);
    return row;
}

void SetupPage::onSetupChanged() {
    // The shown count belongs to the old settings until the new one arrives; its problem no longer applies.
    estimate_ = ParameterEstimate{};
    parameterLabel_->setText(tr("trainable parameters: counting…"));
    estimator_->request(setupConfig());
    updateValidation();
}

void SetupPage::onEstimated(const ParameterEstimate& estimate) {
    estimate_ = estimate;
    parameterLabel_->setText(estimate.text());
    modelSummaryLabel_->setText(estimate.modelSummary);
    modelSummaryLabel_->setVisible(!estimate.modelSummary.isEmpty());
    memoryLabel_->setText(estimate.memoryText());
    memoryLabel_->setVisible(estimate.valid);
    memoryLabel_->setStyleSheet(estimate.exceedsAvailableMemory()
                                    ? QStringLiteral("color: %1;").arg(theme::errorColorName(palette()))
                                    : QString());
    moduleTree_->setModules(estimate.modules, estimate.usesTargetModules);
    if (estimate.valid && deviceCombo_->currentIndex() == 0)
        deviceCombo_->setItemText(0, tr("auto (%1)").arg(estimate.deviceName));
    if (estimate.valid && dtypeCombo_->currentIndex() == 0)
        dtypeCombo_->setItemText(0, tr("auto (%1)").arg(estimate.computeDtype));
    updateValidation();
}

void SetupPage::onModuleSelectionEdited(const QStringList& checked, const QStringList& all) {
    if (checked.isEmpty()) {
        // PEFT has no "no layer": an empty target_modules means the architecture default. Show the
        // layers that train now again instead.
        moduleTree_->setModules(estimate_.modules, estimate_.usesTargetModules);
        return;
    }
    methodOptions_->setTargetModules(targetModulesFor(checked, all));
}

void SetupPage::updateValidation() {
    const QString problem = settingsProblem();
    problemLabel_->setText(problem);
    problemLabel_->setToolTip(problem);
    startButton_->setEnabled(problem.isEmpty());
    Q_EMIT validityChanged(problem.isEmpty());
}

void SetupPage::refreshModels() {
    modelList_->refresh();
}

QTableWidget* SetupPage::modelTable() const {
    return modelList_->table();
}

ModelCatalog* SetupPage::modelCatalog() const {
    return modelList_->catalog();
}

QWidget* SetupPage::createModelSection() {
    auto* box = section(tr("Model"), this);
    auto* layout = new QVBoxLayout(box);
    modelList_ = new ModelList(box);
    connect(modelList_, &ModelList::selectionChanged, this, &SetupPage::onModelSelectionChanged);
    connect(modelList_, &ModelList::selectedModelInspected, this, [this] {
        if (!applying_) applySizeDefaults();
    });
    layout->addWidget(modelList_, 2);
    modelSummaryLabel_ = new QLabel(box);
    modelSummaryLabel_->setObjectName(QStringLiteral("modelSummary"));
    modelSummaryLabel_->setWordWrap(true);
    memoryLabel_ = new QLabel(box);
    memoryLabel_->setObjectName(QStringLiteral("memoryEstimate"));
    memoryLabel_->setWordWrap(true);
    memoryLabel_->setToolTip(tr("Estimated memory for training with these settings: the frozen weights at the compute "
                                "dtype, the adapter with its gradients and AdamW state, the activations kept for one "
                                "micro-batch (batch size × max length) and the logits. The runtime itself comes on top."));
    moduleTree_ = new ModuleTree(box);
    moduleTree_->setMinimumHeight(160);
    connect(moduleTree_, &ModuleTree::selectionEdited, this, &SetupPage::onModuleSelectionEdited);
    layout->addWidget(modelSummaryLabel_);
    layout->addWidget(memoryLabel_);
    layout->addWidget(moduleTree_, 3);
    return box;
}

QWidget* SetupPage::createDatasetSection() {
    auto* box = section(tr("Dataset"), this);
    auto* layout = new QVBoxLayout(box);
    datasetPanel_ = new DatasetPanel(box);
    datasetEdit_ = datasetPanel_->pathEdit();
    connect(datasetPanel_, &DatasetPanel::browseRequested, this, &SetupPage::chooseDatasetFile);
    auto* recentButton = new QToolButton(box);
    recentButton->setObjectName(QStringLiteral("recentDatasets"));
    recentButton->setText(tr("R&ecent"));
    recentButton->setToolTip(tr("The dataset files you used last"));
    recentButton->setPopupMode(QToolButton::InstantPopup);
    recentDatasetsMenu_ = new RecentMenu(tr("Recent Datasets"), recentDatasets_, recentButton);
    recentButton->setMenu(recentDatasetsMenu_);
    connect(recentDatasetsMenu_, &RecentMenu::pathChosen, this, [this](const QString& path) {
        QString problem;
        if (!openRecentDataset(path, &problem)) QMessageBox::warning(this, tr("Recent dataset"), problem);
    });
    datasetPanel_->addFileRowWidget(recentButton);
    QWidget::setTabOrder(datasetPanel_->browseButton(), recentButton);
    // A path typed or pasted counts as used once it names a file.
    connect(datasetEdit_, &QLineEdit::editingFinished, this, [this] {
        if (QFileInfo(datasetPath().trimmed()).isFile()) recentDatasets_->add(datasetPath().trimmed());
    });
    connect(datasetEdit_, &QLineEdit::textChanged, this, &SetupPage::setupChanged);
    connect(datasetPanel_, &DatasetPanel::overridesChanged, this, &SetupPage::setupChanged);
    // Start is blocked while the preview finds no usable example (trainingRequest).
    connect(datasetPanel_, &DatasetPanel::inspectionChanged, this, &SetupPage::updateValidation);
    connect(this, &SetupPage::setupChanged, this, &SetupPage::updateDatasetInspection);
    QTimer::singleShot(0, this, &SetupPage::updateDatasetInspection);  // the first preview, once built
    layout->addWidget(datasetPanel_);
    return box;
}

void SetupPage::updateDatasetInspection() {
    const train::TrainingConfig config = setupConfig();
    const bool demo = demoSelected();
    datasetPanel_->setModel(demo ? demoModelFolderForEstimate() : QString::fromStdString(config.model), demo);
    datasetPanel_->setMaxLength(config.maxLength);
    datasetPanel_->setTemplateName(QString::fromStdString(config.templateName));  // from a loaded config file
}

QWidget* SetupPage::createMethodSection() {
    auto* box = section(tr("Method"), this);
    auto* layout = new QFormLayout(box);
    methodCombo_ = new QComboBox(box);
    methodCombo_->setObjectName(QStringLiteral("methodCombo"));
    const struct {
        const char* id;
        QString name;
        QString description;
    } methods[] = {
        {"lora", tr("LoRA"), tr("Low-rank update B·A added to the chosen linear layers.")},
        {"adalora", tr("AdaLoRA"), tr("LoRA in SVD form whose ranks are reallocated during training to the layers that matter.")},
        {"ia3", tr("(IA)³"), tr("Learned vectors that rescale attention keys/values and feed-forward activations.")},
        {"prompt-tuning", tr("Prompt tuning"), tr("Trainable virtual tokens prepended to the input embeddings.")},
        {"prefix-tuning", tr("Prefix tuning"), tr("Trainable key/value prefixes in every attention layer.")},
        {"p-tuning", tr("P-tuning"), tr("Virtual tokens produced by a small MLP or LSTM prompt encoder.")},
        {"t-few", tr("T-Few"), tr("(IA)³ plus unlikelihood and length-normalised losses for multiple-choice data.")},
    };
    for (const auto& method : methods) {
        methodCombo_->addItem(method.name, QString::fromLatin1(method.id));
        methodCombo_->setItemData(methodCombo_->count() - 1, method.description, Qt::ToolTipRole);
    }
    methodDescription_ = new QLabel(box);
    methodDescription_->setWordWrap(true);
    methodDescription_->setStyleSheet(QStringLiteral("color: palette(placeholder-text);"));  // dim, light or dark
    methodOptions_ = new MethodOptionsForm(box);
    connect(methodCombo_, &QComboBox::currentIndexChanged, this, &SetupPage::onMethodChanged);
    connect(methodOptions_, &MethodOptionsForm::optionsChanged, this, &SetupPage::setupChanged);
    layout->addRow(tr("&PEFT method:"), methodCombo_);
    layout->addRow(methodDescription_);
    layout->addRow(methodOptions_);
    parameterLabel_ = new QLabel(box);
    parameterLabel_->setObjectName(QStringLiteral("trainableParameters"));
    parameterLabel_->setStyleSheet(QStringLiteral("font-weight: 600;"));
    parameterLabel_->setToolTip(tr("Exactly what the trainer will train: the method applied to the model's skeleton "
                                   "(shapes only, no weights loaded), counted as PEFT's print_trainable_parameters()"));
    layout->addRow(parameterLabel_);
    updateMethodDescription();
    return box;
}

QWidget* SetupPage::createTrainingSection() {
    auto* box = section(tr("Training"), this);
    auto* layout = new QFormLayout(box);
    maxStepsSpin_ = new QSpinBox(box);
    maxStepsSpin_->setRange(0, 10'000'000);
    maxStepsSpin_->setSpecialValueText(tr("by epochs"));
    maxStepsSpin_->setObjectName(QStringLiteral("maxSteps"));
    maxStepsSpin_->setValue(300);
    maxStepsSpin_->setToolTip(tr("Number of optimizer steps"));
    batchSizeSpin_ = new QSpinBox(box);
    batchSizeSpin_->setRange(1, 4096);
    batchSizeSpin_->setObjectName(QStringLiteral("batchSize"));
    batchSizeSpin_->setValue(16);
    batchSizeSpin_->setToolTip(tr("Examples per optimizer step"));
    maxLengthSpin_ = new QSpinBox(box);
    maxLengthSpin_->setRange(0, 1'048'576);
    maxLengthSpin_->setObjectName(QStringLiteral("maxLength"));
    maxLengthSpin_->setValue(256);
    maxLengthSpin_->setToolTip(tr("Longer examples are truncated to this many tokens"));
    learningRateSpin_ = new QDoubleSpinBox(box);
    learningRateSpin_->setObjectName(QStringLiteral("learningRate"));
    learningRateSpin_->setDecimals(6);
    learningRateSpin_->setRange(0.0, 1.0);
    learningRateSpin_->setSingleStep(1e-4);
    learningRateSpin_->setSpecialValueText(tr("method default"));
    learningRateSpin_->setValue(0.0);
    learningRateSpin_->setToolTip(tr("Peak learning rate of the schedule; \"method default\" picks the usual value for "
                                     "the method (2e-4 for LoRA, 3e-3 for (IA)³, 3e-2 for prompt methods; the demo uses its own)"));
    outputEdit_ = new QLineEdit(box);
    outputEdit_->setObjectName(QStringLiteral("outputFolder"));
    // Same data folder as the core run store: $XDG_DATA_HOME/capsule.
    outputEdit_->setText(QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
                             .filePath(QStringLiteral("capsule/runs")));
    outputEdit_->setToolTip(tr("Each run gets its own folder in here (method and time) with its checkpoints and adapter"));
    layout->addRow(tr("Max &steps:"), maxStepsSpin_);
    layout->addRow(tr("Batch si&ze:"), batchSizeSpin_);
    layout->addRow(tr("Max le&ngth:"), maxLengthSpin_);
    layout->addRow(tr("Learn&ing rate:"), learningRateSpin_);
    deviceCombo_ = new QComboBox(box);
    deviceCombo_->setObjectName(QStringLiteral("device"));
    deviceCombo_->addItem(tr("auto"), QStringLiteral("auto"));
    deviceCombo_->addItem(tr("CPU"), QStringLiteral("cpu"));
    deviceCombo_->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
    deviceCombo_->setToolTip(tr("Where training runs; auto uses the GPU when LibTorch sees one"));
    dtypeCombo_ = new QComboBox(box);
    dtypeCombo_->setObjectName(QStringLiteral("computeDtype"));
    for (const char* dtype : {"auto", "float32", "bfloat16", "float16"})
        dtypeCombo_->addItem(QString::fromLatin1(dtype), QString::fromLatin1(dtype));
    dtypeCombo_->setToolTip(tr("Compute dtype of the frozen model; auto picks bfloat16 on GPUs and on CPUs with native "
                               "bfloat16 (AVX512-BF16/AMX), else float32. Adapters always train in float32."));
    checkpointEverySpin_ = new QSpinBox(box);
    checkpointEverySpin_->setObjectName(QStringLiteral("checkpointEvery"));
    checkpointEverySpin_->setRange(0, 10'000'000);
    checkpointEverySpin_->setSpecialValueText(tr("off"));
    checkpointEverySpin_->setValue(100);
    checkpointEverySpin_->setToolTip(tr("Write a checkpoint (adapter, optimizer, schedule, data position) every N steps and "
                                        "at the end, so an interrupted run can be resumed and a finished one extended "
                                        "(History page)"));
    layout->addRow(tr("&Checkpoint every:"), checkpointEverySpin_);
    connect(checkpointEverySpin_, &QSpinBox::valueChanged, this, &SetupPage::setupChanged);
    layout->addRow(tr("&Device:"), deviceCombo_);
    layout->addRow(tr("Compute dt&ype:"), dtypeCombo_);
    for (QComboBox* combo : {deviceCombo_, dtypeCombo_})
        connect(combo, &QComboBox::currentIndexChanged, this, &SetupPage::setupChanged);
    layout->addRow(tr("&Output folder:"), outputEdit_);
    connect(maxStepsSpin_, &QSpinBox::valueChanged, this, &SetupPage::onMaxStepsChanged);
    for (QSpinBox* spin : {batchSizeSpin_, maxLengthSpin_})
        connect(spin, &QSpinBox::valueChanged, this, &SetupPage::setupChanged);
    connect(learningRateSpin_, &QDoubleSpinBox::valueChanged, this, &SetupPage::setupChanged);
    connect(outputEdit_, &QLineEdit::textChanged, this, &SetupPage::setupChanged);

    auto* files = new QHBoxLayout;
    auto* save = new QPushButton(tr("Save Set&up…"), box);
    save->setObjectName(QStringLiteral("saveSetup"));
    save->setToolTip(tr("Save the whole setup as a JSON config file (the one `capsule-cli train --config` reads)"));
    auto* load = new QPushButton(tr("&Load Setup…"), box);
    load->setObjectName(QStringLiteral("loadSetup"));
    load->setToolTip(tr("Load a JSON training config file, saved here or written for capsule-cli"));
    connect(save, &QPushButton::clicked, this, &SetupPage::saveSetupWithDialog);
    connect(load, &QPushButton::clicked, this, &SetupPage::loadSetupWithDialog);
    files->addWidget(save);
    files->addWidget(load);
    files->addStretch(1);
    layout->addRow(files);
    // Tab follows the rows as shown (the widgets were made in another order).
    const QList<QWidget*> order = {maxStepsSpin_, batchSizeSpin_, maxLengthSpin_, learningRateSpin_, checkpointEverySpin_,
                                   deviceCombo_,  dtypeCombo_,    outputEdit_,    save,              load};
    for (int i = 1; i < order.size(); ++i) QWidget::setTabOrder(order[i - 1], order[i]);
    return box;
}

void SetupPage::onMethodChanged() {
    updateMethodDescription();
    methodOptions_->showMethod(method());
    if (!applying_ && demoSelected()) fillDemoDefaults();
    Q_EMIT setupChanged();
}

void SetupPage::onModelSelectionChanged() {
    updateDatasetPlaceholder();
    if (!applying_ && demoSelected()) fillDemoDefaults();
    if (!applying_) applySizeDefaults();
    Q_EMIT setupChanged();
}

void SetupPage::applySizeDefaults() {
    // Batch size and max length a model of this size trains with on a workstation: small models
    // take big batches; billion-parameter ones one or two rows (gradient accumulation adds more).
    // The demo keeps its own (16 rows of short sentences). A loaded setup file keeps its values.
    if (!modelList_->hasSelection()) return;
    if (demoSelected()) {
        batchSizeSpin_->setValue(16);
        maxLengthSpin_->setValue(256);
        batchSizeSpin_->setToolTip(tr("Examples per optimizer step"));
        return;
    }
    const qint64 parameters = modelList_->selectedParameterCount();
    if (parameters <= 0) return;  // not inspected yet: ModelList::selectedModelInspected calls again
    const int batch = parameters < 300'000'000 ? 8 : parameters < 2'000'000'000 ? 4 : parameters < 8'000'000'000 ? 2 : 1;
    batchSizeSpin_->setValue(batch);
    maxLengthSpin_->setValue(512);
    batchSizeSpin_->setToolTip(tr("Examples per optimizer step (%1 suggested for a model of %2 parameters; the memory "
                                  "estimate under the model list says what fits)")
                                   .arg(batch)
                                   .arg(QLocale().toString(parameters)));
}

void SetupPage::onMaxStepsChanged(int steps) {
    // The demo's AdaLoRA phases follow max steps while they still are the demo's values.
    if (!applying_ && demoScheduleSteps_ > 0 && demoSelected() && method() == QLatin1String("adalora")) {
        train::TrainingConfig current;
        methodOptions_->writeTo(current);
        const train::TrainingConfig before = TrainingController::demoConfig(method(), demoScheduleSteps_, {});
        if (current.tinit == before.tinit && current.tfinal == before.tfinal) fillDemoDefaults();
    }
    Q_EMIT setupChanged();
}

void SetupPage::fillDemoDefaults() {
    train::TrainingConfig demo = TrainingController::demoConfig(method(), maxStepsSpin_->value(), {});
    if (method() == QLatin1String("adalora")) {
        // Every linear layer of the tiny model, so the rank view has something to allocate across.
        demo.targetModules = {"c_attn", "c_proj", "c_fc"};
    }
    methodOptions_->readFrom(demo);
    demoScheduleSteps_ = maxStepsSpin_->value();
}

void SetupPage::updateMethodDescription() {
    methodDescription_->setText(methodCombo_->currentData(Qt::ToolTipRole).toString());
}

bool SetupPage::demoSelected() const {
    return modelList_->demoSelected();
}

void SetupPage::selectDemo() {
    modelList_->selectDemo();
    updateDatasetPlaceholder();
}

void SetupPage::updateDatasetPlaceholder() {
    datasetEdit_->setPlaceholderText(demoSelected() ? tr("Built-in demo dataset (sentiment, 640 rows), or choose a file")
                                                    : tr("JSONL, JSON, CSV/TSV or TXT file"));
}

void SetupPage::setMethod(const QString& methodId) {
    const int index = methodCombo_->findData(methodId);
    if (index >= 0) methodCombo_->setCurrentIndex(index);
}

QString SetupPage::method() const {
    return methodCombo_->currentData().toString();
}

void SetupPage::setMaxSteps(int steps) {
    maxStepsSpin_->setValue(steps);
}

int SetupPage::maxSteps() const {
    return maxStepsSpin_->value();
}

void SetupPage::setOutputFolder(const QString& folder) {
    outputEdit_->setText(folder);
}

void SetupPage::addModelFolder() {
    modelList_->addFolderWithDialog();
}

void SetupPage::addModelFolderPath(const QString& path) {
    modelList_->addFolderPath(path);
}

void SetupPage::chooseDatasetFile() {
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Choose a dataset"), QDir::homePath(),
        tr("Datasets (*.jsonl *.json *.csv *.tsv *.txt);;All files (*)"));
    if (file.isEmpty()) return;
    setDatasetPath(file);
    recentDatasets_->add(file);
}

bool SetupPage::openRecentDataset(const QString& path, QString* problem) {
    if (!QFileInfo(path).isFile()) {
        recentDatasets_->remove(path);
        if (problem) *problem = tr("The dataset file %1 is gone; it was removed from the recent datasets.")
                                    .arg(QDir::toNativeSeparators(path));
        return false;
    }
    setDatasetPath(path);
    recentDatasets_->add(path);
    return true;
}

bool SetupPage::openRecentModel(const QString& folder, QString* problem) {
    return modelList_->openRecent(folder, problem);
}

RecentFiles* SetupPage::recentModels() const {
    return modelList_->recentModels();
}

QList<RecentMenu*> SetupPage::createRecentMenus(QWidget* parent) {
    // File menu mnemonics: Add &Model Folder…, Open &Dataset…, &Load Setup… are taken.
    auto* models = new RecentMenu(tr("&Recent Models"), recentModels(), parent);
    auto* datasets = new RecentMenu(tr("Recent Da&tasets"), recentDatasets_, parent);
    connect(models, &RecentMenu::pathChosen, this, [this](const QString& folder) {
        QString problem;
        if (!openRecentModel(folder, &problem)) QMessageBox::warning(this, tr("Recent model"), problem);
    });
    connect(datasets, &RecentMenu::pathChosen, this, [this](const QString& path) {
        QString problem;
        if (!openRecentDataset(path, &problem)) QMessageBox::warning(this, tr("Recent dataset"), problem);
    });
    return {models, datasets};
}

QString SetupPage::datasetPath() const {
    return datasetEdit_->text();
}

void SetupPage::setDatasetPath(const QString& path) {
    datasetEdit_->setText(path);
}

}  // namespace capsule::ui
