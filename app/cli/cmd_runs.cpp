// capsule-cli runs [--json] [--store FILE]: the runs in the run store, newest first.
#include "command.h"

#include "store/run_store.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace capsule::cli {
namespace {

nlohmann::json runJson(const store::RunRecord& run) {
    auto optional = [](const auto& value) { return value ? nlohmann::json(*value) : nlohmann::json(); };
    return {{"id", run.id},
            {"name", run.name},
            {"status", store::toString(run.status)},
            {"method", run.method},
            {"base_model", run.baseModel},
            {"dataset", run.dataset},
            {"created_at", run.createdAt},
            {"started_at", run.startedAt},
            {"finished_at", run.finishedAt},
            {"last_step", optional(run.lastStep)},
            {"max_steps", optional(run.maxSteps)},
            {"trainable_parameters", optional(run.trainableParameters)},
            {"total_parameters", optional(run.totalParameters)},
            {"best_eval", optional(run.bestEval)},
            {"best_eval_metric", run.bestEvalMetric},
            {"best_step", optional(run.bestStep)},
            {"output_dir", run.outputDir},
            {"failure_reason", run.failureReason}};
}

int runsUnchecked(const Arguments& arguments) {
    if (!arguments.positional().empty()) throw UsageError("unexpected argument '" + arguments.positional()[0] + "'");
    store::RunStore runStore(arguments.valueOr("store", store::RunStore::defaultPath()));
    runStore.markInterruptedRuns();
    const std::vector<store::RunRecord> runs = runStore.listRuns();
    if (arguments.has("json")) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& run : runs) list.push_back(runJson(run));
        std::cout << list.dump(2) << "\n";
        return 0;
    }
    std::printf("%-5s %-24s %-12s %-14s %-11s %-12s %s\n", "ID", "NAME", "STATUS", "METHOD", "STEP", "BEST EVAL", "CREATED");
    for (const auto& run : runs) {
        // Nothing trains in an in-context baseline ("icl"): it has no steps.
        const std::string step = run.method == "icl" ? std::string("-")
                                                     : std::to_string(run.lastStep.value_or(0)) + "/" +
                                                           (run.maxSteps ? std::to_string(*run.maxSteps) : std::string("?"));
        char best[64] = "-";
        if (run.bestEval) std::snprintf(best, sizeof best, "%s %.4g", run.bestEvalMetric == "accuracy" ? "acc" : "loss", *run.bestEval);
        std::printf("%-5lld %-24s %-12s %-14s %-11s %-12s %s\n", static_cast<long long>(run.id), run.name.substr(0, 24).c_str(),
                    store::toString(run.status).c_str(), run.method.c_str(), step.c_str(), best, run.createdAt.c_str());
    }
    return 0;
}

}  // namespace

Command runsCommand() {
    return Command{"runs", "[--json] [--store FILE]", "list the training runs in the run store",
                   {{"json", false, "", "machine-readable output"}, {"store", true, "FILE", "run store file"}},
                   &runsUnchecked};
}

}  // namespace capsule::cli
