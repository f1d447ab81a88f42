#include "widgets/method_options_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

#include <algorithm>
#include <cstdint>

namespace capsule::ui {
namespace {
// Page order of the stack; the ids are train::methodNames().
const char* const kMethodIds[] = {"lora", "adalora", "ia3", "prompt-tuning", "prefix-tuning", "p-tuning", "t-few"};

QFormLayout* formLayout(QWidget* page) {
    auto* layout = new QFormLayout(page);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    return layout;
}
}  // namespace

MethodOptionsForm::MethodOptionsForm(QWidget* parent) : QStackedWidget(parent) {
    setObjectName(QStringLiteral("methodOptions"));
    addWidget(createLoraForm());
    addWidget(createAdaloraForm());
    addWidget(createIa3Form(false));
    addWidget(createPromptTuningForm());
    addWidget(createPrefixTuningForm());
    addWidget(createPTuningForm());
    addWidget(createIa3Form(true));
    readFrom(train::TrainingConfig{});
    showMethod(QStringLiteral("lora"));
}

void MethodOptionsForm::showMethod(const QString& methodId) {
    for (int index = 0; index < count(); ++index) {
        if (methodId == QLatin1String(kMethodIds[index])) {
            shownMethod_ = methodId;
            setCurrentIndex(index);
            // The stack is as tall as the shown form, not as the longest one (AdaLoRA's).
            for (int page = 0; page < count(); ++page) {
                const QSizePolicy::Policy policy = page == index ? QSizePolicy::Preferred : QSizePolicy::Ignored;
                widget(page)->setSizePolicy(policy, policy);
            }
            updateGeometry();
            Q_EMIT optionsChanged();
            return;
        }
    }
}

QSpinBox* MethodOptionsForm::integerField(int minimum, int maximum, const QString& name, const QString& tip) {
    auto* field = new QSpinBox(this);
    field->setRange(minimum, maximum);
    field->setObjectName(name);
    field->setToolTip(tip);
    connect(field, &QSpinBox::valueChanged, this, &MethodOptionsForm::optionsChanged);
    return field;
}

QDoubleSpinBox* MethodOptionsForm::numberField(double minimum, double maximum, int decimals, const QString& name,
                                               const QString& tip) {
    auto* field = new QDoubleSpinBox(this);
    field->setDecimals(decimals);
    field->setRange(minimum, maximum);
    field->setSingleStep(decimals >= 2 ? 0.05 : 1.0);
    field->setObjectName(name);
    field->setToolTip(tip);
    connect(field, &QDoubleSpinBox::valueChanged, this, &MethodOptionsForm::optionsChanged);
    return field;
}

QLineEdit* MethodOptionsForm::textField(const QString& name, const QString& placeholder, const QString& tip) {
    auto* field = new QLineEdit(this);
    field->setObjectName(name);
    field->setPlaceholderText(placeholder);
    field->setToolTip(tip);
    connect(field, &QLineEdit::textChanged, this, &MethodOptionsForm::optionsChanged);
    return field;
}

QCheckBox* MethodOptionsForm::switchField(const QString& text, const QString& name, const QString& tip) {
    auto* field = new QCheckBox(text, this);
    field->setObjectName(name);
    field->setToolTip(tip);
    connect(field, &QCheckBox::toggled, this, &MethodOptionsForm::optionsChanged);
    return field;
}

QComboBox* MethodOptionsForm::choiceField(const QStringList& values, const QString& name, const QString& tip) {
    auto* field = new QComboBox(this);
    field->addItems(values);  // PEFT's enum spellings: data, not translated
    field->setObjectName(name);
    field->setToolTip(tip);
    connect(field, &QComboBox::currentIndexChanged, this, &MethodOptionsForm::optionsChanged);
    return field;
}

QWidget* MethodOptionsForm::createLoraForm() {
    auto* page = new QWidget(this);
    auto* layout = formLayout(page);
    loraR_ = integerField(1, 4096, QStringLiteral("loraR"),
                          tr("r: rank of the update B·A; trainable parameters grow linearly with it"));
    loraAlpha_ = numberField(0.0, 100000.0, 2, QStringLiteral("loraAlpha"),
                             tr("lora_alpha: the update is scaled by lora_alpha / r (by lora_alpha / √r with rsLoRA)"));
    loraDropout_ = numberField(0.0, 0.99, 3, QStringLiteral("loraDropout"),
                               tr("lora_dropout: dropout probability on the input of the LoRA branch while training"));
    useRslora_ = switchField(tr("Rank-stabilised scaling"), QStringLiteral("useRslora"),
                             tr("use_rslora: scale by lora_alpha / √r instead of lora_alpha / r, which keeps high ranks stable"));
    loraTargets_ = textField(QStringLiteral("loraTargetModules"), tr("architecture default"),
                             tr("target_modules: comma-separated names of the linear layers that get an adapter "
                                "(c_attn, q_proj, v_proj, …), or all-linear; empty uses PEFT's default for the architecture"));
    layout->addRow(tr("r:"), loraR_);
    layout->addRow(tr("lora_alpha:"), loraAlpha_);
    layout->addRow(tr("lora_dropout:"), loraDropout_);
    layout->addRow(tr("use_rslora:"), useRslora_);
    layout->addRow(tr("target_modules:"), loraTargets_);
    return page;
}

QWidget* MethodOptionsForm::createAdaloraForm() {
    auto* page = new QWidget(this);
    auto* layout = formLayout(page);
    initR_ = integerField(1, 4096, QStringLiteral("initR"), tr("init_r: the rank every adapted layer starts with"));
    targetR_ = integerField(1, 4096, QStringLiteral("targetR"),
                            tr("target_r: the average rank per layer left after pruning; the total budget is "
                               "target_r × the number of adapted layers"));
    tinit_ = integerField(0, 10'000'000, QStringLiteral("tinit"),
                          tr("tinit: steps of warm-up at init_r before ranks start being pruned"));
    tfinal_ = integerField(0, 10'000'000, QStringLiteral("tfinal"),
                           tr("tfinal: steps at the end trained with the final allocation fixed"));
    deltaT_ = integerField(1, 1'000'000, QStringLiteral("deltaT"),
                           tr("deltaT: steps between two rank reallocations during the pruning phase"));
    beta1_ = numberField(0.0, 1.0, 3, QStringLiteral("beta1"),
                         tr("beta1: EMA factor of the sensitivity (importance) smoothing"));
    beta2_ = numberField(0.0, 1.0, 3, QStringLiteral("beta2"),
                         tr("beta2: EMA factor of the uncertainty smoothing"));
    orthRegWeight_ = numberField(0.0, 1000.0, 3, QStringLiteral("orthRegWeight"),
                                 tr("orth_reg_weight: weight of the penalty keeping P and Q orthogonal"));
    adaloraAlpha_ = numberField(0.0, 100000.0, 2, QStringLiteral("adaloraAlpha"),
                                tr("lora_alpha: the update is scaled by lora_alpha / init_r, fixed during pruning"));
    adaloraDropout_ = numberField(0.0, 0.99, 3, QStringLiteral("adaloraDropout"),
                                  tr("lora_dropout: dropout probability on the input of the adapter branch while training"));
    adaloraTargets_ = textField(QStringLiteral("adaloraTargetModules"), tr("architecture default"),
                                tr("target_modules: comma-separated names of the linear layers whose ranks are "
                                   "allocated; empty uses PEFT's default for the architecture"));
    layout->addRow(tr("init_r:"), initR_);
    layout->addRow(tr("target_r:"), targetR_);
    layout->addRow(tr("tinit:"), tinit_);
    layout->addRow(tr("tfinal:"), tfinal_);
    layout->addRow(tr("deltaT:"), deltaT_);
    layout->addRow(tr("beta1:"), beta1_);
    layout->addRow(tr("beta2:"), beta2_);
    layout->addRow(tr("orth_reg_weight:"), orthRegWeight_);
    layout->addRow(tr("lora_alpha:"), adaloraAlpha_);
    layout->addRow(tr("lora_dropout:"), adaloraDropout_);
    layout->addRow(tr("target_modules:"), adaloraTargets_);
    return page;
}

QWidget* MethodOptionsForm::createIa3Form(bool tFew) {
    auto* page = new QWidget(this);
    auto* layout = formLayout(page);
    QLineEdit* feedforward = textField(
        tFew ? QStringLiteral("tFewFeedforwardModules") : QStringLiteral("ia3FeedforwardModules"), tr("architecture default"),
        tr("feedforward_modules: comma-separated layers whose input (not output) is rescaled, usually the MLP's "
           "down projection; empty uses PEFT's default for the architecture"));
    QLineEdit* targets = textField(
        tFew ? QStringLiteral("tFewTargetModules") : QStringLiteral("ia3TargetModules"), tr("architecture default"),
        tr("target_modules: comma-separated layers that get a learned scaling vector (attention keys and values "
           "and the MLP, by default); feedforward_modules must be among them"));
    layout->addRow(tr("target_modules:"), targets);
    layout->addRow(tr("feedforward_modules:"), feedforward);
    if (!tFew) {
        ia3Feedforward_ = feedforward;
        ia3Targets_ = targets;
        return page;
    }
    tFewFeedforward_ = feedforward;
    tFewTargets_ = targets;
    mcLoss_ = numberField(0.0, 1000.0, 3, QStringLiteral("mcLoss"),
                          tr("mc_loss: weight of the multiple-choice cross-entropy over the answer choices"));
    unlikelyLoss_ = numberField(0.0, 1000.0, 3, QStringLiteral("unlikelyLoss"),
                                tr("unlikely_loss: weight of the unlikelihood loss pushing down the wrong choices"));
    lengthNorm_ = numberField(0.0, 1000.0, 3, QStringLiteral("lengthNorm"),
                              tr("length_norm: weight of the length-normalised loss that compares choices per token"));
    layout->addRow(tr("mc_loss:"), mcLoss_);
    layout->addRow(tr("unlikely_loss:"), unlikelyLoss_);
    layout->addRow(tr("length_norm:"), lengthNorm_);
    return page;
}

QWidget* MethodOptionsForm::createPromptTuningForm() {
    auto* page = new QWidget(this);
    auto* layout = formLayout(page);
    promptTokens_ = integerField(1, 100000, QStringLiteral("promptNumVirtualTokens"),
                                 tr("num_virtual_tokens: trainable embeddings prepended to every input"));
    promptInit_ = choiceField({QStringLiteral("RANDOM"), QStringLiteral("SAMPLE_VOCAB"), QStringLiteral("TEXT")},
                              QStringLiteral("promptTuningInit"),
                              tr("prompt_tuning_init: start from random vectors, from embeddings of random vocabulary "
                                 "tokens, or from the embeddings of a text"));
    promptInitText_ = textField(QStringLiteral("promptTuningInitText"), tr("only with TEXT"),
                                tr("prompt_tuning_init_text: the text whose token embeddings initialise the virtual "
                                   "tokens (repeated or cut to num_virtual_tokens)"));
    layout->addRow(tr("num_virtual_tokens:"), promptTokens_);
    layout->addRow(tr("prompt_tuning_init:"), promptInit_);
    layout->addRow(tr("prompt_tuning_init_text:"), promptInitText_);
    return page;
}

QWidget* MethodOptionsForm::createPrefixTuningForm() {
    auto* page = new QWidget(this);
    auto* layout = formLayout(page);
    prefixTokens_ = integerField(1, 100000, QStringLiteral("prefixNumVirtualTokens"),
                                 tr("num_virtual_tokens: key/value positions prepended in every attention layer"));
    prefixProjection_ = switchField(tr("Reparameterise through an MLP"), QStringLiteral("prefixProjection"),
                                    tr("prefix_projection: produce the prefixes with a two-layer MLP (more parameters "
                                       "while training, often more stable)"));
    prefixHiddenSize_ = integerField(0, 1'000'000, QStringLiteral("prefixEncoderHiddenSize"),
                                     tr("encoder_hidden_size: hidden width of the projection MLP; 0 = the model's hidden size"));
    prefixHiddenSize_->setSpecialValueText(tr("model hidden size"));
    layout->addRow(tr("num_virtual_tokens:"), prefixTokens_);
    layout->addRow(tr("prefix_projection:"), prefixProjection_);
    layout->addRow(tr("encoder_hidden_size:"), prefixHiddenSize_);
    return page;
}

QWidget* MethodOptionsForm::createPTuningForm() {
    auto* page = new QWidget(this);
    auto* layout = formLayout(page);
    pTuningTokens_ = integerField(1, 100000, QStringLiteral("pTuningNumVirtualTokens"),
                                  tr("num_virtual_tokens: virtual tokens produced by the prompt encoder"));
    reparameterization_ = choiceField({QStringLiteral("MLP"), QStringLiteral("LSTM")},
                                      QStringLiteral("encoderReparameterizationType"),
                                      tr("encoder_reparameterization_type: the prompt encoder, an MLP or a bidirectional "
                                         "LSTM followed by an MLP"));
    pTuningHiddenSize_ = integerField(0, 1'000'000, QStringLiteral("pTuningEncoderHiddenSize"),
                                      tr("encoder_hidden_size: hidden width of the prompt encoder; 0 = the model's hidden size"));
    pTuningHiddenSize_->setSpecialValueText(tr("model hidden size"));
    layout->addRow(tr("num_virtual_tokens:"), pTuningTokens_);
    layout->addRow(tr("encoder_reparameterization_type:"), reparameterization_);
    layout->addRow(tr("encoder_hidden_size:"), pTuningHiddenSize_);
    return page;
}

void MethodOptionsForm::writeTo(train::TrainingConfig& config) const {
    const QString& method = shownMethod_;
    // Options that belong to one form only.
    config.r = loraR_->value();
    config.useRslora = useRslora_->isChecked();
    config.initR = initR_->value();
    config.targetR = targetR_->value();
    config.tinit = tinit_->value();
    config.tfinal = tfinal_->value();
    config.deltaT = deltaT_->value();
    config.beta1 = beta1_->value();
    config.beta2 = beta2_->value();
    config.orthRegWeight = orthRegWeight_->value();
    config.mcLoss = mcLoss_->value();
    config.unlikelyLoss = unlikelyLoss_->value();
    config.lengthNorm = lengthNorm_->value();
    config.promptTuningInit = promptInit_->currentText().toStdString();
    config.promptTuningInitText = promptInitText_->text().toStdString();
    config.prefixProjection = prefixProjection_->isChecked();
    config.encoderReparameterizationType = reparameterization_->currentText().toStdString();
    // Config fields shown on several forms: the shown form's copy wins.
    const bool adalora = method == QLatin1String("adalora");
    if (method == QLatin1String("lora") || adalora) {
        config.loraAlpha = (adalora ? adaloraAlpha_ : loraAlpha_)->value();
        config.loraDropout = (adalora ? adaloraDropout_ : loraDropout_)->value();
    }
    if (QLineEdit* targets = targetField(method)) config.targetModules = splitList(targets->text());
    if (method == QLatin1String("ia3")) config.feedforwardModules = splitList(ia3Feedforward_->text());
    if (method == QLatin1String("t-few")) config.feedforwardModules = splitList(tFewFeedforward_->text());
    if (method == QLatin1String("prompt-tuning")) config.numVirtualTokens = promptTokens_->value();
    if (method == QLatin1String("prefix-tuning")) {
        config.numVirtualTokens = prefixTokens_->value();
        config.encoderHiddenSize = prefixHiddenSize_->value();
    }
    if (method == QLatin1String("p-tuning")) {
        config.numVirtualTokens = pTuningTokens_->value();
        config.encoderHiddenSize = pTuningHiddenSize_->value();
    }
}

QLineEdit* MethodOptionsForm::targetField(const QString& methodId) const {
    if (methodId == QLatin1String("lora")) return loraTargets_;
    if (methodId == QLatin1String("adalora")) return adaloraTargets_;
    if (methodId == QLatin1String("ia3")) return ia3Targets_;
    if (methodId == QLatin1String("t-few")) return tFewTargets_;
    return nullptr;
}

bool MethodOptionsForm::setTargetModules(const QStringList& modules) {
    QLineEdit* field = targetField(shownMethod_);
    if (!field) return false;
    field->setText(modules.join(QStringLiteral(", ")));  // textChanged -> optionsChanged()
    return true;
}

void MethodOptionsForm::readFrom(const train::TrainingConfig& config) {
    const auto toInt = [](int64_t value) { return static_cast<int>(std::clamp<int64_t>(value, INT32_MIN, INT32_MAX)); };
    {
        // One optionsChanged() for the whole fill instead of one per field.
        const QSignalBlocker blocker(this);
        loraR_->setValue(toInt(config.r));
        loraAlpha_->setValue(config.loraAlpha);
        loraDropout_->setValue(config.loraDropout);
        useRslora_->setChecked(config.useRslora);
        loraTargets_->setText(joinList(config.targetModules));
        initR_->setValue(toInt(config.initR));
        targetR_->setValue(toInt(config.targetR));
        tinit_->setValue(toInt(config.tinit));
        tfinal_->setValue(toInt(config.tfinal));
        deltaT_->setValue(toInt(config.deltaT));
        beta1_->setValue(config.beta1);
        beta2_->setValue(config.beta2);
        orthRegWeight_->setValue(config.orthRegWeight);
        adaloraAlpha_->setValue(config.loraAlpha);
        adaloraDropout_->setValue(config.loraDropout);
        adaloraTargets_->setText(joinList(config.targetModules));
        ia3Targets_->setText(joinList(config.targetModules));
        tFewTargets_->setText(joinList(config.targetModules));
        ia3Feedforward_->setText(joinList(config.feedforwardModules));
        tFewFeedforward_->setText(joinList(config.feedforwardModules));
        mcLoss_->setValue(config.mcLoss);
        unlikelyLoss_->setValue(config.unlikelyLoss);
        lengthNorm_->setValue(config.lengthNorm);
        for (QSpinBox* tokens : {promptTokens_, prefixTokens_, pTuningTokens_}) tokens->setValue(toInt(config.numVirtualTokens));
        for (QSpinBox* hidden : {prefixHiddenSize_, pTuningHiddenSize_}) hidden->setValue(toInt(config.encoderHiddenSize));
        promptInitText_->setText(QString::fromStdString(config.promptTuningInitText));
        prefixProjection_->setChecked(config.prefixProjection);
        // A value the list does not have (a hand-written file) is added so it round-trips and the
        // core's validation names it, instead of silently becoming the first entry.
        const auto choose = [](QComboBox* combo, const std::string& value) {
            const QString text = QString::fromStdString(value);
            if (combo->findText(text) < 0) combo->addItem(text);
            combo->setCurrentIndex(combo->findText(text));
        };
        choose(promptInit_, config.promptTuningInit);
        choose(reparameterization_, config.encoderReparameterizationType);
    }
    Q_EMIT optionsChanged();
}

std::vector<std::string> MethodOptionsForm::splitList(const QString& text) {
    std::vector<std::string> items;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString item = part.trimmed();
        if (!item.isEmpty()) items.push_back(item.toStdString());
    }
    return items;
}

QString MethodOptionsForm::joinList(const std::vector<std::string>& items) {
    QStringList parts;
    for (const std::string& item : items) parts.append(QString::fromStdString(item));
    return parts.join(QStringLiteral(", "));
}

}  // namespace capsule::ui
