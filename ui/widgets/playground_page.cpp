#include "widgets/playground_page.h"

#include "widgets/choice_score_model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTextCursor>
#include <QVBoxLayout>

namespace capsule::ui {
namespace {

QString rateText(const SideOutput& output) {
    return PlaygroundPage::tr("%n token(s), %1 tokens/s, stop: %2", nullptr, int(output.tokenIds.size()))
        .arg(output.tokensPerSecond, 0, 'f', 1)
        .arg(output.stopReason);
}

QPlainTextEdit* makeOutputPane(QWidget* parent) {
    auto* pane = new QPlainTextEdit(parent);
    pane->setReadOnly(true);
    pane->setMinimumHeight(90);
    return pane;
}

}  // namespace

PlaygroundPage::PlaygroundPage(QWidget* parent) : QWidget(parent), controller_(new PlaygroundController(this)) {
    auto* layout = new QVBoxLayout(this);

    // --- model and adapter
    auto* modelGroup = new QGroupBox(tr("Model"), this);
    auto* modelGrid = new QGridLayout(modelGroup);
    modelEdit_ = new QLineEdit(modelGroup);
    modelEdit_->setPlaceholderText(tr("Built-in demo model (leave empty) or a model folder"));
    modelEdit_->setToolTip(tr("A Hugging Face model folder: config.json, safetensors weights and tokenizer files"));
    // Mnemonics, unique on the page and clear of the menu bar's F, V, T, H.
    auto* modelBrowse = new QPushButton(tr("Br&owse…"), modelGroup);
    adapterCombo_ = new QComboBox(modelGroup);
    adapterCombo_->setEditable(true);
    adapterCombo_->setInsertPolicy(QComboBox::NoInsert);
    adapterCombo_->lineEdit()->setPlaceholderText(tr("No adapter: base model only"));
    adapterCombo_->setToolTip(tr("An adapter folder (adapter_config.json + adapter_model.safetensors), from a run or "
                                 "saved by HF PEFT in Python"));
    adapterCombo_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    auto* adapterBrowse = new QPushButton(tr("Bro&wse…"), modelGroup);
    loadButton_ = new QPushButton(tr("&Load"), modelGroup);
    loadButton_->setToolTip(tr("Load the model and the adapter"));
    modelInfoLabel_ = new QLabel(tr("No model loaded."), modelGroup);
    modelInfoLabel_->setWordWrap(true);
    modelInfoLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* modelCaption = new QLabel(tr("&Base model:"), modelGroup);
    modelCaption->setBuddy(modelEdit_);
    modelGrid->addWidget(modelCaption, 0, 0);
    modelGrid->addWidget(modelEdit_, 0, 1);
    modelGrid->addWidget(modelBrowse, 0, 2);
    auto* adapterCaption = new QLabel(tr("A&dapter:"), modelGroup);
    adapterCaption->setBuddy(adapterCombo_);
    modelGrid->addWidget(adapterCaption, 1, 0);
    modelGrid->addWidget(adapterCombo_, 1, 1);
    modelGrid->addWidget(adapterBrowse, 1, 2);
    modelGrid->addWidget(loadButton_, 0, 3, 2, 1);
    modelGrid->addWidget(modelInfoLabel_, 2, 0, 1, 4);
    modelGrid->setColumnStretch(1, 1);
    layout->addWidget(modelGroup);

    // --- prompt and sampling settings
    auto* promptGroup = new QGroupBox(tr("Prompt"), this);
    auto* promptLayout = new QVBoxLayout(promptGroup);
    promptEdit_ = new QPlainTextEdit(promptGroup);
    promptEdit_->setPlaceholderText(tr("Type a prompt to continue"));
    promptEdit_->setFixedHeight(64);
    promptEdit_->setTabChangesFocus(true);
    promptLayout->addWidget(promptEdit_);
    auto* settingsRow = new QHBoxLayout;
    maxTokensSpin_ = new QSpinBox(promptGroup);
    maxTokensSpin_->setRange(1, 4096);
    maxTokensSpin_->setValue(32);
    maxTokensSpin_->setToolTip(tr("The most tokens to generate"));
    greedyCheck_ = new QCheckBox(tr("Gr&eedy"), promptGroup);
    greedyCheck_->setToolTip(tr("Always pick the most likely token (temperature, top-k and top-p are ignored)"));
    stopAtEndCheck_ = new QCheckBox(tr("Stop at end of te&xt"), promptGroup);
    stopAtEndCheck_->setChecked(true);
    stopAtEndCheck_->setToolTip(tr("End the generation when the model produces its end-of-text token"));
    temperatureSpin_ = new QDoubleSpinBox(promptGroup);
    temperatureSpin_->setRange(0.01, 5.0);
    temperatureSpin_->setSingleStep(0.1);
    temperatureSpin_->setValue(0.8);
    topKSpin_ = new QSpinBox(promptGroup);
    topKSpin_->setRange(0, 100000);
    topKSpin_->setSpecialValueText(tr("off"));
    topKSpin_->setToolTip(tr("Sample among the k most likely tokens; off = all"));
    topPSpin_ = new QDoubleSpinBox(promptGroup);
    topPSpin_->setRange(0.01, 1.0);
    topPSpin_->setSingleStep(0.05);
    topPSpin_->setValue(1.0);
    topPSpin_->setToolTip(tr("Nucleus sampling: the smallest set of tokens whose probability reaches p; 1 = off"));
    seedSpin_ = new QSpinBox(promptGroup);
    seedSpin_->setRange(0, 2147483647);
    seedSpin_->setToolTip(tr("Both sides sample with this seed, so the same settings repeat the same text"));
    const auto addSetting = [&](const QString& label, QWidget* field) {
        auto* caption = new QLabel(label, promptGroup);
        caption->setBuddy(field);
        settingsRow->addWidget(caption);
        settingsRow->addWidget(field);
        settingsRow->addSpacing(8);
    };
    addSetting(tr("Max new tokens:"), maxTokensSpin_);
    settingsRow->addWidget(greedyCheck_);
    settingsRow->addSpacing(8);
    addSetting(tr("Temperature:"), temperatureSpin_);
    addSetting(tr("Top-k:"), topKSpin_);
    addSetting(tr("Top-p:"), topPSpin_);
    addSetting(tr("Seed:"), seedSpin_);
    settingsRow->addStretch(1);
    // The buttons get a row of their own so that no setting is squeezed in narrow windows.
    auto* buttonRow = new QHBoxLayout;
    buttonRow->addWidget(stopAtEndCheck_);
    buttonRow->addStretch(1);
    generateButton_ = new QPushButton(tr("&Generate"), promptGroup);
    generateButton_->setDefault(true);
    generateButton_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    generateButton_->setToolTip(tr("Generate with the base model and the adapter (Ctrl+Enter)"));
    stopButton_ = new QPushButton(tr("&Stop"), promptGroup);
    buttonRow->addWidget(generateButton_);
    buttonRow->addWidget(stopButton_);
    promptLayout->addLayout(settingsRow);
    promptLayout->addLayout(buttonRow);
    layout->addWidget(promptGroup);

    // --- the two outputs and the choices, in a splitter so either can grow
    auto* splitter = new QSplitter(Qt::Vertical, this);
    auto* outputs = new QWidget(splitter);
    auto* outputsLayout = new QHBoxLayout(outputs);
    outputsLayout->setContentsMargins(0, 0, 0, 0);
    auto* baseGroup = new QGroupBox(tr("Base model"), outputs);
    auto* baseLayout = new QVBoxLayout(baseGroup);
    basePane_ = makeOutputPane(baseGroup);
    baseRateLabel_ = new QLabel(baseGroup);
    baseLayout->addWidget(basePane_);
    baseLayout->addWidget(baseRateLabel_);
    auto* adapterGroup = new QGroupBox(tr("With the adapter"), outputs);
    auto* adapterLayout = new QVBoxLayout(adapterGroup);
    adapterPane_ = makeOutputPane(adapterGroup);
    adapterRateLabel_ = new QLabel(adapterGroup);
    adapterLayout->addWidget(adapterPane_);
    adapterLayout->addWidget(adapterRateLabel_);
    outputsLayout->addWidget(baseGroup);
    outputsLayout->addWidget(adapterGroup);

    auto* choicesGroup = new QGroupBox(tr("Scored choices (classification / multiple choice)"), splitter);
    auto* choicesLayout = new QHBoxLayout(choicesGroup);
    auto* choicesColumn = new QVBoxLayout;
    choicesEdit_ = new QPlainTextEdit(choicesGroup);
    choicesEdit_->setPlaceholderText(tr("One choice per line"));
    choicesEdit_->setToolTip(tr("Each line is scored as the answer to the prompt, as the trainer's evaluation does"));
    choicesEdit_->setTabChangesFocus(true);
    choicesEdit_->setMaximumWidth(260);
    scoreButton_ = new QPushButton(tr("S&core choices"), choicesGroup);
    choicesColumn->addWidget(choicesEdit_);
    choicesColumn->addWidget(scoreButton_);
    scoreModel_ = new ChoiceScoreModel(this);
    scoreTable_ = new QTableView(choicesGroup);
    scoreTable_->setModel(scoreModel_);
    scoreTable_->verticalHeader()->hide();
    scoreTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    scoreTable_->horizontalHeader()->setSectionResizeMode(ChoiceScoreModel::ChoiceColumn, QHeaderView::Stretch);
    scoreTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    choicesLayout->addLayout(choicesColumn);
    choicesLayout->addWidget(scoreTable_, 1);
    splitter->addWidget(outputs);
    splitter->addWidget(choicesGroup);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    statusLabel_ = new QLabel(this);
    statusLabel_->setWordWrap(true);
    statusLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(statusLabel_);

    connect(modelBrowse, &QPushButton::clicked, this, &PlaygroundPage::chooseModelFolder);
    connect(adapterBrowse, &QPushButton::clicked, this, &PlaygroundPage::chooseAdapterFolder);
    connect(loadButton_, &QPushButton::clicked, this, &PlaygroundPage::loadModel);
    connect(generateButton_, &QPushButton::clicked, this, &PlaygroundPage::generate);
    connect(stopButton_, &QPushButton::clicked, controller_, &PlaygroundController::stop);
    connect(scoreButton_, &QPushButton::clicked, this, &PlaygroundPage::scoreChoices);
    connect(greedyCheck_, &QCheckBox::toggled, this, &PlaygroundPage::updateActions);
    connect(controller_, &PlaygroundController::loaded, this, &PlaygroundPage::onLoaded);
    connect(controller_, &PlaygroundController::failed, this, &PlaygroundPage::onFailed);
    connect(controller_, &PlaygroundController::textArrived, this, &PlaygroundPage::onText);
    connect(controller_, &PlaygroundController::generationFinished, this, &PlaygroundPage::onGenerationFinished);
    connect(controller_, &PlaygroundController::choicesScored, this, &PlaygroundPage::onChoicesScored);
    connect(controller_, &PlaygroundController::busyChanged, this, &PlaygroundPage::updateActions);
    updateActions();
}

void PlaygroundPage::setModelFolder(const QString& folder) { modelEdit_->setText(folder); }

QString PlaygroundPage::modelFolder() const { return modelEdit_->text().trimmed(); }

void PlaygroundPage::setAdapterFolder(const QString& folder) {
    if (!folder.isEmpty()) offerAdapter(folder);
    adapterCombo_->setCurrentText(folder);
}

QString PlaygroundPage::adapterFolder() const { return adapterCombo_->currentText().trimmed(); }

void PlaygroundPage::offerAdapter(const QString& folder) {
    if (folder.isEmpty() || adapterCombo_->findText(folder) >= 0) return;
    const QString current = adapterCombo_->currentText();
    adapterCombo_->insertItem(0, folder);
    adapterCombo_->setCurrentText(current);  // offering does not change the choice
}

bool PlaygroundPage::loadModel() {
    if (!controller_->load(modelFolder(), adapterFolder())) return false;
    statusLabel_->setText(modelFolder().isEmpty() ? tr("Loading the built-in demo model…") : tr("Loading %1…").arg(modelFolder()));
    return true;
}

bool PlaygroundPage::generate() {
    if (!controller_->isLoaded()) {
        statusLabel_->setText(tr("Load a model first."));
        return false;
    }
    if (promptEdit_->toPlainText().isEmpty()) {
        statusLabel_->setText(tr("Type a prompt first."));
        return false;
    }
    if (!controller_->generate(promptEdit_->toPlainText(), samplingSettings())) return false;
    basePane_->clear();
    adapterPane_->clear();
    baseRateLabel_->clear();
    adapterRateLabel_->clear();
    statusLabel_->setText(tr("Generating…"));
    return true;
}

bool PlaygroundPage::scoreChoices() {
    if (!controller_->isLoaded()) {
        statusLabel_->setText(tr("Load a model first."));
        return false;
    }
    const QStringList choices = choicesEdit_->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (!controller_->scoreChoices(promptEdit_->toPlainText(), choices)) return false;
    statusLabel_->setText(tr("Scoring %n choice(s)…", nullptr, int(choices.size())));
    return true;
}

SamplingSettings PlaygroundPage::samplingSettings() const {
    SamplingSettings settings;
    settings.maxNewTokens = maxTokensSpin_->value();
    settings.greedy = greedyCheck_->isChecked();
    settings.temperature = temperatureSpin_->value();
    settings.topK = topKSpin_->value();
    settings.topP = topPSpin_->value();
    settings.seed = static_cast<quint64>(seedSpin_->value());
    settings.stopAtEndOfText = stopAtEndCheck_->isChecked();
    return settings;
}

void PlaygroundPage::setSamplingSettings(const SamplingSettings& settings) {
    maxTokensSpin_->setValue(settings.maxNewTokens);
    greedyCheck_->setChecked(settings.greedy);
    temperatureSpin_->setValue(settings.temperature);
    topKSpin_->setValue(settings.topK);
    topPSpin_->setValue(settings.topP);
    seedSpin_->setValue(static_cast<int>(settings.seed));
    stopAtEndCheck_->setChecked(settings.stopAtEndOfText);
}

void PlaygroundPage::chooseModelFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Choose a model folder"), modelFolder());
    if (!folder.isEmpty()) setModelFolder(folder);
}

void PlaygroundPage::chooseAdapterFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Choose an adapter folder"), adapterFolder());
    if (!folder.isEmpty()) setAdapterFolder(folder);
}

void PlaygroundPage::onLoaded(const PlaygroundModelInfo& info) {
    const QString model = info.modelType + QLatin1String(", ") +
                          tr("%1 M parameters").arg(double(info.parameterCount) / 1e6, 0, 'f', 2) +
                          QLatin1String(", ") + info.device;
    const QString adapter = info.adapterFolder.isEmpty()
                                ? tr("no adapter")
                                : tr("adapter %1 from %2").arg(info.adapterType, QFileInfo(info.adapterFolder).fileName());
    modelInfoLabel_->setText(tr("Loaded %1 (%2); %3.").arg(QFileInfo(info.modelFolder).fileName(), model, adapter));
    modelInfoLabel_->setToolTip(info.modelFolder);
    statusLabel_->setText(info.warnings.isEmpty() ? tr("Ready.") : info.warnings.join(QLatin1Char('\n')));
    updateActions();
}

void PlaygroundPage::onFailed(const QString& message) {
    statusLabel_->setText(tr("Error: %1").arg(message));
    updateActions();
    Q_EMIT problem(message);
}

void PlaygroundPage::onText(PlaygroundSide side, const QString& text) {
    QPlainTextEdit* pane = side == PlaygroundSide::Base ? basePane_ : adapterPane_;
    QTextCursor cursor(pane->document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(text);
    pane->ensureCursorVisible();
}

void PlaygroundPage::onGenerationFinished(const GenerationOutcome& outcome) {
    // The panes end with exactly the decoded continuations (streaming may hold back a byte or two).
    if (basePane_->toPlainText() != outcome.base.text) basePane_->setPlainText(outcome.base.text);
    baseRateLabel_->setText(rateText(outcome.base));
    if (outcome.hasAdapter) {
        if (adapterPane_->toPlainText() != outcome.adapter.text) adapterPane_->setPlainText(outcome.adapter.text);
        adapterRateLabel_->setText(outcome.cancelled && outcome.adapter.tokenIds.isEmpty() ? tr("Stopped.")
                                                                                             : rateText(outcome.adapter));
    } else {
        adapterRateLabel_->setText(tr("No adapter loaded."));
    }
    statusLabel_->setText(outcome.cancelled ? tr("Stopped.")
                                            : tr("Done: %n prompt token(s).", nullptr, outcome.promptTokens));
}

void PlaygroundPage::onChoicesScored(const QVector<ChoiceScore>& scores) {
    scoreModel_->setScores(scores);
    const int best = scoreModel_->bestAdapterRow();
    statusLabel_->setText(best < 0 ? QString() : tr("Most likely with the adapter: %1").arg(scores[best].choice));
}

void PlaygroundPage::updateActions() {
    const bool busy = controller_->isBusy();
    const bool loaded = controller_->isLoaded();
    loadButton_->setEnabled(!busy);
    generateButton_->setEnabled(!busy && loaded);
    scoreButton_->setEnabled(!busy && loaded);
    stopButton_->setEnabled(busy);
    temperatureSpin_->setEnabled(!greedyCheck_->isChecked());
    topKSpin_->setEnabled(!greedyCheck_->isChecked());
    topPSpin_->setEnabled(!greedyCheck_->isChecked());
}

}  // namespace capsule::ui
