#pragma once
// One form per PEFT method (a page of a QStackedWidget), holding PEFT's config fields for it with
// the defaults of train::TrainingConfig (what `capsule-cli train` uses) and a tooltip on each
// saying what it does. The forms read from and write into a TrainingConfig; no LibTorch here.
#include "train/training_config.h"

#include <QStackedWidget>
#include <QString>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace capsule::ui {

class MethodOptionsForm : public QStackedWidget {
    Q_OBJECT
public:
    explicit MethodOptionsForm(QWidget* parent = nullptr);

    /// Shows the form of `methodId` (a train::methodNames() entry); unknown ids are ignored.
    void showMethod(const QString& methodId);
    /// The id of the form shown.
    QString shownMethod() const { return shownMethod_; }

    /// Writes every method option of every form into `config` (the other fields stay as they are).
    void writeTo(train::TrainingConfig& config) const;
    /// Fills every form from `config`'s method options.
    void readFrom(const train::TrainingConfig& config);

    /// Sets target_modules of the shown method (the module tree's checkboxes). False (nothing set)
    /// for the methods that have none (prompt, prefix and P-tuning).
    bool setTargetModules(const QStringList& modules);

    /// "a, b ,c" -> {"a", "b", "c"} (empty parts dropped) and back ("a, b, c").
    static std::vector<std::string> splitList(const QString& text);
    static QString joinList(const std::vector<std::string>& items);

Q_SIGNALS:
    /// Any option was edited (by the user or by readFrom()).
    void optionsChanged();

private:
    QWidget* createLoraForm();
    QWidget* createAdaloraForm();
    QWidget* createIa3Form(bool tFew);
    QWidget* createPromptTuningForm();
    QWidget* createPrefixTuningForm();
    QWidget* createPTuningForm();

    QSpinBox* integerField(int minimum, int maximum, const QString& name, const QString& tip);
    QDoubleSpinBox* numberField(double minimum, double maximum, int decimals, const QString& name, const QString& tip);
    QLineEdit* textField(const QString& name, const QString& placeholder, const QString& tip);
    QCheckBox* switchField(const QString& text, const QString& name, const QString& tip);
    QComboBox* choiceField(const QStringList& values, const QString& name, const QString& tip);

    /// The target_modules field of `methodId`'s form; null for the prompt-learning methods.
    QLineEdit* targetField(const QString& methodId) const;

    QString shownMethod_;
    // LoRA
    QSpinBox* loraR_ = nullptr;
    QDoubleSpinBox* loraAlpha_ = nullptr;
    QDoubleSpinBox* loraDropout_ = nullptr;
    QCheckBox* useRslora_ = nullptr;
    QLineEdit* loraTargets_ = nullptr;
    // AdaLoRA
    QSpinBox* initR_ = nullptr;
    QSpinBox* targetR_ = nullptr;
    QSpinBox* tinit_ = nullptr;
    QSpinBox* tfinal_ = nullptr;
    QSpinBox* deltaT_ = nullptr;
    QDoubleSpinBox* beta1_ = nullptr;
    QDoubleSpinBox* beta2_ = nullptr;
    QDoubleSpinBox* orthRegWeight_ = nullptr;
    QDoubleSpinBox* adaloraAlpha_ = nullptr;
    QDoubleSpinBox* adaloraDropout_ = nullptr;
    QLineEdit* adaloraTargets_ = nullptr;
    // (IA)3 and T-Few (one feed-forward list shared through the config)
    QLineEdit* ia3Targets_ = nullptr;
    QLineEdit* tFewTargets_ = nullptr;
    QLineEdit* ia3Feedforward_ = nullptr;
    QLineEdit* tFewFeedforward_ = nullptr;
    QDoubleSpinBox* mcLoss_ = nullptr;
    QDoubleSpinBox* unlikelyLoss_ = nullptr;
    QDoubleSpinBox* lengthNorm_ = nullptr;
    // Prompt learning (num_virtual_tokens and encoder_hidden_size are one config field each)
    QSpinBox* promptTokens_ = nullptr;
    QComboBox* promptInit_ = nullptr;
    QLineEdit* promptInitText_ = nullptr;
    QSpinBox* prefixTokens_ = nullptr;
    QCheckBox* prefixProjection_ = nullptr;
    QSpinBox* prefixHiddenSize_ = nullptr;
    QSpinBox* pTuningTokens_ = nullptr;
    QComboBox* reparameterization_ = nullptr;
    QSpinBox* pTuningHiddenSize_ = nullptr;
};

}  // namespace capsule::ui
