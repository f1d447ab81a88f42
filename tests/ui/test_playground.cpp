// The playground on the real demo model with a LoRA adapter trained for a few steps: the same
// seed and settings give the same text twice, the base and adapter sides come from different
// weights, streaming delivers the text in pieces (at most ~30 signals a second) that add up to
// what core generation gives without streaming, scored choices are probabilities that sum to 1,
// stopping works, load errors name the file, and the page shows it all (screenshot).
#include "controller/playground_controller.h"
#include "widgets/choice_score_model.h"
#include "widgets/playground_page.h"

#include "model/generation.h"
#include "model/model_loader.h"
#include "peft/adapter.h"
#include "tokenizer/tokenizer.h"
#include "train/demo_assets.h"
#include "train/trainer.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QThread>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace capsule;
using namespace capsule::ui;

namespace {

/// The first argument of the newest emission of `spy`.
template <typename T>
T lastArgument(const QSignalSpy& spy) {
    return spy.last().at(0).value<T>();
}

}  // namespace

class TestPlayground : public QObject {
    Q_OBJECT

    QTemporaryDir scratch_;
    QString modelFolder_;
    QString adapterFolder_;
    const QString prompt_ = QStringLiteral("the movie was");

    /// Loads model + adapter into `controller`; fails the test on errors.
    bool loadInto(PlaygroundController& controller, const QString& adapter) {
        QSignalSpy loaded(&controller, &PlaygroundController::loaded);
        QSignalSpy failed(&controller, &PlaygroundController::failed);
        if (!controller.load(modelFolder_, adapter)) return false;
        if (!loaded.wait(60'000)) {
            qWarning() << "load failed:" << (failed.isEmpty() ? QString() : failed.first().at(0).toString());
            return false;
        }
        return true;
    }

    GenerationOutcome generateWith(PlaygroundController& controller, const SamplingSettings& settings) {
        QSignalSpy finished(&controller, &PlaygroundController::generationFinished);
        if (!controller.generate(prompt_, settings)) return {};
        if (!finished.wait(60'000)) return {};
        return lastArgument<GenerationOutcome>(finished);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        qputenv("CAPSULE_STORE", scratch_.filePath(QStringLiteral("store/runs.sqlite")).toUtf8());
        qputenv("XDG_CACHE_HOME", scratch_.filePath(QStringLiteral("cache")).toUtf8());
        // A real adapter: the demo with LoRA for a few steps (the trainer, no GUI).
        const train::DemoAssets assets = train::ensureDemoAssets(scratch_.filePath(QStringLiteral("demo")).toStdString());
        train::TrainingConfig config =
            train::demoTrainingConfig(assets, "lora", 40, scratch_.filePath(QStringLiteral("runs/lora")).toStdString());
        config.evalAtStart = false;
        config.evalEvery = 0;
        config.store = scratch_.filePath(QStringLiteral("store/runs.sqlite")).toStdString();
        train::TrainingObserver quiet;
        const train::TrainingResult result = train::Trainer::run(config, quiet);
        QCOMPARE(int(result.status), int(train::TrainingStatus::Finished));
        modelFolder_ = QString::fromStdString(assets.modelFolder);
        adapterFolder_ = QString::fromStdString(result.adapterFolder);
        QVERIFY(QFile::exists(adapterFolder_ + QStringLiteral("/adapter_model.safetensors")));
    }

    void loadsModelAndAdapter() {
        PlaygroundController controller;
        QSignalSpy busy(&controller, &PlaygroundController::busyChanged);
        QVERIFY(!controller.generate(prompt_, {}));  // nothing loaded yet
        QVERIFY(loadInto(controller, adapterFolder_));
        QVERIFY(controller.isLoaded());
        QVERIFY(controller.hasAdapter());
        QCOMPARE(controller.modelInfo().adapterType, QStringLiteral("LORA"));
        QCOMPARE(controller.modelInfo().modelType, QStringLiteral("gpt2"));
        QVERIFY(controller.modelInfo().parameterCount > 0);
        QCOMPARE(busy.count(), 2);  // true, then false
        QVERIFY(!controller.isBusy());
    }

    void sameSeedSameText() {
        PlaygroundController controller;
        QVERIFY(loadInto(controller, adapterFolder_));
        SamplingSettings settings;
        settings.temperature = 1.5;  // flat enough that the seed matters on this tiny model
        settings.maxNewTokens = 24;
        settings.seed = 42;
        const GenerationOutcome first = generateWith(controller, settings);
        const GenerationOutcome second = generateWith(controller, settings);
        QVERIFY(first.hasAdapter);
        QVERIFY(!first.base.tokenIds.isEmpty());
        QVERIFY(!first.adapter.tokenIds.isEmpty());
        QCOMPARE(second.base.tokenIds, first.base.tokenIds);
        QCOMPARE(second.adapter.tokenIds, first.adapter.tokenIds);
        QCOMPARE(second.base.text, first.base.text);
        QCOMPARE(second.adapter.text, first.adapter.text);
        // The seed is really used: some other seed samples another continuation.
        bool anotherDiffers = false;
        for (quint64 seed = 1; seed <= 4 && !anotherDiffers; ++seed) {
            settings.seed = seed;
            anotherDiffers = generateWith(controller, settings).base.tokenIds != first.base.tokenIds;
        }
        QVERIFY(anotherDiffers);
    }

    void streamingMatchesCoreGeneration() {
        PlaygroundController controller;
        QVERIFY(loadInto(controller, adapterFolder_));
        QString streamed[2];
        int pieces[2] = {0, 0};
        connect(&controller, &PlaygroundController::textArrived, this, [&](PlaygroundSide side, const QString& text) {
            streamed[int(side)] += text;
            ++pieces[int(side)];
        });
        // The demo model makes ~2000 tokens/s and says a few words before its end of text, all
        // within one 34 ms flush; 40 ms per token stand in for a big model so that the streaming
        // can be watched.
        controller.setTokenObserver([](PlaygroundSide, int64_t) { QThread::msleep(40); });
        SamplingSettings settings;
        settings.temperature = 1.0;
        settings.topK = 20;
        settings.topP = 0.95;
        settings.maxNewTokens = 40;
        settings.seed = 7;
        QElapsedTimer clock;
        clock.start();
        const GenerationOutcome outcome = generateWith(controller, settings);
        const double seconds = clock.elapsed() / 1000.0;
        QVERIFY(!outcome.base.text.isEmpty());
        QCOMPARE(streamed[0], outcome.base.text);
        QCOMPARE(streamed[1], outcome.adapter.text);
        // Batched: never more than ~30 signals a second (one more for the final flush).
        QVERIFY2(controller.flushCount() <= int(seconds * 1000.0 / PlaygroundController::flushIntervalMs) + 2,
                 qPrintable(QStringLiteral("%1 flushes in %2 s").arg(controller.flushCount()).arg(seconds)));
        qInfo("generation of %d + %d tokens: %.3f s, %d flushes, base %.0f tokens/s, adapter %.0f tokens/s",
              int(outcome.base.tokenIds.size()), int(outcome.adapter.tokenIds.size()), seconds, controller.flushCount(),
              outcome.base.tokensPerSecond, outcome.adapter.tokensPerSecond);
        qInfo("base: \"%s\" | adapter: \"%s\"", qPrintable(outcome.base.text), qPrintable(outcome.adapter.text));
        QCOMPARE(outcome.base.stopReason, QStringLiteral("eos"));
        QVERIFY2(pieces[0] >= 3 && pieces[1] >= 3,
                 qPrintable(QStringLiteral("pieces: %1 + %2").arg(pieces[0]).arg(pieces[1])));

        // The same generation straight through the core, without streaming or the controller.
        const tokenizer::Tokenizer tokenizer = tokenizer::Tokenizer::fromDirectory(modelFolder_.toStdString());
        const auto network = model::loadModel(modelFolder_.toStdString());
        const auto adapter = peft::loadAdapter(*network, adapterFolder_.toStdString());
        model::GenerationOptions options;
        options.temperature = 1.0;
        options.topK = 20;
        options.topP = 0.95;
        options.maxNewTokens = 40;
        options.seed = 7;
        options.eosTokenIds = network->config().eosTokenIds;
        for (const int64_t id : tokenizer.specialTokens().eosIds) options.eosTokenIds.push_back(id);
        const std::vector<int64_t> promptIds = tokenizer.encode(prompt_.toStdString(), true);
        QCOMPARE(outcome.promptTokens, int(promptIds.size()));
        const model::GenerationResult withAdapter = model::generate(*network, promptIds, options, {}, adapter->generationHooks());
        QCOMPARE(outcome.adapter.text, QString::fromStdString(tokenizer.decode(withAdapter.tokens, true)));
        model::GenerationResult base;
        {
            peft::AdapterDisabledScope disabled(*adapter);
            base = model::generate(*network, promptIds, options);
        }
        QCOMPARE(outcome.base.text, QString::fromStdString(tokenizer.decode(base.tokens, true)));

        // Without stopping at the end of text, every side makes exactly maxNewTokens.
        controller.setTokenObserver({});
        settings.stopAtEndOfText = false;
        settings.maxNewTokens = 30;
        const GenerationOutcome full = generateWith(controller, settings);
        QCOMPARE(full.base.tokenIds.size(), 30);
        QCOMPARE(full.adapter.tokenIds.size(), 30);
        QCOMPARE(full.adapter.stopReason, QStringLiteral("max_new_tokens"));
    }

    void stopEndsGenerationEarly() {
        PlaygroundController controller;
        QVERIFY(loadInto(controller, adapterFolder_));
        QSignalSpy finished(&controller, &PlaygroundController::generationFinished);
        SamplingSettings settings;
        settings.temperature = 1.0;
        settings.maxNewTokens = 110;
        QVERIFY(controller.generate(prompt_, settings));
        QVERIFY(!controller.generate(prompt_, settings));  // one job at a time
        controller.stop();
        QVERIFY(finished.wait(60'000));
        const GenerationOutcome outcome = lastArgument<GenerationOutcome>(finished);
        QVERIFY(outcome.cancelled);
        QVERIFY(outcome.base.tokenIds.size() < 110);
        QVERIFY(outcome.adapter.tokenIds.isEmpty());
    }

    void scoredChoicesAreProbabilities() {
        PlaygroundController controller;
        QVERIFY(loadInto(controller, adapterFolder_));
        QSignalSpy scored(&controller, &PlaygroundController::choicesScored);
        const QStringList choices = {QStringLiteral("positive"), QStringLiteral("negative"), QStringLiteral("very")};
        QVERIFY(controller.scoreChoices(QStringLiteral("the meal was wonderful"), choices));
        QVERIFY(scored.wait(60'000));
        const auto scores = lastArgument<QVector<ChoiceScore>>(scored);
        QCOMPARE(scores.size(), 3);
        double baseSum = 0, adapterSum = 0, largestDifference = 0;
        for (int i = 0; i < scores.size(); ++i) {
            QCOMPARE(scores[i].choice, choices[i]);
            QVERIFY(scores[i].baseLogLikelihood < 0 && scores[i].adapterLogLikelihood < 0);
            baseSum += scores[i].baseProbability;
            adapterSum += scores[i].adapterProbability;
            largestDifference =
                std::max(largestDifference, std::abs(scores[i].baseLogLikelihood - scores[i].adapterLogLikelihood));
            // Probabilities are the softmax of the log-likelihoods.
            const double ratio = std::exp(scores[i].baseLogLikelihood - scores[0].baseLogLikelihood);
            QVERIFY(std::abs(scores[i].baseProbability / scores[0].baseProbability - ratio) < 1e-9);
        }
        QVERIFY(std::abs(baseSum - 1.0) < 1e-9);
        QVERIFY(std::abs(adapterSum - 1.0) < 1e-9);
        // Base and adapter are different weights.
        QVERIFY2(largestDifference > 1e-3, qPrintable(QString::number(largestDifference)));

        // Without an adapter both columns are the base model, and equal to the base column above.
        PlaygroundController baseOnly;
        QVERIFY(loadInto(baseOnly, QString()));
        QSignalSpy baseScored(&baseOnly, &PlaygroundController::choicesScored);
        QVERIFY(baseOnly.scoreChoices(QStringLiteral("the meal was wonderful"), choices));
        QVERIFY(baseScored.wait(60'000));
        const auto plain = lastArgument<QVector<ChoiceScore>>(baseScored);
        for (int i = 0; i < plain.size(); ++i) {
            QCOMPARE(plain[i].adapterLogLikelihood, plain[i].baseLogLikelihood);
            QVERIFY(std::abs(plain[i].baseLogLikelihood - scores[i].baseLogLikelihood) < 1e-5);
        }

        // One choice is not a question.
        QSignalSpy failed(&controller, &PlaygroundController::failed);
        QVERIFY(controller.scoreChoices(QStringLiteral("the meal was"), {QStringLiteral("positive")}));
        QVERIFY(failed.wait(30'000));
        QVERIFY(failed.first().at(0).toString().contains(QStringLiteral("two choices")));
    }

    void loadErrorsNameTheFile() {
        // Weights that are not a safetensors file.
        QTemporaryDir broken;
        QVERIFY(QFile::copy(adapterFolder_ + QStringLiteral("/adapter_config.json"),
                            broken.filePath(QStringLiteral("adapter_config.json"))));
        QFile weights(broken.filePath(QStringLiteral("adapter_model.safetensors")));
        QVERIFY(weights.open(QIODevice::WriteOnly));
        weights.write("definitely not safetensors");
        weights.close();
        PlaygroundController controller;
        QSignalSpy failed(&controller, &PlaygroundController::failed);
        QVERIFY(controller.load(modelFolder_, broken.path()));
        QVERIFY(failed.wait(60'000));
        const QString message = failed.first().at(0).toString();
        QVERIFY2(message.contains(QStringLiteral("adapter_model.safetensors")), qPrintable(message));
        QVERIFY(!message.contains(QLatin1Char('\n')));
        QVERIFY(!controller.isLoaded());

        // A model folder without weights.
        QTemporaryDir empty;
        QVERIFY(controller.load(empty.path()));
        QVERIFY(failed.wait(60'000));
        QVERIFY2(failed.last().at(0).toString().contains(empty.path()), qPrintable(failed.last().at(0).toString()));
    }

    void pageShowsBothSidesAndScores() {
        PlaygroundPage page;
        page.resize(1100, 760);
        page.setModelFolder(modelFolder_);
        page.offerAdapter(QStringLiteral("/somewhere/else"));
        QCOMPARE(page.adapterFolder(), QString());  // offering does not select
        page.setAdapterFolder(adapterFolder_);
        QCOMPARE(page.adapterFolder(), adapterFolder_);
        QVERIFY(!page.generateButton()->isEnabled());
        QSignalSpy loaded(page.controller(), &PlaygroundController::loaded);
        QVERIFY(page.loadModel());
        QVERIFY(loaded.wait(60'000));
        QVERIFY(page.generateButton()->isEnabled());

        page.promptEdit()->setPlainText(QStringLiteral("the concert was dreadful"));
        SamplingSettings settings = page.samplingSettings();
        settings.temperature = 0.9;
        settings.maxNewTokens = 24;
        settings.seed = 3;
        page.setSamplingSettings(settings);
        QSignalSpy finished(page.controller(), &PlaygroundController::generationFinished);
        QTest::mouseClick(page.generateButton(), Qt::LeftButton);
        QVERIFY(finished.wait(60'000));
        const auto outcome = lastArgument<GenerationOutcome>(finished);
        QCOMPARE(page.basePane()->toPlainText(), outcome.base.text);
        QCOMPARE(page.adapterPane()->toPlainText(), outcome.adapter.text);
        QVERIFY(!page.basePane()->toPlainText().isEmpty());
        QVERIFY(page.baseRateLabel()->text().contains(QStringLiteral("tokens/s")));
        QVERIFY(page.adapterRateLabel()->text().contains(QStringLiteral("tokens/s")));

        QAbstractItemModelTester tester(page.scoreModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.choicesEdit()->setPlainText(QStringLiteral("positive\nnegative\n"));
        QSignalSpy scored(page.controller(), &PlaygroundController::choicesScored);
        QTest::mouseClick(page.scoreButton(), Qt::LeftButton);
        QVERIFY(scored.wait(60'000));
        ChoiceScoreModel* model = page.scoreModel();
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(model->columnCount(), int(ChoiceScoreModel::ColumnCount));
        const int best = model->bestAdapterRow();
        QVERIFY(best >= 0);
        QVERIFY(model->data(model->index(best, ChoiceScoreModel::AdapterProbabilityColumn), Qt::FontRole).value<QFont>().bold());
        QVERIFY(!model->data(model->index(1 - best, ChoiceScoreModel::AdapterProbabilityColumn), Qt::FontRole).isValid());
        const double shown = model->data(model->index(0, ChoiceScoreModel::BaseProbabilityColumn), Qt::UserRole).toDouble() +
                             model->data(model->index(1, ChoiceScoreModel::BaseProbabilityColumn), Qt::UserRole).toDouble();
        QVERIFY(std::abs(shown - 1.0) < 1e-9);
        QVERIFY(model->data(model->index(0, ChoiceScoreModel::BaseProbabilityColumn)).toString().endsWith(QLatin1Char('%')));

        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const QString screenshot = qEnvironmentVariable("CAPSULE_PLAYGROUND_SCREENSHOT", QStringLiteral("/tmp/playground.png"));
        QVERIFY(page.grab().save(screenshot));
    }
};

QTEST_MAIN(TestPlayground)
#include "test_playground.moc"
