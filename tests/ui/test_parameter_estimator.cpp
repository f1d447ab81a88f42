// The live trainable-parameter count: the same numbers the trainer reports (RunInfo) on the
// built-in demo for every method, peft-spec §12's GPT-2 small cases on a meta-device skeleton,
// invalid options reported as such, and the debounced worker delivering only the newest request.
#include "controller/parameter_estimator.h"

#include "train/demo_assets.h"
#include "train/trainer.h"
#include "train/training_observer.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>

using namespace capsule;
using namespace capsule::ui;

namespace {
struct RunInfoRecorder : train::TrainingObserver {
    train::RunInfo info;
    void onRunInfo(const train::RunInfo& runInfo) override { info = runInfo; }
};

// GPT-2 small's published config (124M parameters): built on the meta device only.
const char* const kGpt2SmallConfig = R"({
  "model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "activation_function": "gelu_new",
  "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024, "n_ctx": 1024, "vocab_size": 50257,
  "layer_norm_epsilon": 1e-05, "initializer_range": 0.02, "bos_token_id": 50256, "eos_token_id": 50256,
  "tie_word_embeddings": true
})";
}  // namespace

class TestParameterEstimator : public QObject {
    Q_OBJECT
private:
    QTemporaryDir scratch_;
    QString gpt2Folder_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        gpt2Folder_ = scratch_.filePath(QStringLiteral("gpt2-small"));
        QVERIFY(QDir().mkpath(gpt2Folder_));
        QFile config(gpt2Folder_ + QStringLiteral("/config.json"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(kGpt2SmallConfig);
    }

    void demoCountsEqualTheTrainersRunInfo_data() {
        QTest::addColumn<QString>("method");
        for (const std::string& method : train::methodNames()) QTest::newRow(method.c_str()) << QString::fromStdString(method);
    }

    void demoCountsEqualTheTrainersRunInfo() {
        QFETCH(QString, method);
        const QString demoModel = demoModelFolderForEstimate();
        if (demoModel.isEmpty()) QSKIP("no shipped demo model (resources/demo/model) in this tree");
        const std::string dataset = scratch_.filePath(QStringLiteral("demo.jsonl")).toStdString();
        if (!QFile::exists(QString::fromStdString(dataset))) train::writeDemoDataset(dataset, 64);

        train::TrainingConfig config = train::demoTrainingConfig(
            train::DemoAssets{demoModel.toStdString(), dataset}, method.toStdString(), 1,
            scratch_.filePath(QStringLiteral("out-") + method).toStdString());
        if (method == QLatin1String("adalora")) {
            config.maxSteps = 10;  // AdaLoRA needs tinit + tfinal < total steps
            config.tinit = 1;
            config.tfinal = 2;
            config.targetModules = {"c_attn", "c_proj", "c_fc"};
        }
        config.evalAtStart = false;
        config.evalEvery = 0;
        config.threads = 1;
        config.store = scratch_.filePath(QStringLiteral("runs.sqlite")).toStdString();

        train::TrainingConfig estimated = config;
        estimated.model.clear();  // "" = the built-in demo, as the Setup page sends it
        const ParameterEstimate estimate = estimateTrainableParameters(estimated);
        QVERIFY2(estimate.valid, qPrintable(estimate.problem));

        RunInfoRecorder recorder;
        train::TrainingControl control;
        control.requestCancel();  // RunInfo comes before the first step; no need to train
        train::Trainer::run(config, recorder, &control);
        QVERIFY(recorder.info.trainableParameters > 0);
        QCOMPARE(estimate.trainable, qint64(recorder.info.trainableParameters));
        QCOMPARE(estimate.all, qint64(recorder.info.totalParameters));
        qInfo("%s: %s", qPrintable(method), qPrintable(estimate.text()));
    }

    void gpt2SmallMatchesPeftSpecOnTheMetaDevice() {
        train::TrainingConfig config;
        config.model = gpt2Folder_.toStdString();
        config.maxSteps = 1000;
        const auto started = std::chrono::steady_clock::now();
        config.method = "lora";  // r = 8, GPT-2's default target c_attn
        ParameterEstimate estimate = estimateTrainableParameters(config);
        QVERIFY2(estimate.valid, qPrintable(estimate.problem));
        QCOMPARE(estimate.trainable, qint64(294'912));
        QCOMPARE(estimate.all, qint64(124'734'720));  // PEFT's print_trainable_parameters for this case
        QCOMPARE(estimate.text(), QStringLiteral("trainable 294,912 of 124,734,720 (0.24 %)"));
        config.method = "ia3";
        estimate = estimateTrainableParameters(config);
        QVERIFY2(estimate.valid, qPrintable(estimate.problem));
        QCOMPARE(estimate.trainable, qint64(64'512));
        config.method = "prompt-tuning";
        config.numVirtualTokens = 20;
        estimate = estimateTrainableParameters(config);
        QVERIFY2(estimate.valid, qPrintable(estimate.problem));
        QCOMPARE(estimate.trainable, qint64(15'360));
        config.method = "prefix-tuning";
        estimate = estimateTrainableParameters(config);
        QVERIFY2(estimate.valid, qPrintable(estimate.problem));
        QCOMPARE(estimate.trainable, qint64(368'640));
        config.method = "adalora";  // init_r 12 on c_attn, before pruning
        config.targetModules = {"c_attn"};
        estimate = estimateTrainableParameters(config);
        QVERIFY2(estimate.valid, qPrintable(estimate.problem));
        QCOMPARE(estimate.trainable, qint64(442'512));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        qInfo("five GPT-2 small estimates on meta: %.3f s", seconds);
        QVERIFY2(seconds < 10.0, qPrintable(QString::number(seconds)));  // no 500 MB allocations
    }

    void problemsAreReported() {
        train::TrainingConfig config;
        config.model = gpt2Folder_.toStdString();
        config.method = "prompt-tuning";
        config.promptTuningInit = "TEXT";
        ParameterEstimate estimate = estimateTrainableParameters(config);
        QVERIFY(!estimate.valid);
        QVERIFY(estimate.invalidSettings);
        QVERIFY2(estimate.problem.contains(QLatin1String("prompt-tuning-init-text")), qPrintable(estimate.problem));
        QVERIFY(estimate.text().contains(QLatin1String("n/a")));

        config.method = "lora";
        config.targetModules = {"no_such_layer"};
        estimate = estimateTrainableParameters(config);
        QVERIFY(!estimate.valid);
        QVERIFY2(estimate.problem.contains(QLatin1String("no_such_layer")), qPrintable(estimate.problem));

        config.model = scratch_.filePath(QStringLiteral("nothing-here")).toStdString();
        estimate = estimateTrainableParameters(config);
        QVERIFY(!estimate.valid);
        QVERIFY(!estimate.invalidSettings);
        QVERIFY2(estimate.problem.contains(QLatin1String("config.json")), qPrintable(estimate.problem));
    }

    void workerDebouncesAndDeliversTheNewest() {
        ParameterEstimator estimator;
        QSignalSpy spy(&estimator, &ParameterEstimator::estimated);
        train::TrainingConfig config;
        config.model = gpt2Folder_.toStdString();
        config.method = "lora";
        for (int r = 1; r <= 8; ++r) {
            config.r = r;
            estimator.request(config);
        }
        QVERIFY(estimator.isPending());
        QVERIFY(spy.wait(10'000));
        QTest::qWait(3 * ParameterEstimator::debounceMs);
        QCOMPARE(spy.count(), 1);
        const auto estimate = spy.at(0).at(0).value<ParameterEstimate>();
        QCOMPARE(estimate.trainable, qint64(294'912));  // r = 8, the newest request
        QVERIFY(!estimator.isPending());
    }
};

QTEST_MAIN(TestParameterEstimator)
#include "test_parameter_estimator.moc"
