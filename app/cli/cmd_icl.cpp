// capsule-cli icl [--config FILE] --model DIR --data FILE [--shots K] [--max-examples N] [--json] [...]
// The in-context-learning baseline (train/icl_baseline.h): the untouched base model scored on the
// run's validation examples with K training examples in its prompt, with the same scoring as
// `capsule-cli train`'s evaluation. The dataset flags (and a training config file from the studio
// or `train --config`) select the same data and split as a training run, so the numbers compare.
// Prints accuracy / loss and the inference cost per example; records the baseline in the run store
// as a run of method "icl" (unless --no-store).
#include "command.h"
#include "train_progress.h"

#include "store/run_store.h"
#include "train/icl_baseline.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace capsule::cli {
namespace {

const std::vector<std::string> kOwnFlags = {"shots", "max-examples", "demonstration-seed", "json", "no-store"};

std::vector<OptionSpec> iclOptions() {
    std::vector<OptionSpec> specs = {
        {"config", true, "FILE", "JSON training config (its model, data and dataset settings; flags override it)"},
        {"shots", true, "K", "demonstrations per example (default 4; 0 = zero-shot)"},
        {"max-examples", true, "N", "score at most N validation examples (default: all)"},
        {"demonstration-seed", true, "N", "seed of the demonstration draw (default: --seed)"},
        {"json", false, "", "print the result as one JSON object"},
        {"no-store", false, "", "do not record the baseline in the run store"},
        {"quiet", false, "", "no progress on stderr"},
    };
    // The training keys that decide the data, the split and the scoring.
    for (const char* key : {"model", "data", "format", "column_mapping", "template", "max_length",
                                   "validation_fraction", "validation_file", "seed", "dtype", "device", "batch_size",
                                   "eval_batch_size", "length_norm", "threads", "store", "run_name"})
        specs.push_back({train::keyToFlag(key), true, "VALUE", "config key \"" + std::string(key) + "\""});
    return specs;
}

std::string percent(double fraction) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f%%", fraction * 100.0);
    return text;
}

std::string fixed(double value, int digits) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

int iclUnchecked(const Arguments& arguments) {
    if (!arguments.positional().empty()) throw UsageError("unexpected argument '" + arguments.positional()[0] + "'");
    train::TrainingConfig config = trainingConfigFromArguments(arguments, kOwnFlags, false);
    if (config.model.empty()) throw UsageError("option --model is required");
    if (config.data.empty()) throw UsageError("option --data is required");
    train::TrainingConfig checked = config;
    checked.out = "icl";  // an ICL baseline writes no adapter; validate() wants an output folder
    try {
        checked.validate();
    } catch (const std::invalid_argument& error) {
        throw UsageError(error.what());
    }
    train::IclOptions options;
    options.shots = arguments.integerOr("shots", 4);
    options.maxExamples = arguments.integerOr("max-examples", 0);
    options.seed = static_cast<uint64_t>(arguments.integerOr("demonstration-seed", static_cast<long long>(config.seed)));
    if (options.shots < 0) throw UsageError("option --shots must be >= 0");
    if (options.maxExamples < 0) throw UsageError("option --max-examples must be >= 0");
    const bool quiet = arguments.has("quiet") || arguments.has("json");

    int64_t lastPercent = -1;
    const train::IclResult result = train::evaluateInContext(config, options, [&](int64_t done, int64_t total) {
        const int64_t now = total > 0 ? done * 100 / total : 100;
        if (!quiet && now / 10 != lastPercent / 10) {
            std::cerr << "scoring: " << done << " of " << total << " examples\n";
            lastPercent = now;
        }
        return true;
    });
    int64_t runId = 0;
    if (!arguments.has("no-store")) {
        const std::string storePath = config.store.empty() ? store::RunStore::defaultPath() : config.store;
        runId = train::recordIclBaseline(storePath, config, options, result, config.runName);
    }

    const auto& metrics = result.metrics;
    if (arguments.has("json")) {
        nlohmann::json object = {
            {"shots", result.shots},
            {"examples", metrics.examples},
            {"eval_loss", metrics.loss},
            {"eval_perplexity", metrics.perplexity},
            {"mean_shots", result.meanShots},
            {"examples_with_fewer_shots", result.examplesWithFewerShots},
            {"context_limit", result.contextLimit},
            {"prompt_tokens", result.meanPromptTokens},
            {"zero_shot_prompt_tokens", result.meanZeroShotPromptTokens},
            {"seconds_per_example", result.secondsPerExample},
            {"scoring_s", result.scoringSeconds},
            {"load_s", result.loadSeconds},
            {"device", result.device},
            {"dtype", result.computeDtype},
            {"demonstrations", result.firstDemonstrations},
        };
        if (metrics.accuracy) object["accuracy"] = *metrics.accuracy;
        if (runId > 0) object["run_id"] = runId;
        std::cout << object.dump() << "\n";
        return 0;
    }
    std::cout << "in-context baseline: " << result.shots << "-shot on " << metrics.examples << " validation examples\n";
    if (metrics.accuracy) std::cout << "  accuracy        " << percent(*metrics.accuracy) << "\n";
    std::cout << "  eval loss       " << fixed(metrics.loss, 4) << " (perplexity " << fixed(metrics.perplexity, 2) << ")\n";
    std::cout << "  prompt tokens   " << fixed(result.meanPromptTokens, 1) << " per example (zero-shot "
              << fixed(result.meanZeroShotPromptTokens, 1) << ")\n";
    std::cout << "  time            " << fixed(result.secondsPerExample * 1000.0, 2) << " ms per example on " << result.device
              << " (" << result.computeDtype << "), " << fixed(result.scoringSeconds, 2) << " s in all\n";
    if (result.examplesWithFewerShots > 0)
        std::cout << "  fitted          " << result.examplesWithFewerShots << " prompts dropped demonstrations to fit "
                  << result.contextLimit << " tokens (mean " << fixed(result.meanShots, 2) << " shots)\n";
    if (runId > 0) std::cout << "  recorded as run " << runId << "\n";
    return 0;
}

}  // namespace

Command iclCommand() {
    return Command{"icl", "[--config FILE] --model DIR --data FILE [--shots K] [--max-examples N] [--json] [...]",
                   "in-context-learning baseline: the base model with K training examples in its prompt, scored like a run",
                   iclOptions(), &iclUnchecked};
}

}  // namespace capsule::cli
