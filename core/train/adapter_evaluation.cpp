#include "train/adapter_evaluation.h"

#include "data/batcher.h"
#include "model/model_loader.h"
#include "peft/adapter.h"
#include "store/run_store.h"
#include "train/evaluation.h"
#include "train/run_dataset.h"
#include "train/store_observer.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cctype>
#include <fstream>
#include <stdexcept>

namespace capsule::train {
namespace {

/// "transformer.h.3.attn.c_attn" -> {3, "attn.c_attn"}: the first all-digit path segment.
std::pair<int64_t, std::string> layerAndKind(const std::string& name) {
    size_t start = 0;
    while (start < name.size()) {
        const size_t end = std::min(name.find('.', start), name.size());
        bool digits = end > start;
        for (size_t i = start; i < end; ++i) digits = digits && std::isdigit(static_cast<unsigned char>(name[i]));
        if (digits && end < name.size()) return {std::stoll(name.substr(start, end - start)), name.substr(end + 1)};
        start = end + 1;
    }
    return {-1, name};
}

}  // namespace

EvalMetrics evaluateAdapterFolder(const TrainingConfig& requested, const std::string& adapterFolder,
                                  const IclProgress& progress) {
    EvaluationSetup setup = prepareEvaluation(requested);
    std::unique_ptr<peft::AdapterMethod> adapter = peft::loadAdapter(*setup.model, adapterFolder);
    const auto& validation = setup.data.dataset.validation;
    const int64_t total = static_cast<int64_t>(validation.size());
    return evaluateExamples(*setup.model, adapter.get(), validation, setup.settings,
                            [&](int64_t done) { return !progress || progress(done, total); });
}

std::optional<peft::RankSnapshot> savedRankAllocation(const std::string& adapterFolder) {
    const std::string path = adapterFolder + "/adapter_config.json";
    std::ifstream stream(path, std::ios::binary);
    if (!stream) throw std::runtime_error(path + ": cannot open");
    const nlohmann::json config = nlohmann::json::parse(stream, nullptr, /*allow_exceptions=*/false);
    if (config.is_discarded() || !config.is_object()) throw std::runtime_error(path + ": not a JSON object");
    if (config.value("peft_type", std::string()) != "ADALORA") return std::nullopt;
    const auto pattern = config.find("rank_pattern");
    if (pattern == config.end() || !pattern->is_object() || pattern->empty()) return std::nullopt;
    peft::RankSnapshot snapshot;
    for (auto it = pattern->begin(); it != pattern->end(); ++it) {
        if (!it.value().is_array()) throw std::runtime_error(path + ": rank_pattern." + it.key() + " is not a list of booleans");
        peft::ModuleRank module;
        module.name = it.key();
        const std::string suffix = ".lora_E";
        if (module.name.size() > suffix.size() && module.name.compare(module.name.size() - suffix.size(), suffix.size(), suffix) == 0)
            module.name.resize(module.name.size() - suffix.size());
        std::tie(module.layerIndex, module.moduleKind) = layerAndKind(module.name);
        for (const auto& kept : it.value()) {
            if (!kept.is_boolean()) throw std::runtime_error(path + ": rank_pattern." + it.key() + " is not a list of booleans");
            module.rank += kept.get<bool>() ? 1 : 0;
        }
        module.initialRank = static_cast<int64_t>(it.value().size());
        snapshot.totalRank += module.rank;
        snapshot.modules.push_back(std::move(module));
    }
    snapshot.budget = snapshot.totalRank;
    return snapshot;
}

void recordEvaluation(const std::string& storePath, int64_t runId, const EvalMetrics& metrics, const std::string& dataset,
                      int64_t step) {
    store::RunStore runStore(storePath.empty() ? store::RunStore::defaultPath() : storePath);
    const std::optional<store::RunRecord> run = runStore.run(runId);
    if (!run) throw std::runtime_error("run " + std::to_string(runId) + " is not in " + runStore.path());
    std::vector<store::MetricPoint> points = {{step, "eval_loss", metrics.loss, 0}, {step, "eval_perplexity", metrics.perplexity, 0}};
    if (metrics.accuracy) points.push_back({step, "accuracy", *metrics.accuracy, 0});
    runStore.appendMetrics(runId, points);
    const std::string name = metrics.accuracy ? "accuracy" : "eval_loss";
    const double value = metrics.accuracy ? *metrics.accuracy : metrics.loss;
    const bool better = !run->bestEval || run->bestEvalMetric != name ||
                        (metrics.accuracy ? value > *run->bestEval : value < *run->bestEval);
    if (better) runStore.setBestEval(runId, name, value, step);
    runStore.appendEvent(runId, "info",
                         "evaluated on " + std::to_string(metrics.examples) + " validation examples of " + dataset + ": eval loss " +
                             std::to_string(metrics.loss) +
                             (metrics.accuracy ? ", accuracy " + std::to_string(*metrics.accuracy) : std::string()));
}

bool recordSavedRankAllocation(const std::string& storePath, int64_t runId, const std::string& adapterFolder) {
    const std::optional<peft::RankSnapshot> snapshot = savedRankAllocation(adapterFolder);
    if (!snapshot) return false;
    store::RunStore runStore(storePath.empty() ? store::RunStore::defaultPath() : storePath);
    store::RankSnapshotRecord record;
    record.step = snapshot->step;
    record.budget = snapshot->budget;
    record.totalRank = snapshot->totalRank;
    record.payloadJson = rankSnapshotJson(*snapshot);
    runStore.appendRankSnapshot(runId, record);
    return true;
}

}  // namespace capsule::train
