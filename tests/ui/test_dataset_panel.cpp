// The Setup page's Dataset section: format detection and override, column mapping, the preview of
// rendered examples with the trained part highlighted (checked against core/data's loader, the
// trainer's own path), validation issues with line numbers, and the token-length histogram.
#include "controller/dataset_inspector.h"
#include "controller/parameter_estimator.h"
#include "widgets/dataset_panel.h"
#include "widgets/dataset_preview_model.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/setup_page.h"

#include "data/dataset_loader.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QRandomGenerator>
#include <QStringEncoder>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <optional>

using namespace capsule;
using namespace capsule::ui;

class TestDatasetPanel : public QObject {
    Q_OBJECT
private:
    QTemporaryDir scratch_;
    QString demoModel_;

    QString writeFile(const QString& name, const QByteArray& text) {
        const QString path = scratch_.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
        file.write(text);
        return path;
    }

    static bool settle(DatasetPanel& panel) {
        return QTest::qWaitFor([&] { return !panel.inspectionPending(); }, 30000);
    }

    /// The trainer's examples for `path` (core/data's loader, no validation split, in file order).
    std::vector<data::Example> trainerExamples(const QString& path, int64_t maxLength, const QString& format = {}) const {
        const tokenizer::Tokenizer tokenizer = tokenizer::Tokenizer::fromDirectory(demoModel_.toStdString());
        std::optional<tokenizer::ChatTemplate> modelTemplate;
        try {
            modelTemplate = tokenizer::ChatTemplate::fromDirectory(demoModel_.toStdString(), tokenizer.specialTokens());
        } catch (const std::exception&) {
        }
        data::DatasetOptions options;
        options.maxLengthTokens = maxLength;
        options.validationFraction = 0.0;
        if (!format.isEmpty()) options.format = data::parseDatasetFormat(format.toStdString());
        return data::loadDataset(path.toStdString(), tokenizer, modelTemplate, options).train;
    }

    /// Saves a picture of `widget` (shown, so the table's rows are laid out as a user sees them)
    /// where CAPSULE_SCREENSHOT_DIR says.
    void grab(QWidget& widget, const QString& name) {
        const QString folder = qEnvironmentVariable("CAPSULE_SCREENSHOT_DIR");
        if (folder.isEmpty()) return;
        widget.show();
        QVERIFY(QTest::qWaitForWindowExposed(&widget));
        QTest::qWait(50);
        QVERIFY(widget.grab().save(QDir(folder).filePath(name)));
    }

private Q_SLOTS:
    void initTestCase() {
        // Counts are shown in the user's locale; the texts checked here are the English ones
        // (a C locale groups digits in Qt 6.4 and not in Qt 6.11).
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        QVERIFY(scratch_.isValid());
        demoModel_ = demoModelFolderForEstimate();
        if (demoModel_.isEmpty()) QSKIP("no shipped demo model (resources/demo/model) in this tree");
    }

    void utf16FilesReadAsTheirTextAndSaySo() {
        // What Windows PowerShell's `>` writes: UTF-16 LE with a byte order mark.
        QStringEncoder toUtf16(QStringEncoder::Utf16LE, QStringEncoder::Flag::WriteBom);
        const QByteArray bytes = toUtf16(QStringLiteral("{\"instruction\": \"Say hi\", \"output\": \"h\u00e9llo\"}\r\n"
                                                        "{\"instruction\": \"Name a colour\", \"output\": \"blue\"}\r\n"));
        const QString path = writeFile(QStringLiteral("windows.jsonl"), bytes);
        DatasetPanel panel;
        panel.setModel(demoModel_, false);
        panel.setDatasetPath(path);
        QVERIFY(settle(panel));
        QVERIFY2(panel.inspection().ok, qPrintable(panel.inspection().error));
        QCOMPARE(panel.inspection().validExamples, 2);
        QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("JSON Lines (UTF-16 LE), read as alpaca")),
                 qPrintable(panel.statusLabel()->text()));
        QCOMPARE(panel.previewModel()->index(1, DatasetPreviewModel::LineColumn).data().toLongLong(), 2);
    }

    void alpacaIsDetectedAndThePreviewIsWhatTrains() {
        const QString path = writeFile(QStringLiteral("alpaca.jsonl"),
                                       "{\"instruction\": \"Name a colour\", \"input\": \"\", \"output\": \"blue\"}\n"
                                       "{\"instruction\": \"Add the numbers\", \"input\": \"2 and 3\", \"output\": \"five\"}\n"
                                       "{\"instruction\": \"Say hi\", \"output\": \"hello there friend\"}\n");
        DatasetPanel panel;
        panel.resize(900, 600);
        QAbstractItemModelTester tester(panel.previewModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        panel.setModel(demoModel_, false);
        panel.setMaxLength(256);
        panel.setDatasetPath(path);
        QVERIFY(settle(panel));
        const DatasetInspection& inspection = panel.inspection();
        QVERIFY2(inspection.ok, qPrintable(inspection.error));
        QCOMPARE(inspection.detectedFormat, QStringLiteral("alpaca"));
        QCOMPARE(inspection.format, QStringLiteral("alpaca"));
        QCOMPARE(panel.formatCombo()->itemText(0), QStringLiteral("Auto (detected: alpaca)"));
        QVERIFY2(panel.summaryLabel()->text().contains(QStringLiteral("3 examples (3 valid / 0 skipped)")),
                 qPrintable(panel.summaryLabel()->text()));
        QVERIFY(panel.summaryLabel()->text().contains(QStringLiteral("format: alpaca (detected)")));
        QCOMPARE(inspection.fields, (QStringList{QStringLiteral("instruction"), QStringLiteral("input"),
                                                 QStringLiteral("output")}));

        // Row by row, the trainer's example: the whole rendered text, and the trained part = the
        // tokens with labels (decoded independently of the panel's segmenting).
        const tokenizer::Tokenizer tokenizer = tokenizer::Tokenizer::fromDirectory(demoModel_.toStdString());
        const std::vector<data::Example> examples = trainerExamples(path, 256);
        QCOMPARE(panel.previewModel()->rowCount(), 3);
        QCOMPARE(static_cast<int>(examples.size()), 3);
        const QStringList outputs = {QStringLiteral("blue"), QStringLiteral("five"), QStringLiteral("hello there friend")};
        for (int row = 0; row < 3; ++row) {
            const data::Example& example = examples[static_cast<size_t>(row)];
            std::vector<int64_t> trained;
            for (size_t i = 0; i < example.labels.size(); ++i)
                if (example.labels[i] != data::kIgnoreLabel) trained.push_back(example.inputIds[i]);
            const QString whole = QString::fromStdString(tokenizer.decode(example.inputIds, false));
            const QString target = QString::fromStdString(tokenizer.decode(trained, false));
            const QModelIndex text = panel.previewModel()->index(row, DatasetPreviewModel::TextColumn);
            const QString prompt = text.data(DatasetPreviewModel::PromptRole).toString();
            QCOMPARE(text.data(DatasetPreviewModel::TargetRole).toString(), target);
            QCOMPARE(prompt + target, whole);
            QCOMPARE(target, outputs[row] + QStringLiteral("<|endoftext|>"));  // the response and EOS train
            QVERIFY(prompt.contains(QStringLiteral("### Instruction:")));
            QVERIFY2(prompt.endsWith(QStringLiteral("\n\n### Response:")), qPrintable(prompt));  // Stanford: output follows directly
            QCOMPARE(panel.previewModel()->index(row, DatasetPreviewModel::LineColumn).data().toLongLong(), row + 1);
            QCOMPARE(panel.previewModel()->index(row, DatasetPreviewModel::TokensColumn).data().toString(),
                     QString::number(example.length()));
            // The highlighted span is exactly the target, on the tint.
            const QString html = text.data(DatasetPreviewModel::HtmlRole).toString();
            const QString span = QStringLiteral("<span style=\"background-color: %1; color: #10301a\">%2</span>")
                                     .arg(DatasetPreviewModel::trainedBackground().name(), target.toHtmlEscaped());
            QVERIFY2(html.contains(span), qPrintable(html));
            QCOMPARE(html.count(QStringLiteral("background-color")), 1);
        }
        QVERIFY(prompt2Contains(panel, 1, QStringLiteral("### Input:\n2 and 3")));
        QCOMPARE(panel.mappingCombo(QStringLiteral("instruction"))->currentIndex(), 0);
        grab(panel, QStringLiteral("dataset_panel_preview.png"));

        // A template named in the training config renders the preview as training will.
        panel.setTemplateName(QStringLiteral("chatml"));
        QVERIFY(settle(panel));
        QCOMPARE(panel.inspection().templateName, QStringLiteral("chatml"));
        QVERIFY2(prompt2Contains(panel, 0, QStringLiteral("<|im_start|>user\nName a colour")),
                 qPrintable(panel.inspection().preview.front().promptText()));
    }

    static bool prompt2Contains(DatasetPanel& panel, int row, const QString& text) {
        return panel.previewModel()
            ->index(row, DatasetPreviewModel::TextColumn)
            .data(DatasetPreviewModel::PromptRole)
            .toString()
            .contains(text);
    }

    void overrideChangesTheFormatUsed() {
        const QString path = writeFile(QStringLiteral("columns.csv"),
                                       "prompt,completion,text\n"
                                       "\"What is 2+2?\",\"four\",\"a plain sentence\"\n"
                                       "\"Capital of France?\",\"Paris\",\"another sentence\"\n");
        DatasetPanel panel;
        panel.setModel(demoModel_, false);
        panel.setMaxLength(128);
        panel.setDatasetPath(path);
        QVERIFY(settle(panel));
        QVERIFY2(panel.inspection().ok, qPrintable(panel.inspection().error));
        QCOMPARE(panel.inspection().format, QStringLiteral("prompt-completion"));
        QCOMPARE(panel.inspection().fields,
                 (QStringList{QStringLiteral("prompt"), QStringLiteral("completion"), QStringLiteral("text")}));
        QCOMPARE(panel.previewModel()->index(0, DatasetPreviewModel::TextColumn).data(DatasetPreviewModel::TargetRole).toString(),
                 QStringLiteral("four<|endoftext|>"));

        panel.formatCombo()->setCurrentIndex(panel.formatCombo()->findData(QStringLiteral("text")));
        QCOMPARE(panel.formatOverride(), QStringLiteral("text"));
        QVERIFY(settle(panel));
        QVERIFY2(panel.inspection().ok, qPrintable(panel.inspection().error));
        QCOMPARE(panel.inspection().format, QStringLiteral("text"));
        QCOMPARE(panel.inspection().detectedFormat, QStringLiteral("prompt-completion"));
        QCOMPARE(panel.formatCombo()->itemText(0), QStringLiteral("Auto (detected: prompt-completion)"));
        QVERIFY(panel.summaryLabel()->text().contains(QStringLiteral("format: text (set here)")));
        // Text data trains on everything: no prompt part.
        const QModelIndex first = panel.previewModel()->index(0, DatasetPreviewModel::TextColumn);
        QCOMPARE(first.data(DatasetPreviewModel::TargetRole).toString(), QStringLiteral("a plain sentence<|endoftext|>"));
        QCOMPARE(first.data(DatasetPreviewModel::PromptRole).toString(), QString());
        const std::vector<data::Example> examples = trainerExamples(path, 128, QStringLiteral("text"));
        QCOMPARE(panel.previewModel()->index(1, DatasetPreviewModel::TokensColumn).data().toString(),
                 QString::number(examples[1].length()));
    }

    void columnMappingRedirectsFields() {
        const QString path = writeFile(QStringLiteral("renamed.csv"),
                                       "question_text,answer_text\n"
                                       "\"Why is the sky blue?\",\"scattering\"\n"
                                       "\"Two plus two?\",\"four\"\n");
        DatasetPanel panel;
        panel.setModel(demoModel_, false);
        panel.setDatasetPath(path);
        QVERIFY(settle(panel));
        QVERIFY(!panel.inspection().ok);  // no field the detector knows
        QCOMPARE(panel.formatCombo()->itemText(0), QStringLiteral("Auto (not detected)"));
        QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("renamed.csv")), qPrintable(panel.statusLabel()->text()));

        panel.setFormatOverride(QStringLiteral("prompt-completion"));
        QVERIFY(settle(panel));
        QVERIFY(panel.inspection().ok);
        QCOMPARE(panel.inspection().validExamples, 0);  // every row lacks "prompt"
        QCOMPARE(panel.inspection().skippedRows, 2);
        QComboBox* prompt = panel.mappingCombo(QStringLiteral("prompt"));
        QComboBox* completion = panel.mappingCombo(QStringLiteral("completion"));
        QVERIFY(prompt && completion);
        QVERIFY(panel.mappingCombo(QStringLiteral("instruction")) == nullptr);
        prompt->setCurrentIndex(prompt->findData(QStringLiteral("question_text")));
        completion->setCurrentIndex(completion->findData(QStringLiteral("answer_text")));
        QVERIFY(settle(panel));
        QCOMPARE(panel.columnMapping().value(QStringLiteral("prompt")), QStringLiteral("question_text"));
        QCOMPARE(panel.inspection().validExamples, 2);
        const QModelIndex first = panel.previewModel()->index(0, DatasetPreviewModel::TextColumn);
        QCOMPARE(first.data(DatasetPreviewModel::PromptRole).toString(), QStringLiteral("Why is the sky blue?"));
        QCOMPARE(first.data(DatasetPreviewModel::TargetRole).toString(), QStringLiteral("scattering<|endoftext|>"));
    }

    void badRowsAreListedWithTheirLines() {
        const QString path = writeFile(QStringLiteral("malformed.jsonl"),
                                       "{\"instruction\": \"one\", \"output\": \"1\"}\n"
                                       "{\"instruction\": \"two\", \"output\": \"2\"}\n"
                                       "{\"instruction\": \"three\", \"output\": \n"
                                       "\n"
                                       "{\"instruction\": \"five\", \"output\": \"5\"}\n"
                                       "{\"instruction\": \"six\"}\n");
        DatasetPanel panel;
        panel.setModel(demoModel_, false);
        panel.setDatasetPath(path);
        QVERIFY(settle(panel));
        const DatasetInspection& inspection = panel.inspection();
        QVERIFY2(inspection.ok, qPrintable(inspection.error));
        QCOMPARE(inspection.validExamples, 3);
        QCOMPARE(inspection.skippedRows, 2);
        QVERIFY2(panel.summaryLabel()->text().contains(QStringLiteral("5 examples (3 valid / 2 skipped)")),
                 qPrintable(panel.summaryLabel()->text()));
        QCOMPARE(panel.issueList()->count(), 2);
        const QString third = panel.issueList()->item(0)->text();
        QVERIFY2(third.startsWith(QStringLiteral("line 3 — invalid JSON")), qPrintable(third));
        const QString sixth = panel.issueList()->item(1)->text();
        QVERIFY2(sixth.startsWith(QStringLiteral("line 6 — missing field")) && sixth.contains(QStringLiteral("output")),
                 qPrintable(sixth));
        QCOMPARE(panel.tabs()->tabText(1), QStringLiteral("Issues (2)"));
        // The preview keeps the valid rows' own lines.
        QCOMPARE(panel.previewModel()->index(2, DatasetPreviewModel::LineColumn).data().toLongLong(), 5);
        panel.resize(900, 500);
        panel.tabs()->setCurrentIndex(1);
        grab(panel, QStringLiteral("dataset_panel_issues.png"));
    }

    void histogramCountsEveryExampleAndTheOverLongOnes() {
        // prompt-completion: no template, so lengths are a few tokens plus the completion's words.
        QByteArray text;
        QRandomGenerator random(11);
        for (int row = 0; row < 40; ++row) {
            QStringList words;
            const int count = 1 + static_cast<int>(random.bounded(60));
            for (int i = 0; i < count; ++i) words << QStringLiteral("the");
            text += "{\"prompt\": \"Q" + QByteArray::number(row) + ":\", \"completion\": \" " + words.join(QLatin1Char(' ')).toUtf8() +
                    "\"}\n";
        }
        const QString path = writeFile(QStringLiteral("lengths.jsonl"), text);
        constexpr int64_t kMaxLength = 24;
        DatasetPanel panel;
        panel.resize(900, 500);
        panel.setModel(demoModel_, false);
        panel.setMaxLength(kMaxLength);
        panel.setDatasetPath(path);
        QVERIFY(settle(panel));
        const DatasetInspection& inspection = panel.inspection();
        QVERIFY2(inspection.ok, qPrintable(inspection.error));
        QCOMPARE(inspection.validExamples, 40);

        const std::vector<data::Example> examples = trainerExamples(path, kMaxLength);
        int64_t over = 0;
        int64_t truncated = 0;
        for (const data::Example& example : examples) {
            over += example.untruncatedLength > kMaxLength ? 1 : 0;
            truncated += example.truncated ? 1 : 0;
        }
        QVERIFY(over > 5 && over < 35);  // the data has both kinds
        QCOMPARE(over, truncated);
        QCOMPARE(inspection.truncatedExamples, over);

        auto* bars = qobject_cast<QCPBars*>(panel.histogramPlot()->plottable(0));
        QVERIFY(bars);
        double sum = 0;
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it) sum += it->value;
        QCOMPARE(sum, 40.0);
        QCOMPARE(panel.histogramPlot()->itemCount(), 2);  // the max-length line and its label
        const QString expected = QStringLiteral("%1 of 40 examples longer than max length 24 (truncated).").arg(over);
        QVERIFY2(panel.lengthLabel()->text().startsWith(expected), qPrintable(panel.lengthLabel()->text()));

        // A truncated row says so in its token column.
        for (int row = 0; row < panel.previewModel()->rowCount(); ++row) {
            const data::Example& example = examples[static_cast<size_t>(row)];
            const QString tokens = panel.previewModel()->index(row, DatasetPreviewModel::TokensColumn).data().toString();
            if (example.truncated)
                QCOMPARE(tokens, QStringLiteral("%1 → %2 (truncated)").arg(example.untruncatedLength).arg(kMaxLength));
            else
                QCOMPARE(tokens, QString::number(example.length()));
        }
        panel.tabs()->setCurrentIndex(2);
        grab(panel, QStringLiteral("dataset_panel_histogram.png"));
    }

    void problemsComeBackAsMessagesNamingTheFile() {
        DatasetPanel panel;
        panel.setModel(demoModel_, false);
        const QString missing = scratch_.filePath(QStringLiteral("nowhere/absent.jsonl"));
        panel.setDatasetPath(missing);
        QVERIFY(settle(panel));
        QVERIFY(!panel.inspection().ok);
        QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("absent.jsonl")), qPrintable(panel.statusLabel()->text()));
        QCOMPARE(panel.previewModel()->rowCount(), 0);

        QByteArray garbage;
        QRandomGenerator random(5);
        for (int i = 0; i < 4096; ++i) garbage.append(static_cast<char>(random.bounded(256)));
        const QString binary = writeFile(QStringLiteral("garbage.jsonl"), garbage);
        panel.setDatasetPath(binary);
        QVERIFY(settle(panel));
        QVERIFY(!panel.inspection().ok);
        QVERIFY2(panel.inspection().error.contains(QStringLiteral("garbage.jsonl")), qPrintable(panel.inspection().error));

        const QString good = writeFile(QStringLiteral("good.jsonl"), "{\"text\": \"fine\"}\n");
        panel.setModel(QString(), false);
        panel.setDatasetPath(good);
        QVERIFY(settle(panel));
        QVERIFY(!panel.inspection().ok);
        QVERIFY2(panel.inspection().error.contains(QStringLiteral("good.jsonl")) &&
                     panel.inspection().error.contains(QStringLiteral("model")),
                 qPrintable(panel.inspection().error));
        panel.setModel(scratch_.filePath(QStringLiteral("no-model-here")), false);
        QVERIFY(settle(panel));
        QVERIFY(!panel.inspection().ok);
        QVERIFY(!panel.inspection().error.isEmpty());
    }

    void largeFilesAreCappedAndTheNewestRequestWins() {
        // 25,000 rows: more than the inspector tokenizes, and slow enough to still run when the
        // next request arrives.
        QByteArray big;
        for (int row = 0; row < 25000; ++row)
            big += "{\"prompt\": \"question " + QByteArray::number(row) + "\", \"completion\": \" the answer is here\"}\n";
        const QString large = writeFile(QStringLiteral("large.jsonl"), big);
        const QString small = writeFile(QStringLiteral("small.jsonl"), "{\"text\": \"second one\"}\n{\"text\": \"x\"}\n");
        DatasetPanel panel;
        panel.setModel(demoModel_, false);
        QElapsedTimer timer;
        timer.start();
        panel.setDatasetPath(large);
        QVERIFY(settle(panel));
        const qint64 largeMs = timer.elapsed();
        const DatasetInspection& inspection = panel.inspection();
        QVERIFY2(inspection.ok, qPrintable(inspection.error));
        QCOMPARE(inspection.totalRecords, 25000);
        QCOMPARE(inspection.inspectedRecords, 20000);
        QVERIFY(inspection.capped);
        QCOMPARE(inspection.validExamples, 20000);
        QCOMPARE(inspection.lengths.size(), 20000);
        QCOMPARE(inspection.preview.size(), 50);
        QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("Only the first 20,000 of 25,000 records")),
                 qPrintable(panel.statusLabel()->text()));
        qInfo("inspecting 25,000 rows (20,000 tokenized): %lld ms end to end, %.0f ms in the worker", largeMs,
              inspection.seconds * 1000.0);

        QSignalSpy shown(&panel, &DatasetPanel::inspectionChanged);
        panel.setMaxLength(100);  // a new request for the large file
        QTest::qWait(DatasetInspector::debounceMs + 40);  // its worker runs now
        panel.setDatasetPath(small);
        QVERIFY(settle(panel));
        QCOMPARE(panel.inspection().path, small);
        QCOMPARE(panel.inspection().validExamples, 2);
        QCOMPARE(shown.count(), 1);  // the abandoned large one was never shown
    }

    void theDemoPreviewsTheDemoDataset() {
        DatasetPanel panel;
        panel.setModel(demoModel_, true);
        QVERIFY(settle(panel));
        const DatasetInspection& inspection = panel.inspection();
        QVERIFY2(inspection.ok, qPrintable(inspection.error));
        QCOMPARE(inspection.format, QStringLiteral("multiple-choice"));
        QCOMPARE(inspection.validExamples, 640);
        const QModelIndex first = panel.previewModel()->index(0, DatasetPreviewModel::TextColumn);
        const QString target = first.data(DatasetPreviewModel::TargetRole).toString();
        QVERIFY2(target.contains(QStringLiteral("positive")) || target.contains(QStringLiteral("negative")), qPrintable(target));
        // Every choice is listed, the gold one marked.
        const DatasetPreviewRow& row = inspection.preview.front();
        QCOMPARE(row.choices.size(), 2);
        QVERIFY(row.goldIndex == 0 || row.goldIndex == 1);
        QVERIFY(target.startsWith(row.choices[row.goldIndex].trimmed()));
        const QString html = first.data(DatasetPreviewModel::HtmlRole).toString();
        QVERIFY2(html.contains(row.choices[row.goldIndex].trimmed().toHtmlEscaped() + QStringLiteral(" ✓")), qPrintable(html));
    }

    void chatTurnsAreEachHighlightedWithARealChatTemplate() {
        // Qwen3's tokenizer and ChatML template (tests/fixtures): every assistant turn is trained.
        const QString qwen = QStringLiteral(CAPSULE_TEST_FIXTURES) + QStringLiteral("/tokenizers/qwen3");
        if (!QFileInfo::exists(qwen + QStringLiteral("/tokenizer.json"))) QSKIP("no qwen3 tokenizer fixture");
        const QString path = writeFile(
            QStringLiteral("chat.jsonl"),
            "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi there\"}, {\"role\": \"assistant\", \"content\": "
            "\"Hello! How can I help?\"}, {\"role\": \"user\", \"content\": \"Name a fruit\"}, {\"role\": \"assistant\", "
            "\"content\": \"An apple.\"}]}\n");
        DatasetPanel panel;
        panel.setModel(qwen, false);
        panel.setMaxLength(512);
        QElapsedTimer timer;
        timer.start();
        panel.setDatasetPath(path);
        QVERIFY(settle(panel));
        const qint64 coldMs = timer.elapsed();
        const DatasetInspection& inspection = panel.inspection();
        QVERIFY2(inspection.ok, qPrintable(inspection.error));
        QCOMPARE(inspection.format, QStringLiteral("chat"));
        QCOMPARE(inspection.preview.size(), 1);
        const DatasetPreviewRow& row = inspection.preview.front();
        QStringList trained;
        for (const DatasetTextSegment& segment : row.segments)
            if (segment.trained) trained << segment.text;
        QCOMPARE(trained.size(), 2);  // two assistant turns, two highlighted spans
        QVERIFY2(trained[0].contains(QStringLiteral("Hello! How can I help?")) && trained[0].contains(QStringLiteral("<|im_end|>")),
                 qPrintable(trained[0]));
        QVERIFY2(trained[1].contains(QStringLiteral("An apple.")), qPrintable(trained[1]));
        QVERIFY(!row.promptText().contains(QStringLiteral("An apple.")));
        QVERIFY(row.promptText().contains(QStringLiteral("<|im_start|>user\nName a fruit")));
        const QString html = panel.previewModel()->index(0, DatasetPreviewModel::TextColumn).data(DatasetPreviewModel::HtmlRole).toString();
        QCOMPARE(html.count(QStringLiteral("background-color")), 2);
        panel.resize(900, 420);
        grab(panel, QStringLiteral("dataset_panel_chat.png"));

        // The trainer's tokens: same count, same number of trained tokens.
        const tokenizer::Tokenizer tokenizer = tokenizer::Tokenizer::fromDirectory(qwen.toStdString());
        data::DatasetOptions options;
        options.maxLengthTokens = 512;
        const data::LoadedDataset loaded = data::loadDataset(
            path.toStdString(), tokenizer, tokenizer::ChatTemplate::fromDirectory(qwen.toStdString(), tokenizer.specialTokens()),
            options);
        const data::Example& example = loaded.train.front();
        QCOMPARE(row.tokens, example.length());
        QCOMPARE(row.trainedTokens, std::count_if(example.labels.begin(), example.labels.end(),
                                                  [](int64_t label) { return label != data::kIgnoreLabel; }));
        QCOMPARE(QString::fromStdString(tokenizer.decode(example.inputIds, false)),
                 [&] {
                     QString whole;
                     for (const DatasetTextSegment& segment : row.segments) whole += segment.text;
                     return whole;
                 }());

        // The tokenizer is loaded once: a second look at the same model is quicker.
        timer.restart();
        panel.setMaxLength(256);
        QVERIFY(settle(panel));
        const qint64 warmMs = timer.elapsed();
        qInfo("qwen3 tokenizer (11 MB tokenizer.json): first inspection %lld ms, next %lld ms (debounce %d ms included)",
              coldMs, warmMs, DatasetInspector::debounceMs);
        QCOMPARE(panel.inspection().maxLengthTokens, 256);
    }

    void theSetupPageForwardsTheDatasetAndItsFormat() {
        const QString path = writeFile(QStringLiteral("page.csv"), "prompt,completion,text\n\"Hi?\",\"yes\",\"words\"\n");
        SetupPage page;
        page.resize(1400, 1000);
        DatasetPanel* panel = page.datasetPanel();
        QVERIFY(panel);
        // The demo is preselected: its dataset is previewed with its model's tokenizer.
        QVERIFY(page.demoSelected());
        QVERIFY(QTest::qWaitFor([&] { return panel->inspection().ok; }, 30000));
        QCOMPARE(panel->inspection().format, QStringLiteral("multiple-choice"));
        grab(page, QStringLiteral("setup_page_dataset.png"));

        page.setDatasetPath(path);
        QCOMPARE(page.datasetPath(), path);
        QCOMPARE(panel->datasetPath(), path);
        QVERIFY(settle(*panel));
        QCOMPARE(panel->inspection().format, QStringLiteral("prompt-completion"));
        QCOMPARE(page.setupConfig().format, std::string());
        panel->setFormatOverride(QStringLiteral("text"));
        QCOMPARE(page.setupConfig().format, std::string("text"));
        QString problem;
        const std::optional<TrainingRequest> request = page.trainingRequest(&problem);
        QVERIFY2(request, qPrintable(problem));
        QCOMPARE(request->config.format, std::string("text"));
        QCOMPARE(request->config.data, path.toStdString());

        // A saved setup keeps the override; loading it restores the combo.
        const QString saved = scratch_.filePath(QStringLiteral("setup.json"));
        QVERIFY(page.saveSetup(saved, &problem));
        panel->setFormatOverride(QString());
        QVERIFY(page.loadSetup(saved, &problem));
        QCOMPARE(panel->formatOverride(), QStringLiteral("text"));

        // A column mapping reaches the training config (column_mapping, "field=column") and a
        // saved setup keeps it.
        QVERIFY(settle(*panel));
        panel->setColumnMapping({{QStringLiteral("text"), QStringLiteral("prompt")}});
        QCOMPARE(page.setupConfig().columnMapping, std::vector<std::string>{"text=prompt"});
        const std::optional<TrainingRequest> mapped = page.trainingRequest(&problem);
        QVERIFY2(mapped, qPrintable(problem));
        QCOMPARE(mapped->config.columnMapping, std::vector<std::string>{"text=prompt"});
        QVERIFY(page.saveSetup(saved, &problem));
        panel->setColumnMapping({});
        QVERIFY(page.setupConfig().columnMapping.empty());
        QVERIFY(page.loadSetup(saved, &problem));
        QCOMPARE(panel->columnMapping().value(QStringLiteral("text")), QStringLiteral("prompt"));
        panel->setColumnMapping({});

        // No usable example: Start is blocked once the preview knows.
        const QString empty = writeFile(QStringLiteral("unusable.jsonl"), "{\"text\": \"\"}\n{\"text\": \"\"}\n");
        panel->setFormatOverride(QString());
        page.setDatasetPath(empty);
        QVERIFY(settle(*panel));
        QCOMPARE(panel->inspection().validExamples, 0);
        QVERIFY2(page.settingsProblem().contains(QStringLiteral("no usable example")), qPrintable(page.settingsProblem()));
    }
};

QTEST_MAIN(TestDatasetPanel)
#include "test_dataset_panel.moc"
