// Export and import of adapters on real demo adapters (LoRA and IA3 trained for a few steps):
// the adapter export writes byte-identical files, the merged export writes a model whose logits
// equal base + adapter, cancelling at any stage or failing leaves neither the destination nor a
// temporary folder (and keeps an earlier export intact), prompt-learning adapters cannot be
// merged (with the reason shown), and importing a folder with a broken adapter_config.json
// names the file while a good one becomes a run in the store and opens in the Playground; a
// successful export is recorded as an artifact of its run (a cancelled or failed one is not).
#include "controller/export_controller.h"
#include "controller/playground_controller.h"
#include "controller/run_history.h"
#include "controller/runtime_controller.h"
#include "controller/training_controller.h"
#include "widgets/export_dialog.h"
#include "widgets/history_page.h"
#include "widgets/main_window.h"
#include "widgets/playground_page.h"

#include "model/model_loader.h"
#include "peft/adapter.h"
#include "store/run_store.h"
#include "tokenizer/tokenizer.h"
#include "train/demo_assets.h"
#include "train/trainer.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace capsule;
using namespace capsule::ui;

namespace {

QByteArray fileHash(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

/// Entries of `folder` (files and folders, hidden ones too).
QStringList entries(const QString& folder) {
    return QDir(folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
}

/// Logits [1, T, V] of `prompt` for the model in `modelFolder` with `adapterFolder` applied ("" = none).
torch::Tensor promptLogits(const std::string& modelFolder, const std::string& adapterFolder, const std::string& tokenizerFolder) {
    const tokenizer::Tokenizer tokenizer = tokenizer::Tokenizer::fromDirectory(tokenizerFolder);
    const std::vector<int64_t> ids = tokenizer.encode("the hotel was lovely and the song was", true);
    model::LoadOptions options;
    options.device = torch::Device(torch::kCPU);
    const auto network = model::loadModel(modelFolder, options);
    std::unique_ptr<peft::AdapterMethod> adapter;
    if (!adapterFolder.empty()) adapter = peft::loadAdapter(*network, adapterFolder);
    torch::NoGradGuard noGrad;
    model::ForwardInput input;
    input.inputIds = torch::tensor(ids, torch::kLong).unsqueeze(0);  // [1, T]
    return peft::forwardLogits(*network, adapter.get(), input);        // [1, T, V]
}

}  // namespace

class TestExportDialog : public QObject {
    Q_OBJECT

    QTemporaryDir scratch_;
    QString modelFolder_;
    QString loraFolder_;
    QString ia3Folder_;
    QString promptTuningFolder_;
    int counter_ = 0;

    QString trainDemo(const train::DemoAssets& assets, const std::string& method) {
        train::TrainingConfig config = train::demoTrainingConfig(
            assets, method, 12, scratch_.filePath(QStringLiteral("runs/") + QString::fromStdString(method)).toStdString());
        config.evalAtStart = false;
        config.evalEvery = 0;
        config.store = scratch_.filePath(QStringLiteral("train-store.sqlite")).toStdString();
        train::TrainingObserver quiet;
        const train::TrainingResult result = train::Trainer::run(config, quiet);
        if (result.status != train::TrainingStatus::Finished) qWarning() << QString::fromStdString(result.reason);
        return QString::fromStdString(result.adapterFolder);
    }

    /// A fresh, empty parent folder for one export; the destination is `parent`/export.
    QString freshParent() {
        const QString parent = scratch_.filePath(QStringLiteral("exports/%1").arg(++counter_));
        QDir().mkpath(parent);
        return parent;
    }

    ExportOutcome runDialog(ExportDialog& dialog) {
        QSignalSpy finished(&dialog, &ExportDialog::exportFinished);
        if (!dialog.startExport()) return {};
        if (!finished.wait(60'000)) return {};
        return finished.last().at(0).value<ExportOutcome>();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        qputenv("CAPSULE_STORE", scratch_.filePath(QStringLiteral("store/runs.sqlite")).toUtf8());
        qputenv("XDG_CACHE_HOME", scratch_.filePath(QStringLiteral("cache")).toUtf8());
        const train::DemoAssets assets = train::ensureDemoAssets(scratch_.filePath(QStringLiteral("demo")).toStdString());
        modelFolder_ = QString::fromStdString(assets.modelFolder);
        loraFolder_ = trainDemo(assets, "lora");
        ia3Folder_ = trainDemo(assets, "ia3");
        QVERIFY(QFile::exists(loraFolder_ + QStringLiteral("/adapter_config.json")));
        QVERIFY(QFile::exists(ia3Folder_ + QStringLiteral("/adapter_config.json")));
        // A prompt-tuning adapter folder as PEFT writes it (only its config matters here).
        promptTuningFolder_ = scratch_.filePath(QStringLiteral("prompt-tuning"));
        QDir().mkpath(promptTuningFolder_);
        QFile config(promptTuningFolder_ + QStringLiteral("/adapter_config.json"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"peft_type": "PROMPT_TUNING", "task_type": "CAUSAL_LM", "num_virtual_tokens": 8,
                         "token_dim": 64, "num_transformer_submodules": 1, "prompt_tuning_init": "RANDOM"})");
        config.close();
        QVERIFY(QFile::copy(loraFolder_ + QStringLiteral("/adapter_model.safetensors"),
                            promptTuningFolder_ + QStringLiteral("/adapter_model.safetensors")));
    }

    void inspectsAdapters() {
        const AdapterCheck lora = ExportController::inspectAdapter(loraFolder_);
        QVERIFY2(lora.valid, qPrintable(lora.error));
        QCOMPARE(lora.peftType, QStringLiteral("LORA"));
        QCOMPARE(lora.method, QStringLiteral("lora"));
        QVERIFY(lora.canMerge);
        QCOMPARE(lora.baseModel, modelFolder_);
        QVERIFY(lora.tensorCount > 0 && lora.parameterCount > 0);
        QCOMPARE(lora.sizeBytes, QFileInfo(loraFolder_ + QStringLiteral("/adapter_config.json")).size() +
                                     QFileInfo(loraFolder_ + QStringLiteral("/adapter_model.safetensors")).size());

        const AdapterCheck prompt = ExportController::inspectAdapter(promptTuningFolder_);
        QVERIFY2(prompt.valid, qPrintable(prompt.error));
        QVERIFY(!prompt.canMerge);
        QVERIFY(prompt.mergeBlockedReason.contains(QStringLiteral("cannot be merged")));

        ExportDialog dialog;
        dialog.setAdapterFolder(promptTuningFolder_);
        QVERIFY(!dialog.mergedRadio()->isEnabled());
        QCOMPARE(dialog.mergedRadio()->toolTip(), prompt.mergeBlockedReason);
        QCOMPARE(dialog.mergeReasonLabel()->text(), prompt.mergeBlockedReason);
        dialog.setKind(ExportKind::Merged);
        QCOMPARE(dialog.kind(), ExportKind::Adapter);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(dialog.grab().save(QStringLiteral("/tmp/export_dialog_prompt_tuning.png")));
        dialog.setAdapterFolder(loraFolder_);
        QVERIFY(dialog.mergedRadio()->isEnabled());
        QVERIFY(dialog.mergeReasonLabel()->text().isEmpty());
        QVERIFY(dialog.adapterInfoLabel()->text().contains(QStringLiteral("LORA")));
    }

    void exportsAdapterFolder() {
        const QString parent = freshParent();
        const QString destination = parent + QStringLiteral("/export");
        ExportDialog dialog;
        dialog.setAdapterFolder(loraFolder_);
        dialog.setDestination(destination);
        const ExportOutcome outcome = runDialog(dialog);
        QVERIFY2(outcome.succeeded, qPrintable(outcome.error));
        QCOMPARE(entries(parent), QStringList{QStringLiteral("export")});  // no temporary folder left
        QCOMPARE(entries(destination), (QStringList{QStringLiteral("adapter_config.json"),
                                                    QStringLiteral("adapter_model.safetensors")}));
        for (const QString& name : entries(destination))
            QCOMPARE(fileHash(destination + QLatin1Char('/') + name), fileHash(loraFolder_ + QLatin1Char('/') + name));
        QCOMPARE(outcome.sizeBytes, ExportController::inspectAdapter(loraFolder_).sizeBytes);
        QVERIFY(outcome.pythonSnippet.contains(QStringLiteral("PeftModel.from_pretrained(base, \"%1\")")
                                                   .arg(QFileInfo(destination).absoluteFilePath())));
        QVERIFY(outcome.pythonSnippet.contains(QStringLiteral("AutoModelForCausalLM.from_pretrained(\"%1\")").arg(modelFolder_)));
        QCOMPARE(dialog.snippetEdit()->toPlainText(), outcome.pythonSnippet);
        QVERIFY(dialog.resultLabel()->text().contains(formatByteSize(outcome.sizeBytes)));
        QCOMPARE(dialog.progressBar()->value(), 100);
        QVERIFY(dialog.copyButton()->isEnabled());
        QTest::mouseClick(dialog.copyButton(), Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), outcome.pythonSnippet);

        // Exporting again replaces the earlier export in place.
        const ExportOutcome again = runDialog(dialog);
        QVERIFY2(again.succeeded, qPrintable(again.error));
        QCOMPARE(entries(parent), QStringList{QStringLiteral("export")});

        dialog.resize(640, 600);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(dialog.grab().save(QStringLiteral("/tmp/export_dialog.png")));
    }

    void exportsMergedModelsWithTheAdaptersLogits_data() {
        QTest::addColumn<QString>("adapterFolder");
        QTest::newRow("lora") << loraFolder_;
        QTest::newRow("ia3") << ia3Folder_;
    }

    void exportsMergedModelsWithTheAdaptersLogits() {
        QFETCH(QString, adapterFolder);
        const QString parent = freshParent();
        const QString destination = parent + QStringLiteral("/merged");
        ExportDialog dialog;
        dialog.setAdapterFolder(adapterFolder);
        dialog.setDestination(destination);
        dialog.setKind(ExportKind::Merged);
        QCOMPARE(dialog.kind(), ExportKind::Merged);
        QVector<int> percents;
        connect(dialog.controller(), &ExportController::progress, this, [&](int percent, const QString&) { percents << percent; });
        const ExportOutcome outcome = runDialog(dialog);  // the base model comes from adapter_config.json
        QVERIFY2(outcome.succeeded, qPrintable(outcome.error));
        QCOMPARE(entries(parent), QStringList{QStringLiteral("merged")});
        for (const char* name : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"})
            QVERIFY2(QFile::exists(destination + QLatin1Char('/') + QLatin1String(name)), name);
        QVERIFY(!QFile::exists(destination + QStringLiteral("/adapter_config.json")));
        QCOMPARE(outcome.sizeBytes, ExportController::folderSizeBytes(destination));
        QVERIFY(outcome.pythonSnippet.contains(QStringLiteral("AutoModelForCausalLM.from_pretrained(\"%1\")")
                                                   .arg(QFileInfo(destination).absoluteFilePath())));
        QVERIFY(!outcome.pythonSnippet.contains(QStringLiteral("PeftModel")));
        QVERIFY(percents.size() >= 5);
        QVERIFY(std::is_sorted(percents.begin(), percents.end()));
        QCOMPARE(percents.last(), 100);

        // The merged model alone computes what base + adapter compute.
        const torch::Tensor merged = promptLogits(destination.toStdString(), "", modelFolder_.toStdString());          // [1, T, V]
        const torch::Tensor adapted = promptLogits(modelFolder_.toStdString(), adapterFolder.toStdString(), modelFolder_.toStdString());
        const torch::Tensor base = promptLogits(modelFolder_.toStdString(), "", modelFolder_.toStdString());
        const double mergedError = (merged - adapted).abs().max().item<double>();
        const double adapterEffect = (adapted - base).abs().max().item<double>();
        qInfo("max |merged - (base + adapter)| = %.3g; max |adapter effect| = %.3g", mergedError, adapterEffect);
        QVERIFY(mergedError < 1e-4);
        QVERIFY(adapterEffect > 100 * mergedError);  // the adapter really changed the model
    }

    void cancelLeavesNothingHalfWritten_data() {
        QTest::addColumn<int>("cancelAtPercent");
        QTest::addColumn<bool>("existingExport");
        QTest::newRow("while loading the model") << 10 << false;
        QTest::newRow("before merging") << 55 << false;
        QTest::newRow("after writing, before the rename") << 90 << false;
        QTest::newRow("replacing an earlier export") << 90 << true;
    }

    void cancelLeavesNothingHalfWritten() {
        QFETCH(int, cancelAtPercent);
        QFETCH(bool, existingExport);
        const QString parent = freshParent();
        const QString destination = parent + QStringLiteral("/merged");
        ExportController controller;
        QByteArray earlierHash;
        if (existingExport) {
            QSignalSpy finished(&controller, &ExportController::finished);
            QVERIFY(controller.start({loraFolder_, modelFolder_, destination, ExportKind::Merged}));
            QVERIFY(finished.wait(60'000));
            QVERIFY(finished.last().at(0).value<ExportOutcome>().succeeded);
            earlierHash = fileHash(destination + QStringLiteral("/model.safetensors"));
        }
        // The worker emits progress; a direct connection cancels right there, mid-export.
        connect(&controller, &ExportController::progress, &controller, [&controller, cancelAtPercent](int percent, const QString&) {
            if (percent >= cancelAtPercent) controller.cancel();
        }, Qt::DirectConnection);
        QSignalSpy finished(&controller, &ExportController::finished);
        QVERIFY(controller.start({ia3Folder_, modelFolder_, destination, ExportKind::Merged}));
        QVERIFY(controller.isRunning());
        QVERIFY(finished.wait(60'000));
        const ExportOutcome outcome = finished.last().at(0).value<ExportOutcome>();
        QVERIFY(outcome.cancelled);
        QVERIFY(!outcome.succeeded);
        QVERIFY(!controller.isRunning());
        if (existingExport) {
            QCOMPARE(entries(parent), QStringList{QStringLiteral("merged")});
            QCOMPARE(fileHash(destination + QStringLiteral("/model.safetensors")), earlierHash);  // untouched
        } else {
            QCOMPARE(entries(parent), QStringList());  // neither the destination nor a temporary folder
        }
    }

    void failuresLeaveNothingAndNameTheCause() {
        const QString parent = freshParent();
        const QString destination = parent + QStringLiteral("/merged");
        QTemporaryDir notAModel;
        ExportController controller;
        QSignalSpy finished(&controller, &ExportController::finished);
        QVERIFY(controller.start({loraFolder_, notAModel.path(), destination, ExportKind::Merged}));
        QVERIFY(finished.wait(60'000));
        ExportOutcome outcome = finished.last().at(0).value<ExportOutcome>();
        QVERIFY(!outcome.succeeded && !outcome.cancelled);
        QVERIFY2(outcome.error.contains(notAModel.path()), qPrintable(outcome.error));
        QCOMPARE(entries(parent), QStringList());

        // A folder that holds something else is never replaced.
        QDir().mkpath(destination);
        QFile precious(destination + QStringLiteral("/notes.txt"));
        QVERIFY(precious.open(QIODevice::WriteOnly));
        precious.write("keep me");
        precious.close();
        QVERIFY(controller.start({loraFolder_, modelFolder_, destination, ExportKind::Adapter}));
        QVERIFY(finished.wait(60'000));
        outcome = finished.last().at(0).value<ExportOutcome>();
        QVERIFY2(outcome.error.contains(QStringLiteral("refusing")), qPrintable(outcome.error));
        QCOMPARE(entries(destination), QStringList{QStringLiteral("notes.txt")});
        QCOMPARE(entries(parent), QStringList{QStringLiteral("merged")});

        // Prompt-learning adapters are refused by the worker too, with the reason.
        QVERIFY(controller.start({promptTuningFolder_, modelFolder_, parent + QStringLiteral("/pt"), ExportKind::Merged}));
        QVERIFY(finished.wait(60'000));
        QVERIFY(finished.last().at(0).value<ExportOutcome>().error.contains(QStringLiteral("cannot be merged")));
        QCOMPARE(entries(parent), QStringList{QStringLiteral("merged")});
    }

    void exportsAreRecordedAsArtifactsOfTheirRun() {
        // As `capsule-cli export` does: kind "export" or "merged-model", the destination, the
        // run's last step. Only successful exports; a folder no run owns records nothing.
        const QString storePath = scratch_.filePath(QStringLiteral("artifacts/runs.sqlite"));
        qint64 runId = 0, unrelated = 0;
        {
            store::RunStore runs(storePath.toStdString());
            store::RunRecord record;
            record.name = "lora run";
            record.outputDir = loraFolder_.toStdString();
            runId = runs.createRun(record);
            runs.appendMetrics(runId, {{12, "loss", 0.5, 3.0}});
            record.name = "unrelated";
            record.outputDir = scratch_.filePath(QStringLiteral("elsewhere")).toStdString();
            unrelated = runs.createRun(record);
        }
        const auto artifactsOf = [&](qint64 id, const std::string& kind) {
            return store::RunStore(storePath.toStdString()).artifacts(id, kind);
        };

        // The adapter folder is the run's output folder: found without an id.
        const QString adapterCopy = freshParent() + QStringLiteral("/export");
        ExportDialog dialog;
        dialog.setStorePath(storePath);
        dialog.setAdapterFolder(loraFolder_);
        dialog.setDestination(adapterCopy);
        ExportOutcome outcome = runDialog(dialog);
        QVERIFY2(outcome.succeeded, qPrintable(outcome.error));
        QCOMPARE(outcome.recordedRunId, runId);
        QVERIFY(outcome.recordProblem.isEmpty());
        auto exports = artifactsOf(runId, "export");
        QCOMPARE(exports.size(), size_t(1));
        QCOMPARE(QString::fromStdString(exports[0].path), QFileInfo(adapterCopy).absoluteFilePath());
        QCOMPARE(exports[0].step.value_or(-1), int64_t(12));
        QCOMPARE(exports[0].description, std::string("adapter export"));
        QVERIFY(artifactsOf(unrelated, "").empty());

        // A merged export, the run named explicitly.
        const QString merged = freshParent() + QStringLiteral("/merged");
        ExportController controller;
        QSignalSpy finished(&controller, &ExportController::finished);
        ExportRequest request{loraFolder_, modelFolder_, merged, ExportKind::Merged};
        request.runId = runId;
        request.storePath = storePath;
        QVERIFY(controller.start(request));
        QVERIFY(finished.wait(60'000));
        outcome = finished.last().at(0).value<ExportOutcome>();
        QVERIFY2(outcome.succeeded, qPrintable(outcome.error));
        QCOMPARE(outcome.recordedRunId, runId);
        const auto mergedArtifacts = artifactsOf(runId, "merged-model");
        QCOMPARE(mergedArtifacts.size(), size_t(1));
        QCOMPARE(QString::fromStdString(mergedArtifacts[0].path), QFileInfo(merged).absoluteFilePath());
        QCOMPARE(mergedArtifacts[0].description, std::string("merged model"));

        // Cancelled and failed exports record nothing.
        connect(&controller, &ExportController::progress, &controller, [&controller](int percent, const QString&) {
            if (percent >= 90) controller.cancel();
        }, Qt::DirectConnection);
        QVERIFY(controller.start(request));
        QVERIFY(finished.wait(60'000));
        QVERIFY(finished.last().at(0).value<ExportOutcome>().cancelled);
        disconnect(&controller, &ExportController::progress, &controller, nullptr);
        QTemporaryDir notAModel;
        request.baseModelFolder = notAModel.path();
        QVERIFY(controller.start(request));
        QVERIFY(finished.wait(60'000));
        QVERIFY(!finished.last().at(0).value<ExportOutcome>().succeeded);
        QCOMPARE(artifactsOf(runId, "merged-model").size(), size_t(1));
        QCOMPARE(artifactsOf(runId, "").size(), size_t(2));

        // An adapter no run owns is exported but not recorded.
        ExportRequest orphan{ia3Folder_, modelFolder_, freshParent() + QStringLiteral("/ia3"), ExportKind::Adapter};
        orphan.storePath = storePath;
        QVERIFY(controller.start(orphan));
        QVERIFY(finished.wait(60'000));
        outcome = finished.last().at(0).value<ExportOutcome>();
        QVERIFY2(outcome.succeeded, qPrintable(outcome.error));
        QCOMPARE(outcome.recordedRunId, qint64(-1));
        QVERIFY(outcome.recordProblem.isEmpty());
        QCOMPARE(artifactsOf(runId, "").size(), size_t(2));

        // A folder inside a run's output folder (its best/ copy) belongs to that run.
        QVERIFY(QDir().mkpath(loraFolder_ + QStringLiteral("/best")));
        {
            store::RunStore runs(storePath.toStdString());
            QCOMPARE(ExportController::runOwningFolder(runs, loraFolder_ + QStringLiteral("/best")), runId);
            QCOMPARE(ExportController::runOwningFolder(runs, ia3Folder_), qint64(-1));
        }
    }

    void importNamesTheBrokenFileAndOpensGoodOnes() {
        QTemporaryDir broken;
        QFile config(broken.filePath(QStringLiteral("adapter_config.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("{\"peft_type\": \"LORA\", \"r\": 8,");  // cut short
        config.close();
        QVERIFY(QFile::copy(loraFolder_ + QStringLiteral("/adapter_model.safetensors"),
                            broken.filePath(QStringLiteral("adapter_model.safetensors"))));
        const AdapterCheck check = ExportController::inspectAdapter(broken.path());
        QVERIFY(!check.valid);
        QVERIFY2(check.error.contains(broken.filePath(QStringLiteral("adapter_config.json"))), qPrintable(check.error));

        // Missing weights are named too.
        QTemporaryDir noWeights;
        QVERIFY(QFile::copy(loraFolder_ + QStringLiteral("/adapter_config.json"),
                            noWeights.filePath(QStringLiteral("adapter_config.json"))));
        const AdapterCheck missing = ExportController::inspectAdapter(noWeights.path());
        QVERIFY(!missing.valid);
        QVERIFY2(missing.error.contains(QStringLiteral("adapter_model.safetensors")), qPrintable(missing.error));

        RuntimeController runtime;
        MainWindow window(&runtime);
        QString error;
        QVERIFY(!window.importAdapter(broken.path(), &error));
        QVERIFY2(error.contains(QStringLiteral("adapter_config.json")), qPrintable(error));
        const QString storePath = qEnvironmentVariable("CAPSULE_STORE");
        const auto runsBefore = store::RunStore(storePath.toStdString()).listRuns().size();

        // A good folder (as PEFT saved it: here a copy of a demo adapter) becomes a run and opens in the Playground.
        QTemporaryDir imported;
        for (const QString& name : {QStringLiteral("adapter_config.json"), QStringLiteral("adapter_model.safetensors")})
            QVERIFY(QFile::copy(loraFolder_ + QLatin1Char('/') + name, imported.filePath(name)));
        QSignalSpy loaded(window.playgroundPage()->controller(), &PlaygroundController::loaded);
        QVERIFY(window.importAdapter(imported.path(), &error));
        QCOMPARE(window.currentPage(), MainWindow::PlaygroundPageIndex);
        QCOMPARE(window.playgroundPage()->adapterFolder(), imported.path());
        QCOMPARE(window.playgroundPage()->modelFolder(), modelFolder_);
        QVERIFY(loaded.wait(60'000));
        QCOMPARE(window.playgroundPage()->controller()->modelInfo().adapterType, QStringLiteral("LORA"));
        window.resize(1280, 860);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.grab().save(QStringLiteral("/tmp/main_window_playground.png")));
        const auto runs = store::RunStore(storePath.toStdString()).listRuns();
        QCOMPARE(runs.size(), runsBefore + 1);
        const auto run = std::find_if(runs.begin(), runs.end(), [&](const store::RunRecord& record) {
            return record.outputDir == QFileInfo(imported.path()).absoluteFilePath().toStdString();
        });
        QVERIFY(run != runs.end());
        QCOMPARE(QString::fromStdString(run->method), QStringLiteral("lora"));
        QCOMPARE(int(run->status), int(store::RunStatus::Finished));
        QCOMPARE(QString::fromStdString(run->baseModel), modelFolder_);
        QCOMPARE(store::RunStore(storePath.toStdString()).artifacts(run->id, "adapter").size(), size_t(1));

        // A finished run's adapter is offered in the Playground's picker.
        const QString offered = scratch_.filePath(QStringLiteral("runs/offered"));
        Q_EMIT window.trainingController()->finished(RunState::Finished, QStringLiteral("max steps"), offered);
        QVERIFY(window.playgroundPage()->adapterCombo()->findText(offered) >= 0);
        QCOMPARE(window.playgroundPage()->adapterFolder(), imported.path());  // offered, not chosen

        // Opening a stored run from History fills the pickers with its model and adapter.
        RunDetails details;
        details.run.model = modelFolder_;
        details.run.outputDir = loraFolder_;
        window.playgroundPage()->setModelFolder(QString());
        Q_EMIT window.historyPage()->runOpened(details);
        QCOMPARE(window.playgroundPage()->adapterFolder(), loraFolder_);
        QCOMPARE(window.playgroundPage()->modelFolder(), modelFolder_);
    }
};

QTEST_MAIN(TestExportDialog)
#include "test_export_dialog.moc"
