#include "controller/engine_text.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringList>

#include <functional>
#include <vector>

namespace capsule::ui {
namespace {

QString tr(const char* source, const char* disambiguation = nullptr, int n = -1) {
    return QCoreApplication::translate("capsule::ui", source, disambiguation, n);
}

struct Rule {
    QRegularExpression pattern;  // anchored, one line
    std::function<QString(const QRegularExpressionMatch&)> render;
};

/// `text` plus "; the last good checkpoint is …" when capture `group` of `match` holds one.
QString withLastCheckpoint(QString text, const QRegularExpressionMatch& match, int group) {
    if (match.capturedLength(group) > 0) text += tr("; the last good checkpoint is %1").arg(match.captured(group));
    return text;
}

const std::vector<Rule>& rules() {
    static const std::vector<Rule> table = [] {
        std::vector<Rule> list;
        auto add = [&](const char* pattern, std::function<QString(const QRegularExpressionMatch&)> render) {
            list.push_back({QRegularExpression(QStringLiteral("^") + QString::fromLatin1(pattern) + QStringLiteral("$")),
                            std::move(render)});
        };
        // Why a run ended (trainer.cpp).
        add(R"(reached max steps (\d+))", [](const auto& m) { return tr("reached max steps %1").arg(m.captured(1)); });
        add(R"(early stopping: no improvement of (\S+) in (\d+) evaluations)", [](const auto& m) {
            return tr("early stopping: no improvement of %1 in %2 evaluations").arg(m.captured(1), m.captured(2));
        });
        add(R"(cancelled at step (\d+))", [](const auto& m) { return tr("cancelled at step %1").arg(m.captured(1)); });
        add(R"(the loss became (NaN|infinite) at step (\d+) \(lower --lr or --max-grad-norm, or use --dtype float32\)(; the last good checkpoint is (.+))?)",
            [](const auto& m) {
                return withLastCheckpoint(tr("the loss became %1 at step %2: lower the learning rate or the gradient "
                                             "clipping norm, or compute in float32")
                                              .arg(m.captured(1), m.captured(2)),
                                          m, 4);
            });
        add(R"(the gradients overflow at step (\d+) even with the loss scaled by (\S+) \(use --dtype bfloat16 or float32, or lower --lr\)(; the last good checkpoint is (.+))?)",
            [](const auto& m) {
                return withLastCheckpoint(tr("the gradients overflow at step %1 even with the loss scaled by %2: "
                                             "compute in bfloat16 or float32, or lower the learning rate")
                                              .arg(m.captured(1), m.captured(2)),
                                          m, 4);
            });
        add(R"(step (\d+): the gradients overflowed at loss scale (\S+); step skipped, scale lowered to (\S+))",
            [](const auto& m) {
                return tr("step %1: the gradients overflowed at loss scale %2; step skipped, scale lowered to %3")
                    .arg(m.captured(1), m.captured(2), m.captured(3));
            });
        add(R"(out of memory at step (\d+) with batch size (\d+) and max length (\d+): .*)", [](const auto& m) {
            return tr("out of memory at step %1 with batch size %2 and max length %3: lower the batch size (gradient "
                      "accumulation keeps the effective batch) or the max length")
                .arg(m.captured(1), m.captured(2), m.captured(3));
        });
        // Progress lines.
        add(R"(keeping the best adapter by (\S+) \(step (\d+)\))", [](const auto& m) {
            return tr("keeping the best adapter by %1 (step %2)").arg(m.captured(1), m.captured(2));
        });
        add(R"(wrote (\S+) at step (\d+): (.+))", [](const auto& m) {
            return tr("wrote %1 at step %2: %3").arg(m.captured(1), m.captured(2), m.captured(3));
        });
        add(R"(trainable params: ([\d,]+) \|\| all params: ([\d,]+) \|\| trainable%: ([\d.]+))", [](const auto& m) {
            return tr("trainable params: %1 || all params: %2 || trainable%: %3").arg(m.captured(1), m.captured(2), m.captured(3));
        });
        // The dataset summary (data/dataset_summary.cpp).
        add(R"(rows (\d+), valid (\d+), skipped (\d+), truncated (\d+); train (\d+) examples \((\d+) rows\), validation (\d+))",
            [](const auto& m) {
                return tr("rows %1, valid %2, skipped %3, truncated %4; train %5 examples (%6 rows), validation %7")
                    .arg(m.captured(1), m.captured(2), m.captured(3), m.captured(4), m.captured(5), m.captured(6), m.captured(7));
            });
        add(R"(tokens per example: min (\d+), mean ([\d.]+), median ([\d.]+), p95 (\d+), max (\d+))", [](const auto& m) {
            return tr("tokens per example: min %1, mean %2, median %3, p95 %4, max %5")
                .arg(m.captured(1), m.captured(2), m.captured(3), m.captured(4), m.captured(5));
        });
        // The device (runtime/runtime.cpp).
        add(R"(CPU \((\d+) threads(, bf16)?\))", [](const auto& m) {
            // English has no plural table here (no en .ts): the engine's own wording is the source.
            return m.capturedLength(2) > 0 ? tr("CPU (%1 threads, bf16)").arg(m.captured(1))
                                           : tr("CPU (%1 threads)").arg(m.captured(1));
        });
        return list;
    }();
    return table;
}

QString localizedLine(const QString& line) {
    for (const Rule& rule : rules()) {
        const QRegularExpressionMatch match = rule.pattern.match(line);
        if (match.hasMatch()) return rule.render(match);
    }
    return line;
}

}  // namespace

QString localizedEngineText(const QString& text) {
    QStringList lines = text.split(QLatin1Char('\n'));
    for (QString& line : lines) line = localizedLine(line);
    return lines.join(QLatin1Char('\n'));
}

}  // namespace capsule::ui
