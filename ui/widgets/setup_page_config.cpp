// SetupPage, the form as a run: the TrainingConfig it describes (and the JSON file that holds it),
// the TrainingRequest Start sends, and what must change before Start.
#include "widgets/setup_page.h"

#include "controller/recent_files.h"
#include "widgets/dataset_panel.h"
#include "widgets/method_options_form.h"
#include "widgets/model_list.h"

#include <nlohmann/json.hpp>

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QMessageBox>
#include <QSpinBox>

#include <algorithm>
#include <cstdint>
#include <fstream>

namespace capsule::ui {

QString SetupPage::settingsProblem() const {
    QString problem;
    if (!trainingRequest(&problem)) return problem;
    const train::TrainingConfig config = setupConfig();
    const QString methodId = method();
    if (methodId == QLatin1String("adalora")) {
        if (config.targetR > config.initR)
            return tr("AdaLoRA: target_r (%1) must not exceed init_r (%2).").arg(config.targetR).arg(config.initR);
        if (config.maxSteps > 0 && config.tinit + config.tfinal >= config.maxSteps)
            return tr("AdaLoRA: tinit + tfinal (%1) must be less than max steps (%2), or no step is left for "
                      "allocating ranks.")
                .arg(config.tinit + config.tfinal)
                .arg(config.maxSteps);
    }
    if (methodId == QLatin1String("prompt-tuning") && config.promptTuningInit == "TEXT" &&
        QString::fromStdString(config.promptTuningInitText).trimmed().isEmpty())
        return tr("Prompt tuning: prompt_tuning_init TEXT needs a prompt_tuning_init_text.");
    if (estimate_.invalidSettings) return estimate_.problem;
    return {};
}

std::optional<TrainingRequest> SetupPage::trainingRequest(QString* error) const {
    const QString methodId = method();
    const bool demo = demoSelected();
    if (!modelList_->hasSelection()) {
        *error = tr("Choose a model in the Model list.");
        return std::nullopt;
    }
    const QString dataset = datasetPath().trimmed();
    if (!demo && dataset.isEmpty()) {
        *error = tr("Choose a dataset file (Dataset › Browse…).");
        return std::nullopt;
    }
    if (!dataset.isEmpty() && !QFileInfo(dataset).isFile()) {
        *error = tr("The dataset file %1 does not exist.").arg(QDir::toNativeSeparators(dataset));
        return std::nullopt;
    }
    const DatasetInspection& inspection = datasetPanel_->inspection();
    if (!datasetPanel_->inspectionPending() && inspection.ok && inspection.validExamples == 0) {
        *error = tr("The dataset %1 has no usable example as %2 (see Dataset › Issues).")
                     .arg(QDir::toNativeSeparators(inspection.path), inspection.format);
        return std::nullopt;
    }
    const QString outputFolder = outputEdit_->text().trimmed();
    if (outputFolder.isEmpty()) {
        *error = tr("Choose an output folder (Training › Output folder).");
        return std::nullopt;
    }
    // One folder per run: <method>-<date>-<time>, with a suffix when two start within a second.
    const QString stem = QDir(outputFolder).filePath(
        methodId + QLatin1Char('-') + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    QString runFolder = stem;
    for (int suffix = 2; QFileInfo::exists(runFolder); ++suffix) runFolder = stem + QLatin1Char('-') + QString::number(suffix);

    TrainingRequest request;
    if (demo) {
        // The demo's tuned settings (evaluation, schedule, AdaLoRA phases); the form overrides the
        // basics. Model and data stay empty: the controller makes the demo assets and fills them in.
        request.demoFolder = TrainingController::defaultDemoFolder();
        request.config = TrainingController::demoConfig(methodId, maxStepsSpin_->value(), runFolder);
        request.config.data = dataset.toStdString();
        request.config.format = datasetPanel_->formatOverride().toStdString();
        request.config.columnMapping = columnMappingEntries();
        request.config.threads = 1;  // the tiny model gains nothing from more threads, the GUI keeps a core
        // The method form starts from the demo's tuned options (fillDemoDefaults) and may be edited.
        methodOptions_->writeTo(request.config);
    } else {
        const QString modelFolder = modelList_->selectedFolder();
        if (!QFileInfo(QDir(modelFolder).filePath(QStringLiteral("config.json"))).isFile()) {
            *error = tr("The model folder %1 has no config.json.").arg(QDir::toNativeSeparators(modelFolder));
            return std::nullopt;
        }
        request.config = setupConfig();
        request.config.out = runFolder.toStdString();
        if (request.config.evalEvery == 0 && request.config.maxSteps > 0)
            request.config.evalEvery = std::max<int64_t>(1, request.config.maxSteps / 10);
    }
    request.config.batchSize = batchSizeSpin_->value();
    request.config.maxLength = maxLengthSpin_->value();
    if (learningRateSpin_->value() > 0) request.config.lr = learningRateSpin_->value();
    request.config.device = deviceCombo_->currentData().toString().toStdString();
    request.config.dtype = dtypeCombo_->currentData().toString().toStdString();
    request.config.checkpointEvery = checkpointEverySpin_->value();

    // The core's own checks, with the demo's model and data standing in for what is made later.
    train::TrainingConfig check = request.config;
    if (check.model.empty()) check.model = "demo";
    if (check.data.empty()) check.data = "demo";
    try {
        check.validate();
    } catch (const std::exception& problem) {
        *error = QString::fromStdString(problem.what());
        return std::nullopt;
    }
    return request;
}

std::vector<std::string> SetupPage::columnMappingEntries() const {
    std::vector<std::string> entries;  // "canonical=column", as --column-mapping takes them
    const QMap<QString, QString> mapping = datasetPanel_->columnMapping();
    for (auto it = mapping.cbegin(); it != mapping.cend(); ++it)
        entries.push_back((it.key() + QLatin1Char('=') + it.value()).toStdString());
    return entries;
}

train::TrainingConfig SetupPage::setupConfig() const {
    train::TrainingConfig config = baseConfig_;
    config.model = modelList_->selectedFolder().toStdString();  // "" for the demo
    config.data = datasetPath().trimmed().toStdString();
    config.format = datasetPanel_->formatOverride().toStdString();
    config.columnMapping = columnMappingEntries();
    config.method = method().toStdString();
    config.out = outputEdit_->text().trimmed().toStdString();
    config.maxSteps = maxStepsSpin_->value();
    config.batchSize = batchSizeSpin_->value();
    config.maxLength = maxLengthSpin_->value();
    config.lr = learningRateSpin_->value();
    config.device = deviceCombo_->currentData().toString().toStdString();
    config.dtype = dtypeCombo_->currentData().toString().toStdString();
    config.checkpointEvery = checkpointEverySpin_->value();
    methodOptions_->writeTo(config);
    return config;
}

void SetupPage::applySetupConfig(const train::TrainingConfig& config) {
    applying_ = true;
    {
        const QSignalBlocker blocker(this);  // one setupChanged() at the end
        if (config.model.empty()) {
            selectDemo();
        } else {
            modelList_->selectFolder(QString::fromStdString(config.model));
        }
        setDatasetPath(QString::fromStdString(config.data));
        datasetPanel_->setFormatOverride(QString::fromStdString(config.format));
        QMap<QString, QString> mapping;
        for (const std::string& entry : config.columnMapping) {
            const QString text = QString::fromStdString(entry);
            const qsizetype equals = text.indexOf(QLatin1Char('='));
            if (equals > 0) mapping.insert(text.left(equals), text.mid(equals + 1));
        }
        datasetPanel_->setColumnMapping(mapping);
        const int methodIndex = methodCombo_->findData(QString::fromStdString(config.method));
        if (methodIndex >= 0) methodCombo_->setCurrentIndex(methodIndex);
        outputEdit_->setText(QString::fromStdString(config.out));
        const auto toInt = [](int64_t value) { return static_cast<int>(std::clamp<int64_t>(value, 0, INT32_MAX)); };
        maxStepsSpin_->setValue(toInt(config.maxSteps));
        batchSizeSpin_->setValue(toInt(config.batchSize));
        maxLengthSpin_->setValue(toInt(config.maxLength));
        learningRateSpin_->setValue(config.lr);
        checkpointEverySpin_->setValue(toInt(config.checkpointEvery));
        const auto choose = [](QComboBox* combo, const std::string& value) {
            const QString text = QString::fromStdString(value);
            if (combo->findData(text) < 0) combo->addItem(text, text);  // "cuda:1": kept, core validates it
            combo->setCurrentIndex(combo->findData(text));
        };
        choose(deviceCombo_, config.device);
        choose(dtypeCombo_, config.dtype);
        methodOptions_->readFrom(config);
        baseConfig_ = config;
        demoScheduleSteps_ = 0;
    }
    applying_ = false;
    Q_EMIT setupChanged();
}

bool SetupPage::saveSetup(const QString& path, QString* error) const {
    std::ofstream file(path.toStdString(), std::ios::binary | std::ios::trunc);
    if (file) file << train::toJson(setupConfig()).dump(2) << '\n';
    if (!file) {
        *error = tr("Cannot write %1.").arg(QDir::toNativeSeparators(path));
        return false;
    }
    return true;
}

bool SetupPage::loadSetup(const QString& path, QString* error) {
    train::TrainingConfig config;
    try {
        config = train::loadTrainingConfig(path.toStdString());
    } catch (const std::exception& problem) {
        *error = QString::fromStdString(problem.what());
        return false;
    }
    applySetupConfig(config);
    if (QFileInfo(QString::fromStdString(config.data)).isFile()) recentDatasets_->add(QString::fromStdString(config.data));
    return true;
}

void SetupPage::saveSetupWithDialog() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save setup"), QDir::homePath(),
                                                      tr("Training config (*.json);;All files (*)"));
    if (path.isEmpty()) return;
    QString problem;
    if (!saveSetup(path, &problem)) QMessageBox::warning(this, tr("Cannot save the setup"), problem);
}

void SetupPage::loadSetupWithDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load setup"), QDir::homePath(),
                                                      tr("Training config (*.json);;All files (*)"));
    if (path.isEmpty()) return;
    QString problem;
    if (!loadSetup(path, &problem)) QMessageBox::warning(this, tr("Cannot load the setup"), problem);
}

}  // namespace capsule::ui
