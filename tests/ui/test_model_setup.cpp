// The Setup page's Model section: the model list from a Hugging Face hub cache (name,
// architecture, parameters, dtype, size; unusable folders greyed with the reason), the module tree
// whose ticks are the method's real targets and whose edits become target_modules, the memory
// estimate and the device choice. Real files: the demo model copied into a hub-cache layout.
#include "controller/module_targets.h"
#include "controller/parameter_estimator.h"
#include "widgets/module_tree.h"
#include "widgets/setup_page.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardItem>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace capsule::ui;

class TestModelSetup : public QObject {
    Q_OBJECT
private:
    QTemporaryDir scratch_;

    static int rowNamed(QTableWidget* table, const QString& name) {
        for (int row = 0; row < table->rowCount(); ++row)
            if (table->item(row, 0) && table->item(row, 0)->text() == name) return row;
        return -1;
    }

    static void waitForEstimate(SetupPage& page) {
        QTRY_VERIFY_WITH_TIMEOUT(!page.estimatePending(), 10'000);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(scratch_.isValid());
        if (demoModelFolderForEstimate().isEmpty()) QSKIP("no shipped demo model (resources/demo/model) in this tree");
        // A hub cache with the demo model as acme/tiny-demo (refs/main names the snapshot) and a
        // model type Capsule cannot run.
        const QDir hub(scratch_.filePath(QStringLiteral("hub")));
        const QString snapshot = hub.filePath(QStringLiteral("models--acme--tiny-demo/snapshots/0123abcd"));
        QVERIFY(QDir().mkpath(snapshot));
        const QDir demo(demoModelFolderForEstimate());
        for (const QString& file : demo.entryList(QDir::Files)) QVERIFY(QFile::copy(demo.filePath(file), QDir(snapshot).filePath(file)));
        QVERIFY(QDir().mkpath(hub.filePath(QStringLiteral("models--acme--tiny-demo/refs"))));
        QFile ref(hub.filePath(QStringLiteral("models--acme--tiny-demo/refs/main")));
        QVERIFY(ref.open(QIODevice::WriteOnly));
        ref.write("0123abcd");
        ref.close();
        const QString bert = hub.filePath(QStringLiteral("models--acme--bert-ish/snapshots/ffff"));
        QVERIFY(QDir().mkpath(bert));
        QFile config(QDir(bert).filePath(QStringLiteral("config.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"model_type": "bert", "hidden_size": 32})");
        config.close();
        QVERIFY(QFile::copy(demo.filePath(QStringLiteral("model.safetensors")), QDir(bert).filePath(QStringLiteral("model.safetensors"))));
        qputenv("HF_HUB_CACHE", hub.absolutePath().toUtf8());
    }

    void hubCacheModelsAreListedWithTheirDetails() {
        SetupPage page;
        QTableWidget* table = page.modelTable();
        QAbstractItemModelTester tester(table->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_VERIFY_WITH_TIMEOUT(rowNamed(table, QStringLiteral("acme/tiny-demo")) >= 0, 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(rowNamed(table, QStringLiteral("acme/bert-ish")) >= 0, 10'000);
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("Built-in demo"));  // always first
        const int row = rowNamed(table, QStringLiteral("acme/tiny-demo"));
        QCOMPARE(table->item(row, 1)->text(), QStringLiteral("gpt2"));
        const qint64 demoBytes = QFileInfo(QDir(demoModelFolderForEstimate()).filePath(QStringLiteral("model.safetensors"))).size();
        QVERIFY(demoBytes > 0);
        QCOMPARE(table->item(row, 3)->text(), QStringLiteral("F32"));
        QVERIFY2(table->item(row, 4)->text() != QStringLiteral("—"), qPrintable(table->item(row, 4)->text()));
        // The parameter column: every tensor in the safetensors header (the demo's are tied, so
        // the file holds what the model counts).
        table->selectRow(row);
        table->setCurrentCell(row, 0);
        waitForEstimate(page);
        QVERIFY2(page.parameterEstimate().valid, qPrintable(page.parameterEstimate().problem));
        QCOMPARE(table->item(row, 2)->text(),
                 QLocale().toString(page.parameterEstimate().all - page.parameterEstimate().trainable));
        // Defaults for the model's size: a small model (130 K parameters) trains 8 rows of 512 tokens;
        // back on the demo, its own 16 × 256.
        QCOMPARE(page.setupConfig().batchSize, int64_t{8});
        QCOMPARE(page.setupConfig().maxLength, int64_t{512});
        QCOMPARE(page.setupConfig().model, QDir(scratch_.filePath(QStringLiteral("hub/models--acme--tiny-demo/snapshots/0123abcd")))
                                               .absolutePath().toStdString());

        page.selectDemo();
        QCOMPARE(page.setupConfig().batchSize, int64_t{16});
        QCOMPARE(page.setupConfig().maxLength, int64_t{256});

        const int bert = rowNamed(table, QStringLiteral("acme/bert-ish"));
        QVERIFY2(table->item(bert, 0)->toolTip().contains(QLatin1String("Not usable")), qPrintable(table->item(bert, 0)->toolTip()));
        QVERIFY(table->item(bert, 0)->toolTip().contains(QLatin1String("bert")));
    }

    void moduleTreeTicksTheTargetsAndEditsBecomeTargetModules() {
        SetupPage page;
        page.selectDemo();
        page.setMethod(QStringLiteral("lora"));
        waitForEstimate(page);
        ModuleTree* tree = page.moduleTree();
        QAbstractItemModelTester tester(tree->treeModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QVector<ModuleEstimate> modules = page.parameterEstimate().modules;
        QVERIFY(modules.size() >= 5);
        qint64 trainableInTree = 0;
        for (const ModuleEstimate& module : modules) {
            QStandardItem* leaf = tree->itemFor(module.name);
            QVERIFY2(leaf, qPrintable(module.name));
            QVERIFY(leaf->isCheckable());
            QCOMPARE(leaf->checkState() == Qt::Checked, module.targeted);
            QCOMPARE(module.targeted, module.name.endsWith(QLatin1String(".c_attn")));  // the demo's LoRA default
            trainableInTree += module.trainable;
        }
        QCOMPARE(trainableInTree, page.parameterEstimate().trainable);

        // The user ticks layer 0's MLP input projection: target_modules names exactly the ticked layers.
        const QString extra = QStringLiteral("transformer.h.0.mlp.c_fc");
        QStandardItem* leaf = tree->itemFor(extra);
        QVERIFY(leaf);
        qint64 extraParameters = 0;
        for (const ModuleEstimate& module : modules)
            if (module.name == extra) extraParameters = 8 * (module.inFeatures + module.outFeatures);  // r = 8
        const qint64 before = page.parameterEstimate().trainable;
        leaf->setCheckState(Qt::Checked);
        QLineEdit* targets = page.findChild<QLineEdit*>(QStringLiteral("loraTargetModules"));
        QTRY_COMPARE(targets->text(), QStringLiteral("0.mlp.c_fc, c_attn"));
        waitForEstimate(page);
        QCOMPARE(page.parameterEstimate().trainable, before + extraParameters);
        QVERIFY(tree->itemFor(extra)->checkState() == Qt::Checked);
        QCOMPARE(targetModulesFor(tree->checkedModules(), [&] {
                     QStringList all;
                     for (const ModuleEstimate& module : modules) all.append(module.name);
                     return all;
                 }()),
                 QStringList({QStringLiteral("0.mlp.c_fc"), QStringLiteral("c_attn")}));

        // Unticking a whole block (layer 1) unticks its layers: one edit, one new target list.
        QStandardItem* layerOne = tree->itemFor(QStringLiteral("transformer.h.1.attn.c_attn"))->parent()->parent();
        QCOMPARE(layerOne->text(), QStringLiteral("1"));
        layerOne->setCheckState(Qt::Unchecked);
        QTRY_COMPARE(targets->text(), QStringLiteral("0.attn.c_attn, 0.mlp.c_fc"));
        waitForEstimate(page);
        QCOMPARE(page.parameterEstimate().trainable, qint64(4096) / 2 + extraParameters);

        // Unticking everything is not a target list (PEFT would read "default"): the tree shows the
        // layers that still train.
        for (const ModuleEstimate& module : modules) tree->itemFor(module.name)->setCheckState(Qt::Unchecked);
        QTest::qWait(50);
        QCOMPARE(targets->text(), QStringLiteral("0.attn.c_attn, 0.mlp.c_fc"));
        QVERIFY(tree->itemFor(extra)->checkState() == Qt::Checked);

        // Prompt tuning picks no layers: no checkboxes.
        page.setMethod(QStringLiteral("prompt-tuning"));
        waitForEstimate(page);
        QVERIFY(!tree->itemFor(extra)->isCheckable());
    }

    void memoryEstimateFollowsBatchAndDevice() {
        SetupPage page;
        page.selectDemo();
        page.setMethod(QStringLiteral("lora"));
        page.setOutputFolder(scratch_.filePath(QStringLiteral("runs")));
        page.findChild<QComboBox*>(QStringLiteral("computeDtype"))->setCurrentIndex(1);  // float32
        page.findChild<QSpinBox*>(QStringLiteral("batchSize"))->setValue(4);
        waitForEstimate(page);
        const ParameterEstimate small = page.parameterEstimate();
        QVERIFY(small.valid);
        QCOMPARE(small.computeDtype, QStringLiteral("float32"));
        QCOMPARE(small.weightBytes, (small.all - small.trainable) * 4);
        QCOMPARE(small.adapterBytes, small.trainable * 16);
        QVERIFY(page.memoryLabel()->text().contains(QLatin1String("weights")));
        QVERIFY(page.memoryLabel()->text().contains(QLatin1String("float32")));
        QVERIFY(page.modelSummaryLabel()->text().startsWith(QStringLiteral("gpt2 · ")));
        page.findChild<QSpinBox*>(QStringLiteral("batchSize"))->setValue(8);
        waitForEstimate(page);
        QCOMPARE(page.parameterEstimate().activationBytes, 2 * small.activationBytes);
        QCOMPARE(page.parameterEstimate().logitsBytes, 2 * small.logitsBytes);
        QCOMPARE(page.setupConfig().dtype, std::string("float32"));
        // Checkpoints by default, so a run can be resumed or extended from the History page.
        QCOMPARE(page.setupConfig().checkpointEvery, int64_t{100});
        page.findChild<QSpinBox*>(QStringLiteral("checkpointEvery"))->setValue(25);
        QString problem;
        const std::optional<TrainingRequest> request = page.trainingRequest(&problem);
        QVERIFY2(request, qPrintable(problem));
        QCOMPARE(request->config.checkpointEvery, int64_t{25});

        // CUDA asked for on a machine without it: explained before Start.
        page.findChild<QComboBox*>(QStringLiteral("device"))->setCurrentIndex(2);
        QCOMPARE(page.setupConfig().device, std::string("cuda"));
        waitForEstimate(page);
        if (page.parameterEstimate().deviceName == QLatin1String("CUDA")) return;  // a GPU machine: valid
        QVERIFY(!page.startButton()->isEnabled());
        QVERIFY2(page.problemLabel()->text().contains(QLatin1String("CUDA")), qPrintable(page.problemLabel()->text()));
        page.findChild<QComboBox*>(QStringLiteral("device"))->setCurrentIndex(0);
        waitForEstimate(page);
        QVERIFY2(page.canStart(), qPrintable(page.settingsProblem()));
    }
};

QTEST_MAIN(TestModelSetup)
#include "test_model_setup.moc"
