// capsule-cli demo [--method M|all] [--folder DIR] [--max-steps N] [--store FILE] [--quiet]
// Trains the built-in demo end to end with no downloads: a tiny GPT-2-shaped model and a
// two-choice sentiment task (train/demo_assets.h), generated deterministically into
// ~/.cache/capsule/demo on first use. Shows the loss falling and the eval accuracy (rank
// classification; chance = 50 %) per method; every run is recorded in the run store.
#include "command.h"
#include "train_progress.h"

#include "train/demo_assets.h"
#include "train/training_config.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>
#include <iostream>

namespace capsule::cli {
namespace {


/// --make-model DIR: pre-trains the demo base model into DIR (how resources/demo/model was made).
int makeDemoModel(const std::string& folder) {
    std::cerr << "pre-training the demo base model into " << folder << " (" << train::kDemoPretrainSteps << " steps)\n";
    train::writeDemoModel(folder, 1234, {}, train::kDemoPretrainSteps, [](int64_t step, double loss, double accuracy) {
        std::cerr << "step " << step << ": loss " << loss << ", label accuracy on cue lines " << accuracy << "\n";
    });
    return 0;
}

/// What the summary table shows of one method's run.
class DemoSummary : public train::TrainingObserver {
public:
    void onRunInfo(const train::RunInfo& info) override { trainable = info.trainableParameters; }
    void onEval(const train::EvalMetrics& metrics) override {
        if (!first) first = metrics;
        last = metrics;
    }
    void onStep(const train::StepMetrics& metrics) override { seconds = metrics.elapsedSeconds; }
    int64_t trainable = 0;
    double seconds = 0;
    std::optional<train::EvalMetrics> first, last;
};

std::string accuracyText(const std::optional<train::EvalMetrics>& metrics) {
    if (!metrics || !metrics->accuracy) return "   -  ";
    char text[32];
    std::snprintf(text, sizeof text, "%5.1f%%", *metrics->accuracy * 100.0);
    return text;
}

int demoUnchecked(const Arguments& arguments) {
    if (!arguments.positional().empty()) throw UsageError("unexpected argument '" + arguments.positional()[0] + "'");
    if (arguments.has("make-model")) return makeDemoModel(arguments.required("make-model"));
    const std::string folder = arguments.valueOr("folder", train::defaultDemoFolder());
    const std::string method = arguments.valueOr("method", "lora");
    const long long maxSteps = arguments.integerOr("max-steps", 150);
    if (maxSteps < 1) throw UsageError("option --max-steps must be >= 1");
    std::vector<std::string> methods;
    if (method == "all") methods = train::methodNames();
    else methods = {method};
    for (const auto& name : methods) {
        const auto& known = train::methodNames();
        if (std::find(known.begin(), known.end(), name) == known.end())
            throw UsageError("option --method: unknown method '" + name + "' (or 'all')");
    }
    const train::DemoAssets assets = train::ensureDemoAssets(folder, [](const std::string& line) { std::cerr << line << "\n"; });
    std::cerr << "demo model: " << assets.modelFolder << "\ndemo data: " << assets.datasetPath << "\n";
    int status = 0;
    std::vector<std::pair<std::string, DemoSummary>> summaries;
    for (const auto& name : methods) {
        std::cerr << "== demo: " << name << " ==\n";
        train::TrainingConfig config = train::demoTrainingConfig(assets, name, maxSteps, folder + "/runs/" + name);
        if (arguments.has("store")) config.store = arguments.required("store");
        DemoSummary summary;
        const int code = runTraining(config, arguments.has("quiet"), "demo-" + name, &summary);
        summaries.emplace_back(name, summary);
        if (code != 0) status = code;
    }
    // The evidence in one table: accuracy on the held-out rows before training and after (chance 50 %).
    std::cout << "method          trainable  accuracy before -> after   train time\n";
    for (const auto& [name, summary] : summaries) {
        char line[160];
        std::snprintf(line, sizeof line, "%-14s %10lld  %s -> %s          %6.1f s\n", name.c_str(),
                      static_cast<long long>(summary.trainable), accuracyText(summary.first).c_str(),
                      accuracyText(summary.last).c_str(), summary.seconds);
        std::cout << line;
    }
    return status;
}

}  // namespace

Command demoCommand() {
    return Command{"demo", "[--method M|all] [--max-steps N] [--folder DIR] [--store FILE]",
                   "fine-tune the built-in demo model (no downloads) and show loss and accuracy",
                   {{"method", true, "M", "a method name or 'all' (default lora)"},
                    {"max-steps", true, "N", "optimizer steps per method (default 150)"},
                    {"folder", true, "DIR", "where the demo model, data and runs go (default ~/.cache/capsule/demo)"},
                    {"store", true, "FILE", "run store file"},
                    {"quiet", false, "", "no progress bar"},
                    {"make-model", true, "DIR", "pre-train the demo base model into DIR and stop (resources/demo/model)"}},
                   &demoUnchecked};
}

}  // namespace capsule::cli
