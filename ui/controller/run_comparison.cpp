#include "controller/run_comparison.h"

#include "io/atomic_file.h"
#include "store/run_store.h"

#include <nlohmann/json.hpp>

#include <QDateTime>
#include <QFileInfo>
#include <QSet>

#include <algorithm>
#include <exception>

namespace capsule::ui {

QString metricStoreName(ComparedMetric metric) {
    switch (metric) {
    case ComparedMetric::TrainLoss: return QStringLiteral("loss");
    case ComparedMetric::EvalLoss: return QStringLiteral("eval_loss");
    case ComparedMetric::EvalAccuracy: return QStringLiteral("accuracy");
    case ComparedMetric::LearningRate: return QStringLiteral("lr");
    }
    return {};
}

QVector<ComparedMetric> comparedMetrics() {
    return {ComparedMetric::TrainLoss, ComparedMetric::EvalLoss, ComparedMetric::EvalAccuracy,
            ComparedMetric::LearningRate};
}

namespace comparison {
namespace {

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

void setError(QString* error, const QString& message) {
    if (error) *error = message;
}

/// Seconds from `start` to `end` (ISO-8601); -1 when either is missing or unreadable.
double secondsBetween(const std::string& start, const std::string& end) {
    if (start.empty() || end.empty()) return -1;
    const QDateTime from = QDateTime::fromString(fromStd(start), Qt::ISODate);
    const QDateTime to = QDateTime::fromString(fromStd(end), Qt::ISODate);
    if (!from.isValid() || !to.isValid()) return -1;
    return std::max<qint64>(0, from.msecsTo(to)) / 1000.0;
}

RunSummary summaryOf(const store::RunRecord& record) {
    RunSummary summary;
    summary.id = record.id;
    summary.name = fromStd(record.name);
    summary.method = fromStd(record.method);
    summary.model = fromStd(record.baseModel);
    summary.dataset = fromStd(record.dataset);
    summary.status = fromStd(store::toString(record.status));
    summary.createdAt = fromStd(record.createdAt);
    if (record.trainableParameters) summary.trainableParameters = *record.trainableParameters;
    if (record.totalParameters) summary.totalParameters = *record.totalParameters;
    if (summary.trainableParameters >= 0 && summary.totalParameters > 0)
        summary.trainablePercent = 100.0 * double(summary.trainableParameters) / double(summary.totalParameters);
    if (record.bestEval) {
        summary.hasBestMetric = true;
        summary.bestMetric = *record.bestEval;
        summary.bestMetricName = fromStd(record.bestEvalMetric);
        summary.bestStep = record.bestStep.value_or(-1);
    }
    summary.durationSeconds = secondsBetween(record.startedAt, record.finishedAt);
    summary.lastStep = record.lastStep.value_or(-1);
    summary.isBaseline = record.method == "icl";
    const nlohmann::json config = nlohmann::json::parse(record.configJson, nullptr, /*allow_exceptions=*/false);
    if (config.is_object()) {
        if (summary.isBaseline && config.contains("shots") && config["shots"].is_number_integer())
            summary.shots = config["shots"].get<qint64>();
        static const char* const promptMethods[] = {"prompt-tuning", "p-tuning", "prefix-tuning"};
        for (const char* method : promptMethods)
            if (record.method == method && config.contains("num_virtual_tokens") && config["num_virtual_tokens"].is_number_integer())
                summary.virtualTokens = config["num_virtual_tokens"].get<qint64>();
    }
    return summary;
}

/// An in-context baseline's cost metric (icl_*) into `summary`; false for other metrics.
bool applyBaselineCost(RunSummary& summary, const QString& name, double value) {
    if (name == QLatin1String("icl_prompt_tokens")) summary.promptTokensPerExample = value;
    else if (name == QLatin1String("icl_zero_shot_prompt_tokens")) summary.zeroShotPromptTokens = value;
    else if (name == QLatin1String("icl_seconds_per_example")) summary.secondsPerExample = value;
    else return false;
    return true;
}

void flattenInto(const nlohmann::json& value, const QString& prefix, QMap<QString, QString>& out) {
    if (value.is_object()) {
        if (value.empty() && !prefix.isEmpty()) out.insert(prefix, QStringLiteral("{}"));
        for (auto it = value.begin(); it != value.end(); ++it) {
            const QString key = fromStd(it.key());
            flattenInto(it.value(), prefix.isEmpty() ? key : prefix + QLatin1Char('.') + key, out);
        }
    } else if (value.is_string()) {
        out.insert(prefix, fromStd(value.get<std::string>()));
    } else {
        out.insert(prefix, fromStd(value.dump()));
    }
}

/// Exact enough to read back the same double (17 significant digits), short for round numbers.
QString number(double value) { return QString::number(value, 'g', 17); }

bool writeCsv(const QString& path, const QString& text, QString* error) {
    if (path.isEmpty()) {
        setError(error, QStringLiteral("no CSV file name given"));
        return false;
    }
    try {
        io::writeFileAtomically(path.toStdString(), text.toStdString());
        return true;
    } catch (const std::exception& failure) {
        setError(error, QStringLiteral("cannot write %1: %2").arg(path, fromStd(failure.what())));
        return false;
    }
}

}  // namespace

bool writeFileAtomically(const QString& path, const QByteArray& bytes, QString* error) {
    if (path.isEmpty()) {
        setError(error, QStringLiteral("no file name given"));
        return false;
    }
    try {
        io::writeFileAtomically(path.toStdString(), bytes.constData(), static_cast<std::size_t>(bytes.size()));
        return true;
    } catch (const std::exception& failure) {
        setError(error, QStringLiteral("cannot write %1: %2").arg(path, fromStd(failure.what())));
        return false;
    }
}

QString defaultStorePath() { return fromStd(store::RunStore::defaultPath()); }

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')) &&
        !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QVector<RunSummary> listRuns(const QString& storePath, QString* error) {
    // Opening a RunStore creates the file; a comparison must not conjure an empty store.
    if (storePath.isEmpty() || !QFileInfo::exists(storePath)) return {};
    try {
        const store::RunStore runStore(storePath.toStdString());
        QVector<RunSummary> runs;
        for (const store::RunRecord& record : runStore.listRuns()) {
            runs << summaryOf(record);
            if (runs.last().isBaseline)  // a handful of points: its costs for the run list
                for (const store::MetricPoint& point : runStore.metrics(record.id))
                    applyBaselineCost(runs.last(), fromStd(point.name), point.value);
        }
        return runs;
    } catch (const std::exception& failure) {
        setError(error, QStringLiteral("cannot read the run store %1: %2").arg(storePath, fromStd(failure.what())));
        return {};
    }
}

QMap<QString, QString> flattenConfigJson(const QString& json, QString* error) {
    QMap<QString, QString> flat;
    const nlohmann::json parsed = nlohmann::json::parse(json.toStdString(), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
        setError(error, QStringLiteral("the stored config is not valid JSON"));
        return flat;
    }
    flattenInto(parsed, QString(), flat);
    return flat;
}

QVector<ComparedRun> loadRuns(const QString& storePath, const QVector<qint64>& runIds, QString* error) {
    QVector<ComparedRun> runs;
    if (runIds.isEmpty()) return runs;
    if (storePath.isEmpty() || !QFileInfo::exists(storePath)) {
        setError(error, QStringLiteral("the run store %1 does not exist").arg(storePath));
        return runs;
    }
    QStringList problems;
    try {
        const store::RunStore runStore(storePath.toStdString());
        const QSet<QString> wanted{QStringLiteral("loss"), QStringLiteral("eval_loss"), QStringLiteral("accuracy"),
                                   QStringLiteral("lr")};
        for (const qint64 id : runIds) {
            const std::optional<store::RunRecord> record = runStore.run(id);
            if (!record) {
                problems << QStringLiteral("run %1 is not in %2").arg(id).arg(storePath);
                continue;
            }
            ComparedRun run;
            run.summary = summaryOf(*record);
            double tokensSum = 0;
            int tokensCount = 0;
            double newestTimeSeconds = -1;
            for (const store::MetricPoint& point : runStore.metrics(id)) {
                newestTimeSeconds = std::max(newestTimeSeconds, point.timeSeconds);
                const QString name = fromStd(point.name);
                if (name == QLatin1String("tokens_per_s")) {
                    tokensSum += point.value;
                    ++tokensCount;
                } else if (applyBaselineCost(run.summary, name, point.value)) {
                } else if (wanted.contains(name)) {
                    MetricSeries& series = run.series[name];
                    series.steps << double(point.step);
                    series.values << point.value;
                }
            }
            if (tokensCount > 0) {
                run.summary.hasTokensPerSecond = true;
                run.summary.tokensPerSecond = tokensSum / tokensCount;
            }
            if (const auto evalLoss = run.series.constFind(QStringLiteral("eval_loss"));
                evalLoss != run.series.constEnd() && !evalLoss->values.isEmpty()) {
                run.summary.hasFinalEvalLoss = true;
                run.summary.finalEvalLoss = evalLoss->values.last();
            }
            // A run still going (or one that died) has no finish time: its newest point tells.
            if (run.summary.durationSeconds < 0 && newestTimeSeconds >= 0)
                run.summary.durationSeconds = newestTimeSeconds;
            QString configProblem;
            run.config = flattenConfigJson(fromStd(record->configJson), &configProblem);
            if (!configProblem.isEmpty())
                problems << QStringLiteral("run %1 in %2: %3").arg(id).arg(storePath, configProblem);
            runs << run;
        }
    } catch (const std::exception& failure) {
        problems << QStringLiteral("cannot read the run store %1: %2").arg(storePath, fromStd(failure.what()));
    }
    if (!problems.isEmpty()) setError(error, problems.join(QStringLiteral("; ")));
    return runs;
}

QVector<ConfigDifference> configDifferences(const QVector<ComparedRun>& runs) {
    QVector<ConfigDifference> differences;
    if (runs.size() < 2) return differences;
    QSet<QString> keySet;
    for (const ComparedRun& run : runs)
        for (auto it = run.config.constBegin(); it != run.config.constEnd(); ++it) keySet.insert(it.key());
    QStringList keys(keySet.begin(), keySet.end());
    keys.sort();
    for (const QString& key : keys) {
        ConfigDifference difference;
        difference.key = key;
        for (const ComparedRun& run : runs) difference.values << run.config.value(key);
        const bool allEqual = std::all_of(difference.values.cbegin(), difference.values.cend(),
                                          [&](const QString& value) { return value == difference.values.first(); });
        // A key only some runs have counts as different even when the others agree.
        bool everyRunHasIt = true;
        for (const ComparedRun& run : runs) everyRunHasIt = everyRunHasIt && run.config.contains(key);
        if (!allEqual || !everyRunHasIt) differences << difference;
    }
    return differences;
}

bool writeSummaryCsv(const QString& path, const QVector<ComparedRun>& runs, QString* error) {
    QString text = QStringLiteral(
        "run_id,name,method,model,status,trainable_parameters,total_parameters,trainable_percent,"
        "best_metric_name,best_metric,best_step,final_eval_loss,duration_s,tokens_per_s,shots,prompt_tokens_per_example,"
        "inference_s_per_example\n");
    for (const ComparedRun& run : runs) {
        const RunSummary& s = run.summary;
        QStringList row;
        row << QString::number(s.id) << csvField(s.name) << csvField(s.method) << csvField(s.model)
            << csvField(s.status)
            << (s.trainableParameters >= 0 ? QString::number(s.trainableParameters) : QString())
            << (s.totalParameters >= 0 ? QString::number(s.totalParameters) : QString())
            << (s.trainablePercent >= 0 ? number(s.trainablePercent) : QString())
            << (s.hasBestMetric ? csvField(s.bestMetricName) : QString())
            << (s.hasBestMetric ? number(s.bestMetric) : QString())
            << (s.hasBestMetric && s.bestStep >= 0 ? QString::number(s.bestStep) : QString())
            << (s.hasFinalEvalLoss ? number(s.finalEvalLoss) : QString())
            << (s.durationSeconds >= 0 ? number(s.durationSeconds) : QString())
            << (s.hasTokensPerSecond ? number(s.tokensPerSecond) : QString())
            << (s.shots >= 0 ? QString::number(s.shots) : QString())
            << (s.promptTokensPerExample >= 0 ? number(s.promptTokensPerExample) : QString())
            << (s.secondsPerExample >= 0 ? number(s.secondsPerExample) : QString());
        text += row.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return writeCsv(path, text, error);
}

bool writeCurvesCsv(const QString& path, const QVector<ComparedRun>& runs, QString* error) {
    QString text = QStringLiteral("run_id,run,method,metric,step,value\n");
    for (const ComparedRun& run : runs) {
        const QString prefix = QString::number(run.summary.id) + QLatin1Char(',') + csvField(run.summary.name) +
                               QLatin1Char(',') + csvField(run.summary.method) + QLatin1Char(',');
        for (const ComparedMetric metric : comparedMetrics()) {
            const QString name = metricStoreName(metric);
            const auto series = run.series.constFind(name);
            if (series == run.series.constEnd()) continue;
            for (int i = 0; i < series->steps.size(); ++i)
                text += prefix + name + QLatin1Char(',') + QString::number(qint64(series->steps[i])) +
                        QLatin1Char(',') + number(series->values[i]) + QLatin1Char('\n');
        }
    }
    return writeCsv(path, text, error);
}

}  // namespace comparison
}  // namespace capsule::ui
