// The Setup page: method forms with PEFT's fields, save / load of the setup as the JSON config
// file capsule-cli reads, the live trainable-parameter count, invalid settings blocked, and the
// keyboard: Tab in reading order, a mnemonic for every button and labelled field.
#include "widgets/method_options_form.h"
#include "widgets/setup_page.h"

#include "train/training_config.h"

#include <nlohmann/json.hpp>

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace capsule;
using namespace capsule::ui;

class TestSetupPage : public QObject {
    Q_OBJECT
private:
    QTemporaryDir scratch_;

    template <typename T>
    static T* field(SetupPage& page, const char* name) {
        T* widget = page.findChild<T*>(QLatin1String(name));
        if (!widget) qFatal("no widget %s", name);
        return widget;
    }

    QString writeFile(const QString& name, const QByteArray& text) {
        const QString path = scratch_.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
        file.write(text);
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(scratch_.isValid()); }

    void everyMethodHasItsFormWithDefaultsAndTooltips() {
        SetupPage page;
        MethodOptionsForm* forms = page.methodOptions();
        QCOMPARE(forms->count(), 7);
        const QStringList ids = {QStringLiteral("lora"),          QStringLiteral("adalora"),  QStringLiteral("ia3"),
                                 QStringLiteral("prompt-tuning"), QStringLiteral("prefix-tuning"),
                                 QStringLiteral("p-tuning"),      QStringLiteral("t-few")};
        for (const QString& id : ids) {
            page.setMethod(id);
            QCOMPARE(forms->shownMethod(), id);
            QWidget* form = forms->currentWidget();
            const QList<QWidget*> inputs = form->findChildren<QWidget*>();
            int fields = 0;
            for (QWidget* input : inputs) {
                if (!qobject_cast<QSpinBox*>(input) && !qobject_cast<QDoubleSpinBox*>(input) &&
                    !qobject_cast<QLineEdit*>(input) && !qobject_cast<QCheckBox*>(input) && !qobject_cast<QComboBox*>(input))
                    continue;
                if (qobject_cast<QLineEdit*>(input) && qobject_cast<QAbstractSpinBox*>(input->parent())) continue;
                if (qobject_cast<QLineEdit*>(input) && qobject_cast<QComboBox*>(input->parent())) continue;
                ++fields;
                QVERIFY2(!input->toolTip().isEmpty(), qPrintable(id + QLatin1Char(' ') + input->objectName()));
            }
            // IA3 and T-Few: target_modules and feedforward_modules (+ T-Few's three loss weights).
            const int expected = id == QLatin1String("lora") ? 5 : id == QLatin1String("adalora") ? 11
                                 : id == QLatin1String("ia3")     ? 2 : id == QLatin1String("t-few") ? 5 : 3;
            QCOMPARE(fields, expected);
        }
        // A form that was never touched holds the core's defaults (what capsule-cli uses).
        train::TrainingConfig written;
        written.r = 99;
        page.selectDemo();
        SetupPage fresh;
        fresh.addModelFolderPath(QStringLiteral("/models/x"));
        fresh.modelTable()->selectRow(1);  // not the demo: no demo values in the forms
        fresh.methodOptions()->readFrom(train::TrainingConfig{});
        fresh.methodOptions()->writeTo(written);
        const train::TrainingConfig defaults;
        QCOMPARE(written.r, defaults.r);
        QCOMPARE(written.initR, defaults.initR);
        QCOMPARE(written.targetR, defaults.targetR);
        QCOMPARE(written.beta1, defaults.beta1);
        QCOMPARE(written.orthRegWeight, defaults.orthRegWeight);
        QCOMPARE(written.promptTuningInit, defaults.promptTuningInit);
        QCOMPARE(written.encoderReparameterizationType, defaults.encoderReparameterizationType);
    }

    void formsFillTheTrainingConfig() {
        SetupPage page;
        page.addModelFolderPath(QStringLiteral("/models/x"));
        page.modelTable()->selectRow(1);
        page.setMethod(QStringLiteral("lora"));
        field<QSpinBox>(page, "loraR")->setValue(4);
        field<QDoubleSpinBox>(page, "loraAlpha")->setValue(32);
        field<QCheckBox>(page, "useRslora")->setChecked(true);
        field<QLineEdit>(page, "loraTargetModules")->setText(QStringLiteral(" q_proj, v_proj ,"));
        train::TrainingConfig config = page.setupConfig();
        QCOMPARE(config.method, std::string("lora"));
        QCOMPARE(config.r, int64_t(4));
        QCOMPARE(config.loraAlpha, 32.0);
        QVERIFY(config.useRslora);
        QCOMPARE(config.targetModules, (std::vector<std::string>{"q_proj", "v_proj"}));
        QCOMPARE(config.model, std::string("/models/x"));

        page.setMethod(QStringLiteral("p-tuning"));
        field<QSpinBox>(page, "pTuningNumVirtualTokens")->setValue(7);
        field<QComboBox>(page, "encoderReparameterizationType")->setCurrentText(QStringLiteral("LSTM"));
        field<QSpinBox>(page, "pTuningEncoderHiddenSize")->setValue(33);
        config = page.setupConfig();
        QCOMPARE(config.numVirtualTokens, int64_t(7));
        QCOMPARE(config.encoderReparameterizationType, std::string("LSTM"));
        QCOMPARE(config.encoderHiddenSize, int64_t(33));

        page.setMethod(QStringLiteral("t-few"));
        field<QLineEdit>(page, "tFewFeedforwardModules")->setText(QStringLiteral("down_proj"));
        field<QDoubleSpinBox>(page, "unlikelyLoss")->setValue(0.5);
        config = page.setupConfig();
        QCOMPARE(config.feedforwardModules, std::vector<std::string>{"down_proj"});
        QCOMPARE(config.unlikelyLoss, 0.5);
    }

    void demoFormsHoldTheDemoSettingsAndReachTheRequest() {
        SetupPage page;
        page.selectDemo();
        page.setMethod(QStringLiteral("adalora"));
        page.setMaxSteps(200);
        QCOMPARE(field<QSpinBox>(page, "tinit")->value(), 20);   // demo: max steps / 10
        QCOMPARE(field<QSpinBox>(page, "tfinal")->value(), 40);  // demo: max steps / 5
        QCOMPARE(field<QLineEdit>(page, "adaloraTargetModules")->text(), QStringLiteral("c_attn, c_proj, c_fc"));
        field<QSpinBox>(page, "targetR")->setValue(2);
        page.setOutputFolder(scratch_.filePath(QStringLiteral("runs")));
        QString problem;
        const auto request = page.trainingRequest(&problem);
        QVERIFY2(request, qPrintable(problem));
        QVERIFY(!request->demoFolder.isEmpty());
        QCOMPARE(request->config.targetR, int64_t(2));
        QCOMPARE(request->config.tinit, int64_t(20));
        QCOMPARE(request->config.maxSteps, int64_t(200));
        QCOMPARE(request->config.targetModules, (std::vector<std::string>{"c_attn", "c_proj", "c_fc"}));
    }

    void saveLoadRoundTripEquals() {
        SetupPage page;
        page.addModelFolderPath(scratch_.filePath(QStringLiteral("model")));
        page.modelTable()->selectRow(1);
        page.setDatasetPath(scratch_.filePath(QStringLiteral("data.jsonl")));
        page.setMethod(QStringLiteral("adalora"));
        page.setMaxSteps(500);
        page.setOutputFolder(scratch_.filePath(QStringLiteral("out")));
        field<QSpinBox>(page, "initR")->setValue(16);
        field<QSpinBox>(page, "tinit")->setValue(50);
        field<QDoubleSpinBox>(page, "learningRate")->setValue(0.001);
        const QString path = scratch_.filePath(QStringLiteral("setup.json"));
        QString problem;
        QVERIFY2(page.saveSetup(path, &problem), qPrintable(problem));
        const nlohmann::json saved = train::toJson(page.setupConfig());
        // The file is the core's JSON form, readable by capsule-cli's loader.
        QCOMPARE(train::toJson(train::loadTrainingConfig(path.toStdString())), saved);

        SetupPage other;
        QVERIFY2(other.loadSetup(path, &problem), qPrintable(problem));
        QCOMPARE(train::toJson(other.setupConfig()), saved);
        QVERIFY(!other.demoSelected());
        QCOMPARE(other.method(), QStringLiteral("adalora"));
        QCOMPARE(field<QSpinBox>(other, "initR")->value(), 16);
        QCOMPARE(other.maxSteps(), 500);

        // The demo round-trips as model "".
        SetupPage demo;
        demo.setMethod(QStringLiteral("prefix-tuning"));
        QVERIFY(demo.saveSetup(path, &problem));
        SetupPage demoLoaded;
        demoLoaded.addModelFolderPath(QStringLiteral("/models/x"));
        demoLoaded.modelTable()->selectRow(1);
        QVERIFY(demoLoaded.loadSetup(path, &problem));
        QVERIFY(demoLoaded.demoSelected());
        QCOMPARE(train::toJson(demoLoaded.setupConfig()), train::toJson(demo.setupConfig()));
    }

    void handWrittenCliConfigLoads() {
        const QString path = writeFile(QStringLiteral("cli.json"), R"({
  "model": "/models/gpt2",
  "data": "/data/train.jsonl",
  "method": "ia3",
  "out": "/tmp/out",
  "max_steps": 0,
  "epochs": 3,
  "schedule": "cosine",
  "warmup_ratio": 0.1,
  "feedforward_modules": ["c_proj"],
  "target_modules": ["c_attn", "c_proj"],
  "lr": 0.004
})");
        SetupPage page;
        QString problem;
        QVERIFY2(page.loadSetup(path, &problem), qPrintable(problem));
        QCOMPARE(page.method(), QStringLiteral("ia3"));
        QCOMPARE(page.datasetPath(), QStringLiteral("/data/train.jsonl"));
        QCOMPARE(field<QLineEdit>(page, "ia3FeedforwardModules")->text(), QStringLiteral("c_proj"));
        QCOMPARE(field<QDoubleSpinBox>(page, "learningRate")->value(), 0.004);
        QCOMPARE(page.maxSteps(), 0);
        const train::TrainingConfig config = page.setupConfig();
        QCOMPARE(config.model, std::string("/models/gpt2"));
        QCOMPARE(config.schedule, std::string("cosine"));  // keys without a widget are kept
        QCOMPARE(config.epochs, 3.0);
        QCOMPARE(config.warmupRatio, 0.1);
        QCOMPARE(config.targetModules, (std::vector<std::string>{"c_attn", "c_proj"}));
        QCOMPARE(config.feedforwardModules, std::vector<std::string>{"c_proj"});
    }

    void badFileNamesTheKeyAndChangesNothing() {
        SetupPage page;
        page.setMethod(QStringLiteral("lora"));
        field<QSpinBox>(page, "loraR")->setValue(5);
        QString problem;
        const QString wrongType = writeFile(QStringLiteral("bad-type.json"), R"({"method": "lora", "r": "eight"})");
        QVERIFY(!page.loadSetup(wrongType, &problem));
        QVERIFY2(problem.contains(QLatin1String("'r'")), qPrintable(problem));
        const QString unknown = writeFile(QStringLiteral("bad-key.json"), R"({"lora_rank": 8})");
        QVERIFY(!page.loadSetup(unknown, &problem));
        QVERIFY2(problem.contains(QLatin1String("lora_rank")), qPrintable(problem));
        const QString broken = writeFile(QStringLiteral("broken.json"), "{\"r\": ");
        QVERIFY(!page.loadSetup(broken, &problem));
        QVERIFY2(problem.contains(QLatin1String("broken.json")), qPrintable(problem));
        QVERIFY(!page.loadSetup(scratch_.filePath(QStringLiteral("missing.json")), &problem));
        QVERIFY2(problem.contains(QLatin1String("missing.json")), qPrintable(problem));
        QCOMPARE(field<QSpinBox>(page, "loraR")->value(), 5);
    }

    void parameterCountUpdatesLive() {
        if (demoModelFolderForEstimate().isEmpty()) QSKIP("no shipped demo model (resources/demo/model) in this tree");
        SetupPage page;
        page.selectDemo();
        page.setMethod(QStringLiteral("lora"));
        QTRY_VERIFY_WITH_TIMEOUT(!page.estimatePending(), 10'000);
        // The trainer's RunInfo on the demo with LoRA r = 8 on c_attn (test_parameter_estimator).
        QCOMPARE(page.parameterLabel()->text(), QStringLiteral("trainable 4,096 of 134,336 (3.05 %)"));
        QCOMPARE(page.parameterEstimate().trainable, qint64(4096));
        field<QSpinBox>(page, "loraR")->setValue(16);
        QVERIFY(page.estimatePending());
        QTRY_VERIFY_WITH_TIMEOUT(!page.estimatePending(), 10'000);
        QCOMPARE(page.parameterEstimate().trainable, qint64(8192));  // linear in r
        QCOMPARE(page.parameterEstimate().all, qint64(134'336 + 4096));
        page.setMethod(QStringLiteral("prompt-tuning"));  // the demo's 8 virtual tokens × 64
        QTRY_VERIFY_WITH_TIMEOUT(!page.estimatePending(), 10'000);
        QCOMPARE(page.parameterEstimate().trainable, qint64(512));
        QVERIFY(page.parameterLabel()->text().startsWith(QStringLiteral("trainable 512 of ")));
    }

    void invalidSettingsBlockStart() {
        SetupPage page;
        page.selectDemo();
        page.setOutputFolder(scratch_.filePath(QStringLiteral("runs")));
        QSignalSpy validity(&page, &SetupPage::validityChanged);
        page.setMethod(QStringLiteral("adalora"));
        page.setMaxSteps(100);
        QVERIFY2(page.canStart(), qPrintable(page.settingsProblem()));
        QVERIFY(page.startButton()->isEnabled());
        QVERIFY(page.problemLabel()->text().isEmpty());

        field<QSpinBox>(page, "targetR")->setValue(field<QSpinBox>(page, "initR")->value() + 1);
        QVERIFY(!page.startButton()->isEnabled());
        QVERIFY2(page.problemLabel()->text().contains(QLatin1String("target_r")), qPrintable(page.problemLabel()->text()));
        QVERIFY(!validity.isEmpty() && !validity.last().at(0).toBool());
        field<QSpinBox>(page, "targetR")->setValue(2);
        QVERIFY(page.startButton()->isEnabled());

        field<QSpinBox>(page, "tinit")->setValue(60);
        field<QSpinBox>(page, "tfinal")->setValue(40);  // 60 + 40 >= 100 steps
        QVERIFY(!page.startButton()->isEnabled());
        QVERIFY2(page.problemLabel()->text().contains(QLatin1String("tinit + tfinal")), qPrintable(page.problemLabel()->text()));
        page.setMaxSteps(101);
        QVERIFY2(page.canStart(), qPrintable(page.settingsProblem()));

        page.setMethod(QStringLiteral("prompt-tuning"));
        field<QComboBox>(page, "promptTuningInit")->setCurrentText(QStringLiteral("TEXT"));
        QVERIFY(!page.startButton()->isEnabled());
        QVERIFY(page.problemLabel()->text().contains(QLatin1String("prompt_tuning_init_text")));
        field<QLineEdit>(page, "promptTuningInitText")->setText(QStringLiteral("Classify the sentiment"));
        QVERIFY(page.startButton()->isEnabled());

        // Target modules the model does not have: found by the estimate (the method's own check).
        if (!demoModelFolderForEstimate().isEmpty()) {
            page.setMethod(QStringLiteral("lora"));
            field<QLineEdit>(page, "loraTargetModules")->setText(QStringLiteral("q_proj"));
            QTRY_VERIFY_WITH_TIMEOUT(!page.estimatePending(), 10'000);
            QVERIFY(!page.startButton()->isEnabled());
            QVERIFY2(page.problemLabel()->text().contains(QLatin1String("q_proj")), qPrintable(page.problemLabel()->text()));
            field<QLineEdit>(page, "loraTargetModules")->setText(QStringLiteral("c_attn"));
            QVERIFY(page.startButton()->isEnabled());  // the stale problem is dropped at once
            QTRY_VERIFY_WITH_TIMEOUT(!page.estimatePending(), 10'000);
            QVERIFY2(page.canStart(), qPrintable(page.settingsProblem()));
        }

        // trainingRequest's own problems show there too.
        page.addModelFolderPath(scratch_.filePath(QStringLiteral("no-model")));
        page.modelTable()->selectRow(1);
        page.setDatasetPath(QString());
        QVERIFY(!page.startButton()->isEnabled());
        QVERIFY(page.problemLabel()->text().contains(QLatin1String("dataset")));
    }

    void keyboardReachesEverySettingInOrder() {
        // Tab walks the page as it reads: models, dataset, method, training rows, Start.
        SetupPage page;
        page.resize(1200, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const QStringList expected = {"modelTable", "addModelFolder", "recentModels", "datasetEdit", "datasetBrowse",
                                      "recentDatasets", "datasetFormat", "methodCombo", "maxSteps", "batchSize",
                                      "maxLength", "learningRate", "checkpointEvery", "device", "computeDtype",
                                      "outputFolder", "saveSetup", "loadSetup", "setupStart"};
        QStringList walked;
        QWidget* widget = &page;
        do {
            widget = widget->nextInFocusChain();
            if (expected.contains(widget->objectName()) && !walked.contains(widget->objectName()) &&
                (widget->focusPolicy() & Qt::TabFocus))
                walked << widget->objectName();
        } while (widget != &page);
        QCOMPARE(walked, expected);

        // Every button has a mnemonic (Start: Ctrl+Return, the window's action, in its tooltip),
        // every labelled field too, each letter once, none taken by the menu bar (File, View,
        // Training, Help).
        const QList<QWidget*> exempt = {page.methodOptions(), page.startButton()};
        const auto inExempt = [&](const QWidget* candidate) {
            for (const QWidget* parent = candidate; parent; parent = parent->parentWidget())
                if (exempt.contains(const_cast<QWidget*>(parent))) return true;
            return false;
        };
        QMap<QChar, QString> letters;
        const auto mnemonic = [](const QString& text) {
            for (int i = 0; i + 1 < text.size(); ++i) {
                if (text[i] != QLatin1Char('&')) continue;
                if (text[i + 1] == QLatin1Char('&')) { ++i; continue; }
                return text[i + 1].toUpper();
            }
            return QChar();
        };
        const auto take = [&](const QString& text) {
            const QChar letter = mnemonic(text);
            QVERIFY2(!letter.isNull(), qPrintable(text + QStringLiteral(" has no mnemonic")));
            QVERIFY2(!QStringLiteral("FVTH").contains(letter), qPrintable(text + QStringLiteral(" takes a menu bar letter")));
            QVERIFY2(!letters.contains(letter), qPrintable(text + QStringLiteral(" repeats the letter of ") + letters.value(letter)));
            letters.insert(letter, text);
        };
        for (QAbstractButton* button : page.findChildren<QAbstractButton*>()) {
            if (button->text().isEmpty() || inExempt(button) || !button->isVisibleTo(&page)) continue;
            take(button->text());
        }
        for (QLabel* label : page.findChildren<QLabel*>()) {
            if (!label->buddy() || inExempt(label) || !label->isVisibleTo(&page)) continue;
            take(label->text());
        }
        QVERIFY(letters.size() >= 15);
        QVERIFY(page.startButton()->toolTip().contains(QKeySequence(Qt::CTRL | Qt::Key_Return).toString(QKeySequence::NativeText)));
    }
};

QTEST_MAIN(TestSetupPage)
#include "test_setup_page.moc"
